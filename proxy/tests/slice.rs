//! One slice through every layer: the proxy signs a call, the simulator checks the signature and
//! answers with the seed's example task, and the proxy strips the password on the way out.
mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::simulator::{self, SimConfig};
use migration_proxy::upstream::{check_endpoint, Upstream};
use serde_json::Value;
use tower::ServiceExt;

async fn state_for(sim: &simulator::Running, secret: &str, style: SignatureStyle) -> AppState {
    let endpoint = check_endpoint(&format!("http://{}", sim.addr), false).unwrap();
    let creds = Credentials {
        access_key_id: simulator::DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(secret),
        security_token: None,
        source: Source::Demo,
    };
    let mut state = AppState::new(
        Upstream::new(Some(endpoint), creds, style, Duration::from_secs(5)).unwrap(),
        Mode::Demo,
        "cn-hangzhou",
    );
    state.audit = Some(common::audit_to_transcript());
    state
}

async fn get(state: AppState, uri: &str) -> (StatusCode, String) {
    let resp = app(state).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = format!("{:?}", resp.headers());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    common::record_answer(uri, status, &format!("{headers}\n{text}"));
    common::assert_no_secrets();
    (status, text)
}

const TASKS: &str =
    "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo&RegionId=cn-hangzhou";

fn assert_no_password(body: &str) {
    assert!(!body.contains("SourcePassword"), "SourcePassword leaked: {body}");
    assert!(!body.contains("\"123456\""), "the seed password leaked");
    assert!(!body.contains("Demo-"), "a generated password leaked");
}

#[tokio::test]
async fn the_seed_task_comes_through_signed_and_redacted() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let (status, body) =
            get(state_for(&sim, simulator::DEMO_ACCESS_KEY_SECRET, style).await, TASKS).await;
        assert_eq!(status, StatusCode::OK, "{style:?}: {body}");
        assert_no_password(&body);
        let v: Value = serde_json::from_str(&body).unwrap();
        let seed = &v["Items"][0];
        assert_eq!(seed["TaskId"], 440437220);
        assert_eq!(seed["MigrateStage"], "switch");
        assert_eq!(seed["ReplicationState"], "streaming");
        assert_eq!(seed["TargetInstanceName"], "pgm-bp102g323jd4demo");
        assert_eq!(v["PageSize"], 30);
        assert_eq!(v["Items"].as_array().unwrap().len(), 30);
        assert!(v["TotalSize"].as_u64().unwrap() > 30);
        assert_eq!(v["RequestId"].as_str().unwrap().len(), 36, "the upstream RequestId is kept");
        // The typed model reads what the proxy returns.
        let typed: migration_model::DescribeCloudMigrationResultResponse =
            serde_json::from_str(&body).unwrap();
        assert_eq!(typed.items[0].task_id, Some(440437220));
        assert!(typed.items.iter().all(|t| t.source_password.is_none()));
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_gets_the_services_error_with_its_status() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let (status, body) = get(state_for(&sim, "not-the-secret", SignatureStyle::V3).await, TASKS).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Code"], "SignatureDoesNotMatch");
    assert!(!body.contains("not-the-secret"));
    sim.stop().await;
}

#[tokio::test]
async fn unknown_instances_and_actions_are_refused_in_the_api_shape() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let cases = [
        (
            "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-nosuchinstance",
            404,
            "InvalidDBInstanceName.NotFound",
        ),
        ("/api/rds/DeleteDBInstance?DBInstanceId=pgm-x", 403, "Proxy.ActionNotAllowed"),
        (
            "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x&Signature=forged",
            400,
            "Proxy.InvalidParameter",
        ),
        ("/api/rds/DescribeCloudMigrationResult", 400, "Proxy.InvalidParameter"),
        ("/api/nothing", 404, "Proxy.NotFound"),
    ];
    for (uri, want_status, want_code) in cases {
        let (status, body) =
            get(state_for(&sim, simulator::DEMO_ACCESS_KEY_SECRET, SignatureStyle::V3).await, uri).await;
        assert_eq!(status.as_u16(), want_status, "{uri}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["Code"], want_code, "{uri}");
        assert!(v["RequestId"].is_string() && v["Message"].is_string(), "{uri}: {body}");
    }
    sim.stop().await;
}

#[tokio::test]
async fn the_session_says_demo() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let (status, body) =
        get(state_for(&sim, simulator::DEMO_ACCESS_KEY_SECRET, SignatureStyle::V3).await, "/api/session")
            .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["mode"], "demo");
    assert_eq!(v["region"], "cn-hangzhou");
    sim.stop().await;
}
