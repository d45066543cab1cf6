//! Shared by the `credentials_*` tests: a fake environment, temporary home directories, a fake
//! clock, and a small STS + ECS-metadata stand-in on loopback that checks what the chain sends.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Utc};
use migration_proxy::credentials::{ChainConfig, Clock};
use migration_proxy::signing::rpc;
pub use migration_proxy::simulator::ManualClock;
use serde_json::json;
use url::Url;

pub const AK_ID: &str = "profile-ak-id";
pub const AK_SECRET: &str = "profile-ak-s3cr3t";
pub const OIDC_TOKEN: &str = "eyJhbGciOi.oidc-t0ken-body.sig";
pub const IMDS_TOKEN: &str = "imds-t0ken";
pub const ROLE_ARN: &str = "acs:ram::1234567890:role/migration-reader";
pub const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890:oidc-provider/ack-rrsa";

/// A directory under the system temp dir, removed on drop.
pub struct TempHome {
    pub path: PathBuf,
}

impl TempHome {
    pub fn new() -> TempHome {
        let path =
            std::env::temp_dir().join(format!("migration-proxy-creds-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap();
        TempHome { path }
    }

    /// Writes `rel` (creating parent directories) and returns its path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A clock tests move by hand, starting now at a whole second (like STS expirations).
pub fn fake_clock() -> ManualClock {
    ManualClock::new(DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap())
}

/// A chain configuration over a fake environment and a temporary home, with the metadata
/// service pointed at a closed loopback port (so nothing reaches 100.100.100.200) and no
/// background refresh.
pub fn config(env: &[(&str, &str)], home: &Path) -> ChainConfig {
    let map: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut cfg = ChainConfig::new(move |k: &str| map.get(k).cloned(), Some(home.to_path_buf()));
    cfg.ecs_metadata_endpoint = Url::parse(&format!("http://{}", closed_port())).unwrap();
    cfg.metadata_timeout = Duration::from_millis(500);
    cfg.sts_timeout = Duration::from_secs(5);
    cfg.background_refresh = false;
    cfg
}

/// A loopback address nothing listens on.
pub fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

/// One request the stand-in received (form and query merged; secrets included, for asserts).
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub params: HashMap<String, String>,
    pub query_names: Vec<String>,
    pub headers: HashMap<String, String>,
}

/// How the stand-in behaves; tests flip these while it runs.
pub struct Mock {
    pub clock: Clock,
    /// Keys STS accepts for AssumeRole: id → (secret, security token).
    pub keys: Mutex<HashMap<String, (String, Option<String>)>>,
    /// STS answers 403 NoPermission (with an echo of what it got, to test scrubbing).
    pub sts_fail: AtomicBool,
    /// Lifetime of issued credentials; 0 = the requested DurationSeconds.
    pub lifetime_secs: AtomicU64,
    /// Delay before STS answers, in ms.
    pub sts_delay_ms: AtomicU64,
    pub issued: AtomicUsize,
    pub seen: Mutex<Vec<Seen>>,
    /// IMDS: refuse the token PUT (an IMDSv1-only service).
    pub imds_v1_only: AtomicBool,
    /// IMDS: the attached role ("" = none).
    pub imds_role: Mutex<String>,
}

impl Mock {
    pub fn count(&self, action_or_path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| {
                s.params.get("Action").map(String::as_str) == Some(action_or_path) || s.path == action_or_path
            })
            .count()
    }
    pub fn last(&self, action: &str) -> Option<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|s| s.params.get("Action").map(String::as_str) == Some(action))
            .cloned()
    }
}

pub struct MockServer {
    pub addr: SocketAddr,
    pub state: Arc<Mock>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    pub fn url(&self) -> Url {
        Url::parse(&format!("http://{}", self.addr)).unwrap()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start_mock(clock: Clock) -> MockServer {
    let mut keys = HashMap::new();
    keys.insert(AK_ID.to_string(), (AK_SECRET.to_string(), None));
    let state = Arc::new(Mock {
        clock,
        keys: Mutex::new(keys),
        sts_fail: AtomicBool::new(false),
        lifetime_secs: AtomicU64::new(0),
        sts_delay_ms: AtomicU64::new(0),
        issued: AtomicUsize::new(0),
        seen: Mutex::new(Vec::new()),
        imds_v1_only: AtomicBool::new(false),
        imds_role: Mutex::new("EcsRoleForMigration".to_string()),
    });
    let app = Router::new().fallback(handle).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    MockServer { addr, state, task }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"RequestId": "MOCK-REQ", "Code": code, "Message": message}))).into_response()
}

async fn handle(
    State(mock): State<Arc<Mock>>,
    method: Method,
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: Vec<(String, String)> =
        form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect();
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in query.iter().chain(form.iter()) {
        params.insert(k.clone(), v.clone());
    }
    let header_map: HashMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    mock.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        params: params.clone(),
        query_names: query.iter().map(|(k, _)| k.clone()).collect(),
        headers: header_map.clone(),
    });
    let path = uri.path();
    if path.starts_with("/latest/") {
        return imds(&mock, &method, path, &header_map);
    }
    let delay = mock.sts_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if method != Method::POST || path != "/" {
        return error(StatusCode::NOT_FOUND, "InvalidApi.NotFound", "not found");
    }
    if params.get("Version").map(String::as_str) != Some("2015-04-01") {
        return error(StatusCode::BAD_REQUEST, "InvalidVersion", "wrong version");
    }
    match params.get("Action").map(String::as_str) {
        Some("AssumeRole") => {
            // The signature covers query and form together; recompute it.
            let Some(id) = params.get("AccessKeyId") else {
                return error(StatusCode::BAD_REQUEST, "MissingAccessKeyId", "");
            };
            let Some((secret, token)) = mock.keys.lock().unwrap().get(id).cloned() else {
                return error(
                    StatusCode::NOT_FOUND,
                    "InvalidAccessKeyId.NotFound",
                    "Specified access key is not found.",
                );
            };
            let signed: Vec<(String, String)> =
                query.iter().chain(form.iter()).filter(|(k, _)| k != "Signature").cloned().collect();
            let expected = rpc::signature("POST", &signed, &secret);
            if params.get("Signature") != Some(&expected) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation.",
                );
            }
            if params.get("SecurityToken") != token.as_ref() {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidSecurityToken.MismatchWithAccessKey",
                    "token mismatch",
                );
            }
            for required in ["RoleArn", "RoleSessionName", "DurationSeconds"] {
                if !form.iter().any(|(k, _)| k == required) {
                    return error(
                        StatusCode::BAD_REQUEST,
                        &format!("Missing{required}"),
                        "missing in the form body",
                    );
                }
            }
            if mock.sts_fail.load(Ordering::SeqCst) {
                return error(
                    StatusCode::FORBIDDEN,
                    "NoPermission",
                    &format!("You are not authorized. server string to sign is:POST&%2F&AccessKeyId%3D{id}%26secret%3D{secret}"),
                );
            }
            issue(&mock, &params)
        }
        Some("AssumeRoleWithOIDC") => {
            if params.contains_key("Signature") || params.contains_key("AccessKeyId") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameter",
                    "AssumeRoleWithOIDC is not signed",
                );
            }
            if query.iter().any(|(k, _)| k == "OIDCToken") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameter",
                    "the token must travel in the body",
                );
            }
            let token = params.get("OIDCToken").cloned().unwrap_or_default();
            if mock.sts_fail.load(Ordering::SeqCst) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "AuthenticationFail.OIDCToken.Invalid",
                    &format!("The token {token} is invalid."),
                );
            }
            if !token.starts_with("eyJ") {
                return error(StatusCode::BAD_REQUEST, "AuthenticationFail.OIDCToken.Invalid", "bad token");
            }
            issue(&mock, &params)
        }
        _ => error(StatusCode::BAD_REQUEST, "InvalidAction.NotFound", "unknown action"),
    }
}

fn issue(mock: &Mock, params: &HashMap<String, String>) -> Response {
    let n = mock.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let requested: i64 = params.get("DurationSeconds").and_then(|d| d.parse().ok()).unwrap_or(3600);
    let lifetime = match mock.lifetime_secs.load(Ordering::SeqCst) {
        0 => requested,
        l => l as i64,
    };
    let expiration = (mock.clock)() + chrono::Duration::seconds(lifetime);
    axum::Json(json!({
        "RequestId": format!("MOCK-{n}"),
        "AssumedRoleUser": {"Arn": params.get("RoleArn"), "AssumedRoleId": format!("id:{n}")},
        "Credentials": {
            "AccessKeyId": format!("STS.issued-{n}"),
            "AccessKeySecret": format!("sts-s3cr3t-{n}"),
            "SecurityToken": format!("sts-t0ken-{n}"),
            "Expiration": expiration.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }))
    .into_response()
}

fn imds(mock: &Mock, method: &Method, path: &str, headers: &HashMap<String, String>) -> Response {
    let v1_only = mock.imds_v1_only.load(Ordering::SeqCst);
    if path == "/latest/api/token" {
        if v1_only {
            return (StatusCode::FORBIDDEN, "no").into_response();
        }
        if *method != Method::PUT || headers.get("x-aliyun-ecs-metadata-token-ttl-seconds").is_none() {
            return (StatusCode::BAD_REQUEST, "bad token request").into_response();
        }
        return IMDS_TOKEN.into_response();
    }
    if !v1_only && headers.get("x-aliyun-ecs-metadata-token").map(String::as_str) != Some(IMDS_TOKEN) {
        return (StatusCode::UNAUTHORIZED, "missing token").into_response();
    }
    let role = mock.imds_role.lock().unwrap().clone();
    let prefix = "/latest/meta-data/ram/security-credentials/";
    let Some(rest) = path.strip_prefix(prefix) else { return StatusCode::NOT_FOUND.into_response() };
    if rest.is_empty() {
        return if role.is_empty() { StatusCode::NOT_FOUND.into_response() } else { role.into_response() };
    }
    if rest != role {
        return StatusCode::NOT_FOUND.into_response();
    }
    let n = mock.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let lifetime = match mock.lifetime_secs.load(Ordering::SeqCst) {
        0 => 6 * 3600,
        l => l as i64,
    };
    let now = (mock.clock)();
    axum::Json(json!({
        "Code": "Success",
        "AccessKeyId": format!("STS.ecs-{n}"),
        "AccessKeySecret": format!("ecs-s3cr3t-{n}"),
        "SecurityToken": format!("ecs-t0ken-{n}"),
        "Expiration": (now + chrono::Duration::seconds(lifetime)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "LastUpdated": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }))
    .into_response()
}

/// Asserts none of the secrets the tests use appears in `text`.
pub fn assert_no_secrets(text: &str) {
    // What the provider said (errors, descriptions, status) joins the suite-wide scan too.
    crate::common::record_answer("credential outcome", "", text);
    for s in [
        AK_SECRET,
        OIDC_TOKEN,
        IMDS_TOKEN,
        "sts-s3cr3t-",
        "sts-t0ken-",
        "ecs-s3cr3t-",
        "ecs-t0ken-",
        "env-s3cr3t",
        "env-t0ken",
    ] {
        assert!(!text.contains(s), "{s:?} leaked into: {text}");
    }
}
