//! Test support shared by the proxy's integration tests: a scripted upstream on a real loopback
//! port that verifies signatures with its OWN implementation of Alibaba's V3 and RPC schemes
//! (written from the reference, not calling the proxy's signing code), a helper to build the
//! proxy's app against it, and the secret scan every test ends with.
//!
//! Suite-wide scan: when `MIGRATION_PROXY_TEST_TRANSCRIPTS` names a directory (scripts/test.sh
//! sets it), everything recorded here (responses, every log line, every panic message) is also
//! appended to `<dir>/<test binary>.transcript`, and scripts/secret-scan.sh checks all of them,
//! with the API test's and the browser test's proxy logs, for [`SECRETS`] at the end of the run.
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
    /// Every request that reached the mock, at any path (see [`Received`]).
    pub received: Mutex<Vec<Received>>,
}

/// Where one upstream request went and what it asked for, as the mock saw it on the wire.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// The request target's path, as sent.
    pub path: String,
    /// The whole request target (path and query, or an absolute URI if one was sent).
    pub target: String,
    pub host: Option<String>,
    /// `x-acs-action` (V3) or the `Action` parameter (RPC).
    pub action: Option<String>,
    pub query: Vec<(String, String)>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

pub struct MockUpstream {
    pub addr: SocketAddr,
    pub state: Arc<MockState>,
    /// Stops the server (see [`MockUpstream::go_down`]).
    server: Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl MockUpstream {
    pub async fn start(script: Vec<Scripted>, fallback: Option<Scripted>) -> MockUpstream {
        let state = Arc::new(MockState {
            script: Mutex::new(script.into()),
            fallback: Mutex::new(fallback),
            ..Default::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        transcript();
        let server = Some(Self::serve(listener, state.clone()));
        MockUpstream { addr, state, server }
    }

    fn serve(
        listener: tokio::net::TcpListener,
        state: Arc<MockState>,
    ) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let app = axum::Router::new()
            .route("/", axum::routing::any(handle))
            .fallback(wrong_path)
            .layer(axum::middleware::from_fn_with_state(state.clone(), note_request))
            .with_state(state);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap()
        });
        (stop, task)
    }

    /// The upstream goes away: its idle connections are closed and its port refuses new ones.
    pub async fn go_down(&mut self) {
        if let Some((stop, task)) = self.server.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// The upstream is back on the same address.
    pub async fn come_back(&mut self) {
        if self.server.is_none() {
            let listener =
                tokio::net::TcpListener::bind(self.addr).await.expect("the mock's port is free again");
            self.server = Some(Self::serve(listener, self.state.clone()));
        }
    }

    /// Replaces what the mock answers from now on.
    pub fn answer_with(&self, script: Vec<Scripted>, fallback: Option<Scripted>) {
        *self.state.script.lock().unwrap() = script.into();
        *self.state.fallback.lock().unwrap() = fallback;
    }

    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// `host:port` the proxy must always call.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn app_state(&self, style: SignatureStyle) -> AppState {
        let endpoint = check_endpoint(&format!("http://{}", self.addr), false).unwrap();
        let creds = Credentials {
            access_key_id: KEY_ID.into(),
            access_key_secret: Secret::new(KEY_SECRET),
            security_token: None,
            source: Source::Environment,
        };
        let mut state = AppState::new(
            Upstream::new(Some(endpoint), creds, style, Duration::from_secs(2)).unwrap(),
            Mode::Live,
            "cn-hangzhou",
        );
        state.retry.base_backoff = Duration::from_millis(5);
        state.retry.max_backoff = Duration::from_millis(20);
        // The audit log is on in the tests, into the transcript, so the secret scan covers it.
        state.audit = Some(audit_to_transcript());
        state
    }
}

/// An audit log whose lines go into this binary's transcript (and so into the secret scan).
pub fn audit_to_transcript() -> migration_proxy::audit::AuditLog {
    struct ToTranscript;
    impl std::io::Write for ToTranscript {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            record(&format!("audit: {}", String::from_utf8_lossy(b)));
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    migration_proxy::audit::AuditLog::to_writer(Box::new(ToTranscript))
}

/// How every answer a test received starts in its transcript: the scan counts them, so a
/// transcript of start-up lines alone does not count as having seen traffic.
pub const ANSWER_MARK: &str = "=== answer: ";

/// Records one answer a test received (from the proxy, the simulator or an STS stand-in):
/// what was asked, the status, and everything else that came back (headers, body).
pub fn record_answer(asked: &str, status: impl std::fmt::Display, rest: &str) {
    record(&format!("{ANSWER_MARK}{asked} -> {status}\n{rest}\n"));
}

/// The body of an answer from a stand-in for Alibaba's side (the simulator, its STS and metadata
/// services), as it may go into a transcript: those services hand out `SourcePassword` and
/// temporary credentials by design, as Alibaba's do (the proxy is what must never pass them on),
/// so such a body is left out; every other answer (errors above all) goes in whole.
pub fn upstream_body_for_transcript(body: &str) -> &str {
    if body.contains("SourcePassword") || body.contains("AccessKeySecret") {
        "(an answer carrying SourcePassword or temporary credentials by design; not recorded)"
    } else {
        body
    }
}

/// The answers in a transcript: marked answers (see [`ANSWER_MARK`]) and audit lines (one per
/// API call the proxy answered or refused).
pub fn answers_in(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with(ANSWER_MARK) || l.starts_with(AUDIT_MARK)).count()
}

/// How an audit line starts in a transcript (see [`audit_to_transcript`]).
pub const AUDIT_MARK: &str = "audit: {";

/// Notes every request before routing, whatever its path.
async fn note_request(
    State(state): State<Arc<MockState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let received = {
        let uri = request.uri();
        let query: Vec<(String, String)> =
            form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let header = |n: &str| request.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        let action = header("x-acs-action")
            .or_else(|| query.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.clone()));
        Received {
            method: request.method().to_string(),
            path: uri.path().to_string(),
            target: uri.to_string(),
            host: header("host"),
            action,
            query,
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).to_string()))
                .collect(),
        }
    };
    state.received.lock().unwrap().push(received);
    next.run(request).await
}

/// The RDS OpenAPI is RPC-style: everything is on "/". Anything else is a relay attempt.
async fn wrong_path() -> Response {
    (StatusCode::NOT_FOUND, r#"{"RequestId":"X","Code":"NotFound","Message":"the mock answers only on /"}"#)
        .into_response()
}

async fn handle(
    State(state): State<Arc<MockState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let query: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let verdict = if headers.contains_key("authorization") {
        verify_v3(method.as_str(), &query, &headers, &body)
    } else {
        verify_rpc(method.as_str(), &query)
    };
    match verdict {
        Ok(nonce) => {
            let mut nonces = state.nonces.lock().unwrap();
            if nonces.contains(&nonce) {
                return (
                    StatusCode::BAD_REQUEST,
                    r#"{"RequestId":"X","Code":"SignatureNonceUsed","Message":"reused"}"#,
                )
                    .into_response();
            }
            nonces.push(nonce);
        }
        Err(why) => {
            state.bad_signatures.fetch_add(1, Ordering::SeqCst);
            return (
                StatusCode::BAD_REQUEST,
                format!(r#"{{"RequestId":"X","Code":"SignatureDoesNotMatch","Message":"{why}"}}"#),
            )
                .into_response();
        }
    }
    let next = state.script.lock().unwrap().pop_front().or_else(|| state.fallback.lock().unwrap().clone());
    let Some(s) = next else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"RequestId":"X","Code":"InternalError","Message":"script exhausted"}"#,
        )
            .into_response();
    };
    if !s.delay.is_zero() {
        tokio::time::sleep(s.delay).await;
    }
    let mut resp = (StatusCode::from_u16(s.status).unwrap(), s.body).into_response();
    for (k, v) in s.headers {
        resp.headers_mut()
            .insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
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
fn verify_v3(
    method: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, String> {
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
    let canonical =
        format!("{method}\n/\n{}\n{canonical_headers}\n{signed}\n{body_hash}", canonical_query(query));
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
/// every log line (a global subscriber writes into the same buffer), and every panic message.
pub fn transcript() -> &'static Mutex<String> {
    static T: OnceLock<Mutex<String>> = OnceLock::new();
    T.get_or_init(|| {
        let writer = || LogWriter;
        let _ = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .try_init();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let location = info.location().map(|l| l.to_string()).unwrap_or_default();
            // Not through the mutex: the panic may have happened while it was held.
            append_to_file(&format!("panic at {location}: {message}\n"));
            previous(info);
        }));
        Mutex::new(String::new())
    })
}

/// This binary's file in the suite-wide transcript directory, if the run asked for one.
fn transcript_file() -> Option<&'static Mutex<std::fs::File>> {
    static F: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::path::PathBuf::from(std::env::var_os(TRANSCRIPTS_ENV)?);
        std::fs::create_dir_all(&dir).ok()?;
        let exe = std::env::current_exe().ok()?;
        let stem = exe.file_stem()?.to_string_lossy().to_string();
        // Cargo names test binaries `<name>-<16 hex>`.
        let name = match stem.rsplit_once('-') {
            Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
                name.to_string()
            }
            _ => stem,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("{name}.transcript")))
            .ok()?;
        Some(Mutex::new(file))
    })
    .as_ref()
}

fn append_to_file(text: &str) {
    use std::io::Write;
    if let Some(f) = transcript_file() {
        let mut f = f.lock().unwrap_or_else(|p| p.into_inner());
        let _ = f.write_all(text.as_bytes());
    }
}

/// The environment variable naming the suite-wide transcript directory.
pub const TRANSCRIPTS_ENV: &str = "MIGRATION_PROXY_TEST_TRANSCRIPTS";

struct LogWriter;
impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        record(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn record(text: &str) {
    append_to_file(text);
    transcript().lock().unwrap().push_str(text);
}

/// Every secret the proxy's tests hand it, and the simulator's: none may ever appear in what the
/// proxy answers or logs. (Generated demo passwords are matched by [`secrets_in`] too.)
pub const SECRETS: &[&str] = &[
    KEY_SECRET,
    SOURCE_PASSWORD,
    CONNINFO_PASSWORD,
    migration_proxy::simulator::DEMO_ACCESS_KEY_SECRET,
    // The seed task's SourcePassword, as JSON.
    "\"123456\"",
    // tests/security.rs's bearer token and the tokens and keys of tests/credentials_support.
    BEARER_TOKEN,
    "profile-ak-s3cr3t",
    "sts-s3cr3t-",
    "ecs-s3cr3t-",
    "env-s3cr3t",
    // The temporary tokens of tests/credentials_support's stand-ins, and its OIDC and IMDS tokens.
    "sts-t0ken-",
    "ecs-t0ken-",
    "env-t0ken",
    "oidc-t0ken-body",
    "imds-t0ken",
    // tests/alerts.rs: a destination URL's token and the signing secrets.
    ALERT_URL_TOKEN,
    ALERT_DINGTALK_SECRET,
    ALERT_LARK_SECRET,
    ALERT_WEBHOOK_KEY,
];

/// tests/alerts.rs's planted destination token and signing secrets (the webhook key is the
/// base64 part of a `whsec_` secret).
pub const ALERT_URL_TOKEN: &str = "AlertUrlT0ken-6d6d6d";
pub const ALERT_DINGTALK_SECRET: &str = "SECAlertDingSecret-8b8b8b";
pub const ALERT_LARK_SECRET: &str = "AlertLarkSecret-9c9c9c";
pub const ALERT_WEBHOOK_KEY: &str = "QWxlcnRXZWJob29rS2V5LTFhMmIzYzRkNWU2Zjdh";

/// The bearer token tests/security.rs uses (only its hash is configured).
pub const BEARER_TOKEN: &str = "Bearer-T0ken-5e5e5e";

/// Which secrets appear in `text` (by description: the value itself is never printed).
pub fn secrets_in(text: &str) -> Vec<String> {
    // Each secret in every form it could take in an answer or a log: raw, JSON-escaped (once and
    // twice) and percent-encoded (upper- and lower-case hex, form encoding).
    let mut found: Vec<String> = SECRETS
        .iter()
        .enumerate()
        .filter(|(_, s)| migration_model::conninfo::secret_forms(s).iter().any(|f| text.contains(f.as_str())))
        .map(|(i, s)| format!("secret #{i} ({} chars)", s.len()))
        .collect();
    // The simulator's generated SourcePasswords: Demo- and ten letters or digits.
    static DEMO: OnceLock<regex::Regex> = OnceLock::new();
    let demo = DEMO.get_or_init(|| regex::Regex::new(r"Demo-[A-Za-z0-9]{10}\b").unwrap());
    if demo.is_match(text) {
        found.push("a generated demo SourcePassword".into());
    }
    // Security tokens the simulator's STS and metadata stand-ins issue: CAIS and a long base64 blob.
    static TOKEN: OnceLock<regex::Regex> = OnceLock::new();
    let token = TOKEN.get_or_init(|| regex::Regex::new(r"CAIS[A-Za-z0-9+/]{64,}").unwrap());
    if token.is_match(text) {
        found.push("an STS security token".into());
    }
    // The temporary AccessKeySecrets the simulator's STS and metadata stand-ins issue.
    static STS_SECRET: OnceLock<regex::Regex> = OnceLock::new();
    let sts_secret = STS_SECRET.get_or_init(|| regex::Regex::new(r"StsSimSecret[A-Za-z0-9]{8}").unwrap());
    if sts_secret.is_match(text) {
        found.push("a temporary STS AccessKeySecret".into());
    }
    found
}

/// The one check: no secret in anything the proxy answered or logged so far.
pub fn assert_no_secrets() {
    let t = transcript().lock().unwrap();
    let found = secrets_in(&t);
    assert!(found.is_empty(), "{} appear(s) in a response or log line of this test binary", found.join(", "));
}

/// The proxy's router on a real loopback port, through the real accept loop (`listener::serve`:
/// the header-read timeout, the connection cap, the peer address).
pub async fn serve_on_port(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = migration_proxy::listener::ConnLimits::default();
    tokio::spawn(async move {
        let _ = migration_proxy::listener::serve(listener, router, limits, std::future::pending()).await;
    });
    addr
}

/// An answer read off the wire.
pub struct RawAnswer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl RawAnswer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A header's value (name in any case).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Sends a request line and headers byte for byte (`Host` and `Connection: close` added unless
/// given), then `body`, and reads the whole answer. Recorded for the secret scan.
pub async fn send_raw(
    addr: SocketAddr,
    request_line: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawAnswer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut text = format!("{request_line}\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        text.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("Connection: close\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(text.as_bytes()).await.unwrap();
    // The proxy may answer (and close) before it has read a large body.
    let _ = stream.write_all(body).await;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut buf))
        .await
        .expect("the proxy answers")
        .expect("the answer can be read to its end");
    let answer = String::from_utf8_lossy(&buf).to_string();
    record_answer(request_line, "", &answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk_body(body)
    } else {
        body.to_string()
    };
    RawAnswer { status, head: head.to_string(), body }
}

fn dechunk_body(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// An audit log that writes into the transcript and into a buffer the test reads.
pub fn audit_capture() -> (migration_proxy::audit::AuditLog, Arc<Mutex<Vec<u8>>>) {
    #[derive(Clone)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            record(&format!("audit: {}", String::from_utf8_lossy(b)));
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Arc::new(Mutex::new(Vec::new()));
    (migration_proxy::audit::AuditLog::to_writer(Box::new(Capture(buf.clone()))), buf)
}

/// The audit records written so far into a buffer of [`audit_capture`].
pub fn audit_records(buf: &Mutex<Vec<u8>>) -> Vec<serde_json::Value> {
    let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    text.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect()
}
