//! `--ops-listen`: `/metrics` and `/readyz` (and `/healthz`) on an address of their own, for the
//! monitoring system, so the address browsers reach does not disclose them. They have no
//! authentication: the metrics name the actions called and their outcomes, and /readyz the
//! credential source, profile name and expiry (see the README's security section).
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::{app_shared, probes, AppState};

/// The app's router and the probes' router, over one state (one set of metrics).
pub fn routers(state: Arc<AppState>) -> (Router, Router) {
    let ops = probes(state.clone())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(crate::spa::security_headers_layer());
    (app_shared(state), ops)
}

/// Binds `at` and serves `ops` there until the task is aborted; gives the bound address.
pub async fn spawn(at: SocketAddr, ops: Router) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(at)
        .await
        .with_context(|| format!("cannot listen on --ops-listen {at}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "serving /metrics and /readyz");
    let limits = crate::listener::ConnLimits { max_connections: 64, ..Default::default() };
    let task = tokio::spawn(async move {
        if let Err(e) = crate::listener::serve(listener, ops, limits, std::future::pending()).await {
            tracing::error!("the ops listener failed: {e}");
        }
    });
    Ok((addr, task))
}
