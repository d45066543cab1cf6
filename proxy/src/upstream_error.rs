//! Upstream error bodies are cut down to the documented error shape before anything else sees
//! them: `RequestId`, `Code`, `Message`, `Recommend`. `Message` is scrubbed of the key ID, the
//! security token and any echoed string to sign (`SignatureDoesNotMatch` echoes it, and in RPC
//! mode it holds the token), as the STS client does (`credentials::transport::scrub`).
//! `AccessDeniedDetail` (account IDs, RAM principals) goes to the log, never to the browser.
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::credentials::transport::scrub;

/// The documented fields of an error body, the only ones kept.
const KEPT: &[&str] = &["RequestId", "Code", "Message", "Recommend"];

/// The error body reduced to its documented fields, with `Message` scrubbed of `secrets`. A body
/// that is not a JSON object is returned as it is (the caller refuses it as unreadable).
pub fn shape_error_body(body: &[u8], secrets: &[&str]) -> Bytes {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Bytes::copy_from_slice(body);
    };
    if let Some(detail) = map.get("AccessDeniedDetail") {
        let mut detail = detail.clone();
        migration_model::redact::redact_json(&mut detail);
        let code = map.get("Code").and_then(Value::as_str).unwrap_or("-");
        tracing::warn!(code, access_denied_detail = %detail, "the upstream refused the call");
    }
    let mut kept = Map::new();
    for key in KEPT {
        if let Some(value) = map.get(*key) {
            let value = match value {
                Value::String(s) => Value::String(scrub(s, secrets)),
                other => Value::String(scrub(&other.to_string(), secrets)),
            };
            kept.insert((*key).to_string(), value);
        }
    }
    Bytes::from(Value::Object(kept).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_fields_leave_and_the_message_is_scrubbed() {
        let body = serde_json::json!({
            "RequestId": "R-1", "Code": "SignatureDoesNotMatch", "Recommend": "https://api.aliyun.com/troubleshoot?q=x",
            "HostId": "rds.aliyuncs.com",
            "Message": "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI-key-id%26SecurityToken%3DCAIS-tok3n",
            "AccessDeniedDetail": {"AuthPrincipalOwnerId": "1234567890123456", "AuthPrincipalDisplayName": "ram-user"},
        })
        .to_string();
        let out = shape_error_body(body.as_bytes(), &["LTAI-key-id", "CAIS-tok3n"]);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["RequestId", "Code", "Message", "Recommend"]
        );
        let text = String::from_utf8_lossy(&out);
        for gone in
            ["LTAI-key-id", "CAIS-tok3n", "1234567890123456", "ram-user", "HostId", "string to sign is:"]
        {
            assert!(!text.contains(gone), "{gone}: {text}");
        }
        assert!(v["Message"].as_str().unwrap().starts_with("Specified signature is not matched"));
        // The key ID anywhere in the message, not only in the echoed string to sign.
        let out = shape_error_body(br#"{"Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key LTAI-key-id is not found."}"#, &["LTAI-key-id"]);
        assert!(!String::from_utf8_lossy(&out).contains("LTAI-key-id"));
        assert_eq!(&shape_error_body(b"<xml/>", &[])[..], b"<xml/>");
    }
}
