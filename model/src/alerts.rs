//! The alerts API's wire types (`/api/alerts/...`), shared by the proxy that writes them and the
//! app that reads them: the rules in effect and their destinations (by name only: never a URL or
//! a secret), the deliveries of the outbox, and the episodes. Times are Unix seconds, or
//! milliseconds where the field says so.

use serde::{Deserialize, Serialize};

/// The figures behind an episode's change, for the messages and the views.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertFigures {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_stage: Option<String>,
    /// *Not yet replayed*, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_yet_replayed_bytes: Option<i64>,
    /// *Behind the source's last report*, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behind_source_report_bytes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_age_secs: Option<i64>,
    /// Growth of *not yet replayed*, bytes per second (lag_growing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_bytes_per_sec: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// The first failed (or warning) check, for the precheck kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Why the watcher's poll failed (watch_failing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_secs: Option<i64>,
    /// How long the condition has held (since it was first seen), seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_secs: Option<i64>,
    /// A resolution that is not the condition ending: "task_gone", "rule_removed", "unwatched".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An alert rule in effect (`GET {base}/api/alerts/rules`): destinations by name only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertRule {
    pub name: String,
    pub kind: String,
    pub severity: String,
    pub for_secs: i64,
    pub repeat_interval_secs: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<i64>,
    pub regions: Vec<String>,
    pub instances: Vec<String>,
    pub groups: Vec<String>,
    /// Destination names.
    pub destinations: Vec<String>,
}

/// A destination as the proxy shows it: name, kind, language; never its URL or secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertDestination {
    pub name: String,
    pub kind: String,
    pub language: String,
    pub signed: bool,
}

/// `GET {base}/api/alerts/rules`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertRules {
    /// True when no rule is configured and the built-in set applies.
    pub default_rules: bool,
    /// Whether episodes are evaluated at all (the proxy has a history store and a watcher).
    pub evaluating: bool,
    pub rules: Vec<AlertRule>,
    pub destinations: Vec<AlertDestination>,
}

/// One message to one destination (an outbox row): the destination by name only, never its URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertDelivery {
    pub message_id: String,
    pub episode_id: i64,
    pub rule: String,
    pub region_id: String,
    pub db_instance_name: String,
    pub task_id: Option<u64>,
    pub destination: String,
    /// `firing`, `repeat` or `resolved`.
    pub event: String,
    /// `pending`, `sent` or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    pub created_at_ms: i64,
    pub last_attempt_ms: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub sent_at_ms: Option<i64>,
    pub next_attempt_ms: Option<i64>,
}

/// `GET {base}/api/alerts/deliveries`, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertDeliveries {
    pub deliveries: Vec<AlertDelivery>,
}

/// One alert episode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertEpisode {
    pub id: i64,
    pub rule: String,
    pub kind: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    pub region_id: String,
    pub db_instance_name: String,
    pub task_id: Option<u64>,
    /// `firing`, `resolved`, or `notified` (one-shot kinds).
    pub status: String,
    pub started_at: i64,
    pub fired_at: i64,
    pub resolved_at: Option<i64>,
    pub last_notified_at: i64,
    pub notifications: i64,
    pub figures: AlertFigures,
}

impl AlertEpisode {
    /// True while the condition holds.
    pub fn is_firing(&self) -> bool {
        self.status == "firing"
    }
}

/// `GET {base}/api/alerts/episodes`, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AlertEpisodes {
    pub episodes: Vec<AlertEpisode>,
}
