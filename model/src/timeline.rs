//! A task's stage timeline: for each of the six stages where it stands, when it started and
//! ended as far as the data says (and from which field), its duration when both ends are
//! known, and the full backup's progress lines.
//!
//! Where the times come from: precheck starts at `GmtCreated`; full backup, link setup and
//! incremental sync at their log sections' first events (`crate::detail::SECTION_STAGES`,
//! ASSUMED mapping); the switchover at `SwitchTime`; completion at `GmtModified` of a task at
//! `success` (its last change), or `SwitchTime` when that is earlier. A stage ends where the
//! next known one starts; the full backup at its end event; a failed precheck at `GmtModified`.
//! ASSUMED: the service documents no per-stage times; `SwitchTime` as the switch stage's start
//! is read from the seed (GmtModified a minute before SwitchTime, stage `switch`).

use crate::detail::{BackupEventKind, LogTime};
use crate::precheck_outcome::precheck_summary;
use crate::stage::MigrateStage;
use crate::task::MigrationTask;
use crate::PrecheckVerdict;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    Done,
    Current,
    /// The current stage, stopped by a failure (a failed precheck): not "running".
    Failed,
    Upcoming,
    /// The task's stage is absent or unknown.
    Unknown,
}

/// Which field a time was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum TimeSource {
    /// A `Detail` event; `offset_assumed` when the log gave no offset (+08 assumed).
    Log {
        offset_assumed: bool,
    },
    GmtCreated,
    GmtModified,
    SwitchTime,
}

/// A point on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StagePoint {
    pub at: DateTime<Utc>,
    pub source: TimeSource,
}

/// One full-backup log line with its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BackupProgress {
    pub at: DateTime<Utc>,
    pub kind: BackupEventKind,
    pub percent: Option<u8>,
    pub done_bytes: Option<u64>,
    pub total_bytes: Option<u64>,
}

/// One stage on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageSpan {
    pub stage: MigrateStage,
    pub status: StageStatus,
    pub start: Option<StagePoint>,
    pub end: Option<StagePoint>,
    /// `end − start`, when both are known.
    pub duration_secs: Option<i64>,
    /// For the current (not failed) stage with a known start: `now − start`.
    pub running_secs: Option<i64>,
    /// The full backup's start, progress and end lines (basebackup only).
    pub progress: Vec<BackupProgress>,
}

fn from_log(t: &LogTime) -> StagePoint {
    StagePoint { at: t.at.with_timezone(&Utc), source: TimeSource::Log { offset_assumed: t.offset_assumed } }
}

/// The six stages of `task` at `now`.
pub fn timeline(task: &MigrationTask, now: DateTime<Utc>) -> Vec<StageSpan> {
    let log = task.detail_log();
    let point = |at: Option<DateTime<Utc>>, source| at.map(|at| StagePoint { at, source });
    let created = point(task.gmt_created_at(), TimeSource::GmtCreated);
    let modified = point(task.gmt_modified_at(), TimeSource::GmtModified);
    let switch = point(task.switch_time_at(), TimeSource::SwitchTime);
    let current = task.migrate_stage.as_ref().and_then(MigrateStage::ordinal);
    let precheck_failed = task.migrate_stage == Some(MigrateStage::Precheck)
        && precheck_summary(&log, task.migrate_stage.as_ref()).verdict == PrecheckVerdict::Failed;
    let backup = log.backup_events();
    let progress: Vec<BackupProgress> = backup
        .iter()
        .map(|e| BackupProgress {
            at: e.time.at.with_timezone(&Utc),
            kind: e.kind,
            percent: e.percent,
            done_bytes: e.done_bytes,
            total_bytes: e.total_bytes,
        })
        .collect();
    let completed = task.migrate_stage == Some(MigrateStage::Success);
    let start_of = |stage: &MigrateStage| -> Option<StagePoint> {
        match stage {
            MigrateStage::Precheck => created,
            MigrateStage::Switch => switch,
            MigrateStage::Success if completed => match (modified, switch) {
                (Some(m), Some(s)) if m.at < s.at => Some(s),
                (Some(m), _) => Some(m),
                (None, s) => s,
            },
            MigrateStage::Success => None,
            other => log.stage_start(other).as_ref().map(from_log),
        }
    };
    let all = MigrateStage::ALL;
    let starts: Vec<Option<StagePoint>> = all.iter().map(start_of).collect();
    all.iter()
        .enumerate()
        .map(|(i, stage)| {
            let status = match current {
                None => StageStatus::Unknown,
                Some(n) if i < n => StageStatus::Done,
                Some(n) if i == n && precheck_failed => StageStatus::Failed,
                Some(n) if i == n && stage.is_final() => StageStatus::Done,
                Some(n) if i == n => StageStatus::Current,
                Some(_) => StageStatus::Upcoming,
            };
            let start = starts[i];
            let end = match (stage, status) {
                (MigrateStage::Success, _) => None,
                (_, StageStatus::Failed) => modified,
                (_, StageStatus::Done) => {
                    let backup_end = (stage == &MigrateStage::Basebackup)
                        .then(|| backup.iter().rev().find(|e| e.kind == BackupEventKind::End))
                        .flatten()
                        .map(|e| from_log(&e.time));
                    backup_end.or_else(|| starts.iter().skip(i + 1).flatten().next().copied())
                }
                _ => None,
            };
            let duration_secs = match (start, end) {
                (Some(a), Some(b)) => Some((b.at - a.at).num_seconds()),
                _ => None,
            };
            let running_secs = match (status, start) {
                (StageStatus::Current, Some(a)) => Some((now - a.at).num_seconds()),
                _ => None,
            };
            let progress = if stage == &MigrateStage::Basebackup { progress.clone() } else { Vec::new() };
            StageSpan { stage: stage.clone(), status, start, end, duration_secs, running_secs, progress }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::seed_example_task;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_seed_task() {
        let tl = timeline(&seed_example_task(), utc("2022-03-01T06:43:00Z"));
        let st: Vec<StageStatus> = tl.iter().map(|s| s.status).collect();
        use StageStatus::*;
        assert_eq!(st, [Done, Done, Done, Done, Current, Upcoming]);
        // Precheck from GmtCreated; no backup lines in the seed, so its start is unknown and
        // precheck's end is the next known start (link setup).
        assert_eq!(tl[0].start.unwrap().source, TimeSource::GmtCreated);
        assert_eq!(tl[0].end.unwrap().at, utc("2022-02-25T09:00:29Z"));
        assert_eq!(tl[0].duration_secs, Some(7 * 60 + 16));
        assert_eq!(tl[1].start, None);
        assert_eq!(tl[2].duration_secs, Some(36));
        // Incremental sync ends at the switchover, which is SwitchTime.
        assert_eq!(tl[3].end.unwrap().source, TimeSource::SwitchTime);
        assert_eq!(
            tl[3].duration_secs,
            Some((utc("2022-03-01T06:40:51Z") - utc("2022-02-25T09:01:05Z")).num_seconds())
        );
        assert_eq!(tl[4].start.unwrap().at, utc("2022-03-01T06:40:51Z"));
        assert_eq!(tl[4].running_secs, Some(129));
        assert!(tl.iter().all(|s| s.start.is_none() || s.end.is_none() || s.duration_secs.is_some()));
    }

    #[test]
    fn a_completed_task_and_a_failed_precheck() {
        let mut t = seed_example_task();
        t.migrate_stage = Some(MigrateStage::Success);
        t.gmt_modified = Some("2022-03-01T06:45:00Z".into());
        let tl = timeline(&t, utc("2022-03-02T00:00:00Z"));
        assert!(tl.iter().all(|s| s.status == StageStatus::Done && s.running_secs.is_none()));
        assert_eq!(tl[4].duration_secs, Some(249), "switch: SwitchTime to completion");
        assert_eq!(tl[5].start.unwrap().at, utc("2022-03-01T06:45:00Z"));

        let failed = MigrationTask {
            migrate_stage: Some(MigrateStage::Precheck),
            gmt_created: Some("2026-12-04T06:00:00Z".into()),
            gmt_modified: Some("2026-12-04T06:03:00Z".into()),
            detail: Some("[Check rds empty]\nCheck rds databases: error(error:postgres not empty, check if any table exists)\n".into()),
            ..MigrationTask::default()
        };
        let tl = timeline(&failed, utc("2026-12-04T09:48:00Z"));
        assert_eq!(tl[0].status, StageStatus::Failed);
        assert_eq!((tl[0].running_secs, tl[0].duration_secs), (None, Some(180)));
        assert_eq!(tl[0].end.unwrap().source, TimeSource::GmtModified);
    }

    #[test]
    fn the_full_backup_with_its_progress() {
        let t = MigrationTask {
            migrate_stage: Some(MigrateStage::Startup),
            gmt_created: Some("2026-12-04T01:55:00Z".into()),
            detail: Some("[Check a]\nCheck x: success\n[Backup data]\n2026-12-04 10:00:00 --- Start full backup of source data (3.00 GiB)\n2026-12-04 10:05:00 --- Full backup progress: 20% (0.60 GiB of 3.00 GiB)\n2026-12-04 10:25:00 --- Full backup finished (3.00 GiB)\n[Start RDS instance]\n2026-12-04 10:26:00 --- Start RDS instance as slave for data replication\n".into()),
            ..MigrationTask::default()
        };
        let tl = timeline(&t, utc("2026-12-04T02:27:00Z"));
        let b = &tl[1];
        assert_eq!(b.status, StageStatus::Done);
        assert_eq!(b.start.unwrap().at, utc("2026-12-04T02:00:00Z"));
        assert_eq!(b.start.unwrap().source, TimeSource::Log { offset_assumed: true });
        assert_eq!(b.duration_secs, Some(25 * 60), "ends at its end event");
        assert_eq!(b.progress.len(), 3);
        assert_eq!((b.progress[1].percent, b.progress[1].total_bytes), (Some(20), Some(3 << 30)));
        assert_eq!(tl[0].duration_secs, Some(5 * 60));
        assert_eq!(tl[2].status, StageStatus::Current);
        assert_eq!(tl[2].running_secs, Some(60));
    }
}
