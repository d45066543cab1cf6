//! A short-TTL cache of upstream answers with single-flight coalescing and stale-if-error.
//!
//! - N concurrent identical calls make one upstream call. The fetch runs in its own task, so it
//!   finishes, and refreshes the entry, even if every caller has stopped waiting for it.
//! - Only successful answers are stored. When a fetch fails in a way that may pass (timeouts,
//!   5xx, throttling), the last good answer is served instead, marked stale, for a bounded time.
//! - Once the last fetch of an entry has failed, callers do not sit through the next fetch's
//!   timeouts and retries: they wait at most [`DEFAULT_STALE_WAIT`] for it, then get the stale
//!   answer while the fetch goes on in the background. A recovered upstream answers within that
//!   wait, so fresh data comes back on the first call after it recovers.
//! - Entries are keyed by action, region, parameters and the caller's permission scope, so two
//!   callers who may see different things never share an answer.
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderValue;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::ProxyError;

/// How long a caller waits for a fetch when the entry's last fetch failed and a stale answer
/// is there to fall back on: long enough for a healthy upstream to answer, short enough that
/// a dashboard under an outage stays quick.
pub const DEFAULT_STALE_WAIT: Duration = Duration::from_millis(250);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    pub fn new(action: &str, region: &str, params: &[(String, String)], scope: &str) -> CacheKey {
        use std::fmt::Write;
        // Length-prefixed parts: no two different inputs give the same key.
        let mut k = String::new();
        for part in [action, region, scope]
            .into_iter()
            .chain(params.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]))
        {
            let _ = write!(k, "{}:{part}", part.len());
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
    /// The upstream's RequestId as a header value, made once when the answer is made (not on
    /// every serve); None if the body has none or it cannot be a header value.
    pub request_id: Option<HeaderValue>,
}

impl Answer {
    /// An answer from a parsed (and redacted) JSON body.
    pub fn from_json(status: u16, body: &serde_json::Value) -> Answer {
        Answer {
            status,
            body: Bytes::from(body.to_string()),
            fetched_at: Instant::now(),
            request_id: body
                .get("RequestId")
                .and_then(serde_json::Value::as_str)
                .and_then(|id| HeaderValue::from_str(id).ok()),
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

/// A stored answer, and whether the last fetch for its key failed.
struct Entry {
    answer: Arc<Answer>,
    failing: bool,
}

/// Where the callers of one in-flight fetch wait for its result.
type Slot = watch::Receiver<Option<Fetched>>;

struct Inner {
    ttl: Duration,
    stale_for: Duration,
    stale_wait: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<CacheKey, Entry>>,
    inflight: Mutex<HashMap<CacheKey, Slot>>,
}

pub struct Cache {
    inner: Arc<Inner>,
}

impl Cache {
    pub fn new(ttl: Duration, stale_for: Duration, max_entries: usize) -> Cache {
        Cache {
            inner: Arc::new(Inner {
                ttl,
                stale_for,
                stale_wait: DEFAULT_STALE_WAIT,
                max_entries: max_entries.max(1),
                entries: Mutex::new(HashMap::new()),
                inflight: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The same cache with another wait for fetches of failing entries (see the module docs).
    pub fn with_stale_wait(self, wait: Duration) -> Cache {
        let inner = Arc::try_unwrap(self.inner)
            .unwrap_or_else(|_| unreachable!("with_stale_wait is called on a new cache"));
        Cache { inner: Arc::new(Inner { stale_wait: wait, ..inner }) }
    }

    pub fn len(&self) -> usize {
        lock(&self.inner.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Serves `key` from the cache, or runs `fetch` once for all concurrent callers.
    pub async fn get<F, Fut>(&self, key: &CacheKey, fetch: F) -> Served
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Fetched> + Send + 'static,
    {
        let inner = &self.inner;
        if inner.ttl > Duration::ZERO {
            if let Some(entry) = lock(&inner.entries).get(key) {
                if entry.answer.fetched_at.elapsed() < inner.ttl {
                    return Served {
                        outcome: Outcome::Hit,
                        result: Ok(entry.answer.clone()),
                        stale_age: None,
                    };
                }
            }
        }

        let (mut slot, started) = self.join_or_start(key, fetch);
        let fallback = inner.failing_stale(key);
        let result = async {
            match slot.wait_for(Option::is_some).await {
                Ok(fetched) => fetched.clone().unwrap_or_else(|| unreachable!("waited for Some")),
                Err(_) => {
                    Fetched::Failed(ProxyError::Internal("the upstream fetch ended without an answer".into()))
                }
            }
        };
        let fetched = match fallback {
            Some((good, age)) => match tokio::time::timeout(inner.stale_wait, result).await {
                Ok(fetched) => fetched,
                Err(_) => return Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) },
            },
            None => result.await,
        };
        let fresh_outcome = if started { Outcome::Miss } else { Outcome::Coalesced };

        match fetched {
            Fetched::Final(answer) => {
                let outcome = if answer.is_success() { fresh_outcome } else { Outcome::Error };
                Served { outcome, result: Ok(answer), stale_age: None }
            }
            Fetched::Transient(answer) => match inner.stale(key) {
                Some((good, age)) => {
                    Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) }
                }
                None => Served { outcome: Outcome::Error, result: Ok(answer), stale_age: None },
            },
            Fetched::Failed(e) => match inner.stale(key) {
                Some((good, age)) => {
                    Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) }
                }
                None => Served { outcome: Outcome::Error, result: Err(e), stale_age: None },
            },
        }
    }

    /// The slot of the fetch in flight for `key`, or of a new one started in its own task; and
    /// whether this caller started it.
    fn join_or_start<F, Fut>(&self, key: &CacheKey, fetch: F) -> (Slot, bool)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Fetched> + Send + 'static,
    {
        let mut inflight = lock(&self.inner.inflight);
        if let Some(slot) = inflight.get(key) {
            return (slot.clone(), false);
        }
        let (tx, slot) = watch::channel(None);
        inflight.insert(key.clone(), slot.clone());
        let fut = fetch();
        let inner = self.inner.clone();
        let key = key.clone();
        tokio::spawn(async move {
            // A panicking fetch must still release its waiters (and its key).
            let fetched = tokio::spawn(fut).await.unwrap_or_else(|_| {
                Fetched::Failed(ProxyError::Internal("the upstream fetch failed unexpectedly".into()))
            });
            inner.finish(&key, &fetched);
            let _ = tx.send(Some(fetched));
        });
        (slot, true)
    }
}

impl Inner {
    /// Records a finished fetch: a good answer is stored, a failure marks the entry failing;
    /// then the key is free for the next fetch.
    fn finish(&self, key: &CacheKey, fetched: &Fetched) {
        match fetched {
            Fetched::Final(answer) if answer.is_success() && self.ttl > Duration::ZERO => {
                self.store(key, answer.clone())
            }
            Fetched::Final(_) => {}
            Fetched::Transient(_) | Fetched::Failed(_) => {
                if let Some(entry) = lock(&self.entries).get_mut(key) {
                    entry.failing = true;
                }
            }
        }
        lock(&self.inflight).remove(key);
    }

    fn stale(&self, key: &CacheKey) -> Option<(Arc<Answer>, Duration)> {
        let entries = lock(&self.entries);
        let entry = entries.get(key)?;
        let age = entry.answer.fetched_at.elapsed();
        (age <= self.stale_for).then(|| (entry.answer.clone(), age))
    }

    /// The stale answer to fall back on at once if the entry's last fetch failed.
    fn failing_stale(&self, key: &CacheKey) -> Option<(Arc<Answer>, Duration)> {
        let failing = lock(&self.entries).get(key).is_some_and(|e| e.failing);
        if failing {
            self.stale(key)
        } else {
            None
        }
    }

    fn store(&self, key: &CacheKey, answer: Arc<Answer>) {
        let mut entries = lock(&self.entries);
        if entries.len() >= self.max_entries && !entries.contains_key(key) {
            // Drop what can no longer be served even as stale, then the oldest if still full.
            let keep_for = self.ttl.max(self.stale_for);
            entries.retain(|_, e| e.answer.fetched_at.elapsed() <= keep_for);
            if entries.len() >= self.max_entries {
                if let Some(oldest) =
                    entries.iter().min_by_key(|(_, e)| e.answer.fetched_at).map(|(k, _)| k.clone())
                {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key.clone(), Entry { answer, failing: false });
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
        Fetched::Final(Arc::new(Answer {
            status: 200,
            body: Bytes::from(body.to_string()),
            fetched_at: Instant::now(),
            request_id: None,
        }))
    }

    fn key(n: &str) -> CacheKey {
        CacheKey::new(
            "DescribeCloudMigrationResult",
            "cn-hangzhou",
            &[("DBInstanceName".into(), n.into())],
            "*",
        )
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
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = || {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                ok("a")
            }
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

        let throttled = Arc::new(Answer {
            status: 400,
            body: Bytes::from_static(b"{\"Code\":\"Throttling\"}"),
            fetched_at: Instant::now(),
            request_id: None,
        });
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
        let not_found = Arc::new(Answer {
            status: 404,
            body: Bytes::from_static(b"{}"),
            fetched_at: Instant::now(),
            request_id: None,
        });
        let nf = not_found.clone();
        let served = cache.get(&key("j"), || async move { Fetched::Final(nf) }).await;
        assert_eq!(served.outcome, Outcome::Error);
        assert_eq!(served.result.unwrap().status, 404);
        let nf = not_found.clone();
        assert_eq!(
            cache.get(&key("j"), || async move { Fetched::Final(nf) }).await.outcome,
            Outcome::Error,
            "not cached"
        );
        assert_eq!(cache.len(), 1);
    }

    #[tokio::test]
    async fn a_ttl_of_zero_disables_the_cache() {
        let cache = Cache::new(Duration::ZERO, Duration::ZERO, 100);
        assert_eq!(cache.get(&key("i"), || async { ok("a") }).await.outcome, Outcome::Miss);
        assert_eq!(cache.get(&key("i"), || async { ok("a") }).await.outcome, Outcome::Miss);
        assert!(cache.is_empty());
    }

    fn failed() -> Fetched {
        Fetched::Failed(ProxyError::UpstreamTimeout)
    }

    /// An entry whose last fetch failed: good answer "good", fetched 5 s ago.
    async fn failing_entry(cache: &Cache) {
        cache.get(&key("i"), || async { ok("good") }).await;
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(cache.get(&key("i"), || async { failed() }).await.outcome, Outcome::Stale);
    }

    #[tokio::test(start_paused = true)]
    async fn once_failing_callers_get_the_stale_answer_quickly_while_the_fetch_goes_on() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100);
        failing_entry(&cache).await;
        let started = Instant::now();
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            ok("new")
        };
        let served = cache.get(&key("i"), slow).await;
        assert_eq!(served.outcome, Outcome::Stale);
        assert_eq!(started.elapsed(), DEFAULT_STALE_WAIT, "waited only the stale wait");
        assert_eq!(served.result.unwrap().body, "good");
        // A second caller joins the same fetch (no new one) and also gets the stale answer.
        let served = cache.get(&key("i"), || async { panic!("a second fetch was started") }).await;
        assert_eq!(served.outcome, Outcome::Stale);
        // The fetch finishes on its own and refreshes the entry.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let served = cache.get(&key("i"), || async { panic!("the entry should be fresh") }).await;
        assert_eq!(served.outcome, Outcome::Hit);
        assert_eq!(served.result.unwrap().body, "new");
    }

    #[tokio::test(start_paused = true)]
    async fn a_recovered_upstream_answers_fresh_on_the_first_call() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100);
        failing_entry(&cache).await;
        let quick = || async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            ok("new")
        };
        let served = cache.get(&key("i"), quick).await;
        assert_eq!(served.outcome, Outcome::Miss);
        assert_eq!(served.result.unwrap().body, "new");
        // No longer failing: the next fetch after the TTL is waited for in full again.
        tokio::time::advance(Duration::from_secs(3)).await;
        let started = Instant::now();
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            ok("newer")
        };
        assert_eq!(cache.get(&key("i"), slow).await.outcome, Outcome::Miss);
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fetch_finishes_even_if_its_caller_goes_away() {
        let cache = Arc::new(Cache::new(Duration::from_secs(60), Duration::from_secs(60), 100));
        let caller = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get(&key("i"), || async {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        ok("a")
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        caller.abort();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            cache.get(&key("i"), || async { panic!("not fetched again") }).await.outcome,
            Outcome::Hit
        );
    }

    #[tokio::test]
    async fn a_panicking_fetch_releases_its_waiters_and_its_key() {
        let cache = Cache::new(Duration::from_secs(60), Duration::from_secs(60), 100);
        let served = cache.get(&key("i"), || async { panic!("boom") }).await;
        assert_eq!(served.outcome, Outcome::Error);
        assert!(matches!(served.result, Err(ProxyError::Internal(_))));
        assert_eq!(
            cache.get(&key("i"), || async { ok("a") }).await.outcome,
            Outcome::Miss,
            "a new fetch runs"
        );
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
