-- Samples packed per task and hour (the PostgreSQL twin is ../postgres/0005_sample_blocks.sql).
-- The watcher writes raw rows into samples (one transaction per poll, as before); the leader
-- packs each finished hour of a task into one row here and deletes the raw rows it packed, in
-- one transaction (proxy/src/store/compact.rs). data: a version byte, then the hour's columns
-- (proxy/src/store/blocks.rs). t0: the hour's start, Unix seconds; n: the samples in it.
-- A rowid table: a block is a few kilobytes, and its key's index is one entry an hour.
CREATE TABLE sample_blocks (
    task_ref INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    t0 INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (task_ref, t0)
);
