//! Percent-encoding and canonical query strings, as Alibaba Cloud's OpenAPI does them.
//!
//! Both signature schemes (RPC `SignatureVersion=1.0` and V3 `ACS3-HMAC-SHA256`) share
//! these rules: RFC 3986, UTF-8, the unreserved set `A-Z a-z 0-9 - _ . ~` kept as is, every
//! other byte written as `%XY` with uppercase hex (so a space is `%20`, never `+`, and `*` is
//! `%2A`). See step 2 of https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism.

use percent_encoding::{percent_decode_str, percent_encode as pe, AsciiSet, NON_ALPHANUMERIC};

/// Every byte except the RFC 3986 unreserved characters gets encoded.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes `s` (UTF-8) the way Alibaba Cloud signs it: unreserved
/// `A-Z a-z 0-9 - _ . ~` kept, everything else `%XY` in uppercase hex, space → `%20`.
pub fn percent_encode(s: &str) -> String {
    percent_encode_bytes(s.as_bytes())
}

/// [`percent_encode`] for raw bytes (used for request paths that decode to non-UTF-8).
pub fn percent_encode_bytes(bytes: &[u8]) -> String {
    pe(bytes, ENCODE_SET).to_string()
}

/// The canonical query string shared by both schemes: the pairs sorted by name, then by
/// value (byte order of the raw, unencoded strings, as the official SDKs sort), each name and
/// value percent-encoded, written `name=value` (an empty value gives `name=`) and joined by `&`.
/// Duplicate names are kept. No pairs gives the empty string.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // `str` ordering is byte-wise, which is what the SDKs (Go `sort.Strings`, Python `sort`) use.
    sorted.sort_unstable();
    let mut out = String::new();
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// The V3 canonical URI of a path given *unencoded*: empty becomes `/`, otherwise each
/// `/`-separated segment is percent-encoded and the slashes are kept.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/').map(percent_encode).collect::<Vec<_>>().join("/")
}

/// The V3 canonical URI of a path as it arrives on the request line (possibly
/// percent-encoded): decoded once, then encoded as [`canonical_uri`] does. `"/"` stays `"/"`.
pub(crate) fn canonical_uri_from_wire(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    let decoded: Vec<u8> = percent_decode_str(raw_path).collect();
    decoded.split(|b| *b == b'/').map(percent_encode_bytes).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// darabonba-openapi-util `test_get_canonical_query_string` (reference §1.1).
    #[test]
    fn encoding_vector_space_tilde_slash_star_dash_plus() {
        assert_eq!(canonical_query(&pairs(&[("test", " ~/*-+")])), "test=%20~%2F%2A-%2B");
    }

    #[test]
    fn unreserved_kept_everything_else_uppercase_hex() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("%7E"), "%257E");
        assert_eq!(percent_encode("a=b&c"), "a%3Db%26c");
        assert_eq!(percent_encode("/:"), "%2F%3A");
        assert_eq!(percent_encode("中"), "%E4%B8%AD");
        assert_eq!(percent_encode("é\n"), "%C3%A9%0A");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn canonical_query_sorts_by_name_then_value_and_keeps_empty_values() {
        let q = pairs(&[("b", "2"), ("a", "z"), ("a", "y"), ("empty", ""), ("A", "1")]);
        assert_eq!(canonical_query(&q), "A=1&a=y&a=z&b=2&empty=");
        assert_eq!(canonical_query(&[]), "");
    }

    #[test]
    fn canonical_query_sorts_raw_names_not_encoded_names() {
        // Raw: "aa" < "a{" (0x61 < 0x7B). Encoded, "a%7B" would sort first.
        let q = pairs(&[("a{", "1"), ("aa", "2")]);
        assert_eq!(canonical_query(&q), "aa=2&a%7B=1");
    }

    #[test]
    fn canonical_uri_forms() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a b/c*~"), "/a%20b/c%2A~");
        assert_eq!(canonical_uri_from_wire(""), "/");
        assert_eq!(canonical_uri_from_wire("/"), "/");
        assert_eq!(canonical_uri_from_wire("/a%20b/c*%7e"), "/a%20b/c%2A~");
        assert_eq!(canonical_uri_from_wire("/%FF"), "/%FF");
    }
}
