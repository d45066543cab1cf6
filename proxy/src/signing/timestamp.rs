//! The ISO 8601 UTC timestamps both schemes use: `yyyy-MM-ddTHH:mm:ssZ`
//! (`Timestamp` for RPC, `x-acs-date` for V3).

use chrono::{DateTime, NaiveDate, Utc};

/// Formats `t` as `yyyy-MM-ddTHH:mm:ssZ` (whole seconds, UTC), e.g. `2023-10-26T10:22:32Z`.
pub fn format(t: DateTime<Utc>) -> String {
    // The same text as `%Y-%m-%dT%H:%M:%SZ`, without parsing a format string on every call.
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Parses exactly `yyyy-MM-ddTHH:mm:ssZ` (20 ASCII characters, uppercase `T` and `Z`, a real
/// calendar date and time). Anything else (fractions, offsets, lowercase, leap seconds) is `None`.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let mut n: u32 = 0;
        for &c in &b[from..to] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let (h, m, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if sec > 59 {
        return None;
    }
    Some(date.and_hms_opt(h, m, sec)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip() {
        let t = Utc.with_ymd_and_hms(2023, 10, 26, 10, 22, 32).unwrap();
        assert_eq!(format(t), "2023-10-26T10:22:32Z");
        assert_eq!(parse("2023-10-26T10:22:32Z"), Some(t));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "mock date",
            "2023-10-26T10:22:32",
            "2023-10-26T10:22:32z",
            "2023-10-26t10:22:32Z",
            "2023-10-26 10:22:32Z",
            "2023-10-26T10:22:32.123Z",
            "2023-10-26T10:22:32+00:00",
            "2023-02-30T10:22:32Z",
            "2023-13-01T10:22:32Z",
            "2023-10-26T24:00:00Z",
            "2023-10-26T10:60:00Z",
            "2023-10-26T10:22:60Z",
            "+023-10-26T10:22:32Z",
            "2023-1-026T10:22:32Z",
            "２023-10-26T10:22:3Z",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
