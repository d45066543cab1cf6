//! Caps that keep one caller, or many, from exhausting the proxy:
//!
//! - a global cap on upstream fetches in flight (above it, `503 Proxy.Busy` with `Retry-After`).
//!   A fetch whose callers have all gone still holds its permit until it finishes (the cache
//!   runs it on in its own task), so abandoned fetches count against the cap too;
//! - a token bucket per caller on `/api/*` (`429 Proxy.RateLimited` with `Retry-After`), keyed
//!   by the authenticated user, else by the peer address;
//! - a size limit per action on what the upstream answers, read with the cap (never buffered
//!   beyond it), and a bound on the answers parsed at once (a parsed JSON tree costs several
//!   times its text).
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::Response;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

use crate::actions::Action;
use crate::auth::Caller;
use crate::error::ProxyError;

/// Upstream fetches in flight at most, by default.
pub const DEFAULT_MAX_UPSTREAM_IN_FLIGHT: usize = 64;

/// Calls a second each caller may make, sustained, by default. A dashboard tab asks for a few
/// answers per auto-refresh (every 5 s at the quickest), so even ten tabs stay far below.
pub const DEFAULT_RATE_PER_SEC: u32 = 20;
/// Calls a caller may make at once before the rate applies (opening many tabs at once).
pub const DEFAULT_RATE_BURST: u32 = 120;

/// Upstream answers parsed at once, by default.
pub const DEFAULT_MAX_CONCURRENT_PARSES: usize = 4;

/// Distinct callers the rate limiter tracks before it drops those whose bucket is full again.
const RATE_KEYS_BEFORE_PRUNE: usize = 4096;

/// The largest answer the proxy reads from the upstream for `action`. A 100-task page with long
/// `Detail` logs is far below 2 MiB; anything larger is refused rather than held in memory.
pub fn max_answer_bytes(action: Action) -> usize {
    const MIB: usize = 1024 * 1024;
    match action {
        Action::DescribeCloudMigrationResult | Action::DescribeCloudMigrationPrecheckResult => 2 * MIB,
        Action::DescribeDbInstances => MIB,
        Action::DescribeRegions => MIB / 4,
    }
}

/// A whole number of seconds to put in `Retry-After` (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_millis().div_ceil(1000) as u64).max(1)
}

#[derive(Clone)]
pub struct Limits {
    upstream: Arc<Semaphore>,
    parses: Arc<Semaphore>,
    rate: Option<Arc<DefaultKeyedRateLimiter<String>>>,
}

impl Limits {
    /// The fetch cap, with the default rate limit and parse bound.
    pub fn new(max_upstream_in_flight: usize) -> Limits {
        Limits {
            upstream: Arc::new(Semaphore::new(max_upstream_in_flight.max(1))),
            parses: Arc::new(Semaphore::new(DEFAULT_MAX_CONCURRENT_PARSES)),
            rate: None,
        }
        .with_rate(DEFAULT_RATE_PER_SEC, DEFAULT_RATE_BURST)
    }

    /// The same limits with another per-caller rate (`per_sec` 0 turns the limit off).
    pub fn with_rate(mut self, per_sec: u32, burst: u32) -> Limits {
        self.rate = NonZeroU32::new(per_sec).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)))
        });
        self
    }

    /// The same limits with another bound on answers parsed at once.
    pub fn with_max_parses(mut self, parses: usize) -> Limits {
        self.parses = Arc::new(Semaphore::new(parses.max(1)));
        self
    }

    /// A slot for one upstream fetch (with its retries), or `Proxy.Busy` at once.
    pub fn upstream_slot(&self) -> Result<OwnedSemaphorePermit, ProxyError> {
        self.upstream.clone().try_acquire_owned().map_err(|_| ProxyError::Busy)
    }

    /// A slot to parse (and redact) one upstream answer; waits for one.
    pub async fn parse_slot(&self) -> SemaphorePermit<'_> {
        self.parses.acquire().await.unwrap_or_else(|_| unreachable!("the parse semaphore is never closed"))
    }

    /// Takes one token from `key`'s bucket, or says how long until one is there. The key is
    /// taken owned, as [`rate_key`] makes it (the bucket map keeps its own copy of it).
    pub fn admit(&self, key: String) -> Result<(), ProxyError> {
        let Some(rate) = &self.rate else { return Ok(()) };
        match rate.check_key(&key) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(rate.clock().now());
                // Bounded memory: callers whose bucket has filled up again are forgotten.
                if rate.len() > RATE_KEYS_BEFORE_PRUNE {
                    rate.retain_recent();
                }
                Err(ProxyError::RateLimited(retry_after_secs(wait)))
            }
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(DEFAULT_MAX_UPSTREAM_IN_FLIGHT)
    }
}

/// The request-timeout and body-limit layers answer with a bare status and no body: put those
/// answers in the API's error shape (keeping their headers), so every error reads the same.
/// Synchronous, so its layer (`tower::util::MapResponseLayer`) boxes nothing per request.
pub fn shape_bare_errors(response: Response) -> Response {
    let (code, message) = match response.status() {
        StatusCode::REQUEST_TIMEOUT => ("Proxy.RequestTimeout", "The request took too long and was stopped."),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("Proxy.PayloadTooLarge", "The request body is larger than the proxy accepts.")
        }
        _ => return response,
    };
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (shaped, body) = crate::error::error_response(parts.status, code, message).into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(shaped.headers);
    Response::from_parts(parts, body)
}

/// The bucket a call is counted in: the authenticated user, else the peer's address.
pub fn rate_key(caller: Option<&Caller>, peer: Option<IpAddr>) -> String {
    match (caller.and_then(|c| c.user.as_deref()), peer) {
        (Some(user), _) => format!("u:{user}"),
        (None, Some(ip)) => format!("a:{}", ip.to_canonical()),
        (None, None) => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_per_caller_refuses_past_its_burst_and_names_the_wait() {
        let limits = Limits::new(4).with_rate(1, 3);
        for _ in 0..3 {
            assert!(limits.admit("u:alice".into()).is_ok());
        }
        match limits.admit("u:alice".into()) {
            Err(ProxyError::RateLimited(secs)) => assert_eq!(secs, 1),
            other => panic!("{other:?}"),
        }
        // Another caller has its own bucket.
        assert!(limits.admit("u:bob".into()).is_ok());
        // Off: never refused.
        let off = Limits::new(4).with_rate(0, 0);
        assert!((0..1000).all(|_| off.admit("u:alice".into()).is_ok()));
    }

    #[test]
    fn the_default_lets_a_dashboard_refresh_many_tabs_at_once() {
        // Ten tabs, each asking for four answers at once on every refresh.
        let limits = Limits::default();
        assert!((0..40).all(|_| limits.admit("a:127.0.0.1".into()).is_ok()));
    }

    #[test]
    fn keys_name_the_user_or_the_canonical_peer() {
        let alice = Caller { user: Some("alice".into()), groups: vec![] };
        assert_eq!(rate_key(Some(&alice), None), "u:alice");
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(rate_key(None, Some(mapped)), "a:127.0.0.1");
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn parses_wait_for_a_slot() {
        let limits = Limits::new(4).with_max_parses(1);
        let first = limits.parse_slot().await;
        let second = tokio::time::timeout(Duration::from_secs(1), limits.parse_slot()).await;
        assert!(second.is_err(), "a second parse must wait while the only slot is held");
        drop(first);
        assert!(tokio::time::timeout(Duration::from_secs(1), limits.parse_slot()).await.is_ok());
    }

    #[test]
    fn every_action_has_a_bound_the_task_list_two_mib() {
        assert_eq!(max_answer_bytes(Action::DescribeCloudMigrationResult), 2 * 1024 * 1024);
        for a in Action::ALL {
            assert!(max_answer_bytes(a) >= 64 * 1024, "{a:?}");
        }
    }
}
