-- Narrower events (the PostgreSQL twin is ../postgres/0006_narrow_events.sql). A busy task's
-- switch-readiness verdict turns about twice per lag cycle, so its events cost as much as its
-- samples: each row, and each of its index entries, repeated the region and instance names and
-- a dedup name of some 40 bytes.
-- * instance_ref: the instance's row in instances (made by the first poll with an event).
-- * kind: a code (fixed for good: they are stored data): 1 task_appeared, 2 task_vanished,
--   3 stage_changed, 4 state_changed, 5 disconnect_began, 6 disconnect_ended, 7 detail_line,
--   8 precheck_report, 9 readiness_changed, 10 poll_failing, 11 poll_recovered.
-- * dedup: the first 8 bytes of the SHA-256 of the dedup name, big-endian. SQLite cannot
--   compute it, and one proxy writes a SQLite store (no second writer to collide with), so the
--   events stored before keep a distinct placeholder, minus their id.
CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    UNIQUE (region_id, instance_name)
);
INSERT INTO instances (region_id, instance_name)
SELECT DISTINCT region_id, instance_name FROM events ORDER BY region_id, instance_name;
CREATE TABLE events_narrow (
    id INTEGER PRIMARY KEY,
    instance_ref INTEGER NOT NULL REFERENCES instances (id),
    task_id INTEGER,
    kind INTEGER NOT NULL,
    observed_after INTEGER,
    observed_at INTEGER NOT NULL,
    at INTEGER,
    from_value TEXT,
    to_value TEXT,
    text TEXT,
    duration_min INTEGER,
    duration_max INTEGER,
    dedup INTEGER NOT NULL,
    UNIQUE (instance_ref, dedup)
);
INSERT INTO events_narrow (id, instance_ref, task_id, kind, observed_after, observed_at, at, from_value, to_value,
    text, duration_min, duration_max, dedup)
SELECT e.id, i.id, e.task_id,
    CASE e.kind WHEN 'task_appeared' THEN 1 WHEN 'task_vanished' THEN 2 WHEN 'stage_changed' THEN 3
        WHEN 'state_changed' THEN 4 WHEN 'disconnect_began' THEN 5 WHEN 'disconnect_ended' THEN 6
        WHEN 'detail_line' THEN 7 WHEN 'precheck_report' THEN 8 WHEN 'readiness_changed' THEN 9
        WHEN 'poll_failing' THEN 10 WHEN 'poll_recovered' THEN 11 ELSE 0 END,
    e.observed_after, e.observed_at, e.at, e.from_value, e.to_value, e.text, e.duration_min, e.duration_max, -e.id
FROM events e JOIN instances i ON i.region_id = e.region_id AND i.instance_name = e.instance_name;
DROP TABLE events;
ALTER TABLE events_narrow RENAME TO events;
CREATE INDEX events_by_task ON events (instance_ref, task_id, observed_at);
-- A task's stages over its whole history (task_appeared, stage_changed) without reading its
-- other events.
CREATE INDEX events_stages ON events (instance_ref, task_id, observed_at) WHERE kind IN (1, 3);
CREATE INDEX events_by_time ON events (observed_at);
