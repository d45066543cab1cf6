//! The redaction of [`super::redact_json_with`] made on an answer's text, without building a
//! `serde_json::Value` tree for it (the cost of a cache miss is mostly such allocations).
//!
//! - One pass writes the document compactly, as `Value::to_string` writes the redacted tree:
//!   credential keys are dropped, and every string goes through the one string redaction the tree
//!   uses ([`super::redact_str`]), so both make the same decisions. It also collects the values
//!   the credential keys held (the secrets to mask wherever else they appear). When it redacted
//!   nothing, the text is kept exactly as it came.
//! - Those secrets are known only at the end. When no form of them is found in what was written
//!   (nor in the JSON documents carried in strings, read decoded), the pass's output is final;
//!   otherwise a second pass writes the document again with them masked. The check is
//!   conservative: a form that JSON escapes, a `%` anywhere, or a document inside a carried
//!   document sends the answer to the second pass.
//! - A key that holds a form of a secret (rare: the tree rewrites keys) sends the whole document
//!   through the tree redaction.
//!
//! Duplicate keys (JSON allows them; the tree keeps the last) are each redacted and kept, and a
//! JSON reader takes the last, as the tree does. A secret held by an earlier duplicate is masked
//! too, which the tree, having dropped that value, does not do.
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::{
    all_forms, collect_secrets, inner_doc, is_credential_key, is_maskable, maskable, redact_json_with,
    redact_str, redact_str_with,
};

/// A redacted answer.
#[derive(Debug)]
pub struct Redacted<'a> {
    /// The redacted document; the text as it came when there was nothing to redact.
    pub json: Cow<'a, [u8]>,
    /// How many keys were dropped and strings masked, as [`super::redact_json`] counts them.
    pub count: usize,
    /// The document's top-level `RequestId`, if it is a string (after redaction).
    pub request_id: Option<String>,
}

/// Redacts the JSON document `text` as [`super::redact_json_with`] redacts its tree (masking
/// `extra` secret values too), or None if `text` is not a JSON document.
pub fn redact_json_text<'a>(text: &'a [u8], extra: &[String]) -> Option<Redacted<'a>> {
    let found = Found { secrets: maskable(extra), inner: Vec::new() };
    let mut out = Vec::with_capacity(text.len());
    let mut w = Writer {
        out: &mut out,
        forms: &[],
        count: 0,
        request_id: None,
        key_holds_secret: false,
        found: Some(found),
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    WriteSeed { w: &mut w, top: true, capture: false }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let (count, request_id, found) = (w.count, w.request_id.take(), w.found.take()?);
    if found.secrets.is_empty() {
        let json = if count == 0 { Cow::Borrowed(text) } else { Cow::Owned(out) };
        return Some(Redacted { json, count, request_id });
    }
    let forms = all_forms(&found.secrets);
    if nothing_to_mask(&forms, &out, &found.inner) {
        return Some(Redacted { json: Cow::Owned(out), count, request_id });
    }

    out.clear();
    let mut w = Writer {
        out: &mut out,
        forms: &forms,
        count: 0,
        request_id: None,
        key_holds_secret: false,
        found: None,
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    let written = WriteSeed { w: &mut w, top: true, capture: false }.deserialize(&mut de);
    if written.is_ok() && !w.key_holds_secret {
        let (count, request_id) = (w.count, w.request_id.take());
        return Some(Redacted { json: Cow::Owned(out), count, request_id });
    }
    // A key holds a secret: the tree redaction rewrites keys.
    let mut value: Value = serde_json::from_slice(text).ok()?;
    let count = redact_json_with(&mut value, extra);
    let request_id = value.get("RequestId").and_then(Value::as_str).map(str::to_string);
    Some(Redacted { json: Cow::Owned(value.to_string().into_bytes()), count, request_id })
}

/// What the first pass gathers besides the document.
struct Found {
    /// Values held by credential keys (and the `extra` ones), as `collect_secrets` finds them.
    secrets: Vec<String>,
    /// The JSON documents carried in the answer's strings, redacted (without the secrets).
    inner: Vec<Value>,
}

/// Whether the second pass would mask nothing: no form of a secret in the written document
/// `out` (its keys and strings are written by serde_json, so a form JSON does not escape is
/// there as it is) nor in the carried documents `inner` (kept in the output in their own
/// escaping, so read decoded). Anything it cannot rule out counts as something to mask: a form
/// that JSON escapes, a `%` (percent-decoding could make a form), a document inside a carried one.
fn nothing_to_mask(forms: &[String], out: &[u8], inner: &[Value]) -> bool {
    let plain = |f: &String| !f.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    if !forms.iter().all(plain) || memchr::memchr(b'%', out).is_some() {
        return false;
    }
    // Each form's searcher is built once for all the strings it is looked for in.
    let finders: Vec<memchr::memmem::Finder> =
        forms.iter().map(|f| memchr::memmem::Finder::new(f.as_bytes())).collect();
    !finders.iter().any(|f| f.find(out).is_some()) && inner.iter().all(|doc| clean(doc, &finders))
}

fn clean(value: &Value, forms: &[memchr::memmem::Finder]) -> bool {
    let holds = |s: &str| {
        memchr::memchr(b'%', s.as_bytes()).is_some() || forms.iter().any(|f| f.find(s.as_bytes()).is_some())
    };
    match value {
        Value::Object(map) => map.iter().all(|(k, v)| !holds(k) && clean(v, forms)),
        Value::Array(items) => items.iter().all(|v| clean(v, forms)),
        Value::String(s) => !holds(s) && inner_doc(s).is_none(),
        _ => true,
    }
}

/// A key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

/// Every scalar under a credential key, as `collect_values` collects them.
struct Collect<'s> {
    out: &'s mut Vec<String>,
}

impl Collect<'_> {
    fn number(self, n: Number) {
        let text = n.to_string();
        if is_maskable(&text) {
            self.out.push(text);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Collect<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Collect<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        if is_maskable(s) {
            self.out.push(s.to_string());
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.number(n.into());
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.number(n.into());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        if let Some(n) = Number::from_f64(n) {
            self.number(n);
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Collect { out: self.out })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Key)?.is_some() {
            map.next_value_seed(Collect { out: self.out })?;
        }
        Ok(())
    }
}

/// The second pass: the document written again, redacted.
struct Writer<'o, 'f> {
    out: &'o mut Vec<u8>,
    /// Every form of every secret, longest first.
    forms: &'f [String],
    count: usize,
    request_id: Option<String>,
    key_holds_secret: bool,
    /// In the first pass, what it gathers; None in the second.
    found: Option<Found>,
}

impl Writer<'_, '_> {
    fn string(&mut self, s: &str) {
        // serde_json's own escaping, as `Value::to_string` writes strings and keys.
        let _ = serde_json::to_writer(&mut *self.out, s);
    }

    fn number(&mut self, n: &Number) {
        let _ = serde_json::to_writer(&mut *self.out, n);
    }
}

struct WriteSeed<'a, 'o, 'f> {
    w: &'a mut Writer<'o, 'f>,
    top: bool,
    capture: bool,
}

impl<'de> DeserializeSeed<'de> for WriteSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WriteSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        let (masked, n) = match &mut self.w.found {
            None => redact_str(s, self.w.forms, 0),
            Some(found) => {
                // Read once, for the secrets it holds and for its redaction.
                let mut inner = inner_doc(s);
                if let Some((doc, _)) = &inner {
                    collect_secrets(doc, &mut found.secrets, 1);
                }
                let redacted = redact_str_with(s, inner.as_mut(), self.w.forms, 0);
                found.inner.extend(inner.map(|(doc, _)| doc));
                redacted
            }
        };
        self.w.count += n;
        let s = masked.as_deref().unwrap_or(s);
        self.w.string(s);
        if self.capture {
            self.w.request_id = Some(s.to_string());
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.w.out.extend_from_slice(if b { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.w.number(&n.into());
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.w.number(&n.into());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        // As the tree holds it (a parsed number is always finite).
        match Number::from_f64(n) {
            Some(n) => self.w.number(&n),
            None => self.w.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.w.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.w.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.w.out.len();
            if !first {
                self.w.out.push(b',');
            }
            if seq.next_element_seed(WriteSeed { w: self.w, top: false, capture: false })?.is_none() {
                // No element after all: take the separator back.
                self.w.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.w.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.w.out.push(b'{');
        let mut first = true;
        while let Some(key) = map.next_key_seed(Key)? {
            if is_credential_key(&key) {
                self.w.count += 1;
                match &mut self.w.found {
                    Some(found) => map.next_value_seed(Collect { out: &mut found.secrets })?,
                    None => map.next_value::<IgnoredAny>().map(drop)?,
                };
                continue;
            }
            if self.w.forms.iter().any(|f| key.contains(f.as_str())) {
                self.w.key_holds_secret = true;
                return Err(de::Error::custom("a key holds a secret"));
            }
            if !first {
                self.w.out.push(b',');
            }
            first = false;
            self.w.string(&key);
            self.w.out.push(b':');
            let capture = self.top && key == "RequestId";
            if capture {
                self.w.request_id = None;
            }
            map.next_value_seed(WriteSeed { w: self.w, top: false, capture })?;
        }
        self.w.out.push(b'}');
        Ok(())
    }
}
