//! Switch readiness (docs/architecture.md, "Data rules"): ready only while the stage is `increment`, the state
//! `streaming`, both lag figures are 0 bytes and the last message is recent; otherwise the verdict
//! lists what is missing.

use crate::lang::Lang;
use crate::replication::HealthThresholds;
use crate::stage::{MigrateStage, ReplicationState};
use crate::task::MigrationTask;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One unmet condition for switching over.
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
    /// The last message is older than the threshold (age in seconds).
    LastMessageStale(i64),
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
            Missing::LastMessageStale(_) => "last_message_stale",
        }
    }

    /// A plain sentence in the chosen language.
    pub fn label(&self, lang: Lang) -> String {
        let unknown = lang.pick("unknown", "tidak diketahui");
        match self {
            Missing::StageNotIncrement(stage) => {
                let now = stage.as_ref().map(|s| s.label(lang).to_string()).unwrap_or_else(|| unknown.to_string());
                match lang {
                    Lang::En => format!("The task is not in incremental sync (stage now: {now})."),
                    Lang::Id => format!("Tugas tidak sedang dalam sinkronisasi inkremental (tahap saat ini: {now})."),
                }
            }
            Missing::StateNotStreaming(state) => {
                let now = state.as_ref().map(|s| s.label(lang).to_string()).unwrap_or_else(|| unknown.to_string());
                match lang {
                    Lang::En => format!("Replication is not streaming (state now: {now})."),
                    Lang::Id => format!("Replikasi tidak sedang streaming (status saat ini: {now})."),
                }
            }
            Missing::NoReplicationInfo => lang
                .pick("No replication information is available.", "Informasi replikasi tidak tersedia.")
                .to_string(),
            Missing::NotYetReplayedUnknown => lang
                .pick(
                    "The amount not yet replayed cannot be worked out (LSN missing or a placeholder).",
                    "Jumlah yang belum diterapkan tidak dapat dihitung (LSN kosong atau placeholder).",
                )
                .to_string(),
            Missing::NotYetReplayed(bytes) => match lang {
                Lang::En => format!("{bytes} bytes received but not yet replayed (must be 0)."),
                Lang::Id => format!("{bytes} byte sudah diterima tetapi belum diterapkan (harus 0)."),
            },
            Missing::BehindSourceReportUnknown => lang
                .pick(
                    "The distance behind the source's last report cannot be worked out (LSN missing or a placeholder).",
                    "Selisih terhadap laporan terakhir sumber tidak dapat dihitung (LSN kosong atau placeholder).",
                )
                .to_string(),
            Missing::BehindSourceReport(bytes) => match lang {
                Lang::En => format!("{bytes} bytes behind the source's last report (must be 0)."),
                Lang::Id => format!("{bytes} byte tertinggal dari laporan terakhir sumber (harus 0)."),
            },
            Missing::LastMessageUnknown => lang
                .pick(
                    "The time of the last message from the source is unknown.",
                    "Waktu pesan terakhir dari sumber tidak diketahui.",
                )
                .to_string(),
            Missing::LastMessageStale(secs) => match lang {
                Lang::En => format!("The last message from the source was {secs} s ago (too long)."),
                Lang::Id => format!("Pesan terakhir dari sumber diterima {secs} detik lalu (terlalu lama)."),
            },
        }
    }
}

/// Whether a task can be switched over now, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchReadiness {
    pub ready: bool,
    pub missing: Vec<Missing>,
}

/// The switch-readiness verdict for `task` at `now`. "Recent" means within
/// `thresholds.stale_after_secs`; the lag threshold does not apply here: both figures must be
/// exactly 0 bytes.
pub fn switch_readiness(
    task: &MigrationTask,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
) -> SwitchReadiness {
    let mut missing = Vec::new();
    if task.migrate_stage != Some(MigrateStage::Increment) {
        missing.push(Missing::StageNotIncrement(task.migrate_stage.clone()));
    }
    if task.replication_state != Some(ReplicationState::Streaming) {
        missing.push(Missing::StateNotStreaming(task.replication_state.clone()));
    }
    match task.replication() {
        Ok(info) => {
            match info.lag_not_yet_replayed() {
                None => missing.push(Missing::NotYetReplayedUnknown),
                Some(0) => {}
                Some(n) => missing.push(Missing::NotYetReplayed(n)),
            }
            match info.lag_behind_source_report() {
                None => missing.push(Missing::BehindSourceReportUnknown),
                Some(0) => {}
                Some(n) => missing.push(Missing::BehindSourceReport(n)),
            }
            match info.seconds_since_last_message(now) {
                None => missing.push(Missing::LastMessageUnknown),
                Some(age) if age > thresholds.stale_after_secs => {
                    missing.push(Missing::LastMessageStale(age))
                }
                Some(_) => {}
            }
        }
        Err(_) => missing.push(Missing::NoReplicationInfo),
    }
    SwitchReadiness { ready: missing.is_empty(), missing }
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
    fn seed_task_is_in_switch_so_not_ready() {
        let r = switch_readiness(&seed_example_task(), utc(FRESH), &HealthThresholds::default());
        assert!(!r.ready);
        assert_eq!(r.missing, vec![Missing::StageNotIncrement(Some(MigrateStage::Switch))]);
        assert_eq!(
            r.missing[0].label(Lang::En),
            "The task is not in incremental sync (stage now: Switchover)."
        );
    }

    #[test]
    fn seed_data_in_increment_is_ready_while_fresh() {
        let mut t = seed_example_task();
        t.migrate_stage = Some(MigrateStage::Increment);
        let th = HealthThresholds::default();
        assert_eq!(switch_readiness(&t, utc(FRESH), &th), SwitchReadiness { ready: true, missing: vec![] });
        let late = switch_readiness(&t, utc("2022-03-01T07:00:00Z"), &th);
        assert_eq!(late.missing, vec![Missing::LastMessageStale(1022)]);
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
        ];
        for (t, want) in cases {
            let r = switch_readiness(&t, utc(FRESH), &th);
            let codes: Vec<&str> = r.missing.iter().map(Missing::code).collect();
            assert_eq!(codes, want, "{t:?}");
            assert!(!r.ready);
            for m in &r.missing {
                assert_ne!(m.label(Lang::En), m.label(Lang::Id));
            }
        }
        let r = switch_readiness(&task(Some("increment"), Some("streaming"), Some(lagging)), utc(FRESH), &th);
        assert_eq!(r.missing[0], Missing::NotYetReplayed(0xB8));
        assert_eq!(
            r.missing[1].label(Lang::Id),
            "440 byte tertinggal dari laporan terakhir sumber (harus 0)."
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["missing"][0], serde_json::json!({"kind": "not_yet_replayed", "value": 184}));
    }
}
