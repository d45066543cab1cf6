//! Link 3: a profile of the Alibaba Cloud CLI's `~/.aliyun/config.json` (path overridden by
//! `ALIBABA_CLOUD_CONFIG_FILE`; off with `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`). The profile
//! is `--credentials-profile`, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`
//! (credentials-go `providers/cli_profile.go`, credentials-python `provider/cli_profile.py`):
//!
//! ```json
//! {"current": "default", "profiles": [
//!   {"name": "default", "mode": "AK", "access_key_id": "…", "access_key_secret": "…"},
//!   {"name": "sts", "mode": "StsToken", "access_key_id": "…", "access_key_secret": "…", "sts_token": "…"},
//!   {"name": "role", "mode": "RamRoleArn", "access_key_id": "…", "access_key_secret": "…",
//!    "ram_role_arn": "…", "ram_session_name": "…", "expired_seconds": 3600},
//!   {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "…"},
//!   {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": "…", "oidc_token_file": "…",
//!    "ram_role_arn": "…", "ram_session_name": "…"},
//!   {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "default", "ram_role_arn": "…"}]}
//! ```
//!
//! Also read: `sts_region`, `enable_vpc` (the STS endpoint, unless `--sts-endpoint` is given),
//! `policy`, `external_id`, `sts_expiration` (unix seconds, `StsToken`). Other modes (CloudSSO,
//! OAuth, External, …) are refused with a clear error. Parse errors give a line and column only,
//! never a value from the file.
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use super::env::{is_true, non_empty};
use super::oidc::io_reason;
use super::provider::{ecs_plan, Candidate, ChainConfig, Link, LinkError, Plan};
use super::sts::{self, RoleRequest};
use super::{Credentials, Method, Secret, Source};

/// The largest config file read.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How many `ChainableRamRoleArn` hops are followed.
const MAX_CHAIN_DEPTH: usize = 5;

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfigFile {
    current: Option<String>,
    profiles: Option<Vec<Profile>>,
}

/// One profile. Not `Debug`: it holds secrets as plain strings until they become [`Secret`]s.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Profile {
    name: Option<String>,
    mode: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    sts_token: Option<String>,
    sts_expiration: Option<Value>,
    ram_role_arn: Option<String>,
    ram_session_name: Option<String>,
    role_session_name: Option<String>,
    expired_seconds: Option<Value>,
    sts_region: Option<String>,
    enable_vpc: Option<Value>,
    policy: Option<String>,
    external_id: Option<String>,
    ram_role_name: Option<String>,
    oidc_provider_arn: Option<String>,
    oidc_token_file: Option<String>,
    source_profile: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn number(v: &Option<Value>, field: &str) -> Result<Option<u64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().map(Some).ok_or_else(|| format!("{field} must be a whole number of seconds"))
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| format!("{field} must be a whole number of seconds"))
        }
        Some(_) => Err(format!("{field} must be a whole number of seconds")),
    }
}

fn flag(v: &Option<Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) => Some(s.trim().eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// The file's path, and whether a variable named it.
fn path(cfg: &ChainConfig) -> Option<(PathBuf, bool)> {
    if let Some(p) = non_empty(cfg.env.as_ref(), "ALIBABA_CLOUD_CONFIG_FILE") {
        return Some((PathBuf::from(p), true));
    }
    cfg.home.as_ref().map(|h| (h.join(".aliyun").join("config.json"), false))
}

/// Reads a small text file: `Ok(None)` when it does not exist.
pub(crate) async fn read_small(path: &std::path::Path) -> Result<Option<String>, String> {
    match tokio::fs::metadata(path).await {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {}", io_reason(&e))),
        Ok(m) if !m.is_file() => return Err("it is not a regular file".to_string()),
        Ok(m) if m.len() > MAX_FILE_BYTES => return Err(format!("it is larger than {MAX_FILE_BYTES} bytes")),
        Ok(_) => {}
    }
    let bytes = tokio::fs::read(path).await.map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    String::from_utf8(bytes).map(Some).map_err(|_| "it is not UTF-8 text".to_string())
}

/// Probes the link; the label names the file, for [`super::NoCredentials`].
pub(crate) async fn probe(cfg: &ChainConfig) -> Result<(String, Link), LinkError> {
    let env = cfg.env.as_ref();
    let Some((path, explicit)) = path(cfg) else {
        return Ok((
            "CLI profile (~/.aliyun/config.json)".to_string(),
            Link::Skip("no home directory".to_string()),
        ));
    };
    let label = format!("CLI profile ({})", path.display());
    if is_true(env, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED") {
        return Ok((label, Link::Skip("disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED".to_string())));
    }
    let err = |reason: String| LinkError { what: label.clone(), reason };
    let raw = match read_small(&path).await.map_err(err)? {
        Some(raw) => raw,
        None if explicit => {
            return Err(err("ALIBABA_CLOUD_CONFIG_FILE names a file that does not exist".to_string()))
        }
        None => return Ok((label, Link::Skip("no such file".to_string()))),
    };
    let conf: ConfigFile = serde_json::from_str(&raw).map_err(|e| {
        err(format!("it is not valid JSON of the CLI's format (line {}, column {})", e.line(), e.column()))
    })?;
    let requested = cfg.requested_profile();
    let name = match requested.clone().or_else(|| text(&conf.current)) {
        Some(n) => n,
        None => {
            return Ok((label, Link::Skip("no profile is selected (no \"current\" in the file)".to_string())))
        }
    };
    let profiles = conf.profiles.as_deref().unwrap_or_default();
    let Some(profile) = find(profiles, &name) else {
        return match requested {
            Some(_) => Ok((label, Link::NoSuchProfile(format!("no profile {name:?}")))),
            None => Err(err(format!("\"current\" names the profile {name:?}, which the file does not have"))),
        };
    };
    let mode = text(&profile.mode).unwrap_or_default();
    let what = format!("CLI profile {name:?} (mode {mode}) in {}", path.display());
    let plan = plan_for(cfg, profiles, profile, &name, 0)
        .map_err(|reason| LinkError { what: what.clone(), reason })?;
    Ok((
        label,
        Link::Use(Box::new(Candidate { source: Source::CliProfile, what, profile: Some(name), plan })),
    ))
}

fn find<'a>(profiles: &'a [Profile], name: &str) -> Option<&'a Profile> {
    profiles.iter().find(|p| p.name.as_deref() == Some(name))
}

fn access_key(p: &Profile, name: &str) -> Result<(String, Secret), String> {
    match (text(&p.access_key_id), text(&p.access_key_secret)) {
        (Some(id), Some(secret)) => Ok((id, Secret::new(secret))),
        _ => Err(format!("profile {name:?} needs a non-empty access_key_id and access_key_secret")),
    }
}

fn role_request(cfg: &ChainConfig, p: &Profile, name: &str) -> Result<RoleRequest, String> {
    let role_arn = text(&p.ram_role_arn).ok_or_else(|| format!("profile {name:?} needs ram_role_arn"))?;
    let session = text(&p.ram_session_name).or_else(|| text(&p.role_session_name));
    Ok(RoleRequest {
        role_arn,
        session_name: sts::session_name(session.as_deref(), (cfg.clock)()),
        duration_seconds: sts::duration(number(&p.expired_seconds, "expired_seconds")?)?,
        policy: text(&p.policy),
        external_id: text(&p.external_id),
    })
}

fn plan_for(
    cfg: &ChainConfig,
    all: &[Profile],
    p: &Profile,
    name: &str,
    depth: usize,
) -> Result<Plan, String> {
    let mode = text(&p.mode).unwrap_or_default();
    let sts_endpoint = || cfg.sts_endpoint_for(text(&p.sts_region).as_deref(), flag(&p.enable_vpc));
    match mode.as_str() {
        "AK" => {
            let (id, secret) = access_key(p, name)?;
            let credentials = Credentials { access_key_id: id, access_key_secret: secret, security_token: None, source: Source::CliProfile };
            Ok(Plan::Static { credentials, method: Method::AccessKey, expiration: None })
        }
        "StsToken" => {
            let (id, secret) = access_key(p, name)?;
            let token = text(&p.sts_token).ok_or_else(|| format!("profile {name:?} (StsToken) needs sts_token"))?;
            let expiration = match number(&p.sts_expiration, "sts_expiration")? {
                Some(secs) if secs > 0 => Some(
                    chrono::DateTime::from_timestamp(secs as i64, 0).ok_or_else(|| "sts_expiration is out of range".to_string())?,
                ),
                _ => None,
            };
            let credentials =
                Credentials { access_key_id: id, access_key_secret: secret, security_token: Some(Secret::new(token)), source: Source::CliProfile };
            Ok(Plan::Static { credentials, method: Method::StsToken, expiration })
        }
        "RamRoleArn" => {
            let (id, secret) = access_key(p, name)?;
            let base = Credentials { access_key_id: id, access_key_secret: secret, security_token: None, source: Source::CliProfile };
            Ok(Plan::AssumeRole {
                base: Box::new(Plan::Static { credentials: base, method: Method::AccessKey, expiration: None }),
                role: role_request(cfg, p, name)?,
                sts_endpoint: sts_endpoint(),
            })
        }
        "ChainableRamRoleArn" => {
            let source = text(&p.source_profile).ok_or_else(|| format!("profile {name:?} (ChainableRamRoleArn) needs source_profile"))?;
            if depth >= MAX_CHAIN_DEPTH {
                return Err(format!("source_profile chains deeper than {MAX_CHAIN_DEPTH} profiles (a loop?)"));
            }
            let sp = find(all, &source).ok_or_else(|| format!("source_profile {source:?} of profile {name:?} does not exist"))?;
            let base = plan_for(cfg, all, sp, &source, depth + 1).map_err(|e| format!("its source_profile {source:?}: {e}"))?;
            Ok(Plan::AssumeRole { base: Box::new(base), role: role_request(cfg, p, name)?, sts_endpoint: sts_endpoint() })
        }
        "EcsRamRole" => {
            if is_true(cfg.env.as_ref(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
                return Err(format!("profile {name:?} uses the ECS RAM role but ALIBABA_CLOUD_ECS_METADATA_DISABLED is true"));
            }
            ecs_plan(cfg, text(&p.ram_role_name))
        }
        "OIDC" => {
            let provider_arn = text(&p.oidc_provider_arn).ok_or_else(|| format!("profile {name:?} (OIDC) needs oidc_provider_arn"))?;
            let token_file = text(&p.oidc_token_file).ok_or_else(|| format!("profile {name:?} (OIDC) needs oidc_token_file"))?;
            let mut role = role_request(cfg, p, name)?;
            role.external_id = None;
            Ok(Plan::Oidc { provider_arn, token_file: PathBuf::from(token_file), role, sts_endpoint: sts_endpoint() })
        }
        "" => Err(format!("profile {name:?} has no mode")),
        other => Err(format!(
            "profile {name:?} has mode {other:?}, which migration-proxy does not support (supported: AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC)"
        )),
    }
}
