//! Property tests across signing and verification: verify(sign(x)) succeeds, any single
//! character change to a signed value fails, and verification never panics on garbage.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;

use super::verify::{verify, verify_rpc, verify_v3, IncomingRequest, KeyEntry, Style, VerifyError};
use super::{rpc, timestamp, v3};

const AK: &str = "LTAI5propKeyId";
const SECRET: &str = "prop-secret";
const TOKEN: &str = "CAIS+prop/token==";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
}

fn key_lookup(token: Option<&str>) -> impl Fn(&str) -> Option<KeyEntry> + '_ {
    move |ak| {
        (ak == AK).then(|| KeyEntry { secret: SECRET.to_owned(), security_token: token.map(str::to_owned) })
    }
}

/// Parameter names: realistic ones, arbitrary printable ones, and arbitrary Unicode.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9.]{0,10}",
        "[ -~]{0,8}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

/// Parameter values: printable ASCII (with `%`, `&`, `=`, `+`, space...) or arbitrary Unicode.
fn value() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{0,16}", any::<String>().prop_map(|s| s.chars().take(16).collect()),]
}

fn params(min: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((name(), value()), min..8)
}

/// Names `sign_params` would drop or set itself are left out, so the caller's list is sent intact.
fn rpc_params(min: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (name().prop_filter("reserved RPC name", |n| !rpc::COMMON_PARAMS.contains(&n.as_str())), value()),
        min..8,
    )
}

/// Extra V3 headers a client may choose to sign (Python signs accept, user-agent...).
fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            "(x-acs-)?[a-z][a-z0-9-]{0,10}".prop_filter("generated header name", |n| {
                ![
                    "host",
                    "authorization",
                    "x-acs-action",
                    "x-acs-version",
                    "x-acs-date",
                    "x-acs-signature-nonce",
                    "x-acs-content-sha256",
                    "x-acs-security-token",
                    "x-acs-accesskey-id",
                ]
                .contains(&n.as_str())
            }),
            "[ -~]{0,20}",
        ),
        0..4,
    )
}

/// `s` with exactly one character replaced (or one added, if `s` is empty).
fn change_one_char(s: &str, pos: Index, replacement: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return replacement.to_string();
    }
    let i = pos.index(chars.len());
    chars[i] = if chars[i] == replacement {
        if replacement == 'a' {
            'b'
        } else {
            'a'
        }
    } else {
        replacement
    };
    chars.into_iter().collect()
}

struct V3Case {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn v3_case(
    method: &str,
    query: Vec<(String, String)>,
    extra: &[(String, String)],
    body: Vec<u8>,
    token: Option<&str>,
) -> V3Case {
    let date = timestamp::format(now());
    let signed = v3::sign(&v3::SignRequest {
        method,
        host: "rds.aliyuncs.com",
        path: "/",
        query: &query,
        headers: extra,
        body: &body,
        action: "DescribeCloudMigrationResult",
        version: "2014-08-15",
        date: &date,
        nonce: "0f0e0d0c0b0a",
        access_key_id: AK,
        access_key_secret: SECRET,
        security_token: token,
    });
    V3Case { query, headers: signed.headers, body }
}

fn check_v3(method: &str, c: &V3Case, token: Option<&str>) -> Result<super::verify::Verified, VerifyError> {
    let req =
        IncomingRequest { method, path: "/", query: &c.query, form: &[], headers: &c.headers, body: &c.body };
    verify(&req, &key_lookup(token), now())
}

fn check_rpc(
    method: &str,
    all: &[(String, String)],
    split: Index,
    token: Option<&str>,
) -> Result<super::verify::Verified, VerifyError> {
    let (query, form) = all.split_at(split.index(all.len() + 1));
    let req = IncomingRequest { method, path: "/", query, form, headers: &[], body: b"" };
    verify(&req, &key_lookup(token), now())
}

fn method() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("GET"), Just("POST")]
}

fn token() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![Just(None), Just(Some(TOKEN))]
}

proptest! {
    #[test]
    fn v3_sign_then_verify_succeeds(
        method in method(),
        query in params(0),
        extra in extra_headers(),
        body in prop::collection::vec(any::<u8>(), 0..64),
        token in token(),
    ) {
        let c = v3_case(method, query, &extra, body, token);
        let v = check_v3(method, &c, token).unwrap();
        prop_assert_eq!(v.style, Style::V3);
        prop_assert_eq!(v.access_key_id, AK);
        prop_assert_eq!(v.timestamp, now());
    }

    #[test]
    fn v3_changing_one_char_of_a_query_value_fails(
        method in method(),
        query in params(1),
        body in prop::collection::vec(any::<u8>(), 0..16),
        token in token(),
        which in any::<Index>(),
        pos in any::<Index>(),
        replacement in any::<char>(),
    ) {
        let mut c = v3_case(method, query, &[], body, token);
        let i = which.index(c.query.len());
        c.query[i].1 = change_one_char(&c.query[i].1, pos, replacement);
        let err = check_v3(method, &c, token).unwrap_err();
        prop_assert_eq!(err.code(), "SignatureDoesNotMatch");
    }

    #[test]
    fn v3_changing_one_body_byte_fails(
        body in prop::collection::vec(any::<u8>(), 1..64),
        which in any::<Index>(),
        flip in 1u8..=255,
    ) {
        let mut c = v3_case("POST", Vec::new(), &[], body, None);
        let i = which.index(c.body.len());
        c.body[i] ^= flip;
        let err = check_v3("POST", &c, None).unwrap_err();
        prop_assert_eq!(err.code(), "SignatureDoesNotMatch");
    }

    #[test]
    fn rpc_sign_then_verify_succeeds(
        method in method(),
        params in rpc_params(0),
        token in token(),
        split in any::<Index>(),
    ) {
        let ts = timestamp::format(now());
        let all = rpc::sign_params(method, "DescribeCloudMigrationResult", "2014-08-15",
            &params, AK, SECRET, token, &ts, "0f0e0d0c0b0a");
        let v = check_rpc(method, &all, split, token).unwrap();
        prop_assert_eq!(v.style, Style::Rpc);
        prop_assert_eq!(v.access_key_id, AK);
        prop_assert_eq!(v.nonce, "0f0e0d0c0b0a");
    }

    #[test]
    fn rpc_changing_one_char_of_a_value_fails(
        method in method(),
        params in rpc_params(1),
        token in token(),
        split in any::<Index>(),
        which in any::<Index>(),
        pos in any::<Index>(),
        replacement in any::<char>(),
    ) {
        let ts = timestamp::format(now());
        let mut all = rpc::sign_params(method, "DescribeCloudMigrationResult", "2014-08-15",
            &params, AK, SECRET, token, &ts, "0f0e0d0c0b0a");
        // sign_params keeps the caller's parameters first, in order.
        let i = which.index(params.len());
        prop_assert_eq!(&all[i].0, &params[i].0);
        all[i].1 = change_one_char(&all[i].1, pos, replacement);
        let err = check_rpc(method, &all, split, token).unwrap_err();
        prop_assert_eq!(err.code(), "SignatureDoesNotMatch");
    }
}

// ---------------------------------------------------------------------------------------------
// Garbage in: verification must return, never panic.

fn garbage_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        Just(String::new()),
        Just(timestamp::format(now())),
        Just("HMAC-SHA1".to_owned()),
        Just("1.0".to_owned()),
        Just(AK.to_owned()),
        Just(TOKEN.to_owned()),
        Just(v3::EMPTY_PAYLOAD_SHA256.to_owned()),
    ]
}

fn garbage_param_name() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(rpc::COMMON_PARAMS.to_vec()).prop_map(str::to_owned), any::<String>(),]
}

/// Authorization-like values: random, ACS3 with random fields, or well-formed but wrong.
fn garbage_authorization() -> impl Strategy<Value = String> {
    let headers = prop::collection::vec(
        prop::sample::select(vec![
            "host",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
            "x-acs-action",
            "content-type",
            "authorization",
            "",
            "Host",
        ]),
        0..6,
    )
    .prop_map(|v| v.join(";"));
    prop_oneof![
        any::<String>(),
        any::<String>().prop_map(|s| format!("ACS3-HMAC-SHA256 {s}")),
        any::<String>().prop_map(|s| format!("ACS3-{s}")),
        (headers, "[0-9a-fA-Fz]{0,70}", prop_oneof![Just(AK.to_owned()), any::<String>()]).prop_map(
            |(h, sig, ak)| format!("ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={h},Signature={sig}")
        ),
    ]
}

fn garbage_header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Authorization",
            "host",
            "x-acs-date",
            "X-Acs-Signature-Nonce",
            "x-acs-content-sha256",
            "x-acs-action",
            "x-acs-version",
            "x-acs-security-token",
            "x-acs-accesskey-id",
            "content-type",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn garbage_header() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        (garbage_header_name(), garbage_string()),
        garbage_authorization().prop_map(|a| ("Authorization".to_owned(), a)),
    ]
}

fn garbage_now() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        Just(now()),
        (-8_000_000_000_000i64..8_000_000_000_000)
            .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_else(now)),
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn verify_never_panics_on_garbage(
        method in garbage_string(),
        path in garbage_string(),
        query in prop::collection::vec((garbage_param_name(), garbage_string()), 0..12),
        form in prop::collection::vec((garbage_param_name(), garbage_string()), 0..6),
        headers in prop::collection::vec(garbage_header(), 0..10),
        body in prop::collection::vec(any::<u8>(), 0..32),
        token in prop_oneof![Just(None), Just(Some(TOKEN)), Just(Some(""))],
        at in garbage_now(),
    ) {
        let req = IncomingRequest { method: &method, path: &path, query: &query, form: &form, headers: &headers, body: &body };
        let lookup = key_lookup(token);
        let any_key = |_: &str| Some(KeyEntry { secret: SECRET.to_owned(), security_token: None });
        for l in [&lookup as &dyn Fn(&str) -> Option<KeyEntry>, &any_key] {
            let _ = verify(&req, l, at);
            let _ = verify_v3(&req, l, at);
            let _ = verify_rpc(&req, l, at);
        }
    }

    /// Mutations of a genuine V3 Authorization header: truncation or one inserted character.
    #[test]
    fn verify_never_panics_on_a_mutated_authorization(
        token in token(),
        cut in any::<Index>(),
        insert in any::<Option<char>>(),
        at in garbage_now(),
    ) {
        let mut c = v3_case("POST", vec![("A".into(), "1".into())], &[], b"x".to_vec(), token);
        let auth = c.headers.iter_mut().find(|(k, _)| k == "Authorization").unwrap();
        let chars: Vec<char> = auth.1.chars().collect();
        let i = cut.index(chars.len() + 1);
        auth.1 = match insert {
            Some(ch) => chars[..i].iter().chain(std::iter::once(&ch)).chain(chars[i..].iter()).collect(),
            None => chars[..i].iter().collect(),
        };
        let req = IncomingRequest { method: "POST", path: "/", query: &c.query, form: &[], headers: &c.headers, body: &c.body };
        let _ = verify(&req, &key_lookup(token), at);
    }
}
