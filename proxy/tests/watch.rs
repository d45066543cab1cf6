//! The watcher end to end, in process: the RDS simulator on a loopback port with a hand-driven
//! clock (so simulated hours pass in a second while every timestamp stays consistent), the
//! proxy's own upstream, cache and signing path, a real SQLite store in a temporary directory.
mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use migration_model::history::{EventKind, HistoryEvent, WatchSource};
use migration_model::trend::{catch_up, CatchUp};
use migration_proxy::app::{app_shared, AppState, Mode};
use migration_proxy::cache::Cache;
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::simulator::{self, ManualClock, SimConfig};
use migration_proxy::store::Store;
use migration_proxy::upstream::{check_endpoint, Upstream};
use migration_proxy::watch::{WatchConfig, Watcher};
use tower::ServiceExt;

const R: &str = migration_model::contract::DEMO_REGION;
const I: &str = migration_model::contract::DEMO_INSTANCE;

struct Stack {
    sim: simulator::Running,
    app: Arc<AppState>,
    watcher: Arc<Watcher>,
    store: Arc<Store>,
    clock: ManualClock,
    dir: std::path::PathBuf,
}

async fn stack(name: &str, cache: Cache, control: bool) -> Stack {
    let clock = ManualClock::starting_now();
    let sim = simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig { clock: clock.clock(), control, ..SimConfig::default() },
    )
    .await
    .unwrap();
    let creds = Credentials {
        access_key_id: simulator::DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(simulator::DEMO_ACCESS_KEY_SECRET),
        security_token: None,
        source: Source::Demo,
    };
    let endpoint = check_endpoint(&sim.url(), false).unwrap();
    let upstream = Upstream::new(Some(endpoint), creds, SignatureStyle::V3, Duration::from_secs(5)).unwrap();
    let mut state = AppState::new(upstream, Mode::Demo, R);
    state.cache = cache;
    let dir = std::env::temp_dir().join(format!("watch-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let config = WatchConfig { interval: Duration::from_secs(30), ..WatchConfig::default() };
    let watcher = Watcher::with_clock(config, store.clone(), clock.clock());
    state.store = Some(store.clone());
    state.watcher = Some(watcher.clone());
    Stack { sim, app: Arc::new(state), watcher, store, clock, dir }
}

/// A cache that never answers from memory (each poll must see the moved clock) but still keeps
/// a saved copy for stale-if-error.
fn no_ttl() -> Cache {
    Cache::new(Duration::ZERO, Duration::from_secs(300), 10_000)
}

fn of_kind(events: &[HistoryEvent], kind: EventKind) -> Vec<&HistoryEvent> {
    events.iter().filter(|e| e.kind == kind).collect()
}

#[tokio::test]
async fn a_moving_simulator_leaves_events_samples_and_disconnect_durations() {
    let s = stack("moving", no_ttl(), false).await;
    let mut hook = s.watcher.subscribe();
    let start = s.clock.now().timestamp();
    // 100 simulated minutes, one poll every 30 s: long enough for the demo's disconnecting task
    // to drop and come back (its second episode starts 35 minutes in and lasts 10), and for new
    // tasks to start.
    let polls = 200;
    for k in 0..polls {
        if k > 0 {
            s.clock.advance(chrono::Duration::seconds(30));
        }
        let out = s.watcher.poll_instance(&s.app, R, I).await;
        assert!(out.report.ok, "poll {k}: {:?}", out.report);
        assert!(out.recorded, "poll {k} was not recorded");
        assert!(out.tasks.len() > 30, "every page was read: {}", out.tasks.len());
    }
    let end = s.clock.now().timestamp();
    let mut sent = 0;
    while hook.try_recv().is_ok() {
        sent += 1;
    }
    assert_eq!(sent, polls, "the hook sends every poll once");

    let events = s.store.events(R, I, None, 0, i64::MAX).await.unwrap();
    for e in &events {
        assert!(e.observed_at >= start && e.observed_at <= end, "{e:?}");
        if let Some(after) = e.observed_after {
            assert_eq!(e.observed_at - after, 30, "observed over one poll interval: {e:?}");
        }
        if let (Some(at), Some(after)) = (e.at, e.observed_after) {
            if !matches!(e.kind, EventKind::DetailLine | EventKind::TaskAppeared | EventKind::PrecheckReport)
            {
                assert!(at > after && at <= e.observed_at, "the service's time lies in the interval: {e:?}");
            }
        }
    }
    // The demo instance starts a task every 15 simulated minutes (listed once its precheck has
    // passed): each one that appeared while watched is an event, with the poll interval.
    let world = s.sim.simulator().world();
    let ids = |at: i64| -> std::collections::BTreeSet<u64> {
        let at = chrono::DateTime::from_timestamp(at, 0).unwrap();
        world.tasks_of(I, at).iter().filter_map(|t| t["TaskId"].as_u64()).collect()
    };
    let new: Vec<u64> = ids(end).difference(&ids(start)).copied().collect();
    let appeared: Vec<u64> =
        of_kind(&events, EventKind::TaskAppeared).iter().filter_map(|e| e.task_id).collect();
    assert!(!new.is_empty(), "no task started in the run");
    assert_eq!(appeared, new);
    // A disconnect that began and ended while watched, its duration exact (600 s), and one
    // already under way at the first poll that ended 5 minutes in, bounded by the polls.
    let began = of_kind(&events, EventKind::DisconnectBegan);
    let ended = of_kind(&events, EventKind::DisconnectEnded);
    assert!(!began.is_empty(), "no disconnect began");
    let whole: Vec<_> = ended.iter().filter(|e| e.duration_max_secs == Some(600)).collect();
    assert!(!whole.is_empty(), "{ended:?}");
    assert_eq!(whole[0].duration_min_secs, Some(600));
    let task = whole[0].task_id.unwrap();
    assert!(began.iter().any(|b| b.task_id == Some(task) && b.observed_at < whole[0].observed_at));
    assert!(
        ended.iter().any(|e| e.duration_max_secs.is_none() && e.duration_min_secs.is_some_and(|m| m >= 240)),
        "the disconnect seen from the first poll on: {ended:?}"
    );
    // The Detail log's own lines for the disconnect, with their own times.
    let lines: Vec<_> = of_kind(&events, EventKind::DetailLine)
        .into_iter()
        .filter(|e| e.task_id == Some(task))
        .filter(|e| e.text.as_deref().is_some_and(|t| t.contains("connection to source")))
        .filter(|e| e.at.is_some_and(|at| at >= whole[0].observed_at - 630 && at <= whole[0].observed_at))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.at.is_some()));
    assert_eq!(lines[1].at.unwrap() - lines[0].at.unwrap(), 600);
    // The model's reading of the same events.
    let d = migration_model::trend::longest_disconnect(
        &events.iter().filter(|e| e.task_id == Some(task)).cloned().collect::<Vec<_>>(),
        end,
    )
    .unwrap();
    assert!(d.duration.min_secs <= 600 && d.duration.max_secs.is_none_or(|m| m >= 600), "{d:?}");

    // Samples: a busy task keeps one per poll, except while disconnected, when nothing moves
    // and only the change and the 5-minute heartbeat are written.
    let samples = s.store.samples(R, I, task, 0, i64::MAX).await.unwrap();
    let (began_at, ended_after) = (whole[0].observed_at - 600, whole[0].observed_after.unwrap());
    let quiet_while_down = samples.iter().filter(|x| x.t >= began_at && x.t <= ended_after).count();
    assert!((2..=3).contains(&quiet_while_down), "{quiet_while_down} samples in a 10-minute disconnect");
    for pair in samples.windows(2) {
        if pair[0].state.as_deref() != Some("disconnect") {
            assert_eq!(pair[1].t - pair[0].t, 30, "a moving task has a sample every poll: {pair:?}");
        }
    }
    // Catching up after the reconnect: the lag shrinks; the catch-up rate over those samples is
    // a shrinking lag with an ETA.
    let catching: Vec<(i64, i64)> = samples
        .iter()
        .filter(|x| x.t > ended_after && x.t <= ended_after + 150 && x.state.as_deref() == Some("catchup"))
        .map(|x| (x.t, x.not_yet_replayed_bytes.unwrap()))
        .collect();
    assert_eq!(catching.len(), 4, "{catching:?}");
    match catch_up(&catching, 600) {
        CatchUp::Shrinking { eta_secs, .. } => assert!(eta_secs > 0 && eta_secs <= 120, "{eta_secs}"),
        other => panic!("expected a shrinking lag, got {other:?}"),
    }
    // A finished task changes nothing: a heartbeat every 5 minutes only.
    let world = s.sim.simulator().world();
    let all = world.tasks_of(I, s.clock.now());
    let done = all.iter().find(|t| t["MigrateStage"] == "success").expect("a finished demo task");
    let id = done["TaskId"].as_u64().unwrap();
    let quiet = s.store.samples(R, I, id, 0, i64::MAX).await.unwrap();
    let gaps: Vec<i64> = quiet.windows(2).map(|w| w[1].t - w[0].t).collect();
    assert!(gaps.len() >= 15 && gaps[gaps.len() - 15..].iter().all(|g| *g == 300), "{gaps:?}");

    // The last poll's report is in the store, for every replica.
    let w = s.store.watches().await.unwrap();
    assert!(w.is_empty(), "polling does not add a watch by itself");
    s.store.add_watch(R, I, WatchSource::Config, None, end).await.unwrap();
    let w = s.store.watches().await.unwrap();
    let last = w[0].last_poll.as_ref().expect("the last poll is stored");
    assert!(last.ok && last.at == end && last.last_ok_at == Some(end), "{last:?}");

    // Restarted (a new watcher over the same store): no task "appears" again.
    let again = Watcher::with_clock(WatchConfig::default(), s.store.clone(), s.clock.clock());
    s.clock.advance(chrono::Duration::seconds(30));
    let out = again.poll_instance(&s.app, R, I).await;
    assert!(!out.events.iter().any(|e| e.kind == EventKind::TaskAppeared), "{:?}", out.events);
    assert!(out.events.iter().all(|e| e.observed_after == Some(end)));

    s.sim.stop().await;
    drop(s.watcher);
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[tokio::test]
async fn a_dashboard_read_and_a_poll_share_one_upstream_call_and_the_view_starts_an_auto_watch() {
    // A 1 s cache window (the default is 2 s).
    let s =
        stack("shared", Cache::new(Duration::from_secs(1), Duration::from_secs(300), 10_000), false).await;
    let router = app_shared(s.app.clone());
    // A first poll (it also reads the precheck reports, which the next nine polls do not), then
    // a pause for its answers to leave the cache window.
    assert!(s.watcher.poll_instance(&s.app, R, I).await.report.ok);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    s.clock.advance(chrono::Duration::seconds(30));
    let before = s.sim.simulator().rds_calls();
    let page1 = format!("/api/rds/DescribeCloudMigrationResult?RegionId={R}&DBInstanceName={I}");
    let resp = router.clone().oneshot(Request::get(&page1).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let answer = axum::body::to_bytes(resp.into_body(), 1 << 22).await.unwrap();
    common::record_answer(&page1, 200, &String::from_utf8_lossy(&answer));
    assert_eq!(s.sim.simulator().rds_calls() - before, 1);
    let out = s.watcher.poll_instance(&s.app, R, I).await;
    assert!(out.report.ok, "{:?}", out.report);
    // Page 1 came from the dashboard's answer; only the rest of the list (one page of 100)
    // went upstream.
    assert_eq!(s.sim.simulator().rds_calls() - before, 2);
    // And a dashboard right after the poll is served from it.
    let resp = router.clone().oneshot(Request::get(&page1).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.headers()["x-proxy-cache"], "hit");
    assert_eq!(s.sim.simulator().rds_calls() - before, 2);

    // The view added an auto-watch (written in the background).
    let mut watched = Vec::new();
    for _ in 0..100 {
        watched = s.store.watches().await.unwrap();
        if !watched.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(watched.len(), 1, "{watched:?}");
    assert_eq!((watched[0].source, watched[0].db_instance_name.as_str()), (WatchSource::Auto, I));
    assert!(watched[0].last_poll.as_ref().is_some_and(|p| p.ok));
    // An answer that is an error (an instance that does not exist) adds nothing.
    let missing =
        format!("/api/rds/DescribeCloudMigrationResult?RegionId={R}&DBInstanceName=pgm-nosuchinstance");
    let resp = router.clone().oneshot(Request::get(&missing).body(Body::empty()).unwrap()).await.unwrap();
    assert_ne!(resp.status(), 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.store.watches().await.unwrap().len(), 1);

    // /readyz and /metrics report the poll and the store.
    let resp = router.clone().oneshot(Request::get("/readyz").body(Body::empty()).unwrap()).await.unwrap();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    common::record_answer("/readyz", 200, &String::from_utf8_lossy(&body));
    let ready: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(ready["history"]["status"], "ok", "{ready}");
    assert_eq!(ready["history"]["store"]["backend"], "sqlite");
    let polls = ready["history"]["watcher"]["instances"].as_array().unwrap();
    assert_eq!(polls[0]["dbInstanceName"], I, "{ready}");
    assert_eq!(polls[0]["outcome"], "ok");
    let resp = router.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    let text =
        String::from_utf8(axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    common::record_answer("/metrics", 200, &text);
    assert!(
        text.contains(&format!(
            "migration_proxy_watch_last_poll_ok{{region_id=\"{R}\",db_instance=\"{I}\"}} 1"
        )),
        "{text}"
    );
    assert!(text.contains("migration_proxy_watch_polls_total{outcome=\"ok\"} 2"), "{text}");
    assert!(text.contains("migration_proxy_history_store_healthy 1"), "{text}");

    s.sim.stop().await;
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[tokio::test]
async fn throttling_is_a_gap_with_an_event_and_the_recovery_is_another() {
    let s = stack("throttle", no_ttl(), true).await;
    let faults = format!("{}/-/faults", s.sim.url());
    let client = reqwest::Client::new();
    let out = s.watcher.poll_instance(&s.app, R, I).await;
    assert!(out.report.ok);
    let put =
        |body: &'static str| client.put(&faults).header("content-type", "application/json").body(body).send();
    assert_eq!(put(r#"{"throttle_rate": 1.0}"#).await.unwrap().status(), 200);
    for _ in 0..3 {
        s.clock.advance(chrono::Duration::seconds(30));
        let out = s.watcher.poll_instance(&s.app, R, I).await;
        assert!(!out.report.ok, "{:?}", out.report);
        assert!(out.tasks.is_empty(), "a saved answer is not an observation");
        assert!(out.recorded);
    }
    assert_eq!(put("{}").await.unwrap().status(), 200);
    s.clock.advance(chrono::Duration::seconds(30));
    let out = s.watcher.poll_instance(&s.app, R, I).await;
    assert!(out.report.ok);
    assert_eq!(out.report.gap_secs, Some(120), "{:?}", out.report);
    let events = s.store.events(R, I, None, 0, i64::MAX).await.unwrap();
    let failing = of_kind(&events, EventKind::PollFailing);
    let recovered = of_kind(&events, EventKind::PollRecovered);
    assert_eq!((failing.len(), recovered.len()), (1, 1), "{events:?}");
    assert_eq!(recovered[0].duration_max_secs, Some(120));
    s.sim.stop().await;
    let _ = std::fs::remove_dir_all(&s.dir);
}
