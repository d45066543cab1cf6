//! Caps that keep one caller, or many, from exhausting the proxy: a global cap on upstream
//! fetches in flight (above it, `503 Proxy.Busy` with `Retry-After`). A fetch whose callers have
//! all gone still holds its permit until it finishes (the cache runs it on in its own task), so
//! abandoned fetches count against the cap too.
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ProxyError;

/// Upstream fetches in flight at most, by default.
pub const DEFAULT_MAX_UPSTREAM_IN_FLIGHT: usize = 64;

#[derive(Clone)]
pub struct Limits {
    upstream: Arc<Semaphore>,
}

impl Limits {
    pub fn new(max_upstream_in_flight: usize) -> Limits {
        Limits { upstream: Arc::new(Semaphore::new(max_upstream_in_flight.max(1))) }
    }

    /// A slot for one upstream fetch (with its retries), or `Proxy.Busy` at once.
    pub fn upstream_slot(&self) -> Result<OwnedSemaphorePermit, ProxyError> {
        self.upstream.clone().try_acquire_owned().map_err(|_| ProxyError::Busy)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(DEFAULT_MAX_UPSTREAM_IN_FLIGHT)
    }
}
