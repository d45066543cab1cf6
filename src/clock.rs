//! Browser glue for time: the current time, times in the viewer's time zone (the browser's
//! offset for that instant, applied with chrono, so the app carries no time-zone data), and
//! Performance API marks for `make bench`.

use chrono::{DateTime, FixedOffset, Utc};
use migration_model::format::whole_seconds;

/// Milliseconds since the Unix epoch, now.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since the Unix epoch, now (native builds: unit tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    Utc::now().timestamp_millis() as f64
}

/// The current time for the model's verdicts (health, switch readiness).
pub fn now_utc() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now_ms() as i64).unwrap_or_default()
}

/// The viewer's offset from UTC at the instant `ms`, in minutes east.
#[cfg(target_arch = "wasm32")]
pub fn offset_minutes_at(ms: f64) -> i64 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).get_timezone_offset() as i64)
}

/// The viewer's offset from UTC (native builds, for unit tests: UTC).
#[cfg(not(target_arch = "wasm32"))]
pub fn offset_minutes_at(_ms: f64) -> i64 {
    0
}

fn local(ms: i64) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt((offset_minutes_at(ms as f64) * 60) as i32)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&offset)
}

/// `YYYY-MM-DD HH:MM:SS` in the viewer's time zone.
pub fn local_text(ms: i64) -> String {
    whole_seconds(local(ms).naive_local()).to_string()
}

/// `HH:MM:SS` in the viewer's time zone.
pub fn local_time_of_day(ms: i64) -> String {
    whole_seconds(local(ms).time()).to_string()
}

/// `performance.mark(name)`; silently nothing where the API is missing.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Marks `name` once the browser has had a frame to paint what was just rendered.
pub fn mark_after_paint(name: &'static str) {
    leptos::prelude::request_animation_frame(move || mark(name));
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_text_uses_the_offset() {
        assert_eq!(super::local_text(1_645_779_193_000), "2022-02-25 08:53:13");
        assert_eq!(super::local_time_of_day(1_645_779_193_000), "08:53:13");
        assert_eq!(super::local_text(1_645_779_193_999), "2022-02-25 08:53:13", "no fraction");
        assert_eq!(super::local_time_of_day(1_645_779_193_999), "08:53:13");
    }
}
