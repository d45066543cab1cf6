//! Browser glue for time: the current time, times in the viewer's time zone (from the browser's
//! `Date`, so the app carries no time-zone data), and Performance API marks for `make bench`.

use crate::display::Civil;

/// Milliseconds since the Unix epoch, now.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since the Unix epoch, now (native builds: unit tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64)
}

/// The current time for the model's verdicts (health, switch readiness).
pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(now_ms() as i64).unwrap_or_default()
}

/// The viewer's local date and time of a Unix time in milliseconds (native builds, for unit
/// tests: UTC).
#[cfg(not(target_arch = "wasm32"))]
pub fn local_civil(ms: i64) -> Civil {
    Civil::from_unix_ms(ms)
}

/// The viewer's local date and time of a Unix time in milliseconds.
#[cfg(target_arch = "wasm32")]
pub fn local_civil(ms: i64) -> Civil {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    Civil {
        year: i64::from(d.get_full_year()),
        month: d.get_month() + 1,
        day: d.get_date(),
        hour: d.get_hours(),
        minute: d.get_minutes(),
        second: d.get_seconds(),
    }
}

/// `YYYY-MM-DD HH:MM:SS` in the viewer's time zone.
pub fn local_text(ms: i64) -> String {
    local_civil(ms).text(' ')
}

/// `HH:MM:SS` in the viewer's time zone.
pub fn local_time_of_day(ms: i64) -> String {
    let c = local_civil(ms);
    format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
}

/// The viewer's offset from UTC now, in minutes east.
pub fn local_offset_minutes() -> i64 {
    -(js_sys::Date::new_0().get_timezone_offset() as i64)
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
