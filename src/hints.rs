//! Plain-language advice for precheck checks that warn or fail (the texts are in the catalogue,
//! `i18n.rs`). Keyed by words of the check's name (the service's check names, as in the seed and
//! the SDK example); a check no rule knows gets [`GENERIC`]. Pure data, unit-tested natively.

use crate::i18n::{t, Key, Lang};

/// (words that must all appear in the lower-cased check name, the advice).
const HINTS: &[(&[&str], Key)] = &[
    (&["glibc"], Key::HintGlibc),
    (&["disk"], Key::HintDisk),
    (&["replication", "privilege"], Key::HintReplicationPrivilege),
    (&["createrole"], Key::HintCreaterole),
    (&["monitor"], Key::HintMonitor),
    (&["major version"], Key::HintMajorVersion),
    (&["ip"], Key::HintIp),
    (&["port"], Key::HintPort),
    (&["database connectable"], Key::HintDatabaseConnectable),
    (&["rds", "databases"], Key::HintRdsDatabases),
    (&["wal keep"], Key::HintWalKeep),
    (&["spec params"], Key::HintSpecParams),
    (&["triggers"], Key::HintTriggers),
    (&["functions"], Key::HintFunctions),
];

/// Advice for checks no rule knows.
pub const GENERIC: Key = Key::HintGeneric;

/// The advice for a warning or failure of the check named `name`.
pub fn check_hint(name: &str, lang: Lang) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let key = HINTS
        .iter()
        .find(|(words, _)| words.iter().all(|w| contains_word(&lower, w)))
        .map_or(GENERIC, |(_, k)| *k);
    t(lang, key)
}

/// True when `needle` appears in `hay` at word boundaries (`ip` in "check ip connectable", not
/// in "privilege").
fn contains_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_checks_get_their_advice() {
        let cases = [
            ("Check source glibc version compatible", "glibc"),
            ("Check disk size enough", "storage"),
            ("Check account replication privilege", "REPLICATION"),
            ("Check account createrole privilege", "CREATEROLE"),
            ("Check account monitor privilege", "pg_monitor"),
            ("Check major version consistent", "major versions"),
            ("Check ip connectable", "address"),
            ("Check port connectable", "port"),
            ("Check database connectable", "log in"),
            ("Check rds databases", "user databases"),
            ("Check wal keep size large enough", "wal_keep_size"),
            ("Check if spec params too large", "max_connections"),
            ("Check triggers compatible", "triggers"),
            ("Check user functions compatible", "functions"),
        ];
        for (name, word) in cases {
            let hint = check_hint(name, Lang::En);
            assert!(hint.contains(word), "{name}: {hint}");
            assert_ne!(check_hint(name, Lang::Id), hint, "{name}");
        }
        assert_eq!(check_hint("Check something new", Lang::En), t(Lang::En, GENERIC));
        assert_eq!(check_hint("Check something new", Lang::Id), t(Lang::Id, GENERIC));
    }
}
