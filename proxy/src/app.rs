//! The HTTP surface of `serve`: `/api/rds/{Action}`, `/api/session`, the probes, `/metrics`,
//! and the app. `fn app()` builds it all, so tests drive it without a socket.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::audit::AuditLog;
use crate::auth::{Authenticator, Caller};
use crate::cache::Cache;
use crate::error::ProxyError;
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::retry::RetryPolicy;
use crate::spa::Spa;
use crate::upstream::Upstream;

/// Whether the proxy shows the simulator's demo data or a real account's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Demo,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Demo => "demo",
            Mode::Live => "live",
        }
    }
}

/// The last upstream call's outcome, for /readyz (which never calls the upstream itself).
#[derive(Clone, Debug)]
pub struct UpstreamNote {
    pub at: chrono::DateTime<chrono::Utc>,
    pub outcome: String,
    pub ok: bool,
}

pub struct AppState {
    pub upstream: Upstream,
    pub mode: Mode,
    pub default_region: String,
    pub base_path: String,
    pub spa: Option<Spa>,
    pub auth: Authenticator,
    pub policy: Option<Policy>,
    pub cache: Cache,
    pub retry: RetryPolicy,
    pub metrics: Metrics,
    pub audit: Option<AuditLog>,
    pub last_upstream: Mutex<Option<UpstreamNote>>,
    /// Origins besides the proxy's own that may call `/api/*` from a browser (the portal's).
    pub allowed_origins: Vec<String>,
    pub limits: crate::limits::Limits,
    /// /metrics and /readyz are served on `--ops-listen` (crate::ops), not with the app.
    pub ops_elsewhere: bool,
    /// The history store (None: history is off, as in tests that do not open one).
    pub store: Option<Arc<crate::store::Store>>,
    /// The background watcher over `store` (auto-watch on views, and the readiness report).
    pub watcher: Option<Arc<crate::watch::Watcher>>,
    /// The alert rules in effect (`--alerts-file`, or the defaults).
    pub alerts_config: Arc<crate::alerts::config::AlertsConfig>,
    /// The alert engine, when the proxy has a history store to keep episodes in.
    pub alerts: Option<Arc<crate::alerts::AlertEngine>>,
    /// Members of this group may add and remove watches (`--admin-group`).
    pub admin_group: Option<String>,
}

impl AppState {
    /// A state with the defaults every deployment starts from: no caller auth (loopback only),
    /// no policy, a 2 s cache with 5 minutes of stale-if-error, default retries, no audit log.
    pub fn new(upstream: Upstream, mode: Mode, default_region: impl Into<String>) -> AppState {
        AppState {
            upstream,
            mode,
            default_region: default_region.into(),
            base_path: String::new(),
            spa: None,
            auth: Authenticator::None,
            policy: None,
            cache: Cache::new(std::time::Duration::from_secs(2), std::time::Duration::from_secs(300), 10_000),
            retry: RetryPolicy::default(),
            metrics: Metrics::new(),
            audit: None,
            last_upstream: Mutex::new(None),
            allowed_origins: Vec::new(),
            limits: crate::limits::Limits::default(),
            ops_elsewhere: false,
            store: None,
            watcher: None,
            alerts_config: Arc::new(crate::alerts::config::AlertsConfig::without_file()),
            alerts: None,
            admin_group: None,
        }
    }

    pub fn note_upstream(&self, outcome: String, ok: bool) {
        let note = UpstreamNote { at: chrono::Utc::now(), outcome, ok };
        *self.last_upstream.lock().unwrap_or_else(|p| p.into_inner()) = Some(note);
    }
}

type Shared = Arc<AppState>;

/// Builds the whole router; testable without a socket.
pub fn app(state: AppState) -> Router {
    app_shared(Arc::new(state))
}

/// [`app`] over a state shared with another router (crate::ops) and background tasks (the
/// watcher).
pub fn app_shared(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/rds/{action}", get(rds_call).fallback(method_not_allowed))
        .route("/session", get(session).fallback(method_not_allowed))
        .route("/openapi.json", get(crate::openapi::openapi_json).fallback(method_not_allowed))
        .route("/alerts/rules", get(crate::alerts::api::rules).fallback(method_not_allowed))
        .route("/alerts/deliveries", get(crate::alerts::api::deliveries).fallback(method_not_allowed))
        .route("/alerts/episodes", get(crate::alerts::api::episodes).fallback(method_not_allowed))
        .merge(crate::history_api::routes())
        .fallback(api_not_found)
        // Authenticate first, then count the call in the caller's bucket.
        .route_layer(crate::api_guard::ApiGuardLayer::new(state.clone()));
    let under_base =
        Router::new().nest("/api", api).fallback(crate::spa::serve_app).with_state(state.clone());

    let probes = if state.ops_elsewhere {
        Router::new().route("/healthz", get(healthz)).with_state(state.clone())
    } else {
        probes(state.clone())
    };

    let root = if state.base_path.is_empty() {
        under_base
    } else {
        // Not Router::nest: it does not route "{base}/" itself to the nested fallback.
        let base: Arc<str> = state.base_path.as_str().into();
        Router::new().fallback(move |request: Request| strip_base(base.clone(), under_base.clone(), request))
    };
    // Every response, not only the app's pages (`//index.html` and `/%69ndex.html` reach the
    // files directly), carries the CSP with its frame-ancestors.
    let csp = state.spa.as_ref().map(Spa::csp).unwrap_or_else(|| {
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    });
    harden(probes.merge(root), csp, REQUEST_TIMEOUT)
}

/// The layers around everything served: the body limit, the request timeout and the panic
/// catcher, whose bare answers are put in the API's error shape, and outermost the security
/// headers, so every answer carries them (a timeout's and a panic's too).
pub fn harden(router: Router, csp: HeaderValue, timeout: std::time::Duration) -> Router {
    router
        // Nothing the proxy serves takes a body: bound what a client may send.
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(tower::util::MapResponseLayer::new(crate::limits::shape_bare_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
        .layer(crate::spa::security_headers_layer())
}

/// `/healthz`, `/readyz` and `/metrics`.
pub fn probes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Longest a request may take end to end (the retry deadline is shorter).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
pub const MAX_REQUEST_BODY: usize = 16 * 1024;

/// A panic becomes an error in the API's shape; its message (which could hold anything) is
/// not sent, and not logged either.
fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ProxyError::Internal("handler panicked".into()).into_response()
}

/// The peer's address. MockConnectInfo is how tests without a socket name the peer (as axum's
/// extractor reads it).
pub fn peer_ip(request: &Request) -> Option<std::net::IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .or_else(|| request.extensions().get::<MockConnectInfo<SocketAddr>>().map(|m| m.0.ip()))
}

/// DNS rebinding and cross-site reads: without caller authentication only a loopback `Host` is
/// served (a rebound name is not loopback), and in every mode a browser's cross-origin `Origin`
/// is refused unless it is one of `--allowed-origins`.
pub fn check_host_and_origin(state: &AppState, headers: &axum::http::HeaderMap) -> Result<(), ProxyError> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    // No Host at all (HTTP/1.0, in-process tests) is no rebinding: browsers always send one.
    if matches!(state.auth, Authenticator::None) && !host.is_empty() && !is_loopback_host(host) {
        return Err(ProxyError::Forbidden(
            "Without caller authentication the proxy answers only requests addressed to a loopback name."
                .into(),
        ));
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    let Some(origin) = origins.next() else { return Ok(()) };
    let origin = origin.to_str().unwrap_or("").trim_end_matches('/');
    let same = !host.is_empty()
        && (origin.eq_ignore_ascii_case(&format!("http://{host}"))
            || origin.eq_ignore_ascii_case(&format!("https://{host}")));
    let allowed = state.allowed_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if origins.next().is_some() || !(same || allowed) {
        return Err(ProxyError::Forbidden("Cross-origin calls to the API are not allowed.".into()));
    }
    Ok(())
}

/// `localhost`, `127.0.0.0/8` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        }),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// `GET {base}/api/rds/{Action}`. The document also lists each allow-listed action under its own
/// path, with its parameters (src/openapi.rs builds those from actions.rs).
#[utoipa::path(
    get,
    path = "/api/rds/{Action}",
    tag = "rds",
    operation_id = "rds",
    params(("Action" = String, Path, description = "An allow-listed, read-only action: DescribeCloudMigrationResult, \
        DescribeCloudMigrationPrecheckResult, DescribeDBInstances or DescribeRegions (case-sensitive; see each one's own \
        path for its parameters). Anything else is refused with 403 `Proxy.ActionNotAllowed` before the upstream.", example = "DescribeRegions")),
    responses(
        (status = 200, description = "The upstream's answer for the action, secrets removed", body = Object),
        (status = 400, description = "`Proxy.InvalidParameter`, or the upstream's 400", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.ActionNotAllowed`, `Proxy.Forbidden`, or the upstream's 403", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.NotFound` (no action named), or the upstream's 404", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 429, description = "`Proxy.RateLimited`, with `Retry-After`", body = crate::openapi::ErrorBody),
        (status = 502, description = "`Proxy.UpstreamUnavailable` or `Proxy.UpstreamTooLarge`", body = crate::openapi::ErrorBody),
        (status = 504, description = "`Proxy.UpstreamTimeout`", body = crate::openapi::ErrorBody),
        (status = "default", description = "Any other upstream error, passed through with its status", body = crate::openapi::ErrorBody),
    )
)]
async fn rds_call(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    action: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    // A path that does not decode (e.g. %FF) is bad input like any other: the API's error shape.
    let Ok(Path(action)) = action else {
        return ProxyError::InvalidParameter("The action in the path is not valid UTF-8.".into())
            .into_response();
    };
    crate::forward::forward(&state, &caller, &action, query.as_deref().unwrap_or("")).await
}

/// `GET {base}/api/session`: who the caller is, and the proxy's mode, region and version.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "proxy",
    operation_id = "session",
    responses(
        (status = 200, description = "The caller and the proxy", body = crate::openapi::SessionInfo),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 429, description = "`Proxy.RateLimited`, with `Retry-After`", body = crate::openapi::ErrorBody),
    )
)]
async fn session(State(state): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    let body = json!({
        "user": caller.user,
        "groups": caller.groups,
        "mode": state.mode.as_str(),
        "region": state.default_region,
        "version": env!("CARGO_PKG_VERSION"),
        "history": state.store.is_some(),
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Ready when credentials are loaded; reports the last upstream call's outcome. Never calls
/// the upstream itself.
async fn readyz(State(state): State<Shared>) -> Response {
    let creds = state.upstream.credentials().status();
    let last = state.last_upstream.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let last_json = last.map(|n| json!({"at": n.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "outcome": n.outcome, "ok": n.ok}));
    let ready = creds.usable;
    let body = Json(json!({
        "status": if ready { "ready" } else { "not_ready" },
        "mode": state.mode.as_str(),
        "credentials": creds,
        "lastUpstreamCall": last_json.unwrap_or(Value::Null),
        // History degrading never makes the proxy unready: live dashboards do not need it.
        "history": history_readiness(&state),
    }));
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, body).into_response()
}

/// The store's health and the watcher's last poll per instance (bounded), for /readyz.
fn history_readiness(state: &AppState) -> Value {
    let Some(store) = &state.store else { return json!({"status": "off"}) };
    // Reads can succeed while writes fail (a full disk): the watcher's last write counts too.
    let healthy = store.is_healthy() && state.watcher.as_ref().is_none_or(|w| w.last_write_ok());
    let mut body = json!({
        "status": if healthy { "ok" } else { "degraded" },
        "store": {
            "backend": store.backend().as_str(),
            "location": store.location(),
            "healthy": healthy,
            "lastError": if healthy { None } else { store.last_error() },
        },
    });
    if let Some(w) = &state.watcher {
        let polls: Vec<Value> = w
            .last_polls()
            .into_iter()
            .map(|(region, instance, p)| {
                json!({"regionId": region, "dbInstanceName": instance, "at": p.at, "ok": p.ok,
                    "outcome": p.outcome, "durationMs": p.duration_ms, "gapSecs": p.gap_secs, "lastOkAt": p.last_ok_at})
            })
            .collect();
        body["watcher"] = json!({
            "leader": w.is_leader(),
            "intervalSecs": w.config().interval.as_secs(),
            "watched": w.watched(),
            "instances": polls,
        });
    }
    body
}

async fn metrics(State(state): State<Shared>) -> Response {
    state.metrics.note_cache(&state.cache);
    if let Some(w) = &state.watcher {
        state.metrics.note_watcher(w);
    }
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

async fn api_not_found() -> Response {
    ProxyError::NotFound("There is no such API path. Use /api/rds/{Action} or /api/session.".into())
        .into_response()
}

async fn method_not_allowed() -> Response {
    crate::error::error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Proxy.MethodNotAllowed",
        "Only GET is accepted: the proxy forwards read-only calls.",
    )
}

/// Serves `{base}` and `{base}/...` from the app's router with the prefix removed.
async fn strip_base(base: Arc<str>, inner: Router, mut request: Request) -> Response {
    let path = request.uri().path();
    let rest = match path.strip_prefix(&*base) {
        Some("") => "/".to_string(),
        Some(r) if r.starts_with('/') => r.to_string(),
        _ => return outside_base().await,
    };
    let path_and_query = match request.uri().query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest,
    };
    match path_and_query.parse::<axum::http::Uri>() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => {
            return ProxyError::InvalidParameter("The request path is not valid.".into()).into_response()
        }
    }
    match tower::ServiceExt::oneshot(inner, request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn outside_base() -> Response {
    ProxyError::NotFound("Nothing is served outside the configured base path.".into()).into_response()
}
