//! Removes secrets from upstream answers before they reach a browser: every `SourcePassword`
//! key is dropped, wherever it sits, and any `password=` value inside a string (a libpq
//! connection string such as `ReplicationInfo.Conninfo`) is masked.
use serde_json::Value;

pub const MASK: &str = "********";

/// Redacts in place. Returns how many secrets were removed or masked (for metrics and tests).
pub fn redact(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let before = map.len();
            map.retain(|k, _| !is_password_key(k));
            let mut n = before - map.len();
            for v in map.values_mut() {
                n += redact(v);
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(redact).sum(),
        Value::String(s) => {
            let mut n = 0;
            // A JSON document inside a string (ReplicationInfo) may itself hold the key, in any
            // letter case (is_password_key ignores case: so must this pre-check).
            if contains_ignore_ascii_case(s, "sourcepassword") {
                if let Ok(mut inner) = serde_json::from_str::<Value>(s) {
                    n += redact(&mut inner);
                    *s = inner.to_string();
                }
            }
            // Most strings hold no assignment: check without allocating before masking.
            if contains_ignore_ascii_case(s, PASSWORD_KEY) {
                let (masked, m) = mask_password_assignments(s);
                if m > 0 {
                    *s = masked;
                }
                n += m;
            }
            n
        }
        _ => 0,
    }
}

fn is_password_key(k: &str) -> bool {
    k.eq_ignore_ascii_case("SourcePassword")
}

/// Whether `haystack` holds `needle` (ASCII) in any letter case; allocates nothing (this runs on
/// every string of every upstream answer).
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

const PASSWORD_KEY: &str = "password=";

/// Masks the value of every `password=` assignment (case-insensitive), whether it is quoted
/// (`password='a b'`) or runs to the next space, quote or backslash. Already-masked values are
/// left as they are and not counted.
pub fn mask_password_assignments(s: &str) -> (String, usize) {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut count = 0;
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(PASSWORD_KEY) {
        let value_start = pos + found + PASSWORD_KEY.len();
        out.push_str(&s[pos..value_start]);
        let rest = &s[value_start..];
        let (value_len, quoted) = if let Some(stripped) = rest.strip_prefix('\'') {
            // libpq quoting: backslash escapes, closing single quote ends it.
            let mut len = 1;
            let mut escaped = false;
            let mut closed = false;
            for c in stripped.chars() {
                len += c.len_utf8();
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '\'' {
                    closed = true;
                    break;
                }
            }
            let _ = closed;
            (len, true)
        } else {
            let len = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || *c == '"' || *c == '\\' || *c == '\'')
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            (len, false)
        };
        let value = &rest[..value_len];
        let already = value.trim_matches('\'').chars().all(|c| c == '*');
        if value.is_empty() || already {
            out.push_str(value);
        } else {
            if quoted {
                out.push('\'');
                out.push_str(MASK);
                out.push('\'');
            } else {
                out.push_str(MASK);
            }
            count += 1;
        }
        pos = value_start + value_len;
    }
    out.push_str(&s[pos..]);
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_source_password_everywhere() {
        let mut v = json!({
            "Items": [
                {"TaskId": 1, "SourcePassword": "123456", "Nested": {"sourcepassword": "x"}},
                {"TaskId": 2, "SourcePassword": null}
            ],
            "SourcePassword": "top"
        });
        assert_eq!(redact(&mut v), 4);
        let text = v.to_string();
        assert!(!text.to_lowercase().contains("sourcepassword"), "{text}");
        assert!(!text.contains("123456"));
        assert_eq!(v["Items"][0]["TaskId"], 1);
    }

    #[test]
    fn masks_passwords_in_connection_strings() {
        let cases = [
            ("user=a password=hunter2 host=h", "user=a password=******** host=h", 1),
            ("user=a PASSWORD=hunter2", "user=a PASSWORD=********", 1),
            ("password='a b\\' c' host=h", "password='********' host=h", 1),
            ("user=a password=******** host=h", "user=a password=******** host=h", 0),
            ("no secrets here", "no secrets here", 0),
            ("password=", "password=", 0),
            ("x password=p1 y password=p2", "x password=******** y password=********", 2),
            ("password=pä€ss end", "password=******** end", 1),
        ];
        for (input, want, n) in cases {
            assert_eq!(mask_password_assignments(input), (want.to_string(), n), "{input}");
        }
    }

    #[test]
    fn masks_inside_a_json_string() {
        let info = r#"{"Status":"streaming","Conninfo":"user=u password=leaked host=h"}"#;
        let mut v = json!({"ReplicationInfo": info});
        assert_eq!(redact(&mut v), 1);
        let s = v["ReplicationInfo"].as_str().unwrap();
        assert!(s.contains("password=******** host=h"), "{s}");
        assert!(!s.contains("leaked"));
    }

    #[test]
    fn drops_the_key_inside_a_json_string() {
        let info = r#"{"SourcePassword":"123456","Status":"streaming"}"#;
        let mut v = json!({"ReplicationInfo": info});
        assert_eq!(redact(&mut v), 1);
        let s = v["ReplicationInfo"].as_str().unwrap();
        assert_eq!(s, r#"{"Status":"streaming"}"#);
    }

    /// Found by `no_planted_secret_survives`: the key inside a JSON string was dropped only when
    /// spelt SourcePassword or sourcepassword.
    #[test]
    fn drops_the_key_inside_a_json_string_in_any_case() {
        for key in ["sourcePassword", "SOURCEPASSWORD", "sourcepassworD"] {
            let mut v = json!({"ReplicationInfo": format!(r#"{{"{key}":"leaked","Status":"streaming"}}"#)});
            assert_eq!(redact(&mut v), 1, "{key}");
            assert_eq!(v["ReplicationInfo"], r#"{"Status":"streaming"}"#, "{key}");
        }
    }

    #[test]
    fn never_panics_on_odd_strings() {
        for s in
            ["password", "password='", "password='\\", "Password=\u{0}", "ñpassword=é", "password=password=x"]
        {
            let (out, _) = mask_password_assignments(s);
            assert!(!out.is_empty());
        }
    }

    use proptest::prelude::*;

    /// A secret value the generators plant: distinctive, so the output can be searched for it.
    fn planted(n: u32) -> String {
        format!("PLANTEDx{n}x")
    }

    /// "SourcePassword" in any letter case.
    fn password_key() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<bool>(), 14).prop_map(|upper| {
            "sourcepassword"
                .chars()
                .zip(upper)
                .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                .collect()
        })
    }

    /// A string that may carry `password=<secret>` assignments (bare or quoted, any case).
    fn text_with_passwords() -> impl Strategy<Value = (String, Vec<String>)> {
        let part = prop_oneof![
            "[a-z =]{0,8}".prop_map(|s| (s, None)),
            (any::<u32>(), prop::sample::select(vec!["password=", "PASSWORD=", "Password="]), any::<bool>())
                .prop_map(|(n, key, quoted)| {
                    let secret = planted(n);
                    let text = if quoted {
                        format!(" {key}'{secret} with space' ")
                    } else {
                        format!(" {key}{secret} ")
                    };
                    (text, Some(secret))
                }),
        ];
        prop::collection::vec(part, 0..4).prop_map(|parts| {
            let secrets = parts.iter().filter_map(|(_, s)| s.clone()).collect();
            (parts.into_iter().map(|(t, _)| t).collect(), secrets)
        })
    }

    /// Arbitrary JSON with secrets planted: SourcePassword keys in any case at any depth, password=
    /// assignments in strings, and JSON documents inside strings (as ReplicationInfo is) holding both.
    fn json_with_secrets() -> impl Strategy<Value = (Value, Vec<String>)> {
        let leaf = prop_oneof![
            Just((Value::Null, vec![])),
            any::<bool>().prop_map(|b| (Value::Bool(b), vec![])),
            any::<i64>().prop_map(|n| (Value::from(n), vec![])),
            "[a-zA-Z0-9 ]{0,12}".prop_map(|s| (Value::String(s), vec![])),
            text_with_passwords().prop_map(|(s, secrets)| (Value::String(s), secrets)),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(|items| {
                    let secrets = items.iter().flat_map(|(_, s)| s.clone()).collect();
                    (Value::Array(items.into_iter().map(|(v, _)| v).collect()), secrets)
                }),
                (
                    prop::collection::vec(("[A-Za-z]{1,8}", inner.clone()), 0..5),
                    prop::option::of((password_key(), any::<u32>()))
                )
                    .prop_map(|(fields, password)| {
                        let mut map = serde_json::Map::new();
                        let mut secrets = Vec::new();
                        for (k, (v, s)) in fields {
                            map.insert(k, v);
                            secrets.extend(s);
                        }
                        if let Some((key, n)) = password {
                            map.insert(key, Value::String(planted(n)));
                            secrets.push(planted(n));
                        }
                        (Value::Object(map), secrets)
                    }),
                // A JSON document inside a string.
                inner.prop_map(|(v, s)| (Value::String(v.to_string()), s)),
            ]
        })
    }

    /// No SourcePassword key (any case) anywhere, also inside strings that hold JSON.
    fn has_password_key(v: &Value) -> bool {
        match v {
            Value::Object(m) => {
                m.iter().any(|(k, v)| k.eq_ignore_ascii_case("SourcePassword") || has_password_key(v))
            }
            Value::Array(items) => items.iter().any(has_password_key),
            Value::String(s) => serde_json::from_str::<Value>(s)
                .is_ok_and(|inner| !inner.is_string() && has_password_key(&inner)),
            _ => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn no_planted_secret_survives((mut value, secrets) in json_with_secrets()) {
            let before = value.clone();
            let removed = redact(&mut value);
            let text = value.to_string();
            prop_assert!(!has_password_key(&value), "a SourcePassword key survived: {}", text);
            for secret in &secrets {
                prop_assert!(!text.contains(secret.as_str()), "{} survived in {} (from {})", secret, text, before);
            }
            prop_assert!(removed >= secrets.len().min(1), "{} secrets planted, {} removed", secrets.len(), removed);
            // Idempotent: nothing left to remove the second time.
            let again = value.clone();
            prop_assert_eq!(redact(&mut value), 0);
            prop_assert_eq!(value, again);
        }

        #[test]
        fn answers_without_secrets_are_left_alone(value in any_json()) {
            let text = value.to_string().to_ascii_lowercase();
            prop_assume!(!text.contains("password"));
            let mut v = value.clone();
            prop_assert_eq!(redact(&mut v), 0);
            prop_assert_eq!(v, value);
        }

        #[test]
        fn masking_never_panics_and_leaves_no_value(s in "\\PC{0,40}", secret in "[A-Za-z0-9!#$%&()*+,./:;<>?@^_`{|}~-]{1,16}") {
            let _ = mask_password_assignments(&s);
            let (out, n) = mask_password_assignments(&format!("{s} password={secret} x"));
            prop_assert!(n >= 1 || secret.chars().all(|c| c == '*'));
            prop_assert!(out.contains("password=********") || secret.chars().all(|c| c == '*'), "{}", out);
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
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
}
