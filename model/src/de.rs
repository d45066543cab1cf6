//! Tolerant deserializers for service data.
//!
//! The service documents every field as a string or integer but the wire is looser: fields go
//! missing, come as `null` or the string `"null"`, and numbers arrive as strings. Each helper
//! reads the value through `serde_json::Value` and never fails on such shapes: a value that
//! cannot be read becomes `None` (or the default), so one odd field never loses a whole page.
//! Use them with `#[serde(default, deserialize_with = "...")]`.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// True for the ways the service says "absent" inside a string.
pub fn is_null_text(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("null")
}

/// Turns any JSON value into text, or `None` for absent: `null`, `"null"`, `""`.
pub fn value_to_opt_string(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if is_null_text(&s) => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Reads an unsigned integer from a number, a numeric string, or an integral float.
pub fn value_to_opt_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(f64_to_u64)),
        Value::String(s) => text_to_u64(s),
        _ => None,
    }
}

/// Parses `"5432"`, `" 5432 "`, `"5432.0"`; anything else is `None`. Read by hand (not as an
/// `f64`), which keeps float parsing out of the wasm app.
pub fn text_to_u64(s: &str) -> Option<u64> {
    let t = s.trim();
    if is_null_text(t) {
        return None;
    }
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    whole.parse::<u64>().ok()
}

fn f64_to_u64(f: f64) -> Option<u64> {
    // Only whole, non-negative values that fit: 5432.0 yes, 54.5 or -1 no.
    if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 {
        Some(f as u64)
    } else {
        None
    }
}

/// `Option<String>`; `null`, `"null"` and `""` read as `None`; numbers and booleans as their text.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(value_to_opt_string(Value::deserialize(d)?))
}

/// `Option<String>` that keeps the text exactly as sent, `"null"` included; only JSON `null`
/// is `None`. For reserved fields (`TargetEip`) whose "null" is what the service says.
pub fn opt_string_verbatim<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// A string that defaults to empty when missing or null.
pub fn string_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_to_opt_string(Value::deserialize(d)?).unwrap_or_default())
}

/// `Option<u64>` from a number or a numeric string.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(value_to_opt_u64(&Value::deserialize(d)?))
}

/// `Option<u32>` from a number or a numeric string; out-of-range reads as `None`.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(value_to_opt_u64(&Value::deserialize(d)?).and_then(|n| u32::try_from(n).ok()))
}

/// A `u64` that defaults to 0 (paging counters).
pub fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(value_to_opt_u64(&Value::deserialize(d)?).unwrap_or(0))
}

/// An optional wire enum (`From<String>` keeps unknown values as `Other`); absent forms are `None`.
pub fn opt_wire<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(value_to_opt_string(Value::deserialize(d)?).map(T::from))
}

/// A list that may be missing or `null` (empty), an array, or wrapped once in an object
/// (`{"Item": [...]}`, the XML-derived shape some actions use).
pub fn vec_lenient<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    let arr = match v {
        Value::Null => return Ok(Vec::new()),
        Value::String(ref s) if is_null_text(s) => return Ok(Vec::new()),
        Value::Array(a) => a,
        Value::Object(map) => match map.into_iter().find(|(_, v)| v.is_array()) {
            Some((_, Value::Array(a))) => a,
            _ => return Ok(Vec::new()),
        },
        other => return Err(D::Error::custom(format!("expected a list, found {other}"))),
    };
    arr.into_iter().map(|item| serde_json::from_value(item).map_err(D::Error::custom)).collect()
}

/// Undoes one level of JSON string escaping (`\"` to `"`, `\n` to a newline, `\\` to `\`).
/// Returns `None` when the text is not a valid JSON string body (for example a bare quote).
pub fn unescape_once(s: &str) -> Option<String> {
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    quoted.push_str(s);
    quoted.push('"');
    serde_json::from_str::<String>(&quoted).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, Default)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_string_verbatim")]
        v: Option<String>,
        #[serde(default, deserialize_with = "opt_u32")]
        p: Option<u32>,
        #[serde(default, deserialize_with = "u64_lenient")]
        n: u64,
        #[serde(default, deserialize_with = "vec_lenient")]
        l: Vec<u8>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn strings() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{}"#, None),
            (r#"{"s":null}"#, None),
            (r#"{"s":"null"}"#, None),
            (r#"{"s":"NULL"}"#, None),
            (r#"{"s":""}"#, None),
            (r#"{"s":"x"}"#, Some("x")),
            (r#"{"s":12}"#, Some("12")),
            (r#"{"s":true}"#, Some("true")),
            (r#"{"s":[1]}"#, Some("[1]")),
        ];
        for (json, want) in cases {
            assert_eq!(probe(json).s.as_deref(), *want, "{json}");
        }
        assert_eq!(probe(r#"{"v":"null"}"#).v.as_deref(), Some("null"));
        assert_eq!(probe(r#"{"v":null}"#).v, None);
        assert_eq!(probe(r#"{"v":3}"#).v.as_deref(), Some("3"));
    }

    #[test]
    fn numbers() {
        let cases: &[(&str, Option<u32>)] = &[
            (r#"{}"#, None),
            (r#"{"p":null}"#, None),
            (r#"{"p":"null"}"#, None),
            (r#"{"p":5432}"#, Some(5432)),
            (r#"{"p":"5432"}"#, Some(5432)),
            (r#"{"p":" 5432 "}"#, Some(5432)),
            (r#"{"p":5432.0}"#, Some(5432)),
            (r#"{"p":"5432.0"}"#, Some(5432)),
            (r#"{"p":"5432."}"#, Some(5432)),
            (r#"{"p":"5432.5"}"#, None),
            (r#"{"p":"5.4e3"}"#, None),
            (r#"{"p":54.5}"#, None),
            (r#"{"p":-1}"#, None),
            (r#"{"p":"abc"}"#, None),
            (r#"{"p":99999999999}"#, None),
            (r#"{"p":true}"#, None),
        ];
        for (json, want) in cases {
            assert_eq!(probe(json).p, *want, "{json}");
        }
        assert_eq!(probe(r#"{"n":"7"}"#).n, 7);
        assert_eq!(probe(r#"{"n":"x"}"#).n, 0);
        assert_eq!(probe(r#"{"n":null}"#).n, 0);
    }

    #[test]
    fn lists() {
        assert_eq!(probe(r#"{"l":null}"#).l, Vec::<u8>::new());
        assert_eq!(probe(r#"{"l":"null"}"#).l, Vec::<u8>::new());
        assert_eq!(probe(r#"{"l":[1,2]}"#).l, vec![1, 2]);
        assert_eq!(probe(r#"{"l":{"Item":[3]}}"#).l, vec![3]);
        assert_eq!(probe(r#"{"l":{}}"#).l, Vec::<u8>::new());
        assert!(serde_json::from_str::<Probe>(r#"{"l":5}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"l":["x"]}"#).is_err());
    }

    #[test]
    fn unescape() {
        assert_eq!(unescape_once(r#"{\"a\":\"b\"}"#).as_deref(), Some(r#"{"a":"b"}"#));
        assert_eq!(unescape_once(r"a\nb").as_deref(), Some("a\nb"));
        assert_eq!(unescape_once(r#"a"b"#), None);
        assert_eq!(unescape_once("\\"), None);
    }
}
