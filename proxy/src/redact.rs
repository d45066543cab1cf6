//! Removes secrets from upstream answers before they reach a browser. The masker itself is the
//! model's (`migration_model::redact`), shared with the app, so there is exactly one: it drops
//! every credential-named key at any depth (pagination tokens stay), masks the values those keys
//! held wherever else they appear (raw, JSON-escaped or percent-encoded), and masks passwords in
//! free text (`password=`, URI user info, `database by <account>:<password>`).
use std::borrow::Cow;

use bytes::Bytes;
use serde_json::Value;

pub use migration_model::redact::{is_credential_key, MASK};

/// Redacts in place. Returns how many secrets were removed or masked (for metrics and tests).
pub fn redact(value: &mut Value) -> usize {
    migration_model::redact::redact_json(value)
}

/// An upstream body, redacted.
pub struct RedactedBody {
    pub body: Bytes,
    /// How many secrets were removed or masked.
    pub count: usize,
    /// The answer's top-level `RequestId`.
    pub request_id: Option<String>,
}

/// Redacts a JSON body as [`redact`] does its tree, on the text (no tree is built, and a body with
/// nothing to redact is the same bytes, not a copy); None if it is not JSON.
pub fn redact_body(body: &Bytes) -> Option<RedactedBody> {
    let redacted = migration_model::redact::redact_json_text(body, &[])?;
    let out = match redacted.json {
        Cow::Borrowed(_) => body.clone(),
        Cow::Owned(text) => Bytes::from(text),
    };
    Some(RedactedBody { body: out, count: redacted.count, request_id: redacted.request_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The proxy's masker is the model's: the strong one, not a `password=`-only one.
    #[test]
    fn the_proxy_uses_the_one_masker() {
        let mut v = json!({
            "Items": [{"SourcePassword": "Pw-0000-x", "Detail": "error:cannot connect to source database by u:Pw-0000-x",
                       "Conninfo": "postgresql://u:Uri-secret@h/db", "sslpassword": "q", "NextToken": "2"}],
        });
        assert!(redact(&mut v) >= 3);
        let text = v.to_string();
        assert!(
            !text.contains("Pw-0000-x") && !text.contains("Uri-secret") && !text.contains("sslpassword"),
            "{text}"
        );
        assert_eq!(v["Items"][0]["NextToken"], "2");
    }
}
