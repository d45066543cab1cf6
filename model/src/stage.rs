//! Migration stages, replication states and source categories, as the wire spells them.
//!
//! Unknown values are kept as `Other(raw)` and shown as given: the service may add values and
//! the dashboard must never drop or panic on them (docs/architecture.md).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Serialize as `as_str()`; deserialize from any string (or a number/bool as its text) via
/// `From<String>`. Shared by the three wire enums.
macro_rules! wire_enum_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = serde_json::Value::deserialize(d)?;
                Ok(match v {
                    serde_json::Value::String(s) => <$t>::from(s),
                    other => <$t>::from(other.to_string()),
                })
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                <$t>::from(s.to_string())
            }
        }
        impl std::str::FromStr for $t {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(<$t>::from(s))
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// `MigrateStage`: `precheck → basebackup → startup → increment → switch → success`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MigrateStage {
    Precheck,
    Basebackup,
    Startup,
    Increment,
    Switch,
    Success,
    /// A value the documentation does not list, kept exactly as sent.
    Other(String),
}

impl MigrateStage {
    /// The documented stages in order.
    pub const ALL: [MigrateStage; 6] = [
        MigrateStage::Precheck,
        MigrateStage::Basebackup,
        MigrateStage::Startup,
        MigrateStage::Increment,
        MigrateStage::Switch,
        MigrateStage::Success,
    ];

    /// The wire string (`Other` gives back what was sent).
    pub fn as_str(&self) -> &str {
        match self {
            MigrateStage::Precheck => "precheck",
            MigrateStage::Basebackup => "basebackup",
            MigrateStage::Startup => "startup",
            MigrateStage::Increment => "increment",
            MigrateStage::Switch => "switch",
            MigrateStage::Success => "success",
            MigrateStage::Other(s) => s,
        }
    }

    /// Position in the documented order (0 = precheck); `None` for `Other`.
    pub fn ordinal(&self) -> Option<usize> {
        Self::ALL.iter().position(|s| s == self)
    }

    /// The stage that follows; `None` after `success` and for `Other`.
    pub fn next(&self) -> Option<MigrateStage> {
        self.ordinal().and_then(|i| Self::ALL.get(i + 1)).cloned()
    }

    /// The stage before; `None` for `precheck` and `Other`.
    pub fn previous(&self) -> Option<MigrateStage> {
        self.ordinal().and_then(|i| i.checked_sub(1)).and_then(|i| Self::ALL.get(i)).cloned()
    }

    /// True once the migration has finished.
    pub fn is_final(&self) -> bool {
        matches!(self, MigrateStage::Success)
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, MigrateStage::Other(_))
    }
}

impl From<String> for MigrateStage {
    fn from(s: String) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "precheck" => MigrateStage::Precheck,
            "basebackup" => MigrateStage::Basebackup,
            "startup" => MigrateStage::Startup,
            "increment" => MigrateStage::Increment,
            "switch" => MigrateStage::Switch,
            "success" => MigrateStage::Success,
            _ => MigrateStage::Other(s),
        }
    }
}
wire_enum_serde!(MigrateStage);

/// `ReplicationState`: `unstarted, catchup, streaming, disconnect, finish`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReplicationState {
    Unstarted,
    Catchup,
    Streaming,
    Disconnect,
    Finish,
    /// A value the documentation does not list, kept exactly as sent.
    Other(String),
}

impl ReplicationState {
    /// The documented states in the documented order.
    pub const ALL: [ReplicationState; 5] = [
        ReplicationState::Unstarted,
        ReplicationState::Catchup,
        ReplicationState::Streaming,
        ReplicationState::Disconnect,
        ReplicationState::Finish,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            ReplicationState::Unstarted => "unstarted",
            ReplicationState::Catchup => "catchup",
            ReplicationState::Streaming => "streaming",
            ReplicationState::Disconnect => "disconnect",
            ReplicationState::Finish => "finish",
            ReplicationState::Other(s) => s,
        }
    }

    /// Position in the documented list; `None` for `Other`.
    pub fn ordinal(&self) -> Option<usize> {
        Self::ALL.iter().position(|s| s == self)
    }

    /// The state expected next on the normal path `unstarted → catchup → streaming → finish`.
    /// After `disconnect` the receiver reconnects and catches up again, so `catchup` follows.
    pub fn next(&self) -> Option<ReplicationState> {
        match self {
            ReplicationState::Unstarted => Some(ReplicationState::Catchup),
            ReplicationState::Catchup => Some(ReplicationState::Streaming),
            ReplicationState::Streaming => Some(ReplicationState::Finish),
            ReplicationState::Disconnect => Some(ReplicationState::Catchup),
            ReplicationState::Finish | ReplicationState::Other(_) => None,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, ReplicationState::Other(_))
    }
}

impl From<String> for ReplicationState {
    fn from(s: String) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "unstarted" => ReplicationState::Unstarted,
            "catchup" => ReplicationState::Catchup,
            "streaming" => ReplicationState::Streaming,
            "disconnect" => ReplicationState::Disconnect,
            "finish" => ReplicationState::Finish,
            _ => ReplicationState::Other(s),
        }
    }
}
wire_enum_serde!(ReplicationState);

/// `SourceCategory`: `idcOnVpc` or `ecsOnVpc`, read in any letter case (the seed's example
/// says `ecsonvpc`). Known values serialize in the documented camelCase; the original spelling
/// is not kept (the variants carry no data), which is harmless as the service reads them
/// case-insensitively too. Unknown values are kept and sent back verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceCategory {
    IdcOnVpc,
    EcsOnVpc,
    Other(String),
}

impl SourceCategory {
    pub const ALL: [SourceCategory; 2] = [SourceCategory::IdcOnVpc, SourceCategory::EcsOnVpc];

    pub fn as_str(&self) -> &str {
        match self {
            SourceCategory::IdcOnVpc => "idcOnVpc",
            SourceCategory::EcsOnVpc => "ecsOnVpc",
            SourceCategory::Other(s) => s,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, SourceCategory::Other(_))
    }
}

impl From<String> for SourceCategory {
    fn from(s: String) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "idconvpc" => SourceCategory::IdcOnVpc,
            "ecsonvpc" => SourceCategory::EcsOnVpc,
            _ => SourceCategory::Other(s),
        }
    }
}
wire_enum_serde!(SourceCategory);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_order_and_next() {
        let wire = ["precheck", "basebackup", "startup", "increment", "switch", "success"];
        for (i, w) in wire.iter().enumerate() {
            let s = MigrateStage::from(*w);
            assert!(s.is_known());
            assert_eq!(s.as_str(), *w);
            assert_eq!(s.ordinal(), Some(i));
            assert_eq!(s.next().map(|n| n.as_str().to_string()), wire.get(i + 1).map(|x| x.to_string()));
        }
        assert_eq!(MigrateStage::Precheck.previous(), None);
        assert_eq!(MigrateStage::Switch.previous(), Some(MigrateStage::Increment));
        let other = MigrateStage::from("rollback");
        assert_eq!(other, MigrateStage::Other("rollback".into()));
        assert_eq!(other.ordinal(), None);
        assert_eq!(other.next(), None);
        assert_eq!(MigrateStage::from(" SWITCH "), MigrateStage::Switch);
    }

    #[test]
    fn state_order_and_next() {
        let cases = [
            ("unstarted", 0, Some(ReplicationState::Catchup)),
            ("catchup", 1, Some(ReplicationState::Streaming)),
            ("streaming", 2, Some(ReplicationState::Finish)),
            ("disconnect", 3, Some(ReplicationState::Catchup)),
            ("finish", 4, None),
        ];
        for (w, ord, next) in cases {
            let s = ReplicationState::from(w);
            assert_eq!(s.as_str(), w);
            assert_eq!(s.ordinal(), Some(ord));
            assert_eq!(s.next(), next);
        }
        assert_eq!(ReplicationState::from("paused").next(), None);
    }

    #[test]
    fn serde_wire_strings() {
        let s: MigrateStage = serde_json::from_str("\"increment\"").unwrap();
        assert_eq!(s, MigrateStage::Increment);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"increment\"");
        let o: MigrateStage = serde_json::from_str("\"Weird\"").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"Weird\"");
        let n: ReplicationState = serde_json::from_str("3").unwrap();
        assert_eq!(n, ReplicationState::Other("3".into()));
    }

    #[test]
    fn source_category_any_case() {
        for (w, want) in [
            ("ecsOnVpc", SourceCategory::EcsOnVpc),
            ("ecsonvpc", SourceCategory::EcsOnVpc),
            ("ECSONVPC", SourceCategory::EcsOnVpc),
            ("idcOnVpc", SourceCategory::IdcOnVpc),
            ("IdcOnVpc", SourceCategory::IdcOnVpc),
            ("rdsOnVpc", SourceCategory::Other("rdsOnVpc".into())),
        ] {
            let got: SourceCategory = serde_json::from_value(serde_json::json!(w)).unwrap();
            assert_eq!(got, want, "{w}");
        }
        assert_eq!(serde_json::to_string(&SourceCategory::EcsOnVpc).unwrap(), "\"ecsOnVpc\"");
        assert_eq!(serde_json::to_string(&SourceCategory::Other("rdsOnVpc".into())).unwrap(), "\"rdsOnVpc\"");
    }
}
