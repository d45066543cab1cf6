//! The credential flags of `serve` (flattened into its arguments) and the `--help` text that
//! lists the chain. The standard `ALIBABA_CLOUD_*` variables are read by the chain itself, as the
//! SDKs read them; only the proxy's own settings are flags (each with a `MIGRATION_PROXY_*`
//! variable).
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use url::Url;

use super::provider::{check_metadata_endpoint, check_sts_endpoint, ChainConfig};

pub const DEFAULT_REFRESH_MARGIN_SECS: u64 = 900;
pub const DEFAULT_STS_TIMEOUT_MS: u64 = 5_000;
pub const DEFAULT_METADATA_TIMEOUT_MS: u64 = 1_000;

/// The chain, in order, for `--help` (after_help) and the README.
pub const CHAIN_HELP: &str = "\
Credentials (serve without --demo): Alibaba Cloud's default chain, in the SDKs' order.
The first source that is configured is used. If it then fails (an incomplete setting,
an unreadable file, STS refusing the role), serve stops and names it: it does not fall
through to the next source.
  1. environment: ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET
     (+ ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)
  2. OIDC role (Kubernetes RRSA): ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN
     + ALIBABA_CLOUD_OIDC_TOKEN_FILE (+ ALIBABA_CLOUD_ROLE_SESSION_NAME), through STS
     AssumeRoleWithOIDC
  3. CLI profile: ~/.aliyun/config.json (or ALIBABA_CLOUD_CONFIG_FILE); the profile is
     --credentials-profile, else ALIBABA_CLOUD_PROFILE, else the file's \"current\";
     modes AK, StsToken, RamRoleArn (STS AssumeRole), ChainableRamRoleArn, EcsRamRole,
     OIDC. Off: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true
  4. credentials file: ~/.alibabacloud/credentials or ~/.alibabacloud/credentials.ini
     (or ALIBABA_CLOUD_CREDENTIALS_FILE); the section is --credentials-profile, else
     ALIBABA_CLOUD_PROFILE, else [default]; types access_key, ram_role_arn,
     ecs_ram_role, oidc_role_arn
  5. ECS RAM role from the instance metadata service, IMDSv2 token first (role from
     ALIBABA_CLOUD_ECS_METADATA, or the attached one). Off:
     ALIBABA_CLOUD_ECS_METADATA_DISABLED=true; no IMDSv1: ALIBABA_CLOUD_IMDSV1_DISABLED=true
Temporary credentials are refreshed before they expire (--credentials-refresh-margin-secs).
STS is https://sts.aliyuncs.com, or https://sts.<region>.aliyuncs.com with
ALIBABA_CLOUD_STS_REGION (sts-vpc. with ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true),
unless --sts-endpoint is given.
Without --demo and without credentials, serve refuses to start and names the sources
it tried. It never falls back to demo data.";

/// Where `serve` gets Alibaba Cloud credentials from, beyond the standard variables and files.
// The doc comments are the --help text, where URLs are plain text.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Credentials")]
pub struct CredentialArgs {
    /// STS endpoint for AssumeRole (RamRoleArn profiles) and AssumeRoleWithOIDC (OIDC/RRSA).
    /// Default: https://sts.{ALIBABA_CLOUD_STS_REGION}.aliyuncs.com when that variable is set
    /// (sts-vpc. with ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true), a profile's sts_region, else
    /// https://sts.aliyuncs.com. Plain http is accepted only for a loopback address.
    #[arg(long, env = "MIGRATION_PROXY_STS_ENDPOINT", value_name = "URL")]
    pub sts_endpoint: Option<String>,

    /// ECS instance metadata service, for the instance's RAM role.
    #[arg(long, env = "MIGRATION_PROXY_ECS_METADATA_ENDPOINT", value_name = "URL", default_value = super::ecs::DEFAULT_ENDPOINT)]
    pub ecs_metadata_endpoint: String,

    /// Refresh temporary credentials (STS, ECS role) this many seconds before they expire; never
    /// earlier than halfway through their lifetime.
    #[arg(long, env = "MIGRATION_PROXY_CREDENTIALS_REFRESH_MARGIN_SECS", value_name = "SECS", default_value_t = DEFAULT_REFRESH_MARGIN_SECS)]
    pub credentials_refresh_margin_secs: u64,

    /// Profile of ~/.aliyun/config.json and section of ~/.alibabacloud/credentials to use, over
    /// ALIBABA_CLOUD_PROFILE. A named profile that neither file has is an error.
    #[arg(long, env = "MIGRATION_PROXY_CREDENTIALS_PROFILE", value_name = "NAME")]
    pub credentials_profile: Option<String>,

    /// Timeout of one STS call, in milliseconds.
    #[arg(long, env = "MIGRATION_PROXY_STS_TIMEOUT_MS", value_name = "MS", default_value_t = DEFAULT_STS_TIMEOUT_MS)]
    pub sts_timeout_ms: u64,

    /// Timeout of one ECS metadata call (and of connecting), in milliseconds. Off ECS, start-up
    /// waits at most this long to find there is no metadata service.
    #[arg(long, env = "MIGRATION_PROXY_ECS_METADATA_TIMEOUT_MS", value_name = "MS", default_value_t = DEFAULT_METADATA_TIMEOUT_MS)]
    pub ecs_metadata_timeout_ms: u64,
}

impl Default for CredentialArgs {
    fn default() -> Self {
        CredentialArgs {
            sts_endpoint: None,
            ecs_metadata_endpoint: super::ecs::DEFAULT_ENDPOINT.to_string(),
            credentials_refresh_margin_secs: DEFAULT_REFRESH_MARGIN_SECS,
            credentials_profile: None,
            sts_timeout_ms: DEFAULT_STS_TIMEOUT_MS,
            ecs_metadata_timeout_ms: DEFAULT_METADATA_TIMEOUT_MS,
        }
    }
}

impl CredentialArgs {
    /// The chain's configuration: these flags, a snapshot of the `ALIBABA_CLOUD_*` variables (and
    /// `HOME`) read through `env`, and the real clock. Checks the endpoints.
    pub fn chain_config(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<ChainConfig, String> {
        let snapshot = ChainConfig::snapshot_env(env);
        let home = snapshot("HOME").filter(|h| !h.trim().is_empty()).map(PathBuf::from);
        let mut cfg = ChainConfig::new(move |k: &str| snapshot(k), home);
        if let Some(raw) = self.sts_endpoint.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let url = Url::parse(raw).map_err(|e| format!("--sts-endpoint {raw:?} is not a URL: {e}"))?;
            check_sts_endpoint(&url).map_err(|e| format!("--sts-endpoint: {e}"))?;
            cfg.sts_endpoint = Some(url);
        }
        let raw = self.ecs_metadata_endpoint.trim();
        let url =
            Url::parse(raw).map_err(|e| format!("--ecs-metadata-endpoint {raw:?} is not a URL: {e}"))?;
        check_metadata_endpoint(&url).map_err(|e| format!("--ecs-metadata-endpoint: {e}"))?;
        cfg.ecs_metadata_endpoint = url;
        cfg.refresh_margin = Duration::from_secs(self.credentials_refresh_margin_secs);
        cfg.profile = self.credentials_profile.clone().filter(|p| !p.trim().is_empty());
        cfg.sts_timeout = Duration::from_millis(self.sts_timeout_ms.max(1));
        cfg.metadata_timeout = Duration::from_millis(self.ecs_metadata_timeout_ms.max(1));
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        credentials: CredentialArgs,
    }

    #[test]
    fn every_flag_has_a_migration_proxy_variable_and_help() {
        let cmd = Wrapper::command();
        let mut seen = 0;
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            seen += 1;
            let env = arg.get_env().map(|e| e.to_string_lossy().to_string());
            assert!(
                env.as_deref().is_some_and(|e| e.starts_with("MIGRATION_PROXY_")),
                "--{id} has no MIGRATION_PROXY_* variable"
            );
            assert!(
                arg.get_help().is_some_and(|h| !h.to_string().trim().is_empty()),
                "--{id} has no help text"
            );
        }
        assert_eq!(seen, 6);
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let parsed = Wrapper::try_parse_from(["x"]).unwrap().credentials;
        let d = CredentialArgs::default();
        assert_eq!(parsed.ecs_metadata_endpoint, d.ecs_metadata_endpoint);
        assert_eq!(parsed.credentials_refresh_margin_secs, d.credentials_refresh_margin_secs);
        assert_eq!(parsed.sts_timeout_ms, d.sts_timeout_ms);
        assert_eq!(parsed.ecs_metadata_timeout_ms, d.ecs_metadata_timeout_ms);
        assert_eq!(parsed.sts_endpoint, None);
    }

    #[test]
    fn chain_config_checks_endpoints_and_reads_home() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/someone".to_string()),
            "ALIBABA_CLOUD_PROFILE" => Some("p".to_string()),
            "PATH" => Some("/bin".to_string()),
            _ => None,
        };
        let cfg = CredentialArgs::default().chain_config(&env).unwrap();
        assert_eq!(cfg.home, Some(PathBuf::from("/home/someone")));
        assert_eq!((cfg.env)("ALIBABA_CLOUD_PROFILE").as_deref(), Some("p"));
        assert_eq!((cfg.env)("PATH"), None);
        assert_eq!(cfg.ecs_metadata_endpoint.as_str(), "http://100.100.100.200/");
        assert_eq!(cfg.refresh_margin, Duration::from_secs(900));

        let args = CredentialArgs {
            sts_endpoint: Some("http://sts.example.com".into()),
            ..CredentialArgs::default()
        };
        assert!(args.chain_config(&env).unwrap_err().contains("plain http"));
        let args =
            CredentialArgs { sts_endpoint: Some("http://127.0.0.1:9".into()), ..CredentialArgs::default() };
        assert_eq!(args.chain_config(&env).unwrap().sts_endpoint.unwrap().as_str(), "http://127.0.0.1:9/");
        let args = CredentialArgs { ecs_metadata_endpoint: "not a url".into(), ..CredentialArgs::default() };
        assert!(args.chain_config(&env).is_err());
    }

    #[test]
    fn the_help_lists_the_sources_in_order() {
        let order =
            ["1. environment", "2. OIDC role", "3. CLI profile", "4. credentials file", "5. ECS RAM role"];
        let mut at = 0;
        for item in order {
            let pos = CHAIN_HELP[at..].find(item).unwrap_or_else(|| panic!("{item} missing or out of order"));
            at += pos;
        }
    }
}
