//! The error-code catalogue: every code in the seed document's error table, the gateway's
//! signing/throttling codes (reference §4.2), and the proxy's own `Proxy.*` codes. Each has its
//! HTTP status, a plain message in English and Bahasa Indonesia, and a class.
//!
//! Classify by `Code`, not by status: the documentation disagrees on some statuses
//! (`SignatureDoesNotMatch` 400 vs 403, `InvalidAccessKeyId.NotFound` 400 vs 404).

use crate::lang::Lang;
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
    pub message_en: &'static str,
    pub message_id: &'static str,
}

impl ErrorInfo {
    pub fn message(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.message_en,
            Lang::Id => self.message_id,
        }
    }
}

const fn e(
    code: &'static str,
    http_status: u16,
    class: ErrorClass,
    message_en: &'static str,
    message_id: &'static str,
) -> ErrorInfo {
    ErrorInfo { code, http_status, class, message_en, message_id }
}

use ErrorClass::{Auth, Client, Retryable, Server, Throttled};

#[rustfmt::skip]
static CATALOGUE: &[ErrorInfo] = &[
    // --- The seed document's error table (DescribeCloudMigrationResult), in its order. ---
    e("Order.ComboInstanceNotAllowOperate", 400, Client, "This instance is part of a package and cannot be operated on its own.", "Instance ini bagian dari paket dan tidak dapat dioperasikan sendiri."),
    e("Price.PricingPlanResultNotFound", 400, Client, "No price was found for the chosen plan.", "Harga untuk paket yang dipilih tidak ditemukan."),
    e("Order.NoRealNameAuthentication", 400, Client, "The account has not completed real-name verification.", "Akun belum menyelesaikan verifikasi nama asli."),
    e("InsufficientAvailableQuota", 400, Client, "The account quota is below zero; top up the account first.", "Kuota akun kurang dari nol; isi ulang saldo akun terlebih dahulu."),
    e("CommodityServiceCalling.Exception", 400, Retryable, "The billing service could not be reached; try again shortly.", "Layanan penagihan tidak dapat dihubungi; coba lagi sebentar lagi."),
    e("RegionDissolvedEOM", 400, Client, "This region is being retired; new purchases are not possible here.", "Region ini akan dihentikan; pembelian baru tidak dapat dilakukan di sini."),
    e("Commodity.InvalidComponent", 400, Client, "The purchased component is not valid; place the order again.", "Komponen yang dibeli tidak valid; lakukan pemesanan ulang."),
    e("RegionEndTimeDissolvedAustralia", 400, Client, "Cloud services in Australia (Sydney) are being discontinued; the end date must be 30 September 2024 or earlier.", "Layanan cloud di Australia (Sydney) dihentikan; tanggal berakhir harus 30 September 2024 atau lebih awal."),
    e("Price.CommoditySys", 400, Retryable, "The pricing system failed; try again shortly.", "Sistem harga mengalami gangguan; coba lagi sebentar lagi."),
    e("Pay.InsufficientBalance", 400, Client, "The account balance is not enough.", "Saldo akun tidak mencukupi."),
    e("Order.PeriodInvalid", 400, Client, "The chosen subscription period is not valid.", "Periode langganan yang dipilih tidak valid."),
    e("pay.noCreditCard", 400, Client, "No credit card is linked to the account.", "Tidak ada kartu kredit yang terhubung ke akun."),
    e("Order.InstHasUnpaidOrder", 400, Client, "There is an unpaid order for this service; pay or cancel it first.", "Ada pesanan yang belum dibayar untuk layanan ini; bayar atau batalkan terlebih dahulu."),
    e("noAvailablePaymentMethod", 400, Client, "The account has no payment method.", "Akun tidak memiliki metode pembayaran."),
    e("BasicInfoUncompleted", 400, Client, "The account information is incomplete; complete it first.", "Informasi akun belum lengkap; lengkapi terlebih dahulu."),
    e("Risk.RiskControlRejection", 400, Auth, "The account was stopped by risk control; contact Alibaba Cloud support.", "Akun dihentikan oleh kontrol risiko; hubungi dukungan Alibaba Cloud."),
    e("Api.NotSupport", 400, Client, "This API is not supported.", "API ini tidak didukung."),
    e("ContainForbiddenLabelError", 400, Client, "A label on the account forbids orders; contact your distributor.", "Ada label pada akun yang melarang pemesanan; hubungi distributor Anda."),
    e("InvalidDBInstanceId.NotFound", 400, Client, "The RDS instance ID does not exist.", "ID instance RDS tidak ada."),
    e("InvalidInstanceLevel.DiskType", 400, Client, "This instance type does not support the requested disk type.", "Tipe instance ini tidak mendukung tipe disk yang diminta."),
    e("InvalidParam", 400, Client, "A parameter is not valid (for example wal_level while logical slots still exist).", "Parameter tidak valid (misalnya wal_level saat slot logis masih ada)."),
    e("KmsApiError", 400, Client, "The KMS key is not valid.", "Kunci KMS tidak valid."),
    e("System.SaleValidateFailed", 400, Server, "The sales validation system failed; try again later.", "Sistem validasi penjualan gagal; coba lagi nanti."),
    e("Abs.InvalidAccount.NotFound", 400, Auth, "The account was not found.", "Akun tidak ditemukan."),
    e("SqlExecuteFailedOrTimeout", 400, Retryable, "An SQL command failed or timed out; try again shortly.", "Perintah SQL gagal atau melebihi batas waktu; coba lagi sebentar lagi."),
    e("ColdData.EngineVersionNotSupport", 400, Client, "This engine version does not support cold data storage.", "Versi engine ini tidak mendukung penyimpanan data dingin."),
    e("ColdData.MinorVersionNotSupport", 400, Client, "This minor version does not support cold data storage.", "Versi minor ini tidak mendukung penyimpanan data dingin."),
    e("IncorrectTargetClasscode", 400, Client, "This instance type does not support the operation.", "Tipe instance ini tidak mendukung operasi ini."),
    e("InvalidConnectionString.Duplicate", 400, Client, "That connection string already exists.", "String koneksi tersebut sudah ada."),
    e("RequiredParam.NotFound", 400, Client, "A required parameter is missing.", "Parameter wajib tidak ada."),
    e("Parameters.Invalid", 400, Client, "A parameter is wrong; check the parameters.", "Parameter salah; periksa parameternya."),
    e("BackupPolicyNotSupport", 400, Client, "Cold data cannot be enabled with cross-region or flash backup; check the backup policy.", "Data dingin tidak dapat diaktifkan bersama pencadangan lintas region atau flash; periksa kebijakan pencadangan."),
    e("InvalideStatus.Format", 400, Client, "The instance's current status does not allow this operation.", "Status instance saat ini tidak mengizinkan operasi ini."),
    e("InvalidReleasedKeepPolicy.Format", 400, Client, "The retention policy for released instances is not valid.", "Kebijakan penyimpanan untuk instance yang dirilis tidak valid."),
    e("InvalidDBInstanceEngineType.Format", 400, Client, "The instance's database engine does not support this operation.", "Engine database instance ini tidak mendukung operasi ini."),
    e("Pay.NoCreditCard", 400, Client, "No credit card is linked to the account.", "Tidak ada kartu kredit yang terhubung ke akun."),
    e("VpcNetworkTypeNotSupport", 400, Client, "Instances on a VPC network do not support this operation.", "Instance dengan jaringan VPC tidak mendukung operasi ini."),
    e("MirrorInsExists", 400, Client, "A mirror instance already exists for this instance.", "Instance cermin untuk instance ini sudah ada."),
    e("UnsupportedClassCode", 400, Client, "This instance class is no longer sold.", "Kelas instance ini tidak dijual lagi."),
    e("InvalidBackupSet", 400, Client, "The database does not exist in the backup set.", "Database tidak ada di dalam set cadangan."),
    e("OrdTCommodityQueryError", 400, Retryable, "The product lookup failed; try again shortly.", "Pencarian produk gagal; coba lagi sebentar lagi."),
    e("ProductInstanceReleased", 400, Client, "The instance has been released.", "Instance sudah dirilis."),
    e("RegionEndTimeDissolvedIndia", 400, Client, "This region is no longer supported.", "Region ini tidak didukung lagi."),
    e("ExternalFailure", 500, Server, "A service the RDS API depends on failed; try again later.", "Layanan yang dibutuhkan API RDS gagal; coba lagi nanti."),
    e("RequestMetaDataFailed", 500, Server, "The service request failed; try again later or contact support.", "Permintaan layanan gagal; coba lagi nanti atau hubungi dukungan."),
    e("InvokeProxyFailure", 500, Server, "The RDS API service failed; try again later.", "Layanan API RDS gagal; coba lagi nanti."),
    e("OrderStatus.UnPaid", 403, Client, "The instance has an unpaid order.", "Instance memiliki pesanan yang belum dibayar."),
    e("InvalidReduceDiskSize", 403, Client, "Storage after a scale-down must be larger than the space in use.", "Kapasitas penyimpanan setelah dikurangi harus lebih besar dari yang terpakai."),
    e("CloudSSDNotSupport", 403, Client, "Cloud SSD does not support this operation; upgrade to ESSD.", "Cloud SSD tidak mendukung operasi ini; tingkatkan ke ESSD."),
    e("InvalidUserOperatorPermission", 403, Auth, "Your permissions do not allow this operation.", "Izin Anda tidak mengizinkan operasi ini."),
    e("InvalidVswitchId", 403, Client, "The vSwitch ID is not valid.", "ID vSwitch tidak valid."),
    e("IncorrectMinorVersion", 403, Client, "The engine minor version does not support this operation.", "Versi minor engine tidak mendukung operasi ini."),
    e("OperationDenied.ZoneResource", 403, Client, "No zone has capacity available.", "Tidak ada zona dengan kapasitas tersedia."),
    e("NotInFlowController", 403, Auth, "No permission for this operation.", "Tidak ada izin untuk operasi ini."),
    e("InvalidKmsKey", 403, Client, "The KMS key is disabled.", "Kunci KMS dinonaktifkan."),
    e("InvalidInstanceLevel.Malformed", 403, Client, "The instance level does not support this operation.", "Level instance ini tidak mendukung operasi ini."),
    e("InvalidDBInstanceName.NotFound", 404, Client, "The RDS instance does not exist; check the instance ID and the region.", "Instance RDS tidak ada; periksa ID instance dan region-nya."),
    e("InvalidClusterKms", 404, Auth, "The instance is not authorized to use Key Management Service.", "Instance tidak diberi otorisasi untuk menggunakan Key Management Service."),
    e("Request.NotFound", 404, Client, "The requested resource is not available.", "Sumber daya yang diminta tidak tersedia."),
    e("HostInfo.NotFound", 404, Client, "The host information was not found.", "Informasi host tidak ditemukan."),
    // --- Gateway-wide codes: signing, timestamps, throttling (reference §4.2). ---
    e("Throttling", 400, Throttled, "Too many requests; wait a moment and try again.", "Terlalu banyak permintaan; tunggu sebentar lalu coba lagi."),
    e("Throttling.User", 400, Throttled, "The account's request limit was reached; wait a moment and try again.", "Batas permintaan akun tercapai; tunggu sebentar lalu coba lagi."),
    e("Throttling.Api", 400, Throttled, "This API's request limit was reached; wait a moment and try again.", "Batas permintaan API ini tercapai; tunggu sebentar lalu coba lagi."),
    e("SignatureDoesNotMatch", 400, Auth, "The request signature did not match; the proxy's AccessKey secret may be wrong.", "Tanda tangan permintaan tidak cocok; secret AccessKey proxy mungkin salah."),
    e("IncompleteSignature", 400, Auth, "The request signature is incomplete or malformed.", "Tanda tangan permintaan tidak lengkap atau salah format."),
    e("InvalidAccessKeyId.NotFound", 404, Auth, "The proxy's AccessKey ID does not exist.", "AccessKey ID proxy tidak ada."),
    e("InvalidAccessKeyId.Inactive", 400, Auth, "The proxy's AccessKey is disabled.", "AccessKey proxy dinonaktifkan."),
    e("SignatureNonceUsed", 400, Retryable, "A request nonce was reused; a fresh request will go through.", "Nonce permintaan sudah pernah dipakai; permintaan baru akan berhasil."),
    e("InvalidTimeStamp.Expired", 400, Auth, "The request time is more than 15 minutes off the service's clock; check the proxy's clock.", "Waktu permintaan berselisih lebih dari 15 menit dengan jam layanan; periksa jam proxy."),
    e("InvalidTimeStamp.Format", 400, Client, "The request time is not in the required format.", "Format waktu permintaan tidak sesuai."),
    e("IllegalTimestamp", 400, Client, "The request carries no timestamp.", "Permintaan tidak memiliki stempel waktu."),
    e("MissingParameter", 400, Client, "A required parameter is missing.", "Parameter wajib tidak ada."),
    e("InvalidParameter", 400, Client, "A parameter is not valid.", "Parameter tidak valid."),
    e("InvalidApi.NotFound", 404, Client, "The API was not found (wrong action, version or endpoint).", "API tidak ditemukan (aksi, versi, atau endpoint salah)."),
    e("InvalidProduct.NotFound", 404, Client, "No product is served at this endpoint.", "Tidak ada produk yang dilayani pada endpoint ini."),
    e("UnsupportedHTTPMethod", 400, Client, "This HTTP method is not supported.", "Metode HTTP ini tidak didukung."),
    e("InvalidSignatureMethod", 400, Auth, "The signature method is not valid.", "Metode tanda tangan tidak valid."),
    e("Forbidden.RAM", 403, Auth, "The proxy's RAM identity lacks permission for this action.", "Identitas RAM proxy tidak memiliki izin untuk aksi ini."),
    e("Forbidden.RiskControl", 403, Auth, "Alibaba Cloud's risk control blocked this operation.", "Sistem kontrol risiko Alibaba Cloud memblokir operasi ini."),
    e("InternalError", 500, Server, "The service had an internal error; try again later.", "Layanan mengalami kesalahan internal; coba lagi nanti."),
    e("ServiceUnavailable", 503, Retryable, "The service is temporarily unavailable; try again shortly.", "Layanan sementara tidak tersedia; coba lagi sebentar lagi."),
    e("IncorrectDBInstanceState", 400, Client, "The instance's current state does not allow this operation.", "Status instance saat ini tidak mengizinkan operasi ini."),
    // STS tokens (the gateway's codes for `SecurityToken`; used by the simulator's STS stand-in).
    e("InvalidSecurityToken.Expired", 400, Auth, "The proxy's temporary (STS) credentials have expired.", "Kredensial sementara (STS) proxy sudah kedaluwarsa."),
    e("InvalidSecurityToken.Malformed", 400, Auth, "The proxy's temporary (STS) token is malformed.", "Token sementara (STS) proxy salah format."),
    e("InvalidSecurityToken.MismatchWithAccessKey", 400, Auth, "The STS token does not belong to the AccessKey used.", "Token STS tidak cocok dengan AccessKey yang dipakai."),
    // --- The proxy's own codes (docs/architecture.md, "Errors"). ---
    e("Proxy.Unauthorized", 401, Auth, "Sign in to use the dashboard: no valid identity reached the proxy.", "Silakan masuk untuk memakai dasbor: proxy tidak menerima identitas yang sah."),
    e("Proxy.Forbidden", 403, Auth, "You are not allowed to see this.", "Anda tidak diizinkan melihat ini."),
    e("Proxy.ActionNotAllowed", 403, Client, "This action is not allowed through the proxy; only read-only actions are.", "Aksi ini tidak diizinkan melalui proxy; hanya aksi baca yang diizinkan."),
    e("Proxy.InvalidParameter", 400, Client, "A request parameter is missing or not valid.", "Parameter permintaan tidak ada atau tidak valid."),
    e("Proxy.UpstreamTimeout", 504, Retryable, "The RDS API did not answer in time; try again.", "API RDS tidak menjawab tepat waktu; coba lagi."),
    e("Proxy.UpstreamUnavailable", 502, Retryable, "The RDS API could not be reached; try again shortly.", "API RDS tidak dapat dihubungi; coba lagi sebentar lagi."),
    e("Proxy.NotFound", 404, Client, "Nothing was found at this address.", "Tidak ada apa pun di alamat ini."),
    e("Proxy.PayloadTooLarge", 413, Client, "The request is too large.", "Permintaan terlalu besar."),
    e("Proxy.Internal", 500, Server, "The proxy had an internal error; try again later.", "Proxy mengalami kesalahan internal; coba lagi nanti."),
    e("Proxy.MethodNotAllowed", 405, Client, "Only reading is allowed through the proxy.", "Melalui proxy hanya boleh membaca."),
    e("Proxy.Busy", 503, Retryable, "The proxy has too many calls to the RDS API in flight; try again in a moment.", "Proxy sedang menangani terlalu banyak panggilan ke API RDS; coba lagi sebentar lagi."),
    e("Proxy.AppNotBuilt", 503, Server, "The dashboard is not built on this server; ask its operator to build it.", "Dasbor belum dibangun di server ini; minta operatornya untuk membangunnya."),
    e("Proxy.HistoryNotConfigured", 404, Client, "This proxy keeps no history; only live data is shown.", "Proxy ini tidak menyimpan riwayat; hanya data langsung yang ditampilkan."),
    e("Proxy.HistoryUnavailable", 503, Retryable, "History is unavailable for now; live data is not affected.", "Riwayat sedang tidak tersedia; data langsung tidak terpengaruh."),
    e("Proxy.NotWatched", 404, Client, "This instance is not watched.", "Instans ini tidak dipantau."),
    e("Proxy.UnsupportedMediaType", 415, Client, "The request must be sent as JSON.", "Permintaan harus dikirim sebagai JSON."),
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

/// A plain message for an error: the catalogue's, or the documented families
/// `Missing{Parameter}` / `Invalid{Parameter}`; `None` for a code neither knows (the dashboard
/// words those by their class, `classify`).
pub fn describe_error(code: &str, http_status: u16, lang: Lang) -> Option<&'static str> {
    if let Some(info) = error_info(code) {
        return Some(info.message(lang));
    }
    let class = classify(code, http_status);
    let family = |name: &str| error_info(name).map(|i| i.message(lang));
    match class {
        ErrorClass::Client if code.starts_with("Missing") => family("MissingParameter"),
        ErrorClass::Client if code.starts_with("Invalid") => family("InvalidParameter"),
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
        ("Proxy.Busy", 503, Retryable),
        ("Proxy.HistoryNotConfigured", 404, Client), ("Proxy.HistoryUnavailable", 503, Retryable),
        ("Proxy.NotWatched", 404, Client), ("Proxy.UnsupportedMediaType", 415, Client),
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
            assert!(!i.message_en.is_empty() && !i.message_id.is_empty(), "{}", i.code);
            assert_ne!(i.message_en, i.message_id, "{} not translated", i.code);
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
    fn describe_falls_back_by_family() {
        assert_eq!(
            describe_error("Throttling.Api", 400, Lang::Id),
            Some("Batas permintaan API ini tercapai; tunggu sebentar lalu coba lagi.")
        );
        assert_eq!(
            describe_error("MissingDBInstanceName", 400, Lang::En),
            Some("A required parameter is missing.")
        );
        assert_eq!(describe_error("InvalidPageSize", 400, Lang::Id), Some("Parameter tidak valid."));
        assert_eq!(describe_error("Unknown.Code", 500, Lang::En), None);
        assert!(ErrorClass::Throttled.should_retry() && !ErrorClass::Auth.should_retry());
        assert_eq!(serde_json::to_string(&ErrorClass::Throttled).unwrap(), "\"throttled\"");
    }
}
