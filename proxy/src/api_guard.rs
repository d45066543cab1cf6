//! What every `/api/*` route checks before its handler, in one typed layer: the caller is
//! identified (Host and Origin checked, then the authenticator), then counted in its rate
//! bucket. A refused call is audited and answered in the API's error shape.
//!
//! One layer instead of two `axum::middleware::from_fn` ones: each of those boxes its future and
//! the rest of the stack on every request, which a cache miss and a hit both paid; here an
//! admitted request goes on to the route's own future as it is.
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::{ready, Either, Ready};
use tower::{Layer, Service};

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ProxyError;

/// The layer (see the module's note), put on the API's routes with `route_layer`.
#[derive(Clone)]
pub struct ApiGuardLayer {
    state: Arc<AppState>,
}

impl ApiGuardLayer {
    pub fn new(state: Arc<AppState>) -> ApiGuardLayer {
        ApiGuardLayer { state }
    }
}

impl<S> Layer<S> for ApiGuardLayer {
    type Service = ApiGuard<S>;

    fn layer(&self, inner: S) -> ApiGuard<S> {
        ApiGuard { state: self.state.clone(), inner }
    }
}

#[derive(Clone)]
pub struct ApiGuard<S> {
    state: Arc<AppState>,
    inner: S,
}

impl<S> Service<Request> for ApiGuard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match admit(&self.state, &request) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
                Either::Right(self.inner.call(request))
            }
            Err(refused) => Either::Left(ready(Ok(refused.into_response()))),
        }
    }
}

/// The caller, or why the call is refused (audited here). Authentication comes first, so the
/// rate bucket is the authenticated user's (else the peer address's).
fn admit(state: &AppState, request: &Request) -> Result<Caller, ProxyError> {
    let peer = crate::app::peer_ip(request);
    let caller = crate::app::check_host_and_origin(state, request.headers())
        .and_then(|()| state.auth.authenticate(peer, request.headers()))
        .inspect_err(|e| {
            // Who it claimed to be is not trusted: "-".
            if let Some(audit) = &state.audit {
                crate::audit::refusal(audit, "-", request.uri(), e.status().as_u16(), None);
            }
        })?;
    let key = crate::limits::rate_key(Some(&caller), peer);
    state.limits.admit(key).inspect_err(|e| {
        if let Some(audit) = &state.audit {
            let status = e.status().as_u16();
            crate::audit::refusal(audit, caller.name(), request.uri(), status, Some("rate-limited"));
        }
    })?;
    Ok(caller)
}
