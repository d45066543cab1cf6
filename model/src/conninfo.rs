//! Masking passwords in text: libpq connection strings (`Conninfo`), URIs with user info, the
//! documented precheck wording `cannot connect to source database by <account>:<password>`, and
//! known secret values in their raw, JSON-escaped and percent-encoded forms. The one text masker:
//! the proxy's redaction of whole answers ([`crate::redact`]) and the app's Conninfo view use it.
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

/// A `key=` in text whose value is a secret: `password`, `sslpassword`, `passwd`, `pwd`, `secret`
/// (`client_secret`, `AccessKeySecret`) and tokens other than pagination tokens, in any case.
fn is_secret_key(key: &str) -> bool {
    // The key as written may carry what precedes it on the line (`(password`, `db?password`).
    // (Walked by byte: a byte of a non-ASCII character ends it as that character would.)
    let start = key
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        .map_or(0, |i| i + 1);
    let k = key.get(start..).unwrap_or(key);
    // No lower-casing here: `is_credential_key` ignores case itself.
    crate::redact::is_credential_key(k)
}

/// Masks every secret this module can recognise in free text: `key = value` assignments of
/// secret keys (quoted or not), the password in the user info of any URI (`scheme://u:pw@host`),
/// and the account password of the documented wording `... database by <account>:<password>`
/// (masked to the end of the line, as it ends the message). Allocates only when a candidate is
/// present; everything else is kept byte for byte.
pub fn mask_secrets_in_text(text: &str) -> String {
    let mut s = text.to_string();
    if contains_ignore_ascii_case(&s, "database by ") {
        s = mask_account_password(&s);
    }
    if s.contains("://") {
        s = mask_uri_userinfo(&s);
    }
    if s.contains('=') && SECRET_KEY_HINTS.iter().any(|h| contains_ignore_ascii_case(&s, h)) {
        s = mask_keywords(&s);
    }
    s
}

/// Whether [`mask_secrets_in_text`] could change `text` (cheap, allocates nothing).
pub fn may_hold_secrets(text: &str) -> bool {
    contains_ignore_ascii_case(text, "database by ")
        || memchr::memmem::find(text.as_bytes(), b"://").is_some()
        || (text.contains('=') && SECRET_KEY_HINTS.iter().any(|h| contains_ignore_ascii_case(text, h)))
}

/// Substrings every secret key name holds (see [`crate::redact::is_credential_key`]).
const SECRET_KEY_HINTS: &[&str] = &["pass", "pwd", "secret", "token", "accesskey", "credential", "apikey"];

/// Whether `haystack` holds `needle` (ASCII) in any letter case; allocates nothing.
pub fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else { return true };
    if h.len() < n.len() {
        return false;
    }
    // Only where the first letter is (found by memchr, many bytes at a time) is the rest compared.
    let starts = &h[..=h.len() - n.len()];
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), starts)
        .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(rest))
}

/// `... database by <account>:<password>`: the password runs to the end of the line (a raw or
/// a JSON-escaped newline), since the documented wording ends with it and a password may hold
/// spaces.
fn mask_account_password(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("database by ") {
        let start = pos + found + "database by ".len();
        out.push_str(&s[pos..start]);
        let rest = &s[start..];
        let line_end = line_end(rest);
        let line = &rest[..line_end];
        match line.find(':') {
            Some(colon) => {
                out.push_str(&line[..=colon]);
                out.push_str(MASK);
            }
            None => out.push_str(line),
        }
        pos = start + line_end;
    }
    out.push_str(&s[pos..]);
    out
}

/// Where the line that starts `s` ends: at a newline, or at an escaped one (`\n`, `\r`) as a
/// JSON document inside a string shows it.
fn line_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' => return i,
            b'\\' if matches!(b.get(i + 1), Some(b'n' | b'r')) => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The password part of the user info of every `scheme://user:password@host` in the text.
fn mask_uri_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(found) = s[pos..].find("://") {
        let auth_start = pos + found + 3;
        out.push_str(&s[pos..auth_start]);
        let rest = &s[auth_start..];
        let auth_len = rest
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '<' | '>' | '\\') || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..auth_len];
        match authority.rfind('@').and_then(|at| authority[..at].find(':').map(|colon| (colon, at))) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str(MASK);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        pos = auth_start + auth_len;
    }
    out.push_str(&s[pos..]);
    out
}

/// The forms a secret value takes in an answer: as is, JSON-escaped (once and twice, as a JSON
/// document inside a string shows it), and percent-encoded (RFC 3986 with upper- and
/// lower-case hex, and form encoding with `+` for a space). Each distinct form once, longest first.
pub fn secret_forms(secret: &str) -> Vec<String> {
    let json_once = json_escape(secret);
    let json_twice = json_escape(&json_once);
    let pct_upper = percent_encode(secret, false, false);
    let mut forms = vec![
        secret.to_string(),
        json_once,
        json_twice,
        pct_upper.clone(),
        percent_encode(secret, true, false),
        percent_encode(secret, false, true),
        percent_encode(secret, true, true),
    ];
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string()
}

/// Every byte but RFC 3986's unreserved characters as `%XX`; `lower` for lower-case hex, `form`
/// for `+` in place of a space (application/x-www-form-urlencoded).
fn percent_encode(s: &str, lower: bool, form: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else if form && b == b' ' {
            out.push('+');
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Shortest secret value masked wherever it appears: shorter values are too likely to be part of
/// ordinary text (they are still dropped with their key).
pub const MIN_KNOWN_SECRET_CHARS: usize = 4;

/// Masks every form ([`secret_forms`]) of every known secret value wherever it appears.
pub fn mask_known_secrets(text: &str, secrets: &[String]) -> String {
    let forms: Vec<String> = secrets.iter().flat_map(|s| secret_forms(s)).collect();
    mask_forms(text, &forms)
}

/// `s` with every `%XX` decoded (and `+` as a space), if it holds any; bytes that do not make
/// UTF-8 become U+FFFD. Used to find a secret however much of it an encoder escaped.
pub fn percent_decoded(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Masks each of `forms` (already computed by [`secret_forms`], longest first) in `text`.
pub fn mask_forms(text: &str, forms: &[String]) -> String {
    let mut s: Option<String> = None;
    for form in forms {
        let current = s.as_deref().unwrap_or(text);
        if current.contains(form.as_str()) {
            s = Some(current.replace(form.as_str(), MASK));
        }
    }
    s.unwrap_or_else(|| text.to_string())
}

/// Walks `key = value` pairs; delimiters are ASCII, so byte offsets stay on char boundaries.
/// Only a masked value is replaced: the text around it is copied in one piece.
fn mask_keywords(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    // `s[copied..]` is not yet in `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        // Whitespace between pairs.
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        // Keyword: up to '=' or whitespace. Read once for what `is_secret_key` and the URI query
        // check would each search it for: where its last name (`(password`, `db?password`)
        // starts, and whether it holds a `?` or `&`.
        let mut name = i;
        let mut in_query = false;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            let c = b[i];
            if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
                name = i + 1;
                in_query |= c == b'?' || c == b'&';
            }
            i += 1;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            // Not a pair (malformed text): keep the word and move on.
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
            // In a URI's query (`db?password=x&sslmode=...`), `&` and `#` end the value.
            while j < b.len() && !b[j].is_ascii_whitespace() && !(in_query && matches!(b[j], b'&' | b'#')) {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            j = j.min(b.len());
        }
        // Keep the original spelling of `key =` and replace only the value. A value already
        // masked stays as it is (masking twice changes nothing).
        let value = s.get(v0..j).unwrap_or("");
        // As `is_secret_key` (the key's last name), read on the way.
        if crate::redact::is_credential_key(s.get(name..i).unwrap_or("")) && !value.starts_with(MASK) {
            out.push_str(s.get(copied..v0).unwrap_or(""));
            out.push_str(MASK);
            copied = j;
        }
        i = j;
    }
    out.push_str(s.get(copied..).unwrap_or(""));
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
            ("passwords=x", "passwords=********"),
            ("host=h", "host=h"),
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

    /// A keyword's last name decides (what precedes it on the line does not), and a `?` or `&`
    /// in it makes the value end at the next `&`.
    #[test]
    fn keywords_carrying_what_precedes_them() {
        let cases: &[(&str, &str)] = &[
            ("(password=abc) x", "(password=******** x"),
            ("h/db?password=x&sslmode=require y", "h/db?password=********&sslmode=require y"),
            ("a&b_password=x&c=1", "a&b_password=********&c=1"),
            ("p\u{e4}ss password=x", "p\u{e4}ss password=********"),
            ("\u{fc}password=x \u{e9}-pwd=y", "\u{fc}password=******** \u{e9}-pwd=********"),
            ("passwordx=1 my_password = 'a b' z", "passwordx=******** my_password = ******** z"),
            ("key=value host=h", "key=value host=h"),
        ];
        for (input, want) in cases {
            assert_eq!(mask_keywords(input), *want, "{input}");
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
