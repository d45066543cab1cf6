//! Triage: what about a task needs someone's attention, per row, with a severity to sort by.
//! Built from the same verdicts as the task page (health, precheck), so a row and its page
//! never disagree.

use crate::detail::PrecheckVerdict;
use crate::precheck_outcome::{precheck_summary, FailedCheck, PrecheckSummary};
use crate::replication::{Health, HealthThresholds};
use crate::stage::{MigrateStage, ReplicationState};
use crate::task::MigrationTask;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How urgent a concern is; ordered, so the worst sorts last (`max` is the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing to look at.
    Ok,
    /// Worth a look: the data does not allow a verdict.
    Notice,
    /// Behind, but moving.
    Warning,
    /// Stopped: it will not get better by itself.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One reason a task needs attention, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Concern {
    /// The precheck failed (which check, and whether the rest did not run).
    PrecheckFailed { check: Option<FailedCheck>, stopped_early: bool },
    /// `ReplicationState` is `disconnect`.
    Disconnected,
    /// No message from the source for longer than the threshold.
    StaleStream { age_secs: i64, limit_secs: i64 },
    /// A lag figure is above the threshold.
    LagHigh { not_yet_replayed: Option<i128>, behind_source_report: Option<i128>, limit_bytes: u64 },
    /// Streaming stages without readable figures.
    ReplicationUnknown,
}

impl Concern {
    pub fn code(&self) -> &'static str {
        match self {
            Concern::PrecheckFailed { .. } => "precheck_failed",
            Concern::Disconnected => "disconnected",
            Concern::StaleStream { .. } => "stale_stream",
            Concern::LagHigh { .. } => "lag_high",
            Concern::ReplicationUnknown => "replication_unknown",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Concern::PrecheckFailed { .. } | Concern::Disconnected | Concern::StaleStream { .. } => {
                Severity::Critical
            }
            Concern::LagHigh { .. } => Severity::Warning,
            Concern::ReplicationUnknown => Severity::Notice,
        }
    }

    /// Order within a severity (higher first): failed precheck, disconnected, stale, lag, unknown.
    fn rank(&self) -> u8 {
        match self {
            Concern::PrecheckFailed { .. } => 5,
            Concern::Disconnected => 4,
            Concern::StaleStream { .. } => 3,
            Concern::LagHigh { .. } => 2,
            Concern::ReplicationUnknown => 1,
        }
    }
}

/// A task's attention verdict: its concerns, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attention {
    pub concerns: Vec<Concern>,
}

impl Attention {
    /// The worst concern's severity (`Ok` with none).
    pub fn severity(&self) -> Severity {
        self.concerns.first().map_or(Severity::Ok, Concern::severity)
    }

    pub fn worst(&self) -> Option<&Concern> {
        self.concerns.first()
    }

    pub fn needs_attention(&self) -> bool {
        self.severity() > Severity::Ok
    }

    /// A key for sorting rows worst first: `sort_by_key(|a| Reverse(a.triage_key()))`.
    pub fn triage_key(&self) -> (Severity, u8) {
        (self.severity(), self.concerns.first().map_or(0, Concern::rank))
    }
}

/// What in `task` needs attention at `now`. Replication concerns apply from startup to the
/// switch (not before there is a link, not after completion); a disconnect counts whenever
/// the state says so, short of completion.
pub fn attention(task: &MigrationTask, now: DateTime<Utc>, thresholds: &HealthThresholds) -> Attention {
    attention_with(task, &precheck_summary(&task.detail_log(), task.migrate_stage.as_ref()), now, thresholds)
}

/// [`attention`] with the task's precheck summary already worked out (from its `Detail` and
/// `MigrateStage`): reading a long `Detail` log is most of the cost, and a dashboard that
/// refreshes a page of tasks keeps the summary of each unchanged log instead of reading it again.
pub fn attention_with(
    task: &MigrationTask,
    summary: &PrecheckSummary,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
) -> Attention {
    let mut concerns = Vec::new();
    let stage = task.migrate_stage.as_ref();
    let completed = stage == Some(&MigrateStage::Success);
    if summary.verdict == PrecheckVerdict::Failed {
        concerns.push(Concern::PrecheckFailed {
            check: summary.first_failure().cloned(),
            stopped_early: summary.stopped_early,
        });
    }
    let linked =
        matches!(stage, Some(MigrateStage::Startup | MigrateStage::Increment | MigrateStage::Switch));
    if task.replication_state == Some(ReplicationState::Disconnect) && !completed {
        concerns.push(Concern::Disconnected);
    } else if linked {
        let v = task.health_verdict(now, thresholds);
        let f = &v.figures;
        match v.health {
            Health::Stalled => concerns.push(Concern::StaleStream {
                age_secs: f.last_message_age_secs.unwrap_or(0),
                limit_secs: thresholds.stale_after_secs,
            }),
            Health::Lagging if f.largest_lag().is_some_and(|l| l > i128::from(thresholds.lagging_bytes)) => {
                concerns.push(Concern::LagHigh {
                    not_yet_replayed: f.not_yet_replayed,
                    behind_source_report: f.behind_source_report,
                    limit_bytes: thresholds.lagging_bytes,
                })
            }
            Health::Unknown if stage != Some(&MigrateStage::Startup) => {
                concerns.push(Concern::ReplicationUnknown)
            }
            _ => {}
        }
    }
    concerns.sort_by_key(|c| std::cmp::Reverse((c.severity(), c.rank())));
    Attention { concerns }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::seed_example_task;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_seed_task_years_later_has_a_stale_stream() {
        let th = HealthThresholds::default();
        let a = attention(&seed_example_task(), utc("2026-12-04T00:00:00Z"), &th);
        assert_eq!(a.severity(), Severity::Critical);
        let c = a.worst().unwrap();
        assert_eq!(c.code(), "stale_stream");
        assert_eq!(c, &Concern::StaleStream { age_secs: 150_225_422, limit_secs: 90 });
        // The same moment on the task page: health says the same.
        let h = seed_example_task().health_verdict(utc("2026-12-04T00:00:00Z"), &th);
        assert_eq!(h.health, Health::Stalled);
        assert_eq!(h.figures.last_message_age_secs, Some(150_225_422));
        // Fresh, it needs nothing.
        assert!(!attention(&seed_example_task(), utc("2022-03-01T06:43:00Z"), &th).needs_attention());
    }

    #[test]
    fn concerns_and_their_order() {
        let th = HealthThresholds::default();
        let now = utc("2022-03-01T06:43:00Z");
        let info = |recv: &str, replay: &str| {
            Some(format!(
                r#"{{"ReceivedLsn":"{recv}","LatestEndLsn":"{recv}","ReplayLsn":"{replay}","LastMsgReceiptTime":"2022-03-01 14:42:58+08"}}"#
            ))
        };
        let task = |stage: &str, state: &str, detail: Option<&str>, ri: Option<String>| MigrationTask {
            migrate_stage: Some(MigrateStage::from(stage)),
            replication_state: Some(ReplicationState::from(state)),
            detail: detail.map(str::to_string),
            replication_info: ri,
            ..MigrationTask::default()
        };
        let failed = "[Check rds empty]\nCheck rds databases: success\n[Check source connectivity]\nCheck ip connectable: error(error:172.16.1.2 is unapproachable)\n";
        let cases = vec![
            (task("precheck", "unstarted", Some(failed), None), vec!["precheck_failed"]),
            (task("precheck", "unstarted", Some("Check rds databases: success"), None), vec![]),
            (task("increment", "disconnect", None, info("0/3000148", "0/3000148")), vec!["disconnected"]),
            (task("increment", "streaming", None, info("0/5000000", "0/3000000")), vec!["lag_high"]),
            (task("increment", "streaming", None, info("0/3100000", "0/3000000")), vec![]),
            (task("increment", "catchup", None, info("0/3100000", "0/3000000")), vec![]),
            (task("increment", "streaming", None, Some("nope".into())), vec!["replication_unknown"]),
            (task("success", "finish", None, None), vec![]),
            (task("basebackup", "unstarted", None, None), vec![]),
        ];
        for (t, want) in &cases {
            let codes: Vec<&str> = attention(t, now, &th).concerns.iter().map(Concern::code).collect();
            assert_eq!(&codes, want, "{t:?}");
        }
        let a = attention(&cases[0].0, now, &th);
        match a.worst() {
            Some(Concern::PrecheckFailed { check: Some(c), stopped_early: true }) => {
                assert_eq!(c.name, "Check ip connectable");
                assert_eq!(c.reason.as_deref(), Some("172.16.1.2 is unapproachable"));
            }
            other => panic!("{other:?}"),
        }
        let lag = attention(&cases[3].0, now, &th);
        assert_eq!(lag.severity(), Severity::Warning);
        assert_eq!(
            lag.worst(),
            Some(&Concern::LagHigh {
                not_yet_replayed: Some(33_554_432),
                behind_source_report: Some(33_554_432),
                limit_bytes: 16 << 20
            })
        );
        // Triage order: failed precheck, disconnected, lag, unknown, fine.
        let mut rows: Vec<Attention> = cases.iter().map(|(t, _)| attention(t, now, &th)).collect();
        rows.sort_by_key(|a| std::cmp::Reverse(a.triage_key()));
        let order: Vec<&str> = rows.iter().filter_map(|a| a.worst().map(Concern::code)).collect();
        assert_eq!(order, ["precheck_failed", "disconnected", "lag_high", "replication_unknown"]);
    }

    #[test]
    fn health_never_claims_everything_replayed_with_bytes_outstanding() {
        let th = HealthThresholds::default();
        let t = MigrationTask {
            migrate_stage: Some(MigrateStage::Increment),
            replication_state: Some(ReplicationState::Streaming),
            replication_info: Some(r#"{"ReceivedLsn":"0/36B7F1F","LatestEndLsn":"0/36B7F1F","ReplayLsn":"0/3000000","LastMsgReceiptTime":"2022-03-01 14:42:58+08"}"#.into()),
            ..MigrationTask::default()
        };
        let now = utc("2022-03-01T06:43:00Z");
        let h = t.health_verdict(now, &th);
        assert_eq!(h.health, Health::Healthy);
        assert_eq!(h.figures.not_yet_replayed, Some(7_044_895));
        assert!(!h.figures.fully_replayed());
        assert_eq!(
            (h.figures.behind_source_report, h.figures.last_message_age_secs),
            (Some(7_044_895), Some(2))
        );
        let r = crate::readiness::switch_readiness(&t, now, &th);
        assert_eq!(r.missing[0], crate::readiness::Missing::NotYetReplayed(7_044_895));
    }
}
