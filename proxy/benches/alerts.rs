//! Alerts figures for `make bench` (scripts/bench/run.py's `alerts` section, through
//! scripts/bench/alerts.py), not a criterion bench. Each mode prints one JSON object on stdout.
//!
//! * `eval --tasks N --polls P`: the rules' evaluation of one poll of an N-task instance (the
//!   simulator's scale instance, polled every 30 s, redacted and parsed as the watcher does), with
//!   the default rules and 15 minutes of lag samples per task: process CPU time (`getrusage`) and
//!   wall time of the pure engine per poll, after 30 polls of warm-up, as the watcher's hook runs
//!   it: handed each task's `ReplicationInfo` as the watcher parsed it for its history sample, and
//!   keeping its cache of the `Detail` facts from poll to poll. That one parse per task is not in
//!   the engine's figure: it is measured on its own and reported beside it
//!   (`watcher_parse_cpu_ms_median`). For comparison, each poll is also evaluated by an engine
//!   that parses for itself through its cache (`self_parsing`), and by one parsing every task
//!   afresh (`uncached`). Then the same polls through `AlertEngine::on_parsed_poll` on SQLite in
//!   `--dir` (state load, evaluation, commit, the gauges, and a history read per task for
//!   `lag_growing`, which finds no samples there).
//! * `outbox --messages N (--dir DIR | --pg URL)`: N messages queued for one webhook destination
//!   while its receiver is down (N disconnected tasks firing at once); then the receiver (local,
//!   answering 204) comes back and the sender drains the outbox: seconds to drain, messages a
//!   second, CPU seconds (the receiver runs in this process too).
//! * `latency --proxy BIN --secs S --interval-secs W --tasks T --speed K --dir DIR`: the real proxy
//!   binary watching the simulator's scale instance (T tasks, a simulator in this process on a
//!   clock moved K simulated seconds per real second, in steps of 100 ms), with `stage_changed`
//!   and `disconnected` (no `for`) routed to a local webhook receiver. Each upstream change (a
//!   task's stage, or its replication state into or out of `disconnect`) is noted at the moment
//!   the clock step makes it; each message the receiver gets is matched to the change it reports:
//!   the latency is its arrival minus that moment. p50, p99 and max over S seconds.
//!
//! `cargo bench` runs every bench target with `--bench`: this one then says what it is and exits.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use migration_model::replication::ReplicationInfo;
use migration_model::task::MigrationTask;
use migration_proxy::alerts::config::{AlertsConfig, Rule};
use migration_proxy::alerts::engine::{self, InstanceState, PollOutcome, TaskInput};
use migration_proxy::alerts::sender::SenderOptions;
use migration_proxy::alerts::{AlertEngine, Polled};
use migration_proxy::simulator::world::{World, WorldOptions, BENCH_INSTANCE};
use migration_proxy::store::Store;
use serde_json::{json, Value};

const REGION: &str = "cn-hangzhou";
const POLL_SECS: i64 = 30;

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

fn num<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    arg(args, name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return 0.0;
    }
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
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

async fn open_store(args: &[String]) -> (Store, &'static str) {
    match arg(args, "--pg") {
        Some(url) => (Store::open(std::path::Path::new("unused"), Some(&url)).await.unwrap(), "postgres"),
        None => {
            let dir = PathBuf::from(arg(args, "--dir").expect("--dir or --pg"));
            let _ = std::fs::remove_dir_all(&dir);
            (Store::open(&dir, None).await.unwrap(), "sqlite")
        }
    }
}

async fn eval(args: &[String]) {
    let n: usize = num(args, "--tasks", 5000);
    let polls: usize = num(args, "--polls", 10);
    let warm: usize = num(args, "--warmup", 30);
    let start = DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z").unwrap().with_timezone(&Utc);
    let world = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: n }, start);
    let cfg = AlertsConfig::parse("").unwrap();
    let rules: Vec<&Rule> = cfg.rules.iter().collect();
    let window = cfg.rules.iter().filter_map(|r| r.window_secs).max().unwrap_or(900);
    let mut samples: HashMap<u64, VecDeque<(i64, i64)>> = HashMap::new();
    // One state and cache per way of evaluating, each carried from poll to poll.
    let mut state = InstanceState::default();
    let mut cache = engine::EvalCache::default();
    let mut own_state = InstanceState::default();
    let mut own_cache = engine::EvalCache::default();
    let (mut cpu, mut wall, mut transitions) = (Vec::new(), Vec::new(), 0usize);
    let (mut parse_cpu, mut own_cpu, mut uncached_cpu) = (Vec::new(), Vec::new(), Vec::new());
    let mut polled = Vec::new();
    let mut listed = 0;
    for k in 0..warm + polls {
        let at = start + chrono::Duration::seconds(POLL_SECS * k as i64);
        let now = at.timestamp();
        let list = tasks(&world, BENCH_INSTANCE, at);
        listed = list.len();
        let windows = windows_of(&list, &samples);
        // The watcher's one parse of each task's ReplicationInfo (it needs it for the history
        // sample, and hands it on to the alerts): measured on its own, reported beside.
        let c0 = cpu_secs();
        let parsed: Vec<Option<ReplicationInfo>> = list.iter().map(|t| t.replication().ok()).collect();
        let parse = (cpu_secs() - c0) * 1e3;
        let given = inputs(&list, &windows, Some(&parsed));
        let own = inputs(&list, &windows, None);
        if k >= warm {
            // The same poll without any cache or parse handed in (every field parsed afresh),
            // and with the engine parsing for itself through its cache, for comparison.
            let c0 = cpu_secs();
            let _ = engine::evaluate(&rules, &own, &own_state, now);
            uncached_cpu.push((cpu_secs() - c0) * 1e3);
        }
        let c0 = cpu_secs();
        let e = engine::evaluate_cached(&rules, &own, &own_state, now, &mut own_cache);
        let own_ms = (cpu_secs() - c0) * 1e3;
        own_state = e.state;
        let (c0, w0) = (cpu_secs(), Instant::now());
        let e = engine::evaluate_cached(&rules, &given, &state, now, &mut cache);
        let (c, w) = (cpu_secs() - c0, w0.elapsed().as_secs_f64());
        state = e.state;
        if k >= warm {
            cpu.push(c * 1e3);
            wall.push(w * 1e3);
            parse_cpu.push(parse);
            own_cpu.push(own_ms);
            transitions += e.transitions.len();
            polled.push((now, list.clone(), parsed));
        }
        for t in &list {
            let (Some(id), Some(lag)) =
                (t.task_id, t.link_figures(at).not_yet_replayed.map(|v| v.clamp(0, i64::MAX as i128) as i64))
            else {
                continue;
            };
            let d = samples.entry(id).or_default();
            d.push_back((now, lag));
            while d.front().is_some_and(|s| s.0 < now - window) {
                d.pop_front();
            }
        }
    }
    // Where the time goes: the last poll again, one rule at a time (from the state before it),
    // with the watcher's parses handed in and no cache.
    let mut per_rule = BTreeMap::new();
    if let Some((now, list, parsed)) = polled.last() {
        let windows = windows_of(list, &samples);
        let outcome = inputs(list, &windows, Some(parsed));
        for rule in &rules {
            let c0 = cpu_secs();
            let _ = engine::evaluate(&[*rule], &outcome, &state, *now);
            per_rule.insert(rule.kind.as_str().to_string(), (cpu_secs() - c0) * 1e3);
        }
    }
    // The same polls through the engine with its store (SQLite), handed the same parses.
    let (store, backend) = open_store(args).await;
    let store = Arc::new(store);
    let mut registry = prometheus_client::registry::Registry::with_prefix("migration_proxy");
    let metrics = Arc::new(migration_proxy::alerts::metrics::AlertMetrics::register(&mut registry));
    let engine = AlertEngine::new(cfg.clone(), store, None, Some(metrics));
    let (mut full_cpu, mut full_wall) = (Vec::new(), Vec::new());
    for (i, (now, list, parsed)) in polled.iter().enumerate() {
        let (c0, w0) = (cpu_secs(), Instant::now());
        let poll = Polled { tasks: list, replication: Some(parsed) };
        engine.on_parsed_poll(REGION, BENCH_INSTANCE, Ok(poll), *now).await.unwrap();
        // The first call writes every task's state for the first time: reported apart.
        if i > 0 {
            full_cpu.push((cpu_secs() - c0) * 1e3);
            full_wall.push(w0.elapsed().as_secs_f64() * 1e3);
        }
    }
    println!(
        "{}",
        json!({
            "mode": "eval", "tasks": listed, "polls": polls, "rules": rules.len(), "warmup_polls": warm,
            "transitions": transitions, "per_rule_cpu_ms": per_rule,
            "engine": {"cpu_ms_median": median(cpu.clone()), "cpu_ms_max": cpu.iter().copied().fold(0.0, f64::max),
                       "wall_ms_median": median(wall.clone()),
                       "watcher_parse_cpu_ms_median": median(parse_cpu.clone()),
                       "self_parsing_cpu_ms_median": median(own_cpu.clone()),
                       "uncached_cpu_ms_median": median(uncached_cpu.clone()),
                       "cache_hits": own_cache.hits, "cache_misses": own_cache.misses},
            "on_poll": {"backend": backend, "cpu_ms_median": median(full_cpu.clone()),
                        "wall_ms_median": median(full_wall.clone()), "polls": full_cpu.len()},
            "goal_ms": 50,
        })
    );
}

/// Each task's lag samples so far (the history store's, for `lag_growing`).
fn windows_of(list: &[MigrationTask], samples: &HashMap<u64, VecDeque<(i64, i64)>>) -> Vec<Vec<(i64, i64)>> {
    list.iter()
        .map(|t| {
            t.task_id.and_then(|id| samples.get(&id)).map(|d| d.iter().copied().collect()).unwrap_or_default()
        })
        .collect()
}

/// The poll as the engine takes it, with the watcher's parses (`parsed`) or without.
fn inputs<'a>(
    list: &'a [MigrationTask],
    windows: &'a [Vec<(i64, i64)>],
    parsed: Option<&'a [Option<ReplicationInfo>]>,
) -> PollOutcome<'a> {
    PollOutcome::Tasks(
        list.iter()
            .enumerate()
            .map(|(i, task)| TaskInput {
                task,
                replication: parsed.map(|p| &p[i]),
                lag_samples: &windows[i][..],
            })
            .collect(),
    )
}

/// A task as the service lists it (the fields the rules read), disconnected.
fn disconnected_task(id: u64, at: DateTime<Utc>) -> MigrationTask {
    let stamp = at.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string();
    let info = json!({
        "Status": "waiting", "ReceivedLsn": "0/3000148", "LatestEndLsn": "0/3000148", "ReplayLsn": "0/3000148",
        "LastMsgReceiptTime": stamp, "LastMsgSendTime": stamp, "ReplayLag": "0"
    });
    serde_json::from_value(json!({
        "TaskId": id, "TaskName": format!("task-{id}"), "MigrateStage": "increment",
        "ReplicationState": "disconnect", "ReplicationInfo": info.to_string(), "Detail": "",
    }))
    .unwrap()
}

/// A local webhook receiver answering 204: (its base URL, requests answered, arrival log).
type Arrivals = Arc<Mutex<Vec<(Instant, String)>>>;

async fn receiver(keep_bodies: bool) -> (String, Arc<AtomicUsize>, Arrivals) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let arrivals: Arrivals = Arc::default();
    let (c, a) = (count.clone(), arrivals.clone());
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let (c, a) = (c.clone(), a.clone());
            async move {
                if keep_bodies {
                    a.lock().unwrap().push((Instant::now(), body));
                }
                c.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (base, count, arrivals)
}

const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn webhook_config(base: &str, rules: &str) -> String {
    format!(
        "[[destination]]\nname = \"bench\"\nkind = \"webhook\"\nurl = \"{base}/hook\"\nsecret = \"{HOOK_SECRET}\"\n\n{rules}"
    )
}

async fn outbox(args: &[String]) {
    let n: u64 = num(args, "--messages", 10_000);
    let (store, backend) = open_store(args).await;
    let store = Arc::new(store);
    // The receiver's address is known before it answers: bind, note it, serve later.
    let (base, count, _) = receiver(false).await;
    let cfg =
        AlertsConfig::parse(&webhook_config(&base, "[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n"))
            .unwrap();
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let now = Utc::now();
    let list: Vec<MigrationTask> = (1..=n).map(|i| disconnected_task(i, now)).collect();
    let q0 = Instant::now();
    let done = engine.on_poll(REGION, "pgm-outboxbench", Ok(&list), now.timestamp()).await.unwrap();
    let queue_secs = q0.elapsed().as_secs_f64();
    assert_eq!(done.messages, n, "every firing queued");
    // The receiver "comes back": the sender starts with the whole outbox due.
    let sender = engine.sender(SenderOptions::default()).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let (c0, w0) = (cpu_secs(), Instant::now());
    let task = tokio::spawn(async move { sender.run(|| true, move || s2.load(Ordering::Relaxed)).await });
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert_outbox WHERE status = 'sent'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        if sent as u64 >= n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (secs, cpu) = (w0.elapsed().as_secs_f64(), cpu_secs() - c0);
    stop.store(true, Ordering::Relaxed);
    engine.wake().notify_one();
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    let got = count.load(Ordering::Relaxed) as u64;
    println!(
        "{}",
        json!({
            "mode": "outbox", "backend": backend, "messages": n, "received": got, "drain_secs": secs,
            "messages_per_sec": got as f64 / secs, "cpu_secs": cpu, "queue_secs": queue_secs,
        })
    );
}

/// What a task shows at one clock step: its stage, and whether it is disconnected.
fn snapshot(world: &World, at: DateTime<Utc>) -> HashMap<u64, (String, bool)> {
    world
        .tasks_of(BENCH_INSTANCE, at)
        .into_iter()
        .filter_map(|t| {
            let id = t["TaskId"].as_u64()?;
            let stage = t["MigrateStage"].as_str().unwrap_or("").to_string();
            Some((id, (stage, t["ReplicationState"] == "disconnect")))
        })
        .collect()
}

async fn latency(args: &[String]) {
    use migration_proxy::simulator::{self, ManualClock, SimConfig};
    let proxy = arg(args, "--proxy").expect("--proxy BIN");
    let secs: u64 = num(args, "--secs", 90);
    let interval: u64 = num(args, "--interval-secs", 10);
    let n: usize = num(args, "--tasks", 1000);
    let speed: f64 = num(args, "--speed", 30.0);
    let dir = PathBuf::from(arg(args, "--dir").expect("--dir DIR"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clock = ManualClock::starting_now();
    let sim = simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig { clock: clock.clock(), bench_instance_tasks: n, ..SimConfig::default() },
    )
    .await
    .unwrap();
    let (base, _, arrivals) = receiver(true).await;
    let alerts = dir.join("alerts.toml");
    std::fs::write(
        &alerts,
        webhook_config(
            &base,
            "[[rule]]\nkind = \"stage_changed\"\n\n[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n",
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&alerts, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut child = std::process::Command::new(&proxy)
        .args(["serve", "--listen", "127.0.0.1:0", "--rds-endpoint", &sim.url(), "--audit-log", "off"])
        .args([
            "--watch",
            &format!("{REGION}/{BENCH_INSTANCE}"),
            "--watch-interval-secs",
            &interval.to_string(),
        ])
        .arg("--alerts-file")
        .arg(&alerts)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--dist", &dir.join("no-dist").to_string_lossy()])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", simulator::DEMO_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", simulator::DEMO_ACCESS_KEY_SECRET)
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(dir.join("proxy.log")).unwrap())
        .spawn()
        .unwrap();
    // Its start-up line: it is serving (and watching).
    let stdout = child.stdout.take().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    })
    .await
    .unwrap();
    let world = sim.simulator().world();
    // Changes: task -> [(when the clock step made it, what it is)].
    let mut changes: HashMap<u64, Vec<(Instant, String)>> = HashMap::new();
    let mut last = snapshot(world, clock.now());
    let step = Duration::from_millis(100);
    let run_until = Instant::now() + Duration::from_secs(secs);
    let mut next = Instant::now() + step;
    while Instant::now() < run_until {
        tokio::time::sleep_until(next.into()).await;
        next += step;
        clock.advance(chrono::Duration::milliseconds((speed * 100.0) as i64));
        let at = Instant::now();
        let now = snapshot(world, clock.now());
        for (id, (stage, down)) in &now {
            if let Some((s0, d0)) = last.get(id) {
                let e = changes.entry(*id).or_default();
                if s0 != stage {
                    e.push((at, format!("stage:{stage}")));
                }
                if d0 != down {
                    e.push((at, if *down { "disconnected".into() } else { "reconnected".into() }));
                }
            }
        }
        last = now;
    }
    // The last changes reach the receiver within an interval (and then some).
    tokio::time::sleep(Duration::from_secs(interval + 5)).await;
    let _ = child.kill();
    let _ = child.wait();
    let got = arrivals.lock().unwrap().clone();
    let mut lat = Vec::new();
    let mut by_event: BTreeMap<String, usize> = BTreeMap::new();
    let mut unmatched = 0;
    for (arrived, body) in &got {
        let v: Value = serde_json::from_str(body).unwrap_or_default();
        let m = &v["data"]["message"];
        let Some(task) = m["taskId"].as_u64() else { continue };
        let what = match (m["kind"].as_str(), m["event"].as_str()) {
            (Some("stage_changed"), _) => format!("stage:{}", m["figures"]["stage"].as_str().unwrap_or("")),
            (Some("disconnected"), Some("firing")) => "disconnected".into(),
            (Some("disconnected"), Some("resolved")) => "reconnected".into(),
            _ => continue,
        };
        let change = changes
            .get(&task)
            .and_then(|c| c.iter().rev().find(|(t, w)| *w == what && t <= arrived))
            .map(|c| c.0);
        match change {
            Some(t) => {
                lat.push(arrived.duration_since(t).as_secs_f64());
                *by_event.entry(what.split(':').next().unwrap_or("").to_string()).or_default() += 1;
            }
            // Disconnected before the first step (fired at the first poll): no change to time.
            None => unmatched += 1,
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let total_changes: usize = changes.values().map(Vec::len).sum();
    println!(
        "{}",
        json!({
            "mode": "latency", "tasks": n, "interval_secs": interval, "run_secs": secs, "speed": speed,
            "changes": total_changes, "messages": got.len(), "samples": lat.len(), "unmatched": unmatched,
            "by_kind": by_event,
            "p50_s": percentile(&lat, 50.0), "p99_s": percentile(&lat, 99.0),
            "max_s": lat.last().copied().unwrap_or(0.0),
            "goal_s": interval as f64 + 1.0,
        })
    );
    sim.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--bench") {
        println!("alerts: run by scripts/bench/run.py (eval, outbox and latency modes), not by cargo bench");
        return;
    }
    match args.first().map(String::as_str) {
        Some("eval") => {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(eval(&args))
        }
        Some("outbox") => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(outbox(&args)),
        Some("latency") => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(latency(&args)),
        _ => {
            eprintln!("usage: alerts eval|outbox|latency [--dir DIR | --pg URL] [options: see the source]");
            std::process::exit(2);
        }
    }
}
