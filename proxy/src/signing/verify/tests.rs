//! Round trips and every `VerifyError` branch.

use chrono::TimeZone;

use super::super::{rpc, timestamp, v3};
use super::*;

const PLAIN_AK: &str = "LTAI5plainKeyId";
const PLAIN_SECRET: &str = "plain-secret-value";
const STS_AK: &str = "STS.NUstsKeyId";
const STS_SECRET: &str = "sts-secret-value";
const STS_TOKEN: &str = "sts-token-value";
const NEITHER: &str = "neither an ACS3 Authorization header nor a Signature parameter";
const TWICE: &str = "a signature parameter is given more than once";
/// Never allowed in an error's Display or Debug output.
const SENSITIVE: [&str; 4] = [PLAIN_SECRET, STS_SECRET, STS_TOKEN, "p@ss"];

fn lookup(ak: &str) -> Option<KeyEntry> {
    match ak {
        PLAIN_AK => Some(KeyEntry { secret: PLAIN_SECRET.to_owned(), security_token: None }),
        STS_AK => {
            Some(KeyEntry { secret: STS_SECRET.to_owned(), security_token: Some(STS_TOKEN.to_owned()) })
        }
        _ => None,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
}

fn date_at(offset_secs: i64) -> String {
    timestamp::format(now() + TimeDelta::seconds(offset_secs))
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// An owned request, so tests can tamper with it.
#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn incoming(&self) -> IncomingRequest<'_> {
        IncomingRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            form: &self.form,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn verify(&self) -> Result<Verified, VerifyError> {
        verify(&self.incoming(), &lookup, now())
    }

    fn verify_at(&self, at: DateTime<Utc>) -> Result<Verified, VerifyError> {
        verify(&self.incoming(), &lookup, at)
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.remove_header(name);
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// Replaces the value of every parameter `name` in query and form.
    fn set_param(&mut self, name: &str, value: &str) {
        for (k, v) in self.query.iter_mut().chain(self.form.iter_mut()) {
            if k == name {
                *v = value.to_owned();
            }
        }
    }

    fn remove_param(&mut self, name: &str) {
        self.query.retain(|(k, _)| k != name);
        self.form.retain(|(k, _)| k != name);
    }

    fn param(&self, name: &str) -> String {
        self.query
            .iter()
            .chain(self.form.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Asserts the error code, and that the error leaks nothing sensitive.
#[track_caller]
fn assert_code(result: Result<Verified, VerifyError>, code: &str) -> VerifyError {
    let err = match result {
        Ok(v) => panic!("expected {code}, got Ok({v:?})"),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "{err}");
    for shown in [err.to_string(), format!("{err:?}")] {
        for s in SENSITIVE {
            assert!(!shown.contains(s), "{shown:?} leaks {s:?}");
        }
    }
    err
}

// ---------------------------------------------------------------------------------------------
// V3 fixtures

fn v3_query() -> Vec<(String, String)> {
    pairs(&[("DBInstanceName", "pgm-bp102g323jd4****"), ("PageNumber", "1"), ("PageSize", "30")])
}

fn v3_req(ak: &str, secret: &str, token: Option<&str>, date: &str) -> Req {
    let query = v3_query();
    let form = pairs(&[("TaskName", "t 1"), ("SourcePassword", "p@ss")]);
    let body = b"TaskName=t%201&SourcePassword=p%40ss".to_vec();
    let extra = pairs(&[("content-type", "application/x-www-form-urlencoded")]);
    let signed = v3::sign(&v3::SignRequest {
        method: "POST",
        host: "rds.aliyuncs.com",
        path: "/",
        query: &query,
        headers: &extra,
        body: &body,
        action: "DescribeCloudMigrationResult",
        version: "2014-08-15",
        date,
        nonce: "3156853299f313e23d1673dc12e1703d",
        access_key_id: ak,
        access_key_secret: secret,
        security_token: token,
    });
    Req { method: "POST".to_owned(), path: "/".to_owned(), query, form, headers: signed.headers, body }
}

fn v3_plain() -> Req {
    v3_req(PLAIN_AK, PLAIN_SECRET, None, &date_at(0))
}

fn v3_sts() -> Req {
    v3_req(STS_AK, STS_SECRET, Some(STS_TOKEN), &date_at(0))
}

/// Re-signs `r`'s current headers with `authorization()` (all of them signed, like the Python
/// SDK) and sets the Authorization header.
fn v3_resign_all_headers(r: &mut Req, ak: &str, secret: &str) {
    r.remove_header("authorization");
    let auth =
        v3::authorization(&r.method, &r.path, &r.query, &r.headers, &v3::hash_payload(&r.body), ak, secret);
    r.headers.push(("Authorization".to_owned(), auth));
}

// ---------------------------------------------------------------------------------------------
// RPC fixtures

fn rpc_req(method: &str, ak: &str, secret: &str, token: Option<&str>, ts: &str, split: bool) -> Req {
    let business = pairs(&[
        ("DBInstanceName", "pgm-bp102g323jd4****"),
        ("SourcePassword", "p@ss w*rd"),
        ("PageSize", "30"),
    ]);
    let all = rpc::sign_params(
        method,
        "DescribeCloudMigrationResult",
        "2014-08-15",
        &business,
        ak,
        secret,
        token,
        ts,
        "edb2b34af0af9a6d14deaf7c1a5315eb",
    );
    let (form, query) = if split {
        // Business parameters in a form body, the common ones in the query (as STS AssumeRole).
        let (f, q): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|(k, _)| business.iter().any(|(b, _)| b == k));
        (f, q)
    } else {
        (Vec::new(), all)
    };
    Req {
        method: method.to_owned(),
        path: "/".to_owned(),
        query,
        form,
        headers: pairs(&[("host", "rds.aliyuncs.com")]),
        body: Vec::new(),
    }
}

fn rpc_plain() -> Req {
    rpc_req("GET", PLAIN_AK, PLAIN_SECRET, None, &date_at(0), false)
}

fn rpc_sts() -> Req {
    rpc_req("GET", STS_AK, STS_SECRET, Some(STS_TOKEN), &date_at(0), false)
}

/// Re-signs `r`'s parameters (after a test changed a signature parameter) with `secret`.
fn rpc_resign(r: &mut Req, secret: &str) {
    r.remove_param("Signature");
    let params: Vec<_> = r.query.iter().chain(r.form.iter()).cloned().collect();
    let sig = rpc::signature(&r.method, &params, secret);
    r.query.push(("Signature".to_owned(), sig));
}

// =============================================================================================
// Round trips

#[test]
fn v3_round_trip_without_token() {
    let v = v3_plain().verify().unwrap();
    assert_eq!(
        v,
        Verified {
            access_key_id: PLAIN_AK.to_owned(),
            nonce: "3156853299f313e23d1673dc12e1703d".to_owned(),
            timestamp: now(),
            style: Style::V3,
            action: Some("DescribeCloudMigrationResult".to_owned()),
            version: Some("2014-08-15".to_owned()),
        }
    );
    assert_eq!(verify_v3(&v3_plain().incoming(), &lookup, now()), Ok(v));
}

#[test]
fn v3_round_trip_with_sts_token() {
    let r = v3_sts();
    assert_eq!(r.header("x-acs-security-token"), STS_TOKEN);
    assert_eq!(r.header("x-acs-accesskey-id"), STS_AK);
    let v = r.verify().unwrap();
    assert_eq!(v.access_key_id, STS_AK);
    assert_eq!(v.style, Style::V3);
}

#[test]
fn v3_header_names_in_any_case_and_any_order() {
    let mut r = v3_plain();
    for (k, _) in r.headers.iter_mut() {
        *k = k.to_ascii_uppercase();
    }
    r.headers.reverse();
    r.headers.push(("Accept-Encoding".to_owned(), "gzip".to_owned())); // unsigned, not x-acs-*
    assert!(r.verify().is_ok());
}

#[test]
fn v3_python_sdk_style_signs_every_header() {
    let mut r = v3_plain();
    r.headers.push(("accept".to_owned(), "application/json".to_owned()));
    r.headers.push(("user-agent".to_owned(), "AlibabaCloud (Linux) Python/3.12".to_owned()));
    v3_resign_all_headers(&mut r, PLAIN_AK, PLAIN_SECRET);
    assert!(r
        .header("authorization")
        .contains("SignedHeaders=accept;content-type;host;user-agent;x-acs-action;"));
    assert!(r.verify().is_ok());
    // ...and then a change to a signed non-x-acs header is detected.
    r.set_header("user-agent", "curl/8");
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn v3_minimal_node_style_without_content_type() {
    let mut r = v3_plain();
    r.remove_header("content-type");
    v3_resign_all_headers(&mut r, PLAIN_AK, PLAIN_SECRET);
    assert!(r.verify().is_ok());
}

#[test]
fn v3_repeated_signed_header_is_merged() {
    let mut r = v3_plain();
    r.headers.push(("x-acs-test".to_owned(), "https".to_owned()));
    r.headers.push(("X-ACS-TEST".to_owned(), "http".to_owned()));
    v3_resign_all_headers(&mut r, PLAIN_AK, PLAIN_SECRET);
    assert!(r.verify().is_ok());
}

#[test]
fn v3_doc_vector_v1_verifies() {
    let query = pairs(&[
        ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
        ("RegionId", "cn-shanghai"),
    ]);
    let signed = v3::sign(&v3::SignRequest {
        method: "POST",
        host: "ecs.cn-shanghai.aliyuncs.com",
        path: "/",
        query: &query,
        headers: &[],
        body: b"",
        action: "RunInstances",
        version: "2014-05-26",
        date: "2023-10-26T10:22:32Z",
        nonce: "3156853299f313e23d1673dc12e1703d",
        access_key_id: "YourAccessKeyId",
        access_key_secret: "YourAccessKeySecret",
        security_token: None,
    });
    let req = IncomingRequest {
        method: "POST",
        path: "/",
        query: &query,
        form: &[],
        headers: &signed.headers,
        body: b"",
    };
    let keys = |ak: &str| {
        (ak == "YourAccessKeyId")
            .then(|| KeyEntry { secret: "YourAccessKeySecret".to_owned(), security_token: None })
    };
    let at = Utc.with_ymd_and_hms(2023, 10, 26, 10, 22, 32).unwrap();
    let v = verify(&req, &keys, at).unwrap();
    assert_eq!(v.action.as_deref(), Some("RunInstances"));
}

#[test]
fn rpc_round_trip_get_without_token() {
    let v = rpc_plain().verify().unwrap();
    assert_eq!(
        v,
        Verified {
            access_key_id: PLAIN_AK.to_owned(),
            nonce: "edb2b34af0af9a6d14deaf7c1a5315eb".to_owned(),
            timestamp: now(),
            style: Style::Rpc,
            action: Some("DescribeCloudMigrationResult".to_owned()),
            version: Some("2014-08-15".to_owned()),
        }
    );
    assert_eq!(verify_rpc(&rpc_plain().incoming(), &lookup, now()), Ok(v));
}

#[test]
fn rpc_round_trip_with_sts_token() {
    let r = rpc_sts();
    assert_eq!(r.param("SecurityToken"), STS_TOKEN);
    let v = r.verify().unwrap();
    assert_eq!(v.access_key_id, STS_AK);
    assert_eq!(v.style, Style::Rpc);
}

#[test]
fn rpc_round_trip_post_with_form_body() {
    let r = rpc_req("POST", STS_AK, STS_SECRET, Some(STS_TOKEN), &date_at(0), true);
    assert!(!r.form.is_empty() && !r.query.is_empty());
    assert!(r.verify().is_ok());
    let r = rpc_req("POST", PLAIN_AK, PLAIN_SECRET, None, &date_at(0), true);
    assert!(r.verify().is_ok());
}

#[test]
fn rpc_doc_vector_r1_verifies() {
    // The parameters of R1's final URL.
    let query = pairs(&[
        ("AccessKeyId", "testid"),
        ("Action", "DescribeDedicatedHosts"),
        ("Format", "JSON"),
        ("Signature", "9NaGiOspFP5UPcwX8Iwt2YJXXuk="),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2023-03-13T08:34:30Z"),
        ("Version", "2014-05-26"),
        ("RegionId", "cn-beijing"),
    ]);
    let keys = |ak: &str| {
        (ak == "testid").then(|| KeyEntry { secret: "testsecret".to_owned(), security_token: None })
    };
    let at = Utc.with_ymd_and_hms(2023, 3, 13, 8, 40, 0).unwrap();
    let req =
        |method| IncomingRequest { method, path: "/", query: &query, form: &[], headers: &[], body: b"" };
    let v = verify(&req("GET"), &keys, at).unwrap();
    assert_eq!(v.action.as_deref(), Some("DescribeDedicatedHosts"));
    // The method is signed: the same parameters sent with POST do not verify.
    assert_code(verify(&req("POST"), &keys, at), "SignatureDoesNotMatch");
}

// =============================================================================================
// V3 error branches

#[test]
fn v3_tampered_query_value_or_added_param() {
    let mut r = v3_plain();
    r.query[0].1.push('X');
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.query.push(("Extra".to_owned(), "1".to_owned()));
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.query.pop();
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn v3_tampered_method_path_or_signed_header() {
    let mut r = v3_plain();
    r.method = "GET".to_owned();
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.path = "/other".to_owned();
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.set_header("x-acs-action", "CreateCloudMigrationTask");
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.set_header("host", "evil.example.com");
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.set_header("x-acs-signature-nonce", "another-nonce");
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = v3_plain();
    r.set_header("x-acs-date", &date_at(1));
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn v3_tampered_body() {
    // Body changed, hash header left alone: the content hash check catches it.
    let mut r = v3_plain();
    r.body.push(b'x');
    let e = assert_code(r.verify(), "SignatureDoesNotMatch");
    assert_eq!(e.detail(), Some("x-acs-content-sha256 does not match the body"));
    // Body changed and the hash header recomputed: the signature catches it.
    let mut r = v3_plain();
    r.body.push(b'x');
    let h = v3::hash_payload(&r.body);
    r.set_header("x-acs-content-sha256", &h);
    let e = assert_code(r.verify(), "SignatureDoesNotMatch");
    assert_eq!(e.detail(), Some("signature"));
}

#[test]
fn v3_wrong_secret() {
    let r = v3_req(PLAIN_AK, "not-the-secret", None, &date_at(0));
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn v3_unknown_access_key() {
    let r = v3_req("LTAI-unknown", PLAIN_SECRET, None, &date_at(0));
    let e = assert_code(r.verify(), "InvalidAccessKeyId.NotFound");
    assert_eq!(e.http_status(), 404);
}

#[test]
fn v3_expired_and_future_timestamps() {
    assert_code(v3_req(PLAIN_AK, PLAIN_SECRET, None, &date_at(-901)).verify(), "InvalidTimeStamp.Expired");
    assert_code(v3_req(PLAIN_AK, PLAIN_SECRET, None, &date_at(901)).verify(), "InvalidTimeStamp.Expired");
    assert!(v3_req(PLAIN_AK, PLAIN_SECRET, None, &date_at(-900)).verify().is_ok());
    assert!(v3_req(PLAIN_AK, PLAIN_SECRET, None, &date_at(900)).verify().is_ok());
    // Same request, judged at different times.
    let r = v3_plain();
    assert_code(r.verify_at(now() + TimeDelta::minutes(16)), "InvalidTimeStamp.Expired");
    assert_code(r.verify_at(now() - TimeDelta::minutes(16)), "InvalidTimeStamp.Expired");
}

#[test]
fn v3_malformed_timestamp() {
    for bad in ["2024-05-01 12:00:00", "2024-05-01T12:00:00.000Z", "Wed, 01 May 2024 12:00:00 GMT", "x"] {
        let r = v3_req(PLAIN_AK, PLAIN_SECRET, None, bad);
        assert_code(r.verify(), "InvalidTimeStamp.Format");
    }
}

#[test]
fn v3_missing_or_repeated_authorization() {
    let mut r = v3_plain();
    r.remove_header("authorization");
    // No Authorization and no Signature parameter: verify() cannot pick a scheme.
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some(NEITHER));
    let e = assert_code(verify_v3(&r.incoming(), &lookup, now()), "IncompleteSignature");
    assert_eq!(e.detail(), Some("the Authorization header is missing"));

    let mut r = v3_plain();
    let auth = r.header("authorization");
    r.headers.push(("authorization".to_owned(), auth));
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("the Authorization header is repeated"));
}

#[test]
fn v3_malformed_authorization() {
    let good = v3_plain().header("authorization");
    let sig = good.rsplit("Signature=").next().unwrap().to_owned();
    let sh =
        "content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";
    let cases = [
        "ACS3-HMAC-SHA256".to_owned(),
        "ACS3-HMAC-SHA256 ".to_owned(),
        format!("ACS3-HMAC-SHA256 SignedHeaders={sh},Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential=,SignedHeaders={sh},Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders=,Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders={sh}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders={sh},Signature="),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders={sh},Signature={sig},Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders={sh},Signature={sig},Extra=1"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK};SignedHeaders={sh};Signature={sig}"),
        // SignedHeaders not lowercase / not sorted / repeated / with an empty name.
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders={},Signature={sig}", sh.replace("host", "Host")),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders=host;content-type;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders=content-type;host;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={sig}"),
        format!("ACS3-HMAC-SHA256 Credential={PLAIN_AK},SignedHeaders=;{sh},Signature={sig}"),
    ];
    for bad in cases {
        let mut r = v3_plain();
        r.set_header("Authorization", &bad);
        assert_code(r.verify(), "IncompleteSignature");
    }
}

#[test]
fn v3_signature_that_is_not_lowercase_hex() {
    let good = v3_plain().header("authorization");
    let (head, sig) = good.rsplit_once("Signature=").unwrap();
    for bad_sig in [sig.to_ascii_uppercase(), sig[..62].to_owned(), format!("{sig}00"), "zz".repeat(32)] {
        let mut r = v3_plain();
        r.set_header("Authorization", &format!("{head}Signature={bad_sig}"));
        assert_code(r.verify(), "SignatureDoesNotMatch");
    }
}

#[test]
fn v3_other_algorithm() {
    let mut r = v3_plain();
    let auth = r.header("authorization").replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3");
    r.set_header("Authorization", &auth);
    assert_code(r.verify(), "InvalidSignatureMethod");
    let auth = auth.replace("ACS3-HMAC-SM3", "ACS3-RSA-SHA256");
    r.set_header("Authorization", &auth);
    assert_code(r.verify(), "InvalidSignatureMethod");
    // Not ACS3 at all, called directly.
    r.set_header("Authorization", "Bearer abc");
    assert_code(verify_v3(&r.incoming(), &lookup, now()), "IncompleteSignature");
}

#[test]
fn v3_missing_required_headers() {
    for name in ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"] {
        let missing = format!("the {name} header is missing");
        let mut r = v3_plain();
        r.remove_header(name);
        let e = assert_code(r.verify(), "IncompleteSignature");
        assert_eq!(e.detail(), Some(missing.as_str()));
        // Present but empty counts as missing.
        let mut r = v3_plain();
        r.set_header(name, "  ");
        let e = assert_code(r.verify(), "IncompleteSignature");
        assert_eq!(e.detail(), Some(missing.as_str()));
    }
}

#[test]
fn v3_missing_action_and_version_are_left_to_the_caller() {
    let mut r = v3_plain();
    r.remove_header("x-acs-action");
    r.remove_header("x-acs-version");
    v3_resign_all_headers(&mut r, PLAIN_AK, PLAIN_SECRET);
    let v = r.verify().unwrap();
    assert_eq!((v.action, v.version), (None, None));
}

#[test]
fn v3_repeated_x_acs_headers() {
    for name in [
        "host",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
        "x-acs-action",
        "x-acs-version",
    ] {
        let mut r = v3_plain();
        let v = r.header(name);
        r.headers.push((name.to_ascii_uppercase(), v));
        let e = assert_code(r.verify(), "IncompleteSignature");
        assert_eq!(e.detail(), Some(format!("the {name} header is repeated").as_str()));
    }
    let mut r = v3_sts();
    r.headers.push(("X-Acs-Security-Token".to_owned(), STS_TOKEN.to_owned()));
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("the x-acs-security-token header is repeated"));
}

#[test]
fn v3_unsigned_x_acs_header_or_unsigned_host() {
    let mut r = v3_plain();
    r.headers.push(("x-acs-extra".to_owned(), "1".to_owned()));
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("host and every x-acs-* header must be signed"));

    // Signed without host: build the Authorization over everything but host.
    let mut r = v3_plain();
    r.remove_header("authorization");
    let without_host: Vec<_> = r.headers.iter().filter(|(k, _)| k != "host").cloned().collect();
    let auth = v3::authorization(
        &r.method,
        &r.path,
        &r.query,
        &without_host,
        &v3::hash_payload(&r.body),
        PLAIN_AK,
        PLAIN_SECRET,
    );
    r.headers.push(("Authorization".to_owned(), auth));
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("host and every x-acs-* header must be signed"));
}

#[test]
fn v3_signed_header_missing_from_request() {
    let mut r = v3_plain();
    r.remove_header("content-type");
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("a header named in SignedHeaders is missing"));
}

#[test]
fn v3_authorization_named_in_signed_headers() {
    let mut r = v3_plain();
    let auth = r.header("authorization").replace("SignedHeaders=", "SignedHeaders=authorization;");
    r.set_header("Authorization", &auth);
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("SignedHeaders names the Authorization header"));
}

#[test]
fn v3_accesskey_id_header_must_match_credential() {
    let mut r = v3_sts();
    r.set_header("x-acs-accesskey-id", PLAIN_AK);
    v3_resign_all_headers(&mut r, STS_AK, STS_SECRET);
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(
        e.detail(),
        Some("x-acs-accesskey-id differs from the Credential of the Authorization header")
    );
}

#[test]
fn v3_security_token_branches() {
    // Wrong token, correctly signed.
    let r = v3_req(STS_AK, STS_SECRET, Some("another-token"), &date_at(0));
    let e = assert_code(r.verify(), "InvalidSecurityToken.MismatchWithAccessKey");
    assert_eq!(e.http_status(), 400);
    // STS key, no token.
    let r = v3_req(STS_AK, STS_SECRET, None, &date_at(0));
    assert_code(r.verify(), "InvalidSecurityToken.Malformed");
    // Long-term key, but a token is sent.
    let r = v3_req(PLAIN_AK, PLAIN_SECRET, Some(STS_TOKEN), &date_at(0));
    assert_code(r.verify(), "InvalidSecurityToken.MismatchWithAccessKey");
    // Token swapped after signing: the signature breaks first.
    let mut r = v3_sts();
    r.set_header("x-acs-security-token", "another-token");
    assert_code(r.verify(), "SignatureDoesNotMatch");
    // Token header removed after signing: it is named in SignedHeaders but missing.
    let mut r = v3_sts();
    r.remove_header("x-acs-security-token");
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("a header named in SignedHeaders is missing"));
}

// =============================================================================================
// RPC error branches

#[test]
fn rpc_tampered_param() {
    for name in ["DBInstanceName", "SourcePassword", "Action", "Version", "Format"] {
        let mut r = rpc_plain();
        let v = r.param(name) + "x";
        r.set_param(name, &v);
        assert_code(r.verify(), "SignatureDoesNotMatch");
    }
    let mut r = rpc_plain();
    r.query.push(("Extra".to_owned(), String::new()));
    assert_code(r.verify(), "SignatureDoesNotMatch");
    let mut r = rpc_plain();
    r.remove_param("PageSize");
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn rpc_tampered_form_param_or_moved_params() {
    let mut r = rpc_req("POST", PLAIN_AK, PLAIN_SECRET, None, &date_at(0), true);
    r.form[0].1.push('x');
    assert_code(r.verify(), "SignatureDoesNotMatch");
    // Moving a parameter between query and form does not change what is signed.
    let mut r = rpc_req("POST", PLAIN_AK, PLAIN_SECRET, None, &date_at(0), true);
    let p = r.form.remove(0);
    r.query.push(p);
    assert!(r.verify().is_ok());
}

#[test]
fn rpc_method_is_signed() {
    let mut r = rpc_plain();
    r.method = "POST".to_owned();
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn rpc_wrong_secret() {
    let r = rpc_req("GET", PLAIN_AK, "not-the-secret", None, &date_at(0), false);
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

#[test]
fn rpc_signature_not_base64() {
    for bad in ["!!!", "9NaGiOspFP5UPcwX8Iwt2YJXXuk", "AAAA", "9NaGiOspFP5UPcwX8Iwt2YJXXuk= "] {
        let mut r = rpc_plain();
        r.set_param("Signature", bad);
        assert_code(r.verify(), "SignatureDoesNotMatch");
    }
}

#[test]
fn rpc_unknown_access_key() {
    let r = rpc_req("GET", "LTAI-unknown", PLAIN_SECRET, None, &date_at(0), false);
    let e = assert_code(r.verify(), "InvalidAccessKeyId.NotFound");
    assert_eq!(e.http_status(), 404);
}

#[test]
fn rpc_expired_and_future_timestamps() {
    let at = |s| rpc_req("GET", PLAIN_AK, PLAIN_SECRET, None, &date_at(s), false);
    assert_code(at(-901).verify(), "InvalidTimeStamp.Expired");
    assert_code(at(901).verify(), "InvalidTimeStamp.Expired");
    assert!(at(-900).verify().is_ok());
    assert!(at(900).verify().is_ok());
}

#[test]
fn rpc_malformed_timestamp() {
    for bad in ["mock date", "2024-05-01T12:00:00", "2024-05-01T12:00:00+08:00"] {
        let r = rpc_req("GET", PLAIN_AK, PLAIN_SECRET, None, bad, false);
        assert_code(r.verify(), "InvalidTimeStamp.Format");
    }
}

#[test]
fn rpc_missing_parameters() {
    let cases = [
        ("Timestamp", "IllegalTimestamp"),
        ("SignatureNonce", "MissingSignatureNonce"),
        ("AccessKeyId", "MissingAccessKeyId"),
        ("SignatureMethod", "IncompleteSignature"),
        ("SignatureVersion", "IncompleteSignature"),
    ];
    for (name, code) in cases {
        let detail = format!("the {name} parameter is missing");
        let detail = (code == "IncompleteSignature").then_some(detail.as_str());
        let mut r = rpc_plain();
        r.remove_param(name);
        rpc_resign(&mut r, PLAIN_SECRET);
        assert_eq!(assert_code(r.verify(), code).detail(), detail);
        // Empty counts as missing.
        let mut r = rpc_plain();
        r.set_param(name, "");
        rpc_resign(&mut r, PLAIN_SECRET);
        assert_eq!(assert_code(r.verify(), code).detail(), detail);
    }
}

#[test]
fn rpc_missing_signature() {
    let mut r = rpc_plain();
    r.remove_param("Signature");
    // verify() finds neither style...
    assert_eq!(assert_code(r.verify(), "IncompleteSignature").detail(), Some(NEITHER));
    // ...and verify_rpc() reports the missing Signature.
    let e = assert_code(verify_rpc(&r.incoming(), &lookup, now()), "IncompleteSignature");
    assert_eq!(e.detail(), Some("the Signature parameter is missing"));
    let mut r = rpc_plain();
    r.set_param("Signature", "");
    let e = assert_code(r.verify(), "IncompleteSignature");
    assert_eq!(e.detail(), Some("the Signature parameter is missing"));
}

#[test]
fn rpc_wrong_signature_method_or_version() {
    let mut r = rpc_plain();
    r.set_param("SignatureMethod", "HMAC-SHA256");
    rpc_resign(&mut r, PLAIN_SECRET);
    assert_code(r.verify(), "InvalidSignatureMethod");
    let mut r = rpc_plain();
    r.set_param("SignatureVersion", "2.0");
    rpc_resign(&mut r, PLAIN_SECRET);
    assert_code(r.verify(), "InvalidSignatureVersion");
}

#[test]
fn rpc_signature_parameter_given_twice() {
    // Signature in both the query and the form.
    let mut r = rpc_plain();
    let sig = r.param("Signature");
    r.form.push(("Signature".to_owned(), sig));
    assert_eq!(assert_code(r.verify(), "IncompleteSignature").detail(), Some(TWICE));
    // Every other signing parameter, given twice with the same value.
    for name in [
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "Timestamp",
        "AccessKeyId",
        "Action",
        "Version",
    ] {
        let mut r = rpc_plain();
        let v = r.param(name);
        r.query.push((name.to_owned(), v));
        assert_eq!(assert_code(r.verify(), "IncompleteSignature").detail(), Some(TWICE));
    }
    let mut r = rpc_sts();
    r.form.push(("SecurityToken".to_owned(), STS_TOKEN.to_owned()));
    assert_eq!(assert_code(r.verify(), "IncompleteSignature").detail(), Some(TWICE));
}

#[test]
fn rpc_security_token_branches() {
    let r = rpc_req("GET", STS_AK, STS_SECRET, Some("another-token"), &date_at(0), false);
    assert_code(r.verify(), "InvalidSecurityToken.MismatchWithAccessKey");
    let r = rpc_req("GET", STS_AK, STS_SECRET, None, &date_at(0), false);
    assert_code(r.verify(), "InvalidSecurityToken.Malformed");
    let r = rpc_req("GET", PLAIN_AK, PLAIN_SECRET, Some(STS_TOKEN), &date_at(0), false);
    assert_code(r.verify(), "InvalidSecurityToken.MismatchWithAccessKey");
    // Token changed after signing: the signature breaks first.
    let mut r = rpc_sts();
    r.set_param("SecurityToken", "another-token");
    assert_code(r.verify(), "SignatureDoesNotMatch");
}

// =============================================================================================
// Dispatch, error table, Debug

#[test]
fn verify_dispatch() {
    // An ACS3 Authorization wins over a Signature parameter.
    let mut r = v3_plain();
    r.query.push(("Signature".to_owned(), "x".to_owned()));
    v3_resign_all_headers(&mut r, PLAIN_AK, PLAIN_SECRET);
    assert_eq!(r.verify().unwrap().style, Style::V3);
    // A non-ACS3 Authorization header is ignored when a Signature parameter is present.
    let mut r = rpc_plain();
    r.headers.push(("Authorization".to_owned(), "Basic dXNlcjpwdw==".to_owned()));
    assert_eq!(r.verify().unwrap().style, Style::Rpc);
    // Neither.
    let mut r = rpc_plain();
    r.remove_param("Signature");
    r.headers.push(("Authorization".to_owned(), "Basic dXNlcjpwdw==".to_owned()));
    assert_eq!(assert_code(r.verify(), "IncompleteSignature").detail(), Some(NEITHER));
}

#[test]
fn error_codes_messages_and_statuses() {
    use VerifyError as E;
    let table = [
        (E::IncompleteSignature("d"), "IncompleteSignature", 400),
        (E::InvalidAccessKeyIdNotFound, "InvalidAccessKeyId.NotFound", 404),
        (E::SignatureDoesNotMatch("d"), "SignatureDoesNotMatch", 400),
        (E::InvalidTimeStampExpired, "InvalidTimeStamp.Expired", 400),
        (E::InvalidTimeStampFormat, "InvalidTimeStamp.Format", 400),
        (E::IllegalTimestamp, "IllegalTimestamp", 400),
        (E::MissingAccessKeyId, "MissingAccessKeyId", 400),
        (E::MissingSignatureNonce, "MissingSignatureNonce", 400),
        (E::InvalidSignatureMethod, "InvalidSignatureMethod", 400),
        (E::InvalidSignatureVersion, "InvalidSignatureVersion", 400),
        (E::InvalidSecurityTokenMalformed, "InvalidSecurityToken.Malformed", 400),
        (E::InvalidSecurityTokenMismatch, "InvalidSecurityToken.MismatchWithAccessKey", 400),
    ];
    for (e, code, status) in table {
        assert_eq!(e.code(), code);
        assert_eq!(e.http_status(), status);
        assert!(e.message().ends_with('.'));
        assert!(e.to_string().starts_with(&format!("{code}: {}", e.message())));
    }
    assert_eq!(
        E::SignatureDoesNotMatch("x").message(),
        "Specified signature is not matched with our calculation."
    );
    assert_eq!(
        E::IncompleteSignature("x").message(),
        "The request signature does not conform to Aliyun standards."
    );
}

#[test]
fn debug_output_hides_secrets() {
    let k = lookup(STS_AK).unwrap();
    let dbg = format!("{k:?}");
    assert!(!dbg.contains(STS_SECRET) && !dbg.contains(STS_TOKEN), "{dbg}");
    let r = rpc_sts();
    let dbg = format!("{:?}", r.incoming());
    assert!(!dbg.contains(STS_TOKEN) && !dbg.contains("p@ss"), "{dbg}");
    let r = v3_sts();
    let dbg = format!("{:?}", r.incoming());
    assert!(!dbg.contains(STS_TOKEN) && !dbg.contains("p@ss"), "{dbg}");
}

#[test]
fn constant_time_compare_helper() {
    assert!(ct_eq("", ""));
    assert!(ct_eq("abc", "abc"));
    assert!(!ct_eq("abc", "abd"));
    assert!(!ct_eq("abc", "ab"));
    assert!(!ct_eq("", "a"));
}
