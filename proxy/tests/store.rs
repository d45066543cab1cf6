//! The history store's suite, run on both backends: SQLite in a temporary directory, and a
//! private PostgreSQL cluster started by the test itself.
#[path = "support/pg.rs"]
mod pg;

use migration_model::history::{EventKind, HistoryEvent, HistorySample, PollReport, WatchSource};
use migration_proxy::store::{NewEvent, PollWrite, Store, TaskSample, Written};

const R: &str = "cn-hangzhou";
const I: &str = "pgm-bp102g323jd4demo";

fn sample(t: i64, lag: i64) -> HistorySample {
    HistorySample {
        t,
        stage: Some("increment".into()),
        state: Some("streaming".into()),
        received_lsn: Some("3C/5A0".into()),
        latest_end_lsn: Some("3C/5A0".into()),
        replay_lsn: Some("3C/500".into()),
        not_yet_replayed_bytes: Some(lag),
        behind_source_report_bytes: Some(lag),
        replay_lag: Some("00:00:01.5".into()),
        last_msg_send_time: Some(t - 1),
        last_msg_receipt_time: Some(t),
        gmt_modified: Some(t - 5),
        count: 1,
        ..HistorySample::default()
    }
}

fn event(kind: EventKind, task: u64, after: i64, at: i64, dedup: &str) -> NewEvent {
    NewEvent {
        event: HistoryEvent {
            kind,
            task_id: Some(task),
            observed_after: Some(after),
            observed_at: at,
            at: None,
            from: Some("basebackup".into()),
            to: Some("increment".into()),
            text: None,
            duration_min_secs: None,
            duration_max_secs: None,
        },
        dedup: dedup.into(),
    }
}

fn poll(at: i64, lag: i64, events: Vec<NewEvent>) -> PollWrite {
    PollWrite {
        region_id: R.into(),
        instance_name: I.into(),
        at,
        tasks: vec![
            TaskSample { task_id: 7, task_name: Some("seven".into()), sample: Some(sample(at, lag)) },
            TaskSample { task_id: 8, task_name: None, sample: None },
        ],
        events,
        ..PollWrite::default()
    }
}

async fn suite(store: &Store) {
    assert!(store.is_healthy());
    let w = store
        .record_poll(&poll(1_000, 500, vec![event(EventKind::StageChanged, 7, 970, 1_000, "stage:7:1")]))
        .await
        .unwrap();
    assert_eq!(w, Written { samples: 1, events: 1 });
    // A second leader writing the same poll, or the same change seen at its own poll time,
    // writes nothing new.
    let w = store
        .record_poll(&poll(1_000, 500, vec![event(EventKind::StageChanged, 7, 980, 1_010, "stage:7:1")]))
        .await
        .unwrap();
    assert_eq!(w, Written { samples: 0, events: 0 });
    store.record_poll(&poll(1_030, 400, vec![])).await.unwrap();
    store
        .record_poll(&poll(1_060, 300, vec![event(EventKind::DisconnectBegan, 7, 1_030, 1_060, "disc:7:1")]))
        .await
        .unwrap();

    let got = store.samples(R, I, 7, 0, i64::MAX).await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], sample(1_000, 500), "a sample reads back as written (LSNs included)");
    assert_eq!(got.iter().map(|s| s.not_yet_replayed_bytes.unwrap()).collect::<Vec<_>>(), [500, 400, 300]);
    assert_eq!(store.samples(R, I, 7, 1_030, 1_030).await.unwrap().len(), 1);
    assert!(store.samples(R, I, 8, 0, i64::MAX).await.unwrap().is_empty(), "seen without a sample");
    assert!(store.samples(R, "pgm-other", 7, 0, i64::MAX).await.unwrap().is_empty());

    let evs = store.events(R, I, Some(7), 0, i64::MAX).await.unwrap();
    assert_eq!(
        evs.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::StageChanged, EventKind::DisconnectBegan]
    );
    assert_eq!(evs[0].observed_after, Some(970), "the first writer's observation stands");
    // The stages alone (the partial index of stage events), up to a time.
    let stages = store.stage_events(R, I, 7, i64::MAX).await.unwrap();
    assert_eq!(
        stages.iter().map(|e| (e.kind, e.observed_at)).collect::<Vec<_>>(),
        [(EventKind::StageChanged, 1_000)]
    );
    assert!(store.stage_events(R, I, 7, 999).await.unwrap().is_empty());
    assert!(store.stage_events(R, I, 8, i64::MAX).await.unwrap().is_empty());
    assert_eq!(evs[0].to.as_deref(), Some("increment"));
    assert_eq!(store.events(R, I, None, 1_001, i64::MAX).await.unwrap().len(), 1);

    // Retention: samples and events older than their cut-offs go.
    assert_eq!(store.sweep(1_030, 1_001).await.unwrap(), (1, 1));
    assert_eq!(store.samples(R, I, 7, 0, i64::MAX).await.unwrap().len(), 2);

    // The watch set.
    store.add_watch(R, I, WatchSource::Config, None, 10).await.unwrap();
    store.add_watch(R, "pgm-auto", WatchSource::Auto, Some("alice"), 20).await.unwrap();
    store.add_watch(R, "pgm-auto", WatchSource::Auto, Some("bob"), 50).await.unwrap();
    store.add_watch(R, I, WatchSource::Auto, Some("bob"), 60).await.unwrap();
    let ws = store.watches().await.unwrap();
    assert_eq!(ws.len(), 2);
    let auto = ws.iter().find(|w| w.db_instance_name == "pgm-auto").unwrap();
    assert_eq!(
        (auto.source, auto.added_by.as_deref(), auto.last_viewed_at),
        (WatchSource::Auto, Some("alice"), Some(50))
    );
    let conf = ws.iter().find(|w| w.db_instance_name == I).unwrap();
    assert_eq!(conf.source, WatchSource::Config, "a view does not demote a configured watch");
    assert_eq!(store.expire_auto_watches(40).await.unwrap(), 0);
    assert_eq!(store.expire_auto_watches(51).await.unwrap(), 1);
    assert!(store.remove_watch(R, I).await.unwrap());
    assert!(!store.remove_watch(R, I).await.unwrap());
    assert!(store.watches().await.unwrap().is_empty());
    assert!(store.is_healthy());
    watcher_memory(store).await;
    repeated_keys(store).await;
    flag_watches(store).await;
    narrow_round_trip(store).await;
    downsampled_in_the_database(store).await;
    packed_samples(store).await;
}

/// A `--watch` (or `--demo`) removed from the flags is no longer watched for the flag's sake; a
/// watch someone else made, or an instance someone opened, stays.
async fn flag_watches(store: &Store) {
    let key = |i: &str| (R.to_string(), i.to_string());
    store.add_watch(R, "pgm-kept", WatchSource::Config, None, 10).await.unwrap();
    store.add_watch(R, "pgm-dropped", WatchSource::Config, None, 10).await.unwrap();
    store.add_watch(R, "pgm-demo", WatchSource::Demo, None, 10).await.unwrap();
    store.add_watch(R, "pgm-viewed", WatchSource::Config, None, 10).await.unwrap();
    store.add_watch(R, "pgm-viewed", WatchSource::Auto, Some("carol"), 40).await.unwrap();
    store.add_watch(R, "pgm-admin", WatchSource::Admin, Some("root"), 10).await.unwrap();
    store.add_watch(R, "pgm-auto", WatchSource::Auto, Some("dave"), 30).await.unwrap();
    // The next start names only pgm-kept.
    assert_eq!(store.reconcile_flag_watches(&[key("pgm-kept")]).await.unwrap(), 3);
    let ws = store.watches().await.unwrap();
    let got: Vec<(&str, WatchSource, Option<i64>)> =
        ws.iter().map(|w| (w.db_instance_name.as_str(), w.source, w.last_viewed_at)).collect();
    assert_eq!(
        got,
        [
            ("pgm-admin", WatchSource::Admin, None),
            ("pgm-auto", WatchSource::Auto, Some(30)),
            ("pgm-kept", WatchSource::Config, None),
            ("pgm-viewed", WatchSource::Auto, Some(40)),
        ]
    );
    // Nothing left to reconcile; the demoted one then expires like any auto-watch.
    assert_eq!(store.reconcile_flag_watches(&[key("pgm-kept")]).await.unwrap(), 0);
    assert_eq!(store.expire_auto_watches(41).await.unwrap(), 2);
    for i in ["pgm-admin", "pgm-kept"] {
        assert!(store.remove_watch(R, i).await.unwrap());
    }
}

/// A poll that names one key twice (a task read on two pages while they shifted, a bulk load of
/// several poll times of one task, an event found twice) is written, each key once, the first
/// copy kept: never a failed poll, never a lost row.
async fn repeated_keys(store: &Store) {
    let inst = "pgm-repeated";
    let task = |id: u64, name: &str, s: Option<HistorySample>| TaskSample {
        task_id: id,
        task_name: Some(name.into()),
        sample: s,
    };
    let w = PollWrite {
        region_id: R.into(),
        instance_name: inst.into(),
        at: 6_000,
        tasks: vec![
            task(9, "nine", Some(sample(6_000, 10))),
            task(10, "ten", None),
            task(9, "nine again", Some(sample(6_000, 99))),
            task(9, "nine", Some(sample(5_970, 11))),
            task(10, "ten", Some(sample(6_000, 20))),
        ],
        events: vec![
            event(EventKind::StageChanged, 9, 5_970, 6_000, "stage:9:1"),
            event(EventKind::StageChanged, 9, 5_970, 6_000, "stage:9:1"),
        ],
        ..PollWrite::default()
    };
    assert_eq!(store.record_poll(&w).await.unwrap(), Written { samples: 3, events: 1 });
    let nine = store.samples(R, inst, 9, 0, i64::MAX).await.unwrap();
    assert_eq!(
        nine.iter().map(|s| (s.t, s.not_yet_replayed_bytes.unwrap())).collect::<Vec<_>>(),
        [(5_970, 11), (6_000, 10)],
        "both poll times kept, the first copy of the repeated one"
    );
    assert_eq!(store.samples(R, inst, 10, 0, i64::MAX).await.unwrap().len(), 1);
    let tasks = store.tasks(R, inst).await.unwrap();
    assert_eq!(
        tasks.iter().map(|t| (t.task_id, t.task_name.as_deref())).collect::<Vec<_>>(),
        [(9, Some("nine")), (10, Some("ten"))]
    );
    assert_eq!(store.events(R, inst, Some(9), 0, i64::MAX).await.unwrap().len(), 1);
    // The same poll again (a second leader) writes nothing new.
    assert_eq!(store.record_poll(&w).await.unwrap(), Written { samples: 0, events: 0 });
}

/// The watcher's per-instance memory (`watch_polls`), and a poll larger than one statement.
async fn watcher_memory(store: &Store) {
    let report = |at: i64, ok: bool| PollReport {
        at,
        ok,
        outcome: if ok { "ok" } else { "Throttling.User" }.into(),
        duration_ms: 5,
        gap_secs: None,
        last_ok_at: Some(at),
    };
    store.add_watch(R, I, WatchSource::Config, None, 10).await.unwrap();
    assert_eq!(store.poll_state(R, I).await.unwrap(), None);
    let mut w = poll(3_000, 1, vec![]);
    (w.report, w.state) = (Some(report(3_000, true)), Some("{\"tasks\":{}}".into()));
    store.record_poll(&w).await.unwrap();
    // A second leader's older poll never overwrites a newer one's memory.
    let mut older = poll(2_990, 1, vec![]);
    (older.report, older.state) = (Some(report(2_990, false)), Some("older".into()));
    store.record_poll(&older).await.unwrap();
    // A poll with no new state (None) keeps the stored one and updates the report.
    let mut failed = poll(3_030, 1, vec![]);
    failed.report = Some(report(3_030, false));
    store.record_poll(&failed).await.unwrap();
    assert_eq!(store.poll_state(R, I).await.unwrap(), Some((3_030, Some("{\"tasks\":{}}".to_string()))));
    let ws = store.watches().await.unwrap();
    assert_eq!(ws[0].last_poll, Some(report(3_030, false)), "every replica reads the last poll");

    // 450 tasks: several multi-row statements, every sample and event written once.
    let many = PollWrite {
        region_id: R.into(),
        instance_name: "pgm-many".into(),
        at: 4_000,
        tasks: (1..=450)
            .map(|id| TaskSample { task_id: id, task_name: None, sample: Some(sample(4_000, id as i64)) })
            .collect(),
        events: (1..=450)
            .map(|id| event(EventKind::TaskAppeared, id, 3_970, 4_000, &format!("a:{id}")))
            .collect(),
        ..PollWrite::default()
    };
    assert_eq!(store.record_poll(&many).await.unwrap(), Written { samples: 450, events: 450 });
    assert_eq!(store.record_poll(&many).await.unwrap(), Written { samples: 0, events: 0 });
    assert_eq!(
        store.samples(R, "pgm-many", 450, 0, i64::MAX).await.unwrap()[0].not_yet_replayed_bytes,
        Some(450)
    );
    assert!(store.remove_watch(R, I).await.unwrap());
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("history-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[tokio::test]
async fn the_suite_passes_on_sqlite() {
    let dir = temp_dir("suite");
    let store = Store::open(&dir, None).await.unwrap();
    assert!(store.location().ends_with("history.sqlite3"));
    suite(&store).await;
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_suite_passes_on_postgres_and_survives_a_restart() {
    let pg = pg::PrivatePg::start();
    let store = Store::open(std::path::Path::new("unused"), Some(&pg.url())).await.unwrap();
    suite(&store).await;
    // A second replica opens the same store (the migrations are already applied).
    let second = Store::open(std::path::Path::new("unused"), Some(&pg.url())).await.unwrap();
    assert!(second.watches().await.unwrap().is_empty());

    // PostgreSQL restarted mid-run: writes fail (history degrades), then recover by themselves.
    pg.pg_ctl_stop();
    assert!(store.record_poll(&poll(2_000, 1, vec![])).await.is_err());
    assert!(!store.is_healthy());
    assert!(store.last_error().is_some());
    pg.pg_ctl_start();
    let mut ok = false;
    for _ in 0..50 {
        if store.record_poll(&poll(2_030, 1, vec![])).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(ok, "the store recovers after PostgreSQL comes back");
    assert!(store.is_healthy());
    assert_eq!(store.samples(R, I, 7, 2_030, 2_030).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_second_proxy_on_the_same_sqlite_file_is_refused_and_told_why() {
    let dir = temp_dir("lock");
    let first = Store::open(&dir, None).await.unwrap();
    let e = Store::open(&dir, None).await.err().expect("a second open is refused").to_string();
    assert!(e.contains("in use by another migration-proxy"), "{e}");
    assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
    assert!(e.contains("--database-url"), "{e}");
    drop(first);
    // Once the first is gone, the file opens again, with what it held.
    let again = Store::open(&dir, None).await.unwrap();
    again.record_poll(&poll(5, 1, vec![])).await.unwrap();
    drop(again);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_corrupt_sqlite_file_is_a_clear_start_up_error() {
    let dir = temp_dir("corrupt");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("history.sqlite3"), vec![0x5a; 8192]).unwrap();
    let e = Store::open(&dir, None).await.err().expect("refused").to_string();
    assert!(e.contains("history.sqlite3"), "{e}");
    assert!(e.contains("not usable") || e.contains("corrupt") || e.contains("cannot open"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_database_url_password_never_reaches_the_message() {
    let e =
        Store::open(std::path::Path::new("unused"), Some("postgres://app:planted-pg-secret@127.0.0.1:1/x"))
            .await
            .err()
            .expect("nothing listens on port 1")
            .to_string();
    assert!(!e.contains("planted-pg-secret"), "{e}");
    assert!(e.contains("***"), "{e}");
    let e = Store::open(std::path::Path::new("unused"), Some("mysql://x")).await.err().unwrap().to_string();
    assert!(e.contains("postgres://"), "{e}");
}

/// A sample of every shape the narrow layout stores differently: a stage outside the known list,
/// no state, LSNs the lags give back (not stored), and times far from the sample's own.
fn odd_sample(t: i64) -> HistorySample {
    HistorySample {
        t,
        stage: Some("Increment-ish".into()),
        state: None,
        received_lsn: Some("3C/5A0".into()),
        latest_end_lsn: Some("3C/5B0".into()),
        replay_lsn: Some("3C/500".into()),
        not_yet_replayed_bytes: Some(0x5a0 - 0x500),
        behind_source_report_bytes: Some(0x5b0 - 0x500),
        replay_lag: None,
        last_msg_send_time: Some(0),
        last_msg_receipt_time: Some(t + 86_400),
        gmt_modified: Some(i64::MIN),
        count: 1,
        ..HistorySample::default()
    }
}

/// Every shape of sample reads back as written.
async fn narrow_round_trip(store: &Store) {
    let inst = "pgm-narrow";
    let only_replay = HistorySample { received_lsn: None, not_yet_replayed_bytes: None, ..sample(7_030, 1) };
    let w = PollWrite {
        region_id: R.into(),
        instance_name: inst.into(),
        at: 7_030,
        tasks: vec![
            TaskSample { task_id: 1, task_name: None, sample: Some(odd_sample(7_000)) },
            TaskSample { task_id: 1, task_name: None, sample: Some(only_replay.clone()) },
            TaskSample {
                task_id: 2,
                task_name: None,
                sample: Some(HistorySample { t: 7_030, count: 1, ..Default::default() }),
            },
        ],
        ..PollWrite::default()
    };
    store.record_poll(&w).await.unwrap();
    assert_eq!(store.samples(R, inst, 1, 0, i64::MAX).await.unwrap(), [odd_sample(7_000), only_replay]);
    assert_eq!(
        store.samples(R, inst, 2, 0, i64::MAX).await.unwrap(),
        [HistorySample { t: 7_030, count: 1, ..Default::default() }]
    );
}

/// The first three migrations only: the layout of a store made before the narrow samples.
async fn old_store(pool: &sqlx::AnyPool, dir: &str) {
    let mut m = sqlx::migrate::Migrator::new(std::path::Path::new(dir)).await.unwrap();
    m.migrations = m.migrations.iter().filter(|m| m.version <= 3).cloned().collect::<Vec<_>>().into();
    m.run(pool).await.unwrap();
    for sql in [
        "INSERT INTO tasks (region_id, instance_name, task_id, task_name, first_seen, last_seen) \
         VALUES ('cn-hangzhou', 'pgm-old', 7, 'seven', 900, 1000)",
        // A sample as the watcher wrote it, and one with an unknown stage and no times.
        "INSERT INTO samples (task_ref, t, stage, state, received_lsn, latest_end_lsn, replay_lsn, not_yet_replayed, \
         behind_source_report, replay_lag, last_msg_send_time, last_msg_receipt_time, gmt_modified) \
         VALUES ((SELECT id FROM tasks WHERE task_id = 7), 1000, 'increment', 'streaming', 1440, 1456, 1280, 160, 176, '0.5', 999, 1000, 995)",
        "INSERT INTO samples (task_ref, t, stage, state, received_lsn, latest_end_lsn, replay_lsn, not_yet_replayed, \
         behind_source_report, replay_lag, last_msg_send_time, last_msg_receipt_time, gmt_modified) \
         VALUES ((SELECT id FROM tasks WHERE task_id = 7), 970, 'odd', NULL, 1440, NULL, 1280, 5, NULL, NULL, NULL, NULL, NULL)",
        // An event as the watcher wrote it, and an instance-wide one.
        "INSERT INTO events (region_id, instance_name, task_id, kind, observed_after, observed_at, at, from_value, \
         to_value, dedup) VALUES ('cn-hangzhou', 'pgm-old', 7, 'stage_changed', 970, 1000, 990, 'basebackup', \
         'increment', 'stage:7:basebackup>increment:990')",
        "INSERT INTO events (region_id, instance_name, kind, observed_at, text, dedup) \
         VALUES ('cn-hangzhou', 'pgm-old', 'poll_failing', 1030, 'Throttling', 'poll_failing:1000')",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
}

/// What the old events read as after the migration, and on PostgreSQL (which replicas share)
/// the same event observed again by the new version is still a duplicate.
async fn old_events_survive(store: &Store) {
    let got = store.events(R, "pgm-old", Some(7), 0, i64::MAX).await.unwrap();
    assert_eq!(
        got.iter().map(|e| (e.kind, e.observed_at, e.at, e.to.clone(), e.text.clone())).collect::<Vec<_>>(),
        [
            (EventKind::StageChanged, 1000, Some(990), Some("increment".to_string()), None),
            (EventKind::PollFailing, 1030, None, None, Some("Throttling".to_string())),
        ]
    );
    let again = PollWrite {
        region_id: R.into(),
        instance_name: "pgm-old".into(),
        at: 1_060,
        events: vec![
            event(EventKind::StageChanged, 7, 1_030, 1_060, "stage:7:basebackup>increment:990"),
            event(EventKind::StageChanged, 7, 1_030, 1_060, "stage:7:increment>switch:1050"),
        ],
        ..PollWrite::default()
    };
    let w = store.record_poll(&again).await.unwrap();
    let postgres = store.backend() == migration_proxy::store::Backend::Postgres;
    assert_eq!(w.events, if postgres { 1 } else { 2 });
}

/// What the old samples read as after the migration.
async fn old_samples_survive(store: &Store) {
    let got = store.samples(R, "pgm-old", 7, 0, i64::MAX).await.unwrap();
    let lsn = |v: u64| Some(migration_model::Lsn::new(v).to_pg_string());
    assert_eq!(
        got,
        [
            HistorySample {
                t: 970,
                stage: Some("odd".into()),
                received_lsn: lsn(1440),
                replay_lsn: lsn(1280),
                not_yet_replayed_bytes: Some(5),
                count: 1,
                ..HistorySample::default()
            },
            HistorySample {
                t: 1000,
                stage: Some("increment".into()),
                state: Some("streaming".into()),
                received_lsn: lsn(1440),
                latest_end_lsn: lsn(1456),
                replay_lsn: lsn(1280),
                not_yet_replayed_bytes: Some(160),
                behind_source_report_bytes: Some(176),
                replay_lag: Some("0.5".into()),
                last_msg_send_time: Some(999),
                last_msg_receipt_time: Some(1000),
                gmt_modified: Some(995),
                count: 1,
                ..HistorySample::default()
            },
        ]
    );
}

#[tokio::test]
async fn a_sqlite_store_made_before_the_narrow_samples_opens_with_its_samples() {
    let dir = temp_dir("old");
    std::fs::create_dir_all(&dir).unwrap();
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", dir.join("history.sqlite3").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    old_store(&pool, concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).await;
    pool.close().await;
    let store = Store::open(&dir, None).await.unwrap();
    old_samples_survive(&store).await;
    old_events_survive(&store).await;
    narrow_round_trip(&store).await;
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_postgres_store_made_before_the_narrow_samples_opens_with_its_samples() {
    let pg = pg::PrivatePg::start();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&pg.url()).await.unwrap();
    old_store(&pool, concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).await;
    pool.close().await;
    let store = Store::open(std::path::Path::new("unused"), Some(&pg.url())).await.unwrap();
    old_samples_survive(&store).await;
    old_events_survive(&store).await;
    narrow_round_trip(&store).await;
}

/// The store's downsampling gives what the model's `downsample` gives from every sample, and
/// the catch-up window's lags.
async fn downsampled_in_the_database(store: &Store) {
    use migration_model::history::downsample;
    let inst = "pgm-downsampled";
    // 1,000 polls 30 s apart; every 7th without a lag figure, the last 3 too.
    let tasks: Vec<TaskSample> = (0..1_000)
        .map(|k| {
            let mut s = sample(10_000 + k * 30, (k * 7_919) % 100_000);
            if k % 7 == 0 || k >= 997 {
                (s.not_yet_replayed_bytes, s.behind_source_report_bytes) = (None, None);
            }
            TaskSample { task_id: 3, task_name: None, sample: Some(s) }
        })
        .collect();
    let w = PollWrite {
        region_id: R.into(),
        instance_name: inst.into(),
        at: 40_000,
        tasks,
        ..PollWrite::default()
    };
    store.record_poll(&w).await.unwrap();
    for (from, to, points) in
        [(0, i64::MAX, 37), (10_000, 20_000, 500), (12_345, 31_000, 1), (0, i64::MAX, 5_000)]
    {
        let all = store.samples(R, inst, 3, from, to).await.unwrap();
        let got = store.downsampled_samples(R, inst, 3, (from, to), points, 900).await.unwrap();
        assert_eq!(got.stored, all.len() as u64);
        assert_eq!(got.samples, downsample(&all, points), "{from}..{to} in {points} points");
        let lags: Vec<(i64, i64)> =
            all.iter().filter_map(|s| Some((s.t, s.not_yet_replayed_bytes?))).collect();
        let last = lags.last().unwrap().0;
        let want: Vec<(i64, i64)> = lags.into_iter().filter(|l| l.0 >= last - 900).collect();
        assert_eq!(got.recent_lags, want);
    }
    assert_eq!(
        store.downsampled_samples(R, inst, 4, (0, i64::MAX), 10, 900).await.unwrap(),
        Default::default()
    );
}

/// Hours packed into blocks (what the watcher's leader does every hour) read back exactly as
/// they were written, alone and mixed with raw rows: every read, the model's downsampling, the
/// latest sample, and the retention sweep. A late copy of a packed sample (a second leader's)
/// is read once.
async fn packed_samples(store: &Store) {
    use migration_model::history::downsample;
    let inst = "pgm-packed";
    // 600 polls 30 s apart from 36,000 (hour 10): five hours; every 7th without lags, some odd.
    let all: Vec<HistorySample> = (0..600)
        .map(|k| {
            let t = 36_000 + k * 30;
            let mut s = if k % 50 == 3 { odd_sample(t) } else { sample(t, (k * 7_919) % 100_000) };
            if k % 7 == 0 {
                (s.not_yet_replayed_bytes, s.behind_source_report_bytes) = (None, None);
            }
            s
        })
        .collect();
    let w = PollWrite {
        region_id: R.into(),
        instance_name: inst.into(),
        at: 54_000,
        tasks: all
            .iter()
            .map(|s| TaskSample { task_id: 5, task_name: None, sample: Some(s.clone()) })
            .collect(),
        ..PollWrite::default()
    };
    store.record_poll(&w).await.unwrap();
    let check = |label: &'static str| {
        let all = all.clone();
        async move {
            assert_eq!(store.samples(R, inst, 5, 0, i64::MAX).await.unwrap(), all, "{label}");
            for (from, to, points) in
                [(0, i64::MAX, 37), (37_000, 47_000, 100), (40_000, 40_100, 500), (0, i64::MAX, 1)]
            {
                let want: Vec<HistorySample> =
                    all.iter().filter(|s| s.t >= from && s.t <= to).cloned().collect();
                let got = store.downsampled_samples(R, inst, 5, (from, to), points, 900).await.unwrap();
                assert_eq!(got.stored, want.len() as u64, "{label}");
                assert_eq!(
                    got.samples,
                    downsample(&want, points),
                    "{label}: {from}..{to} in {points} points"
                );
            }
            let latest = store.latest_samples(R, inst, 44_000).await.unwrap();
            assert_eq!(latest, [(5, all.iter().rev().find(|s| s.t <= 44_000).unwrap().clone())], "{label}");
            let inst_all = store.instance_samples(R, inst, 39_000, 41_000).await.unwrap();
            assert_eq!(
                inst_all.len(),
                all.iter().filter(|s| s.t >= 39_000 && s.t <= 41_000).count(),
                "{label}"
            );
            // lag_growing's window longer than the raw rows' half hour reads the blocks too.
            let lags =
                migration_proxy::alerts::store::lag_samples(store, R, inst, 36_000, 54_000).await.unwrap();
            let want: Vec<(i64, i64)> =
                all.iter().filter_map(|s| s.not_yet_replayed_bytes.map(|b| (s.t, b))).collect();
            assert_eq!(lags.get(&5).cloned().unwrap_or_default(), want, "{label}: a long lag window");
        }
    };
    // The raw rows left of this instance's task (compaction packs every instance's).
    let raw = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM samples s JOIN tasks k ON k.id = s.task_ref WHERE k.instance_name = 'pgm-packed'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
    };
    check("raw").await;
    // Hours 10 and 11 packed.
    assert!(store.compact(43_200).await.unwrap() >= 240);
    assert_eq!(raw().await, 360);
    check("two hours packed").await;
    assert_eq!(store.compact(43_200).await.unwrap(), 0, "nothing left to pack");
    // Hour 12 packed in two goes: its block takes the rest of the hour in later.
    store.compact(44_000).await.unwrap();
    assert_eq!(raw().await, 360 - 27);
    check("an hour packed in part").await;
    // A second leader's late copy of a packed sample, then the rest packed.
    let late = PollWrite {
        region_id: R.into(),
        instance_name: inst.into(),
        at: 54_000,
        tasks: vec![TaskSample { task_id: 5, task_name: None, sample: Some(sample(36_030, 1)) }],
        ..PollWrite::default()
    };
    store.record_poll(&late).await.unwrap();
    check("a late copy").await;
    assert!(store.compact(i64::MAX / 2).await.unwrap() >= 334, "the rest and the late copy");
    assert_eq!(raw().await, 0);
    check("all packed").await;
    // Retention: hour 10 is wholly before 39,600; hour 11 is not, so it stays.
    let (swept, _) = store.sweep(39_601, 0).await.unwrap();
    assert!(swept >= 120);
    assert_eq!(store.samples(R, inst, 5, 0, i64::MAX).await.unwrap(), all[120..].to_vec());
}
