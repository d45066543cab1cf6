-- Narrower samples (the PostgreSQL twin is ../postgres/0004_narrow_samples.sql). A busy task
-- writes a sample every poll, so each byte of a row is about 2,900 bytes a task-day.
-- * stage and state are small codes (the lists below, fixed for good: they are stored data);
--   a value outside them is code 0 with its text in stage_other / state_other.
-- * received_lsn and latest_end_lsn are NULL when replay_lsn plus the lag figure gives them
--   (the lags are those differences by definition); only a value that does not fit is stored.
-- * The three service times are kept as seconds before the sample's time (one or two bytes
--   instead of four).
-- * No index on time alone: the retention sweep walks the primary key task by task.
-- Stage codes: 1 precheck, 2 basebackup, 3 startup, 4 increment, 5 switch, 6 success.
-- State codes: 1 unstarted, 2 catchup, 3 streaming, 4 disconnect, 5 finish.
CREATE TABLE samples_narrow (
    task_ref INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    t INTEGER NOT NULL,
    stage INTEGER,
    state INTEGER,
    replay_lsn INTEGER,
    not_yet_replayed INTEGER,
    behind_source_report INTEGER,
    received_lsn INTEGER,
    latest_end_lsn INTEGER,
    replay_lag TEXT,
    send_age INTEGER,
    receipt_age INTEGER,
    modified_age INTEGER,
    stage_other TEXT,
    state_other TEXT,
    PRIMARY KEY (task_ref, t)
) WITHOUT ROWID;
INSERT INTO samples_narrow
SELECT task_ref, t,
    CASE WHEN stage IS NULL THEN NULL WHEN stage = 'precheck' THEN 1 WHEN stage = 'basebackup' THEN 2
        WHEN stage = 'startup' THEN 3 WHEN stage = 'increment' THEN 4 WHEN stage = 'switch' THEN 5
        WHEN stage = 'success' THEN 6 ELSE 0 END,
    CASE WHEN state IS NULL THEN NULL WHEN state = 'unstarted' THEN 1 WHEN state = 'catchup' THEN 2
        WHEN state = 'streaming' THEN 3 WHEN state = 'disconnect' THEN 4 WHEN state = 'finish' THEN 5
        ELSE 0 END,
    replay_lsn, not_yet_replayed, behind_source_report,
    CASE WHEN received_lsn = replay_lsn + not_yet_replayed THEN NULL ELSE received_lsn END,
    CASE WHEN latest_end_lsn = replay_lsn + behind_source_report THEN NULL ELSE latest_end_lsn END,
    replay_lag, t - last_msg_send_time, t - last_msg_receipt_time, t - gmt_modified,
    CASE WHEN stage IN ('precheck', 'basebackup', 'startup', 'increment', 'switch', 'success') THEN NULL
        ELSE stage END,
    CASE WHEN state IN ('unstarted', 'catchup', 'streaming', 'disconnect', 'finish') THEN NULL
        ELSE state END
FROM samples;
DROP TABLE samples;
ALTER TABLE samples_narrow RENAME TO samples;
