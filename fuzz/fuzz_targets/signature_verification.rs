//! `signing::verify::verify`, the simulator's check of both signature schemes, on arbitrary
//! requests: never panics; a request signed by the proxy's own signer with arbitrary parameters,
//! headers and body verifies; and changing one byte of what was signed makes it fail.
#![no_main]
use arbitrary::Arbitrary;
use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use migration_proxy::signing::verify::{verify, IncomingRequest, KeyEntry, Style};
use migration_proxy::signing::{rpc, timestamp, v3};

const AK: &str = "LTAI5fuzzKeyId";
const SECRET: &str = "fuzz-secret";
const TOKEN: &str = "CAIS+fuzz/token==";

#[derive(Arbitrary, Debug)]
enum Case {
    /// Anything at all, checked against a known key, an STS key and "every key".
    Garbage {
        method: String,
        path: String,
        query: Vec<(String, String)>,
        form: Vec<(String, String)>,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        skew_secs: i64,
    },
    /// A genuine V3 request, then one byte of it changed.
    V3 { post: bool, query: Vec<(String, String)>, extra: Vec<(u8, String)>, body: Vec<u8>, sts: bool, flip: Option<(u16, u8)> },
    /// A genuine RPC request (parameters split between query and form), then one byte changed.
    Rpc { post: bool, params: Vec<(String, String)>, split: u8, sts: bool, flip: Option<(u16, u8)> },
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
}

fn lookup(sts: bool) -> impl Fn(&str) -> Option<KeyEntry> {
    move |id| (id == AK).then(|| KeyEntry { secret: SECRET.into(), security_token: sts.then(|| TOKEN.into()) })
}

/// Header names a client may add to a V3 request (not the ones the signer sets itself).
const EXTRA: &[&str] = &["content-type", "accept", "user-agent", "x-acs-extra", "x-custom"];

/// Flips one bit of one byte of a string, keeping it valid UTF-8 (or leaves it if it cannot).
fn flip_string(s: &mut String, at: u16, bit: u8) -> bool {
    let mut bytes = s.clone().into_bytes();
    if bytes.is_empty() {
        return false;
    }
    let i = at as usize % bytes.len();
    bytes[i] ^= 1 << (bit % 7);
    match String::from_utf8(bytes) {
        Ok(t) if t != *s => {
            *s = t;
            true
        }
        _ => false,
    }
}

fuzz_target!(|case: Case| {
    match case {
        Case::Garbage { method, path, query, form, headers, body, skew_secs } => {
            let at = now().checked_add_signed(chrono::TimeDelta::try_seconds(skew_secs % 10_000_000_000).unwrap_or_default()).unwrap_or_else(now);
            let req = IncomingRequest { method: &method, path: &path, query: &query, form: &form, headers: &headers, body: &body };
            let any_key = |_: &str| Some(KeyEntry { secret: SECRET.into(), security_token: None });
            for l in [&lookup(false) as &dyn Fn(&str) -> Option<KeyEntry>, &lookup(true), &any_key] {
                if let Err(e) = verify(&req, l, at) {
                    // Error texts are fixed strings: nothing from the request is echoed.
                    assert!(!e.to_string().contains(SECRET));
                }
            }
        }
        Case::V3 { post, query, extra, body, sts, flip } => {
            let method = if post { "POST" } else { "GET" };
            let mut extra: Vec<(String, String)> = extra
                .into_iter()
                .map(|(i, v)| (EXTRA[i as usize % EXTRA.len()].to_string(), v.chars().filter(|c| (' '..='~').contains(c)).collect::<String>().trim().to_string()))
                .collect();
            extra.sort();
            extra.dedup_by(|a, b| a.0 == b.0);
            let date = timestamp::format(now());
            let token = sts.then_some(TOKEN);
            let signed = v3::sign(&v3::SignRequest {
                method,
                host: "rds.aliyuncs.com",
                path: "/",
                query: &query,
                headers: &extra,
                body: &body,
                action: "DescribeCloudMigrationResult",
                version: "2014-08-15",
                date: &date,
                nonce: "0f0e0d0c0b0a",
                access_key_id: AK,
                access_key_secret: SECRET,
                security_token: token,
            });
            let req = IncomingRequest { method, path: "/", query: &query, form: &[], headers: &signed.headers, body: &body };
            let verified = verify(&req, &lookup(sts), now()).unwrap_or_else(|e| panic!("a genuine V3 request was refused: {e}"));
            assert_eq!(verified.style, Style::V3);
            assert_eq!(verified.access_key_id, AK);
            if let Some((at, bit)) = flip {
                let mut query = query.clone();
                let mut body = body.clone();
                let changed = if at % 2 == 0 && !body.is_empty() {
                    let i = at as usize / 2 % body.len();
                    body[i] ^= 1 << (bit % 8);
                    true
                } else if let Some((_, v)) = {
                    let i = at as usize / 2 % query.len().max(1);
                    query.get_mut(i)
                } {
                    flip_string(v, at, bit)
                } else {
                    false
                };
                if changed {
                    let req = IncomingRequest { method, path: "/", query: &query, form: &[], headers: &signed.headers, body: &body };
                    assert!(verify(&req, &lookup(sts), now()).is_err(), "a changed V3 request still verified");
                }
            }
        }
        Case::Rpc { post, params, split, sts, flip } => {
            let method = if post { "POST" } else { "GET" };
            let params: Vec<(String, String)> = params.into_iter().filter(|(k, _)| !rpc::COMMON_PARAMS.contains(&k.as_str())).collect();
            let ts = timestamp::format(now());
            let all = rpc::sign_params(method, "DescribeCloudMigrationResult", "2014-08-15", &params, AK, SECRET, sts.then_some(TOKEN), &ts, "0f0e0d0c0b0a");
            let cut = split as usize % (all.len() + 1);
            let (query, form) = all.split_at(cut);
            let req = IncomingRequest { method, path: "/", query, form, headers: &[], body: b"" };
            let verified = verify(&req, &lookup(sts), now()).unwrap_or_else(|e| panic!("a genuine RPC request was refused: {e}"));
            assert_eq!(verified.style, Style::Rpc);
            if let Some((at, bit)) = flip {
                let mut all = all.clone();
                let i = at as usize % all.len();
                // Change a value that is signed (not the signature itself, not the timestamp's format).
                if all[i].0 != "Signature" && all[i].0 != "Timestamp" && flip_string(&mut all[i].1, at, bit) {
                    let (query, form) = all.split_at(cut);
                    let req = IncomingRequest { method, path: "/", query, form, headers: &[], body: b"" };
                    assert!(verify(&req, &lookup(sts), now()).is_err(), "a changed RPC request still verified");
                }
            }
        }
    }
});
