//! The one formatter for figures shown to people: the app's views and the proxy's alert
//! messages both write numbers, byte counts and ages through here (and pick plural forms), so a figure
//! reads the same wherever it appears.
//!
//! * Numbers follow the language: English `7,340,485` and `1.5`; Indonesian `7.340.485` and `1,5`.
//! * Byte counts in IEC units (`7.0 MiB`), one decimal below 100 of a unit; the exact count is
//!   [`bytes_exact`] (`7,340,485 B`), for a tooltip or a parenthesis.
//! * Spans and ages: at most two units (`42 s`, `3 min 5 s`, `3 h 48 min`, `2 d 5 h`); from a
//!   week on, whole days only (`1,738 d`), since hours no longer matter at that scale.
//! * Plurals by CLDR's rule: English has `one` and `other`, Indonesian only `other` (a counted
//!   noun does not change: `1 sampel`, `2 sampel`).
//!
//! Written with integers only: float formatting would add its tables to the wasm app.

use crate::lang::Lang;

/// Thousands separator of the language.
fn group_separator(lang: Lang) -> char {
    match lang {
        Lang::En => ',',
        Lang::Id => '.',
    }
}

/// Decimal separator of the language.
pub fn decimal_separator(lang: Lang) -> char {
    match lang {
        Lang::En => '.',
        Lang::Id => ',',
    }
}

/// An integer with the language's thousands separator: `1,738` / `1.738`.
pub fn number(n: i128, lang: Lang) -> String {
    let sep = group_separator(lang);
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `tenths / 10` with one decimal in the language: `15` → `1.5` / `1,5`.
fn tenths(t: u128, lang: Lang) -> String {
    format!("{}{}{}", number((t / 10) as i128, lang), decimal_separator(lang), t % 10)
}

const IEC_UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// A byte count in IEC units: `328 B`, `7.0 MiB`, `16 MiB`, `1,5 GiB` (Indonesian). One decimal
/// below 100 of a unit, none from 100 on; negative counts keep their sign.
pub fn bytes(n: i128, lang: Lang) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let v = n.unsigned_abs();
    if v < 1024 {
        return format!("{sign}{v} B");
    }
    let mut unit = 0;
    let mut scale: u128 = 1;
    while unit + 1 < IEC_UNITS.len() && v >= scale * 1024 {
        scale *= 1024;
        unit += 1;
    }
    // Rounded to tenths of the unit, half up.
    let t = (v.saturating_mul(10) + scale / 2) / scale;
    // Rounding may reach the next unit (1023.96 KiB → 1.0 MiB).
    let (t, unit, scale) = if t >= 10_240 && unit + 1 < IEC_UNITS.len() {
        ((v.saturating_mul(10) + scale * 512) / (scale * 1024), unit + 1, scale * 1024)
    } else {
        (t, unit, scale)
    };
    // From 100 units on, whole units rounded once from the exact count: rounding the tenths
    // again would round twice (978.45 → 978.5 → 979).
    let text = if t >= 1_000 { number(((v + scale / 2) / scale) as i128, lang) } else { tenths(t, lang) };
    format!("{sign}{text} {}", IEC_UNITS[unit])
}

/// The exact byte count: `7,340,485 B` / `7.340.485 B`.
pub fn bytes_exact(n: i128, lang: Lang) -> String {
    format!("{} B", number(n, lang))
}

/// A byte count both ways, for text that states the figure it judged: `7.0 MiB (7,340,485 B)`;
/// below 1 KiB just `328 B`.
pub fn bytes_with_exact(n: i128, lang: Lang) -> String {
    if n.unsigned_abs() < 1024 {
        bytes(n, lang)
    } else {
        format!("{} ({})", bytes(n, lang), bytes_exact(n, lang))
    }
}

/// Spans of this many seconds or more are written in whole days.
pub const WHOLE_DAYS_FROM_SECS: u64 = 7 * 86_400;

/// A span of time: `42 s`, `3 min 5 s`, `3 h 48 min`, `2 d 5 h`, `1,738 d` (Indonesian `dtk`,
/// `mnt`, `jam`, `hari`). A negative span (clocks that disagree) keeps its minus sign.
pub fn duration(secs: i64, lang: Lang) -> String {
    let (s, m, h, d) = match lang {
        Lang::En => ("s", "min", "h", "d"),
        Lang::Id => ("dtk", "mnt", "jam", "hari"),
    };
    let sign = if secs < 0 { "-" } else { "" };
    let t = secs.unsigned_abs();
    let two = |a: u64, ua: &str, b: u64, ub: &str| {
        if b == 0 {
            format!("{a} {ua}")
        } else {
            format!("{a} {ua} {b} {ub}")
        }
    };
    let text = if t < 60 {
        format!("{t} {s}")
    } else if t < 3_600 {
        two(t / 60, m, t % 60, s)
    } else if t < 86_400 {
        two(t / 3_600, h, t / 60 % 60, m)
    } else if t < WHOLE_DAYS_FROM_SECS {
        two(t / 86_400, d, t / 3_600 % 24, h)
    } else {
        format!("{} {d}", number(i128::from(t / 86_400), lang))
    };
    format!("{sign}{text}")
}

/// An age: the span followed by "ago" (`1,738 d ago` / `1.738 hari lalu`); a negative age (a
/// time ahead of this clock) reads `in 5 s` / `5 dtk lagi`.
pub fn age(secs: i64, lang: Lang) -> String {
    let span = duration(secs.saturating_abs(), lang);
    match (lang, secs < 0) {
        (Lang::En, false) => format!("{span} ago"),
        (Lang::En, true) => format!("in {span}"),
        (Lang::Id, false) => format!("{span} lalu"),
        (Lang::Id, true) => format!("{span} lagi"),
    }
}

/// CLDR plural category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralCategory {
    One,
    Other,
}

/// The plural category of `n` in `lang` (English: `one` for exactly 1; Indonesian: always `other`).
pub fn plural_category(n: i128, lang: Lang) -> PluralCategory {
    match lang {
        Lang::En if n == 1 => PluralCategory::One,
        _ => PluralCategory::Other,
    }
}

/// A UTC time as `2022-03-01 06:40:51 UTC` (the same in both languages; local time needs the
/// browser's zone and is the app's business).
pub fn utc_time(t: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} UTC", whole_seconds(t.naive_utc()))
}

/// `t` without its fraction of a second, so chrono's `Display` writes `YYYY-MM-DD HH:MM:SS`.
/// Every time on screen is written this way, a few hundred per table: chrono's `Display` is
/// about 3.7 times faster than `format("%Y-%m-%d %H:%M:%S")`, which parses its pattern on
/// every call (BENCHMARKS.md, the app's startup profile).
pub fn whole_seconds<T: chrono::Timelike + Copy>(t: T) -> T {
    t.with_nanosecond(0).unwrap_or(t)
}

/// A UTC time from milliseconds since the epoch, as [`utc_time`]: the hover text of every time
/// on screen.
pub fn utc_ms(ms: i64) -> String {
    utc_time(chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

/// The `datetime` attribute of an HTML `<time>`: RFC 3339 in UTC, whole seconds.
pub fn datetime_attr(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A zone `minutes_east` of UTC: `UTC+07:00`, `UTC-02:30`.
pub fn utc_offset(minutes_east: i64) -> String {
    let sign = if minutes_east < 0 { '-' } else { '+' };
    let m = minutes_east.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A network address `ip:port`; IPv6 addresses get brackets (`[::1]:5432`). `None` when
/// neither part is given.
pub fn address(ip: Option<&str>, port: Option<u32>) -> Option<String> {
    let ip = ip.map(str::trim).filter(|s| !s.is_empty());
    match (ip, port) {
        (None, None) => None,
        (Some(ip), None) => Some(ip.to_owned()),
        (None, Some(port)) => Some(format!(":{port}")),
        (Some(ip), Some(port)) if ip.contains(':') && !ip.starts_with('[') => Some(format!("[{ip}]:{port}")),
        (Some(ip), Some(port)) => Some(format!("{ip}:{port}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(number(7_340_485, Lang::En), "7,340,485");
        assert_eq!(number(7_340_485, Lang::Id), "7.340.485");
        assert_eq!(number(-1_738, Lang::En), "-1,738");
        assert_eq!(number(999, Lang::Id), "999");
        assert_eq!(number(0, Lang::En), "0");
        assert_eq!(number(1_000_000, Lang::En), "1,000,000");
    }

    #[test]
    fn bytes_in_iec_units_with_the_exact_count_beside() {
        let cases: &[(i128, &str, &str)] = &[
            (0, "0 B", "0 B"),
            (328, "328 B", "328 B"),
            (1023, "1023 B", "1023 B"),
            (1024, "1.0 KiB", "1,0 KiB"),
            (1536, "1.5 KiB", "1,5 KiB"),
            (7_340_485, "7.0 MiB", "7,0 MiB"),
            (7_044_895, "6.7 MiB", "6,7 MiB"),
            (16 * 1024 * 1024, "16.0 MiB", "16,0 MiB"),
            (150 * 1024 * 1024, "150 MiB", "150 MiB"),
            (1024 * 1024 - 1, "1.0 MiB", "1,0 MiB"),
            (1_048_575 * 1024, "1.0 GiB", "1,0 GiB"),
            (5 * (1 << 40), "5.0 TiB", "5,0 TiB"),
            (-2048, "-2.0 KiB", "-2,0 KiB"),
            (i128::from(u64::MAX), "16.0 EiB", "16,0 EiB"),
        ];
        for (n, en, id) in cases {
            assert_eq!(bytes(*n, Lang::En), *en, "{n}");
            assert_eq!(bytes(*n, Lang::Id), *id, "{n}");
        }
        assert_eq!(bytes_exact(7_340_485, Lang::En), "7,340,485 B");
        assert_eq!(bytes_exact(2_069_130, Lang::Id), "2.069.130 B");
        assert_eq!(bytes_with_exact(7_340_485, Lang::En), "7.0 MiB (7,340,485 B)");
        assert_eq!(bytes_with_exact(328, Lang::En), "328 B");
    }

    #[test]
    fn ages_past_a_day_are_days_and_hours_then_days() {
        let cases: &[(i64, &str, &str)] = &[
            (0, "0 s", "0 dtk"),
            (42, "42 s", "42 dtk"),
            (60, "1 min", "1 mnt"),
            (185, "3 min 5 s", "3 mnt 5 dtk"),
            (3 * 3600 + 48 * 60 + 7, "3 h 48 min", "3 jam 48 mnt"),
            (86_400, "1 d", "1 hari"),
            (2 * 86_400 + 5 * 3600 + 59, "2 d 5 h", "2 hari 5 jam"),
            (7 * 86_400 + 3600, "7 d", "7 hari"),
            (150_190_106, "1,738 d", "1.738 hari"),
            (-5, "-5 s", "-5 dtk"),
        ];
        for (s, en, id) in cases {
            assert_eq!(duration(*s, Lang::En), *en, "{s}");
            assert_eq!(duration(*s, Lang::Id), *id, "{s}");
        }
        assert_eq!(age(150_190_106, Lang::En), "1,738 d ago");
        assert_eq!(age(150_190_106, Lang::Id), "1.738 hari lalu");
        assert_eq!(age(-5, Lang::En), "in 5 s");
        assert!(age(i64::MIN, Lang::En).starts_with("in "));
    }

    #[test]
    fn plurals() {
        assert_eq!(plural_category(1, Lang::En), PluralCategory::One);
        assert_eq!(plural_category(0, Lang::En), PluralCategory::Other);
        assert_eq!(plural_category(2, Lang::En), PluralCategory::Other);
        assert_eq!(plural_category(1, Lang::Id), PluralCategory::Other);
    }

    #[test]
    fn utc_times() {
        let t = crate::time::parse_utc("2022-03-01T06:40:51Z").unwrap();
        assert_eq!(utc_time(t), "2022-03-01 06:40:51 UTC");
    }

    #[test]
    fn times_offsets_and_addresses() {
        // 2022-02-25T08:53:13Z
        let ms = 1_645_779_193_000;
        assert_eq!(utc_ms(ms), "2022-02-25 08:53:13 UTC");
        assert_eq!(datetime_attr(ms), "2022-02-25T08:53:13Z");
        assert_eq!(datetime_attr(-1), "1969-12-31T23:59:59Z");
        // Whole seconds: a fraction is cut, never written.
        assert_eq!(utc_ms(ms + 456), "2022-02-25 08:53:13 UTC");
        assert_eq!(datetime_attr(ms + 456), "2022-02-25T08:53:13Z");
        assert_eq!(datetime_attr(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc_offset(420), "UTC+07:00");
        assert_eq!(utc_offset(-150), "UTC-02:30");
        assert_eq!(utc_offset(0), "UTC+00:00");
        assert_eq!(address(Some("172.16.0.1"), Some(5432)).as_deref(), Some("172.16.0.1:5432"));
        assert_eq!(address(Some("fd00::1"), Some(5432)).as_deref(), Some("[fd00::1]:5432"));
        assert_eq!(address(Some("10.0.0.1"), None).as_deref(), Some("10.0.0.1"));
        assert_eq!(address(None, Some(5432)).as_deref(), Some(":5432"));
        assert_eq!(address(Some("  "), None), None);
    }

    #[test]
    fn large_values_round_once() {
        // 978.45 PiB: one rounding gives 978, rounding the tenths again would give 979.
        assert_eq!(bytes(1_101_636_763_850_165_453, Lang::En), "978 PiB");
    }

    proptest! {
        #[test]
        fn grouping_round_trips(n in any::<i64>()) {
            for lang in Lang::ALL {
                let s = number(i128::from(n), lang);
                let back: i128 = s.replace(group_separator(lang), "").parse().unwrap();
                prop_assert_eq!(back, i128::from(n));
            }
        }

        #[test]
        fn bytes_never_panic_and_stay_close(n in any::<u64>()) {
            let s = bytes(i128::from(n), Lang::En);
            let (value, unit) = s.split_once(' ').unwrap();
            let scale = 1024f64.powi(IEC_UNITS.iter().position(|u| *u == unit).unwrap() as i32);
            let shown: f64 = value.replace(',', "").parse().unwrap();
            // Within half of the last digit shown (0.05 of a unit below 100, 0.5 from 100 on).
            let tol = if shown >= 100.0 { 0.5 } else { 0.05 } * scale + 1.0;
            prop_assert!((shown * scale - n as f64).abs() <= tol, "{} -> {}", n, s);
        }

        #[test]
        fn durations_never_panic(s in any::<i64>()) {
            for lang in Lang::ALL {
                let _ = (duration(s, lang), age(s, lang));
            }
        }
    }
}
