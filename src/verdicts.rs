//! Every model verdict and wire value turned into text, in one place: stage, replication state
//! and source labels, health, switch readiness, precheck results and check outcomes, and the
//! plain-language error messages. Components call these and never a model `label` directly, so
//! when the model's verdicts change shape only this module follows.

use crate::api::ApiError;
use crate::i18n::{t, tf, Key, Lang};
use migration_model::{
    CheckOutcome, ErrorClass, Health, MigrateStage, Missing, PrecheckVerdict, ReplicationState,
    SourceCategory,
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

/// The health verdict's name and its one-line explanation.
pub fn health_text(health: Health, l: Lang) -> (String, String) {
    (health.label(l).to_owned(), health.description(l).to_owned())
}

/// What switch readiness still misses, as a sentence.
pub fn missing_label(missing: &Missing, l: Lang) -> String {
    missing.label(l)
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
