//! How values from the service are written on screen: pure functions (no browser types; times
//! through chrono), unit-tested natively. Components call these; they never format on their
//! own. Local-time text needs the browser's time zone and lives in `clock.rs`.

use crate::i18n::Lang;
use migration_model::MigrationTask;

/// `ip:port` of a task's source; IPv6 addresses get brackets (`[::1]:5432`). `None` when the
/// service gave neither.
pub fn source_address(ip: Option<&str>, port: Option<u32>) -> Option<String> {
    let ip = ip.map(str::trim).filter(|s| !s.is_empty());
    match (ip, port) {
        (None, None) => None,
        (Some(ip), None) => Some(ip.to_owned()),
        (None, Some(port)) => Some(format!(":{port}")),
        (Some(ip), Some(port)) if ip.contains(':') && !ip.starts_with('[') => Some(format!("[{ip}]:{port}")),
        (Some(ip), Some(port)) => Some(format!("{ip}:{port}")),
    }
}

/// The source of a task, see [`source_address`].
pub fn task_source(task: &MigrationTask) -> Option<String> {
    source_address(task.source_ip_address.as_deref(), task.source_port)
}

/// `2022-02-25 08:53:13 UTC`: the hover text of every time on screen.
pub fn utc_text(ms: i64) -> String {
    utc(ms).format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The `datetime` attribute of a `<time>`: RFC 3339 in UTC, whole seconds.
pub fn datetime_attr(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn utc(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `+07:00` for a zone `minutes_east` of UTC.
pub fn offset_text(minutes_east: i64) -> String {
    let sign = if minutes_east < 0 { '-' } else { '+' };
    let m = minutes_east.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A whole number with the language's digit grouping: `1,234,567` (English), `1.234.567`
/// (Indonesian).
pub fn group_digits(n: i128, lang: Lang) -> String {
    let sep = match lang {
        Lang::En => ',',
        Lang::Id => '.',
    };
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

/// A byte count as written in the tables: `1,234,567 B`.
pub fn bytes_text(n: i128, lang: Lang) -> String {
    format!("{} B", group_digits(n, lang))
}

/// A byte count in binary units for chart axes: `0 B`, `512 B`, `1.5 KiB`, `16 MiB`.
/// (Written with integers: float formatting would add its tables to the wasm bundle.)
pub fn short_bytes(n: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n.abs();
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let tenths = (v * 10.0).round() as u64;
    if u == 0 || tenths >= 100 {
        format!("{sign}{} {}", (tenths + 5) / 10, UNITS[u])
    } else {
        format!("{sign}{}.{} {}", tenths / 10, tenths % 10, UNITS[u])
    }
}

/// A span of time, at most two units: `42 s`, `3 min 5 s`, `2 h 4 min`, `3 d 2 h`
/// (Indonesian: `dtk`, `mnt`, `jam`, `hari`). Negative spans (clock differences) read as their
/// size with a minus sign.
pub fn duration_text(secs: i64, lang: Lang) -> String {
    let (s, m, h, d) = match lang {
        Lang::En => ("s", "min", "h", "d"),
        Lang::Id => ("dtk", "mnt", "jam", "hari"),
    };
    let sign = if secs < 0 { "-" } else { "" };
    let t = secs.unsigned_abs();
    let text = if t < 60 {
        format!("{t} {s}")
    } else if t < 3600 {
        two_units(t / 60, m, t % 60, s)
    } else if t < 86_400 {
        two_units(t / 3600, h, t / 60 % 60, m)
    } else {
        two_units(t / 86_400, d, t / 3600 % 24, h)
    };
    format!("{sign}{text}")
}

fn two_units(a: u64, ua: &str, b: u64, ub: &str) -> String {
    if b == 0 {
        format!("{a} {ua}")
    } else {
        format!("{a} {ua} {b} {ub}")
    }
}

/// The keys of the task table's rows: the `TaskId` when present and not seen before on the page,
/// else the row's position. Keys are unique, so the keyed list never confuses two rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowKey {
    /// Keyed by `TaskId`.
    Task(u64),
    /// No usable `TaskId`: keyed by position on the page.
    Position(usize),
}

/// See [`RowKey`].
pub fn row_keys(ids: impl IntoIterator<Item = Option<u64>>) -> Vec<RowKey> {
    let mut seen = Vec::new();
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| match id {
            Some(id) if !seen.contains(&id) => {
                seen.push(id);
                RowKey::Task(id)
            }
            _ => RowKey::Position(i),
        })
        .collect()
}

/// Number of pages for `total` items at `size` per page (at least 1).
pub fn page_count(total: u64, size: u32) -> u64 {
    let size = u64::from(size.max(1));
    total.div_ceil(size).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert_eq!(source_address(Some("172.16.0.1"), Some(5432)).as_deref(), Some("172.16.0.1:5432"));
        assert_eq!(source_address(Some("fd00::1"), Some(5432)).as_deref(), Some("[fd00::1]:5432"));
        assert_eq!(source_address(Some("10.0.0.1"), None).as_deref(), Some("10.0.0.1"));
        assert_eq!(source_address(None, Some(5432)).as_deref(), Some(":5432"));
        assert_eq!(source_address(Some("  "), None), None);
        assert_eq!(source_address(None, None), None);
    }

    #[test]
    fn times() {
        // 2022-02-25T08:53:13Z
        let ms = 1_645_779_193_000;
        assert_eq!(utc_text(ms), "2022-02-25 08:53:13 UTC");
        assert_eq!(datetime_attr(ms), "2022-02-25T08:53:13Z");
        assert_eq!(datetime_attr(0), "1970-01-01T00:00:00Z");
        assert_eq!(datetime_attr(-1), "1969-12-31T23:59:59Z");
        // A leap day and the turn of a century.
        assert_eq!(datetime_attr(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(datetime_attr(4_102_444_799_000), "2099-12-31T23:59:59Z");
        assert_eq!(offset_text(420), "UTC+07:00");
        assert_eq!(offset_text(-150), "UTC-02:30");
        assert_eq!(offset_text(0), "UTC+00:00");
    }

    #[test]
    fn numbers() {
        assert_eq!(group_digits(0, Lang::En), "0");
        assert_eq!(group_digits(999, Lang::En), "999");
        assert_eq!(group_digits(1000, Lang::En), "1,000");
        assert_eq!(group_digits(1_234_567, Lang::Id), "1.234.567");
        assert_eq!(group_digits(-1_234, Lang::En), "-1,234");
        assert_eq!(bytes_text(328, Lang::En), "328 B");
        assert_eq!(short_bytes(0.0), "0 B");
        assert_eq!(short_bytes(1536.0), "1.5 KiB");
        assert_eq!(short_bytes(16.0 * 1024.0 * 1024.0), "16 MiB");
        assert_eq!(short_bytes(1000.0), "1000 B");
        assert_eq!(short_bytes(9.96 * 1024.0), "10 KiB");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_text(0, Lang::En), "0 s");
        assert_eq!(duration_text(42, Lang::En), "42 s");
        assert_eq!(duration_text(185, Lang::En), "3 min 5 s");
        assert_eq!(duration_text(180, Lang::Id), "3 mnt");
        assert_eq!(duration_text(7440, Lang::En), "2 h 4 min");
        assert_eq!(duration_text(3 * 86_400 + 7200, Lang::Id), "3 hari 2 jam");
        assert_eq!(duration_text(-5, Lang::En), "-5 s");
    }

    #[test]
    fn keys_are_unique() {
        let keys = row_keys([Some(1), None, Some(2), Some(1)]);
        assert_eq!(keys, [RowKey::Task(1), RowKey::Position(1), RowKey::Task(2), RowKey::Position(3)]);
    }

    #[test]
    fn pages() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        assert_eq!(page_count(5, 0), 5);
    }
}
