-- The watcher's memory of each instance, written in the same transaction as the poll it
-- describes: the last poll's report (what /api/watch and every replica show) and the state the
-- next poll diffs against (so a restarted proxy or a new leader carries on without inventing
-- "appeared" events). The SQLite twin is ../sqlite/0002_watch_polls.sql.
CREATE TABLE watch_polls (
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    report TEXT NOT NULL,
    state TEXT,
    PRIMARY KEY (region_id, instance_name)
);
