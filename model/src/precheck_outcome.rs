//! The precheck's outcome from its checks: failed (which check), still in progress, stopped
//! early, passed. "Passed" needs the report to be known complete, and the API has no field
//! that says so: [`precheck_complete`] is the one place that decides, on an ASSUMED rule.

use crate::detail::{CheckCounts, CheckOutcome, DetailLog, PrecheckVerdict};
use crate::stage::MigrateStage;
use serde::Serialize;

/// Why a precheck report is taken to be complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompleteBecause {
    /// The log has a closing `*...*` marker (the SDK's sample ends with `*Migrate check success*`).
    EndMarker,
    /// The log goes on with a later stage's section (`[Start RDS instance]` ...), as the seed's does.
    LaterStageLogged,
    /// The task's `MigrateStage` is past precheck.
    StagePastPrecheck,
}

/// ASSUMED (the API documents no completeness signal): a precheck report is complete when
/// its log has a `*...*` end marker, or logs a later stage's section, or the task has moved
/// past the precheck stage. Anything else may still grow (a report seen with 8, then 9, then 14
/// checks), so it is "in progress", never "passed". The one place this rule lives.
pub fn precheck_complete(log: &DetailLog, stage: Option<&MigrateStage>) -> Option<CompleteBecause> {
    if !log.markers.is_empty() {
        return Some(CompleteBecause::EndMarker);
    }
    let past = |s: &MigrateStage| s.ordinal().is_some_and(|n| n > 0);
    if log.sections.iter().filter_map(|s| s.stage.as_ref()).any(past) {
        return Some(CompleteBecause::LaterStageLogged);
    }
    if stage.is_some_and(past) {
        return Some(CompleteBecause::StagePastPrecheck);
    }
    None
}

/// A check that failed, for saying which one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedCheck {
    /// `Check disk size enough`.
    pub name: String,
    /// The section it sits in (`Check disk size`).
    pub section: String,
    /// The service's text without the outcome prefix (`postgres not empty, check if any table exists`).
    pub reason: Option<String>,
    /// 1-based line in `Detail`.
    pub line: usize,
}

/// The precheck's outcome with the figures it judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrecheckSummary {
    pub verdict: PrecheckVerdict,
    pub counts: CheckCounts,
    /// `None`: not known to be complete (see [`precheck_complete`]).
    pub complete: Option<CompleteBecause>,
    /// Every failed check, in log order.
    pub failed: Vec<FailedCheck>,
    /// Failed and not complete: the checks after the failure did not run (ASSUMED: a run stops
    /// at its first failed check, as the service's assessment report shows one error per run).
    pub stopped_early: bool,
}

/// The outcome of the checks in `log`; `stage` is the task's `MigrateStage` when the log is a
/// migration task's (`None` for a precheck report). Rules in order: failed if a check fails or
/// a marker says so; not run without checks or markers; in progress unless complete;
/// inconclusive if an outcome is unclassified; passed with warnings; passed.
pub fn precheck_summary(log: &DetailLog, stage: Option<&MigrateStage>) -> PrecheckSummary {
    let counts = log.check_counts();
    let complete = precheck_complete(log, stage);
    let failed: Vec<FailedCheck> = log
        .sections
        .iter()
        .flat_map(|s| s.checks.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.outcome == CheckOutcome::Failure)
        .map(|(s, c)| FailedCheck {
            name: c.name.clone(),
            section: s.name.clone(),
            reason: c.reason_text().map(str::to_string),
            line: c.line,
        })
        .collect();
    let marker_failed = log.markers.iter().any(|m| {
        let t = m.text.to_ascii_lowercase();
        t.contains("fail") || t.contains("error")
    });
    let verdict = if !failed.is_empty() || marker_failed {
        PrecheckVerdict::Failed
    } else if counts.success + counts.warning + counts.other == 0 && log.markers.is_empty() {
        PrecheckVerdict::NotRun
    } else if complete.is_none() {
        PrecheckVerdict::InProgress
    } else if counts.other > 0 {
        PrecheckVerdict::Inconclusive
    } else if counts.warning > 0 {
        PrecheckVerdict::PassedWithWarnings
    } else if counts.success > 0
        || log.markers.iter().any(|m| m.text.to_ascii_lowercase().contains("success"))
    {
        PrecheckVerdict::Passed
    } else {
        PrecheckVerdict::Inconclusive
    };
    let stopped_early = verdict == PrecheckVerdict::Failed && complete.is_none();
    PrecheckSummary { verdict, counts, complete, failed, stopped_early }
}

impl PrecheckSummary {
    /// The first failed check.
    pub fn first_failure(&self) -> Option<&FailedCheck> {
        self.failed.first()
    }

    /// Checks written so far.
    pub fn total(&self) -> usize {
        let c = &self.counts;
        c.success + c.warning + c.failure + c.other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detail::parse_detail;
    use crate::seed::seed_example_task;
    use proptest::prelude::*;

    #[test]
    fn the_seed_task_passed_with_its_glibc_warning() {
        let t = seed_example_task();
        let s = precheck_summary(&t.detail_log(), t.migrate_stage.as_ref());
        assert_eq!(s.verdict, PrecheckVerdict::PassedWithWarnings);
        assert_eq!(s.complete, Some(CompleteBecause::LaterStageLogged));
        assert_eq!((s.counts.warning, s.counts.success, s.total()), (1, 11, 12));
    }

    #[test]
    fn a_growing_report_is_in_progress_never_passed() {
        let mut text = String::from("[Check rds empty]\nCheck rds databases: success\n");
        let s = precheck_summary(&parse_detail(&text), None);
        assert_eq!(s.verdict, PrecheckVerdict::InProgress);
        assert_eq!(s.total(), 1);
        text.push_str("[Check source glibc version]\nCheck source glibc version compatible: warning(x)\n");
        let s = precheck_summary(&parse_detail(&text), None);
        assert_eq!((s.verdict, s.total(), s.counts.warning), (PrecheckVerdict::InProgress, 2, 1));
        // The same report in a task that moved on is complete.
        let s = precheck_summary(&parse_detail(&text), Some(&MigrateStage::Basebackup));
        assert_eq!(
            (s.verdict, s.complete),
            (PrecheckVerdict::PassedWithWarnings, Some(CompleteBecause::StagePastPrecheck))
        );
        // A task still in precheck is not.
        let s = precheck_summary(&parse_detail(&text), Some(&MigrateStage::Precheck));
        assert_eq!(s.verdict, PrecheckVerdict::InProgress);
        text.push_str("*Migrate check success*\n");
        let s = precheck_summary(&parse_detail(&text), None);
        assert_eq!(
            (s.verdict, s.complete),
            (PrecheckVerdict::PassedWithWarnings, Some(CompleteBecause::EndMarker))
        );
        let s = precheck_summary(&parse_detail("Check a: success\n*Migrate check success*"), None);
        assert_eq!((s.verdict, s.total()), (PrecheckVerdict::Passed, 1));
    }

    #[test]
    fn a_run_that_stopped_at_a_failure_says_the_rest_did_not_run() {
        let text = "[Check rds empty]\nCheck rds databases: success\n[Check source connectivity]\nCheck ip connectable: success\nCheck port connectable: success\nCheck database connectable: error:cannot connect to source database by migratetest:********\n";
        let s = precheck_summary(&parse_detail(text), Some(&MigrateStage::Precheck));
        assert_eq!(s.verdict, PrecheckVerdict::Failed);
        assert!(s.stopped_early);
        let f = s.first_failure().unwrap();
        assert_eq!(
            (f.name.as_str(), f.section.as_str(), f.line),
            ("Check database connectable", "Check source connectivity", 6)
        );
        assert_eq!(f.reason.as_deref(), Some("cannot connect to source database by migratetest:********"));
        assert_eq!((s.counts.success, s.counts.failure), (3, 1));
        // Every documented wording reads as a failure of its check.
        for (check, outcome) in [
            ("Check rds databases", "error:postgres not empty, check if any table exists"),
            ("Check ip connectable", "error:172.16.1.2 is unapproachable"),
            ("Check port connectable", "error:5432 is unapproachable"),
        ] {
            let s = precheck_summary(&parse_detail(&format!("{check}: {outcome}")), None);
            assert_eq!(s.verdict, PrecheckVerdict::Failed, "{outcome}");
            assert_eq!(s.first_failure().unwrap().name, check);
        }
        // Failed with an end marker: everything ran.
        let s = precheck_summary(
            &parse_detail("Check a: success\nCheck b: error:x\n*Migrate check failed*"),
            None,
        );
        assert!(!s.stopped_early);
        assert_eq!(
            s.first_failure().map(|f| (f.name.as_str(), f.reason.as_deref())),
            Some(("Check b", Some("x")))
        );
    }

    #[test]
    fn verdicts_and_other_outcomes() {
        let cases: &[(&str, PrecheckVerdict)] = &[
            ("", PrecheckVerdict::NotRun),
            ("Check a: success\nCheck b: skipped", PrecheckVerdict::InProgress),
            ("Check a: success\nCheck b: skipped\n*done*", PrecheckVerdict::Inconclusive),
            ("*Something*", PrecheckVerdict::Inconclusive),
        ];
        for (text, want) in cases {
            assert_eq!(precheck_summary(&parse_detail(text), None).verdict, *want, "{text:?}");
        }
        let s = precheck_summary(&parse_detail("Check b: skipped\n*done*"), None);
        assert_eq!((s.verdict, s.counts.other, s.counts.failure), (PrecheckVerdict::Inconclusive, 1, 0));
        assert_eq!(precheck_summary(&parse_detail(""), None).total(), 0);
    }

    proptest! {
        /// "Passed" only with a complete report; never "passed" with a failure.
        #[test]
        fn passed_needs_completeness(lines in proptest::collection::vec(prop_oneof![
            Just("Check a: success"), Just("Check b: warning(w)"), Just("Check c: error:x"),
            Just("Check d: skipped"), Just("*Migrate check success*"), Just("[Start RDS instance]"),
            Just("[Check x]"),
        ], 0..12)) {
            let log = parse_detail(&lines.join("\n"));
            let s = precheck_summary(&log, None);
            if matches!(s.verdict, PrecheckVerdict::Passed | PrecheckVerdict::PassedWithWarnings) {
                prop_assert!(s.complete.is_some());
                prop_assert_eq!(s.counts.failure, 0);
            }
            if s.counts.failure > 0 {
                prop_assert_eq!(s.verdict, PrecheckVerdict::Failed);
            }
        }
    }
}
