use super::*;
use crate::conninfo::{mask_secrets_in_text, secret_forms};
use proptest::prelude::*;
use serde_json::json;

#[test]
fn drops_credential_keys_everywhere_but_keeps_pagination_tokens() {
    let mut v = json!({
        "Items": [
            {"TaskId": 1, "SourcePassword": "123456", "Nested": {"sourcepassword": "x"}},
            {"TaskId": 2, "SourcePassword": null, "source_password": "abc", "DB-Passwd": "q"}
        ],
        "AccessKeyId": "LTAIexample", "AccessKeySecret": "s", "SecurityToken": "CAIS...",
        "x-acs-security-token": "t", "client_secret": "c", "Authorization": "Bearer x", "ApiKey": "k",
        "NextToken": "page-2", "ClientToken": "idem-1", "MaxResults": 30,
    });
    redact_json(&mut v);
    let text = v.to_string().to_lowercase();
    for gone in
        ["password", "passwd", "secret", "accesskey", "securitytoken", "security-token", "bearer", "apikey"]
    {
        assert!(!text.contains(gone), "{gone}: {text}");
    }
    assert!(!text.contains("123456"));
    assert_eq!(v["NextToken"], "page-2");
    assert_eq!(v["ClientToken"], "idem-1");
    assert_eq!(v["Items"][0]["TaskId"], 1);
    assert_eq!(v["MaxResults"], 30);
}

#[test]
fn the_tasks_own_password_is_masked_wherever_it_appears() {
    let pw = "s3cr et/\"pw%";
    let detail = format!(
        "[Check connectivity]\nCheck source: error:cannot connect to source database by migratetest:{pw}\nnote {pw} again"
    );
    let info = json!({"Status": "streaming", "Note": format!("echo {pw}")}).to_string();
    let pct: String = secret_forms(pw).into_iter().find(|f| f.contains("%25")).unwrap();
    let mut v = json!({"Items": [{
        "SourcePassword": pw,
        "Detail": detail,
        "ReplicationInfo": info,
        "Url": format!("https://h/?p={pct}"),
        format!("key-{pw}"): 1,
    }]});
    assert!(redact_json(&mut v) >= 4);
    let text = v.to_string();
    for form in secret_forms(pw) {
        assert!(!text.contains(&form), "{form:?} survived: {text}");
    }
    assert!(text.contains("by migratetest:********"), "{text}");
    assert!(v["Items"][0]["ReplicationInfo"].as_str().unwrap().contains("\"Status\":\"streaming\""));
}

#[test]
fn the_documented_wordings_are_masked_or_kept() {
    let cases = [
        (
            "error:cannot connect to source database by migratetest:123456",
            "error:cannot connect to source database by migratetest:********",
        ),
        (
            "error:Cannot connect to source database by u:a b c\nnext",
            "error:Cannot connect to source database by u:********\nnext",
        ),
        ("by u:pw\\nnext", "by u:pw\\nnext"),
        ("database by u:pw\\nnext", "database by u:********\\nnext"),
        (
            "error:postgres not empty, check if any table exists",
            "error:postgres not empty, check if any table exists",
        ),
        ("error:172.16.0.1 is unapproachable", "error:172.16.0.1 is unapproachable"),
        ("see postgresql://u:pw@h:5432/db now", "see postgresql://u:********@h:5432/db now"),
        ("x https://h/path?a=1 y", "x https://h/path?a=1 y"),
        ("db?password=x&sslmode=require", "db?password=********&sslmode=require"),
        ("connect with PASSWORD='a b' failed", "connect with PASSWORD=******** failed"),
        (
            "AccessKeySecret=abc SecurityToken = t0k NextToken=2",
            "AccessKeySecret=******** SecurityToken = ******** NextToken=2",
        ),
        ("user=a password=******** host=h", "user=a password=******** host=h"),
    ];
    for (input, want) in cases {
        assert_eq!(mask_secrets_in_text(input), want, "{input}");
    }
}

#[test]
fn masks_passwords_in_connection_strings_inside_json_strings() {
    let info = r#"{"Status":"streaming","Conninfo":"user=u password=leaked host=h"}"#;
    let mut v = json!({"ReplicationInfo": info});
    assert_eq!(redact_json(&mut v), 1);
    let s = v["ReplicationInfo"].as_str().unwrap();
    assert!(s.contains("password=******** host=h"), "{s}");
    assert!(!s.contains("leaked"));
    let mut v = json!({"ReplicationInfo": r#"{"SourcePassword":"123456","Status":"streaming"}"#});
    assert_eq!(redact_json(&mut v), 1);
    assert_eq!(v["ReplicationInfo"], r#"{"Status":"streaming"}"#);
}

#[test]
fn answers_without_secrets_are_untouched() {
    let mut v: Value = serde_json::from_str(crate::seed::SEED_EXAMPLE_RESPONSE).unwrap_or(Value::Null);
    if let Some(items) = v.pointer_mut("/Items").and_then(Value::as_array_mut) {
        for item in items {
            item.as_object_mut().map(|m| m.remove("SourcePassword"));
        }
    }
    let before = v.clone();
    assert_eq!(redact_json(&mut v), 0);
    assert_eq!(v, before);
}

/// A password the generators plant: a fixed marker and random characters, so that finding it
/// in the output means it survived, not that the surrounding text made it up.
fn secret(chars: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(chars).unwrap().prop_map(|s| format!("Zq{s}"))
}

/// Any printable characters, spaces, quotes, backslashes and percent signs included.
const ANY: &str = "[ -~äé€]{6,16}";
/// Characters allowed unencoded in a URI's user info.
const URI_SAFE: &str = "[A-Za-z0-9._~!$&'()*+,;=-]{6,16}";
/// No whitespace (an unquoted libpq value ends at one).
const NO_SPACE: &str = "[!-~]{6,16}";

/// A place a password is written in text without the masker knowing its value, and the text.
fn unknown_secret_text() -> impl Strategy<Value = (String, String)> {
    let key =
        prop::sample::select(vec!["password", "PASSWORD", "Password", "sslpassword", "AccessKeySecret"]);
    prop_oneof![
        (key.clone(), secret(NO_SPACE), any::<bool>())
            .prop_map(|(k, s, spaced)| (if spaced { format!("{k} = {s}") } else { format!("{k}={s}") }, s)),
        (key, secret(ANY)).prop_map(|(k, s)| {
            let quoted = s.replace('\\', "\\\\").replace('\'', "\\'");
            (format!("{k}='{quoted}'"), s)
        }),
        (prop::sample::select(vec!["postgresql", "postgres", "mysql", "https"]), secret(URI_SAFE))
            .prop_map(|(scheme, s)| (format!("{scheme}://migratetest:{s}@172.16.0.1:5432/db"), s)),
        secret("[ -~]{6,16}")
            .prop_map(|s| (format!("error:cannot connect to source database by migratetest:{s}"), s)),
    ]
}

/// Free text around a planted password: words before and after, on one line.
fn in_free_text((text, secret): (String, String)) -> impl Strategy<Value = (String, String)> {
    ("[a-z ]{0,12}", "( [a-z]{1,8}){0,3}")
        .prop_map(move |(before, after)| (format!("{before} {text}\n{after}"), secret.clone()))
}

/// JSON with secrets planted the masker must find by itself (no credential key tells it the
/// value): in free text, in JSON documents inside strings (so JSON-escaped in the answer), and
/// credential keys in any case at any depth.
fn json_with_unknown_secrets() -> impl Strategy<Value = (Value, Vec<String>)> {
    let leaf = prop_oneof![
        Just((Value::Null, vec![])),
        any::<i64>().prop_map(|n| (Value::from(n), vec![])),
        "[a-zA-Z0-9 ]{0,12}".prop_map(|s| (Value::String(s), vec![])),
        unknown_secret_text().prop_flat_map(in_free_text).prop_map(|(t, s)| (Value::String(t), vec![s])),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                let secrets = items.iter().flat_map(|(_, s)| s.clone()).collect();
                (Value::Array(items.into_iter().map(|(v, _)| v).collect()), secrets)
            }),
            (
                prop::collection::vec(("[A-Za-z]{1,8}", inner.clone()), 0..4),
                prop::option::of(credential_key())
            )
                .prop_map(|(fields, key)| {
                    let mut map = Map::new();
                    let mut secrets = Vec::new();
                    for (k, (v, s)) in fields {
                        if !is_credential_key(&k) && !map.contains_key(&k) {
                            map.insert(k, v);
                            secrets.extend(s);
                        }
                    }
                    if let Some(key) = key {
                        map.insert(key, Value::String("Zq-key-value".into()));
                        secrets.push("Zq-key-value".into());
                    }
                    (Value::Object(map), secrets)
                }),
            // A JSON document inside a string, as ReplicationInfo is.
            inner.prop_map(|(v, s)| (Value::String(v.to_string()), s)),
        ]
    })
}

/// A credential key in any letter case and spelling.
fn credential_key() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "SourcePassword",
            "source_password",
            "password",
            "AccessKeySecret",
            "AccessKeyId",
            "SecurityToken",
            "x-acs-security-token",
            "ClientSecret",
        ]),
        prop::collection::vec(any::<bool>(), 24),
    )
        .prop_map(|(k, upper)| {
            k.chars()
                .zip(upper)
                .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect()
        })
}

/// Every key, anywhere (inside JSON strings too).
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            out.push(k.clone());
            keys(v, out)
        }),
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        Value::String(s) => {
            if let Some(inner) = inner_json(s) {
                keys(&inner, out)
            }
        }
        _ => {}
    }
}

/// Every string, anywhere, as it would be read (decoded).
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            out.push_str(k);
            out.push('\n');
            strings(v, out)
        }),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
            if let Some(inner) = inner_json(s) {
                strings(&inner, out)
            }
        }
        _ => {}
    }
}

/// The planted value appears nowhere: not in any decoded string, not in the serialized answer in
/// any of its forms.
fn assert_gone(value: &Value, secret: &str) -> Result<(), TestCaseError> {
    let mut decoded = String::new();
    strings(value, &mut decoded);
    let serialized = value.to_string();
    let mut forms = secret_forms(secret);
    forms.push(secret.bytes().map(|b| format!("%{b:02X}")).collect());
    for form in forms {
        prop_assert!(!decoded.contains(&form), "{:?} survived in {}", form, serialized);
        prop_assert!(!serialized.contains(&form), "{:?} survived in {}", form, serialized);
    }
    Ok(())
}

/// Where a known password (the task's own SourcePassword) is put in an answer.
fn placement() -> impl Strategy<Value = u8> {
    0u8..7
}

fn place(secret: &str, how: u8, filler: &str) -> Value {
    let pct = secret_forms(secret).into_iter().find(|f| f.contains('%')).unwrap_or(secret.to_string());
    match how {
        // Raw in free text.
        0 => Value::String(format!("{filler} {secret} {filler}")),
        // JSON-escaped inside a JSON document carried in a string.
        1 => {
            Value::String(json!({"Conninfo": format!("{filler}{secret}"), "Status": "streaming"}).to_string())
        }
        // Twice-escaped (a document inside a string inside a string).
        2 => Value::String(
            Value::String(json!({"Note": format!("x {secret}")}).to_string()).to_string().replace('{', "[{"),
        ),
        // Percent-encoded in a URL.
        3 => Value::String(format!("https://example.com/cb?p={pct}&{filler}")),
        // Percent-encoded to the last byte (an encoder that escapes unreserved characters too).
        6 => Value::String(format!("u={}", secret.bytes().map(|b| format!("%{b:02X}")).collect::<String>())),
        // As a key.
        4 => json!({ format!("{filler}{secret}"): 1 }),
        // In the documented precheck wording.
        _ => Value::String(format!("Check x: error:cannot connect to source database by u:{secret}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Passwords the masker has to recognise by their context are gone, and no credential key
    /// is left at any depth.
    #[test]
    fn no_planted_secret_survives((mut value, secrets) in json_with_unknown_secrets()) {
        let before = value.to_string();
        let n = redact_json(&mut value);
        let mut all_keys = Vec::new();
        keys(&value, &mut all_keys);
        prop_assert!(!all_keys.iter().any(|k| is_credential_key(k)), "a credential key survived: {}", value);
        for s in &secrets {
            assert_gone(&value, s).map_err(|e| TestCaseError::fail(format!("{e} (from {before})")))?;
        }
        prop_assert!(secrets.is_empty() || n > 0);
        // Idempotent: nothing left to remove the second time.
        let again = value.clone();
        prop_assert_eq!(redact_json(&mut value), 0);
        prop_assert_eq!(value, again);
    }

    /// The task's own SourcePassword (any characters at all) appears nowhere in the answer, in
    /// no field, escaping or encoding.
    #[test]
    fn the_source_password_appears_nowhere(
        pw in secret("[ -~äé€]{4,16}"),
        places in prop::collection::vec(placement(), 1..5),
        filler in "[a-z]{0,6}",
        nested in any::<bool>(),
    ) {
        let mut items: Vec<Value> = places.iter().map(|&p| place(&pw, p, &filler)).collect();
        let task = json!({"TaskId": 1, "SourcePassword": pw.clone(), "Detail": items.pop(), "Other": items});
        let mut value = if nested { json!({"Items": [task], "NextToken": "n-2"}) } else { task };
        redact_json(&mut value);
        assert_gone(&value, &pw)?;
        if nested {
            prop_assert_eq!(&value["NextToken"], "n-2");
        }
    }

    #[test]
    fn answers_without_secrets_are_left_alone(value in any_json()) {
        let mut all_keys = Vec::new();
        keys(&value, &mut all_keys);
        prop_assume!(!all_keys.iter().any(|k| is_credential_key(k)));
        prop_assume!(!crate::conninfo::may_hold_secrets(&value.to_string()));
        let mut v = value.clone();
        prop_assert_eq!(redact_json(&mut v), 0);
        prop_assert_eq!(v, value);
    }

    #[test]
    fn text_masking_never_panics(s in "\\PC{0,60}") {
        let _ = mask_secrets_in_text(&s);
        let mut v = Value::String(s);
        let _ = redact_json(&mut v);
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner.clone(), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            inner.prop_map(|v| Value::String(v.to_string())),
        ]
    })
}

/// The text redaction gives what the tree redaction gives: the same document (compared parsed),
/// the same count and the same `RequestId`; and it keeps the text as it came only when the tree
/// redaction changes nothing.
fn text_agrees_with_tree(value: &Value, extra: &[String]) -> Result<(), TestCaseError> {
    let mut tree = value.clone();
    let n = redact_json_with(&mut tree, extra);
    for text in [value.to_string(), serde_json::to_string_pretty(value).unwrap_or_default()] {
        let red = redact_json_text(text.as_bytes(), extra).expect("the text is JSON");
        let got: Value = serde_json::from_slice(&red.json).expect("the redacted text is JSON");
        prop_assert_eq!(&got, &tree, "from {}", text);
        prop_assert_eq!(red.count, n, "from {}", text);
        prop_assert_eq!(red.request_id.as_deref(), tree.get("RequestId").and_then(Value::as_str));
        if let std::borrow::Cow::Borrowed(kept) = &red.json {
            prop_assert_eq!(n, 0);
            prop_assert_eq!(*kept, text.as_bytes());
        }
    }
    Ok(())
}

#[test]
fn text_redaction_of_the_seed_answer() {
    let text = crate::seed::SEED_EXAMPLE_RESPONSE;
    let value: Value = serde_json::from_str(text).unwrap();
    text_agrees_with_tree(&value, &[]).unwrap();
    let red = redact_json_text(text.as_bytes(), &[]).unwrap();
    let out = String::from_utf8(red.json.into_owned()).unwrap();
    assert!(!out.contains("SourcePassword"), "{out}");
    assert!(red.count >= 1);
    assert_eq!(red.request_id.as_deref(), value["RequestId"].as_str());
}

#[test]
fn text_redaction_keeps_a_clean_answer_as_it_came() {
    let text = br#"{ "RequestId": "R-1", "Items": {"DBInstance": [{"DBInstanceId": "pgm-1", "NextToken": "n"}]}, "PageNumber": 1 }"#;
    let red = redact_json_text(text, &[]).unwrap();
    assert!(matches!(red.json, std::borrow::Cow::Borrowed(t) if t == text));
    assert_eq!((red.count, red.request_id.as_deref()), (0, Some("R-1")));
}

#[test]
fn text_redaction_refuses_what_is_not_json() {
    for bad in [&b""[..], b"{", b"{\"a\":1} x", b"<html>", b"{\"a\":\"\xff\"}", b"[1,]", b"1e400"] {
        assert!(redact_json_text(bad, &[]).is_none(), "{:?}", String::from_utf8_lossy(bad));
        assert!(serde_json::from_slice::<Value>(bad).is_err());
    }
}

#[test]
fn text_redaction_of_a_key_holding_the_secret_rewrites_it_as_the_tree_does() {
    let value = json!({"SourcePassword": "Zq-secret-1", "Zq-secret-1": 1, "RequestId": "Zq-secret-1"});
    text_agrees_with_tree(&value, &[]).unwrap();
    let text = value.to_string();
    let red = redact_json_text(text.as_bytes(), &[]).unwrap();
    assert!(!String::from_utf8_lossy(&red.json).contains("Zq-secret-1"));
    assert_eq!(red.request_id.as_deref(), Some(MASK));
}

#[test]
fn text_redaction_masks_secrets_held_by_duplicate_keys() {
    // JSON allows duplicate keys; the tree keeps the last value, the text keeps both, redacted.
    let text =
        br#"{"Detail":"by u:x Zq-first-secret","Password":"Zq-first-secret","Password":"Zq-second-one"}"#;
    let red = redact_json_text(text, &[]).unwrap();
    let out = String::from_utf8_lossy(&red.json).into_owned();
    assert!(!out.contains("Zq-first-secret") && !out.contains("Zq-second-one"), "{out}");
    assert!(!out.contains("Password"), "{out}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_and_tree_agree_on_planted_secrets((value, _) in json_with_unknown_secrets()) {
        text_agrees_with_tree(&value, &[])?;
    }

    #[test]
    fn text_and_tree_agree_on_the_source_password(
        pw in secret("[ -~äé€]{4,16}"),
        places in prop::collection::vec(placement(), 1..5),
        filler in "[a-z]{0,6}",
        extra in any::<bool>(),
    ) {
        let mut items: Vec<Value> = places.iter().map(|&p| place(&pw, p, &filler)).collect();
        let task = json!({"TaskId": 1, "SourcePassword": pw.clone(), "Detail": items.pop(), "Other": items});
        let value = json!({"Items": [task], "NextToken": "n-2", "RequestId": format!("R-{filler}")});
        let extra = if extra { vec![pw.clone()] } else { vec![] };
        text_agrees_with_tree(&value, &extra)?;
        // Also when the credential key comes after the strings that echo it.
        let value = json!({"Items": [{"Detail": format!("x {pw} y")}], "Later": {"source_password": pw}});
        text_agrees_with_tree(&value, &[])?;
    }

    #[test]
    fn text_and_tree_agree_on_any_json(value in any_json()) {
        text_agrees_with_tree(&value, &[])?;
    }
}

/// A carried document stays in the output in its own escaping (`\u005a` for `Z`), where the
/// check of the first pass's output cannot see the secret: it is read decoded, and masked.
#[test]
fn text_redaction_masks_a_secret_escaped_inside_a_carried_document() {
    let inner = r#"{"Note":"pw \u005aq-s3cret-9 here"}"#;
    let value = json!({"Items": [{"SourcePassword": "Zq-s3cret-9", "ReplicationInfo": inner}]});
    text_agrees_with_tree(&value, &[]).unwrap();
    let text = value.to_string();
    let red = redact_json_text(text.as_bytes(), &[]).unwrap();
    let got: Value = serde_json::from_slice(&red.json).unwrap();
    let carried: Value = serde_json::from_str(got["Items"][0]["ReplicationInfo"].as_str().unwrap()).unwrap();
    assert!(!carried["Note"].as_str().unwrap().contains("s3cret"), "{carried}");
}

/// The credential-key words as they were first written: a plain search for each word.
fn holds_a_credential_word(key: &str) -> bool {
    let k: String = key.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    ["password", "passwd", "secret", "accesskey", "privatekey", "apikey", "credential", "authorization"]
        .iter()
        .any(|w| k.contains(w))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The one-walk word search finds what a search for each word finds.
    #[test]
    fn credential_words_are_found_as_by_a_plain_search(
        parts in prop::collection::vec(
            prop::sample::select(vec!["Pass", "word", "passwd", "Secret", "access", "Key", "private", "api",
                                      "Credential", "Authorization", "auth", "a", "s", "_", "-", " ", "Id", "pw"]),
            0..6,
        ),
    ) {
        let key = parts.concat();
        let ends = |s: &str| key.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase().ends_with(s);
        if !ends("pwd") && !ends("token") {
            prop_assert_eq!(is_credential_key(&key), holds_a_credential_word(&key), "{}", key);
        }
    }
}

/// [`inner_doc`] as it read every string before it passed over free text in brackets: a plain
/// parse, then an unescaped one.
fn inner_doc_read_whole(s: &str) -> Option<(Value, Wrapping)> {
    let t = s.trim_start();
    let doc = |text: &str| serde_json::from_str::<Value>(text).ok().filter(|v| v.is_object() || v.is_array());
    if t.starts_with('{') || t.starts_with('[') {
        if let Some(v) = doc(s) {
            return Some((v, Wrapping::Plain));
        }
        return crate::de::unescape_once(s).and_then(|u| doc(&u)).map(|v| (v, Wrapping::Escaped));
    }
    inner_doc(s)
}

#[test]
fn carried_documents_are_found_and_bracketed_text_is_passed_over() {
    let cases = [
        "[Check rds empty]\\nCheck rds databases: success",
        "{\\\"SourcePassword\\\":\\\"Zq-s3cret-9\\\"}",
        "{\\\"\\\\u0053ourcePassword\\\":\\\"Zq-s3cret-9\\\"}",
        r#"{ "\u0053ourcePassword": "Zq-s3cret-9" }"#,
        "[ 1, {\"password\": \"x\"} ]",
        "[\\n\\\"a\\\"]",
        "\t[true]",
        "[",
        "{ ",
        "[]",
        "{}",
        "[nope]",
    ];
    for s in cases {
        assert_eq!(inner_doc(s), inner_doc_read_whole(s), "{s:?}");
    }
    assert!(inner_doc(cases[0]).is_none());
    assert_eq!(inner_doc(cases[2]).map(|(_, w)| w), Some(Wrapping::Escaped));
    assert_eq!(inner_doc(cases[3]).map(|(_, w)| w), Some(Wrapping::Plain));
}

/// A secret in free text that opens with a bracket (a precheck's `Detail`) and behind an escaped
/// credential key in a carried document is still masked.
#[test]
fn secrets_in_bracketed_details_and_escaped_carried_keys_are_masked() {
    let detail = "[Check source connectivity]\nerror:cannot connect to source database by u:Zq-s3cret-9\npassword=Zq-other-1";
    let carried = r#"{"\u0053ourcePassword":"Zq-carried-2","Note":"[x] Zq-carried-2"}"#;
    let value = json!({"Items": [{"Detail": detail, "ReplicationInfo": carried, "Other": "[Zq-carried-2]"}]});
    text_agrees_with_tree(&value, &[]).unwrap();
    let text = value.to_string();
    let out = String::from_utf8(redact_json_text(text.as_bytes(), &[]).unwrap().json.into_owned()).unwrap();
    for gone in ["Zq-s3cret-9", "Zq-other-1", "Zq-carried-2", "ourcePassword"] {
        assert!(!out.contains(gone), "{gone}: {out}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Passing over bracketed text finds every document the whole reading finds, and no other.
    #[test]
    fn carried_documents_are_found_as_by_reading_each_string_whole(
        s in "[ \t\n{}\\[\\]\"\\\\:,a0tn-]{0,12}",
    ) {
        prop_assert_eq!(inner_doc(&s), inner_doc_read_whole(&s), "{:?}", s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The letter check that passes most keys over early decides as the word search does.
    #[test]
    fn credential_keys_are_found_as_by_the_word_search(
        key in prop_oneof![
            "[a-zA-Z0-9_ -]{0,24}",
            prop::collection::vec(
                prop::sample::select(vec!["Pass", "word", "wd", "Secret", "access", "Key", "private", "api", "p",
                                          "Credential", "Authorization", "Token", "Next", "client", "pwd", "_", "9"]),
                0..6,
            ).prop_map(|parts| parts.concat()),
        ],
    ) {
        let folded: Vec<u8> =
            key.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase()).collect();
        prop_assert_eq!(is_credential_key(&key), folded_names_credential(&folded), "{}", key);
    }
}

#[test]
fn credential_keys_of_every_kind_are_still_found() {
    for key in [
        "SourcePassword",
        "sslpassword",
        "DB-Passwd",
        "AccessKeySecret",
        "x-acs-security-token",
        "private_key",
        "ApiKey",
        "Credentials",
        "Authorization",
        "pwd",
        "UserPwd",
        "SessionToken",
    ] {
        assert!(is_credential_key(key), "{key}");
    }
    for key in
        ["NextToken", "ClientToken", "ReplicationState", "SourceCategory", "application_name", "TaskId"]
    {
        assert!(!is_credential_key(key), "{key}");
    }
}
