//! The proxy's one error type. Every error leaves as Alibaba's error shape
//! `{"RequestId","Code","Message"}`, with codes starting `Proxy.` for the proxy's own errors.
//! Messages name what was wrong but never carry a secret or an upstream URL.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyError {
    #[error("{0}")]
    InvalidParameter(String),
    #[error("The action {0:?} is not allowed through this proxy.")]
    ActionNotAllowed(String),
    #[error("The request is not authenticated.")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("The upstream RDS endpoint did not answer in time.")]
    UpstreamTimeout,
    #[error("The upstream RDS endpoint is unavailable: {0}")]
    UpstreamUnavailable(String),
    #[error("The proxy has too many calls to the RDS API in flight; try again in a moment.")]
    Busy,
    /// The caller's own rate is exceeded; the number is the seconds to wait (`Retry-After`).
    #[error("Too many calls from you in a short time; try again in {0} s.")]
    RateLimited(u64),
    /// The upstream's answer is larger than the proxy reads for this action.
    #[error("{0}")]
    UpstreamTooLarge(String),
    #[error("{0}")]
    Internal(String),
    #[error("This proxy keeps no history: it was started without a history store.")]
    HistoryNotConfigured,
    #[error("The history store is not answering; live data is not affected. Try again later.")]
    HistoryUnavailable,
    #[error("{0}")]
    NotWatched(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
}

impl ProxyError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidParameter(_) => "Proxy.InvalidParameter",
            Self::ActionNotAllowed(_) => "Proxy.ActionNotAllowed",
            Self::Unauthorized => "Proxy.Unauthorized",
            Self::Forbidden(_) => "Proxy.Forbidden",
            Self::NotFound(_) => "Proxy.NotFound",
            Self::PayloadTooLarge(_) => "Proxy.PayloadTooLarge",
            Self::UpstreamTimeout => "Proxy.UpstreamTimeout",
            Self::UpstreamUnavailable(_) => "Proxy.UpstreamUnavailable",
            Self::Busy => "Proxy.Busy",
            Self::RateLimited(_) => "Proxy.RateLimited",
            Self::UpstreamTooLarge(_) => "Proxy.UpstreamTooLarge",
            Self::Internal(_) => "Proxy.Internal",
            Self::HistoryNotConfigured => "Proxy.HistoryNotConfigured",
            Self::HistoryUnavailable => "Proxy.HistoryUnavailable",
            Self::NotWatched(_) => "Proxy.NotWatched",
            Self::UnsupportedMediaType(_) => "Proxy.UnsupportedMediaType",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            Self::ActionNotAllowed(_) | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::UpstreamUnavailable(_) => StatusCode::BAD_GATEWAY,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::UpstreamTooLarge(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::HistoryNotConfigured | Self::NotWatched(_) => StatusCode::NOT_FOUND,
            Self::HistoryUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }
}

/// A request ID in Alibaba's format (upper-case UUID), so proxy errors can be quoted like upstream ones.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// Builds an error response in Alibaba's shape.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "RequestId": new_request_id(),
        "Code": code,
        "Message": message,
    });
    (status, Json(body)).into_response()
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(code = self.code(), %detail, "internal error");
            return error_response(self.status(), self.code(), "An internal error occurred in the proxy.");
        }
        let mut response = error_response(self.status(), self.code(), &self.to_string());
        let retry_after = match self {
            Self::Busy => Some(1),
            Self::RateLimited(secs) => Some(secs),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn errors_have_alibabas_shape() {
        let resp = ProxyError::ActionNotAllowed("DeleteDBInstance".into()).into_response();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["Code"], "Proxy.ActionNotAllowed");
        assert!(v["Message"].as_str().unwrap().contains("DeleteDBInstance"));
        assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn every_proxy_code_is_in_the_catalogue_with_its_status() {
        let all = [
            ProxyError::InvalidParameter(String::new()),
            ProxyError::ActionNotAllowed(String::new()),
            ProxyError::Unauthorized,
            ProxyError::Forbidden(String::new()),
            ProxyError::NotFound(String::new()),
            ProxyError::PayloadTooLarge(String::new()),
            ProxyError::UpstreamTimeout,
            ProxyError::UpstreamUnavailable(String::new()),
            ProxyError::Busy,
            ProxyError::RateLimited(1),
            ProxyError::UpstreamTooLarge(String::new()),
            ProxyError::Internal(String::new()),
            ProxyError::HistoryNotConfigured,
            ProxyError::HistoryUnavailable,
            ProxyError::NotWatched(String::new()),
            ProxyError::UnsupportedMediaType(String::new()),
        ];
        for e in all {
            let info = migration_model::error_info(e.code())
                .unwrap_or_else(|| panic!("{} is not in the catalogue", e.code()));
            assert_eq!(info.http_status, e.status().as_u16(), "{}", e.code());
        }
        for (code, status) in
            [("Proxy.MethodNotAllowed", 405), ("Proxy.AppNotBuilt", 503), ("Proxy.RequestTimeout", 408)]
        {
            assert_eq!(migration_model::error_info(code).map(|i| i.http_status), Some(status), "{code}");
        }
    }

    #[tokio::test]
    async fn internal_details_stay_in_the_log() {
        let resp = ProxyError::Internal("lock poisoned at foo.rs:12".into()).into_response();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("foo.rs"));
        assert!(text.contains("Proxy.Internal"));
    }
}
