//! The chain walk and the [`CredentialProvider`] the upstream client holds.
//!
//! **Which link wins.** Links are tried in the SDKs' order; each is *skipped* when it is not set
//! up at all, and *used* when it is. A used link that fails stops the chain with an error naming
//! it (see the module docs of [`super`] for why this differs from the SDKs):
//!
//! | link | skipped when | used (and so must work) when |
//! |---|---|---|
//! | environment | none of the three variables is set | the AccessKey pair is set (half a pair is an error) |
//! | OIDC role | neither `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` nor `ALIBABA_CLOUD_OIDC_TOKEN_FILE` is set | either is set (all three are then required) |
//! | CLI profile | `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`, no file, or the file has no such profile | the profile exists |
//! | credentials file | no file, no such section, or `enable = false` | the section exists |
//! | ECS RAM role | `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`, no metadata service, or no role attached | a role is attached or named in `ALIBABA_CLOUD_ECS_METADATA` |
//!
//! A profile asked for by name (`--credentials-profile` or `ALIBABA_CLOUD_PROFILE`) that neither
//! file has is an error too, rather than a silent move on to the ECS role.
//!
//! **Refresh.** Temporary credentials (AssumeRole, AssumeRoleWithOIDC, ECS role) are refreshed at
//! `max(expiration − margin, obtained + lifetime/2)`: the margin before expiry, but never in the
//! first half of the lifetime (so a margin longer than a short-lived credential does not refresh
//! on every call). The first caller that finds them due refreshes (in a task that survives the
//! caller being dropped); concurrent callers keep using the still-valid credentials, or, when
//! they have expired, wait for that one refresh. A failed refresh keeps the still-valid
//! credentials, is logged and shown by [`CredentialProvider::status`], and is retried with
//! back-off (5 s doubling to 60 s, and at most a quarter of the remaining validity). A background
//! task (on by default, [`ChainConfig::background_refresh`]) refreshes on time even when no call
//! comes in, so /readyz stays true on an idle proxy.
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::OwnedMutexGuard;
use url::Url;

use super::ecs::{Discovery, Imds};
use super::env::{is_true, non_empty};
use super::sts::{self, RoleRequest};
use super::transport;
use super::{cli_profile, env, oidc, shared_file};
use super::{CredentialError, Credentials, Method, NoCredentials, Secret, Source, SourceFailure};

/// Reads one environment variable; tests pass a map, `serve` a snapshot of the process's.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The clock the provider reads (expiry, refresh times, STS timestamps); tests drive a fake one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Every variable the chain reads, for [`ChainConfig::snapshot_env`].
pub const CHAIN_ENV_VARS: &[&str] = &[
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_ROLE_SESSION_NAME",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CONFIG_FILE",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
    "ALIBABA_CLOUD_IMDSV1_DISABLED",
    "ALIBABA_CLOUD_STS_REGION",
    "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
];

/// Everything the chain needs, so tests never touch the real environment or home directory.
#[derive(Clone)]
pub struct ChainConfig {
    /// Where `ALIBABA_CLOUD_*` variables are read from.
    pub env: EnvLookup,
    /// The home directory holding `.aliyun/` and `.alibabacloud/`; `None` skips the file links
    /// unless their paths are given by variables.
    pub home: Option<PathBuf>,
    /// An explicit STS endpoint; `None` derives it as the SDKs do (profile `sts_region`, else
    /// `ALIBABA_CLOUD_STS_REGION`, else `https://sts.aliyuncs.com`).
    pub sts_endpoint: Option<Url>,
    /// The ECS instance metadata service.
    pub ecs_metadata_endpoint: Url,
    /// Refresh temporary credentials this long before they expire.
    pub refresh_margin: Duration,
    /// Profile name for the two files, over `ALIBABA_CLOUD_PROFILE`.
    pub profile: Option<String>,
    /// Timeout of one STS call.
    pub sts_timeout: Duration,
    /// Timeout of one metadata-service call (also its connect timeout).
    pub metadata_timeout: Duration,
    pub clock: Clock,
    /// Refresh in a background task as well as on demand (needs a Tokio runtime).
    pub background_refresh: bool,
}

impl fmt::Debug for ChainConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainConfig")
            .field("home", &self.home)
            .field("sts_endpoint", &self.sts_endpoint.as_ref().map(Url::as_str))
            .field("ecs_metadata_endpoint", &self.ecs_metadata_endpoint.as_str())
            .field("refresh_margin", &self.refresh_margin)
            .field("profile", &self.profile)
            .field("sts_timeout", &self.sts_timeout)
            .field("metadata_timeout", &self.metadata_timeout)
            .field("background_refresh", &self.background_refresh)
            .finish_non_exhaustive()
    }
}

impl ChainConfig {
    /// Defaults (the CLI's) with the given environment and home directory.
    pub fn new(env: impl Fn(&str) -> Option<String> + Send + Sync + 'static, home: Option<PathBuf>) -> Self {
        ChainConfig {
            env: Arc::new(env),
            home,
            sts_endpoint: None,
            ecs_metadata_endpoint: Url::parse(super::ecs::DEFAULT_ENDPOINT).expect("literal URL"),
            refresh_margin: Duration::from_secs(super::cli::DEFAULT_REFRESH_MARGIN_SECS),
            profile: None,
            sts_timeout: Duration::from_millis(super::cli::DEFAULT_STS_TIMEOUT_MS),
            metadata_timeout: Duration::from_millis(super::cli::DEFAULT_METADATA_TIMEOUT_MS),
            clock: Arc::new(Utc::now),
            background_refresh: true,
        }
    }

    /// A `'static` copy of the variables the chain reads (and `HOME`), taken from `env` now.
    pub fn snapshot_env(env: &dyn Fn(&str) -> Option<String>) -> EnvLookup {
        let map: HashMap<String, String> = CHAIN_ENV_VARS
            .iter()
            .chain(["HOME"].iter())
            .filter_map(|k| env(k).map(|v| (k.to_string(), v)))
            .collect();
        Arc::new(move |k: &str| map.get(k).cloned())
    }

    /// The STS endpoint for a link: the explicit one, else from the profile's `sts_region` /
    /// `enable_vpc`, else from `ALIBABA_CLOUD_STS_REGION` / `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`.
    pub(crate) fn sts_endpoint_for(&self, profile_region: Option<&str>, profile_vpc: Option<bool>) -> Url {
        if let Some(u) = &self.sts_endpoint {
            return u.clone();
        }
        let env = self.env.as_ref();
        let region = profile_region
            .map(str::to_string)
            .filter(|r| !r.trim().is_empty())
            .or_else(|| non_empty(env, "ALIBABA_CLOUD_STS_REGION"))
            // Formatted into a host name: only a region-shaped value (serve refuses others at
            // start-up; a profile's is dropped here, with the central endpoint used instead).
            .filter(|r| crate::actions::is_region_id(r));
        let vpc = profile_vpc.unwrap_or(false) || is_true(env, "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
        sts::default_endpoint(region.as_deref(), vpc)
    }

    /// The profile asked for by name, if any: `--credentials-profile`, else `ALIBABA_CLOUD_PROFILE`.
    pub(crate) fn requested_profile(&self) -> Option<String> {
        self.profile
            .clone()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| non_empty(self.env.as_ref(), "ALIBABA_CLOUD_PROFILE"))
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// Checks an STS endpoint: https, or plain http to a loopback address (the simulator in tests).
pub fn check_sts_endpoint(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        "http" if transport::is_loopback(url) => {}
        "http" => {
            return Err(format!(
                "the STS endpoint {} is plain http to a non-loopback host; use https",
                transport::origin(url)
            ))
        }
        other => return Err(format!("the STS endpoint's scheme must be https, not {other:?}")),
    }
    if url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err("the STS endpoint must be scheme://host[:port] without a query, fragment or user info"
            .to_string());
    }
    Ok(())
}

/// Checks a metadata endpoint: http or https, a host, nothing else.
pub fn check_metadata_endpoint(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("the ECS metadata endpoint must be an http(s) URL with a host".to_string());
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err("the ECS metadata endpoint must not carry a query, fragment or user info".to_string());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Plans: how one link gets (and gets again) its credentials.

/// Credentials with their expiry (`None`: they do not expire).
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub credentials: Credentials,
    pub expiration: Option<DateTime<Utc>>,
}

impl Fetched {
    /// Temporary credentials as STS and the metadata service hand them out.
    pub(crate) fn temporary(
        id: String,
        secret: String,
        token: String,
        source: Source,
        expiration: DateTime<Utc>,
    ) -> Fetched {
        Fetched {
            credentials: Credentials {
                access_key_id: id,
                access_key_secret: Secret::new(secret),
                security_token: Some(Secret::new(token)),
                source,
            },
            expiration: Some(expiration),
        }
    }
}

/// How a configured link obtains credentials.
#[derive(Clone, Debug)]
pub(crate) enum Plan {
    /// Fixed credentials (an AccessKey pair, or a fixed STS token with its optional expiry).
    Static { credentials: Credentials, method: Method, expiration: Option<DateTime<Utc>> },
    /// STS `AssumeRole`, signed with what `base` yields.
    AssumeRole { base: Box<Plan>, role: RoleRequest, sts_endpoint: Url },
    /// STS `AssumeRoleWithOIDC` with the token in `token_file`.
    Oidc { provider_arn: String, token_file: PathBuf, role: RoleRequest, sts_endpoint: Url },
    /// The ECS metadata service (`role`: a fixed role name, else the attached one).
    Ecs { imds: Imds, role: Option<String> },
}

impl Plan {
    pub(crate) fn method(&self) -> Method {
        match self {
            Plan::Static { method, .. } => *method,
            Plan::AssumeRole { .. } => Method::RamRoleArn,
            Plan::Oidc { .. } => Method::OidcRoleArn,
            Plan::Ecs { .. } => Method::EcsRamRole,
        }
    }

    fn fetch<'a>(
        &'a self,
        io: &'a Io,
        source: Source,
    ) -> Pin<Box<dyn Future<Output = Result<Fetched, String>> + Send + 'a>> {
        Box::pin(async move {
            match self {
                Plan::Static { credentials, expiration, .. } => {
                    let mut credentials = credentials.clone();
                    credentials.source = source;
                    Ok(Fetched { credentials, expiration: *expiration })
                }
                Plan::AssumeRole { base, role, sts_endpoint } => {
                    check_sts_endpoint(sts_endpoint)?;
                    let base = base
                        .fetch(io, source)
                        .await
                        .map_err(|e| format!("the credentials AssumeRole is signed with: {e}"))?;
                    if base.expiration.is_some_and(|e| e <= (io.clock)()) {
                        return Err("the credentials AssumeRole is signed with have expired".to_string());
                    }
                    sts::assume_role(
                        &io.sts_http,
                        sts_endpoint,
                        &base.credentials,
                        role,
                        (io.clock)(),
                        source,
                    )
                    .await
                }
                Plan::Oidc { provider_arn, token_file, role, sts_endpoint } => {
                    check_sts_endpoint(sts_endpoint)?;
                    let token = oidc::read_token(token_file).await?;
                    sts::assume_role_with_oidc(
                        &io.sts_http,
                        sts_endpoint,
                        provider_arn,
                        &token,
                        role,
                        (io.clock)(),
                        source,
                    )
                    .await
                }
                Plan::Ecs { imds, role } => imds.fetch(&io.metadata_http, role.as_deref(), source).await,
            }
        })
    }
}

/// HTTP clients and the clock a plan runs with.
struct Io {
    sts_http: reqwest::Client,
    metadata_http: reqwest::Client,
    clock: Clock,
}

impl Io {
    fn new(cfg: &ChainConfig) -> Io {
        Io {
            sts_http: transport::sts_client(cfg.sts_timeout),
            metadata_http: transport::metadata_client(cfg.metadata_timeout),
            clock: cfg.clock.clone(),
        }
    }
}

/// What probing one link found.
pub(crate) enum Link {
    /// Not set up: skip it, with a note for [`NoCredentials`].
    Skip(String),
    /// The file exists but has no profile of the requested name (skip, but remember).
    NoSuchProfile(String),
    /// Set up: use it.
    Use(Box<Candidate>),
}

/// A configured link, ready for its first fetch.
pub(crate) struct Candidate {
    pub source: Source,
    /// The link in words, for logs and errors (paths, profile, role; no secrets).
    pub what: String,
    pub profile: Option<String>,
    pub plan: Plan,
}

/// A configured link that cannot work.
#[derive(Debug)]
pub(crate) struct LinkError {
    pub what: String,
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// The provider.

/// The outcome of the last refresh.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefreshOutcome {
    pub at: DateTime<Utc>,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where the current credentials stand.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CredentialState {
    /// Usable, and not due for a refresh (or they never expire).
    Fresh,
    /// Usable; a refresh is due and has not failed.
    RefreshDue,
    /// Usable, but the last refresh failed; it is retried.
    RefreshFailing,
    /// Expired: calls fail until a refresh succeeds.
    Expired,
}

/// What /readyz shows: no secrets, no AccessKeyId, no role ARN. Serialized with camelCase
/// names (`refreshAt`, `lastRefresh`, `consecutiveFailures`), like the rest of /readyz.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    pub source: Source,
    pub method: Method,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub state: CredentialState,
    /// True unless the credentials have expired: what readiness should check.
    pub usable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_refresh: Option<RefreshOutcome>,
    pub consecutive_failures: u32,
}

/// Credentials for the upstream client: resolved once from the chain, then cached and refreshed.
/// Cheap to clone (all clones share one cache).
#[derive(Clone)]
pub struct CredentialProvider {
    inner: Arc<Inner>,
}

struct Inner {
    source: Source,
    method: Method,
    profile: Option<String>,
    what: String,
    /// `None` for credentials that are never fetched again.
    refresher: Option<(Plan, Io)>,
    clock: Clock,
    margin: chrono::Duration,
    state: Mutex<State>,
    refresh_lock: Arc<tokio::sync::Mutex<()>>,
}

struct State {
    current: Fetched,
    refresh_at: Option<DateTime<Utc>>,
    retry_at: Option<DateTime<Utc>>,
    last_refresh: Option<RefreshOutcome>,
    failures: u32,
}

impl fmt::Debug for CredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProvider")
            .field("source", &self.inner.source)
            .field("method", &self.inner.method)
            .field("what", &self.inner.what)
            .finish_non_exhaustive()
    }
}

enum Check {
    Usable { credentials: Credentials, due: bool },
    Expired { blocked: Option<String> },
}

/// The chain stopped at a configured source that failed: `tried` with that source's line added.
fn fail(mut tried: Vec<String>, source: Source, what: String, reason: String) -> NoCredentials {
    tried.push(format!("{what}: {reason}"));
    NoCredentials { tried, failed: Some(SourceFailure { source, what, reason }) }
}

/// How fixed credentials are obtained: an STS token when they carry one, else an AccessKey pair.
fn fixed_method(credentials: &Credentials) -> Method {
    if credentials.is_sts() {
        Method::StsToken
    } else {
        Method::AccessKey
    }
}

/// When temporary credentials obtained at `obtained` and expiring at `expiration` are refreshed.
pub(crate) fn refresh_time(
    obtained: DateTime<Utc>,
    expiration: DateTime<Utc>,
    margin: chrono::Duration,
) -> DateTime<Utc> {
    if expiration <= obtained {
        return obtained;
    }
    let half = obtained + (expiration - obtained) / 2;
    (expiration - margin).max(half)
}

impl CredentialProvider {
    /// Walks the chain in order; the first configured link is used (see the module docs).
    /// Fetches the credentials once, so a link that cannot work fails here, at start-up.
    pub async fn resolve(cfg: &ChainConfig) -> Result<CredentialProvider, NoCredentials> {
        let mut tried: Vec<String> = Vec::new();

        // 1. Environment variables.
        match env::probe(cfg.env.as_ref()) {
            Ok(Some(credentials)) => {
                let method = fixed_method(&credentials);
                let what = "environment variables (ALIBABA_CLOUD_ACCESS_KEY_ID)".to_string();
                let candidate = Candidate {
                    source: Source::Environment,
                    what,
                    profile: None,
                    plan: Plan::Static { credentials, method, expiration: None },
                };
                return Self::start(cfg, candidate, tried).await;
            }
            Ok(None) => tried.push(format!("{}: not set", env::LABEL)),
            Err(reason) => return Err(fail(tried, Source::Environment, env::LABEL.to_string(), reason)),
        }

        // 2. OIDC role (RRSA).
        match oidc::probe(cfg) {
            Ok(Link::Use(candidate)) => return Self::start(cfg, *candidate, tried).await,
            Ok(Link::Skip(note) | Link::NoSuchProfile(note)) => {
                tried.push(format!("{}: {note}", oidc::LABEL))
            }
            Err(e) => return Err(fail(tried, Source::OidcRole, e.what, e.reason)),
        }

        // 3. and 4. The CLI's config.json, then the shared credentials file.
        let mut missing_profile = Vec::new();
        for source in [Source::CliProfile, Source::CredentialsFile] {
            let probed = if source == Source::CliProfile {
                cli_profile::probe(cfg).await
            } else {
                shared_file::probe(cfg).await
            };
            match probed {
                Ok((_, Link::Use(candidate))) => return Self::start(cfg, *candidate, tried).await,
                Ok((label, Link::Skip(note))) => tried.push(format!("{label}: {note}")),
                Ok((label, Link::NoSuchProfile(note))) => {
                    tried.push(format!("{label}: {note}"));
                    missing_profile.push(label);
                }
                Err(e) => return Err(fail(tried, source, e.what, e.reason)),
            }
        }
        if let Some(name) = cfg.requested_profile() {
            // Asked for by name and found in neither file: do not go on to the instance's role.
            let reason = if missing_profile.is_empty() {
                "neither the CLI config nor the credentials file could be read".to_string()
            } else {
                format!("not found in {}", missing_profile.join(" nor in "))
            };
            return Err(fail(tried, Source::CliProfile, format!("the requested profile {name:?}"), reason));
        }

        // 5. The ECS instance's RAM role.
        match ecs_link(cfg).await {
            Ok(Link::Use(candidate)) => return Self::start(cfg, *candidate, tried).await,
            Ok(Link::Skip(note) | Link::NoSuchProfile(note)) => {
                tried.push(format!("{}: {note}", ecs_label(cfg)))
            }
            Err(e) => return Err(fail(tried, Source::EcsRamRole, e.what, e.reason)),
        }

        Err(NoCredentials { tried, failed: None })
    }

    /// First fetch of a configured link; its failure stops the chain.
    async fn start(
        cfg: &ChainConfig,
        candidate: Candidate,
        tried: Vec<String>,
    ) -> Result<CredentialProvider, NoCredentials> {
        let io = Io::new(cfg);
        let Candidate { source, what, profile, plan } = candidate;
        let fetched = plan.fetch(&io, source).await;
        let now = cfg.now();
        let fetched = match fetched {
            Ok(f) if f.expiration.is_some_and(|e| e <= now) => Err(format!(
                "the credentials expired at {}",
                f.expiration.map(|e| e.to_rfc3339()).unwrap_or_default()
            )),
            other => other,
        };
        let fetched = match fetched {
            Ok(f) => f,
            Err(reason) => return Err(fail(tried, source, what, reason)),
        };
        let method = plan.method();
        let margin = chrono::Duration::from_std(cfg.refresh_margin).unwrap_or(chrono::Duration::zero());
        let refreshable = method.is_refreshable();
        let expiration = fetched.expiration;
        let refresh_at = if refreshable { expiration.map(|e| refresh_time(now, e, margin)) } else { None };
        let provider = CredentialProvider {
            inner: Arc::new(Inner {
                source,
                method,
                profile,
                what,
                refresher: refreshable.then_some((plan, io)),
                clock: cfg.clock.clone(),
                margin,
                state: Mutex::new(State {
                    current: fetched,
                    refresh_at,
                    retry_at: None,
                    last_refresh: Some(RefreshOutcome { at: now, ok: true, error: None }),
                    failures: 0,
                }),
                refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
            }),
        };
        tracing::info!(
            source = source.as_str(),
            method = method.as_str(),
            what = %provider.inner.what,
            expiration = expiration.map(|e| e.to_rfc3339()).unwrap_or_else(|| "none".into()),
            "Alibaba Cloud credentials loaded"
        );
        if refreshable && cfg.background_refresh {
            spawn_background_refresh(Arc::downgrade(&provider.inner));
        }
        Ok(provider)
    }

    /// Fixed credentials that are never refreshed (demo mode, tests).
    pub fn fixed(credentials: Credentials) -> CredentialProvider {
        let method = fixed_method(&credentials);
        let source = credentials.source;
        CredentialProvider {
            inner: Arc::new(Inner {
                source,
                method,
                profile: None,
                what: format!("fixed credentials ({})", source.as_str()),
                refresher: None,
                clock: Arc::new(Utc::now),
                margin: chrono::Duration::zero(),
                state: Mutex::new(State {
                    current: Fetched { credentials, expiration: None },
                    refresh_at: None,
                    retry_at: None,
                    last_refresh: None,
                    failures: 0,
                }),
                refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
            }),
        }
    }

    /// The link the credentials come from.
    pub fn source(&self) -> Source {
        self.inner.source
    }

    /// The link in words (paths, profile name, role; no secrets), for the start-up log.
    pub fn describe(&self) -> &str {
        &self.inner.what
    }

    /// Credentials to sign one call with: the cached ones, refreshed first when due (see the
    /// module docs). Fails only when no unexpired credentials can be had.
    pub async fn current(&self) -> Result<Credentials, CredentialError> {
        match self.inner.check() {
            Check::Usable { credentials, due: false } => Ok(credentials),
            Check::Usable { credentials, due: true } => {
                // Single flight: one caller refreshes, the others go on with the valid credentials.
                match self.inner.refresh_lock.clone().try_lock_owned() {
                    Ok(guard) => {
                        let _ = self.run_refresh(guard).await;
                        self.inner.usable_or_error()
                    }
                    Err(_) => Ok(credentials),
                }
            }
            Check::Expired { blocked: Some(reason) } => Err(self.inner.error(reason)),
            Check::Expired { blocked: None } => {
                if self.inner.refresher.is_none() {
                    return self.inner.usable_or_error();
                }
                let guard = self.inner.refresh_lock.clone().lock_owned().await;
                // Whoever held the lock may have refreshed (or just failed) meanwhile.
                match self.inner.check() {
                    Check::Usable { credentials, .. } => return Ok(credentials),
                    Check::Expired { blocked: Some(reason) } => return Err(self.inner.error(reason)),
                    Check::Expired { blocked: None } => {}
                }
                if let Err(reason) = self.run_refresh(guard).await {
                    return Err(self.inner.error(reason));
                }
                self.inner.usable_or_error()
            }
        }
    }

    /// Refreshes now, whether due or not (waits for a refresh under way). A no-op for
    /// credentials that are never refreshed.
    pub async fn refresh_now(&self) -> Result<(), CredentialError> {
        if self.inner.refresher.is_none() {
            return Ok(());
        }
        let guard = self.inner.refresh_lock.clone().lock_owned().await;
        self.run_refresh(guard).await.map_err(|reason| self.inner.error(reason))
    }

    /// Source, expiry and the last refresh's outcome, for /readyz. Never triggers a refresh.
    pub fn status(&self) -> CredentialStatus {
        let inner = &self.inner;
        let now = (inner.clock)();
        let st = inner.lock_state();
        let usable = st.current.expiration.is_none_or(|e| now < e);
        let due = st.refresh_at.is_some_and(|r| now >= r);
        let state = if !usable {
            CredentialState::Expired
        } else if st.failures > 0 {
            CredentialState::RefreshFailing
        } else if due {
            CredentialState::RefreshDue
        } else {
            CredentialState::Fresh
        };
        CredentialStatus {
            source: inner.source,
            method: inner.method,
            profile: inner.profile.clone(),
            state,
            usable,
            expiration: st.current.expiration,
            refresh_at: st.refresh_at,
            last_refresh: st.last_refresh.clone(),
            consecutive_failures: st.failures,
        }
    }

    /// Runs the refresh in its own task (so a caller that goes away does not cancel it), holding
    /// the refresh lock until it is done.
    async fn run_refresh(&self, guard: OwnedMutexGuard<()>) -> Result<(), String> {
        let inner = self.inner.clone();
        let task = tokio::spawn(async move {
            let _guard = guard;
            inner.refresh_locked().await
        });
        task.await.unwrap_or_else(|_| Err("the refresh task failed".to_string()))
    }
}

/// Fixed credentials as a provider (see [`CredentialProvider::fixed`]), so code that has a
/// [`Credentials`] can pass it where a provider is taken.
impl From<Credentials> for CredentialProvider {
    fn from(credentials: Credentials) -> Self {
        CredentialProvider::fixed(credentials)
    }
}

impl Inner {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Check {
        let now = (self.clock)();
        let st = self.lock_state();
        let usable = st.current.expiration.is_none_or(|e| now < e);
        let backing_off = st.retry_at.is_some_and(|r| now < r);
        if usable {
            let due = self.refresher.is_some() && st.refresh_at.is_some_and(|r| now >= r) && !backing_off;
            return Check::Usable { credentials: st.current.credentials.clone(), due };
        }
        let blocked = (self.refresher.is_some() && backing_off).then(|| {
            st.last_refresh
                .as_ref()
                .and_then(|o| o.error.clone())
                .unwrap_or_else(|| "the last refresh failed".to_string())
        });
        Check::Expired { blocked }
    }

    fn usable_or_error(&self) -> Result<Credentials, CredentialError> {
        let now = (self.clock)();
        let st = self.lock_state();
        if st.current.expiration.is_none_or(|e| now < e) {
            return Ok(st.current.credentials.clone());
        }
        let reason = match (&self.refresher, st.last_refresh.as_ref().and_then(|o| o.error.clone())) {
            (None, _) => "they are fixed credentials and cannot be refreshed".to_string(),
            (Some(_), Some(e)) => e,
            (Some(_), None) => "they have expired".to_string(),
        };
        drop(st);
        Err(self.error(reason))
    }

    fn error(&self, reason: String) -> CredentialError {
        let expired_at = self.lock_state().current.expiration.filter(|e| *e <= (self.clock)());
        CredentialError { source: self.source, reason, expired_at }
    }

    /// Fetches again and records the outcome. Call with the refresh lock held.
    async fn refresh_locked(&self) -> Result<(), String> {
        let Some((plan, io)) = &self.refresher else { return Ok(()) };
        let result = plan.fetch(io, self.source).await;
        let now = (self.clock)();
        // New credentials that have already expired (a clock far off?) count as a failure, so
        // the back-off applies instead of fetching again at once.
        let result = result.and_then(|f| match f.expiration {
            Some(e) if e <= now => Err(format!(
                "the new credentials had already expired at {} (is the clock right?)",
                e.to_rfc3339()
            )),
            _ => Ok(f),
        });
        let mut st = self.lock_state();
        match result {
            Ok(fetched) => {
                st.refresh_at = fetched.expiration.map(|e| refresh_time(now, e, self.margin));
                let expiration = fetched.expiration;
                st.current = fetched;
                st.retry_at = None;
                st.failures = 0;
                st.last_refresh = Some(RefreshOutcome { at: now, ok: true, error: None });
                drop(st);
                tracing::info!(
                    source = self.source.as_str(),
                    expiration = expiration.map(|e| e.to_rfc3339()).unwrap_or_else(|| "none".into()),
                    "Alibaba Cloud credentials refreshed"
                );
                Ok(())
            }
            Err(reason) => {
                st.failures = st.failures.saturating_add(1);
                let mut backoff =
                    chrono::Duration::seconds(5 * (1i64 << st.failures.saturating_sub(1).min(4)))
                        .min(chrono::Duration::seconds(60));
                if let Some(exp) = st.current.expiration.filter(|e| *e > now) {
                    backoff = backoff.min((exp - now) / 4).max(chrono::Duration::seconds(1));
                }
                st.retry_at = Some(now + backoff);
                st.last_refresh = Some(RefreshOutcome { at: now, ok: false, error: Some(reason.clone()) });
                let expiration = st.current.expiration;
                let failures = st.failures;
                drop(st);
                tracing::warn!(
                    source = self.source.as_str(),
                    error = %reason,
                    failures,
                    valid_until = expiration.map(|e| e.to_rfc3339()).unwrap_or_else(|| "none".into()),
                    "refreshing the Alibaba Cloud credentials failed; the current ones are used while they are valid"
                );
                Err(reason)
            }
        }
    }

    /// How long the background task sleeps before looking again.
    fn next_wake(&self) -> Duration {
        let now = (self.clock)();
        let st = self.lock_state();
        let next = match (st.retry_at, st.refresh_at) {
            (Some(r), _) => Some(r),
            (None, r) => r,
        };
        let wait =
            next.map(|t| (t - now).to_std().unwrap_or(Duration::ZERO)).unwrap_or(Duration::from_secs(60));
        wait.clamp(Duration::from_millis(250), Duration::from_secs(60))
    }
}

/// Refreshes on time even when no call comes in; ends when the provider is dropped.
fn spawn_background_refresh(weak: Weak<Inner>) {
    tokio::spawn(async move {
        loop {
            let wait = match weak.upgrade() {
                Some(inner) => inner.next_wake(),
                None => return,
            };
            tokio::time::sleep(wait).await;
            let Some(inner) = weak.upgrade() else { return };
            let provider = CredentialProvider { inner };
            // `current` refreshes when due and does nothing otherwise; errors are recorded in status.
            let _ = provider.current().await;
        }
    });
}

fn ecs_label(cfg: &ChainConfig) -> String {
    format!("ECS RAM role (metadata service {})", transport::origin(&cfg.ecs_metadata_endpoint))
}

fn imds_for(cfg: &ChainConfig) -> Imds {
    Imds {
        endpoint: cfg.ecs_metadata_endpoint.clone(),
        v1_disabled: is_true(cfg.env.as_ref(), "ALIBABA_CLOUD_IMDSV1_DISABLED"),
    }
}

/// Link 5. `ALIBABA_CLOUD_ECS_METADATA` names the role (then the link is configured and must
/// work); otherwise the metadata service is asked which role the instance has.
async fn ecs_link(cfg: &ChainConfig) -> Result<Link, LinkError> {
    let env = cfg.env.as_ref();
    if is_true(env, "ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
        return Ok(Link::Skip("disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED".to_string()));
    }
    let label = ecs_label(cfg);
    check_metadata_endpoint(&cfg.ecs_metadata_endpoint)
        .map_err(|reason| LinkError { what: label.clone(), reason })?;
    let imds = imds_for(cfg);
    if let Some(role) = non_empty(env, "ALIBABA_CLOUD_ECS_METADATA") {
        return Ok(Link::Use(Box::new(Candidate {
            source: Source::EcsRamRole,
            what: format!(
                "ECS RAM role {role:?} (ALIBABA_CLOUD_ECS_METADATA, metadata service {})",
                transport::origin(&imds.endpoint)
            ),
            profile: None,
            plan: Plan::Ecs { imds, role: Some(role) },
        })));
    }
    let http = transport::metadata_client(cfg.metadata_timeout);
    match imds.discover(&http).await {
        Ok(Discovery::Unreachable(note)) => Ok(Link::Skip(format!("not reachable ({note})"))),
        Ok(Discovery::NoRole(note)) => Ok(Link::Skip(note)),
        Ok(Discovery::Role(role)) => Ok(Link::Use(Box::new(Candidate {
            source: Source::EcsRamRole,
            what: format!("ECS RAM role {role:?} (metadata service {})", transport::origin(&imds.endpoint)),
            profile: None,
            // The role is looked up again at each refresh, as the SDKs do.
            plan: Plan::Ecs { imds, role: None },
        }))),
        Err(reason) => Err(LinkError { what: label, reason }),
    }
}

/// A plan for the ECS role named in a profile (empty: the attached one).
pub(crate) fn ecs_plan(cfg: &ChainConfig, role: Option<String>) -> Result<Plan, String> {
    check_metadata_endpoint(&cfg.ecs_metadata_endpoint)?;
    Ok(Plan::Ecs { imds: imds_for(cfg), role: role.filter(|r| !r.trim().is_empty()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        sts::parse_expiration(s).unwrap()
    }

    #[test]
    fn refresh_time_uses_the_margin_but_never_the_first_half() {
        let m = chrono::Duration::minutes(15);
        // One hour: 15 minutes before expiry.
        assert_eq!(
            refresh_time(t("2030-01-01T00:00:00Z"), t("2030-01-01T01:00:00Z"), m),
            t("2030-01-01T00:45:00Z")
        );
        // Twenty minutes: halfway, not 5 minutes in.
        assert_eq!(
            refresh_time(t("2030-01-01T00:00:00Z"), t("2030-01-01T00:20:00Z"), m),
            t("2030-01-01T00:10:00Z")
        );
        // Already expired: now.
        assert_eq!(
            refresh_time(t("2030-01-01T00:00:00Z"), t("2029-01-01T00:00:00Z"), m),
            t("2030-01-01T00:00:00Z")
        );
    }

    #[test]
    fn sts_endpoints_are_https_or_loopback() {
        assert!(check_sts_endpoint(&Url::parse("https://sts.aliyuncs.com").unwrap()).is_ok());
        assert!(check_sts_endpoint(&Url::parse("http://127.0.0.1:8080").unwrap()).is_ok());
        assert!(check_sts_endpoint(&Url::parse("http://sts.aliyuncs.com").unwrap()).is_err());
        assert!(check_sts_endpoint(&Url::parse("https://sts.aliyuncs.com/?a=b").unwrap()).is_err());
        assert!(check_sts_endpoint(&Url::parse("https://u:p@sts.aliyuncs.com/").unwrap()).is_err());
        assert!(check_metadata_endpoint(&Url::parse("http://100.100.100.200").unwrap()).is_ok());
        assert!(check_metadata_endpoint(&Url::parse("file:///etc").unwrap()).is_err());
    }

    #[test]
    fn sts_endpoint_follows_explicit_then_profile_then_environment() {
        let mut cfg = ChainConfig::new(
            |k: &str| match k {
                "ALIBABA_CLOUD_STS_REGION" => Some("cn-shanghai".to_string()),
                _ => None,
            },
            None,
        );
        assert_eq!(cfg.sts_endpoint_for(None, None).as_str(), "https://sts.cn-shanghai.aliyuncs.com/");
        assert_eq!(
            cfg.sts_endpoint_for(Some("cn-beijing"), Some(true)).as_str(),
            "https://sts-vpc.cn-beijing.aliyuncs.com/"
        );
        cfg.sts_endpoint = Some(Url::parse("http://127.0.0.1:1").unwrap());
        assert_eq!(cfg.sts_endpoint_for(Some("cn-beijing"), None).as_str(), "http://127.0.0.1:1/");
        let plain = ChainConfig::new(|_: &str| None, None);
        assert_eq!(plain.sts_endpoint_for(None, None).as_str(), "https://sts.aliyuncs.com/");
    }

    #[test]
    fn the_env_snapshot_keeps_only_chain_variables() {
        let snap = ChainConfig::snapshot_env(&|k: &str| Some(format!("v-{k}")));
        assert_eq!(snap("ALIBABA_CLOUD_PROFILE").as_deref(), Some("v-ALIBABA_CLOUD_PROFILE"));
        assert_eq!(snap("HOME").as_deref(), Some("v-HOME"));
        assert_eq!(snap("PATH"), None);
    }

    #[test]
    fn the_provider_and_its_futures_can_cross_threads() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let p = CredentialProvider::fixed(Credentials {
            access_key_id: "id".into(),
            access_key_secret: super::super::Secret::new("s"),
            security_token: None,
            source: Source::Demo,
        });
        send_sync(&p);
        send(p.current());
        send(p.refresh_now());
        let cfg = ChainConfig::new(|_: &str| None, None);
        send_sync(&cfg);
        send(CredentialProvider::resolve(&cfg));
    }

    #[test]
    fn debug_output_has_no_secrets() {
        let c = Credentials {
            access_key_id: "id".into(),
            access_key_secret: super::super::Secret::new("s3cr3t-value"),
            security_token: Some(super::super::Secret::new("tok3n-value")),
            source: Source::Environment,
        };
        let p = CredentialProvider::fixed(c.clone());
        let plan = Plan::Static { credentials: c, method: Method::StsToken, expiration: None };
        let printed = format!("{p:?} {plan:?} {:?}", p.status());
        assert!(!printed.contains("s3cr3t-value") && !printed.contains("tok3n-value"), "{printed}");
        let json = serde_json::to_string(&p.status()).unwrap();
        assert!(
            json.contains("\"consecutiveFailures\":0") && json.contains("\"source\":\"environment\""),
            "{json}"
        );
        assert!(
            !json.contains("s3cr3t-value") && !json.contains("tok3n-value") && !json.contains("\"id\""),
            "{json}"
        );
    }
}
