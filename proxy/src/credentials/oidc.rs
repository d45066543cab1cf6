//! Link 2: the OIDC role, as Kubernetes RRSA sets it up: `ALIBABA_CLOUD_ROLE_ARN`,
//! `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (and optionally
//! `ALIBABA_CLOUD_ROLE_SESSION_NAME`) → STS `AssumeRoleWithOIDC` (credentials-go
//! `providers/oidc.go`). The token file is read again at every refresh (the kubelet rotates it);
//! its contents never appear in an error or a log line.
//!
//! The link counts as configured when `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` or
//! `ALIBABA_CLOUD_OIDC_TOKEN_FILE` is set; then all three must be. `ALIBABA_CLOUD_ROLE_ARN` alone
//! does not make it configured (it is a common variable name outside RRSA too).
use std::path::{Path, PathBuf};

use super::env::non_empty;
use super::provider::{Candidate, ChainConfig, Link, LinkError, Plan};
use super::sts::{self, RoleRequest};
use super::{Secret, Source};

pub(crate) const LABEL: &str =
    "OIDC role (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE)";

const ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
const PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
const TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
const SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";

/// The largest OIDC token file read (a service-account JWT is a few KiB).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

pub(crate) fn probe(cfg: &ChainConfig) -> Result<Link, LinkError> {
    let env = cfg.env.as_ref();
    let role_arn = non_empty(env, ROLE_ARN);
    let provider_arn = non_empty(env, PROVIDER_ARN);
    let token_file = non_empty(env, TOKEN_FILE);
    if provider_arn.is_none() && token_file.is_none() {
        return Ok(Link::Skip(if role_arn.is_some() {
            format!("not set ({ROLE_ARN} alone is not an OIDC configuration)")
        } else {
            "not set".to_string()
        }));
    }
    let (Some(role_arn), Some(provider_arn), Some(token_file)) =
        (role_arn.clone(), provider_arn.clone(), token_file.clone())
    else {
        let missing: Vec<&str> =
            [(ROLE_ARN, &role_arn), (PROVIDER_ARN, &provider_arn), (TOKEN_FILE, &token_file)]
                .into_iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| n)
                .collect();
        return Err(LinkError {
            what: LABEL.to_string(),
            reason: format!("incomplete: {} not set", missing.join(" and ")),
        });
    };
    let now = (cfg.clock)();
    let sts_endpoint = cfg.sts_endpoint_for(None, None);
    Ok(Link::Use(Box::new(Candidate {
        source: Source::OidcRole,
        what: format!("OIDC role {role_arn} (token file {token_file})"),
        profile: None,
        plan: Plan::Oidc {
            provider_arn,
            token_file: PathBuf::from(token_file),
            role: RoleRequest {
                role_arn,
                session_name: sts::session_name(non_empty(env, SESSION_NAME).as_deref(), now),
                duration_seconds: sts::DEFAULT_DURATION_SECONDS,
                policy: None,
                external_id: None,
            },
            sts_endpoint,
        },
    })))
}

/// Reads the OIDC token (trimmed). Errors name the file and the failure, never the contents.
pub(crate) async fn read_token(path: &Path) -> Result<Secret, String> {
    let shown = path.display();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("cannot read the OIDC token file {shown}: {}", io_reason(&e)))?;
    if meta.len() > MAX_TOKEN_BYTES {
        return Err(format!("the OIDC token file {shown} is larger than {MAX_TOKEN_BYTES} bytes"));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot read the OIDC token file {shown}: {}", io_reason(&e)))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("the OIDC token file {shown} is not UTF-8 text"))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("the OIDC token file {shown} is empty"));
    }
    Ok(Secret::new(token))
}

/// An I/O error in words (the OS message, which never holds file contents).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
