//! Every fault flag of the simulator, met by the real proxy (`app(AppState)` with its upstream,
//! retries and clock correction): throttling (random and a QPS limit), 5xx answers, added
//! latency, calls that hang until the proxy gives up, malformed bodies and server clock skew.
//! The proxy's answers keep Alibaba's error shape and never carry a secret. Then the faults
//! changed while the simulator runs (`--control`, `GET`/`PUT /-/faults`), and the STS /
//! ECS-metadata stand-ins made unavailable.
mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::retry::RetryPolicy;
use migration_proxy::signing::{rpc, timestamp};
use migration_proxy::simulator::{self, Faults, SimConfig};
use migration_proxy::upstream::{check_endpoint, Upstream};
use serde_json::Value;
use tower::ServiceExt;

const TASKS: &str =
    "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo&RegionId=cn-hangzhou";

async fn sim_with(faults: Faults) -> simulator::Running {
    simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig { faults, ..SimConfig::default() })
        .await
        .unwrap()
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
    let mut state = AppState::new(
        Upstream::new(Some(endpoint), creds, style, timeout).unwrap(),
        Mode::Demo,
        "cn-hangzhou",
    );
    state.audit = Some(common::audit_to_transcript());
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
            assert!(
                v["RequestId"].is_string() && v["Code"].is_string() && v["Message"].is_string(),
                "{}",
                self.body
            );
        }
    }

    /// The control endpoint's error shape: exactly Code, Message and RequestId.
    fn check_control_error(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.code().as_str()), (status, code), "{}", self.body);
        let v = self.json();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["Code", "Message", "RequestId"], "{}", self.body);
        assert_eq!(v["RequestId"].as_str().unwrap().len(), 36, "{}", self.body);
    }
}

async fn get(state: AppState, uri: &str) -> Answer {
    let t0 = Instant::now();
    let resp = app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = format!("{:?}", resp.headers());
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    common::record_answer(uri, status, &format!("{headers}\n{body}"));
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
        assert!(
            a.took >= Duration::from_millis(150),
            "each retry waited the TimeLeft asked for: {:?}",
            a.took
        );
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
    assert!(
        sim.simulator().rds_calls() > 3,
        "at least one call was throttled: {}",
        sim.simulator().rds_calls()
    );
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
        let resp = app
            .clone()
            .oneshot(Request::get(format!("{TASKS}&PageNumber={page}")).body(Body::empty()).unwrap())
            .await
            .unwrap();
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
        assert_eq!(
            (a.status, a.code().as_str()),
            (502, "Proxy.UpstreamUnavailable"),
            "{style:?}: {}",
            a.body
        );
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

// ---- Faults changed while running (`--control`) ----

async fn sim_with_control(control: bool) -> simulator::Running {
    simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig { control, ..SimConfig::default() })
        .await
        .unwrap()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

/// The simulator's own answer (not through the proxy), its shape unchecked.
async fn raw(req: reqwest::RequestBuilder) -> Answer {
    let t0 = Instant::now();
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let url = r.url().path().to_string();
    let body = r.text().await.unwrap();
    common::record_answer(&url, status, common::upstream_body_for_transcript(&body));
    Answer { status, body, took: t0.elapsed() }
}

async fn get_faults(sim: &simulator::Running) -> Answer {
    raw(http().get(format!("{}/-/faults", sim.url()))).await
}

async fn put_faults(sim: &simulator::Running, body: &str) -> Answer {
    raw(http()
        .put(format!("{}/-/faults", sim.url()))
        .header("content-type", "application/json")
        .body(body.to_string()))
    .await
}

/// One attempt only, so a throttled answer comes straight back.
fn proxy_once(sim: &simulator::Running) -> AppState {
    let mut state = proxy(sim, SignatureStyle::V3, Duration::from_secs(5));
    state.retry.max_attempts = 1;
    state
}

#[tokio::test]
async fn faults_are_read_and_replaced_over_http_while_running() {
    let sim = sim_with_control(true).await;
    let g = get_faults(&sim).await;
    assert_eq!(g.status, 200, "{}", g.body);
    assert_eq!(serde_json::from_str::<Faults>(&g.body).unwrap(), Faults::default());
    assert_eq!(g.json()["throttle_rate"], 0.0);
    assert_eq!(get(proxy_once(&sim), TASKS).await.status, 200);

    // On: the next signed RDS call is throttled.
    let p = put_faults(&sim, r#"{"throttle_rate":1}"#).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let on = Faults { throttle_rate: 1.0, ..Faults::default() };
    assert_eq!(serde_json::from_str::<Faults>(&p.body).unwrap(), on, "the answer is the new set");
    assert_eq!(sim.simulator().faults(), on);
    assert_eq!(serde_json::from_str::<Faults>(&get_faults(&sim).await.body).unwrap(), on);
    let before = sim.simulator().rds_calls();
    let a = get(proxy_once(&sim), TASKS).await;
    assert_eq!((a.status, a.code().as_str()), (400, "Throttling.User"), "{}", a.body);
    assert_eq!(sim.simulator().rds_calls() - before, 1);

    // Refused bodies name what was wrong and leave the faults alone.
    let bad = put_faults(&sim, r#"{"throtle_rate":1}"#).await;
    bad.check_control_error(400, "InvalidParameter");
    assert!(bad.json()["Message"].as_str().unwrap().contains("throtle_rate"), "{}", bad.body);
    let bad = put_faults(&sim, r#"{"malformed_rate":2}"#).await;
    bad.check_control_error(400, "InvalidParameter");
    assert!(bad.json()["Message"].as_str().unwrap().contains("malformed_rate"), "{}", bad.body);
    for body in ["", "not json", r#"{"qps_limit":-1}"#, r#"{"timeout_ms":0}"#, "[]"] {
        put_faults(&sim, body).await.check_control_error(400, "InvalidParameter");
    }
    let huge = format!(r#"{{"seed":1{}}}"#, " ".repeat(70 * 1024));
    put_faults(&sim, &huge).await.check_control_error(400, "InvalidParameter");
    assert_eq!(sim.simulator().faults(), on, "unchanged after the refusals");
    assert_eq!(get(proxy_once(&sim), TASKS).await.code(), "Throttling.User");

    // `{}`: everything off again.
    let p = put_faults(&sim, "{}").await;
    assert_eq!(
        (p.status, serde_json::from_str::<Faults>(&p.body).unwrap()),
        (200, Faults::default()),
        "{}",
        p.body
    );
    let a = get(proxy_once(&sim), TASKS).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["Items"][0]["TaskId"], 440437220);

    // Other methods.
    for method in [reqwest::Method::DELETE, reqwest::Method::POST, reqwest::Method::PATCH] {
        let r = raw(http().request(method.clone(), format!("{}/-/faults", sim.url()))).await;
        r.check_control_error(405, "UnsupportedHTTPMethod");
    }

    // The added-latency fault slows calls on / but never the control endpoint.
    assert_eq!(put_faults(&sim, r#"{"latency_ms":1500}"#).await.status, 200);
    let slow = get(proxy_once(&sim), TASKS).await;
    assert!(slow.status == 200 && slow.took >= Duration::from_millis(1500), "{:?} {}", slow.took, slow.body);
    let g = get_faults(&sim).await;
    assert_eq!(g.json()["latency_ms"], 1500);
    assert!(g.took < Duration::from_millis(1000), "{:?}", g.took);
    let p = put_faults(&sim, "{}").await;
    assert!(p.status == 200 && p.took < Duration::from_millis(1000), "{:?}", p.took);
    sim.stop().await;
}

#[tokio::test]
async fn without_control_there_is_no_faults_endpoint() {
    let sim = sim_with_control(false).await;
    let g = get_faults(&sim).await;
    assert_eq!((g.status, g.code().as_str()), (404, "InvalidApi.NotFound"), "{}", g.body);
    let p = put_faults(&sim, r#"{"throttle_rate":1}"#).await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert_eq!(sim.simulator().faults(), Faults::default());
    assert_eq!(get(proxy_once(&sim), TASKS).await.status, 200);
    sim.stop().await;
}

/// STS AssumeRole as the credential providers send it: POST, RPC-signed with the demo key,
/// fields in the form body.
async fn assume_role(sim: &simulator::Running) -> Answer {
    let params: Vec<(String, String)> = [
        ("Format", "JSON"),
        ("RoleArn", "acs:ram::5123456789012345:role/migration-reader"),
        ("RoleSessionName", "migration-proxy"),
        ("DurationSeconds", "900"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let nonce = uuid::Uuid::new_v4().to_string();
    let signed = rpc::sign_params(
        "POST",
        "AssumeRole",
        "2015-04-01",
        &params,
        simulator::DEMO_ACCESS_KEY_ID,
        simulator::DEMO_ACCESS_KEY_SECRET,
        None,
        &timestamp::format(sim.simulator().server_now()),
        &nonce,
    );
    raw(http().post(format!("{}/", sim.url())).form(&signed)).await
}

async fn metadata_token(sim: &simulator::Running) -> Answer {
    raw(http()
        .put(format!("{}/latest/api/token", sim.url()))
        .header("X-aliyun-ecs-metadata-token-ttl-seconds", "21600"))
    .await
}

async fn metadata_credentials(sim: &simulator::Running, token: &str) -> Answer {
    let url = format!("{}/latest/meta-data/ram/security-credentials/migration-proxy-demo-role", sim.url());
    raw(http().get(url).header("X-aliyun-ecs-metadata-token", token)).await
}

#[tokio::test]
async fn sts_unavailable_turns_sts_and_the_metadata_service_off_and_on_again() {
    let sim = sim_with_control(true).await;
    // Working to begin with.
    let r = assume_role(&sim).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["Credentials"]["AccessKeyId"].as_str().unwrap().starts_with("STS."));
    let token = metadata_token(&sim).await;
    assert_eq!(token.status, 200, "{}", token.body);
    let token = token.body;
    assert_eq!(metadata_credentials(&sim, &token).await.json()["Code"], "Success");

    // Off: STS and every metadata route answer 503 ServiceUnavailable; RDS is unaffected.
    assert_eq!(put_faults(&sim, r#"{"sts_unavailable":true}"#).await.status, 200);
    let r = assume_role(&sim).await;
    assert_eq!((r.status, r.code().as_str()), (503, "ServiceUnavailable"), "{}", r.body);
    assert_eq!(r.json()["HostId"], "sts.aliyuncs.com", "the STS error shape: {}", r.body);
    assert!(!r.body.contains(simulator::DEMO_ACCESS_KEY_SECRET));
    let t = metadata_token(&sim).await;
    assert_eq!((t.status, t.code().as_str()), (503, "ServiceUnavailable"), "{}", t.body);
    let c = metadata_credentials(&sim, &token).await;
    assert_eq!((c.status, c.code().as_str()), (503, "ServiceUnavailable"), "{}", c.body);
    let roles = raw(http().get(format!("{}/latest/meta-data/ram/security-credentials/", sim.url()))).await;
    assert_eq!(roles.status, 503, "even without a token: {}", roles.body);
    let a = get(proxy_once(&sim), TASKS).await;
    assert_eq!(a.status, 200, "RDS still answers: {}", a.body);

    // On again.
    assert_eq!(put_faults(&sim, "{}").await.status, 200);
    let r = assume_role(&sim).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = metadata_token(&sim).await;
    assert_eq!(t.status, 200, "{}", t.body);
    let c = metadata_credentials(&sim, &token).await;
    assert_eq!((c.status, c.json()["Code"].as_str()), (200, Some("Success")), "{}", c.body);
    sim.stop().await;
}
