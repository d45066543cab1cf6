//! The task page's lag chart as SVG text: pure (no browser types), unit-tested natively.
//!
//! Drawn as a string and set as the chart element's inner HTML rather than built element by
//! element: the view code for a dozen SVG element types would cost more wasm than this. Only
//! numbers and the two axis labels (escaped) go into it; colours come from CSS classes, so the
//! chart follows the theme and the strict CSP (no `style` attributes).

use crate::display::short_bytes;
use crate::html::escape;

/// One refresh's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// When the answer arrived (ms).
    pub at_ms: f64,
    /// Bytes not yet replayed.
    pub not_replayed: Option<f64>,
    /// Bytes behind the source's last report.
    pub behind_source: Option<f64>,
}

/// At most this many samples are kept (about an hour at a 10 s refresh).
pub const MAX_SAMPLES: usize = 360;

const W: f64 = 600.0;
const H: f64 = 180.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// Appends a sample, dropping the oldest beyond [`MAX_SAMPLES`].
pub fn push_sample(samples: &mut Vec<Sample>, s: Sample) {
    samples.push(s);
    if samples.len() > MAX_SAMPLES {
        let extra = samples.len() - MAX_SAMPLES;
        samples.drain(..extra);
    }
}

/// The chart: both lag figures over time, `first`/`last` labelling the time axis.
pub fn lag_chart_svg(samples: &[Sample], first: &str, last: &str) -> String {
    let values = samples.iter().flat_map(|s| [s.not_replayed, s.behind_source]).flatten();
    let max = values.fold(0.0f64, f64::max).max(1.0);
    let (t0, t1) = match (samples.first(), samples.last()) {
        (Some(a), Some(b)) => (a.at_ms, b.at_ms),
        _ => (0.0, 0.0),
    };
    let span = (t1 - t0).max(1.0);
    let x = |t: f64| {
        if samples.len() < 2 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (t - t0) / span * (W - LEFT - RIGHT)
        }
    };
    let y = |v: f64| TOP + (1.0 - v / max) * (H - TOP - BOTTOM);
    let line = |class: &str, pick: fn(&Sample) -> Option<f64>| {
        let (mut points, mut dots) = (Vec::new(), String::new());
        for s in samples {
            if let Some(v) = pick(s) {
                let (cx, cy) = (x(s.at_ms).round() as i64, y(v).round() as i64);
                points.push(format!("{cx},{cy}"));
                dots.push_str(&format!(
                    r#"<circle class="chart__dot {class}" cx="{cx}" cy="{cy}" r="2.5"/>"#
                ));
            }
        }
        format!(r#"<polyline class="chart__line {class}" fill="none" points="{}"/>{dots}"#, points.join(" "))
    };
    let base_y = H - BOTTOM;
    format!(
        concat!(
            r#"<svg class="chart__svg" viewBox="0 0 {w} {h}" aria-hidden="true" focusable="false">"#,
            r#"<line class="chart__axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>"#,
            r#"<line class="chart__axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>"#,
            r#"<line class="chart__grid" x1="{left}" y1="{mid}" x2="{right}" y2="{mid}"/>"#,
            r#"<text class="chart__label" x="{lx}" y="{ty}" text-anchor="end">{max}</text>"#,
            r#"<text class="chart__label" x="{lx}" y="{base}" text-anchor="end">0 B</text>"#,
            r#"<text class="chart__label" x="{left}" y="{h}" text-anchor="start">{first}</text>"#,
            r#"<text class="chart__label" x="{right}" y="{h}" text-anchor="end">{last}</text>"#,
            "{a}{b}</svg>"
        ),
        w = W as i64,
        h = H as i64,
        left = LEFT as i64,
        right = (W - RIGHT) as i64,
        top = TOP as i64,
        base = base_y as i64,
        mid = ((TOP + base_y) / 2.0) as i64,
        lx = (LEFT - 6.0) as i64,
        ty = (TOP + 8.0) as i64,
        max = escape(&short_bytes(max)),
        first = escape(first),
        last = escape(last),
        a = line("chart__line--a", |s| s.not_replayed),
        b = line("chart__line--b", |s| s.behind_source),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(at: f64, a: Option<f64>, b: Option<f64>) -> Sample {
        Sample { at_ms: at, not_replayed: a, behind_source: b }
    }

    #[test]
    fn draws_both_lines() {
        let svg = lag_chart_svg(
            &[s(0.0, Some(0.0), Some(0.0)), s(1000.0, Some(2048.0), None)],
            "10:00:00",
            "10:00:01",
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(
            svg.contains(r#"class="chart__line chart__line--a" fill="none" points="64,158 592,10""#),
            "{svg}"
        );
        assert!(svg.contains(r#"class="chart__line chart__line--b" fill="none" points="64,158""#));
        assert!(svg.contains(">2.0 KiB<"));
        assert!(!svg.contains("style"));
    }

    #[test]
    fn escapes_labels_and_keeps_a_bounded_history() {
        let svg = lag_chart_svg(&[], "<a>", "&");
        assert!(svg.contains("&lt;a&gt;") && svg.contains("&amp;"));
        let mut v = Vec::new();
        for i in 0..(MAX_SAMPLES + 5) {
            push_sample(&mut v, s(i as f64, None, None));
        }
        assert_eq!(v.len(), MAX_SAMPLES);
        assert_eq!(v[0].at_ms, 5.0);
    }
}
