//! Alerts with real parts: the history store (SQLite in a temporary directory, and a private
//! PostgreSQL), local receivers (axum on loopback) standing in for each destination kind and
//! checking its format and signature, and the outbox sender against receivers that are down,
//! slow, failing or rate limiting. The Standard Webhooks signatures are also checked by the
//! reference library from PyPI (tests/alerts/verify_webhooks.py) when its venv is installed.
//! At the end, process-level faults: the real binary killed with kill -9 mid-episode and
//! restarted, and two replicas on PostgreSQL whose leader is killed.
mod common;
#[path = "support/pg.rs"]
mod pg;
#[path = "support/procs.rs"]
mod procs;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use migration_model::task::MigrationTask;
use migration_proxy::alerts::config::AlertsConfig;
use migration_proxy::alerts::sender::{now_ms, SenderOptions};
use migration_proxy::alerts::store as alert_store;
use migration_proxy::alerts::AlertEngine;
use migration_proxy::store::Store;
use sha2::Sha256;

use common::*;
use procs::Proc;

const R: &str = "cn-hangzhou";
const I: &str = "pgm-bp1alerts";
const T0: i64 = 1_700_000_000;

// Planted secrets (also in common::SECRETS, so the suite-wide scan looks for them).
const DING_SECRET: &str = ALERT_DINGTALK_SECRET;
const LARK_SECRET: &str = ALERT_LARK_SECRET;
const HOOK_KEY_B64: &str = ALERT_WEBHOOK_KEY;
const URL_TOKEN: &str = ALERT_URL_TOKEN;

/// A task as the service lists it: `lag` bytes not yet replayed, last message at `msg_at`.
fn task(id: u64, stage: &str, state: &str, lag: u64, msg_at: i64) -> MigrationTask {
    let base: u64 = 0x3000148;
    let lsn = |v: u64| format!("{:X}/{:X}", v >> 32, v & 0xffff_ffff);
    let at = chrono::DateTime::<chrono::Utc>::from_timestamp(msg_at, 0)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S%.6f+08")
        .to_string();
    let info = serde_json::json!({
        "Status": "streaming", "ReceivedLsn": lsn(base + lag), "LatestEndLsn": lsn(base + lag),
        "ReplayLsn": lsn(base), "LastMsgReceiptTime": at, "LastMsgSendTime": at, "ReplayLag": "0"
    });
    serde_json::from_value(serde_json::json!({
        "TaskId": id, "TaskName": format!("task-{id}"), "MigrateStage": stage, "ReplicationState": state,
        "ReplicationInfo": info.to_string(), "Detail": "",
    }))
    .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("alerts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A configuration with one destination of each kind at `base` (a receiver), or the given
/// kinds only.
fn config(base: &str, kinds: &[&str], extra: &str) -> AlertsConfig {
    let mut text = String::from("public_url = \"https://portal.example.com/migrations\"\n");
    for kind in kinds {
        let secret = match *kind {
            "webhook" => format!("secret = \"whsec_{HOOK_KEY_B64}\"\n"),
            "dingtalk" => format!("secret = \"{DING_SECRET}\"\n"),
            "lark" => format!("secret = \"{LARK_SECRET}\"\n"),
            _ => String::new(),
        };
        let lang = if *kind == "dingtalk" { "language = \"id\"\n" } else { "" };
        text.push_str(&format!(
            "[[destination]]\nname = \"{kind}\"\nkind = \"{kind}\"\nurl = \"{base}/{kind}?token={URL_TOKEN}\"\n{secret}{lang}\n"
        ));
    }
    text.push_str(extra);
    AlertsConfig::parse(&text).unwrap()
}

const DISCONNECTED_ONLY: &str = "[[rule]]\nkind = \"disconnected\"\nfor = \"60s\"\n";

fn fast() -> SenderOptions {
    SenderOptions {
        attempt_timeout: Duration::from_millis(500),
        base_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        give_up_after: Duration::from_secs(3600),
        lease: Duration::from_secs(30),
        idle_poll: Duration::from_millis(50),
    }
}

// ---------------------------------------------------------------------------------------------
// A local receiver: records every request, answers per the destination kind, or as scripted.

#[derive(Clone, Debug)]
struct Got {
    kind: String,
    query: String,
    headers: BTreeMap<String, String>,
    body: String,
}

#[derive(Clone, Debug)]
enum Answer {
    Ok,
    Slow(Duration),
    Status(u16),
    TooMany(&'static str),
    Redirect,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    script: Arc<Mutex<Vec<Answer>>>,
    /// While set, every request is answered 503 (the receiver is "down").
    refuse: Arc<std::sync::atomic::AtomicBool>,
    /// The `webhook-id` of every request answered with success, in order.
    accepted: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start(self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let router = axum::Router::new().route("/{kind}", axum::routing::post(receive)).with_state(self);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        })
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// The message of every request received whose event is `event` ("firing", "resolved"), in order.
    fn messages(&self, event: &str) -> Vec<serde_json::Value> {
        self.got().iter().map(message).filter(|m| m["event"] == event).collect()
    }
}

/// The alert message a webhook request carries.
fn message(g: &Got) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&g.body).unwrap()["data"]["message"].clone()
}

async fn receive(
    State(rx): State<Receiver>,
    axum::extract::Path(kind): axum::extract::Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let headers =
        headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    // Recorded and answered under one lock, so the n-th request recorded gets the n-th answer.
    let answer = {
        let mut got = rx.got.lock().unwrap();
        got.push(Got {
            kind: kind.clone(),
            query: query.unwrap_or_default(),
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        });
        let mut s = rx.script.lock().unwrap();
        if rx.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            Answer::Status(503)
        } else if s.is_empty() {
            if let Some(id) = got.last().and_then(|g| g.headers.get("webhook-id")) {
                rx.accepted.lock().unwrap().push(id.clone());
            }
            Answer::Ok
        } else {
            s.remove(0)
        }
    };
    match answer {
        Answer::Ok => {}
        Answer::Slow(d) => tokio::time::sleep(d).await,
        Answer::Status(s) => return (StatusCode::from_u16(s).unwrap(), "scripted failure").into_response(),
        Answer::TooMany(after) => {
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", after)], "slow down").into_response()
        }
        Answer::Redirect => {
            return (StatusCode::TEMPORARY_REDIRECT, [("location", "/elsewhere")], "").into_response()
        }
    }
    match kind.as_str() {
        "dingtalk" | "wecom" => axum::Json(serde_json::json!({"errcode": 0, "errmsg": "ok"})).into_response(),
        "lark" => axum::Json(serde_json::json!({"code": 0, "msg": "success", "data": {}})).into_response(),
        "slack" => "ok".into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn receiver() -> (Receiver, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let rx = Receiver::default();
    rx.clone().start(listener).await;
    (rx, base)
}

/// Runs the sender until `done` holds (or fails after 60 s, which means a bug, not slowness).
async fn send_until(engine: &AlertEngine, options: SenderOptions, done: impl Fn() -> bool) {
    let sender = engine.sender(options).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    let task = tokio::spawn(async move {
        sender.run(|| true, move || s2.load(std::sync::atomic::Ordering::Relaxed)).await
    });
    for _ in 0..1200 {
        if done() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    engine.wake().notify_one();
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(done(), "the sender did not finish in 60 s");
}

/// Polls `tasks` at `now` (seconds after T0) through the engine.
async fn poll(engine: &AlertEngine, tasks: &[MigrationTask], at: i64) -> alert_store::Committed {
    engine.on_poll(R, I, Ok(tasks), T0 + at).await.unwrap()
}

async fn outbox(store: &Store) -> Vec<(String, String, String)> {
    let mut d: Vec<_> = alert_store::deliveries(store, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.message_id, d.destination, d.status))
        .collect();
    d.sort();
    d
}

// ---------------------------------------------------------------------------------------------

/// The store suite, on either backend: fire once, nothing twice, a stale evaluator writes
/// nothing, resolve once, and a restart in the middle changes none of that.
async fn episode_suite(open: impl Fn() -> futures_util::future::BoxFuture<'static, Store>) {
    transcript();
    let cfg = config("http://127.0.0.1:9", &["webhook", "slack"], DISCONNECTED_ONLY);
    let store = Arc::new(open().await);
    let engine = AlertEngine::new(cfg.clone(), store.clone(), None, None);
    let down = |at| task(1, "increment", "disconnect", 0, T0 + at);
    assert_eq!(poll(&engine, &[down(0)], 0).await.messages, 0, "pending");
    // A second replica reads the state now, and commits after the first: it writes nothing.
    let stale = alert_store::load(&store, R, I).await.unwrap();
    let fired = poll(&engine, &[down(0)], 60).await;
    assert_eq!((fired.applied, fired.episodes_fired, fired.messages), (true, 1, 2));
    let rules: Vec<_> = cfg.rules.iter().collect();
    let tasks = [down(0)];
    let inputs = tasks.iter().map(migration_proxy::alerts::engine::TaskInput::of).collect();
    let eval = migration_proxy::alerts::engine::evaluate(
        &rules,
        &migration_proxy::alerts::engine::PollOutcome::Tasks(inputs),
        &stale.state,
        T0 + 61,
    );
    assert_eq!(eval.transitions.len(), 1, "the stale state would fire again");
    let ctx = alert_store::CommitContext {
        region: R,
        instance: I,
        rules: &cfg.rules,
        public_url: None,
        now: T0 + 61,
    };
    let late = alert_store::commit(&store, &ctx, stale.version, eval).await.unwrap();
    assert!(!late.applied, "a stale evaluation must not commit");
    assert_eq!(outbox(&store).await.len(), 2);
    assert_eq!(poll(&engine, &[down(0)], 90).await.messages, 0, "nothing twice");

    // The proxy dies (everything it decided is committed) and comes back on the same store.
    drop(engine);
    let engine = AlertEngine::new(cfg.clone(), store.clone(), None, None);
    assert_eq!(poll(&engine, &[down(0)], 120).await.messages, 0, "no duplicate after a restart");
    let up = task(1, "increment", "streaming", 0, T0 + 150);
    let resolved = poll(&engine, std::slice::from_ref(&up), 150).await;
    assert_eq!((resolved.episodes_resolved, resolved.messages), (1, 2));
    assert_eq!(poll(&engine, &[up], 180).await.messages, 0, "resolved once");
    let ids: Vec<String> = outbox(&store).await.into_iter().map(|d| d.0).collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 4, "ids are unique: {ids:?}");
    let eps = alert_store::episodes(&store, &alert_store::EpisodeFilter { limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(eps.len(), 1);
    assert_eq!(
        (eps[0].status.as_str(), eps[0].started_at, eps[0].resolved_at),
        ("resolved", T0, Some(T0 + 150))
    );
    assert_no_secrets();
}

#[tokio::test]
async fn episodes_fire_once_and_resolve_once_on_sqlite_across_a_restart() {
    let dir = temp_dir("episodes");
    let d2 = dir.clone();
    episode_suite(move || {
        let d = d2.clone();
        Box::pin(async move { Store::open(&d, None).await.unwrap() })
    })
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn episodes_fire_once_on_postgres_even_with_two_replicas_evaluating_the_same_poll() {
    let pg = pg::PrivatePg::start();
    let url = pg.url();
    let u2 = url.clone();
    episode_suite(move || {
        let u = u2.clone();
        Box::pin(async move { Store::open(std::path::Path::new("unused"), Some(&u)).await.unwrap() })
    })
    .await;
    // Two replicas on the same database, both evaluating the same polls at once.
    let cfg = config("http://127.0.0.1:9", &["webhook"], DISCONNECTED_ONLY);
    let a = Arc::new(Store::open(std::path::Path::new("unused"), Some(&url)).await.unwrap());
    let b = Arc::new(Store::open(std::path::Path::new("unused"), Some(&url)).await.unwrap());
    let ea = AlertEngine::new(cfg.clone(), a.clone(), None, None);
    let eb = AlertEngine::new(cfg.clone(), b, None, None);
    let tasks = [task(9, "increment", "disconnect", 0, T0)];
    for at in [1_000, 1_060, 1_090, 1_120] {
        let (x, y) = tokio::join!(
            ea.on_poll(R, "pgm-two-replicas", Ok(&tasks), T0 + at),
            eb.on_poll(R, "pgm-two-replicas", Ok(&tasks), T0 + at)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x.messages + y.messages <= 1, "at {at}: {x:?} {y:?}");
    }
    let firing: Vec<_> = outbox(&a)
        .await
        .into_iter()
        .filter(|d| d.0.starts_with("msg_") && d.0.ends_with("_1_webhook"))
        .collect();
    let eps = alert_store::episodes(
        &a,
        &alert_store::EpisodeFilter {
            instance: Some("pgm-two-replicas".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(eps.len(), 1, "one episode: {eps:?}");
    assert_eq!(firing.iter().filter(|d| d.0 == format!("msg_{}_1_webhook", eps[0].id)).count(), 1);
}

#[tokio::test]
async fn every_destination_kind_gets_its_format_and_signature() {
    transcript();
    let (rx, base) = receiver().await;
    let kinds = ["webhook", "slack", "dingtalk", "lark", "wecom"];
    let cfg = config(&base, &kinds, DISCONNECTED_ONLY);
    let dir = temp_dir("kinds");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let down = task(42, "increment", "disconnect", 0, T0);
    poll(&engine, std::slice::from_ref(&down), 0).await;
    assert_eq!(poll(&engine, &[down], 60).await.messages, 5);
    let started = now_ms();
    send_until(&engine, fast(), || rx.got().len() >= 5).await;
    let finished = now_ms();
    let got = rx.got();
    let by: BTreeMap<String, Got> = got.iter().map(|g| (g.kind.clone(), g.clone())).collect();
    assert_eq!(by.len(), 5, "{got:?}");
    for g in &got {
        assert!(g.query.contains(&format!("token={URL_TOKEN}")), "{}: the URL's own query is kept", g.kind);
        assert_eq!(g.headers.get("content-type").map(String::as_str), Some("application/json"));
    }
    let text_of =
        |v: &serde_json::Value, ptr: &str| v.pointer(ptr).and_then(|s| s.as_str()).unwrap_or("").to_string();
    // Slack: {"text"} in English, naming instance, task, region, what happened, the link.
    let slack: serde_json::Value = serde_json::from_str(&by["slack"].body).unwrap();
    let t = text_of(&slack, "/text");
    for want in [
        "[FIRING] Disconnected: task 42 on pgm-bp1alerts (cn-hangzhou)",
        "Replication is disconnected (for 1 min)",
        "task-42",
        "https://portal.example.com/migrations/regions/cn-hangzhou/instances/pgm-bp1alerts/tasks/42",
    ] {
        assert!(t.contains(want), "slack: {want:?} in {t}");
    }
    // DingTalk: markdown in Bahasa Indonesia, signed in the URL.
    let ding: serde_json::Value = serde_json::from_str(&by["dingtalk"].body).unwrap();
    assert_eq!(text_of(&ding, "/msgtype"), "markdown");
    assert!(
        text_of(&ding, "/markdown/title").starts_with("[AKTIF] Terputus: tugas 42 di pgm-bp1alerts"),
        "{ding}"
    );
    assert!(text_of(&ding, "/markdown/text").contains("Replikasi terputus"), "{ding}");
    let q: BTreeMap<String, String> =
        form_urlencoded::parse(by["dingtalk"].query.as_bytes()).into_owned().collect();
    let ts: i64 = q["timestamp"].parse().unwrap();
    assert!((started - 1000..=finished).contains(&ts), "DingTalk's timestamp is in milliseconds: {ts}");
    let mut mac = Hmac::<Sha256>::new_from_slice(DING_SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{DING_SECRET}").as_bytes());
    assert_eq!(q["sign"], base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert!(
        by["dingtalk"].query.contains("&sign=") && !by["dingtalk"].query.contains('+'),
        "sign is URL-encoded"
    );
    // Lark: timestamp (seconds) and sign in the body, HMAC keyed by "timestamp\nsecret" over nothing.
    let lark: serde_json::Value = serde_json::from_str(&by["lark"].body).unwrap();
    let lts: i64 = text_of(&lark, "/timestamp").parse().unwrap();
    assert!((started / 1000 - 1..=finished / 1000).contains(&lts), "Lark's timestamp is in seconds: {lts}");
    let mac = Hmac::<Sha256>::new_from_slice(format!("{lts}\n{LARK_SECRET}").as_bytes()).unwrap();
    assert_eq!(
        text_of(&lark, "/sign"),
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(text_of(&lark, "/msg_type"), "text");
    assert!(text_of(&lark, "/content/text").contains("Disconnected"), "{lark}");
    // WeCom: markdown content, no signature.
    let wecom: serde_json::Value = serde_json::from_str(&by["wecom"].body).unwrap();
    assert_eq!(text_of(&wecom, "/msgtype"), "markdown");
    assert!(text_of(&wecom, "/markdown/content").contains("**[FIRING] Disconnected"), "{wecom}");
    // Standard Webhooks: the three headers, and a body with type, timestamp and data.
    let hook = &by["webhook"];
    let id = &hook.headers["webhook-id"];
    let hts = &hook.headers["webhook-timestamp"];
    let body: serde_json::Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(text_of(&body, "/type"), "migration.alert.firing");
    assert_eq!(&text_of(&body, "/data/message/id"), id);
    assert_eq!(body.pointer("/data/message/taskId"), Some(&serde_json::json!(42)));
    let key = base64::engine::general_purpose::STANDARD.decode(HOOK_KEY_B64).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{hts}.{}", hook.body).as_bytes());
    let want =
        format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(hook.headers["webhook-signature"], want);
    verify_with_reference_library(std::slice::from_ref(hook));
    // Nothing any destination got, and nothing the proxy logged or answered, holds a secret
    // outside the requests themselves.
    let views = serde_json::to_string(&alert_store::deliveries(&store, 100).await.unwrap()).unwrap();
    record_answer("(the deliveries view)", 200, &views);
    assert!(!views.contains(URL_TOKEN) && !views.contains("127.0.0.1"), "{views}");
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Hands the webhook requests to the `standardwebhooks` reference library (PyPI) in
/// tests/alerts/.venv (scripts/setup.sh). Required when MIGRATION_PROXY_REQUIRE_ALERT_TOOLS
/// is set (scripts/test.sh sets it); otherwise skipped, saying so, when the venv is missing.
fn verify_with_reference_library(requests: &[Got]) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/alerts");
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("MIGRATION_PROXY_REQUIRE_ALERT_TOOLS").is_none(),
            "tests/alerts/.venv is missing: run scripts/setup.sh"
        );
        eprintln!("skipped: the standardwebhooks check (tests/alerts/.venv missing; run scripts/setup.sh)");
        return;
    }
    let cases: Vec<serde_json::Value> =
        requests.iter().map(|g| serde_json::json!({ "headers": g.headers, "body": g.body })).collect();
    let input = serde_json::json!({ "secret": format!("whsec_{HOOK_KEY_B64}"), "requests": cases });
    let mut child = std::process::Command::new(python)
        .arg(root.join("verify_webhooks.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "standardwebhooks refused: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("verified {}", requests.len())), "{stdout}");
}

#[tokio::test]
async fn a_receiver_down_then_up_gets_every_message_and_no_id_twice() {
    transcript();
    // A port with nobody on it: connections are refused until the receiver starts there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let base = format!("http://{addr}");
    let cfg = config(&base, &["webhook"], DISCONNECTED_ONLY);
    let dir = temp_dir("down");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = Arc::new(AlertEngine::new(cfg, store.clone(), None, None));
    let tasks: Vec<MigrationTask> = (1..=3).map(|i| task(i, "increment", "disconnect", 0, T0)).collect();
    poll(&engine, &tasks, 0).await;
    assert_eq!(poll(&engine, &tasks, 60).await.messages, 3);
    let sender = engine.sender(fast()).unwrap();
    let mut allowed = Default::default();
    // Several rounds while it is down: every attempt fails and is rescheduled.
    for _ in 0..3 {
        sender.round(&mut allowed).await.unwrap();
        tokio::time::sleep(Duration::from_millis(450)).await;
    }
    let pending = alert_store::deliveries(&store, 10).await.unwrap();
    assert!(pending.iter().all(|d| d.status == "pending" && d.attempts >= 2), "{pending:?}");
    assert!(
        pending.iter().all(|d| d.last_error.as_deref().is_some_and(|e| !e.contains(URL_TOKEN))),
        "{pending:?}"
    );
    // It comes back; the resolutions queued meanwhile go too.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let rx = Receiver::default();
    rx.clone().start(listener).await;
    let up: Vec<MigrationTask> = (1..=3).map(|i| task(i, "increment", "streaming", 0, T0 + 90)).collect();
    assert_eq!(poll(&engine, &up, 90).await.messages, 3);
    send_until(&engine, fast(), || rx.got().len() >= 6).await;
    let ids: Vec<String> = rx.got().iter().map(|g| g.headers["webhook-id"].clone()).collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 6, "no id twice: {ids:?}");
    assert!(alert_store::deliveries(&store, 10).await.unwrap().iter().all(|d| d.status == "sent"));
    verify_with_reference_library(&rx.got());
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn slow_and_failing_receivers_are_retried_with_the_same_id() {
    transcript();
    let (rx, base) = receiver().await;
    rx.script.lock().unwrap().extend([
        Answer::Slow(Duration::from_millis(1500)),
        Answer::Status(500),
        Answer::Status(503),
    ]);
    let cfg = config(&base, &["webhook"], DISCONNECTED_ONLY);
    let dir = temp_dir("slow");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let down = task(5, "increment", "disconnect", 0, T0);
    poll(&engine, std::slice::from_ref(&down), 0).await;
    poll(&engine, &[down], 60).await;
    send_until(&engine, fast(), || rx.got().len() >= 4).await;
    let d = alert_store::deliveries(&store, 10).await.unwrap();
    assert_eq!((d.len(), d[0].attempts), (1, 4), "{d:?}");
    let ids: Vec<String> = rx.got().iter().map(|g| g.headers["webhook-id"].clone()).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.iter().all(|i| *i == ids[0]), "every retry carries the same id: {ids:?}");
    // Each attempt is signed afresh (receivers refuse old timestamps) and still verifies.
    verify_with_reference_library(&rx.got());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn retry_after_is_honoured_and_redirects_are_not_followed() {
    transcript();
    let (rx, base) = receiver().await;
    rx.script.lock().unwrap().extend([Answer::TooMany("3600"), Answer::Redirect]);
    let cfg = config(&base, &["slack", "wecom"], DISCONNECTED_ONLY);
    let dir = temp_dir("retry-after");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let down = task(6, "increment", "disconnect", 0, T0);
    poll(&engine, std::slice::from_ref(&down), 0).await;
    poll(&engine, &[down], 60).await;
    let sender =
        engine.sender(SenderOptions { give_up_after: Duration::from_secs(24 * 3600), ..fast() }).unwrap();
    let mut allowed = Default::default();
    for _ in 0..3 {
        sender.round(&mut allowed).await.unwrap();
    }
    let d = alert_store::deliveries(&store, 10).await.unwrap();
    let by: BTreeMap<&str, &alert_store::DeliveryView> =
        d.iter().map(|d| (d.destination.as_str(), d)).collect();
    assert_eq!(rx.got().len(), 2, "one attempt each: {:?}", rx.got());
    let (limited, redirected) =
        if rx.got()[0].kind == "slack" { ("slack", "wecom") } else { ("wecom", "slack") };
    let l = by[limited];
    assert_eq!((l.status.as_str(), l.attempts, l.last_status), ("pending", 1, Some(429)), "{l:?}");
    let wait = l.next_attempt_ms.unwrap() - l.last_attempt_ms.unwrap();
    assert!(wait >= 3_599_000, "Retry-After: 3600 is honoured ({wait} ms)");
    let r = by[redirected];
    assert_eq!((r.status.as_str(), r.last_status), ("failed", Some(307)), "{r:?}");
    assert!(rx.got().iter().all(|g| g.kind != "elsewhere"), "the redirect was not followed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn destinations_keep_to_their_rate_limit() {
    transcript();
    let (rx, base) = receiver().await;
    let cfg = config(&base, &["lark"], DISCONNECTED_ONLY);
    let dir = temp_dir("rate");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let tasks: Vec<MigrationTask> = (1..=4).map(|i| task(i, "increment", "disconnect", 0, T0)).collect();
    poll(&engine, &tasks, 0).await;
    poll(&engine, &tasks, 60).await;
    send_until(&engine, fast(), || rx.got().len() >= 4).await;
    // The spacing is a property of the schedule (600 ms apart for Lark), read from the store's
    // attempt times rather than timed here.
    let mut at: Vec<i64> = alert_store::deliveries(&store, 10)
        .await
        .unwrap()
        .iter()
        .map(|d| d.last_attempt_ms.unwrap())
        .collect();
    at.sort();
    for w in at.windows(2) {
        assert!(w[1] - w[0] >= 600, "Lark allows 5 a second and 100 a minute: {at:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_alerts_api_shows_rules_deliveries_and_episodes_without_secrets() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    transcript();
    let up = MockUpstream::start(vec![], None).await;
    let cfg =
        config("http://127.0.0.1:9", &["webhook", "dingtalk", "lark", "slack", "wecom"], DISCONNECTED_ONLY);
    let dir = temp_dir("api");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = Arc::new(AlertEngine::new(cfg.clone(), store.clone(), None, None));
    let down = task(8, "increment", "disconnect", 0, T0);
    poll(&engine, std::slice::from_ref(&down), 0).await;
    poll(&engine, &[down], 60).await;
    let mut state = up.app_state(migration_proxy::config::SignatureStyle::V3);
    state.alerts_config = Arc::new(cfg);
    state.alerts = Some(engine);
    let router = migration_proxy::app(state).layer(axum::extract::connect_info::MockConnectInfo(
        std::net::SocketAddr::from(([127, 0, 0, 1], 5000)),
    ));
    let get = |uri: &str| {
        let router = router.clone();
        let req = Request::get(uri).header("host", "127.0.0.1").body(Body::empty()).unwrap();
        let uri = uri.to_string();
        async move {
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = resp.status();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body).to_string();
            record_answer(&uri, status, &text);
            (status, text)
        }
    };
    let (s, rules) = get("/api/alerts/rules").await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    let v: serde_json::Value = serde_json::from_str(&rules).unwrap();
    assert_eq!(v["destinations"].as_array().unwrap().len(), 5);
    assert_eq!(v["rules"][0]["kind"], "disconnected");
    assert_eq!(v["rules"][0]["forSecs"], 60);
    assert!(!rules.contains("http") && !rules.contains(URL_TOKEN), "{rules}");
    let (s, d) = get("/api/alerts/deliveries?limit=50").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&d).unwrap();
    assert_eq!(v["deliveries"].as_array().unwrap().len(), 5, "{d}");
    assert!(!d.contains(URL_TOKEN) && !d.contains("127.0.0.1:9"), "{d}");
    let (s, e) = get("/api/alerts/episodes?DBInstanceName=pgm-bp1alerts&TaskId=8&firing=true").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&e).unwrap();
    assert_eq!(v["episodes"][0]["status"], "firing", "{e}");
    assert_eq!(v["episodes"][0]["figures"]["state"], "disconnect", "{e}");
    for bad in [
        "/api/alerts/episodes?TaskId=-8",
        "/api/alerts/episodes?limit=0",
        "/api/alerts/episodes?x=1",
        "/api/alerts/deliveries?limit=abc",
    ] {
        let (s, body) = get(bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body.contains("Proxy.InvalidParameter"), "{body}");
    }
    let (s, _) = get("/api/alerts/rules").await;
    assert_eq!(s, StatusCode::OK);
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_live_scrape_of_metrics_passes_promtool() {
    transcript();
    let up = MockUpstream::start(vec![], None).await;
    let state = up.app_state(migration_proxy::config::SignatureStyle::V3);
    let now = chrono::Utc::now();
    let t = now.timestamp();
    let a = task(1, "increment", "catchup", 4096, t - 5);
    let b = task(2, "weird-stage", "streaming", 0, t);
    state.metrics.alerts.observe_poll(R, I, &[&a, &b], now);
    state.metrics.alerts.delivered("hook", "sent");
    // The watcher's own per-instance gauges, as a poll leaves them.
    let l = migration_proxy::metrics::InstanceLabel { region_id: R.into(), db_instance: I.into() };
    state.metrics.watch.last_poll_timestamp.get_or_create(&l).set(t);
    state.metrics.watch.last_poll_ok.get_or_create(&l).set(1);
    state.metrics.watch.last_poll_duration.get_or_create(&l).set(0.25);
    state.metrics.watch.gap.get_or_create(&l).set(0);
    let router = migration_proxy::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ =
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let text = reqwest::get(format!("http://{addr}/metrics")).await.unwrap().text().await.unwrap();
    for want in [
        r#"migration_proxy_task_not_yet_replayed_bytes{region_id="cn-hangzhou",db_instance="pgm-bp1alerts",task_id="1"} 4096"#,
        r#"migration_proxy_task_stage{region_id="cn-hangzhou",db_instance="pgm-bp1alerts",task_id="2",stage="other"} 1"#,
        r#"migration_proxy_task_replication_state{region_id="cn-hangzhou",db_instance="pgm-bp1alerts",task_id="1",state="catchup"} 1"#,
        "migration_proxy_watch_last_success_timestamp_seconds{",
        "migration_proxy_task_switch_ready{",
        "migration_proxy_task_last_message_age_seconds{",
        r#"migration_proxy_alert_deliveries_total{destination="hook",outcome="sent"} 1"#,
        r#"migration_proxy_watch_last_poll_ok{region_id="cn-hangzhou",db_instance="pgm-bp1alerts"} 1"#,
        r#"migration_proxy_watch_gap_seconds{region_id="cn-hangzhou",db_instance="pgm-bp1alerts"} 0"#,
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // No series has a label named `instance` (Prometheus keeps it for the scrape target).
    let reserved: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.split_once('{').is_some_and(|(_, labels)| {
                labels.split(',').any(|kv| kv.trim_start().starts_with("instance="))
            })
        })
        .collect();
    assert!(reserved.is_empty(), "series labelled `instance`: {reserved:?}");
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var_os("MIGRATION_PROXY_REQUIRE_ALERT_TOOLS").is_none(),
            "promtool is missing: run scripts/setup.sh"
        );
        eprintln!("skipped: promtool check metrics (promtool missing; run scripts/setup.sh)");
        return;
    };
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    // The one artefact of the OpenMetrics text (a counter's HELP is on the family name, its
    // sample on `_total`: docs/toolchain.md) is filtered; every other message is a finding.
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let findings: Vec<&str> =
        said.lines().filter(|l| !l.trim().is_empty() && !l.contains("_total no help text")).collect();
    assert!(findings.is_empty(), "promtool check metrics: {findings:?}");
    assert!(out.status.success() || out.status.code() == Some(3), "promtool: {said}");
}

/// End to end through the real watcher: the RDS simulator with a hand-driven clock, the proxy's
/// upstream path, the watcher's per-poll hook, the default rules, the sender and a receiver.
#[tokio::test]
async fn the_watchers_polls_drive_episodes_to_a_receiver_end_to_end() {
    use migration_proxy::watch::{WatchConfig, Watcher};
    transcript();
    let region = migration_model::contract::DEMO_REGION;
    let instance = migration_model::contract::DEMO_INSTANCE;
    let (sim, clock) = moved_simulator().await;
    let mut state = demo_state(&sim.url());
    let dir = temp_dir("e2e");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let watcher = Watcher::with_clock(WatchConfig::default(), store.clone(), clock.clock());
    let (rx, base) = receiver().await;
    let cfg = config(&base, &["webhook"], "");
    assert!(cfg.default_rules);
    let engine = Arc::new(AlertEngine::new(cfg, store.clone(), None, Some(state.metrics.alerts.clone())));
    state.store = Some(store.clone());
    state.watcher = Some(watcher.clone());
    state.alerts = Some(engine.clone());
    let app = Arc::new(state);
    let (evaluating, sending) =
        migration_proxy::alerts::hook::start(engine.clone(), &watcher, fast()).unwrap();
    // Only a watched instance's polls are evaluated, as the watcher polls only those.
    let admin = migration_model::history::WatchSource::Admin;
    store.add_watch(region, instance, admin, Some("test"), watcher.now()).await.unwrap();
    // 47 simulated minutes, a poll every 30 s: the demo's disconnecting task is disconnected at
    // the first poll (for about 5 minutes) and again from minute 35 for 10 minutes.
    for k in 0..95 {
        if k > 0 {
            clock.advance(chrono::Duration::seconds(30));
        }
        let out = watcher.poll_instance(&app, region, instance).await;
        assert!(out.report.ok, "poll {k}: {:?}", out.report);
    }
    let of = |kind: &str, event: &str| -> Vec<serde_json::Value> {
        rx.messages(event).into_iter().filter(|m| m["kind"] == kind).collect()
    };
    // The hook's sender sends only while the watcher leads, and this watcher is driven by hand
    // (never started, so never the leader): a sender of the test's own delivers the outbox.
    send_until(&engine, fast(), || of("disconnected", "resolved").len() >= 2).await;
    let fired = of("disconnected", "firing");
    let resolved = of("disconnected", "resolved");
    // The demo's disconnecting tasks: each episode fired once, after its 60 s, and each one
    // resolved (once) was fired first, for the same task.
    assert!(resolved.len() >= 2, "{resolved:?}");
    let episodes: BTreeSet<i64> = fired.iter().map(|m| m["episodeId"].as_i64().unwrap()).collect();
    assert_eq!(episodes.len(), fired.len(), "an episode fired twice: {fired:?}");
    for m in &fired {
        assert!(m["figures"]["heldSecs"].as_i64().unwrap() >= 60, "{m}");
        assert_eq!(m["figures"]["state"], "disconnect", "{m}");
    }
    let ended: BTreeSet<i64> = resolved.iter().map(|m| m["episodeId"].as_i64().unwrap()).collect();
    assert_eq!(ended.len(), resolved.len(), "an episode resolved twice: {resolved:?}");
    for m in &resolved {
        let f = fired.iter().find(|f| f["episodeId"] == m["episodeId"]).expect("resolved before it fired");
        assert_eq!(f["taskId"], m["taskId"]);
    }
    assert!(!of("stage_changed", "firing").is_empty(), "the demo's tasks move through the stages");
    let ids: Vec<String> = rx.got().iter().map(|g| g.headers["webhook-id"].clone()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "no id twice: {ids:?}");
    // The gauges follow the same polls.
    let text = app.metrics.render();
    assert!(
        text.contains(&format!(
            "migration_proxy_task_stage{{region_id=\"{region}\",db_instance=\"{instance}\""
        )),
        "{text}"
    );
    // lag_growing's one read per poll gives each task what the history store holds for it.
    let now = watcher.now();
    let all = alert_store::lag_samples(&store, region, instance, now - 900, now).await.unwrap();
    assert!(!all.is_empty());
    for (task, got) in &all {
        let want: Vec<(i64, i64)> = store
            .samples(region, instance, *task, now - 900, now)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|s| s.not_yet_replayed_bytes.map(|b| (s.t, b)))
            .collect();
        let mut got = got.clone();
        got.sort();
        assert_eq!(got, want, "task {task}");
    }
    verify_with_reference_library(&rx.got());
    evaluating.abort();
    sending.abort();
    sim.stop().await;
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_sender_killed_mid_attempt_leaves_its_message_to_the_next_one_with_the_same_id() {
    transcript();
    let (rx, base) = receiver().await;
    let cfg = config(&base, &["webhook"], DISCONNECTED_ONLY);
    let dir = temp_dir("lease");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let engine = AlertEngine::new(cfg, store.clone(), None, None);
    let down = task(3, "increment", "disconnect", 0, T0);
    poll(&engine, std::slice::from_ref(&down), 0).await;
    assert_eq!(poll(&engine, &[down], 60).await.messages, 1);
    // A sender (another replica, or this one before a kill -9) takes the row and never answers.
    let rows = alert_store::due(&store, now_ms(), 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(alert_store::claim(&store, rows[0].id, now_ms(), 5_000).await.unwrap());
    assert!(!alert_store::claim(&store, rows[0].id, now_ms(), 5_000).await.unwrap(), "leased");
    // While its lease holds, no other sender sends it.
    let sender = engine.sender(fast()).unwrap();
    let mut allowed = Default::default();
    sender.round(&mut allowed).await.unwrap();
    assert!(rx.got().is_empty());
    // Once the lease runs out, the next sender delivers it, with the same id, once.
    send_until(&engine, fast(), || !rx.got().is_empty()).await;
    let got = rx.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].headers["webhook-id"], rows[0].message_id);
    let d = alert_store::deliveries(&store, 10).await.unwrap();
    assert_eq!((d[0].status.as_str(), d[0].attempts), ("sent", 1));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An instance that leaves the watch set (an admin's removal, which is what
/// `DELETE /api/watch/...` does to the store, or an idle auto-watch expiring) loses its
/// per-task series on the leader, and its firing episodes resolve once, saying so.
#[tokio::test]
async fn an_unwatched_instance_loses_its_series_and_its_firing_episodes_resolve() {
    use migration_model::history::WatchSource;
    use migration_proxy::watch::{WatchConfig, Watcher};
    transcript();
    let region = migration_model::contract::DEMO_REGION;
    let instance = migration_model::contract::DEMO_INSTANCE;
    let (sim, clock) = moved_simulator().await;
    let mut state = demo_state(&sim.url());
    let dir = temp_dir("unwatch");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    // Started for real (SQLite: it leads at once), rounds every 250 ms; an auto-watch expires as
    // soon as the clock passes its last view.
    let config =
        WatchConfig { interval: Duration::from_secs(1), idle: Duration::ZERO, ..WatchConfig::default() };
    let watcher = Watcher::with_clock(config, store.clone(), clock.clock());
    let (rx, base) = receiver().await;
    let cfg = config_with(&base, "[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n");
    let engine = Arc::new(AlertEngine::new(cfg, store.clone(), None, Some(state.metrics.alerts.clone())));
    state.store = Some(store.clone());
    state.watcher = Some(watcher.clone());
    state.alerts = Some(engine.clone());
    let app = Arc::new(state);
    let (evaluating, sending) =
        migration_proxy::alerts::hook::start(engine.clone(), &watcher, fast()).unwrap();
    store.add_watch(region, instance, WatchSource::Admin, Some("test"), watcher.now()).await.unwrap();
    let running = watcher.start(app.clone(), std::future::pending());

    let messages = |event: &str| rx.messages(event);
    let series = |app: &Arc<migration_proxy::app::AppState>| {
        app.metrics.render().contains(&format!("db_instance=\"{instance}\""))
    };
    // The demo's disconnecting task is disconnected from the start: its episode fires.
    wait_long("the first episode to fire", || !messages("firing").is_empty()).await;
    // The gauges are set by the poll's own path, not before the webhook leaves: wait for them.
    wait_long("the series to be there", || series(&app)).await;
    let first = messages("firing");

    // An admin removes the watch: the series go and the episode resolves, once, saying why.
    assert!(store.remove_watch(region, instance).await.unwrap());
    wait_long("the unwatched episode to resolve", || messages("resolved").len() >= first.len()).await;
    wait_long("the series to go", || !series(&app)).await;
    let resolved = messages("resolved");
    for m in &first {
        let r: Vec<_> = resolved.iter().filter(|r| r["episodeId"] == m["episodeId"]).collect();
        assert_eq!(r.len(), 1, "{m} resolved once: {resolved:?}");
        assert_eq!(r[0]["figures"]["note"], "unwatched", "{}", r[0]);
    }
    let firing = alert_store::episodes(
        &store,
        &alert_store::EpisodeFilter { firing_only: true, limit: 10, ..Default::default() },
    )
    .await
    .unwrap();
    assert!(firing.is_empty(), "{firing:?}");

    // Watched again as an auto-watch: its rule state started afresh, so the same condition is a
    // new episode; when the auto-watch expires, that one resolves the same way.
    clock.advance(chrono::Duration::seconds(2));
    store.add_watch(region, instance, WatchSource::Auto, None, watcher.now()).await.unwrap();
    wait_long("a new episode", || messages("firing").len() > first.len()).await;
    wait_long("the series to come back", || series(&app)).await;
    clock.advance(chrono::Duration::seconds(2));
    wait_long("the expired watch's episode to resolve", || {
        messages("resolved").len() >= messages("firing").len()
    })
    .await;
    wait_long("the series to go again", || !series(&app)).await;
    let resolved = messages("resolved");
    assert!(resolved.iter().all(|r| r["figures"]["note"] == "unwatched"), "{resolved:?}");
    let ids: Vec<String> = rx.got().iter().map(|g| g.headers["webhook-id"].clone()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "no id twice: {ids:?}");
    assert!(store.watches().await.unwrap().is_empty());
    running.abort();
    evaluating.abort();
    sending.abort();
    sim.stop().await;
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A poll under way when its instance left the watch set reaches the engine after the
/// instance was forgotten (the watcher's notice, or the leader's sweep, came first). It starts
/// nothing: no episode, no message, no series for an instance no one watches.
#[tokio::test]
async fn a_poll_that_lands_after_its_instance_left_the_watch_set_starts_nothing() {
    use migration_model::history::WatchSource;
    use migration_proxy::alerts::Polled;
    transcript();
    let dir = temp_dir("late-poll");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let metrics = migration_proxy::metrics::Metrics::new();
    let cfg = config_with("http://127.0.0.1:9", "[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n");
    let engine = AlertEngine::new(cfg, store.clone(), None, Some(metrics.alerts.clone()));
    let down = [task(1, "increment", "disconnect", 0, T0)];
    let polled = || Ok(Polled { tasks: &down[..], replication: None });
    let series = || metrics.render().contains(&format!("db_instance=\"{I}\""));
    let firing = || async {
        let filter = alert_store::EpisodeFilter { firing_only: true, limit: 10, ..Default::default() };
        alert_store::episodes(&store, &filter).await.unwrap()
    };

    store.add_watch(R, I, WatchSource::Admin, Some("test"), T0).await.unwrap();
    let fired = engine.on_watched_poll(R, I, polled(), T0).await.unwrap().expect("a watched instance's poll");
    assert_eq!((fired.episodes_fired, fired.messages), (1, 1));
    assert!(series(), "{}", metrics.render());

    // The watch goes, and the instance is forgotten as the watcher's notice of it does.
    assert!(store.remove_watch(R, I).await.unwrap());
    assert_eq!(engine.forget_instance(R, I, T0 + 30, true).await.unwrap().episodes_resolved, 1);
    assert!(!series());
    // Then the poll that was under way arrives.
    assert!(engine.on_watched_poll(R, I, polled(), T0 + 31).await.unwrap().is_none());
    assert!(!series(), "{}", metrics.render());
    assert!(firing().await.is_empty(), "{:?}", firing().await);
    assert_eq!(outbox(&store).await.len(), 2, "the firing and its resolution, nothing more");

    // Watched again, its polls count again (its rule state started afresh: a new episode).
    store.add_watch(R, I, WatchSource::Admin, Some("test"), T0 + 60).await.unwrap();
    let again = engine.on_watched_poll(R, I, polled(), T0 + 60).await.unwrap().expect("watched again");
    assert_eq!(again.episodes_fired, 1);
    assert!(series());
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The proxy's state in demo mode in front of the simulator at `sim`, with a cache that keeps
/// nothing fresh: every poll must see the simulator's moved clock.
fn demo_state(sim: &str) -> migration_proxy::app::AppState {
    use migration_proxy::app::{AppState, Mode};
    use migration_proxy::credentials::{Credentials, Secret, Source};
    use migration_proxy::simulator;
    use migration_proxy::upstream::{check_endpoint, Upstream};
    let creds = Credentials {
        access_key_id: simulator::DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(simulator::DEMO_ACCESS_KEY_SECRET),
        security_token: None,
        source: Source::Demo,
    };
    let endpoint = check_endpoint(sim, false).unwrap();
    let upstream = Upstream::new(
        Some(endpoint),
        creds,
        migration_proxy::config::SignatureStyle::V3,
        Duration::from_secs(5),
    )
    .unwrap();
    let mut state = AppState::new(upstream, Mode::Demo, migration_model::contract::DEMO_REGION);
    state.cache = migration_proxy::cache::Cache::new(Duration::ZERO, Duration::from_secs(300), 10_000);
    state
}

/// One proxy's alerting parts on `store` and the simulator at `sim`, as `serve` wires them: the
/// watcher (started: on SQLite it leads at once), its start-up watches, the engine with its
/// gauges, and the hook. Stopped (as by a kill) when dropped.
struct Alerting {
    app: Arc<migration_proxy::app::AppState>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Alerting {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Alerting {
    async fn start(
        sim: &str,
        clock: &migration_proxy::simulator::ManualClock,
        store: &Arc<Store>,
        cfg: AlertsConfig,
        watch: migration_proxy::watch::WatchConfig,
    ) -> Alerting {
        let mut state = demo_state(sim);
        let watcher = migration_proxy::watch::Watcher::with_clock(watch, store.clone(), clock.clock());
        watcher.add_initial().await.unwrap();
        let engine = Arc::new(AlertEngine::new(cfg, store.clone(), None, Some(state.metrics.alerts.clone())));
        state.store = Some(store.clone());
        state.watcher = Some(watcher.clone());
        state.alerts = Some(engine.clone());
        let app = Arc::new(state);
        let (evaluating, sending) = migration_proxy::alerts::hook::start(engine, &watcher, fast()).unwrap();
        let running = watcher.start(app.clone(), std::future::pending());
        Alerting { app, tasks: vec![evaluating, sending, running] }
    }

    /// Whether any series names `instance`.
    fn series(&self, instance: &str) -> bool {
        self.app.metrics.render().contains(&format!("db_instance=\"{instance}\""))
    }
}

/// A webhook destination at `base` with the given rules.
fn config_with(base: &str, rules: &str) -> AlertsConfig {
    config(base, &["webhook"], rules)
}

/// Waits up to 60 s (a bug, not slowness, when it runs out) for `done`.
async fn wait_long(what: &str, done: impl Fn() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited 60 s for {what}");
}

/// An instance that left the watch set while no proxy ran (an admin's removal in the store, a
/// `--watch` flag dropped, an auto-watch gone idle) is forgotten at the next start: its firing
/// episodes resolve once, saying so, its rule state is cleared, and it gets no series.
#[tokio::test]
async fn an_instance_unwatched_while_no_proxy_ran_is_forgotten_at_the_next_start() {
    use migration_model::history::WatchSource;
    use migration_proxy::watch::WatchConfig;
    transcript();
    let (region, instance) =
        (migration_model::contract::DEMO_REGION, migration_model::contract::DEMO_INSTANCE);
    let (sim, clock) = moved_simulator().await;
    let dir = temp_dir("unwatched-down");
    let store = Arc::new(Store::open(&dir, None).await.unwrap());
    let (rx, base) = receiver().await;
    let cfg = config_with(&base, "[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n");
    let messages = |event: &str| rx.messages(event);
    let flag = vec![(region.to_string(), instance.to_string(), WatchSource::Config)];
    let quick = WatchConfig { interval: Duration::from_secs(1), ..WatchConfig::default() };
    for how in ["removed", "flag dropped", "expired"] {
        // A proxy watches the instance; the demo's disconnecting task fires an episode.
        let first = match how {
            "flag dropped" => WatchConfig { initial: flag.clone(), ..quick.clone() },
            _ => quick.clone(),
        };
        let source = if how == "expired" { WatchSource::Auto } else { WatchSource::Admin };
        if how != "flag dropped" {
            store.add_watch(region, instance, source, None, clock.now().timestamp()).await.unwrap();
        }
        // The hand-driven clock moves on, so the instance is due for a poll again.
        clock.advance(chrono::Duration::seconds(2));
        let fired_before = messages("firing").len();
        let a = Alerting::start(&sim.url(), &clock, &store, cfg.clone(), first).await;
        wait_long(&format!("{how}: an episode to fire"), || messages("firing").len() > fired_before).await;
        drop(a);
        let firing_now = || async {
            let filter = alert_store::EpisodeFilter { firing_only: true, limit: 100, ..Default::default() };
            alert_store::episodes(&store, &filter).await.unwrap()
        };
        let open: BTreeSet<i64> = firing_now().await.iter().map(|e| e.id).collect();
        assert!(!open.is_empty(), "{how}");

        // While no proxy runs, the instance leaves the watch set.
        let next = match how {
            "removed" => {
                assert!(store.remove_watch(region, instance).await.unwrap());
                quick.clone()
            }
            // The next start names no --watch: it drops the flag's watch itself.
            "flag dropped" => quick.clone(),
            // Its last view is now further back than the next start's idle time.
            _ => {
                clock.advance(chrono::Duration::seconds(5));
                WatchConfig { idle: Duration::from_secs(1), ..quick.clone() }
            }
        };
        let b = Alerting::start(&sim.url(), &clock, &store, cfg.clone(), next).await;
        let resolutions = |id: i64| messages("resolved").into_iter().filter(|m| m["episodeId"] == id).count();
        wait_long(&format!("{how}: the episodes to resolve"), || open.iter().all(|id| resolutions(*id) > 0))
            .await;
        // A few sweeps later: nothing more.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        for id in &open {
            assert_eq!(resolutions(*id), 1, "{how}: episode {id} resolved once");
        }
        let resolved = messages("resolved");
        assert!(resolved.iter().all(|r| r["figures"]["note"] == "unwatched"), "{how}: {resolved:?}");
        assert!(store.watches().await.unwrap().is_empty(), "{how}");
        let state = alert_store::load(&store, region, instance).await.unwrap().state;
        assert_eq!(state, Default::default(), "{how}: the rule state is cleared");
        let firing = firing_now().await;
        assert!(firing.is_empty(), "{how}: {firing:?}");
        assert!(!b.series(instance), "{how}: {}", b.app.metrics.render());
        drop(b);
    }
    let ids: Vec<String> = rx.got().iter().map(|g| g.headers["webhook-id"].clone()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "no id twice: {ids:?}");
    sim.stop().await;
    assert_no_secrets();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Process-level faults: the real `migration-proxy` binary (killed with SIGKILL), an in-process
// simulator whose clock the test moves, a local receiver, SQLite on disk or a private
// PostgreSQL cluster. The proxies poll every second (a test-only flag). What is asserted is what
// the receiver accepted and what the outbox holds, each waited for with a generous bound.

/// Starts the proxy on `sim`, watching the demo instance, with `alerts` and the store `args`;
/// its log goes to `log`.
fn start_proxy(sim: &str, alerts: &std::path::Path, store: &[&str], log: &std::path::Path) -> Proc {
    let watch =
        format!("{}/{}", migration_model::contract::DEMO_REGION, migration_model::contract::DEMO_INSTANCE);
    let alerts = alerts.to_str().unwrap();
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--rds-endpoint", sim, "--watch", &watch];
    args.extend(["--test-watch-interval-ms", "1000", "--cache-ttl-ms", "200", "--audit-log", "off"]);
    args.extend(["--alerts-file", alerts]);
    args.extend_from_slice(store);
    procs::spawn(&args, log, procs::CREDS).unwrap_or_else(|log| panic!("the proxy did not start: {log}"))
}

/// An alerts file (mode 0600, as the proxy requires) sending `disconnected` at once to `base`.
fn alerts_file(dir: &std::path::Path, base: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("alerts.toml");
    let text = format!(
        "[[destination]]\nname = \"webhook\"\nkind = \"webhook\"\nurl = \"{base}/webhook?token={URL_TOKEN}\"\n\
         secret = \"whsec_{HOOK_KEY_B64}\"\n\n[[rule]]\nkind = \"disconnected\"\nfor = \"0s\"\n"
    );
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The outbox as a proxy's API shows it.
async fn deliveries_of(p: &Proc) -> Vec<serde_json::Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!("{}/api/alerts/deliveries?limit=500", p.url());
    let Ok(r) = reqwest::Client::new().get(&url).timeout(Duration::from_secs(5)).send().await else {
        return Vec::new();
    };
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    record_answer(&url, status, &body);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    v["deliveries"].as_array().cloned().unwrap_or_default()
}

/// Waits up to `secs` for `check` to give a value.
async fn wait_for<T, F, Fut>(what: &str, secs: u64, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    procs::wait_until(what, Duration::from_secs(secs), Duration::from_millis(100), check).await
}

/// The messages the receiver accepted (answered with success), by id, in order.
fn accepted_messages(rx: &Receiver) -> Vec<(String, serde_json::Value)> {
    let got = rx.got();
    let body_of = |id: &str| {
        got.iter()
            .find(|g| g.headers.get("webhook-id").map(String::as_str) == Some(id))
            .map(message)
            .unwrap_or_default()
    };
    rx.accepted.lock().unwrap().iter().map(|id| (id.clone(), body_of(id))).collect()
}

/// The firing messages accepted so far.
fn fired(rx: &Receiver) -> Vec<serde_json::Value> {
    accepted_messages(rx).into_iter().map(|m| m.1).filter(|m| m["event"] == "firing").collect()
}

/// Every message the outbox holds was accepted exactly once, and nothing else was: no
/// duplicate and no loss. Each of `episodes` fired once and resolved once.
fn exactly_once(rx: &Receiver, outbox: &[serde_json::Value], episodes: &BTreeSet<i64>) {
    let accepted = accepted_messages(rx);
    let ids: Vec<&String> = accepted.iter().map(|m| &m.0).collect();
    let unique: BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id accepted twice: {ids:?}");
    let queued: BTreeSet<String> =
        outbox.iter().map(|d| d["messageId"].as_str().unwrap().to_string()).collect();
    assert!(outbox.iter().all(|d| d["status"] == "sent"), "{outbox:?}");
    assert_eq!(queued, unique.into_iter().cloned().collect::<BTreeSet<_>>(), "lost or unknown messages");
    for e in episodes {
        let events: Vec<&str> = accepted
            .iter()
            .filter(|m| m.1["episodeId"] == *e)
            .map(|m| m.1["event"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(events, ["firing", "resolved"], "episode {e}: {accepted:?}");
    }
    // A restarted proxy or a new leader never opened a second episode for a condition that
    // was already firing: one firing per task until its resolution.
    let mut open: BTreeSet<i64> = BTreeSet::new();
    for (_, m) in &accepted {
        let task = m["taskId"].as_i64().unwrap();
        match m["event"].as_str() {
            Some("firing") => assert!(open.insert(task), "task {task} fired twice: {accepted:?}"),
            Some("resolved") => {
                open.remove(&task);
            }
            _ => {}
        }
    }
}

/// Starts the in-process simulator on a clock the test moves.
async fn moved_simulator() -> (migration_proxy::simulator::Running, migration_proxy::simulator::ManualClock) {
    use migration_proxy::simulator::{self, ManualClock, SimConfig};
    let clock = ManualClock::starting_now();
    let sim = simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig { clock: clock.clock(), ..SimConfig::default() },
    )
    .await
    .unwrap();
    (sim, clock)
}

/// Ends the first disconnect of the demo's tasks (it lasts 10 simulated minutes).
const PAST_THE_DISCONNECT: i64 = 11 * 60;

/// kill -9 twice mid-episode: once with the firing message queued (the receiver down), once
/// after it was delivered; the proxy restarts on the same SQLite store each time. The receiver
/// gets the firing and the resolution of the episode, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_killed_mid_episode_neither_repeats_nor_loses_a_message() {
    transcript();
    let dir = temp_dir("kill9");
    std::fs::create_dir_all(&dir).unwrap();
    let (sim, clock) = moved_simulator().await;
    let (rx, base) = receiver().await;
    let alerts = alerts_file(&dir, &base);
    let data = dir.join("data");
    let store = ["--data-dir", data.to_str().unwrap()];
    let url = sim.url();

    // The receiver is down: the firing message is tried once, fails, and waits in the outbox.
    rx.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut p = start_proxy(&url, &alerts, &store, &dir.join("p1.log"));
    wait_for("a failed first attempt", 60, || async {
        let d = deliveries_of(&p).await;
        d.iter().any(|d| d["event"] == "firing" && d["attempts"].as_i64() >= Some(1)).then_some(())
    })
    .await;
    p.kill9();
    rx.refuse.store(false, std::sync::atomic::Ordering::SeqCst);

    // Restarted: the queued message goes (the lease of an attempt cut short may delay it), and
    // the condition, still holding, fires nothing new.
    let mut p = start_proxy(&url, &alerts, &store, &dir.join("p2.log"));
    let episodes: BTreeSet<i64> = wait_for("the queued firing to be delivered", 120, || async {
        let d = deliveries_of(&p).await;
        let sent = !d.is_empty() && d.iter().all(|d| d["status"] == "sent");
        (sent && !fired(&rx).is_empty())
            .then(|| fired(&rx).iter().map(|m| m["episodeId"].as_i64().unwrap()).collect())
    })
    .await;
    // Several polls later, still nothing new.
    tokio::time::sleep(Duration::from_secs(3)).await;
    p.kill9();

    // Restarted after the delivery: the condition ends; its resolution goes once.
    let p = start_proxy(&url, &alerts, &store, &dir.join("p3.log"));
    clock.advance(chrono::Duration::seconds(PAST_THE_DISCONNECT));
    let outbox = wait_for("the resolutions to be delivered", 120, || async {
        let d = deliveries_of(&p).await;
        let resolved = d.iter().filter(|d| d["event"] == "resolved" && d["status"] == "sent").count();
        (resolved >= episodes.len() && d.iter().all(|d| d["status"] == "sent")).then_some(d)
    })
    .await;
    exactly_once(&rx, &outbox, &episodes);
    verify_with_reference_library(&rx.got());
    drop(p);
    for log in ["p1.log", "p2.log", "p3.log"] {
        record(&std::fs::read_to_string(dir.join(log)).unwrap_or_default());
    }
    sim.stop().await;
    assert_no_secrets();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two replicas on PostgreSQL: the leader is killed (kill -9) mid-episode, after the firing was
/// delivered; the other takes over and sends the resolution. One delivery per episode event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_with_the_leader_killed_deliver_each_episode_event_once() {
    transcript();
    let dir = temp_dir("leader");
    std::fs::create_dir_all(&dir).unwrap();
    let pg = pg::PrivatePg::start();
    let db = pg.url();
    let (sim, clock) = moved_simulator().await;
    let (rx, base) = receiver().await;
    let alerts = alerts_file(&dir, &base);
    let store = ["--database-url", db.as_str()];
    let url = sim.url();
    let a = start_proxy(&url, &alerts, &store, &dir.join("a.log"));
    let b = start_proxy(&url, &alerts, &store, &dir.join("b.log"));
    let episodes: BTreeSet<i64> = wait_for("the firing to be delivered", 60, || async {
        let d = deliveries_of(&a).await;
        let sent = !d.is_empty() && d.iter().all(|d| d["status"] == "sent");
        (sent && !fired(&rx).is_empty())
            .then(|| fired(&rx).iter().map(|m| m["episodeId"].as_i64().unwrap()).collect())
    })
    .await;
    let leads = |p: &Proc| {
        let url = format!("{}/readyz", p.url());
        async move {
            let r = reqwest::get(&url).await.ok()?.text().await.ok()?;
            record_answer(&url, 200, &r);
            let v: serde_json::Value = serde_json::from_str(&r).ok()?;
            Some(v["history"]["watcher"]["leader"] == true)
        }
    };
    let a_leads = leads(&a).await == Some(true);
    let (mut dead, survivor) = if a_leads { (a, b) } else { (b, a) };
    dead.kill9();
    wait_for("the survivor to lead", 60, || async { (leads(&survivor).await == Some(true)).then_some(()) })
        .await;
    clock.advance(chrono::Duration::seconds(PAST_THE_DISCONNECT));
    let outbox = wait_for("the resolutions to be delivered", 60, || async {
        let d = deliveries_of(&survivor).await;
        let resolved = d.iter().filter(|d| d["event"] == "resolved" && d["status"] == "sent").count();
        (resolved >= episodes.len() && d.iter().all(|d| d["status"] == "sent")).then_some(d)
    })
    .await;
    exactly_once(&rx, &outbox, &episodes);
    drop(survivor);
    for log in ["a.log", "b.log"] {
        record(&std::fs::read_to_string(dir.join(log)).unwrap_or_default());
    }
    sim.stop().await;
    drop(pg);
    assert_no_secrets();
    let _ = std::fs::remove_dir_all(&dir);
}
