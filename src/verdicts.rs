//! Every model verdict and wire value turned into text, in one place: stage, replication state
//! and source labels, health, switch readiness, precheck results and check outcomes, and the
//! plain-language error messages. Components call these and never a model `label` directly, so
//! when the model's verdicts change shape only this module follows.

use crate::api::ApiError;
use crate::i18n::{t, tf, Key, Lang};
use migration_model::format::{self, PluralCategory};
use migration_model::{
    Attention, CheckOutcome, Concern, ErrorClass, FailedCheck, Health, HealthVerdict, MigrateStage, Missing,
    PrecheckSummary, PrecheckVerdict, ReadinessState, ReplicationState, SourceCategory, SwitchReadiness,
    UnknownBecause,
};

/// A stage's name.
pub fn stage_label(stage: &MigrateStage, l: Lang) -> String {
    stage.label(l).to_owned()
}

/// A replication state's name.
pub fn state_label(state: &ReplicationState, l: Lang) -> String {
    state.label(l).to_owned()
}

/// A source type's name.
pub fn category_label(category: &SourceCategory, l: Lang) -> String {
    category.label(l).to_owned()
}

/// The health verdict's name (its sentence, with the figures, is [`health_sentence`]).
pub fn health_label(health: Health, l: Lang) -> String {
    health.label(l).to_owned()
}

/// `n` with the singular or plural noun of the language (`1 check`, `2 checks`; Indonesian
/// nouns do not change).
pub fn counted(l: Lang, n: usize, one: Key, other: Key) -> String {
    let key = match format::plural_category(n as i128, l) {
        PluralCategory::One => one,
        PluralCategory::Other => other,
    };
    tf(l, key, &[("n", &format::number(n as i128, l))])
}

/// A byte figure as judged: `7.0 MiB (7,340,485 B)`, or "unknown".
fn judged_bytes(v: Option<i128>, l: Lang) -> String {
    v.map_or_else(|| t(l, Key::FigureUnknown).to_owned(), |v| format::bytes_with_exact(v, l))
}

/// The health verdict's one sentence, stating the figures and thresholds it judged. It says
/// everything received has been replayed only when both lag figures are 0.
pub fn health_sentence(v: &HealthVerdict, l: Lang) -> String {
    let f = &v.figures;
    let limit = format::bytes(i128::from(v.thresholds.lagging_bytes), l);
    let last =
        f.last_message_age_secs.map_or_else(|| t(l, Key::AtUnknownTime).to_owned(), |a| format::age(a, l));
    let a = judged_bytes(f.not_yet_replayed, l);
    let b = judged_bytes(f.behind_source_report, l);
    let args = [("a", a.as_str()), ("b", b.as_str()), ("limit", limit.as_str()), ("last", last.as_str())];
    let key = match v.health {
        Health::Healthy if f.fully_replayed() => Key::HealthSentenceReplayed,
        Health::Healthy => Key::HealthSentenceWithin,
        Health::Lagging if f.state == Some(ReplicationState::Catchup) => Key::HealthSentenceCatchup,
        Health::Lagging => Key::HealthSentenceLagging,
        Health::Stalled => {
            let age = format::duration(f.last_message_age_secs.unwrap_or(0), l);
            let th = format::duration(v.thresholds.stale_after_secs, l);
            return tf(l, Key::HealthSentenceStale, &[("age", &age), ("limit", &th)]);
        }
        Health::Disconnected => Key::HealthSentenceDown,
        Health::Finished => Key::HealthSentenceFinished,
        Health::Unknown => {
            let why = match v.unknown_because {
                Some(UnknownBecause::NotStarted) => Key::UnknownNotStarted,
                Some(UnknownBecause::NoReplicationInfo) => Key::UnknownNoInfo,
                Some(UnknownBecause::LastMessageUnknown) => Key::UnknownLastMessage,
                Some(UnknownBecause::LagUnknown) => Key::UnknownLag,
                Some(UnknownBecause::NotStreaming) | None => Key::UnknownNotStreaming,
            };
            return tf(l, Key::HealthSentenceUnknown, &[("why", t(l, why))]);
        }
    };
    tf(l, key, &args)
}

/// Switch readiness in one line: switched over / switching (with SwitchTime), ready on this
/// sample, ready for how long, not ready.
pub fn readiness_headline(r: &SwitchReadiness, l: Lang) -> String {
    match &r.state {
        ReadinessState::SwitchedOver { switch_time: Some(at) } => {
            tf(l, Key::SwitchedOverAt, &[("time", &format::utc_time(*at))])
        }
        ReadinessState::SwitchedOver { switch_time: None } => t(l, Key::SwitchedOver).to_owned(),
        ReadinessState::Switching { switch_time: Some(at) } => {
            tf(l, Key::SwitchingAt, &[("time", &format::utc_time(*at))])
        }
        ReadinessState::Switching { switch_time: None } => t(l, Key::Switching).to_owned(),
        ReadinessState::ReadyOnThisSample => t(l, Key::ReadyOnThisSample).to_owned(),
        ReadinessState::ReadyFor(h) => tf(
            l,
            Key::ReadyFor,
            &[
                ("duration", &format::duration(h.secs, l)),
                ("samples", &counted(l, h.samples, Key::SampleOne, Key::SampleOther)),
            ],
        ),
        ReadinessState::NotReady => t(l, Key::NotReadyToSwitch).to_owned(),
    }
}

/// The precheck's outcome with its figures: failed at which check (and whether the rest ran),
/// in progress with how many checks so far, passed.
pub fn precheck_sentence(p: &PrecheckSummary, l: Lang) -> String {
    let c = &p.counts;
    let checks = |n: usize| counted(l, n, Key::CheckOne, Key::CheckOther);
    let warnings = |n: usize| counted(l, n, Key::WarningOne, Key::WarningOther);
    let num = |n: usize| format::number(n as i128, l);
    match p.verdict {
        PrecheckVerdict::NotRun => t(l, Key::PrecheckNotRunSentence).to_owned(),
        PrecheckVerdict::InProgress if c.warning > 0 => tf(
            l,
            Key::PrecheckInProgressWarnings,
            &[("checks", &checks(p.total())), ("warnings", &warnings(c.warning))],
        ),
        PrecheckVerdict::InProgress => tf(l, Key::PrecheckInProgress, &[("checks", &checks(p.total()))]),
        PrecheckVerdict::Passed => tf(l, Key::PrecheckPassedSentence, &[("checks", &checks(p.total()))]),
        PrecheckVerdict::PassedWithWarnings => tf(
            l,
            Key::PrecheckPassedWarnings,
            &[
                ("warnings", &warnings(c.warning)),
                ("passed", &num(c.success)),
                ("checks", &checks(p.total())),
            ],
        ),
        PrecheckVerdict::Inconclusive => tf(l, Key::PrecheckInconclusive, &[("checks", &checks(c.other))]),
        PrecheckVerdict::Failed => {
            let which = p.first_failure().map(failed_check_text);
            let rest = if p.stopped_early { t(l, Key::RestDidNotRun) } else { "" };
            let figures = [
                ("check", which.as_deref().unwrap_or("")),
                ("passed", &num(c.success + c.warning)),
                ("failed", &num(c.failure)),
                ("rest", rest),
            ];
            tf(l, if which.is_some() { Key::PrecheckFailedAt } else { Key::PrecheckFailedSentence }, &figures)
        }
    }
}

/// `Check rds databases (postgres not empty, ...)`.
fn failed_check_text(f: &FailedCheck) -> String {
    match &f.reason {
        Some(r) => format!("{} ({r})", f.name),
        None => f.name.clone(),
    }
}

/// The worst concern of a task's attention verdict, short (for a table cell), and in a sentence
/// with its figures (for the hover text).
pub fn attention_text(attention: &Attention, l: Lang) -> Option<(String, String)> {
    attention.worst().map(|c| (t(l, concern_label(c)).to_owned(), concern_sentence(c, l)))
}

/// A concern's short name.
fn concern_label(concern: &Concern) -> Key {
    match concern {
        Concern::PrecheckFailed { .. } => Key::ConcernPrecheckFailed,
        Concern::Disconnected => Key::ConcernDisconnected,
        Concern::StaleStream { .. } => Key::ConcernStale,
        Concern::LagHigh { .. } => Key::ConcernLagHigh,
        Concern::ReplicationUnknown => Key::ConcernUnknown,
    }
}

/// A concern in a sentence, with its figures.
pub fn concern_sentence(concern: &Concern, l: Lang) -> String {
    match concern {
        Concern::PrecheckFailed { check, stopped_early } => {
            let rest = if *stopped_early { t(l, Key::RestDidNotRun) } else { "" };
            match check {
                Some(c) => {
                    tf(l, Key::ConcernPrecheckFailedAt, &[("check", &failed_check_text(c)), ("rest", rest)])
                }
                None => tf(l, Key::ConcernPrecheckFailedSentence, &[("rest", rest)]),
            }
        }
        Concern::Disconnected => t(l, Key::HealthSentenceDown).to_owned(),
        Concern::StaleStream { age_secs, limit_secs } => tf(
            l,
            Key::ConcernStaleSentence,
            &[("age", &format::duration(*age_secs, l)), ("limit", &format::duration(*limit_secs, l))],
        ),
        Concern::LagHigh { not_yet_replayed, behind_source_report, limit_bytes } => tf(
            l,
            Key::ConcernLagSentence,
            &[
                ("a", &judged_bytes(*not_yet_replayed, l)),
                ("b", &judged_bytes(*behind_source_report, l)),
                ("limit", &format::bytes(i128::from(*limit_bytes), l)),
            ],
        ),
        Concern::ReplicationUnknown => t(l, Key::ConcernUnknownSentence).to_owned(),
    }
}

/// What switch readiness still misses, as a sentence stating the figure.
pub fn missing_label(missing: &Missing, l: Lang) -> String {
    let now = |v: Option<String>| v.unwrap_or_else(|| t(l, Key::FigureUnknown).to_owned());
    match missing {
        Missing::StageNotIncrement(stage) => {
            tf(l, Key::MissingStage, &[("now", &now(stage.as_ref().map(|s| stage_label(s, l))))])
        }
        Missing::StateNotStreaming(state) => {
            tf(l, Key::MissingState, &[("now", &now(state.as_ref().map(|s| state_label(s, l))))])
        }
        Missing::NoReplicationInfo => t(l, Key::MissingNoInfo).to_owned(),
        Missing::NotYetReplayedUnknown => t(l, Key::MissingNotReplayedUnknown).to_owned(),
        Missing::NotYetReplayed(b) => {
            tf(l, Key::MissingNotReplayed, &[("bytes", &format::bytes_with_exact(*b, l))])
        }
        Missing::BehindSourceReportUnknown => t(l, Key::MissingBehindUnknown).to_owned(),
        Missing::BehindSourceReport(b) => {
            tf(l, Key::MissingBehind, &[("bytes", &format::bytes_with_exact(*b, l))])
        }
        Missing::LastMessageUnknown => t(l, Key::MissingLastUnknown).to_owned(),
        Missing::LastMessageStale { age_secs, limit_secs } => tf(
            l,
            Key::MissingLastStale,
            &[("age", &format::age(*age_secs, l)), ("limit", &format::duration(*limit_secs, l))],
        ),
    }
}

/// A precheck's overall result.
pub fn precheck_label(verdict: PrecheckVerdict, l: Lang) -> String {
    verdict.label(l).to_owned()
}

/// A check's outcome.
pub fn outcome_label(outcome: CheckOutcome, l: Lang) -> String {
    outcome.label(l).to_owned()
}

/// A plain-language sentence for a failed call: the model's error catalogue for known codes (and
/// a message by class for unknown ones), the app's own strings otherwise.
pub fn error_message(error: &ApiError, l: Lang) -> String {
    match error {
        ApiError::Network { .. } => t(l, Key::ErrorNetwork).to_owned(),
        ApiError::Api { status, body } => match body.plain_message(*status, l) {
            Some(message) => message.to_owned(),
            None => t(l, class_message(body.class(*status))).to_owned(),
        },
        ApiError::Http { status } => tf(l, Key::ErrorHttp, &[("status", &status.to_string())]),
        ApiError::Decode { .. } => t(l, Key::ErrorDecode).to_owned(),
    }
}

/// The message for an error code the model's catalogue does not know, by its class.
fn class_message(class: ErrorClass) -> Key {
    match class {
        ErrorClass::Retryable => Key::ErrorRetryable,
        ErrorClass::Throttled => Key::ErrorThrottled,
        ErrorClass::Client => Key::ErrorClient,
        ErrorClass::Auth => Key::ErrorAuth,
        ErrorClass::Server => Key::ErrorServer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_model::{precheck_summary, seed_example_task, switch_readiness, HealthThresholds};

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
    }

    #[test]
    fn health_and_readiness_state_their_figures() {
        let mut task = seed_example_task();
        let th = HealthThresholds::default();
        // Years later the seed's stream is stale: days, not seconds, in both languages.
        let v = task.health_verdict(at("2026-12-05T00:00:00Z"), &th);
        let en = health_sentence(&v, Lang::En);
        assert!(en.starts_with("Stale stream: no message from the source for 1,"), "{en}");
        assert!(en.ends_with(" d (threshold 1 min 30 s)."), "{en}");
        assert!(health_sentence(&v, Lang::Id).contains(" hari (ambang 1 mnt 30 dtk)"));
        let r = switch_readiness(&task, at("2022-03-01T06:43:00Z"), &th);
        assert_eq!(readiness_headline(&r, Lang::En), "Switching over (SwitchTime 2022-03-01 06:40:51 UTC).");
        task.migrate_stage = Some(MigrateStage::Success);
        let r = switch_readiness(&task, at("2022-03-02T00:00:00Z"), &th);
        assert_eq!(readiness_headline(&r, Lang::Id), "Sudah beralih pada 2022-03-01 06:40:51 UTC.");
        // Not in increment: the missing condition names the stage; bytes are human-readable.
        task.migrate_stage = Some(MigrateStage::Startup);
        let r = switch_readiness(&task, at("2022-03-01T06:41:00Z"), &th);
        let texts: Vec<String> = r.missing.iter().map(|m| missing_label(m, Lang::En)).collect();
        assert!(texts.iter().any(|t| t.contains("(stage now: ")), "{texts:?}");
        let m = Missing::NotYetReplayed(7_340_485);
        assert_eq!(
            missing_label(&m, Lang::En),
            "7.0 MiB (7,340,485 B) received but not yet replayed (must be 0)."
        );
        assert!(missing_label(&m, Lang::Id).starts_with("7,0 MiB (7.340.485 B) "));
    }

    #[test]
    fn precheck_sentences_count_in_the_language() {
        let log = migration_model::parse_detail("[Check a]\nCheck x: success\n");
        let s = precheck_summary(&log, None);
        assert_eq!(precheck_sentence(&s, Lang::En), "In progress: 1 check so far, none failed.");
        assert_eq!(
            precheck_sentence(&s, Lang::Id),
            "Sedang berjalan: 1 pemeriksaan sejauh ini, tidak ada yang gagal."
        );
        let log = migration_model::parse_detail(
            "[Check rds empty]\nCheck x: success\nCheck rds databases: error(error:postgres not empty, check if any table exists)\n",
        );
        let s = precheck_summary(&log, Some(&MigrateStage::Precheck));
        assert_eq!(
            precheck_sentence(&s, Lang::En),
            "Failed at Check rds databases (postgres not empty, check if any table exists): 1 passed, 1 failed, the rest did not run."
        );
        let t = seed_example_task();
        let s = precheck_summary(&t.detail_log(), t.migrate_stage.as_ref());
        assert!(precheck_sentence(&s, Lang::En).starts_with("Passed with 1 warning: "));
    }
}
