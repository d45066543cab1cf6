use super::*;
use migration_model::{parse_detail, PrecheckVerdict, ReplicationInfo};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T00:00:00Z").unwrap().with_timezone(&Utc)
}

fn world() -> (World, DateTime<Utc>) {
    (World::demo(7, start(), 1.0), start())
}

fn all_tasks(w: &World, now: DateTime<Utc>) -> Vec<Value> {
    w.instances().iter().flat_map(|i| w.tasks_of(&i.id, now)).collect()
}

fn find(tasks: &[Value], id: u64) -> Option<&Value> {
    tasks.iter().find(|t| t["TaskId"] == id)
}

fn utc(v: &Value) -> DateTime<Utc> {
    migration_model::time::parse_utc(v.as_str().unwrap()).unwrap()
}

#[test]
fn the_seed_task_is_first_on_the_demo_instance_exactly_as_the_seed_shows_it() {
    let (w, now) = world();
    for now in [now, now + Duration::days(3)] {
        let tasks = w.tasks_of(DEMO_INSTANCE, now);
        assert!(tasks.len() > 30, "more than one page: {}", tasks.len());
        let mut want = migration_model::seed::seed_example_decoded()["Items"][0].clone();
        want["TargetInstanceName"] = json!(DEMO_INSTANCE);
        assert_eq!(tasks[0], want, "frozen, first");
        assert_eq!(tasks[0]["SourcePassword"], "123456");
    }
}

#[test]
fn the_world_is_deterministic_and_covers_every_stage_and_state_from_the_start() {
    for seed in [1, 2, 7, 12345] {
        let now = start();
        let w = World::demo(seed, now, 1.0);
        let w2 = World::demo(seed, now, 1.0);
        assert_eq!(all_tasks(&w, now), all_tasks(&w2, now));
        // The demo instance alone shows every stage and state.
        let tasks = w.tasks_of(DEMO_INSTANCE, now);
        for stage in ["precheck", "basebackup", "startup", "increment", "switch", "success"] {
            assert!(
                tasks.iter().skip(1).any(|t| t["MigrateStage"] == stage),
                "seed {seed}: no task in {stage}"
            );
        }
        for state in ["unstarted", "catchup", "streaming", "disconnect", "finish"] {
            assert!(
                tasks.iter().skip(1).any(|t| t["ReplicationState"] == state),
                "seed {seed}: no task {state}"
            );
        }
        assert!(all_tasks(&w, now).len() >= 40, "tens of tasks");
        let regions: std::collections::HashSet<_> = w.instances().iter().map(|i| i.region).collect();
        assert!(regions.len() >= 3 && w.instances().len() >= 6);
    }
    assert_ne!(
        all_tasks(&World::demo(1, start(), 1.0), start()),
        all_tasks(&World::demo(2, start(), 1.0), start())
    );
}

#[test]
fn task_ids_are_unique_and_precheck_reports_have_their_own() {
    let (w, now) = world();
    let later = now + Duration::hours(5);
    let mut seen = std::collections::HashSet::new();
    for inst in w.instances() {
        for t in w.tasks_of(&inst.id, later).iter().chain(w.prechecks_of(&inst.id, later).iter()) {
            assert!(seen.insert(t["TaskId"].as_u64().unwrap()), "duplicate id {}", t["TaskId"]);
        }
    }
}

#[test]
fn no_timestamp_is_ever_in_the_future_and_gmt_times_are_consistent() {
    for (speed, minutes) in [(1.0, 0i64), (1.0, 7), (30.0, 60), (1000.0, 1), (1000.0, 600)] {
        let w = World::demo(3, start(), speed);
        {
            let now = start() + Duration::minutes(minutes);
            let now_s = now.format("%Y-%m-%d %H:%M:%S").to_string();
            // The first 60 of each instance (a long run at high speed starts thousands).
            let tasks: Vec<Value> = w
                .instances()
                .iter()
                .flat_map(|i| w.list_tasks(&i.id, now, &TaskFilter::default(), 1, 60).items)
                .collect();
            for t in tasks.iter().filter(|t| t["TaskId"] != SEED_TASK_ID) {
                let created = utc(&t["GmtCreated"]);
                let modified = utc(&t["GmtModified"]);
                assert!(created <= modified && modified <= now, "{t}");
                match t["MigrateStage"].as_str().unwrap() {
                    "switch" | "success" => {
                        let switch = utc(&t["SwitchTime"]);
                        assert!(switch >= modified.min(now) - Duration::days(365) && switch <= now, "{t}");
                    }
                    _ => assert!(t.get("SwitchTime").is_none(), "{t}"),
                }
                let log = parse_detail(t["Detail"].as_str().unwrap());
                for e in log.events() {
                    let at = e.time.at.with_timezone(&Utc);
                    assert!(at <= now, "event {at} after {now_s}: {t}");
                    assert!(at >= created - Duration::seconds(1), "event before the task: {t}");
                }
                if let Ok(info) = ReplicationInfo::parse(t["ReplicationInfo"].as_str().unwrap()) {
                    assert!(info.last_msg_receipt_time.unwrap().with_timezone(&Utc) <= now, "{t}");
                }
            }
        }
    }
}

#[test]
fn tasks_move_faster_with_speed_but_timestamps_stay_wall_clock() {
    let slow = World::demo(5, start(), 1.0);
    let fast = World::demo(5, start(), 60.0);
    let stages = |w: &World, now| -> Vec<(u64, String)> {
        w.tasks_of(DEMO_INSTANCE, now)
            .iter()
            .map(|t| (t["TaskId"].as_u64().unwrap(), t["MigrateStage"].as_str().unwrap().to_string()))
            .collect()
    };
    let at_start = stages(&slow, start());
    assert_eq!(at_start, stages(&fast, start()), "same stages at the start, whatever the speed");
    let later = start() + Duration::minutes(10);
    let moved = |w: &World| {
        stages(w, later).iter().filter(|(id, s)| at_start.iter().any(|(i, s0)| i == id && s0 != s)).count()
    };
    assert!(
        moved(&fast) > moved(&slow),
        "speed 60 moves more tasks in 10 minutes: {} vs {}",
        moved(&fast),
        moved(&slow)
    );
    // New tasks appear with speed too (one per 15 simulated minutes): 40 in 10 wall minutes.
    let appeared = fast.tasks_of(DEMO_INSTANCE, later).len() - slow.tasks_of(DEMO_INSTANCE, later).len();
    assert!((30..=40).contains(&appeared), "{appeared}");
}

#[test]
fn new_tasks_appear_by_themselves_and_run_through_their_story() {
    let (w, start) = world();
    let before = w.tasks_of(DEMO_INSTANCE, start);
    let later = start + Duration::hours(2);
    let after = w.tasks_of(DEMO_INSTANCE, later);
    assert!(after.len() > before.len(), "new tasks appear");
    // The newest appear right after the seed example, and their precheck reports too.
    let newest = &after[1];
    assert!(find(&before, newest["TaskId"].as_u64().unwrap()).is_none());
    let reports = w.prechecks_of(DEMO_INSTANCE, later);
    assert!(
        find(&reports, newest["TaskId"].as_u64().unwrap() - 1).is_some(),
        "the new task's precheck report"
    );
    let changed = before
        .iter()
        .filter(|b| {
            after.iter().any(|a| a["TaskId"] == b["TaskId"] && a["MigrateStage"] != b["MigrateStage"])
        })
        .count();
    assert!(changed > 0, "some task changed stage in two hours");
    // A fake clock may go back: tasks not yet born disappear again.
    assert_eq!(w.tasks_of(DEMO_INSTANCE, start).len(), before.len());
}

/// Follows one task through time, checking the replication figures on each step.
fn follow(
    w: &World,
    id: u64,
    from: DateTime<Utc>,
    step: Duration,
    steps: usize,
) -> Vec<(Value, Option<ReplicationInfo>)> {
    (0..steps)
        .map(|i| {
            let now = from + step * i as i32;
            let t = find(&w.tasks_of(DEMO_INSTANCE, now), id).unwrap().clone();
            let info = ReplicationInfo::parse(t["ReplicationInfo"].as_str().unwrap()).ok();
            (t, info)
        })
        .collect()
}

fn task_in(w: &World, stage: &str, state: &str) -> u64 {
    w.tasks_of(DEMO_INSTANCE, start())
        .iter()
        .skip(1)
        .find(|t| t["MigrateStage"] == stage && t["ReplicationState"] == state)
        .unwrap_or_else(|| panic!("a task in {stage}/{state}"))["TaskId"]
        .as_u64()
        .unwrap()
}

#[test]
fn lsns_advance_and_the_lag_grows_and_recovers() {
    let (w, start) = world();
    let id = task_in(&w, "increment", "streaming");
    let trail = follow(&w, id, start, Duration::seconds(10), 60);
    let mut last = 0u64;
    let (mut lagged, mut recovered) = (false, false);
    for (t, info) in &trail {
        assert_eq!(t["ReplicationState"], "streaming");
        let info = info.as_ref().expect("ReplicationInfo parses");
        let received = info.received_lsn.unwrap().0;
        assert!(received >= last, "received LSN never goes back");
        assert!(info.replay_lsn.unwrap().0 <= received);
        last = received;
        match info.lag_not_yet_replayed().unwrap() {
            0 if lagged => recovered = true,
            0 => {}
            _ => lagged = true,
        }
        assert_eq!(info.lag_behind_source_report(), info.lag_not_yet_replayed());
    }
    assert!(
        trail.last().unwrap().1.as_ref().unwrap().received_lsn > trail[0].1.as_ref().unwrap().received_lsn
    );
    assert!(lagged && recovered, "the lag grows and recovers");
}

#[test]
fn a_disconnect_episode_freezes_replication_then_catches_up() {
    let (w, start) = world();
    let id = task_in(&w, "increment", "disconnect");
    let trail = follow(&w, id, start, Duration::seconds(30), 40);
    let states: Vec<&str> = trail.iter().map(|(t, _)| t["ReplicationState"].as_str().unwrap()).collect();
    let first_catchup = states.iter().position(|s| *s == "catchup").expect("reconnects");
    let first_streaming = states.iter().position(|s| *s == "streaming").expect("streams again");
    assert!(
        states[..first_catchup].iter().all(|s| *s == "disconnect") && first_catchup < first_streaming,
        "{states:?}"
    );
    let frozen: Vec<u64> =
        trail[..first_catchup].iter().map(|(_, i)| i.as_ref().unwrap().received_lsn.unwrap().0).collect();
    assert!(frozen.windows(2).all(|w| w[0] == w[1]), "nothing arrives while disconnected");
    let (t0, i0) = &trail[0];
    assert_eq!(i0.as_ref().unwrap().status.as_deref(), Some("waiting"));
    assert!(t0["Detail"].as_str().unwrap().contains("Replication connection to source lost"));
    let (t1, i1) = &trail[first_streaming];
    assert!(i1.as_ref().unwrap().received_lsn.unwrap().0 > frozen[0]);
    assert!(t1["Detail"].as_str().unwrap().contains("Replication connection to source restored"));
    assert!(utc(&t1["GmtModified"]) > utc(&t0["GmtModified"]), "GmtModified follows state changes");
}

#[test]
fn the_base_backup_reports_its_progress() {
    let (w, start) = world();
    let id = task_in(&w, "basebackup", "unstarted");
    let trail = follow(&w, id, start, Duration::minutes(2), 60);
    let progress = |t: &Value| -> u64 {
        let d = t["Detail"].as_str().unwrap();
        d.lines()
            .filter_map(|l| l.split("Full backup progress: ").nth(1))
            .filter_map(|r| r.split('%').next()?.parse().ok())
            .max()
            .unwrap_or(0)
    };
    let first = progress(&trail[0].0);
    assert!(first < 100, "{first}");
    let during: Vec<&Value> =
        trail.iter().map(|(t, _)| t).filter(|t| t["MigrateStage"] == "basebackup").collect();
    assert!(during.windows(2).all(|p| progress(p[0]) <= progress(p[1])));
    assert!(progress(during.last().unwrap()) > first, "progress advances");
    let done = trail
        .iter()
        .map(|(t, _)| t)
        .find(|t| t["MigrateStage"] != "basebackup")
        .expect("the backup finishes");
    assert!(done["Detail"].as_str().unwrap().contains("Full backup finished"));
    let log = parse_detail(done["Detail"].as_str().unwrap());
    assert!(log.unparsed.is_empty(), "every generated line parses: {:?}", log.unparsed);
}

#[test]
fn a_finished_switch_has_switch_time_and_finish() {
    let (w, now) = world();
    let id = task_in(&w, "success", "finish");
    let t = find(&w.tasks_of(DEMO_INSTANCE, now), id).unwrap().clone();
    let switch = utc(&t["SwitchTime"]);
    assert!(switch < utc(&t["GmtModified"]), "switched, then finished");
    let info = ReplicationInfo::parse(t["ReplicationInfo"].as_str().unwrap()).unwrap();
    assert_eq!(info.lag_not_yet_replayed(), Some(0));
    // The switch stage, like the seed: SwitchTime a minute after the switch began.
    let id = task_in(&w, "switch", "streaming");
    let t = find(&w.tasks_of(DEMO_INSTANCE, now), id).unwrap().clone();
    assert_eq!(utc(&t["SwitchTime"]) - utc(&t["GmtModified"]), Duration::seconds(60));
}

#[test]
fn generated_logs_read_like_the_seed() {
    let (w, now) = world();
    let seed_info = migration_model::seed::seed_example_decoded()["Items"][0]["ReplicationInfo"].clone();
    for t in all_tasks(&w, now).iter().skip(1) {
        let d = t["Detail"].as_str().unwrap();
        let log = parse_detail(d);
        assert!(log.unparsed.is_empty(), "{d}");
        let stage = t["MigrateStage"].as_str().unwrap();
        if !["precheck"].contains(&stage) {
            assert!(
                d.starts_with(
                    "[Check rds empty]\nCheck rds databases: success\n[Check source connectivity]\n"
                ),
                "{d}"
            );
        }
        if ["increment", "switch", "success"].contains(&stage) {
            assert!(
                d.contains("[Start RDS instance]\n")
                    && d.contains(" --- Synchronize data from source to RDS by streaming replication \n")
            );
            let info = t["ReplicationInfo"].as_str().unwrap();
            ReplicationInfo::parse(info).expect("parses");
            // The seed's keys, in the seed's order, every value a string.
            let seed: Value = serde_json::from_str(seed_info.as_str().unwrap()).unwrap();
            let ours: Value = serde_json::from_str(info).unwrap();
            let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&ours), keys(&seed));
            assert!(ours.as_object().unwrap().values().all(Value::is_string));
        }
        assert_eq!(t["TargetEip"], "null");
    }
}

#[test]
fn prechecks_pass_warn_and_fail() {
    let (w, now) = world();
    let reports = w.prechecks_of(DEMO_INSTANCE, now);
    let verdicts: Vec<PrecheckVerdict> =
        reports.iter().map(|r| parse_detail(r["Detail"].as_str().unwrap()).precheck_verdict()).collect();
    for v in [PrecheckVerdict::Passed, PrecheckVerdict::PassedWithWarnings, PrecheckVerdict::Failed] {
        assert!(verdicts.contains(&v), "no {v:?} report: {verdicts:?}");
    }
    assert!(
        reports.iter().any(|r| r["Detail"].as_str().unwrap().contains(GLIBC_WARNING)),
        "the seed's glibc warning"
    );
    assert!(reports.iter().any(|r| r["Detail"].as_str().unwrap().contains("*Migrate check success*")));
    assert!(verdicts.contains(&PrecheckVerdict::InProgress), "a precheck still running: {verdicts:?}");
    assert!(
        reports.iter().all(|r| !r["Detail"].as_str().unwrap().contains("failed(")),
        "no invented wording"
    );
    for r in &reports {
        assert!(r.get("MigrateStage").is_none() && r.get("ReplicationInfo").is_none());
        assert!(!r["Detail"].as_str().unwrap().contains("[Start RDS instance]"));
    }
}

#[test]
fn filters_are_exact_and_apply_before_paging() {
    let (w, now) = world();
    let all = w.tasks_of(DEMO_INSTANCE, now);
    let f = |filter: TaskFilter<'_>| w.list_tasks(DEMO_INSTANCE, now, &filter, 1, 100);
    let seed = f(TaskFilter { task_id: Some(SEED_TASK_ID), ..Default::default() });
    assert_eq!((seed.total, seed.items[0]["TaskId"].as_u64()), (1, Some(SEED_TASK_ID)));
    let by_name =
        f(TaskFilter { task_name: Some("362c6c7a-4d20-4eac-898c-1495ceab374c"), ..Default::default() });
    assert_eq!(by_name.total, 1);
    assert_eq!(
        f(TaskFilter { task_name: Some("362c6c7a"), ..Default::default() }).total,
        0,
        "no partial match"
    );
    let port = f(TaskFilter { source_port: Some(5433), ..Default::default() });
    assert_eq!(port.total, all.iter().filter(|t| t["SourcePort"] == 5433).count());
    assert!(port.total > 0 && port.items.iter().all(|t| t["SourcePort"] == 5433));
    let ip = all[5]["SourceIpAddress"].as_str().unwrap();
    let by_ip = f(TaskFilter { source_ip: Some(ip), ..Default::default() });
    assert!(by_ip.total >= 1 && by_ip.items.iter().all(|t| t["SourceIpAddress"] == ip));
    let both = f(TaskFilter { source_ip: Some(ip), source_port: Some(1), ..Default::default() });
    assert_eq!(both.total, 0, "filters combine");

    // Paging: pages of 7 cover everything once, in order; past the end is empty.
    let mut paged = Vec::new();
    for n in 1.. {
        let p = w.list_tasks(DEMO_INSTANCE, now, &TaskFilter::default(), n, 7);
        assert_eq!(p.total, all.len());
        if p.items.is_empty() {
            break;
        }
        paged.extend(p.items);
    }
    assert_eq!(paged, all);
    assert!(w.list_tasks(DEMO_INSTANCE, now, &TaskFilter::default(), u64::MAX, u64::MAX).items.is_empty());
}

#[test]
fn a_bench_instance_holds_the_tasks_asked_for() {
    let w = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: 5_000 }, start());
    assert!(w.instance(BENCH_INSTANCE).is_some());
    let p = w.list_tasks(BENCH_INSTANCE, start(), &TaskFilter::default(), 3, 30);
    assert_eq!((p.total, p.items.len()), (5_000, 30));
    assert_eq!(w.list_prechecks(BENCH_INSTANCE, start(), &TaskFilter::default(), 1, 30).total, 5_000);
    assert!(World::demo(1, start(), 1.0).instance(BENCH_INSTANCE).is_none());
    // The demo world is the same with or without it.
    assert_eq!(
        w.tasks_of(DEMO_INSTANCE, start()),
        World::demo(1, start(), 1.0).tasks_of(DEMO_INSTANCE, start())
    );
}

/// `cargo test -p migration-proxy --release -- --ignored --nocapture world_timing`
#[test]
#[ignore = "a timing, not a test: run with --ignored --nocapture (release build)"]
fn world_timing_for_a_5000_task_instance() {
    let w = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: 5_000 }, start());
    let now = start() + Duration::minutes(5);
    let ip = w.tasks_of(BENCH_INSTANCE, now)[1234]["SourceIpAddress"].as_str().unwrap().to_string();
    let cases: Vec<(&str, TaskFilter<'_>, u64, u64)> = vec![
        ("page 1 of 30", TaskFilter::default(), 1, 30),
        ("page 100 of 30", TaskFilter::default(), 100, 30),
        ("page 1 of 100", TaskFilter::default(), 1, 100),
        ("SourcePort=5433", TaskFilter { source_port: Some(5433), ..Default::default() }, 1, 30),
        ("SourceIpAddress", TaskFilter { source_ip: Some(&ip), ..Default::default() }, 1, 30),
        ("TaskId", TaskFilter { task_id: Some(BENCH_ID_BASE + 2 + 2 * 4321), ..Default::default() }, 1, 30),
    ];
    for (name, filter, n, size) in cases {
        let runs = 200;
        let t0 = std::time::Instant::now();
        for _ in 0..runs {
            let p = w.list_tasks(BENCH_INSTANCE, now, &filter, n, size);
            std::hint::black_box(serde_json::to_vec(&p.items).unwrap());
        }
        println!("list_tasks {name}: {:?} per call (rendered and serialised)", t0.elapsed() / runs);
    }
}

#[test]
#[ignore = "a timing"]
fn world_timing_parts() {
    let w = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: 5_000 }, start());
    let now = start() + Duration::minutes(5);
    let plans = &w.tasks[BENCH_INSTANCE][..100];
    let runs = 200u32;
    let t0 = std::time::Instant::now();
    let mut items = Vec::new();
    for _ in 0..runs {
        items = plans.iter().map(|p| render_task(p, now, 1.0)).collect::<Vec<_>>();
    }
    println!("render 100: {:?}", t0.elapsed() / runs);
    let t0 = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(serde_json::to_vec(&items).unwrap());
    }
    println!("serialise 100: {:?}, {} bytes", t0.elapsed() / runs, serde_json::to_vec(&items).unwrap().len());
    let t0 = std::time::Instant::now();
    for _ in 0..runs {
        for p in plans {
            let mut d = String::new();
            let t = sim_since(p.born, now, 1.0);
            precheck_log(&mut d, &CHECKS, t, p.plan.precheck, None, p.glibc_warning);
            let wall = |sim: i64| (p.born + sim_to_wall(sim, 1.0)).min(now);
            backup_log(&mut d, p, t, &wall);
            std::hint::black_box(d);
        }
    }
    println!("checks+backup 100: {:?}", t0.elapsed() / runs);
    let t0 = std::time::Instant::now();
    for _ in 0..runs {
        for p in plans {
            std::hint::black_box(replication_info(p, &wal_at(p, 5000), "streaming", now, false));
        }
    }
    println!("replication info 100: {:?}", t0.elapsed() / runs);
}

#[test]
fn failed_prechecks_use_the_documented_wordings_with_the_tasks_own_password() {
    let (w, now) = world();
    let reports = w.prechecks_of(DEMO_INSTANCE, now);
    let failed: Vec<&Value> = reports
        .iter()
        .filter(|r| parse_detail(r["Detail"].as_str().unwrap()).precheck_verdict() == PrecheckVerdict::Failed)
        .collect();
    let detail = |r: &Value| r["Detail"].as_str().unwrap().to_string();
    assert!(failed.iter().any(|r| detail(r)
        .contains("Check rds databases: error(error:postgres not empty, check if any table exists)\n")));
    assert!(failed.iter().any(|r| detail(r).contains(&format!(
        "Check ip connectable: error(error:{} is unapproachable)\n",
        r["SourceIpAddress"].as_str().unwrap()
    ))));
    assert!(failed.iter().any(|r| detail(r)
        .contains(&format!("Check port connectable: error(error:{} is unapproachable)\n", r["SourcePort"]))));
    assert!(failed.iter().any(|r| detail(r).contains(&format!(
        "Check database connectable: error(error:cannot connect to source database by {}:{})\n",
        r["SourceAccount"].as_str().unwrap(),
        r["SourcePassword"].as_str().unwrap()
    ))));
    for r in &failed {
        let log = parse_detail(&detail(r));
        assert!(log.unparsed.is_empty(), "{}", detail(r));
        let s = migration_model::precheck_summary(&log, None);
        // The run stops at its failed check: the last line, the rest did not run.
        assert!(s.stopped_early, "{}", detail(r));
        assert_eq!(s.failed.len(), 1);
        assert_eq!(log.checks().last().unwrap().name, s.failed[0].name);
        assert!(!detail(r).contains("*Migrate check"));
    }
}

#[test]
fn a_task_whose_precheck_failed_stays_in_precheck_with_the_failed_check_in_its_detail() {
    let (w, now) = world();
    let tasks = w.tasks_of(DEMO_INSTANCE, now);
    let failed: Vec<&Value> = tasks
        .iter()
        .filter(|t| {
            t["MigrateStage"] == "precheck"
                && parse_detail(t["Detail"].as_str().unwrap()).precheck_verdict() == PrecheckVerdict::Failed
        })
        .collect();
    assert!(!failed.is_empty(), "a task with a failed precheck on the demo instance");
    for t in failed {
        assert_eq!(t["ReplicationState"], "unstarted");
        let task: migration_model::MigrationTask = serde_json::from_value(t.clone()).unwrap();
        let s = migration_model::precheck_summary(&task.detail_log(), task.migrate_stage.as_ref());
        assert!(s.stopped_early && s.first_failure().is_some(), "{t}");
        // It stays failed: later it is the same.
        let later = w.tasks_of(DEMO_INSTANCE, now + Duration::hours(6));
        assert_eq!(find(&later, t["TaskId"].as_u64().unwrap()).unwrap()["Detail"], t["Detail"]);
    }
}

#[test]
fn a_running_precheck_report_grows_and_is_in_progress_until_complete() {
    let (w, now) = world();
    let running: Vec<u64> = w
        .prechecks_of(DEMO_INSTANCE, now)
        .iter()
        .filter(|r| {
            parse_detail(r["Detail"].as_str().unwrap()).precheck_verdict() == PrecheckVerdict::InProgress
        })
        .map(|r| r["TaskId"].as_u64().unwrap())
        .collect();
    assert!(!running.is_empty());
    let id = running[0];
    let mut counts = Vec::new();
    let mut last = PrecheckVerdict::InProgress;
    for minutes in 0..15 {
        let reports = w.prechecks_of(DEMO_INSTANCE, now + Duration::minutes(minutes));
        let log = parse_detail(find(&reports, id).unwrap()["Detail"].as_str().unwrap());
        counts.push(log.checks().count());
        last = log.precheck_verdict();
        if last != PrecheckVerdict::InProgress {
            break;
        }
    }
    assert!(counts.windows(2).all(|c| c[0] <= c[1]) && counts.first() < counts.last(), "{counts:?}");
    assert!(matches!(last, PrecheckVerdict::Passed | PrecheckVerdict::PassedWithWarnings), "{last:?}");
}

#[test]
fn a_completed_task_reads_as_switched_over_with_its_switch_time() {
    let (w, now) = world();
    let id = task_in(&w, "success", "finish");
    let t = find(&w.tasks_of(DEMO_INSTANCE, now), id).unwrap().clone();
    let task: migration_model::MigrationTask = serde_json::from_value(t.clone()).unwrap();
    let r = migration_model::switch_readiness(&task, now, &migration_model::HealthThresholds::default());
    assert_eq!(
        r.state,
        migration_model::ReadinessState::SwitchedOver { switch_time: Some(utc(&t["SwitchTime"])) }
    );
}

#[test]
fn full_backup_progress_lines_carry_percent_and_sizes() {
    let (w, start) = world();
    let mut seen = 0;
    for t in
        all_tasks(&w, start).iter().filter(|t| t["MigrateStage"] != "precheck" && t["TaskId"] != SEED_TASK_ID)
    {
        let log = parse_detail(t["Detail"].as_str().unwrap());
        let events = log.backup_events();
        assert_eq!(events[0].kind, migration_model::BackupEventKind::Start, "{}", t["Detail"]);
        assert!(events[0].total_bytes.is_some());
        for e in events.iter().filter(|e| e.kind == migration_model::BackupEventKind::Progress) {
            let (pct, done, total) = (e.percent.unwrap(), e.done_bytes.unwrap(), e.total_bytes.unwrap());
            assert!((20..=80).contains(&pct) && done < total, "{e:?}");
            seen += 1;
        }
        if t["MigrateStage"] != "basebackup" {
            assert_eq!(events.last().unwrap().kind, migration_model::BackupEventKind::End);
        }
    }
    assert!(seen > 0, "progress lines");
}

#[test]
fn every_generated_task_has_a_timeline_that_agrees_with_its_stage() {
    use migration_model::{timeline, StageStatus};
    let (w, now) = world();
    for later in [now, now + Duration::hours(3)] {
        for t in w.tasks_of(DEMO_INSTANCE, later) {
            let task: migration_model::MigrationTask = serde_json::from_value(t.clone()).unwrap();
            let tl = timeline(&task, later);
            let stage = task.migrate_stage.as_ref().unwrap().ordinal().unwrap();
            for (i, s) in tl.iter().enumerate() {
                if let (Some(a), Some(b)) = (s.start, s.end) {
                    assert!(a.at <= b.at && s.duration_secs.is_some(), "{t}");
                }
                if i < stage {
                    assert_eq!(s.status, StageStatus::Done, "{t}");
                }
            }
            if t["TaskId"] == SEED_TASK_ID {
                continue;
            }
            // Every stage the task has passed through has a start, the full backup its lines.
            for s in tl.iter().take(stage.min(4) + 1) {
                assert!(s.start.is_some(), "{:?} of {t}", s.stage);
            }
            if stage >= 2 {
                assert!(tl[1].duration_secs.is_some() && !tl[1].progress.is_empty(), "{t}");
            }
            let failed =
                migration_model::attention(&task, later, &migration_model::HealthThresholds::default())
                    .concerns
                    .iter()
                    .any(|c| c.code() == "precheck_failed");
            assert_eq!(failed, tl[0].status == StageStatus::Failed, "{t}");
        }
    }
}
