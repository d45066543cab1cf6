//! Alibaba Cloud credentials. Secret values live in [`Secret`], which never prints itself.
use std::fmt;

/// A secret string (AccessKey secret, STS token). `Debug` and `Display` print `***`; it is not
/// `Serialize`, so it cannot end up in a response by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where a set of credentials came from (shown by /readyz and in the start-up log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Environment,
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Environment => "environment",
            Source::Demo => "demo",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
    pub source: Source,
}

/// No source in the chain had credentials; says which were tried.
#[derive(Debug, thiserror::Error)]
#[error("no Alibaba Cloud credentials found; tried, in order: {}. Set them, or use --demo for the built-in simulator.", tried.join("; "))]
pub struct NoCredentials {
    pub tried: Vec<String>,
}

/// The credential chain as far as it is implemented: environment variables.
pub fn resolve(env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, NoCredentials> {
    let mut tried = Vec::new();
    match from_environment(env) {
        Some(c) => return Ok(c),
        None => tried.push("environment (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET)".to_string()),
    }
    Err(NoCredentials { tried })
}

/// `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, both non-empty, with an
/// optional `ALIBABA_CLOUD_SECURITY_TOKEN` (then the credentials are STS ones).
pub fn from_environment(env: &dyn Fn(&str) -> Option<String>) -> Option<Credentials> {
    let non_empty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let id = non_empty("ALIBABA_CLOUD_ACCESS_KEY_ID")?;
    let secret = non_empty("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?;
    Some(Credentials {
        access_key_id: id,
        access_key_secret: Secret::new(secret),
        security_token: non_empty("ALIBABA_CLOUD_SECURITY_TOKEN").map(Secret::new),
        source: Source::Environment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_credentials_need_both_values() {
        assert!(from_environment(&env(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")])).is_none());
        assert!(from_environment(&env(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", " ")])).is_none());
        let c = from_environment(&env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t-value"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok3n-value"),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id, "id");
        assert_eq!(c.access_key_secret.expose(), "s3cr3t-value");
        assert_eq!(c.security_token.as_ref().map(Secret::expose), Some("tok3n-value"));
    }

    #[test]
    fn secrets_never_print_themselves() {
        let c = from_environment(&env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t-value"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok3n-value"),
        ]))
        .unwrap();
        let printed = format!("{c:?} {} {:#?}", c.access_key_secret, c);
        assert!(!printed.contains("s3cr3t-value"), "{printed}");
        assert!(!printed.contains("tok3n-value"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn missing_credentials_name_the_sources_tried() {
        let e = resolve(&env(&[])).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{text}");
        assert!(text.contains("--demo"), "{text}");
    }
}
