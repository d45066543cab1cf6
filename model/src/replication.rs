//! `ReplicationInfo`: the WAL receiver's view, a JSON object inside a string, all values strings.
//!
//! Keys mirror PostgreSQL's `pg_stat_wal_receiver` plus recovery functions (reference §7).
//! `"null"` means absent. Times carry `+08` offsets. The seed document prints the object with one
//! extra level of escaping (`{\"Status\":...}`); [`ReplicationInfo::parse`] accepts that, plain
//! JSON, and a JSON string holding either.

use crate::conninfo::mask_conninfo_password;
use crate::de::{is_null_text, unescape_once};
use crate::error::ParseError;
use crate::lsn::Lsn;
use crate::stage::ReplicationState;
use crate::time::parse_offset_time;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Every documented `ReplicationInfo` key, typed. A value that is absent, `"null"` or does not
/// parse is `None`; what was sent stays in `raw`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationInfo {
    /// The WAL receiver's status (`streaming`, `starting`, `waiting`, ...), as sent.
    pub status: Option<String>,
    pub receive_start_lsn: Option<Lsn>,
    pub receive_start_tli: Option<u32>,
    pub received_lsn: Option<Lsn>,
    pub received_tli: Option<u32>,
    pub latest_end_lsn: Option<Lsn>,
    pub latest_end_time: Option<DateTime<FixedOffset>>,
    pub replay_lsn: Option<Lsn>,
    /// The service's own lag figure. Its unit is not documented: show it as given, labelled as the
    /// service's figure (docs/architecture.md, "Assumptions").
    pub replay_lag: Option<String>,
    pub replay_timestamp: Option<DateTime<FixedOffset>>,
    pub last_msg_send_time: Option<DateTime<FixedOffset>>,
    pub last_msg_receipt_time: Option<DateTime<FixedOffset>>,
    /// Alibaba-specific; meaning not documented.
    pub synced: Option<bool>,
    /// Probably `pg_is_in_recovery()` on the RDS side (inferred).
    pub is_slave: Option<bool>,
    /// Connection string with any password masked (see `mask_conninfo_password`).
    pub conninfo: Option<String>,
    /// Every key exactly as sent (values as text, `Conninfo` masked), unknown keys included.
    pub raw: BTreeMap<String, String>,
}

impl ReplicationInfo {
    /// Parses the `ReplicationInfo` string in either escaping. `Err(Empty)` for `""`/`"null"`;
    /// `Err(Invalid)` when no JSON object can be read.
    pub fn parse(text: &str) -> Result<ReplicationInfo, ParseError> {
        let mut current = text.trim().to_string();
        // Each round peels one layer: a JSON string holding the object, or one escaping level.
        for _ in 0..4 {
            if is_null_text(&current) {
                return Err(ParseError::Empty);
            }
            match serde_json::from_str::<Value>(&current) {
                Ok(Value::Object(map)) => return Ok(Self::from_map(&map)),
                Ok(Value::String(inner)) => current = inner.trim().to_string(),
                Ok(Value::Null) => return Err(ParseError::Empty),
                Ok(other) => {
                    return Err(ParseError::Invalid(format!(
                        "expected a JSON object, found {}",
                        kind(&other)
                    )))
                }
                Err(e) => match unescape_once(&current) {
                    Some(u) if u != current => current = u.trim().to_string(),
                    _ => return Err(ParseError::Invalid(format!("not JSON: {e}"))),
                },
            }
        }
        Err(ParseError::Invalid("too many levels of escaping".into()))
    }

    /// Reads an already decoded object.
    pub fn from_map(map: &Map<String, Value>) -> ReplicationInfo {
        let mut info = ReplicationInfo::default();
        for (key, value) in map {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => "null".to_string(),
                other => other.to_string(),
            };
            let text =
                if key.eq_ignore_ascii_case("Conninfo") { mask_conninfo_password(&text) } else { text };
            let present = (!is_null_text(&text)).then_some(text.as_str());
            match key.to_ascii_lowercase().as_str() {
                "status" => info.status = present.map(str::to_string),
                "receivestartlsn" => info.receive_start_lsn = present.and_then(|t| t.parse().ok()),
                "receivestarttli" => info.receive_start_tli = present.and_then(|t| t.trim().parse().ok()),
                "receivedlsn" => info.received_lsn = present.and_then(|t| t.parse().ok()),
                "receivedtli" => info.received_tli = present.and_then(|t| t.trim().parse().ok()),
                "latestendlsn" => info.latest_end_lsn = present.and_then(|t| t.parse().ok()),
                "latestendtime" => info.latest_end_time = present.and_then(parse_offset_time),
                "replaylsn" => info.replay_lsn = present.and_then(|t| t.parse().ok()),
                "replaylag" => info.replay_lag = present.map(str::to_string),
                "replaytimestamp" => info.replay_timestamp = present.and_then(parse_offset_time),
                "lastmsgsendtime" => info.last_msg_send_time = present.and_then(parse_offset_time),
                "lastmsgreceipttime" => info.last_msg_receipt_time = present.and_then(parse_offset_time),
                "synced" => info.synced = present.and_then(parse_bool),
                "isslave" => info.is_slave = present.and_then(parse_bool),
                "conninfo" => info.conninfo = present.map(str::to_string),
                _ => {}
            }
            info.raw.insert(key.clone(), text);
        }
        info
    }

    /// *Not yet replayed*: `ReceivedLsn − ReplayLsn`, in bytes. `None` when either is absent or
    /// the `0/0` placeholder, so a placeholder never reads as "no lag".
    pub fn lag_not_yet_replayed(&self) -> Option<i128> {
        lag(self.received_lsn, self.replay_lsn)
    }

    /// *Behind the source's last report*: `LatestEndLsn − ReplayLsn`, in bytes; `None` as above.
    pub fn lag_behind_source_report(&self) -> Option<i128> {
        lag(self.latest_end_lsn, self.replay_lsn)
    }

    /// Bytes received since the receiver started (`ReceivedLsn − ReceiveStartLsn`).
    pub fn bytes_received_since_start(&self) -> Option<i128> {
        lag(self.received_lsn, self.receive_start_lsn)
    }

    /// Whole seconds from `LastMsgReceiptTime` to `now` (negative if the clocks disagree).
    pub fn seconds_since_last_message(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_msg_receipt_time.map(|t| (now - t.with_timezone(&Utc)).num_seconds())
    }

    /// `ReplayLag` as a number, when it is one (unit still unknown).
    pub fn replay_lag_number(&self) -> Option<f64> {
        self.replay_lag.as_deref().and_then(|s| s.trim().parse::<f64>().ok()).filter(|f| f.is_finite())
    }

    /// The figures health and readiness judge, read once (see [`LinkFigures`]).
    pub fn figures(&self, state: Option<&ReplicationState>, now: DateTime<Utc>) -> LinkFigures {
        LinkFigures::of(Some(self), state, now)
    }

    /// The health verdict with the figures it judged; see [`HealthVerdict::judge`].
    pub fn health_verdict(
        &self,
        state: Option<&ReplicationState>,
        now: DateTime<Utc>,
        t: &HealthThresholds,
    ) -> HealthVerdict {
        HealthVerdict::judge(self.figures(state, now), t)
    }

    /// The health alone; see [`HealthVerdict::judge`].
    pub fn health(
        &self,
        state: Option<&ReplicationState>,
        now: DateTime<Utc>,
        t: &HealthThresholds,
    ) -> Health {
        self.health_verdict(state, now, t).health
    }
}

fn lag(ahead: Option<Lsn>, behind: Option<Lsn>) -> Option<i128> {
    match (ahead, behind) {
        (Some(a), Some(b)) if !a.is_zero() && !b.is_zero() => Some(a.bytes_since(b)),
        _ => None,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "on" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The one set of thresholds for replication health, switch readiness and the per-task
/// attention verdict (readiness additionally needs both lag figures at exactly 0 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HealthThresholds {
    /// A lag figure above this many bytes reads as lagging. Default 16 MiB, one WAL segment:
    /// a streaming standby is routinely a little behind while it replays.
    pub lagging_bytes: u64,
    /// The last message is "recent" up to this many seconds. Default 90: an idle walreceiver
    /// pings the sender after `wal_receiver_timeout / 2` (30 s by default), so three missed pings
    /// mean the link has stalled.
    pub stale_after_secs: i64,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds { lagging_bytes: 16 * 1024 * 1024, stale_after_secs: 90 }
    }
}

/// What the replication verdicts look at, read once from `ReplicationInfo` and the task's
/// `ReplicationState`, so that health, readiness and attention judge the same numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LinkFigures {
    /// The task's `ReplicationState`.
    pub state: Option<ReplicationState>,
    /// Streaming by the task's state, or (without one) by the receiver's `Status`.
    pub streaming: bool,
    /// Whether a `ReplicationInfo` was readable at all.
    pub info_readable: bool,
    /// *Not yet replayed*, bytes (`None`: an LSN missing or a placeholder).
    pub not_yet_replayed: Option<i128>,
    /// *Behind the source's last report*, bytes.
    pub behind_source_report: Option<i128>,
    /// Seconds since `LastMsgReceiptTime` (negative if the clocks disagree).
    pub last_message_age_secs: Option<i64>,
}

impl LinkFigures {
    /// The figures of `info` (absent or unreadable: `None`) at `now`.
    pub fn of(info: Option<&ReplicationInfo>, state: Option<&ReplicationState>, now: DateTime<Utc>) -> Self {
        let streaming = match state {
            Some(s) => *s == ReplicationState::Streaming,
            None => info
                .and_then(|i| i.status.as_deref())
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("streaming")),
        };
        LinkFigures {
            state: state.cloned(),
            streaming,
            info_readable: info.is_some(),
            not_yet_replayed: info.and_then(ReplicationInfo::lag_not_yet_replayed),
            behind_source_report: info.and_then(ReplicationInfo::lag_behind_source_report),
            last_message_age_secs: info.and_then(|i| i.seconds_since_last_message(now)),
        }
    }

    /// The larger of the two lag figures, when both are known.
    pub fn largest_lag(&self) -> Option<i128> {
        Some(self.not_yet_replayed?.max(self.behind_source_report?))
    }

    /// Whether both lag figures are known and exactly 0.
    pub fn fully_replayed(&self) -> bool {
        self.not_yet_replayed == Some(0) && self.behind_source_report == Some(0)
    }
}

/// Why there is not enough data to judge the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownBecause {
    /// The state is `unstarted`: there is no link yet.
    NotStarted,
    /// No readable `ReplicationInfo`.
    NoReplicationInfo,
    /// `LastMsgReceiptTime` is absent.
    LastMessageUnknown,
    /// A lag figure cannot be computed (an LSN missing or a placeholder).
    LagUnknown,
    /// Neither the state nor the receiver says it is streaming.
    NotStreaming,
}

/// The replication link's health with the figures and thresholds it judged, so that its
/// sentence can state them ([`HealthVerdict::sentence`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthVerdict {
    pub health: Health,
    /// Set when `health` is `Unknown`.
    pub unknown_because: Option<UnknownBecause>,
    pub figures: LinkFigures,
    pub thresholds: HealthThresholds,
}

impl HealthVerdict {
    /// The rules, in order: `finish` / `disconnect` by state; unknown for `unstarted`, without
    /// `ReplicationInfo` or a receipt time; stalled when the last message is older than
    /// `stale_after_secs`; unknown when a lag figure is missing; lagging when a lag figure is
    /// above `lagging_bytes` or the state is `catchup`; healthy only while streaming.
    pub fn judge(figures: LinkFigures, thresholds: &HealthThresholds) -> HealthVerdict {
        let (health, because) = Self::rules(&figures, thresholds);
        HealthVerdict { health, unknown_because: because, figures, thresholds: *thresholds }
    }

    fn rules(f: &LinkFigures, t: &HealthThresholds) -> (Health, Option<UnknownBecause>) {
        let unknown = |b| (Health::Unknown, Some(b));
        match f.state {
            Some(ReplicationState::Finish) => return (Health::Finished, None),
            Some(ReplicationState::Disconnect) => return (Health::Disconnected, None),
            Some(ReplicationState::Unstarted) => return unknown(UnknownBecause::NotStarted),
            _ => {}
        }
        if !f.info_readable {
            return unknown(UnknownBecause::NoReplicationInfo);
        }
        let Some(age) = f.last_message_age_secs else {
            return unknown(UnknownBecause::LastMessageUnknown);
        };
        if age > t.stale_after_secs {
            return (Health::Stalled, None);
        }
        let Some(largest) = f.largest_lag() else {
            return unknown(UnknownBecause::LagUnknown);
        };
        if largest > i128::from(t.lagging_bytes) || f.state == Some(ReplicationState::Catchup) {
            return (Health::Lagging, None);
        }
        if f.streaming {
            (Health::Healthy, None)
        } else {
            unknown(UnknownBecause::NotStreaming)
        }
    }
}

/// The replication link's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Lagging,
    Stalled,
    Disconnected,
    Finished,
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Lagging => "lagging",
            Health::Stalled => "stalled",
            Health::Disconnected => "disconnected",
            Health::Finished => "finished",
            Health::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{seed_example_decoded, SEED_EXAMPLE_RESPONSE};
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// `ReplicationInfo` of the seed as the service sends it (ordinary JSON in a string).
    fn seed_plain() -> String {
        seed_example_decoded()["Items"][0]["ReplicationInfo"].as_str().unwrap().to_string()
    }

    /// `ReplicationInfo` as the seed document prints it, one escaping level extra (`{\"Status\"...`).
    fn seed_escaped() -> String {
        let v: Value = serde_json::from_str(SEED_EXAMPLE_RESPONSE).unwrap();
        v["Items"][0]["ReplicationInfo"].as_str().unwrap().to_string()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn seed_in_both_escapings() {
        assert!(seed_escaped().starts_with(r#"{\"Status\""#));
        let a = ReplicationInfo::parse(&seed_plain()).unwrap();
        let b = ReplicationInfo::parse(&seed_escaped()).unwrap();
        let c = ReplicationInfo::parse(&serde_json::to_string(&seed_plain()).unwrap()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.status.as_deref(), Some("streaming"));
        assert_eq!(a.receive_start_lsn, Some(Lsn(0x3000000)));
        assert_eq!(a.received_lsn, Some(Lsn(0x3000148)));
        assert_eq!(a.latest_end_lsn, Some(Lsn(0x3000148)));
        assert_eq!(a.replay_lsn, Some(Lsn(0x3000148)));
        assert_eq!((a.receive_start_tli, a.received_tli), (Some(1), Some(1)));
        assert_eq!((a.synced, a.is_slave), (Some(true), Some(true)));
        assert_eq!(a.replay_timestamp, None);
        assert_eq!(a.raw.get("ReplayTimestamp").map(String::as_str), Some("null"));
        assert_eq!(a.replay_lag.as_deref(), Some("0"));
        assert_eq!(a.replay_lag_number(), Some(0.0));
        let off8 = FixedOffset::east_opt(8 * 3600).unwrap();
        assert_eq!(
            a.last_msg_receipt_time,
            Some(
                off8.with_ymd_and_hms(2022, 3, 1, 14, 42, 57).unwrap()
                    + chrono::Duration::microseconds(967_270)
            )
        );
        assert_eq!(
            a.last_msg_send_time.map(|t| t.to_rfc3339()),
            Some("2022-03-01T14:42:57.967537+08:00".into())
        );
        assert_eq!(
            a.latest_end_time.map(|t| t.to_rfc3339()),
            Some("2022-02-25T17:03:59.334400+08:00".into())
        );
        assert!(a
            .conninfo
            .as_deref()
            .unwrap()
            .starts_with("user=migratetest password=******** channel_binding=prefer"));
        assert_eq!(a.raw.len(), 15);
        assert_eq!(a.lag_not_yet_replayed(), Some(0));
        assert_eq!(a.lag_behind_source_report(), Some(0));
        assert_eq!(a.bytes_received_since_start(), Some(328));
    }

    #[test]
    fn seed_health_over_time() {
        let a = ReplicationInfo::parse(&seed_plain()).unwrap();
        let t = HealthThresholds::default();
        let st = ReplicationState::Streaming;
        // LastMsgReceiptTime is 2022-03-01 06:42:57.96727Z.
        let fresh = utc("2022-03-01T06:43:30Z");
        assert_eq!(a.seconds_since_last_message(fresh), Some(32));
        assert_eq!(a.health(Some(&st), fresh, &t), Health::Healthy);
        assert_eq!(a.health(None, fresh, &t), Health::Healthy, "Status stands in for the state");
        assert_eq!(a.health(Some(&st), utc("2022-03-01T06:50:00Z"), &t), Health::Stalled);
        assert_eq!(a.health(Some(&ReplicationState::Catchup), fresh, &t), Health::Lagging);
        assert_eq!(a.health(Some(&ReplicationState::Disconnect), fresh, &t), Health::Disconnected);
        assert_eq!(a.health(Some(&ReplicationState::Finish), fresh, &t), Health::Finished);
        assert_eq!(a.health(Some(&ReplicationState::Unstarted), fresh, &t), Health::Unknown);
        assert_eq!(a.health(Some(&ReplicationState::Other("x".into())), fresh, &t), Health::Unknown);
    }

    #[test]
    fn health_branches() {
        let now = utc("2022-03-01T06:43:00Z");
        let base = |recv: &str, end: &str, replay: &str, receipt: &str| {
            let json = serde_json::json!({
                "Status": "streaming", "ReceivedLsn": recv, "LatestEndLsn": end, "ReplayLsn": replay,
                "LastMsgReceiptTime": receipt,
            });
            ReplicationInfo::parse(&json.to_string()).unwrap()
        };
        let st = Some(ReplicationState::Streaming);
        let t = HealthThresholds { lagging_bytes: 100, stale_after_secs: 60 };
        let cases: &[(&str, &str, &str, &str, Health)] = &[
            ("0/3000148", "0/3000148", "0/3000148", "2022-03-01 14:42:50+08", Health::Healthy),
            ("0/3000148", "0/3000148", "0/3000100", "2022-03-01 14:42:50+08", Health::Healthy),
            ("0/3001000", "0/3000148", "0/3000000", "2022-03-01 14:42:50+08", Health::Lagging),
            ("0/3000148", "0/3001000", "0/3000000", "2022-03-01 14:42:50+08", Health::Lagging),
            ("0/3000148", "0/3000148", "0/3000148", "2022-03-01 14:41:50+08", Health::Stalled),
            ("0/3000148", "0/3000148", "0/3000148", "null", Health::Unknown),
            ("0/0", "0/0", "0/0", "2022-03-01 14:42:50+08", Health::Unknown),
            ("0/3000148", "0/0", "0/3000148", "2022-03-01 14:42:50+08", Health::Unknown),
            ("null", "0/3000148", "0/3000148", "2022-03-01 14:42:50+08", Health::Unknown),
            ("bad", "0/3000148", "0/3000148", "2022-03-01 14:42:50+08", Health::Unknown),
            ("0/3000148", "0/3000148", "0/3000148", "2022-03-01 14:43:30+08", Health::Healthy),
        ];
        for (recv, end, replay, receipt, want) in cases {
            let info = base(recv, end, replay, receipt);
            assert_eq!(info.health(st.as_ref(), now, &t), *want, "{recv} {end} {replay} {receipt}");
        }
        let not_streaming = ReplicationInfo::parse(r#"{"Status":"waiting","ReceivedLsn":"0/1","LatestEndLsn":"0/1","ReplayLsn":"0/1","LastMsgReceiptTime":"2022-03-01 14:42:50+08"}"#).unwrap();
        assert_eq!(not_streaming.health(None, now, &t), Health::Unknown);
    }

    #[test]
    fn parse_branches() {
        let cases: &[(&str, Result<(), ParseError>)] = &[
            ("", Err(ParseError::Empty)),
            ("  ", Err(ParseError::Empty)),
            ("null", Err(ParseError::Empty)),
            ("\"null\"", Err(ParseError::Empty)),
            ("{}", Ok(())),
            (r#"{"Status":"streaming"}"#, Ok(())),
            (r#"{\"Status\":\"streaming\"}"#, Ok(())),
            (r#"{\\\"Status\\\":\\\"streaming\\\"}"#, Ok(())),
            (r#""{\"Status\":\"streaming\"}""#, Ok(())),
        ];
        for (input, want) in cases {
            assert_eq!(ReplicationInfo::parse(input).map(|_| ()), *want, "{input}");
        }
        for bad in ["[1,2]", "42", "{not json", "\"just text\"", "{\"a\":"] {
            assert!(matches!(ReplicationInfo::parse(bad), Err(ParseError::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn tolerant_values() {
        let info = ReplicationInfo::parse(r#"{"status":"streaming","ReceivedTli":1,"Synced":false,"IsSlave":"t","ReplayLag":12.5,
            "ReplayTimestamp":"2022-03-01 14:40:00.5+08","LatestEndTime":"garbage","ReplayLsn":null,"Extra":"kept",
            "Conninfo":"user=u password=hunter2 host=h"}"#).unwrap();
        assert_eq!(info.status.as_deref(), Some("streaming"));
        assert_eq!(info.received_tli, Some(1));
        assert_eq!((info.synced, info.is_slave), (Some(false), Some(true)));
        assert_eq!(info.replay_lag.as_deref(), Some("12.5"));
        assert!(info.replay_timestamp.is_some());
        assert_eq!(info.latest_end_time, None);
        assert_eq!(info.raw.get("LatestEndTime").map(String::as_str), Some("garbage"));
        assert_eq!(info.replay_lsn, None);
        assert_eq!(info.raw.get("Extra").map(String::as_str), Some("kept"));
        assert_eq!(info.conninfo.as_deref(), Some("user=u password=******** host=h"));
        assert!(!format!("{info:?}").contains("hunter2"));
        assert_eq!(info.lag_not_yet_replayed(), None);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = ReplicationInfo::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_jsonish(s in r#"[{}\\":,a-zA-Z0-9/+ .-]{0,80}"#) {
            if let Ok(info) = ReplicationInfo::parse(&s) {
                let _ = info.health(None, Utc::now(), &HealthThresholds::default());
            }
        }

        #[test]
        fn lags_match_lsn_arithmetic(recv in 1u64.., end in 1u64.., replay in 1u64..) {
            let json = serde_json::json!({
                "ReceivedLsn": Lsn(recv).to_string(), "LatestEndLsn": Lsn(end).to_string(), "ReplayLsn": Lsn(replay).to_string(),
            });
            let info = ReplicationInfo::parse(&json.to_string()).unwrap();
            prop_assert_eq!(info.lag_not_yet_replayed(), Some(i128::from(recv) - i128::from(replay)));
            prop_assert_eq!(info.lag_behind_source_report(), Some(i128::from(end) - i128::from(replay)));
        }
    }
}
