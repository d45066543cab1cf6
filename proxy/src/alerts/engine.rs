//! The evaluation: pure. One instance's poll (its tasks as the model parses them, or the poll's
//! failure), the recent lag samples the catch-up rate needs, `now`, and the instance's previous
//! [`InstanceState`] go in; the next state and the episode transitions come out. Nothing here
//! reads a clock, the store or the network, so every rule is tested with made-up times.
//!
//! Episodes work as in Alertmanager: a condition that holds for its rule's `for` fires once; it
//! re-notifies every `repeat_interval` while it keeps holding; it resolves once when it stops.
//! The one-shot kinds (`stage_changed`, `migration_succeeded`) notify once per occurrence.
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use migration_model::detail::PrecheckVerdict;
use migration_model::replication::{HealthThresholds, LinkFigures, ReplicationInfo};
use migration_model::stage::{MigrateStage, ReplicationState};
use migration_model::task::MigrationTask;
use migration_model::trend::{catch_up, CatchUp};
use serde::{Deserialize, Serialize};

use super::config::{Rule, RuleKind};
pub use cache::EvalCache;
use cache::PrecheckFacts;

pub mod cache;

/// One task of the poll, with its recent `(time, not yet replayed bytes)` samples (any order;
/// this poll's own figure need not be among them) for `lag_growing`.
#[derive(Clone, Copy, Debug)]
pub struct TaskInput<'a> {
    pub task: &'a MigrationTask,
    /// The task's `ReplicationInfo` as the caller already parsed it (the watcher does, for its
    /// history sample), `Some(None)` when absent or unreadable; `None`: not parsed yet, so the
    /// evaluation parses it (through its cache).
    pub replication: Option<&'a Option<ReplicationInfo>>,
    pub lag_samples: &'a [(i64, i64)],
}

impl<'a> TaskInput<'a> {
    /// A task with no parse handed in and no samples.
    pub fn of(task: &'a MigrationTask) -> TaskInput<'a> {
        TaskInput { task, replication: None, lag_samples: &[] }
    }
}

/// What one poll of an instance saw.
#[derive(Clone, Debug)]
pub enum PollOutcome<'a> {
    /// Every task of the instance.
    Tasks(Vec<TaskInput<'a>>),
    /// The poll failed (the error as the watcher logs it, with no secret in it).
    Failed { error: String },
}

/// The remembered state of one instance's rules, kept in the store between polls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    /// The stage each task had at the last successful poll.
    #[serde(default)]
    pub stages: BTreeMap<u64, String>,
    /// Conditions holding but not yet for their rule's `for`: fingerprint → since.
    #[serde(default)]
    pub pending: BTreeMap<String, i64>,
    /// Firing episodes: fingerprint → episode.
    #[serde(default)]
    pub open: BTreeMap<String, OpenEpisode>,
}

/// A firing episode, as the evaluation needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenEpisode {
    /// The store's id (0 until the store has written it).
    pub id: i64,
    pub rule: String,
    pub task_id: Option<u64>,
    pub started_at: i64,
    pub fired_at: i64,
    pub last_notified_at: i64,
    pub notifications: i64,
}

/// The figures behind a transition, for the message and the views (a wire type: the model's).
pub use migration_model::alerts::AlertFigures as Figures;

/// What happens to an episode.
#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    /// A new episode fires (one-shot kinds: and closes at once).
    Fire {
        fingerprint: String,
        rule: String,
        kind: RuleKind,
        task_id: Option<u64>,
        started_at: i64,
        figures: Figures,
    },
    /// A firing episode re-notifies (its repeat interval passed).
    Repeat { fingerprint: String, episode_id: i64, rule: String, kind: RuleKind, figures: Figures },
    /// A firing episode ends; `notify` false when there is no rule left to route it.
    Resolve {
        fingerprint: String,
        episode: OpenEpisode,
        kind: Option<RuleKind>,
        figures: Figures,
        notify: bool,
    },
}

impl Transition {
    pub fn event(&self) -> &'static str {
        match self {
            Transition::Fire { .. } => "firing",
            Transition::Repeat { .. } => "repeat",
            Transition::Resolve { .. } => "resolved",
        }
    }
}

/// The outcome of one evaluation.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub state: InstanceState,
    pub transitions: Vec<Transition>,
}

/// A condition's fingerprint within an instance: rule name and task.
pub fn fingerprint(rule: &str, task_id: Option<u64>) -> String {
    match task_id {
        Some(t) => format!("{rule}|{t}"),
        None => format!("{rule}|-"),
    }
}

/// Evaluates `rules` (already narrowed to this instance's scope) over one poll at `now` (Unix
/// seconds), from `prev`, parsing every task's fields afresh (those the caller did not hand in).
pub fn evaluate(rules: &[&Rule], poll: &PollOutcome<'_>, prev: &InstanceState, now: i64) -> Evaluation {
    evaluate_cached(rules, poll, prev, now, &mut EvalCache::default())
}

/// [`evaluate`], with the tasks' parsed fields kept in `cache` between polls of the same
/// instance (the result is the same; an unchanged `Detail` or `ReplicationInfo` is not parsed
/// again).
///
/// Its cost follows the conditions that hold and the episodes in `prev`, not tasks × rules: a
/// fingerprint is written out only for a condition that holds or a one-shot that fires, and the
/// remembered conditions that this poll could judge (see [`judged`]) are the only others looked
/// at.
pub fn evaluate_cached(
    rules: &[&Rule],
    poll: &PollOutcome<'_>,
    prev: &InstanceState,
    now: i64,
    cache: &mut EvalCache,
) -> Evaluation {
    let mut state = prev.clone();
    let mut out = Vec::new();
    let thresholds = HealthThresholds::default();
    let now_dt = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default();
    // Conditions seen to hold at this poll, by fingerprint, with their figures when this poll
    // sends a message about them (a firing or a repeat; see `settle` below).
    let mut holding: BTreeMap<String, Holding<'_>> = BTreeMap::new();
    // The tasks this poll listed (`None`: it failed, and judged no task).
    let mut seen: Option<HashSet<u64>> = None;
    match poll {
        PollOutcome::Failed { error } => {
            for rule in rules.iter().copied().filter(|r| r.kind == RuleKind::WatchFailing) {
                let figures = Figures { error: Some(error.clone()), ..Figures::default() };
                holding.insert(fingerprint(&rule.name, None), (rule, None, Some(figures)));
            }
        }
        PollOutcome::Tasks(tasks) => {
            let listed = seen.insert(HashSet::with_capacity(tasks.len()));
            let wants_precheck =
                rules.iter().any(|r| matches!(r.kind, RuleKind::PrecheckFailed | RuleKind::PrecheckWarning));
            let one_shots: Vec<&Rule> = rules.iter().copied().filter(|r| r.kind.one_shot()).collect();
            let conditions: Vec<&Rule> = rules
                .iter()
                .copied()
                .filter(|r| !r.kind.one_shot() && r.kind != RuleKind::WatchFailing)
                .collect();
            for input in tasks {
                let Some(task_id) = input.task.task_id else { continue };
                listed.insert(task_id);
                let derived = cache.derive(task_id, input, wants_precheck);
                let view = TaskView::new(input, now_dt, &derived);
                let stage = input.task.migrate_stage.as_ref().map(|s| s.as_str());
                let previous = state.stages.get(&task_id).map(String::as_str);
                if previous != stage {
                    for rule in &one_shots {
                        if let Some(f) = one_shot(rule, previous, stage, &view) {
                            out.push(Transition::Fire {
                                fingerprint: fingerprint(&rule.name, Some(task_id)),
                                rule: rule.name.clone(),
                                kind: rule.kind,
                                task_id: Some(task_id),
                                started_at: now,
                                figures: f,
                            });
                        }
                    }
                    if let Some(s) = stage {
                        state.stages.insert(task_id, s.to_string());
                    }
                }
                for rule in &conditions {
                    let Some(held) = condition(rule, input, &view, now_dt, &thresholds) else { continue };
                    let fp = fingerprint(&rule.name, Some(task_id));
                    // The same test `settle` makes: the state it reads is not changed for a
                    // listed task's fingerprint before then.
                    let told = match state.open.get(&fp) {
                        Some(open) => now - open.last_notified_at >= rule.repeat_secs,
                        None => now - state.pending.get(&fp).copied().unwrap_or(now) >= rule.for_secs,
                    };
                    holding.insert(fp, (rule, Some(task_id), told.then(|| view.held(held))));
                }
            }
            cache.retain(listed);
            // A task no longer listed: its episodes end, its memory goes.
            state.stages.retain(|t, _| listed.contains(t));
            // A fingerprint ends with its task id (`rule|task`, `rule|-` for the instance).
            let vanished = |fp: &str| {
                fp.rsplit_once('|')
                    .and_then(|(_, t)| t.parse::<u64>().ok())
                    .is_some_and(|t| !listed.contains(&t))
            };
            state.pending.retain(|fp, _| !vanished(fp.as_str()));
            let ended: Vec<String> = state.open.keys().filter(|fp| vanished(fp.as_str())).cloned().collect();
            for fp in ended {
                if let Some(episode) = state.open.remove(&fp) {
                    let rule = rules.iter().find(|r| r.name == episode.rule);
                    out.push(Transition::Resolve {
                        fingerprint: fp,
                        kind: rule.map(|r| r.kind),
                        notify: rule.is_some(),
                        figures: Figures { note: Some("task_gone".into()), ..Figures::default() },
                        episode,
                    });
                }
            }
        }
    }
    // Episodes of rules that no longer apply (removed, renamed, scoped away) end silently.
    let orphans: Vec<String> = state
        .open
        .iter()
        .filter(|(_, e)| !rules.iter().any(|r| r.name == e.rule))
        .map(|(fp, _)| fp.clone())
        .collect();
    for fp in orphans {
        if let Some(episode) = state.open.remove(&fp) {
            out.push(Transition::Resolve {
                fingerprint: fp,
                kind: None,
                notify: false,
                figures: Figures { note: Some("rule_removed".into()), ..Figures::default() },
                episode,
            });
        }
    }
    state
        .pending
        .retain(|fp, _| fp.rsplit_once('|').is_some_and(|(rule, _)| rules.iter().any(|r| r.name == rule)));
    // What this poll settles, in fingerprint order: the conditions that hold, and the remembered
    // ones (pending or firing) it could judge, which no longer hold.
    let mut settle: BTreeMap<String, Option<Holding<'_>>> =
        holding.into_iter().map(|(fp, h)| (fp, Some(h))).collect();
    for fp in state.pending.keys().chain(state.open.keys()) {
        if !settle.contains_key(fp) && judged(rules, seen.as_ref(), fp) {
            settle.insert(fp.clone(), None);
        }
    }
    for (fp, held) in settle {
        match held {
            Some((rule, task_id, figures)) => {
                let mut figures = figures.unwrap_or_default();
                let since = *state.pending.get(&fp).unwrap_or(&now);
                if let Some(open) = state.open.get_mut(&fp) {
                    figures.held_secs = Some(now - open.started_at);
                    if now - open.last_notified_at >= rule.repeat_secs {
                        open.last_notified_at = now;
                        open.notifications += 1;
                        out.push(Transition::Repeat {
                            fingerprint: fp,
                            episode_id: open.id,
                            rule: rule.name.clone(),
                            kind: rule.kind,
                            figures,
                        });
                    }
                } else if now - since >= rule.for_secs {
                    state.pending.remove(&fp);
                    figures.held_secs = Some(now - since);
                    state.open.insert(
                        fp.clone(),
                        OpenEpisode {
                            id: 0,
                            rule: rule.name.clone(),
                            task_id,
                            started_at: since,
                            fired_at: now,
                            last_notified_at: now,
                            notifications: 1,
                        },
                    );
                    out.push(Transition::Fire {
                        fingerprint: fp,
                        rule: rule.name.clone(),
                        kind: rule.kind,
                        task_id,
                        started_at: since,
                        figures,
                    });
                } else {
                    state.pending.insert(fp, since);
                }
            }
            None => {
                state.pending.remove(&fp);
                if let Some(episode) = state.open.remove(&fp) {
                    let rule = rules.iter().find(|r| r.name == episode.rule);
                    let figures = Figures { held_secs: Some(now - episode.started_at), ..Figures::default() };
                    out.push(Transition::Resolve {
                        fingerprint: fp,
                        kind: rule.map(|r| r.kind),
                        notify: rule.is_some(),
                        figures,
                        episode,
                    });
                }
            }
        }
    }
    Evaluation { state, transitions: out }
}

/// A condition that holds: its rule, its task, and its figures if this poll sends a message.
type Holding<'r> = (&'r Rule, Option<u64>, Option<Figures>);

/// Whether a poll that listed `seen` (`None`: a failed poll) could judge the condition `fp`:
/// an instance-wide `watch_failing` one always; a task's one (of any other rule) when the task
/// was listed. A fingerprint judged that no longer holds ends its pending run or its episode.
fn judged(rules: &[&Rule], seen: Option<&HashSet<u64>>, fp: &str) -> bool {
    let Some((name, task)) = fp.rsplit_once('|') else { return false };
    // Only the form `fingerprint` writes: a task id as it prints (no sign, no leading zero).
    let canonical = !task.starts_with(['+', '0']) || task == "0";
    let listed =
        || canonical && seen.is_some_and(|seen| task.parse::<u64>().is_ok_and(|t| seen.contains(&t)));
    rules
        .iter()
        .any(|r| r.name == name && if r.kind == RuleKind::WatchFailing { task == "-" } else { listed() })
}

/// The instance is no longer watched (removed, or its auto-watch expired): each firing episode
/// resolves, with a message noting `unwatched` when its rule is still there, and the rest of its
/// state (pending conditions, last stages) is dropped, so a later watch starts afresh.
pub fn unwatched(rules: &[&Rule], prev: &InstanceState, now: i64) -> Evaluation {
    let transitions = prev
        .open
        .iter()
        .map(|(fp, episode)| {
            let rule = rules.iter().find(|r| r.name == episode.rule);
            Transition::Resolve {
                fingerprint: fp.clone(),
                kind: rule.map(|r| r.kind),
                notify: rule.is_some(),
                figures: Figures {
                    note: Some("unwatched".into()),
                    held_secs: Some(now - episode.started_at),
                    ..Figures::default()
                },
                episode: episode.clone(),
            }
        })
        .collect();
    Evaluation { state: InstanceState::default(), transitions }
}

/// What the rules read from one task, each part worked out at most once and only if a rule asks
/// (parsing the replication info and the detail log is most of an evaluation's cost).
struct TaskView<'a> {
    task: &'a MigrationTask,
    /// The link's figures at this poll, from the (cached) parsed `ReplicationInfo`.
    link: LinkFigures,
    precheck: Option<&'a PrecheckFacts>,
    base: OnceCell<Figures>,
}

impl<'a> TaskView<'a> {
    fn new(input: &TaskInput<'a>, now: DateTime<Utc>, derived: &'a cache::Derived) -> TaskView<'a> {
        let task = input.task;
        let info = match input.replication {
            Some(given) => given.as_ref(),
            None => derived.replication.as_ref(),
        };
        let link = LinkFigures::of(info, task.replication_state.as_ref(), now);
        TaskView { task, link, precheck: derived.precheck.as_ref(), base: OnceCell::new() }
    }

    /// The figures every message of the task carries.
    fn base(&self) -> &Figures {
        self.base.get_or_init(|| base_figures(self.task, &self.link))
    }

    /// *Not yet replayed*, bytes, as the figures carry it (without building them).
    fn not_yet_replayed(&self) -> Option<i64> {
        narrow(self.link.not_yet_replayed)
    }

    /// The base figures with `edit` applied.
    fn figures(&self, edit: impl FnOnce(&mut Figures)) -> Figures {
        let mut f = self.base().clone();
        edit(&mut f);
        f
    }

    /// The figures of a message about a condition that holds.
    fn held(&self, held: Held<'_>) -> Figures {
        self.figures(|f| match held {
            Held::Plain => {}
            Held::ThresholdSecs(limit) => f.threshold_secs = Some(limit),
            Held::ThresholdBytes(limit) => f.threshold_bytes = Some(limit),
            Held::Growth(rate) => f.growth_bytes_per_sec = Some(rate),
            Held::Check(check) => f.check = check.map(str::to_string),
            Held::Ready => f.ready = Some(true),
        })
    }
}

/// What a condition that holds adds to the task's figures.
#[derive(Clone, Copy, Debug)]
enum Held<'a> {
    Plain,
    ThresholdSecs(i64),
    ThresholdBytes(u64),
    /// Growth of *not yet replayed*, bytes per second.
    Growth(f64),
    /// The first failed (or warning) check.
    Check(Option<&'a str>),
    Ready,
}

/// The figures every message of a task carries.
fn base_figures(task: &MigrationTask, f: &LinkFigures) -> Figures {
    Figures {
        task_name: task.task_name.clone(),
        stage: task.migrate_stage.as_ref().map(|s| s.as_str().to_string()),
        state: task.replication_state.as_ref().map(|s| s.as_str().to_string()),
        not_yet_replayed_bytes: narrow(f.not_yet_replayed),
        behind_source_report_bytes: narrow(f.behind_source_report),
        last_message_age_secs: f.last_message_age_secs,
        ..Figures::default()
    }
}

/// A byte figure as the messages carry it.
fn narrow(v: Option<i128>) -> Option<i64> {
    v.map(|v| v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

fn one_shot(
    rule: &Rule,
    previous: Option<&str>,
    stage: Option<&str>,
    view: &TaskView<'_>,
) -> Option<Figures> {
    // A task seen for the first time has no change to tell (a restart must not re-announce).
    let (prev, now) = (previous?, stage?);
    if prev == now {
        return None;
    }
    let succeeded = now == MigrateStage::Success.as_str();
    match rule.kind {
        RuleKind::StageChanged => {}
        RuleKind::MigrationSucceeded if succeeded => {}
        _ => return None,
    }
    Some(view.figures(|f| f.previous_stage = Some(prev.to_string())))
}

/// What `rule`'s condition adds to the task's figures if it holds at this poll. Each check reads
/// the task's own fields first and the parsed figures only when it must; the figures themselves
/// are built only for a message ([`TaskView::held`]).
fn condition<'v>(
    rule: &Rule,
    input: &TaskInput<'_>,
    view: &TaskView<'v>,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
) -> Option<Held<'v>> {
    let task = input.task;
    let completed = task.migrate_stage == Some(MigrateStage::Success);
    match rule.kind {
        RuleKind::Disconnected => (task.replication_state == Some(ReplicationState::Disconnect)
            && !completed)
            .then_some(Held::Plain),
        RuleKind::StreamStale => {
            let limit = rule.threshold_secs.unwrap_or(120);
            let holds = matches!(
                task.replication_state,
                Some(ReplicationState::Catchup | ReplicationState::Streaming)
            ) && !completed
                && view.link.last_message_age_secs.is_some_and(|age| age >= limit);
            holds.then_some(Held::ThresholdSecs(limit))
        }
        RuleKind::LagHigh => {
            let limit = rule.threshold_bytes.unwrap_or(super::config::DEFAULT_LAG_HIGH_BYTES);
            let holds = !completed && view.not_yet_replayed().is_some_and(|b| b > 0 && b as u64 > limit);
            holds.then_some(Held::ThresholdBytes(limit))
        }
        RuleKind::LagGrowing => {
            if completed {
                return None;
            }
            let mut pts: Vec<(i64, i64)> = Vec::with_capacity(input.lag_samples.len() + 1);
            pts.extend_from_slice(input.lag_samples);
            if let Some(lag) = view.not_yet_replayed() {
                let t = now.timestamp();
                if !pts.iter().any(|p| p.0 == t) {
                    pts.push((t, lag));
                }
            }
            // A lag that never rose, in time order, is not growing: every pairwise slope of the
            // fit is at most zero, so their median is too: the fit is skipped.
            pts.sort_by_key(|p| p.0);
            if pts.windows(2).all(|w| w[1].1 <= w[0].1) {
                return None;
            }
            let window = rule.window_secs.unwrap_or(migration_model::trend::DEFAULT_WINDOW_SECS);
            match catch_up(&pts, window) {
                CatchUp::Growing { rate_bytes_per_sec, .. } => Some(Held::Growth(rate_bytes_per_sec)),
                _ => None,
            }
        }
        RuleKind::PrecheckFailed | RuleKind::PrecheckWarning => {
            // Worked out for every task when a precheck rule is among the rules.
            let facts = view.precheck?;
            let want = if rule.kind == RuleKind::PrecheckFailed {
                PrecheckVerdict::Failed
            } else {
                PrecheckVerdict::PassedWithWarnings
            };
            let check = match rule.kind {
                RuleKind::PrecheckFailed => facts.first_failure.as_deref(),
                _ => facts.first_warning.as_deref(),
            };
            (facts.verdict == want).then_some(Held::Check(check))
        }
        RuleKind::SwitchReady => {
            let r = migration_model::readiness::switch_readiness_from(task, view.link.clone(), thresholds);
            r.ready.then_some(Held::Ready)
        }
        RuleKind::StageChanged | RuleKind::MigrationSucceeded | RuleKind::WatchFailing => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
