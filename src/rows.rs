//! What a table row shows, derived once per answer from the model's types, and the on-screen
//! sorting of a page's rows. Pure (no browser types), unit-tested natively.

use crate::url::{RowFilter, Sort, SortKey};
use chrono::{DateTime, Utc};
use migration_model::format;
use migration_model::{
    attention_with, precheck_summary, Attention, CheckCounts, HealthThresholds, MigrateStage, MigrationTask,
    PrecheckSummary, PrecheckTask, PrecheckVerdict, ReplicationState, SourceCategory,
};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A time field: absent, parsed (ms since the epoch), or as sent when it does not parse (kept,
/// never dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeValue {
    /// The service gave none.
    Absent,
    /// Milliseconds since the epoch.
    At(i64),
    /// Text that is not a time, shown as sent.
    Raw(String),
}

impl TimeValue {
    /// Reads a `Gmt*`/`SwitchTime` field (see `migration_model::time::parse_utc`).
    pub fn of(raw: Option<&str>) -> TimeValue {
        match raw {
            None => TimeValue::Absent,
            Some(r) => match migration_model::time::parse_utc(r) {
                Some(t) => TimeValue::At(t.timestamp_millis()),
                None => TimeValue::Raw(r.to_owned()),
            },
        }
    }

    /// The time in ms, when parsed.
    pub fn ms(&self) -> Option<i64> {
        match self {
            TimeValue::At(ms) => Some(*ms),
            _ => None,
        }
    }
}

/// What the task table shows of one task.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRow {
    /// TaskId.
    pub id: Option<u64>,
    /// TaskName.
    pub name: Option<String>,
    /// `ip:port`.
    pub source: Option<String>,
    /// SourceCategory.
    pub category: Option<SourceCategory>,
    /// SourceAccount.
    pub account: Option<String>,
    /// MigrateStage.
    pub stage: Option<MigrateStage>,
    /// ReplicationState.
    pub state: Option<ReplicationState>,
    /// Bytes not yet replayed (`ReceivedLsn − ReplayLsn`).
    pub lag_not_replayed: Option<i128>,
    /// Bytes behind the source's last report (`LatestEndLsn − ReplayLsn`).
    pub lag_behind_source: Option<i128>,
    /// `LastMsgReceiptTime`, ms since the epoch.
    pub last_message_ms: Option<i64>,
    /// GmtCreated.
    pub created: TimeValue,
    /// GmtModified.
    pub modified: TimeValue,
    /// SwitchTime.
    pub switch: TimeValue,
    /// What needs attention (failed precheck, disconnected, stale stream, lag high), judged
    /// when the answer arrived.
    pub attention: Attention,
}

impl TaskRow {
    /// Derives the row from a task at `now` (parsing `ReplicationInfo` once).
    pub fn of(task: &MigrationTask, now: DateTime<Utc>) -> TaskRow {
        TaskRow::of_with(task, now, &summary_of(task))
    }

    /// [`TaskRow::of`] with the task's precheck summary already worked out.
    fn of_with(task: &MigrationTask, now: DateTime<Utc>, summary: &PrecheckSummary) -> TaskRow {
        let info = task.replication().ok();
        TaskRow {
            attention: attention_with(task, summary, now, &HealthThresholds::default()),
            id: task.task_id,
            name: task.task_name.clone(),
            source: format::address(task.source_ip_address.as_deref(), task.source_port),
            category: task.source_category.clone(),
            account: task.source_account.clone(),
            stage: task.migrate_stage.clone(),
            state: task.replication_state.clone(),
            lag_not_replayed: info.as_ref().and_then(|i| i.lag_not_yet_replayed()),
            lag_behind_source: info.as_ref().and_then(|i| i.lag_behind_source_report()),
            last_message_ms: info
                .as_ref()
                .and_then(|i| i.last_msg_receipt_time)
                .map(|t| t.timestamp_millis()),
            created: TimeValue::of(task.gmt_created.as_deref()),
            modified: TimeValue::of(task.gmt_modified.as_deref()),
            switch: TimeValue::of(task.switch_time.as_deref()),
        }
    }
}

fn summary_of(task: &MigrationTask) -> PrecheckSummary {
    precheck_summary(&task.detail_log(), task.migrate_stage.as_ref())
}

/// The precheck summaries of the last answer's tasks, by `Detail` text and stage. Reading the
/// `Detail` logs is most of what deriving a page of rows costs, and between two refreshes most
/// logs are unchanged: [`task_rows`] reads again only those that changed.
#[derive(Default)]
pub struct SummaryCache(HashMap<(Option<String>, Option<MigrateStage>), PrecheckSummary>);

/// The rows of an answer's tasks at `now`, and the summaries to pass to the next call. Each row
/// equals [`TaskRow::of`]'s (attention is still judged at `now`).
pub fn task_rows(
    tasks: &[MigrationTask],
    now: DateTime<Utc>,
    previous: &SummaryCache,
) -> (Vec<TaskRow>, SummaryCache) {
    let mut next = HashMap::with_capacity(tasks.len());
    let rows = tasks
        .iter()
        .map(|task| {
            let key = (task.detail.clone(), task.migrate_stage.clone());
            let summary = match next.get(&key).or_else(|| previous.0.get(&key)) {
                Some(s) => s.clone(),
                None => summary_of(task),
            };
            let row = TaskRow::of_with(task, now, &summary);
            next.insert(key, summary);
            row
        })
        .collect();
    (rows, SummaryCache(next))
}

/// What the precheck table shows of one report.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecheckRow {
    /// TaskId.
    pub id: Option<u64>,
    /// TaskName.
    pub name: Option<String>,
    /// `ip:port`.
    pub source: Option<String>,
    /// SourceCategory.
    pub category: Option<SourceCategory>,
    /// SourceAccount.
    pub account: Option<String>,
    /// `SourceIpAddress` and `SourcePort`, when both are given: the tasks from the same source.
    pub source_key: Option<(String, u32)>,
    /// The overall result, from `Detail`.
    pub verdict: PrecheckVerdict,
    /// Check outcomes, from `Detail`.
    pub counts: CheckCounts,
    /// `Detail` as sent (the checklist is parsed from it when shown).
    pub detail: Option<String>,
    /// GmtCreated.
    pub created: TimeValue,
    /// GmtModified.
    pub modified: TimeValue,
}

impl PrecheckRow {
    /// Derives the row from a report (parsing `Detail` once).
    pub fn of(task: &PrecheckTask) -> PrecheckRow {
        let log = task.detail_log();
        PrecheckRow {
            id: task.task_id,
            name: task.task_name.clone(),
            source: format::address(task.source_ip_address.as_deref(), task.source_port),
            category: task.source_category.clone(),
            account: task.source_account.clone(),
            source_key: source_key(task.source_ip_address.as_deref(), task.source_port),
            verdict: log.precheck_verdict(),
            counts: log.check_counts(),
            detail: task.detail.clone(),
            created: TimeValue::of(task.gmt_created.as_deref()),
            modified: TimeValue::of(task.gmt_modified.as_deref()),
        }
    }
}

/// A source's address and port when both are given (trimmed): what links a precheck report and
/// the migration tasks from the same source.
pub fn source_key(ip: Option<&str>, port: Option<u32>) -> Option<(String, u32)> {
    let ip = ip.map(str::trim).filter(|s| !s.is_empty())?;
    Some((ip.to_owned(), port?))
}

/// A value rows are compared by. Missing values sort after present ones in both directions.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub enum SortValue {
    /// A number (IDs, lags, times, ordinals).
    Num(f64),
    /// Text, compared case-insensitively.
    Text(String),
    /// Nothing to compare.
    Missing,
}

fn num(v: Option<f64>) -> SortValue {
    v.map_or(SortValue::Missing, SortValue::Num)
}

fn text(v: Option<&str>) -> SortValue {
    v.map_or(SortValue::Missing, |s| SortValue::Text(s.to_ascii_lowercase()))
}

fn time(t: &TimeValue) -> SortValue {
    match t {
        TimeValue::At(ms) => SortValue::Num(*ms as f64),
        TimeValue::Raw(r) => SortValue::Text(r.to_ascii_lowercase()),
        TimeValue::Absent => SortValue::Missing,
    }
}

/// Stages and states sort in their documented order; unknown values after them, by text.
fn ordinal(ordinal: Option<usize>, wire: Option<&str>) -> SortValue {
    match (ordinal, wire) {
        (Some(o), _) => SortValue::Num(o as f64),
        (None, Some(w)) => SortValue::Text(format!("~{w}")),
        (None, None) => SortValue::Missing,
    }
}

impl TaskRow {
    /// The value of column `key`.
    pub fn sort_value(&self, key: SortKey) -> SortValue {
        match key {
            SortKey::TaskId => num(self.id.map(|n| n as f64)),
            SortKey::TaskName => text(self.name.as_deref()),
            SortKey::Source => text(self.source.as_deref()),
            SortKey::Attention => {
                let (severity, rank) = self.attention.triage_key();
                SortValue::Num(-f64::from(severity as u8 * 10 + rank))
            }
            SortKey::Stage => ordinal(
                self.stage.as_ref().and_then(MigrateStage::ordinal),
                self.stage.as_ref().map(MigrateStage::as_str),
            ),
            SortKey::State => ordinal(
                self.state.as_ref().and_then(ReplicationState::ordinal),
                self.state.as_ref().map(ReplicationState::as_str),
            ),
            SortKey::Lag => num(self.lag_not_replayed.map(|n| n as f64)),
            SortKey::LastMessage => num(self.last_message_ms.map(|t| -(t as f64))),
            SortKey::Created => time(&self.created),
            SortKey::Modified => time(&self.modified),
            SortKey::Switch => time(&self.switch),
            SortKey::Result => SortValue::Missing,
        }
    }
}

impl PrecheckRow {
    /// The value of column `key` (columns the precheck table does not have are all missing).
    pub fn sort_value(&self, key: SortKey) -> SortValue {
        match key {
            SortKey::TaskId => num(self.id.map(|n| n as f64)),
            SortKey::TaskName => text(self.name.as_deref()),
            SortKey::Source => text(self.source.as_deref()),
            SortKey::Result => SortValue::Num(verdict_rank(self.verdict)),
            SortKey::Created => time(&self.created),
            SortKey::Modified => time(&self.modified),
            _ => SortValue::Missing,
        }
    }
}

/// Failures first when sorting the precheck "Result" column ascending.
fn verdict_rank(v: PrecheckVerdict) -> f64 {
    match v {
        PrecheckVerdict::Failed => 0.0,
        PrecheckVerdict::Inconclusive => 1.0,
        PrecheckVerdict::PassedWithWarnings => 2.0,
        PrecheckVerdict::InProgress => 2.5,
        PrecheckVerdict::NotRun => 3.0,
        PrecheckVerdict::Passed => 4.0,
    }
}

/// The order in which to show `values` (one per row, in the service's order) under `sort`:
/// indexes into `values`. Stable; without a sort, the service's order.
pub fn sorted_order(values: &[SortValue], desc: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&values[a], &values[b]);
        match (x, y) {
            (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
            (SortValue::Missing, _) => Ordering::Greater,
            (_, SortValue::Missing) => Ordering::Less,
            _ => {
                let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            }
        }
    });
    order
}

/// [`sorted_order`] for rows with a `sort_value`.
pub fn order_rows<R>(rows: &[R], sort: Option<Sort>, value: fn(&R, SortKey) -> SortValue) -> Vec<usize> {
    match sort {
        None => (0..rows.len()).collect(),
        Some(s) => {
            let values: Vec<SortValue> = rows.iter().map(|r| value(r, s.key)).collect();
            sorted_order(&values, s.desc)
        }
    }
}

/// Whether the on-screen filter keeps `row`.
pub fn keeps(filter: &RowFilter, row: &TaskRow) -> bool {
    (!filter.attention || row.attention.needs_attention())
        && filter.stage.as_deref().is_none_or(|s| row.stage.as_ref().map(MigrateStage::as_str) == Some(s))
        && filter.state.as_deref().is_none_or(|s| row.state.as_ref().map(ReplicationState::as_str) == Some(s))
}

/// The order to show after a refresh while the same sort is on: rows already on screen keep
/// their places (a live column such as lag would otherwise move rows under the reader's eyes
/// every few seconds); rows new to the page follow, in `fresh`'s order; rows gone are dropped.
/// When the result differs from `fresh`, the table offers to re-sort.
pub fn stable_order<K: PartialEq + Copy>(shown: &[K], fresh: &[K]) -> Vec<K> {
    let mut out: Vec<K> = shown.iter().copied().filter(|k| fresh.contains(k)).collect();
    out.extend(fresh.iter().copied().filter(|k| !shown.contains(k)));
    out
}

/// The keys of the task table's rows: the `TaskId` when present and not seen before on the page,
/// else the row's position. Keys are unique, so the keyed list never confuses two rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowKey {
    /// Keyed by `TaskId`.
    Task(u64),
    /// No usable `TaskId`: keyed by position on the page.
    Position(usize),
}

/// See [`RowKey`].
pub fn row_keys(ids: impl IntoIterator<Item = Option<u64>>) -> Vec<RowKey> {
    let mut seen = Vec::new();
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| match id {
            Some(id) if !seen.contains(&id) => {
                seen.push(id);
                RowKey::Task(id)
            }
            _ => RowKey::Position(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_model::seed_example_task;

    #[test]
    fn seed_row() {
        let row = TaskRow::of(&seed_example_task(), Utc::now());
        assert_eq!(row.id, Some(440437220));
        assert_eq!(row.stage, Some(MigrateStage::Switch));
        assert_eq!(row.lag_not_replayed, Some(0));
        assert_eq!(row.lag_behind_source, Some(0));
        assert_eq!(row.created, TimeValue::At(1_645_779_193_000));
        assert_eq!(row.source.as_deref(), Some("172.16.XX.XX:5432"));
        assert!(row.last_message_ms.is_some());
        assert_eq!(TimeValue::of(Some("soon")), TimeValue::Raw("soon".into()));
        assert_eq!(TimeValue::of(None), TimeValue::Absent);
    }

    #[test]
    fn rows_from_kept_summaries_equal_fresh_ones() {
        let now = Utc::now();
        let mut failed = seed_example_task();
        failed.task_id = Some(2);
        failed.detail = Some("Check a: success\nCheck b: failed".into());
        let tasks = vec![seed_example_task(), failed];
        let fresh: Vec<TaskRow> = tasks.iter().map(|t| TaskRow::of(t, now)).collect();
        let (first, kept) = task_rows(&tasks, now, &SummaryCache::default());
        assert_eq!(first, fresh);
        assert!(first[1].attention.needs_attention(), "the failed check is seen");
        assert_eq!(kept.0.len(), 2);
        // A refresh: the same logs come from the cache, a changed stage is read again.
        let mut changed = tasks.clone();
        changed[0].migrate_stage = Some(MigrateStage::from("success"));
        let (second, kept) = task_rows(&changed, now, &kept);
        let want: Vec<TaskRow> = changed.iter().map(|t| TaskRow::of(t, now)).collect();
        assert_eq!(second, want);
        assert_eq!(kept.0.len(), 2, "summaries of logs no longer on the page are dropped");
    }

    #[test]
    fn keys_are_unique() {
        let keys = row_keys([Some(1), None, Some(2), Some(1)]);
        assert_eq!(keys, [RowKey::Task(1), RowKey::Position(1), RowKey::Task(2), RowKey::Position(3)]);
    }

    #[test]
    fn order_stays_between_refreshes() {
        // Same rows, the fresh sort moved 3 to the top: the screen keeps its order.
        assert_eq!(stable_order(&[1, 2, 3], &[3, 1, 2]), [1, 2, 3]);
        // A row gone is dropped; a new one goes after the rest, in the fresh order.
        assert_eq!(stable_order(&[1, 2, 3], &[4, 3, 1, 5]), [1, 3, 4, 5]);
        assert_eq!(stable_order::<u8>(&[], &[2, 1]), [2, 1]);
        assert_eq!(stable_order::<u8>(&[1], &[]), Vec::<u8>::new());
    }

    #[test]
    fn the_on_screen_filter_keeps_what_it_names() {
        let now = Utc::now();
        let seed = TaskRow::of(&seed_example_task(), now);
        let mut streaming = seed_example_task();
        streaming.migrate_stage = Some(MigrateStage::from("increment"));
        streaming.replication_state = Some(ReplicationState::from("streaming"));
        // A fresh message: nothing to look at.
        let info = serde_json::json!({
            "Status": "streaming",
            "ReceivedLsn": "0/3000148",
            "LatestEndLsn": "0/3000148",
            "ReplayLsn": "0/3000148",
            "LastMsgReceiptTime": now.format("%Y-%m-%d %H:%M:%S+00").to_string(),
        });
        streaming.replication_info = Some(info.to_string());
        let streaming = TaskRow::of(&streaming, now);
        assert!(seed.attention.needs_attention(), "the seed's stream is years old");
        assert!(!streaming.attention.needs_attention());
        let all = RowFilter::default();
        assert!(keeps(&all, &seed) && keeps(&all, &streaming));
        let attention = RowFilter { attention: true, ..RowFilter::default() };
        assert!(keeps(&attention, &seed) && !keeps(&attention, &streaming));
        let stage = RowFilter { stage: Some("increment".into()), ..RowFilter::default() };
        assert!(!keeps(&stage, &seed) && keeps(&stage, &streaming));
        let state = RowFilter { state: Some("streaming".into()), ..RowFilter::default() };
        assert!(keeps(&state, &streaming));
        let both = RowFilter { attention: true, state: Some("streaming".into()), ..RowFilter::default() };
        assert!(!keeps(&both, &streaming));
    }

    #[test]
    fn sorting_keeps_missing_last() {
        let v = vec![SortValue::Num(3.0), SortValue::Missing, SortValue::Num(1.0), SortValue::Num(2.0)];
        assert_eq!(sorted_order(&v, false), [2, 3, 0, 1]);
        assert_eq!(sorted_order(&v, true), [0, 3, 2, 1]);
        let t = vec![SortValue::Text("b".into()), SortValue::Text("a".into())];
        assert_eq!(sorted_order(&t, false), [1, 0]);
    }

    #[test]
    fn stages_sort_in_order() {
        let mut rows: Vec<TaskRow> = ["switch", "precheck", "weird", "increment"]
            .iter()
            .map(|s| {
                let mut t = seed_example_task();
                t.migrate_stage = Some(MigrateStage::from(*s));
                TaskRow::of(&t, Utc::now())
            })
            .collect();
        rows[0].id = None;
        let order = order_rows(&rows, Some(Sort { key: SortKey::Stage, desc: false }), TaskRow::sort_value);
        assert_eq!(order, [1, 3, 0, 2]);
        let by_id = order_rows(&rows, Some(Sort { key: SortKey::TaskId, desc: true }), TaskRow::sort_value);
        assert_eq!(by_id.last(), Some(&0), "the row without an ID goes last");
        assert_eq!(order_rows(&rows, None, TaskRow::sort_value), [0, 1, 2, 3]);
    }
}
