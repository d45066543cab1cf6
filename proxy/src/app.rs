//! The HTTP surface of `serve`: `/api/rds/{Action}`, `/api/session`, health probes, and the app.
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::actions::{self, MAX_QUERY_BYTES};
use crate::error::ProxyError;
use crate::redact::redact;
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

pub struct AppState {
    pub upstream: Upstream,
    pub mode: Mode,
    pub default_region: String,
    pub base_path: String,
    pub spa: Option<Spa>,
}

type Shared = Arc<AppState>;

/// Builds the whole router; testable without a socket.
pub fn app(state: AppState) -> Router {
    let state = Arc::new(state);
    let api = Router::new()
        .route("/rds/{action}", get(rds_call).fallback(method_not_allowed))
        .route("/session", get(session).fallback(method_not_allowed))
        .fallback(api_not_found);
    let under_base = Router::new()
        .nest("/api", api)
        .fallback(crate::spa::serve_app)
        .with_state(state.clone());

    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state.clone());

    let root = if state.base_path.is_empty() {
        under_base
    } else {
        Router::new().nest(&state.base_path, under_base).fallback(outside_base)
    };
    probes.merge(root).layer(crate::spa::security_headers_layer())
}

async fn rds_call(State(state): State<Shared>, Path(action): Path<String>, RawQuery(query): RawQuery) -> Response {
    match forward(&state, &action, query.as_deref().unwrap_or("")).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn forward(state: &AppState, action: &str, raw_query: &str) -> Result<Response, ProxyError> {
    if raw_query.len() > MAX_QUERY_BYTES {
        return Err(ProxyError::PayloadTooLarge(format!("The query string is longer than {MAX_QUERY_BYTES} bytes.")));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect();
    let call = actions::validate(action, &pairs, &state.default_region)?;
    let started = std::time::Instant::now();
    let upstream = state.upstream.call(&call).await?;
    let mut body: Value = serde_json::from_slice(&upstream.body).map_err(|_| {
        ProxyError::UpstreamUnavailable(format!("the upstream answered {} with a body that is not JSON", upstream.status))
    })?;
    let redacted = redact(&mut body);
    tracing::info!(
        action = call.action.name(),
        region = %call.region_id,
        instance = call.instance().unwrap_or("-"),
        status = upstream.status,
        request_id = body.get("RequestId").and_then(serde_json::Value::as_str).unwrap_or("-"),
        redacted,
        latency_ms = started.elapsed().as_millis() as u64,
        "rds call"
    );
    let status = StatusCode::from_u16(upstream.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert("x-proxy-cache", HeaderValue::from_static("miss"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn session(State(state): State<Shared>) -> Response {
    let body = json!({
        "user": Value::Null,
        "mode": state.mode.as_str(),
        "region": state.default_region,
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Ready when credentials are loaded. Never calls the upstream.
async fn readyz(State(state): State<Shared>) -> Response {
    let creds = state.upstream.credentials();
    Json(json!({
        "status": "ready",
        "mode": state.mode.as_str(),
        "credentials": {"source": creds.source.as_str()},
    }))
    .into_response()
}

async fn api_not_found() -> Response {
    ProxyError::NotFound("There is no such API path. Use /api/rds/{Action} or /api/session.".into()).into_response()
}

async fn method_not_allowed() -> Response {
    crate::error::error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Proxy.MethodNotAllowed",
        "Only GET is accepted: the proxy forwards read-only calls.",
    )
}

async fn outside_base() -> Response {
    ProxyError::NotFound("Nothing is served outside the configured base path.".into()).into_response()
}
