//! Time text as the service writes it.
//!
//! `Gmt*` and `SwitchTime` are ISO-8601 UTC (`2022-02-25T08:53:13Z`). `ReplicationInfo` times are
//! PostgreSQL text with an offset (`2022-03-01 14:42:57.967537+08`). `Detail` event times carry no
//! offset at all; the service writes them in +08 (the seed's event at 17:01:05 sits between
//! GmtCreated 08:53:13Z = 16:53:13+08 and ReplicationInfo's LatestEndTime 17:03:59+08), so
//! [`assumed_log_offset`] is +08. That is an assumption, and callers get the naive time too.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// Seconds east of UTC assumed for `Detail` times (China Standard Time). ASSUMPTION, see module doc.
pub const ASSUMED_LOG_OFFSET_SECS: i32 = 8 * 3600;

/// The +08 offset assumed for times written without one.
pub fn assumed_log_offset() -> FixedOffset {
    FixedOffset::east_opt(ASSUMED_LOG_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// Splits `2022-03-01 14:42:57.96727+08` into the local part and the offset (if any).
fn split_offset(s: &str) -> (&str, Option<FixedOffset>) {
    let s = s.trim();
    if let Some(head) = s.strip_suffix(['Z', 'z']) {
        return (head, Some(Utc.fix()));
    }
    // The offset sign can only come after the date (index 10), so date dashes are skipped.
    let tail_start = s.char_indices().nth(11).map(|(i, _)| i).unwrap_or(s.len());
    let tail = s.get(tail_start..).unwrap_or("");
    match tail.rfind(['+', '-']) {
        Some(pos) => {
            let at = tail_start + pos;
            let (head, off) = (s.get(..at).unwrap_or(s), s.get(at..).unwrap_or(""));
            match parse_offset(off) {
                Some(o) => (head.trim_end(), Some(o)),
                None => (s, None),
            }
        }
        None => (s, None),
    }
}

/// Reads `+08`, `+0800`, `+08:00`, `-03:30`, `+05:30:00`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let mut chars = s.chars();
    let sign = match chars.next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = chars.filter(|c| *c != ':').collect();
    if digits.is_empty()
        || !digits.len().is_multiple_of(2)
        || digits.len() > 6
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let part = |i: usize| digits.get(i..i + 2).and_then(|p| p.parse::<i32>().ok()).unwrap_or(0);
    let (h, m, sec) = (part(0), part(2), part(4));
    if h > 15 || m > 59 || sec > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + sec))
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` or `YYYY-MM-DD HH:MM` (a `T` separator also works), without an
/// offset. Read by hand rather than with chrono's `parse_from_str`, whose format machinery would
/// add tens of kilobytes to the wasm app; the accepted forms are the same.
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    let b = s.trim().as_bytes();
    let mut p = Digits { b, i: 0 };
    let year = p.number(4, 4)?;
    p.expect(b'-')?;
    let month = p.number(1, 2)?;
    p.expect(b'-')?;
    let day = p.number(1, 2)?;
    match p.peek() {
        Some(b' ' | b'T' | b't') => p.i += 1,
        _ => return None,
    }
    while p.peek() == Some(b' ') {
        p.i += 1;
    }
    let hour = p.number(1, 2)?;
    p.expect(b':')?;
    let minute = p.number(1, 2)?;
    let (mut second, mut nano) = (0, 0);
    if p.peek() == Some(b':') {
        p.i += 1;
        second = p.number(1, 2)?;
        if p.peek() == Some(b'.') {
            p.i += 1;
            let start = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            let digits = &b[start..p.i];
            if digits.is_empty() {
                return None;
            }
            for k in 0..9 {
                nano = nano * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0'));
            }
        }
    }
    if p.i != b.len() {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    Some(NaiveDateTime::new(date, time))
}

/// A cursor over ASCII digits and separators, for [`parse_naive`].
struct Digits<'a> {
    b: &'a [u8],
    i: usize,
}

impl Digits<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    /// `min..=max` digits as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut n = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    n = n * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(n)
    }
}

/// A time that must carry its offset (`ReplicationInfo`): `None` when it has none, is `"null"`,
/// or does not parse.
pub fn parse_offset_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let (head, off) = split_offset(s);
    let off = off?;
    let naive = parse_naive(head)?;
    off.from_local_datetime(&naive).single()
}

/// A time with or without an offset; without one, `default_offset` is applied.
/// Returns the time and whether the offset was assumed.
pub fn parse_time_assuming(s: &str, default_offset: FixedOffset) -> Option<(DateTime<FixedOffset>, bool)> {
    let (head, off) = split_offset(s);
    let naive = parse_naive(head)?;
    let assumed = off.is_none();
    let off = off.unwrap_or(default_offset);
    off.from_local_datetime(&naive).single().map(|t| (t, assumed))
}

/// A `Gmt*`/`SwitchTime` value: ISO UTC; a value without an offset is read as UTC, as documented.
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    parse_time_assuming(s, Utc.fix()).map(|(t, _)| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_times() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2022-03-01 14:42:57.967537+08", Some("2022-03-01T14:42:57.967537+08:00")),
            ("2022-02-25 17:03:59.3344+08", Some("2022-02-25T17:03:59.334400+08:00")),
            ("2022-02-25 17:03:59+08", Some("2022-02-25T17:03:59+08:00")),
            ("2022-02-25 17:03:59+0800", Some("2022-02-25T17:03:59+08:00")),
            ("2022-02-25T17:03:59-03:30", Some("2022-02-25T17:03:59-03:30")),
            ("2022-02-25 17:03:59+05:30:00", Some("2022-02-25T17:03:59+05:30")),
            ("2022-02-25T09:03:59Z", Some("2022-02-25T09:03:59+00:00")),
            ("2022-02-25 17:03:59", None),
            ("null", None),
            ("", None),
            ("2022-02-25 17:03:59+99", None),
            ("garbage+08", None),
            ("2022-02-30 17:03:59+08", None),
        ];
        for (input, want) in cases {
            let got =
                parse_offset_time(input).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false));
            assert_eq!(got.as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn utc_and_naive() {
        assert_eq!(
            parse_utc("2022-02-25T08:53:13Z").map(|t| t.to_rfc3339()),
            Some("2022-02-25T08:53:13+00:00".to_string())
        );
        assert_eq!(
            parse_utc("2022-02-25 08:53:13").map(|t| t.to_rfc3339()),
            Some("2022-02-25T08:53:13+00:00".to_string())
        );
        assert_eq!(
            parse_utc("2022-02-25T16:53:13+08:00").map(|t| t.to_rfc3339()),
            Some("2022-02-25T08:53:13+00:00".to_string())
        );
        assert_eq!(parse_utc("null"), None);
        assert!(parse_naive("2022-02-25 17:00:29").is_some());
        assert!(parse_naive("2022-02-25T17:00:29.5").is_some());
        assert!(parse_naive("2022-02-25 17:00").is_some());
        assert!(parse_naive("17:00:29").is_none());
        assert!(parse_naive("2022-02-25 17:00:29.").is_none());
        assert!(parse_naive("2022-02-25 17:00:29x").is_none());
        assert!(parse_naive("2022-02-25 25:00").is_none());
        assert!(parse_naive("2022-2-5 7:00").is_some());
        assert_eq!(
            parse_naive("2022-02-25T17:00:29.1234567891").map(|t| t.to_string()),
            Some("2022-02-25 17:00:29.123456789".to_string())
        );
        assert_eq!(
            parse_naive(" 2022-02-25 17:00:29.96727 ").map(|t| t.to_string()),
            Some("2022-02-25 17:00:29.967270".to_string())
        );
        let (t, assumed) = parse_time_assuming("2022-02-25 17:00:29", assumed_log_offset()).unwrap();
        assert!(assumed);
        assert_eq!(t.to_rfc3339(), "2022-02-25T17:00:29+08:00");
    }
}
