//! Time text as the service writes it.
//!
//! `Gmt*` and `SwitchTime` are ISO-8601 UTC (`2022-02-25T08:53:13Z`). `ReplicationInfo` times are
//! PostgreSQL text with an offset (`2022-03-01 14:42:57.967537+08`). `Detail` event times carry no
//! offset at all; the service writes them in +08 (the seed's event at 17:01:05 sits between
//! GmtCreated 08:53:13Z = 16:53:13+08 and ReplicationInfo's LatestEndTime 17:03:59+08), so
//! [`assumed_log_offset`] is +08. That is an assumption, and callers get the naive time too.
//!
//! Everything is read with chrono's own parser (`parse_from_str`) in the few formats listed here.
//! It replaced a hand-written reader of the same forms; measured in the wasm app, chrono's parser
//! costs about 17.7 KB raw and 6.1 KB brotli more, kept for one well-tested parser over our own.

use chrono::format::{parse, Item, Parsed, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use std::sync::LazyLock;

/// Seconds east of UTC assumed for `Detail` times (China Standard Time). ASSUMPTION, see module doc.
pub const ASSUMED_LOG_OFFSET_SECS: i32 = 8 * 3600;

/// The +08 offset assumed for times written without one.
pub fn assumed_log_offset() -> FixedOffset {
    FixedOffset::east_opt(ASSUMED_LOG_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// The local part as the service writes it: `YYYY-MM-DD HH:MM:SS[.f]` or `YYYY-MM-DD HH:MM`,
/// with a space or a `T` between date and time.
const LOCAL_FORMATS: [&str; 4] =
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"];

/// The same followed by an offset: `Z`, `+08`, `+0800`, `+08:00`, `-03:30` (chrono's `%#z`).
const OFFSET_FORMATS: [&str; 4] =
    ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z", "%Y-%m-%dT%H:%M%#z"];

/// The formats read into chrono's items once. `parse_from_str` reads its pattern again on every
/// call, and a page of 30 tasks holds a few hundred `Detail` times, each tried against several
/// formats: in the app that was part of the wait for the first table (BENCHMARKS.md, "Fourth
/// round"). Reading with the items is what `parse_from_str` does after reading the pattern.
static LOCAL_ITEMS: LazyLock<Vec<Vec<Item<'static>>>> = LazyLock::new(|| items(&LOCAL_FORMATS));
static OFFSET_ITEMS: LazyLock<Vec<Vec<Item<'static>>>> = LazyLock::new(|| items(&OFFSET_FORMATS));

fn items(formats: &[&'static str]) -> Vec<Vec<Item<'static>>> {
    formats.iter().filter_map(|f| StrftimeItems::new(f).parse().ok()).collect()
}

/// What chrono read of `s` with `items`, if all of `s` matched.
fn parsed(s: &str, items: &[Item<'static>]) -> Option<Parsed> {
    let mut p = Parsed::new();
    parse(&mut p, s, items.iter()).ok()?;
    Some(p)
}

/// Whether `s` could hold an offset at all (`Z`, a sign after the date, or chrono's other minus
/// sign): a `Detail` time has none, and is then not tried against the offset formats first.
fn may_have_offset(s: &str) -> bool {
    s.contains(['+', 'Z', 'z', '\u{2212}']) || s.matches('-').count() > 2
}

/// A time without an offset, in one of [`LOCAL_FORMATS`].
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    LOCAL_ITEMS.iter().find_map(|items| parsed(s, items)?.to_naive_datetime_with_offset(0).ok())
}

/// A time that must carry its offset (`ReplicationInfo`): `None` when it has none, is `"null"`,
/// or does not parse.
pub fn parse_offset_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if !may_have_offset(s) {
        return None;
    }
    OFFSET_ITEMS.iter().find_map(|items| parsed(s, items)?.to_datetime().ok())
}

/// A time with or without an offset; without one, `default_offset` is applied.
/// Returns the time and whether the offset was assumed.
pub fn parse_time_assuming(s: &str, default_offset: FixedOffset) -> Option<(DateTime<FixedOffset>, bool)> {
    if let Some(t) = parse_offset_time(s) {
        return Some((t, false));
    }
    let naive = parse_naive(s)?;
    default_offset.from_local_datetime(&naive).single().map(|t| (t, true))
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
            // Offsets with seconds (PostgreSQL prints them only for dates before standard time).
            ("2022-02-25 17:03:59+05:30:00", None),
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

    #[test]
    fn every_format_is_read_once_and_reads_as_parse_from_str() {
        assert_eq!(LOCAL_ITEMS.len(), LOCAL_FORMATS.len());
        assert_eq!(OFFSET_ITEMS.len(), OFFSET_FORMATS.len());
        let inputs = [
            "2022-03-01 14:42:57.967537+08",
            "2022-02-25 17:03:59+0800",
            "2022-02-25T17:03:59-03:30",
            "2022-02-25T17:03:59\u{2212}03:30",
            "2022-02-25T09:03:59Z",
            "2022-02-25T09:03:59z",
            "2022-02-25 17:03:59",
            "2022-02-25 17:03",
            "2022-02-25T17:03:59.5",
            "2022-2-5 7:00+08",
            "-0001-02-25 17:03:59+08",
            "-0001-02-25 17:03:59",
            "2022-02-25 17:03:59+99",
            "2022-02-30 17:03:59+08",
            "garbage+08",
            "null",
            "",
        ];
        for input in inputs {
            let offset = OFFSET_FORMATS.iter().find_map(|f| DateTime::parse_from_str(input, f).ok());
            assert_eq!(parse_offset_time(input), offset, "{input}");
            let naive = LOCAL_FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(input, f).ok());
            assert_eq!(parse_naive(input), naive, "{input}");
        }
    }
}
