-- Samples packed per task and hour (the SQLite twin is ../sqlite/0005_sample_blocks.sql).
-- The watcher writes raw rows into samples (one transaction per poll, as before); the leader
-- packs each finished hour of a task into one row here and deletes the raw rows it packed, in
-- one transaction (proxy/src/store/compact.rs). A busy task's hour is one row of a few
-- kilobytes instead of 120 rows whose headers and index entries cost more than their figures.
-- data: a version byte, then the hour's columns (proxy/src/store/blocks.rs). t0: the hour's
-- start, Unix seconds; n: the samples in it.
CREATE TABLE sample_blocks (
    task_ref BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    t0 BIGINT NOT NULL,
    n BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (task_ref, t0)
);
