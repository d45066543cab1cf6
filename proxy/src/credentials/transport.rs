//! HTTP plumbing shared by the STS and metadata clients: clients with timeouts, bounded body
//! reads, error texts without URLs, and scrubbing of secrets out of anything a server echoes.
use std::time::Duration;

use url::Url;

/// The largest STS or metadata answer read (a real one is well under 4 KiB).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// How much of a server's message is kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

fn builder(timeout: Duration, connect_timeout: Duration) -> reqwest::ClientBuilder {
    // reqwest is built without a default crypto provider; ring is the one we ship (as upstream.rs).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout.min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("migration-proxy/", env!("CARGO_PKG_VERSION")))
}

/// The client for STS: `timeout` for the whole call, at most 5 s to connect.
pub(crate) fn sts_client(timeout: Duration) -> reqwest::Client {
    builder(timeout, Duration::from_secs(5)).build().unwrap_or_else(|_| reqwest::Client::new())
}

/// The client for the instance metadata service: short timeouts, never through a proxy.
pub(crate) fn metadata_client(timeout: Duration) -> reqwest::Client {
    builder(timeout, timeout).no_proxy().build().unwrap_or_else(|_| reqwest::Client::new())
}

/// `scheme://host[:port]` of an endpoint: what error messages name (never a path or query).
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// True for `localhost` and loopback IP addresses.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// What went wrong sending a request, in words, without the URL (which for STS carries the
/// signature) and without the request.
pub(crate) fn describe_send_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_body() || e.is_decode() {
        "the answer could not be read".to_string()
    } else {
        "the connection failed".to_string()
    }
}

/// Reads at most [`MAX_BODY_BYTES`] of a response body.
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n as usize > MAX_BODY_BYTES) {
        return Err(format!("the answer is larger than {MAX_BODY_BYTES} bytes"));
    }
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe_send_error(&e))? {
        if buf.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("the answer is larger than {MAX_BODY_BYTES} bytes"));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Makes a server-supplied text safe to put in an error or a log line: every occurrence of the
/// given secrets becomes `***`, anything from "string to sign" on is dropped (Alibaba's
/// `SignatureDoesNotMatch` message echoes the signed parameters, token included), control
/// characters become spaces, and the text is cut to a few hundred characters.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut s = text.to_string();
    for secret in secrets {
        if secret.len() >= 4 {
            s = s.replace(secret, "***");
        }
    }
    let lower = s.to_ascii_lowercase();
    if let Some(at) = lower.find("string to sign").or_else(|| lower.find("stringtosign")) {
        s.truncate(at);
        s.push_str("[the echoed string to sign is omitted]");
    }
    let mut out: String =
        s.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_MESSAGE_CHARS).collect();
    if s.chars().count() > MAX_MESSAGE_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_secrets_and_echoed_strings_to_sign() {
        let msg = "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Dx%26SecurityToken%3Dtok3n";
        let s = scrub(msg, &[]);
        assert!(!s.contains("tok3n"), "{s}");
        assert!(s.starts_with("Specified signature is not matched"), "{s}");
        let s = scrub("bad token tok3n-value\nnext line", &["tok3n-value", ""]);
        assert_eq!(s, "bad token *** next line");
        let long = "x".repeat(1000);
        assert!(scrub(&long, &[]).chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn origins_and_loopback() {
        let u = Url::parse("http://127.0.0.1:9/a?Signature=x").unwrap();
        assert_eq!(origin(&u), "http://127.0.0.1:9");
        assert!(is_loopback(&u));
        assert!(is_loopback(&Url::parse("http://[::1]:9/").unwrap()));
        assert!(is_loopback(&Url::parse("http://localhost/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://10.0.0.1/").unwrap()));
        assert!(!is_loopback(&Url::parse("https://sts.aliyuncs.com/").unwrap()));
    }
}
