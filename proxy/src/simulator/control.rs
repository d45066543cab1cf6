//! `/-/faults`: reads and replaces the simulator's faults while it runs. It exists because
//! browser tests drive a standalone `migration-proxy simulate` and need to switch faults on and
//! off mid-test; restarting the simulator instead would lose its issued credentials, its
//! nonces and the proxy's connections. It has no authentication, so it is served only with
//! `--control` ([`super::SimConfig::control`]), which `simulate` accepts only on a loopback
//! listener ([`super::check_control`]).
//!
//! * `GET /-/faults` → 200 with the current [`Faults`] as JSON.
//! * `PUT /-/faults` with a JSON [`Faults`] (at most 64 KiB): the complete new set, omitted fields
//!   taking their defaults (off) → 200 with the new faults. Invalid JSON, an unknown field or a
//!   value out of range ([`Faults::validate`]) → 400 `{"Code":"InvalidParameter","Message",
//!   "RequestId"}`, the faults unchanged.
//! * Any other method → 405 in the same shape, Code `UnsupportedHTTPMethod`.
//!
//! Its own route, so the added-latency fault (applied to calls on `/`) never slows it.
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use serde_json::{json, Value};

use super::handlers::MAX_BODY;
use super::{Faults, Simulator};

pub(super) const PATH: &str = "/-/faults";

/// `GET`, `PUT`, and 405 for the rest.
pub(super) fn route() -> MethodRouter<Arc<Simulator>> {
    get(read).put(replace).fallback(method_not_allowed)
}

async fn read(State(sim): State<Arc<Simulator>>) -> Response {
    Json(sim.faults()).into_response()
}

async fn replace(State(sim): State<Arc<Simulator>>, body: Body) -> Response {
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "The request body is larger than 64 KiB or could not be read.",
        );
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(StatusCode::BAD_REQUEST, "InvalidParameter", format!("The body is not JSON: {e}."))
        }
    };
    // An object only: serde would also read a struct from an array, field by field.
    if !value.is_object() {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "The body must be a JSON object of faults, e.g. {\"throttle_rate\":1}.",
        );
    }
    let faults: Faults = match serde_json::from_value(value) {
        Ok(f) => f,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                format!("The body is not a set of faults: {e}."),
            )
        }
    };
    if let Err(e) = faults.validate() {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            format!("The faults are out of range: {e}."),
        );
    }
    sim.faults.set(faults.clone());
    tracing::info!(faults = ?faults, "simulator faults changed");
    Json(faults).into_response()
}

async fn method_not_allowed() -> Response {
    let mut response =
        error(StatusCode::METHOD_NOT_ALLOWED, "UnsupportedHTTPMethod", "Use GET or PUT on /-/faults.");
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, PUT"));
    response
}

/// `{"Code","Message","RequestId"}`, with the request id in `x-acs-request-id` as well.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let request_id = crate::error::new_request_id();
    let body = json!({"Code": code, "Message": message.into(), "RequestId": request_id});
    let mut response = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-acs-request-id", v);
    }
    response
}
