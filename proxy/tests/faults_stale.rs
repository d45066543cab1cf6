//! Upstream faults at the proxy, end to end on loopback, as the UI lives through them:
//!
//! - for each way the upstream fails (down, slow, throttling, 5xx, malformed JSON), a caller who
//!   had an answer gets it again marked stale (`X-Proxy-Cache: stale`, `X-Proxy-Stale: <age>`:
//!   what the UI's stale badge reads), and fresh answers again by itself once the fault is gone;
//! - a caller with nothing to fall back on gets the error in the API's shape;
//! - STS credentials expiring mid-run: the proxy refreshes them from the simulator's STS stand-in
//!   and keeps answering (the simulator and the credential provider share one manual clock, so
//!   the proxy also has to correct its clock from the simulator's `Date`).
//!
//! The simulator's own fault flags are tested in sim_faults.rs; here the upstream is the
//! scripted mock, whose faults can be switched on and off mid-test.
mod common;
mod credentials_support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration as Span;
use common::*;
use http_body_util::BodyExt;
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::cache::Cache;
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::CredentialProvider;
use migration_proxy::simulator::{
    self, ManualClock, SimConfig, StsConfig, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use migration_proxy::upstream::{check_endpoint, Upstream};
use serde_json::Value;

const TASKS: &str = "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo";

#[derive(Clone, Copy, Debug)]
enum Fault {
    Down,
    Slow,
    Throttling,
    ServerError,
    Malformed,
}

const FAULTS: [Fault; 5] =
    [Fault::Down, Fault::Slow, Fault::Throttling, Fault::ServerError, Fault::Malformed];

async fn apply(up: &mut MockUpstream, fault: Fault) {
    let answer = match fault {
        Fault::Down => return up.go_down().await,
        Fault::Slow => Scripted { delay: Duration::from_secs(5), ..ok(&task_list_with_secrets()) },
        Fault::Throttling => err(400, "Throttling.User"),
        Fault::ServerError => err(503, "ServiceUnavailable"),
        Fault::Malformed => Scripted {
            status: 200,
            body: "<html>502 Bad Gateway</html>".into(),
            headers: vec![],
            delay: Duration::ZERO,
        },
    };
    up.answer_with(vec![], Some(answer));
}

async fn clear(up: &mut MockUpstream) {
    up.come_back().await;
    up.answer_with(vec![], Some(ok(&task_list_with_secrets())));
}

/// The proxy in front of the mock: a 50 ms cache, 60 s of stale-if-error, an 800 ms budget.
fn proxy(up: &MockUpstream) -> axum::Router {
    let mut state = up.app_state(SignatureStyle::V3);
    state.cache = Cache::new(Duration::from_millis(50), Duration::from_secs(60), 100);
    state.retry.deadline = Duration::from_millis(800);
    app(state)
}

struct Got {
    status: StatusCode,
    cache: Option<String>,
    stale: Option<u64>,
    body: Value,
}

async fn get(router: &axum::Router, uri: &str) -> Got {
    let resp = tower::ServiceExt::oneshot(router.clone(), Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    record_answer(uri, status, &format!("{headers:?} {text}"));
    Got {
        status,
        cache: headers.get("x-proxy-cache").and_then(|v| v.to_str().ok()).map(str::to_string),
        stale: headers.get("x-proxy-stale").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

#[tokio::test]
async fn every_fault_serves_the_last_answer_stale_and_recovers_by_itself() {
    for fault in FAULTS {
        let mut up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
        let router = proxy(&up);
        let fresh = get(&router, TASKS).await;
        assert_eq!((fresh.status, fresh.cache.as_deref()), (StatusCode::OK, Some("miss")), "{fault:?}");

        tokio::time::sleep(Duration::from_millis(120)).await;
        apply(&mut up, fault).await;
        if matches!(fault, Fault::Slow) {
            // Until the slow refetch has failed (the 800 ms budget), a refresh is under way:
            // the saved copy comes at once, marked revalidating, with no stale badge.
            let mut got = get(&router, TASKS).await;
            assert_eq!(
                (got.status, got.cache.as_deref(), got.stale),
                (StatusCode::OK, Some("revalidating"), None)
            );
            assert_eq!(got.body["Items"][0]["TaskId"], 1);
            for _ in 0..30 {
                if got.cache.as_deref() != Some("revalidating") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                got = get(&router, TASKS).await;
            }
        }
        for _ in 0..2 {
            let stale = get(&router, TASKS).await;
            assert_eq!(stale.status, StatusCode::OK, "{fault:?}: {}", stale.body);
            assert_eq!(stale.cache.as_deref(), Some("stale"), "{fault:?}");
            assert!(stale.stale.is_some(), "{fault:?}: X-Proxy-Stale gives the age");
            assert_eq!(stale.body["Items"][0]["TaskId"], 1, "{fault:?}: the last data, unchanged");
            assert!(stale.body["Items"][0].get("SourcePassword").is_none());
        }

        clear(&mut up).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        // A fetch started during the fault may still be under way (a slow upstream's lasts up to
        // the 800 ms budget); until it ends, callers get the stale answer quickly. Then fresh.
        let mut recovered = get(&router, TASKS).await;
        for _ in 0..30 {
            if recovered.cache.as_deref() != Some("stale") {
                break;
            }
            assert_eq!(recovered.body["Items"][0]["TaskId"], 1, "{fault:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
            recovered = get(&router, TASKS).await;
        }
        assert_eq!(
            (recovered.status, recovered.cache.as_deref()),
            (StatusCode::OK, Some("miss")),
            "{fault:?}: {}",
            recovered.body
        );
        assert_eq!(recovered.stale, None, "{fault:?}");
        assert_no_secrets();
    }
}

#[tokio::test]
async fn without_a_last_answer_each_fault_is_an_error_in_the_api_shape() {
    let expected: [(Fault, u16, &str); 5] = [
        (Fault::Down, 502, "Proxy.UpstreamUnavailable"),
        (Fault::Slow, 504, "Proxy.UpstreamTimeout"),
        (Fault::Throttling, 400, "Throttling.User"),
        (Fault::ServerError, 503, "ServiceUnavailable"),
        (Fault::Malformed, 502, "Proxy.UpstreamUnavailable"),
    ];
    for (fault, status, code) in expected {
        let mut up = MockUpstream::start(vec![], None).await;
        let router = proxy(&up);
        apply(&mut up, fault).await;
        let got = get(&router, TASKS).await;
        assert_eq!(
            (got.status.as_u16(), got.body["Code"].as_str()),
            (status, Some(code)),
            "{fault:?}: {}",
            got.body
        );
        assert!(
            got.body["RequestId"].is_string() && got.body["Message"].is_string(),
            "{fault:?}: {}",
            got.body
        );
        assert_ne!(got.cache.as_deref(), Some("stale"));
        // And it recovers by itself, with no restart.
        clear(&mut up).await;
        let later = get(&router, TASKS).await;
        assert_eq!(later.status, StatusCode::OK, "{fault:?}: {}", later.body);
    }
    assert_no_secrets();
}

#[tokio::test]
async fn sts_credentials_expiring_mid_run_are_refreshed_and_the_proxy_keeps_answering() {
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let clock = ManualClock::starting_now();
        let sim = simulator::start(
            "127.0.0.1:0".parse().unwrap(),
            SimConfig { clock: clock.clock(), sts: StsConfig::default(), ..SimConfig::default() },
        )
        .await
        .unwrap();
        let home = credentials_support::TempHome::new();
        home.write(
            ".aliyun/config.json",
            &serde_json::json!({"current": "reader", "profiles": [{"name": "reader", "mode": "RamRoleArn",
                "access_key_id": DEMO_ACCESS_KEY_ID, "access_key_secret": DEMO_ACCESS_KEY_SECRET,
                "ram_role_arn": "acs:ram::5123456789012345:role/migration-reader", "ram_session_name": "migration-dashboard",
                "expired_seconds": 3600}]})
            .to_string(),
        );
        let endpoint = check_endpoint(&format!("http://{}", sim.addr), false).unwrap();
        let mut cfg = credentials_support::config(&[], &home.path);
        cfg.clock = clock.clock();
        cfg.sts_endpoint = Some(endpoint.clone());
        cfg.refresh_margin = Duration::from_secs(15 * 60);
        let provider = CredentialProvider::resolve(&cfg).await.unwrap();
        // Clones share one cache: this one shows which key the proxy signs with.
        let watch = provider.clone();
        let key = || async { watch.current().await.unwrap().access_key_id };
        let mut state = AppState::new(
            Upstream::new(Some(endpoint), provider, style, Duration::from_secs(5)).unwrap(),
            Mode::Live,
            "cn-hangzhou",
        );
        state.audit = Some(audit_to_transcript());
        state.cache = Cache::new(Duration::ZERO, Duration::ZERO, 10);
        state.retry.base_backoff = Duration::from_millis(5);
        let router = app(state);

        let first = get(&router, "/api/rds/DescribeRegions").await;
        assert_eq!(first.status, StatusCode::OK, "{style:?}: {}", first.body);
        let first_key = key().await;
        assert!(first_key.starts_with("STS."), "temporary credentials from the STS stand-in");

        // 50 minutes on: past the refresh point (15 minutes before expiry), the set still valid.
        clock.advance(Span::minutes(50));
        let second = get(&router, "/api/rds/DescribeRegions").await;
        assert_eq!(second.status, StatusCode::OK, "{style:?} after 50 min: {}", second.body);
        let second_key = key().await;
        assert_ne!(second_key, first_key, "refreshed before expiry");

        // 61 minutes after the first issue: the first set has expired; the proxy does not care.
        clock.advance(Span::minutes(11));
        let third = get(&router, "/api/rds/DescribeRegions").await;
        assert_eq!(third.status, StatusCode::OK, "{style:?} after 61 min: {}", third.body);
        assert!(third.body["Regions"].is_object());
        sim.stop().await;
    }
    assert_no_secrets();
}
