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
            // A JSON document inside a string (ReplicationInfo) may itself hold the key.
            if s.contains("SourcePassword") || s.contains("sourcepassword") {
                if let Ok(mut inner) = serde_json::from_str::<Value>(s) {
                    n += redact(&mut inner);
                    *s = inner.to_string();
                }
            }
            let (masked, m) = mask_password_assignments(s);
            if m > 0 {
                *s = masked;
            }
            n + m
        }
        _ => 0,
    }
}

fn is_password_key(k: &str) -> bool {
    k.eq_ignore_ascii_case("SourcePassword")
}

/// Masks the value of every `password=` assignment (case-insensitive), whether it is quoted
/// (`password='a b'`) or runs to the next space, quote or backslash. Already-masked values are
/// left as they are and not counted.
pub fn mask_password_assignments(s: &str) -> (String, usize) {
    const KEY: &str = "password=";
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut count = 0;
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(KEY) {
        let value_start = pos + found + KEY.len();
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

    #[test]
    fn never_panics_on_odd_strings() {
        for s in ["password", "password='", "password='\\", "Password=\u{0}", "ñpassword=é", "password=password=x"] {
            let (out, _) = mask_password_assignments(s);
            assert!(!out.is_empty());
        }
    }
}
