//! Switch readiness (docs/architecture.md, "Data rules"): ready only while the stage is
//! `increment`, the state `streaming`, both lag figures are 0 bytes and the last message is
//! recent (the same `stale_after_secs` as health); otherwise the verdict lists what is missing. A task at
//! `switch` is switching and one at `success` has switched over: neither is "not ready".
//!
//! Ready is a claim about conditions that hold, so one sample only supports "ready on this
//! sample"; [`switch_readiness_with_history`] takes earlier samples (the page's own, or the
//! history store's) and says for how long the conditions have held.

use crate::history::HistorySample;
use crate::replication::{HealthThresholds, LinkFigures};
use crate::stage::{MigrateStage, ReplicationState};
use crate::task::MigrationTask;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One unmet condition for switching over, with the figure it judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Missing {
    /// The stage is not `increment` (the current stage, if known).
    StageNotIncrement(Option<MigrateStage>),
    /// The replication state is not `streaming` (the current state, if known).
    StateNotStreaming(Option<ReplicationState>),
    /// `ReplicationInfo` is absent or unreadable.
    NoReplicationInfo,
    /// *Not yet replayed* cannot be computed (an LSN is missing or the `0/0` placeholder).
    NotYetReplayedUnknown,
    /// *Not yet replayed* is not 0 bytes.
    NotYetReplayed(i128),
    /// *Behind the source's last report* cannot be computed.
    BehindSourceReportUnknown,
    /// *Behind the source's last report* is not 0 bytes.
    BehindSourceReport(i128),
    /// `LastMsgReceiptTime` is absent.
    LastMessageUnknown,
    /// The last message is older than the threshold.
    LastMessageStale { age_secs: i64, limit_secs: i64 },
}

impl Missing {
    /// Stable identifier, e.g. for tests and `data-` attributes.
    pub fn code(&self) -> &'static str {
        match self {
            Missing::StageNotIncrement(_) => "stage_not_increment",
            Missing::StateNotStreaming(_) => "state_not_streaming",
            Missing::NoReplicationInfo => "no_replication_info",
            Missing::NotYetReplayedUnknown => "not_yet_replayed_unknown",
            Missing::NotYetReplayed(_) => "not_yet_replayed",
            Missing::BehindSourceReportUnknown => "behind_source_report_unknown",
            Missing::BehindSourceReport(_) => "behind_source_report",
            Missing::LastMessageUnknown => "last_message_unknown",
            Missing::LastMessageStale { .. } => "last_message_stale",
        }
    }
}

/// How long the conditions have held: from the first of an unbroken run of ready samples up to
/// the latest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HeldFor {
    pub since: DateTime<Utc>,
    pub secs: i64,
    /// Ready samples in the run, the latest included.
    pub samples: usize,
}

/// Where the task stands with respect to the switchover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadinessState {
    /// Stage `success`: switched over (at `SwitchTime`, when given).
    SwitchedOver { switch_time: Option<DateTime<Utc>> },
    /// Stage `switch`: the switchover is under way.
    Switching { switch_time: Option<DateTime<Utc>> },
    /// Every condition holds on the latest sample; nothing is known about before it.
    ReadyOnThisSample,
    /// Every condition has held across several samples.
    ReadyFor(HeldFor),
    /// Some condition is unmet (see `SwitchReadiness::missing`).
    NotReady,
}

impl ReadinessState {
    /// Stable identifier for `data-` attributes and tests.
    pub fn code(&self) -> &'static str {
        match self {
            ReadinessState::SwitchedOver { .. } => "switched_over",
            ReadinessState::Switching { .. } => "switching",
            ReadinessState::ReadyOnThisSample => "ready_on_this_sample",
            ReadinessState::ReadyFor(_) => "ready_for",
            ReadinessState::NotReady => "not_ready",
        }
    }
}

/// Whether a task can be switched over now, and if not, why; with the figures judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchReadiness {
    /// True only in `ReadyOnThisSample` and `ReadyFor`.
    pub ready: bool,
    pub state: ReadinessState,
    /// Unmet conditions; empty unless `state` is `NotReady`.
    pub missing: Vec<Missing>,
    pub figures: LinkFigures,
}

impl SwitchReadiness {}

/// The switch-readiness verdict for `task` at `now`, from this one sample. "Recent" means
/// within `thresholds.stale_after_secs`; the lag threshold does not apply here: both figures
/// must be exactly 0 bytes.
pub fn switch_readiness(
    task: &MigrationTask,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
) -> SwitchReadiness {
    switch_readiness_from(task, task.link_figures(now), thresholds)
}

/// [`switch_readiness`] on link figures the caller already worked out (from a `ReplicationInfo`
/// it parsed once for several verdicts).
pub fn switch_readiness_from(
    task: &MigrationTask,
    figures: LinkFigures,
    thresholds: &HealthThresholds,
) -> SwitchReadiness {
    verdict(task.migrate_stage.as_ref(), task.switch_time_at(), figures, thresholds)
}

/// The watcher's verdict on one history sample, at the sample's own time: the same rules as
/// [`switch_readiness`], judged on the figures the sample kept (stage, state, both lag figures,
/// `LastMsgReceiptTime`). A sample with no LSN and no message time had no readable
/// `ReplicationInfo`.
pub fn sample_ready(s: &HistorySample, thresholds: &HealthThresholds) -> bool {
    let state = s.state.as_deref().map(ReplicationState::from);
    let figures = LinkFigures {
        streaming: state == Some(ReplicationState::Streaming),
        state,
        info_readable: s.received_lsn.is_some()
            || s.latest_end_lsn.is_some()
            || s.replay_lsn.is_some()
            || s.last_msg_receipt_time.is_some(),
        not_yet_replayed: s.not_yet_replayed_bytes.map(i128::from),
        behind_source_report: s.behind_source_report_bytes.map(i128::from),
        last_message_age_secs: s.last_msg_receipt_time.map(|r| s.t - r),
    };
    let stage = s.stage.as_deref().map(MigrateStage::from);
    verdict(stage.as_ref(), None, figures, thresholds).ready
}

/// The one set of rules, on a stage and the link's figures.
fn verdict(
    stage: Option<&MigrateStage>,
    switch_time: Option<DateTime<Utc>>,
    figures: LinkFigures,
    thresholds: &HealthThresholds,
) -> SwitchReadiness {
    let state = match stage {
        Some(MigrateStage::Success) => Some(ReadinessState::SwitchedOver { switch_time }),
        Some(MigrateStage::Switch) => Some(ReadinessState::Switching { switch_time }),
        _ => None,
    };
    if let Some(state) = state {
        return SwitchReadiness { ready: false, state, missing: Vec::new(), figures };
    }
    let mut missing = Vec::new();
    if stage != Some(&MigrateStage::Increment) {
        missing.push(Missing::StageNotIncrement(stage.cloned()));
    }
    if figures.state != Some(ReplicationState::Streaming) {
        missing.push(Missing::StateNotStreaming(figures.state.clone()));
    }
    if figures.info_readable {
        match figures.not_yet_replayed {
            None => missing.push(Missing::NotYetReplayedUnknown),
            Some(0) => {}
            Some(n) => missing.push(Missing::NotYetReplayed(n)),
        }
        match figures.behind_source_report {
            None => missing.push(Missing::BehindSourceReportUnknown),
            Some(0) => {}
            Some(n) => missing.push(Missing::BehindSourceReport(n)),
        }
        match figures.last_message_age_secs {
            None => missing.push(Missing::LastMessageUnknown),
            Some(age) if age > thresholds.stale_after_secs => missing
                .push(Missing::LastMessageStale { age_secs: age, limit_secs: thresholds.stale_after_secs }),
            Some(_) => {}
        }
    } else {
        missing.push(Missing::NoReplicationInfo);
    }
    let ready = missing.is_empty();
    let state = if ready { ReadinessState::ReadyOnThisSample } else { ReadinessState::NotReady };
    SwitchReadiness { ready, state, missing, figures }
}

/// One earlier readiness observation: when, and whether every condition held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReadinessSample {
    pub at: DateTime<Utc>,
    pub ready: bool,
}

/// The unbroken run of ready samples that ends with the latest sample of `history` (any
/// order). The run breaks at a not-ready sample, and, when `max_gap_secs` is given, at a gap
/// longer than that between two samples (samples taken on a fixed interval: a long gap means
/// nobody looked). Without `max_gap_secs` a gap does not break it (samples written on change).
/// `None` when the latest sample is not ready or `history` is empty.
pub fn held_for(history: &[ReadinessSample], max_gap_secs: Option<i64>) -> Option<HeldFor> {
    let mut sorted: Vec<ReadinessSample> = history.to_vec();
    sorted.sort_by_key(|s| s.at);
    let latest = *sorted.last()?;
    if !latest.ready {
        return None;
    }
    let mut since = latest.at;
    let mut samples = 1;
    for s in sorted.iter().rev().skip(1) {
        let gap = (since - s.at).num_seconds();
        if !s.ready || max_gap_secs.is_some_and(|g| gap > g) {
            break;
        }
        since = s.at;
        samples += 1;
    }
    Some(HeldFor { since, secs: (latest.at - since).num_seconds(), samples })
}

/// [`switch_readiness`] at `now`, with earlier samples: when the conditions hold now and held on
/// the samples just before (see [`held_for`]), the verdict says for how long.
pub fn switch_readiness_with_history(
    task: &MigrationTask,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
    history: &[ReadinessSample],
    max_gap_secs: Option<i64>,
) -> SwitchReadiness {
    let mut r = switch_readiness(task, now, thresholds);
    if r.ready {
        let mut all: Vec<ReadinessSample> = history.iter().copied().filter(|s| s.at < now).collect();
        all.push(ReadinessSample { at: now, ready: true });
        if let Some(h) = held_for(&all, max_gap_secs).filter(|h| h.samples > 1) {
            r.state = ReadinessState::ReadyFor(h);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::seed_example_task;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const FRESH: &str = "2022-03-01T06:43:10Z";

    #[test]
    fn the_seed_task_is_switching_not_red() {
        let r = switch_readiness(&seed_example_task(), utc(FRESH), &HealthThresholds::default());
        assert!(!r.ready);
        let at = utc("2022-03-01T06:40:51Z");
        assert_eq!(r.state, ReadinessState::Switching { switch_time: Some(at) });
        assert!(r.missing.is_empty());
    }

    #[test]
    fn a_completed_task_has_switched_over() {
        let mut t = seed_example_task();
        t.migrate_stage = Some(MigrateStage::Success);
        t.replication_state = Some(ReplicationState::Finish);
        let r = switch_readiness(&t, utc(FRESH), &HealthThresholds::default());
        assert_eq!(r.state.code(), "switched_over");
        assert!(!r.ready && r.missing.is_empty());
        assert_eq!(r.state, ReadinessState::SwitchedOver { switch_time: Some(utc("2022-03-01T06:40:51Z")) });
        t.switch_time = None;
        let r = switch_readiness(&t, utc(FRESH), &HealthThresholds::default());
        assert_eq!(r.state, ReadinessState::SwitchedOver { switch_time: None });
    }

    #[test]
    fn seed_data_in_increment_is_ready_on_this_sample_while_fresh() {
        let mut t = seed_example_task();
        t.migrate_stage = Some(MigrateStage::Increment);
        let th = HealthThresholds::default();
        let r = switch_readiness(&t, utc(FRESH), &th);
        assert!(r.ready && r.missing.is_empty());
        assert_eq!(r.state, ReadinessState::ReadyOnThisSample);
        let late = switch_readiness(&t, utc("2022-03-01T07:00:00Z"), &th);
        assert_eq!(late.missing, vec![Missing::LastMessageStale { age_secs: 1022, limit_secs: 90 }]);
        // Years later, as the demo shows it.
        let years = switch_readiness(&t, utc("2026-12-04T06:42:58Z"), &th);
        assert_eq!(years.state, ReadinessState::NotReady);
        assert_eq!(
            years.missing,
            vec![Missing::LastMessageStale { age_secs: 1739 * 86_400, limit_secs: 90 }]
        );
    }

    #[test]
    fn readiness_held_over_samples() {
        let mut t = seed_example_task();
        t.migrate_stage = Some(MigrateStage::Increment);
        let th = HealthThresholds::default();
        let now = utc(FRESH);
        let s = |secs_before: i64, ready: bool| ReadinessSample {
            at: now - chrono::Duration::seconds(secs_before),
            ready,
        };
        // Ready on the last three page samples (5 s apart), not before.
        let history = [s(20, false), s(15, true), s(10, true), s(5, true)];
        let r = switch_readiness_with_history(&t, now, &th, &history, Some(30));
        assert_eq!(
            r.state,
            ReadinessState::ReadyFor(HeldFor {
                since: now - chrono::Duration::seconds(15),
                secs: 15,
                samples: 4
            })
        );
        // A gap longer than the page's interval breaks the run; without a limit it does not.
        let gappy = [s(600, true), s(5, true)];
        let r = switch_readiness_with_history(&t, now, &th, &gappy, Some(30));
        assert_eq!(
            r.state,
            ReadinessState::ReadyFor(HeldFor {
                since: now - chrono::Duration::seconds(5),
                secs: 5,
                samples: 2
            })
        );
        let r = switch_readiness_with_history(&t, now, &th, &gappy, None);
        assert_eq!(
            r.state,
            ReadinessState::ReadyFor(HeldFor {
                since: now - chrono::Duration::seconds(600),
                secs: 600,
                samples: 3
            })
        );
        // The sample before was not ready: this sample only (a readiness that flaps between samples).
        let r = switch_readiness_with_history(&t, now, &th, &[s(6, false)], Some(30));
        assert_eq!(r.state, ReadinessState::ReadyOnThisSample);
        let r = switch_readiness_with_history(&t, now, &th, &[], None);
        assert_eq!(r.state, ReadinessState::ReadyOnThisSample);
        // Not ready now: history does not matter.
        let r = switch_readiness_with_history(&t, utc("2022-03-01T07:00:00Z"), &th, &history, None);
        assert_eq!(r.state, ReadinessState::NotReady);
        assert_eq!(held_for(&[], None), None);
        assert_eq!(held_for(&[s(0, false)], None), None);
        let one = held_for(&[s(0, true)], None).unwrap();
        assert_eq!((one.secs, one.samples), (0, 1));
    }

    #[test]
    fn every_missing_branch() {
        let th = HealthThresholds::default();
        let task = |stage: Option<&str>, state: Option<&str>, info: Option<&str>| MigrationTask {
            migrate_stage: stage.map(MigrateStage::from),
            replication_state: state.map(ReplicationState::from),
            replication_info: info.map(str::to_string),
            ..MigrationTask::default()
        };
        let lagging = r#"{"ReceivedLsn":"0/3000200","LatestEndLsn":"0/3000300","ReplayLsn":"0/3000148","LastMsgReceiptTime":"2022-03-01 14:43:00+08"}"#;
        let placeholders =
            r#"{"ReceivedLsn":"0/0","LatestEndLsn":"null","ReplayLsn":"0/0","LastMsgReceiptTime":"null"}"#;
        let cases: Vec<(MigrationTask, Vec<&str>)> = vec![
            (
                task(None, None, None),
                vec!["stage_not_increment", "state_not_streaming", "no_replication_info"],
            ),
            (
                task(Some("increment"), Some("catchup"), Some("not json")),
                vec!["state_not_streaming", "no_replication_info"],
            ),
            (
                task(Some("increment"), Some("streaming"), Some(lagging)),
                vec!["not_yet_replayed", "behind_source_report"],
            ),
            (
                task(Some("increment"), Some("streaming"), Some(placeholders)),
                vec!["not_yet_replayed_unknown", "behind_source_report_unknown", "last_message_unknown"],
            ),
            (
                task(Some("weird"), Some("streaming"), Some(lagging)),
                vec!["stage_not_increment", "not_yet_replayed", "behind_source_report"],
            ),
            (
                task(Some("precheck"), Some("unstarted"), None),
                vec!["stage_not_increment", "state_not_streaming", "no_replication_info"],
            ),
        ];
        for (t, want) in cases {
            let r = switch_readiness(&t, utc(FRESH), &th);
            let codes: Vec<&str> = r.missing.iter().map(Missing::code).collect();
            assert_eq!(codes, want, "{t:?}");
            assert!(!r.ready);
            assert_eq!(r.state, ReadinessState::NotReady);
        }
        let r = switch_readiness(&task(Some("increment"), Some("streaming"), Some(lagging)), utc(FRESH), &th);
        assert_eq!(r.missing[0], Missing::NotYetReplayed(0xB8));
        assert_eq!(r.missing[1], Missing::BehindSourceReport(440));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["missing"][0], serde_json::json!({"kind": "not_yet_replayed", "value": 184}));
        assert_eq!(json["state"], serde_json::json!({"kind": "not_ready"}));
    }

    proptest::proptest! {
        /// The watcher's verdict on a history sample is the live verdict on the same figures.
        #[test]
        fn a_sample_is_judged_as_its_task(
            stage in 0usize..6,
            streaming in proptest::bool::ANY,
            behind in 0u64..300,
            reported in 0u64..300,
            age in -5i64..300,
        ) {
            let now = utc("2026-12-04T06:00:00Z");
            let (replay, received, latest) = (0x3000000u64, 0x3000000 + behind, 0x3000000 + behind + reported);
            let lsn = |v: u64| format!("{:X}/{:X}", v >> 32, v & 0xFFFF_FFFF);
            let receipt = now - chrono::Duration::seconds(age);
            let stage = MigrateStage::ALL[stage].clone();
            let state = if streaming { ReplicationState::Streaming } else { ReplicationState::Catchup };
            let task = MigrationTask {
                migrate_stage: Some(stage.clone()),
                replication_state: Some(state.clone()),
                replication_info: Some(format!(
                    r#"{{"ReceivedLsn":"{}","LatestEndLsn":"{}","ReplayLsn":"{}","LastMsgReceiptTime":"{}"}}"#,
                    lsn(received), lsn(latest), lsn(replay), receipt.format("%Y-%m-%d %H:%M:%S+00")
                )),
                ..MigrationTask::default()
            };
            let sample = HistorySample {
                t: now.timestamp(),
                stage: Some(stage.as_str().to_owned()),
                state: Some(state.as_str().to_owned()),
                received_lsn: Some(lsn(received)),
                latest_end_lsn: Some(lsn(latest)),
                replay_lsn: Some(lsn(replay)),
                not_yet_replayed_bytes: Some(behind as i64),
                behind_source_report_bytes: Some((behind + reported) as i64),
                last_msg_receipt_time: Some(receipt.timestamp()),
                ..HistorySample::default()
            };
            let th = HealthThresholds::default();
            proptest::prop_assert_eq!(sample_ready(&sample, &th), switch_readiness(&task, now, &th).ready);
        }
    }

    /// Readiness and health judge the same figures: ready implies healthy.
    #[test]
    fn ready_implies_healthy() {
        use crate::replication::Health;
        let th = HealthThresholds::default();
        for (recv, replay, receipt) in [
            ("0/3000148", "0/3000148", "2022-03-01 14:43:05+08"),
            ("0/3000200", "0/3000148", "2022-03-01 14:43:05+08"),
            ("0/3000148", "0/3000148", "2022-03-01 14:30:00+08"),
        ] {
            let t = MigrationTask {
                migrate_stage: Some(MigrateStage::Increment),
                replication_state: Some(ReplicationState::Streaming),
                replication_info: Some(format!(
                    r#"{{"ReceivedLsn":"{recv}","LatestEndLsn":"{recv}","ReplayLsn":"{replay}","LastMsgReceiptTime":"{receipt}"}}"#
                )),
                ..MigrationTask::default()
            };
            let r = switch_readiness(&t, utc(FRESH), &th);
            let h = t.health_verdict(utc(FRESH), &th);
            assert_eq!(r.figures, h.figures);
            if r.ready {
                assert_eq!(h.health, Health::Healthy);
                assert!(h.figures.fully_replayed());
            }
        }
    }
}
