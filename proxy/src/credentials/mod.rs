//! Alibaba Cloud credentials: the official SDKs' default chain, cached and refreshed.
//!
//! Sources, in the order the official SDKs try them (credentials-go `providers/default.go`,
//! credentials-python `provider/default.py`):
//!
//! 1. **environment**: `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
//!    (+ `ALIBABA_CLOUD_SECURITY_TOKEN` for STS credentials) — `env.rs`;
//! 2. **OIDC role** (Kubernetes RRSA): `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
//!    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` → STS `AssumeRoleWithOIDC` — `oidc.rs`;
//! 3. **CLI profile** `~/.aliyun/config.json` (modes `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`,
//!    `OIDC`, `ChainableRamRoleArn`) — `cli_profile.rs`;
//! 4. **credentials file** `~/.alibabacloud/credentials` or `credentials.ini` (types `access_key`,
//!    `ecs_ram_role`, `ram_role_arn`, `oidc_role_arn`) — `shared_file.rs`;
//! 5. **ECS RAM role** through the instance metadata service, IMDSv2 token first — `ecs.rs`.
//!
//! **One deliberate difference from the SDKs.** The SDKs try every source and fall through to the
//! next when one fails. Here the first source that is *configured* decides: if it then fails (a
//! broken file, an incomplete set of variables, STS refusing the role, an unreadable OIDC token),
//! start-up fails with an error that names that source, instead of silently running under another
//! identity (for example the node's ECS role instead of the pod's RRSA role). A source that is
//! simply absent (variables unset, file missing, no metadata service) is skipped and listed in
//! [`NoCredentials`]. See `provider.rs` (and [`CredentialProvider`]) for the rules per source.
//!
//! Secrets live in [`Secret`], which never prints itself; no error message or log line built here
//! carries a secret, a security token, a metadata token, the OIDC token, or a signed URL.

pub mod cli;
mod cli_profile;
mod ecs;
mod env;
mod oidc;
mod provider;
mod shared_file;
mod sts;
pub(crate) mod transport;

use std::fmt;

use serde::Serialize;

pub use cli::{CredentialArgs, CHAIN_HELP};
pub use env::from_environment;
pub use provider::{
    ChainConfig, Clock, CredentialProvider, CredentialState, CredentialStatus, EnvLookup, RefreshOutcome,
};

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

/// Where a set of credentials came from (shown by /readyz and in the start-up log): the link of
/// the chain that supplied them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`.
    Environment,
    /// `ALIBABA_CLOUD_ROLE_ARN` + `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` + `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (RRSA).
    OidcRole,
    /// A profile of `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`).
    CliProfile,
    /// A section of `~/.alibabacloud/credentials[.ini]` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`).
    CredentialsFile,
    /// The ECS instance's RAM role, from the metadata service.
    EcsRamRole,
    /// The simulator's demo key (`serve --demo`).
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Environment => "environment",
            Source::OidcRole => "oidc_role",
            Source::CliProfile => "cli_profile",
            Source::CredentialsFile => "credentials_file",
            Source::EcsRamRole => "ecs_ram_role",
            Source::Demo => "demo",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the credentials are obtained (the SDKs' profile modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A long-term AccessKey pair.
    AccessKey,
    /// A fixed STS token given with its AccessKey pair (it expires and cannot be refreshed here).
    StsToken,
    /// STS `AssumeRole`, signed with another credential (`RamRoleArn`, `ChainableRamRoleArn`).
    RamRoleArn,
    /// STS `AssumeRoleWithOIDC` with a token file (`OIDC`, RRSA).
    OidcRoleArn,
    /// The ECS instance metadata service.
    EcsRamRole,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::AccessKey => "access_key",
            Method::StsToken => "sts_token",
            Method::RamRoleArn => "ram_role_arn",
            Method::OidcRoleArn => "oidc_role_arn",
            Method::EcsRamRole => "ecs_ram_role",
        }
    }

    /// True for the methods whose credentials expire and are fetched again.
    pub fn is_refreshable(self) -> bool {
        matches!(self, Method::RamRoleArn | Method::OidcRoleArn | Method::EcsRamRole)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One set of credentials, as a signer needs them. `Debug` shows the AccessKeyId (an identifier,
/// as the SDKs treat it) and `***` for the secret and the token.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
    pub source: Source,
}

impl Credentials {
    /// True when these are STS credentials (they carry a security token).
    pub fn is_sts(&self) -> bool {
        self.security_token.is_some()
    }
}

/// No usable credentials: either no source in the chain is configured, or the first configured
/// one failed. Names every source tried, in order; this is what `serve` prints when it refuses to
/// start. Never carries a secret.
#[derive(Debug, Clone)]
pub struct NoCredentials {
    /// One line per source tried, in chain order: `"<source> (<where>): <outcome>"`.
    pub tried: Vec<String>,
    /// The configured source that failed, when that is why the chain stopped.
    pub failed: Option<SourceFailure>,
}

/// The configured source that stopped the chain, and why.
#[derive(Debug, Clone)]
pub struct SourceFailure {
    pub source: Source,
    /// Which source, in words (`"CLI profile \"prod\" in /home/u/.aliyun/config.json"`).
    pub what: String,
    /// Why it failed (no secrets).
    pub reason: String,
}

impl std::error::Error for NoCredentials {}

impl fmt::Display for NoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failed {
            Some(failure) => write!(
                f,
                "Alibaba Cloud credentials could not be loaded from {}: {}. The first configured source decides \
                 (the proxy does not fall through to the next one); fix or remove that configuration, or use \
                 --demo for the built-in simulator. Sources tried, in order:{}",
                failure.what,
                failure.reason,
                numbered(&self.tried)
            ),
            None => write!(
                f,
                "no Alibaba Cloud credentials found (set them, or use --demo for the built-in simulator); tried, in order:{}",
                numbered(&self.tried)
            ),
        }
    }
}

/// The sources, one per line, numbered in chain order.
fn numbered(lines: &[String]) -> String {
    lines.iter().enumerate().map(|(i, l)| format!("\n  {}) {l}", i + 1)).collect()
}

/// Credentials could not be produced for a call: they expired and could not be refreshed.
#[derive(Debug, Clone)]
pub struct CredentialError {
    pub source: Source,
    /// Why (no secrets): the last refresh error, or that the fixed credentials expired.
    pub reason: String,
    /// When the last credentials expired, if they did.
    pub expired_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Alibaba Cloud credentials from {} are not usable: {}", self.source, self.reason)
    }
}

impl std::error::Error for CredentialError {}

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
    fn secrets_never_print_themselves() {
        let c = from_environment(&env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t-value"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok3n-value"),
        ]))
        .unwrap();
        let printed = format!("{c:?} {} {:#?} {}", c.access_key_secret, c, Secret::new("tok3n-value"));
        assert!(!printed.contains("s3cr3t-value"), "{printed}");
        assert!(!printed.contains("tok3n-value"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn source_and_method_names_are_stable() {
        assert_eq!(serde_json::to_value(Source::OidcRole).unwrap(), "oidc_role");
        assert_eq!(Source::OidcRole.as_str(), "oidc_role");
        assert_eq!(serde_json::to_value(Source::CredentialsFile).unwrap(), Source::CredentialsFile.as_str());
        assert_eq!(serde_json::to_value(Method::RamRoleArn).unwrap(), Method::RamRoleArn.as_str());
        assert!(Method::EcsRamRole.is_refreshable());
        assert!(!Method::StsToken.is_refreshable());
    }
}
