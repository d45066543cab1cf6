//! Request signing for the Alibaba Cloud OpenAPI (ApsaraDB RDS), and the matching
//! verification for the RDS simulator. Sources of the rules: Alibaba Cloud's
//! signature pages (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature,
//! https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism) and the official SDKs
//! (aliyun/darabonba-openapi, alibabacloud-go); see docs/architecture.md, "Public sources".
//!
//! * [`v3`]: `ACS3-HMAC-SHA256` (the current scheme, signs a hash of the body).
//! * [`rpc`]: `SignatureVersion=1.0` / HMAC-SHA1 (the docs' "V2"; signs every parameter).
//! * [`verify`]: server-side checks for both, returning Alibaba's error codes.
//! * [`encode`]: the shared RFC 3986 percent-encoding and canonical query string.
//! * [`timestamp`]: the `yyyy-MM-ddTHH:mm:ssZ` timestamps both use.
//!
//! This module depends only on `hmac`, `sha1`, `sha2`, `hex`, `base64`, `percent-encoding`,
//! `chrono` and `std`. Types that hold a secret print `***` in their `Debug` output.

pub mod encode;
pub mod rpc;
pub mod timestamp;
pub mod v3;
pub mod verify;

#[cfg(test)]
mod tests;
