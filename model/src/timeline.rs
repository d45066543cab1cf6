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
//!
//! Where none of those gives a time, the watcher's history may: a stage change it observed lies
//! between two polls ([`TimeSource::Observed`]), and durations from such a point carry that
//! uncertainty (`duration_secs..=duration_max_secs`).

use crate::detail::{BackupEventKind, LogTime};
use crate::precheck_outcome::precheck_summary;
use crate::stage::MigrateStage;
use crate::task::MigrationTask;
use crate::trend::{Observed, StageSpan as ObservedStage};
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
    /// Observed by the history's watcher: after `after` (the previous poll), at or before `at`.
    Observed {
        after: DateTime<Utc>,
    },
}

/// A point on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StagePoint {
    pub at: DateTime<Utc>,
    pub source: TimeSource,
}

impl StagePoint {
    /// The earliest it can have been (an observed point: its previous poll).
    fn earliest(&self) -> DateTime<Utc> {
        match self.source {
            TimeSource::Observed { after } => after,
            _ => self.at,
        }
    }
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
    /// `end − start`, when both are known: the least it can have been.
    pub duration_secs: Option<i64>,
    /// The most it can have been (equal to `duration_secs` unless an end was observed).
    pub duration_max_secs: Option<i64>,
    /// For the current (not failed) stage with a known start: `now − start`, the least.
    pub running_secs: Option<i64>,
    /// The most it can have been running (equal to `running_secs` unless its start was observed).
    pub running_max_secs: Option<i64>,
    /// The full backup's start, progress and end lines (basebackup only).
    pub progress: Vec<BackupProgress>,
}

fn from_log(t: &LogTime) -> StagePoint {
    StagePoint { at: t.at.with_timezone(&Utc), source: TimeSource::Log { offset_assumed: t.offset_assumed } }
}

/// The six stages of `task` at `now`.
pub fn timeline(task: &MigrationTask, now: DateTime<Utc>) -> Vec<StageSpan> {
    timeline_observed(task, now, &[])
}

/// A stage change the watcher observed between two polls, as a point (`None` where the task was
/// already in the stage when first seen: that is no start).
fn observed_point(o: &Observed) -> Option<StagePoint> {
    let after = DateTime::from_timestamp(o.after?, 0)?;
    Some(StagePoint { at: DateTime::from_timestamp(o.at, 0)?, source: TimeSource::Observed { after } })
}

/// [`timeline`], with the stages the watcher observed (`trend::stage_spans`) filling the
/// starts and ends that the task's own fields and log do not give.
pub fn timeline_observed(
    task: &MigrationTask,
    now: DateTime<Utc>,
    observed: &[ObservedStage],
) -> Vec<StageSpan> {
    let seen = |stage: &MigrateStage| observed.iter().find(|o| o.stage == stage.as_str());
    let seen_start = |stage: &MigrateStage| seen(stage).and_then(|o| observed_point(&o.entered));
    let seen_end = |stage: &MigrateStage| seen(stage).and_then(|o| o.left.as_ref().and_then(observed_point));
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
        .or_else(|| seen_start(stage))
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
                    // Its end event, the next stage's start, the change the watcher saw, or
                    // else the next start known at all.
                    backup_end
                        .or_else(|| starts.get(i + 1).copied().flatten())
                        .or_else(|| seen_end(stage))
                        .or_else(|| starts.iter().skip(i + 1).flatten().next().copied())
                }
                _ => None,
            };
            // Least: it began as late and ended as early as the points allow; most: the reverse.
            let (duration_secs, duration_max_secs) = match (start, end) {
                (Some(a), Some(b)) => (
                    Some((b.earliest() - a.at).num_seconds().max(0)),
                    Some((b.at - a.earliest()).num_seconds().max(0)),
                ),
                _ => (None, None),
            };
            let (running_secs, running_max_secs) = match (status, start) {
                (StageStatus::Current, Some(a)) => {
                    (Some((now - a.at).num_seconds()), Some((now - a.earliest()).num_seconds()))
                }
                _ => (None, None),
            };
            let progress = if stage == &MigrateStage::Basebackup { progress.clone() } else { Vec::new() };
            StageSpan {
                stage: stage.clone(),
                status,
                start,
                end,
                duration_secs,
                duration_max_secs,
                running_secs,
                running_max_secs,
                progress,
            }
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
    fn observed_stage_changes_fill_what_the_log_does_not_give() {
        use crate::history::{EventKind, HistoryEvent};
        let ev = |kind, after: Option<&str>, at: &str, to: &str| HistoryEvent {
            kind,
            task_id: Some(1),
            observed_after: after.map(|a| utc(a).timestamp()),
            observed_at: utc(at).timestamp(),
            at: None,
            from: None,
            to: Some(to.into()),
            text: None,
            duration_min_secs: None,
            duration_max_secs: None,
        };
        // Watched from precheck on; the log has no backup lines and no section times at all.
        let events = [
            ev(EventKind::TaskAppeared, None, "2026-12-04T10:00:30Z", "precheck"),
            ev(EventKind::StageChanged, Some("2026-12-04T10:02:00Z"), "2026-12-04T10:02:30Z", "basebackup"),
            ev(EventKind::StageChanged, Some("2026-12-04T10:30:00Z"), "2026-12-04T10:30:30Z", "startup"),
            ev(EventKind::StageChanged, Some("2026-12-04T10:31:00Z"), "2026-12-04T10:31:30Z", "increment"),
        ];
        let now = utc("2026-12-04T11:00:00Z");
        let observed = crate::trend::stage_spans(&events, now.timestamp());
        let t = MigrationTask {
            migrate_stage: Some(MigrateStage::Increment),
            gmt_created: Some("2026-12-04T09:58:00Z".into()),
            ..MigrationTask::default()
        };
        let plain = timeline(&t, now);
        assert!(plain[1..4].iter().all(|s| s.start.is_none()), "the log gives no time");
        let tl = timeline_observed(&t, now, &observed);
        let b = &tl[1];
        assert_eq!(b.start.unwrap().at, utc("2026-12-04T10:02:30Z"));
        assert_eq!(b.start.unwrap().source, TimeSource::Observed { after: utc("2026-12-04T10:02:00Z") });
        // Entered in (10:02:00, 10:02:30], left in (10:30:00, 10:30:30].
        assert_eq!((b.duration_secs, b.duration_max_secs), (Some(27 * 60 + 30), Some(28 * 60 + 30)));
        // Precheck: GmtCreated (exact) to the observed start of the backup.
        assert_eq!(tl[0].start.unwrap().source, TimeSource::GmtCreated);
        assert_eq!((tl[0].duration_secs, tl[0].duration_max_secs), (Some(4 * 60), Some(4 * 60 + 30)));
        // The current stage runs from its observed start.
        assert_eq!(tl[3].status, StageStatus::Current);
        assert_eq!((tl[3].running_secs, tl[3].running_max_secs), (Some(28 * 60 + 30), Some(29 * 60)));
        // Every stage with both ends has a duration, least ≤ most.
        for s in &tl {
            assert_eq!(s.start.is_some() && s.end.is_some(), s.duration_secs.is_some(), "{s:?}");
            assert!(s.duration_secs <= s.duration_max_secs);
        }
        // The log wins where it has a time: a backup start line replaces the observed one.
        let mut logged = t.clone();
        logged.detail = Some(
            "[Backup data]\n2026-12-04 18:02:10 --- Start full backup of source data (3.00 GiB)\n".into(),
        );
        let tl = timeline_observed(&logged, now, &observed);
        assert_eq!(tl[1].start.unwrap().source, TimeSource::Log { offset_assumed: true });
        assert_eq!(tl[1].start.unwrap().at, utc("2026-12-04T10:02:10Z"));
        // A stage the task was already in when first seen has no observed start.
        let late = crate::trend::stage_spans(&events[2..], now.timestamp());
        let first_seen_in_startup =
            [ObservedStage { entered: Observed { after: None, ..late[0].entered }, ..late[0].clone() }];
        assert!(timeline_observed(&t, now, &first_seen_in_startup)[2].start.is_none());
    }

    proptest::proptest! {
        /// Whatever the watcher saw, every stage with both ends has a duration, its least is not
        /// negative and not more than its most, and a running stage's bounds are ordered too.
        #[test]
        fn observed_durations_are_ordered(
            polls in proptest::collection::vec((1i64..3_600, 0usize..6), 1..12),
            current in 0usize..6,
        ) {
            let mut t = 1_764_000_000i64;
            let mut spans: Vec<ObservedStage> = Vec::new();
            for (gap, stage) in polls {
                let after = t;
                t += gap;
                let entered = Observed { after: (!spans.is_empty()).then_some(after), at: t };
                if let Some(prev) = spans.last_mut() {
                    prev.left = Some(entered);
                }
                spans.push(ObservedStage {
                    stage: MigrateStage::ALL[stage].as_str().to_owned(),
                    entered,
                    left: None,
                    duration: crate::trend::Bounds { min_secs: 0, max_secs: None },
                });
            }
            let task = MigrationTask {
                migrate_stage: Some(MigrateStage::ALL[current].clone()),
                gmt_created: Some("2025-11-24T00:00:00Z".into()),
                ..MigrationTask::default()
            };
            let now = DateTime::from_timestamp(t + 60, 0).unwrap();
            for s in timeline_observed(&task, now, &spans) {
                proptest::prop_assert_eq!(s.start.is_some() && s.end.is_some(), s.duration_secs.is_some());
                if let (Some(a), Some(b)) = (s.duration_secs, s.duration_max_secs) {
                    proptest::prop_assert!(0 <= a && a <= b, "{:?}", s);
                }
                proptest::prop_assert!(s.running_secs <= s.running_max_secs);
            }
        }
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
