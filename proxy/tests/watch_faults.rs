//! The watcher under faults, with real processes: the `migration-proxy` binary (killed with
//! SIGKILL), a standalone simulator, SQLite on disk (a read-only bind mount, a full disk) and a
//! private PostgreSQL cluster (restarted mid-run, shared by two replicas whose leader dies).
//!
//! The proxies poll every second or two (a test-only flag below the 10 s floor). What is
//! asserted is what the store holds afterwards and what the probes say, each waited for with a
//! generous bound, never how fast something happened.
mod common;
#[path = "support/pg.rs"]
mod pg;
#[path = "support/procs.rs"]
mod procs;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use migration_proxy::store::Store;
use procs::{spawn, Proc, CREDS};
use serde_json::Value;
use sqlx::Row;

const R: &str = migration_model::contract::DEMO_REGION;
const I: &str = migration_model::contract::DEMO_INSTANCE;
/// Longest the tests wait for anything to happen.
const PATIENCE: Duration = Duration::from_secs(60);

fn simulator(dir: &Path) -> Proc {
    spawn(&["simulate", "--listen", "127.0.0.1:0", "--control"], &dir.join("sim.log"), &[])
        .expect("simulator")
}

fn proxy(sim: &Proc, store: &[&str], interval_ms: u64, log: &Path) -> Result<Proc, String> {
    let endpoint = sim.url();
    let interval = interval_ms.to_string();
    let watch = format!("{R}/{I}");
    let mut args = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--rds-endpoint",
        &endpoint,
        "--watch",
        &watch,
        "--test-watch-interval-ms",
        &interval,
        "--audit-log",
        "off",
    ];
    args.extend_from_slice(store);
    spawn(&args, log, CREDS)
}

async fn get(url: &str) -> Option<(u16, String)> {
    // reqwest is built without a default crypto provider (plain http here, but it asks anyway).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r = reqwest::Client::new().get(url).timeout(Duration::from_secs(5)).send().await.ok()?;
    let status = r.status().as_u16();
    let body = r.text().await.ok()?;
    // Every answer a proxy gave goes to this binary's transcript, for the suite-wide secret scan.
    common::record_answer(url, status, &body);
    Some((status, body))
}

async fn readyz(p: &Proc) -> Value {
    match get(&format!("{}/readyz", p.url())).await {
        Some((_, body)) => serde_json::from_str(&body).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

/// The last poll of the watched instance, as the replica reports it: (at, ok).
fn last_poll(ready: &Value) -> Option<(i64, bool)> {
    let polls = ready["history"]["watcher"]["instances"].as_array()?;
    let p = polls.iter().find(|p| p["dbInstanceName"] == I)?;
    Some((p["at"].as_i64()?, p["ok"].as_bool()?))
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    wait_until(what, || {
        let f = check();
        async move { f.await.then_some(()) }
    })
    .await
}

async fn wait_until<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    procs::wait_until(what, PATIENCE, Duration::from_millis(200), check).await
}

/// Waits for a successful poll at or after `after`, and returns its time.
async fn ok_poll_after(p: &Proc, after: i64) -> i64 {
    wait_until(&format!("a successful poll after {after}"), || async move {
        match last_poll(&readyz(p).await) {
            Some((at, true)) if at >= after => Some(at),
            _ => None,
        }
    })
    .await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("watch-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn live_dashboard_works(p: &Proc) -> bool {
    let url = format!("{}/api/rds/DescribeCloudMigrationResult?RegionId={R}&DBInstanceName={I}", p.url());
    matches!(get(&url).await, Some((200, body)) if body.contains("\"Items\""))
}

/// Events that say the same thing twice (the unique key makes a literal duplicate impossible;
/// this also catches a restarted or new leader re-announcing what the old one recorded).
async fn repeated_events(store: &Store) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT kind, COALESCE(task_id, -1), COALESCE(from_value, ''), COALESCE(to_value, ''), \
         COALESCE(text, ''), COALESCE(at, -1), COUNT(*) FROM events WHERE task_id IS NOT NULL \
         GROUP BY kind, task_id, from_value, to_value, text, at HAVING COUNT(*) > 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| format!("kind {} task {} x{}", r.get::<i64, _>(0), r.get::<i64, _>(1), r.get::<i64, _>(6)))
        .collect()
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
}

/// The largest spacing between consecutive samples of the busiest task at or after `from`, and
/// the sample times.
async fn largest_spacing(store: &Store, from: i64) -> (i64, Vec<i64>) {
    let busiest: i64 = sqlx::query_scalar(
        "SELECT task_ref FROM samples WHERE t >= $1 GROUP BY task_ref ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .bind(from)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let ts: Vec<i64> = sqlx::query_scalar("SELECT t FROM samples WHERE task_ref = $1 AND t >= $2 ORDER BY t")
        .bind(busiest)
        .bind(from)
        .fetch_all(store.pool())
        .await
        .unwrap();
    (ts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0), ts)
}

#[tokio::test]
async fn a_proxy_killed_during_polls_reopens_its_sqlite_store_cleanly() {
    let dir = temp("kill9");
    let sim = simulator(&dir);
    let data = dir.join("data");
    let store_args = ["--data-dir", data.to_str().unwrap()];
    let mut first = proxy(&sim, &store_args, 1_000, &dir.join("p1.log")).unwrap();
    let t0 = now();
    ok_poll_after(&first, t0 + 3).await;
    // A second proxy on the same file is refused, saying why.
    let refused = proxy(&sim, &store_args, 1_000, &dir.join("p1b.log")).err().expect("refused");
    assert!(refused.contains("in use by another migration-proxy"), "{refused}");
    // kill -9, several times, each time at some point of a poll cycle.
    for round in 0..3 {
        first.kill9();
        let killed = now();
        first = proxy(&sim, &store_args, 1_000, &dir.join(format!("p{}.log", round + 2))).unwrap();
        ok_poll_after(&first, killed + 2).await;
    }
    first.kill9();
    let store = Store::open(&data, None).await.expect("the store opens cleanly after kill -9");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
    assert_eq!(check, "ok");
    assert!(count(&store, "SELECT COUNT(*) FROM samples").await > 0);
    assert_eq!(repeated_events(&store).await, Vec::<String>::new());
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM events WHERE kind = 1").await,
        0,
        "a restarted proxy carries on from the stored state: nothing 'appears' again"
    );
    let w = store.watches().await.unwrap();
    assert!(w[0].last_poll.as_ref().is_some_and(|p| p.ok), "{w:?}");
    drop(store);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn replicas_on_postgres_one_polls_the_other_takes_over_and_a_restart_degrades_then_recovers() {
    let dir = temp("replicas");
    let pg = pg::PrivatePg::start();
    let url = pg.url();
    let sim = simulator(&dir);
    let interval_ms = 2_000;
    // A cache window shorter than the interval, so every poll sees fresh data (and a busy task
    // has a sample per poll, which is what the gap is measured on).
    let store_args = ["--database-url", url.as_str(), "--cache-ttl-ms", "500"];
    let mut a = proxy(&sim, &store_args, interval_ms, &dir.join("a.log")).unwrap();
    let mut b = proxy(&sim, &store_args, interval_ms, &dir.join("b.log")).unwrap();
    let started = now();
    ok_poll_after(&a, started + 4).await;
    // Exactly one leader; both serve the last poll (the follower reads it from the store).
    wait_for("exactly one leader", || async {
        let (ra, rb) = (readyz(&a).await, readyz(&b).await);
        let leaders =
            (ra["history"]["watcher"]["leader"] == true, rb["history"]["watcher"]["leader"] == true);
        leaders.0 != leaders.1 && last_poll(&rb).is_some()
    })
    .await;
    // The start-up line and /readyz name the store without its password.
    assert!(readyz(&a).await["history"]["store"]["location"]
        .as_str()
        .unwrap()
        .starts_with("postgres://app@"));

    // PostgreSQL restarted mid-run: history degrades, live dashboards keep working on both.
    pg.pg_ctl_stop();
    wait_for("readiness to report the store down", || async {
        readyz(&a).await["history"]["status"] == "degraded"
            && readyz(&b).await["history"]["status"] == "degraded"
    })
    .await;
    assert_eq!(readyz(&a).await["status"], "ready", "history is not what readiness gates on");
    assert!(live_dashboard_works(&a).await && live_dashboard_works(&b).await);
    pg.pg_ctl_start();
    let back = now();
    // Whichever replica leads now records polls again.
    let recovered_at = wait_until("a recorded poll after the restart", || async {
        for p in [&a, &b] {
            let r = readyz(p).await;
            if r["history"]["status"] == "ok" && r["history"]["watcher"]["leader"] == true {
                if let Some((t, true)) = last_poll(&r) {
                    if t > back {
                        return Some(t);
                    }
                }
            }
        }
        None
    })
    .await;

    // The leader killed: the other takes over within an interval.
    let a_leads = readyz(&a).await["history"]["watcher"]["leader"] == true;
    let (dead, survivor) = if a_leads { (&mut a, &b) } else { (&mut b, &a) };
    ok_poll_after(survivor, recovered_at + 4).await;
    dead.kill9();
    let killed = now();
    wait_for("the survivor to lead", || async {
        readyz(survivor).await["history"]["watcher"]["leader"] == true
    })
    .await;
    ok_poll_after(survivor, killed + 6).await;

    let store = Store::open(Path::new("unused"), Some(&url)).await.unwrap();
    assert_eq!(repeated_events(&store).await, Vec::<String>::new(), "no event twice");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM events WHERE kind = 1").await, 0);
    // No gap beyond one interval around the takeover: consecutive samples of a busy task (one
    // per poll) are at most two intervals apart (plus a second of timestamp rounding).
    let (spacing, ts) = largest_spacing(&store, recovered_at).await;
    let context = format!(
        "samples at {ts:?}; recovered at {recovered_at}, leader killed at {killed}; last poll {:?}",
        store.watches().await.unwrap().first().and_then(|w| w.last_poll.clone())
    );
    assert!(ts.len() >= 5, "{context}");
    assert!(
        spacing <= 2 * interval_ms as i64 / 1000 + 1,
        "largest spacing {spacing} s around the takeover; {context}"
    );
    drop(store);
    drop(b);
    drop(a);
    drop(pg);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `mount` with `args`; false (the test then says it skipped) where mounting is not allowed.
fn mount(args: &[&str]) -> bool {
    Command::new("mount").args(args).status().map(|s| s.success()).unwrap_or(false)
}

fn umount(path: &Path) {
    let _ = Command::new("umount").arg(path).status();
}

/// Unmounts when dropped (declared before the processes using the mount, so dropped after them).
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        umount(&self.0);
    }
}

#[tokio::test]
async fn a_read_only_store_is_a_start_up_error_and_a_full_disk_at_run_time_degrades_history_only() {
    let dir = temp("readonly");
    let sim = simulator(&dir);
    // Start-up: the store's directory on a read-only (bind) mount.
    let data = dir.join("data");
    let ro = dir.join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    drop(Store::open(&data, None).await.unwrap());
    if !mount(&["--bind", data.to_str().unwrap(), ro.to_str().unwrap()]) {
        eprintln!("SKIPPED: mount is not permitted here, so no read-only disk can be made");
        return;
    }
    let ro_mount = Mounted(ro.clone());
    assert!(mount(&["-o", "remount,bind,ro", ro.to_str().unwrap()]));
    let e = proxy(&sim, &["--data-dir", ro.to_str().unwrap()], 1_000, &dir.join("ro.log"))
        .err()
        .expect("a read-only store must not start");
    drop(ro_mount);
    assert!(e.contains("history.sqlite3") && e.contains("Read-only file system"), "{e}");

    // Run time: the disk stops taking writes (a small file system filled up; a remount read-only
    // is refused by the kernel while the store's files are open for writing).
    let small = dir.join("small");
    std::fs::create_dir_all(&small).unwrap();
    assert!(mount(&["-t", "tmpfs", "-o", "size=16m", "tmpfs", small.to_str().unwrap()]));
    let small_mount = Mounted(small.clone());
    let store_dir = small.join("data");
    let p = proxy(&sim, &["--data-dir", store_dir.to_str().unwrap()], 1_000, &dir.join("full.log")).unwrap();
    ok_poll_after(&p, now() + 2).await;
    let filler = small.join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", &format!("of={}", filler.display()), "bs=1M", "count=64"])
        .stderr(Stdio::null())
        .status();
    wait_for("readiness to report the store failing", || async {
        readyz(&p).await["history"]["status"] == "degraded"
    })
    .await;
    let r = readyz(&p).await;
    assert_eq!(r["status"], "ready", "{r}");
    assert!(r["history"]["store"]["lastError"].as_str().is_some_and(|e| !e.is_empty()), "{r}");
    assert!(live_dashboard_works(&p).await, "live dashboards keep working");
    std::fs::remove_file(&filler).unwrap();
    let freed = now();
    wait_for("history to recover", || async {
        let r = readyz(&p).await;
        r["history"]["status"] == "ok" && last_poll(&r).is_some_and(|(at, ok)| ok && at > freed)
    })
    .await;
    drop(p);
    drop(small_mount);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn demo_mode_watches_the_demo_instances_from_the_start_and_says_where_the_store_is() {
    let dir = temp("demo");
    let data = dir.join("data");
    let log = dir.join("demo.log");
    let args = ["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()];
    let p = spawn(&args, &log, &[]).expect("the demo proxy");
    let store_file = data.join("history.sqlite3");
    assert!(p.line.contains(&format!("history: sqlite {}", store_file.display())), "{}", p.line);
    // The demo instance is polled at once, without anyone opening it.
    ok_poll_after(&p, 0).await;
    let r = readyz(&p).await;
    let watched = r["history"]["watcher"]["watched"].as_u64().unwrap();
    assert!(watched >= 1, "{r}");
    drop(p);
    let store = Store::open(&data, None).await.unwrap();
    let w = store.watches().await.unwrap();
    assert!(w.iter().all(|w| w.source == migration_model::history::WatchSource::Demo), "{w:?}");
    assert!(w.iter().any(|w| w.db_instance_name == I && w.last_poll.as_ref().is_some_and(|p| p.ok)));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
