//! `--alerts-file`: the rules and the destinations, in TOML. Destinations come only from this
//! file (never from the API), so the proxy cannot be made to post anywhere else; their URLs and
//! signing secrets are held in [`SecretString`] and never printed.
//!
//! ```toml
//! public_url = "https://portal.example.com/migrations"   # optional; --public-url wins
//!
//! [[destination]]
//! name = "dba-dingtalk"
//! kind = "dingtalk"        # webhook | slack | dingtalk | lark | wecom
//! url = "https://oapi.dingtalk.com/robot/send?access_token=..."
//! secret = "SEC..."        # dingtalk and lark (signed mode), webhook (whsec_...)
//! language = "id"          # en (default) | id
//!
//! [[rule]]
//! kind = "lag_high"        # see RuleKind
//! name = "lag-high-prod"   # optional, defaults to the kind; unique
//! for = "10m"              # how long the condition must hold before it fires
//! threshold_bytes = 1073741824
//! repeat_interval = "4h"
//! regions = ["cn-hangzhou"]            # scope; each list optional (empty: every one)
//! instances = ["pgm-bp1*"]             # instance ID globs
//! groups = ["dba"]                     # policy groups (--policy-file) that may see the instance
//! destinations = ["dba-dingtalk"]      # optional: every destination
//! ```
//!
//! A file without `[[rule]]` gets [`default_rules`] for every destination; no file at all means
//! no destinations, so episodes are kept (the views show them) but nothing is sent.
use std::collections::BTreeSet;
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use migration_model::secret::SecretString;
use serde::{Deserialize, Serialize};

/// Default time between re-notifications of a firing episode (Alertmanager's default).
pub const DEFAULT_REPEAT_SECS: i64 = 4 * 3600;

/// What a rule watches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// The task's stage changed (one message per change, nothing to resolve).
    StageChanged,
    /// The task reached `success` (one message, nothing to resolve).
    MigrationSucceeded,
    /// `ReplicationState` is `disconnect`.
    Disconnected,
    /// No message from the source for `threshold_secs` while `catchup` or `streaming`.
    StreamStale,
    /// *Not yet replayed* above `threshold_bytes`.
    LagHigh,
    /// The catch-up rate (Theil–Sen over the last `window`) says the lag is growing.
    LagGrowing,
    /// The precheck failed.
    PrecheckFailed,
    /// The precheck passed with warnings.
    PrecheckWarning,
    /// The switch-readiness verdict says ready.
    SwitchReady,
    /// The watcher's polls of the instance fail.
    WatchFailing,
}

impl RuleKind {
    pub const ALL: [RuleKind; 10] = [
        RuleKind::StageChanged,
        RuleKind::MigrationSucceeded,
        RuleKind::Disconnected,
        RuleKind::StreamStale,
        RuleKind::LagHigh,
        RuleKind::LagGrowing,
        RuleKind::PrecheckFailed,
        RuleKind::PrecheckWarning,
        RuleKind::SwitchReady,
        RuleKind::WatchFailing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::StageChanged => "stage_changed",
            RuleKind::MigrationSucceeded => "migration_succeeded",
            RuleKind::Disconnected => "disconnected",
            RuleKind::StreamStale => "stream_stale",
            RuleKind::LagHigh => "lag_high",
            RuleKind::LagGrowing => "lag_growing",
            RuleKind::PrecheckFailed => "precheck_failed",
            RuleKind::PrecheckWarning => "precheck_warning",
            RuleKind::SwitchReady => "switch_ready",
            RuleKind::WatchFailing => "watch_failing",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// One-shot kinds notify once per occurrence: no repeat, no "resolved".
    pub fn one_shot(self) -> bool {
        matches!(self, RuleKind::StageChanged | RuleKind::MigrationSucceeded)
    }

    /// How urgent: "critical" (stopped), "warning" (behind or doubtful), "info" (news).
    pub fn severity(self) -> &'static str {
        match self {
            RuleKind::Disconnected
            | RuleKind::StreamStale
            | RuleKind::PrecheckFailed
            | RuleKind::WatchFailing => "critical",
            RuleKind::LagHigh | RuleKind::LagGrowing | RuleKind::PrecheckWarning => "warning",
            RuleKind::StageChanged | RuleKind::MigrationSucceeded | RuleKind::SwitchReady => "info",
        }
    }

    /// The built-in defaults: (for, threshold_bytes, threshold_secs, window).
    fn defaults(self) -> (i64, Option<u64>, Option<i64>, Option<i64>) {
        match self {
            RuleKind::StageChanged | RuleKind::MigrationSucceeded => (0, None, None, None),
            RuleKind::Disconnected => (60, None, None, None),
            RuleKind::StreamStale => (0, None, Some(120), None),
            RuleKind::LagHigh => (600, Some(DEFAULT_LAG_HIGH_BYTES), None, None),
            RuleKind::LagGrowing => (600, None, None, Some(migration_model::trend::DEFAULT_WINDOW_SECS)),
            RuleKind::PrecheckFailed | RuleKind::PrecheckWarning => (0, None, None, None),
            RuleKind::SwitchReady => (600, None, None, None),
            RuleKind::WatchFailing => (300, None, None, None),
        }
    }
}

/// `lag_high`'s default threshold: 1 GiB not yet replayed.
pub const DEFAULT_LAG_HIGH_BYTES: u64 = 1 << 30;

/// A destination's kind: its format, signing and rate limit (docs/alerts.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    /// Generic JSON, signed per Standard Webhooks.
    Webhook,
    Slack,
    Dingtalk,
    Lark,
    Wecom,
}

impl DestinationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationKind::Webhook => "webhook",
            DestinationKind::Slack => "slack",
            DestinationKind::Dingtalk => "dingtalk",
            DestinationKind::Lark => "lark",
            DestinationKind::Wecom => "wecom",
        }
    }

    /// Least time between two messages to one destination, in milliseconds: the documented
    /// limits (DingTalk and WeCom 20 a minute, Lark 100 a minute and 5 a second, Slack about
    /// one a second), spaced evenly so no window of the service's can be exceeded.
    pub fn min_spacing_ms(self) -> u64 {
        match self {
            DestinationKind::Dingtalk | DestinationKind::Wecom => 3_000,
            DestinationKind::Lark => 600,
            DestinationKind::Slack => 1_000,
            DestinationKind::Webhook => 0,
        }
    }
}

/// The language of a destination's messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Id,
}

impl Language {
    pub fn lang(self) -> migration_model::Lang {
        match self {
            Language::En => migration_model::Lang::En,
            Language::Id => migration_model::Lang::Id,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Id => "id",
        }
    }
}

/// One destination. `url` and `secret` are secrets: Debug prints `***`.
#[derive(Clone, Debug)]
pub struct Destination {
    pub name: String,
    pub kind: DestinationKind,
    pub url: SecretString,
    pub secret: Option<SecretString>,
    pub language: Language,
}

/// Which instances a rule applies to. Empty lists do not restrict.
#[derive(Clone, Debug, Default)]
pub struct RuleScope {
    pub regions: Vec<String>,
    pub instances: Vec<String>,
    instance_globs: Option<GlobSet>,
    pub groups: Vec<String>,
}

impl RuleScope {
    /// Whether the rule applies to `instance` in `region`; `in_group(g, instance)` says whether
    /// policy group `g` may see the instance.
    pub fn applies(&self, region: &str, instance: &str, in_group: &dyn Fn(&str, &str) -> bool) -> bool {
        (self.regions.is_empty() || self.regions.iter().any(|r| r == region))
            && self.instance_globs.as_ref().is_none_or(|g| g.is_match(instance))
            && (self.groups.is_empty() || self.groups.iter().any(|g| in_group(g, instance)))
    }
}

/// One rule, validated, with its defaults filled in.
#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    pub kind: RuleKind,
    pub for_secs: i64,
    pub repeat_secs: i64,
    pub threshold_bytes: Option<u64>,
    pub threshold_secs: Option<i64>,
    pub window_secs: Option<i64>,
    pub scope: RuleScope,
    /// Destination names (all of them when the file names none).
    pub destinations: Vec<String>,
}

impl Rule {
    /// The built-in rule of `kind`, routed to `destinations`.
    pub fn default_of(kind: RuleKind, destinations: Vec<String>) -> Rule {
        let (for_secs, threshold_bytes, threshold_secs, window_secs) = kind.defaults();
        Rule {
            name: kind.as_str().to_string(),
            kind,
            for_secs,
            repeat_secs: DEFAULT_REPEAT_SECS,
            threshold_bytes,
            threshold_secs,
            window_secs,
            scope: RuleScope::default(),
            destinations,
        }
    }
}

/// The default rule set: every kind with its defaults, to every destination. Documented in
/// docs/alerts.md and mirrored by docs/prometheus/alerts.yml.
pub fn default_rules(destinations: &[Destination]) -> Vec<Rule> {
    let all: Vec<String> = destinations.iter().map(|d| d.name.clone()).collect();
    RuleKind::ALL.into_iter().map(|k| Rule::default_of(k, all.clone())).collect()
}

/// The whole configuration.
#[derive(Clone, Debug, Default)]
pub struct AlertsConfig {
    pub rules: Vec<Rule>,
    pub destinations: Vec<Destination>,
    pub public_url: Option<String>,
    /// True when the rules are the defaults (no `[[rule]]` in the file, or no file).
    pub default_rules: bool,
}

impl AlertsConfig {
    /// No file: the default rules and no destinations.
    pub fn without_file() -> AlertsConfig {
        AlertsConfig {
            rules: default_rules(&[]),
            destinations: Vec::new(),
            public_url: None,
            default_rules: true,
        }
    }

    /// `--alerts-file` (or none) and `--public-url` (which wins over the file's `public_url`).
    pub fn from_args(file: Option<&Path>, public_url: Option<&str>) -> anyhow::Result<AlertsConfig> {
        let mut c = match file {
            Some(p) => AlertsConfig::load(p)?,
            None => AlertsConfig::without_file(),
        };
        if let Some(u) = public_url {
            let ok = url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"));
            if !ok {
                anyhow::bail!("--public-url must be an absolute http(s) URL");
            }
            c.public_url = Some(u.trim_end_matches('/').to_string());
        }
        if !c.destinations.is_empty() {
            tracing::info!(
                destinations = c.destinations.len(),
                rules = c.rules.len(),
                default_rules = c.default_rules,
                "alerts configured"
            );
        }
        Ok(c)
    }

    pub fn destination(&self, name: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.name == name)
    }

    /// Reads `path`, refusing a file that group or others can write (like the tokens and
    /// policy files: whoever writes it chooses where alerts go).
    pub fn load(path: &Path) -> anyhow::Result<AlertsConfig> {
        crate::auth::check_not_writable_by_others(path, "alerts file")?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the alerts file {}: {e}", path.display()))?;
        AlertsConfig::parse(&text)
            .map_err(|e| anyhow::anyhow!("the alerts file {} is not valid: {e}", path.display()))
    }

    /// Parses and validates the file's text. Errors name the line and the field, and never
    /// quote a value (a URL or secret could be in it).
    pub fn parse(text: &str) -> Result<AlertsConfig, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| format!("line {}: ", line_of(text, s.start))).unwrap_or_default();
            format!("{at}{}", unquote(e.message()))
        })?;
        let mut destinations = Vec::new();
        let mut names = BTreeSet::new();
        for d in raw.destination {
            let line = line_of(text, d.span().start);
            let d = d.into_inner();
            let at = |field: &str| format!("line {line}: destination {:?}, field `{field}`", d.name);
            if d.name.is_empty() || !d.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                return Err(format!("line {line}: destination field `name`: letters, digits and -_. only"));
            }
            if !names.insert(d.name.clone()) {
                return Err(format!("{}: the name is used twice", at("name")));
            }
            check_url(d.url.expose()).map_err(|e| format!("{}: {e}", at("url")))?;
            check_secret(d.kind, d.secret.as_ref()).map_err(|e| format!("{}: {e}", at("secret")))?;
            destinations.push(Destination {
                name: d.name,
                kind: d.kind,
                url: d.url,
                secret: d.secret,
                language: d.language.unwrap_or_default(),
            });
        }
        let default_rules = raw.rule.is_empty();
        let rules = if default_rules {
            self::default_rules(&destinations)
        } else {
            let mut rules = Vec::new();
            let mut rule_names = BTreeSet::new();
            for r in raw.rule {
                let line = line_of(text, r.span().start);
                let r = r.into_inner();
                let at = |field: &str| format!("line {line}: rule `{field}`");
                let mut rule = Rule::default_of(r.kind, Vec::new());
                if let Some(name) = r.name {
                    rule.name = name;
                }
                if !rule_names.insert(rule.name.clone()) {
                    return Err(format!(
                        "{}: {:?} is used twice (give one of them another name)",
                        at("name"),
                        rule.name
                    ));
                }
                if let Some(f) = r.r#for {
                    rule.for_secs = duration(&f).map_err(|e| format!("{}: {e}", at("for")))?;
                }
                if let Some(f) = r.repeat_interval {
                    rule.repeat_secs = duration(&f).map_err(|e| format!("{}: {e}", at("repeat_interval")))?;
                    if rule.repeat_secs < 60 {
                        return Err(format!("{}: at least 1 minute", at("repeat_interval")));
                    }
                }
                if let Some(f) = r.window {
                    if r.kind != RuleKind::LagGrowing {
                        return Err(format!("{}: only lag_growing has a window", at("window")));
                    }
                    let w = duration(&f).map_err(|e| format!("{}: {e}", at("window")))?;
                    if w < migration_model::trend::MIN_SPAN_SECS {
                        return Err(format!(
                            "{}: at least {} s (the catch-up rate needs that much)",
                            at("window"),
                            migration_model::trend::MIN_SPAN_SECS
                        ));
                    }
                    rule.window_secs = Some(w);
                }
                if let Some(b) = r.threshold_bytes {
                    if r.kind != RuleKind::LagHigh {
                        return Err(format!("{}: only lag_high has a byte threshold", at("threshold_bytes")));
                    }
                    rule.threshold_bytes = Some(b);
                }
                if let Some(s) = r.threshold {
                    if r.kind != RuleKind::StreamStale {
                        return Err(format!("{}: only stream_stale has a time threshold", at("threshold")));
                    }
                    rule.threshold_secs =
                        Some(duration(&s).map_err(|e| format!("{}: {e}", at("threshold")))?);
                }
                let mut globs = GlobSetBuilder::new();
                for p in &r.instances {
                    let g = Glob::new(p).map_err(|e| format!("{}: {p:?}: {}", at("instances"), e.kind()))?;
                    globs.add(g);
                }
                rule.scope = RuleScope {
                    regions: r.regions,
                    instance_globs: if r.instances.is_empty() {
                        None
                    } else {
                        Some(globs.build().map_err(|e| format!("{}: {}", at("instances"), e.kind()))?)
                    },
                    instances: r.instances,
                    groups: r.groups,
                };
                rule.destinations = match r.destinations {
                    None => destinations.iter().map(|d| d.name.clone()).collect(),
                    Some(list) => {
                        for name in &list {
                            if !names.contains(name) {
                                return Err(format!(
                                    "{}: no destination is named {name:?}",
                                    at("destinations")
                                ));
                            }
                        }
                        list
                    }
                };
                rules.push(rule);
            }
            rules
        };
        let public_url = match raw.public_url {
            Some(u) => {
                let parsed =
                    url::Url::parse(&u).map_err(|_| "field `public_url`: not an absolute URL".to_string())?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err("field `public_url`: http or https only".into());
                }
                Some(u.trim_end_matches('/').to_string())
            }
            None => None,
        };
        Ok(AlertsConfig { rules, destinations, public_url, default_rules })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default)]
    destination: Vec<toml::Spanned<RawDestination>>,
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDestination {
    name: String,
    kind: DestinationKind,
    url: SecretString,
    #[serde(default)]
    secret: Option<SecretString>,
    #[serde(default)]
    language: Option<Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    kind: RuleKind,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    r#for: Option<String>,
    #[serde(default)]
    repeat_interval: Option<String>,
    #[serde(default)]
    threshold_bytes: Option<u64>,
    #[serde(default)]
    threshold: Option<String>,
    #[serde(default)]
    window: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    instances: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    destinations: Option<Vec<String>>,
}

/// "90s", "10m", "4h", "1h 30m" (humantime), or "0s"; in whole seconds.
fn duration(s: &str) -> Result<i64, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{s:?} is not a duration like \"90s\", \"10m\" or \"4h\" ({e})"))?;
    i64::try_from(d.as_secs()).ok().filter(|s| *s <= 30 * 86_400).ok_or_else(|| "at most 30 days".to_string())
}

/// A destination URL: https, or http on a loopback address (tests, a local relay).
fn check_url(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|_| "not an absolute URL".to_string())?;
    match u.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match u.host() {
                Some(url::Host::Ipv4(a)) => a.is_loopback(),
                Some(url::Host::Ipv6(a)) => a.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err("plain http is accepted only on a loopback address; use https".into())
            }
        }
        _ => Err("https only".into()),
    }
}

fn check_secret(kind: DestinationKind, secret: Option<&SecretString>) -> Result<(), String> {
    use base64::Engine;
    match (kind, secret) {
        (DestinationKind::Slack | DestinationKind::Wecom, Some(_)) => {
            Err(format!("{} does not sign messages: remove it (the URL is the credential)", kind.as_str()))
        }
        (DestinationKind::Slack | DestinationKind::Wecom, None) => Ok(()),
        (_, None) => Err(format!("{} needs its signing secret (signed mode)", kind.as_str())),
        (DestinationKind::Webhook, Some(s)) => {
            let key =
                s.expose().strip_prefix("whsec_").ok_or("a Standard Webhooks secret starts with whsec_")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key)
                .map_err(|_| "the part after whsec_ is not base64".to_string())?;
            if bytes.len() < 24 {
                Err("the key is too short (at least 24 bytes)".into())
            } else {
                Ok(())
            }
        }
        (DestinationKind::Dingtalk, Some(s)) if !s.expose().starts_with("SEC") => {
            Err("a DingTalk signing secret starts with SEC".into())
        }
        (_, Some(s)) if s.is_empty() => Err("empty".into()),
        (_, Some(_)) => Ok(()),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}

/// A parser message without any quoted value: `invalid type: string "x"` or `unknown variant
/// `x`` could quote a secret. Backticked names that look like a field name (snake_case) stay,
/// so "unknown field `surprise`" still says which.
fn unquote(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        out.push_str(&rest[..i]);
        let q = rest[i..].chars().next().unwrap_or('"');
        let after = &rest[i + 1..];
        let Some(j) = after.find(q) else {
            out.push(q);
            out.push('…');
            return out;
        };
        let inner = &after[..j];
        let name_like = q == '`'
            && inner.len() <= 40
            && inner.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        out.push(q);
        out.push_str(if name_like { inner } else { "…" });
        out.push(q);
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn file() -> String {
        format!(
            r#"
public_url = "https://portal.example.com/migrations/"

[[destination]]
name = "dba-dingtalk"
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=planted-token-1"
secret = "SECplanted-secret-2"
language = "id"

[[destination]]
name = "hook"
kind = "webhook"
url = "http://127.0.0.1:9/hook"
secret = "{HOOK_SECRET}"

[[rule]]
kind = "lag_high"
for = "5m"
threshold_bytes = 1000
instances = ["pgm-bp1*"]
regions = ["cn-hangzhou"]
destinations = ["dba-dingtalk"]

[[rule]]
kind = "disconnected"
name = "disc-dba"
groups = ["dba"]
repeat_interval = "1h"
"#
        )
    }

    #[test]
    fn a_full_file_parses_with_defaults_filled_in() {
        let c = AlertsConfig::parse(&file()).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://portal.example.com/migrations"));
        assert_eq!(c.destinations.len(), 2);
        assert_eq!(c.destinations[0].language, Language::Id);
        assert_eq!(c.destinations[1].language, Language::En);
        assert!(!c.default_rules);
        let lag = &c.rules[0];
        assert_eq!((lag.kind, lag.for_secs, lag.threshold_bytes), (RuleKind::LagHigh, 300, Some(1000)));
        assert_eq!(lag.repeat_secs, DEFAULT_REPEAT_SECS);
        assert_eq!(lag.destinations, vec!["dba-dingtalk"]);
        let no_group = |_: &str, _: &str| false;
        assert!(lag.scope.applies("cn-hangzhou", "pgm-bp1abc", &no_group));
        assert!(!lag.scope.applies("cn-hangzhou", "pgm-bp2abc", &no_group));
        assert!(!lag.scope.applies("cn-beijing", "pgm-bp1abc", &no_group));
        let disc = &c.rules[1];
        assert_eq!((disc.name.as_str(), disc.for_secs, disc.repeat_secs), ("disc-dba", 60, 3600));
        assert_eq!(disc.destinations, vec!["dba-dingtalk", "hook"]);
        assert!(!disc.scope.applies("cn-hangzhou", "pgm-x", &no_group));
        assert!(disc.scope.applies("cn-hangzhou", "pgm-x", &|g, i| g == "dba" && i == "pgm-x"));
    }

    #[test]
    fn no_rules_means_the_default_set_for_every_destination() {
        let text = file();
        let text = &text[..text.find("[[rule]]").unwrap()];
        let c = AlertsConfig::parse(text).unwrap();
        assert!(c.default_rules);
        assert_eq!(c.rules.len(), RuleKind::ALL.len());
        for r in &c.rules {
            assert_eq!(r.destinations, vec!["dba-dingtalk", "hook"]);
        }
        let by = |k: RuleKind| c.rules.iter().find(|r| r.kind == k).unwrap();
        assert_eq!(by(RuleKind::Disconnected).for_secs, 60);
        assert_eq!(by(RuleKind::StreamStale).threshold_secs, Some(120));
        assert_eq!(by(RuleKind::WatchFailing).for_secs, 300);
        assert_eq!(by(RuleKind::SwitchReady).for_secs, 600);
        let none = AlertsConfig::without_file();
        assert!(none.destinations.is_empty() && none.default_rules);
    }

    #[test]
    fn errors_name_the_line_and_field_and_never_quote_a_secret() {
        let cases: Vec<(String, &str)> = vec![
            (file().replace("kind = \"lag_high\"", "kind = \"lag_hi\""), "line 18"),
            (file().replace("for = \"5m\"", "for = \"5 parsecs\""), "rule `for`"),
            (
                file().replace("destinations = [\"dba-dingtalk\"]", "destinations = [\"nope\"]"),
                "`destinations`",
            ),
            (file().replace("SECplanted-secret-2", "planted-secret-2"), "field `secret`"),
            (file().replace("https://oapi.dingtalk.com", "http://oapi.dingtalk.com"), "field `url`"),
            (file().replace("name = \"hook\"", "name = \"dba-dingtalk\""), "used twice"),
            (file().replace("threshold_bytes = 1000", "threshold_bytes = \"planted-token-1\""), "line 20"),
            (file().replace("language = \"id\"", "language = \"planted-token-1\""), "line 9"),
            (file() + "\n[[rule]]\nkind = \"stage_changed\"\nthreshold_bytes = 5\n", "threshold_bytes"),
            (file().replace("name = \"disc-dba\"", "name = \"lag_high\""), "used twice"),
            (file().replace(HOOK_SECRET, "whsec_!!"), "not base64"),
            (file() + "\nsurprise = 1\n", "surprise"),
        ];
        for (text, want) in cases {
            let e = AlertsConfig::parse(&text).expect_err(want);
            assert!(e.contains(want), "{e:?} should contain {want:?}");
            for planted in ["planted-token-1", "planted-secret-2", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
                assert!(!e.contains(planted), "{e:?} leaks {planted}");
            }
        }
    }

    #[test]
    fn debug_output_holds_no_url_or_secret() {
        let c = AlertsConfig::parse(&file()).unwrap();
        let dump = format!("{c:?}");
        assert!(!dump.contains("planted-token-1") && !dump.contains("planted-secret-2"), "{dump}");
        assert!(!dump.contains("MfKQ9r8G"), "{dump}");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("alerts-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("alerts.toml");
        std::fs::write(&path, file()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(AlertsConfig::load(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let e = AlertsConfig::load(&path).unwrap_err().to_string();
        assert!(e.contains("alerts file") && e.contains("group or others"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
