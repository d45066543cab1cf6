//! Security properties of the proxy, end to end on real loopback sockets (raw HTTP where a
//! client library would tidy the request up first):
//!
//! - it cannot be used as a relay: whatever the Host and forwarding headers, the request target
//!   (absolute form, `//host`, encoded slashes, CRLF, schemes in the action) or `RegionId` say,
//!   every upstream call goes to the configured host, on `/`, for an allow-listed action (asserted
//!   on what the mock upstream received);
//! - static files cannot be reached outside `dist/`;
//! - unauthenticated calls are refused on every /api route in trusted-header and bearer modes;
//! - identity headers from an untrusted address are ignored;
//! - no secret in any response or log line here, and [`suite_wide_secret_scan`]: the one check
//!   over every transcript of the whole run (scripts/secret-scan.sh runs it last).
mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use migration_proxy::actions::Action;
use migration_proxy::app::{app, AppState};
use migration_proxy::auth::{hash_token, Authenticator};
use migration_proxy::config::SignatureStyle;
use proptest::prelude::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The proxy on a real loopback port (peer addresses from the socket).
async fn serve(state: AppState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    addr
}

/// Sends a request line and headers byte for byte (no body) and reads the whole answer:
/// [`send_raw`], recorded for the secret scan.
async fn raw(addr: SocketAddr, request_line: &str, headers: &[(&str, &str)]) -> RawAnswer {
    send_raw(addr, request_line, headers, b"").await
}

const ALLOWED: [&str; 4] = [
    "DescribeCloudMigrationResult",
    "DescribeCloudMigrationPrecheckResult",
    "DescribeDBInstances",
    "DescribeRegions",
];

/// Every upstream call went to the configured host, on "/", as a signed POST of an allow-listed
/// action, and carried none of the client's headers.
fn assert_no_relay(up: &MockUpstream) {
    for r in up.received() {
        assert_eq!(r.path, "/", "{r:?}");
        assert!(r.target.starts_with("/?") || r.target == "/", "origin-form only: {r:?}");
        assert_eq!(r.host.as_deref(), Some(up.host().as_str()), "{r:?}");
        assert_eq!(r.method, "POST", "{r:?}");
        assert!(r.action.as_deref().is_some_and(|a| ALLOWED.contains(&a)), "{r:?}");
        assert!(r.query.iter().filter(|(k, _)| k == "Action").count() <= 1, "{r:?}");
        for (name, value) in &r.headers {
            assert!(
                !name.starts_with("x-forwarded")
                    && ![
                        "forwarded",
                        "x-original-url",
                        "x-rewrite-url",
                        "x-real-ip",
                        "x-http-method-override",
                        "cookie",
                        "x-evil"
                    ]
                    .contains(&name.as_str()),
                "a client header reached the upstream: {name}: {value}"
            );
            assert!(!value.contains("evil"), "{name}: {value}");
        }
        for (k, v) in &r.query {
            assert!(!k.contains("evil") && !v.contains("evil"), "{k}={v}");
        }
    }
}

/// `(request line, extra headers, whether the call is valid and must succeed)`.
type Attempt = (String, Vec<(&'static str, &'static str)>, bool);

fn relay_attempts() -> Vec<Attempt> {
    let mut v: Vec<Attempt> = Vec::new();
    let regions = "/api/rds/DescribeRegions";
    // The Host header and every forwarding header a proxy might believe.
    for headers in [
        vec![("Host", "evil.example.com")],
        vec![("Host", "evil.example.com:443")],
        vec![
            ("X-Forwarded-Host", "evil.example.com"),
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Port", "8443"),
        ],
        vec![("Forwarded", "host=evil.example.com;proto=https;for=10.0.0.1")],
        vec![("X-Original-URL", "/api/rds/DeleteDBInstance"), ("X-Rewrite-URL", "//evil.example.com/")],
        vec![("X-HTTP-Method-Override", "DELETE"), ("X-Evil", "1")],
        vec![
            ("X-Acs-Action", "DeleteDBInstance"),
            ("x-acs-version", "evil"),
            ("x-acs-security-token", "evil"),
        ],
        vec![("Authorization", "ACS3-HMAC-SHA256 Credential=evil,SignedHeaders=host,Signature=evil")],
        vec![("Cookie", "endpoint=evil.example.com")],
    ] {
        // In `--auth none` a Host that is not loopback is refused outright (DNS rebinding).
        let evil_host = headers.iter().any(|(k, _)| *k == "Host");
        v.push((format!("GET {regions} HTTP/1.1"), headers, !evil_host));
    }
    // Absolute-form request targets: the authority in them is not where the call goes.
    v.push((
        "GET http://evil.example.com/api/rds/DescribeRegions HTTP/1.1".into(),
        vec![("Host", "evil.example.com")],
        false,
    ));
    v.push(("GET https://evil.example.com:8443/api/rds/DescribeRegions HTTP/1.1".into(), vec![], true));
    // A percent-encoded letter still names the same allow-listed action.
    v.push(("GET /api/rds/Describe%52egions HTTP/1.1".into(), vec![], true));
    let refused = [
        // Scheme-relative paths.
        "//evil.example.com/api/rds/DescribeRegions",
        "///evil.example.com/api/rds/DescribeRegions",
        "//evil.example.com/",
        // Encoded slashes, dots and delimiters in the action.
        "/api/rds/DescribeRegions%2F..%2F..%2Fevil",
        "/api/rds/..%2Fsession",
        "/api/rds/%2e%2e%2fDescribeRegions",
        "/api/rds/DescribeRegions%2f",
        "/api/rds/DescribeRegions%3FAction=DeleteDBInstance",
        "/api/rds/DescribeRegions%23",
        "/api/rds/DescribeRegions%00",
        "/api/rds/DescribeRegions%20",
        "/api/rds/DescribeRegions%0d%0aHost:%20evil.example.com",
        "/api/rds/DescribeRegions;evil=1",
        "/api/rds/describeregions",
        "/api/rds/DeleteDBInstance",
        "/api/rds/%44eleteDBInstance",
        // Schemes and hosts in the action.
        "/api/rds/http:%2F%2Fevil.example.com",
        "/api/rds/https://evil.example.com/",
        "/api/rds/evil.example.com",
        "/api/rds/DescribeRegions/extra",
        "/api/rds/DescribeRegions/..",
        "/api/rds//DescribeRegions",
        // CRLF and other injections in parameters.
        "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x%0D%0AHost:%20evil.example.com",
        "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x&TaskName=a%0d%0aX-Acs-Action:%20DeleteDBInstance",
        "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x%0aAction=DeleteDBInstance",
        "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x%26Action%3DDeleteDBInstance",
        "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x&SourceIpAddress=evil.example.com",
        "/api/rds/DescribeRegions?AcceptLanguage=en-US%0d%0aX-Evil:%201",
        // RegionId that is not a region.
        "/api/rds/DescribeRegions?RegionId=evil.example.com",
        "/api/rds/DescribeRegions?RegionId=evil.example.com:443",
        "/api/rds/DescribeRegions?RegionId=127.0.0.1",
        "/api/rds/DescribeRegions?RegionId=%5B::1%5D",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou.evil.example.com",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou@evil.example.com",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou%2F..%2Fevil",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou%3Fx=evil",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou%23evil",
        "/api/rds/DescribeRegions?RegionId=http%3A%2F%2Fevil.example.com",
        "/api/rds/DescribeRegions?RegionId=%2F%2Fevil.example.com",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou%0d%0aHost:evil",
        "/api/rds/DescribeRegions?RegionId=-evil",
        "/api/rds/DescribeRegions?RegionId=cn-hangzhou&RegionId=evil",
        "/api/rds/DescribeDBInstances?RegionId=CN-HANGZHOU",
        // Parameters that would override the signed call.
        "/api/rds/DescribeRegions?Action=DeleteDBInstance",
        "/api/rds/DescribeRegions?Version=2099-01-01",
        "/api/rds/DescribeRegions?AccessKeyId=evil",
        "/api/rds/DescribeRegions?Signature=evil",
        "/api/rds/DescribeRegions?SignatureNonce=evil",
        "/api/rds/DescribeRegions?SignatureMethod=evil",
        "/api/rds/DescribeRegions?SecurityToken=evil",
        "/api/rds/DescribeRegions?Format=XML",
        "/api/rds/DescribeRegions?Endpoint=evil.example.com",
        "/api/rds/DescribeRegions?x-acs-action=DeleteDBInstance",
    ];
    for target in refused {
        v.push((format!("GET {target} HTTP/1.1"), vec![], false));
    }
    v
}

#[tokio::test]
async fn relay_attempts_never_change_where_the_upstream_call_goes() {
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
        let (root, dist) = dist_with_a_neighbour();
        let mut state = state_with_app(&up, &dist, "");
        state.upstream = up.app_state(style).upstream;
        state.cache = migration_proxy::cache::Cache::new(Duration::ZERO, Duration::ZERO, 10);
        let addr = serve(state).await;
        for (line, headers, valid) in relay_attempts() {
            let before = up.calls();
            let got = raw(addr, &line, &headers).await;
            assert!(got.status < 500, "{style:?} {line} {headers:?}: {}\n{}", got.status, got.body);
            if valid {
                assert_eq!(got.status, 200, "{style:?} {line} {headers:?}: {}", got.body);
                assert_eq!(up.calls(), before + 1, "{line}");
            } else {
                assert!((400..500).contains(&got.status), "{style:?} {line}: {} {}", got.status, got.body);
                assert_eq!(up.calls(), before, "{line} reached the upstream");
                if got.head.to_ascii_lowercase().contains("content-type: application/json") {
                    let code = got.json()["Code"].as_str().unwrap_or_default().to_string();
                    assert!(code.starts_with("Proxy."), "{line}: {}", got.body);
                }
            }
        }
        assert!(up.calls() >= 9, "the valid calls reached the upstream");
        assert_no_relay(&up);
        assert_eq!(up.state.bad_signatures.load(std::sync::atomic::Ordering::SeqCst), 0);
        std::fs::remove_dir_all(&root).unwrap();
    }
    assert_no_secrets();
}

/// A path that does not decode is refused before the upstream, and in Alibaba's error shape
/// (docs/architecture.md: errors always have it, even when the path itself cannot be decoded).
#[tokio::test]
async fn undecodable_paths_are_refused_in_the_api_shape() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let addr = serve(up.app_state(SignatureStyle::V3)).await;
    for target in ["/api/rds/%FF", "/api/rds/%C0%AE%C0%AE", "/api/rds/Describe%E2%82Regions"] {
        let got = raw(addr, &format!("GET {target} HTTP/1.1"), &[]).await;
        assert!((400..500).contains(&got.status), "{target}: {}", got.status);
        assert_eq!(
            got.json()["Code"].as_str().map(|c| c.starts_with("Proxy.")),
            Some(true),
            "{target}: {}\n{}",
            got.head,
            got.body
        );
    }
    assert_eq!(up.calls(), 0);
    assert_no_secrets();
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
    })
}

fn mock_for_properties() -> &'static (MockUpstream, axum::Router) {
    static M: std::sync::OnceLock<(MockUpstream, axum::Router)> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        runtime().block_on(async {
            let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
            let mut state = up.app_state(SignatureStyle::V3);
            state.cache = migration_proxy::cache::Cache::new(Duration::ZERO, Duration::ZERO, 10);
            let router = app(state);
            (up, router)
        })
    })
}

/// Text with the characters a relay attempt needs.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,24}",
        "(https?:)?//[a-z.]{1,12}(:[0-9]{1,5})?/?",
        "[a-z0-9.@:/\\[\\]-]{1,24}",
        "[a-zA-Z0-9]{0,8}(\r\n|\n|\r|%0d%0a)[A-Za-z-]{1,8}: ?[a-z.]{0,12}",
        "\\PC{0,8}",
    ]
}

fn action_name() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(ALLOWED.to_vec()).prop_map(str::to_string), nasty()]
}

fn param_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "DBInstanceName",
            "RegionId",
            "TaskId",
            "TaskName",
            "SourceIpAddress",
            "SourcePort",
            "PageNumber",
            "PageSize",
            "Engine",
            "DBInstanceId",
            "SearchKey",
            "AcceptLanguage",
            "Action",
            "Version",
            "AccessKeyId",
            "Signature",
            "Endpoint",
        ])
        .prop_map(str::to_string),
        nasty(),
    ]
}

const ENCODE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    /// Whatever the action, parameters and headers, an upstream call, if any, goes to the
    /// configured host on "/" for an allow-listed action, and the proxy never answers 5xx.
    #[test]
    fn arbitrary_requests_never_relay(
        action in action_name(),
        params in prop::collection::vec((param_name(), nasty()), 0..6),
        host in nasty(),
        forwarded in nasty(),
        with_instance in any::<bool>(),
    ) {
        let (up, router) = mock_for_properties();
        let mut query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encoding::utf8_percent_encode(k, ENCODE), percent_encoding::utf8_percent_encode(v, ENCODE)))
            .collect();
        if with_instance {
            query.push("DBInstanceName=pgm-x".into());
        }
        let uri = format!("/api/rds/{}?{}", percent_encoding::utf8_percent_encode(&action, ENCODE), query.join("&"));
        let mut request = Request::get(uri.as_str());
        if let Ok(v) = axum::http::HeaderValue::from_str(&host) {
            request = request.header("host", v);
        }
        if let Ok(v) = axum::http::HeaderValue::from_str(&forwarded) {
            request = request.header("x-forwarded-host", v.clone()).header("forwarded", v);
        }
        let request = request.body(Body::empty()).unwrap();
        let (status, body) = runtime().block_on(async {
            let resp = tower::ServiceExt::oneshot(router.clone(), request).await.unwrap();
            let status = resp.status();
            let headers = format!("{:?}", resp.headers());
            let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).to_string();
            record_answer(&uri, status, &format!("{headers} {body}"));
            (status, body)
        });
        prop_assert!(!status.is_server_error(), "{} -> {} {}", uri, status, body);
        assert_no_relay(up);
    }

    /// `RegionId` picks the endpoint: whatever `validate` accepts maps to an Alibaba Cloud RDS
    /// host over https, and nothing else.
    #[test]
    fn accepted_region_ids_only_ever_pick_an_alibaba_endpoint(region in prop_oneof!["[a-z0-9-]{0,50}", nasty()]) {
        let query = vec![("RegionId".to_string(), region.clone())];
        if let Ok(call) = migration_proxy::actions::validate("DescribeRegions", &query, "cn-hangzhou") {
            let upstream = migration_proxy::upstream::Upstream::new(
                None,
                migration_proxy::credentials::Credentials {
                    access_key_id: KEY_ID.into(),
                    access_key_secret: migration_proxy::credentials::Secret::new(KEY_SECRET),
                    security_token: None,
                    source: migration_proxy::credentials::Source::Environment,
                },
                SignatureStyle::V3,
                Duration::from_secs(1),
            ).unwrap();
            let url = upstream.endpoint(&call.region_id).unwrap();
            prop_assert_eq!(url.scheme(), "https");
            let host = url.host_str().unwrap().to_string();
            prop_assert!(host == "rds.aliyuncs.com" || host == format!("rds.{region}.aliyuncs.com"), "{}", host);
            prop_assert_eq!(url.port(), None);
            prop_assert_eq!(url.path(), "/");
            prop_assert!(url.query().is_none() && url.username().is_empty() && url.password().is_none());
        }
    }
}

/// A dist/ with a file beside it that must never be served, and one inside that must.
fn dist_with_a_neighbour() -> (PathBuf, PathBuf) {
    let root =
        std::env::temp_dir().join(format!("security-dist-{}-{}", std::process::id(), rand::random::<u32>()));
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("sub")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>app</title><script type=module>boot()</script>INDEX-MARKER",
    )
    .unwrap();
    std::fs::write(dist.join("sub").join("inside.txt"), "INSIDE-MARKER").unwrap();
    std::fs::write(root.join("outside.txt"), "OUTSIDE-MARKER").unwrap();
    (root, dist)
}

fn state_with_app(up: &MockUpstream, dist: &Path, base_path: &str) -> AppState {
    let mut state = up.app_state(SignatureStyle::V3);
    state.spa = Some(migration_proxy::spa::Spa::load(dist, base_path, "'self'").unwrap());
    state.base_path = base_path.to_string();
    state
}

#[tokio::test]
async fn static_files_outside_dist_cannot_be_reached() {
    let up = MockUpstream::start(vec![], None).await;
    let (root, dist) = dist_with_a_neighbour();
    let attempts = [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/%2E%2E/outside.txt",
        "/..%2foutside.txt",
        "/..%2Foutside.txt",
        "/%2e%2e%2foutside.txt",
        "/.%2e/outside.txt",
        "/sub/../../outside.txt",
        "/sub/..%2f..%2foutside.txt",
        "/sub/%2e%2e/%2e%2e/outside.txt",
        "/..\\outside.txt",
        "/..%5coutside.txt",
        "/%5c..%5coutside.txt",
        "/%c0%ae%c0%ae/outside.txt",
        "/%252e%252e/outside.txt",
        "/....//outside.txt",
        "/..;/outside.txt",
        "/sub/inside.txt/../../outside.txt",
        "//outside.txt",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/file:%2f%2f%2fetc%2fpasswd",
        "/api/../../outside.txt",
        "/api/%2e%2e/%2e%2e/outside.txt",
    ];
    for base in ["", "/migrations"] {
        let addr = serve(state_with_app(&up, &dist, base)).await;
        // The controls: what is inside is served.
        let inside = raw(addr, &format!("GET {base}/sub/inside.txt HTTP/1.1"), &[]).await;
        assert_eq!(inside.status, 200, "{base}: {}", inside.body);
        assert!(inside.body.contains("INSIDE-MARKER"));
        for path in attempts {
            for accept in ["*/*", "text/html"] {
                let line = format!("GET {base}{path} HTTP/1.1");
                let got = raw(addr, &line, &[("Accept", accept)]).await;
                assert!(
                    !got.body.contains("OUTSIDE-MARKER") && !got.body.contains("root:x:0:0"),
                    "{line}: {}",
                    got.body
                );
                // Refused, or (for a browser navigation) the app's own index.html.
                assert!(
                    got.status >= 400 || got.body.contains("INDEX-MARKER"),
                    "{line} {accept}: {} {}",
                    got.status,
                    got.body
                );
                assert!(got.status < 500, "{line}: {}", got.status);
            }
        }
    }
    assert_eq!(up.calls(), 0);
    std::fs::remove_dir_all(&root).unwrap();
    assert_no_secrets();
}

/// Every /api route the OpenAPI document lists, as a request (the generic action path with an
/// allow-listed action), with valid parameters.
fn every_api_route() -> Vec<String> {
    let doc = migration_proxy::openapi::document_json("", &Authenticator::None);
    let mut routes: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|p| p.replace("{Action}", "DescribeRegions"))
        .map(|p| if p.ends_with("Result") { format!("{p}?DBInstanceName=pgm-x") } else { p })
        .collect();
    assert!(routes.len() >= 3 + Action::ALL.len(), "{routes:?}");
    routes.push("/api/rds/DeleteDBInstance".into());
    routes.push("/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x&PageSize=1000".into());
    routes
}

fn tokens_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "security-tokens-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tokens");
    std::fs::write(&file, format!("script {} ops\n", hash_token(BEARER_TOKEN))).unwrap();
    file
}

fn trusted_header(proxies: &str) -> Authenticator {
    Authenticator::TrustedHeader {
        proxies: Authenticator::parse_networks(proxies).unwrap(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: Some("x-forwarded-groups".parse().unwrap()),
    }
}

async fn oneshot(router: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let resp = tower::ServiceExt::oneshot(router.clone(), request).await.unwrap();
    let status = resp.status();
    let headers = format!("{:?}", resp.headers());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body).to_string();
    record_answer("(in-process)", status, &format!("{headers} {text}"));
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn unauthenticated_calls_are_refused_on_every_api_route() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let file = tokens_file();
    // (mode, the caller's address, whether identity headers would count from there)
    let modes: Vec<(&str, Authenticator, &str, bool)> = vec![
        (
            "bearer",
            Authenticator::Bearer { tokens: Authenticator::load_tokens(&file).unwrap() },
            "127.0.0.1:5000",
            false,
        ),
        ("trusted-header", trusted_header("10.9.0.1"), "10.9.0.7:5000", false),
        ("trusted-header", trusted_header("10.9.0.1"), "10.9.0.1:5000", true),
    ];
    let routes = every_api_route();
    for (mode, auth, peer, from_portal) in modes {
        let mut state = up.app_state(SignatureStyle::V3);
        state.auth = auth;
        let peer: SocketAddr = peer.parse().unwrap();
        let router = app(state).layer(MockConnectInfo(peer));
        for route in &routes {
            let mut anonymous: Vec<Request<Body>> = vec![
                Request::get(route.as_str()).body(Body::empty()).unwrap(),
                Request::get(route.as_str()).header("authorization", "Bearer ").body(Body::empty()).unwrap(),
                Request::get(route.as_str())
                    .header("authorization", "Bearer wrong-token")
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str())
                    .header("authorization", format!("bearer {BEARER_TOKEN}x"))
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str())
                    .header("authorization", "Basic c2NyaXB0OnNjcmlwdA==")
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str())
                    .header("authorization", hash_token(BEARER_TOKEN))
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str())
                    .header("x-forwarded-user", "admin")
                    .header("x-forwarded-groups", "dba")
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str())
                    .header("x-forwarded-user", "admin")
                    .header("x-forwarded-for", "10.9.0.1")
                    .header("x-real-ip", "10.9.0.1")
                    .body(Body::empty())
                    .unwrap(),
                Request::get(route.as_str()).header("x-forwarded-user", "").body(Body::empty()).unwrap(),
                Request::get(route.as_str())
                    .header("x-forwarded-user", "a")
                    .header("x-forwarded-user", "b")
                    .body(Body::empty())
                    .unwrap(),
            ];
            if from_portal {
                // From the portal's proxy an identity header is a login: keep only the ones without one.
                anonymous.retain(|r| {
                    r.headers().get_all("x-forwarded-user").iter().count() != 1
                        || r.headers()["x-forwarded-user"].is_empty()
                });
            }
            for request in anonymous {
                let what = format!("{mode} {} {:?}", request.uri(), request.headers());
                let (status, body) = oneshot(&router, request).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
                assert_eq!(body["Code"], "Proxy.Unauthorized", "{what}");
            }
            for method in ["POST", "PUT", "DELETE"] {
                let (status, _) = oneshot(
                    &router,
                    Request::builder().method(method).uri(route.as_str()).body(Body::from("x")).unwrap(),
                )
                .await;
                assert!(
                    status == StatusCode::UNAUTHORIZED || status == StatusCode::METHOD_NOT_ALLOWED,
                    "{mode} {method} {route}: {status}"
                );
            }
        }
        assert_eq!(up.calls(), 0, "{mode}: an unauthenticated call reached the upstream");
        // The control: with credentials the same proxy answers.
        let (status, body) = if mode == "bearer" {
            oneshot(
                &router,
                Request::get("/api/session")
                    .header("authorization", format!("Bearer {BEARER_TOKEN}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        } else {
            let trusted = app({
                let mut s = up.app_state(SignatureStyle::V3);
                s.auth = trusted_header("10.9.0.1");
                s
            })
            .layer(MockConnectInfo("10.9.0.1:5000".parse::<SocketAddr>().unwrap()));
            oneshot(
                &trusted,
                Request::get("/api/session").header("x-forwarded-user", "alice").body(Body::empty()).unwrap(),
            )
            .await
        };
        assert_eq!(status, StatusCode::OK, "{mode}: {body}");
        assert!(body["user"].is_string(), "{mode}: {body}");
    }
    // In `none` mode (loopback only) the same calls are served: the refusals above are the modes'.
    let router = app(up.app_state(SignatureStyle::V3));
    let (status, _) = oneshot(&router, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert_no_secrets();
}

#[tokio::test]
async fn forged_identity_headers_are_ignored() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let forged = [
        vec![("x-forwarded-user", "admin")],
        vec![("X-Forwarded-User", "admin"), ("X-Forwarded-Groups", "dba,admins")],
        vec![
            ("x-forwarded-user", "admin"),
            ("x-forwarded-for", "10.9.0.1"),
            ("x-real-ip", "10.9.0.1"),
            ("forwarded", "for=10.9.0.1"),
        ],
        vec![("x-forwarded-user", "admin"), ("x-forwarded-user", "alice")],
    ];
    // Trusted-header mode, from an address that is not the portal's proxy: on a real socket.
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = trusted_header("10.9.0.1");
    let addr = serve(state).await; // the test connects from 127.0.0.1, which is not trusted
    for headers in &forged {
        for route in ["/api/session", "/api/rds/DescribeRegions", "/api/openapi.json"] {
            let got = raw(addr, &format!("GET {route} HTTP/1.1"), headers).await;
            assert_eq!(got.status, 401, "{route} {headers:?}: {}", got.body);
            assert_eq!(got.json()["Code"], "Proxy.Unauthorized");
            assert!(!got.body.contains("admin"));
        }
    }
    // The portal's proxy itself, sending two identities: ambiguous, refused.
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = trusted_header("127.0.0.1");
    let addr = serve(state).await;
    let got = raw(addr, "GET /api/session HTTP/1.1", &forged[3]).await;
    assert_eq!(got.status, 401, "{}", got.body);
    let got = raw(addr, "GET /api/session HTTP/1.1", &forged[1]).await;
    assert_eq!(got.json()["user"], "admin", "from the trusted proxy the header is the identity");

    // Bearer mode: identity headers count for nothing; the token names the caller.
    let file = tokens_file();
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = Authenticator::Bearer { tokens: Authenticator::load_tokens(&file).unwrap() };
    let addr = serve(state).await;
    let got = raw(addr, "GET /api/session HTTP/1.1", &forged[1]).await;
    assert_eq!(got.status, 401);
    let token = format!("Bearer {BEARER_TOKEN}");
    let got = raw(
        addr,
        "GET /api/session HTTP/1.1",
        &[("authorization", token.as_str()), ("x-forwarded-user", "admin"), ("x-forwarded-groups", "dba")],
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.json()["user"], "script");
    assert_eq!(got.json()["groups"], serde_json::json!(["ops"]));
    assert_eq!(up.calls(), 0);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert_no_secrets();
}

/// Secrets in upstream answers (SourcePassword, passwords in connection strings, nested or in
/// odd letter cases) never reach the caller, in either signature style, fresh or from the cache.
#[tokio::test]
async fn secrets_in_upstream_answers_never_reach_the_caller() {
    let nasty_answer = serde_json::json!({
        "Items": [{
            "TaskId": 7, "SourcePassword": SOURCE_PASSWORD, "sourcePASSWORD": SOURCE_PASSWORD,
            "ReplicationInfo": format!(r#"{{"Conninfo":"host=h password={CONNINFO_PASSWORD} user=u","SourcePassword":"{SOURCE_PASSWORD}"}}"#),
            "Detail": format!("connect with PASSWORD='{CONNINFO_PASSWORD}' failed"),
            "Nested": [{"deeper": {"SourcePassword": SOURCE_PASSWORD}}],
        }],
        "PageNumber": 1, "PageSize": 30, "TotalSize": 1, "RequestId": "UP-OK",
    })
    .to_string();
    for style in [SignatureStyle::V3, SignatureStyle::Rpc] {
        let up = MockUpstream::start(vec![], Some(ok(&nasty_answer))).await;
        let addr = serve(up.app_state(style)).await;
        for _ in 0..2 {
            let got =
                raw(addr, "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-x HTTP/1.1", &[])
                    .await;
            assert_eq!(got.status, 200, "{}", got.body);
            assert!(got.json()["Items"][0]["TaskId"] == 7);
            assert!(secrets_in(&got.body).is_empty() && secrets_in(&got.head).is_empty(), "{style:?}");
        }
        // An upstream error whose message echoes a secret is redacted too.
        let leaky = Scripted {
            status: 400,
            body: format!(
                r#"{{"RequestId":"UP-E","Code":"InvalidParameter","Message":"bad conninfo password={CONNINFO_PASSWORD}","SourcePassword":"{SOURCE_PASSWORD}"}}"#
            ),
            headers: vec![],
            delay: Duration::ZERO,
        };
        let up = MockUpstream::start(vec![leaky], None).await;
        let addr = serve(up.app_state(style)).await;
        let got =
            raw(addr, "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-y HTTP/1.1", &[]).await;
        assert_eq!(got.status, 400, "{}", got.body);
        assert_eq!(got.json()["Code"], "InvalidParameter");
        assert!(secrets_in(&got.body).is_empty(), "{style:?}");
    }
    assert_no_secrets();
}

/// Test binaries that write no transcript, and why: the history store's suite talks to SQLite and
/// a private PostgreSQL only (no HTTP answer, no secret handed to it).
const NO_TRANSCRIPT: &[&str] = &["store"];

/// Answers a transcript must show to count (see [`answers_in_file`]).
const MIN_ANSWERS: usize = 3;

/// The answers recorded in one transcript: the test binaries' and the browser suite's marked
/// answers, the entries of an API test's HAR, the audit lines of a proxy log.
fn answers_in_file(name: &str, text: &str) -> usize {
    if name.ends_with(".har.json") {
        let har: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        har.pointer("/log/entries").and_then(Value::as_array).map_or(0, Vec::len)
    } else if name.ends_with(".log") {
        text.lines()
            .filter_map(|l| l.find('{').and_then(|i| serde_json::from_str::<Value>(&l[i..]).ok()))
            .filter(|v| v.get("status").is_some() && v.get("action").is_some())
            .count()
    } else {
        answers_in(text)
    }
}

/// THE check: every transcript of the whole run (each proxy test binary's responses, log lines
/// and panic messages; the API test's and the browser test's proxy logs and answers) is free of
/// every secret. Run last by scripts/secret-scan.sh, which names the files that must be there; it
/// fails rather than scan nothing.
#[test]
#[ignore = "run by scripts/secret-scan.sh after the whole suite"]
fn suite_wide_secret_scan() {
    let dir = std::env::var_os(TRANSCRIPTS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{TRANSCRIPTS_ENV} is not set: run scripts/secret-scan.sh"));
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no transcripts in {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    let names: BTreeSet<String> =
        files.iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect();

    // What must be there: a transcript of every integration test binary (all but those in
    // [`NO_TRANSCRIPT`]), and the files the script expects (MIGRATION_PROXY_TEST_TRANSCRIPTS_EXPECT,
    // space-separated).
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut expected: Vec<String> = std::fs::read_dir(&tests_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .filter(|stem| !NO_TRANSCRIPT.contains(&stem.as_str()))
        .map(|stem| format!("{stem}.transcript"))
        .collect();
    expected.extend(
        std::env::var("MIGRATION_PROXY_TEST_TRANSCRIPTS_EXPECT")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string),
    );
    assert!(expected.iter().any(|e| e == "security.transcript"), "{expected:?}");
    let mut total = 0usize;
    // Each one must show real traffic: start-up lines alone do not count.
    for name in &expected {
        let path = dir.join(name);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).to_string();
        let answers = answers_in_file(name, &text);
        assert!(
            answers >= MIN_ANSWERS,
            "{} holds {answers} answer(s), fewer than {MIN_ANSWERS}: the scan would miss what it should hold",
            path.display()
        );
    }
    let mut report = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).to_string();
        total += text.len();
        let found = secrets_in(&text);
        if !found.is_empty() {
            report.push(format!("{}: {}", path.display(), found.join(", ")));
        }
    }
    assert!(report.is_empty(), "secrets found:\n{}", report.join("\n"));
    println!(
        "secret scan: {} files ({} bytes) in {}: no secret; files: {}",
        files.len(),
        total,
        dir.display(),
        names.into_iter().collect::<Vec<_>>().join(" ")
    );
}

/// An upstream error body leaves in the documented shape only: the echoed string to sign, the
/// key ID and `AccessDeniedDetail` never reach the caller, on a real port.
#[tokio::test]
async fn upstream_error_bodies_keep_only_the_documented_shape() {
    let echo = Scripted {
        status: 400,
        body: serde_json::json!({
            "RequestId": "UP-SIG", "Code": "SignatureDoesNotMatch", "Recommend": "https://next.api.aliyun.com/troubleshoot",
            "HostId": "rds.aliyuncs.com",
            "Message": format!("Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3D{KEY_ID}%26SecurityToken%3DCAISupstreamtoken"),
            "AccessDeniedDetail": {"AuthPrincipalOwnerId": "1357924680135792", "AuthPrincipalDisplayName": "ram-dashboard"},
        })
        .to_string(),
        headers: vec![],
        delay: Duration::ZERO,
    };
    let denied = Scripted {
        status: 403,
        body: format!(
            r#"{{"RequestId":"UP-D","Code":"Forbidden.RAM","Message":"User {KEY_ID} is not authorized","AccessDeniedDetail":"{{\"AuthPrincipalOwnerId\":\"1357924680135792\"}}"}}"#
        ),
        headers: vec![],
        delay: Duration::ZERO,
    };
    let up = MockUpstream::start(vec![echo, denied], None).await;
    let addr = serve(up.app_state(SignatureStyle::V3)).await;
    for (instance, status, code) in [("pgm-a", 400, "SignatureDoesNotMatch"), ("pgm-b", 403, "Forbidden.RAM")]
    {
        let got = raw(
            addr,
            &format!("GET /api/rds/DescribeCloudMigrationResult?DBInstanceName={instance} HTTP/1.1"),
            &[],
        )
        .await;
        assert_eq!(got.status, status, "{}", got.body);
        let v = got.json();
        assert_eq!(v["Code"], code);
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert!(
            keys.iter().all(|k| ["RequestId", "Code", "Message", "Recommend"].contains(&k.as_str())),
            "{keys:?}"
        );
        for gone in
            [KEY_ID, "CAISupstreamtoken", "1357924680135792", "ram-dashboard", "string to sign is:", "HostId"]
        {
            assert!(!got.body.contains(gone) && !got.head.contains(gone), "{gone}: {}", got.body);
        }
    }
    assert_no_secrets();
}

/// The documented precheck failure `cannot connect to source database by <account>:<password>`
/// carries the task's own SourcePassword: it reaches the caller in no field and no form.
#[tokio::test]
async fn the_source_password_in_detail_never_reaches_the_caller() {
    let pct: String = SOURCE_PASSWORD.replace('-', "%2D");
    let answer = serde_json::json!({
        "Items": [{
            "TaskId": 9, "TaskName": "t9", "SourcePassword": SOURCE_PASSWORD, "SourceAccount": "migratetest",
            "Detail": format!("[Check connectivity]\nCheck source connectivity: error:cannot connect to source database by migratetest:{SOURCE_PASSWORD}\n"),
            "ReplicationInfo": serde_json::json!({"Status": "catchup", "Note": format!("pw {SOURCE_PASSWORD}")}).to_string(),
            "Link": format!("https://h/x?p={pct}"),
        }],
        "PageNumber": 1, "PageSize": 30, "TotalSize": 1, "RequestId": "UP-OK",
    })
    .to_string();
    let up = MockUpstream::start(vec![], Some(ok(&answer))).await;
    let addr = serve(up.app_state(SignatureStyle::V3)).await;
    for action in ["DescribeCloudMigrationResult", "DescribeCloudMigrationPrecheckResult"] {
        let got = raw(addr, &format!("GET /api/rds/{action}?DBInstanceName=pgm-x HTTP/1.1"), &[]).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert!(!got.body.contains(SOURCE_PASSWORD) && !got.body.contains(&pct), "{}", got.body);
        assert!(got.body.contains("by migratetest:********"), "{}", got.body);
        assert_eq!(got.json()["Items"][0]["TaskId"], 9);
    }
    assert_no_secrets();
}

/// DNS rebinding and cross-site reads, on a real port: in `--auth none` only loopback Host
/// values are served; in every mode a cross-origin Origin on /api/* gets 403 Proxy.Forbidden
/// unless --allowed-origins lets it in; the bearer scheme is case-insensitive.
#[tokio::test]
async fn rebinding_and_cross_origin_calls_are_refused() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.allowed_origins = vec!["https://portal.example.com".into()];
    let addr = serve(state).await;
    let own = format!("http://{addr}");
    let route = "GET /api/session HTTP/1.1";
    for host in ["rebound.attacker.example", "rebound.attacker.example:8080", "10.0.0.5", "[fe80::1]:80"] {
        let got = raw(addr, route, &[("Host", host)]).await;
        assert_eq!(got.status, 403, "{host}: {}", got.body);
        assert_eq!(got.json()["Code"], "Proxy.Forbidden");
    }
    for host in
        [addr.to_string(), format!("localhost:{}", addr.port()), "[::1]".to_string(), "127.0.0.2".into()]
    {
        assert_eq!(raw(addr, route, &[("Host", host.as_str())]).await.status, 200, "{host}");
    }
    for origin in
        ["https://evil.example.com", "null", "http://127.0.0.1:1", "https://portal.example.com.evil.example"]
    {
        let got = raw(addr, "GET /api/rds/DescribeRegions HTTP/1.1", &[("Origin", origin)]).await;
        assert_eq!(got.status, 403, "{origin}: {}", got.body);
        assert_eq!(got.json()["Code"], "Proxy.Forbidden");
    }
    for origin in [own.as_str(), "https://portal.example.com"] {
        assert_eq!(raw(addr, route, &[("Origin", origin)]).await.status, 200, "{origin}");
    }
    assert_eq!(up.calls(), 0, "refused calls never reach the upstream");

    // Bearer mode: the Origin check holds there too, and the scheme may be written in any case.
    let file = tokens_file();
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = Authenticator::Bearer { tokens: Authenticator::load_tokens(&file).unwrap() };
    let addr = serve(state).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} {BEARER_TOKEN}");
        let got =
            raw(addr, route, &[("Authorization", auth.as_str()), ("Host", "portal-facing.example")]).await;
        assert_eq!(got.status, 200, "{scheme}: {}", got.body);
        let got =
            raw(addr, route, &[("Authorization", auth.as_str()), ("Origin", "https://evil.example.com")])
                .await;
        assert_eq!(got.status, 403, "{scheme}: {}", got.body);
    }
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert_no_secrets();
}

/// The CSP (with frame-ancestors), nosniff and Referrer-Policy are on every response, also the
/// raw page reached as `//index.html` or `/%69ndex.html`, errors and probes; dotfiles are not served.
#[tokio::test]
async fn security_headers_are_on_every_response_and_dotfiles_are_hidden() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let (root, dist) = dist_with_a_neighbour();
    std::fs::write(dist.join(".env"), "DOTFILE-MARKER").unwrap();
    std::fs::create_dir_all(dist.join(".git")).unwrap();
    std::fs::write(dist.join(".git").join("config"), "DOTFILE-MARKER").unwrap();
    let addr = serve(state_with_app(&up, &dist, "")).await;
    for target in [
        "/",
        "/index.html",
        "//index.html",
        "/%69ndex.html",
        "/sub/inside.txt",
        "/nothing.js",
        "/healthz",
        "/metrics",
        "/api/session",
        "/api/nope",
    ] {
        let got = raw(addr, &format!("GET {target} HTTP/1.1"), &[]).await;
        let head = got.head.to_ascii_lowercase();
        assert!(
            head.contains("content-security-policy:") && head.contains("frame-ancestors"),
            "{target}: {}",
            got.head
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{target}: {}", got.head);
        assert!(head.contains("referrer-policy: no-referrer"), "{target}: {}", got.head);
    }
    for target in ["/.env", "/%2eenv", "/.git/config", "/sub/../.env", "/%2Egit/config"] {
        let got = raw(addr, &format!("GET {target} HTTP/1.1"), &[("Accept", "text/html")]).await;
        assert!(!got.body.contains("DOTFILE-MARKER"), "{target}: {}", got.body);
        assert!((400..500).contains(&got.status), "{target}: {}", got.status);
    }
    std::fs::remove_dir_all(&root).unwrap();
    assert_no_secrets();
}

/// Slow clients: a connection that never finishes its headers (slowloris), and an idle
/// keep-alive connection, are closed by the proxy (the header-read timeout works: hyper has a
/// timer), on the real accept loop `serve` uses.
#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = migration_proxy::listener::ConnLimits {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        max_connections: 8,
    };
    tokio::spawn(migration_proxy::listener::serve(
        listener,
        app(up.app_state(SignatureStyle::V3)),
        limits,
        std::future::pending(),
    ));
    // Half a request, then nothing: the proxy hangs up (EOF), it does not wait forever.
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ").as_bytes()).await.unwrap();
        slow.push(s);
    }
    for mut s in slow {
        let mut buf = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "a slowloris connection is still open");
        record(&String::from_utf8_lossy(&buf));
    }
    // A served keep-alive connection left idle is closed too.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET /api/session HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "an idle keep-alive connection is still open");
    let text = String::from_utf8_lossy(&buf).to_string();
    record(&text);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // The peer address still reaches the handlers (ConnectInfo), and the proxy still serves.
    assert_eq!(raw(addr, "GET /api/session HTTP/1.1", &[]).await.status, 200);
    assert_no_secrets();
}

/// An audit sink that keeps the lines and puts them in the transcript (so the scan reads them).
#[derive(Clone, Default)]
struct AuditLines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl std::io::Write for AuditLines {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        record(&String::from_utf8_lossy(b));
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refused authentication (401), refused Host/Origin (403) and refused instances (403) are in
/// the audit log with the attempted action and instance, cut short and escaped.
#[tokio::test]
async fn refusals_are_audited() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let file = tokens_file();
    let lines = AuditLines::default();
    let mut state = up.app_state(SignatureStyle::V3);
    state.auth = Authenticator::Bearer { tokens: Authenticator::load_tokens(&file).unwrap() };
    state.audit = Some(migration_proxy::audit::AuditLog::to_writer(Box::new(lines.clone())));
    let addr = serve(state).await;
    let long = "x".repeat(500);
    raw(addr, &format!("GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-{long} HTTP/1.1"), &[])
        .await;
    raw(addr, "GET /api/rds/DescribeRegions HTTP/1.1", &[("Authorization", "Bearer wrong-token-value")])
        .await;
    let auth = format!("Bearer {BEARER_TOKEN}");
    raw(
        addr,
        "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-%22%0a HTTP/1.1",
        &[("Authorization", auth.as_str()), ("Origin", "https://evil.example.com")],
    )
    .await;
    let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let records: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    assert_eq!(records.len(), 3, "{text}");
    assert_eq!(records[0]["status"], 401);
    assert_eq!(records[0]["action"], "DescribeCloudMigrationResult");
    assert!(records[0]["instance"].as_str().unwrap().len() <= 64, "{text}");
    assert_eq!(records[1]["status"], 401);
    assert_eq!(records[1]["action"], "DescribeRegions");
    assert_eq!(records[2]["status"], 403);
    assert_eq!(records[2]["instance"], "pgm-\"\n");
    assert!(!text.contains("wrong-token-value") && !text.contains(BEARER_TOKEN));
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    assert_no_secrets();
}

/// Above the cap on upstream fetches in flight, a call gets 503 Proxy.Busy with Retry-After at
/// once, and never reaches the upstream.
#[tokio::test]
async fn upstream_fetches_in_flight_are_capped() {
    let slow = Scripted { delay: Duration::from_millis(1500), ..ok(&task_list_with_secrets()) };
    let up = MockUpstream::start(vec![], Some(slow)).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.limits = migration_proxy::limits::Limits::new(1);
    let addr = serve(state).await;
    let first = tokio::spawn(async move {
        raw(addr, "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-a HTTP/1.1", &[]).await.status
    });
    while up.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = raw(addr, "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-b HTTP/1.1", &[]).await;
    assert_eq!(got.status, 503, "{}", got.body);
    assert_eq!(got.json()["Code"], "Proxy.Busy");
    assert!(got.head.to_ascii_lowercase().contains("retry-after: 1"), "{}", got.head);
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(up.calls(), 1);
    // The slot is free again.
    let got = raw(addr, "GET /api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-c HTTP/1.1", &[]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_no_secrets();
}

/// The scan's needles cover the encoded forms, not only the raw values.
#[test]
fn the_scan_finds_encoded_secrets() {
    for text in
        ["a=%22123456%22", r#"{"x":"{\"p\":\"123456\"}"}"#, "Bearer-T0ken-5e5e5e", "q=Bearer-T0ken-5e5e5e&"]
    {
        assert!(!secrets_in(text).is_empty(), "{text}");
    }
    assert!(secrets_in("nothing secret here: 12345 and ********").is_empty());
    // Bearer tokens and temporary STS secrets, in their encoded forms too.
    for text in [
        "Authorization: Bearer%20Bearer-T0ken-5e5e5e",
        r#"{"AccessKeySecret":"StsSimSecretAbCdEf23456789AbCdEf23456789AbCd"}"#,
        "x=sts-t0ken-7&y",
        r#""{\"token\":\"imds-t0ken\"}""#,
    ] {
        assert!(!secrets_in(text).is_empty(), "{text}");
    }
}

/// A transcript counts only with real traffic: start-up lines alone are not answers.
#[test]
fn transcripts_count_answers_not_lines() {
    let startup = "2026-12-07T12:00:00Z INFO serving addr=127.0.0.1:1\n".repeat(50);
    assert_eq!(answers_in_file("x.transcript", &startup), 0);
    let traffic = format!("{startup}{ANSWER_MARK}GET / -> 200\nbody\naudit: {{\"status\":200}}\n");
    assert_eq!(answers_in_file("x.transcript", &traffic), 2);
    let har = r#"{"log":{"entries":[{},{},{}]}}"#;
    assert_eq!(answers_in_file("a.har.json", har), 3);
    let log =
        format!("{startup}{{\"time\":\"t\",\"user\":\"-\",\"action\":\"DescribeRegions\",\"status\":200}}\n");
    assert_eq!(answers_in_file("e2e-proxy.log", &log), 1);
}
