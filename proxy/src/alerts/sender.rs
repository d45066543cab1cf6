//! The outbox sender: delivers queued messages at least once. Each attempt has a timeout and
//! follows no redirect; a failed attempt is retried with exponential backoff and full jitter
//! (or at the service's `Retry-After`) until 24 h after the message was queued; each
//! destination is kept under its documented rate by spacing its messages. Every attempt of a
//! message carries the same id. Rows are leased while an attempt runs, so a second sender (a
//! replica that took over) leaves them alone, and one killed mid-attempt leaves them to the
//! next sender once the lease ends.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;

use super::config::Destination;
use super::message::{build, judge, AlertMessage, Verdict};
use super::store::{self as alert_store, AttemptEnd, OutboxRow};
use crate::store::Store;

/// The sender's timings.
#[derive(Clone, Debug)]
pub struct SenderOptions {
    /// One attempt's timeout (connect, send, answer).
    pub attempt_timeout: Duration,
    /// The first retry waits up to this; each further one doubles it, up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A message not delivered this long after it was queued is given up.
    pub give_up_after: Duration,
    /// How long a claimed row stays leased to this sender.
    pub lease: Duration,
    /// The longest sleep between two looks at the outbox.
    pub idle_poll: Duration,
}

impl Default for SenderOptions {
    fn default() -> Self {
        SenderOptions {
            attempt_timeout: Duration::from_secs(10),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(15 * 60),
            give_up_after: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_secs(5),
        }
    }
}

/// Delivers the outbox.
pub struct Sender {
    store: Arc<Store>,
    destinations: HashMap<String, Destination>,
    client: reqwest::Client,
    options: SenderOptions,
    wake: Arc<Notify>,
    metrics: Option<Arc<super::metrics::AlertMetrics>>,
}

impl Sender {
    pub fn new(
        store: Arc<Store>,
        destinations: &[Destination],
        options: SenderOptions,
        wake: Arc<Notify>,
        metrics: Option<Arc<super::metrics::AlertMetrics>>,
    ) -> anyhow::Result<Sender> {
        // The process-wide TLS provider, as the upstream client installs it (idempotent).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.attempt_timeout)
            .connect_timeout(options.attempt_timeout)
            .user_agent(concat!("migration-proxy/", env!("CARGO_PKG_VERSION"), " alerts"))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the alerts HTTP client: {e}"))?;
        Ok(Sender {
            store,
            destinations: destinations.iter().map(|d| (d.name.clone(), d.clone())).collect(),
            client,
            options,
            wake,
            metrics,
        })
    }

    /// Sends until `stop` says so (checked between rounds); `may_send` is false while this
    /// replica is not the watcher's leader.
    pub async fn run(self, may_send: impl Fn() -> bool, stop: impl Fn() -> bool) {
        let mut next_allowed: HashMap<String, tokio::time::Instant> = HashMap::new();
        while !stop() {
            let mut sleep = self.options.idle_poll;
            if may_send() {
                match self.round(&mut next_allowed).await {
                    Ok(Some(wait)) => sleep = sleep.min(wait),
                    Ok(None) => {}
                    Err(e) => tracing::warn!("alert outbox: {e}"),
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }

    /// One pass over the due rows: each destination's rows in order, the destinations side by
    /// side (a slow one does not hold up the others). Returns how soon to look again.
    pub async fn round(
        &self,
        next_allowed: &mut HashMap<String, tokio::time::Instant>,
    ) -> Result<Option<Duration>, crate::store::StoreError> {
        let now = now_ms();
        let rows = alert_store::due(&self.store, now, 500).await?;
        let mut by_dest: HashMap<String, Vec<OutboxRow>> = HashMap::new();
        for r in rows {
            by_dest.entry(r.destination.clone()).or_default().push(r);
        }
        let mut jobs = Vec::new();
        for (name, rows) in by_dest {
            let allowed = next_allowed.get(&name).copied();
            jobs.push(async move {
                let last = self.send_rows(&name, rows, allowed).await;
                (name, last)
            });
        }
        for (name, last) in futures_util::future::join_all(jobs).await {
            if let Some(t) = last {
                next_allowed.insert(name, t);
            }
        }
        let next = alert_store::next_due_ms(&self.store).await?;
        Ok(next.map(|at| Duration::from_millis((at - now_ms()).clamp(10, 60_000) as u64)))
    }

    /// Sends one destination's rows in order, spaced by its rate limit. Returns when the next
    /// message to it may go.
    async fn send_rows(
        &self,
        name: &str,
        rows: Vec<OutboxRow>,
        mut allowed: Option<tokio::time::Instant>,
    ) -> Option<tokio::time::Instant> {
        let dest = self.destinations.get(name);
        for row in rows {
            let Some(dest) = dest else {
                let end = AttemptEnd::Failed {
                    status: None,
                    error: "the destination is no longer configured".into(),
                };
                self.end(&row, name, &end).await;
                continue;
            };
            if let Some(at) = allowed {
                tokio::time::sleep_until(at).await;
            }
            match alert_store::claim(&self.store, row.id, now_ms(), self.options.lease.as_millis() as i64)
                .await
            {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(destination = name, "alert outbox: {e}");
                    return allowed;
                }
            }
            let end = self.attempt(dest, &row).await;
            let spacing = Duration::from_millis(dest.kind.min_spacing_ms());
            allowed = Some(tokio::time::Instant::now() + spacing);
            self.end(&row, name, &end).await;
        }
        allowed
    }

    async fn end(&self, row: &OutboxRow, name: &str, end: &AttemptEnd) {
        let outcome = match end {
            AttemptEnd::Sent { .. } => "sent",
            AttemptEnd::Retry { .. } => "retry",
            AttemptEnd::Failed { .. } => "failed",
        };
        match end {
            AttemptEnd::Sent { .. } => {
                tracing::info!(destination = name, message_id = %row.message_id, attempts = row.attempts + 1, "alert delivered")
            }
            AttemptEnd::Retry { error, .. } => {
                tracing::warn!(destination = name, message_id = %row.message_id, "alert attempt failed, will retry: {error}")
            }
            AttemptEnd::Failed { error, .. } => {
                tracing::error!(destination = name, message_id = %row.message_id, "alert given up: {error}")
            }
        }
        if let Some(m) = &self.metrics {
            m.delivered(name, outcome);
        }
        if let Err(e) = alert_store::finish(&self.store, row.id, now_ms(), end).await {
            tracing::warn!(destination = name, "alert outbox: {e}");
        }
    }

    /// One attempt, judged; the retry time chosen.
    async fn attempt(&self, dest: &Destination, row: &OutboxRow) -> AttemptEnd {
        let msg: AlertMessage = match serde_json::from_str(&row.payload) {
            Ok(m) => m,
            Err(e) => {
                return AttemptEnd::Failed { status: None, error: format!("unreadable outbox row: {e}") }
            }
        };
        let out = build(dest, &msg, now_ms());
        let mut req = self.client.post(&out.url).header("content-type", "application/json").body(out.body);
        for (k, v) in out.headers {
            req = req.header(k, v);
        }
        let (verdict, status) = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after =
                    resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
                match resp.bytes().await {
                    Ok(body) => (judge(dest.kind, status, retry_after.as_deref(), &body), Some(status)),
                    Err(e) => (
                        Verdict::Retry {
                            error: format!("reading the answer: {}", e.without_url()),
                            after_ms: None,
                        },
                        Some(status),
                    ),
                }
            }
            // without_url: the URL carries the destination's token.
            Err(e) => {
                let what = if e.is_timeout() { "timed out".to_string() } else { e.without_url().to_string() };
                (Verdict::Retry { error: what, after_ms: None }, None)
            }
        };
        let clean = |s: String| scrub(&s, dest);
        match verdict {
            Verdict::Delivered => AttemptEnd::Sent { status: status.unwrap_or(200) },
            Verdict::Refused { error } => AttemptEnd::Failed { status, error: clean(error) },
            Verdict::Retry { error, after_ms } => {
                let now = now_ms();
                let delay = after_ms.unwrap_or_else(|| self.backoff_ms(row.attempts as u32));
                let next = now + delay as i64;
                if next - row.created_at_ms > self.options.give_up_after.as_millis() as i64 {
                    AttemptEnd::Failed {
                        status,
                        error: format!("gave up after {} attempts: {}", row.attempts + 1, clean(error)),
                    }
                } else {
                    AttemptEnd::Retry { status, error: clean(error), next_ms: next }
                }
            }
        }
    }

    /// Full jitter over an exponential ceiling: uniform in [ceiling/2, ceiling].
    fn backoff_ms(&self, attempts_before: u32) -> u64 {
        let base = self.options.base_backoff.as_millis() as u64;
        let cap = self.options.max_backoff.as_millis() as u64;
        let ceiling = base.saturating_mul(1u64 << attempts_before.min(30)).min(cap).max(1);
        rand::rng().random_range(ceiling / 2..=ceiling)
    }
}

/// An error text without the destination's URL, token or secret (a receiver could echo them).
fn scrub(text: &str, dest: &Destination) -> String {
    let mut out = text.to_string();
    let url = dest.url.expose();
    let mut needles: Vec<String> = vec![url.to_string()];
    if let Some(s) = &dest.secret {
        needles.push(s.expose().to_string());
    }
    if let Ok(u) = url::Url::parse(url) {
        needles.extend(u.query_pairs().map(|(_, v)| v.to_string()).filter(|v| v.len() >= 6));
        needles.extend(u.path_segments().into_iter().flatten().map(str::to_string).filter(|s| s.len() >= 16));
    }
    for n in needles {
        if !n.is_empty() {
            out = out.replace(&n, "***");
        }
    }
    out
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
