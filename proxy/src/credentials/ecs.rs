//! Link 5, and the `EcsRamRole` / `ecs_ram_role` profile modes: the ECS instance's RAM role from
//! the metadata service (credentials-go `providers/ecs_ram_role.go`):
//!
//! 1. `PUT {endpoint}/latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 21600`
//!    (IMDSv2). If that is refused and `ALIBABA_CLOUD_IMDSV1_DISABLED` is not `true`, carry on
//!    without a token (IMDSv1), as the SDKs do.
//! 2. `GET {endpoint}/latest/meta-data/ram/security-credentials/` → the role name (unless given).
//! 3. `GET {endpoint}/latest/meta-data/ram/security-credentials/{role}` → `{"Code":"Success",
//!    "AccessKeyId","AccessKeySecret","SecurityToken","Expiration","LastUpdated"}`.
//!
//! Both GETs carry `X-aliyun-ecs-metadata-token`. The metadata token is a [`Secret`]; errors name
//! the step and the status, never a token or a credentials body.
use serde::Deserialize;
use url::Url;

use super::provider::Fetched;
use super::sts::parse_expiration;
use super::transport::{describe_send_error, origin, read_body, scrub};
use super::{Secret, Source};
use crate::signing::encode::percent_encode;

pub(crate) const DEFAULT_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// The token lifetime the SDKs ask for (6 h).
const TOKEN_TTL_SECONDS: &str = "21600";

/// The metadata service as configured.
#[derive(Clone, Debug)]
pub(crate) struct Imds {
    pub endpoint: Url,
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`: never fall back to requests without a token.
    pub v1_disabled: bool,
}

/// What the chain learns by asking the metadata service which role the instance has.
#[derive(Debug)]
pub(crate) enum Discovery {
    /// Nothing answered: not an ECS instance (the link is skipped).
    Unreachable(String),
    /// The service answered but no RAM role is attached (the link is skipped).
    NoRole(String),
    /// The attached role's name.
    Role(String),
}

enum TokenError {
    /// The service could not be reached at all (why, without the endpoint).
    Unreachable(String),
    /// It answered but gave no token, and IMDSv1 is disabled.
    Refused(String),
}

impl Imds {
    fn url(&self, path: &str) -> Url {
        let mut u = self.endpoint.clone();
        u.set_query(None);
        u.set_path(path);
        u
    }

    async fn token(&self, http: &reqwest::Client) -> Result<Option<Secret>, TokenError> {
        let at = origin(&self.endpoint);
        let response =
            match http.put(self.url(TOKEN_PATH)).header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS).send().await {
                Ok(r) => r,
                Err(e) => return Err(TokenError::Unreachable(describe_send_error(&e))),
            };
        let status = response.status().as_u16();
        if status == 200 {
            let body = read_body(response)
                .await
                .map_err(|e| TokenError::Refused(format!("metadata token from {at}: {e}")))?;
            let token = String::from_utf8_lossy(&body).trim().to_string();
            if !token.is_empty() {
                return Ok(Some(Secret::new(token)));
            }
        }
        if self.v1_disabled {
            Err(TokenError::Refused(format!(
                "the metadata service at {at} gave no IMDSv2 token (HTTP {status}) and ALIBABA_CLOUD_IMDSV1_DISABLED is true"
            )))
        } else {
            Ok(None)
        }
    }

    /// GET with the token; when that fails or the token is refused (401/403), again without it
    /// unless IMDSv1 is disabled (as the SDKs do; a 404 is an answer, not a token problem).
    async fn get(
        &self,
        http: &reqwest::Client,
        path: &str,
        token: Option<&Secret>,
    ) -> Result<(u16, Vec<u8>), reqwest::Error> {
        let attempt = |with: Option<&Secret>| {
            let mut req = http.get(self.url(path));
            if let Some(t) = with {
                req = req.header(TOKEN_HEADER, t.expose());
            }
            req.send()
        };
        let first = attempt(token).await;
        let retry = token.is_some()
            && !self.v1_disabled
            && match &first {
                Ok(r) => matches!(r.status().as_u16(), 401 | 403),
                Err(_) => true,
            };
        let response = if retry { attempt(None).await? } else { first? };
        let status = response.status().as_u16();
        // A body that cannot be read counts as an empty one; callers check the status first.
        let body = read_body(response).await.unwrap_or_default();
        Ok((status, body))
    }

    /// Which role the instance has, if it is an ECS instance with one.
    pub(crate) async fn discover(&self, http: &reqwest::Client) -> Result<Discovery, String> {
        let at = origin(&self.endpoint);
        let token = match self.token(http).await {
            Ok(t) => t,
            Err(TokenError::Unreachable(e)) => return Ok(Discovery::Unreachable(e)),
            Err(TokenError::Refused(e)) => return Err(e),
        };
        match self.get(http, ROLES_PATH, token.as_ref()).await {
            Err(e) => Ok(Discovery::Unreachable(describe_send_error(&e))),
            Ok((200, body)) => match first_line(&body) {
                Some(role) => Ok(Discovery::Role(role)),
                None => Ok(Discovery::NoRole(format!(
                    "the metadata service at {at} lists no RAM role for this instance"
                ))),
            },
            Ok((404, _)) => Ok(Discovery::NoRole(format!(
                "the metadata service at {at} lists no RAM role for this instance"
            ))),
            Ok((status, _)) => Err(format!(
                "the metadata service at {at} answered HTTP {status} when asked for the instance's RAM role"
            )),
        }
    }

    /// The role's current credentials (`role`, or the one the instance has).
    pub(crate) async fn fetch(
        &self,
        http: &reqwest::Client,
        role: Option<&str>,
        source: Source,
    ) -> Result<Fetched, String> {
        let at = origin(&self.endpoint);
        let token = match self.token(http).await {
            Ok(t) => t,
            Err(TokenError::Unreachable(e)) => return Err(format!("metadata service at {at}: {e}")),
            Err(TokenError::Refused(e)) => return Err(e),
        };
        let role = match role.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => r.to_string(),
            None => match self.get(http, ROLES_PATH, token.as_ref()).await {
                Err(e) => return Err(format!("metadata service at {at}: {}", describe_send_error(&e))),
                Ok((200, body)) => {
                    first_line(&body).ok_or_else(|| format!("the metadata service at {at} lists no RAM role for this instance"))?
                }
                Ok((status, _)) => {
                    return Err(format!("the metadata service at {at} answered HTTP {status} when asked for the instance's RAM role"))
                }
            },
        };
        let path = format!("{ROLES_PATH}{}", percent_encode(&role));
        let (status, body) = self
            .get(http, &path, token.as_ref())
            .await
            .map_err(|e| format!("metadata service at {at}: {}", describe_send_error(&e)))?;
        if status != 200 {
            return Err(format!("the metadata service at {at} answered HTTP {status} for the credentials of RAM role {role:?}"));
        }
        parse_credentials(&at, &role, &body, source)
    }
}

fn first_line(body: &[u8]) -> Option<String> {
    String::from_utf8_lossy(body).lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

#[derive(Deserialize)]
struct RoleCredentials {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "AccessKeySecret")]
    access_key_secret: Option<String>,
    #[serde(rename = "SecurityToken")]
    security_token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

fn parse_credentials(at: &str, role: &str, body: &[u8], source: Source) -> Result<Fetched, String> {
    let parsed: RoleCredentials = serde_json::from_slice(body)
        .map_err(|_| format!("the metadata service at {at} answered for RAM role {role:?} with a body that is not the expected JSON"))?;
    let secrets: Vec<&str> = [&parsed.access_key_secret, &parsed.security_token]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    match parsed.code.as_deref() {
        Some("Success") => {}
        other => {
            return Err(format!(
                "the metadata service at {at} answered for RAM role {role:?} with Code {}",
                scrub(other.unwrap_or("(none)"), &secrets)
            ))
        }
    }
    let (Some(id), Some(secret), Some(token)) =
        (parsed.access_key_id, parsed.access_key_secret, parsed.security_token)
    else {
        return Err(format!(
            "the metadata service at {at} answered for RAM role {role:?} with incomplete credentials"
        ));
    };
    if id.is_empty() || secret.is_empty() || token.is_empty() {
        return Err(format!(
            "the metadata service at {at} answered for RAM role {role:?} with empty credentials"
        ));
    }
    let expiration = parsed.expiration.as_deref().and_then(parse_expiration).ok_or_else(|| {
        format!("the metadata service at {at} answered for RAM role {role:?} without a readable Expiration")
    })?;
    Ok(Fetched::temporary(id, secret, token, source, expiration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_credentials_are_parsed() {
        let ok = br#"{"Code":"Success","AccessKeyId":"STS.x","AccessKeySecret":"sk","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z","LastUpdated":"2029-12-31T18:00:00Z"}"#;
        let f = parse_credentials("http://x", "r", ok, Source::EcsRamRole).unwrap();
        assert_eq!(f.credentials.access_key_id, "STS.x");
        assert!(f.credentials.is_sts());
        assert!(f.expiration.is_some());
        let failed = br#"{"Code":"Failed","AccessKeySecret":"s3cr3t-value"}"#;
        let e = parse_credentials("http://x", "r", failed, Source::EcsRamRole).unwrap_err();
        assert!(e.contains("Code Failed"), "{e}");
        assert!(!e.contains("s3cr3t-value"), "{e}");
        assert!(parse_credentials("http://x", "r", b"<html>", Source::EcsRamRole).is_err());
        let no_exp = br#"{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":"c"}"#;
        assert!(parse_credentials("http://x", "r", no_exp, Source::EcsRamRole).is_err());
    }

    #[test]
    fn role_lists_take_the_first_line() {
        assert_eq!(first_line(b"\n  EcsRole \nOther"), Some("EcsRole".to_string()));
        assert_eq!(first_line(b"  \n"), None);
    }
}
