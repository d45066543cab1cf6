//! Which RDS instances each caller may see: an optional JSON file mapping users and groups to
//! instance IDs or prefixes (`pgm-bp1*`). Without a file, callers see everything; with one, a
//! caller who is not listed sees nothing.
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::auth::Caller;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    users: HashMap<String, Vec<String>>,
    #[serde(default)]
    groups: HashMap<String, Vec<String>>,
}

/// What one caller may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(BTreeSet<String>),
}

impl Policy {
    pub fn load(path: &Path) -> anyhow::Result<Policy> {
        crate::auth::check_not_writable_by_others(path, "policy file")?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the policy file {}: {e}", path.display()))?;
        let policy: Policy = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("the policy file {} is not valid: {e}", path.display()))?;
        for pattern in policy.users.values().chain(policy.groups.values()).flatten() {
            let body = pattern.strip_suffix('*').unwrap_or(pattern);
            if body.contains('*') {
                anyhow::bail!("policy pattern {pattern:?}: only a trailing * is supported");
            }
        }
        Ok(policy)
    }

    /// Whether policy group `group` may see `instance` (alert rules scoped by group).
    pub fn group_allows(&self, group: &str, instance: &str) -> bool {
        self.groups.get(group).is_some_and(|patterns| {
            let scope = if patterns.iter().any(|p| p == "*") {
                Scope::All
            } else {
                Scope::Only(patterns.iter().cloned().collect())
            };
            scope.allows(instance)
        })
    }

    pub fn scope_for(&self, caller: &Caller) -> Scope {
        let mut patterns = BTreeSet::new();
        if let Some(user) = &caller.user {
            patterns.extend(self.users.get(user).into_iter().flatten().cloned());
        }
        for g in &caller.groups {
            patterns.extend(self.groups.get(g).into_iter().flatten().cloned());
        }
        if patterns.contains("*") {
            Scope::All
        } else {
            Scope::Only(patterns)
        }
    }
}

impl Scope {
    pub fn allows(&self, instance: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(patterns) => patterns.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => instance.starts_with(prefix),
                None => p == instance,
            }),
        }
    }

    /// Identifies the scope in cache keys: callers with equal scopes share answers.
    pub fn key(&self) -> String {
        match self {
            Scope::All => "*".to_string(),
            Scope::Only(p) => p.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        serde_json::from_str(r#"{"users": {"alice": ["pgm-bp102g323jd4demo"]}, "groups": {"dba": ["*"], "team-a": ["pgm-a*"]}}"#).unwrap()
    }

    fn caller(user: &str, groups: &[&str]) -> Caller {
        Caller { user: Some(user.into()), groups: groups.iter().map(|g| g.to_string()).collect() }
    }

    #[test]
    fn scopes_join_user_and_group_grants() {
        let p = policy();
        let alice = p.scope_for(&caller("alice", &["team-a"]));
        assert!(alice.allows("pgm-bp102g323jd4demo"));
        assert!(alice.allows("pgm-abc"));
        assert!(!alice.allows("pgm-other"));
        assert_eq!(p.scope_for(&caller("bob", &["dba"])), Scope::All);
        let nobody = p.scope_for(&caller("eve", &[]));
        assert!(!nobody.allows("pgm-bp102g323jd4demo"));
        assert_ne!(alice.key(), nobody.key());
    }

    #[test]
    fn bad_policy_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("policy-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("p.json");
        std::fs::write(&f, r#"{"users": {"a": ["pgm-*x"]}}"#).unwrap();
        assert!(Policy::load(&f).is_err());
        std::fs::write(&f, r#"{"user": {}}"#).unwrap();
        assert!(Policy::load(&f).is_err(), "unknown keys are mistakes");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
