//! Packing raw samples into hourly blocks (see `blocks.rs`), run by the watcher's leader in the
//! background.
use std::collections::BTreeMap;

use sqlx::Row as _;

use super::blocks::{self, Row, Texts, BLOCK_SECS};
use super::{keep_prepared, push_list, push_rows, row_of, Backend, Store, StoreError, SAMPLE_COLUMNS};

/// Tasks per compaction transaction.
const TASKS_PER_BATCH: usize = 50;
/// Hours of one task packed per transaction, at most (a store upgraded with weeks of raw rows
/// is worked through a few hours at a time).
const HOURS_PER_BATCH: i64 = 6;
/// Blocks written per statement.
const BLOCKS_PER_STATEMENT: usize = 100;
/// The task reference after `SAMPLE_COLUMNS` in the compaction's read.
const TASK_REF_COLUMN: usize = 14;

impl Store {
    /// Packs the raw samples older than `before` (times from 1970 on) into one block per task
    /// and hour, merged with any block already there (an hour still under way is packed in
    /// several goes).
    ///
    /// Each batch is one transaction that writes its blocks and deletes exactly the raw rows it
    /// read; if another writer changed those rows meanwhile, the batch is undone and left for
    /// the next run. Returns the samples packed.
    pub async fn compact(&self, before: i64) -> Result<u64, StoreError> {
        let cutoff = before;
        let r = async {
            let mut packed = 0u64;
            loop {
                let mut pass = 0u64;
                let mut after = i64::MIN;
                loop {
                    let candidates = sqlx::query(
                        "SELECT task_ref, MIN(t) FROM samples WHERE task_ref > $1 AND t >= 0 AND t < $2 \
                         GROUP BY task_ref ORDER BY task_ref LIMIT $3",
                    )
                    .bind(after)
                    .bind(cutoff)
                    .bind(TASKS_PER_BATCH as i64)
                    .fetch_all(self.pool())
                    .await?;
                    let Some(last) = candidates.last() else { break };
                    after = last.try_get(0)?;
                    let mut refs = Vec::with_capacity(candidates.len());
                    let mut lo = i64::MAX;
                    for c in &candidates {
                        refs.push(c.try_get::<i64, _>(0)?);
                        lo = lo.min(blocks::block_start(c.try_get(1)?));
                    }
                    let hi = cutoff.min(lo.saturating_add(HOURS_PER_BATCH * BLOCK_SECS));
                    match self.compact_batch(&refs, lo, hi).await? {
                        Some(n) => pass += n,
                        // Changed under us: the next run retries.
                        None => return Ok(packed + pass),
                    }
                }
                packed += pass;
                if pass == 0 {
                    return Ok(packed);
                }
            }
        }
        .await;
        self.note(r)
    }

    /// One transaction: the raw rows of `refs` with `lo <= t < hi` packed into
    /// their blocks. `None` when the delete did not find exactly the rows read.
    async fn compact_batch(&self, refs: &[i64], lo: i64, hi: i64) -> Result<Option<u64>, sqlx::Error> {
        use sqlx::Connection;
        let backend = self.backend();
        let mut conn = self.pool().acquire().await?;
        let mut tx = conn.begin().await?;
        if backend == Backend::Sqlite {
            // Takes the write lock first (waiting out a poll's transaction under busy_timeout),
            // so the reads below cannot go stale before the writes.
            sqlx::query("DELETE FROM sample_blocks WHERE 0 = 1").execute(&mut *tx).await?;
        }
        // `$1`, `$2` (lo, hi), then the task list numbered on (SQLite numbers `$n` in the order
        // they appear, so it reads them alike).
        // Only a full batch's task list has the same text every time (see `keep_prepared`).
        let keep = keep_prepared(refs.len(), TASKS_PER_BATCH);
        let mut sql = format!(
            "SELECT {SAMPLE_COLUMNS}, task_ref FROM samples WHERE t >= $1 AND t < $2 AND task_ref IN "
        );
        push_list(&mut sql, Backend::Postgres, 2, refs.len());
        let mut q = sqlx::query(&sql).persistent(keep).bind(lo).bind(hi);
        for r in refs {
            q = q.bind(*r);
        }
        let raw = q.fetch_all(&mut *tx).await?;
        if raw.is_empty() {
            return Ok(Some(0));
        }
        let mut sql = String::from(
            "SELECT task_ref, t0, data FROM sample_blocks WHERE t0 >= $1 AND t0 < $2 AND task_ref IN ",
        );
        push_list(&mut sql, Backend::Postgres, 2, refs.len());
        let mut q = sqlx::query(&sql).persistent(keep).bind(lo).bind(hi);
        for r in refs {
            q = q.bind(*r);
        }
        let existing = q.fetch_all(&mut *tx).await?;

        // (task, hour) → rows: an existing block's first, so on a time held twice it stays.
        let mut texts = Texts::default();
        let mut hours: BTreeMap<(i64, i64), Vec<Row>> = BTreeMap::new();
        for b in &existing {
            let (task, t0, data): (i64, i64, Vec<u8>) = (b.try_get(0)?, b.try_get(1)?, b.try_get(2)?);
            blocks::decode(t0, &data, &mut texts, hours.entry((task, t0)).or_default())
                .map_err(|e| sqlx::Error::Decode(e.into()))?;
        }
        for r in &raw {
            let row = row_of(r, &mut texts)?;
            let task: i64 = r.try_get(TASK_REF_COLUMN)?;
            hours.entry((task, blocks::block_start(row.t))).or_default().push(row);
        }
        let mut written: Vec<(i64, i64, i64, Vec<u8>)> = Vec::with_capacity(hours.len());
        for ((task, t0), mut rows) in hours {
            rows.sort_by_key(|r| r.t);
            rows.dedup_by_key(|r| r.t);
            written.push((task, t0, rows.len() as i64, blocks::encode(t0, &rows, &texts)));
        }
        for chunk in written.chunks(BLOCKS_PER_STATEMENT) {
            let mut sql = String::from("INSERT INTO sample_blocks (task_ref, t0, n, data) VALUES ");
            push_rows(&mut sql, backend, chunk.len(), 4);
            sql.push_str(" ON CONFLICT (task_ref, t0) DO UPDATE SET n = excluded.n, data = excluded.data");
            let mut q = sqlx::query(&sql).persistent(keep_prepared(chunk.len(), BLOCKS_PER_STATEMENT));
            for (task, t0, n, data) in chunk {
                q = q.bind(*task).bind(*t0).bind(*n).bind(data.clone());
            }
            q.execute(&mut *tx).await?;
        }
        let mut sql = String::from("DELETE FROM samples WHERE t >= $1 AND t < $2 AND task_ref IN ");
        push_list(&mut sql, Backend::Postgres, 2, refs.len());
        let mut q = sqlx::query(&sql).persistent(keep).bind(lo).bind(hi);
        for r in refs {
            q = q.bind(*r);
        }
        let deleted = q.execute(&mut *tx).await?.rows_affected();
        if deleted != raw.len() as u64 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(deleted))
    }
}
