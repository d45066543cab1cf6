-- Narrower samples (the SQLite twin is ../sqlite/0004_narrow_samples.sql). A busy task
-- writes a sample every poll, so each byte of a row is about 2,900 bytes a task-day.
-- * stage and state are small codes (the lists below, fixed for good: they are stored data);
--   a value outside them is code 0 with its text in stage_other / state_other.
-- * received_lsn and latest_end_lsn are NULL when replay_lsn plus the lag figure gives them
--   (the lags are those differences by definition); only a value that does not fit is stored.
-- * The three service times are kept as seconds before the sample's time (one or two bytes
--   instead of four).
-- * The index on time alone is a BRIN index (a few pages: rows arrive in time order), for the
--   retention sweep.
-- * Columns go widest first, so no padding sits between them.
-- Stage codes: 1 precheck, 2 basebackup, 3 startup, 4 increment, 5 switch, 6 success.
-- State codes: 1 unstarted, 2 catchup, 3 streaming, 4 disconnect, 5 finish.
CREATE TABLE samples_narrow (
    task_ref BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    t BIGINT NOT NULL,
    replay_lsn BIGINT,
    not_yet_replayed BIGINT,
    behind_source_report BIGINT,
    received_lsn BIGINT,
    latest_end_lsn BIGINT,
    send_age BIGINT,
    receipt_age BIGINT,
    modified_age BIGINT,
    stage SMALLINT,
    state SMALLINT,
    replay_lag TEXT,
    stage_other TEXT,
    state_other TEXT,
    PRIMARY KEY (task_ref, t)
);
INSERT INTO samples_narrow (task_ref, t, stage, state, replay_lsn, not_yet_replayed, behind_source_report,
    received_lsn, latest_end_lsn, replay_lag, send_age, receipt_age, modified_age, stage_other, state_other)
SELECT task_ref, t,
    CASE WHEN stage IS NULL THEN NULL WHEN stage = 'precheck' THEN 1 WHEN stage = 'basebackup' THEN 2
        WHEN stage = 'startup' THEN 3 WHEN stage = 'increment' THEN 4 WHEN stage = 'switch' THEN 5
        WHEN stage = 'success' THEN 6 ELSE 0 END,
    CASE WHEN state IS NULL THEN NULL WHEN state = 'unstarted' THEN 1 WHEN state = 'catchup' THEN 2
        WHEN state = 'streaming' THEN 3 WHEN state = 'disconnect' THEN 4 WHEN state = 'finish' THEN 5
        ELSE 0 END,
    replay_lsn, not_yet_replayed, behind_source_report,
    CASE WHEN received_lsn::numeric = replay_lsn::numeric + not_yet_replayed THEN NULL ELSE received_lsn END,
    CASE WHEN latest_end_lsn::numeric = replay_lsn::numeric + behind_source_report THEN NULL
        ELSE latest_end_lsn END,
    replay_lag, t - last_msg_send_time, t - last_msg_receipt_time, t - gmt_modified,
    CASE WHEN stage IN ('precheck', 'basebackup', 'startup', 'increment', 'switch', 'success') THEN NULL
        ELSE stage END,
    CASE WHEN state IN ('unstarted', 'catchup', 'streaming', 'disconnect', 'finish') THEN NULL
        ELSE state END
FROM samples;
DROP TABLE samples;
ALTER TABLE samples_narrow RENAME TO samples;
CREATE INDEX samples_by_time ON samples USING brin (t);
