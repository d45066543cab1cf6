//! Prometheus metrics at `/metrics`: requests by action and status, upstream latency, retries,
//! cache outcomes (hits, misses, stale answers, coalesced waits) and redactions.
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

// Label values are the fixed names (`Action::name`, `Outcome::as_str`): nothing is allocated to
// count a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActionStatus {
    pub action: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActionLabel {
    pub action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

/// A watched instance; at most `watch::MAX_REPORTED_INSTANCES` of them are labelled. Not
/// `instance`: Prometheus reserves that label for the scrape target (the per-task gauges use the
/// same two names).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InstanceLabel {
    pub region_id: String,
    pub db_instance: String,
}

/// The watcher's figures (see `watch`).
pub struct WatchMetrics {
    pub last_poll_timestamp: Family<InstanceLabel, Gauge>,
    pub last_poll_ok: Family<InstanceLabel, Gauge>,
    pub last_poll_duration: Family<InstanceLabel, Gauge<f64, std::sync::atomic::AtomicU64>>,
    pub gap: Family<InstanceLabel, Gauge>,
    pub leader: Gauge,
    pub watched: Gauge,
    pub store_healthy: Gauge,
}

pub struct Metrics {
    registry: Registry,
    /// Watcher polls by outcome (ok, throttled, failed, stale, store_failed).
    pub watch_polls: Family<OutcomeLabel, Counter>,
    pub watch: WatchMetrics,
    pub requests: Family<ActionStatus, Counter>,
    pub upstream_seconds: Family<ActionLabel, Histogram>,
    pub retries: Family<ActionLabel, Counter>,
    pub cache: Family<OutcomeLabel, Counter>,
    pub redactions: Counter,
    /// What the answer cache holds (set when scraped).
    pub cache_entries: Gauge,
    pub cache_bytes: Gauge,
    /// Per-watched-task gauges and alert deliveries (src/alerts/metrics.rs).
    pub alerts: std::sync::Arc<crate::alerts::metrics::AlertMetrics>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("migration_proxy");
        let requests = Family::<ActionStatus, Counter>::default();
        let upstream_seconds = Family::<ActionLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        });
        let retries = Family::<ActionLabel, Counter>::default();
        let cache = Family::<OutcomeLabel, Counter>::default();
        let redactions = Counter::default();
        registry.register("api_requests", "API calls answered, by action and HTTP status", requests.clone());
        registry.register(
            "upstream_duration_seconds",
            "Time spent on upstream calls, retries included",
            upstream_seconds.clone(),
        );
        registry.register("upstream_retries", "Upstream attempts retried", retries.clone());
        registry.register(
            "cache_answers",
            "Answers by cache outcome (hit, miss, coalesced, stale, error)",
            cache.clone(),
        );
        registry.register(
            "redactions",
            "Secrets removed or masked from upstream answers",
            redactions.clone(),
        );
        let (cache_entries, cache_bytes) = (Gauge::default(), Gauge::default());
        registry.register("cache_entries", "Answers the cache holds", cache_entries.clone());
        registry.register(
            "cache_bytes",
            "Bytes the cache counts for its answers (keys, bodies and a per-entry overhead)",
            cache_bytes.clone(),
        );
        let watch_polls = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "watch_polls",
            "Watcher polls by outcome (ok, throttled, failed, stale, store_failed)",
            watch_polls.clone(),
        );
        let watch = WatchMetrics {
            last_poll_timestamp: Family::default(),
            last_poll_ok: Family::default(),
            last_poll_duration: Family::default(),
            gap: Family::default(),
            leader: Gauge::default(),
            watched: Gauge::default(),
            store_healthy: Gauge::default(),
        };
        registry.register(
            "watch_last_poll_timestamp_seconds",
            "When the watcher last polled the instance (Unix seconds)",
            watch.last_poll_timestamp.clone(),
        );
        registry.register(
            "watch_last_poll_ok",
            "Whether the instance's last poll succeeded (1) or failed (0)",
            watch.last_poll_ok.clone(),
        );
        registry.register(
            "watch_last_poll_duration_seconds",
            "How long the instance's last poll took",
            watch.last_poll_duration.clone(),
        );
        registry.register(
            "watch_gap_seconds",
            "Seconds without a successful poll of the instance before its last poll (0: no gap)",
            watch.gap.clone(),
        );
        registry.register("watch_leader", "1 when this replica is the one polling", watch.leader.clone());
        registry.register("watch_instances", "Instances in the watch set", watch.watched.clone());
        registry.register(
            "history_store_healthy",
            "1 when the history store's last operation succeeded",
            watch.store_healthy.clone(),
        );
        let alerts = std::sync::Arc::new(crate::alerts::metrics::AlertMetrics::register(&mut registry));
        Metrics {
            registry,
            requests,
            upstream_seconds,
            retries,
            cache,
            redactions,
            cache_entries,
            cache_bytes,
            watch_polls,
            watch,
            alerts,
        }
    }

    /// Copies the cache's size into its gauges.
    pub fn note_cache(&self, cache: &crate::cache::Cache) {
        let (entries, bytes) = cache.size();
        self.cache_entries.set(entries as i64);
        self.cache_bytes.set(bytes as i64);
    }

    /// Copies the watcher's state into the gauges (labels only for the instances it reports).
    pub fn note_watcher(&self, w: &crate::watch::Watcher) {
        let m = &self.watch;
        m.leader.set(i64::from(w.is_leader()));
        m.watched.set(w.watched() as i64);
        m.store_healthy.set(i64::from(w.store().is_healthy() && w.last_write_ok()));
        m.last_poll_timestamp.clear();
        m.last_poll_ok.clear();
        m.last_poll_duration.clear();
        m.gap.clear();
        for (region_id, db_instance, p) in w.last_polls() {
            let l = InstanceLabel { region_id, db_instance };
            m.last_poll_timestamp.get_or_create(&l).set(p.at);
            m.last_poll_ok.get_or_create(&l).set(i64::from(p.ok));
            m.last_poll_duration.get_or_create(&l).set(p.duration_ms as f64 / 1000.0);
            m.gap.get_or_create(&l).set(p.gap_secs.unwrap_or(0));
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::new();
        m.requests.get_or_create(&ActionStatus { action: "DescribeRegions", status: 200 }).inc();
        m.cache.get_or_create(&OutcomeLabel { outcome: "hit" }).inc_by(3);
        m.upstream_seconds.get_or_create(&ActionLabel { action: "DescribeRegions" }).observe(0.02);
        let text = m.render();
        assert!(
            text.contains(r#"migration_proxy_api_requests_total{action="DescribeRegions",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"migration_proxy_cache_answers_total{outcome="hit"} 3"#), "{text}");
        assert!(text.contains("migration_proxy_upstream_duration_seconds_bucket"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
