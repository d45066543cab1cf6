//! The history API's wire types (`/api/history/...`, `/api/watch`), shared by the proxy that
//! writes them and the app that reads them. Times are Unix seconds (UTC): the watcher observes
//! at poll precision, so sub-second digits would claim more than is known.
//!
//! Every event carries the interval it was observed in: `observedAfter` is the previous poll
//! (the last time the old value was seen), `observedAt` this poll (the first time the new value
//! was seen). The change happened somewhere in between; `at` is the event's own timestamp when
//! the service wrote one (a `Detail` line).

use serde::{Deserialize, Serialize};

/// What an event says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum EventKind {
    /// The task appeared in the instance's list.
    TaskAppeared,
    /// The task is no longer in the list.
    TaskVanished,
    /// `MigrateStage` changed (`from`, `to`).
    StageChanged,
    /// `ReplicationState` changed (`from`, `to`).
    StateChanged,
    /// The state became `disconnect`.
    DisconnectBegan,
    /// The state left `disconnect`; `durationMinSecs`/`durationMaxSecs` bound how long it lasted.
    DisconnectEnded,
    /// A new line in the task's `Detail` log (`text`, and `at` when the line has a time).
    DetailLine,
    /// A precheck report appeared for the task (`result`: the precheck verdict).
    PrecheckReport,
    /// The switch-readiness verdict turned true or false (`to`: "true"/"false", `text`: what is missing).
    ReadinessChanged,
    /// The watcher's polls of the instance began failing (`text`: the error code).
    PollFailing,
    /// The watcher's polls of the instance succeed again.
    PollRecovered,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::TaskAppeared,
        EventKind::TaskVanished,
        EventKind::StageChanged,
        EventKind::StateChanged,
        EventKind::DisconnectBegan,
        EventKind::DisconnectEnded,
        EventKind::DetailLine,
        EventKind::PrecheckReport,
        EventKind::ReadinessChanged,
        EventKind::PollFailing,
        EventKind::PollRecovered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TaskAppeared => "task_appeared",
            EventKind::TaskVanished => "task_vanished",
            EventKind::StageChanged => "stage_changed",
            EventKind::StateChanged => "state_changed",
            EventKind::DisconnectBegan => "disconnect_began",
            EventKind::DisconnectEnded => "disconnect_ended",
            EventKind::DetailLine => "detail_line",
            EventKind::PrecheckReport => "precheck_report",
            EventKind::ReadinessChanged => "readiness_changed",
            EventKind::PollFailing => "poll_failing",
            EventKind::PollRecovered => "poll_recovered",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One observed event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct HistoryEvent {
    pub kind: EventKind,
    /// The task, or none for an instance's own events (polls failing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    /// The previous poll: the last time the old value was seen (none: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_after: Option<i64>,
    /// This poll: the first time the new value was seen.
    pub observed_at: i64,
    /// The event's own time, when the service wrote one (a `Detail` line's timestamp, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A `Detail` line, a precheck result, what readiness misses, or a poll's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_min_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_max_secs: Option<i64>,
}

/// One sample of a task, as stored or as a downsampled bucket's representative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct HistorySample {
    /// Poll time, Unix seconds.
    pub t: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_lsn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_end_lsn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_lsn: Option<String>,
    /// Bytes not yet replayed (`ReceivedLsn − ReplayLsn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_yet_replayed_bytes: Option<i64>,
    /// Bytes behind the source's last report (`LatestEndLsn − ReplayLsn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behind_source_report_bytes: Option<i64>,
    /// The service's `ReplayLag`, exactly as given (its unit is not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_lag: Option<String>,
    /// `LastMsgSendTime`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_msg_send_time: Option<i64>,
    /// `LastMsgReceiptTime`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_msg_receipt_time: Option<i64>,
    /// `GmtModified`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmt_modified: Option<i64>,
    /// In a downsampled answer: the bucket's smallest and largest "not yet replayed" figure, so
    /// that a spike survives downsampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_yet_replayed_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_yet_replayed_max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behind_source_report_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behind_source_report_max: Option<i64>,
    /// How many stored samples this point stands for (1 unless downsampled).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// `GET /api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TaskHistory {
    pub region_id: String,
    pub db_instance_name: String,
    pub task_id: u64,
    pub from: i64,
    pub to: i64,
    /// Samples stored in the range, before downsampling.
    pub stored_samples: u64,
    pub samples: Vec<HistorySample>,
    pub events: Vec<HistoryEvent>,
    /// Catch-up rate and ETA over the last samples of the range (see `trend`).
    pub catch_up: crate::trend::CatchUp,
    /// The task's stages as the watcher observed them, over its whole history (not only the
    /// range), for the stage timeline where the `Detail` log has no time.
    #[serde(default)]
    pub stages: Vec<crate::trend::StageSpan>,
    /// Whether the instance is watched now: an empty answer from an instance that is not says
    /// "not watched yet" rather than "nothing happened".
    #[serde(default)]
    pub watched: bool,
}

/// One task in `GET /api/history/{RegionId}/{DBInstanceName}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TaskSummary {
    pub task_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vanished_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The last stage or state change in the range (Unix seconds: its `observedAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_at: Option<i64>,
    /// "Not yet replayed" bytes over the range, at most 60 points (a sparkline).
    pub sparkline: Vec<SparkPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SparkPoint {
    pub t: i64,
    /// Largest "not yet replayed" figure in the bucket.
    pub lag: i64,
}

/// `GET /api/history/{RegionId}/{DBInstanceName}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InstanceHistory {
    pub region_id: String,
    pub db_instance_name: String,
    pub from: i64,
    pub to: i64,
    pub tasks: Vec<TaskSummary>,
    /// Whether the instance is watched now (see [`TaskHistory::watched`]).
    #[serde(default)]
    pub watched: bool,
}

/// Why an instance is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum WatchSource {
    /// `--watch` on the command line (or its environment variable).
    Config,
    /// `--demo`: the demo instances.
    Demo,
    /// An admin added it over the API.
    Admin,
    /// A user opened it in the dashboard; dropped after `--watch-idle-hours` without a view.
    Auto,
}

impl WatchSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchSource::Config => "config",
            WatchSource::Demo => "demo",
            WatchSource::Admin => "admin",
            WatchSource::Auto => "auto",
        }
    }

    pub fn parse(s: &str) -> Option<WatchSource> {
        [WatchSource::Config, WatchSource::Demo, WatchSource::Admin, WatchSource::Auto]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// One watched instance in `GET /api/watch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct WatchEntry {
    pub region_id: String,
    pub db_instance_name: String,
    pub source: WatchSource,
    /// Who added it (an admin's name, or the user whose view started an auto-watch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    pub added_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_viewed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_poll: Option<PollReport>,
    /// The last poll that saw the instance's tasks, from the store (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_data_at: Option<i64>,
}

/// `GET /api/watch`: the watched instances the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct WatchList {
    pub watches: Vec<WatchEntry>,
    /// Whether the caller may add and remove watches (a member of the configured admin group).
    pub can_edit: bool,
}

/// The watcher's last poll of an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PollReport {
    pub at: i64,
    pub ok: bool,
    /// `ok`, or the error code of the failure (`Throttling`, `Proxy.UpstreamTimeout`, ...).
    pub outcome: String,
    pub duration_ms: i64,
    /// Seconds since the last successful poll before this one, when it is more than one interval
    /// and a half (a gap in the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_secs: Option<i64>,
    /// The last successful poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok_at: Option<i64>,
}

/// Largest `points` a history query may ask for, and the default.
pub const MAX_POINTS: usize = 5_000;
pub const DEFAULT_POINTS: usize = 500;

/// One bucket of [`downsample`]: which of the inputs it holds, and its lag figures' range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Index of the bucket's first and last input.
    pub first: usize,
    pub last: usize,
    /// How many inputs it holds.
    pub count: u32,
    /// Least and greatest "not yet replayed" and "behind source report" figure among them.
    pub not_yet_replayed: Option<(i64, i64)>,
    pub behind_source_report: Option<(i64, i64)>,
}

/// The buckets [`downsample`] cuts time-ordered inputs into (only when there are more than
/// `points` of them), for any type of input: `t` gives an input's time, `lags` its "not yet
/// replayed" and "behind source report" figures. [`downsample`] is built on it, and so is the
/// server's reading of packed samples, so both give the same buckets.
pub fn buckets<T>(
    items: &[T],
    points: usize,
    t: impl Fn(&T) -> i64,
    lags: impl Fn(&T) -> (Option<i64>, Option<i64>),
) -> Vec<Bucket> {
    let points = points.max(1);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return Vec::new();
    };
    let (first, last) = (t(first), t(last));
    let span = (last - first).max(1) as i128 + 1;
    let mut out: Vec<Bucket> = Vec::with_capacity(points.min(items.len()));
    let mut current: Option<(usize, Bucket)> = None;
    let widen = |range: &mut Option<(i64, i64)>, v: Option<i64>| {
        if let Some(v) = v {
            *range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        }
    };
    for (i, item) in items.iter().enumerate() {
        let bucket = (((t(item) - first) as i128 * points as i128) / span) as usize;
        let (n, b) = lags(item);
        match &mut current {
            Some((k, acc)) if *k == bucket => {
                acc.last = i;
                acc.count += 1;
                widen(&mut acc.not_yet_replayed, n);
                widen(&mut acc.behind_source_report, b);
            }
            _ => {
                if let Some((_, done)) = current.take() {
                    out.push(done);
                }
                let mut acc = Bucket { first: i, last: i, count: 1, ..Bucket::default() };
                widen(&mut acc.not_yet_replayed, n);
                widen(&mut acc.behind_source_report, b);
                current = Some((bucket, acc));
            }
        }
    }
    if let Some((_, done)) = current {
        out.push(done);
    }
    out
}

/// Downsamples time-ordered `samples` to at most `points`: the range is cut into `points` equal
/// time buckets, and each non-empty bucket gives its last sample, carrying the bucket's least
/// and greatest lag figures (`*_min`, `*_max`) and how many samples it stands for, so that a
/// spike survives. With no more samples than `points`, they come back as they are.
pub fn downsample(samples: &[HistorySample], points: usize) -> Vec<HistorySample> {
    if samples.len() <= points.max(1) {
        return samples.to_vec();
    }
    buckets(samples, points, |s| s.t, |s| (s.not_yet_replayed_bytes, s.behind_source_report_bytes))
        .iter()
        .map(|b| {
            // A bucket's range also takes in what its first input already carried (an input
            // that is itself a downsampled point).
            let seed = &samples[b.first];
            let lo = |seed: Option<i64>, range: Option<(i64, i64)>| match (seed, range) {
                (Some(a), Some((lo, _))) => Some(a.min(lo)),
                (seed, range) => seed.or(range.map(|r| r.0)),
            };
            let hi = |seed: Option<i64>, range: Option<(i64, i64)>| match (seed, range) {
                (Some(a), Some((_, hi))) => Some(a.max(hi)),
                (seed, range) => seed.or(range.map(|r| r.1)),
            };
            let (nmin, nmax) = (
                lo(seed.not_yet_replayed_min, b.not_yet_replayed),
                hi(seed.not_yet_replayed_max, b.not_yet_replayed),
            );
            let (bmin, bmax) = (
                lo(seed.behind_source_report_min, b.behind_source_report),
                hi(seed.behind_source_report_max, b.behind_source_report),
            );
            HistorySample {
                not_yet_replayed_min: nmin,
                not_yet_replayed_max: nmax,
                behind_source_report_min: bmin,
                behind_source_report_max: bmax,
                count: b.count,
                ..samples[b.last].clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_round_trip_their_names() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn samples_read_back_with_their_defaults() {
        let s: HistorySample = serde_json::from_str(r#"{"t": 5, "notYetReplayedBytes": 0}"#).unwrap();
        assert_eq!(s.count, 1);
        assert_eq!(s.not_yet_replayed_bytes, Some(0));
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(back["t"], 5);
        assert!(back.get("stage").is_none());
    }

    fn lag_sample(t: i64, lag: i64) -> HistorySample {
        HistorySample {
            t,
            not_yet_replayed_bytes: Some(lag),
            behind_source_report_bytes: Some(lag / 2),
            count: 1,
            ..HistorySample::default()
        }
    }

    #[test]
    fn downsampling_keeps_spikes_and_the_point_budget() {
        // Seven days every 30 s, one spike in the middle.
        let mut all: Vec<HistorySample> = (0..20_160).map(|i| lag_sample(i * 30, 1_000)).collect();
        all[10_001].not_yet_replayed_bytes = Some(9_999_999);
        all[10_002].not_yet_replayed_bytes = Some(0);
        let out = downsample(&all, DEFAULT_POINTS);
        assert!(out.len() <= DEFAULT_POINTS && out.len() >= DEFAULT_POINTS - 1, "{}", out.len());
        assert_eq!(
            out.iter().map(|s| s.count as usize).sum::<usize>(),
            all.len(),
            "every sample counted once"
        );
        assert_eq!(out.iter().filter_map(|s| s.not_yet_replayed_max).max(), Some(9_999_999));
        assert_eq!(out.iter().filter_map(|s| s.not_yet_replayed_min).min(), Some(0));
        assert!(out.windows(2).all(|w| w[0].t < w[1].t));
        assert_eq!(out.last().unwrap().t, all.last().unwrap().t, "the latest sample is the last point");
        // Few samples come back untouched.
        assert_eq!(downsample(&all[..10], 500), all[..10].to_vec());
        assert_eq!(downsample(&all, 1).len(), 1);
        assert!(downsample(&[], 5).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn downsampling_never_exceeds_points(ts in proptest::collection::btree_set(0i64..1_000_000, 0..400),
                                             points in 1usize..50) {
            let all: Vec<HistorySample> = ts.iter().map(|&t| lag_sample(t, t % 977)).collect();
            let out = downsample(&all, points);
            proptest::prop_assert!(out.len() <= points.max(all.len().min(points)));
            proptest::prop_assert_eq!(out.iter().map(|s| s.count as usize).sum::<usize>(), all.len());
            let max_in = all.iter().filter_map(|s| s.not_yet_replayed_bytes).max();
            let max_out = out.iter().filter_map(|s| s.not_yet_replayed_max.or(s.not_yet_replayed_bytes)).max();
            proptest::prop_assert_eq!(max_in, max_out);
        }
    }
}
