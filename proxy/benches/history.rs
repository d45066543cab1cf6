//! History figures for `make bench` (scripts/bench/run.py's `history` section), not a criterion
//! bench. Each mode prints one JSON object on stdout. The store is SQLite in `--dir`, or the
//! PostgreSQL at `--pg URL` (emptied first by the caller: the bench starts a private cluster).
//!
//! * `ingest --tasks N --polls P`: what the watcher does with one poll of an N-task instance
//!   (the simulator's scale instance, redacted as the proxy redacts it): the diff, the state and
//!   the store transaction. Process CPU time (user + system, `getrusage`) and wall time per poll,
//!   and the rows written. The first poll (every task new) is reported apart from the steady
//!   ones (every task re-read, the busy ones sampled).
//! * `bytes --hours H`: the demo instance polled every 30 s over H simulated hours (a hand-driven
//!   clock, raw rows packed every 5 minutes as the watcher's leader packs them), then the
//!   bytes the samples and events take (SQLite: `dbstat`; PostgreSQL: `pg_total_relation_size`),
//!   per task-day for busy tasks (a sample every poll) and steady ones (the 5-minute heartbeat):
//!   what they grew by over the run's second half (judged), and the whole run's average beside
//!   it; and the bytes of every table and index.
//!
//! `cargo bench` runs every bench target with `--bench`: this one then says what it is and exits.
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use migration_model::history::PollReport;
use migration_model::replication::HealthThresholds;
use migration_model::task::MigrationTask;
use migration_proxy::simulator::world::{World, WorldOptions, BENCH_INSTANCE, DEMO_INSTANCE};
use migration_proxy::store::{PollWrite, Store};
use migration_proxy::watch::diff::{self, InstanceState, Observed};
use serde_json::json;
use sqlx::Row;

const REGION: &str = "cn-hangzhou";

fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct we own; no other memory is touched.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn tasks(world: &World, instance: &str, now: DateTime<Utc>) -> Vec<MigrationTask> {
    world
        .tasks_of(instance, now)
        .into_iter()
        .filter_map(|mut v| {
            migration_proxy::redact::redact(&mut v);
            serde_json::from_value(v).ok()
        })
        .collect()
}

struct Poller {
    store: Store,
    state: InstanceState,
    instance: &'static str,
}

impl Poller {
    /// One poll at `now`, as the watcher makes it (the report and the state written with it):
    /// (cpu seconds, wall seconds, rows written, cpu seconds per phase).
    async fn poll(&mut self, list: &[MigrationTask], now: DateTime<Utc>) -> (f64, f64, u64, Phases) {
        let (cpu, wall) = (cpu_secs(), Instant::now());
        let at = now.timestamp();
        let seen = Observed { tasks: list, complete: true, prechecks: None };
        let d = diff::diff(&self.state, at, &seen, &HealthThresholds::default());
        let diffed = cpu_secs();
        let report = PollReport {
            at,
            ok: true,
            outcome: "ok".into(),
            duration_ms: 1,
            gap_secs: None,
            last_ok_at: Some(at),
        };
        let w = PollWrite {
            region_id: REGION.into(),
            instance_name: self.instance.into(),
            at,
            tasks: d.samples,
            events: d.events,
            report: Some(report),
            state: serde_json::to_string(&d.state).ok(),
        };
        let serialized = cpu_secs();
        let tasks = w.tasks.len() as u64;
        let written = self.store.record_poll(&w).await.expect("the store takes the poll");
        let stored = cpu_secs();
        self.state = d.state;
        // Every task's row is upserted (last seen), plus the samples, events and the state row.
        let rows = tasks + written.samples + written.events + 1;
        let phases = Phases { diff: diffed - cpu, state: serialized - diffed, store: stored - serialized };
        (cpu_secs() - cpu, wall.elapsed().as_secs_f64(), rows, phases)
    }
}

/// CPU seconds of a poll's phases: the diff, the state's serialisation, the store transaction
/// (this process only: PostgreSQL's own server time is not in it).
#[derive(Clone, Copy, Default)]
struct Phases {
    diff: f64,
    state: f64,
    store: f64,
}

async fn open(args: &[String]) -> (Store, &'static str) {
    match arg(args, "--pg") {
        Some(url) => (Store::open(std::path::Path::new("unused"), Some(&url)).await.unwrap(), "postgres"),
        None => {
            let dir = PathBuf::from(arg(args, "--dir").expect("--dir or --pg"));
            (Store::open(&dir, None).await.unwrap(), "sqlite")
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn ingest(args: &[String]) {
    let n: usize = arg(args, "--tasks").and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let polls: usize = arg(args, "--polls").and_then(|v| v.parse().ok()).unwrap_or(5);
    let (store, backend) = open(args).await;
    let start = Utc::now();
    let world = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: n }, start);
    let mut p = Poller { store, state: InstanceState::default(), instance: BENCH_INSTANCE };
    let mut now = start;
    let first_list = tasks(&world, BENCH_INSTANCE, now);
    assert_eq!(first_list.len(), n, "the scale instance holds {n} tasks");
    let first = p.poll(&first_list, now).await;
    let (mut cpu, mut wall, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    let (mut diff_ms, mut state_ms, mut store_ms) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..polls {
        now += Duration::seconds(30);
        let list = tasks(&world, BENCH_INSTANCE, now);
        let (c, w, r, ph) = p.poll(&list, now).await;
        cpu.push(c * 1e3);
        wall.push(w * 1e3);
        rows.push(r as f64);
        diff_ms.push(ph.diff * 1e3);
        state_ms.push(ph.state * 1e3);
        store_ms.push(ph.store * 1e3);
    }
    println!(
        "{}",
        json!({
            "mode": "ingest", "backend": backend, "tasks": n, "polls": polls,
            "first": {"cpu_ms": first.0 * 1e3, "wall_ms": first.1 * 1e3, "rows": first.2},
            "steady": {"cpu_ms_median": median(cpu.clone()), "cpu_ms_max": cpu.iter().cloned().fold(0.0, f64::max),
                       "wall_ms_median": median(wall), "rows_median": median(rows),
                       "phases_cpu_ms_median": {"diff": median(diff_ms), "state_json": median(state_ms),
                                                "store": median(store_ms)}},
            "goal_ms": 250,
        })
    );
}

/// What the samples and events take at one moment of a `bytes` run.
struct Sizes {
    sample_bytes: i64,
    event_bytes: i64,
    samples: i64,
    events: i64,
    /// Samples and events per task id.
    per_task: HashMap<i64, (i64, i64)>,
}

async fn sizes(store: &Store, backend: &str) -> Sizes {
    let rows = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
    };
    let (sample_bytes, event_bytes) = match backend {
        "sqlite" => {
            // Each table with its indexes (what sqlite_master lists under the table's name).
            let size = |tables: &'static str| async move {
                let sql = format!(
                    "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat \
                     WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN ({tables}))"
                );
                sqlx::query_scalar::<_, i64>(&sql).fetch_one(store.pool()).await.unwrap()
            };
            (size("'samples', 'sample_blocks'").await, size("'events'").await)
        }
        _ => (
            rows("SELECT pg_total_relation_size('samples') + pg_total_relation_size('sample_blocks')").await,
            rows("SELECT pg_total_relation_size('events')").await,
        ),
    };
    let samples =
        rows("SELECT (SELECT COUNT(*) FROM samples) + (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM sample_blocks)")
            .await;
    let events = rows("SELECT COUNT(*) FROM events").await;
    let per_task = sqlx::query(
        "SELECT k.task_id, (SELECT COUNT(*) FROM samples s WHERE s.task_ref = k.id) \
         + (SELECT CAST(COALESCE(SUM(b.n), 0) AS BIGINT) FROM sample_blocks b WHERE b.task_ref = k.id), \
         (SELECT COUNT(*) FROM events e JOIN instances i ON i.id = e.instance_ref WHERE i.region_id = k.region_id \
          AND i.instance_name = k.instance_name AND e.task_id = k.task_id) FROM tasks k",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<i64, _>(0), (r.get::<i64, _>(1), r.get::<i64, _>(2))))
    .collect();
    Sizes { sample_bytes, event_bytes, samples, events, per_task }
}

/// Bytes per task-day of the busy and the steady tasks between two moments of a run, `polls`
/// polls apart: each task's samples and events in that span, at the span's bytes per sample and
/// per event. Busy: a sample on (nearly) every poll; steady: heartbeats only. Tasks that did not
/// live through the whole span are left out of both.
fn per_task_day(from: &Sizes, to: &Sizes, polls: i64) -> (Vec<f64>, Vec<f64>, f64, f64) {
    let per_sample = (to.sample_bytes - from.sample_bytes) as f64 / (to.samples - from.samples).max(1) as f64;
    let per_event = (to.event_bytes - from.event_bytes) as f64 / (to.events - from.events).max(1) as f64;
    let days = polls as f64 / 2880.0;
    let (mut busy, mut steady) = (Vec::new(), Vec::new());
    for (task, &(s1, e1)) in &to.per_task {
        let Some(&(s0, e0)) = from.per_task.get(task) else { continue };
        let (s, e) = ((s1 - s0) as f64, (e1 - e0) as f64);
        let polls = polls as f64;
        let bytes = (s * per_sample + e * per_event) / days;
        if s >= 0.95 * polls {
            busy.push(bytes);
        } else if s <= 1.05 * (polls / 10.0) + 1.0 && s >= 0.9 * (polls / 10.0) {
            steady.push(bytes);
        }
    }
    (busy, steady, per_sample, per_event)
}

async fn bytes(args: &[String]) {
    let hours: i64 = arg(args, "--hours").and_then(|v| v.parse().ok()).unwrap_or(24);
    let (store, backend) = open(args).await;
    let start = Utc::now();
    let world = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: 0 }, start);
    let mut p = Poller { store, state: InstanceState::default(), instance: DEMO_INSTANCE };
    let polls = hours * 120;
    let mut now = start;
    // The bytes of an empty schema, and what each relation keeps whatever it holds (pages kept
    // whole, PostgreSQL's free-space and visibility maps), are not a task's: the figure judged is
    // the growth over the run's second half, and the whole run's average is printed beside it.
    let mut half = None;
    for i in 0..polls {
        if i == polls / 2 {
            half = Some(sizes(&p.store, backend).await);
        }
        let list = tasks(&world, DEMO_INSTANCE, now);
        p.poll(&list, now).await;
        now += Duration::seconds(30);
        // The leader packs raw rows into blocks every few minutes, as the watcher does. On
        // PostgreSQL, autovacuum makes the space of the packed rows (and of the blocks rewritten
        // with them) reusable once a fifth of a table is dead (two packings) within its
        // one-minute nap; this clock runs a day in about a minute, so the bench vacuums as
        // autovacuum would.
        let every = migration_proxy::watch::COMPACT_EVERY_SECS;
        if now.timestamp() % every < 30 {
            p.store.compact(now.timestamp() - migration_proxy::watch::RAW_SAMPLES_SECS).await.unwrap();
            if backend == "postgres" && now.timestamp() % (2 * every) < 30 {
                sqlx::raw_sql("VACUUM samples, sample_blocks").execute(p.store.pool()).await.unwrap();
            }
        }
    }
    let store = &p.store;
    let rows = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
    };
    let end = sizes(store, backend).await;
    // The whole run: from an empty store, in which every task of the end had nothing yet.
    let per_task = end.per_task.keys().map(|&k| (k, (0, 0))).collect();
    let empty = Sizes { sample_bytes: 0, event_bytes: 0, samples: 0, events: 0, per_task };
    let (busy_whole, steady_whole, per_sample, per_event) = per_task_day(&empty, &end, polls);
    let half = half.expect("the run has a second half");
    let second = polls - polls / 2;
    let (busy, steady, per_sample_half, per_event_half) = per_task_day(&half, &end, second);
    // Bytes per relation: SQLite's tables and indexes; PostgreSQL's tables (with their indexes
    // and TOAST) and, apart, their indexes.
    let relations_sql = match backend {
        "sqlite" => "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY name",
        _ => {
            "SELECT c.relname::text || CASE WHEN c.relkind = 'r' THEN ' (total)' ELSE '' END, \
             CASE WHEN c.relkind = 'r' THEN pg_total_relation_size(c.oid) ELSE pg_relation_size(c.oid) END \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') ORDER BY 1"
        }
    };
    let relations: serde_json::Map<String, serde_json::Value> = sqlx::query(relations_sql)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), json!(r.get::<i64, _>(1))))
        .collect();
    let raw_samples = rows("SELECT COUNT(*) FROM samples").await;
    let avg = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let state_bytes = serde_json::to_string(&p.state).map(|s| s.len()).unwrap_or(0);
    println!(
        "{}",
        json!({
            "mode": "bytes", "backend": backend, "hours": hours, "polls": polls, "tasks": end.per_task.len(),
            "bytes_per_sample": per_sample_half, "bytes_per_event": per_event_half,
            "bytes_per_sample_whole": per_sample, "bytes_per_event_whole": per_event,
            "sample_bytes": end.sample_bytes, "event_bytes": end.event_bytes, "samples": end.samples,
            "raw_samples": raw_samples, "events": end.events, "relations": relations,
            "busy_tasks": busy.len(), "steady_tasks": steady.len(),
            "busy_bytes_per_task_day": avg(&busy), "steady_bytes_per_task_day": avg(&steady),
            "busy_bytes_per_task_day_whole": avg(&busy_whole),
            "steady_bytes_per_task_day_whole": avg(&steady_whole),
            "state_bytes_per_task": state_bytes as f64 / end.per_task.len().max(1) as f64,
            "goal_busy_bytes": 200_000,
        })
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--bench") {
        println!("history: run by scripts/bench/run.py (ingest and bytes modes), not by cargo bench");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    match args.first().map(String::as_str) {
        Some("ingest") => rt.block_on(ingest(&args)),
        Some("bytes") => rt.block_on(bytes(&args)),
        _ => {
            eprintln!("usage: history ingest|bytes [--dir DIR | --pg URL] [--tasks N --polls P | --hours H]");
            std::process::exit(2);
        }
    }
}
