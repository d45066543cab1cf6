//! What one poll of an instance adds to its history: the samples worth writing and the events
//! seen since the previous poll, from the state the previous poll left ([`InstanceState`]).
//! Pure (no I/O, no clock), so it is tested on its own.
//!
//! Every event carries the interval it was observed in: `observedAfter` is the last successful
//! poll (the last time the old value was seen), `observedAt` this one. Where the service wrote
//! the change's own time (`GmtModified` after a stage or state change, a `Detail` line's time)
//! and it falls inside that interval, it is the event's `at`.
//!
//! Dedup names are built from the service's own fields (task, values, `GmtModified`, line
//! numbers), not from when a poll saw them, so two replicas observing the same change for a
//! moment write it once (the store's unique key). Readiness flips have no such field: they are
//! named by the fingerprint of the first answer that showed the new verdict (see
//! [`READY_HOLD_SECS`]), which two replicas reading the same answers share.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use migration_model::history::{EventKind, HistoryEvent, HistorySample};
use migration_model::precheck::PrecheckTask;
use migration_model::replication::{HealthThresholds, LinkFigures, ReplicationInfo};
use migration_model::task::MigrationTask;
use migration_model::PrecheckVerdict;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{NewEvent, TaskSample};

/// A sample is written when something changed, and at least this often for a task that did not.
pub const HEARTBEAT_SECS: i64 = 300;
/// The recorded switch-readiness verdict turns to ready only once every condition has held, on
/// each successful poll, for this long (three polls at the default 30 s). It turns to not ready
/// at the first poll where a condition fails. A task whose lag touches zero between writes
/// would otherwise flip on nearly every poll: an event each time, and "ready" claimed on the
/// strength of one answer.
pub const READY_HOLD_SECS: i64 = 60;
/// A `Detail` line is kept up to this many characters.
const MAX_LINE_CHARS: usize = 500;

/// The watcher's memory of one instance, stored with each poll (see `Store::poll_state`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    /// The last successful poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok_at: Option<i64>,
    /// The first failed poll of the current run of failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<i64>,
    /// The last failed poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failed_at: Option<i64>,
    #[serde(default)]
    pub tasks: BTreeMap<u64, TaskState>,
    /// Precheck reports by task: the verdict last recorded.
    #[serde(default)]
    pub prechecks: BTreeMap<u64, String>,
    /// Whether the precheck reports were read once (the first reading sets the baseline).
    #[serde(default)]
    pub prechecks_seen: bool,
}

/// What the previous poll saw of a task (short names: this is stored every poll).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskState {
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `GmtModified`, Unix seconds.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<i64>,
    /// `Detail` lines seen, and a hash of the last of them (a rewritten log starts over).
    #[serde(rename = "n", default)]
    pub lines: usize,
    #[serde(rename = "h", default)]
    pub last_line: u64,
    /// The recorded readiness verdict (held for [`READY_HOLD_SECS`] before it says ready).
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// The current unbroken run of polls where every condition held: its first poll, and the
    /// fingerprint of that poll's sample (the ready event's name).
    #[serde(rename = "y", default, skip_serializing_if = "Option::is_none")]
    pub ready_since: Option<(i64, u64)>,
    /// Fingerprint and time of the last sample written.
    #[serde(rename = "f", default)]
    pub fingerprint: u64,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub sampled_at: Option<i64>,
    /// The open disconnect: observed in (after, at], began at `began` when known.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub disconnect: Option<OpenDisconnect>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDisconnect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub began: Option<i64>,
}

/// What a successful poll read.
pub struct Observed<'a> {
    /// The instance's tasks, each once.
    pub tasks: &'a [MigrationTask],
    /// Whether every task was read (the pages added up to the total): only then is a missing
    /// task taken as vanished.
    pub complete: bool,
    /// The precheck reports, on the polls that read them.
    pub prechecks: Option<&'a [PrecheckTask]>,
}

/// A poll's samples, events and the state it leaves.
#[derive(Debug, Default)]
pub struct Diff {
    pub samples: Vec<TaskSample>,
    pub events: Vec<NewEvent>,
    pub state: InstanceState,
}

/// A task's sample at poll time `at`.
pub fn sample_of(task: &MigrationTask, at: i64) -> HistorySample {
    sample_from(task, task.replication().ok().as_ref(), at)
}

/// [`sample_of`], from the task's `ReplicationInfo` already parsed (`info`).
pub fn sample_from(task: &MigrationTask, info: Option<&ReplicationInfo>, at: i64) -> HistorySample {
    let clamp = |v: i128| v.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    HistorySample {
        t: at,
        stage: task.migrate_stage.as_ref().map(|s| s.as_str().to_string()),
        state: task.replication_state.as_ref().map(|s| s.as_str().to_string()),
        received_lsn: info.as_ref().and_then(|i| i.received_lsn).map(|l| l.to_pg_string()),
        latest_end_lsn: info.as_ref().and_then(|i| i.latest_end_lsn).map(|l| l.to_pg_string()),
        replay_lsn: info.as_ref().and_then(|i| i.replay_lsn).map(|l| l.to_pg_string()),
        not_yet_replayed_bytes: info.as_ref().and_then(|i| i.lag_not_yet_replayed()).map(clamp),
        behind_source_report_bytes: info.as_ref().and_then(|i| i.lag_behind_source_report()).map(clamp),
        replay_lag: info.as_ref().and_then(|i| i.replay_lag.clone()),
        last_msg_send_time: info.as_ref().and_then(|i| i.last_msg_send_time).map(|t| t.timestamp()),
        last_msg_receipt_time: info.as_ref().and_then(|i| i.last_msg_receipt_time).map(|t| t.timestamp()),
        gmt_modified: task.gmt_modified_at().map(|t| t.timestamp()),
        count: 1,
        ..HistorySample::default()
    }
}

/// Line breaks as the model's `Detail` parser reads them (escaped or real), so line numbers agree.
/// A log with nothing to rewrite (no backslash, no carriage return: the usual case) is borrowed,
/// not copied six times: this ran for every task on every poll.
fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.bytes().any(|b| b == b'\\' || b == b'\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.replace("\\\\r\\\\n", "\n")
            .replace("\\\\n", "\n")
            .replace("\\r\\n", "\n")
            .replace("\\n", "\n")
            .replace("\r\n", "\n")
            .replace('\r', "\n"),
    )
}

fn hash64(parts: &[&[u8]]) -> u64 {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// Everything in a sample but its time, hashed: equal fingerprints mean nothing changed.
fn fingerprint(s: &HistorySample) -> u64 {
    let bytes = serde_json::to_vec(&HistorySample { t: 0, ..s.clone() }).unwrap_or_default();
    hash64(&[&bytes])
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

/// `t` when it lies in the observation interval (after, at]: the service's own time of a change.
fn within(t: Option<i64>, after: Option<i64>, at: i64) -> Option<i64> {
    t.filter(|t| *t <= at && after.is_none_or(|a| *t > a))
}

/// Diffs one successful poll at `at` against `prev`.
pub fn diff(prev: &InstanceState, at: i64, seen: &Observed<'_>, thresholds: &HealthThresholds) -> Diff {
    let parsed: Vec<Option<ReplicationInfo>> = seen.tasks.iter().map(|t| t.replication().ok()).collect();
    diff_parsed(prev, at, seen, &parsed, thresholds)
}

/// [`diff`], with each task's `ReplicationInfo` parsed by the caller (`parsed[i]` for
/// `seen.tasks[i]`), who hands the same parses on to the alerts: one parse per task and poll.
pub fn diff_parsed(
    prev: &InstanceState,
    at: i64,
    seen: &Observed<'_>,
    parsed: &[Option<ReplicationInfo>],
    thresholds: &HealthThresholds,
) -> Diff {
    let after = prev.last_ok_at;
    // The instance's first successful poll sets the baseline: what was already there is not
    // news (its samples are written, its events are not).
    let baseline = after.is_none();
    let now: DateTime<Utc> = DateTime::from_timestamp(at, 0).unwrap_or_default();
    let mut out = Diff {
        state: InstanceState {
            last_ok_at: Some(at),
            failing_since: None,
            last_failed_at: prev.last_failed_at,
            tasks: BTreeMap::new(),
            prechecks: prev.prechecks.clone(),
            prechecks_seen: prev.prechecks_seen,
        },
        ..Diff::default()
    };
    let ev = |kind: EventKind, task: Option<u64>| HistoryEvent {
        kind,
        task_id: task,
        observed_after: after,
        observed_at: at,
        at: None,
        from: None,
        to: None,
        text: None,
        duration_min_secs: None,
        duration_max_secs: None,
    };
    fn push(events: &mut Vec<NewEvent>, event: HistoryEvent, dedup: String) {
        events.push(NewEvent { event, dedup });
    }

    for (i, task) in seen.tasks.iter().enumerate() {
        let Some(id) = task.task_id else { continue };
        let old = prev.tasks.get(&id);
        let unlisted;
        let info = match parsed.get(i) {
            Some(p) => p.as_ref(),
            None => {
                unlisted = task.replication().ok();
                unlisted.as_ref()
            }
        };
        let sample = sample_from(task, info, at);
        let fp = fingerprint(&sample);
        let modified = sample.gmt_modified;
        let mut st = TaskState {
            stage: sample.stage.clone(),
            state: sample.state.clone(),
            modified,
            ..TaskState::default()
        };
        let m = modified.map_or("-".to_string(), |m| m.to_string());

        // The sample: on change, or when the heartbeat is due.
        let due = match old {
            Some(o) => o.fingerprint != fp || o.sampled_at.is_none_or(|t| at - t >= HEARTBEAT_SECS),
            None => true,
        };
        if due {
            st.fingerprint = fp;
            st.sampled_at = Some(at);
        } else if let Some(o) = old {
            st.fingerprint = o.fingerprint;
            st.sampled_at = o.sampled_at;
        }

        let fresh = old.is_none() && !baseline;
        if fresh {
            let mut e = ev(EventKind::TaskAppeared, Some(id));
            e.at = within(task.gmt_created_at().map(|t| t.timestamp()), after, at);
            e.text = task.task_name.clone();
            push(&mut out.events, e, format!("appeared:{id}:{}", opt(&task.gmt_created)));
        }
        if let Some(o) = old {
            if o.stage != st.stage {
                let mut e = ev(EventKind::StageChanged, Some(id));
                e.from = o.stage.clone();
                e.to = st.stage.clone();
                e.at = within(modified, after, at);
                push(&mut out.events, e, format!("stage:{id}:{}>{}:{m}", opt(&o.stage), opt(&st.stage)));
            }
            if o.state != st.state {
                let mut e = ev(EventKind::StateChanged, Some(id));
                e.from = o.state.clone();
                e.to = st.state.clone();
                e.at = within(modified, after, at);
                push(&mut out.events, e, format!("state:{id}:{}>{}:{m}", opt(&o.state), opt(&st.state)));
            }
        }

        // Disconnects, with their duration bounded by the polls around both ends (exact when
        // GmtModified gives both ends inside their intervals).
        let disconnected = st.state.as_deref() == Some("disconnect");
        let was = old.and_then(|o| o.disconnect);
        match (was, disconnected) {
            (None, true) => {
                // GmtModified dates the start only when it falls between two polls that saw the
                // change; a task first seen disconnected began at an unknown time.
                let began = if old.is_some() { within(modified, after, at) } else { None };
                if old.is_some() {
                    let mut e = ev(EventKind::DisconnectBegan, Some(id));
                    e.at = began;
                    push(&mut out.events, e, format!("disconnect_began:{id}:{m}"));
                }
                st.disconnect = Some(OpenDisconnect {
                    // First seen already disconnected: it began before we looked.
                    after: if old.is_some() { after } else { None },
                    at,
                    began,
                });
            }
            (Some(d), true) => st.disconnect = Some(d),
            (Some(d), false) => {
                let ended = within(modified, after, at);
                let mut e = ev(EventKind::DisconnectEnded, Some(id));
                e.at = ended;
                e.to = st.state.clone();
                match (d.began, ended) {
                    (Some(b), Some(end)) => {
                        e.duration_min_secs = Some(end - b);
                        e.duration_max_secs = Some(end - b);
                    }
                    _ => {
                        // Disconnected at least from its first sighting to the last one, at most
                        // from the poll before it to this one.
                        e.duration_min_secs = after.map(|a| (a - d.at).max(0));
                        e.duration_max_secs = d.after.map(|a| at - a);
                    }
                }
                push(&mut out.events, e, format!("disconnect_ended:{id}:{m}"));
            }
            (None, false) => {}
        }

        // New Detail lines, with their own times.
        let detail = task.detail.as_deref().unwrap_or("");
        let normalized = normalize_newlines(detail);
        let mut lines: Vec<&str> = normalized.split('\n').collect();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let start = match old {
            Some(o)
                if o.lines <= lines.len()
                    && (o.lines == 0 || hash64(&[lines[o.lines - 1].as_bytes()]) == o.last_line) =>
            {
                o.lines
            }
            Some(_) => 0,
            // A task first seen on the baseline poll: its log so far is not news.
            None if baseline => lines.len(),
            None => 0,
        };
        if start < lines.len() {
            let times: BTreeMap<usize, i64> = migration_model::detail::parse_detail(detail)
                .sections
                .iter()
                .flat_map(|s| s.events.iter())
                .map(|e| (e.line, e.time.at.timestamp()))
                .collect();
            for (i, line) in lines.iter().enumerate().skip(start) {
                if line.trim().is_empty() {
                    continue;
                }
                let mut e = ev(EventKind::DetailLine, Some(id));
                e.at = times.get(&(i + 1)).copied();
                e.text = Some(line.chars().take(MAX_LINE_CHARS).collect());
                let h = hash64(&[line.as_bytes()]);
                push(&mut out.events, e, format!("detail:{id}:{}:{h:016x}", i + 1));
            }
        }
        st.lines = lines.len();
        st.last_line = lines.last().map_or(0, |l| hash64(&[l.as_bytes()]));

        // The switch-readiness verdict, settled: see READY_HOLD_SECS.
        let link = LinkFigures::of(info, task.replication_state.as_ref(), now);
        let readiness = migration_model::readiness::switch_readiness_from(task, link, thresholds);
        st.ready_since = match (readiness.ready, old) {
            (false, _) => None,
            (true, Some(o)) => o.ready_since.or(Some((at, fp))),
            (true, None) => Some((at, fp)),
        };
        let held = st.ready_since.is_some_and(|(since, _)| at - since >= READY_HOLD_SECS);
        let settled = match old.and_then(|o| o.ready) {
            // First sight: the verdict as it stands (it is the baseline, not a change).
            None => readiness.ready,
            Some(was) => readiness.ready && (was || held),
        };
        st.ready = Some(settled);
        if let Some(was_ready) = old.and_then(|o| o.ready) {
            if was_ready != settled {
                let mut e = ev(EventKind::ReadinessChanged, Some(id));
                e.from = Some(was_ready.to_string());
                e.to = Some(settled.to_string());
                let missing: Vec<&str> = readiness.missing.iter().map(|m| m.code()).collect();
                e.text = (!missing.is_empty()).then(|| missing.join(","));
                // Named by the first answer that showed the new verdict: for ready, the run's
                // first poll (the conditions have held since); for not ready, this one. The
                // observed interval stays this poll's, so "ready for" errs on the short side.
                let named_by = match st.ready_since {
                    Some((_, since_fp)) if settled => since_fp,
                    _ => fp,
                };
                push(&mut out.events, e, format!("ready:{id}:{settled}:{named_by:016x}"));
            }
        }

        out.samples.push(TaskSample {
            task_id: id,
            task_name: task.task_name.clone(),
            sample: due.then_some(sample),
        });
        out.state.tasks.insert(id, st);
    }

    // Vanished: only when every task was read, so a page that shifted is not a vanishing.
    for (id, o) in &prev.tasks {
        if out.state.tasks.contains_key(id) {
            continue;
        }
        if seen.complete {
            let mut e = ev(EventKind::TaskVanished, Some(*id));
            e.from = o.stage.clone();
            let m = o.modified.map_or("-".to_string(), |m| m.to_string());
            push(&mut out.events, e, format!("vanished:{id}:{m}"));
        } else {
            out.state.tasks.insert(*id, o.clone());
        }
    }

    // Precheck reports: a report counts once it has a result (not while it runs).
    if let Some(reports) = seen.prechecks {
        for p in reports {
            let Some(id) = p.task_id else { continue };
            let verdict = p.detail_log().precheck_verdict();
            if matches!(verdict, PrecheckVerdict::InProgress | PrecheckVerdict::NotRun) {
                continue;
            }
            let v = verdict.as_str().to_string();
            if out.state.prechecks.get(&id) == Some(&v) {
                continue;
            }
            if prev.prechecks_seen {
                let mut e = ev(EventKind::PrecheckReport, Some(id));
                e.to = Some(v.clone());
                e.text = Some(v.clone());
                e.at = within(p.gmt_modified_at().map(|t| t.timestamp()), None, at);
                push(&mut out.events, e, format!("precheck:{id}:{v}:{}", opt(&p.gmt_created)));
            }
            out.state.prechecks.insert(id, v);
        }
        out.state.prechecks_seen = true;
    }
    out
}

/// A failed poll at `at` (`code`: the error code): the state it leaves and, on the first failure
/// of a run, the `poll_failing` event.
pub fn failed(prev: &InstanceState, at: i64, code: &str) -> (InstanceState, Option<NewEvent>) {
    let mut state = prev.clone();
    state.last_failed_at = Some(at);
    if prev.failing_since.is_some() {
        return (state, None);
    }
    state.failing_since = Some(at);
    let event = HistoryEvent {
        kind: EventKind::PollFailing,
        task_id: None,
        observed_after: prev.last_ok_at,
        observed_at: at,
        at: None,
        from: None,
        to: None,
        text: Some(code.chars().take(64).collect()),
        duration_min_secs: None,
        duration_max_secs: None,
    };
    (state, Some(NewEvent { event, dedup: format!("poll_failing:{}", prev.last_ok_at.unwrap_or(at)) }))
}

/// The `poll_recovered` event when a successful poll at `at` ends a run of failures.
pub fn recovered(prev: &InstanceState, at: i64) -> Option<NewEvent> {
    let since = prev.failing_since?;
    Some(NewEvent {
        event: HistoryEvent {
            kind: EventKind::PollRecovered,
            task_id: None,
            observed_after: prev.last_failed_at,
            observed_at: at,
            at: None,
            from: None,
            to: None,
            text: None,
            duration_min_secs: prev.last_failed_at.map(|l| l - since),
            duration_max_secs: Some(at - prev.last_ok_at.unwrap_or(since)),
        },
        dedup: format!("poll_recovered:{since}"),
    })
}

#[cfg(test)]
mod tests;
