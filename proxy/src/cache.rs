//! A short-TTL cache of upstream answers with single-flight coalescing, stale-while-revalidate
//! and stale-if-error, bounded by entries and by bytes.
//!
//! - N concurrent identical calls make one upstream call. The first caller runs the fetch in
//!   its own task (no hand-off to another thread when no one else waits); if it stops waiting
//!   (it gave up for a saved copy, or hung up), the rest of the fetch is handed to a task of its
//!   own, so it still finishes and refreshes the entry.
//! - Only successful answers are stored. An expired entry within its stale window is
//!   revalidated: callers wait at most [`DEFAULT_REVALIDATE_WAIT`] after the refetch started
//!   for the fresh answer, then get the saved copy marked `revalidating` (a refresh is under
//!   way: no stale badge). When a fetch fails in a way that may pass (timeouts, 5xx,
//!   throttling), the saved copy is served marked stale (`X-Proxy-Stale`), for a bounded time.
//! - Once the last fetch of an entry has failed, callers wait at most [`DEFAULT_STALE_WAIT`] for
//!   the next one, then get the stale answer while the fetch goes on in the background. A
//!   recovered upstream answers within that wait, so fresh data comes back on the first call.
//! - Entries are keyed by action, endpoint, parameters and the caller's permission scope, so
//!   two callers who may see different things never share an answer.
//! - Memory is bounded by total bytes and entry count; entries leave in the order they were
//!   stored (a popular entry is stored again on every refresh, so it stays young), and an entry
//!   is swept once its stale window has ended. An answer nobody has asked for again (a one-off
//!   filter) leaves after [`ONCE_FOR`] instead: keeping it for the whole stale window made memory
//!   grow for minutes under a stream of distinct calls. A key asked for again, even after its
//!   answer left, is kept for the stale window from then on. Every operation is O(1) in the
//!   number of entries (the sweep pops only what has expired).
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::Poll;
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

/// How long after a refetch of an expired entry started its callers wait for the fresh answer
/// before they get the saved copy marked `revalidating`. Counted from the refetch's start, not
/// per caller, so callers who join a slow refetch late are not held up again.
pub const DEFAULT_REVALIDATE_WAIT: Duration = Duration::from_millis(100);

/// The default bound on the bytes the cache holds (`--cache-max-bytes`).
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// What an entry costs beyond its key and body: the map's node, the answer's `Arc`, the
/// header value (an estimate; it keeps many tiny entries from escaping the byte bound).
const ENTRY_OVERHEAD_BYTES: usize = 160;

/// How long an answer stored once and not asked for again is kept (at least the TTL, at most the
/// stale window). Long enough for a dashboard's next refresh at the app's usual intervals; a
/// key asked for again after it is remembered (see [`Store`]) and kept in full from then on.
pub const ONCE_FOR: Duration = Duration::from_secs(15);

/// How often expired entries are swept when no store does it on the way.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    /// `endpoint` is where the call goes (the region only picks it, unless the action forwards
    /// `RegionId`, in which case it is among `params`): keying by the endpoint, not the region,
    /// keeps regions that give the same answer from filling the cache with copies.
    pub fn new(action: &str, endpoint: &str, params: &[(String, String)], scope: &str) -> CacheKey {
        use std::fmt::Write;
        let len = action.len()
            + endpoint.len()
            + scope.len()
            + params.iter().map(|(a, b)| a.len() + b.len() + 8).sum::<usize>()
            + 12;
        // Length-prefixed parts: no two different inputs give the same key.
        let mut k = String::with_capacity(len);
        for part in [action, endpoint, scope]
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
    /// An answer from a redacted JSON body and its `RequestId`.
    pub fn new(status: u16, body: Bytes, request_id: Option<&str>) -> Answer {
        Answer {
            status,
            body,
            fetched_at: Instant::now(),
            request_id: request_id.and_then(|id| HeaderValue::from_str(id).ok()),
        }
    }

    /// An answer from a parsed (and redacted) JSON body.
    pub fn from_json(status: u16, body: &serde_json::Value) -> Answer {
        let request_id = body.get("RequestId").and_then(serde_json::Value::as_str);
        Answer::new(status, Bytes::from(body.to_string()), request_id)
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
    /// The entry had expired and its refetch is still under way: the saved copy was served.
    Revalidating,
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
            Outcome::Revalidating => "revalidating",
            Outcome::Stale => "stale",
            Outcome::Error => "error",
        }
    }
}

pub struct Served {
    pub outcome: Outcome,
    pub result: Result<Arc<Answer>, ProxyError>,
    /// How old a stale answer is (only for [`Outcome::Stale`]).
    pub stale_age: Option<Duration>,
}

/// A stored answer, and whether the last fetch for its key failed.
struct Entry {
    answer: Arc<Answer>,
    failing: bool,
    bytes: usize,
}

/// The stored entries, oldest stored first in each map (`lru` used without promotion on reads:
/// `peek` only, so its order is the order of stores), and their bytes.
struct Store {
    /// Answers whose key was asked for again since it was first stored: kept for the stale window.
    kept: lru::LruCache<CacheKey, Entry>,
    /// Answers stored once and not asked for since: kept for [`ONCE_FOR`].
    once: lru::LruCache<CacheKey, Entry>,
    /// The keys (a hash each) whose answer left `once` unasked, with when it was fetched, for
    /// the stale window: one stored again has been asked for again, and goes to `kept`. A few
    /// bytes each instead of the answer (a collision only keeps a one-off answer longer).
    gone_once: GoneOnce,
    bytes: usize,
}

/// [`Store::gone_once`]: two flat tables, with no allocation per key. It holds every one-off
/// key of the last stale window (300 s by default), so under a stream of distinct calls it
/// fills for that long; an `lru` node per key (48 bytes, each its own allocation, freed minutes
/// later among the requests' short-lived ones) left the allocator's pages part-used and made
/// the proxy's memory creep for the whole window (BENCHMARKS.md, "Load under faults").
struct GoneOnce {
    /// When the store was made: the times below are milliseconds since then.
    base: Instant,
    /// (fetched, hash) in the order noted, which is the order fetched give or take a
    /// concurrent store: swept from the front.
    order: VecDeque<(u64, u64)>,
    /// Each hash's latest note (an older copy of it in `order` is skipped when swept).
    at: HashMap<u64, u64>,
}

impl GoneOnce {
    fn new() -> GoneOnce {
        GoneOnce { base: Instant::now(), order: VecDeque::new(), at: HashMap::new() }
    }

    fn ms(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.base).as_millis() as u64
    }

    fn note(&mut self, hash: u64, fetched: Instant) {
        let t = self.ms(fetched);
        self.at.insert(hash, t);
        self.order.push_back((t, hash));
    }

    /// Whether `hash` was noted (and still held); forgets it.
    fn take(&mut self, hash: u64) -> bool {
        self.at.remove(&hash).is_some()
    }

    /// Forgets the notes older than `keep_for`, and the oldest beyond `max` notes.
    fn sweep(&mut self, now: Instant, keep_for: Duration, max: usize) {
        let now = self.ms(now);
        let keep_for = keep_for.as_millis() as u64;
        while let Some(&(t, hash)) = self.order.front() {
            if now.saturating_sub(t) <= keep_for && self.order.len() <= max {
                break;
            }
            self.order.pop_front();
            if self.at.get(&hash) == Some(&t) {
                self.at.remove(&hash);
            }
        }
    }
}

impl Store {
    fn new() -> Store {
        Store {
            kept: lru::LruCache::unbounded(),
            once: lru::LruCache::unbounded(),
            gone_once: GoneOnce::new(),
            bytes: 0,
        }
    }

    fn len(&self) -> usize {
        self.kept.len() + self.once.len()
    }

    /// The entry for `key`, as a caller asks for it: one stored once is now asked for again.
    fn ask(&mut self, key: &CacheKey) -> Option<&Entry> {
        if !self.kept.contains(key) {
            let (k, e) = self.once.pop_entry(key)?;
            // At the young end, though fetched earlier: swept at most ONCE_FOR late.
            self.kept.put(k, e);
        }
        self.kept.peek(key)
    }

    fn peek_mut(&mut self, key: &CacheKey) -> Option<&mut Entry> {
        if self.kept.contains(key) {
            self.kept.peek_mut(key)
        } else {
            self.once.peek_mut(key)
        }
    }

    /// Stores `entry` at the young end: in `kept` if its key was stored before (it is asked
    /// for again), else in `once`.
    fn put(&mut self, key: &CacheKey, entry: Entry) {
        let again = self.gone_once.take(key_hash(key));
        let old = self.kept.pop(key).or_else(|| self.once.pop(key));
        let again = again || old.is_some();
        if let Some(old) = old {
            self.bytes -= old.bytes;
        }
        self.bytes += entry.bytes;
        let map = if again { &mut self.kept } else { &mut self.once };
        map.put(key.clone(), entry);
    }

    /// Drops the oldest entry: the older of the two maps' oldest.
    fn remove_oldest(&mut self) -> bool {
        let once_first = match (self.once.peek_lru(), self.kept.peek_lru()) {
            (Some((_, o)), Some((_, k))) => o.answer.fetched_at <= k.answer.fetched_at,
            (once, _) => once.is_some(),
        };
        let oldest = if once_first { self.once.pop_lru() } else { self.kept.pop_lru() };
        match oldest {
            Some((_, e)) => {
                self.bytes -= e.bytes;
                true
            }
            None => false,
        }
    }

    /// Drops the entries, oldest first, that can no longer be served even as stale, and the
    /// once-stored ones nobody asked for again within `once_for`.
    fn sweep(&mut self, now: Instant, keep_for: Duration, once_for: Duration, max_entries: usize) {
        let old = |at: Instant, limit: Duration| now.saturating_duration_since(at) > limit;
        while self.once.peek_lru().is_some_and(|(_, e)| old(e.answer.fetched_at, once_for)) {
            if let Some((k, e)) = self.once.pop_lru() {
                self.bytes -= e.bytes;
                self.gone_once.note(key_hash(&k), e.answer.fetched_at);
            }
        }
        while self.kept.peek_lru().is_some_and(|(_, e)| old(e.answer.fetched_at, keep_for)) {
            if let Some((_, e)) = self.kept.pop_lru() {
                self.bytes -= e.bytes;
            }
        }
        self.gone_once.sweep(now, keep_for, max_entries);
    }
}

/// A key's hash for [`Store::gone_once`] (fixed keys: the same in every run, and nothing is
/// served by it, so a chosen collision gains nothing).
fn key_hash(key: &CacheKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Where the callers of one in-flight fetch wait for its result, and when it started.
#[derive(Clone)]
struct Slot {
    rx: watch::Receiver<Option<Fetched>>,
    started: Instant,
}

struct Inner {
    ttl: Duration,
    stale_for: Duration,
    stale_wait: Duration,
    revalidate_wait: Duration,
    max_entries: usize,
    max_bytes: usize,
    store: Mutex<Store>,
    inflight: Mutex<HashMap<CacheKey, Slot>>,
    sweeper: AtomicBool,
}

pub struct Cache {
    inner: Arc<Inner>,
}

/// What the store holds for a key at the time of a call.
enum Lookup {
    Fresh(Arc<Answer>),
    /// Expired, within the stale window: a copy to fall back on.
    Saved {
        answer: Arc<Answer>,
        age: Duration,
        failing: bool,
    },
    Nothing,
}

impl Cache {
    pub fn new(ttl: Duration, stale_for: Duration, max_entries: usize) -> Cache {
        Cache {
            inner: Arc::new(Inner {
                ttl,
                stale_for,
                stale_wait: DEFAULT_STALE_WAIT,
                revalidate_wait: DEFAULT_REVALIDATE_WAIT,
                max_entries: max_entries.max(1),
                max_bytes: DEFAULT_MAX_BYTES,
                store: Mutex::new(Store::new()),
                inflight: Mutex::new(HashMap::new()),
                sweeper: AtomicBool::new(false),
            }),
        }
    }

    fn with(self, f: impl FnOnce(&mut Inner)) -> Cache {
        let mut inner = Arc::try_unwrap(self.inner)
            .unwrap_or_else(|_| unreachable!("the cache is configured before it is shared"));
        f(&mut inner);
        Cache { inner: Arc::new(inner) }
    }

    /// The same cache with another wait for fetches of failing entries (see the module docs).
    pub fn with_stale_wait(self, wait: Duration) -> Cache {
        self.with(|i| i.stale_wait = wait)
    }

    /// The same cache with another wait for refetches of expired entries (see the module docs).
    pub fn with_revalidate_wait(self, wait: Duration) -> Cache {
        self.with(|i| i.revalidate_wait = wait)
    }

    /// The same cache bounded to `bytes` in all (keys, bodies and a per-entry overhead).
    pub fn with_max_bytes(self, bytes: usize) -> Cache {
        self.with(|i| i.max_bytes = bytes.max(1))
    }

    pub fn len(&self) -> usize {
        lock(&self.inner.store).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries and the bytes they count for, read together.
    pub fn size(&self) -> (usize, usize) {
        let store = lock(&self.inner.store);
        (store.len(), store.bytes)
    }

    /// The bytes the stored entries count for (see [`Cache::with_max_bytes`]).
    pub fn bytes(&self) -> usize {
        lock(&self.inner.store).bytes
    }

    /// Drops the entries whose stale window has ended (also done on every store, and every
    /// second in the background once the cache has been used inside a runtime).
    pub fn sweep(&self) {
        self.inner.sweep(Instant::now());
    }

    /// Serves `key` from the cache, or runs `fetch` once for all concurrent callers.
    pub async fn get<F, Fut>(&self, key: &CacheKey, fetch: F) -> Served
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Fetched> + Send + 'static,
    {
        let inner = &self.inner;
        let saved = match inner.lookup(key) {
            Lookup::Fresh(answer) => {
                return Served { outcome: Outcome::Hit, result: Ok(answer), stale_age: None }
            }
            Lookup::Saved { answer, age, failing } => Some((answer, age, failing)),
            Lookup::Nothing => None,
        };

        let (slot, flight) = self.join_or_start(key, fetch);
        let started = flight.is_some();
        let wait_for_result = async move {
            match flight {
                Some(flight) => flight.run().await,
                None => wait(slot.rx).await,
            }
        };
        let fetched = match &saved {
            Some((answer, age, failing)) => {
                let budget = if *failing { inner.stale_wait } else { inner.revalidate_wait };
                match tokio::time::timeout_at(slot.started + budget, wait_for_result).await {
                    Ok(fetched) => fetched,
                    // Dropping a started flight here hands its rest to a task of its own.
                    Err(_) if *failing => {
                        return Served {
                            outcome: Outcome::Stale,
                            result: Ok(answer.clone()),
                            stale_age: Some(*age),
                        }
                    }
                    Err(_) => {
                        return Served {
                            outcome: Outcome::Revalidating,
                            result: Ok(answer.clone()),
                            stale_age: None,
                        }
                    }
                }
            }
            None => wait_for_result.await,
        };
        let fresh_outcome = if started { Outcome::Miss } else { Outcome::Coalesced };

        let answer = match fetched {
            Fetched::Final(answer) => {
                let outcome = if answer.is_success() { fresh_outcome } else { Outcome::Error };
                return Served { outcome, result: Ok(answer), stale_age: None };
            }
            Fetched::Transient(answer) => Ok(answer),
            Fetched::Failed(e) => Err(e),
        };
        // The saved copy, looked up again: still within the window?
        let saved = saved.map(|(good, _, _)| good).or_else(|| match inner.lookup(key) {
            Lookup::Saved { answer, .. } | Lookup::Fresh(answer) => Some(answer),
            Lookup::Nothing => None,
        });
        match saved {
            Some(good) if good.fetched_at.elapsed() <= inner.stale_for => {
                let age = good.fetched_at.elapsed();
                Served { outcome: Outcome::Stale, result: Ok(good), stale_age: Some(age) }
            }
            _ => Served { outcome: Outcome::Error, result: answer, stale_age: None },
        }
    }

    /// The slot of the fetch in flight for `key`; or a new slot, and the flight this caller
    /// then runs.
    fn join_or_start<F, Fut>(&self, key: &CacheKey, fetch: F) -> (Slot, Option<Flight>)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Fetched> + Send + 'static,
    {
        let mut inflight = lock(&self.inner.inflight);
        if let Some(slot) = inflight.get(key) {
            return (slot.clone(), None);
        }
        let (tx, rx) = watch::channel(None);
        let slot = Slot { rx, started: Instant::now() };
        inflight.insert(key.clone(), slot.clone());
        drop(inflight);
        self.start_sweeper();
        let flight = Flight {
            fut: Some(Box::pin(fetch())),
            inner: self.inner.clone(),
            key: key.clone(),
            tx: Some(tx),
        };
        (slot, Some(flight))
    }

    /// Starts the background sweep once, if there is a runtime to run it; it ends with the cache.
    fn start_sweeper(&self) {
        if self.inner.ttl.is_zero() || self.inner.sweeper.swap(true, Ordering::Relaxed) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.inner.sweeper.store(false, Ordering::Relaxed);
            return;
        };
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                inner.sweep(Instant::now());
            }
        });
    }
}

async fn wait(mut rx: watch::Receiver<Option<Fetched>>) -> Fetched {
    match rx.wait_for(Option::is_some).await {
        Ok(fetched) => fetched.clone().unwrap_or_else(|| unreachable!("waited for Some")),
        Err(_) => Fetched::Failed(ProxyError::Internal("the upstream fetch ended without an answer".into())),
    }
}

type BoxedFetch = Pin<Box<dyn Future<Output = Fetched> + Send>>;

/// One fetch, run by the caller who started it. If that caller stops waiting before it ends,
/// `Drop` hands the rest to a task of its own, so the fetch still finishes, is stored and
/// wakes the other waiters.
struct Flight {
    fut: Option<BoxedFetch>,
    inner: Arc<Inner>,
    key: CacheKey,
    tx: Option<watch::Sender<Option<Fetched>>>,
}

impl Flight {
    async fn run(mut self) -> Fetched {
        let fetched = std::future::poll_fn(|cx| {
            let fut = self.fut.as_mut().unwrap_or_else(|| unreachable!("a flight is polled until it ends"));
            poll_caught(fut, cx)
        })
        .await;
        self.fut = None;
        self.complete(&fetched);
        fetched
    }

    fn complete(&mut self, fetched: &Fetched) {
        finish(&self.inner, &self.key, fetched, self.tx.take());
    }
}

/// Records a finished fetch and wakes its waiters.
fn finish(inner: &Inner, key: &CacheKey, fetched: &Fetched, tx: Option<watch::Sender<Option<Fetched>>>) {
    inner.finish(key, fetched);
    if let Some(tx) = tx {
        let _ = tx.send(Some(fetched.clone()));
    }
}

/// `fut`, with a panic inside it turned into a failed fetch.
async fn fetched_owned(mut fut: BoxedFetch) -> Fetched {
    std::future::poll_fn(|cx| poll_caught(&mut fut, cx)).await
}

fn poll_caught(fut: &mut BoxedFetch, cx: &mut std::task::Context<'_>) -> Poll<Fetched> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(poll) => poll,
        Err(_) => Poll::Ready(Fetched::Failed(ProxyError::Internal(
            "the upstream fetch failed unexpectedly".into(),
        ))),
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        let Some(fut) = self.fut.take() else { return };
        let (inner, key, tx) = (self.inner.clone(), self.key.clone(), self.tx.take());
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let fetched = fetched_owned(fut).await;
                    finish(&inner, &key, &fetched, tx);
                });
            }
            // No runtime left (shutting down): release the waiters and the key.
            Err(_) => {
                let failed = Fetched::Failed(ProxyError::Internal("the proxy is shutting down".into()));
                finish(&inner, &key, &failed, tx);
            }
        }
    }
}

impl Inner {
    fn keep_for(&self) -> Duration {
        self.ttl.max(self.stale_for)
    }

    /// How long an answer stored once and not asked for again is kept.
    fn once_for(&self) -> Duration {
        self.ttl.max(ONCE_FOR).min(self.keep_for())
    }

    fn lookup(&self, key: &CacheKey) -> Lookup {
        if self.ttl.is_zero() {
            return Lookup::Nothing;
        }
        let mut store = lock(&self.store);
        let Some(entry) = store.ask(key) else { return Lookup::Nothing };
        let age = entry.answer.fetched_at.elapsed();
        if age < self.ttl {
            Lookup::Fresh(entry.answer.clone())
        } else if age <= self.stale_for {
            Lookup::Saved { answer: entry.answer.clone(), age, failing: entry.failing }
        } else {
            Lookup::Nothing
        }
    }

    /// Records a finished fetch: a good answer is stored, a failure marks the entry failing;
    /// then the key is free for the next fetch.
    fn finish(&self, key: &CacheKey, fetched: &Fetched) {
        match fetched {
            Fetched::Final(answer) if answer.is_success() && !self.ttl.is_zero() => {
                self.store(key, answer.clone())
            }
            Fetched::Final(_) => {}
            Fetched::Transient(_) | Fetched::Failed(_) => {
                if let Some(entry) = lock(&self.store).peek_mut(key) {
                    entry.failing = true;
                }
            }
        }
        lock(&self.inflight).remove(key);
    }

    fn sweep(&self, now: Instant) {
        lock(&self.store).sweep(now, self.keep_for(), self.once_for(), self.max_entries);
    }

    fn store(&self, key: &CacheKey, answer: Arc<Answer>) {
        let bytes = key.0.len()
            + answer.body.len()
            + answer.request_id.as_ref().map_or(0, |v| v.len())
            + ENTRY_OVERHEAD_BYTES;
        let mut store = lock(&self.store);
        store.sweep(Instant::now(), self.keep_for(), self.once_for(), self.max_entries);
        // An existing key moves to the young end: the store order stays the age order.
        store.put(key, Entry { answer, failing: false, bytes });
        while store.bytes > self.max_bytes || store.len() > self.max_entries {
            if !store.remove_oldest() {
                break;
            }
        }
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
        // No longer failing: a slow refetch after the TTL is a revalidation, not a failure.
        tokio::time::advance(Duration::from_secs(3)).await;
        let started = Instant::now();
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            ok("newer")
        };
        let served = cache.get(&key("i"), slow).await;
        assert_eq!((served.outcome, served.stale_age), (Outcome::Revalidating, None));
        assert_eq!(started.elapsed(), DEFAULT_REVALIDATE_WAIT);
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

    #[tokio::test(start_paused = true)]
    async fn an_expired_entry_is_revalidated_and_callers_get_the_saved_copy_within_the_wait() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100);
        cache.get(&key("i"), || async { ok("old") }).await;
        tokio::time::advance(Duration::from_secs(3)).await;
        let started = Instant::now();
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ok("new")
        };
        let served = cache.get(&key("i"), slow).await;
        assert_eq!(served.outcome, Outcome::Revalidating);
        assert_eq!(served.stale_age, None, "a refresh under way is not a failure");
        assert_eq!(served.result.unwrap().body, "old");
        assert_eq!(started.elapsed(), DEFAULT_REVALIDATE_WAIT);
        // A later caller joins the same refetch and is not held up again.
        let served = cache.get(&key("i"), || async { panic!("a second fetch was started") }).await;
        assert_eq!(served.outcome, Outcome::Revalidating);
        assert_eq!(started.elapsed(), DEFAULT_REVALIDATE_WAIT);
        // The refetch goes on without its starter and refreshes the entry.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let served = cache.get(&key("i"), || async { panic!("the entry should be fresh") }).await;
        assert_eq!((served.outcome, served.result.unwrap().body.clone()), (Outcome::Hit, Bytes::from("new")));
    }

    #[tokio::test(start_paused = true)]
    async fn a_quick_refetch_answers_fresh_and_a_failed_one_serves_stale() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(60), 100);
        cache.get(&key("i"), || async { ok("old") }).await;
        tokio::time::advance(Duration::from_secs(3)).await;
        let quick = || async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            ok("new")
        };
        let served = cache.get(&key("i"), quick).await;
        assert_eq!(
            (served.outcome, served.result.unwrap().body.clone()),
            (Outcome::Miss, Bytes::from("new"))
        );
        tokio::time::advance(Duration::from_secs(3)).await;
        let served = cache.get(&key("i"), || async { failed() }).await;
        assert_eq!(served.outcome, Outcome::Stale);
        assert_eq!(served.stale_age, Some(Duration::from_secs(3)));
    }

    #[tokio::test]
    async fn the_cache_is_bounded_by_bytes_oldest_first() {
        let body = "x".repeat(10_000);
        let cache =
            Cache::new(Duration::from_secs(60), Duration::from_secs(60), 1_000).with_max_bytes(50_000);
        for i in 0..20 {
            let body = body.clone();
            cache.get(&key(&format!("i{i}")), || async move { ok(&body) }).await;
        }
        assert!(cache.bytes() <= 50_000, "{} bytes", cache.bytes());
        assert_eq!(cache.len(), 4, "four 10 kB answers (with keys and overhead) fit in 50 kB");
        // The youngest stay: the last one stored is a hit, the first one is gone.
        let hit = cache.get(&key("i19"), || async { ok("refetched") }).await;
        assert_eq!(hit.outcome, Outcome::Hit);
        let gone = cache.get(&key("i0"), || async { ok("refetched") }).await;
        assert_eq!(gone.outcome, Outcome::Miss);
        // An answer larger than the whole bound is not kept at all.
        let huge = "y".repeat(60_000);
        cache.get(&key("huge"), || async move { ok(&huge) }).await;
        assert!(cache.bytes() <= 50_000);
    }

    #[tokio::test(start_paused = true)]
    async fn entries_are_swept_once_their_stale_window_ends() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(30), 1_000);
        for i in 0..10 {
            cache.get(&key(&format!("i{i}")), || async { ok("a") }).await;
            // Asked for again: kept for the whole stale window.
            let hit = cache.get(&key(&format!("i{i}")), || async { panic!("not fetched again") }).await;
            assert_eq!(hit.outcome, Outcome::Hit);
        }
        assert_eq!(cache.len(), 10);
        tokio::time::advance(Duration::from_secs(20)).await;
        cache.sweep();
        assert_eq!(cache.len(), 10, "still within the stale window");
        // No more traffic: the background sweep frees them once the window has ended.
        tokio::time::sleep(Duration::from_secs(12)).await;
        assert_eq!(cache.len(), 0);
        assert_eq!(cache.bytes(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn gone_once_keys_are_held_for_the_window_and_within_the_bound() {
        let mut gone = GoneOnce::new();
        let window = Duration::from_secs(300);
        gone.note(1, Instant::now());
        tokio::time::advance(Duration::from_secs(200)).await;
        gone.note(2, Instant::now());
        // Noted again later: the older note leaving the window does not forget the newer one.
        gone.note(1, Instant::now());
        tokio::time::advance(Duration::from_secs(150)).await;
        gone.sweep(Instant::now(), window, 10);
        assert_eq!(gone.order.len(), 2, "only the first note of 1 was old enough to leave");
        assert!(gone.take(1));
        assert!(!gone.take(1), "taken once");
        tokio::time::advance(Duration::from_secs(151)).await;
        gone.sweep(Instant::now(), window, 10);
        assert!(!gone.take(2), "2 left with its window");
        assert!(gone.order.is_empty() && gone.at.is_empty());
        for h in 0..20 {
            gone.note(h, Instant::now());
        }
        gone.sweep(Instant::now(), window, 10);
        assert_eq!((gone.order.len(), gone.at.len()), (10, 10), "the oldest beyond the bound leave");
        assert!(!gone.take(0) && gone.take(19));
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_nobody_asks_for_again_leaves_early_and_its_key_is_kept_once_asked_again() {
        let cache = Cache::new(Duration::from_secs(2), Duration::from_secs(300), 1_000);
        cache.get(&key("once"), || async { ok("a") }).await;
        cache.get(&key("twice"), || async { ok("b") }).await;
        tokio::time::advance(Duration::from_secs(5)).await;
        // Asked again within the short window: revalidated, and kept from then on.
        let served = cache.get(&key("twice"), || async { ok("b2") }).await;
        assert_eq!(served.outcome, Outcome::Miss);
        tokio::time::advance(ONCE_FOR).await;
        cache.sweep();
        assert_eq!(cache.len(), 1, "the one-off answer left after the short window, the other stays");
        let bytes_of_one = cache.bytes();
        // The one-off key asked for again after its answer left: fetched, and kept in full.
        assert_eq!(cache.get(&key("once"), || async { ok("a2") }).await.outcome, Outcome::Miss);
        assert_eq!(cache.len(), 2);
        assert!(cache.bytes() > bytes_of_one);
        tokio::time::advance(ONCE_FOR * 2).await;
        cache.sweep();
        assert_eq!(cache.len(), 2, "both keys were asked for again: kept for the stale window");
        // ... and so served stale when the upstream fails.
        let served = cache.get(&key("once"), || async { failed() }).await;
        assert_eq!(
            (served.outcome, served.result.unwrap().body.clone()),
            (Outcome::Stale, Bytes::from("a2"))
        );
        // Whatever the window, the bytes counted are those of the entries held.
        tokio::time::advance(Duration::from_secs(301)).await;
        cache.sweep();
        assert_eq!((cache.len(), cache.bytes()), (0, 0));
    }
}
