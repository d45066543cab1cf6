//! Link 1: `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, with an optional
//! `ALIBABA_CLOUD_SECURITY_TOKEN` (then the credentials are STS ones). Also the small helpers every
//! link uses to read variables the way the SDKs do.
use super::{Credentials, Secret, Source};

pub(crate) const LABEL: &str =
    "environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)";

const ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
const SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
const TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

/// A variable's value when it is set and not blank (the SDKs treat empty as unset).
pub(crate) fn non_empty(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The SDKs' switches: on only when the value is `true`, in any case.
pub(crate) fn is_true(env: &dyn Fn(&str) -> Option<String>, name: &str) -> bool {
    env(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, both non-empty, with an
/// optional `ALIBABA_CLOUD_SECURITY_TOKEN`. `None` when either is missing.
pub fn from_environment(env: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
    let id = non_empty(env, ID)?;
    let secret = non_empty(env, SECRET)?;
    Some(Credentials {
        access_key_id: id,
        access_key_secret: Secret::new(secret),
        security_token: non_empty(env, TOKEN).map(Secret::new),
        source: Source::Environment,
    })
}

/// The link as the chain sees it: `Ok(None)` when none of the three variables is set (skip),
/// `Err` when some are set but the pair is incomplete (a configuration error, not a skip).
pub(crate) fn probe(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Credentials>, String> {
    if let Some(c) = from_environment(env) {
        return Ok(Some(c));
    }
    let set: Vec<&str> = [ID, SECRET, TOKEN].into_iter().filter(|n| non_empty(env, n).is_some()).collect();
    if set.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> = [ID, SECRET].into_iter().filter(|n| non_empty(env, n).is_none()).collect();
    Err(format!("{} is set but {} is empty or unset", set.join(" and "), missing.join(" and ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_credentials_need_both_values() {
        assert!(from_environment(&env(&[(ID, "id")])).is_none());
        assert!(from_environment(&env(&[(ID, "id"), (SECRET, " ")])).is_none());
        let c =
            from_environment(&env(&[(ID, "id"), (SECRET, "s3cr3t-value"), (TOKEN, "tok3n-value")])).unwrap();
        assert_eq!(c.access_key_id, "id");
        assert_eq!(c.access_key_secret.expose(), "s3cr3t-value");
        assert_eq!(c.security_token.as_ref().map(Secret::expose), Some("tok3n-value"));
        assert_eq!(c.source, Source::Environment);
        let plain = from_environment(&env(&[(ID, "id"), (SECRET, "s")])).unwrap();
        assert!(!plain.is_sts());
    }

    #[test]
    fn a_half_set_pair_is_an_error_not_a_skip() {
        assert!(probe(&env(&[])).unwrap().is_none());
        assert!(probe(&env(&[(ID, "")])).unwrap().is_none());
        let e = probe(&env(&[(ID, "id")])).unwrap_err();
        assert!(e.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET is empty"), "{e}");
        let e = probe(&env(&[(SECRET, "s3cr3t-value")])).unwrap_err();
        assert!(e.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{e}");
        assert!(!e.contains("s3cr3t-value"), "{e}");
        let e = probe(&env(&[(TOKEN, "tok3n-value")])).unwrap_err();
        assert!(!e.contains("tok3n-value"), "{e}");
    }

    #[test]
    fn switches_read_true_in_any_case() {
        assert!(is_true(&env(&[("X", "TRUE")]), "X"));
        assert!(is_true(&env(&[("X", " true ")]), "X"));
        assert!(!is_true(&env(&[("X", "1")]), "X"));
        assert!(!is_true(&env(&[]), "X"));
    }
}
