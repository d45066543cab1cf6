//! The proxy against a scripted upstream that checks every signature independently: success,
//! each error class, retries, the retry budget, coalescing, stale-if-error, redaction, the auth
//! modes, policies, and bad input. Every test ends with the secret scan.
mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use migration_proxy::app::{app, AppState};
use migration_proxy::auth::{hash_token, Authenticator};
use migration_proxy::config::SignatureStyle;
use serde_json::Value;
use tower::ServiceExt;

const TASKS: &str = "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-abc";

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(router: &axum::Router, req: Request<Body>) -> Got {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    record_answer("(in-process)", status, &format!("{headers:?} {body}"));
    Got { status, headers, body }
}

async fn get(router: &axum::Router, uri: &str) -> Got {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn success_is_signed_redacted_and_cached_in_both_styles() {
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let up = MockUpstream::start(vec![ok(&task_list_with_secrets())], None).await;
        let router = app(up.app_state(style));
        let got = get(&router, TASKS).await;
        assert_eq!(got.status, StatusCode::OK, "{style:?}: {}", got.body);
        assert_eq!(got.headers["x-proxy-cache"], "miss");
        let v = got.json();
        assert_eq!(v["Items"][0]["TaskId"], 1);
        assert!(v["Items"][0].get("SourcePassword").is_none());
        assert!(v["Items"][0]["ReplicationInfo"].as_str().unwrap().contains("password=********"));
        assert_eq!(v["RequestId"], "UP-OK", "the upstream RequestId is kept");
        let again = get(&router, TASKS).await;
        assert_eq!(again.headers["x-proxy-cache"], "hit");
        assert_eq!(up.calls(), 1);
        assert_eq!(up.state.bad_signatures.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
    assert_no_secrets();
}

#[tokio::test]
async fn client_and_auth_errors_pass_through_and_are_never_retried() {
    for (status, code) in [
        (404, "InvalidDBInstanceName.NotFound"),
        (400, "SignatureDoesNotMatch"),
        (403, "Forbidden.RAM"),
        (400, "MissingPageSize"),
    ] {
        let up = MockUpstream::start(vec![err(status, code)], Some(ok(&task_list_with_secrets()))).await;
        let router = app(up.app_state(SignatureStyle::V3));
        let got = get(&router, TASKS).await;
        assert_eq!(got.status.as_u16(), status, "{code}");
        assert_eq!(got.json()["Code"], code);
        assert_eq!(got.json()["RequestId"], format!("UP-{code}"));
        assert_eq!(up.calls(), 1, "{code} must not be retried");
    }
    assert_no_secrets();
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_then_succeed() {
    for code in ["Throttling.User", "ServiceUnavailable", "InternalError"] {
        let status = if code == "Throttling.User" { 400 } else { 503 };
        let up = MockUpstream::start(
            vec![err(status, code), err(status, code), ok(&task_list_with_secrets())],
            None,
        )
        .await;
        let router = app(up.app_state(SignatureStyle::V3));
        let got = get(&router, TASKS).await;
        assert_eq!(got.status, StatusCode::OK, "{code}: {}", got.body);
        assert_eq!(up.calls(), 3, "{code}");
        // Each attempt was signed afresh: the mock refuses a reused nonce.
        assert_eq!(up.state.nonces.lock().unwrap().len(), 3);
    }
    assert_no_secrets();
}

#[tokio::test]
async fn rate_limit_headers_are_honoured() {
    let mut throttled = err(400, "Throttling.Api");
    throttled.headers.push(("x-ratelimit-user-api".into(), "Limit:1,Remain:0,TimeLeft:300,Reset:1".into()));
    let up = MockUpstream::start(vec![throttled, ok(&task_list_with_secrets())], None).await;
    let router = app(up.app_state(SignatureStyle::V3));
    let started = std::time::Instant::now();
    let got = get(&router, TASKS).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300), "waited {:?}", started.elapsed());
    assert_no_secrets();
}

#[tokio::test]
async fn an_exhausted_retry_budget_returns_the_last_answer() {
    let up = MockUpstream::start(vec![], Some(err(503, "ServiceUnavailable"))).await;
    let router = app(up.app_state(SignatureStyle::V3));
    let got = get(&router, TASKS).await;
    assert_eq!(got.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(got.json()["Code"], "ServiceUnavailable");
    assert_eq!(up.calls(), 4, "the default budget is 4 attempts");
    assert_no_secrets();
}

#[tokio::test]
async fn a_slow_upstream_times_out_in_the_api_shape() {
    let mut slow = ok(&task_list_with_secrets());
    slow.delay = Duration::from_secs(5);
    let up = MockUpstream::start(vec![], Some(slow)).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.retry.deadline = Duration::from_millis(600);
    let router = app(state);
    let got = get(&router, TASKS).await;
    assert_eq!(got.status, StatusCode::GATEWAY_TIMEOUT, "{}", got.body);
    assert_eq!(got.json()["Code"], "Proxy.UpstreamTimeout");
    assert_no_secrets();
}

#[tokio::test]
async fn fifty_concurrent_identical_requests_make_one_upstream_call() {
    let mut slow = ok(&task_list_with_secrets());
    slow.delay = Duration::from_millis(200);
    let up = MockUpstream::start(vec![slow], None).await;
    let router = app(up.app_state(SignatureStyle::V3));
    let mut handles = Vec::new();
    for _ in 0..50 {
        let router = router.clone();
        handles.push(tokio::spawn(async move { get(&router, TASKS).await }));
    }
    let mut outcomes = Vec::new();
    for h in handles {
        let got = h.await.unwrap();
        assert_eq!(got.status, StatusCode::OK);
        outcomes.push(got.headers["x-proxy-cache"].to_str().unwrap().to_string());
    }
    assert_eq!(up.calls(), 1);
    assert_eq!(outcomes.iter().filter(|o| *o == "coalesced").count(), 49, "{outcomes:?}");
    let metrics = get(&router, "/metrics").await.body;
    assert!(metrics.contains(r#"migration_proxy_cache_answers_total{outcome="coalesced"} 49"#), "{metrics}");
    assert_no_secrets();
}

#[tokio::test]
async fn the_last_good_answer_is_served_stale_when_the_upstream_fails() {
    let up =
        MockUpstream::start(vec![ok(&task_list_with_secrets())], Some(err(503, "ServiceUnavailable"))).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.cache = migration_proxy::cache::Cache::new(Duration::from_millis(50), Duration::from_secs(60), 100);
    let router = app(state);
    assert_eq!(get(&router, TASKS).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let got = get(&router, TASKS).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.headers["x-proxy-cache"], "stale");
    assert!(got.headers["x-proxy-stale"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(got.json()["Items"][0]["TaskId"], 1);
    assert_no_secrets();
}

fn with_peer(state: AppState, peer: &str) -> axum::Router {
    app(state).layer(MockConnectInfo(peer.parse::<SocketAddr>().unwrap()))
}

#[tokio::test]
async fn trusted_headers_count_only_from_the_portal_proxy() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let make = |peer: &str| {
        let mut state = up.app_state(SignatureStyle::V3);
        state.auth = Authenticator::TrustedHeader {
            proxies: Authenticator::parse_networks("10.9.0.1").unwrap(),
            user_header: "x-forwarded-user".parse().unwrap(),
            groups_header: None,
        };
        with_peer(state, peer)
    };
    let req = || Request::get(TASKS).header("x-forwarded-user", "alice").body(Body::empty()).unwrap();
    assert_eq!(send(&make("10.9.0.1:5000"), req()).await.status, StatusCode::OK);
    let forged = send(&make("10.9.0.2:5000"), req()).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.json()["Code"], "Proxy.Unauthorized");
    let none = send(&make("10.9.0.1:5000"), Request::get(TASKS).body(Body::empty()).unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let session = send(
        &make("10.9.0.1:5000"),
        Request::get("/api/session").header("x-forwarded-user", "alice").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(session.json()["user"], "alice");
    assert_no_secrets();
}

#[tokio::test]
async fn bearer_tokens_are_required_in_bearer_mode() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let dir = std::env::temp_dir().join(format!("bearer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tokens"), format!("script {}\n", hash_token("s3cret-t0ken"))).unwrap();
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = Authenticator::Bearer { tokens: Authenticator::load_tokens(&dir.join("tokens")).unwrap() };
    let router = app(state);
    assert_eq!(get(&router, TASKS).await.status, StatusCode::UNAUTHORIZED);
    let bad = send(
        &router,
        Request::get(TASKS).header("authorization", "Bearer nope").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let good = send(
        &router,
        Request::get(TASKS).header("authorization", "Bearer s3cret-t0ken").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(good.status, StatusCode::OK);
    // Health probes stay open for the orchestrator.
    assert_eq!(get(&router, "/healthz").await.status, StatusCode::OK);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_no_secrets();
}

#[tokio::test]
async fn a_policy_refuses_forbidden_instances_and_filters_lists() {
    let instances: Vec<Value> = (0..5)
        .map(|i| serde_json::json!({"DBInstanceId": if i % 2 == 0 { format!("pgm-team{i}") } else { format!("pgm-other{i}") }}))
        .collect();
    let list = serde_json::json!({"Items": {"DBInstance": instances}, "PageNumber": 1, "PageRecordCount": 5, "TotalRecordCount": 5, "RequestId": "UP-LIST"});
    let up = MockUpstream::start(vec![], Some(ok(&list.to_string()))).await;
    let dir = std::env::temp_dir().join(format!("policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.json"), r#"{"users": {"alice": ["pgm-team*"]}}"#).unwrap();
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = Authenticator::TrustedHeader {
        proxies: Authenticator::parse_networks("127.0.0.1").unwrap(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: None,
    };
    state.policy = Some(migration_proxy::policy::Policy::load(&dir.join("p.json")).unwrap());
    let router = with_peer(state, "127.0.0.1:1");
    let as_alice =
        |uri: &str| Request::get(uri).header("x-forwarded-user", "alice").body(Body::empty()).unwrap();

    let denied =
        send(&router, as_alice("/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-other1")).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.json()["Code"], "Proxy.Forbidden");

    let list = send(&router, as_alice("/api/rds/DescribeDBInstances?RegionId=cn-hangzhou")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let v = list.json();
    let ids: Vec<&str> = v["Items"]["DBInstance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["DBInstanceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["pgm-team0", "pgm-team2", "pgm-team4"]);
    assert_eq!(v["TotalRecordCount"], 3);
    assert_eq!(v["PageRecordCount"], 3);

    let nobody = send(
        &router,
        Request::get("/api/rds/DescribeDBInstances")
            .header("x-forwarded-user", "eve")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(nobody.json()["TotalRecordCount"], 0);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_no_secrets();
}

#[tokio::test]
async fn oversize_or_invalid_input_is_refused_before_the_upstream() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let router = app(up.app_state(SignatureStyle::V3));
    let long =
        format!("/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-a&TaskName={}", "a".repeat(5000));
    let cases = [
        (long.as_str(), 413, "Proxy.PayloadTooLarge"),
        (
            "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-a&PageSize=1000",
            400,
            "Proxy.InvalidParameter",
        ),
        (
            "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-a&RegionId=evil.com%2F",
            400,
            "Proxy.InvalidParameter",
        ),
        ("/api/rds/DescribeCloudMigrationResult?DBInstanceName=%00", 400, "Proxy.InvalidParameter"),
        ("/api/rds/CreateCloudMigrationTask?DBInstanceName=pgm-a", 403, "Proxy.ActionNotAllowed"),
    ];
    for (uri, status, code) in cases {
        let got = get(&router, uri).await;
        assert_eq!(got.status.as_u16(), status, "{uri}");
        assert_eq!(got.json()["Code"], code, "{uri}");
    }
    let post = send(&router, Request::post(TASKS).body(Body::from("x")).unwrap()).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(up.calls(), 0, "nothing reached the upstream");
    assert_no_secrets();
}

#[tokio::test]
async fn readyz_reports_the_last_upstream_call_without_making_one() {
    let up = MockUpstream::start(vec![ok(&task_list_with_secrets())], None).await;
    let router = app(up.app_state(SignatureStyle::V3));
    let ready = get(&router, "/readyz").await.json();
    assert_eq!(ready["lastUpstreamCall"], Value::Null);
    assert_eq!(up.calls(), 0);
    get(&router, TASKS).await;
    let ready = get(&router, "/readyz").await.json();
    assert_eq!(ready["lastUpstreamCall"]["outcome"], "HTTP 200");
    assert_eq!(up.calls(), 1);
    let _ = Arc::new(());
    assert_no_secrets();
}
