//! Every model verdict and wire value turned into text, in one place: stage, replication state
//! and source labels, health, switch readiness, precheck results and check outcomes, and the
//! plain-language error messages. Components call these and never a model `label` directly, so
//! when the model's verdicts change shape only this module follows.

use crate::api::ApiError;
use crate::i18n::{self, t, tf, Key, Lang};
use migration_model::format::{self, PluralCategory};
use migration_model::trend::Bounds;
use migration_model::{
    Attention, CheckOutcome, Concern, ErrorClass, FailedCheck, Health, HealthVerdict, MigrateStage, Missing,
    PrecheckSummary, PrecheckVerdict, ReadinessState, ReplicationState, SourceCategory, SwitchReadiness,
    UnknownBecause,
};

/// A stage's name; a value the app does not know is shown as the service sent it.
pub fn stage_label(stage: &MigrateStage, l: Lang) -> String {
    let key = match stage {
        MigrateStage::Precheck => Key::StagePrecheck,
        MigrateStage::Basebackup => Key::StageBasebackup,
        MigrateStage::Startup => Key::StageStartup,
        MigrateStage::Increment => Key::StageIncrement,
        MigrateStage::Switch => Key::StageSwitch,
        MigrateStage::Success => Key::StageSuccess,
        MigrateStage::Other(s) => return s.clone(),
    };
    t(l, key).to_owned()
}

/// A replication state's name (unknown values as sent).
pub fn state_label(state: &ReplicationState, l: Lang) -> String {
    let key = match state {
        ReplicationState::Unstarted => Key::StateUnstarted,
        ReplicationState::Catchup => Key::StateCatchup,
        ReplicationState::Streaming => Key::StateStreaming,
        ReplicationState::Disconnect => Key::StateDisconnect,
        ReplicationState::Finish => Key::StateFinish,
        ReplicationState::Other(s) => return s.clone(),
    };
    t(l, key).to_owned()
}

/// A source type's name (unknown values as sent).
pub fn category_label(category: &SourceCategory, l: Lang) -> String {
    let key = match category {
        SourceCategory::IdcOnVpc => Key::CategoryIdcOnVpc,
        SourceCategory::EcsOnVpc => Key::CategoryEcsOnVpc,
        SourceCategory::Other(s) => return s.clone(),
    };
    t(l, key).to_owned()
}

/// The health verdict's name (its sentence, with the figures, is [`health_sentence`]).
pub fn health_label(health: Health, l: Lang) -> String {
    let key = match health {
        Health::Healthy => Key::HealthHealthy,
        Health::Lagging => Key::HealthLagging,
        Health::Stalled => Key::HealthStalled,
        Health::Disconnected => Key::HealthDisconnected,
        Health::Finished => Key::HealthFinished,
        Health::Unknown => Key::HealthUnknown,
    };
    t(l, key).to_owned()
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

/// Ready, and for how long by the watcher's history ([`migration_model::trend::ready_for_watched`]): "for the
/// last 40 min", or "for at least the last 40 min" when the history begins ready.
pub fn ready_for_history(b: Bounds, l: Lang) -> String {
    let key = if b.max_secs.is_some() { Key::ReadyForLast } else { Key::ReadyForAtLeast };
    tf(l, key, &[("duration", &format::duration(b.min_secs, l))])
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
    let key = match verdict {
        PrecheckVerdict::Passed => Key::VerdictPassed,
        PrecheckVerdict::PassedWithWarnings => Key::VerdictPassedWithWarnings,
        PrecheckVerdict::Failed => Key::VerdictFailed,
        PrecheckVerdict::Inconclusive => Key::VerdictInconclusive,
        PrecheckVerdict::NotRun => Key::VerdictNotRun,
        PrecheckVerdict::InProgress => Key::VerdictInProgress,
    };
    t(l, key).to_owned()
}

/// A check's outcome.
pub fn outcome_label(outcome: CheckOutcome, l: Lang) -> String {
    let key = match outcome {
        CheckOutcome::Success => Key::OutcomeSuccess,
        CheckOutcome::Warning => Key::OutcomeWarning,
        CheckOutcome::Failure => Key::OutcomeFailure,
        CheckOutcome::Other => Key::OutcomeOther,
    };
    t(l, key).to_owned()
}

/// A plain-language sentence for a failed call: the catalogue's message for a code the model
/// catalogues (or its family's), a message by class for other codes, the app's own strings for
/// failures that are not the API's.
pub fn error_message(error: &ApiError, l: Lang) -> String {
    match error {
        ApiError::Network { .. } => t(l, Key::ErrorNetwork).to_owned(),
        ApiError::Api { status, body } => {
            match body.catalogued_code(*status).and_then(|code| i18n::error_message(l, code)) {
                Some(message) => message.to_owned(),
                None => t(l, class_message(body.class(*status))).to_owned(),
            }
        }
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
    use migration_model::{precheck_summary, seed_example_task, switch_readiness, HealthThresholds, HeldFor};

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
    }

    #[test]
    fn readiness_from_history_says_how_certain_it_is() {
        let b = |min_secs, max_secs| Bounds { min_secs, max_secs };
        assert_eq!(
            ready_for_history(b(2_400, Some(2_430)), Lang::En),
            "Ready to switch over for the last 40 min, by the watcher's history."
        );
        assert_eq!(
            ready_for_history(b(3_600, None), Lang::En),
            "Ready to switch over for at least the last 1 h, by the watcher's history."
        );
        assert_eq!(
            ready_for_history(b(3_600, None), Lang::Id),
            "Siap beralih sedikitnya selama 1 jam terakhir, menurut riwayat pemantau."
        );
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
        let held = HeldFor { since: at("2022-03-01T06:43:00Z"), secs: 15, samples: 4 };
        let ready = SwitchReadiness { state: ReadinessState::ReadyFor(held), ..r.clone() };
        assert_eq!(readiness_headline(&ready, Lang::En), "Ready to switch over for 15 s (4 samples).");
        assert_eq!(readiness_headline(&ready, Lang::Id), "Siap beralih selama 15 dtk (4 sampel).");
        let stale = Missing::LastMessageStale { age_secs: 1022, limit_secs: 90 };
        assert_eq!(
            missing_label(&stale, Lang::En),
            "The last message from the source was 17 min 2 s ago (recent means within 1 min 30 s)."
        );
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
    fn names_of_values_and_verdicts() {
        assert_eq!(stage_label(&MigrateStage::Basebackup, Lang::Id), "Pencadangan penuh");
        assert_eq!(stage_label(&MigrateStage::from("rollback"), Lang::Id), "rollback");
        assert_eq!(state_label(&ReplicationState::Disconnect, Lang::Id), "Terputus");
        assert_eq!(
            category_label(&SourceCategory::EcsOnVpc, Lang::En),
            "Self-managed PostgreSQL on Alibaba Cloud ECS"
        );
        assert_eq!(health_label(Health::Stalled, Lang::En), "Stale stream");
        assert_eq!(precheck_label(PrecheckVerdict::PassedWithWarnings, Lang::Id), "Lulus dengan peringatan");
        assert_eq!(outcome_label(CheckOutcome::Other, Lang::En), "Unclear result");
    }

    #[test]
    fn concerns_state_their_figures() {
        let th = HealthThresholds::default();
        let a = migration_model::attention(&seed_example_task(), at("2026-12-04T00:00:00Z"), &th);
        let (label, sentence) = attention_text(&a, Lang::En).unwrap();
        assert_eq!(label, "Stale stream");
        assert_eq!(sentence, "No message from the source for 1,738 d (threshold 1 min 30 s).");
        assert_eq!(
            attention_text(&a, Lang::Id).unwrap().1,
            "Tidak ada pesan dari sumber selama 1.738 hari (ambang 1 mnt 30 dtk)."
        );
        let lag = Concern::LagHigh {
            not_yet_replayed: Some(33_554_432),
            behind_source_report: None,
            limit_bytes: th.lagging_bytes,
        };
        assert_eq!(
            concern_sentence(&lag, Lang::En),
            "32.0 MiB (33,554,432 B) not yet replayed, unknown behind the source's last report (threshold 16.0 MiB)."
        );
        let failed = Concern::PrecheckFailed {
            check: Some(FailedCheck {
                name: "Check ip connectable".into(),
                section: "Check source connectivity".into(),
                reason: Some("172.16.1.2 is unapproachable".into()),
                line: 4,
            }),
            stopped_early: true,
        };
        assert_eq!(
            concern_sentence(&failed, Lang::En),
            "The precheck failed at Check ip connectable (172.16.1.2 is unapproachable), the rest did not run."
        );
    }

    #[test]
    fn error_messages_come_from_the_catalogue_then_the_class() {
        let api = |status: u16, code: &str| ApiError::Api {
            status,
            body: migration_model::ApiErrorBody::new("R", code, "service words"),
        };
        assert_eq!(
            error_message(&api(400, "Throttling.Api"), Lang::Id),
            "Batas permintaan API ini tercapai; tunggu sebentar lalu coba lagi."
        );
        assert_eq!(
            error_message(&api(400, "MissingDBInstanceName"), Lang::En),
            "A required parameter is missing."
        );
        assert_eq!(error_message(&api(500, "Unknown.Code"), Lang::En), t(Lang::En, Key::ErrorServer));
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
        assert_eq!(precheck_sentence(&s, Lang::En), "Passed with 1 warning: 11 of 12 checks passed.");
        assert_eq!(
            precheck_sentence(&s, Lang::Id),
            "Lulus dengan 1 peringatan: 11 dari 12 pemeriksaan lulus."
        );
        let log = migration_model::parse_detail("Check a: success\nCheck b: error:x\n*Migrate check failed*");
        assert_eq!(
            precheck_sentence(&precheck_summary(&log, None), Lang::En),
            "Failed at Check b (x): 1 passed, 1 failed."
        );
        let log = migration_model::parse_detail("Check a: success\nCheck c: warning(w)\n");
        assert_eq!(
            precheck_sentence(&precheck_summary(&log, None), Lang::Id),
            "Sedang berjalan: 2 pemeriksaan sejauh ini, tidak ada yang gagal (1 peringatan)."
        );
    }
}
