//! What the history tells that one answer cannot: the catch-up rate and the ETA to zero lag,
//! stage durations with their observation uncertainty, how long a task has been ready to
//! switch, and its longest disconnect. Pure functions over samples and events (Unix seconds).
//!
//! Uncertainty: an event is known only to lie between two polls (`observedAfter`,
//! `observedAt`], so a duration between two events has a least and a most value; both are given.

use serde::{Deserialize, Serialize};

use crate::history::{EventKind, HistoryEvent, HistorySample};
use crate::readiness::sample_ready;
use crate::replication::HealthThresholds;

/// The window the catch-up rate is computed over by default.
pub const DEFAULT_WINDOW_SECS: i64 = 15 * 60;
/// Fewer points than this, or a shorter span than [`MIN_SPAN_SECS`], is "not enough data".
pub const MIN_POINTS: usize = 4;
pub const MIN_SPAN_SECS: i64 = 90;
/// Pairwise slopes are O(n²): at most this many points (evenly thinned) enter the estimate.
const MAX_POINTS: usize = 240;

/// The catch-up verdict over a window of "not yet replayed" figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "trend", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum CatchUp {
    /// Too few samples in the window to say anything.
    NotEnoughData { points: usize, span_secs: i64 },
    /// Lag is 0 bytes now and was not growing.
    CaughtUp,
    /// Lag is shrinking at `rateBytesPerSec`; at that rate it reaches zero in `etaSecs`.
    Shrinking {
        #[serde(rename = "rateBytesPerSec")]
        rate_bytes_per_sec: f64,
        #[serde(rename = "etaSecs")]
        eta_secs: i64,
        #[serde(rename = "lagBytes")]
        lag_bytes: i64,
    },
    /// Lag is growing at `rateBytesPerSec`: there is no ETA.
    Growing {
        #[serde(rename = "rateBytesPerSec")]
        rate_bytes_per_sec: f64,
        #[serde(rename = "lagBytes")]
        lag_bytes: i64,
    },
    /// Lag is neither shrinking nor growing measurably: there is no ETA.
    Flat {
        #[serde(rename = "lagBytes")]
        lag_bytes: i64,
    },
}

/// The Theil–Sen slope of `points` (t, y): the median of all pairwise slopes. Robust against
/// outliers (up to ~29% of the points) where the difference of two points is not. `None` with
/// fewer than two distinct times.
pub fn theil_sen_slope(points: &[(i64, f64)]) -> Option<f64> {
    let mut slopes = Vec::with_capacity(points.len() * points.len().saturating_sub(1) / 2);
    for (i, &(t1, y1)) in points.iter().enumerate() {
        for &(t2, y2) in &points[i + 1..] {
            if t2 != t1 {
                slopes.push((y2 - y1) / (t2 - t1) as f64);
            }
        }
    }
    median(&mut slopes)
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Selected, not sorted: the fit's hundreds of pairwise slopes need only their middle.
    let n = values.len();
    let (below, mid, _) = values.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
    let mid = *mid;
    if n % 2 == 1 {
        return Some(mid);
    }
    let lower = below.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap_or(mid);
    Some((lower + mid) / 2.0)
}

/// The catch-up verdict from `(time, not yet replayed bytes)` samples, over the `window_secs`
/// before the last sample. Samples need not be sorted.
pub fn catch_up(samples: &[(i64, i64)], window_secs: i64) -> CatchUp {
    let mut pts: Vec<(i64, i64)> = samples.to_vec();
    pts.sort_by_key(|p| p.0);
    let Some(&(last_t, last_lag)) = pts.last() else {
        return CatchUp::NotEnoughData { points: 0, span_secs: 0 };
    };
    let start = last_t.saturating_sub(window_secs.max(0));
    pts.retain(|p| p.0 >= start);
    let span = last_t - pts[0].0;
    if pts.len() < MIN_POINTS || span < MIN_SPAN_SECS {
        return CatchUp::NotEnoughData { points: pts.len(), span_secs: span };
    }
    let thinned: Vec<(i64, f64)> = if pts.len() > MAX_POINTS {
        let step = pts.len() as f64 / MAX_POINTS as f64;
        (0..MAX_POINTS).map(|i| pts[(i as f64 * step) as usize]).map(|(t, y)| (t, y as f64)).collect()
    } else {
        pts.iter().map(|&(t, y)| (t, y as f64)).collect()
    };
    let Some(slope) = theil_sen_slope(&thinned) else {
        return CatchUp::NotEnoughData { points: pts.len(), span_secs: span };
    };
    // "Flat": over the window the fitted change is under 1% of the typical lag and under 1 MiB,
    // or under one byte per second. Below that the sign says nothing a person should act on.
    let mut ys: Vec<f64> = thinned.iter().map(|p| p.1).collect();
    let typical = median(&mut ys).unwrap_or(0.0).abs();
    let change = slope.abs() * span as f64;
    let flat = slope.abs() < 1.0 || (change < 0.01 * typical && change < 1_048_576.0);
    if last_lag == 0 && slope <= 0.0 {
        return CatchUp::CaughtUp;
    }
    if flat {
        return CatchUp::Flat { lag_bytes: last_lag };
    }
    if slope > 0.0 {
        return CatchUp::Growing { rate_bytes_per_sec: slope, lag_bytes: last_lag };
    }
    let rate = -slope;
    let eta = (last_lag.max(0) as f64 / rate).ceil();
    CatchUp::Shrinking {
        rate_bytes_per_sec: rate,
        eta_secs: if eta.is_finite() { eta.min(i64::MAX as f64) as i64 } else { i64::MAX },
        lag_bytes: last_lag,
    }
}

/// When something happened, as far as polls can tell: after `after` (exclusive; `None`: before
/// the first poll that saw the task), at or before `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Observed {
    pub after: Option<i64>,
    pub at: i64,
}

impl Observed {
    fn of(e: &HistoryEvent) -> Observed {
        Observed { after: e.observed_after, at: e.observed_at }
    }
}

/// A duration's bounds. `max_secs` is `None` when the start is not known (it began before the
/// watcher first saw the task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Bounds {
    pub min_secs: i64,
    pub max_secs: Option<i64>,
}

/// The bounds of the time between `start` and `end` (`end = None`: still going at `now`).
pub fn between(start: Observed, end: Option<Observed>, now: i64) -> Bounds {
    // The least: it began as late as possible and ended as early as possible.
    let (end_early, end_late) = match end {
        Some(e) => (e.after.unwrap_or(e.at), e.at),
        None => (now, now),
    };
    let min = (end_early - start.at).max(0);
    let max = start.after.map(|a| (end_late - a).max(min));
    Bounds { min_secs: min, max_secs: max }
}

/// One stage a task went through, from its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct StageSpan {
    pub stage: String,
    /// When it was entered (`after: None`: it was already in this stage when first seen).
    pub entered: Observed,
    /// When it was left; `None` while current.
    pub left: Option<Observed>,
    pub duration: Bounds,
}

/// The stages of one task, in order, from its `task_appeared` and `stage_changed` events.
/// `first_stage` is the stage the task was in when the watcher first saw it.
pub fn stage_spans(events: &[HistoryEvent], now: i64) -> Vec<StageSpan> {
    let mut evs: Vec<&HistoryEvent> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskAppeared | EventKind::StageChanged))
        .collect();
    evs.sort_by_key(|e| (e.observed_at, e.kind != EventKind::TaskAppeared));
    let mut spans: Vec<StageSpan> = Vec::new();
    for e in evs {
        let Some(stage) = e.to.clone() else { continue };
        // A task first seen in a stage entered it at an unknown time before.
        let entered = match e.kind {
            EventKind::TaskAppeared => Observed { after: None, at: e.observed_at },
            _ => Observed::of(e),
        };
        if let Some(prev) = spans.last_mut() {
            if prev.left.is_none() {
                prev.left = Some(entered);
                prev.duration = between(prev.entered, prev.left, now);
            }
        }
        spans.push(StageSpan { stage, entered, left: None, duration: between(entered, None, now) });
    }
    spans
}

/// One disconnect: from the state becoming `disconnect` until it left it (or `now`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Disconnect {
    pub began: Observed,
    pub ended: Option<Observed>,
    pub duration: Bounds,
}

/// Every disconnect in `events`, oldest first. A `disconnect_ended` without its beginning (it
/// began before the range) counts from an unknown start.
pub fn disconnects(events: &[HistoryEvent], now: i64) -> Vec<Disconnect> {
    let mut evs: Vec<&HistoryEvent> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::DisconnectBegan | EventKind::DisconnectEnded))
        .collect();
    evs.sort_by_key(|e| e.observed_at);
    let mut out: Vec<Disconnect> = Vec::new();
    let mut open: Option<Observed> = None;
    for e in evs {
        match e.kind {
            EventKind::DisconnectBegan => {
                if let Some(b) = open.take() {
                    // Two beginnings in a row: the end fell outside what was seen.
                    out.push(Disconnect { began: b, ended: None, duration: between(b, None, b.at) });
                }
                open = Some(Observed::of(e));
            }
            _ => {
                let began = open
                    .take()
                    .unwrap_or(Observed { after: None, at: e.observed_after.unwrap_or(e.observed_at) });
                let ended = Observed::of(e);
                out.push(Disconnect {
                    began,
                    ended: Some(ended),
                    duration: between(began, Some(ended), now),
                });
            }
        }
    }
    if let Some(b) = open {
        out.push(Disconnect { began: b, ended: None, duration: between(b, None, now) });
    }
    out
}

/// The longest disconnect, by its least duration (ties: the larger most).
pub fn longest_disconnect(events: &[HistoryEvent], now: i64) -> Option<Disconnect> {
    disconnects(events, now)
        .into_iter()
        .max_by_key(|d| (d.duration.min_secs, d.duration.max_secs.unwrap_or(d.duration.min_secs)))
}

/// How long the task has been ready to switch, continuously, up to `now`; `None` if it is not
/// ready now (by the last `readiness_changed` event). A task ready since before the watcher
/// first saw it has no `max_secs`.
pub fn ready_for(events: &[HistoryEvent], now: i64) -> Option<Bounds> {
    let last =
        events.iter().filter(|e| e.kind == EventKind::ReadinessChanged).max_by_key(|e| e.observed_at)?;
    (last.to.as_deref() == Some("true")).then(|| between(Observed::of(last), None, now))
}

/// "Ready to switch for the last `minutes` minutes": true only if it is certain (the least
/// duration covers it).
pub fn ready_for_last(events: &[HistoryEvent], now: i64, minutes: i64) -> bool {
    ready_for(events, now).is_some_and(|b| b.min_secs >= minutes * 60)
}

/// "Ready to switch for the last N minutes" from a watched task's history over a range:
/// `events` and `samples` are the range's (any order), `now` the end of the range. `None` when
/// the history does not show the task ready up to `now`.
///
/// - The last `readiness_changed` event in the range decides: turned true, ready since then
///   (bounded by its observation interval); turned false, not ready by the history.
/// - With no readiness change in the range, the watcher's verdict did not change over it: the
///   verdict on the range's first sample (judged by [`crate::readiness::sample_ready`], the
///   watcher's own rules at that poll) held until `now`, so a ready first sample means ready for
///   at least `now −` its time, from an unknown start.
///
/// The caller shows this only while its own live verdict is ready: the history can lag the
/// live answer by one poll.
pub fn ready_for_watched(
    events: &[HistoryEvent],
    samples: &[HistorySample],
    now: i64,
    thresholds: &HealthThresholds,
) -> Option<Bounds> {
    let last = events.iter().filter(|e| e.kind == EventKind::ReadinessChanged).max_by_key(|e| e.observed_at);
    if let Some(e) = last {
        return (e.to.as_deref() == Some("true")).then(|| between(Observed::of(e), None, now));
    }
    let first = samples.iter().min_by_key(|s| s.t)?;
    (first.t <= now && sample_ready(first, thresholds))
        .then_some(Bounds { min_secs: now - first.t, max_secs: None })
}

/// [`ready_for_watched`]'s claim `held` (computed at `to`), checked against one's own later
/// look at the task (`own`: Unix seconds and whether ready, e.g. the page's refreshes): a
/// not-ready sample inside the claimed span, or after it, breaks the claim. The watcher polls
/// less often than a page refreshes, so a short dip can reach the page and not the history.
pub fn ready_for_confirmed(held: Option<Bounds>, to: i64, own: &[(i64, bool)]) -> Option<Bounds> {
    held.filter(|b| !own.iter().any(|&(t, ready)| !ready && t >= to - b.min_secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ev(kind: EventKind, after: Option<i64>, at: i64, to: Option<&str>) -> HistoryEvent {
        HistoryEvent {
            kind,
            task_id: Some(1),
            observed_after: after,
            observed_at: at,
            at: None,
            from: None,
            to: to.map(str::to_string),
            text: None,
            duration_min_secs: None,
            duration_max_secs: None,
        }
    }

    fn line(n: usize, step: i64, start: i64, slope: i64) -> Vec<(i64, i64)> {
        (0..n).map(|i| (i as i64 * step, start + slope * i as i64 * step)).collect()
    }

    #[test]
    fn a_shrinking_lag_has_a_rate_and_an_eta() {
        // 1 MB/s down from 900 MB, polled every 30 s for 10 minutes: 300 MB left.
        let pts = line(21, 30, 900_000_000, -1_000_000);
        match catch_up(&pts, DEFAULT_WINDOW_SECS) {
            CatchUp::Shrinking { rate_bytes_per_sec, eta_secs, lag_bytes } => {
                assert!((rate_bytes_per_sec - 1_000_000.0).abs() < 1e-6);
                assert_eq!(lag_bytes, 300_000_000);
                assert_eq!(eta_secs, 300);
            }
            other => panic!("{other:?}"),
        }
        let pts = line(11, 30, 900_000_000, -1_000_000);
        let CatchUp::Shrinking { eta_secs, lag_bytes, .. } = catch_up(&pts, DEFAULT_WINDOW_SECS) else {
            panic!()
        };
        assert_eq!(lag_bytes, 600_000_000);
        assert_eq!(eta_secs, 600);
    }

    #[test]
    fn one_spike_does_not_bend_the_rate() {
        let mut pts = line(21, 30, 900_000_000, -1_000_000);
        pts[10].1 = 5_000_000_000;
        pts[15].1 = 0;
        let CatchUp::Shrinking { rate_bytes_per_sec, .. } = catch_up(&pts, DEFAULT_WINDOW_SECS) else {
            panic!()
        };
        assert!((rate_bytes_per_sec - 1_000_000.0).abs() / 1_000_000.0 < 0.05, "{rate_bytes_per_sec}");
    }

    #[test]
    fn growing_flat_caught_up_and_too_little_are_said_plainly() {
        assert!(matches!(catch_up(&line(20, 30, 1_000, 500), 900), CatchUp::Growing { .. }));
        assert!(matches!(
            catch_up(&line(20, 30, 50_000_000, 0), 900),
            CatchUp::Flat { lag_bytes: 50_000_000 }
        ));
        assert!(matches!(catch_up(&line(20, 30, 0, 0), 900), CatchUp::CaughtUp));
        assert!(matches!(catch_up(&line(3, 30, 9_000, -10), 900), CatchUp::NotEnoughData { points: 3, .. }));
        assert!(matches!(
            catch_up(&line(10, 5, 9_000, -10), 900),
            CatchUp::NotEnoughData { span_secs: 45, .. }
        ));
        assert!(matches!(catch_up(&[], 900), CatchUp::NotEnoughData { points: 0, .. }));
        // Only the window counts: old growth is forgotten.
        let mut pts = line(20, 30, 0, 1_000_000);
        let last = *pts.last().unwrap();
        pts.extend((1..=20).map(|i| (last.0 + i * 30, last.1 - i * 30 * 10_000)));
        assert!(matches!(catch_up(&pts, 600), CatchUp::Shrinking { .. }));
    }

    #[test]
    fn stage_durations_carry_their_uncertainty() {
        let events = vec![
            ev(EventKind::TaskAppeared, None, 100, Some("basebackup")),
            ev(EventKind::StageChanged, Some(400), 430, Some("startup")),
            ev(EventKind::StageChanged, Some(1000), 1030, Some("increment")),
        ];
        let spans = stage_spans(&events, 2000);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].stage, "basebackup");
        // Seen from 100 and until 400 at least; began at an unknown time before 100.
        assert_eq!(spans[0].duration, Bounds { min_secs: 300, max_secs: None });
        // Entered in (400, 430], left in (1000, 1030].
        assert_eq!(spans[1].duration, Bounds { min_secs: 570, max_secs: Some(630) });
        assert_eq!(spans[2].left, None);
        assert_eq!(spans[2].duration, Bounds { min_secs: 970, max_secs: Some(1000) });
    }

    #[test]
    fn disconnects_and_readiness() {
        let events = vec![
            ev(EventKind::DisconnectBegan, Some(100), 130, None),
            ev(EventKind::DisconnectEnded, Some(700), 730, None),
            ev(EventKind::DisconnectBegan, Some(1000), 1030, None),
            ev(EventKind::DisconnectEnded, Some(1060), 1090, None),
            ev(EventKind::ReadinessChanged, Some(1500), 1530, Some("true")),
        ];
        let d = disconnects(&events, 5000);
        assert_eq!(d.len(), 2);
        let longest = longest_disconnect(&events, 5000).unwrap();
        assert_eq!(longest.duration, Bounds { min_secs: 570, max_secs: Some(630) });
        assert_eq!(ready_for(&events, 5130), Some(Bounds { min_secs: 3600, max_secs: Some(3630) }));
        assert!(ready_for_last(&events, 5130, 60));
        assert!(!ready_for_last(&events, 5100, 60), "only 59.5 minutes are certain");
        let mut not = events.clone();
        not.push(ev(EventKind::ReadinessChanged, Some(5000), 5030, Some("false")));
        assert_eq!(ready_for(&not, 5130), None);
        // A disconnect still going counts up to now.
        let open = vec![ev(EventKind::DisconnectBegan, Some(100), 130, None)];
        assert_eq!(
            longest_disconnect(&open, 1130).unwrap().duration,
            Bounds { min_secs: 1000, max_secs: Some(1030) }
        );
    }

    fn ready_sample(t: i64, lag: i64) -> HistorySample {
        HistorySample {
            t,
            stage: Some("increment".into()),
            state: Some("streaming".into()),
            received_lsn: Some("0/3000148".into()),
            latest_end_lsn: Some("0/3000148".into()),
            replay_lsn: Some("0/3000148".into()),
            not_yet_replayed_bytes: Some(lag),
            behind_source_report_bytes: Some(0),
            last_msg_receipt_time: Some(t - 5),
            ..HistorySample::default()
        }
    }

    #[test]
    fn ready_for_the_last_minutes_from_the_watchers_history() {
        let th = HealthThresholds::default();
        let samples = vec![ready_sample(1000, 0), ready_sample(4600, 0)];
        // No readiness change in the range, ready on its first sample: ready at least since then.
        assert_eq!(
            ready_for_watched(&[], &samples, 4630, &th),
            Some(Bounds { min_secs: 3630, max_secs: None })
        );
        // Not ready on the first sample and no change since: not ready by the history.
        let lagging = vec![ready_sample(1000, 7_340_485), ready_sample(4600, 7_340_485)];
        assert_eq!(ready_for_watched(&[], &lagging, 4630, &th), None);
        // A stale stream, a task at switch, no replication info: the watcher's rules say no.
        let mut stale = ready_sample(1000, 0);
        stale.last_msg_receipt_time = Some(1000 - 3600);
        let mut switching = ready_sample(1000, 0);
        switching.stage = Some("switch".into());
        let bare = HistorySample {
            t: 1000,
            stage: Some("increment".into()),
            state: Some("streaming".into()),
            ..HistorySample::default()
        };
        for s in [stale, switching, bare] {
            assert_eq!(ready_for_watched(&[], std::slice::from_ref(&s), 4630, &th), None, "{s:?}");
        }
        // The last readiness change in the range decides, whatever the first sample says.
        let turned = vec![
            ev(EventKind::ReadinessChanged, Some(1500), 1530, Some("false")),
            ev(EventKind::ReadinessChanged, Some(3000), 3030, Some("true")),
        ];
        assert_eq!(
            ready_for_watched(&turned, &lagging, 4630, &th),
            Some(Bounds { min_secs: 1600, max_secs: Some(1630) })
        );
        assert_eq!(ready_for_watched(&turned[..1], &samples, 4630, &th), None);
        assert_eq!(ready_for_watched(&[], &[], 4630, &th), None);
    }

    #[test]
    fn a_dip_the_page_saw_breaks_the_historys_claim() {
        let held = Some(Bounds { min_secs: 600, max_secs: Some(630) });
        // Ready for the last 10 min at 5000: the page's samples agree, or dipped before that.
        assert_eq!(ready_for_confirmed(held, 5000, &[(4300, false), (4500, true), (5010, true)]), held);
        // A dip inside the claimed span, or after the history was read: no claim.
        assert_eq!(ready_for_confirmed(held, 5000, &[(4700, false), (5010, true)]), None);
        assert_eq!(ready_for_confirmed(held, 5000, &[(5005, false), (5010, true)]), None);
        assert_eq!(ready_for_confirmed(None, 5000, &[]), None);
    }

    proptest! {
        /// Ready by the history only when the last change turned it ready (or none happened and
        /// the first sample was ready); the certain part never reaches before what was seen.
        #[test]
        fn readiness_from_history_is_never_more_than_was_seen(
            flips in proptest::collection::vec((1i64..600, any::<bool>()), 0..12),
            first_ready in any::<bool>(),
            tail in 0i64..600,
        ) {
            let th = HealthThresholds::default();
            let mut t = 1000;
            let mut events = Vec::new();
            for (gap, to) in &flips {
                let after = t;
                t += gap;
                events.push(ev(EventKind::ReadinessChanged, Some(after), t, Some(if *to { "true" } else { "false" })));
            }
            let now = t + tail;
            let samples = vec![ready_sample(1000, if first_ready { 0 } else { 1 })];
            let got = ready_for_watched(&events, &samples, now, &th);
            match flips.last() {
                Some((_, to)) => {
                    prop_assert_eq!(got.is_some(), *to);
                    if let Some(b) = got {
                        prop_assert!(b.min_secs <= now - t && b.min_secs >= 0);
                        prop_assert!(b.max_secs.unwrap() >= b.min_secs);
                    }
                }
                None => {
                    prop_assert_eq!(got.is_some(), first_ready);
                    if let Some(b) = got {
                        prop_assert_eq!(b.min_secs, now - 1000);
                        prop_assert_eq!(b.max_secs, None);
                    }
                }
            }
        }

        /// The selected median is the sorted one.
        #[test]
        fn the_median_is_the_middle_of_the_sorted_values(
            mut values in proptest::collection::vec(-1e9f64..1e9, 1..60),
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(|a, b| a.total_cmp(b));
            let n = sorted.len();
            let want = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
            prop_assert_eq!(median(&mut values), Some(want));
        }

        #[test]
        fn the_slope_of_a_noisy_line_is_close(slope in -5_000i64..5_000, start in 0i64..1_000_000_000,
                                              noise in proptest::collection::vec(-100i64..100, 30)) {
            let pts: Vec<(i64, f64)> = noise.iter().enumerate()
                .map(|(i, n)| (i as i64 * 30, (start + slope * i as i64 * 30 + n) as f64)).collect();
            let got = theil_sen_slope(&pts).unwrap();
            prop_assert!((got - slope as f64).abs() < 8.0, "{} vs {}", got, slope);
        }

        #[test]
        fn catch_up_never_panics_and_eta_is_honest(pts in proptest::collection::vec((0i64..100_000, -10i64..i64::MAX / 4), 0..60)) {
            match catch_up(&pts, DEFAULT_WINDOW_SECS) {
                CatchUp::Shrinking { rate_bytes_per_sec, eta_secs, .. } => {
                    prop_assert!(rate_bytes_per_sec > 0.0);
                    prop_assert!(eta_secs >= 0);
                }
                CatchUp::Growing { rate_bytes_per_sec, .. } => prop_assert!(rate_bytes_per_sec > 0.0),
                _ => {}
            }
        }

        #[test]
        fn bounds_are_ordered(a in 0i64..10_000, gap in 0i64..100, len in 0i64..10_000, gap2 in 0i64..100) {
            let start = Observed { after: Some(a), at: a + gap };
            let end = Observed { after: Some(a + gap + len), at: a + gap + len + gap2 };
            let b = between(start, Some(end), 0);
            prop_assert!(b.min_secs >= 0);
            prop_assert!(b.max_secs.unwrap() >= b.min_secs);
            prop_assert_eq!(b.min_secs, len);
            prop_assert_eq!(b.max_secs.unwrap(), len + gap + gap2);
        }
    }
}
