//! `make bench` (section `history`): a 7-day history query of one task polled every 30 s
//! (20,160 samples), downsampled to 500 points, as `GET /api/history/.../tasks/{TaskId}` runs it
//! (`history_api::load_task_history`: samples, events, stages, watched), per backend: SQLite in
//! a temporary directory and a private PostgreSQL cluster started here. Prints p50 and p99 and,
//! with `HISTORY_BENCH_OUT=file`, writes them as JSON. Goal: p50 ≤ 10 ms.
#[path = "../tests/support/pg.rs"]
mod pg;

use std::time::Instant;

use migration_model::history::{EventKind, HistoryEvent, HistorySample};
use migration_proxy::history_api::load_task_history;
use migration_proxy::store::{NewEvent, PollWrite, Store, TaskSample};

const R: &str = "cn-hangzhou";
const I: &str = "pgm-bp102g323jd4demo";
const TASK: u64 = 440437220;
const DAYS: i64 = 7;
const EVERY: i64 = 30;
const POINTS: usize = 500;

fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Seven days of one task, every 30 s, with a stage change and a disconnect a day. Written as a
/// bulk load: each `PollWrite` carries 1,000 poll times of the one task (one transaction, one
/// task row, 1,000 samples keyed by time), not 20,160 one-sample transactions; then packed as
/// the watcher's leader packs them (all but the last half hour, in hourly blocks).
async fn fill(store: &Store, now: i64) {
    let start = now - DAYS * 86_400;
    let n = DAYS * 86_400 / EVERY;
    let mut i = 0;
    while i < n {
        let batch: Vec<i64> = (i..(i + 1000).min(n)).collect();
        let at = start + batch[batch.len() - 1] * EVERY;
        let tasks = batch
            .iter()
            .map(|k| {
                let t = start + k * EVERY;
                TaskSample {
                    task_id: TASK,
                    task_name: None,
                    sample: Some(HistorySample {
                        t,
                        stage: Some("increment".into()),
                        state: Some("streaming".into()),
                        received_lsn: Some("3C/5A0".into()),
                        latest_end_lsn: Some("3C/5A0".into()),
                        replay_lsn: Some("3C/500".into()),
                        not_yet_replayed_bytes: Some((k * 7919) % 100_000_000),
                        behind_source_report_bytes: Some((k * 104_729) % 100_000_000),
                        replay_lag: Some("0".into()),
                        last_msg_send_time: Some(t - 1),
                        last_msg_receipt_time: Some(t),
                        gmt_modified: Some(t - 5),
                        count: 1,
                        ..HistorySample::default()
                    }),
                }
            })
            .collect();
        let events = batch
            .iter()
            .filter(|k| *k % 2880 == 0)
            .flat_map(|k| {
                let t = start + k * EVERY;
                [EventKind::StageChanged, EventKind::DisconnectBegan, EventKind::DisconnectEnded].map(
                    |kind| NewEvent {
                        event: HistoryEvent {
                            kind,
                            task_id: Some(TASK),
                            observed_after: Some(t - EVERY),
                            observed_at: t,
                            at: None,
                            from: Some("a".into()),
                            to: Some("b".into()),
                            text: None,
                            duration_min_secs: None,
                            duration_max_secs: None,
                        },
                        dedup: format!("{}-{t}", kind.as_str()),
                    },
                )
            })
            .collect();
        store
            .record_poll(&PollWrite {
                region_id: R.into(),
                instance_name: I.into(),
                at,
                tasks,
                events,
                report: None,
                state: None,
            })
            .await
            .expect("fill the store");
        i += 1000;
    }
    // What the watcher's leader does every hour: every hour that ended an hour ago is packed.
    store.compact(now - migration_proxy::watch::RAW_SAMPLES_SECS).await.expect("pack the samples");
}

/// Process CPU seconds so far (user + system, every thread: SQLite runs in this process).
fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct we own; no other memory is touched.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// What `measure` reports, in milliseconds.
struct Measured {
    p50: f64,
    p99: f64,
    points: usize,
    /// This process's CPU time per query, median (on PostgreSQL the server's is not in it).
    cpu_p50: f64,
    /// Wall time, median, of the samples' read alone (`downsampled_samples`) and of the rest
    /// (events, stages, watched).
    samples_p50: f64,
}

fn p(ms: &mut [f64], q: f64) -> f64 {
    ms.sort_by(|a, b| a.total_cmp(b));
    ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1]
}

/// Wall (p50, p99) and CPU over `runs` queries, after a few to warm the caches.
async fn measure(store: &Store, now: i64, runs: usize) -> Measured {
    let from = now - DAYS * 86_400;
    let mut points = 0;
    for _ in 0..5 {
        points = load_task_history(store, R, I, TASK, from, now, POINTS).await.unwrap().samples.len();
    }
    let (mut ms, mut cpu, mut samples) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_secs());
        let h = load_task_history(store, R, I, TASK, from, now, POINTS).await.unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        cpu.push((cpu_secs() - c) * 1000.0);
        assert_eq!(h.stored_samples as i64, DAYS * 86_400 / EVERY);
        let t = Instant::now();
        store.downsampled_samples(R, I, TASK, (from, now), POINTS, 900).await.unwrap();
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Measured {
        p50: p(&mut ms, 0.5),
        p99: p(&mut ms, 0.99),
        points,
        cpu_p50: p(&mut cpu, 0.5),
        samples_p50: p(&mut samples, 0.5),
    }
}

fn line(backend: &str, m: &Measured, runs: usize) -> serde_json::Value {
    println!(
        "history query, 7 days at 30 s -> {} points, {backend}: p50 {:.2} ms, p99 {:.2} ms ({runs} runs); \
         CPU p50 {:.2} ms in this process; the samples' read alone p50 {:.2} ms",
        m.points, m.p50, m.p99, m.cpu_p50, m.samples_p50
    );
    serde_json::json!({"p50_ms": m.p50, "p99_ms": m.p99, "points": m.points, "runs": runs,
                       "cpu_p50_ms": m.cpu_p50, "samples_p50_ms": m.samples_p50})
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read.
    let runs = if quick() { 40 } else { 200 };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let now = 1_796_083_200;
    let mut results = serde_json::Map::new();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("history-bench-{}", std::process::id()));
        let sqlite = Store::open_sqlite(&dir).await.expect("open SQLite");
        fill(&sqlite, now).await;
        let m = measure(&sqlite, now, runs).await;
        results.insert("sqlite".into(), line("sqlite", &m, runs));
        drop(sqlite);
        let _ = std::fs::remove_dir_all(&dir);

        let cluster = pg::PrivatePg::start();
        let postgres = Store::open_postgres(&cluster.url()).await.expect("open PostgreSQL");
        fill(&postgres, now).await;
        let m = measure(&postgres, now, runs).await;
        results.insert("postgres".into(), line("postgres", &m, runs));
        postgres.pool().close().await;
        drop(cluster);
    });
    if let Ok(path) = std::env::var("HISTORY_BENCH_OUT") {
        std::fs::write(&path, serde_json::Value::Object(results).to_string()).expect("write the results");
    }
}
