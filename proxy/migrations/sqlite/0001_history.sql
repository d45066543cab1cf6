-- History store, SQLite dialect (the PostgreSQL twin is ../postgres/0001_history.sql).
-- Times are Unix seconds (UTC).
CREATE TABLE watches (
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    source TEXT NOT NULL,
    added_by TEXT,
    added_at INTEGER NOT NULL,
    last_viewed_at INTEGER,
    PRIMARY KEY (region_id, instance_name)
);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    task_name TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    UNIQUE (region_id, instance_name, task_id)
);
-- One row per (task, poll time): the key makes a second writer's copy a no-op.
CREATE TABLE samples (
    task_ref INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    t INTEGER NOT NULL,
    stage TEXT,
    state TEXT,
    received_lsn INTEGER,
    latest_end_lsn INTEGER,
    replay_lsn INTEGER,
    not_yet_replayed INTEGER,
    behind_source_report INTEGER,
    replay_lag TEXT,
    last_msg_send_time INTEGER,
    last_msg_receipt_time INTEGER,
    gmt_modified INTEGER,
    PRIMARY KEY (task_ref, t)
) WITHOUT ROWID;
-- dedup names the event independently of when it was observed, so two writers observing the
-- same change write one row.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    task_id INTEGER,
    kind TEXT NOT NULL,
    observed_after INTEGER,
    observed_at INTEGER NOT NULL,
    at INTEGER,
    from_value TEXT,
    to_value TEXT,
    text TEXT,
    duration_min INTEGER,
    duration_max INTEGER,
    dedup TEXT NOT NULL,
    UNIQUE (region_id, instance_name, dedup)
);
CREATE INDEX events_by_task ON events (region_id, instance_name, task_id, observed_at);
CREATE INDEX events_by_time ON events (observed_at);
CREATE INDEX samples_by_time ON samples (t);
