//! Prometheus metrics at `/metrics`: requests by action and status, upstream latency, retries,
//! cache outcomes (hits, misses, stale answers, coalesced waits) and redactions.
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
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

pub struct Metrics {
    registry: Registry,
    pub requests: Family<ActionStatus, Counter>,
    pub upstream_seconds: Family<ActionLabel, Histogram>,
    pub retries: Family<ActionLabel, Counter>,
    pub cache: Family<OutcomeLabel, Counter>,
    pub redactions: Counter,
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
        let alerts = std::sync::Arc::new(crate::alerts::metrics::AlertMetrics::register(&mut registry));
        Metrics { registry, requests, upstream_seconds, retries, cache, redactions, alerts }
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
