//! Reads for the history API (`history_api.rs`): an instance's tasks, their samples over a range
//! and the latest sample of each, and when each watched instance last gave data.
use std::collections::HashMap;

use migration_model::history::HistorySample;
use sqlx::Row as _;

use super::blocks::{self, Row, Texts, BLOCK_SECS};
use super::{row_of, sample_from, Store, StoreError, SAMPLE_COLUMNS};

/// A task's samples over a range, as the task history answers them (see
/// [`Store::downsampled_samples`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downsampled {
    /// Samples stored in the range.
    pub stored: u64,
    /// At most `points` samples: `migration_model::history::downsample` of the range.
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

/// The first column after the sample's (`SAMPLE_COLUMNS`, then `k.task_id`).
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
        let r = self.stored_rows(region, instance, None, from, to).await;
        let (rows, texts) = self.note(r)?;
        Ok(rows.iter().map(|(task, row)| (*task, sample_from(row, &texts))).collect())
    }

    /// The stored rows of one task (or every task of the instance) with `from <= t <= to`, by
    /// task then time: the raw rows and the packed blocks (see `blocks.rs`), each sample once.
    /// The raw rows are read first: a compaction committed between the two reads then shows its
    /// samples in both (the copy is dropped), never in neither.
    pub(crate) async fn stored_rows(
        &self,
        region: &str,
        instance: &str,
        task: Option<u64>,
        from: i64,
        to: i64,
    ) -> Result<(Vec<(u64, Row)>, Texts), sqlx::Error> {
        if from > to {
            return Ok((Vec::new(), Texts::default()));
        }
        let task = task.map_or(-1, |t| t as i64);
        let raw = sqlx::query(&format!(
            "SELECT {SAMPLE_COLUMNS}, k.task_id FROM samples s JOIN tasks k ON k.id = s.task_ref \
             WHERE k.region_id = $1 AND k.instance_name = $2 AND ($3 < 0 OR k.task_id = $3) \
             AND s.t >= $4 AND s.t <= $5"
        ))
        .bind(region)
        .bind(instance)
        .bind(task)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let packed = sqlx::query(
            "SELECT b.t0, b.data, k.task_id FROM sample_blocks b JOIN tasks k ON k.id = b.task_ref \
             WHERE k.region_id = $1 AND k.instance_name = $2 AND ($3 < 0 OR k.task_id = $3) \
             AND b.t0 >= $4 AND b.t0 <= $5",
        )
        .bind(region)
        .bind(instance)
        .bind(task)
        .bind(from.saturating_sub(BLOCK_SECS - 1))
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut texts = Texts::default();
        // Blocks first: on a time held twice, the block's copy (the first writer's) stays.
        let mut rows: Vec<(u64, Row)> = Vec::with_capacity(raw.len() + packed.len() * 120);
        let mut block = Vec::new();
        for b in &packed {
            let (t0, data, task): (i64, Vec<u8>, i64) = (b.try_get(0)?, b.try_get(1)?, b.try_get(2)?);
            block.clear();
            blocks::decode(t0, &data, &mut texts, &mut block).map_err(|e| sqlx::Error::Decode(e.into()))?;
            rows.extend(block.iter().filter(|r| r.t >= from && r.t <= to).map(|r| (task as u64, *r)));
        }
        for r in &raw {
            rows.push((r.try_get::<i64, _>(TASK_ID_COLUMN)? as u64, row_of(r, &mut texts)?));
        }
        rows.sort_by_key(|(task, r)| (*task, r.t));
        rows.dedup_by_key(|(task, r)| (*task, r.t));
        Ok((rows, texts))
    }

    /// Each task's latest sample at or before `at` (its stage and state then): the latest raw
    /// row or the latest block's last sample, whichever is later (raw rows read first, as in
    /// `stored_rows`).
    pub async fn latest_samples(
        &self,
        region: &str,
        instance: &str,
        at: i64,
    ) -> Result<Vec<(u64, HistorySample)>, StoreError> {
        let r = async {
            let raw = sqlx::query(&format!(
                "SELECT {SAMPLE_COLUMNS}, k.task_id FROM samples s JOIN tasks k ON k.id = s.task_ref \
                 WHERE k.region_id = $1 AND k.instance_name = $2 \
                 AND s.t = (SELECT MAX(x.t) FROM samples x WHERE x.task_ref = s.task_ref AND x.t <= $3)"
            ))
            .bind(region)
            .bind(instance)
            .bind(at)
            .fetch_all(self.pool())
            .await?;
            // Task by task: one index lookup each for its latest block, not a walk of them all.
            let packed = sqlx::query(
                "SELECT b.t0, b.data, k.task_id FROM tasks k JOIN sample_blocks b ON b.task_ref = k.id \
                 AND b.t0 = (SELECT MAX(x.t0) FROM sample_blocks x WHERE x.task_ref = k.id AND x.t0 <= $3) \
                 WHERE k.region_id = $1 AND k.instance_name = $2",
            )
            .bind(region)
            .bind(instance)
            .bind(at)
            .fetch_all(self.pool())
            .await?;
            let mut texts = Texts::default();
            let mut latest: std::collections::BTreeMap<u64, Row> = std::collections::BTreeMap::new();
            let mut block = Vec::new();
            for b in &packed {
                let (t0, data, task): (i64, Vec<u8>, i64) = (b.try_get(0)?, b.try_get(1)?, b.try_get(2)?);
                block.clear();
                blocks::decode(t0, &data, &mut texts, &mut block)
                    .map_err(|e| sqlx::Error::Decode(e.into()))?;
                if let Some(r) = block.iter().rev().find(|r| r.t <= at) {
                    latest.insert(task as u64, *r);
                }
            }
            for r in &raw {
                let task = r.try_get::<i64, _>(TASK_ID_COLUMN)? as u64;
                let row = row_of(r, &mut texts)?;
                if latest.get(&task).is_none_or(|l| l.t < row.t) {
                    latest.insert(task, row);
                }
            }
            Ok::<_, sqlx::Error>(latest.iter().map(|(task, r)| (*task, sample_from(r, &texts))).collect())
        }
        .await;
        self.note(r)
    }

    /// A task's samples with `from <= t <= to`, downsampled to at most `points` exactly as
    /// `migration_model::history::downsample` does (each bucket's last sample, with the bucket's
    /// least and greatest lag figures and its count): the model's own `buckets` over the stored
    /// rows, so only the chosen rows become samples (a week at 30 s is 20,160 rows, nearly all
    /// read as 168 packed blocks).
    pub async fn downsampled_samples(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
        (from, to): (i64, i64),
        points: usize,
        window_secs: i64,
    ) -> Result<Downsampled, StoreError> {
        let r = self.stored_rows(region, instance, Some(task_id), from, to).await;
        let (rows, texts) = self.note(r)?;
        let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
        let samples = if rows.len() > points.max(1) {
            let lags = |r: &Row| (r.not_yet_replayed, r.behind_source_report);
            migration_model::history::buckets(&rows, points, |r| r.t, lags)
                .iter()
                .map(|b| HistorySample {
                    not_yet_replayed_min: b.not_yet_replayed.map(|r| r.0),
                    not_yet_replayed_max: b.not_yet_replayed.map(|r| r.1),
                    behind_source_report_min: b.behind_source_report.map(|r| r.0),
                    behind_source_report_max: b.behind_source_report.map(|r| r.1),
                    count: b.count,
                    ..sample_from(&rows[b.last], &texts)
                })
                .collect()
        } else {
            rows.iter().map(|r| sample_from(r, &texts)).collect()
        };
        let recent_lags = match rows.iter().rev().find(|r| r.not_yet_replayed.is_some()) {
            Some(last) => {
                let since = from.max(last.t.saturating_sub(window_secs.max(0)));
                rows.iter()
                    .filter(|r| r.t >= since && r.t <= last.t)
                    .filter_map(|r| Some((r.t, r.not_yet_replayed?)))
                    .collect()
            }
            None => Vec::new(),
        };
        Ok(Downsampled { stored: rows.len() as u64, samples, recent_lags })
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
