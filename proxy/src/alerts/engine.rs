//! The evaluation: pure. One instance's poll (its tasks as the model parses them, or the poll's
//! failure), the recent lag samples the catch-up rate needs, `now`, and the instance's previous
//! [`InstanceState`] go in; the next state and the episode transitions come out. Nothing here
//! reads a clock, the store or the network, so every rule is tested with made-up times.
//!
//! Episodes work as in Alertmanager: a condition that holds for its rule's `for` fires once; it
//! re-notifies every `repeat_interval` while it keeps holding; it resolves once when it stops.
//! The one-shot kinds (`stage_changed`, `migration_succeeded`) notify once per occurrence.
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use migration_model::detail::PrecheckVerdict;
use migration_model::replication::{HealthThresholds, LinkFigures};
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
    pub lag_samples: &'a [(i64, i64)],
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

/// The figures behind a transition, for the message and the views.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_stage: Option<String>,
    /// *Not yet replayed*, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_yet_replayed_bytes: Option<i64>,
    /// *Behind the source's last report*, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behind_source_report_bytes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message_age_secs: Option<i64>,
    /// Growth of *not yet replayed*, bytes per second (lag_growing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_bytes_per_sec: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// The first failed (or warning) check, for the precheck kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Why the watcher's poll failed (watch_failing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_secs: Option<i64>,
    /// How long the condition has held (since it was first seen), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_secs: Option<i64>,
    /// A resolution that is not the condition ending: "task_gone", "rule_removed", "unwatched".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

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
/// seconds), from `prev`, parsing every task's fields afresh.
pub fn evaluate(rules: &[&Rule], poll: &PollOutcome<'_>, prev: &InstanceState, now: i64) -> Evaluation {
    evaluate_cached(rules, poll, prev, now, &mut EvalCache::default())
}

/// [`evaluate`], with the tasks' parsed fields kept in `cache` between polls of the same
/// instance (the result is the same; an unchanged `Detail` or `ReplicationInfo` is not parsed
/// again).
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
    // Conditions seen to hold at this poll, and the fingerprints this poll could judge.
    let mut holding: BTreeMap<String, (&Rule, Option<u64>, Figures)> = BTreeMap::new();
    let mut judged: BTreeSet<String> = BTreeSet::new();
    match poll {
        PollOutcome::Failed { error } => {
            for rule in rules.iter().copied().filter(|r| r.kind == RuleKind::WatchFailing) {
                let fp = fingerprint(&rule.name, None);
                let figures = Figures { error: Some(error.clone()), ..Figures::default() };
                holding.insert(fp.clone(), (rule, None, figures));
                judged.insert(fp);
            }
        }
        PollOutcome::Tasks(tasks) => {
            for rule in rules.iter().copied().filter(|r| r.kind == RuleKind::WatchFailing) {
                judged.insert(fingerprint(&rule.name, None));
            }
            let mut seen = HashSet::new();
            let wants_precheck =
                rules.iter().any(|r| matches!(r.kind, RuleKind::PrecheckFailed | RuleKind::PrecheckWarning));
            for input in tasks {
                let Some(task_id) = input.task.task_id else { continue };
                seen.insert(task_id);
                let derived = cache.derive(task_id, input.task, wants_precheck);
                let view = TaskView::new(input.task, now_dt, &derived);
                let stage = input.task.migrate_stage.as_ref().map(|s| s.as_str().to_string());
                let previous = state.stages.get(&task_id).cloned();
                for rule in rules.iter().copied().filter(|r| r.kind != RuleKind::WatchFailing) {
                    let fp = fingerprint(&rule.name, Some(task_id));
                    judged.insert(fp.clone());
                    if rule.kind.one_shot() {
                        if let Some(f) = one_shot(rule, previous.as_deref(), stage.as_deref(), &view) {
                            out.push(Transition::Fire {
                                fingerprint: fp,
                                rule: rule.name.clone(),
                                kind: rule.kind,
                                task_id: Some(task_id),
                                started_at: now,
                                figures: f,
                            });
                        }
                        continue;
                    }
                    if let Some(f) = condition(rule, input, &view, now_dt, &thresholds) {
                        holding.insert(fp, (rule, Some(task_id), f));
                    }
                }
                if let Some(s) = stage {
                    state.stages.insert(task_id, s);
                }
            }
            cache.retain(&seen);
            // A task no longer listed: its episodes end, its memory goes.
            let gone: Vec<u64> = state.stages.keys().copied().filter(|t| !seen.contains(t)).collect();
            for t in gone {
                state.stages.remove(&t);
            }
            // A fingerprint ends with its task id (`rule|task`, `rule|-` for the instance).
            let vanished = |fp: &str| {
                fp.rsplit_once('|')
                    .and_then(|(_, t)| t.parse::<u64>().ok())
                    .is_some_and(|t| !seen.contains(&t))
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
    for fp in &judged {
        match holding.remove(fp) {
            Some((rule, task_id, mut figures)) => {
                let since = *state.pending.get(fp).unwrap_or(&now);
                if let Some(open) = state.open.get_mut(fp) {
                    figures.held_secs = Some(now - open.started_at);
                    if now - open.last_notified_at >= rule.repeat_secs {
                        open.last_notified_at = now;
                        open.notifications += 1;
                        out.push(Transition::Repeat {
                            fingerprint: fp.clone(),
                            episode_id: open.id,
                            rule: rule.name.clone(),
                            kind: rule.kind,
                            figures,
                        });
                    }
                } else if now - since >= rule.for_secs {
                    state.pending.remove(fp);
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
                        fingerprint: fp.clone(),
                        rule: rule.name.clone(),
                        kind: rule.kind,
                        task_id,
                        started_at: since,
                        figures,
                    });
                } else {
                    state.pending.insert(fp.clone(), since);
                }
            }
            None => {
                state.pending.remove(fp);
                if let Some(episode) = state.open.remove(fp) {
                    let rule = rules.iter().find(|r| r.name == episode.rule);
                    let figures = Figures { held_secs: Some(now - episode.started_at), ..Figures::default() };
                    out.push(Transition::Resolve {
                        fingerprint: fp.clone(),
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
    fn new(task: &'a MigrationTask, now: DateTime<Utc>, derived: &'a cache::Derived) -> TaskView<'a> {
        let link = LinkFigures::of(derived.replication.as_ref(), task.replication_state.as_ref(), now);
        TaskView { task, link, precheck: derived.precheck.as_ref(), base: OnceCell::new() }
    }

    /// The figures every message of the task carries.
    fn base(&self) -> &Figures {
        self.base.get_or_init(|| base_figures(self.task, &self.link))
    }

    /// The base figures with `edit` applied.
    fn figures(&self, edit: impl FnOnce(&mut Figures)) -> Figures {
        let mut f = self.base().clone();
        edit(&mut f);
        f
    }
}

/// The figures every message of a task carries.
fn base_figures(task: &MigrationTask, f: &LinkFigures) -> Figures {
    let narrow = |v: Option<i128>| v.map(|v| v.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
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

/// The figures if `rule`'s condition holds for the task at this poll. Each check reads the
/// task's own fields first and the parsed figures only when it must.
fn condition(
    rule: &Rule,
    input: &TaskInput<'_>,
    view: &TaskView<'_>,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
) -> Option<Figures> {
    let task = input.task;
    let completed = task.migrate_stage == Some(MigrateStage::Success);
    match rule.kind {
        RuleKind::Disconnected => (task.replication_state == Some(ReplicationState::Disconnect)
            && !completed)
            .then(|| view.figures(|_| {})),
        RuleKind::StreamStale => {
            let limit = rule.threshold_secs.unwrap_or(120);
            let holds = matches!(
                task.replication_state,
                Some(ReplicationState::Catchup | ReplicationState::Streaming)
            ) && !completed
                && view.base().last_message_age_secs.is_some_and(|age| age >= limit);
            holds.then(|| view.figures(|f| f.threshold_secs = Some(limit)))
        }
        RuleKind::LagHigh => {
            let limit = rule.threshold_bytes.unwrap_or(super::config::DEFAULT_LAG_HIGH_BYTES);
            let holds =
                !completed && view.base().not_yet_replayed_bytes.is_some_and(|b| b > 0 && b as u64 > limit);
            holds.then(|| view.figures(|f| f.threshold_bytes = Some(limit)))
        }
        RuleKind::LagGrowing => {
            if completed {
                return None;
            }
            let mut pts: Vec<(i64, i64)> = input.lag_samples.to_vec();
            if let Some(lag) = view.base().not_yet_replayed_bytes {
                let t = now.timestamp();
                if !pts.iter().any(|p| p.0 == t) {
                    pts.push((t, lag));
                }
            }
            let window = rule.window_secs.unwrap_or(migration_model::trend::DEFAULT_WINDOW_SECS);
            match catch_up(&pts, window) {
                CatchUp::Growing { rate_bytes_per_sec, .. } => {
                    Some(view.figures(|f| f.growth_bytes_per_sec = Some(rate_bytes_per_sec)))
                }
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
            (facts.verdict == want).then(|| {
                let check = match rule.kind {
                    RuleKind::PrecheckFailed => facts.first_failure.clone(),
                    _ => facts.first_warning.clone(),
                };
                view.figures(|f| f.check = check)
            })
        }
        RuleKind::SwitchReady => {
            let r = migration_model::readiness::switch_readiness_from(task, view.link.clone(), thresholds);
            r.ready.then(|| view.figures(|f| f.ready = Some(true)))
        }
        RuleKind::StageChanged | RuleKind::MigrationSucceeded | RuleKind::WatchFailing => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
