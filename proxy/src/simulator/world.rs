//! The simulator's demo world: instances in a few regions and migration tasks whose state is a
//! pure function of (seed, world start, speed, now). Speed compresses durations; every timestamp
//! written is wall-clock time, so ages computed in a browser stay true.
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::{json, Value};

use super::rng::Rng;

/// The demo instance that holds the seed document's example task.
pub const DEMO_INSTANCE: &str = "pgm-bp102g323jd4demo";
pub const DEMO_REGION: &str = "cn-hangzhou";
/// The seed example's TaskId.
pub const SEED_TASK_ID: u64 = 440_437_220;
/// Tasks the demo instance holds at start-up: more than one page of 30.
const DEMO_INSTANCE_TASKS: usize = 41;
/// A new demo task appears on the demo instance this often (simulated time).
const NEW_TASK_EVERY_SIM_SECS: i64 = 15 * 60;

/// Regions: (RegionId, LocalName, zones).
const REGIONS: &[(&str, &str, &[&str])] = &[
    ("cn-hangzhou", "China (Hangzhou)", &["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"]),
    ("cn-shanghai", "China (Shanghai)", &["cn-shanghai-b", "cn-shanghai-l"]),
    ("ap-southeast-1", "Singapore", &["ap-southeast-1a", "ap-southeast-1c"]),
    ("ap-southeast-5", "Indonesia (Jakarta)", &["ap-southeast-5a", "ap-southeast-5b"]),
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
    /// Like StaysInIncrement, with a disconnect episode.
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

#[derive(Clone, Debug)]
struct TaskPlan {
    task_id: u64,
    task_name: String,
    instance: String,
    source_ip: String,
    source_port: u32,
    account: String,
    category: &'static str,
    password: String,
    born: DateTime<Utc>,
    plan: Plan,
    fate: Fate,
    glibc_warning: bool,
    /// Bytes per simulated second the source writes during increment.
    wal_rate: u64,
}

pub struct World {
    instances: Vec<Instance>,
    tasks: Vec<TaskPlan>,
    seed_task: Value,
    start: DateTime<Utc>,
    speed: f64,
    seed: u64,
}

impl World {
    pub fn demo(seed: u64, start: DateTime<Utc>, speed: f64) -> World {
        let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
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
        for (region, _, zones) in REGIONS {
            let count = if *region == DEMO_REGION { 2 } else { 2 };
            for i in 0..count {
                let id = format!("pgm-{}{}", region_code(region), rng.alnum(12));
                instances.push(Instance {
                    description: format!("Demo: {} {}", ["billing", "catalog", "analytics", "payments"][rng.below(4) as usize], i + 1),
                    id,
                    region,
                    zone: zones[rng.below(zones.len() as u64) as usize],
                    engine_version: ["13.0", "14.0", "15.0"][rng.below(3) as usize],
                    class: ["pg.n2.2c.2m", "pg.n4.4c.2m", "pg.x4.large.2c"][rng.below(3) as usize],
                    created: start - Duration::days(10 + rng.below(200) as i64),
                });
            }
        }

        let mut tasks = Vec::new();
        let mut next_id = SEED_TASK_ID + 1_000;
        for inst in &instances {
            let n = if inst.id == DEMO_INSTANCE { DEMO_INSTANCE_TASKS } else { 2 + rng.below(5) as usize };
            for _ in 0..n {
                next_id += 1 + rng.below(5_000);
                tasks.push(plan_task(&mut rng, next_id, &inst.id, start, speed, None));
            }
        }

        let mut seed_task = migration_model::seed::seed_example_decoded()["Items"][0].clone();
        seed_task["TargetInstanceName"] = Value::String(DEMO_INSTANCE.to_string());

        World { instances, tasks, seed_task, start, speed, seed }
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub fn regions() -> impl Iterator<Item = (&'static str, &'static str, &'static [&'static str])> {
        REGIONS.iter().copied()
    }

    /// Every task of an instance as the API would list it at `now`: the seed example first (it is
    /// kept on page 1), then the rest newest first.
    pub fn tasks_of(&self, instance: &str, now: DateTime<Utc>) -> Vec<Value> {
        let mut plans: Vec<TaskPlan> = self.tasks.iter().filter(|t| t.instance == instance && t.born <= now).cloned().collect();
        if instance == DEMO_INSTANCE {
            plans.extend(self.spawned_tasks(now));
        }
        plans.sort_by(|a, b| b.task_id.cmp(&a.task_id));
        let mut out = Vec::with_capacity(plans.len() + 1);
        if instance == DEMO_INSTANCE {
            out.push(self.seed_task.clone());
        }
        out.extend(plans.iter().map(|p| render_task(p, now, self.speed)));
        out
    }

    /// Precheck reports of an instance: one per task, its check sections only.
    pub fn prechecks_of(&self, instance: &str, now: DateTime<Utc>) -> Vec<Value> {
        self.tasks_of(instance, now)
            .into_iter()
            .map(|mut t| {
                let detail = t["Detail"].as_str().unwrap_or_default().to_string();
                let checks: String = precheck_part(&detail);
                let obj = t.as_object_mut().expect("tasks are objects");
                for key in ["MigrateStage", "ReplicationInfo", "ReplicationState", "SwitchTime"] {
                    obj.remove(key);
                }
                obj.insert("Detail".into(), Value::String(checks));
                t
            })
            .collect()
    }

    /// Tasks the demo instance starts by itself after the world began.
    fn spawned_tasks(&self, now: DateTime<Utc>) -> Vec<TaskPlan> {
        let elapsed_sim = ((now - self.start).num_milliseconds() as f64 / 1000.0 * self.speed) as i64;
        let count = (elapsed_sim / NEW_TASK_EVERY_SIM_SECS).clamp(0, 10_000);
        (1..=count)
            .map(|k| {
                let mut rng = Rng::new(self.seed ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let born = self.start + sim_to_wall(k * NEW_TASK_EVERY_SIM_SECS, self.speed);
                plan_task(&mut rng, SEED_TASK_ID + 900_000 + k as u64, DEMO_INSTANCE, born, self.speed, Some(born))
            })
            .collect()
    }
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

/// Plans one task. Without `born`, the task is back-dated to a random point of its story, so the
/// world starts with tasks in every stage.
fn plan_task(rng: &mut Rng, task_id: u64, instance: &str, start: DateTime<Utc>, speed: f64, born: Option<DateTime<Utc>>) -> TaskPlan {
    let fate = match rng.below(10) {
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
        switch: 60 + rng.below(240) as i64,
    };
    let born = born.unwrap_or_else(|| {
        let story = plan.precheck + plan.basebackup + plan.startup + plan.increment + plan.switch;
        let into = rng.below((story + story / 3) as u64) as i64;
        start - sim_to_wall(into, speed)
    });
    TaskPlan {
        task_id,
        task_name: rng.uuid(),
        instance: instance.to_string(),
        source_ip: format!("172.16.{}.{}", rng.below(256), 1 + rng.below(254)),
        source_port: if rng.below(4) == 0 { 5433 } else { 5432 },
        account: ["migratetest", "replicator", "mig_user"][rng.below(3) as usize].to_string(),
        category: if rng.below(3) == 0 { "idcOnVpc" } else { "ecsOnVpc" },
        password: format!("Demo-{}", rng.alnum(10)),
        born,
        plan,
        fate,
        glibc_warning: rng.below(3) == 0,
        wal_rate: 20_000 + rng.below(200_000),
    }
}

/// Where a task is in its story at a point of simulated time.
struct Snapshot {
    stage: &'static str,
    state: &'static str,
    /// Simulated seconds since the task was born.
    t: i64,
}

fn snapshot(p: &TaskPlan, t: i64) -> Snapshot {
    let pl = p.plan;
    let s = |stage, state| Snapshot { stage, state, t };
    let after_precheck = pl.precheck;
    let after_backup = after_precheck + pl.basebackup;
    let after_startup = after_backup + pl.startup;
    if t < after_precheck || p.fate == Fate::FailsPrecheck {
        return s("precheck", "unstarted");
    }
    if t < after_backup {
        return s("basebackup", "unstarted");
    }
    if t < after_startup {
        return s("startup", "catchup");
    }
    let in_increment = t - after_startup;
    match p.fate {
        Fate::Completes if in_increment >= pl.increment + pl.switch => s("success", "finish"),
        Fate::Completes if in_increment >= pl.increment => s("switch", "streaming"),
        Fate::Disconnects if disconnected(p, in_increment) => s("increment", "disconnect"),
        _ if in_increment < 120 => s("increment", "catchup"),
        _ => s("increment", "streaming"),
    }
}

/// A disconnect episode of 10 simulated minutes in every 40 after the first hour.
fn disconnected(p: &TaskPlan, in_increment: i64) -> bool {
    let _ = p;
    in_increment > 3_600 && (in_increment - 3_600) % 2_400 < 600
}

/// Renders a task as the API's JSON item at wall time `now`.
fn render_task(p: &TaskPlan, now: DateTime<Utc>, speed: f64) -> Value {
    let t = (((now - p.born).num_milliseconds().max(0)) as f64 / 1000.0 * speed) as i64;
    let snap = snapshot(p, t);
    let wall = |sim: i64| p.born + sim_to_wall(sim, speed);
    let pl = p.plan;
    let startup_at = pl.precheck + pl.basebackup;
    let increment_at = startup_at + pl.startup;
    let switch_at = increment_at + pl.increment;

    let mut detail = precheck_detail(p, snap.t);
    if snap.t >= startup_at && p.fate != Fate::FailsPrecheck {
        detail.push_str(&format!("[Start RDS instance]\n{} --- Start RDS instance as slave for data replication\n", log_time(wall(startup_at))));
    }
    if snap.t >= increment_at && p.fate != Fate::FailsPrecheck {
        detail.push_str(&format!(
            "[Synchronize data]\n{} --- Synchronize data from source to RDS by streaming replication \n",
            log_time(wall(increment_at))
        ));
    }

    // The last moment the task changed: its stage start, or now while replication streams.
    let stage_started = match snap.stage {
        "precheck" => 0,
        "basebackup" => pl.precheck,
        "startup" => startup_at,
        "increment" => increment_at,
        "switch" => switch_at,
        _ => switch_at + pl.switch,
    };
    let modified = if matches!(snap.stage, "increment" | "switch") && snap.state != "disconnect" { now } else { wall(stage_started).min(now) };
    let switch_time = if matches!(snap.stage, "switch" | "success") { Value::String(iso(wall(switch_at))) } else { Value::Null };

    let replication_info = if snap.t >= startup_at && p.fate != Fate::FailsPrecheck {
        replication_info(p, snap.t - increment_at, snap.state, now, wall(increment_at), speed)
    } else {
        String::new()
    };

    json!({
        "Detail": detail,
        "GmtCreated": iso(p.born),
        "GmtModified": iso(modified),
        "MigrateStage": snap.stage,
        "ReplicationInfo": replication_info,
        "ReplicationState": snap.state,
        "SourceAccount": p.account,
        "SourceCategory": p.category,
        "SourceIpAddress": p.source_ip,
        "SourcePassword": p.password,
        "SourcePort": p.source_port,
        "SwitchTime": switch_time,
        "TargetEip": "null",
        "TargetInstanceName": p.instance,
        "TaskId": p.task_id,
        "TaskName": p.task_name,
    })
}

const CHECKS: &[(&str, &[&str])] = &[
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

/// The check part of the log, as far as precheck has got at simulated time `t`.
fn precheck_detail(p: &TaskPlan, t: i64) -> String {
    let total: usize = CHECKS.iter().map(|(_, c)| c.len()).sum();
    let done = if t >= p.plan.precheck { total } else { ((t.max(0) as usize) * total / p.plan.precheck.max(1) as usize).min(total) };
    let mut out = String::new();
    let mut n = 0;
    for (section, checks) in CHECKS {
        if n >= done {
            break;
        }
        out.push_str(&format!("[{section}]\n"));
        for check in *checks {
            if n >= done {
                break;
            }
            n += 1;
            let outcome = match *check {
                "Check source glibc version compatible" if p.glibc_warning => {
                    "warning(warning:source glibc version is not compatible with rds pg)"
                }
                // No failing sample is published; this wording is the simulator's assumption.
                "Check disk size enough" if p.fate == Fate::FailsPrecheck => "failed(error:rds disk size is smaller than source data size)",
                _ => "success",
            };
            out.push_str(&format!("{check}: {outcome}\n"));
        }
    }
    out
}

/// The check sections of a full Detail log, with the closing marker the precheck API prints.
fn precheck_part(detail: &str) -> String {
    let mut out = String::new();
    let mut in_checks = false;
    for line in detail.lines() {
        if line.starts_with('[') {
            in_checks = line.starts_with("[Check");
        }
        if in_checks {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !out.contains("failed(") && out.contains("Check if spec params too large") {
        out.push_str("*Migrate check success*\n");
    }
    out
}

/// `ReplicationInfo` as the service writes it: a JSON object inside a string, every value a string.
fn replication_info(p: &TaskPlan, in_increment: i64, state: &str, now: DateTime<Utc>, increment_wall: DateTime<Utc>, speed: f64) -> String {
    let start_lsn: u64 = 0x300_0000;
    let progressed = in_increment.max(0) as u64;
    // During a disconnect nothing new arrives: freeze at the episode's start.
    let effective = if state == "disconnect" { progressed - ((progressed.saturating_sub(3_600)) % 2_400) } else { progressed };
    let received = start_lsn + effective * p.wal_rate;
    // Lag grows and recovers: a sawtooth over 5 simulated minutes, zero half the time.
    let phase = effective % 300;
    let lag = if phase < 150 { 0 } else { (phase - 150) * p.wal_rate / 4 };
    let replay = received.saturating_sub(lag);
    let latest_end = received;
    let last_msg = if state == "disconnect" {
        increment_wall + sim_to_wall(effective as i64, speed)
    } else {
        now
    };
    let conninfo = format!(
        "user={} password=******** channel_binding=prefer dbname=replication host={} port={} application_name=rds_db_instance \
         fallback_application_name=walreceiver sslmode=prefer sslcompression=1 sslsni=1 ssl_min_protocol_version=TLSv1.2 \
         gssencmode=prefer krbsrvname=postgres target_session_attrs=any",
        p.account, p.source_ip, p.source_port
    );
    let pg = |t: DateTime<Utc>| pg_time(t);
    let status = if state == "disconnect" { "waiting" } else { "streaming" };
    json!({
        "Status": status,
        "ReceiveStartLsn": lsn(start_lsn),
        "ReceivedTli": "1",
        "LatestEndTime": pg(last_msg - Duration::milliseconds(300)),
        "Synced": if lag == 0 { "true" } else { "false" },
        "IsSlave": "true",
        "ReplayTimestamp": "null",
        "LastMsgSendTime": pg(last_msg - Duration::milliseconds(1)),
        "Conninfo": conninfo,
        "LastMsgReceiptTime": pg(last_msg),
        "LatestEndLsn": lsn(latest_end),
        "ReceivedLsn": lsn(received),
        "ReplayLsn": lsn(replay),
        "ReceiveStartTli": "1",
        "ReplayLag": (lag / p.wal_rate.max(1)).to_string(),
    })
    .to_string()
}

fn lsn(v: u64) -> String {
    format!("{:X}/{:X}", v >> 32, v & 0xFFFF_FFFF)
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// PostgreSQL's text form with the service's +08 offset: `2022-03-01 14:42:57.967537+08`.
fn pg_time(t: DateTime<Utc>) -> String {
    format!("{}+08", t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S%.6f"))
}

/// Detail log times: local (+08) without an offset, to the second.
fn log_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (World, DateTime<Utc>) {
        let start = DateTime::parse_from_rfc3339("2026-11-28T00:00:00Z").unwrap().with_timezone(&Utc);
        (World::demo(7, start, 1.0), start)
    }

    #[test]
    fn the_seed_task_is_first_on_the_demo_instance_exactly_as_the_seed_shows_it() {
        let (w, now) = world();
        let tasks = w.tasks_of(DEMO_INSTANCE, now);
        assert!(tasks.len() > 30, "more than one page: {}", tasks.len());
        let seed = &tasks[0];
        let mut want = migration_model::seed::seed_example_decoded()["Items"][0].clone();
        want["TargetInstanceName"] = json!(DEMO_INSTANCE);
        assert_eq!(seed, &want);
        assert_eq!(seed["TaskId"], 440437220);
        assert_eq!(seed["MigrateStage"], "switch");
        assert_eq!(seed["SourcePassword"], "123456");
        assert!(seed["Detail"].as_str().unwrap().contains("\n[Start RDS instance]\n"));
    }

    #[test]
    fn the_world_is_deterministic_and_covers_every_stage_and_state() {
        let (w, now) = world();
        let (w2, _) = world();
        let all = |w: &World| -> Vec<Value> { w.instances().iter().flat_map(|i| w.tasks_of(&i.id, now)).collect() };
        assert_eq!(all(&w), all(&w2));
        let tasks = all(&w);
        for stage in ["precheck", "basebackup", "startup", "increment", "switch", "success"] {
            assert!(tasks.iter().any(|t| t["MigrateStage"] == stage), "no task in {stage}");
        }
        for state in ["unstarted", "catchup", "streaming", "disconnect", "finish"] {
            assert!(tasks.iter().any(|t| t["ReplicationState"] == state), "no task {state}");
        }
    }

    #[test]
    fn tasks_move_and_new_ones_appear_with_wall_clock_times() {
        let (w, start) = world();
        let later = start + Duration::hours(2);
        let before = w.tasks_of(DEMO_INSTANCE, start);
        let after = w.tasks_of(DEMO_INSTANCE, later);
        assert!(after.len() > before.len(), "new tasks appear");
        let changed = before
            .iter()
            .filter(|b| after.iter().any(|a| a["TaskId"] == b["TaskId"] && a["MigrateStage"] != b["MigrateStage"]))
            .count();
        assert!(changed > 0, "some task changed stage in two hours");
        for t in &after {
            let modified = migration_model::time::parse_utc(t["GmtModified"].as_str().unwrap()).unwrap();
            assert!(modified <= later, "no timestamp from the future");
        }
    }

    #[test]
    fn generated_replication_info_parses_and_lsns_advance() {
        let (w, start) = world();
        let streaming_at = |now| -> Vec<(u64, String)> {
            w.tasks_of(DEMO_INSTANCE, now)
                .iter()
                .skip(1)
                .filter(|t| t["ReplicationState"] == "streaming")
                .map(|t| (t["TaskId"].as_u64().unwrap(), t["ReplicationInfo"].as_str().unwrap().to_string()))
                .collect()
        };
        let a = streaming_at(start);
        let b = streaming_at(start + Duration::seconds(30));
        let (id, info_a) = a.first().expect("a streaming task").clone();
        let info_b = b.iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone()).expect("still streaming");
        let ra = migration_model::ReplicationInfo::parse(&info_a).unwrap();
        let rb = migration_model::ReplicationInfo::parse(&info_b).unwrap();
        assert!(rb.received_lsn > ra.received_lsn, "{:?} -> {:?}", ra.received_lsn, rb.received_lsn);
    }

    #[test]
    fn prechecks_hold_check_sections_only() {
        let (w, now) = world();
        let reports = w.prechecks_of(DEMO_INSTANCE, now);
        assert!(!reports.is_empty());
        for r in &reports {
            let d = r["Detail"].as_str().unwrap();
            assert!(!d.contains("[Start RDS instance]"));
            assert!(r.get("MigrateStage").is_none());
        }
        assert!(reports.iter().any(|r| r["Detail"].as_str().unwrap().contains("*Migrate check success*")));
    }
}
