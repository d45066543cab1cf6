//! Removes secrets from an upstream answer before it reaches a browser. The one masker: the
//! proxy runs every answer through [`redact_json`]; text is masked by [`crate::conninfo`].
//!
//! - Every key whose name says it holds a credential ([`is_credential_key`]: passwords, secrets,
//!   access keys, security and session tokens, in any case and spelling) is dropped, at any depth,
//!   also inside JSON documents carried in strings (`ReplicationInfo`). Pagination tokens
//!   (`NextToken`) are not credentials and stay.
//! - The values of those keys (a task's own `SourcePassword`) are then masked wherever else they
//!   appear in the answer (any field, any key, raw, JSON-escaped or percent-encoded), so a failed
//!   precheck's `Detail` cannot echo the password.
//! - Free text is masked by [`mask_secrets_in_text`]: `password=` assignments, URI user info and
//!   the documented `database by <account>:<password>` wording.
use serde_json::{Map, Value};

use crate::conninfo::{
    mask_forms, mask_secrets_in_text, may_hold_secrets, percent_decoded, secret_forms, MIN_KNOWN_SECRET_CHARS,
};

pub use crate::conninfo::MASK;

/// How deep JSON documents inside strings are opened (each level is one more parse).
const MAX_INNER_DEPTH: usize = 4;

/// Whether a key names a credential. Compared without case and without `_`, `-` or spaces:
/// anything holding `password`, `passwd`, `secret`, `accesskey`, `privatekey`, `apikey`,
/// `credential` or `authorization`, a key that is or ends with `pwd`, and any `...token` that is
/// not a pagination or idempotency token (`NextToken`, `PageToken`, `ClientToken`, ...).
pub fn is_credential_key(key: &str) -> bool {
    // Every key of every answer is asked (and every `key=value` word of a connection string),
    // so this is on a cache miss's path. ASCII keys (nearly all) are folded byte by byte, short
    // ones on the stack: for ASCII, `is_alphanumeric` and `to_lowercase` are their ASCII forms.
    if key.is_ascii() {
        // Which letters the key holds, as bits `1 << (letter & 31)`: for any ASCII letter, in
        // either case, `(b | 0x20) & 31` is its bit. Other bytes set some bit too, which may send
        // a key to the word search but never keeps one from it.
        let letters = key.bytes().fold(0u32, |bits, b| bits | 1 << ((b | 0x20) & 31));
        // Most keys lack some letter of each word: no need to look for the words.
        if !CREDENTIAL_LETTERS.iter().any(|&need| need & !letters == 0) {
            return false;
        }
        let mut buf = [0u8; 64];
        if key.len() <= buf.len() {
            let mut len = 0;
            for &b in key.as_bytes() {
                if b.is_ascii_alphanumeric() {
                    buf[len] = b.to_ascii_lowercase();
                    len += 1;
                }
            }
            return folded_names_credential(&buf[..len]);
        }
        let folded: Vec<u8> =
            key.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase()).collect();
        return folded_names_credential(&folded);
    }
    let folded: String = key.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    folded_names_credential(folded.as_bytes())
}

/// The letters of each word [`folded_names_credential`] looks for (`pwd` and `token` too), as
/// bits `1 << (letter & 31)`.
const CREDENTIAL_LETTERS: [u32; 10] = [
    letters(b"password"),
    letters(b"passwd"),
    letters(b"secret"),
    letters(b"accesskey"),
    letters(b"privatekey"),
    letters(b"apikey"),
    letters(b"credential"),
    letters(b"authorization"),
    letters(b"pwd"),
    letters(b"token"),
];

const fn letters(word: &[u8]) -> u32 {
    let mut bits = 0;
    let mut i = 0;
    while i < word.len() {
        bits |= 1 << (word[i] & 31);
        i += 1;
    }
    bits
}

/// [`is_credential_key`] on the key already folded (lower case, letters and digits only).
fn folded_names_credential(k: &[u8]) -> bool {
    const NOT_CREDENTIALS: &[&[u8]] = &[
        b"nexttoken",
        b"pagetoken",
        b"nextpagetoken",
        b"continuationtoken",
        b"prevtoken",
        b"previoustoken",
        b"clienttoken",
        b"resumetoken",
    ];
    // Holds `password`, `passwd`, `secret`, `accesskey`, `privatekey`, `apikey`, `credential` or
    // `authorization`: one walk over the key, each place tried only for the words it can start.
    let word_at = |at: usize| {
        let rest = &k[at..];
        match rest[0] {
            b'p' => {
                rest.starts_with(b"password")
                    || rest.starts_with(b"passwd")
                    || rest.starts_with(b"privatekey")
            }
            b's' => rest.starts_with(b"secret"),
            b'a' => {
                rest.starts_with(b"accesskey")
                    || rest.starts_with(b"apikey")
                    || rest.starts_with(b"authorization")
            }
            b'c' => rest.starts_with(b"credential"),
            _ => false,
        }
    };
    (0..k.len()).any(word_at)
        || k.ends_with(b"pwd")
        || (k.ends_with(b"token") && !NOT_CREDENTIALS.contains(&k))
}

/// Redacts in place. Returns how many keys were dropped plus how many strings were masked (for
/// metrics and tests); a second pass returns 0.
pub fn redact_json(value: &mut Value) -> usize {
    redact_json_with(value, &[])
}

/// As [`redact_json`], masking `extra` secret values too (besides those the answer's own
/// credential keys hold).
pub fn redact_json_with(value: &mut Value, extra: &[String]) -> usize {
    let mut secrets = maskable(extra);
    collect_secrets(value, &mut secrets, 0);
    redact_value(value, &all_forms(&secrets), 0)
}

/// The `extra` secrets worth masking wherever they appear.
fn maskable(extra: &[String]) -> Vec<String> {
    extra.iter().filter(|s| is_maskable(s)).cloned().collect()
}

/// Every form of every secret, longest first (so a form is masked before a part of it is).
fn all_forms(secrets: &[String]) -> Vec<String> {
    let mut forms: Vec<String> = secrets.iter().flat_map(|s| secret_forms(s)).collect();
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// A value worth masking wherever it appears: long enough not to be ordinary text, and not a
/// mask already.
fn is_maskable(s: &str) -> bool {
    s.chars().count() >= MIN_KNOWN_SECRET_CHARS && !s.chars().all(|c| c == '*')
}

/// The JSON document a string holds, if it holds an object or an array, and how it is written
/// there: as is, as a JSON string holding the document, or with one extra level of escaping (as
/// the seed prints `ReplicationInfo`).
fn inner_json(s: &str) -> Option<Value> {
    inner_doc(s).map(|(v, _)| v)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wrapping {
    Plain,
    JsonString,
    Escaped,
}

fn inner_doc(s: &str) -> Option<(Value, Wrapping)> {
    let t = s.trim_start();
    let doc = |text: &str| serde_json::from_str::<Value>(text).ok().filter(|v| v.is_object() || v.is_array());
    if t.starts_with('{') || t.starts_with('[') {
        let next = after_bracket(t);
        // A backslash there cannot be plain JSON, but may be an escaped document.
        if next != Some(b'\\') {
            if !may_open_document(t.as_bytes()[0], next) {
                return None;
            }
            if let Some(v) = doc(s) {
                return Some((v, Wrapping::Plain));
            }
        }
        return crate::de::unescape_once(s).and_then(|u| doc(&u)).map(|v| (v, Wrapping::Escaped));
    }
    if t.starts_with('"') {
        if let Ok(Value::String(inner)) = serde_json::from_str::<Value>(s) {
            return doc(&inner).map(|v| (v, Wrapping::JsonString));
        }
    }
    None
}

/// The first byte after the opening bracket of `t` that is not JSON whitespace.
fn after_bracket(t: &str) -> Option<u8> {
    t.as_bytes()[1..].iter().copied().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Whether a document opened by `open` (`{` or `[`) may go on with `next` (a byte that is not a
/// backslash). When it cannot, the string is no document, plain or escaped: unescaping changes
/// nothing before the first backslash. Free text in brackets (`[Check rds empty]`, a precheck's
/// `Detail`) is thus passed over without being parsed or unescaped whole.
fn may_open_document(open: u8, next: Option<u8>) -> bool {
    matches!(
        (open, next),
        (b'{', Some(b'"' | b'}'))
            | (b'[', Some(b'"' | b'{' | b'[' | b']' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'))
    )
}

/// The document written back the way it was found.
fn rewrap(v: &Value, how: Wrapping) -> String {
    let text = v.to_string();
    match how {
        Wrapping::Plain => text,
        Wrapping::JsonString => Value::String(text).to_string(),
        Wrapping::Escaped => {
            let quoted = Value::String(text).to_string();
            quoted[1..quoted.len() - 1].to_string()
        }
    }
}

fn collect_secrets(value: &Value, out: &mut Vec<String>, depth: usize) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if is_credential_key(k) {
                    collect_values(v, out);
                } else {
                    collect_secrets(v, out, depth);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_secrets(v, out, depth)),
        Value::String(s) if depth < MAX_INNER_DEPTH => {
            if let Some(inner) = inner_json(s) {
                collect_secrets(&inner, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Every scalar a credential key holds (a numeric password is a password too).
fn collect_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if is_maskable(s) => out.push(s.clone()),
        Value::Number(n) if is_maskable(&n.to_string()) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_values(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_values(v, out)),
        _ => {}
    }
}

fn redact_value(value: &mut Value, secrets: &[String], depth: usize) -> usize {
    match value {
        Value::Object(map) => {
            let before = map.len();
            map.retain(|k, _| !is_credential_key(k));
            let mut n = before - map.len();
            if !secrets.is_empty() && map.keys().any(|k| secrets.iter().any(|s| k.contains(s.as_str()))) {
                let old = std::mem::take(map);
                *map = old.into_iter().map(|(k, v)| (mask_forms(&k, secrets), v)).collect::<Map<_, _>>();
                n += 1;
            }
            for v in map.values_mut() {
                n += redact_value(v, secrets, depth);
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(|v| redact_value(v, secrets, depth)).sum(),
        Value::String(s) => {
            let (masked, n) = redact_str(s, secrets, depth);
            if let Some(masked) = masked {
                *s = masked;
            }
            n
        }
        _ => 0,
    }
}

/// One string of an answer redacted (the same for the tree and the text redaction): the JSON
/// document it may carry, passwords in its text, and every form of the known `secrets`. The
/// new string if anything changed, and how many redactions were made.
fn redact_str(original: &str, secrets: &[String], depth: usize) -> (Option<String>, usize) {
    let mut inner = if depth < MAX_INNER_DEPTH { inner_doc(original) } else { None };
    redact_str_with(original, inner.as_mut(), secrets, depth)
}

/// [`redact_str`] with the string's document already read (`inner`, as [`inner_doc`] reads it
/// when `depth` allows one), which is redacted in place.
fn redact_str_with(
    original: &str,
    inner: Option<&mut (Value, Wrapping)>,
    secrets: &[String],
    depth: usize,
) -> (Option<String>, usize) {
    let mut n = 0;
    let mut changed: Option<String> = None;
    if let Some((inner, how)) = inner {
        let m = redact_value(inner, secrets, depth + 1);
        if m > 0 {
            changed = Some(rewrap(inner, *how));
            n += m;
        }
    }
    let s = changed.as_deref().unwrap_or(original);
    if may_hold_secrets(s) {
        let masked = mask_secrets_in_text(s);
        if masked != s {
            changed = Some(masked);
            n += 1;
        }
    }
    if !secrets.is_empty() {
        let s = changed.as_deref().unwrap_or(original);
        // `mask_forms` copies the string even when it holds no form: look first.
        if secrets.iter().any(|f| memchr::memmem::find(s.as_bytes(), f.as_bytes()).is_some()) {
            let masked = mask_forms(s, secrets);
            if masked != s {
                changed = Some(masked);
                n += 1;
            }
        }
        // However an encoder escaped it (`%2D` for `-` too): such a string is decoded.
        let s = changed.as_deref().unwrap_or(original);
        if let Some(decoded) = percent_decoded(s) {
            let masked = mask_forms(&decoded, secrets);
            if masked != decoded {
                changed = Some(masked);
                n += 1;
            }
        }
    }
    (changed, n)
}

mod text;
pub use text::{redact_json_text, Redacted};

#[cfg(test)]
mod tests;
