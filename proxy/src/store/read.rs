//! Reads for the history API (`history_api.rs`): an instance's tasks, their samples over a range
//! and the latest sample of each, and when each watched instance last gave data.
use std::collections::HashMap;

use migration_model::history::HistorySample;
use sqlx::Row;

use super::{sample_of, Store, StoreError, SAMPLE_COLUMNS};

/// A task the watcher has seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTask {
    pub task_id: u64,
    pub task_name: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// The column after the sample's (`SAMPLE_COLUMNS`, then `k.task_id`).
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
