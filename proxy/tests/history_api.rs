//! The history API over a real SQLite store in a temporary directory, filled with `record_poll`:
//! through `app()` without a socket, and on a real loopback port. Every answer goes into the
//! transcript that the secret scan reads; a planted password in a `Detail` line never comes out.
mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use migration_model::history::{EventKind, HistoryEvent, HistorySample, WatchSource};
use migration_proxy::app::{app, AppState};
use migration_proxy::auth::Authenticator;
use migration_proxy::config::SignatureStyle;
use migration_proxy::store::{NewEvent, PollWrite, Store, TaskSample};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::{assert_no_secrets, record_answer, MockUpstream, SOURCE_PASSWORD};

const R: &str = "cn-hangzhou";
const I: &str = "pgm-bp102g323jd4demo";
const TASK: u64 = 440437220;
/// A fixed "now" for the stored history: 2026-12-01T00:00:00Z.
const T0: i64 = 1_796_083_200;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("history-api-{name}-{}-{}", std::process::id(), rand_u32()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_u32() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos()
}

fn sample(t: i64, stage: &str, state: &str, lag: i64) -> HistorySample {
    HistorySample {
        t,
        stage: Some(stage.into()),
        state: Some(state.into()),
        received_lsn: Some("3C/5A0".into()),
        latest_end_lsn: Some("3C/5A0".into()),
        replay_lsn: Some("3C/500".into()),
        not_yet_replayed_bytes: Some(lag),
        behind_source_report_bytes: Some(lag / 2),
        replay_lag: Some("0".into()),
        count: 1,
        ..HistorySample::default()
    }
}

fn event(
    kind: EventKind,
    after: Option<i64>,
    at: i64,
    from: Option<&str>,
    to: Option<&str>,
    text: Option<&str>,
) -> NewEvent {
    NewEvent {
        event: HistoryEvent {
            kind,
            task_id: Some(TASK),
            observed_after: after,
            observed_at: at,
            at: None,
            from: from.map(Into::into),
            to: to.map(Into::into),
            text: text.map(Into::into),
            duration_min_secs: None,
            duration_max_secs: None,
        },
        dedup: format!("{}-{at}", kind.as_str()),
    }
}

/// Two hours of a task polled every 30 s: basebackup for 20 minutes, then increment with a lag
/// shrinking by 1 MiB a poll from 200 MiB, a disconnect, and a `Detail` line holding a password.
async fn seeded_store(dir: &std::path::Path) -> Arc<Store> {
    let store = Store::open_sqlite(dir).await.unwrap();
    let mib = 1_048_576;
    for i in 0..240i64 {
        let at = T0 + i * 30;
        let stage = if i < 40 { "basebackup" } else { "increment" };
        let state = if (100..104).contains(&i) { "disconnect" } else { "streaming" };
        let lag = if i < 40 { 0 } else { (200 - (i - 40)).max(0) * mib };
        let mut events = Vec::new();
        if i == 0 {
            events.push(event(EventKind::TaskAppeared, None, at, None, Some("basebackup"), None));
        }
        if i == 40 {
            events.push(event(
                EventKind::StageChanged,
                Some(at - 30),
                at,
                Some("basebackup"),
                Some("increment"),
                None,
            ));
            events.push(event(
                EventKind::DetailLine,
                Some(at - 30),
                at,
                None,
                None,
                Some(&format!("error:cannot connect to source database by admin:{SOURCE_PASSWORD}")),
            ));
        }
        if i == 100 {
            events.push(event(
                EventKind::DisconnectBegan,
                Some(at - 30),
                at,
                Some("streaming"),
                Some("disconnect"),
                None,
            ));
            events.push(event(
                EventKind::StateChanged,
                Some(at - 30),
                at,
                Some("streaming"),
                Some("disconnect"),
                None,
            ));
        }
        if i == 104 {
            events.push(event(
                EventKind::DisconnectEnded,
                Some(at - 30),
                at,
                Some("disconnect"),
                Some("streaming"),
                None,
            ));
            events.push(event(
                EventKind::StateChanged,
                Some(at - 30),
                at,
                Some("disconnect"),
                Some("streaming"),
                None,
            ));
        }
        let write = PollWrite {
            region_id: R.into(),
            instance_name: I.into(),
            at,
            tasks: vec![
                TaskSample {
                    task_id: TASK,
                    task_name: Some("seed".into()),
                    sample: Some(sample(at, stage, state, lag)),
                },
                TaskSample {
                    task_id: 7,
                    task_name: None,
                    sample: (i % 10 == 0).then(|| sample(at, "precheck", "unstarted", 0)),
                },
            ],
            events,
            report: None,
            state: None,
        };
        store.record_poll(&write).await.unwrap();
    }
    Arc::new(store)
}

async fn state_with(store: Option<Arc<Store>>) -> (MockUpstream, AppState) {
    let up = MockUpstream::start(vec![], None).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.store = store;
    (up, state)
}

fn router(state: AppState) -> axum::Router {
    app(state).layer(MockConnectInfo("127.0.0.1:5000".parse::<SocketAddr>().unwrap()))
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn call(router: &axum::Router, request: Request<Body>) -> Answer {
    let resp = tower::ServiceExt::oneshot(router.clone(), request).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).to_string();
    record_answer("(in-process)", status, &format!("{headers:?} {text}"));
    Answer { status, headers, text }
}

async fn get(router: &axum::Router, uri: &str) -> Answer {
    call(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn task_uri(query: &str) -> String {
    format!("/api/history/{R}/{I}/tasks/{TASK}?{query}")
}

#[tokio::test]
async fn task_history_is_downsampled_with_events_stages_and_the_catch_up() {
    let dir = temp_dir("task");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store.clone())).await;
    let r = router(state);

    let a = get(&r, &task_uri(&format!("from={T0}&to={}", T0 + 7200))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.headers["cache-control"], "no-store");
    let v = a.json();
    assert_eq!(v["storedSamples"], 240);
    assert_eq!(v["samples"].as_array().unwrap().len(), 240, "under the default 500 points: all of them");
    assert_eq!(v["watched"], false, "nobody watches it yet");
    assert_eq!(v["catchUp"]["trend"], "shrinking", "{}", v["catchUp"]);
    let rate = v["catchUp"]["rateBytesPerSec"].as_f64().unwrap();
    assert!((rate - 1_048_576.0 / 30.0).abs() < 1.0, "1 MiB per 30 s, got {rate}");
    let stages: Vec<&str> =
        v["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["basebackup", "increment"]);
    assert_eq!(v["stages"][1]["entered"], serde_json::json!({"after": T0 + 39 * 30, "at": T0 + 40 * 30}));
    let kinds: Vec<&str> =
        v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"disconnect_began") && kinds.contains(&"disconnect_ended"), "{kinds:?}");
    assert!(a.text.contains("database by admin:"), "the line is kept, its password masked: {}", a.text);

    // Downsampled: at most `points`, each bucket keeping its least and greatest lag.
    let v = get(&r, &task_uri(&format!("from={T0}&to={}&points=10", T0 + 7200))).await.json();
    let samples = v["samples"].as_array().unwrap();
    assert!(samples.len() <= 10 && samples.len() >= 9, "{}", samples.len());
    assert_eq!(samples.iter().map(|s| s["count"].as_u64().unwrap()).sum::<u64>(), 240);
    let max = samples.iter().filter_map(|s| s["notYetReplayedMax"].as_i64()).max().unwrap();
    assert_eq!(max, 200 * 1_048_576, "the peak survives");

    // The range cuts samples and events; the stages still start where they started.
    let v = get(&r, &task_uri(&format!("from={}&to={}", T0 + 3600, T0 + 7200))).await.json();
    assert_eq!(v["storedSamples"], 120);
    assert!(v["events"].as_array().unwrap().is_empty());
    assert_eq!(v["stages"].as_array().unwrap().len(), 2);

    // RFC 3339 times work as well as Unix seconds.
    let v = get(&r, &task_uri("from=2026-12-01T00:00:00Z&to=2026-12-01T00:10:00%2B00:00")).await.json();
    assert_eq!(v["storedSamples"], 21);
    assert_eq!(v["catchUp"]["trend"], "caught_up");

    store.add_watch(R, I, WatchSource::Config, None, T0).await.unwrap();
    let v = get(&r, &task_uri(&format!("from={T0}"))).await.json();
    assert_eq!(v["watched"], true);
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn instance_history_gives_sparklines_and_the_last_change() {
    let dir = temp_dir("instance");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store)).await;
    let r = router(state);
    let a = get(&r, &format!("/api/history/{R}/{I}?from={T0}&to={}", T0 + 7200)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let v = a.json();
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    let seed = tasks.iter().find(|t| t["taskId"] == TASK).unwrap();
    assert_eq!(seed["stage"], "increment");
    assert_eq!(seed["state"], "streaming");
    assert_eq!(seed["lastChangeAt"], T0 + 104 * 30, "the disconnect's end is the last change");
    let spark = seed["sparkline"].as_array().unwrap();
    assert!(spark.len() <= 60 && spark.len() >= 59, "{}", spark.len());
    assert_eq!(spark.iter().map(|p| p["lag"].as_i64().unwrap()).max(), Some(200 * 1_048_576));
    let other = tasks.iter().find(|t| t["taskId"] == 7).unwrap();
    assert_eq!(other["stage"], "precheck");
    assert!(other.get("lastChangeAt").is_none());

    // The default range is the last hour before `to`; a range before anything was seen is empty.
    let v = get(&r, &format!("/api/history/{R}/{I}?to={}", T0 + 7200)).await.json();
    assert_eq!(v["from"], T0 + 3600);
    let v = get(&r, &format!("/api/history/{R}/{I}?from=0&to={}", T0 - 1)).await.json();
    assert!(v["tasks"].as_array().unwrap().is_empty());
    assert_eq!(v["watched"], false);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_parameter() {
    let dir = temp_dir("bad");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store)).await;
    let r = router(state);
    let cases: &[(&str, &str)] = &[
        (&task_uri("from=yesterday"), "from"),
        (&task_uri("to=-1"), "to"),
        (&task_uri("from=1.5"), "from"),
        (&task_uri("to=999999999999999999999"), "to"),
        (&task_uri("points=0"), "points"),
        (&task_uri("points=5001"), "points"),
        (&task_uri("points=many"), "points"),
        (&task_uri("points="), "points"),
        (&task_uri("points=5&points=6"), "points"),
        (&task_uri("pointz=5"), "\"pointz\""),
        (&format!("/api/history/{R}/{I}?points=5"), "\"points\""),
        (&format!("/api/history/{R}/{I}?from=2026-13-01T00:00:00Z"), "from"),
        (&format!("/api/history/{R}/{I}/tasks/{TASK}/export?format=xlsx"), "format"),
        (&format!("/api/history/CN_HZ/{I}"), "RegionId"),
        (&format!("/api/history/{R}/PGM-Upper"), "DBInstanceName"),
        (&format!("/api/history/{R}/{I}/tasks/abc"), "TaskId"),
        (&format!("/api/history/{R}/{I}/tasks/99999999999999999999"), "TaskId"),
        (&format!("/api/history/{R}/%FF"), "The path"),
    ];
    for (uri, name) in cases {
        let a = get(&r, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text);
        let v = a.json();
        assert_eq!(v["Code"], "Proxy.InvalidParameter", "{uri}");
        assert!(v["Message"].as_str().unwrap().starts_with(name), "{uri}: {}", v["Message"]);
        assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn every_history_get() -> Vec<String> {
    vec![
        "/api/watch".into(),
        format!("/api/history/{R}/{I}"),
        task_uri(""),
        format!("/api/history/{R}/{I}/tasks/{TASK}/export?format=json"),
    ]
}

#[tokio::test]
async fn without_a_store_or_with_a_failing_one_history_says_so() {
    let (_up, state) = state_with(None).await;
    let r = router(state);
    for uri in every_history_get() {
        let a = get(&r, &uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(a.json()["Code"], "Proxy.HistoryNotConfigured", "{uri}");
    }

    let dir = temp_dir("down");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store.clone())).await;
    let r = router(state);
    store.pool().close().await;
    for uri in every_history_get() {
        let a = get(&r, &uri).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {}", a.text);
        let v = a.json();
        assert_eq!(v["Code"], "Proxy.HistoryUnavailable", "{uri}");
        assert!(!a.text.contains(&dir.display().to_string()), "the store's location stays in the log");
    }
    assert!(!store.is_healthy());
    // Live calls do not depend on it: the RDS route still answers (here, from the scripted upstream).
    let a = get(&r, "/api/session").await;
    assert_eq!(a.status, StatusCode::OK);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn export_gives_every_sample_and_event_as_csv_or_json() {
    let dir = temp_dir("export");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store)).await;
    let r = router(state);
    let a = get(&r, &format!("/api/history/{R}/{I}/tasks/{TASK}/export?format=csv")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(a.headers["content-disposition"], format!("attachment; filename=\"history-{I}-{TASK}.csv\""));
    let mut reader = csv::Reader::from_reader(a.text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let samples = rows.iter().filter(|r| &r[0] == "sample").count();
    assert_eq!(samples, 240);
    assert_eq!(rows.len() - samples, 7, "every event");
    assert_eq!(&rows[0][1], "2026-12-01T00:00:00Z");
    assert!(a.text.contains("database by admin:"));

    let a =
        get(&r, &format!("/api/history/{R}/{I}/tasks/{TASK}/export?format=json&from={}", T0 + 3600)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers["content-type"], "application/json");
    let v = a.json();
    assert_eq!(v["samples"].as_array().unwrap().len(), 120);
    assert_eq!(v["taskId"], TASK);
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).ok();
}

fn write(method: &str, uri: &str, groups: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "dash.example")
        .header("x-forwarded-user", "alice")
        .header("x-forwarded-groups", groups)
}

#[tokio::test]
async fn only_the_admin_group_changes_the_watch_list_and_only_from_the_dashboard() {
    let dir = temp_dir("watch");
    let store = seeded_store(&dir).await;
    let (_up, mut state) = state_with(Some(store.clone())).await;
    state.auth = Authenticator::TrustedHeader {
        proxies: Authenticator::parse_networks("127.0.0.1").unwrap(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: Some("x-forwarded-groups".parse().unwrap()),
    };
    state.admin_group = Some("dba".into());
    let r = router(state);
    let uri = format!("/api/watch/{R}/{I}");
    let json = |b: axum::http::request::Builder| {
        b.header("content-type", "application/json").body(Body::from("{}")).unwrap()
    };

    let refused: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            write("POST", &uri, "dba").body(Body::from("{}")).unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Proxy.UnsupportedMediaType",
        ),
        (
            write("POST", &uri, "dba").header("content-type", "text/plain").body(Body::from("{}")).unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Proxy.UnsupportedMediaType",
        ),
        (
            json(write("POST", &uri, "dba").header("sec-fetch-site", "cross-site")),
            StatusCode::FORBIDDEN,
            "Proxy.Forbidden",
        ),
        (
            json(write("POST", &uri, "dba").header("origin", "https://evil.example")),
            StatusCode::FORBIDDEN,
            "Proxy.Forbidden",
        ),
        (json(write("POST", &uri, "readers")), StatusCode::FORBIDDEN, "Proxy.Forbidden"),
        (
            write("POST", &uri, "dba")
                .header("content-type", "application/json")
                .body(Body::from("[1]"))
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "Proxy.InvalidParameter",
        ),
        (
            json(write("POST", &format!("/api/watch/{R}/Bad_Name"), "dba")),
            StatusCode::BAD_REQUEST,
            "Proxy.InvalidParameter",
        ),
        (
            write("GET", &uri, "dba").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "Proxy.MethodNotAllowed",
        ),
        (json(write("PUT", &uri, "dba")), StatusCode::METHOD_NOT_ALLOWED, "Proxy.MethodNotAllowed"),
        (json(write("POST", "/api/watch", "dba")), StatusCode::METHOD_NOT_ALLOWED, "Proxy.MethodNotAllowed"),
    ];
    for (request, status, code) in refused {
        let what = format!("{} {:?}", request.method(), request.headers());
        let a = call(&r, request).await;
        assert_eq!((a.status, a.json()["Code"].as_str().unwrap_or("")), (status, code), "{what}: {}", a.text);
    }
    assert!(store.watches().await.unwrap().is_empty(), "nothing refused changed anything");

    let v = call(&r, write("GET", "/api/watch", "readers").body(Body::empty()).unwrap()).await.json();
    assert_eq!(v, serde_json::json!({"watches": [], "canEdit": false}));

    // The admin, from the dashboard's own page.
    let a = call(
        &r,
        json(
            write("POST", &uri, "readers,dba")
                .header("origin", "http://dash.example")
                .header("sec-fetch-site", "same-origin"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json()["source"], "admin");
    assert_eq!(a.json()["addedBy"], "alice");
    let v = call(&r, write("GET", "/api/watch", "dba").body(Body::empty()).unwrap()).await.json();
    assert_eq!(v["canEdit"], true);
    assert_eq!(v["watches"][0]["dbInstanceName"], I);
    assert_eq!(v["watches"][0]["lastDataAt"], T0 + 239 * 30);

    let a = call(&r, json(write("DELETE", &uri, "dba"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let a = call(&r, json(write("DELETE", &uri, "dba"))).await;
    assert_eq!((a.status, a.json()["Code"].as_str().unwrap()), (StatusCode::NOT_FOUND, "Proxy.NotWatched"));
    assert!(store.watches().await.unwrap().is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn without_an_admin_group_nobody_changes_the_watch_list() {
    let dir = temp_dir("noadmin");
    let store = seeded_store(&dir).await;
    let (_up, state) = state_with(Some(store.clone())).await;
    let r = router(state);
    let a = call(
        &r,
        Request::post(format!("/api/watch/{R}/{I}"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.json()["Message"].as_str().unwrap().contains("--admin-group"));
    assert!(store.watches().await.unwrap().is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_policy_filters_history_like_everything_else() {
    let dir = temp_dir("policy");
    let store = seeded_store(&dir).await;
    store.add_watch(R, I, WatchSource::Config, None, T0).await.unwrap();
    store.add_watch(R, "pgm-other", WatchSource::Config, None, T0).await.unwrap();
    let policy_file = dir.join("policy.json");
    std::fs::write(&policy_file, r#"{"users": {"bob": ["pgm-other"]}}"#).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&policy_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_up, mut state) = state_with(Some(store)).await;
    state.policy = Some(migration_proxy::policy::Policy::load(&policy_file).unwrap());
    state.auth = Authenticator::TrustedHeader {
        proxies: Authenticator::parse_networks("127.0.0.1").unwrap(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: None,
    };
    let r = router(state);
    let as_bob =
        |uri: String| Request::get(uri).header("x-forwarded-user", "bob").body(Body::empty()).unwrap();
    for uri in every_history_get().into_iter().filter(|u| u != "/api/watch") {
        let a = call(&r, as_bob(uri.clone())).await;
        assert_eq!(
            (a.status, a.json()["Code"].as_str().unwrap_or("")),
            (StatusCode::FORBIDDEN, "Proxy.Forbidden"),
            "{uri}"
        );
    }
    let v = call(&r, as_bob("/api/watch".into())).await.json();
    let names: Vec<&str> =
        v["watches"].as_array().unwrap().iter().map(|w| w["dbInstanceName"].as_str().unwrap()).collect();
    assert_eq!(names, ["pgm-other"]);
    let a = call(&r, as_bob("/api/history/cn-hangzhou/pgm-other".into())).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = call(&r, Request::get("/api/watch").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    std::fs::remove_dir_all(&dir).ok();
}

/// The same routes on a real socket: the peer comes from the connection, bytes go over TCP.
#[tokio::test]
async fn history_answers_on_a_real_port() {
    let dir = temp_dir("port");
    let store = seeded_store(&dir).await;
    store.add_watch(R, I, WatchSource::Demo, None, T0).await.unwrap();
    let (_up, state) = state_with(Some(store)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let fetch = |path: String| async move {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8_lossy(&out).to_string();
        record_answer(&path, "(raw HTTP)", &text);
        text
    };
    let text = fetch("/api/watch".into()).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"source\":\"demo\""), "{text}");
    let text = fetch(task_uri(&format!("from={T0}&points=3"))).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"storedSamples\":240"), "{text}");
    let text = fetch(task_uri("points=0")).await;
    assert!(text.starts_with("HTTP/1.1 400") && text.contains("Proxy.InvalidParameter"), "{text}");
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).ok();
}
