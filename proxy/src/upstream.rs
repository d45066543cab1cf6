//! The one way out to the RDS OpenAPI: picks the endpoint for the region, signs the call, sends
//! it with a timeout and a size limit, and hands back the status and body. Nothing here logs a
//! URL or a query string (they carry the signature).
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use url::Url;

use crate::actions::ValidatedCall;
use crate::config::SignatureStyle;
use crate::credentials::CredentialProvider;
use crate::error::ProxyError;
use crate::signing;

mod client;

/// Name-value pairs: query parameters or headers.
type Pairs = Vec<(String, String)>;

/// The RDS OpenAPI version every call uses.
pub const RDS_API_VERSION: &str = "2014-08-15";

/// Regions the official SDK maps to the central endpoint (Alibaba Cloud's RDS endpoint page,
/// https://www.alibabacloud.com/help/en/rds/developer-reference/api-rds-2014-08-15-endpoint); every other
/// region gets `rds.{region}.aliyuncs.com`.
const CENTRAL_ENDPOINT_REGIONS: &[&str] = &[
    "cn-qingdao",
    "cn-beijing",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-hongkong",
    "ap-southeast-1",
    "us-west-1",
    "us-east-1",
];

/// The endpoint the official SDK would use for a region.
pub fn endpoint_for_region(region_id: &str) -> String {
    if CENTRAL_ENDPOINT_REGIONS.contains(&region_id) {
        "https://rds.aliyuncs.com".to_string()
    } else {
        format!("https://rds.{region_id}.aliyuncs.com")
    }
}

/// Checks an `--rds-endpoint` override: https anywhere, plain http only to loopback unless allowed.
pub fn check_endpoint(raw: &str, allow_insecure: bool) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("--rds-endpoint {raw:?} is not a URL: {e}"))?;
    let host = url.host_str().ok_or_else(|| format!("--rds-endpoint {raw:?} has no host"))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = host == "localhost"
                || host
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback && !allow_insecure {
                return Err(format!(
                    "--rds-endpoint {raw:?} is plain http to a non-loopback host; use https or pass --allow-insecure-endpoint"
                ));
            }
        }
        other => return Err(format!("--rds-endpoint scheme must be https or http, not {other:?}")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(format!("--rds-endpoint {raw:?} must not carry a query, fragment or user info"));
    }
    Ok(url)
}

/// What came back from the upstream, before redaction.
#[derive(Debug, Clone)]
pub struct UpstreamResponse {
    pub status: u16,
    pub body: Bytes,
    /// The upstream's `Date` header, used to correct clock skew.
    pub date: Option<String>,
    /// How long the upstream asked us to wait (rate-limit headers or Retry-After).
    pub retry_after: Option<Duration>,
}

/// The wait the rate-limit headers ask for: the larger `TimeLeft` (ms) of `x-ratelimit-user-api`
/// and `x-ratelimit-user` (`Limit:1,Remain:0,TimeLeft:2000,Reset:1234`), as the official SDK
/// computes it, else `Retry-After` in seconds.
pub fn retry_after(headers: &hyper::HeaderMap) -> Option<Duration> {
    let time_left = |name: &str| -> Option<u64> {
        let v = headers.get(name)?.to_str().ok()?;
        v.split(',')
            .find_map(|part| part.trim().strip_prefix("TimeLeft:"))
            .and_then(|n| n.trim().parse().ok())
    };
    let ms = [time_left("x-ratelimit-user-api"), time_left("x-ratelimit-user")].into_iter().flatten().max();
    ms.map(Duration::from_millis).or_else(|| {
        let secs: u64 = headers.get("retry-after")?.to_str().ok()?.trim().parse().ok()?;
        Some(Duration::from_secs(secs))
    })
}

#[derive(Clone)]
pub struct Upstream {
    /// Keep-alive connections pooled per thread that calls: a connection's task then runs on
    /// the thread of the requests that use it, so a call wakes no other thread (see `listener`).
    client: Arc<client::Client>,
    endpoint_override: Option<Url>,
    credentials: CredentialProvider,
    signature: SignatureStyle,
    timeout: Duration,
    /// Server time minus local time, learnt from the upstream's `Date` after a timestamp error.
    skew_ms: Arc<AtomicI64>,
}

impl Upstream {
    pub fn new(
        endpoint_override: Option<Url>,
        credentials: impl Into<CredentialProvider>,
        signature: SignatureStyle,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        // rustls is built without a default crypto provider; ring is the one we ship.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Upstream {
            client: Arc::new(client::Client::new(Duration::from_secs(5).min(timeout))?),
            endpoint_override,
            credentials: credentials.into(),
            signature,
            timeout,
            skew_ms: Arc::new(AtomicI64::new(0)),
        })
    }

    /// The signing clock: the system clock, corrected by the skew learnt from the upstream.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.skew_ms.load(Ordering::Relaxed))
    }

    /// Learns the clock skew from an upstream `Date` header (RFC 7231 format). Returns the new
    /// skew, or None if the header is unreadable.
    pub fn correct_skew(&self, date_header: &str) -> Option<chrono::Duration> {
        let server = chrono::DateTime::parse_from_rfc2822(date_header).ok()?.with_timezone(&Utc);
        let skew = server - Utc::now();
        self.skew_ms.store(skew.num_milliseconds(), Ordering::Relaxed);
        Some(skew)
    }

    pub fn credentials(&self) -> &CredentialProvider {
        &self.credentials
    }

    /// The endpoint a call goes to: the override, else the region's endpoint. Never the request's.
    pub fn endpoint(&self, region_id: &str) -> Result<Url, ProxyError> {
        match &self.endpoint_override {
            Some(url) => Ok(url.clone()),
            None => Url::parse(&endpoint_for_region(region_id)).map_err(|_| {
                ProxyError::InvalidParameter(format!("The region {region_id:?} has no valid endpoint."))
            }),
        }
    }

    /// What names the endpoint of `region_id` in a cache key: the override if there is one,
    /// else the region's endpoint URL (so regions that share an endpoint share a key).
    pub fn endpoint_key(&self, region_id: &str) -> std::borrow::Cow<'_, str> {
        match &self.endpoint_override {
            Some(url) => url.as_str().into(),
            None => endpoint_for_region(region_id).into(),
        }
    }

    /// Signs and sends one call (one attempt: retries are the caller's business).
    pub async fn call(&self, call: &ValidatedCall) -> Result<UpstreamResponse, ProxyError> {
        let endpoint = self.endpoint(&call.region_id)?;
        let host = host_header(&endpoint);
        // Every attempt asks afresh, so a retry picks up refreshed temporary credentials.
        let creds = self.credentials.current().await.map_err(|e| {
            tracing::error!(error = %e, "no usable Alibaba Cloud credentials");
            ProxyError::UpstreamUnavailable(
                "the proxy's Alibaba Cloud credentials have expired and could not be refreshed".into(),
            )
        })?;
        let creds = &creds;
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let date = signing::timestamp::format(self.now());
        let action = call.action.name();

        let (query, headers): (String, Pairs) = match self.signature {
            SignatureStyle::V3 => {
                let signed = signing::v3::sign(&signing::v3::SignRequest {
                    method: "POST",
                    host: &host,
                    path: "/",
                    query: &call.params,
                    headers: &[],
                    body: b"",
                    action,
                    version: RDS_API_VERSION,
                    date: &date,
                    nonce: &nonce,
                    access_key_id: &creds.access_key_id,
                    access_key_secret: creds.access_key_secret.expose(),
                    security_token: creds.security_token.as_ref().map(|t| t.expose()),
                });
                let headers =
                    signed.headers.into_iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")).collect();
                (signing::encode::canonical_query(&call.params), headers)
            }
            SignatureStyle::Rpc => {
                let params = signing::rpc::sign_params(
                    "POST",
                    action,
                    RDS_API_VERSION,
                    &call.params,
                    &creds.access_key_id,
                    creds.access_key_secret.expose(),
                    creds.security_token.as_ref().map(|t| t.expose()),
                    &date,
                    &nonce,
                );
                (signing::encode::canonical_query(&params), Vec::new())
            }
        };

        let mut url = endpoint;
        url.set_path("/");
        url.set_query(Some(&query));
        let mut headers = headers;
        headers.push(("accept".into(), "application/json".into()));
        // Each action's own bound (crate::limits), read chunk by chunk: never buffered beyond it.
        let limit = crate::limits::max_answer_bytes(call.action);
        let answer = tokio::time::timeout(self.timeout, self.client.post(&url, &headers, limit))
            .await
            .unwrap_or(Err(client::CallError::Timeout))
            .map_err(|e| match e {
                // Never with the URL: its query carries the signature.
                client::CallError::Timeout => ProxyError::UpstreamTimeout,
                client::CallError::Connect => {
                    ProxyError::UpstreamUnavailable("the connection to the RDS endpoint failed".into())
                }
                client::CallError::Broken => ProxyError::UpstreamUnavailable(
                    "the RDS endpoint closed the connection or answered unreadably".into(),
                ),
                client::CallError::TooLarge => ProxyError::UpstreamTooLarge(format!(
                    "The RDS API's answer to {action} is larger than the {} KiB the proxy reads for it; ask for a smaller page (PageSize).",
                    limit / 1024
                )),
            })?;
        let status = answer.status;
        let date = answer.headers.get("date").and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = retry_after(&answer.headers);
        let body = if (200..300).contains(&status) {
            answer.body
        } else {
            let token = creds.security_token.as_ref().map(|t| t.expose()).unwrap_or("");
            crate::upstream_error::shape_error_body(&answer.body, &[creds.access_key_id.as_str(), token])
        };
        Ok(UpstreamResponse { status, body, date, retry_after })
    }
}

/// The Host header value a client sends for this URL (with the port when it is not the default).
pub fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_sdk_map() {
        assert_eq!(endpoint_for_region("cn-hangzhou"), "https://rds.aliyuncs.com");
        assert_eq!(endpoint_for_region("ap-southeast-1"), "https://rds.aliyuncs.com");
        assert_eq!(endpoint_for_region("ap-southeast-5"), "https://rds.ap-southeast-5.aliyuncs.com");
        assert_eq!(endpoint_for_region("cn-zhangjiakou"), "https://rds.cn-zhangjiakou.aliyuncs.com");
    }

    #[test]
    fn endpoint_overrides_are_checked() {
        assert!(check_endpoint("https://rds.aliyuncs.com", false).is_ok());
        assert!(check_endpoint("http://127.0.0.1:9090", false).is_ok());
        assert!(check_endpoint("http://[::1]:9090", false).is_ok());
        assert!(check_endpoint("http://localhost:9090", false).is_ok());
        assert!(check_endpoint("http://10.0.0.5:9090", false).is_err());
        assert!(check_endpoint("http://10.0.0.5:9090", true).is_ok());
        assert!(check_endpoint("ftp://rds.aliyuncs.com", true).is_err());
        assert!(check_endpoint("https://user@rds.aliyuncs.com", false).is_err());
        assert!(check_endpoint("https://rds.aliyuncs.com/?Action=x", false).is_err());
        assert!(check_endpoint("not a url", false).is_err());
    }

    #[test]
    fn rate_limit_headers_give_the_larger_time_left() {
        let mut h = hyper::HeaderMap::new();
        h.insert("x-ratelimit-user-api", "Limit:1,Remain:0,TimeLeft:2000,Reset:1234".parse().unwrap());
        h.insert("x-ratelimit-user", "Limit:10,Remain:0,TimeLeft:500,Reset:99".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(2000)));
        let mut h = hyper::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&hyper::HeaderMap::new()), None);
    }

    #[test]
    fn skew_is_learnt_from_the_date_header() {
        let creds = crate::credentials::Credentials {
            access_key_id: "id".into(),
            access_key_secret: crate::credentials::Secret::new("s"),
            security_token: None,
            source: crate::credentials::Source::Demo,
        };
        let up = Upstream::new(None, creds, SignatureStyle::V3, Duration::from_secs(1)).unwrap();
        let ahead = Utc::now() + chrono::Duration::minutes(20);
        let skew = up.correct_skew(&ahead.to_rfc2822()).unwrap();
        assert!((skew.num_seconds() - 1200).abs() <= 2, "{skew}");
        assert!((up.now() - ahead).num_seconds().abs() <= 2);
        assert!(up.correct_skew("not a date").is_none());
    }

    #[test]
    fn host_header_keeps_explicit_ports() {
        assert_eq!(host_header(&Url::parse("http://127.0.0.1:9090/").unwrap()), "127.0.0.1:9090");
        assert_eq!(host_header(&Url::parse("https://rds.aliyuncs.com").unwrap()), "rds.aliyuncs.com");
    }
}
