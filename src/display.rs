//! How values from the service are written on screen: pure functions (no browser types),
//! unit-tested natively. Components call these; they never format on their own.

use chrono::{DateTime, Datelike, Timelike, Utc};
use migration_model::MigrationTask;

/// `ip:port` of a task's source; IPv6 addresses get brackets (`[::1]:5432`). `None` when the
/// service gave neither.
pub fn source_address(ip: Option<&str>, port: Option<u32>) -> Option<String> {
    let ip = ip.map(str::trim).filter(|s| !s.is_empty());
    match (ip, port) {
        (None, None) => None,
        (Some(ip), None) => Some(ip.to_owned()),
        (None, Some(port)) => Some(format!(":{port}")),
        (Some(ip), Some(port)) if ip.contains(':') && !ip.starts_with('[') => {
            Some(format!("[{ip}]:{port}"))
        }
        (Some(ip), Some(port)) => Some(format!("{ip}:{port}")),
    }
}

/// The source of a task, see [`source_address`].
pub fn task_source(task: &MigrationTask) -> Option<String> {
    source_address(task.source_ip_address.as_deref(), task.source_port)
}

/// A UTC time as `YYYY-MM-DD HH:MM:SS` (the column headers say UTC). Written by hand rather
/// than with chrono's `format`, which pulls its whole strftime machinery into the wasm bundle.
pub fn utc_text(t: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A `Gmt*` field for display: the parsed time in [`utc_text`] form, or the raw text when it does
/// not parse (kept, never dropped). `None` when absent.
pub fn gmt_text(raw: Option<&str>, parsed: Option<DateTime<Utc>>) -> Option<String> {
    match (parsed, raw) {
        (Some(t), _) => Some(utc_text(t)),
        (None, Some(r)) if !r.trim().is_empty() => Some(r.to_owned()),
        _ => None,
    }
}

/// The machine-readable `datetime` attribute for a `<time>` element (RFC 3339, whole seconds,
/// `Z`), when parsed.
pub fn datetime_attr(parsed: Option<DateTime<Utc>>) -> Option<String> {
    parsed.map(|t| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    })
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
    let mut seen = std::collections::HashSet::new();
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| match id {
            Some(id) if seen.insert(id) => RowKey::Task(id),
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
    use chrono::TimeZone;

    #[test]
    fn sources() {
        assert_eq!(
            source_address(Some("172.16.0.1"), Some(5432)).as_deref(),
            Some("172.16.0.1:5432")
        );
        assert_eq!(
            source_address(Some("fd00::1"), Some(5432)).as_deref(),
            Some("[fd00::1]:5432")
        );
        assert_eq!(
            source_address(Some("10.0.0.1"), None).as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(source_address(None, Some(5432)).as_deref(), Some(":5432"));
        assert_eq!(source_address(Some("  "), None), None);
        assert_eq!(source_address(None, None), None);
    }

    #[test]
    fn times() {
        let t = Utc.with_ymd_and_hms(2022, 2, 25, 6, 57, 41).unwrap();
        assert_eq!(utc_text(t), "2022-02-25 06:57:41");
        assert_eq!(
            gmt_text(Some("2022-02-25T06:57:41Z"), Some(t)).as_deref(),
            Some("2022-02-25 06:57:41")
        );
        assert_eq!(
            gmt_text(Some("yesterday"), None).as_deref(),
            Some("yesterday")
        );
        assert_eq!(gmt_text(None, None), None);
        assert_eq!(
            datetime_attr(Some(t)).as_deref(),
            Some("2022-02-25T06:57:41Z")
        );
    }

    #[test]
    fn keys_are_unique() {
        let keys = row_keys([Some(1), None, Some(2), Some(1)]);
        assert_eq!(
            keys,
            [
                RowKey::Task(1),
                RowKey::Position(1),
                RowKey::Task(2),
                RowKey::Position(3)
            ]
        );
    }

    #[test]
    fn pages() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        assert_eq!(page_count(5, 0), 5);
    }
}
