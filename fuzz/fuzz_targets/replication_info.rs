//! The `ReplicationInfo` parser (a JSON object inside a string, in either escaping) on arbitrary
//! text: never panics, the two lag figures are exactly the LSN arithmetic of the parsed fields,
//! and health computes at any time.
#![no_main]
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use migration_model::{HealthThresholds, ReplicationInfo, ReplicationState};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(info) = ReplicationInfo::parse(&text) else { return };
    if let (Some(r), Some(p)) = (info.received_lsn, info.replay_lsn) {
        if !r.is_zero() && !p.is_zero() {
            assert_eq!(info.lag_not_yet_replayed(), Some(i128::from(r.as_u64()) - i128::from(p.as_u64())));
        }
    }
    if let (Some(e), Some(p)) = (info.latest_end_lsn, info.replay_lsn) {
        if !e.is_zero() && !p.is_zero() {
            assert_eq!(info.lag_behind_source_report(), Some(i128::from(e.as_u64()) - i128::from(p.as_u64())));
        }
    }
    let _ = (info.bytes_received_since_start(), info.replay_lag_number());
    for now in [Utc::now(), Utc.timestamp_opt(0, 0).unwrap(), chrono::DateTime::<Utc>::MAX_UTC, chrono::DateTime::<Utc>::MIN_UTC] {
        let _ = info.seconds_since_last_message(now);
        for state in [None, Some(ReplicationState::Streaming), Some(ReplicationState::Catchup), Some(ReplicationState::from("other"))] {
            let _ = info.health(state.as_ref(), now, &HealthThresholds::default());
        }
    }
});
