//! What keeps a caller, or many, from exhausting the proxy, on a real port: the per-caller rate
//! limit (429 with Retry-After, audited), each action's bound on the upstream's answer (with a
//! length, and streamed without one), the fetch whose caller hung up (it finishes, is cached,
//! holds its slot and is audited), the policy-filtered instance list over many pages and at the
//! page cap, redirects not followed, a panic, a timeout and a too-large body in the API's error
//! shape, `--ops-listen`, and `--log-format json` from the binary itself.
mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderValue;
use axum::routing::get;
use clap::Parser;
use common::*;
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::auth::Authenticator;
use migration_proxy::config::{Cli, Command, ServeArgs, SignatureStyle};
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::upstream::{check_endpoint, Upstream};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TASKS: &str = "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-a HTTP/1.1";

fn serve_args(extra: &[&str]) -> ServeArgs {
    let mut argv = vec!["migration-proxy", "serve"];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Serve(args) => *args,
        _ => unreachable!(),
    }
}

fn no_env(k: &str) -> Option<String> {
    (k == "ALIBABA_CLOUD_ECS_METADATA_DISABLED").then(|| "true".to_string())
}

/// A JSON answer of about `bytes` bytes.
fn padded(bytes: usize) -> String {
    json!({"RequestId": "UP-BIG", "Items": [], "PageNumber": 1, "TotalSize": 0, "Pad": "x".repeat(bytes)})
        .to_string()
}

/// The flags reach the proxy, and a caller past its burst gets 429 Proxy.RateLimited with
/// Retry-After, in the audit log with the attempted action; the default lets a dashboard be.
#[tokio::test]
async fn a_caller_past_its_rate_gets_429_with_retry_after_and_is_audited() {
    let args =
        serve_args(&["--demo", "--audit-log", "off", "--rate-limit-per-sec", "1", "--rate-limit-burst", "3"]);
    let (mut state, _sim) = migration_proxy::serve::prepare(&args, &no_env).await.unwrap();
    let (audit, lines) = audit_capture();
    state.audit = Some(audit);
    let addr = serve_on_port(app(state)).await;
    let regions = "GET /api/rds/DescribeRegions HTTP/1.1";
    for _ in 0..3 {
        let got = send_raw(addr, regions, &[], b"").await;
        assert_eq!(got.status, 200, "{}", got.body);
    }
    // The next call is refused, unless this machine took over a second for those three and a
    // token came back: then one of the next few is (no timing is asserted).
    let mut got = send_raw(addr, regions, &[], b"").await;
    for _ in 0..20 {
        if got.status != 200 {
            break;
        }
        got = send_raw(addr, regions, &[], b"").await;
    }
    assert_eq!(got.status, 429, "{}", got.body);
    assert_eq!(got.json()["Code"], "Proxy.RateLimited");
    assert!(got.json()["RequestId"].is_string());
    assert_eq!(got.header("retry-after").as_deref(), Some("1"), "{}", got.head);
    let records = audit_records(&lines);
    let limited: Vec<&Value> = records.iter().filter(|r| r["status"] == 429).collect();
    assert_eq!(limited.len(), 1, "{records:?}");
    assert_eq!(limited[0]["event"], "rate-limited");
    assert_eq!(limited[0]["action"], "DescribeRegions");

    // The default: forty calls at once (ten tabs refreshing together) all pass.
    let (state, _sim) =
        migration_proxy::serve::prepare(&serve_args(&["--demo", "--audit-log", "off"]), &no_env)
            .await
            .unwrap();
    let addr = serve_on_port(app(state)).await;
    let calls: Vec<_> = (0..40)
        .map(|_| tokio::spawn(async move { send_raw(addr, regions, &[], b"").await.status }))
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), 200);
    }
    assert_no_secrets();
}

/// Each action has its own bound on the answer: over it, a clear 502 in the API's shape.
#[tokio::test]
async fn answers_over_their_action_limit_are_refused_in_the_error_shape() {
    let up =
        MockUpstream::start(vec![ok(&padded(3 << 20)), ok(&padded(300 << 10)), ok(&padded(300 << 10))], None)
            .await;
    let addr = serve_on_port(app(up.app_state(SignatureStyle::V3))).await;
    let got = send_raw(addr, TASKS, &[], b"").await;
    assert_eq!(got.status, 502, "{}", &got.body[..got.body.len().min(300)]);
    assert_eq!(got.json()["Code"], "Proxy.UpstreamTooLarge");
    let message = got.json()["Message"].as_str().unwrap().to_string();
    assert!(message.contains("DescribeCloudMigrationResult") && message.contains("2048 KiB"), "{message}");
    // 300 KiB is too much for the region list, and fine for a task list.
    let got = send_raw(addr, "GET /api/rds/DescribeRegions HTTP/1.1", &[], b"").await;
    assert_eq!((got.status, got.json()["Code"].as_str()), (502, Some("Proxy.UpstreamTooLarge")));
    let got = send_raw(addr, &TASKS.replace("pgm-a", "pgm-b"), &[], b"").await;
    assert_eq!(got.status, 200);
    // Not retried: the answer would be as large again.
    assert_eq!(up.calls(), 3);
    assert_no_secrets();
}

/// An upstream that streams an endless answer without a length is cut at the bound, not read
/// until the timeout (or the memory) runs out.
#[tokio::test]
async fn an_endless_streamed_answer_is_cut_at_the_bound() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 8192];
        let _ = s.read(&mut head).await;
        let _ = s
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            )
            .await;
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        // Until the proxy hangs up, or 256 MiB.
        for _ in 0..4096 {
            if s.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            counter.fetch_add(0x10000, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let mut state = state_for(upstream);
    state.retry.max_attempts = 1;
    let addr = serve_on_port(app(state)).await;
    let got = send_raw(addr, TASKS, &[], b"").await;
    assert_eq!(got.status, 502, "{}", got.body);
    assert_eq!(got.json()["Code"], "Proxy.UpstreamTooLarge");
    let sent = written.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < 64 << 20, "the proxy read {sent} bytes before it stopped");
    assert_no_secrets();
}

/// A proxy state whose upstream is `addr` (no signature check there).
fn state_for(addr: SocketAddr) -> AppState {
    let endpoint = check_endpoint(&format!("http://{addr}"), false).unwrap();
    let creds = Credentials {
        access_key_id: KEY_ID.into(),
        access_key_secret: Secret::new(KEY_SECRET),
        security_token: None,
        source: Source::Environment,
    };
    let upstream = Upstream::new(Some(endpoint), creds, SignatureStyle::V3, Duration::from_secs(5)).unwrap();
    let mut state = AppState::new(upstream, Mode::Live, "cn-hangzhou");
    state.audit = Some(audit_to_transcript());
    state
}

/// A caller who hangs up does not stop the fetch: it finishes and is cached, it holds its slot
/// in the in-flight cap meanwhile, and the audit log says the caller was gone.
#[tokio::test]
async fn a_fetch_whose_caller_hung_up_finishes_holds_its_slot_and_is_audited() {
    // Slow enough that the next call below comes while the fetch still runs (5 s timeout).
    let slow = Scripted { delay: Duration::from_millis(3000), ..ok(&task_list_with_secrets()) };
    let up = MockUpstream::start(vec![], Some(slow)).await;
    let mut state = state_for(up.addr);
    state.limits = migration_proxy::limits::Limits::new(1);
    let (audit, lines) = audit_capture();
    state.audit = Some(audit);
    let addr = serve_on_port(app(state)).await;

    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{TASKS}\r\nHost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    while up.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(s);
    // The abandoned fetch still holds the only slot.
    let got = send_raw(addr, &TASKS.replace("pgm-a", "pgm-b"), &[], b"").await;
    assert_eq!((got.status, got.json()["Code"].as_str()), (503, Some("Proxy.Busy")), "{}", got.body);

    let mut gone = None;
    for _ in 0..200 {
        gone = audit_records(&lines).into_iter().find(|r| r["event"] == "caller-gone");
        if gone.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let gone = gone.unwrap_or_else(|| panic!("no caller-gone record in {:?}", audit_records(&lines)));
    assert_eq!(gone["action"], "DescribeCloudMigrationResult");
    assert_eq!(gone["instance"], "pgm-a");
    assert_eq!(gone["status"], 200);
    // It was stored: the next caller gets it from the cache, with no second upstream call.
    let got = send_raw(addr, TASKS, &[], b"").await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.header("x-proxy-cache").as_deref(), Some("hit"), "{}", got.head);
    assert_eq!(up.calls(), 1);
    // A caller who waited is not reported gone.
    assert_eq!(audit_records(&lines).iter().filter(|r| r["event"] == "caller-gone").count(), 1);
    assert_no_secrets();
}

/// `n` instances starting at `from`, alternating between pgm-a… and pgm-b….
fn instances_page(from: usize, n: usize, total: usize) -> Scripted {
    let items: Vec<Value> = (from..from + n)
        .map(|i| {
            let prefix = if i % 2 == 0 { "pgm-a" } else { "pgm-b" };
            json!({"DBInstanceId": format!("{prefix}{i:05}"), "Engine": "PostgreSQL"})
        })
        .collect();
    ok(&json!({
        "RequestId": "UP-I", "Items": {"DBInstance": items}, "PageNumber": from / 100 + 1,
        "PageRecordCount": n, "TotalRecordCount": total,
    })
    .to_string())
}

fn policy_state(up: &MockUpstream) -> AppState {
    let dir = std::env::temp_dir().join(format!("policy-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.json");
    std::fs::write(&file, r#"{"users": {"alice": ["pgm-a*"]}}"#).unwrap();
    let mut state = up.app_state(SignatureStyle::V3);
    state.policy = Some(migration_proxy::policy::Policy::load(&file).unwrap());
    state.auth = Authenticator::TrustedHeader {
        proxies: Authenticator::parse_networks("127.0.0.1").unwrap(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: None,
    };
    std::fs::remove_dir_all(&dir).unwrap();
    state
}

/// A caller who may see some instances gets true counts over every upstream page, and the
/// proxy reads 20 pages at most.
#[tokio::test]
async fn policy_filtered_instance_lists_span_pages_and_stop_at_the_page_cap() {
    let alice = [("X-Forwarded-User", "alice")];
    let up = MockUpstream::start(
        vec![instances_page(0, 100, 250), instances_page(100, 100, 250), instances_page(200, 50, 250)],
        None,
    )
    .await;
    let addr = serve_on_port(app(policy_state(&up))).await;
    let got =
        send_raw(addr, "GET /api/rds/DescribeDBInstances?PageNumber=2&PageSize=30 HTTP/1.1", &alice, b"")
            .await;
    assert_eq!(got.status, 200, "{}", got.body);
    let v = got.json();
    assert_eq!(v["TotalRecordCount"], 125, "every pgm-a over the three pages");
    assert_eq!(v["PageNumber"], 2);
    assert_eq!(v["PageRecordCount"], 30);
    let ids: Vec<&str> = v["Items"]["DBInstance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["DBInstanceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&"pgm-a00060"));
    assert_eq!(ids.last(), Some(&"pgm-a00118"));
    assert!(ids.iter().all(|id| id.starts_with("pgm-a")));
    let pages: Vec<(String, String)> = up
        .received()
        .iter()
        .map(|r| {
            let q =
                |n: &str| r.query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
            (q("PageNumber"), q("PageSize"))
        })
        .collect();
    let want: Vec<(String, String)> = (1..=3).map(|p| (p.to_string(), "100".to_string())).collect();
    assert_eq!(pages, want);

    // 3,000 instances upstream: 20 pages are read, no more.
    let script: Vec<Scripted> = (0..30).map(|p| instances_page(p * 100, 100, 3000)).collect();
    let up = MockUpstream::start(script, None).await;
    let addr = serve_on_port(app(policy_state(&up))).await;
    let got = send_raw(addr, "GET /api/rds/DescribeDBInstances?PageSize=100 HTTP/1.1", &alice, b"").await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(up.calls(), 20);
    assert_eq!(got.json()["TotalRecordCount"], 1000, "the pgm-a among the 2,000 read");
    assert_no_secrets();
}

/// A redirect from the upstream is not followed (it could point anywhere, with the signed query).
#[tokio::test]
async fn upstream_redirects_are_not_followed() {
    let elsewhere = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let redirect = Scripted {
        status: 302,
        body: String::new(),
        headers: vec![(
            "location".into(),
            format!("http://{}/?Action=DescribeCloudMigrationResult", elsewhere.host()),
        )],
        delay: Duration::ZERO,
    };
    let up = MockUpstream::start(vec![], Some(redirect)).await;
    let addr = serve_on_port(app(up.app_state(SignatureStyle::V3))).await;
    let got = send_raw(addr, TASKS, &[], b"").await;
    assert_eq!(got.status, 502, "{}", got.body);
    assert_eq!(got.json()["Code"], "Proxy.UpstreamUnavailable");
    assert!(got.header("location").is_none(), "{}", got.head);
    assert_eq!(elsewhere.calls(), 0, "the redirect was followed");
    assert_eq!(up.calls(), 1);
    assert_no_secrets();
}

async fn boom() -> &'static str {
    panic!("internal detail at a hidden place")
}

fn csp() -> HeaderValue {
    HeaderValue::from_static("default-src 'none'")
}

/// A handler that panics answers 500 Proxy.Internal without the panic's message, with the
/// security headers; a request past the timeout answers 408 in the API's shape.
#[tokio::test]
async fn a_panic_and_a_timeout_answer_in_the_error_shape_with_the_headers() {
    let router = axum::Router::new().route("/boom", get(boom)).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            "late"
        }),
    );
    let addr = serve_on_port(migration_proxy::app::harden(router, csp(), Duration::from_millis(300))).await;
    let got = send_raw(addr, "GET /boom HTTP/1.1", &[], b"").await;
    assert_eq!(got.status, 500);
    assert_eq!(got.json()["Code"], "Proxy.Internal");
    assert!(!got.body.contains("hidden place"), "{}", got.body);
    assert_eq!(got.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(got.header("content-security-policy").is_some(), "{}", got.head);

    let got = send_raw(addr, "GET /slow HTTP/1.1", &[], b"").await;
    assert_eq!(got.status, 408, "{}", got.head);
    assert_eq!(got.json()["Code"], "Proxy.RequestTimeout");
    assert_eq!(got.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(got.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{}", got.head);
    assert_eq!(migration_proxy::app::REQUEST_TIMEOUT, Duration::from_secs(30));
}

/// A request body over the limit is refused with 413 in the API's shape, before any work.
#[tokio::test]
async fn a_request_body_over_the_limit_is_refused() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let addr = serve_on_port(app(up.app_state(SignatureStyle::V3))).await;
    // Refused on the announced length, before the body is read (so none is sent here: a body
    // left unread could reset the connection before the answer is read).
    let length = (migration_proxy::app::MAX_REQUEST_BODY + 1).to_string();
    let got = send_raw(addr, TASKS, &[("Content-Length", &length)], b"").await;
    assert_eq!(got.status, 413, "{}", got.head);
    assert_eq!(got.json()["Code"], "Proxy.PayloadTooLarge");
    assert_eq!(got.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(up.calls(), 0);
    // Within the limit, the call goes through.
    let got = send_raw(addr, TASKS, &[("Content-Length", "2")], b"{}").await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_no_secrets();
}

/// `--ops-listen` must be loopback unless allowed; with it, /metrics and /readyz leave the
/// address browsers reach and are served on their own.
#[tokio::test]
async fn ops_listen_takes_the_probes_off_the_app_address() {
    let err =
        migration_proxy::serve::prepare(&serve_args(&["--demo", "--ops-listen", "0.0.0.0:9464"]), &no_env)
            .await
            .err()
            .expect("refused")
            .to_string();
    assert!(err.contains("--ops-listen") && err.contains("loopback"), "{err}");
    let allowed =
        serve_args(&["--demo", "--audit-log", "off", "--ops-listen", "0.0.0.0:9464", "--allow-remote-ops"]);
    assert!(migration_proxy::serve::prepare(&allowed, &no_env).await.is_ok());

    let args = serve_args(&["--demo", "--audit-log", "off", "--ops-listen", "127.0.0.1:0"]);
    let (mut state, _sim) = migration_proxy::serve::prepare(&args, &no_env).await.unwrap();
    state.audit = Some(audit_to_transcript());
    let (router, ops) = migration_proxy::ops::routers(std::sync::Arc::new(state));
    let (ops_addr, _task) = migration_proxy::ops::spawn("127.0.0.1:0".parse().unwrap(), ops).await.unwrap();
    let addr = serve_on_port(router).await;
    assert_eq!(send_raw(addr, "GET /api/rds/DescribeRegions HTTP/1.1", &[], b"").await.status, 200);
    for path in ["/metrics", "/readyz"] {
        let got = send_raw(addr, &format!("GET {path} HTTP/1.1"), &[], b"").await;
        assert!(
            !got.body.contains("credentials") && !got.body.contains("# TYPE"),
            "{path} on the app: {}",
            got.body
        );
    }
    assert_eq!(send_raw(addr, "GET /healthz HTTP/1.1", &[], b"").await.status, 200);
    let metrics = send_raw(ops_addr, "GET /metrics HTTP/1.1", &[], b"").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("DescribeRegions"), "the one set of metrics: {}", metrics.body);
    let ready = send_raw(ops_addr, "GET /readyz HTTP/1.1", &[], b"").await;
    assert_eq!(ready.json()["status"], "ready", "{}", ready.body);
    assert_eq!(ready.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_no_secrets();
}

/// The binary itself with `--log-format json`: every line on stderr is one JSON object.
#[test]
fn log_format_json_writes_one_json_object_a_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // A history store of its own, not ./data in the working tree.
    let data = std::env::temp_dir().join(format!("limits-log-json-{}", std::process::id()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_migration-proxy"))
        .args([
            "--log-format",
            "json",
            "serve",
            "--demo",
            "--audit-log",
            "off",
            "--dist",
            "/nonexistent/dist",
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("MIGRATION_PROXY_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        let serving = line.contains(r#""message":"serving""#);
        lines.push(line);
        if serving {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    record_answer("migration-proxy --log-format json (stderr)", lines.len(), &lines.join("\n"));
    assert!(lines.iter().any(|l| l.contains(r#""message":"serving""#)), "never served: {lines:?}");
    assert!(lines.len() >= 2, "{lines:?}");
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string(), "{line}");
    }
    assert_no_secrets();
}
