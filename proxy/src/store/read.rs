//! Reads for the history API (`history_api.rs`): an instance's tasks, their samples over a range
//! and the latest sample of each, and when each watched instance last gave data.
use std::collections::HashMap;

use migration_model::history::HistorySample;
use sqlx::Row;

use super::{sample_of, Store, StoreError, SAMPLE_COLUMNS};

/// A task's samples over a range, as the task history answers them (see
/// [`Store::downsampled_samples`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downsampled {
    /// Samples stored in the range.
    pub stored: u64,
    /// At most `points` samples: `migration_model::history::downsample` of the range, computed
    /// by the database so that only these rows leave it.
    pub samples: Vec<HistorySample>,
    /// `(t, not yet replayed)` over the `window_secs` before the range's last sample that has
    /// the figure (what the catch-up rate reads).
    pub recent_lags: Vec<(i64, i64)>,
}

/// A task the watcher has seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTask {
    pub task_id: u64,
    pub task_name: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// The first column after the sample's (`SAMPLE_COLUMNS`, then `k.task_id` or a bucket's figures).
const TASK_ID_COLUMN: usize = 14;

impl Store {
    /// The tasks of an instance, by task ID.
    pub async fn tasks(&self, region: &str, instance: &str) -> Result<Vec<StoredTask>, StoreError> {
        let r = sqlx::query(
            "SELECT task_id, task_name, first_seen, last_seen FROM tasks \
             WHERE region_id = $1 AND instance_name = $2 ORDER BY task_id",
        )
        .bind(region)
        .bind(instance)
        .fetch_all(self.pool())
        .await;
        let rows = self.note(r)?;
        rows.iter()
            .map(|row| -> Result<StoredTask, sqlx::Error> {
                Ok(StoredTask {
                    task_id: row.try_get::<i64, _>(0)? as u64,
                    task_name: row.try_get(1)?,
                    first_seen: row.try_get(2)?,
                    last_seen: row.try_get(3)?,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }

    /// Every task's samples with `from <= t <= to`, by task then time.
    pub async fn instance_samples(
        &self,
        region: &str,
        instance: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(u64, HistorySample)>, StoreError> {
        let sql = format!(
            "SELECT {SAMPLE_COLUMNS}, k.task_id FROM samples s JOIN tasks k ON k.id = s.task_ref \
             WHERE k.region_id = $1 AND k.instance_name = $2 AND s.t >= $3 AND s.t <= $4 \
             ORDER BY k.task_id, s.t"
        );
        let r =
            sqlx::query(&sql).bind(region).bind(instance).bind(from).bind(to).fetch_all(self.pool()).await;
        let rows = self.note(r)?;
        rows.iter()
            .map(|row| Ok((row.try_get::<i64, _>(TASK_ID_COLUMN)? as u64, sample_of(row)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Each task's latest sample at or before `at` (its stage and state then).
    pub async fn latest_samples(
        &self,
        region: &str,
        instance: &str,
        at: i64,
    ) -> Result<Vec<(u64, HistorySample)>, StoreError> {
        let sql = format!(
            "SELECT {SAMPLE_COLUMNS}, k.task_id FROM samples s JOIN tasks k ON k.id = s.task_ref \
             WHERE k.region_id = $1 AND k.instance_name = $2 \
             AND s.t = (SELECT MAX(x.t) FROM samples x WHERE x.task_ref = s.task_ref AND x.t <= $3) \
             ORDER BY k.task_id"
        );
        let r = sqlx::query(&sql).bind(region).bind(instance).bind(at).fetch_all(self.pool()).await;
        let rows = self.note(r)?;
        rows.iter()
            .map(|row| Ok((row.try_get::<i64, _>(TASK_ID_COLUMN)? as u64, sample_of(row)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// A task's samples with `from <= t <= to`, downsampled to at most `points` exactly as
    /// `migration_model::history::downsample` does (each bucket's last sample, with the bucket's
    /// least and greatest lag figures and its count), but in the database: a week at 30 s is
    /// 20,160 rows, and moving each through the driver cost far more than the grouping. The
    /// buckets are the outer loop (`CROSS JOIN` makes SQLite keep that order), so each one's last
    /// sample is one primary-key lookup, not a scan.
    pub async fn downsampled_samples(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
        (from, to): (i64, i64),
        points: usize,
        window_secs: i64,
    ) -> Result<Downsampled, StoreError> {
        let r = async {
            let Some(task_ref) = sqlx::query_scalar::<_, i64>(
                "SELECT id FROM tasks WHERE region_id = $1 AND instance_name = $2 AND task_id = $3",
            )
            .bind(region)
            .bind(instance)
            .bind(task_id as i64)
            .fetch_optional(self.pool())
            .await?
            else {
                return Ok(Downsampled::default());
            };
            let stats = sqlx::query(
                "SELECT COUNT(*), MIN(t), MAX(t), MAX(CASE WHEN not_yet_replayed IS NOT NULL THEN t END) \
                 FROM samples WHERE task_ref = $1 AND t >= $2 AND t <= $3",
            )
            .bind(task_ref)
            .bind(from)
            .bind(to)
            .fetch_one(self.pool())
            .await?;
            let stored: i64 = stats.try_get(0)?;
            let (first, last, last_lag) = (
                stats.try_get::<Option<i64>, _>(1)?,
                stats.try_get::<Option<i64>, _>(2)?,
                stats.try_get::<Option<i64>, _>(3)?,
            );
            let points = points.max(1) as i64;
            let samples = match (first, last) {
                (Some(first), Some(last)) if stored > points => {
                    let span = (last - first).max(1) + 1;
                    let sql = format!(
                        "SELECT {SAMPLE_COLUMNS}, g.nmin, g.nmax, g.bmin, g.bmax, g.c FROM \
                         (SELECT (t - $4) * $5 / $6 AS b, MAX(t) AS lt, MIN(not_yet_replayed) AS nmin, \
                         MAX(not_yet_replayed) AS nmax, MIN(behind_source_report) AS bmin, \
                         MAX(behind_source_report) AS bmax, COUNT(*) AS c FROM samples \
                         WHERE task_ref = $1 AND t >= $2 AND t <= $3 GROUP BY 1) g \
                         CROSS JOIN samples s WHERE s.task_ref = $1 AND s.t = g.lt ORDER BY s.t"
                    );
                    let rows = sqlx::query(&sql)
                        .bind(task_ref)
                        .bind(from)
                        .bind(to)
                        .bind(first)
                        .bind(points)
                        .bind(span)
                        .fetch_all(self.pool())
                        .await?;
                    rows.iter()
                        .map(|row| {
                            let mut s = sample_of(row)?;
                            let n = TASK_ID_COLUMN; // the bucket's figures follow the sample
                            s.not_yet_replayed_min = row.try_get(n)?;
                            s.not_yet_replayed_max = row.try_get(n + 1)?;
                            s.behind_source_report_min = row.try_get(n + 2)?;
                            s.behind_source_report_max = row.try_get(n + 3)?;
                            s.count = row.try_get::<i64, _>(n + 4)?.clamp(0, u32::MAX.into()) as u32;
                            Ok(s)
                        })
                        .collect::<Result<Vec<_>, sqlx::Error>>()?
                }
                (Some(_), Some(_)) => {
                    let sql = format!(
                        "SELECT {SAMPLE_COLUMNS} FROM samples WHERE task_ref = $1 AND t >= $2 AND t <= $3 ORDER BY t"
                    );
                    let rows =
                        sqlx::query(&sql).bind(task_ref).bind(from).bind(to).fetch_all(self.pool()).await?;
                    rows.iter().map(sample_of).collect::<Result<Vec<_>, sqlx::Error>>()?
                }
                _ => Vec::new(),
            };
            let recent_lags = match last_lag {
                Some(last_lag) => sqlx::query(
                    "SELECT t, not_yet_replayed FROM samples WHERE task_ref = $1 AND t >= $2 AND t <= $3 \
                     AND not_yet_replayed IS NOT NULL ORDER BY t",
                )
                .bind(task_ref)
                .bind(from.max(last_lag.saturating_sub(window_secs.max(0))))
                .bind(last_lag)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?,
                None => Vec::new(),
            };
            Ok(Downsampled { stored: stored as u64, samples, recent_lags })
        }
        .await;
        self.note(r)
    }

    /// When each instance's tasks were last seen by a poll: (region, instance) → Unix seconds.
    pub async fn last_seen_by_instance(&self) -> Result<HashMap<(String, String), i64>, StoreError> {
        let r = sqlx::query(
            "SELECT region_id, instance_name, MAX(last_seen) FROM tasks GROUP BY region_id, instance_name",
        )
        .fetch_all(self.pool())
        .await;
        let rows = self.note(r)?;
        rows.iter()
            .map(|row| Ok(((row.try_get(0)?, row.try_get(1)?), row.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Whether the instance is in the watch set.
    pub async fn is_watched(&self, region: &str, instance: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("SELECT 1 FROM watches WHERE region_id = $1 AND instance_name = $2")
            .bind(region)
            .bind(instance)
            .fetch_optional(self.pool())
            .await;
        self.note(r).map(|row| row.is_some())
    }
}
