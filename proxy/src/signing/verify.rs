//! Server-side signature verification for the RDS simulator, for both schemes.
//!
//! [`verify`] picks the scheme: an `Authorization` header starting with `ACS3-` is V3 (any
//! other `ACS3-` algorithm than `ACS3-HMAC-SHA256` gets `InvalidSignatureMethod`); otherwise a
//! `Signature` query or form parameter is RPC; otherwise `IncompleteSignature`.
//!
//! Checks run in this order, so with several faults the first one named wins:
//! structure (missing/duplicated/unsigned parts) → timestamp format → clock skew (±15 min) →
//! AccessKeyId lookup → (V3) body hash → signature → security token. Signatures and tokens are
//! compared in constant time (`hmac`'s `verify_slice`). Nonce reuse is *not* checked here: the
//! caller checks [`Verified::nonce`] (Alibaba's window is 31 minutes, reference §4.3).
//!
//! No error, `Debug` output or panic message carries a secret: error details are static strings.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::encode::canonical_uri_from_wire;
use super::{rpc, timestamp, v3};

/// The largest accepted difference, either way, between the request's timestamp and `now`.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(15);

/// One incoming request, as the simulator received it.
#[derive(Clone, Copy)]
pub struct IncomingRequest<'a> {
    /// The HTTP method as received (`GET`, `POST`); both schemes sign it as is.
    pub method: &'a str,
    /// The path as on the request line (percent-encoded or not; `/` for RPC-style APIs).
    pub path: &'a str,
    /// Decoded query pairs, in order, duplicates kept.
    pub query: &'a [(String, String)],
    /// Decoded `application/x-www-form-urlencoded` body pairs (RPC signs them; V3 hashes the body).
    pub form: &'a [(String, String)],
    /// All request headers, names in any case, one entry per occurrence. Must include `host`
    /// (for HTTP/2, rebuild it from the `:authority`).
    pub headers: &'a [(String, String)],
    /// The raw body.
    pub body: &'a [u8],
}

impl fmt::Debug for IncomingRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may carry the security token or a password: names only.
        let names = |p: &[(String, String)]| p.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        f.debug_struct("IncomingRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_names", &names(self.query))
            .field("form_names", &names(self.form))
            .field("header_names", &names(self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What the simulator knows about one AccessKeyId.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub secret: String,
    /// `Some`: an STS credential; the request must carry exactly this token
    /// (`x-acs-security-token` for V3, `SecurityToken` for RPC). `None`: a long-term key; a
    /// request that carries a token anyway is rejected.
    pub security_token: Option<String>,
}

impl fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("secret", &"***")
            .field("security_token", &self.security_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Which signature scheme a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// `ACS3-HMAC-SHA256` in the `Authorization` header.
    V3,
    /// `SignatureVersion=1.0`, HMAC-SHA1, in the parameters.
    Rpc,
}

/// A request whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    /// `x-acs-signature-nonce` (V3) or `SignatureNonce` (RPC); the caller checks reuse.
    pub nonce: String,
    /// `x-acs-date` (V3) or `Timestamp` (RPC).
    pub timestamp: DateTime<Utc>,
    pub style: Style,
    /// `x-acs-action` (V3) or the `Action` parameter (RPC), if sent.
    pub action: Option<String>,
    /// `x-acs-version` (V3) or the `Version` parameter (RPC), if sent.
    pub version: Option<String>,
}

/// Why a request was rejected. [`code`](Self::code), [`message`](Self::message) and
/// [`http_status`](Self::http_status) give what Alibaba Cloud answers; [`detail`](Self::detail)
/// says which check failed (for logs, never containing request values or secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// `IncompleteSignature` (400): malformed `Authorization`, a missing or unsigned `host` /
    /// `x-acs-*` header, a missing signature parameter, or one given more than once.
    IncompleteSignature(&'static str),
    /// `InvalidAccessKeyId.NotFound` (404).
    InvalidAccessKeyIdNotFound,
    /// `SignatureDoesNotMatch` (400), also when `x-acs-content-sha256` does not match the body.
    SignatureDoesNotMatch(&'static str),
    /// `InvalidTimeStamp.Expired` (400): more than 15 minutes from now, either way.
    InvalidTimeStampExpired,
    /// `InvalidTimeStamp.Format` (400).
    InvalidTimeStampFormat,
    /// `IllegalTimestamp` (400): the RPC `Timestamp` parameter is missing.
    IllegalTimestamp,
    /// `MissingAccessKeyId` (400): the RPC `AccessKeyId` parameter is missing.
    MissingAccessKeyId,
    /// `MissingSignatureNonce` (400): the RPC `SignatureNonce` parameter is missing.
    MissingSignatureNonce,
    /// `InvalidSignatureMethod` (400): not `HMAC-SHA1` (RPC) / not `ACS3-HMAC-SHA256` (V3).
    InvalidSignatureMethod,
    /// `InvalidSignatureVersion` (400): RPC `SignatureVersion` other than `1.0`.
    InvalidSignatureVersion,
    /// `InvalidSecurityToken.Malformed` (400): the key is an STS key and no token was sent.
    InvalidSecurityTokenMalformed,
    /// `InvalidSecurityToken.MismatchWithAccessKey` (400): a token that is not the key's, or a
    /// token sent with a long-term key.
    InvalidSecurityTokenMismatch,
}

impl VerifyError {
    /// Alibaba's error `Code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IncompleteSignature(_) => "IncompleteSignature",
            Self::InvalidAccessKeyIdNotFound => "InvalidAccessKeyId.NotFound",
            Self::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            Self::InvalidTimeStampExpired => "InvalidTimeStamp.Expired",
            Self::InvalidTimeStampFormat => "InvalidTimeStamp.Format",
            Self::IllegalTimestamp => "IllegalTimestamp",
            Self::MissingAccessKeyId => "MissingAccessKeyId",
            Self::MissingSignatureNonce => "MissingSignatureNonce",
            Self::InvalidSignatureMethod => "InvalidSignatureMethod",
            Self::InvalidSignatureVersion => "InvalidSignatureVersion",
            Self::InvalidSecurityTokenMalformed => "InvalidSecurityToken.Malformed",
            Self::InvalidSecurityTokenMismatch => "InvalidSecurityToken.MismatchWithAccessKey",
        }
    }

    /// Alibaba's error `Message`.
    pub fn message(&self) -> &'static str {
        match self {
            Self::IncompleteSignature(_) => {
                "The request signature does not conform to Aliyun standards."
            }
            Self::InvalidAccessKeyIdNotFound => "Specified access key is not found.",
            Self::SignatureDoesNotMatch(_) => {
                "Specified signature is not matched with our calculation."
            }
            Self::InvalidTimeStampExpired => "Specified time stamp or date value is expired.",
            Self::InvalidTimeStampFormat => {
                "Specified time stamp or date value is not well formatted."
            }
            Self::IllegalTimestamp => {
                "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied."
            }
            Self::MissingAccessKeyId => "AccessKeyId is mandatory for this action.",
            Self::MissingSignatureNonce => "SignatureNonce is mandatory for this action.",
            Self::InvalidSignatureMethod => "Specified signature method is not valid.",
            Self::InvalidSignatureVersion => "Specified signature version is not valid.",
            Self::InvalidSecurityTokenMalformed => {
                "Specified SecurityToken is missing or malformed."
            }
            Self::InvalidSecurityTokenMismatch => {
                "Specified SecurityToken mismatch with the AccessKey."
            }
        }
    }

    /// The HTTP status Alibaba answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidAccessKeyIdNotFound => 404,
            _ => 400,
        }
    }

    /// Which check failed, when the code alone does not say (for logs only).
    pub fn detail(&self) -> Option<&'static str> {
        match self {
            Self::IncompleteSignature(d) | Self::SignatureDoesNotMatch(d) => Some(d),
            _ => None,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())?;
        if let Some(d) = self.detail() {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifyError {}

fn incomplete(detail: &'static str) -> VerifyError {
    VerifyError::IncompleteSignature(detail)
}

/// Verifies a request signed with either scheme (see the module docs for how it picks).
pub fn verify(
    req: &IncomingRequest<'_>,
    lookup: &dyn Fn(&str) -> Option<KeyEntry>,
    now: DateTime<Utc>,
) -> Result<Verified, VerifyError> {
    let acs3 = req
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.trim_start().starts_with("ACS3-"));
    if acs3 {
        return verify_v3(req, lookup, now);
    }
    let has_signature = req.query.iter().chain(req.form.iter()).any(|(k, _)| k == "Signature");
    if has_signature {
        return verify_rpc(req, lookup, now);
    }
    Err(incomplete("neither an ACS3 Authorization header nor a Signature parameter"))
}

/// The values of every header named `name` (any case).
fn header_values<'a>(req: &IncomingRequest<'a>, name: &str) -> Vec<&'a str> {
    req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
}

/// The single value of header `name` (trimmed), `None` if absent; repeated is an error.
fn one_header<'a>(
    req: &IncomingRequest<'a>,
    name: &str,
    repeated: &'static str,
) -> Result<Option<&'a str>, VerifyError> {
    match header_values(req, name).as_slice() {
        [] => Ok(None),
        [v] => Ok(Some(v.trim())),
        _ => Err(incomplete(repeated)),
    }
}

/// Like [`one_header`], but absent or empty is an error too.
fn required_header<'a>(
    req: &IncomingRequest<'a>,
    name: &str,
    missing: &'static str,
    repeated: &'static str,
) -> Result<&'a str, VerifyError> {
    match one_header(req, name, repeated)? {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(incomplete(missing)),
    }
}

struct Authorization<'a> {
    credential: &'a str,
    signed_headers: Vec<&'a str>,
    signature: Vec<u8>,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, VerifyError> {
    let value = value.trim();
    let (algorithm, rest) = value.split_once(|c: char| c.is_ascii_whitespace()).unwrap_or((value, ""));
    if algorithm != v3::ALGORITHM {
        return Err(if algorithm.starts_with("ACS3-") {
            VerifyError::InvalidSignatureMethod
        } else {
            incomplete("the Authorization header is not ACS3-HMAC-SHA256")
        });
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or(incomplete("malformed Authorization header"))?;
        let slot = match k.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(incomplete("unknown field in the Authorization header")),
        };
        if slot.is_some() {
            return Err(incomplete("a field of the Authorization header is repeated"));
        }
        *slot = Some(v.trim());
    }
    let credential = match credential {
        Some(c) if !c.is_empty() && !c.contains(|ch: char| ch.is_whitespace()) => c,
        _ => return Err(incomplete("Credential missing from the Authorization header")),
    };
    let signed_headers: Vec<&str> = match signed_headers {
        Some(s) if !s.is_empty() => s.split(';').collect(),
        _ => return Err(incomplete("SignedHeaders missing from the Authorization header")),
    };
    let well_formed = signed_headers
        .iter()
        .all(|h| !h.is_empty() && !h.bytes().any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace()))
        && signed_headers.windows(2).all(|w| w[0] < w[1]);
    if !well_formed {
        return Err(incomplete("SignedHeaders must be lowercase header names, sorted, without repeats"));
    }
    let signature = match signature {
        Some(s) if !s.is_empty() => s,
        _ => return Err(incomplete("Signature missing from the Authorization header")),
    };
    // Alibaba's signature is lowercase hex; anything else cannot match its calculation.
    let lower_hex =
        signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let signature = match hex::decode(signature) {
        Ok(bytes) if lower_hex => bytes,
        _ => return Err(VerifyError::SignatureDoesNotMatch("signature is not 64 lowercase hex digits")),
    };
    Ok(Authorization { credential, signed_headers, signature })
}

fn check_clock(ts: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), VerifyError> {
    if ts.signed_duration_since(now).abs() > MAX_CLOCK_SKEW {
        return Err(VerifyError::InvalidTimeStampExpired);
    }
    Ok(())
}

/// Constant-time equality of two strings of any length: both are MACed under a fixed key and
/// the tags compared with `verify_slice`.
fn ct_eq(a: &str, b: &str) -> bool {
    const KEY: &[u8] = b"migration-proxy signing::verify token comparison";
    let mac = |s: &str| {
        let mut m = Hmac::<Sha256>::new_from_slice(KEY).expect("HMAC accepts keys of any length");
        m.update(s.as_bytes());
        m
    };
    let tag = mac(a).finalize().into_bytes();
    mac(b).verify_slice(&tag).is_ok()
}

fn check_token(expected: Option<&str>, sent: Option<&str>) -> Result<(), VerifyError> {
    match (expected, sent) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(VerifyError::InvalidSecurityTokenMalformed),
        (None, Some(_)) => Err(VerifyError::InvalidSecurityTokenMismatch),
        (Some(e), Some(s)) => {
            if ct_eq(e, s) {
                Ok(())
            } else {
                Err(VerifyError::InvalidSecurityTokenMismatch)
            }
        }
    }
}

/// Verifies an `ACS3-HMAC-SHA256` request.
///
/// Requires one `Authorization`, `host`, `x-acs-date`, `x-acs-signature-nonce` and
/// `x-acs-content-sha256`; `host` and every `x-acs-*` header sent must be in `SignedHeaders`,
/// and every header named there must be present. The canonical request is rebuilt from exactly
/// the headers named in `SignedHeaders` (whatever the client chose to sign), the decoded query
/// pairs, the path and the method. `x-acs-content-sha256` must be the SHA-256 of the body.
pub fn verify_v3(
    req: &IncomingRequest<'_>,
    lookup: &dyn Fn(&str) -> Option<KeyEntry>,
    now: DateTime<Utc>,
) -> Result<Verified, VerifyError> {
    let auth = one_header(req, "authorization", "the Authorization header is repeated")?
        .ok_or(incomplete("the Authorization header is missing"))?;
    let auth = parse_authorization(auth)?;

    required_header(req, "host", "the host header is missing", "the host header is repeated")?;
    let date = required_header(
        req,
        "x-acs-date",
        "the x-acs-date header is missing",
        "the x-acs-date header is repeated",
    )?;
    let nonce = required_header(
        req,
        "x-acs-signature-nonce",
        "the x-acs-signature-nonce header is missing",
        "the x-acs-signature-nonce header is repeated",
    )?;
    let content_sha256 = required_header(
        req,
        "x-acs-content-sha256",
        "the x-acs-content-sha256 header is missing",
        "the x-acs-content-sha256 header is repeated",
    )?;
    let action = one_header(req, "x-acs-action", "the x-acs-action header is repeated")?;
    let version = one_header(req, "x-acs-version", "the x-acs-version header is repeated")?;
    let token = one_header(req, "x-acs-security-token", "the x-acs-security-token header is repeated")?;
    let key_id_header = one_header(req, "x-acs-accesskey-id", "the x-acs-accesskey-id header is repeated")?;

    let is_signed = |name: &str| auth.signed_headers.iter().any(|s| s.eq_ignore_ascii_case(name));
    if is_signed("authorization") {
        return Err(incomplete("SignedHeaders names the Authorization header"));
    }
    for (name, _) in req.headers {
        let must_sign = name.eq_ignore_ascii_case("host")
            || name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-acs-"));
        if must_sign && !is_signed(name) {
            return Err(incomplete("host and every x-acs-* header must be signed"));
        }
    }
    for signed in &auth.signed_headers {
        if !req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(signed)) {
            return Err(incomplete("a header named in SignedHeaders is missing"));
        }
    }
    if key_id_header.is_some_and(|k| k != auth.credential) {
        return Err(incomplete("x-acs-accesskey-id differs from the Credential of the Authorization header"));
    }

    let ts = timestamp::parse(date).ok_or(VerifyError::InvalidTimeStampFormat)?;
    check_clock(ts, now)?;

    let key = lookup(auth.credential).ok_or(VerifyError::InvalidAccessKeyIdNotFound)?;

    if !content_sha256.eq_ignore_ascii_case(&v3::hash_payload(req.body)) {
        return Err(VerifyError::SignatureDoesNotMatch("x-acs-content-sha256 does not match the body"));
    }

    let signed_headers: Vec<(String, String)> =
        req.headers.iter().filter(|(k, _)| is_signed(k)).cloned().collect();
    let canonical_request = v3::build_canonical_request(
        req.method,
        &canonical_uri_from_wire(req.path),
        req.query,
        &signed_headers,
        content_sha256,
    );
    let string_to_sign = v3::string_to_sign(&canonical_request);
    if !v3::verify_mac(&key.secret, &string_to_sign, &auth.signature) {
        return Err(VerifyError::SignatureDoesNotMatch("signature"));
    }

    check_token(key.security_token.as_deref(), token)?;

    Ok(Verified {
        access_key_id: auth.credential.to_owned(),
        nonce: nonce.to_owned(),
        timestamp: ts,
        style: Style::V3,
        action: action.map(str::to_owned),
        version: version.map(str::to_owned),
    })
}

/// Verifies an RPC (`SignatureVersion=1.0`, HMAC-SHA1) request: signs every query and form
/// parameter except `Signature`, with the request's method.
///
/// `Signature`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`, `Timestamp`,
/// `AccessKeyId`, `SecurityToken`, `Action` and `Version` may each appear at most once across
/// query and form (`IncompleteSignature` otherwise).
pub fn verify_rpc(
    req: &IncomingRequest<'_>,
    lookup: &dyn Fn(&str) -> Option<KeyEntry>,
    now: DateTime<Utc>,
) -> Result<Verified, VerifyError> {
    let one = |name: &str| -> Result<Option<&str>, VerifyError> {
        let mut found = None;
        for (k, v) in req.query.iter().chain(req.form.iter()) {
            if k == name {
                if found.is_some() {
                    return Err(incomplete("a signature parameter is given more than once"));
                }
                found = Some(v.as_str());
            }
        }
        Ok(found)
    };
    let signature = one("Signature")?;
    let method = one("SignatureMethod")?;
    let sig_version = one("SignatureVersion")?;
    let nonce = one("SignatureNonce")?;
    let ts = one("Timestamp")?;
    let access_key_id = one("AccessKeyId")?;
    let token = one("SecurityToken")?;
    let action = one("Action")?;
    let version = one("Version")?;

    let signature = match signature {
        Some(s) if !s.is_empty() => s,
        _ => return Err(incomplete("the Signature parameter is missing")),
    };
    match method {
        None | Some("") => return Err(incomplete("the SignatureMethod parameter is missing")),
        Some(m) if m != rpc::SIGNATURE_METHOD => return Err(VerifyError::InvalidSignatureMethod),
        Some(_) => {}
    }
    match sig_version {
        None | Some("") => return Err(incomplete("the SignatureVersion parameter is missing")),
        Some(v) if v != rpc::SIGNATURE_VERSION => return Err(VerifyError::InvalidSignatureVersion),
        Some(_) => {}
    }
    let access_key_id = access_key_id.filter(|a| !a.is_empty()).ok_or(VerifyError::MissingAccessKeyId)?;
    let nonce = nonce.filter(|n| !n.is_empty()).ok_or(VerifyError::MissingSignatureNonce)?;
    let ts = ts.filter(|t| !t.is_empty()).ok_or(VerifyError::IllegalTimestamp)?;

    let ts = timestamp::parse(ts).ok_or(VerifyError::InvalidTimeStampFormat)?;
    check_clock(ts, now)?;

    let key = lookup(access_key_id).ok_or(VerifyError::InvalidAccessKeyIdNotFound)?;

    // The service compares Base64 strings; a value that is not the canonical Base64 of a
    // 20-byte MAC cannot match.
    let provided = match BASE64.decode(signature) {
        Ok(bytes) if bytes.len() == 20 => bytes,
        _ => return Err(VerifyError::SignatureDoesNotMatch("signature is not Base64 of 20 bytes")),
    };
    let params: Vec<(String, String)> =
        req.query.iter().chain(req.form.iter()).filter(|(k, _)| k != "Signature").cloned().collect();
    let string_to_sign = rpc::string_to_sign(req.method, &params);
    if !rpc::verify_mac(&key.secret, &string_to_sign, &provided) {
        return Err(VerifyError::SignatureDoesNotMatch("signature"));
    }

    check_token(key.security_token.as_deref(), token)?;

    Ok(Verified {
        access_key_id: access_key_id.to_owned(),
        nonce: nonce.to_owned(),
        timestamp: ts,
        style: Style::Rpc,
        action: action.map(str::to_owned),
        version: version.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests;
