//! Test support shared by the proxy's integration tests: a scripted upstream on a real loopback
//! port that verifies signatures with its OWN implementation of Alibaba's V3 and RPC schemes
//! (written from the reference, not calling the proxy's signing code), a helper to build the
//! proxy's app against it, and the secret scan every test ends with.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use migration_proxy::app::{AppState, Mode};
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::upstream::{check_endpoint, Upstream};
use sha2::{Digest, Sha256};

pub const KEY_ID: &str = "test-key-id";
/// Distinctive values the secret scan looks for.
pub const KEY_SECRET: &str = "TestSecret-9f8e7d6c5b4a";
pub const SOURCE_PASSWORD: &str = "SrcPassw0rd-4242";
pub const CONNINFO_PASSWORD: &str = "ConnPassw0rd-4343";

/// One scripted answer.
#[derive(Clone)]
pub struct Scripted {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    pub delay: Duration,
}

pub fn ok(body: &str) -> Scripted {
    Scripted { status: 200, body: body.to_string(), headers: vec![], delay: Duration::ZERO }
}

pub fn err(status: u16, code: &str) -> Scripted {
    Scripted {
        status,
        body: format!(r#"{{"RequestId":"UP-{code}","Code":"{code}","Message":"scripted {code}"}}"#),
        headers: vec![],
        delay: Duration::ZERO,
    }
}

/// A task list whose item holds both kinds of secret.
pub fn task_list_with_secrets() -> String {
    serde_json::json!({
        "Items": [{
            "TaskId": 1, "TaskName": "t1", "MigrateStage": "increment", "ReplicationState": "streaming",
            "SourcePassword": SOURCE_PASSWORD,
            "ReplicationInfo": format!(r#"{{"Status":"streaming","Conninfo":"user=u password={CONNINFO_PASSWORD} host=h"}}"#),
        }],
        "PageNumber": 1, "PageSize": 30, "TotalSize": 1, "RequestId": "UP-OK",
    })
    .to_string()
}

#[derive(Default)]
pub struct MockState {
    pub script: Mutex<VecDeque<Scripted>>,
    /// Answer when the script is empty.
    pub fallback: Mutex<Option<Scripted>>,
    pub calls: AtomicUsize,
    pub bad_signatures: AtomicUsize,
    pub nonces: Mutex<Vec<String>>,
}

pub struct MockUpstream {
    pub addr: SocketAddr,
    pub state: Arc<MockState>,
}

impl MockUpstream {
    pub async fn start(script: Vec<Scripted>, fallback: Option<Scripted>) -> MockUpstream {
        let state = Arc::new(MockState { script: Mutex::new(script.into()), fallback: Mutex::new(fallback), ..Default::default() });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route("/", axum::routing::any(handle)).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        MockUpstream { addr, state }
    }

    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }

    pub fn app_state(&self, style: SignatureStyle) -> AppState {
        let endpoint = check_endpoint(&format!("http://{}", self.addr), false).unwrap();
        let creds = Credentials {
            access_key_id: KEY_ID.into(),
            access_key_secret: Secret::new(KEY_SECRET),
            security_token: None,
            source: Source::Environment,
        };
        let mut state = AppState::new(Upstream::new(Some(endpoint), creds, style, Duration::from_secs(2)).unwrap(), Mode::Live, "cn-hangzhou");
        state.retry.base_backoff = Duration::from_millis(5);
        state.retry.max_backoff = Duration::from_millis(20);
        state
    }
}

async fn handle(State(state): State<Arc<MockState>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let verdict = if headers.contains_key("authorization") {
        verify_v3(method.as_str(), &query, &headers, &body)
    } else {
        verify_rpc(method.as_str(), &query)
    };
    match verdict {
        Ok(nonce) => {
            let mut nonces = state.nonces.lock().unwrap();
            if nonces.contains(&nonce) {
                return (StatusCode::BAD_REQUEST, r#"{"RequestId":"X","Code":"SignatureNonceUsed","Message":"reused"}"#).into_response();
            }
            nonces.push(nonce);
        }
        Err(why) => {
            state.bad_signatures.fetch_add(1, Ordering::SeqCst);
            return (StatusCode::BAD_REQUEST, format!(r#"{{"RequestId":"X","Code":"SignatureDoesNotMatch","Message":"{why}"}}"#)).into_response();
        }
    }
    let next = state.script.lock().unwrap().pop_front().or_else(|| state.fallback.lock().unwrap().clone());
    let Some(s) = next else {
        return (StatusCode::INTERNAL_SERVER_ERROR, r#"{"RequestId":"X","Code":"InternalError","Message":"script exhausted"}"#).into_response();
    };
    if !s.delay.is_zero() {
        tokio::time::sleep(s.delay).await;
    }
    let mut resp = (StatusCode::from_u16(s.status).unwrap(), s.body).into_response();
    for (k, v) in s.headers {
        resp.headers_mut().insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
    }
    resp
}

/// RFC 3986 encoding as Alibaba specifies it (unreserved kept, space as %20).
fn enc(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut enc_pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    enc_pairs.sort();
    enc_pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// Independent V3 check: rebuild the canonical request from the signed headers.
fn verify_v3(method: &str, query: &[(String, String)], headers: &HeaderMap, body: &[u8]) -> Result<String, String> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or("no authorization")?;
    let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or("not ACS3")?;
    let mut credential = "";
    let mut signed = "";
    let mut signature = "";
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or("bad auth part")?;
        match k {
            "Credential" => credential = v,
            "SignedHeaders" => signed = v,
            "Signature" => signature = v,
            _ => {}
        }
    }
    if credential != KEY_ID {
        return Err(format!("unknown key {credential}"));
    }
    let body_hash = hex::encode(Sha256::digest(body));
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_string();
    if header("x-acs-content-sha256") != body_hash {
        return Err("content hash".into());
    }
    let canonical_headers: String = signed.split(';').map(|h| format!("{h}:{}\n", header(h))).collect();
    let canonical = format!("{method}\n/\n{}\n{canonical_headers}\n{signed}\n{body_hash}", canonical_query(query));
    let sts = format!("ACS3-HMAC-SHA256\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY_SECRET.as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    if hex::encode(mac.finalize().into_bytes()) != signature {
        return Err("v3 signature".into());
    }
    for required in ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-action"] {
        if !signed.split(';').any(|h| h == required) {
            return Err(format!("{required} not signed"));
        }
    }
    Ok(header("x-acs-signature-nonce"))
}

/// Independent RPC check (HMAC-SHA1 over the doubly encoded canonical query).
fn verify_rpc(method: &str, query: &[(String, String)]) -> Result<String, String> {
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let signature = get("Signature").ok_or("no Signature")?;
    if get("AccessKeyId").as_deref() != Some(KEY_ID) {
        return Err("unknown key".into());
    }
    let rest: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "Signature").cloned().collect();
    let sts = format!("{method}&%2F&{}", enc(&canonical_query(&rest)));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{KEY_SECRET}&").as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    use base64::Engine;
    if base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()) != signature {
        return Err("rpc signature".into());
    }
    get("SignatureNonce").ok_or_else(|| "no nonce".into())
}

/// Everything the proxy said during the tests of one binary: response bodies and headers, and
/// every log line (a global subscriber writes into the same buffer).
pub fn transcript() -> &'static Mutex<String> {
    static T: OnceLock<Mutex<String>> = OnceLock::new();
    T.get_or_init(|| {
        let writer = || LogWriter;
        let _ = tracing_subscriber::fmt().with_writer(writer).with_max_level(tracing::Level::DEBUG).with_ansi(false).try_init();
        Mutex::new(String::new())
    })
}

struct LogWriter;
impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        transcript().lock().unwrap().push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn record(text: &str) {
    transcript().lock().unwrap().push_str(text);
}

/// The one check: no secret in anything the proxy answered or logged so far.
pub fn assert_no_secrets() {
    let t = transcript().lock().unwrap();
    for secret in [KEY_SECRET, SOURCE_PASSWORD, CONNINFO_PASSWORD, migration_proxy::simulator::DEMO_ACCESS_KEY_SECRET, "\"123456\""] {
        assert!(!t.contains(secret), "a secret ({} chars) appears in a response or log line", secret.len());
    }
}
