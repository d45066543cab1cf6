//! The error-code catalogue: every code in the seed document's error table, the gateway's
//! signing/throttling codes (reference §4.2), and the proxy's own `Proxy.*` codes. Each has its
//! HTTP status and a class; the dashboard words each code in its own catalogue (`src/i18n.rs`).
//!
//! Classify by `Code`, not by status: the documentation disagrees on some statuses
//! (`SignatureDoesNotMatch` 400 vs 403, `InvalidAccessKeyId.NotFound` 400 vs 404).

use serde::{Deserialize, Serialize};

/// What a caller should do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum ErrorClass {
    /// Transient (timeout, unreachable, nonce reuse): the same read may be retried soon.
    Retryable,
    /// Rate limited: retry after backing off.
    Throttled,
    /// The request is wrong or not possible; retrying the same request will not help.
    Client,
    /// Identity, signature, credentials or permission; needs someone to fix configuration or access.
    Auth,
    /// The service failed; a read may be retried with backoff.
    Server,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Retryable => "retryable",
            ErrorClass::Throttled => "throttled",
            ErrorClass::Client => "client",
            ErrorClass::Auth => "auth",
            ErrorClass::Server => "server",
        }
    }

    /// Whether retrying a read-only call may succeed (every action the proxy allows is a read).
    pub fn should_retry(self) -> bool {
        matches!(self, ErrorClass::Retryable | ErrorClass::Throttled | ErrorClass::Server)
    }
}

/// One catalogued error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub http_status: u16,
    pub class: ErrorClass,
}

const fn e(code: &'static str, http_status: u16, class: ErrorClass) -> ErrorInfo {
    ErrorInfo { code, http_status, class }
}

use ErrorClass::{Auth, Client, Retryable, Server, Throttled};

#[rustfmt::skip]
static CATALOGUE: &[ErrorInfo] = &[
    // --- The seed document's error table (DescribeCloudMigrationResult), in its order. ---
    e("Order.ComboInstanceNotAllowOperate", 400, Client),
    e("Price.PricingPlanResultNotFound", 400, Client),
    e("Order.NoRealNameAuthentication", 400, Client),
    e("InsufficientAvailableQuota", 400, Client),
    e("CommodityServiceCalling.Exception", 400, Retryable),
    e("RegionDissolvedEOM", 400, Client),
    e("Commodity.InvalidComponent", 400, Client),
    e("RegionEndTimeDissolvedAustralia", 400, Client),
    e("Price.CommoditySys", 400, Retryable),
    e("Pay.InsufficientBalance", 400, Client),
    e("Order.PeriodInvalid", 400, Client),
    e("pay.noCreditCard", 400, Client),
    e("Order.InstHasUnpaidOrder", 400, Client),
    e("noAvailablePaymentMethod", 400, Client),
    e("BasicInfoUncompleted", 400, Client),
    e("Risk.RiskControlRejection", 400, Auth),
    e("Api.NotSupport", 400, Client),
    e("ContainForbiddenLabelError", 400, Client),
    e("InvalidDBInstanceId.NotFound", 400, Client),
    e("InvalidInstanceLevel.DiskType", 400, Client),
    e("InvalidParam", 400, Client),
    e("KmsApiError", 400, Client),
    e("System.SaleValidateFailed", 400, Server),
    e("Abs.InvalidAccount.NotFound", 400, Auth),
    e("SqlExecuteFailedOrTimeout", 400, Retryable),
    e("ColdData.EngineVersionNotSupport", 400, Client),
    e("ColdData.MinorVersionNotSupport", 400, Client),
    e("IncorrectTargetClasscode", 400, Client),
    e("InvalidConnectionString.Duplicate", 400, Client),
    e("RequiredParam.NotFound", 400, Client),
    e("Parameters.Invalid", 400, Client),
    e("BackupPolicyNotSupport", 400, Client),
    e("InvalideStatus.Format", 400, Client),
    e("InvalidReleasedKeepPolicy.Format", 400, Client),
    e("InvalidDBInstanceEngineType.Format", 400, Client),
    e("Pay.NoCreditCard", 400, Client),
    e("VpcNetworkTypeNotSupport", 400, Client),
    e("MirrorInsExists", 400, Client),
    e("UnsupportedClassCode", 400, Client),
    e("InvalidBackupSet", 400, Client),
    e("OrdTCommodityQueryError", 400, Retryable),
    e("ProductInstanceReleased", 400, Client),
    e("RegionEndTimeDissolvedIndia", 400, Client),
    e("ExternalFailure", 500, Server),
    e("RequestMetaDataFailed", 500, Server),
    e("InvokeProxyFailure", 500, Server),
    e("OrderStatus.UnPaid", 403, Client),
    e("InvalidReduceDiskSize", 403, Client),
    e("CloudSSDNotSupport", 403, Client),
    e("InvalidUserOperatorPermission", 403, Auth),
    e("InvalidVswitchId", 403, Client),
    e("IncorrectMinorVersion", 403, Client),
    e("OperationDenied.ZoneResource", 403, Client),
    e("NotInFlowController", 403, Auth),
    e("InvalidKmsKey", 403, Client),
    e("InvalidInstanceLevel.Malformed", 403, Client),
    e("InvalidDBInstanceName.NotFound", 404, Client),
    e("InvalidClusterKms", 404, Auth),
    e("Request.NotFound", 404, Client),
    e("HostInfo.NotFound", 404, Client),
    // --- Gateway-wide codes: signing, timestamps, throttling (reference §4.2). ---
    e("Throttling", 400, Throttled),
    e("Throttling.User", 400, Throttled),
    e("Throttling.Api", 400, Throttled),
    e("SignatureDoesNotMatch", 400, Auth),
    e("IncompleteSignature", 400, Auth),
    e("InvalidAccessKeyId.NotFound", 404, Auth),
    e("InvalidAccessKeyId.Inactive", 400, Auth),
    e("SignatureNonceUsed", 400, Retryable),
    e("InvalidTimeStamp.Expired", 400, Auth),
    e("InvalidTimeStamp.Format", 400, Client),
    e("IllegalTimestamp", 400, Client),
    e("MissingParameter", 400, Client),
    e("InvalidParameter", 400, Client),
    e("InvalidApi.NotFound", 404, Client),
    e("InvalidProduct.NotFound", 404, Client),
    e("UnsupportedHTTPMethod", 400, Client),
    e("InvalidSignatureMethod", 400, Auth),
    e("Forbidden.RAM", 403, Auth),
    e("Forbidden.RiskControl", 403, Auth),
    e("InternalError", 500, Server),
    e("ServiceUnavailable", 503, Retryable),
    e("IncorrectDBInstanceState", 400, Client),
    // STS tokens (the gateway's codes for `SecurityToken`; used by the simulator's STS stand-in).
    e("InvalidSecurityToken.Expired", 400, Auth),
    e("InvalidSecurityToken.Malformed", 400, Auth),
    e("InvalidSecurityToken.MismatchWithAccessKey", 400, Auth),
    // --- The proxy's own codes (docs/architecture.md, "Errors"). ---
    e("Proxy.Unauthorized", 401, Auth),
    e("Proxy.Forbidden", 403, Auth),
    e("Proxy.ActionNotAllowed", 403, Client),
    e("Proxy.InvalidParameter", 400, Client),
    e("Proxy.UpstreamTimeout", 504, Retryable),
    e("Proxy.UpstreamUnavailable", 502, Retryable),
    e("Proxy.NotFound", 404, Client),
    e("Proxy.PayloadTooLarge", 413, Client),
    e("Proxy.Internal", 500, Server),
    e("Proxy.MethodNotAllowed", 405, Client),
    e("Proxy.Busy", 503, Retryable),
    e("Proxy.RequestTimeout", 408, Retryable),
    e("Proxy.RateLimited", 429, Throttled),
    e("Proxy.UpstreamTooLarge", 502, Server),
    e("Proxy.HistoryNotConfigured", 404, Client),
    e("Proxy.HistoryUnavailable", 503, Retryable),
    e("Proxy.NotWatched", 404, Client),
    e("Proxy.UnsupportedMediaType", 415, Client),
    e("Proxy.AppNotBuilt", 503, Server),
];

/// Every catalogued code.
pub fn catalogue() -> &'static [ErrorInfo] {
    CATALOGUE
}

/// The catalogue entry for `code`: exact match first, then ignoring ASCII case.
pub fn error_info(code: &str) -> Option<&'static ErrorInfo> {
    let code = code.trim();
    CATALOGUE
        .iter()
        .find(|i| i.code == code)
        .or_else(|| CATALOGUE.iter().find(|i| i.code.eq_ignore_ascii_case(code)))
}

/// The class of any error: the catalogue's when the code is known, else by the code's family
/// and the HTTP status (`Throttling*`/429 throttled, signature/key/permission/401/403 auth,
/// 502/503/504 retryable, other 5xx server, the rest client).
pub fn classify(code: &str, http_status: u16) -> ErrorClass {
    if let Some(info) = error_info(code) {
        return info.class;
    }
    let c = code.trim().to_ascii_lowercase();
    let has = |needle: &str| c.contains(needle);
    if c.starts_with("throttling")
        || has("throttl")
        || has("flowcontrol")
        || has("toomanyrequests")
        || http_status == 429
    {
        ErrorClass::Throttled
    } else if has("signature")
        || has("accesskey")
        || has("securitytoken")
        || has("forbidden")
        || has("unauthorized")
        || has("permission")
        || http_status == 401
        || http_status == 403
    {
        ErrorClass::Auth
    } else if matches!(http_status, 502..=504) || has("timeout") || has("unavailable") {
        ErrorClass::Retryable
    } else if http_status >= 500 || has("internalerror") {
        ErrorClass::Server
    } else {
        ErrorClass::Client
    }
}

/// The catalogued code whose meaning an error has: its own, or for an uncatalogued code of the
/// documented families `Missing{Parameter}` / `Invalid{Parameter}`, the family's; `None` for a
/// code neither covers (the dashboard words those by their class, [`classify`]).
pub fn catalogued_code(code: &str, http_status: u16) -> Option<&'static str> {
    if let Some(info) = error_info(code) {
        return Some(info.code);
    }
    match classify(code, http_status) {
        ErrorClass::Client if code.starts_with("Missing") => Some("MissingParameter"),
        ErrorClass::Client if code.starts_with("Invalid") => Some("InvalidParameter"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed document's error table: (status, code), verbatim and in order.
    #[rustfmt::skip]
    const SEED_TABLE: &[(u16, &str)] = &[
        (400, "Order.ComboInstanceNotAllowOperate"), (400, "Price.PricingPlanResultNotFound"),
        (400, "Order.NoRealNameAuthentication"), (400, "InsufficientAvailableQuota"),
        (400, "CommodityServiceCalling.Exception"), (400, "RegionDissolvedEOM"),
        (400, "Commodity.InvalidComponent"), (400, "RegionEndTimeDissolvedAustralia"),
        (400, "Price.CommoditySys"), (400, "Pay.InsufficientBalance"), (400, "Order.PeriodInvalid"),
        (400, "pay.noCreditCard"), (400, "Order.InstHasUnpaidOrder"), (400, "noAvailablePaymentMethod"),
        (400, "BasicInfoUncompleted"), (400, "Risk.RiskControlRejection"), (400, "Api.NotSupport"),
        (400, "ContainForbiddenLabelError"), (400, "InvalidDBInstanceId.NotFound"),
        (400, "InvalidInstanceLevel.DiskType"), (400, "InvalidParam"), (400, "KmsApiError"),
        (400, "System.SaleValidateFailed"), (400, "Abs.InvalidAccount.NotFound"),
        (400, "SqlExecuteFailedOrTimeout"), (400, "ColdData.EngineVersionNotSupport"),
        (400, "ColdData.MinorVersionNotSupport"), (400, "IncorrectTargetClasscode"),
        (400, "InvalidConnectionString.Duplicate"), (400, "RequiredParam.NotFound"),
        (400, "Parameters.Invalid"), (400, "BackupPolicyNotSupport"), (400, "InvalideStatus.Format"),
        (400, "InvalidReleasedKeepPolicy.Format"), (400, "InvalidDBInstanceEngineType.Format"),
        (400, "Pay.NoCreditCard"), (400, "VpcNetworkTypeNotSupport"), (400, "MirrorInsExists"),
        (400, "UnsupportedClassCode"), (400, "InvalidBackupSet"), (400, "OrdTCommodityQueryError"),
        (400, "ProductInstanceReleased"), (400, "RegionEndTimeDissolvedIndia"),
        (500, "ExternalFailure"), (500, "RequestMetaDataFailed"), (500, "InvokeProxyFailure"),
        (403, "OrderStatus.UnPaid"), (403, "InvalidReduceDiskSize"), (403, "CloudSSDNotSupport"),
        (403, "InvalidUserOperatorPermission"), (403, "InvalidVswitchId"), (403, "IncorrectMinorVersion"),
        (403, "OperationDenied.ZoneResource"), (403, "NotInFlowController"), (403, "InvalidKmsKey"),
        (403, "InvalidInstanceLevel.Malformed"), (404, "InvalidDBInstanceName.NotFound"),
        (404, "InvalidClusterKms"), (404, "Request.NotFound"), (404, "HostInfo.NotFound"),
    ];

    /// Reference §4.2 (signing, throttling and common codes) and the proxy's codes.
    #[rustfmt::skip]
    const OTHER_CODES: &[(&str, u16, ErrorClass)] = &[
        ("Throttling", 400, Throttled), ("Throttling.User", 400, Throttled), ("Throttling.Api", 400, Throttled),
        ("SignatureDoesNotMatch", 400, Auth), ("IncompleteSignature", 400, Auth),
        ("InvalidAccessKeyId.NotFound", 404, Auth), ("InvalidAccessKeyId.Inactive", 400, Auth),
        ("SignatureNonceUsed", 400, Retryable), ("InvalidTimeStamp.Expired", 400, Auth),
        ("InvalidTimeStamp.Format", 400, Client), ("IllegalTimestamp", 400, Client),
        ("MissingParameter", 400, Client), ("InvalidParameter", 400, Client),
        ("InvalidApi.NotFound", 404, Client), ("InvalidProduct.NotFound", 404, Client),
        ("UnsupportedHTTPMethod", 400, Client), ("InvalidSignatureMethod", 400, Auth),
        ("Forbidden.RAM", 403, Auth), ("Forbidden.RiskControl", 403, Auth),
        ("InternalError", 500, Server), ("ServiceUnavailable", 503, Retryable),
        ("IncorrectDBInstanceState", 400, Client),
        ("Proxy.Unauthorized", 401, Auth), ("Proxy.Forbidden", 403, Auth),
        ("Proxy.ActionNotAllowed", 403, Client), ("Proxy.InvalidParameter", 400, Client),
        ("Proxy.UpstreamTimeout", 504, Retryable), ("Proxy.UpstreamUnavailable", 502, Retryable),
        ("Proxy.NotFound", 404, Client), ("Proxy.PayloadTooLarge", 413, Client), ("Proxy.Internal", 500, Server),
        ("Proxy.MethodNotAllowed", 405, Client), ("Proxy.AppNotBuilt", 503, Server),
        ("Proxy.Busy", 503, Retryable), ("Proxy.RateLimited", 429, Throttled),
        ("Proxy.UpstreamTooLarge", 502, Server), ("Proxy.RequestTimeout", 408, Retryable),
    ];

    #[test]
    fn every_seed_code_is_catalogued_with_its_status() {
        assert_eq!(SEED_TABLE.len(), 60);
        for (status, code) in SEED_TABLE {
            let info = error_info(code).unwrap_or_else(|| panic!("missing {code}"));
            assert_eq!(info.code, *code);
            assert_eq!(info.http_status, *status, "{code}");
        }
    }

    #[test]
    fn signing_throttling_and_proxy_codes() {
        for (code, status, class) in OTHER_CODES {
            let info = error_info(code).unwrap_or_else(|| panic!("missing {code}"));
            assert_eq!((info.http_status, info.class), (*status, *class), "{code}");
            assert_eq!(classify(code, 200), *class, "{code}");
        }
    }

    #[test]
    fn entries_are_complete_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for i in catalogue() {
            assert!(seen.insert(i.code), "duplicate {}", i.code);
            assert!((400..600).contains(&i.http_status), "{}", i.code);
        }
    }

    #[test]
    fn lookup_is_exact_first_then_case_insensitive() {
        assert_eq!(error_info("pay.noCreditCard").map(|i| i.code), Some("pay.noCreditCard"));
        assert_eq!(error_info("Pay.NoCreditCard").map(|i| i.code), Some("Pay.NoCreditCard"));
        assert_eq!(error_info("throttling.user").map(|i| i.code), Some("Throttling.User"));
        assert_eq!(error_info("Nope"), None);
    }

    #[test]
    fn classify_unknown_codes() {
        let cases: &[(&str, u16, ErrorClass)] = &[
            ("Throttling.Custom", 400, Throttled),
            ("Anything", 429, Throttled),
            ("Forbidden.Something", 400, Auth),
            ("InvalidSecurityToken.Other", 400, Auth),
            ("Whatever", 401, Auth),
            ("Whatever", 403, Auth),
            ("Whatever", 502, Retryable),
            ("Whatever", 503, Retryable),
            ("Whatever", 504, Retryable),
            ("Gateway.Timeout", 400, Retryable),
            ("Whatever", 500, Server),
            ("Whatever", 599, Server),
            ("InvalidPageSize", 400, Client),
            ("", 0, Client),
        ];
        for (code, status, want) in cases {
            assert_eq!(classify(code, *status), *want, "{code} {status}");
        }
    }

    #[test]
    fn catalogued_code_falls_back_by_family() {
        assert_eq!(catalogued_code("throttling.api", 400), Some("Throttling.Api"));
        assert_eq!(catalogued_code("MissingDBInstanceName", 400), Some("MissingParameter"));
        assert_eq!(catalogued_code("InvalidPageSize", 400), Some("InvalidParameter"));
        assert_eq!(catalogued_code("InvalidPageSize", 500), None);
        assert_eq!(catalogued_code("Unknown.Code", 500), None);
        assert!(ErrorClass::Throttled.should_retry() && !ErrorClass::Auth.should_retry());
        assert_eq!(serde_json::to_string(&ErrorClass::Throttled).unwrap(), "\"throttled\"");
    }
}
