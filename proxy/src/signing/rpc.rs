//! The RPC signature: `SignatureVersion=1.0`, `SignatureMethod=HMAC-SHA1`
//! (the Alibaba docs call it "V2"; https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
//!
//! ```text
//! StringToSign = Method + "&" + percentEncode("/") + "&" + percentEncode(CanonicalizedQueryString)
//! Signature    = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign))
//! ```
//!
//! Every parameter that is sent is signed, whether it travels in the query string or in an
//! `application/x-www-form-urlencoded` body; only `Signature` itself is left out.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::encode::{canonical_query, percent_encode};

type HmacSha1 = Hmac<Sha1>;

/// The only `SignatureMethod` this scheme uses.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The only `SignatureVersion` this scheme uses.
pub const SIGNATURE_VERSION: &str = "1.0";

/// Parameter names [`sign_params`] sets itself; a caller's own entries with these names are
/// dropped (except `Format`, which the caller may override, e.g. `XML`).
pub const COMMON_PARAMS: [&str; 10] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "SecurityToken",
    "Signature",
];

/// `Method&%2F&percentEncode(canonical_query(params))`. `params` is the whole signed set
/// (query and form parameters together, without `Signature`); the method is used as given.
pub fn string_to_sign(method: &str, params: &[(String, String)]) -> String {
    let mut s = String::with_capacity(method.len() + 64);
    s.push_str(method);
    s.push_str("&%2F&");
    s.push_str(&percent_encode(&canonical_query(params)));
    s
}

/// `Base64(HMAC-SHA1(secret + "&", string_to_sign(method, params)))`.
pub fn signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    let key = rpc_key(secret);
    hmac_sha1_base64(&key, string_to_sign(method, params).as_bytes())
}

/// Base64 of HMAC-SHA1 with `key` used exactly as given (no `&` appended).
pub fn hmac_sha1_base64(key: &[u8], msg: &[u8]) -> String {
    BASE64.encode(hmac_sha1(key, msg))
}

pub(crate) fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha1::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// Checks `provided` (raw signature bytes) against the HMAC in constant time.
pub(crate) fn verify_mac(secret: &str, string_to_sign: &str, provided: &[u8]) -> bool {
    let key = rpc_key(secret);
    let mut mac = HmacSha1::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(provided).is_ok()
}

fn rpc_key(secret: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(secret.len() + 1);
    key.extend_from_slice(secret.as_bytes());
    key.push(b'&');
    key
}

/// Adds the common parameters and the signature to `params`, giving the complete parameter
/// list to send as a query string or as a form body (with the same `method` that was signed).
///
/// The result holds `params` (in order, minus any entry named in [`COMMON_PARAMS`] other than
/// `Format`), then `Action`, `Version`, `Format=JSON` (unless `params` has a `Format`),
/// `AccessKeyId`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce`,
/// `Timestamp`, `SecurityToken` (only when given) and finally `Signature`.
///
/// `timestamp` should be [`super::timestamp::format`] of the current time and `nonce` a fresh
/// random value (a UUID) for every request, retries included. The returned list contains the
/// security token: do not log it.
#[allow(clippy::too_many_arguments)]
pub fn sign_params(
    method: &str,
    action: &str,
    version: &str,
    params: &[(String, String)],
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    timestamp: &str,
    nonce: &str,
) -> Vec<(String, String)> {
    let has_format = params.iter().any(|(k, _)| k == "Format");
    let mut out: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k == "Format" || !COMMON_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect();
    let mut push = |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()));
    push("Action", action);
    push("Version", version);
    if !has_format {
        push("Format", "JSON");
    }
    push("AccessKeyId", access_key_id);
    push("SignatureMethod", SIGNATURE_METHOD);
    push("SignatureVersion", SIGNATURE_VERSION);
    push("SignatureNonce", nonce);
    push("Timestamp", timestamp);
    if let Some(token) = security_token {
        push("SecurityToken", token);
    }
    let sig = signature(method, &out, secret);
    out.push(("Signature".to_owned(), sig));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn get<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// R1: the current official doc example (rpc-mechanism, "Fixed parameter values").
    fn r1_params() -> Vec<(String, String)> {
        pairs(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeDedicatedHosts"),
            ("Version", "2014-05-26"),
            ("Format", "JSON"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb"),
            ("Timestamp", "2023-03-13T08:34:30Z"),
            ("RegionId", "cn-beijing"),
        ])
    }

    #[test]
    fn r1_doc_example_get() {
        let p = r1_params();
        assert_eq!(
            canonical_query(&p),
            "AccessKeyId=testid&Action=DescribeDedicatedHosts&Format=JSON&RegionId=cn-beijing&SignatureMethod=HMAC-SHA1&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb&SignatureVersion=1.0&Timestamp=2023-03-13T08%3A34%3A30Z&Version=2014-05-26"
        );
        assert_eq!(
            string_to_sign("GET", &p),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26"
        );
        assert_eq!(signature("GET", &p, "testsecret"), "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
    }

    #[test]
    fn r1_doc_example_post_variant() {
        assert_eq!(signature("POST", &r1_params(), "testsecret"), "ZvQ9xGiFnquSJRvj+WE6kdSpTwU=");
    }

    #[test]
    fn r1_through_sign_params() {
        let out = sign_params(
            "GET",
            "DescribeDedicatedHosts",
            "2014-05-26",
            &pairs(&[("RegionId", "cn-beijing")]),
            "testid",
            "testsecret",
            None,
            "2023-03-13T08:34:30Z",
            "edb2b34af0af9a6d14deaf7c1a5315eb",
        );
        assert_eq!(get(&out, "Signature"), ["9NaGiOspFP5UPcwX8Iwt2YJXXuk="]);
        assert_eq!(get(&out, "Format"), ["JSON"]);
        assert_eq!(get(&out, "SecurityToken"), Vec::<&str>::new());
        assert_eq!(out.len(), 10);
        // Sent as a query string, it encodes to the doc's final URL parameters.
        let qs = canonical_query(&out);
        assert!(qs.contains("Signature=9NaGiOspFP5UPcwX8Iwt2YJXXuk%3D"), "{qs}");
    }

    /// R2: classic ECS DescribeRegions example (Format=XML, via the caller's override).
    #[test]
    fn r2_classic_describe_regions() {
        let p = pairs(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("Version", "2014-05-26"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
        ]);
        assert_eq!(
            string_to_sign("GET", &p),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(signature("GET", &p, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");

        let out = sign_params(
            "GET",
            "DescribeRegions",
            "2014-05-26",
            &pairs(&[("Format", "XML")]),
            "testid",
            "testsecret",
            None,
            "2016-02-23T12:46:24Z",
            "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        );
        assert_eq!(get(&out, "Format"), ["XML"]);
        assert_eq!(get(&out, "Signature"), ["OLeaidS1JvxuMvnyHOwuJ+uX5qY="]);
    }

    /// R2 caution: the old doc's `TimeStamp` spelling gives the doc's printed value.
    #[test]
    fn r2_old_timestamp_spelling() {
        let p = pairs(&[
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("Version", "2014-05-26"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("TimeStamp", "2016-02-23T12:46:24Z"),
        ]);
        assert_eq!(signature("GET", &p, "testsecret"), "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
    }

    /// R3: darabonba-openapi-util `test_get_rpc_signature` (Python and Java).
    #[test]
    fn r3_openapi_util() {
        let p = pairs(&[("query", "test"), ("body", "test")]);
        assert_eq!(string_to_sign("GET", &p), "GET&%2F&body%3Dtest%26query%3Dtest");
        assert_eq!(signature("GET", &p, "secret"), "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
    }

    /// R4: darabonba-openapi-util Go `Test_GetRPCSignature` (empty method).
    #[test]
    fn r4_openapi_util_go_empty_method() {
        let p = pairs(&[("test", "ok")]);
        assert_eq!(string_to_sign("", &p), "&%2F&test%3Dok");
        assert_eq!(signature("", &p, "accessKeySecret"), "jHx/oHoHNrbVfhncHEvPdHXZwHU=");
    }

    fn r5_extra() -> Vec<(String, String)> {
        pairs(&[("SignatureType", ""), ("RegionId", "regionId")])
    }

    /// R5: alibaba-cloud-sdk-go `TestRpcSignatureComposer`, AccessKey credential.
    #[test]
    fn r5_sdk_go_access_key() {
        let out = sign_params(
            "GET",
            "",
            "",
            &r5_extra(),
            "accessKeyId",
            "accessKeySecret",
            None,
            "mock date",
            "MOCK_UUID",
        );
        let signed: Vec<_> = out.iter().filter(|(k, _)| k != "Signature").cloned().collect();
        assert_eq!(
            string_to_sign("GET", &signed),
            "GET&%2F&AccessKeyId%3DaccessKeyId%26Action%3D%26Format%3DJSON%26RegionId%3DregionId%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3DMOCK_UUID%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3Dmock%2520date%26Version%3D"
        );
        assert_eq!(get(&out, "Signature"), ["7loPmFjvDnzOVnQeQNj85S6nFGY="]);
    }

    /// R6: the same with an STS token (`SecurityToken` is signed).
    #[test]
    fn r6_sdk_go_sts_token() {
        let out = sign_params(
            "GET",
            "",
            "",
            &r5_extra(),
            "accessKeyId",
            "accessKeySecret",
            Some("accessKeyStsToken"),
            "mock date",
            "MOCK_UUID",
        );
        let signed: Vec<_> = out.iter().filter(|(k, _)| k != "Signature").cloned().collect();
        assert_eq!(
            string_to_sign("GET", &signed),
            "GET&%2F&AccessKeyId%3DaccessKeyId%26Action%3D%26Format%3DJSON%26RegionId%3DregionId%26SecurityToken%3DaccessKeyStsToken%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3DMOCK_UUID%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3Dmock%2520date%26Version%3D"
        );
        assert_eq!(get(&out, "SecurityToken"), ["accessKeyStsToken"]);
        assert_eq!(get(&out, "Signature"), ["5Nxdcler+ihqWqv0Hr2On4PsBf4="]);
    }

    /// Raw HMAC-SHA1 primitives (Python core `test_sha_hmac1.py`, Go `signer_access_key_test.go`).
    #[test]
    fn raw_hmac_sha1_vectors() {
        assert_eq!(hmac_sha1_base64(b"secret", b"source"), "Jv4yi8SobFhg5t1C7nWLbhBSFZQ=");
        assert_eq!(hmac_sha1_base64(b"secret", "中文unicode".as_bytes()), "szlfHs3WVaO/HgY3Cg7/uyXDaRw=");
        assert_eq!(
            hmac_sha1_base64(b"accessKeySecretsuffix", b"string to sign"),
            "Dqy7QZhP4TyQUDa3SBSFXopJaIo="
        );
    }

    #[test]
    fn sign_params_drops_callers_reserved_names() {
        let out = sign_params(
            "POST",
            "A",
            "V",
            &pairs(&[
                ("Signature", "forged"),
                ("AccessKeyId", "other"),
                ("SecurityToken", "x"),
                ("Keep", "1"),
            ]),
            "ak",
            "sk",
            None,
            "2024-01-01T00:00:00Z",
            "n",
        );
        assert_eq!(get(&out, "AccessKeyId"), ["ak"]);
        assert_eq!(get(&out, "SecurityToken"), Vec::<&str>::new());
        assert_eq!(get(&out, "Keep"), ["1"]);
        assert_eq!(get(&out, "Signature").len(), 1);
        assert_ne!(get(&out, "Signature"), ["forged"]);
        assert_eq!(out.last().map(|(k, _)| k.as_str()), Some("Signature"));
    }
}
