//! Masking passwords in libpq connection strings (`Conninfo`).
//!
//! PostgreSQL already obfuscates `conninfo` in `pg_stat_wal_receiver`, and the service shows
//! `password=********`; the mask is applied again anyway, because the dashboard must never show
//! a source password even if an upstream forgets to.

/// What a masked value becomes (the service's own mask).
pub const MASK: &str = "********";

/// Masks the value of every keyword ending in `password` (`password`, `sslpassword`), any case,
/// quoted (`'se cret'`, with `\'` escapes) or not, with optional spaces around `=`. A URI form
/// (`postgresql://user:secret@host/db?password=x`) has its user-info password and any
/// `password=` query value masked too. Everything else is kept byte for byte.
pub fn mask_conninfo_password(conninfo: &str) -> String {
    let lower = conninfo.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgresql://") || lower.starts_with("postgres://") {
        mask_uri(conninfo)
    } else {
        mask_keywords(conninfo)
    }
}

fn is_secret_key(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with("password")
}

/// Walks `key = value` pairs; delimiters are ASCII, so byte offsets stay on char boundaries.
fn mask_keywords(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        // Copy whitespace between pairs.
        let ws = i;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push_str(s.get(ws..i).unwrap_or(""));
        if i >= b.len() {
            break;
        }
        // Keyword: up to '=' or whitespace.
        let k0 = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = s.get(k0..i).unwrap_or("");
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            // Not a pair (malformed text): keep the word and move on.
            out.push_str(key);
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        // Value: quoted with backslash escapes, or up to whitespace.
        let v0 = j;
        if j < b.len() && b[j] == b'\'' {
            j += 1;
            while j < b.len() && b[j] != b'\'' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            j = (j + 1).min(b.len());
        } else {
            while j < b.len() && !b[j].is_ascii_whitespace() {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            j = j.min(b.len());
        }
        // Keep the original spelling of `key =` and replace only the value.
        out.push_str(s.get(k0..v0).unwrap_or(""));
        if is_secret_key(key) {
            out.push_str(MASK);
        } else {
            out.push_str(s.get(v0..j).unwrap_or(""));
        }
        i = j;
    }
    out
}

fn mask_uri(s: &str) -> String {
    let mut out = s.to_string();
    // user:password@ in the authority part.
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        let rest = out.get(auth_start..).unwrap_or("");
        let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..auth_len).unwrap_or("");
        if let Some(at) = authority.rfind('@') {
            let userinfo = authority.get(..at).unwrap_or("");
            if let Some(colon) = userinfo.find(':') {
                let from = auth_start + colon + 1;
                let to = auth_start + at;
                out.replace_range(from..to, MASK);
            }
        }
    }
    // ?password=...&sslpassword=...
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_key(k) => format!("{k}={MASK}"),
                _ => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", masked.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEED_CONNINFO: &str = "user=migratetest password=******** channel_binding=prefer dbname=replication host=172.16.254.203 port=5432 application_name=rds_db_instance fallback_application_name=walreceiver sslmode=prefer sslcompression=1 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any";

    #[test]
    fn cases() {
        let cases: &[(&str, &str)] = &[
            (SEED_CONNINFO, SEED_CONNINFO),
            ("user=a password=secret host=h", "user=a password=******** host=h"),
            ("password=secret", "password=********"),
            ("PASSWORD=secret port=1", "PASSWORD=******** port=1"),
            ("user=a password = secret host=h", "user=a password = ******** host=h"),
            ("password='se cret' host=h", "password=******** host=h"),
            (r"password='it\'s here' host=h", "password=******** host=h"),
            (r"password=a\ b host=h", "password=******** host=h"),
            ("sslpassword=x user=u", "sslpassword=******** user=u"),
            ("passwords=x", "passwords=x"),
            ("password=", "password=********"),
            ("password='unterminated host=h", "password=********"),
            ("host=h  dbname=d", "host=h  dbname=d"),
            ("garbage password", "garbage password"),
            ("", ""),
            ("postgresql://u:secret@h:5432/db", "postgresql://u:********@h:5432/db"),
            (
                "postgres://u@h/db?password=x&sslmode=require",
                "postgres://u@h/db?password=********&sslmode=require",
            ),
            ("postgresql://h/db", "postgresql://h/db"),
        ];
        for (input, want) in cases {
            assert_eq!(mask_conninfo_password(input), *want, "{input}");
        }
    }

    proptest! {
        #[test]
        fn hides_plain_secret(prefix in "([a-z]{1,5}=[a-z0-9]{1,5} ){0,3}", secret in "[A-Za-z0-9]{3,12}") {
            let s = format!("{prefix}password={secret} host=h");
            let out = mask_conninfo_password(&s);
            prop_assert!(out.contains("password=********"));
            prop_assert!(out.ends_with(" host=h"));
        }

        #[test]
        fn arbitrary_input(s in ".*") {
            let _ = mask_conninfo_password(&s);
        }
    }
}
