-- Alerts, SQLite dialect (the PostgreSQL twin is ../postgres/0003_alerts.sql). Times are Unix
-- seconds, except the outbox's *_ms columns (milliseconds: retries start at about a second).

-- One row per instance: the rules' memory (pending conditions, last stages, open episodes) as
-- JSON, and a version that every evaluation bumps. An evaluation commits only if the version is
-- still the one it read, so two evaluators of the same poll (two replicas, a restart) cannot
-- both write: the second one's transaction changes nothing.
CREATE TABLE alert_instances (
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (region_id, instance_name)
);
-- An episode: from the moment a condition fires to the moment it resolves. open_key is the
-- fingerprint while the episode is open and NULL after: at most one open episode per condition.
CREATE TABLE alert_episodes (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    region_id TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    task_id INTEGER,
    fingerprint TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    fired_at INTEGER NOT NULL,
    resolved_at INTEGER,
    last_notified_at INTEGER NOT NULL,
    notifications INTEGER NOT NULL,
    figures TEXT NOT NULL,
    open_key TEXT UNIQUE
);
CREATE INDEX alert_episodes_by_task ON alert_episodes (region_id, instance_name, task_id, fired_at);
CREATE INDEX alert_episodes_by_time ON alert_episodes (fired_at);
-- One message to one destination. message_id is the idempotency key every retry carries.
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    episode_id INTEGER NOT NULL REFERENCES alert_episodes (id) ON DELETE CASCADE,
    destination TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    lease_until_ms INTEGER,
    last_attempt_ms INTEGER,
    last_status INTEGER,
    last_error TEXT,
    sent_at_ms INTEGER
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_ms);
CREATE INDEX alert_outbox_by_time ON alert_outbox (created_at_ms);
