//! The `Detail` log parser on arbitrary text: never panics, keeps every line it reads (checks,
//! events and markers carry their raw line), and every figure derived from the log computes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migration_model::{parse_detail, MigrateStage};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let log = parse_detail(&text);
    let _ = (log.precheck_verdict(), log.check_counts(), log.last_logged_stage(), log.is_empty(), log.stage_start_times());
    assert_eq!(log.first_event_time().is_some(), log.last_event_time().is_some());
    for stage in ["precheck", "basebackup", "startup", "increment", "switch", "success", "other"] {
        let _ = log.stage_start(&MigrateStage::from(stage));
    }
    for check in log.checks() {
        let _ = check.reason_text();
        assert!(!check.raw.trim().is_empty());
    }
    for event in log.events() {
        assert!(!event.raw.trim().is_empty());
    }
    let counts = log.check_counts();
    let _ = counts;
});
