//! Per-watched-task gauges on `/metrics` (names and labels documented in docs/alerts.md, rules
//! built on them in docs/prometheus/alerts.yml). Labels are `region_id`, `db_instance` and
//! `task_id`: `instance` is the scrape target's label in Prometheus. Only tasks of watched
//! instances get series, and a task that vanishes loses them, so the series count stays bounded
//! by the watch list. States are one-hot gauges over the documented values plus `other`.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use migration_model::replication::{HealthThresholds, LinkFigures, ReplicationInfo};
use migration_model::stage::{MigrateStage, ReplicationState};
use migration_model::task::MigrationTask;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TaskLabels {
    pub region_id: String,
    pub db_instance: String,
    pub task_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    pub region_id: String,
    pub db_instance: String,
    pub task_id: String,
    pub stage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub region_id: String,
    pub db_instance: String,
    pub task_id: String,
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InstanceLabels {
    pub region_id: String,
    pub db_instance: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub destination: String,
    pub outcome: &'static str,
}

/// The stage label values: the documented stages, then `other`.
pub const STAGES: [&str; 7] =
    ["precheck", "basebackup", "startup", "increment", "switch", "success", "other"];
/// The replication state label values.
pub const STATES: [&str; 6] = ["unstarted", "catchup", "streaming", "disconnect", "finish", "other"];

pub struct AlertMetrics {
    not_yet_replayed: Family<TaskLabels, Gauge>,
    behind_source_report: Family<TaskLabels, Gauge>,
    last_message_age: Family<TaskLabels, Gauge>,
    stage: Family<StageLabels, Gauge>,
    state: Family<StateLabels, Gauge>,
    switch_ready: Family<TaskLabels, Gauge>,
    precheck_failed: Family<TaskLabels, Gauge>,
    precheck_warning: Family<TaskLabels, Gauge>,
    last_success: Family<InstanceLabels, Gauge>,
    deliveries: Family<DeliveryLabels, Counter>,
    /// The tasks that have series, per instance.
    tasks: Mutex<BTreeMap<(String, String), BTreeSet<u64>>>,
}

impl AlertMetrics {
    /// Creates the families and registers them (under the registry's `migration_proxy` prefix).
    pub fn register(registry: &mut Registry) -> AlertMetrics {
        let m = AlertMetrics {
            not_yet_replayed: Family::default(),
            behind_source_report: Family::default(),
            last_message_age: Family::default(),
            stage: Family::default(),
            state: Family::default(),
            switch_ready: Family::default(),
            precheck_failed: Family::default(),
            precheck_warning: Family::default(),
            last_success: Family::default(),
            deliveries: Family::default(),
            tasks: Mutex::new(BTreeMap::new()),
        };
        registry.register(
            "task_not_yet_replayed_bytes",
            "Watched task: WAL received but not yet replayed (ReceivedLsn - ReplayLsn), bytes; absent when unknown",
            m.not_yet_replayed.clone(),
        );
        registry.register(
            "task_behind_source_report_bytes",
            "Watched task: behind the source's last report (LatestEndLsn - ReplayLsn), bytes; absent when unknown",
            m.behind_source_report.clone(),
        );
        registry.register(
            "task_last_message_age_seconds",
            "Watched task: seconds since the last message from the source (LastMsgReceiptTime), at the last poll",
            m.last_message_age.clone(),
        );
        registry.register(
            "task_stage",
            "Watched task: 1 for its current MigrateStage, 0 for the others",
            m.stage.clone(),
        );
        registry.register(
            "task_replication_state",
            "Watched task: 1 for its current ReplicationState, 0 for the others",
            m.state.clone(),
        );
        registry.register(
            "task_switch_ready",
            "Watched task: 1 when the switch-readiness verdict is ready, else 0",
            m.switch_ready.clone(),
        );
        registry.register(
            "task_precheck_failed",
            "Watched task: 1 when its precheck failed, else 0",
            m.precheck_failed.clone(),
        );
        registry.register(
            "task_precheck_warning",
            "Watched task: 1 when its precheck passed with warnings, else 0",
            m.precheck_warning.clone(),
        );
        registry.register(
            "watch_last_success_timestamp_seconds",
            "Watched instance: Unix time of the watcher's last successful poll",
            m.last_success.clone(),
        );
        registry.register(
            "alert_deliveries",
            "Alert delivery attempts by destination name and outcome (sent, retry, failed)",
            m.deliveries.clone(),
        );
        m
    }

    pub fn delivered(&self, destination: &str, outcome: &'static str) {
        self.deliveries
            .get_or_create(&DeliveryLabels { destination: destination.to_string(), outcome })
            .inc();
    }

    /// Sets the gauges of one successful poll of an instance, and removes the series of its
    /// tasks that are no longer listed.
    pub fn observe_poll(&self, region: &str, instance: &str, tasks: &[&MigrationTask], now: DateTime<Utc>) {
        self.observe_parsed_poll(region, instance, tasks, None, now)
    }

    /// [`AlertMetrics::observe_poll`], with the tasks' `ReplicationInfo` as the caller parsed it
    /// (`replication[i]` for `tasks[i]`), so it is not parsed again here.
    pub fn observe_parsed_poll(
        &self,
        region: &str,
        instance: &str,
        tasks: &[&MigrationTask],
        replication: Option<&[Option<ReplicationInfo>]>,
        now: DateTime<Utc>,
    ) {
        let replication = replication.filter(|r| r.len() == tasks.len());
        let mut seen = BTreeSet::new();
        for (i, t) in tasks.iter().enumerate() {
            let Some(id) = t.task_id else { continue };
            seen.insert(id);
            let labels = task_labels(region, instance, id);
            let f = match replication {
                Some(r) => LinkFigures::of(r[i].as_ref(), t.replication_state.as_ref(), now),
                None => t.link_figures(now),
            };
            set_or_remove(&self.not_yet_replayed, &labels, f.not_yet_replayed);
            set_or_remove(&self.behind_source_report, &labels, f.behind_source_report);
            set_or_remove(&self.last_message_age, &labels, f.last_message_age_secs.map(i128::from));
            let stage = match &t.migrate_stage {
                Some(MigrateStage::Other(_)) | None => "other",
                Some(s) => STAGES.iter().copied().find(|v| *v == s.as_str()).unwrap_or("other"),
            };
            for v in STAGES {
                self.stage.get_or_create(&stage_labels(&labels, v)).set(i64::from(v == stage));
            }
            let state = match &t.replication_state {
                Some(ReplicationState::Other(_)) | None => "other",
                Some(s) => STATES.iter().copied().find(|v| *v == s.as_str()).unwrap_or("other"),
            };
            for v in STATES {
                self.state.get_or_create(&state_labels(&labels, v)).set(i64::from(v == state));
            }
            let ready =
                migration_model::readiness::switch_readiness_from(t, f, &HealthThresholds::default()).ready;
            self.switch_ready.get_or_create(&labels).set(i64::from(ready));
            let summary = migration_model::precheck_outcome::precheck_summary(
                &t.detail_log(),
                t.migrate_stage.as_ref(),
            );
            let failed = summary.verdict == migration_model::detail::PrecheckVerdict::Failed;
            self.precheck_failed.get_or_create(&labels).set(i64::from(failed));
            let warned = summary.verdict == migration_model::detail::PrecheckVerdict::PassedWithWarnings;
            self.precheck_warning.get_or_create(&labels).set(i64::from(warned));
        }
        let key = (region.to_string(), instance.to_string());
        let mut known = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        let before = known.insert(key, seen.clone()).unwrap_or_default();
        for gone in before.difference(&seen) {
            self.remove_task(region, instance, *gone);
        }
        self.last_success
            .get_or_create(&InstanceLabels { region_id: region.into(), db_instance: instance.into() })
            .set(now.timestamp());
    }

    /// Removes every series of an instance that is no longer watched.
    pub fn forget_instance(&self, region: &str, instance: &str) {
        let gone = self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(region.to_string(), instance.to_string()))
            .unwrap_or_default();
        for t in gone {
            self.remove_task(region, instance, t);
        }
        self.last_success.remove(&InstanceLabels { region_id: region.into(), db_instance: instance.into() });
    }

    fn remove_task(&self, region: &str, instance: &str, task: u64) {
        let labels = task_labels(region, instance, task);
        for f in [
            &self.not_yet_replayed,
            &self.behind_source_report,
            &self.last_message_age,
            &self.switch_ready,
            &self.precheck_failed,
            &self.precheck_warning,
        ] {
            f.remove(&labels);
        }
        for v in STAGES {
            self.stage.remove(&stage_labels(&labels, v));
        }
        for v in STATES {
            self.state.remove(&state_labels(&labels, v));
        }
    }
}

fn task_labels(region: &str, instance: &str, task: u64) -> TaskLabels {
    TaskLabels { region_id: region.into(), db_instance: instance.into(), task_id: task.to_string() }
}

fn stage_labels(t: &TaskLabels, stage: &'static str) -> StageLabels {
    StageLabels {
        region_id: t.region_id.clone(),
        db_instance: t.db_instance.clone(),
        task_id: t.task_id.clone(),
        stage,
    }
}

fn state_labels(t: &TaskLabels, state: &'static str) -> StateLabels {
    StateLabels {
        region_id: t.region_id.clone(),
        db_instance: t.db_instance.clone(),
        task_id: t.task_id.clone(),
        state,
    }
}

fn set_or_remove(f: &Family<TaskLabels, Gauge>, labels: &TaskLabels, v: Option<i128>) {
    match v {
        Some(v) => {
            f.get_or_create(labels).set(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
        }
        None => {
            f.remove(labels);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::engine::tests::task;

    #[test]
    fn gauges_have_the_documented_names_and_labels_and_vanished_tasks_go() {
        let mut registry = Registry::with_prefix("migration_proxy");
        let m = AlertMetrics::register(&mut registry);
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let a = task(1, "increment", "catchup", 4096, 1_700_000_000 - 7);
        let b = task(2, "switch", "streaming", 0, 1_700_000_000);
        m.observe_poll("cn-hangzhou", "pgm-a", &[&a, &b], now);
        let text = render(&registry);
        for want in [
            r#"migration_proxy_task_not_yet_replayed_bytes{region_id="cn-hangzhou",db_instance="pgm-a",task_id="1"} 4096"#,
            r#"migration_proxy_task_last_message_age_seconds{region_id="cn-hangzhou",db_instance="pgm-a",task_id="1"} 7"#,
            r#"migration_proxy_task_stage{region_id="cn-hangzhou",db_instance="pgm-a",task_id="1",stage="increment"} 1"#,
            r#"migration_proxy_task_stage{region_id="cn-hangzhou",db_instance="pgm-a",task_id="1",stage="switch"} 0"#,
            r#"migration_proxy_task_replication_state{region_id="cn-hangzhou",db_instance="pgm-a",task_id="2",state="streaming"} 1"#,
            r#"migration_proxy_task_switch_ready{region_id="cn-hangzhou",db_instance="pgm-a",task_id="1"} 0"#,
            r#"migration_proxy_watch_last_success_timestamp_seconds{region_id="cn-hangzhou",db_instance="pgm-a"} 1700000000"#,
        ] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        assert!(!text.contains("{instance=") && !text.contains(",instance="), "no `instance` label: {text}");
        m.observe_poll("cn-hangzhou", "pgm-a", &[&b], now);
        let text = render(&registry);
        assert!(!text.contains(r#"task_id="1""#), "task 1 vanished: {text}");
        assert!(text.contains(r#"task_id="2""#));
        m.forget_instance("cn-hangzhou", "pgm-a");
        let text = render(&registry);
        assert!(!text.contains("pgm-a"), "{text}");
    }

    fn render(r: &Registry) -> String {
        let mut s = String::new();
        prometheus_client::encoding::text::encode(&mut s, r).unwrap();
        s
    }
}
