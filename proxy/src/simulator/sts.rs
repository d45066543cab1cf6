//! Stand-ins for STS (Version 2015-04-01) and the ECS metadata service, for credential tests.
//!
//! STS, on `/` like the real service (RPC style, GET or POST, parameters in the query or a form
//! body):
//! * `AssumeRole` (signed, RPC HMAC-SHA1 as the credential providers send it, or V3 as the
//!   official STS SDK does): `RoleArn`, `RoleSessionName`, `DurationSeconds` (default 3600,
//!   `[min, max]` from [`StsConfig`]), `Policy`, `ExternalId`.
//! * `AssumeRoleWithOIDC` (unsigned): `RoleArn`, `OIDCProviderArn`, `OIDCToken` (a JWT; its `exp`
//!   is checked and its claims echoed in `OIDCTokenInfo`), `RoleSessionName`,
//!   `DurationSeconds`, `Policy`.
//! * `GetCallerIdentity` (signed).
//!
//! Both AssumeRole actions answer `{"RequestId","AssumedRoleUser":{"Arn","AssumedRoleId"},
//! "Credentials":{"AccessKeyId","AccessKeySecret","Expiration","SecurityToken"}}` (plus
//! `OIDCTokenInfo` for OIDC). The credentials are accepted by the simulator's RDS actions only
//! with their SecurityToken, until `Expiration`; after it they get
//! `InvalidSecurityToken.Expired`.
//!
//! ECS metadata (IMDSv2 only: a token is required):
//! * `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 1..=21600` → the
//!   token, as text;
//! * `GET /latest/meta-data/ram/security-credentials/` with `X-aliyun-ecs-metadata-token` → the
//!   role name, as text;
//! * `GET /latest/meta-data/ram/security-credentials/{role}` with the token → `{"AccessKeyId",
//!   "AccessKeySecret","Expiration","SecurityToken","LastUpdated","Code":"Success"}`.
//!
//! With `--fault-sts-unavailable` ([`super::Faults::sts_unavailable`]) every STS action answers
//! `503 ServiceUnavailable` in the service's error shape, and every metadata route `503` with
//! `{"Code":"ServiceUnavailable","Message"}` as text, as its other answers are.
//!
//! Issued secrets come from the operating system's generator, are never logged, and are held
//! only in memory.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::{json, Value};

use super::handlers::SimError;
use super::{Simulator, StsConfig, DEMO_ACCOUNT_ID};
use crate::signing::verify::KeyEntry;

/// The STS API version.
pub const STS_API_VERSION: &str = "2015-04-01";
/// Largest ttl the metadata token endpoint accepts (6 hours), as the real service.
pub const MAX_METADATA_TOKEN_TTL_SECS: u64 = 21_600;

/// One set of temporary credentials the simulator handed out.
#[derive(Clone)]
struct Issued {
    secret: String,
    token: String,
    expires: DateTime<Utc>,
}

/// Issued credentials, metadata tokens, and the ECS role's current set.
#[derive(Default)]
pub struct StsState {
    issued: RwLock<HashMap<String, Issued>>,
    metadata_tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    /// The ECS role's current credentials: (AccessKeyId, issued at).
    ecs_current: Mutex<Option<(String, DateTime<Utc>)>>,
}

/// Temporary credentials as the services return them.
pub struct TempCredentials {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: String,
    pub expiration: DateTime<Utc>,
}

impl StsState {
    /// The key entry of an issued AccessKeyId (expired ones too).
    pub(super) fn key(&self, id: &str) -> Option<KeyEntry> {
        let issued = self.issued.read().unwrap_or_else(|p| p.into_inner());
        issued.get(id).map(|i| KeyEntry { secret: i.secret.clone(), security_token: Some(i.token.clone()) })
    }

    /// When an issued AccessKeyId expires (`None`: not an issued key).
    pub(super) fn expiry(&self, id: &str) -> Option<DateTime<Utc>> {
        self.issued.read().unwrap_or_else(|p| p.into_inner()).get(id).map(|i| i.expires)
    }

    fn issue(&self, now: DateTime<Utc>, lifetime: Duration) -> TempCredentials {
        let creds = TempCredentials {
            access_key_id: format!("STS.{}", random_alnum(25)),
            // 44 characters as real ones; the prefix lets the tests' secret scan find any leak.
            access_key_secret: format!("StsSimSecret{}", random_alnum(32)),
            // Real tokens are long base64 blobs starting with "CAIS".
            security_token: format!("CAIS{}", BASE64.encode(random_bytes(360))),
            expiration: now + lifetime,
        };
        let mut issued = self.issued.write().unwrap_or_else(|p| p.into_inner());
        // Forget keys that expired more than a day ago (an expired key still gets its own error).
        if issued.len() > 10_000 {
            issued.retain(|_, i| now - i.expires < Duration::days(1));
        }
        issued.insert(
            creds.access_key_id.clone(),
            Issued {
                secret: creds.access_key_secret.clone(),
                token: creds.security_token.clone(),
                expires: creds.expiration,
            },
        );
        creds
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rand::rng().fill_bytes(&mut b);
    b
}

fn random_alnum(n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    random_bytes(n).iter().map(|b| CHARS[*b as usize % CHARS.len()] as char).collect()
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Operation parameters of an STS call.
pub(super) type Params<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `acs:ram::{account}:role/{name}` → (account, role name).
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, role) = rest.split_once(":role/")?;
    let ok_account = !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit());
    let ok_role = !role.is_empty()
        && role.len() <= 64
        && role.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.@+=,".contains(&b));
    (ok_account && ok_role).then_some((account, role))
}

fn check_session_name(p: Params<'_>) -> Result<String, SimError> {
    let name =
        p("RoleSessionName").filter(|s| !s.is_empty()).ok_or_else(|| SimError::missing("RoleSessionName"))?;
    let ok = (2..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
    if !ok {
        return Err(SimError::new(
            400,
            "InvalidParameter.RoleSessionName",
            "The parameter RoleSessionName is wrongly formed.",
        ));
    }
    Ok(name)
}

fn check_duration(p: Params<'_>, config: &StsConfig) -> Result<Duration, SimError> {
    let secs = match p("DurationSeconds").filter(|s| !s.is_empty()) {
        None => {
            3_600u64.clamp(config.min_duration_secs, config.max_duration_secs.max(config.min_duration_secs))
        }
        Some(v) => v.trim().parse::<u64>().map_err(|_| SimError::invalid("DurationSeconds"))?,
    };
    if secs < config.min_duration_secs || secs > config.max_duration_secs {
        let message = if (config.min_duration_secs, config.max_duration_secs) == (900, 3_600) {
            "The Min/Max value of DurationSeconds is 15min/1hr.".to_string()
        } else {
            format!(
                "The Min/Max value of DurationSeconds is {}s/{}s.",
                config.min_duration_secs, config.max_duration_secs
            )
        };
        return Err(SimError::new(400, "InvalidParameter.DurationSeconds", message));
    }
    Ok(Duration::seconds(secs as i64))
}

fn check_policy(p: Params<'_>) -> Result<(), SimError> {
    let Some(policy) = p("Policy").filter(|s| !s.is_empty()) else { return Ok(()) };
    let grammar = || {
        SimError::new(
            400,
            "InvalidParameter.PolicyGrammar",
            "The parameter Policy has not passed grammar check.",
        )
    };
    if policy.len() > 2_048 {
        return Err(grammar());
    }
    let v: Value = serde_json::from_str(&policy).map_err(|_| grammar())?;
    if !v.get("Statement").is_some_and(Value::is_array) {
        return Err(grammar());
    }
    Ok(())
}

fn role_user(account: &str, role: &str, session: &str) -> Value {
    // A stable role id per role ARN, digits like the service's.
    let id: u64 = role
        .bytes()
        .chain(account.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    json!({
        "Arn": format!("acs:ram::{account}:role/{}/{session}", role.to_ascii_lowercase()),
        "AssumedRoleId": format!("3{:016}:{session}", id % 10_000_000_000_000_000),
    })
}

fn credentials_json(c: &TempCredentials) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "AccessKeySecret": c.access_key_secret,
        "Expiration": iso(c.expiration),
        "SecurityToken": c.security_token,
    })
}

/// `AssumeRole` for an authenticated caller.
pub(super) fn assume_role(sim: &Simulator, p: Params<'_>) -> Result<Value, SimError> {
    let arn = p("RoleArn").filter(|s| !s.is_empty()).ok_or_else(|| SimError::missing("RoleArn"))?;
    let (account, role) = parse_role_arn(&arn).ok_or_else(|| {
        SimError::new(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
    })?;
    let session = check_session_name(p)?;
    let lifetime = check_duration(p, &sim.sts_config)?;
    check_policy(p)?;
    if let Some(external_id) = p("ExternalId").filter(|s| !s.is_empty()) {
        let ok = (2..=1_224).contains(&external_id.len())
            && external_id.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@:/-_".contains(&b));
        if !ok {
            return Err(SimError::new(
                400,
                "InvalidParameter.ExternalId",
                "The parameter ExternalId is wrongly formed.",
            ));
        }
    }
    let creds = sim.sts.issue(sim.server_now(), lifetime);
    Ok(json!({
        "RequestId": "",
        "AssumedRoleUser": role_user(account, role, &session),
        "Credentials": credentials_json(&creds),
    }))
}

/// `AssumeRoleWithOIDC` (unsigned).
pub(super) fn assume_role_with_oidc(sim: &Simulator, p: Params<'_>) -> Result<Value, SimError> {
    let arn = p("RoleArn").filter(|s| !s.is_empty()).ok_or_else(|| SimError::missing("RoleArn"))?;
    let (account, role) = parse_role_arn(&arn).ok_or_else(|| {
        SimError::new(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
    })?;
    let provider =
        p("OIDCProviderArn").filter(|s| !s.is_empty()).ok_or_else(|| SimError::missing("OIDCProviderArn"))?;
    let provider_ok =
        provider.strip_prefix("acs:ram::").and_then(|r| r.split_once(":oidc-provider/")).is_some_and(
            |(acct, name)| !acct.is_empty() && acct.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty(),
        );
    if !provider_ok {
        return Err(SimError::new(
            400,
            "InvalidParameter.OIDCProviderArn",
            "The parameter OIDCProviderArn is wrongly formed.",
        ));
    }
    let token = p("OIDCToken").filter(|s| !s.is_empty()).ok_or_else(|| SimError::missing("OIDCToken"))?;
    let claims = jwt_claims(&token).filter(|_| (4..=20_000).contains(&token.len())).ok_or_else(|| {
        SimError::new(400, "InvalidParameter.OIDCToken", "The parameter OIDCToken is wrongly formed.")
    })?;
    let now = sim.server_now();
    let time_claim =
        |name: &str| claims.get(name).and_then(Value::as_i64).and_then(|s| DateTime::from_timestamp(s, 0));
    // ASSUMED code: the documented examples name no OIDC-token error.
    if time_claim("exp").is_some_and(|exp| exp <= now) {
        return Err(SimError::new(
            400,
            "AuthenticationFail.OIDCToken.Expired",
            "The OIDC token has expired.",
        ));
    }
    let session = check_session_name(p)?;
    let lifetime = check_duration(p, &sim.sts_config)?;
    check_policy(p)?;
    let creds = sim.sts.issue(now, lifetime);
    let audience = match claims.get("aud") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(json!({
        "RequestId": "",
        "OIDCTokenInfo": {
            "Subject": text("sub"),
            "Issuer": text("iss"),
            "ClientIds": audience,
            "ExpirationTime": time_claim("exp").map(iso).unwrap_or_default(),
            "IssuanceTime": time_claim("iat").map(iso).unwrap_or_default(),
            "VerificationInfo": "Success",
        },
        "AssumedRoleUser": role_user(account, role, &session),
        "Credentials": credentials_json(&creds),
    }))
}

/// The claims of a JWT (`header.payload.signature`, base64url); the signature is not checked
/// (the simulator has no identity provider's keys).
fn jwt_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || signature.is_empty() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// `GetCallerIdentity` for an authenticated caller.
pub(super) fn get_caller_identity(sim: &Simulator, access_key_id: &str) -> Value {
    if sim.sts.expiry(access_key_id).is_some() {
        json!({
            "IdentityType": "AssumedRoleUser",
            "AccountId": DEMO_ACCOUNT_ID,
            "RequestId": "",
            "PrincipalId": format!("3{:016}:session", 42),
            "UserId": "",
            "Arn": format!("acs:ram::{DEMO_ACCOUNT_ID}:assumed-role/demo/session"),
            "RoleId": format!("3{:016}", 42),
        })
    } else {
        json!({
            "IdentityType": "RAMUser",
            "AccountId": DEMO_ACCOUNT_ID,
            "RequestId": "",
            "PrincipalId": "277777777777777",
            "UserId": "277777777777777",
            "Arn": format!("acs:ram::{DEMO_ACCOUNT_ID}:user/migration-proxy-demo"),
        })
    }
}

// ---- ECS metadata ----

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [("content-type", "text/plain")], body.into()).into_response()
}

/// `--fault-sts-unavailable`: the metadata service is down as well (checked before the token,
/// so an IMDSv1 retry without one meets the same answer).
fn metadata_unavailable(sim: &Simulator) -> Option<Response> {
    sim.faults().sts_unavailable.then(|| {
        let body = json!({
            "Code": "ServiceUnavailable",
            "Message": "The request has failed due to a temporary failure of the server.",
        });
        text(StatusCode::SERVICE_UNAVAILABLE, body.to_string())
    })
}

/// `PUT /latest/api/token`.
pub(super) async fn metadata_token(State(sim): State<Arc<Simulator>>, headers: HeaderMap) -> Response {
    if let Some(down) = metadata_unavailable(&sim) {
        return down;
    }
    let ttl = headers
        .get("x-aliyun-ecs-metadata-token-ttl-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|t| (1..=MAX_METADATA_TOKEN_TTL_SECS).contains(t));
    let Some(ttl) = ttl else {
        return text(
            StatusCode::BAD_REQUEST,
            "X-aliyun-ecs-metadata-token-ttl-seconds must be between 1 and 21600",
        );
    };
    let now = sim.server_now();
    let token = URL_SAFE_NO_PAD.encode(random_bytes(36));
    let mut tokens = sim.sts.metadata_tokens.lock().unwrap_or_else(|p| p.into_inner());
    tokens.retain(|_, exp| *exp > now);
    tokens.insert(token.clone(), now + Duration::seconds(ttl as i64));
    text(StatusCode::OK, token)
}

fn metadata_authorised(sim: &Simulator, headers: &HeaderMap) -> bool {
    let Some(token) = headers.get("x-aliyun-ecs-metadata-token").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let now = sim.server_now();
    let tokens = sim.sts.metadata_tokens.lock().unwrap_or_else(|p| p.into_inner());
    tokens.get(token).is_some_and(|exp| *exp > now)
}

/// `GET /latest/meta-data/ram/security-credentials/`.
pub(super) async fn metadata_roles(State(sim): State<Arc<Simulator>>, headers: HeaderMap) -> Response {
    if let Some(down) = metadata_unavailable(&sim) {
        return down;
    }
    if !metadata_authorised(&sim, &headers) {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    text(StatusCode::OK, sim.sts_config.ecs_role_name.clone())
}

/// `GET /latest/meta-data/ram/security-credentials/{role}`.
pub(super) async fn metadata_credentials(
    State(sim): State<Arc<Simulator>>,
    Path(role): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(down) = metadata_unavailable(&sim) {
        return down;
    }
    if !metadata_authorised(&sim, &headers) {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    if role != sim.sts_config.ecs_role_name {
        return text(StatusCode::NOT_FOUND, "Not Found");
    }
    let now = sim.server_now();
    let ttl = Duration::seconds(sim.sts_config.ecs_credential_ttl_secs.max(1) as i64);
    let mut current = sim.sts.ecs_current.lock().unwrap_or_else(|p| p.into_inner());
    let reuse = current.as_ref().and_then(|(id, issued_at)| {
        let issued = sim.sts.issued.read().unwrap_or_else(|p| p.into_inner());
        let i = issued.get(id)?;
        // Rotate once half the lifetime has passed, as the real service rotates ahead of expiry.
        (i.expires - now > ttl / 2).then(|| {
            (
                TempCredentials {
                    access_key_id: id.clone(),
                    access_key_secret: i.secret.clone(),
                    security_token: i.token.clone(),
                    expiration: i.expires,
                },
                *issued_at,
            )
        })
    });
    let (creds, issued_at) = match reuse {
        Some(c) => c,
        None => {
            let c = sim.sts.issue(now, ttl);
            *current = Some((c.access_key_id.clone(), now));
            (c, now)
        }
    };
    let body = json!({
        "AccessKeyId": creds.access_key_id,
        "AccessKeySecret": creds.access_key_secret,
        "Expiration": iso(creds.expiration),
        "SecurityToken": creds.security_token,
        "LastUpdated": iso(issued_at),
        "Code": "Success",
    });
    (StatusCode::OK, [("content-type", "text/plain")], body.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_checked() {
        assert_eq!(
            parse_role_arn("acs:ram::5123456789012345:role/demo-role"),
            Some(("5123456789012345", "demo-role"))
        );
        for bad in [
            "",
            "acs:ram::x:role/r",
            "acs:ram::1:role/",
            "arn:aws:iam::1:role/r",
            "acs:ram::1:user/r",
            "acs:ram::1:role/a b",
        ] {
            assert_eq!(parse_role_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn jwt_claims_are_read_without_padding() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"system:serviceaccount:ns:sa","iss":"https://oidc.example","aud":["sts.aliyuncs.com"],"exp":4102444800}"#);
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
        let c = jwt_claims(&token).unwrap();
        assert_eq!(c["sub"], "system:serviceaccount:ns:sa");
        assert!(jwt_claims("not-a-jwt").is_none());
        assert!(jwt_claims("a.b.").is_none());
        assert!(jwt_claims("a.!!!.c").is_none());
    }

    #[test]
    fn issued_keys_carry_their_token_and_never_print_them() {
        let s = StsState::default();
        let now = Utc::now();
        let c = s.issue(now, Duration::seconds(5));
        assert!(c.access_key_id.starts_with("STS.") && c.security_token.starts_with("CAIS"));
        let k = s.key(&c.access_key_id).unwrap();
        assert_eq!(k.security_token.as_deref(), Some(c.security_token.as_str()));
        assert!(!format!("{k:?}").contains(&c.access_key_secret));
        assert_eq!(s.expiry(&c.access_key_id), Some(now + Duration::seconds(5)));
        assert_ne!(s.issue(now, Duration::seconds(5)).access_key_id, c.access_key_id);
    }
}
