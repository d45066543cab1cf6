//! What the rules derive from a task's slow-to-parse fields (`Detail`, `ReplicationInfo`), kept
//! between polls of one instance so an unchanged field is not parsed again. Each entry is keyed by
//! a hash and the length of the text it came from, so a changed field is always parsed afresh; a
//! task not in the latest poll loses its entry, and one instance keeps at most
//! [`MAX_CACHED_TASKS`] entries (beyond that, tasks are parsed every poll as without a cache).
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use migration_model::detail::{CheckOutcome, DetailLog, PrecheckVerdict};
use migration_model::precheck_outcome::precheck_summary;
use migration_model::replication::ReplicationInfo;
use migration_model::task::MigrationTask;

use super::TaskInput;

/// The most tasks one instance's cache remembers.
pub const MAX_CACHED_TASKS: usize = 50_000;

/// What the precheck rules read from a task's `Detail` (and stage).
#[derive(Clone, Debug, PartialEq)]
pub struct PrecheckFacts {
    pub verdict: PrecheckVerdict,
    /// The first failed check's name.
    pub first_failure: Option<String>,
    /// The first warning check's name.
    pub first_warning: Option<String>,
}

impl PrecheckFacts {
    fn of(task: &MigrationTask) -> PrecheckFacts {
        let log = task.detail_log();
        let summary = precheck_summary(&log, task.migrate_stage.as_ref());
        PrecheckFacts {
            verdict: summary.verdict,
            first_failure: summary.first_failure().map(|c| c.name.clone()),
            first_warning: first_warning(&log),
        }
    }
}

fn first_warning(log: &DetailLog) -> Option<String> {
    log.sections
        .iter()
        .flat_map(|s| s.checks.iter())
        .find(|c| matches!(c.outcome, CheckOutcome::Warning))
        .map(|c| c.name.clone())
}

/// A text's identity for the cache: its hash and length.
type Key = (u64, usize);

fn key(parts: &[Option<&str>]) -> Key {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    (h.finish(), parts.iter().map(|p| p.map_or(0, str::len)).sum())
}

/// One task's derived inputs.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    replication_key: Option<Key>,
    /// `ReplicationInfo` parsed (`None`: absent or unreadable).
    pub replication: Option<ReplicationInfo>,
    precheck_key: Option<Key>,
    /// Present when a precheck rule asked for it.
    pub precheck: Option<PrecheckFacts>,
}

impl Derived {
    /// Re-parses what changed since it was derived (not `ReplicationInfo` when the caller
    /// parsed it: `given`); says how many parses it did and how many it was asked for.
    fn refresh(&mut self, task: &MigrationTask, given: bool, precheck: bool) -> (u64, u64) {
        let mut parsed = 0;
        if given {
            self.replication = None;
            self.replication_key = None;
        } else {
            let rk = key(&[task.replication_info.as_deref()]);
            if self.replication_key != Some(rk) {
                parsed += 1;
                self.replication = task.replication().ok();
                self.replication_key = Some(rk);
            }
        }
        if precheck {
            let stage = task.migrate_stage.as_ref().map(|s| s.as_str());
            let pk = key(&[task.detail.as_deref(), stage]);
            if self.precheck_key != Some(pk) || self.precheck.is_none() {
                parsed += 1;
                self.precheck = Some(PrecheckFacts::of(task));
                self.precheck_key = Some(pk);
            }
        }
        (parsed, u64::from(!given) + u64::from(precheck))
    }
}

/// One instance's derived inputs, by task id.
#[derive(Debug, Default)]
pub struct EvalCache {
    tasks: HashMap<u64, Derived>,
    /// Parses done (misses) and avoided (hits) since the cache was made, for tests and benches.
    pub misses: u64,
    pub hits: u64,
}

impl EvalCache {
    /// The task's derived inputs at this poll: from the cache where the text is unchanged,
    /// parsed otherwise. `ReplicationInfo` is left alone when the input carries its parse; the
    /// precheck facts are worked out only if `precheck` (a rule needs them).
    pub fn derive(&mut self, task_id: u64, input: &TaskInput<'_>, precheck: bool) -> Cow<'_, Derived> {
        let given = input.replication.is_some();
        if self.tasks.len() >= MAX_CACHED_TASKS && !self.tasks.contains_key(&task_id) {
            let mut d = Derived::default();
            self.misses += d.refresh(input.task, given, precheck).0;
            return Cow::Owned(d);
        }
        let entry = self.tasks.entry(task_id).or_default();
        let (parsed, asked) = entry.refresh(input.task, given, precheck);
        self.misses += parsed;
        self.hits += asked - parsed;
        Cow::Borrowed(entry)
    }

    /// Drops the tasks not in `seen` (they left the instance).
    pub fn retain(&mut self, seen: &HashSet<u64>) {
        self.tasks.retain(|id, _| seen.contains(id));
    }

    /// How many tasks it remembers.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}
