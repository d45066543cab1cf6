//! Samples packed per task and hour (table `sample_blocks`, migration `0005_packed_samples.sql`).
//!
//! A poll writes one row per sampled task into `samples`, as before: that keeps one transaction
//! per poll and makes a second writer's copy a no-op. A busy task writes a row every poll, and
//! on PostgreSQL each row's header and index entry cost more than its figures; a week of one
//! task was also 20,160 rows for every chart. So the leader packs each finished hour of a task's
//! raw rows into one block ([`Store::compact`](super::Store::compact)), in a transaction that
//! writes the block and deletes exactly the rows it read. Readers read the raw rows first and
//! the blocks second, so a compaction committed in between shows a sample twice (dropped by
//! time), never not at all.
//!
//! A block is a version byte and then [postcard](https://docs.rs/postcard) of its columns: each
//! figure as the difference from the previous sample's (a varint, mostly one to four bytes),
//! absent values in a bitmap, and texts (`ReplayLag`, unknown stages and states) as indexes into
//! the block's own list of them.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Each block holds one hour of a task: `t0` is a multiple of this.
pub const BLOCK_SECS: i64 = 3600;
const VERSION: u8 = 1;

/// The hour `t` falls in (times before 1970 are never packed: see `Store::compact`).
pub(crate) fn block_start(t: i64) -> i64 {
    t - t.rem_euclid(BLOCK_SECS)
}

/// A stored sample's columns, as the narrow `samples` row holds them; texts are indexes into a
/// [`Texts`] (0: none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub t: i64,
    pub stage: Option<i64>,
    pub state: Option<i64>,
    pub replay_lsn: Option<i64>,
    pub not_yet_replayed: Option<i64>,
    pub behind_source_report: Option<i64>,
    pub received_lsn: Option<i64>,
    pub latest_end_lsn: Option<i64>,
    pub send_age: Option<i64>,
    pub receipt_age: Option<i64>,
    pub modified_age: Option<i64>,
    pub replay_lag: u32,
    pub stage_other: u32,
    pub state_other: u32,
}

impl Row {
    fn figures(&self) -> [Option<i64>; 10] {
        [
            self.stage,
            self.state,
            self.replay_lsn,
            self.not_yet_replayed,
            self.behind_source_report,
            self.received_lsn,
            self.latest_end_lsn,
            self.send_age,
            self.receipt_age,
            self.modified_age,
        ]
    }

    fn set_figure(&mut self, i: usize, v: Option<i64>) {
        let slot = match i {
            0 => &mut self.stage,
            1 => &mut self.state,
            2 => &mut self.replay_lsn,
            3 => &mut self.not_yet_replayed,
            4 => &mut self.behind_source_report,
            5 => &mut self.received_lsn,
            6 => &mut self.latest_end_lsn,
            7 => &mut self.send_age,
            8 => &mut self.receipt_age,
            _ => &mut self.modified_age,
        };
        *slot = v;
    }
}

/// The texts of one reading, each kept once: index `k` names `list[k - 1]`.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Texts {
    pub fn intern(&mut self, v: Option<&str>) -> u32 {
        let Some(v) = v else { return 0 };
        if let Some(k) = self.index.get(v) {
            return *k;
        }
        self.list.push(v.to_string());
        let k = self.list.len() as u32;
        self.index.insert(v.to_string(), k);
        k
    }

    pub fn get(&self, k: u32) -> Option<&str> {
        k.checked_sub(1).and_then(|i| self.list.get(i as usize)).map(String::as_str)
    }
}

/// One column of optional figures: which rows have one (a bitmap, left empty when all do), and
/// the present values as differences from the previous present value.
#[derive(Default, Serialize, Deserialize)]
struct Column {
    present: Vec<u8>,
    deltas: Vec<i64>,
}

#[derive(Default, Serialize, Deserialize)]
struct Packed {
    texts: Vec<String>,
    /// Differences from the previous sample's time (the first: from the block's start).
    t: Vec<i64>,
    figures: Vec<Column>,
    replay_lag: Vec<u32>,
    stage_other: Vec<u32>,
    state_other: Vec<u32>,
}

/// Packs `rows` (one task's, oldest first, all in the hour starting at `t0`), whose texts are in
/// `texts`.
pub(crate) fn encode(t0: i64, rows: &[Row], texts: &Texts) -> Vec<u8> {
    let mut local = Texts::default();
    let mut text = |k: u32| local.intern(texts.get(k));
    let mut p = Packed::default();
    let mut prev_t = t0;
    for r in rows {
        p.t.push(r.t.wrapping_sub(prev_t));
        prev_t = r.t;
        p.replay_lag.push(text(r.replay_lag));
        p.stage_other.push(text(r.stage_other));
        p.state_other.push(text(r.state_other));
    }
    for i in 0..10 {
        let mut c = Column { present: vec![0; rows.len().div_ceil(8)], deltas: Vec::new() };
        let mut prev = 0i64;
        for (k, r) in rows.iter().enumerate() {
            if let Some(v) = r.figures()[i] {
                c.present[k / 8] |= 1 << (k % 8);
                c.deltas.push(v.wrapping_sub(prev));
                prev = v;
            }
        }
        if c.deltas.len() == rows.len() {
            c.present.clear();
        }
        p.figures.push(c);
    }
    p.texts = local.list;
    let mut out = vec![VERSION];
    out.extend(postcard::to_allocvec(&p).unwrap_or_default());
    out
}

/// Unpacks a block written by [`encode`] (starting at `t0`), appending its rows to `out` with
/// their texts interned in `texts`.
pub(crate) fn decode(t0: i64, data: &[u8], texts: &mut Texts, out: &mut Vec<Row>) -> Result<(), String> {
    let Some((&VERSION, body)) = data.split_first() else {
        return Err("a packed sample block of an unknown version".into());
    };
    let p: Packed =
        postcard::from_bytes(body).map_err(|e| format!("a packed sample block does not read: {e}"))?;
    let n = p.t.len();
    if p.figures.len() != 10 || [p.replay_lag.len(), p.stage_other.len(), p.state_other.len()] != [n; 3] {
        return Err("a packed sample block has columns of different lengths".into());
    }
    let map: Vec<u32> = p.texts.iter().map(|s| texts.intern(Some(s))).collect();
    let text = |k: u32| -> u32 { k.checked_sub(1).and_then(|i| map.get(i as usize)).copied().unwrap_or(0) };
    let start = out.len();
    let mut t = t0;
    for k in 0..n {
        t = t.wrapping_add(p.t[k]);
        out.push(Row {
            t,
            replay_lag: text(p.replay_lag[k]),
            stage_other: text(p.stage_other[k]),
            state_other: text(p.state_other[k]),
            ..Row::default()
        });
    }
    for (i, c) in p.figures.iter().enumerate() {
        let all = c.present.is_empty();
        let mut values = c.deltas.iter();
        let mut prev = 0i64;
        for (k, row) in out[start..].iter_mut().enumerate() {
            if all || c.present.get(k / 8).is_some_and(|b| b & (1 << (k % 8)) != 0) {
                let d = values.next().ok_or("a packed sample block is short of figures")?;
                prev = prev.wrapping_add(*d);
                row.set_figure(i, Some(prev));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_reads_back_as_written() {
        let mut texts = Texts::default();
        let lag = texts.intern(Some("00:00:01.5"));
        let odd = texts.intern(Some("Increment-ish"));
        let rows: Vec<Row> = (0..120)
            .map(|k| Row {
                t: 7_200 + k * 30,
                stage: Some(if k == 50 { 0 } else { 4 }),
                state: (k % 3 != 0).then_some(3),
                replay_lsn: Some(0x3C_0000_0500 + k * 1_000_000),
                not_yet_replayed: Some((k * 7_919) % 100_000),
                behind_source_report: (k != 7).then_some(i64::MIN + k),
                received_lsn: None,
                latest_end_lsn: (k == 119).then_some(i64::MAX),
                send_age: Some(1),
                receipt_age: Some(0),
                modified_age: Some(k - 60),
                replay_lag: if k % 2 == 0 { lag } else { 0 },
                stage_other: if k == 50 { odd } else { 0 },
                state_other: 0,
            })
            .collect();
        let data = encode(7_200, &rows, &texts);
        assert!(data.len() < rows.len() * 40, "{} bytes for {} rows", data.len(), rows.len());
        let mut other = Texts::default();
        other.intern(Some("something else"));
        let mut back = Vec::new();
        decode(7_200, &data, &mut other, &mut back).unwrap();
        assert_eq!(back.len(), rows.len());
        for (a, b) in rows.iter().zip(&back) {
            assert_eq!(
                (a.figures(), texts.get(a.replay_lag), texts.get(a.stage_other), a.t),
                (b.figures(), other.get(b.replay_lag), other.get(b.stage_other), b.t)
            );
        }
        assert!(decode(7_200, &data[..data.len() / 2], &mut other, &mut Vec::new()).is_err());
        assert!(decode(7_200, &[], &mut other, &mut Vec::new()).is_err());
        assert_eq!(block_start(7_199), 3_600);
        assert_eq!(block_start(7_200), 7_200);
    }
}
