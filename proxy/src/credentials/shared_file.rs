//! Link 4: a section of the shared credentials file (credentials-go `providers/profile.go`,
//! credentials-python `provider/profile.py`): `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//! `~/.alibabacloud/credentials` (Go's name), else `~/.alibabacloud/credentials.ini` (Python's).
//! The section is `--credentials-profile`, else `ALIBABA_CLOUD_PROFILE`, else `default`.
//!
//! ```ini
//! [default]
//! enable = true
//! type = access_key            # access_key_id, access_key_secret
//! [ecs]
//! type = ecs_ram_role          # role_name (empty: the attached role)
//! [ram]
//! type = ram_role_arn          # access_key_id, access_key_secret, role_arn, role_session_name, policy
//! [rrsa]
//! type = oidc_role_arn         # role_arn, oidc_provider_arn, oidc_token_file_path, role_session_name, policy
//! ```
//!
//! A section with `enable = false` is skipped. `#`/`;` start comments (also after a space at the
//! end of a line, as the SDKs' parsers allow); backslashes are kept as written. Parse errors give
//! a line number only, never file contents.
use std::path::PathBuf;

use ini::{Ini, ParseOption, Properties};

use super::cli_profile::read_small;
use super::env::{is_true, non_empty};
use super::provider::{ecs_plan, Candidate, ChainConfig, Link, LinkError, Plan};
use super::sts::{self, RoleRequest};
use super::{Credentials, Method, Secret, Source};

/// Candidate paths, and whether a variable named the (single) one.
fn paths(cfg: &ChainConfig) -> (Vec<PathBuf>, bool) {
    if let Some(p) = non_empty(cfg.env.as_ref(), "ALIBABA_CLOUD_CREDENTIALS_FILE") {
        return (vec![PathBuf::from(p)], true);
    }
    match &cfg.home {
        Some(h) => {
            let dir = h.join(".alibabacloud");
            (vec![dir.join("credentials"), dir.join("credentials.ini")], false)
        }
        None => (Vec::new(), false),
    }
}

fn get(section: &Properties, key: &str) -> Option<String> {
    section.get(key).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

pub(crate) async fn probe(cfg: &ChainConfig) -> Result<(String, Link), LinkError> {
    let (candidates, explicit) = paths(cfg);
    if candidates.is_empty() {
        return Ok((
            "credentials file (~/.alibabacloud/credentials)".to_string(),
            Link::Skip("no home directory".to_string()),
        ));
    }
    let shown = candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" or ");
    let mut found = None;
    for path in &candidates {
        let label = format!("credentials file ({})", path.display());
        match read_small(path).await {
            Ok(Some(raw)) => {
                found = Some((path.clone(), raw));
                break;
            }
            Ok(None) => {}
            Err(reason) => return Err(LinkError { what: label, reason }),
        }
    }
    let Some((path, raw)) = found else {
        let label = format!("credentials file ({shown})");
        if explicit {
            return Err(LinkError {
                what: label,
                reason: "ALIBABA_CLOUD_CREDENTIALS_FILE names a file that does not exist".to_string(),
            });
        }
        return Ok((label, Link::Skip("no such file".to_string())));
    };
    let label = format!("credentials file ({})", path.display());
    let err = |reason: String| LinkError { what: label.clone(), reason };
    let opt = ParseOption { enabled_quote: true, enabled_escape: false, ..ParseOption::default() };
    let ini = Ini::load_from_str_opt(&raw, opt)
        .map_err(|e| err(format!("it is not a valid INI file (line {})", e.line)))?;

    let requested = cfg.requested_profile();
    let name = requested.clone().unwrap_or_else(|| "default".to_string());
    let Some(section) = ini.section(Some(name.as_str())) else {
        return Ok(match requested {
            Some(_) => (label, Link::NoSuchProfile(format!("no section [{name}]"))),
            None => (label, Link::Skip(format!("no section [{name}]"))),
        });
    };
    if section.get("enable").is_some_and(|v| v.trim().eq_ignore_ascii_case("false")) {
        return Ok((label, Link::Skip(format!("section [{name}] has enable = false"))));
    }
    let kind = get(section, "type").unwrap_or_default();
    let what = format!("section [{name}] (type {kind}) of {}", path.display());
    let plan =
        plan_for(cfg, section, &name, &kind).map_err(|reason| LinkError { what: what.clone(), reason })?;
    Ok((
        label,
        Link::Use(Box::new(Candidate { source: Source::CredentialsFile, what, profile: Some(name), plan })),
    ))
}

fn access_key(section: &Properties, name: &str) -> Result<Credentials, String> {
    match (get(section, "access_key_id"), get(section, "access_key_secret")) {
        (Some(id), Some(secret)) => Ok(Credentials {
            access_key_id: id,
            access_key_secret: Secret::new(secret),
            security_token: None,
            source: Source::CredentialsFile,
        }),
        _ => Err(format!("section [{name}] needs a non-empty access_key_id and access_key_secret")),
    }
}

fn role_request(cfg: &ChainConfig, section: &Properties, name: &str) -> Result<RoleRequest, String> {
    let role_arn = get(section, "role_arn").ok_or_else(|| format!("section [{name}] needs role_arn"))?;
    let duration = match get(section, "duration_seconds") {
        Some(d) => Some(
            d.parse::<u64>()
                .map_err(|_| format!("section [{name}]: duration_seconds must be a whole number"))?,
        ),
        None => None,
    };
    Ok(RoleRequest {
        role_arn,
        session_name: sts::session_name(get(section, "role_session_name").as_deref(), (cfg.clock)()),
        duration_seconds: sts::duration(duration)?,
        policy: get(section, "policy"),
        external_id: get(section, "external_id"),
    })
}

fn plan_for(cfg: &ChainConfig, section: &Properties, name: &str, kind: &str) -> Result<Plan, String> {
    match kind {
        "access_key" => Ok(Plan::Static { credentials: access_key(section, name)?, method: Method::AccessKey, expiration: None }),
        "ram_role_arn" => {
            let base = access_key(section, name)?;
            Ok(Plan::AssumeRole {
                base: Box::new(Plan::Static { credentials: base, method: Method::AccessKey, expiration: None }),
                role: role_request(cfg, section, name)?,
                sts_endpoint: cfg.sts_endpoint_for(None, None),
            })
        }
        "ecs_ram_role" => {
            if is_true(cfg.env.as_ref(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
                return Err(format!("section [{name}] uses the ECS RAM role but ALIBABA_CLOUD_ECS_METADATA_DISABLED is true"));
            }
            ecs_plan(cfg, get(section, "role_name"))
        }
        "oidc_role_arn" => {
            let provider_arn = get(section, "oidc_provider_arn").ok_or_else(|| format!("section [{name}] needs oidc_provider_arn"))?;
            let token_file = get(section, "oidc_token_file_path")
                .or_else(|| get(section, "oidc_token_file"))
                .ok_or_else(|| format!("section [{name}] needs oidc_token_file_path"))?;
            let mut role = role_request(cfg, section, name)?;
            role.external_id = None;
            Ok(Plan::Oidc { provider_arn, token_file: PathBuf::from(token_file), role, sts_endpoint: cfg.sts_endpoint_for(None, None) })
        }
        "" => Err(format!("section [{name}] has no type")),
        other => Err(format!(
            "section [{name}] has type {other:?}, which migration-proxy does not support (supported: access_key, ram_role_arn, ecs_ram_role, oidc_role_arn)"
        )),
    }
}
