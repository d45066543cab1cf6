//! Who may call the API. `none` only on loopback (checked at start-up); `trusted-header` for
//! browsers behind the portal's auth proxy (identity headers accepted only from configured proxy
//! addresses, ignored from anyone else); `bearer` for programmatic clients (tokens kept hashed).
use std::net::IpAddr;
use std::path::Path;

use axum::http::{header, HeaderMap, HeaderName};
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ProxyError;

/// The authenticated caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    pub user: Option<String>,
    pub groups: Vec<String>,
}

impl Caller {
    pub fn name(&self) -> &str {
        self.user.as_deref().unwrap_or("-")
    }
}

pub struct TokenEntry {
    user: String,
    groups: Vec<String>,
    sha256: [u8; 32],
}

impl std::fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEntry")
            .field("user", &self.user)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub enum Authenticator {
    None,
    TrustedHeader { proxies: Vec<IpNet>, user_header: HeaderName, groups_header: Option<HeaderName> },
    Bearer { tokens: Vec<TokenEntry> },
}

/// The form a bearer token is stored in: `sha256:<hex>` of the token.
pub fn hash_token(token: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(token.trim().as_bytes())))
}

/// The least entropy a bearer token may have.
pub const MIN_TOKEN_BITS: f64 = 128.0;

/// A new 256-bit token from the operating system's generator, base64url without padding.
pub fn generate_token() -> anyhow::Result<String> {
    use base64::Engine;
    use rand::TryRngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// An upper estimate of a token's entropy: its length times log2 of the alphabet its character
/// classes span (lower case 26, upper case 26, digits 10, other printable 33). A token with few
/// distinct characters (`aaaa...`) counts as that few.
pub fn token_entropy_bits(token: &str) -> f64 {
    let has = |f: fn(&char) -> bool| token.chars().any(|c| f(&c));
    let alphabet = [
        (has(char::is_ascii_lowercase), 26.0),
        (has(char::is_ascii_uppercase), 26.0),
        (has(char::is_ascii_digit), 10.0),
        (has(|c| !c.is_ascii_alphanumeric()), 33.0),
    ]
    .iter()
    .filter(|(present, _)| *present)
    .map(|(_, n)| n)
    .sum::<f64>();
    let distinct = token.chars().collect::<std::collections::BTreeSet<_>>().len() as f64;
    let per_char = f64::log2(alphabet.min(distinct.max(1.0) * 4.0).max(1.0));
    token.chars().count() as f64 * per_char
}

/// Refuses a token under [`MIN_TOKEN_BITS`] (the message never repeats the token).
pub fn check_token_strength(token: &str) -> Result<(), String> {
    let bits = token_entropy_bits(token);
    if bits < MIN_TOKEN_BITS {
        return Err(format!(
            "the token has about {bits:.0} bits of entropy; at least {MIN_TOKEN_BITS:.0} are required (make one with `migration-proxy hash-token --generate`)"
        ));
    }
    Ok(())
}

/// Refuses a file that group or others may write: whoever can write the tokens or policy file
/// can let themselves in.
pub fn check_not_writable_by_others(path: &Path, what: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o022 != 0 {
            anyhow::bail!(
                "the {what} {} can be written by group or others (mode {:o}); make it writable by its owner only (chmod 600)",
                path.display(),
                mode & 0o777
            );
        }
    }
    Ok(())
}

impl Authenticator {
    /// Parses a list of proxy addresses or networks: `10.0.0.5, 10.1.0.0/16, ::1`.
    pub fn parse_networks(list: &str) -> Result<Vec<IpNet>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{s:?} is not an IP address or network"))
            })
            .collect()
    }

    /// Reads a tokens file: one `<user> sha256:<64 hex> [group,group]` per line; `#` comments.
    pub fn load_tokens(path: &Path) -> anyhow::Result<Vec<TokenEntry>> {
        check_not_writable_by_others(path, "tokens file")?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the tokens file {}: {e}", path.display()))?;
        let mut tokens = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(user), Some(hash)) = (parts.next(), parts.next()) else {
                anyhow::bail!("{}:{}: expected `<user> sha256:<hex> [groups]`", path.display(), n + 1);
            };
            let groups = parts
                .next()
                .map(|g| g.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
                .unwrap_or_default();
            let digest = hash
                .strip_prefix("sha256:")
                .and_then(|h| hex::decode(h).ok())
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    // The line may hold a plain token by mistake: never echo it.
                    anyhow::anyhow!("{}:{}: the token must be stored as sha256:<64 hex digits> (see `migration-proxy hash-token`)", path.display(), n + 1)
                })?;
            tokens.push(TokenEntry { user: user.to_string(), groups, sha256: digest });
        }
        if tokens.is_empty() {
            anyhow::bail!("the tokens file {} holds no tokens", path.display());
        }
        Ok(tokens)
    }

    pub fn authenticate(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Result<Caller, ProxyError> {
        match self {
            Authenticator::None => Ok(Caller::default()),
            Authenticator::TrustedHeader { proxies, user_header, groups_header } => {
                // Headers from anyone but the portal's proxy are ignored: a browser could forge them.
                // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: compare canonically.
                let trusted =
                    peer.is_some_and(|ip| proxies.iter().any(|net| net.contains(&ip.to_canonical())));
                if !trusted {
                    return Err(ProxyError::Unauthorized);
                }
                let user = header_text(headers, user_header).ok_or(ProxyError::Unauthorized)?;
                let groups = groups_header
                    .as_ref()
                    .and_then(|h| header_text(headers, h))
                    .map(|g| {
                        g.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
                    })
                    .unwrap_or_default();
                Ok(Caller { user: Some(user), groups })
            }
            Authenticator::Bearer { tokens } => {
                let presented = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    // The scheme is case-insensitive (RFC 7235).
                    .and_then(|v| v.trim().split_once(' '))
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, token)| token.trim())
                    .filter(|t| !t.is_empty() && t.len() <= 4096)
                    .ok_or(ProxyError::Unauthorized)?;
                let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
                // Check every entry, so the time taken does not tell which one matched.
                let mut found = None;
                for t in tokens {
                    if bool::from(t.sha256.ct_eq(&digest)) {
                        found = Some(t);
                    }
                }
                let t = found.ok_or(ProxyError::Unauthorized)?;
                Ok(Caller { user: Some(t.user.clone()), groups: t.groups.clone() })
            }
        }
    }
}

/// A header's value as an identity: printable, bounded, one value only.
fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter();
    let v = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let s = v.to_str().ok()?.trim();
    (!s.is_empty() && s.len() <= 256 && s.chars().all(|c| !c.is_control())).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted() -> Authenticator {
        Authenticator::TrustedHeader {
            proxies: Authenticator::parse_networks("10.0.0.5, 192.168.1.0/24").unwrap(),
            user_header: HeaderName::from_static("x-forwarded-user"),
            groups_header: Some(HeaderName::from_static("x-forwarded-groups")),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn trusted_headers_count_only_from_the_portal_proxy() {
        let a = trusted();
        let h = headers(&[("x-forwarded-user", "alice"), ("x-forwarded-groups", "dba, team-a")]);
        let caller = a.authenticate(Some("10.0.0.5".parse().unwrap()), &h).unwrap();
        assert_eq!(caller.user.as_deref(), Some("alice"));
        assert_eq!(caller.groups, vec!["dba", "team-a"]);
        assert!(a.authenticate(Some("192.168.1.77".parse().unwrap()), &h).is_ok());
        // The same headers from anyone else are ignored.
        assert!(matches!(
            a.authenticate(Some("10.0.0.6".parse().unwrap()), &h),
            Err(ProxyError::Unauthorized)
        ));
        assert!(matches!(a.authenticate(None, &h), Err(ProxyError::Unauthorized)));
        // From the proxy but without an identity: refused.
        assert!(a.authenticate(Some("10.0.0.5".parse().unwrap()), &HeaderMap::new()).is_err());
        // Two identities: ambiguous, refused.
        let two = headers(&[("x-forwarded-user", "alice"), ("x-forwarded-user", "mallory")]);
        assert!(a.authenticate(Some("10.0.0.5".parse().unwrap()), &two).is_err());
    }

    #[test]
    fn bearer_tokens_are_checked_against_their_hashes() {
        let dir = std::env::temp_dir().join(format!("auth-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tokens");
        std::fs::write(
            &file,
            format!(
                "# ops scripts\nbot {} ops,dba\nci {}\n",
                hash_token("t0ken-bot"),
                hash_token("t0ken-ci")
            ),
        )
        .unwrap();
        let a = Authenticator::Bearer { tokens: Authenticator::load_tokens(&file).unwrap() };
        let caller = a.authenticate(None, &headers(&[("authorization", "Bearer t0ken-bot")])).unwrap();
        assert_eq!(caller.user.as_deref(), Some("bot"));
        assert_eq!(caller.groups, vec!["ops", "dba"]);
        assert!(a.authenticate(None, &headers(&[("authorization", "Bearer wrong")])).is_err());
        assert!(a.authenticate(None, &headers(&[("authorization", "Basic dDBrZW4=")])).is_err());
        assert!(a.authenticate(None, &HeaderMap::new()).is_err());
        let printed = format!("{a:?}");
        assert!(!printed.contains(&hash_token("t0ken-bot")[7..]), "hashes stay out of Debug: {printed}");

        std::fs::write(&file, "bot plain-token-by-mistake\n").unwrap();
        let e = Authenticator::load_tokens(&file).unwrap_err().to_string();
        assert!(!e.contains("plain-token-by-mistake"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn weak_tokens_are_refused_and_generated_ones_are_strong() {
        for weak in [
            "t0ken-bot",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "0123456789abcdef",
            "correcthorse",
        ] {
            let e = check_token_strength(weak).unwrap_err();
            assert!(!e.contains(weak), "{e}");
        }
        let t = generate_token().unwrap();
        assert_eq!(t.len(), 43, "32 bytes in base64url");
        assert!(token_entropy_bits(&t) >= 200.0, "{}", token_entropy_bits(&t));
        assert!(check_token_strength(&t).is_ok());
        assert_ne!(t, generate_token().unwrap());
        assert!(check_token_strength(&format!("api-test-{}", "0f".repeat(16))).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn token_files_others_can_write_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("auth-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tokens");
        std::fs::write(&file, format!("bot {}\n", hash_token("x"))).unwrap();
        for (mode, ok) in [(0o600, true), (0o644, true), (0o664, false), (0o666, false), (0o602, false)] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            let got = Authenticator::load_tokens(&file);
            assert_eq!(got.is_ok(), ok, "{mode:o}");
            if !ok {
                assert!(got.unwrap_err().to_string().contains("group or others"));
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ipv4_mapped_peers_are_compared_canonically() {
        let a = trusted();
        let h = headers(&[("x-forwarded-user", "alice")]);
        assert!(a.authenticate(Some("::ffff:10.0.0.5".parse().unwrap()), &h).is_ok());
        assert!(a.authenticate(Some("::ffff:10.0.0.6".parse().unwrap()), &h).is_err());
    }

    #[test]
    fn networks_parse_or_name_the_bad_entry() {
        assert_eq!(Authenticator::parse_networks("127.0.0.1,::1, 10.0.0.0/8").unwrap().len(), 3);
        assert!(Authenticator::parse_networks("10.0.0.0/8,portal.example.com")
            .unwrap_err()
            .contains("portal.example.com"));
    }
}
