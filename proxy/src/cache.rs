//! A short-TTL cache of upstream answers with single-flight coalescing and stale-if-error.
//!
//! - N concurrent identical calls make one upstream call: the first caller fetches, the others
//!   wait on the same cell. If the first caller goes away, a waiter takes over the fetch.
//! - Only successful answers are stored. When a fetch fails in a way that may pass (timeouts,
//!   5xx, throttling), the last good answer is served instead, marked stale, for a bounded time.
//! - Entries are keyed by action, region, parameters and the caller's permission scope, so two
//!   callers who may see different things never share an answer.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::error::ProxyError;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    pub fn new(action: &str, region: &str, params: &[(String, String)], scope: &str) -> CacheKey {
        // Length-prefixed parts: no two different inputs give the same key.
        let mut k = String::new();
        for part in [action, region, scope].into_iter().chain(params.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()])) {
            k.push_str(&part.len().to_string());
            k.push(':');
            k.push_str(part);
        }
        CacheKey(k)
    }
}

/// An answer from the upstream, already redacted and filtered for the caller's scope.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
    pub fetched_at: Instant,
    /// The upstream's RequestId, read once when the answer is made (not on every serve).
    pub request_id: Option<String>,
}

impl Answer {
    /// An answer from a parsed (and redacted) JSON body.
    pub fn from_json(status: u16, body: &serde_json::Value) -> Answer {
        Answer {
            status,
            body: Bytes::from(body.to_string()),
            fetched_at: Instant::now(),
            request_id: body.get("RequestId").and_then(serde_json::Value::as_str).map(str::to_string),
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// How a fetch ended, as far as the cache is concerned.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// A definitive answer (success, or an error the caller must see, such as a bad parameter).
    Final(Arc<Answer>),
    /// An error answer that may pass (5xx, throttling): served stale if there is a good answer.
    Transient(Arc<Answer>),
    /// No answer at all (timeout, connection failure): served stale if there is a good answer.
    Failed(ProxyError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Served from the cache, fresh.
    Hit,
    /// Fetched for this caller.
    Miss,
    /// Waited for another caller's identical fetch.
    Coalesced,
    /// The upstream failed; the last good answer was served.
    Stale,
    /// The upstream failed and there was nothing to fall back on (or the answer is an error).
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Hit => "hit",
            Outcome::Miss => "miss",
            Outcome::Coalesced => "coalesced",
            Outcome::Stale => "stale",
            Outcome::Error => "error",
        }
    }
}

pub struct Served {
    pub outcome: Outcome,
    pub result: Result<Arc<Answer>, ProxyError>,
    /// How old a stale answer is.
    pub stale_age: Option<Duration>,
}

type Cell = Arc<OnceCell<Fetched>>;

pub struct Cache {
    ttl: Duration,
    stale_for: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<CacheKey, Arc<Answer>>>,
    inflight: Mutex<HashMap<CacheKey, Cell>>,
}

impl Cache {
    pub fn new(ttl: Duration, stale_for: Duration, max_entries: usize) -> Cache {
        Cache {
            ttl,
            stale_for,
            max_entries: max_entries.max(1),
            entries: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Serves `key` from the cache, or runs `fetch` once for all concurrent callers.
    pub async fn get<F, Fut>(&self, key: &CacheKey, fetch: F) -> Served
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Fetched>,
    {
        let now = Instant::now();
        if self.ttl > Duration::ZERO {
            if let Some(answer) = lock(&self.entries).get(key) {
                if now.duration_since(answer.fetched_at) < self.ttl {
                    return Served { outcome: Outcome::Hit, result: Ok(answer.clone()), stale_age: None };
                }
            }
        }

        let cell = lock(&self.inflight).entry(key.clone()).or_insert_with(|| Arc::new(OnceCell::new())).clone();
        let mut ran = false;
        let fetched = cell
            .get_or_init(|| {
                ran = true;
                fetch()
            })
            .await
            .clone();
        if ran {
            // The fetch is done: later callers must start afresh (or hit the stored answer).
            let mut inflight = lock(&self.inflight);
            if inflight.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                inflight.remove(key);
            }
        }
        let fresh_outcome = if ran { Outcome::Miss } else { Outcome::Coalesced };

        match fetched {
            Fetched::Final(answer) => {
                if answer.is_success() && ran && self.ttl > Duration::ZERO {
                    self.store(key, answer.clone());
                }
                let outcome = if answer.is_success() { fresh_outcome } else { Outcome::Error };
                Served { outcome, result: Ok(answer), stale_age: None }
            }
            Fetched::Transient(answer) => match self.stale(key) {
                Some((good, age)) => Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) },
                None => Served { outcome: Outcome::Error, result: Ok(answer), stale_age: None },
            },
            Fetched::Failed(e) => match self.stale(key) {
                Some((good, age)) => Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) },
                None => Served { outcome: Outcome::Error, result: Err(e), stale_age: None },
            },
        }
    }

    fn stale(&self, key: &CacheKey) -> Option<(Arc<Answer>, Duration)> {
        let entries = lock(&self.entries);
        let answer = entries.get(key)?;
        let age = Instant::now().duration_since(answer.fetched_at);
        (age <= self.stale_for).then(|| (answer.clone(), age))
    }

    fn store(&self, key: &CacheKey, answer: Arc<Answer>) {
        let mut entries = lock(&self.entries);
        if entries.len() >= self.max_entries && !entries.contains_key(key) {
            // Drop what can no longer be served even as stale, then the oldest if still full.
            let now = Instant::now();
            let keep_for = self.ttl.max(self.stale_for);
            entries.retain(|_, a| now.duration_since(a.fetched_at) <= keep_for);
            if entries.len() >= self.max_entries {
                if let Some(oldest) = entries.iter().min_by_key(|(_, a)| a.fetched_at).map(|(k, _)| k.clone()) {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key.clone(), answer);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves the map itself consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ok(body: &str) -> Fetched {
        Fetched::Final(Arc::new(Answer { status: 200, body: Bytes::from(body.to_string()), fetched_at: Instant::now(), request_id: None }))
    }

    fn key(n: &str) -> CacheKey {
        CacheKey::new("DescribeCloudMigrationResult", "cn-hangzhou", &[("DBInstanceName".into(), n.into())], "*")
    }

    #[test]
    fn keys_do_not_collide() {
        let a = CacheKey::new("A", "r", &[("x".into(), "y".into())], "s");
        let b = CacheKey::new("A", "r", &[("xy".into(), String::new())], "s");
        assert_ne!(a, b);
        assert_ne!(CacheKey::new("A", "r", &[], "alice"), CacheKey::new("A", "r", &[], "bob"));
    }

    #[tokio::test(start_paused = true)]
    async fn hits_within_ttl_and_refetches_after() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100);
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            ok("a")
        };
        assert_eq!(cache.get(&key("i"), fetch).await.outcome, Outcome::Miss);
        assert_eq!(cache.get(&key("i"), fetch).await.outcome, Outcome::Hit);
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(cache.get(&key("i"), fetch).await.outcome, Outcome::Miss);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn fifty_concurrent_identical_calls_make_one_fetch() {
        let cache = Arc::new(Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for _ in 0..50 {
            let cache = cache.clone();
            let calls = calls.clone();
            handles.push(tokio::spawn(async move {
                cache
                    .get(&key("i"), || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        ok("a")
                    })
                    .await
                    .outcome
            }));
        }
        let mut outcomes = Vec::new();
        for h in handles {
            outcomes.push(h.await.unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Miss).count(), 1);
        assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Coalesced).count(), 49);
    }

    #[tokio::test(start_paused = true)]
    async fn serves_stale_on_failure_for_a_bounded_time() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(30), 100);
        cache.get(&key("i"), || async { ok("good") }).await;
        tokio::time::advance(Duration::from_secs(5)).await;
        let served = cache.get(&key("i"), || async { Fetched::Failed(ProxyError::UpstreamTimeout) }).await;
        assert_eq!(served.outcome, Outcome::Stale);
        assert_eq!(served.stale_age, Some(Duration::from_secs(5)));
        assert_eq!(served.result.unwrap().body, "good");

        let throttled = Arc::new(Answer { status: 400, body: Bytes::from_static(b"{\"Code\":\"Throttling\"}"), fetched_at: Instant::now(), request_id: None });
        let served = cache.get(&key("i"), || async move { Fetched::Transient(throttled) }).await;
        assert_eq!(served.outcome, Outcome::Stale);

        tokio::time::advance(Duration::from_secs(60)).await;
        let served = cache.get(&key("i"), || async { Fetched::Failed(ProxyError::UpstreamTimeout) }).await;
        assert_eq!(served.outcome, Outcome::Error);
        assert!(matches!(served.result, Err(ProxyError::UpstreamTimeout)));
    }

    #[tokio::test]
    async fn errors_are_not_stored_and_final_errors_are_not_hidden_by_stale_answers() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(30), 100);
        cache.get(&key("i"), || async { ok("good") }).await;
        let not_found = Arc::new(Answer { status: 404, body: Bytes::from_static(b"{}"), fetched_at: Instant::now(), request_id: None });
        let nf = not_found.clone();
        let served = cache.get(&key("j"), || async move { Fetched::Final(nf) }).await;
        assert_eq!(served.outcome, Outcome::Error);
        assert_eq!(served.result.unwrap().status, 404);
        let nf = not_found.clone();
        assert_eq!(cache.get(&key("j"), || async move { Fetched::Final(nf) }).await.outcome, Outcome::Error, "not cached");
        assert_eq!(cache.len(), 1);
    }

    #[tokio::test]
    async fn a_ttl_of_zero_disables_the_cache() {
        let cache = Cache::new(Duration::ZERO, Duration::ZERO, 100);
        assert_eq!(cache.get(&key("i"), || async { ok("a") }).await.outcome, Outcome::Miss);
        assert_eq!(cache.get(&key("i"), || async { ok("a") }).await.outcome, Outcome::Miss);
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn the_cache_is_bounded() {
        let cache = Cache::new(Duration::from_secs(60), Duration::from_secs(60), 3);
        for i in 0..10 {
            cache.get(&key(&format!("i{i}")), || async { ok("a") }).await;
        }
        assert_eq!(cache.len(), 3);
    }
}
