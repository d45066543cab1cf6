//! The alert tables of the history store (migration `0003_alerts.sql`): each instance's rule
//! state with a version, the episodes, and the outbox. An evaluation's episode changes and their
//! outbox rows commit in one transaction, and only if the instance's version is still the one
//! the evaluation read: a second evaluator of the same poll (another replica, or this one after
//! a restart) changes nothing, so no episode fires twice and no message is queued twice.
use std::collections::BTreeMap;

use sqlx::Row;

use super::config::{Rule, RuleKind};
use super::engine::{Evaluation, Figures, InstanceState, Transition};
use super::message::AlertMessage;
use crate::store::{Store, StoreError};
use crate::watch::RAW_SAMPLES_SECS;

/// The state an evaluation starts from.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub version: i64,
    pub state: InstanceState,
}

/// What a commit did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    /// False when another evaluator got there first (nothing was written).
    pub applied: bool,
    pub episodes_fired: u64,
    pub episodes_resolved: u64,
    pub messages: u64,
}

/// One outbox row, due for an attempt.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: String,
    pub destination: String,
    pub payload: String,
    pub created_at_ms: i64,
    pub attempts: i64,
}

/// An episode, and one delivery (an outbox row: its destination by name only, never its URL),
/// for the API and the views: the wire types, stated once in the model.
pub use migration_model::alerts::{AlertDelivery as DeliveryView, AlertEpisode as EpisodeView};

/// The *not yet replayed* samples of every task of an instance from `from` to `to` (the history
/// store's), as `task → [(time, bytes)]`: one read per poll for `lag_growing`, not one per task.
///
/// A window within the last [`RAW_SAMPLES_SECS`] reads only the raw rows (the default window,
/// and the cheap read every poll makes); a longer one reads through the store's own sample read,
/// which also unpacks the hourly blocks older rows were packed into.
pub async fn lag_samples(
    store: &Store,
    region: &str,
    instance: &str,
    from: i64,
    to: i64,
) -> Result<std::collections::HashMap<u64, Vec<(i64, i64)>>, StoreError> {
    if to - from > RAW_SAMPLES_SECS {
        let mut out: std::collections::HashMap<u64, Vec<(i64, i64)>> = std::collections::HashMap::new();
        for (task, s) in store.instance_samples(region, instance, from, to).await? {
            if let Some(bytes) = s.not_yet_replayed_bytes {
                out.entry(task).or_default().push((s.t, bytes));
            }
        }
        return Ok(out);
    }
    let rows = sqlx::query(
        "SELECT k.task_id, s.t, s.not_yet_replayed FROM samples s JOIN tasks k ON k.id = s.task_ref \
         WHERE k.region_id = $1 AND k.instance_name = $2 AND s.t >= $3 AND s.t <= $4 \
         AND s.not_yet_replayed IS NOT NULL",
    )
    .bind(region)
    .bind(instance)
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    let mut out: std::collections::HashMap<u64, Vec<(i64, i64)>> = std::collections::HashMap::new();
    for r in &rows {
        let task: i64 = r.try_get(0)?;
        out.entry(task as u64).or_default().push((r.try_get(1)?, r.try_get(2)?));
    }
    Ok(out)
}

/// Every instance the alerts keep a rule state for, as `(region, instance)`.
pub async fn instances(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    let rows =
        sqlx::query("SELECT region_id, instance_name FROM alert_instances").fetch_all(store.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// Reads an instance's rule state (a fresh one, version 0, if it has none).
pub async fn load(store: &Store, region: &str, instance: &str) -> Result<Loaded, StoreError> {
    let row =
        sqlx::query("SELECT version, state FROM alert_instances WHERE region_id = $1 AND instance_name = $2")
            .bind(region)
            .bind(instance)
            .fetch_optional(store.pool())
            .await?;
    let Some(row) = row else { return Ok(Loaded::default()) };
    let version: i64 = row.try_get(0)?;
    let text: String = row.try_get(1)?;
    // A state this version cannot read starts afresh rather than stopping the alerts.
    let state = serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!(region, instance, "alert state unreadable, starting afresh: {e}");
        InstanceState::default()
    });
    Ok(Loaded { version, state })
}

/// What a commit needs besides the evaluation.
pub struct CommitContext<'a> {
    pub region: &'a str,
    pub instance: &'a str,
    pub rules: &'a [Rule],
    pub public_url: Option<&'a str>,
    pub now: i64,
}

/// Writes `eval` in one transaction if the instance's version is still `version`.
pub async fn commit(
    store: &Store,
    ctx: &CommitContext<'_>,
    version: i64,
    eval: Evaluation,
) -> Result<Committed, StoreError> {
    let mut state = eval.state;
    let mut tx = store.pool().begin().await?;
    // Claim the version first: a concurrent evaluator's claim blocks on this row (PostgreSQL) or
    // on the write lock (SQLite), then finds the version moved and writes nothing.
    let claimed = if version == 0 {
        sqlx::query(
            "INSERT INTO alert_instances (region_id, instance_name, version, state, updated_at) \
             VALUES ($1, $2, 1, '{}', $3) ON CONFLICT (region_id, instance_name) DO NOTHING",
        )
        .bind(ctx.region)
        .bind(ctx.instance)
        .bind(ctx.now)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE alert_instances SET version = version + 1, updated_at = $4 \
             WHERE region_id = $1 AND instance_name = $2 AND version = $3",
        )
        .bind(ctx.region)
        .bind(ctx.instance)
        .bind(version)
        .bind(ctx.now)
        .execute(&mut *tx)
        .await?
    };
    if claimed.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(Committed::default());
    }
    let mut done = Committed { applied: true, ..Committed::default() };
    let rules: BTreeMap<&str, &Rule> = ctx.rules.iter().map(|r| (r.name.as_str(), r)).collect();
    // Queued now by the wall clock (the poll's time may lag it): the 24 h of retries and the
    // first attempt count from here.
    let now_ms = super::sender::now_ms();
    for t in eval.transitions {
        match t {
            Transition::Fire { fingerprint, rule, kind, task_id, started_at, figures } => {
                let one_shot = kind.one_shot();
                let figures_json = serde_json::to_string(&figures).unwrap_or_default();
                let global = format!("{}|{}|{fingerprint}", ctx.region, ctx.instance);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO alert_episodes (rule, kind, severity, region_id, instance_name, task_id, fingerprint, \
                     started_at, fired_at, resolved_at, last_notified_at, notifications, figures, open_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, 1, $11, $12) RETURNING id",
                )
                .bind(&rule)
                .bind(kind.as_str())
                .bind(kind.severity())
                .bind(ctx.region)
                .bind(ctx.instance)
                .bind(task_id.map(|t| t as i64))
                .bind(&global)
                .bind(started_at)
                .bind(ctx.now)
                .bind(one_shot.then_some(ctx.now))
                .bind(figures_json)
                .bind((!one_shot).then_some(global.clone()))
                .fetch_one(&mut *tx)
                .await?;
                if let Some(open) = state.open.get_mut(&fingerprint) {
                    open.id = id;
                }
                done.episodes_fired += 1;
                let notice = Notice {
                    event: "firing",
                    seq: "1".into(),
                    rule: &rule,
                    kind,
                    task_id,
                    episode_id: id,
                    started_at,
                };
                done.messages +=
                    notice.enqueue(&mut tx, ctx, rules.get(rule.as_str()), &figures, now_ms).await?;
            }
            Transition::Repeat { fingerprint, episode_id, rule, kind, figures } => {
                let open = state.open.get(&fingerprint);
                let n = open.map_or(0, |e| e.notifications);
                sqlx::query(
                    "UPDATE alert_episodes SET last_notified_at = $2, notifications = $3, figures = $4 WHERE id = $1",
                )
                .bind(episode_id)
                .bind(ctx.now)
                .bind(n)
                .bind(serde_json::to_string(&figures).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
                let notice = Notice {
                    event: "repeat",
                    seq: n.to_string(),
                    rule: &rule,
                    kind,
                    task_id: open.and_then(|e| e.task_id),
                    episode_id,
                    started_at: open.map_or(ctx.now, |e| e.started_at),
                };
                done.messages +=
                    notice.enqueue(&mut tx, ctx, rules.get(rule.as_str()), &figures, now_ms).await?;
            }
            Transition::Resolve { episode, kind, figures, notify, .. } => {
                sqlx::query("UPDATE alert_episodes SET resolved_at = $2, open_key = NULL WHERE id = $1")
                    .bind(episode.id)
                    .bind(ctx.now)
                    .execute(&mut *tx)
                    .await?;
                done.episodes_resolved += 1;
                let (Some(kind), true) = (kind, notify) else { continue };
                let notice = Notice {
                    event: "resolved",
                    seq: "resolved".into(),
                    rule: &episode.rule,
                    kind,
                    task_id: episode.task_id,
                    episode_id: episode.id,
                    started_at: episode.started_at,
                };
                let rule = rules.get(episode.rule.as_str());
                done.messages += notice.enqueue(&mut tx, ctx, rule, &figures, now_ms).await?;
            }
        }
    }
    sqlx::query("UPDATE alert_instances SET state = $3 WHERE region_id = $1 AND instance_name = $2")
        .bind(ctx.region)
        .bind(ctx.instance)
        .bind(serde_json::to_string(&state).unwrap_or_else(|_| "{}".into()))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done)
}

/// One episode event (fire, repeat or resolve), to be queued for each destination of its rule.
struct Notice<'a> {
    event: &'static str,
    /// The middle of the message id: the notification's number, or `resolved`.
    seq: String,
    rule: &'a str,
    kind: RuleKind,
    task_id: Option<u64>,
    episode_id: i64,
    started_at: i64,
}

impl Notice<'_> {
    /// The message to `dest`: its id (`msg_{episode}_{seq}_{destination}`) is the same on every
    /// retry and unique per episode event and destination.
    fn message(&self, ctx: &CommitContext<'_>, figures: &Figures, dest: &str) -> AlertMessage {
        AlertMessage {
            id: format!("msg_{}_{}_{dest}", self.episode_id, self.seq),
            event: self.event.into(),
            rule: self.rule.into(),
            kind: self.kind,
            severity: self.kind.severity().into(),
            region_id: ctx.region.into(),
            db_instance_name: ctx.instance.into(),
            task_id: self.task_id,
            episode_id: self.episode_id,
            started_at: self.started_at,
            at: ctx.now,
            figures: figures.clone(),
            link: AlertMessage::link_for(ctx.public_url, ctx.region, ctx.instance, self.task_id),
        }
    }

    /// Queues the message for each of `rule`'s destinations (none when the rule is gone);
    /// returns the rows queued.
    async fn enqueue(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        ctx: &CommitContext<'_>,
        rule: Option<&&Rule>,
        figures: &Figures,
        now_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut queued = 0;
        for dest in rule.map_or(&[][..], |r| &r.destinations[..]) {
            queued += enqueue(tx, &self.message(ctx, figures, dest), dest, now_ms).await?;
        }
        Ok(queued)
    }
}

async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    msg: &AlertMessage,
    dest: &str,
    now_ms: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO alert_outbox (message_id, episode_id, destination, event, payload, created_at_ms, status, \
         attempts, next_attempt_ms) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $6) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&msg.id)
    .bind(msg.episode_id)
    .bind(dest)
    .bind(&msg.event)
    .bind(serde_json::to_string(msg).unwrap_or_default())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected())
}

/// Pending rows whose next attempt is due and whose lease (if any) has run out, oldest first.
pub async fn due(store: &Store, now_ms: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, message_id, destination, payload, created_at_ms, attempts FROM alert_outbox \
         WHERE status = 'pending' AND next_attempt_ms <= $1 AND (lease_until_ms IS NULL OR lease_until_ms < $1) \
         ORDER BY id LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OutboxRow {
                id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                destination: r.try_get(2)?,
                payload: r.try_get(3)?,
                created_at_ms: r.try_get(4)?,
                attempts: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// The soonest next attempt among pending rows (to sleep until it).
pub async fn next_due_ms(store: &Store) -> Result<Option<i64>, StoreError> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(CASE WHEN lease_until_ms IS NOT NULL AND lease_until_ms > next_attempt_ms \
         THEN lease_until_ms ELSE next_attempt_ms END) FROM alert_outbox WHERE status = 'pending'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(v)
}

/// Takes a row for one attempt (a lease, so a second sender leaves it alone until the lease
/// ends; a sender killed mid-attempt leaves it to the next one after the lease).
pub async fn claim(store: &Store, id: i64, now_ms: i64, lease_ms: i64) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE alert_outbox SET lease_until_ms = $3 WHERE id = $1 AND status = 'pending' \
         AND (lease_until_ms IS NULL OR lease_until_ms < $2)",
    )
    .bind(id)
    .bind(now_ms)
    .bind(now_ms + lease_ms)
    .execute(store.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How an attempt ended.
#[derive(Clone, Debug)]
pub enum AttemptEnd {
    Sent { status: u16 },
    Retry { status: Option<u16>, error: String, next_ms: i64 },
    Failed { status: Option<u16>, error: String },
}

pub async fn finish(store: &Store, id: i64, now_ms: i64, end: &AttemptEnd) -> Result<(), StoreError> {
    let (status, code, error, next, sent) = match end {
        AttemptEnd::Sent { status } => ("sent", Some(*status), None, None, Some(now_ms)),
        AttemptEnd::Retry { status, error, next_ms } => {
            ("pending", *status, Some(error.clone()), Some(*next_ms), None)
        }
        AttemptEnd::Failed { status, error } => ("failed", *status, Some(error.clone()), None, None),
    };
    sqlx::query(
        "UPDATE alert_outbox SET status = $2, attempts = attempts + 1, last_attempt_ms = $3, last_status = $4, \
         last_error = $5, next_attempt_ms = COALESCE($6, next_attempt_ms), sent_at_ms = $7, lease_until_ms = NULL \
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(now_ms)
    .bind(code.map(i64::from))
    .bind(error)
    .bind(next)
    .bind(sent)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Which episodes to list.
#[derive(Clone, Debug, Default)]
pub struct EpisodeFilter {
    pub region: Option<String>,
    pub instance: Option<String>,
    pub task_id: Option<u64>,
    pub firing_only: bool,
    pub limit: i64,
}

pub async fn episodes(store: &Store, f: &EpisodeFilter) -> Result<Vec<EpisodeView>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, rule, kind, severity, region_id, instance_name, task_id, started_at, fired_at, resolved_at, \
         last_notified_at, notifications, figures FROM alert_episodes \
         WHERE ($1 = '' OR region_id = $1) AND ($2 = '' OR instance_name = $2) AND ($3 < 0 OR task_id = $3) \
         AND ($4 = 0 OR resolved_at IS NULL) ORDER BY fired_at DESC, id DESC LIMIT $5",
    )
    .bind(f.region.clone().unwrap_or_default())
    .bind(f.instance.clone().unwrap_or_default())
    .bind(f.task_id.map_or(-1, |t| t as i64))
    .bind(i64::from(f.firing_only))
    .bind(f.limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| -> Result<EpisodeView, sqlx::Error> {
            let kind: String = r.try_get(2)?;
            let resolved_at: Option<i64> = r.try_get(9)?;
            let one_shot = RuleKind::parse(&kind).is_some_and(RuleKind::one_shot);
            let figures: String = r.try_get(12)?;
            Ok(EpisodeView {
                id: r.try_get(0)?,
                rule: r.try_get(1)?,
                kind,
                severity: r.try_get(3)?,
                region_id: r.try_get(4)?,
                db_instance_name: r.try_get(5)?,
                task_id: r.try_get::<Option<i64>, _>(6)?.map(|t| t as u64),
                status: if one_shot {
                    "notified"
                } else if resolved_at.is_some() {
                    "resolved"
                } else {
                    "firing"
                }
                .into(),
                started_at: r.try_get(7)?,
                fired_at: r.try_get(8)?,
                resolved_at,
                last_notified_at: r.try_get(10)?,
                notifications: r.try_get(11)?,
                figures: serde_json::from_str(&figures).unwrap_or_default(),
            })
        })
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

/// The latest deliveries, newest first.
pub async fn deliveries(store: &Store, limit: i64) -> Result<Vec<DeliveryView>, StoreError> {
    let rows = sqlx::query(
        "SELECT o.message_id, o.episode_id, o.destination, o.event, o.status, o.attempts, o.created_at_ms, \
         o.last_attempt_ms, o.last_status, o.last_error, o.sent_at_ms, o.next_attempt_ms, e.rule, e.region_id, \
         e.instance_name, e.task_id FROM alert_outbox o JOIN alert_episodes e ON e.id = o.episode_id \
         ORDER BY o.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| -> Result<DeliveryView, sqlx::Error> {
            let status: String = r.try_get(4)?;
            let next: i64 = r.try_get(11)?;
            Ok(DeliveryView {
                message_id: r.try_get(0)?,
                episode_id: r.try_get(1)?,
                rule: r.try_get(12)?,
                region_id: r.try_get(13)?,
                db_instance_name: r.try_get(14)?,
                task_id: r.try_get::<Option<i64>, _>(15)?.map(|t| t as u64),
                destination: r.try_get(2)?,
                event: r.try_get(3)?,
                next_attempt_ms: (status == "pending").then_some(next),
                status,
                attempts: r.try_get(5)?,
                created_at_ms: r.try_get(6)?,
                last_attempt_ms: r.try_get(7)?,
                last_status: r.try_get(8)?,
                last_error: r.try_get(9)?,
                sent_at_ms: r.try_get(10)?,
            })
        })
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}

/// Counts of outbox rows by status, for the metrics.
pub async fn outbox_counts(store: &Store) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows =
        sqlx::query("SELECT destination, status, COUNT(*) FROM alert_outbox GROUP BY destination, status")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}
