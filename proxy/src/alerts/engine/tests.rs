use super::*;
use crate::alerts::config::{Rule, RuleKind};
use migration_model::seed::seed_example_task;

const T0: i64 = 1_700_000_000;

/// A task at `stage`/`state` with `lag` bytes not yet replayed and its last message at `msg_at`.
pub(crate) fn task(id: u64, stage: &str, state: &str, lag: u64, msg_at: i64) -> MigrationTask {
    let mut t = seed_example_task();
    t.task_id = Some(id);
    t.task_name = Some(format!("task-{id}"));
    t.migrate_stage = Some(MigrateStage::from(stage));
    t.replication_state = Some(ReplicationState::from(state));
    let base: u64 = 0x3000148;
    let recv = base + lag;
    let lsn = |v: u64| format!("{:X}/{:X}", v >> 32, v & 0xffff_ffff);
    let at = DateTime::<Utc>::from_timestamp(msg_at, 0)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S%.6f+08")
        .to_string();
    let info = serde_json::json!({
        "Status": "streaming", "ReceivedLsn": lsn(recv), "LatestEndLsn": lsn(recv),
        "ReplayLsn": lsn(base), "LastMsgReceiptTime": at, "LastMsgSendTime": at, "ReplayLag": "0"
    });
    t.replication_info = Some(info.to_string());
    t
}

fn rule(kind: RuleKind) -> Rule {
    Rule::default_of(kind, vec!["hook".into()])
}

/// Runs one poll of the given tasks through `rules`, returning the events as "kind:event:task".
fn step(rules: &[Rule], state: &mut InstanceState, tasks: &[MigrationTask], now: i64) -> Vec<String> {
    let inputs: Vec<TaskInput<'_>> = tasks.iter().map(TaskInput::of).collect();
    run(rules, state, &PollOutcome::Tasks(inputs), now)
}

fn run(rules: &[Rule], state: &mut InstanceState, poll: &PollOutcome<'_>, now: i64) -> Vec<String> {
    let refs: Vec<&Rule> = rules.iter().collect();
    let mut e = evaluate(&refs, poll, state, now);
    // The store gives fired episodes their ids.
    for (i, ep) in e.state.open.values_mut().enumerate() {
        if ep.id == 0 {
            ep.id = 100 + i as i64;
        }
    }
    *state = e.state;
    e.transitions
        .iter()
        .map(|t| {
            let (name, task) = match t {
                Transition::Fire { rule, task_id, .. } => (rule.clone(), *task_id),
                Transition::Repeat { rule, fingerprint, .. } => (rule.clone(), task_of(fingerprint)),
                Transition::Resolve { episode, .. } => (episode.rule.clone(), episode.task_id),
            };
            format!("{name}:{}:{}", t.event(), task.map_or("-".into(), |t| t.to_string()))
        })
        .collect()
}

fn task_of(fp: &str) -> Option<u64> {
    fp.rsplit('|').next().and_then(|t| t.parse().ok())
}

#[test]
fn disconnected_fires_after_its_for_once_and_resolves_once() {
    let rules = [rule(RuleKind::Disconnected)];
    let mut s = InstanceState::default();
    let up = task(1, "increment", "streaming", 0, T0);
    let down = |now| task(1, "increment", "disconnect", 0, now);
    assert!(step(&rules, &mut s, std::slice::from_ref(&up), T0).is_empty());
    assert!(step(&rules, &mut s, &[down(T0)], T0 + 30).is_empty(), "pending, under 60 s");
    assert!(step(&rules, &mut s, &[down(T0)], T0 + 60).is_empty(), "30 s held");
    assert_eq!(step(&rules, &mut s, &[down(T0)], T0 + 90), ["disconnected:firing:1"]);
    assert!(step(&rules, &mut s, &[down(T0)], T0 + 120).is_empty(), "nothing twice");
    assert_eq!(s.open.values().next().unwrap().started_at, T0 + 30);
    assert_eq!(step(&rules, &mut s, std::slice::from_ref(&up), T0 + 150), ["disconnected:resolved:1"]);
    assert!(step(&rules, &mut s, &[up], T0 + 180).is_empty());
    assert!(s.open.is_empty() && s.pending.is_empty());
}

#[test]
fn a_blip_shorter_than_for_never_fires() {
    let rules = [rule(RuleKind::Disconnected)];
    let mut s = InstanceState::default();
    assert!(step(&rules, &mut s, &[task(1, "increment", "disconnect", 0, T0)], T0).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0)], T0 + 30).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "disconnect", 0, T0)], T0 + 60).is_empty());
    assert!(s.pending.values().all(|since| *since == T0 + 60), "the clock restarts: {s:?}");
}

#[test]
fn a_firing_episode_repeats_after_its_interval_and_not_before() {
    let mut r = rule(RuleKind::Disconnected);
    r.repeat_secs = 3600;
    let rules = [r];
    let mut s = InstanceState::default();
    let down = task(1, "increment", "disconnect", 0, T0);
    step(&rules, &mut s, std::slice::from_ref(&down), T0);
    assert_eq!(step(&rules, &mut s, std::slice::from_ref(&down), T0 + 60), ["disconnected:firing:1"]);
    assert!(step(&rules, &mut s, std::slice::from_ref(&down), T0 + 3600).is_empty());
    assert_eq!(step(&rules, &mut s, std::slice::from_ref(&down), T0 + 3660), ["disconnected:repeat:1"]);
    assert!(step(&rules, &mut s, std::slice::from_ref(&down), T0 + 3690).is_empty());
    assert_eq!(step(&rules, &mut s, &[down], T0 + 7260), ["disconnected:repeat:1"]);
    assert_eq!(s.open.values().next().unwrap().notifications, 3);
}

#[test]
fn stream_stale_needs_catchup_or_streaming_and_an_old_last_message() {
    let rules = [rule(RuleKind::StreamStale)];
    let mut s = InstanceState::default();
    assert!(step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0 - 119)], T0).is_empty());
    assert_eq!(
        step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0 - 119)], T0 + 1),
        ["stream_stale:firing:1"]
    );
    assert_eq!(
        step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0 + 30)], T0 + 31),
        ["stream_stale:resolved:1"]
    );
    // A disconnected task's old message is the disconnected rule's business.
    assert!(step(&rules, &mut s, &[task(1, "increment", "disconnect", 0, T0 - 500)], T0 + 60).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "catchup", 0, T0 - 500)], T0 + 90)
        .contains(&"stream_stale:firing:1".to_string()));
}

#[test]
fn lag_high_holds_over_its_threshold_for_its_duration() {
    let mut r = rule(RuleKind::LagHigh);
    r.threshold_bytes = Some(1000);
    r.for_secs = 120;
    let rules = [r];
    let mut s = InstanceState::default();
    assert!(step(&rules, &mut s, &[task(1, "increment", "catchup", 1000, T0)], T0).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "catchup", 1001, T0)], T0 + 30).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "catchup", 5000, T0)], T0 + 120).is_empty());
    assert_eq!(
        step(&rules, &mut s, &[task(1, "increment", "catchup", 5000, T0)], T0 + 150),
        ["lag_high:firing:1"]
    );
    let refs: Vec<&Rule> = rules.iter().collect();
    let t = task(1, "increment", "catchup", 0, T0);
    let e = evaluate(&refs, &PollOutcome::Tasks(vec![TaskInput::of(&t)]), &s, T0 + 180);
    match &e.transitions[..] {
        [Transition::Resolve { figures, notify: true, .. }] => assert_eq!(figures.held_secs, Some(150)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn lag_growing_follows_the_catch_up_rate() {
    let mut r = rule(RuleKind::LagGrowing);
    r.for_secs = 60;
    let rules = [r];
    let refs: Vec<&Rule> = rules.iter().collect();
    let growing: Vec<(i64, i64)> = (0..10).map(|i| (T0 + i * 30, 1_000_000 + i * 5_000_000)).collect();
    let t = task(1, "increment", "catchup", 50_000_000, T0);
    let mut s = InstanceState::default();
    for (i, now) in [T0 + 300, T0 + 330, T0 + 360].into_iter().enumerate() {
        let e = evaluate(
            &refs,
            &PollOutcome::Tasks(vec![TaskInput { lag_samples: &growing, ..TaskInput::of(&t) }]),
            &s,
            now,
        );
        s = e.state;
        assert_eq!(e.transitions.len(), usize::from(i == 2), "{:?}", e.transitions);
        if let Some(Transition::Fire { figures, .. }) = e.transitions.first() {
            assert!(figures.growth_bytes_per_sec.unwrap() > 100_000.0, "{figures:?}");
        }
    }
    let shrinking: Vec<(i64, i64)> =
        (0..10).map(|i| (T0 + 400 + i * 30, 50_000_000 - i * 5_000_000)).collect();
    let t = task(1, "increment", "catchup", 1_000, T0);
    let e = evaluate(
        &refs,
        &PollOutcome::Tasks(vec![TaskInput { lag_samples: &shrinking, ..TaskInput::of(&t) }]),
        &s,
        T0 + 700,
    );
    assert!(matches!(e.transitions[..], [Transition::Resolve { .. }]), "{:?}", e.transitions);
}

#[test]
fn the_precheck_kinds_read_the_detail_log() {
    let rules = [rule(RuleKind::PrecheckFailed), rule(RuleKind::PrecheckWarning)];
    let mut s = InstanceState::default();
    // The seed's log has a glibc warning.
    let mut warned = task(1, "increment", "streaming", 0, T0);
    assert_eq!(step(&rules, &mut s, &[warned.clone()], T0), ["precheck_warning:firing:1"]);
    warned.detail = Some(
        "[Check rds empty]\nCheck rds databases: error:postgres not empty, check if any table exists\n"
            .into(),
    );
    warned.migrate_stage = Some(MigrateStage::Precheck);
    let got = step(&rules, &mut s, &[warned], T0 + 30);
    assert_eq!(got, ["precheck_failed:firing:1", "precheck_warning:resolved:1"]);
    let fired = s.open.values().find(|e| e.rule == "precheck_failed").unwrap();
    assert_eq!(fired.started_at, T0 + 30);
}

#[test]
fn switch_ready_fires_once_the_verdict_has_held_for_ten_minutes() {
    let rules = [rule(RuleKind::SwitchReady)];
    let mut s = InstanceState::default();
    for i in 0..=20 {
        let now = T0 + i * 30;
        let got = step(&rules, &mut s, &[task(1, "increment", "streaming", 0, now - 1)], now);
        assert_eq!(got.len(), usize::from(i == 20), "at {i}: {got:?}");
    }
    assert!(step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0 + 629)], T0 + 630).is_empty());
    assert_eq!(
        step(&rules, &mut s, &[task(1, "switch", "streaming", 0, T0 + 659)], T0 + 660),
        ["switch_ready:resolved:1"]
    );
}

#[test]
fn stage_changes_and_success_are_told_once_and_never_on_first_sight() {
    let rules = [rule(RuleKind::StageChanged), rule(RuleKind::MigrationSucceeded)];
    let mut s = InstanceState::default();
    assert!(step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0)], T0).is_empty());
    assert!(step(&rules, &mut s, &[task(1, "increment", "streaming", 0, T0)], T0 + 30).is_empty());
    assert_eq!(
        step(&rules, &mut s, &[task(1, "switch", "streaming", 0, T0)], T0 + 60),
        ["stage_changed:firing:1"]
    );
    assert_eq!(
        step(&rules, &mut s, &[task(1, "success", "finish", 0, T0)], T0 + 90),
        ["stage_changed:firing:1", "migration_succeeded:firing:1"]
    );
    assert!(step(&rules, &mut s, &[task(1, "success", "finish", 0, T0)], T0 + 120).is_empty());
    assert!(s.open.is_empty(), "one-shot episodes do not stay open");
    // A task first seen already succeeded says nothing.
    assert!(step(&rules, &mut s, &[task(2, "success", "finish", 0, T0)], T0 + 150).is_empty());
}

#[test]
fn watch_failing_fires_after_five_minutes_of_failed_polls_and_keeps_task_episodes() {
    let rules = [rule(RuleKind::WatchFailing), rule(RuleKind::Disconnected)];
    let mut s = InstanceState::default();
    let down = task(1, "increment", "disconnect", 0, T0);
    step(&rules, &mut s, std::slice::from_ref(&down), T0);
    assert_eq!(step(&rules, &mut s, std::slice::from_ref(&down), T0 + 60), ["disconnected:firing:1"]);
    let failed = PollOutcome::Failed { error: "upstream timeout".into() };
    // Failing since T0 + 90: five minutes later, at T0 + 390 (the 11th failed poll), it fires.
    for i in 1..=11 {
        let got = run(&rules, &mut s, &failed, T0 + 60 + i * 30);
        assert_eq!(got.len(), usize::from(i == 11), "{i}: {got:?}");
        if i == 11 {
            assert_eq!(got, ["watch_failing:firing:-"]);
        }
    }
    assert_eq!(s.open.len(), 2, "a failed poll resolves nothing");
    assert_eq!(step(&rules, &mut s, &[down], T0 + 400), ["watch_failing:resolved:-"]);
}

#[test]
fn a_vanished_task_resolves_and_a_removed_rule_ends_silently() {
    let rules = [rule(RuleKind::Disconnected)];
    let mut s = InstanceState::default();
    let down = |id| task(id, "increment", "disconnect", 0, T0);
    step(&rules, &mut s, &[down(1), down(2)], T0);
    assert_eq!(
        step(&rules, &mut s, &[down(1), down(2)], T0 + 60),
        ["disconnected:firing:1", "disconnected:firing:2"]
    );
    assert_eq!(step(&rules, &mut s, &[down(2)], T0 + 90), ["disconnected:resolved:1"]);
    let refs: Vec<&Rule> = Vec::new();
    let t = down(2);
    let e = evaluate(&refs, &PollOutcome::Tasks(vec![TaskInput::of(&t)]), &s, T0 + 120);
    assert!(matches!(&e.transitions[..], [Transition::Resolve { notify: false, .. }]), "{:?}", e.transitions);
    assert!(e.state.open.is_empty());
}

#[test]
fn the_state_survives_a_round_trip_through_json() {
    let rules = [rule(RuleKind::Disconnected), rule(RuleKind::StageChanged)];
    let mut s = InstanceState::default();
    step(&rules, &mut s, &[task(1, "increment", "disconnect", 0, T0)], T0);
    step(&rules, &mut s, &[task(1, "increment", "disconnect", 0, T0)], T0 + 60);
    let back: InstanceState = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

mod cached {
    use super::*;
    use proptest::prelude::*;

    const STAGES: [&str; 4] = ["precheck", "full", "increment", "success"];
    const STATES: [&str; 3] = ["streaming", "catchup", "disconnect"];

    /// One task of a generated poll: id, stage, state, lag, message age, which Detail.
    type Gen = (u64, usize, usize, u64, i64, u8);

    fn make((id, stage, state, lag, age, detail): Gen, now: i64) -> MigrationTask {
        let mut t = task(id, STAGES[stage], STATES[state], lag, now - age);
        match detail {
            0 => {} // the seed's log: a warning
            1 => {
                t.detail = Some(
                    "[Check rds empty]\nCheck rds databases: error:postgres not empty, check if any table exists\n"
                        .into(),
                )
            }
            2 => t.detail = None,
            _ => t.detail = Some(String::new()),
        }
        t
    }

    fn all_rules() -> Vec<Rule> {
        RuleKind::ALL.iter().map(|k| rule(*k)).collect()
    }

    fn poll_gen() -> impl Strategy<Value = Option<Vec<Gen>>> {
        let one = (1u64..5, 0usize..4, 0usize..3, 0u64..3_000_000_000, 0i64..400, 0u8..4);
        prop_oneof![1 => Just(None), 6 => prop::collection::vec(one, 0..5).prop_map(Some)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The cache kept across polls gives the same episodes and state as parsing afresh.
        #[test]
        fn the_cached_path_gives_the_same_episodes(polls in prop::collection::vec(poll_gen(), 1..25)) {
            let rules = all_rules();
            let refs: Vec<&Rule> = rules.iter().collect();
            let (mut plain, mut cached) = (InstanceState::default(), InstanceState::default());
            let mut cache = EvalCache::default();
            for (k, p) in polls.iter().enumerate() {
                let now = T0 + 30 * k as i64;
                let tasks: Vec<MigrationTask> =
                    p.iter().flatten().map(|g| make(*g, now)).collect();
                let outcome = match p {
                    None => PollOutcome::Failed { error: "boom".into() },
                    Some(_) => PollOutcome::Tasks(
                        tasks.iter().map(TaskInput::of).collect(),
                    ),
                };
                let a = evaluate(&refs, &outcome, &plain, now);
                let b = evaluate_cached(&refs, &outcome, &cached, now, &mut cache);
                prop_assert_eq!(&a.transitions, &b.transitions);
                prop_assert_eq!(&a.state, &b.state);
                plain = a.state;
                cached = b.state;
                prop_assert!(cache.len() <= 4);
            }
        }
    }

    proptest! {
        /// `lag_growing` skips the fit for a lag that never rose: the fit never calls such a
        /// series growing, whatever its times (repeated ones included) and values.
        #[test]
        fn a_lag_that_never_rose_is_never_fitted_as_growing(
            mut pts in prop::collection::vec((0i64..2_000, 0i64..5_000_000_000), 0..40),
            window in 60i64..3_000,
        ) {
            pts.sort_by_key(|p| p.0);
            let mut lowest = i64::MAX;
            for p in pts.iter_mut() {
                lowest = lowest.min(p.1);
                p.1 = lowest;
            }
            let verdict = catch_up(&pts, window);
            prop_assert!(!matches!(verdict, CatchUp::Growing { .. }), "{:?}", verdict);
        }

        /// The parse the watcher hands in gives the same episodes as the engine's own.
        #[test]
        fn a_parse_handed_in_gives_the_same_episodes(polls in prop::collection::vec(poll_gen(), 1..25)) {
            let rules = all_rules();
            let refs: Vec<&Rule> = rules.iter().collect();
            let (mut own, mut given) = (InstanceState::default(), InstanceState::default());
            let mut cache = EvalCache::default();
            for (k, p) in polls.iter().enumerate() {
                let now = T0 + 30 * k as i64;
                let tasks: Vec<MigrationTask> = p.iter().flatten().map(|g| make(*g, now)).collect();
                let parsed: Vec<Option<ReplicationInfo>> = tasks.iter().map(|t| t.replication().ok()).collect();
                let (a_in, b_in) = match p {
                    None => (PollOutcome::Failed { error: "boom".into() }, PollOutcome::Failed { error: "boom".into() }),
                    Some(_) => (
                        PollOutcome::Tasks(tasks.iter().map(TaskInput::of).collect()),
                        PollOutcome::Tasks(
                            tasks.iter().zip(&parsed).map(|(t, r)| TaskInput { replication: Some(r), ..TaskInput::of(t) }).collect(),
                        ),
                    ),
                };
                let a = evaluate(&refs, &a_in, &own, now);
                let b = evaluate_cached(&refs, &b_in, &given, now, &mut cache);
                prop_assert_eq!(&a.transitions, &b.transitions);
                prop_assert_eq!(&a.state, &b.state);
                own = a.state;
                given = b.state;
            }
        }
    }

    #[test]
    fn an_unchanged_task_is_not_parsed_again_and_a_vanished_one_is_forgotten() {
        let rules = all_rules();
        let refs: Vec<&Rule> = rules.iter().collect();
        let mut cache = EvalCache::default();
        let t = task(1, "increment", "streaming", 0, T0);
        let poll = PollOutcome::Tasks(vec![TaskInput::of(&t)]);
        let first = evaluate_cached(&refs, &poll, &InstanceState::default(), T0, &mut cache);
        assert_eq!((cache.misses, cache.hits), (2, 0), "ReplicationInfo and Detail parsed once");
        evaluate_cached(&refs, &poll, &first.state, T0 + 30, &mut cache);
        assert_eq!((cache.misses, cache.hits), (2, 2), "both from the cache");
        let mut changed = t.clone();
        changed.detail = Some(String::new());
        let poll = PollOutcome::Tasks(vec![TaskInput::of(&changed)]);
        let e = evaluate_cached(&refs, &poll, &first.state, T0 + 60, &mut cache);
        assert_eq!((cache.misses, cache.hits), (3, 3), "a changed Detail is parsed again");
        assert!(e
            .transitions
            .iter()
            .any(|t| matches!(t, Transition::Resolve { episode, .. } if episode.rule == "precheck_warning")));
        evaluate_cached(&refs, &PollOutcome::Tasks(vec![]), &e.state, T0 + 90, &mut cache);
        assert!(cache.is_empty(), "a task no longer listed is dropped");
    }
}
