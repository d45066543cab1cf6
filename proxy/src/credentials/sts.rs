//! The two STS (2015-04-01) calls the chain makes, as credentials-go does them
//! (`providers/ram_role_arn.go`, `providers/oidc.go`):
//!
//! * `AssumeRole`: `POST /`, RPC-signed (HMAC-SHA1, key `secret&`, §1.1) with the source
//!   credential; the common parameters and `Signature` in the query string, `RoleArn`,
//!   `RoleSessionName`, `DurationSeconds`, `Policy`, `ExternalId` in the form body (signed too).
//! * `AssumeRoleWithOIDC`: `POST /`, unsigned; `Action`, `Version`, `Format`, `Timestamp` in the
//!   query, the OIDC token and the role in the form body (never in the URL).
//!
//! Answers: `{"RequestId","AssumedRoleUser":{..},"Credentials":{"AccessKeyId","AccessKeySecret",
//! "SecurityToken","Expiration"}}`, errors `{"RequestId","Code","Message",..}`. Error texts name
//! the endpoint's origin, the status, `Code`, a scrubbed `Message` and the `RequestId`; never the
//! URL (it carries the signature) nor any secret.
use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::provider::Fetched;
use super::transport::{describe_send_error, origin, read_body, scrub};
use super::{Credentials, Secret, Source};
use crate::signing::{encode::canonical_query, rpc, timestamp};

pub(crate) const STS_VERSION: &str = "2015-04-01";

/// Duration the SDKs ask for when none is configured, and the least STS accepts.
pub(crate) const DEFAULT_DURATION_SECONDS: u64 = 3600;
pub(crate) const MIN_DURATION_SECONDS: u64 = 900;

/// The role to assume and how.
#[derive(Clone, Debug)]
pub(crate) struct RoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: u64,
    pub policy: Option<String>,
    pub external_id: Option<String>,
}

/// `https://sts.aliyuncs.com`, or `https://sts[-vpc].{region}.aliyuncs.com` (credentials-go's rule).
pub(crate) fn default_endpoint(region: Option<&str>, vpc: bool) -> Url {
    let prefix = if vpc { "sts-vpc" } else { "sts" };
    let raw = match region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("https://{prefix}.{r}.aliyuncs.com"),
        None => "https://sts.aliyuncs.com".to_string(),
    };
    Url::parse(&raw).unwrap_or_else(|_| Url::parse("https://sts.aliyuncs.com").expect("literal URL"))
}

/// A session name the SDKs would accept (2–64 of `[A-Za-z0-9._@-]`), made from `name` or, when
/// it is empty, `migration-proxy-{unix seconds}`.
pub(crate) fn session_name(name: Option<&str>, now: DateTime<Utc>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => format!("migration-proxy-{}", now.timestamp()),
    }
}

/// Checks a configured duration: 0/absent means the default, below 900 s is refused (as the SDKs do).
pub(crate) fn duration(configured: Option<u64>) -> Result<u64, String> {
    match configured.unwrap_or(0) {
        0 => Ok(DEFAULT_DURATION_SECONDS),
        d if d < MIN_DURATION_SECONDS => {
            Err(format!("the role session duration {d} s is below STS's minimum of {MIN_DURATION_SECONDS} s"))
        }
        d => Ok(d),
    }
}

fn role_form(role: &RoleRequest) -> Vec<(String, String)> {
    let mut form = vec![
        ("RoleArn".to_string(), role.role_arn.clone()),
        ("RoleSessionName".to_string(), role.session_name.clone()),
        ("DurationSeconds".to_string(), role.duration_seconds.to_string()),
    ];
    if let Some(p) = role.policy.as_ref().filter(|p| !p.is_empty()) {
        form.push(("Policy".to_string(), p.clone()));
    }
    if let Some(x) = role.external_id.as_ref().filter(|x| !x.is_empty()) {
        form.push(("ExternalId".to_string(), x.clone()));
    }
    form
}

/// STS `AssumeRole`, signed with `base` (whose own security token, if any, is sent and signed).
pub(crate) async fn assume_role(
    http: &reqwest::Client,
    endpoint: &Url,
    base: &Credentials,
    role: &RoleRequest,
    now: DateTime<Utc>,
    source: Source,
) -> Result<Fetched, String> {
    let form = role_form(role);
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let signed = rpc::sign_params(
        "POST",
        "AssumeRole",
        STS_VERSION,
        &form,
        &base.access_key_id,
        base.access_key_secret.expose(),
        base.security_token.as_ref().map(Secret::expose),
        &timestamp::format(now),
        &nonce,
    );
    let (body, query): (Vec<_>, Vec<_>) =
        signed.into_iter().partition(|(k, _)| form.iter().any(|(f, _)| f == k));
    let mut secrets = vec![base.access_key_secret.expose()];
    if let Some(t) = &base.security_token {
        secrets.push(t.expose());
    }
    post(http, endpoint, "AssumeRole", &query, &body, &secrets, source).await
}

/// STS `AssumeRoleWithOIDC` (unsigned: the OIDC token is the proof).
pub(crate) async fn assume_role_with_oidc(
    http: &reqwest::Client,
    endpoint: &Url,
    provider_arn: &str,
    token: &Secret,
    role: &RoleRequest,
    now: DateTime<Utc>,
    source: Source,
) -> Result<Fetched, String> {
    let mut body = role_form(role);
    body.retain(|(k, _)| k != "ExternalId");
    body.push(("OIDCProviderArn".to_string(), provider_arn.to_string()));
    body.push(("OIDCToken".to_string(), token.expose().to_string()));
    let query = vec![
        ("Action".to_string(), "AssumeRoleWithOIDC".to_string()),
        ("Version".to_string(), STS_VERSION.to_string()),
        ("Format".to_string(), "JSON".to_string()),
        ("Timestamp".to_string(), timestamp::format(now)),
    ];
    post(http, endpoint, "AssumeRoleWithOIDC", &query, &body, &[token.expose()], source).await
}

async fn post(
    http: &reqwest::Client,
    endpoint: &Url,
    action: &str,
    query: &[(String, String)],
    body: &[(String, String)],
    secrets: &[&str],
    source: Source,
) -> Result<Fetched, String> {
    let mut url = endpoint.clone();
    url.set_path("/");
    url.set_query(Some(&canonical_query(query)));
    let at = origin(endpoint);
    let response = http
        .post(url)
        .header("accept", "application/json")
        .form(body)
        .send()
        .await
        .map_err(|e| format!("STS {action} at {at}: {}", describe_send_error(&e)))?;
    let status = response.status().as_u16();
    let bytes = read_body(response).await.map_err(|e| format!("STS {action} at {at}: {e}"))?;
    parse_answer(action, &at, status, &bytes, secrets, source)
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Credentials")]
    credentials: Option<IssuedCredentials>,
}

#[derive(Deserialize)]
struct IssuedCredentials {
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "AccessKeySecret")]
    access_key_secret: Option<String>,
    #[serde(rename = "SecurityToken")]
    security_token: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

/// Parses an `Expiration` (`yyyy-MM-ddTHH:mm:ssZ`, or any RFC 3339 time).
pub(crate) fn parse_expiration(raw: &str) -> Option<DateTime<Utc>> {
    timestamp::parse(raw.trim())
        .or_else(|| DateTime::parse_from_rfc3339(raw.trim()).ok().map(|t| t.with_timezone(&Utc)))
}

fn parse_answer(
    action: &str,
    at: &str,
    status: u16,
    bytes: &[u8],
    secrets: &[&str],
    source: Source,
) -> Result<Fetched, String> {
    let answer: Option<Answer> = serde_json::from_slice(bytes).ok();
    if !(200..300).contains(&status) {
        let mut msg = format!("STS {action} at {at} answered HTTP {status}");
        if let Some(a) = &answer {
            if let Some(code) = &a.code {
                msg.push_str(&format!(" {}", scrub(code, secrets)));
            }
            if let Some(m) = &a.message {
                msg.push_str(&format!(": {}", scrub(m, secrets)));
            }
            if let Some(id) = &a.request_id {
                msg.push_str(&format!(" (RequestId {})", scrub(id, secrets)));
            }
        }
        return Err(msg);
    }
    let answer = answer.ok_or_else(|| {
        format!("STS {action} at {at} answered HTTP {status} with a body that is not the expected JSON")
    })?;
    let issued =
        answer.credentials.ok_or_else(|| format!("STS {action} at {at} answered without Credentials"))?;
    let (Some(id), Some(secret), Some(token)) =
        (issued.access_key_id, issued.access_key_secret, issued.security_token)
    else {
        return Err(format!("STS {action} at {at} answered with incomplete Credentials"));
    };
    if id.is_empty() || secret.is_empty() || token.is_empty() {
        return Err(format!("STS {action} at {at} answered with empty Credentials"));
    }
    let expiration = issued
        .expiration
        .as_deref()
        .and_then(parse_expiration)
        .ok_or_else(|| format!("STS {action} at {at} answered without a readable Expiration"))?;
    Ok(Fetched::temporary(id, secret, token, source, expiration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_endpoints_follow_the_sdk_rule() {
        assert_eq!(default_endpoint(None, false).as_str(), "https://sts.aliyuncs.com/");
        assert_eq!(default_endpoint(Some(""), true).as_str(), "https://sts.aliyuncs.com/");
        assert_eq!(
            default_endpoint(Some("cn-hangzhou"), false).as_str(),
            "https://sts.cn-hangzhou.aliyuncs.com/"
        );
        assert_eq!(
            default_endpoint(Some("cn-hangzhou"), true).as_str(),
            "https://sts-vpc.cn-hangzhou.aliyuncs.com/"
        );
    }

    #[test]
    fn durations_default_and_have_a_floor() {
        assert_eq!(duration(None), Ok(3600));
        assert_eq!(duration(Some(0)), Ok(3600));
        assert_eq!(duration(Some(900)), Ok(900));
        assert!(duration(Some(899)).is_err());
    }

    #[test]
    fn answers_are_parsed_and_errors_carry_no_secrets() {
        let ok = br#"{"RequestId":"r","AssumedRoleUser":{"Arn":"a","AssumedRoleId":"b"},"Credentials":{"AccessKeyId":"STS.id","AccessKeySecret":"sk","SecurityToken":"tok","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let f =
            parse_answer("AssumeRole", "https://sts.aliyuncs.com", 200, ok, &[], Source::CliProfile).unwrap();
        assert_eq!(f.credentials.access_key_id, "STS.id");
        assert_eq!(f.credentials.security_token.as_ref().map(Secret::expose), Some("tok"));
        assert_eq!(f.expiration, parse_expiration("2030-01-01T00:00:00Z"));
        assert_eq!(f.credentials.source, Source::CliProfile);

        let err = br#"{"RequestId":"R-1","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Dak%26SecurityToken%3Dbase-t0ken"}"#;
        let e = parse_answer(
            "AssumeRole",
            "https://sts.aliyuncs.com",
            400,
            err,
            &["base-t0ken"],
            Source::CliProfile,
        )
        .unwrap_err();
        assert!(e.contains("HTTP 400 SignatureDoesNotMatch"), "{e}");
        assert!(e.contains("R-1"), "{e}");
        assert!(!e.contains("base-t0ken"), "{e}");

        let echo = br#"{"Code":"InvalidParameter.OIDCToken","Message":"token my-oidc-jwt is invalid"}"#;
        let e = parse_answer("AssumeRoleWithOIDC", "x", 400, echo, &["my-oidc-jwt"], Source::OidcRole)
            .unwrap_err();
        assert!(!e.contains("my-oidc-jwt"), "{e}");

        assert!(parse_answer("AssumeRole", "x", 200, b"not json", &[], Source::CliProfile).is_err());
        let no_exp = br#"{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"b","SecurityToken":"c"}}"#;
        assert!(parse_answer("AssumeRole", "x", 200, no_exp, &[], Source::CliProfile).is_err());
        let partial = br#"{"Credentials":{"AccessKeyId":"a","Expiration":"2030-01-01T00:00:00Z"}}"#;
        assert!(parse_answer("AssumeRole", "x", 200, partial, &[], Source::CliProfile).is_err());
    }

    #[test]
    fn session_names_default_to_the_proxy() {
        let now = parse_expiration("2030-01-01T00:00:00Z").unwrap();
        assert_eq!(session_name(Some("mine"), now), "mine");
        assert_eq!(session_name(Some(" "), now), format!("migration-proxy-{}", now.timestamp()));
        assert_eq!(session_name(None, now), format!("migration-proxy-{}", now.timestamp()));
    }
}
