use super::*;
use serde_json::json;

const T0: i64 = 1_800_000_000;

fn iso(t: i64) -> String {
    DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn task(
    id: u64,
    stage: &str,
    state: &str,
    modified: i64,
    detail: &str,
    received: u64,
    replay: u64,
) -> MigrationTask {
    let info = json!({
        "Status": "streaming",
        "ReceivedLsn": migration_model::Lsn(received).to_pg_string(),
        "LatestEndLsn": migration_model::Lsn(received).to_pg_string(),
        "ReplayLsn": migration_model::Lsn(replay).to_pg_string(),
        "ReplayLag": "0.5",
        "LastMsgSendTime": "2027-01-15 08:00:00.000000+08",
        "LastMsgReceiptTime": "2027-01-15 08:00:00.100000+08",
    });
    serde_json::from_value(json!({
        "TaskId": id,
        "TaskName": format!("task-{id}"),
        "MigrateStage": stage,
        "ReplicationState": state,
        "GmtCreated": iso(T0 - 86_400),
        "GmtModified": iso(modified),
        "Detail": detail,
        "ReplicationInfo": info.to_string(),
    }))
    .unwrap()
}

fn poll(prev: &InstanceState, at: i64, tasks: &[MigrationTask]) -> Diff {
    diff(prev, at, &Observed { tasks, complete: true, prechecks: None }, &HealthThresholds::default())
}

fn kinds(d: &Diff) -> Vec<EventKind> {
    d.events.iter().map(|e| e.event.kind).collect()
}

#[test]
fn the_first_poll_writes_samples_but_no_events() {
    let d = poll(
        &InstanceState::default(),
        T0,
        &[task(1, "increment", "streaming", T0 - 500, "a\nb\n", 100, 90)],
    );
    assert!(d.events.is_empty(), "{:?}", kinds(&d));
    assert_eq!(d.samples.len(), 1);
    let s = d.samples[0].sample.as_ref().unwrap();
    assert_eq!((s.t, s.not_yet_replayed_bytes, s.gmt_modified), (T0, Some(10), Some(T0 - 500)));
    assert_eq!(d.state.last_ok_at, Some(T0));
    assert_eq!(d.state.tasks[&1].lines, 2);
}

#[test]
fn unchanged_tasks_write_a_heartbeat_only_every_five_minutes() {
    let t = task(1, "success", "finish", T0 - 500, "", 100, 100);
    let mut state = poll(&InstanceState::default(), T0, std::slice::from_ref(&t)).state;
    let mut written = Vec::new();
    for k in 1..=20 {
        let at = T0 + k * 30;
        let d = poll(&state, at, std::slice::from_ref(&t));
        if d.samples[0].sample.is_some() {
            written.push(at - T0);
        }
        state = d.state;
    }
    assert_eq!(written, [300, 600]);
    // A change is written at once.
    let moved = task(1, "success", "finish", T0 - 500, "", 200, 200);
    assert!(poll(&state, T0 + 630, &[moved]).samples[0].sample.is_some());
}

#[test]
fn stage_and_state_changes_carry_their_interval_and_the_service_time() {
    let s0 = poll(&InstanceState::default(), T0, &[task(1, "startup", "catchup", T0 - 100, "", 0, 0)]).state;
    let d = poll(&s0, T0 + 30, &[task(1, "increment", "streaming", T0 + 12, "", 100, 100)]);
    assert_eq!(kinds(&d), [EventKind::StageChanged, EventKind::StateChanged]);
    let e = &d.events[0].event;
    assert_eq!((e.observed_after, e.observed_at, e.at), (Some(T0), T0 + 30, Some(T0 + 12)));
    assert_eq!((e.from.as_deref(), e.to.as_deref()), (Some("startup"), Some("increment")));
    // The dedup name does not depend on when it was seen: a second replica's copy is one row.
    let late = poll(&s0, T0 + 31, &[task(1, "increment", "streaming", T0 + 12, "", 100, 100)]);
    assert_eq!(late.events[0].dedup, d.events[0].dedup);
    // A GmtModified outside the interval is not the change's time.
    let d = poll(&s0, T0 + 30, &[task(1, "increment", "streaming", T0 - 50, "", 100, 100)]);
    assert_eq!(d.events[0].event.at, None);
}

#[test]
fn a_disconnect_has_its_duration_exact_from_gmt_modified_or_bounded_by_the_polls() {
    let s0 =
        poll(&InstanceState::default(), T0, &[task(1, "increment", "streaming", T0 - 100, "", 100, 100)])
            .state;
    let d1 = poll(&s0, T0 + 30, &[task(1, "increment", "disconnect", T0 + 10, "", 100, 100)]);
    assert_eq!(kinds(&d1), [EventKind::StateChanged, EventKind::DisconnectBegan]);
    let d2 = poll(&d1.state, T0 + 60, &[task(1, "increment", "disconnect", T0 + 10, "", 100, 100)]);
    assert!(d2.events.is_empty());
    let d3 = poll(&d2.state, T0 + 90, &[task(1, "increment", "catchup", T0 + 70, "", 100, 100)]);
    let ended = d3.events.iter().find(|e| e.event.kind == EventKind::DisconnectEnded).unwrap();
    assert_eq!((ended.event.duration_min_secs, ended.event.duration_max_secs), (Some(60), Some(60)));

    // Without a usable GmtModified: at least from first to last sighting, at most poll to poll.
    let d1 = poll(&s0, T0 + 30, &[task(1, "increment", "disconnect", T0 - 999, "", 100, 100)]);
    let d2 = poll(&d1.state, T0 + 60, &[task(1, "increment", "disconnect", T0 - 999, "", 100, 100)]);
    let d3 = poll(&d2.state, T0 + 90, &[task(1, "increment", "streaming", T0 - 999, "", 100, 100)]);
    let ended = d3.events.iter().find(|e| e.event.kind == EventKind::DisconnectEnded).unwrap();
    assert_eq!((ended.event.duration_min_secs, ended.event.duration_max_secs), (Some(30), Some(90)));
}

#[test]
fn new_detail_lines_are_events_with_their_own_times() {
    let head = "[Synchronize data]\n2027-01-15 08:00:00 --- Synchronize data from source to RDS by streaming replication \n";
    let s0 = poll(&InstanceState::default(), T0, &[task(1, "increment", "streaming", T0, head, 1, 1)]).state;
    let more = format!("{head}2027-01-15 09:00:00 --- Replication connection to source lost, reconnecting\n");
    let d = poll(&s0, T0 + 30, &[task(1, "increment", "streaming", T0, &more, 1, 1)]);
    assert_eq!(kinds(&d), [EventKind::DetailLine]);
    let e = &d.events[0].event;
    assert!(e.text.as_deref().unwrap().ends_with("reconnecting"));
    // 09:00 at the assumed +08:00 is 01:00 UTC.
    assert_eq!(e.at, Some(DateTime::parse_from_rfc3339("2027-01-15T01:00:00Z").unwrap().timestamp()));
    // Nothing new, nothing written; a task that appears later brings its whole log.
    assert!(poll(&d.state, T0 + 60, &[task(1, "increment", "streaming", T0, &more, 1, 1)]).events.is_empty());
    let d = poll(
        &d.state,
        T0 + 60,
        &[
            task(1, "increment", "streaming", T0, &more, 1, 1),
            task(2, "precheck", "unstarted", T0, head, 0, 0),
        ],
    );
    assert_eq!(kinds(&d), [EventKind::TaskAppeared, EventKind::DetailLine, EventKind::DetailLine]);
}

#[test]
fn a_missing_task_vanishes_only_when_every_page_was_read() {
    let s0 = poll(
        &InstanceState::default(),
        T0,
        &[task(1, "increment", "streaming", T0, "", 1, 1), task(2, "increment", "streaming", T0, "", 1, 1)],
    )
    .state;
    let one = [task(1, "increment", "streaming", T0, "", 1, 1)];
    let partial = diff(
        &s0,
        T0 + 30,
        &Observed { tasks: &one, complete: false, prechecks: None },
        &HealthThresholds::default(),
    );
    assert!(partial.events.is_empty());
    assert!(partial.state.tasks.contains_key(&2), "kept for the next complete poll");
    let d = poll(&partial.state, T0 + 60, &one);
    assert_eq!(kinds(&d), [EventKind::TaskVanished]);
}

#[test]
fn polls_failing_and_recovering_are_events_once_per_run() {
    let s0 = poll(&InstanceState::default(), T0, &[]).state;
    let (s1, e1) = failed(&s0, T0 + 30, "Throttling.User");
    let e1 = e1.expect("the first failure is an event");
    assert_eq!((e1.event.kind, e1.event.text.as_deref()), (EventKind::PollFailing, Some("Throttling.User")));
    assert_eq!(e1.event.observed_after, Some(T0));
    let (s2, e2) = failed(&s1, T0 + 90, "Throttling.User");
    assert!(e2.is_none());
    let r = recovered(&s2, T0 + 210).expect("recovery is an event");
    assert_eq!(r.event.kind, EventKind::PollRecovered);
    assert_eq!((r.event.observed_after, r.event.observed_at), (Some(T0 + 90), T0 + 210));
    assert_eq!(poll(&s2, T0 + 210, &[]).state.failing_since, None);
    assert!(recovered(&s0, T0 + 30).is_none());
}

#[test]
fn the_state_round_trips_through_json() {
    let d = poll(&InstanceState::default(), T0, &[task(1, "increment", "disconnect", T0 - 5, "x\n", 1, 1)]);
    let text = serde_json::to_string(&d.state).unwrap();
    assert_eq!(serde_json::from_str::<InstanceState>(&text).unwrap(), d.state);
}

/// A task whose every readiness condition holds at `at` (increment, streaming, no lag, a fresh
/// message), or, with `lag`, not.
fn ready_task(id: u64, at: i64, lsn: u64, lag: u64) -> MigrationTask {
    let fresh = DateTime::from_timestamp(at - 2, 0).unwrap().format("%Y-%m-%d %H:%M:%S%.6f+00").to_string();
    let info = json!({
        "Status": "streaming",
        "ReceivedLsn": migration_model::Lsn(lsn + lag).to_pg_string(),
        "LatestEndLsn": migration_model::Lsn(lsn + lag).to_pg_string(),
        "ReplayLsn": migration_model::Lsn(lsn).to_pg_string(),
        "ReplayLag": "0",
        "LastMsgSendTime": fresh,
        "LastMsgReceiptTime": fresh,
    });
    serde_json::from_value(json!({
        "TaskId": id,
        "TaskName": format!("task-{id}"),
        "MigrateStage": "increment",
        "ReplicationState": "streaming",
        "GmtCreated": iso(T0 - 86_400),
        "GmtModified": iso(T0 - 86_400),
        "ReplicationInfo": info.to_string(),
    }))
    .unwrap()
}

#[test]
fn readiness_turns_ready_only_once_it_has_held_and_not_ready_at_once() {
    let mut state = poll(&InstanceState::default(), T0, &[ready_task(1, T0, 1_000, 500)]).state;
    assert_eq!(state.tasks[&1].ready, Some(false));
    // A lag that touches zero on every other poll never makes the task ready: no flapping.
    let mut events = Vec::new();
    for k in 1..=10 {
        let at = T0 + k * 30;
        let d = poll(&state, at, &[ready_task(1, at, 1_000 + k as u64, if k % 2 == 1 { 0 } else { 7 })]);
        events.extend(d.events.into_iter().filter(|e| e.event.kind == EventKind::ReadinessChanged));
        state = d.state;
    }
    assert!(events.is_empty(), "{events:?}");
    // Every condition holding: ready at the poll READY_HOLD_SECS after the run began.
    let mut flips = Vec::new();
    for k in 11..=16 {
        let at = T0 + k * 30;
        let d = poll(&state, at, &[ready_task(1, at, 2_000, 0)]);
        flips.extend(
            d.events.into_iter().filter(|e| e.event.kind == EventKind::ReadinessChanged).map(|e| (at, e)),
        );
        state = d.state;
    }
    assert_eq!(flips.len(), 1, "{flips:?}");
    assert_eq!(flips[0].0, T0 + 11 * 30 + READY_HOLD_SECS);
    assert_eq!(flips[0].1.event.to.as_deref(), Some("true"));
    // One failing answer: not ready at once, saying what is missing.
    let at = T0 + 17 * 30;
    let d = poll(&state, at, &[ready_task(1, at, 2_000, 64)]);
    let e = d.events.iter().find(|e| e.event.kind == EventKind::ReadinessChanged).unwrap();
    assert_eq!((e.event.from.as_deref(), e.event.to.as_deref()), (Some("true"), Some("false")));
    assert!(e.event.text.is_some());
}

#[test]
fn a_readiness_flip_has_one_name_whichever_replica_polled_it_and_when() {
    // Two leaders for a moment, with the same memory, polling the same answers a second apart.
    let mut state = poll(&InstanceState::default(), T0, &[ready_task(1, T0, 1_000, 0)]).state;
    state.tasks.get_mut(&1).unwrap().ready = Some(false);
    state.tasks.get_mut(&1).unwrap().ready_since = None;
    let answer = |at: i64| ready_task(1, T0, 1_000, if at > T0 + 200 { 9 } else { 0 });
    let (mut a, mut b) = (state.clone(), state.clone());
    let (mut names_a, mut names_b) = (Vec::new(), Vec::new());
    for k in 1..=8 {
        let at = T0 + k * 30;
        for (st, names, t) in [(&mut a, &mut names_a, at), (&mut b, &mut names_b, at + 1)] {
            // The answer as of the poll (the message ages, the data does not change).
            let d = diff(
                st,
                t,
                &Observed { tasks: &[answer(at)], complete: true, prechecks: None },
                &HealthThresholds { stale_after_secs: 3_600, ..HealthThresholds::default() },
            );
            names.extend(
                d.events
                    .iter()
                    .filter(|e| e.event.kind == EventKind::ReadinessChanged)
                    .map(|e| e.dedup.clone()),
            );
            *st = d.state;
        }
    }
    assert_eq!(names_a.len(), 2, "ready, then not: {names_a:?}");
    assert_eq!(names_a, names_b, "the store's key makes the second replica's copies no-ops");
}
