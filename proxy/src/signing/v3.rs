//! The V3 signature, `ACS3-HMAC-SHA256`
//! (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
//!                    CanonicalHeaders \n SignedHeaders \n HexEncode(SHA256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n HexEncode(SHA256(CanonicalRequest))
//! Signature        = HexEncode(HMAC-SHA256(AccessKeySecret, StringToSign))   (raw secret, no "&")
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<h1;h2>,Signature=<hex>
//! ```

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::encode::{canonical_query, canonical_uri};

type HmacSha256 = Hmac<Sha256>;

/// The algorithm name that opens the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// `HexEncode(SHA256(""))`, the `x-acs-content-sha256` of an empty body.
pub const EMPTY_PAYLOAD_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// One call to sign. `path` is unencoded (`"/"` for RPC-style APIs such as RDS; `""` also
/// means `"/"`); `query` holds unencoded pairs; `headers` are extra headers to sign and send,
/// typically `content-type` when there is a body (they must not repeat the generated ones).
#[derive(Clone, Copy)]
pub struct SignRequest<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub action: &'a str,
    pub version: &'a str,
    /// `yyyy-MM-ddTHH:mm:ssZ`, see [`super::timestamp::format`].
    pub date: &'a str,
    /// A fresh random value (UUID) for every request, retries included.
    pub nonce: &'a str,
    pub access_key_id: &'a str,
    pub access_key_secret: &'a str,
    pub security_token: Option<&'a str>,
}

impl fmt::Debug for SignRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values of query parameters and extra headers may be sensitive (e.g. SourcePassword):
        // only their names are shown. The secret and the token never are.
        f.debug_struct("SignRequest")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query_names", &names(self.query))
            .field("header_names", &names(self.headers))
            .field("body_len", &self.body.len())
            .field("action", &self.action)
            .field("version", &self.version)
            .field("date", &self.date)
            .field("nonce", &self.nonce)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("security_token", &self.security_token.map(|_| "***"))
            .finish()
    }
}

fn names(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(k, _)| k.as_str()).collect()
}

/// The result of [`sign`].
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Every header to send, lowercase names: `host`, `x-acs-action`, `x-acs-version`,
    /// `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256`, then (with a token)
    /// `x-acs-accesskey-id` and `x-acs-security-token`, then the caller's extra headers as
    /// given, and last `Authorization`.
    pub headers: Vec<(String, String)>,
    pub canonical_request: String,
    pub string_to_sign: String,
    /// Lowercase hex HMAC-SHA256.
    pub signature: String,
}

impl Signed {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> &str {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("x-acs-security-token") {
                    (k.as_str(), "***")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("Signed")
            .field("headers", &headers)
            .field("canonical_request", &redact_canonical_request(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

/// The canonical request with query values and the security token replaced by `***`.
fn redact_canonical_request(cr: &str) -> String {
    cr.split('\n')
        .enumerate()
        .map(|(i, line)| {
            if i == 2 {
                line.split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) => format!("{k}=***"),
                        None => kv.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            } else if line.starts_with("x-acs-security-token:") {
                "x-acs-security-token:***".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lowercase hex SHA-256 of `body`, the `x-acs-content-sha256` value.
pub fn hash_payload(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// `CanonicalHeaders` and `SignedHeaders` of `headers` (all of which are signed): names
/// lowercased; the values of a name that repeats (in any case) trimmed, sorted and joined by
/// `,`; entries sorted by name, each `name:value\n`; `SignedHeaders` the names joined by `;`.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut entries: Vec<(String, &str)> =
        headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.trim())).collect();
    // Sorting by (name, value) groups each name with its values already in order.
    entries.sort_unstable();
    // Sized once: every call signs these (a dozen headers), so no growing on the way.
    let size: usize = entries.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut canonical = String::with_capacity(size);
    let mut signed = String::with_capacity(size);
    let mut i = 0;
    while i < entries.len() {
        let name = entries[i].0.as_str();
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
        canonical.push_str(name);
        canonical.push(':');
        let mut j = i;
        while j < entries.len() && entries[j].0 == name {
            if j > i {
                canonical.push(',');
            }
            canonical.push_str(entries[j].1);
            j += 1;
        }
        canonical.push('\n');
        i = j;
    }
    (canonical, signed)
}

/// The canonical request of an (unencoded) `path`, unencoded `query` pairs, the `headers` to
/// sign and the hex SHA-256 of the body. The method is used as given.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    hashed_payload: &str,
) -> String {
    build_canonical_request(method, &canonical_uri(path), query, headers, hashed_payload)
}

pub(crate) fn build_canonical_request(
    method: &str,
    canonical_uri: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    hashed_payload: &str,
) -> String {
    let (canonical_headers, signed_headers) = canonical_headers(headers);
    format!(
        "{method}\n{canonical_uri}\n{}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}",
        canonical_query(query)
    )
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", hash_payload(canonical_request.as_bytes()))
}

/// Lowercase hex HMAC-SHA256 of `string_to_sign` keyed with the raw secret.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    hex::encode(mac(secret, string_to_sign).finalize().into_bytes())
}

fn mac(secret: &str, string_to_sign: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// Checks `provided` (raw signature bytes) against the HMAC in constant time.
pub(crate) fn verify_mac(secret: &str, string_to_sign: &str, provided: &[u8]) -> bool {
    mac(secret, string_to_sign).verify_slice(provided).is_ok()
}

/// The `Authorization` value for an (unencoded) `path`, `query`, the `headers` to sign (all of
/// them are signed) and the hex SHA-256 of the body (`hashed_payload`). This is the
/// darabonba-openapi-util `GetAuthorization` (vectors V2 and V3).
pub fn authorization(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    hashed_payload: &str,
    access_key_id: &str,
    secret: &str,
) -> String {
    let cr = canonical_request(method, path, query, headers, hashed_payload);
    let (_, signed_headers) = canonical_headers(headers);
    let sig = signature(secret, &string_to_sign(&cr));
    format_authorization(access_key_id, &signed_headers, &sig)
}

fn format_authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}")
}

/// Signs one request: builds the `x-acs-*` headers, hashes the body, and signs `host`, every
/// `x-acs-*` header and the caller's extra headers.
pub fn sign(req: &SignRequest<'_>) -> Signed {
    let hashed_payload = hash_payload(req.body);
    let mut headers: Vec<(String, String)> = vec![
        ("host".to_owned(), req.host.to_owned()),
        ("x-acs-action".to_owned(), req.action.to_owned()),
        ("x-acs-version".to_owned(), req.version.to_owned()),
        ("x-acs-date".to_owned(), req.date.to_owned()),
        ("x-acs-signature-nonce".to_owned(), req.nonce.to_owned()),
        ("x-acs-content-sha256".to_owned(), hashed_payload.clone()),
    ];
    if let Some(token) = req.security_token {
        // As the official SDK does (darabonba-openapi `doRequest`).
        headers.push(("x-acs-accesskey-id".to_owned(), req.access_key_id.to_owned()));
        headers.push(("x-acs-security-token".to_owned(), token.to_owned()));
    }
    headers.extend(req.headers.iter().cloned());

    let canonical_request = canonical_request(req.method, req.path, req.query, &headers, &hashed_payload);
    let (_, signed_headers) = canonical_headers(&headers);
    let string_to_sign = string_to_sign(&canonical_request);
    let signature = signature(req.access_key_secret, &string_to_sign);
    headers.push((
        "Authorization".to_owned(),
        format_authorization(req.access_key_id, &signed_headers, &signature),
    ));
    Signed { headers, canonical_request, string_to_sign, signature }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn v1_query() -> Vec<(String, String)> {
        pairs(&[
            ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
            ("RegionId", "cn-shanghai"),
        ])
    }

    fn v1_request<'a>(query: &'a [(String, String)]) -> SignRequest<'a> {
        SignRequest {
            method: "POST",
            host: "ecs.cn-shanghai.aliyuncs.com",
            path: "/",
            query,
            headers: &[],
            body: b"",
            action: "RunInstances",
            version: "2014-05-26",
            date: "2023-10-26T10:22:32Z",
            nonce: "3156853299f313e23d1673dc12e1703d",
            access_key_id: "YourAccessKeyId",
            access_key_secret: "YourAccessKeySecret",
            security_token: None,
        }
    }

    /// V1: the official V3 doc example ("Fixed parameter values").
    #[test]
    fn v1_doc_example() {
        let q = v1_query();
        let s = sign(&v1_request(&q));
        assert_eq!(
            s.canonical_request,
            "POST\n/\n\
             ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\
             \n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            s.string_to_sign,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(s.signature, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
        assert_eq!(
            s.authorization(),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        let names: Vec<&str> = s.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "host",
                "x-acs-action",
                "x-acs-version",
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-content-sha256",
                "Authorization"
            ]
        );
    }

    type Pairs = Vec<(String, String)>;

    fn v2_v3_inputs() -> (Pairs, Pairs) {
        (pairs(&[("test", "ok"), ("empty", "")]), pairs(&[("x-acs-test", "http"), ("x-acs-TEST", "https")]))
    }

    const V2_V3_PAYLOAD: &str = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";

    /// V2: darabonba-openapi-util Python `test_get_authorization` (method GET, merged header).
    #[test]
    fn v2_openapi_util_python() {
        let (q, h) = v2_v3_inputs();
        assert_eq!(
            canonical_request("GET", "", &q, &h, V2_V3_PAYLOAD),
            "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n\
             55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23"
        );
        assert_eq!(
            authorization("GET", "", &q, &h, V2_V3_PAYLOAD, "acesskey", "secret"),
            "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"
        );
    }

    /// V3: darabonba-openapi-util Go `Test_GetAuthorization` (empty method).
    #[test]
    fn v3_openapi_util_go() {
        let (q, h) = v2_v3_inputs();
        assert_eq!(
            authorization("", "", &q, &h, V2_V3_PAYLOAD, "acesskey", "secret"),
            "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=4ab59fffe3c5738ff8a2729f90cc04fe18b02a4b15b2102cbaf92f9ff3df2ea3"
        );
        // The header order does not matter: values are sorted before they are joined.
        let h_rev: Vec<_> = h.iter().rev().cloned().collect();
        assert_eq!(
            authorization("", "", &q, &h_rev, V2_V3_PAYLOAD, "acesskey", "secret"),
            authorization("", "", &q, &h, V2_V3_PAYLOAD, "acesskey", "secret"),
        );
    }

    #[test]
    fn sha256_primitives() {
        assert_eq!(hash_payload(b"test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assert_eq!(hash_payload(b""), EMPTY_PAYLOAD_SHA256);
    }

    #[test]
    fn canonical_headers_trim_lowercase_merge() {
        let h = pairs(&[
            ("Content-Type", " application/json "),
            ("x-acs-b", "2"),
            ("X-ACS-B", "1"),
            ("host", "h"),
        ]);
        let (c, s) = canonical_headers(&h);
        assert_eq!(c, "content-type:application/json\nhost:h\nx-acs-b:1,2\n");
        assert_eq!(s, "content-type;host;x-acs-b");
    }

    #[test]
    fn sign_with_token_adds_accesskey_id_and_token_and_extra_headers() {
        let q = v1_query();
        let extra = pairs(&[("content-type", "application/x-www-form-urlencoded")]);
        let mut r = v1_request(&q);
        r.headers = &extra;
        r.body = b"a=1";
        r.security_token = Some("tok");
        let s = sign(&r);
        let get = |n: &str| s.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("x-acs-accesskey-id"), Some("YourAccessKeyId"));
        assert_eq!(get("x-acs-security-token"), Some("tok"));
        assert_eq!(get("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(get("x-acs-content-sha256"), Some(hash_payload(b"a=1").as_str()));
        assert!(s.authorization().contains(
            "SignedHeaders=content-type;host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
        ));
        assert!(s.canonical_request.contains("\nx-acs-security-token:tok\n"));
    }

    #[test]
    fn debug_output_hides_secret_and_token() {
        let q = pairs(&[("SourcePassword", "pw-123456")]);
        let mut r = v1_request(&q);
        r.access_key_secret = "very-secret-value";
        r.security_token = Some("token-value-xyz");
        let dbg_req = format!("{r:?}");
        let s = sign(&r);
        let dbg_signed = format!("{s:?}");
        for dbg in [&dbg_req, &dbg_signed] {
            assert!(!dbg.contains("very-secret-value"), "{dbg}");
            assert!(!dbg.contains("token-value-xyz"), "{dbg}");
            assert!(!dbg.contains("pw-123456"), "{dbg}");
        }
        assert!(dbg_signed.contains("SourcePassword=***"), "{dbg_signed}");
    }
}
