//! Alibaba's error body and this crate's parse error.

use crate::catalogue::{catalogued_code, classify, ErrorClass};
use crate::de;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The error shape of every Alibaba OpenAPI answer, and of the proxy's own errors:
/// `{"RequestId","Code","Message"[,"Recommend"]}`. `HostId`, `AccessDeniedDetail` and other
/// fields are tolerated and dropped. Lower-case keys (`code`, `message`, `requestId`), which the
/// official SDKs also read, are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    #[serde(default, alias = "requestId", deserialize_with = "de::string_lenient")]
    pub request_id: String,
    #[serde(default, alias = "code", deserialize_with = "de::string_lenient")]
    pub code: String,
    #[serde(default, alias = "message", deserialize_with = "de::string_lenient")]
    pub message: String,
    #[serde(
        default,
        alias = "recommend",
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub recommend: Option<String>,
}

impl ApiErrorBody {
    pub fn new(request_id: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { request_id: request_id.into(), code: code.into(), message: message.into(), recommend: None }
    }

    /// Reads an error body from JSON text; `None` when it is not one (no `Code`).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str::<ApiErrorBody>(text).ok().filter(|b| !b.code.is_empty())
    }

    pub fn class(&self, http_status: u16) -> ErrorClass {
        classify(&self.code, http_status)
    }

    /// The catalogued code (this one, or its family's) that the dashboard words for people;
    /// the service's own `Message` stays available in `message`.
    pub fn catalogued_code(&self, http_status: u16) -> Option<&'static str> {
        catalogued_code(&self.code, http_status)
    }
}

impl fmt::Display for ApiErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if !self.request_id.is_empty() {
            write!(f, " (RequestId {})", self.request_id)?;
        }
        Ok(())
    }
}

/// Why a value from the service could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Absent: empty, whitespace or the string `"null"`.
    Empty,
    /// Text that is not what the field should hold; the message says what was wrong.
    Invalid(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => f.write_str("empty value"),
            ParseError::Invalid(m) => write!(f, "invalid value: {m}"),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_documented_body() {
        let body = r#"{"RequestId":"6BE56E05-XXXX-XXXX-XXXX-FD90C4FFD581","HostId":"ecs.ap-southeast-3.aliyuncs.com",
            "Code":"InvalidImageId.NotFound","Message":"The specified ImageId does not exist.",
            "Recommend":"https://api.alibabacloud.com/troubleshoot?q=InvalidImageId.NotFound"}"#;
        let e = ApiErrorBody::parse(body).unwrap();
        assert_eq!(e.code, "InvalidImageId.NotFound");
        assert!(e.recommend.is_some());
        assert_eq!(e.class(404), ErrorClass::Client);
        let back = serde_json::to_value(&e).unwrap();
        assert!(back.get("HostId").is_none());
        assert_eq!(back["Code"], "InvalidImageId.NotFound");
    }

    #[test]
    fn omits_recommend_and_reads_lowercase() {
        let e = ApiErrorBody::new("R1", "Proxy.Forbidden", "You are not allowed to see this.");
        let s = serde_json::to_string(&e).unwrap();
        assert!(!s.contains("Recommend"));
        assert!(s.contains("\"RequestId\":\"R1\""));
        let l = ApiErrorBody::parse(r#"{"code":"Throttling","message":"m","requestId":"x"}"#).unwrap();
        assert_eq!((l.code.as_str(), l.request_id.as_str()), ("Throttling", "x"));
        assert_eq!(l.class(400), ErrorClass::Throttled);
        assert_eq!(ApiErrorBody::parse(r#"{"Items":[]}"#), None);
        assert_eq!(ApiErrorBody::parse("not json"), None);
        assert_eq!(format!("{e}"), "Proxy.Forbidden: You are not allowed to see this. (RequestId R1)");
    }
}
