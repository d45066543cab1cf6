//! The lag chart: both lag figures over this page's refreshes, as SVG drawn with `view!`.
//! Colours come from CSS classes, so the chart follows the theme and the strict CSP (no `style`
//! attributes). The geometry ([`chart_points`]) is pure and unit-tested natively.

use crate::app::{tr, use_app};
use crate::clock::local_time_of_day;
use crate::i18n::{t, tf, Key};
use leptos::prelude::*;
use migration_model::format;

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

/// The largest figure (the top of the y axis, at least 1 byte).
pub fn chart_max(samples: &[Sample]) -> f64 {
    samples.iter().flat_map(|s| [s.not_replayed, s.behind_source]).flatten().fold(0.0f64, f64::max).max(1.0)
}

/// The points of one line in chart coordinates.
pub fn chart_points(samples: &[Sample], pick: fn(&Sample) -> Option<f64>) -> Vec<(i64, i64)> {
    let max = chart_max(samples);
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
    samples.iter().filter_map(|s| pick(s).map(|v| (x(s.at_ms).round() as i64, y(v).round() as i64))).collect()
}

#[component]
fn Line(
    samples: RwSignal<Vec<Sample>>,
    class: &'static str,
    pick: fn(&Sample) -> Option<f64>,
) -> impl IntoView {
    let points = Memo::new(move |_| samples.with(|s| chart_points(s, pick)));
    let polyline =
        move || points.with(|p| p.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" "));
    view! {
        <polyline class=format!("chart__line {class}") fill="none" points=polyline></polyline>
        {move || {
            points
                .get()
                .into_iter()
                .map(|(x, y)| view! { <circle class=format!("chart__dot {class}") cx=x cy=y r="2.5"></circle> })
                .collect_view()
        }}
    }
}

/// The chart, its legend and a text summary.
#[component]
pub fn LagChart(samples: RwSignal<Vec<Sample>>) -> impl IntoView {
    let lang = use_app().lang;
    let base = (H - BOTTOM) as i64;
    let (left, right, top) = (LEFT as i64, (W - RIGHT) as i64, TOP as i64);
    let label_x = (LEFT - 6.0) as i64;
    let time_label = move |first: bool| {
        move || {
            samples
                .with(|s| if first { s.first() } else { s.last() }.map(|s| local_time_of_day(s.at_ms as i64)))
        }
    };
    let summary = move || {
        let l = lang.get();
        samples.with(|s| match s.last() {
            None => t(l, Key::ChartEmpty).to_owned(),
            Some(last) => {
                let fmt = |v: Option<f64>| {
                    v.map_or_else(|| t(l, Key::NotGiven).to_owned(), |b| format::bytes(b as i128, l))
                };
                tf(
                    l,
                    Key::ChartSummary,
                    &[
                        ("samples", &crate::verdicts::counted(l, s.len(), Key::SampleOne, Key::SampleOther)),
                        ("a", &fmt(last.not_replayed)),
                        ("b", &fmt(last.behind_source)),
                    ],
                )
            }
        })
    };
    view! {
        <figure class="chart" data-testid="lag-chart" data-samples=move || samples.with(Vec::len).to_string()>
            <div class="chart__body">
                <h3 class="chart__title">{tr(Key::ChartHeading)}</h3>
                <svg class="chart__svg" viewBox=format!("0 0 {} {}", W as i64, H as i64) aria-hidden="true" focusable="false">
                    <line class="chart__axis" x1=left y1=top x2=left y2=base></line>
                    <line class="chart__axis" x1=left y1=base x2=right y2=base></line>
                    <line class="chart__grid" x1=left y1=(top + base) / 2 x2=right y2=(top + base) / 2></line>
                    <text class="chart__label" x=label_x y=top + 8 text-anchor="end">
                        {move || samples.with(|s| format::bytes(chart_max(s) as i128, lang.get()))}
                    </text>
                    <text class="chart__label" x=label_x y=base text-anchor="end">"0 B"</text>
                    <text class="chart__label" x=left y=H as i64 text-anchor="start">{time_label(true)}</text>
                    <text class="chart__label" x=right y=H as i64 text-anchor="end">{time_label(false)}</text>
                    <Line samples class="chart__line--a" pick=|s| s.not_replayed/>
                    <Line samples class="chart__line--b" pick=|s| s.behind_source/>
                </svg>
                <ul class="chart__legend" aria-hidden="true">
                    <li class="chart__key chart__key--a">{tr(Key::LegendNotReplayed)}</li>
                    <li class="chart__key chart__key--b">{tr(Key::LegendBehindSource)}</li>
                </ul>
                <p class="chart__summary" data-testid="chart-summary">{summary}</p>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(at: f64, a: Option<f64>, b: Option<f64>) -> Sample {
        Sample { at_ms: at, not_replayed: a, behind_source: b }
    }

    #[test]
    fn points_span_the_chart() {
        let samples = [s(0.0, Some(0.0), Some(0.0)), s(1000.0, Some(2048.0), None)];
        assert_eq!(chart_points(&samples, |s| s.not_replayed), [(64, 158), (592, 10)]);
        assert_eq!(chart_points(&samples, |s| s.behind_source), [(64, 158)]);
        assert_eq!(format::bytes(chart_max(&samples) as i128, migration_model::Lang::En), "2.0 KiB");
    }

    #[test]
    fn keeps_a_bounded_history() {
        let mut v = Vec::new();
        for i in 0..(MAX_SAMPLES + 5) {
            push_sample(&mut v, s(i as f64, None, None));
        }
        assert_eq!(v.len(), MAX_SAMPLES);
        assert_eq!(v[0].at_ms, 5.0);
    }
}
