//! Every fault flag of the simulator, met by the real proxy (`app(AppState)` with its upstream,
//! retries and clock correction): throttling (random and a QPS limit), 5xx answers, added
//! latency, calls that hang until the proxy gives up, malformed bodies and server clock skew.
//! The proxy's answers keep Alibaba's error shape and never carry a secret.
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::retry::RetryPolicy;
use migration_proxy::simulator::{self, Faults, SimConfig};
use migration_proxy::upstream::{check_endpoint, Upstream};
use serde_json::Value;
use tower::ServiceExt;

const TASKS: &str = "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo&RegionId=cn-hangzhou";

async fn sim_with(faults: Faults) -> simulator::Running {
    simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig { faults, ..SimConfig::default() }).await.unwrap()
}

/// The proxy against `sim`, with a quick retry policy so the tests stay short.
fn proxy(sim: &simulator::Running, style: SignatureStyle, timeout: Duration) -> AppState {
    let endpoint = check_endpoint(&sim.url(), false).unwrap();
    let creds = Credentials {
        access_key_id: simulator::DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(simulator::DEMO_ACCESS_KEY_SECRET),
        security_token: None,
        source: Source::Demo,
    };
    let mut state = AppState::new(Upstream::new(Some(endpoint), creds, style, timeout).unwrap(), Mode::Demo, "cn-hangzhou");
    state.retry = RetryPolicy {
        max_attempts: 4,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        deadline: Duration::from_secs(10),
    };
    state
}

struct Answer {
    status: u16,
    body: String,
    took: Duration,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_string()
    }

    /// Alibaba's error shape, and no secret.
    fn check_shape(&self) {
        assert!(!self.body.contains(simulator::DEMO_ACCESS_KEY_SECRET), "the secret leaked: {}", self.body);
        assert!(!self.body.contains("123456") && !self.body.contains("Demo-"), "a password leaked");
        if self.status != 200 {
            let v = self.json();
            assert!(v["RequestId"].is_string() && v["Code"].is_string() && v["Message"].is_string(), "{}", self.body);
        }
    }
}

async fn get(state: AppState, uri: &str) -> Answer {
    let t0 = Instant::now();
    let resp = app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let a = Answer { status, body, took: t0.elapsed() };
    a.check_shape();
    a
}

#[tokio::test]
async fn throttling_is_retried_then_passed_through_with_the_services_code() {
    let sim = sim_with(Faults { throttle_rate: 1.0, throttle_time_left_ms: 50, ..Faults::default() }).await;
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let before = sim.simulator().rds_calls();
        let a = get(proxy(&sim, style, Duration::from_secs(5)), TASKS).await;
        assert_eq!((a.status, a.code().as_str()), (400, "Throttling.User"), "{style:?}: {}", a.body);
        assert_eq!(sim.simulator().rds_calls() - before, 4, "{style:?}: four attempts in all");
        assert!(a.took >= Duration::from_millis(150), "each retry waited the TimeLeft asked for: {:?}", a.took);
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_qps_limit_throttles_and_the_retry_after_the_asked_wait_succeeds() {
    let sim = sim_with(Faults { qps_limit: 1, ..Faults::default() }).await;
    let state = proxy(&sim, SignatureStyle::V3, Duration::from_secs(5));
    let app = app(state);
    // Different pages: the proxy's cache cannot answer the second.
    let mut answers = Vec::new();
    for page in 1..=3 {
        let uri = format!("{TASKS}&PageNumber={page}");
        let resp = app.clone().oneshot(Request::get(&uri).body(Body::empty()).unwrap()).await.unwrap();
        answers.push(resp.status().as_u16());
    }
    assert_eq!(answers, [200, 200, 200], "throttled calls were retried after the wait and succeeded");
    assert!(sim.simulator().rds_calls() > 3, "at least one call was throttled: {}", sim.simulator().rds_calls());
    sim.stop().await;
}

#[tokio::test]
async fn server_errors_are_retried_then_passed_through_with_their_status() {
    let sim = sim_with(Faults { server_error_rate: 1.0, seed: 3, ..Faults::default() }).await;
    let a = get(proxy(&sim, SignatureStyle::Rpc, Duration::from_secs(5)), TASKS).await;
    assert!(
        matches!((a.status, a.code().as_str()), (500, "InternalError") | (503, "ServiceUnavailable")),
        "{} {}",
        a.status,
        a.body
    );
    assert_eq!(sim.simulator().rds_calls(), 4);
    sim.stop().await;

    // Half the calls fail (seeded): the retries get the answer through.
    let sim = sim_with(Faults { server_error_rate: 0.5, seed: 7, ..Faults::default() }).await;
    let state = proxy(&sim, SignatureStyle::V3, Duration::from_secs(5));
    let app = app(state);
    let mut ok = 0;
    for page in 1..=6 {
        let resp = app.clone().oneshot(Request::get(format!("{TASKS}&PageNumber={page}")).body(Body::empty()).unwrap()).await.unwrap();
        ok += usize::from(resp.status().as_u16() == 200);
    }
    assert!(ok >= 5, "{ok} of 6 got through");
    assert!(sim.simulator().rds_calls() > 6, "some were retried");
    sim.stop().await;
}

#[tokio::test]
async fn added_latency_slows_every_call_but_it_succeeds() {
    let sim = sim_with(Faults { latency_ms: 300, latency_jitter_ms: 50, ..Faults::default() }).await;
    let a = get(proxy(&sim, SignatureStyle::V3, Duration::from_secs(5)), TASKS).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.took >= Duration::from_millis(300), "{:?}", a.took);
    assert_eq!(a.json()["Items"][0]["TaskId"], 440437220);
    sim.stop().await;
}

#[tokio::test]
async fn a_hanging_upstream_makes_the_proxy_time_out() {
    let sim = sim_with(Faults { timeout_rate: 1.0, timeout_ms: 60_000, ..Faults::default() }).await;
    let a = get(proxy(&sim, SignatureStyle::V3, Duration::from_millis(300)), TASKS).await;
    assert_eq!((a.status, a.code().as_str()), (504, "Proxy.UpstreamTimeout"), "{}", a.body);
    assert!(a.took < Duration::from_secs(8), "{:?}", a.took);
    // The hanging calls end when the simulator stops.
    let t0 = Instant::now();
    sim.stop().await;
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_malformed_body_becomes_the_proxys_upstream_error() {
    let sim = sim_with(Faults { malformed_rate: 1.0, ..Faults::default() }).await;
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let a = get(proxy(&sim, style, Duration::from_secs(5)), TASKS).await;
        assert_eq!((a.status, a.code().as_str()), (502, "Proxy.UpstreamUnavailable"), "{style:?}: {}", a.body);
    }
    sim.stop().await;
}

#[tokio::test]
async fn server_clock_skew_is_corrected_from_the_date_header() {
    for skew in [20 * 60, -20 * 60] {
        let sim = sim_with(Faults { clock_skew_secs: skew, ..Faults::default() }).await;
        for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
            let before = sim.simulator().rds_calls();
            let a = get(proxy(&sim, style, Duration::from_secs(5)), TASKS).await;
            assert_eq!(a.status, 200, "skew {skew} s, {style:?}: {}", a.body);
            // The first attempt never reaches the RDS action (its timestamp is refused).
            assert_eq!(sim.simulator().rds_calls() - before, 1, "one accepted attempt after the correction");
        }
        sim.stop().await;
    }
    // Within the 15-minute window nothing needs correcting.
    let sim = sim_with(Faults { clock_skew_secs: 5 * 60, ..Faults::default() }).await;
    assert_eq!(get(proxy(&sim, SignatureStyle::V3, Duration::from_secs(5)), TASKS).await.status, 200);
    sim.stop().await;
}
