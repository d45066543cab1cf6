//! The simulator's demo world: PostgreSQL instances in a few regions, cloud-migration tasks and
//! precheck reports whose state is a pure function of (seed, world start, speed, now).
//!
//! * Speed compresses durations; every timestamp written is wall-clock time (`now` as the
//!   simulator's clock reads it), never a time in the future, so ages computed in a browser stay
//!   true.
//! * Plans (who, when, how long each stage lasts, how the story ends) are generated once and
//!   kept; a listing filters the plans on their fixed fields first and renders only the page it
//!   returns, so a 5,000-task instance answers in well under a millisecond.
//! * The demo instance [`DEMO_INSTANCE`] keeps the seed document's example task exactly as the
//!   seed shows it (only `TargetInstanceName` filled in), first on page 1, and starts with one
//!   task in every stage and replication state; it starts a new task by itself every
//!   [`NEW_TASK_EVERY_SIM_SECS`] simulated seconds.
//!
//! Log wordings the seed does not show are the simulator's assumptions, marked `ASSUMED` below:
//! the `[Backup data]` progress section, the disconnect/reconnect events, and how a failed
//! check's message sits on its line (the messages themselves are the service's documented ones;
//! the database-connectable one carries the task's own SourcePassword, as the service's does,
//! which the proxy must mask).
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::rng::Rng;

/// The demo instance that holds the seed document's example task.
pub use migration_model::contract::DEMO_INSTANCE;
pub use migration_model::contract::DEMO_REGION;
/// The seed example's TaskId.
pub const SEED_TASK_ID: u64 = 440_437_220;
/// The instance that holds `bench_instance_tasks` tasks when that option is set (cn-hangzhou).
pub const BENCH_INSTANCE: &str = "pgm-bp1scalebenchdemo";
/// Tasks the demo instance holds at start-up besides the seed's: more than one page of 30.
const DEMO_INSTANCE_TASKS: usize = 41;
/// A new demo task appears on the demo instance this often (simulated time).
pub const NEW_TASK_EVERY_SIM_SECS: i64 = 15 * 60;
/// At most this many self-started tasks (a demo left running for a very long time at high speed).
const MAX_SPAWNED: i64 = 10_000;
/// TaskIds of self-started tasks: `SPAWN_ID_BASE + 2k` (above every generated static id).
const SPAWN_ID_BASE: u64 = SEED_TASK_ID + 2_000_000;
/// TaskIds of the bench instance's tasks.
const BENCH_ID_BASE: u64 = 600_000_000;
/// Simulated seconds of catch-up after replication (re)starts.
const CATCHUP_SECS: i64 = 120;
/// A disconnect episode: the first starts this long into increment ...
const DISCONNECT_FIRST: i64 = 3_600;
/// ... then one every this often ...
const DISCONNECT_EVERY: i64 = 2_400;
/// ... lasting this long.
const DISCONNECT_LASTS: i64 = 600;
/// SwitchTime is this long after the task entered the switch stage (as in the seed: 60 s).
const SWITCH_DELAY_SECS: i64 = 60;

/// Regions: (RegionId, LocalName in English, in Chinese, zones).
const REGIONS: &[(&str, &str, &str, &[&str])] = &[
    (
        "cn-hangzhou",
        "China (Hangzhou)",
        "华东1（杭州）",
        &["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"],
    ),
    ("cn-shanghai", "China (Shanghai)", "华东2（上海）", &["cn-shanghai-b", "cn-shanghai-l"]),
    ("ap-southeast-1", "Singapore", "新加坡", &["ap-southeast-1a", "ap-southeast-1c"]),
    (
        "ap-southeast-5",
        "Indonesia (Jakarta)",
        "印度尼西亚（雅加达）",
        &["ap-southeast-5a", "ap-southeast-5b"],
    ),
];

#[derive(Clone, Debug)]
pub struct Instance {
    pub id: String,
    pub region: &'static str,
    pub zone: &'static str,
    pub description: String,
    pub engine_version: &'static str,
    pub class: &'static str,
    pub created: DateTime<Utc>,
}

/// How a task's story ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Runs through every stage to success.
    Completes,
    /// Stops in precheck with a failed check.
    FailsPrecheck,
    /// Reaches increment and stays there (waiting for someone to switch).
    StaysInIncrement,
    /// Like StaysInIncrement, with disconnect episodes.
    Disconnects,
}

/// Simulated seconds each stage lasts.
#[derive(Clone, Copy, Debug)]
struct Plan {
    precheck: i64,
    basebackup: i64,
    startup: i64,
    /// Increment before the switch starts (Completes only).
    increment: i64,
    switch: i64,
}

impl Plan {
    fn backup_at(&self) -> i64 {
        self.precheck
    }
    fn startup_at(&self) -> i64 {
        self.precheck + self.basebackup
    }
    fn increment_at(&self) -> i64 {
        self.startup_at() + self.startup
    }
    fn switch_at(&self) -> i64 {
        self.increment_at() + self.increment
    }
    fn success_at(&self) -> i64 {
        self.switch_at() + self.switch
    }
}

/// Who the source is: shared by a task and its precheck report.
#[derive(Clone, Debug)]
struct Source {
    ip: String,
    port: u32,
    account: &'static str,
    /// As the service echoes it (the seed prints `ecsonvpc`).
    category: &'static str,
    password: String,
}

/// What never changes again once rendered: a task's log up to `[Synchronize data]` once
/// increment began, and the whole item once the task is finished (success, failed precheck).
#[derive(Clone, Debug, Default)]
struct RenderCache {
    prefix: OnceLock<String>,
    frozen: OnceLock<Value>,
}

#[derive(Clone, Debug)]
struct TaskPlan {
    task_id: u64,
    task_name: String,
    instance: String,
    source: Source,
    born: DateTime<Utc>,
    plan: Plan,
    fate: Fate,
    glibc_warning: bool,
    /// Bytes per simulated second the source writes.
    wal_rate: u64,
    /// Size of the full backup.
    backup_bytes: u64,
    /// The first LSN streamed.
    start_lsn: u64,
    cache: RenderCache,
}

/// How a precheck report ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrecheckOutcome {
    Success,
    /// Passes with the seed's glibc warning.
    Warning,
    /// Stops at this check (an index into [`FAILURE_CHECKS`]).
    Fails(usize),
}

#[derive(Clone, Debug)]
struct PrecheckPlan {
    task_id: u64,
    task_name: String,
    instance: String,
    source: Source,
    born: DateTime<Utc>,
    /// Simulated seconds the checks take.
    duration: i64,
    outcome: PrecheckOutcome,
    /// The rendered report once finished.
    frozen: OnceLock<Value>,
}

/// Filters of the two migration listings, as the API takes them (exact matches; absent or
/// empty means "any").
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskFilter<'a> {
    pub task_id: Option<u64>,
    pub task_name: Option<&'a str>,
    pub source_ip: Option<&'a str>,
    pub source_port: Option<u64>,
}

impl TaskFilter<'_> {
    fn matches(&self, task_id: u64, task_name: &str, source: &Source) -> bool {
        self.task_id.is_none_or(|id| id == task_id)
            && self.task_name.is_none_or(|n| n == task_name)
            && self.source_ip.is_none_or(|ip| ip == source.ip)
            && self.source_port.is_none_or(|p| p == u64::from(source.port))
    }

    fn matches_json(&self, item: &Value) -> bool {
        self.task_id.is_none_or(|id| item["TaskId"].as_u64() == Some(id))
            && self.task_name.is_none_or(|n| item["TaskName"].as_str() == Some(n))
            && self.source_ip.is_none_or(|ip| item["SourceIpAddress"].as_str() == Some(ip))
            && self.source_port.is_none_or(|p| item["SourcePort"].as_u64() == Some(p))
    }
}

/// One page of a listing: the page's items and how many matched in all.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Value>,
    pub total: usize,
}

/// What the world is built from.
#[derive(Clone, Copy, Debug)]
pub struct WorldOptions {
    pub seed: u64,
    pub speed: f64,
    /// Tasks on [`BENCH_INSTANCE`]; 0 leaves that instance out.
    pub bench_instance_tasks: usize,
}

pub struct World {
    instances: Vec<Instance>,
    /// Per instance, newest (highest TaskId) first.
    tasks: HashMap<String, Vec<TaskPlan>>,
    prechecks: HashMap<String, Vec<PrecheckPlan>>,
    seed_task: Value,
    start: DateTime<Utc>,
    speed: f64,
    seed: u64,
    /// Self-started tasks generated so far (the k-th at index k-1), with their precheck reports.
    spawned: Mutex<Vec<(TaskPlan, PrecheckPlan)>>,
}

impl World {
    /// The demo world of `seed`, begun at `start`.
    pub fn demo(seed: u64, start: DateTime<Utc>, speed: f64) -> World {
        World::new(WorldOptions { seed, speed, bench_instance_tasks: 0 }, start)
    }

    pub fn new(options: WorldOptions, start: DateTime<Utc>) -> World {
        let seed = options.seed;
        let speed = if options.speed.is_finite() && options.speed > 0.0 { options.speed } else { 1.0 };
        let mut rng = Rng::new(seed);
        let mut instances = vec![Instance {
            id: DEMO_INSTANCE.to_string(),
            region: DEMO_REGION,
            zone: "cn-hangzhou-h",
            description: "Demo: orders database (seed example)".to_string(),
            engine_version: "14.0",
            class: "pg.n2.2c.2m",
            created: start - Duration::days(40),
        }];
        for (region, _, _, zones) in REGIONS {
            for i in 0..2 {
                let id = format!("pgm-{}{}", region_code(region), rng.alnum(12));
                instances.push(Instance {
                    description: format!(
                        "Demo: {} {}",
                        ["billing", "catalog", "analytics", "payments"][rng.below(4) as usize],
                        i + 1
                    ),
                    id,
                    region,
                    zone: zones[rng.below(zones.len() as u64) as usize],
                    engine_version: ["13.0", "14.0", "15.0"][rng.below(3) as usize],
                    class: ["pg.n2.2c.2m", "pg.n4.4c.2m", "pg.x4.large.2c"][rng.below(3) as usize],
                    created: start - Duration::days(10 + rng.below(200) as i64),
                });
            }
        }

        let mut tasks: HashMap<String, Vec<TaskPlan>> = HashMap::new();
        let mut prechecks: HashMap<String, Vec<PrecheckPlan>> = HashMap::new();
        // Ids step by at least 2 so that a task's precheck report can take `task_id - 1`.
        let mut next_id = SEED_TASK_ID + 1_000;
        let mut take_id = |rng: &mut Rng| {
            next_id += 2 + rng.below(5_000);
            next_id
        };
        for inst in &instances {
            let demo = inst.id == DEMO_INSTANCE;
            let n = if demo { DEMO_INSTANCE_TASKS } else { 2 + rng.below(5) as usize };
            let list = tasks.entry(inst.id.clone()).or_default();
            let reports = prechecks.entry(inst.id.clone()).or_default();
            for i in 0..n {
                let id = take_id(&mut rng);
                let scenario = if demo { SCENARIOS.get(i).copied() } else { None };
                let task = plan_task(&mut rng, id, &inst.id, start, speed, Start::Backdated(scenario));
                reports.push(precheck_for(&mut rng, &task, speed));
                list.push(task);
            }
            // Prechecks that never became a task: failures, and one still running.
            let standalone: &[Option<PrecheckOutcome>] = if demo {
                &[
                    Some(PrecheckOutcome::Fails(0)),
                    Some(PrecheckOutcome::Fails(1)),
                    Some(PrecheckOutcome::Fails(2)),
                    Some(PrecheckOutcome::Fails(3)),
                    None,
                ]
            } else if rng.below(2) == 0 {
                &[Some(PrecheckOutcome::Fails(0))]
            } else {
                &[]
            };
            for outcome in standalone {
                let id = take_id(&mut rng);
                reports.push(standalone_precheck(&mut rng, id, &inst.id, start, speed, *outcome));
            }
        }
        assert!(next_id < SPAWN_ID_BASE, "generated ids stay below the self-started ones");

        if options.bench_instance_tasks > 0 {
            instances.push(Instance {
                id: BENCH_INSTANCE.to_string(),
                region: DEMO_REGION,
                zone: "cn-hangzhou-i",
                description: format!("Scale test: {} tasks", options.bench_instance_tasks),
                engine_version: "15.0",
                class: "pg.x4.large.2c",
                created: start - Duration::days(90),
            });
            let mut bench_rng = Rng::new(seed ^ 0xBE7C_4000);
            let list = tasks.entry(BENCH_INSTANCE.to_string()).or_default();
            let reports = prechecks.entry(BENCH_INSTANCE.to_string()).or_default();
            for i in 0..options.bench_instance_tasks as u64 {
                let task = plan_task(
                    &mut bench_rng,
                    BENCH_ID_BASE + 2 + 2 * i,
                    BENCH_INSTANCE,
                    start,
                    speed,
                    Start::Backdated(None),
                );
                reports.push(precheck_for(&mut bench_rng, &task, speed));
                list.push(task);
            }
        }
        for list in tasks.values_mut() {
            list.sort_by_key(|t| std::cmp::Reverse(t.task_id));
        }
        for list in prechecks.values_mut() {
            list.sort_by_key(|t| std::cmp::Reverse(t.task_id));
        }

        let mut seed_task = migration_model::seed::seed_example_decoded()["Items"][0].clone();
        seed_task["TargetInstanceName"] = Value::String(DEMO_INSTANCE.to_string());

        World { instances, tasks, prechecks, seed_task, start, speed, seed, spawned: Mutex::new(Vec::new()) }
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// (RegionId, English name, Chinese name, zones).
    pub fn regions(
    ) -> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static [&'static str])> {
        REGIONS.iter().copied()
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// One page of `DescribeCloudMigrationResult` at `now`: the seed example first on the demo
    /// instance (when it matches), then the rest newest first. Filters apply before paging.
    pub fn list_tasks(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        filter: &TaskFilter<'_>,
        page_number: u64,
        page_size: u64,
    ) -> Page {
        self.with_spawned(instance, now, |spawned| {
            let mut pinned: Vec<Value> = Vec::new();
            if instance == DEMO_INSTANCE && filter.matches_json(&self.seed_task) {
                pinned.push(self.seed_task.clone());
            }
            let statics = self.tasks.get(instance).map(Vec::as_slice).unwrap_or(&[]);
            let matching = spawned
                .iter()
                .rev()
                .map(|(t, _)| t)
                .chain(statics.iter())
                .filter(|t| t.born <= now && filter.matches(t.task_id, &t.task_name, &t.source));
            page(pinned, matching, page_number, page_size, |t| render_task(t, now, self.speed))
        })
    }

    /// One page of `DescribeCloudMigrationPrecheckResult` at `now`, newest first.
    pub fn list_prechecks(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        filter: &TaskFilter<'_>,
        page_number: u64,
        page_size: u64,
    ) -> Page {
        self.with_spawned(instance, now, |spawned| {
            let statics = self.prechecks.get(instance).map(Vec::as_slice).unwrap_or(&[]);
            let matching = spawned
                .iter()
                .rev()
                .map(|(_, p)| p)
                .chain(statics.iter())
                .filter(|p| p.born <= now && filter.matches(p.task_id, &p.task_name, &p.source));
            page(Vec::new(), matching, page_number, page_size, |p| render_precheck(p, now, self.speed))
        })
    }

    /// Every task of an instance at `now`, in listing order (for tests and small instances).
    pub fn tasks_of(&self, instance: &str, now: DateTime<Utc>) -> Vec<Value> {
        self.list_tasks(instance, now, &TaskFilter::default(), 1, u64::MAX).items
    }

    /// Every precheck report of an instance at `now`, newest first.
    pub fn prechecks_of(&self, instance: &str, now: DateTime<Utc>) -> Vec<Value> {
        self.list_prechecks(instance, now, &TaskFilter::default(), 1, u64::MAX).items
    }

    /// Runs `f` on the self-started tasks born by `now` (only the demo instance starts any),
    /// generated once and cached.
    fn with_spawned<R>(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&[(TaskPlan, PrecheckPlan)]) -> R,
    ) -> R {
        if instance != DEMO_INSTANCE {
            return f(&[]);
        }
        let elapsed_sim = ((now - self.start).num_milliseconds() as f64 / 1000.0 * self.speed) as i64;
        let count = (elapsed_sim / NEW_TASK_EVERY_SIM_SECS).clamp(0, MAX_SPAWNED) as usize;
        let mut cache = self.spawned.lock().unwrap_or_else(|p| p.into_inner());
        while cache.len() < count {
            let k = cache.len() as u64 + 1;
            let mut rng = Rng::new(self.seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let born = self.start + sim_to_wall(k as i64 * NEW_TASK_EVERY_SIM_SECS, self.speed);
            let mut task =
                plan_task(&mut rng, SPAWN_ID_BASE + 2 * k, DEMO_INSTANCE, born, self.speed, Start::BornAt);
            let mut report = precheck_for(&mut rng, &task, self.speed);
            // The precheck starts at the spawn time; the task is created once it has passed.
            let shift = task.born - report.born;
            task.born += shift;
            report.born += shift;
            cache.push((task, report));
        }
        // A fake clock may go back: only those born by `now`.
        f(&cache[..count])
    }
}

/// Pages `pinned` followed by `rest`, rendering only what the page shows.
fn page<'a, T: 'a>(
    pinned: Vec<Value>,
    rest: impl Iterator<Item = &'a T>,
    page_number: u64,
    page_size: u64,
    render: impl Fn(&T) -> Value,
) -> Page {
    let skip = page_number.saturating_sub(1).saturating_mul(page_size);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    let mut items = Vec::new();
    let mut total = 0usize;
    for v in pinned {
        if total >= skip && items.len() < take {
            items.push(v);
        }
        total += 1;
    }
    for t in rest {
        if total >= skip && items.len() < take {
            items.push(render(t));
        }
        total += 1;
    }
    Page { items, total }
}

fn region_code(region: &str) -> &'static str {
    match region {
        "cn-hangzhou" => "bp",
        "cn-shanghai" => "uf",
        "ap-southeast-1" => "t4",
        _ => "k1",
    }
}

fn sim_to_wall(sim_secs: i64, speed: f64) -> Duration {
    Duration::milliseconds((sim_secs as f64 * 1000.0 / speed) as i64)
}

/// Simulated seconds from `from` to `now` (never negative).
fn sim_since(from: DateTime<Utc>, now: DateTime<Utc>, speed: f64) -> i64 {
    (((now - from).num_milliseconds().max(0)) as f64 / 1000.0 * speed) as i64
}

/// Where the demo instance's first tasks stand when the world starts, so that every stage and
/// replication state is there from the first call: (fate, where in the story).
#[derive(Clone, Copy, Debug)]
enum At {
    /// This fraction of the way through precheck.
    Precheck(f64),
    /// Failed precheck, this long ago (simulated seconds).
    Failed,
    Basebackup(f64),
    Startup,
    /// This many simulated seconds into increment.
    Increment(i64),
    Switch,
    Success,
}

const SCENARIOS: &[(Fate, At)] = &[
    (Fate::Completes, At::Precheck(0.5)),
    (Fate::FailsPrecheck, At::Failed),
    (Fate::Completes, At::Basebackup(0.4)),
    (Fate::Completes, At::Startup),
    (Fate::StaysInIncrement, At::Increment(CATCHUP_SECS / 2)),
    (Fate::StaysInIncrement, At::Increment(2_000)),
    (Fate::Disconnects, At::Increment(DISCONNECT_FIRST + DISCONNECT_LASTS / 2)),
    (Fate::Disconnects, At::Increment(DISCONNECT_FIRST + DISCONNECT_LASTS + CATCHUP_SECS / 2)),
    (Fate::Completes, At::Switch),
    (Fate::Completes, At::Success),
];

enum Start {
    /// Back-dated so that the world starts with the task part-way through its story: at the
    /// scenario's point if given, else at a random one.
    Backdated(Option<(Fate, At)>),
    /// Born at the `start` given (a self-started task).
    BornAt,
}

/// Plans one task.
fn plan_task(
    rng: &mut Rng,
    task_id: u64,
    instance: &str,
    start: DateTime<Utc>,
    speed: f64,
    how: Start,
) -> TaskPlan {
    let mut fate = match rng.below(10) {
        0 => Fate::FailsPrecheck,
        1 | 2 => Fate::Disconnects,
        3..=5 => Fate::StaysInIncrement,
        _ => Fate::Completes,
    };
    let plan = Plan {
        precheck: 60 + rng.below(240) as i64,
        basebackup: 600 + rng.below(5_400) as i64,
        startup: 30 + rng.below(150) as i64,
        increment: 1_800 + rng.below(20_000) as i64,
        switch: 2 * SWITCH_DELAY_SECS + rng.below(240) as i64,
    };
    let task_name = rng.uuid();
    let source = plan_source(rng);
    let glibc_warning = rng.below(3) == 0;
    let wal_rate = 20_000 + rng.below(200_000);
    let backup_bytes = (1 + rng.below(200)) * 256 * 1024 * 1024 + rng.below(1 << 20);
    let start_lsn = (rng.below(0x20) << 32) | ((1 + rng.below(0xF0)) << 24);
    let random_into = {
        let story = plan.success_at();
        rng.below((story + story / 3) as u64) as i64
    };
    let born = match how {
        Start::BornAt => start,
        Start::Backdated(scenario) => {
            let into = match scenario {
                None => random_into,
                Some((f, at)) => {
                    fate = f;
                    match at {
                        At::Precheck(frac) => (plan.precheck as f64 * frac) as i64,
                        At::Failed => plan.precheck + 1_800,
                        At::Basebackup(frac) => plan.backup_at() + (plan.basebackup as f64 * frac) as i64,
                        At::Startup => plan.startup_at() + plan.startup / 2,
                        At::Increment(s) => plan.increment_at() + s,
                        At::Switch => plan.switch_at() + SWITCH_DELAY_SECS + 30,
                        At::Success => plan.success_at() + 3_600,
                    }
                }
            };
            start - sim_to_wall(into, speed)
        }
    };
    TaskPlan {
        task_id,
        task_name,
        instance: instance.to_string(),
        source,
        born,
        plan,
        fate,
        glibc_warning,
        wal_rate,
        backup_bytes,
        start_lsn,
        cache: RenderCache::default(),
    }
}

fn plan_source(rng: &mut Rng) -> Source {
    Source {
        ip: format!("172.16.{}.{}", rng.below(256), 1 + rng.below(254)),
        port: if rng.below(4) == 0 { 5433 } else { 5432 },
        account: ["migratetest", "replicator", "mig_user"][rng.below(3) as usize],
        category: if rng.below(3) == 0 { "idconvpc" } else { "ecsonvpc" },
        password: format!("Demo-{}", rng.alnum(10)),
    }
}

/// The precheck report run before a task was created: same source, id `task_id - 1`, finished
/// (with the glibc warning when the task shows it) a little before the task was born.
fn precheck_for(rng: &mut Rng, task: &TaskPlan, speed: f64) -> PrecheckPlan {
    let duration = 60 + rng.below(240) as i64;
    let gap = 300 + rng.below(3_300) as i64;
    PrecheckPlan {
        task_id: task.task_id - 1,
        task_name: rng.uuid(),
        instance: task.instance.clone(),
        source: task.source.clone(),
        born: task.born - sim_to_wall(duration + gap, speed),
        duration,
        outcome: if task.glibc_warning { PrecheckOutcome::Warning } else { PrecheckOutcome::Success },
        frozen: OnceLock::new(),
    }
}

/// A precheck report with no task after it: failed (`Some`), or still running at world start.
fn standalone_precheck(
    rng: &mut Rng,
    task_id: u64,
    instance: &str,
    start: DateTime<Utc>,
    speed: f64,
    outcome: Option<PrecheckOutcome>,
) -> PrecheckPlan {
    let duration = 120 + rng.below(240) as i64;
    let into = match outcome {
        Some(_) => duration + 600 + rng.below(86_400) as i64,
        None => duration / 2,
    };
    PrecheckPlan {
        task_id,
        task_name: rng.uuid(),
        instance: instance.to_string(),
        source: plan_source(rng),
        born: start - sim_to_wall(into, speed),
        duration,
        outcome: outcome.unwrap_or(if rng.below(2) == 0 {
            PrecheckOutcome::Success
        } else {
            PrecheckOutcome::Warning
        }),
        frozen: OnceLock::new(),
    }
}

/// Where a task is at a point of simulated time `t` since it was born.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Checks running; or failed (stays in precheck).
    Precheck,
    Basebackup,
    Startup,
    /// `x` simulated seconds into increment, in this replication state.
    Increment {
        x: i64,
        state: Repl,
    },
    Switch {
        x: i64,
    },
    Success,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repl {
    Catchup,
    Streaming,
    Disconnect,
}

fn phase(p: &TaskPlan, t: i64) -> Phase {
    let pl = p.plan;
    if t < pl.backup_at() || p.fate == Fate::FailsPrecheck {
        return Phase::Precheck;
    }
    if t < pl.startup_at() {
        return Phase::Basebackup;
    }
    if t < pl.increment_at() {
        return Phase::Startup;
    }
    let x = t - pl.increment_at();
    if p.fate == Fate::Completes && x >= pl.increment {
        return if x >= pl.increment + pl.switch { Phase::Success } else { Phase::Switch { x } };
    }
    Phase::Increment { x, state: repl_state(p, x) }
}

/// The current (or last) disconnect episode at `x` seconds into increment: its start.
fn episode(p: &TaskPlan, x: i64) -> Option<i64> {
    if p.fate != Fate::Disconnects || x < DISCONNECT_FIRST {
        return None;
    }
    Some(DISCONNECT_FIRST + (x - DISCONNECT_FIRST) / DISCONNECT_EVERY * DISCONNECT_EVERY)
}

fn repl_state(p: &TaskPlan, x: i64) -> Repl {
    if x < CATCHUP_SECS {
        return Repl::Catchup;
    }
    match episode(p, x) {
        Some(d) if x < d + DISCONNECT_LASTS => Repl::Disconnect,
        Some(d) if x < d + DISCONNECT_LASTS + CATCHUP_SECS => Repl::Catchup,
        _ => Repl::Streaming,
    }
}

/// Replication figures at `x` seconds into increment.
struct Wal {
    received: u64,
    replay: u64,
    /// When the last message from the source arrived (simulated seconds into increment).
    last_msg_x: i64,
}

fn wal_at(p: &TaskPlan, x: i64) -> Wal {
    let source = |x: i64| p.start_lsn + x.max(0) as u64 * p.wal_rate;
    // Catch-up lag right after (re)connecting: what the source wrote in 30 simulated seconds.
    let backlog = p.wal_rate * 30;
    if x < CATCHUP_SECS {
        // Catching up on what arrived during the base backup and startup.
        let received = source(x);
        let lag = backlog * (CATCHUP_SECS - x) as u64 / CATCHUP_SECS as u64;
        return Wal { received, replay: received.saturating_sub(lag).max(p.start_lsn), last_msg_x: x };
    }
    if let Some(d) = episode(p, x) {
        let reconnect = d + DISCONNECT_LASTS;
        if x < reconnect {
            // Nothing arrives while disconnected; replay finishes what was received.
            return Wal { received: source(d), replay: source(d), last_msg_x: d };
        }
        if x < reconnect + CATCHUP_SECS {
            let frozen = source(d);
            let received = frozen + (source(x) - frozen) * (x - reconnect) as u64 / CATCHUP_SECS as u64;
            let lag = backlog * (reconnect + CATCHUP_SECS - x) as u64 / CATCHUP_SECS as u64;
            return Wal { received, replay: received.saturating_sub(lag).max(frozen), last_msg_x: x };
        }
    }
    // Streaming: the replay lag grows and recovers, a sawtooth over 5 simulated minutes.
    let received = source(x);
    let phase = x % 300;
    let lag = if phase < 150 { 0 } else { (phase - 150) as u64 * p.wal_rate / 4 };
    Wal { received, replay: received - lag, last_msg_x: x }
}

/// Renders a task as the API's JSON item at wall time `now`.
fn render_task(p: &TaskPlan, now: DateTime<Utc>, speed: f64) -> Value {
    let t = sim_since(p.born, now, speed);
    let ph = phase(p, t);
    let finished = ph == Phase::Success || (p.fate == Fate::FailsPrecheck && t >= p.plan.precheck);
    frozen_once(&p.cache.frozen, finished, || render_task_at(p, now, speed, t, ph))
}

/// `render()`, kept in `cell` once the item is `finished` (it never changes after that).
fn frozen_once(cell: &OnceLock<Value>, finished: bool, render: impl FnOnce() -> Value) -> Value {
    if finished {
        cell.get_or_init(render).clone()
    } else {
        render()
    }
}

/// The log up to `[Synchronize data]`'s first event, which is fixed once increment began.
fn detail_until_increment(p: &TaskPlan, t: i64, wall: &dyn Fn(i64) -> DateTime<Utc>) -> String {
    let pl = p.plan;
    let mut detail = String::with_capacity(1_500);
    precheck_log(&mut detail, &CHECKS, t, pl.precheck, None, p.glibc_warning);
    backup_log(&mut detail, p, t, wall);
    if t >= pl.startup_at() {
        detail.push_str("[Start RDS instance]\n");
        event(&mut detail, wall(pl.startup_at()), "Start RDS instance as slave for data replication");
    }
    if t >= pl.increment_at() {
        detail.push_str("[Synchronize data]\n");
        event(
            &mut detail,
            wall(pl.increment_at()),
            "Synchronize data from source to RDS by streaming replication ",
        );
    }
    detail
}

fn render_task_at(p: &TaskPlan, now: DateTime<Utc>, speed: f64, t: i64, ph: Phase) -> Value {
    let pl = p.plan;
    let wall = |sim: i64| (p.born + sim_to_wall(sim, speed)).min(now);

    let mut checks_done = 0;
    let mut detail = if ph == Phase::Precheck {
        let mut d = String::with_capacity(800);
        let failure = (p.fate == Fate::FailsPrecheck).then(|| task_failure(p));
        checks_done = precheck_log(
            &mut d,
            &CHECKS,
            t,
            pl.precheck,
            failure.as_ref().map(|(c, o)| (*c, o.as_str())),
            p.glibc_warning,
        );
        d
    } else if t >= pl.increment_at() {
        p.cache.prefix.get_or_init(|| detail_until_increment(p, t, &wall)).clone()
    } else {
        detail_until_increment(p, t, &wall)
    };
    if t >= pl.increment_at() && ph != Phase::Precheck && p.fate == Fate::Disconnects {
        let x = t - pl.increment_at();
        let mut d = DISCONNECT_FIRST;
        while d <= x {
            // ASSUMED wording: no disconnect sample has been published.
            event(
                &mut detail,
                wall(pl.increment_at() + d),
                "Replication connection to source lost, reconnecting",
            );
            if d + DISCONNECT_LASTS <= x {
                event(
                    &mut detail,
                    wall(pl.increment_at() + d + DISCONNECT_LASTS),
                    "Replication connection to source restored",
                );
            }
            d += DISCONNECT_EVERY;
        }
    }

    // GmtModified: the last change of stage or replication state (like the seed, where
    // GmtModified is when the switch began and SwitchTime a minute later).
    let (stage, state, modified_sim) = match ph {
        Phase::Precheck => {
            let last_check =
                if checks_done == 0 { 0 } else { checks_at(checks_done, CHECKS_TOTAL, pl.precheck) };
            ("precheck", "unstarted", last_check)
        }
        Phase::Basebackup => ("basebackup", "unstarted", backup_milestone(p, t).1),
        Phase::Startup => ("startup", "catchup", pl.startup_at()),
        Phase::Increment { x, state } => {
            let changed = match (state, episode(p, x)) {
                (Repl::Catchup, None) => 0,
                (Repl::Streaming, None) => CATCHUP_SECS,
                (Repl::Disconnect, Some(d)) => d,
                (Repl::Catchup, Some(d)) => d + DISCONNECT_LASTS,
                (Repl::Streaming, Some(d)) if x >= d + DISCONNECT_LASTS + CATCHUP_SECS => {
                    d + DISCONNECT_LASTS + CATCHUP_SECS
                }
                _ => CATCHUP_SECS,
            };
            let state = match state {
                Repl::Catchup => "catchup",
                Repl::Streaming => "streaming",
                Repl::Disconnect => "disconnect",
            };
            ("increment", state, pl.increment_at() + changed)
        }
        Phase::Switch { .. } => ("switch", "streaming", pl.switch_at()),
        Phase::Success => ("success", "finish", pl.success_at()),
    };

    let replication_info = match ph {
        Phase::Precheck | Phase::Basebackup => String::new(),
        Phase::Startup => replication_info(
            p,
            &Wal { received: p.start_lsn, replay: p.start_lsn, last_msg_x: 0 },
            "starting",
            wall(pl.increment_at().min(t)),
            false,
        ),
        Phase::Increment { x, state } => {
            let w = wal_at(p, x);
            let last = wall(pl.increment_at() + w.last_msg_x);
            let status = if state == Repl::Disconnect { "waiting" } else { "streaming" };
            replication_info(p, &w, status, last, false)
        }
        Phase::Switch { x } => {
            // Caught up for the switch: nothing left to replay.
            let w = wal_at(p, x);
            let w = Wal { replay: w.received, ..w };
            replication_info(p, &w, "streaming", wall(pl.increment_at() + x), false)
        }
        Phase::Success => {
            let x = pl.increment + pl.switch;
            let w = wal_at(p, x);
            let w = Wal { replay: w.received, ..w };
            replication_info(p, &w, "stopping", wall(pl.success_at()), true)
        }
    };

    let mut m = Map::with_capacity(17);
    m.insert("Detail".into(), Value::String(detail));
    m.insert("GmtCreated".into(), Value::String(iso(p.born.min(now))));
    m.insert("GmtModified".into(), Value::String(iso(wall(modified_sim))));
    m.insert("MigrateStage".into(), Value::from(stage));
    m.insert("ReplicationInfo".into(), Value::String(replication_info));
    m.insert("ReplicationState".into(), Value::from(state));
    m.insert("SourceAccount".into(), Value::from(p.source.account));
    m.insert("SourceCategory".into(), Value::from(p.source.category));
    m.insert("SourceIpAddress".into(), Value::String(p.source.ip.clone()));
    m.insert("SourcePassword".into(), Value::String(p.source.password.clone()));
    m.insert("SourcePort".into(), Value::from(p.source.port));
    if matches!(ph, Phase::Switch { .. } | Phase::Success) {
        m.insert("SwitchTime".into(), Value::String(iso(wall(pl.switch_at() + SWITCH_DELAY_SECS))));
    }
    m.insert("TargetEip".into(), Value::from("null"));
    m.insert("TargetInstanceName".into(), Value::String(p.instance.clone()));
    m.insert("TaskId".into(), Value::from(p.task_id));
    m.insert("TaskName".into(), Value::String(p.task_name.clone()));
    Value::Object(m)
}

/// Renders a precheck report at wall time `now`.
fn render_precheck(p: &PrecheckPlan, now: DateTime<Utc>, speed: f64) -> Value {
    let t = sim_since(p.born, now, speed);
    frozen_once(&p.frozen, t >= p.duration, || render_precheck_at(p, now, speed, t))
}

fn render_precheck_at(p: &PrecheckPlan, now: DateTime<Utc>, speed: f64, t: i64) -> Value {
    let wall = |sim: i64| (p.born + sim_to_wall(sim, speed)).min(now);
    let failure = match p.outcome {
        PrecheckOutcome::Fails(i) => Some(failure_outcome(i, &p.source)),
        _ => None,
    };
    let fails = failure.is_some();
    let mut detail = String::with_capacity(1_000);
    let done = precheck_log(
        &mut detail,
        &REPORT_CHECKS,
        t,
        p.duration,
        failure.as_ref().map(|(c, o)| (*c, o.as_str())),
        p.outcome == PrecheckOutcome::Warning,
    );
    let finished = done == REPORT_CHECKS_TOTAL || (fails && t >= p.duration);
    if finished && !fails {
        detail.push_str("*Migrate check success*\n");
    }
    let modified = if done == 0 { 0 } else { checks_at(done, REPORT_CHECKS_TOTAL, p.duration) };
    json!({
        "Detail": detail,
        "GmtCreated": iso(p.born.min(now)),
        "GmtModified": iso(wall(modified)),
        "SourceAccount": p.source.account,
        "SourceCategory": p.source.category,
        "SourceIpAddress": p.source.ip,
        "SourcePassword": p.source.password,
        "SourcePort": p.source.port,
        "TargetEip": "null",
        "TargetInstanceName": p.instance,
        "TaskId": p.task_id,
        "TaskName": p.task_name,
    })
}

type Checks = [(&'static str, &'static [&'static str])];

/// The checks a migration task's precheck stage logs (as in the seed).
const CHECKS: [(&str, &[&str]); 7] = [
    ("Check rds empty", &["Check rds databases"]),
    (
        "Check source connectivity",
        &[
            "Check ip connectable",
            "Check port connectable",
            "Check database connectable",
            "Check account replication privilege",
            "Check account createrole privilege",
            "Check account monitor privilege",
        ],
    ),
    ("Check source version", &["Check major version consistent"]),
    ("Check source glibc version", &["Check source glibc version compatible"]),
    ("Check disk size", &["Check disk size enough"]),
    ("Check wal keep size", &["Check wal keep size large enough"]),
    ("Check spec params", &["Check if spec params too large"]),
];
const CHECKS_TOTAL: usize = count_checks(&CHECKS);

/// The checks a precheck report logs (as in the SDK's DescribeCloudMigrationPrecheckResult
/// example: the task's checks plus triggers and user functions).
const REPORT_CHECKS: [(&str, &[&str]); 9] = [
    CHECKS[0],
    CHECKS[1],
    CHECKS[2],
    CHECKS[3],
    CHECKS[4],
    CHECKS[5],
    CHECKS[6],
    ("Check triggers", &["Check triggers compatible"]),
    ("Check user functions", &["Check user functions compatible"]),
];
const REPORT_CHECKS_TOTAL: usize = count_checks(&REPORT_CHECKS);

const fn count_checks(checks: &Checks) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < checks.len() {
        n += checks[i].1.len();
        i += 1;
    }
    n
}

/// The checks that can fail, with the service's documented messages (its assessment-report
/// help page): see [`failure_outcome`].
const FAILURE_CHECKS: [&str; 4] =
    ["Check rds databases", "Check ip connectable", "Check port connectable", "Check database connectable"];

/// The failed check `i` (of [`FAILURE_CHECKS`]) for `source` and its outcome text. The messages
/// are the documented ones, the password being the task's own SourcePassword as the service
/// writes it. ASSUMED: their place on the line, `error(error:...)`, by analogy with the seed's
/// `warning(warning:...)`.
fn failure_outcome(i: usize, source: &Source) -> (&'static str, String) {
    let i = i % FAILURE_CHECKS.len();
    let message = match i {
        0 => "postgres not empty, check if any table exists".to_string(),
        1 => format!("{} is unapproachable", source.ip),
        2 => format!("{} is unapproachable", source.port),
        _ => format!("cannot connect to source database by {}:{}", source.account, source.password),
    };
    (FAILURE_CHECKS[i], format!("error(error:{message})"))
}

/// The check a task with a failing precheck stops at (spread over the four by TaskId).
fn task_failure(p: &TaskPlan) -> (&'static str, String) {
    failure_outcome((p.task_id / 2) as usize, &p.source)
}

const GLIBC_WARNING: &str = "warning(warning:source glibc version is not compatible with rds pg)";

/// Simulated second at which the `n`-th of `total` checks completes, over `duration`.
fn checks_at(n: usize, total: usize, duration: i64) -> i64 {
    (n as i64 * duration) / total as i64
}

/// Appends the check part of a log as far as it has got at simulated time `t` (checks complete
/// evenly over `duration`; a failing run stops at its failed check). Returns how many checks
/// are written.
fn precheck_log(
    out: &mut String,
    checks: &Checks,
    t: i64,
    duration: i64,
    failure: Option<(&str, &str)>,
    glibc_warning: bool,
) -> usize {
    let total: usize = checks.iter().map(|(_, c)| c.len()).sum();
    let done = if t >= duration {
        total
    } else {
        ((t.max(0) as usize) * total / duration.max(1) as usize).min(total)
    };
    let mut n = 0;
    for (section, names) in checks {
        if n >= done {
            break;
        }
        out.push('[');
        out.push_str(section);
        out.push_str("]\n");
        for check in *names {
            if n >= done {
                break;
            }
            n += 1;
            let failed_here = failure.filter(|(c, _)| c == check);
            let outcome = if let Some((_, o)) = failed_here {
                o
            } else if glibc_warning && *check == "Check source glibc version compatible" {
                GLIBC_WARNING
            } else {
                "success"
            };
            out.push_str(check);
            out.push_str(": ");
            out.push_str(outcome);
            out.push('\n');
            if failed_here.is_some() {
                return n;
            }
        }
    }
    n
}

/// Base-backup progress is logged in steps of this many percent.
const BACKUP_STEP: u64 = 20;

/// The base backup's last milestone reached at `t`: (percent, simulated second).
fn backup_milestone(p: &TaskPlan, t: i64) -> (u64, i64) {
    let pl = p.plan;
    let into = (t - pl.backup_at()).clamp(0, pl.basebackup);
    let pct = (into as u64 * (100 / BACKUP_STEP) / pl.basebackup.max(1) as u64) * BACKUP_STEP;
    let at = pl.backup_at() + (pct as i64 * pl.basebackup) / 100;
    (pct.min(100), at)
}

/// ASSUMED: the seed shows no base-backup lines; the simulator logs its progress in a
/// `[Backup data]` section, one event per 20% (a progress signal the dashboard can show).
fn backup_log(out: &mut String, p: &TaskPlan, t: i64, wall: &dyn Fn(i64) -> DateTime<Utc>) {
    let pl = p.plan;
    let total = gib(p.backup_bytes);
    out.push_str("[Backup data]\n");
    event(out, wall(pl.backup_at()), &format!("Start full backup of source data ({total} GiB)"));
    let (pct, _) = backup_milestone(p, t);
    for step in (BACKUP_STEP..=pct.min(100 - BACKUP_STEP)).step_by(BACKUP_STEP as usize) {
        let at = pl.backup_at() + (step as i64 * pl.basebackup) / 100;
        let done = gib(p.backup_bytes * step / 100);
        event(out, wall(at), &format!("Full backup progress: {step}% ({done} GiB of {total} GiB)"));
    }
    if t >= pl.startup_at() {
        event(out, wall(pl.startup_at()), &format!("Full backup finished ({total} GiB)"));
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.2}", bytes as f64 / (1u64 << 30) as f64)
}

fn event(out: &mut String, at: DateTime<Utc>, text: &str) {
    push_log_time(out, at);
    out.push_str(" --- ");
    out.push_str(text);
    out.push('\n');
}

/// `ReplicationInfo` as the service writes it: a JSON object inside a string, every value a
/// string (written directly: no value needs escaping).
fn replication_info(p: &TaskPlan, w: &Wal, status: &str, last_msg: DateTime<Utc>, finished: bool) -> String {
    use std::fmt::Write as _;
    let lag = w.received - w.replay;
    let mut s = String::with_capacity(900);
    let _ = write!(
        s,
        r#"{{"Status":"{status}","ReceiveStartLsn":"{}","ReceivedTli":"1","LatestEndTime":""#,
        Lsn(p.start_lsn)
    );
    push_pg_time(&mut s, last_msg - Duration::milliseconds(300));
    let _ = write!(
        s,
        r#"","Synced":"{}","IsSlave":"{}","ReplayTimestamp":"null","LastMsgSendTime":""#,
        if lag == 0 { "true" } else { "false" },
        if finished { "false" } else { "true" }
    );
    push_pg_time(&mut s, last_msg - Duration::milliseconds(1));
    let _ = write!(
        s,
        "\",\"Conninfo\":\"user={} password=******** channel_binding=prefer dbname=replication host={} port={} application_name=rds_db_instance \
         fallback_application_name=walreceiver sslmode=prefer sslcompression=1 sslsni=1 ssl_min_protocol_version=TLSv1.2 \
         gssencmode=prefer krbsrvname=postgres target_session_attrs=any\",\"LastMsgReceiptTime\":\"",
        p.source.account, p.source.ip, p.source.port
    );
    push_pg_time(&mut s, last_msg);
    let _ = write!(
        s,
        r#"","LatestEndLsn":"{}","ReceivedLsn":"{}","ReplayLsn":"{}","ReceiveStartTli":"1","ReplayLag":"{}"}}"#,
        Lsn(w.received),
        Lsn(w.received),
        Lsn(w.replay),
        lag / p.wal_rate.max(1)
    );
    s
}

/// An LSN in PostgreSQL's `X/Y` text form.
struct Lsn(u64);

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// The service's local time (+08), as (date-time, microseconds).
fn beijing(t: DateTime<Utc>) -> (chrono::NaiveDateTime, u32) {
    let local = t.naive_utc() + Duration::hours(8);
    (local, local.and_utc().timestamp_subsec_micros())
}

/// Writes `YYYY-MM-DD{sep}HH:MM:SS` (by hand: this runs for every rendered event).
fn push_date_time(out: &mut String, n: &chrono::NaiveDateTime, sep: char) {
    use chrono::{Datelike, Timelike};
    fn two(out: &mut String, v: u32) {
        out.push(char::from(b'0' + (v / 10 % 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    }
    let year = n.year().clamp(0, 9999) as u32;
    two(out, year / 100);
    two(out, year % 100);
    out.push('-');
    two(out, n.month());
    out.push('-');
    two(out, n.day());
    out.push(sep);
    two(out, n.hour());
    out.push(':');
    two(out, n.minute());
    out.push(':');
    two(out, n.second());
}

/// PostgreSQL's text form with the service's +08 offset: `2022-03-01 14:42:57.967537+08`.
fn push_pg_time(out: &mut String, t: DateTime<Utc>) {
    use std::fmt::Write as _;
    let (local, micros) = beijing(t);
    push_date_time(out, &local, ' ');
    let _ = write!(out, ".{micros:06}+08");
}

/// Detail log times: local (+08) without an offset, to the second.
fn push_log_time(out: &mut String, t: DateTime<Utc>) {
    push_date_time(out, &beijing(t).0, ' ');
}

fn iso(t: DateTime<Utc>) -> String {
    let mut s = String::with_capacity(20);
    push_date_time(&mut s, &t.naive_utc(), 'T');
    s.push('Z');
    s
}

#[cfg(test)]
mod tests;
