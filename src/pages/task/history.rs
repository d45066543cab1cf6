//! The task's history from the proxy's store: a lag chart over a chosen range (stage changes as
//! markers, disconnects as shaded bands), the catch-up rate and ETA, the longest disconnect,
//! the event log and the export links. The page loads it ([`load_task_history`]) so that the
//! stage timeline and the readiness panel read the same answer. Without history (no store, store
//! down, instance not watched) it says so in one line; the live panels around it are unaffected.
//!
//! The range is in the URL (`?range=1h|6h|24h|7d|all`). The chart's geometry ([`geometry`]) is
//! pure and unit-tested natively; colours come from CSS classes (strict CSP, both themes).

use crate::api::{ApiError, Fetched};
use crate::app::{tr, use_app};
use crate::clock::{local_text, now_ms};
use crate::i18n::{t, tf, Key, Lang};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use migration_model::format;
use migration_model::history::{EventKind, HistoryEvent, TaskHistory};
use migration_model::trend::{self, Bounds, CatchUp};

/// The ranges offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// The last hour.
    H1,
    /// The last 6 hours.
    H6,
    /// The last 24 hours (the default).
    H24,
    /// The last 7 days.
    D7,
    /// Everything kept.
    All,
}

impl Range {
    /// Every range, shortest first.
    pub const ALL: [Range; 5] = [Range::H1, Range::H6, Range::H24, Range::D7, Range::All];

    /// The URL value.
    pub fn param(self) -> &'static str {
        match self {
            Range::H1 => "1h",
            Range::H6 => "6h",
            Range::H24 => "24h",
            Range::D7 => "7d",
            Range::All => "all",
        }
    }

    /// Reads the URL value.
    pub fn parse(s: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.param() == s)
    }

    /// Its length in seconds; `None` for everything.
    pub fn secs(self) -> Option<i64> {
        match self {
            Range::H1 => Some(3600),
            Range::H6 => Some(6 * 3600),
            Range::H24 => Some(24 * 3600),
            Range::D7 => Some(7 * 86_400),
            Range::All => None,
        }
    }

    fn label(self) -> Key {
        match self {
            Range::H1 => Key::Range1h,
            Range::H6 => Key::Range6h,
            Range::H24 => Key::Range24h,
            Range::D7 => Key::Range7d,
            Range::All => Key::RangeAll,
        }
    }
}

/// Points asked of the server (it downsamples, keeping each bucket's least and greatest lag).
pub const POINTS: usize = 500;

/// The task's history as the page loads it: the range from the URL and the answer.
#[derive(Clone, Copy)]
pub struct TaskHistoryRef {
    pub range: Memo<Range>,
    /// Asked again each minute, so that the timeline and readiness that read it keep up.
    pub data: LocalResource<Result<Fetched<TaskHistory>, ApiError>>,
}

impl TaskHistoryRef {
    /// The answer, when there is one (not while loading, not without history).
    pub fn answer<R>(&self, f: impl FnOnce(&TaskHistory) -> R) -> Option<R> {
        self.data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|a| f(&a.data)))
    }
}

/// Loads the history of one task over the range in the URL.
pub fn load_task_history(region: String, instance: String, id: u64) -> TaskHistoryRef {
    let app = use_app();
    let (api, now) = (app.api, app.now);
    let query = use_query_map();
    let range = Memo::new(move |_| {
        query.with(|q| q.get("range").and_then(|r| Range::parse(&r)).unwrap_or(Range::H24))
    });
    let minute = Memo::new(move |_| (now.get() / 60_000.0) as i64);
    let data = LocalResource::new(move || {
        minute.track();
        let (api, region, instance, range) = (api.get_value(), region.clone(), instance.clone(), range.get());
        async move {
            // Asked only once the session says this proxy keeps history.
            if !app.history_kept().await {
                return Err(ApiError::history_off());
            }
            let to = (now_ms() / 1000.0) as i64;
            let from = range.secs().map_or(0, |s| to - s);
            api.task_history(&region, &instance, id, from, to, POINTS).await
        }
    });
    TaskHistoryRef { range, data }
}

/// The history panel of one task.
#[component]
pub fn History(history: TaskHistoryRef, region: String, instance: String, id: u64) -> impl IntoView {
    let api = use_app().api;
    let TaskHistoryRef { range, data } = history;
    let exports = {
        let a = api.get_value();
        (a.export_href(&region, &instance, id, "csv"), a.export_href(&region, &instance, id, "json"))
    };
    let links = Range::ALL
        .into_iter()
        .map(|r| {
            view! {
                <a
                    class="tabs__tab"
                    href=format!("?range={}", r.param())
                    data-testid=format!("range-{}", r.param())
                    aria-current=move || (range.get() == r).then_some("page")
                >
                    {tr(r.label())}
                </a>
            }
        })
        .collect_view();
    let body = move || {
        data.get()
            .map(|answer| view! { <HistoryBody answer exports=exports.clone()/> }.into_any())
            .unwrap_or_else(|| {
                view! { <p class="state" data-testid="history-loading">{tr(Key::HistoryLoading)}</p> }
                    .into_any()
            })
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="history-heading" data-testid="history">
            <h2 id="history-heading">{tr(Key::HistoryHeading)}</h2>
            <div class="panel__body">
                <nav class="tabs" aria-label=tr(Key::HistoryRangeLabel) data-testid="history-ranges">{links}</nav>
                {body}
            </div>
        </section>
    }
}

/// What one answer says: the history, or why there is none.
#[component]
fn HistoryBody(answer: Result<Fetched<TaskHistory>, ApiError>, exports: (String, String)) -> impl IntoView {
    let lang = use_app().lang;
    let h = match answer {
        Err(e) => return no_history(&e).into_any(),
        Ok(f) => f.data,
    };
    if !h.watched && h.stored_samples == 0 && h.events.is_empty() && h.stages.is_empty() {
        return view! { <p class="state state--empty" data-testid="history-not-watched">{tr(Key::HistoryNotWatched)}</p> }
            .into_any();
    }
    let longest = trend::longest_disconnect(&h.events, h.to).map(|d| {
        let text = move || {
            tf(lang.get(), Key::LongestDisconnect, &[("duration", &bounds_text(d.duration, lang.get()))])
        };
        view! { <p data-testid="longest-disconnect">{text}</p> }
    });
    let (csv, json) = exports;
    let catch_up = h.catch_up.clone();
    let trend = trend_code(&catch_up);
    let events = h.events.clone();
    view! {
        <HistoryChart h/>
        <h3>{tr(Key::CatchUpHeading)}</h3>
        <p data-testid="catch-up" data-trend=trend>{move || catch_up_text(&catch_up, lang.get())}</p>
        {longest}
        <EventLog events/>
        <p class="actions">
            <a class="button" href=csv download="" data-testid="export-csv">{tr(Key::ExportCsv)}</a>
            " "
            <a class="button" href=json download="" data-testid="export-json">{tr(Key::ExportJson)}</a>
        </p>
    }
    .into_any()
}

/// The one line shown instead of history.
fn no_history(e: &ApiError) -> impl IntoView {
    let (key, testid) = match e.code() {
        Some("Proxy.HistoryNotConfigured") => (Some(Key::HistoryNotConfigured), "history-off"),
        Some("Proxy.HistoryUnavailable") => (Some(Key::HistoryUnavailable), "history-unavailable"),
        _ => (None, "history-error"),
    };
    let lang = use_app().lang;
    let detail = e.to_string();
    let text = move || match key {
        Some(k) => t(lang.get(), k).to_owned(),
        None => tf(lang.get(), Key::HistoryError, &[("error", &detail)]),
    };
    view! { <p class="state state--empty" data-testid=testid>{text}</p> }
}

fn trend_code(c: &CatchUp) -> &'static str {
    match c {
        CatchUp::NotEnoughData { .. } => "not_enough_data",
        CatchUp::CaughtUp => "caught_up",
        CatchUp::Shrinking { .. } => "shrinking",
        CatchUp::Growing { .. } => "growing",
        CatchUp::Flat { .. } => "flat",
    }
}

/// The catch-up verdict in words: an ETA only while shrinking.
pub fn catch_up_text(c: &CatchUp, l: Lang) -> String {
    let rate = |r: f64| format::bytes(r.round() as i128, l);
    match c {
        CatchUp::NotEnoughData { points, span_secs } => tf(
            l,
            Key::CatchUpNotEnough,
            &[
                ("samples", &crate::verdicts::counted(l, *points, Key::SampleOne, Key::SampleOther)),
                ("span", &format::duration(*span_secs, l)),
            ],
        ),
        CatchUp::CaughtUp => t(l, Key::CatchUpCaughtUp).to_owned(),
        CatchUp::Shrinking { rate_bytes_per_sec, eta_secs, .. } => tf(
            l,
            Key::CatchUpShrinking,
            &[("rate", &rate(*rate_bytes_per_sec)), ("eta", &format::duration(*eta_secs, l))],
        ),
        CatchUp::Growing { rate_bytes_per_sec, .. } => {
            tf(l, Key::CatchUpGrowing, &[("rate", &rate(*rate_bytes_per_sec))])
        }
        CatchUp::Flat { lag_bytes } => {
            tf(l, Key::CatchUpFlat, &[("lag", &format::bytes(*lag_bytes as i128, l))])
        }
    }
}

/// "lasted 2 min to 3 min", or "lasted at least 2 min" when the start is not known.
pub fn bounds_text(b: Bounds, l: Lang) -> String {
    match b.max_secs {
        Some(max) if max != b.min_secs => tf(
            l,
            Key::DurationBetween,
            &[("min", &format::duration(b.min_secs, l)), ("max", &format::duration(max, l))],
        ),
        Some(_) => format::duration(b.min_secs, l),
        None => tf(l, Key::DurationAtLeast, &[("min", &format::duration(b.min_secs, l))]),
    }
}

const W: f64 = 600.0;
const H: f64 = 180.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// The chart in SVG coordinates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Geometry {
    /// The lag line (each point's last figure).
    pub line: Vec<(i64, i64)>,
    /// The least–greatest band, as a polygon (upper edge left to right, lower edge back).
    pub band: Vec<(i64, i64)>,
    /// Stage changes: x and "from → to".
    pub markers: Vec<(i64, String)>,
    /// Disconnects: x from, x to.
    pub disconnects: Vec<(i64, i64)>,
    /// The top of the y axis (bytes).
    pub max: f64,
    /// The x axis' ends (Unix seconds).
    pub t0: i64,
    pub t1: i64,
}

/// Lays out `h`: x over the asked range (from the first sample when the range is "all"), so
/// gaps in the history show as gaps.
pub fn geometry(h: &TaskHistory) -> Geometry {
    let first = h.samples.first().map(|s| s.t).or_else(|| h.events.first().map(|e| e.observed_at));
    let t0 = if h.from == 0 { first.unwrap_or(h.to) } else { h.from };
    let t1 = h.to.max(t0 + 1);
    let x = |t: i64| {
        (LEFT + (t.clamp(t0, t1) - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - RIGHT)).round() as i64
    };
    let max = h
        .samples
        .iter()
        .filter_map(|s| s.not_yet_replayed_max.or(s.not_yet_replayed_bytes))
        .fold(0i64, i64::max)
        .max(1) as f64;
    let y = |v: i64| (TOP + (1.0 - v as f64 / max) * (H - TOP - BOTTOM)).round() as i64;
    let line: Vec<(i64, i64)> =
        h.samples.iter().filter_map(|s| s.not_yet_replayed_bytes.map(|v| (x(s.t), y(v)))).collect();
    let upper: Vec<(i64, i64)> = h
        .samples
        .iter()
        .filter_map(|s| s.not_yet_replayed_max.or(s.not_yet_replayed_bytes).map(|v| (x(s.t), y(v))))
        .collect();
    let lower: Vec<(i64, i64)> = h
        .samples
        .iter()
        .rev()
        .filter_map(|s| s.not_yet_replayed_min.or(s.not_yet_replayed_bytes).map(|v| (x(s.t), y(v))))
        .collect();
    let markers = h
        .events
        .iter()
        .filter(|e| e.kind == EventKind::StageChanged)
        .map(|e| {
            (
                x(e.observed_at),
                format!("{} → {}", e.from.as_deref().unwrap_or("?"), e.to.as_deref().unwrap_or("?")),
            )
        })
        .collect();
    let disconnects = trend::disconnects(&h.events, h.to)
        .iter()
        .map(|d| (x(d.began.at), x(d.ended.map_or(h.to, |e| e.at))))
        .collect();
    Geometry { line, band: [upper, lower].concat(), markers, disconnects, max, t0, t1 }
}

fn points_attr(p: &[(i64, i64)]) -> String {
    p.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" ")
}

#[component]
fn HistoryChart(h: TaskHistory) -> impl IntoView {
    let lang = use_app().lang;
    if h.samples.is_empty() {
        return view! { <p class="state state--empty" data-testid="history-empty">{tr(Key::HistoryEmptyRange)}</p> }
            .into_any();
    }
    let g = geometry(&h);
    let base = (H - BOTTOM) as i64;
    let (left, right, top) = (LEFT as i64, (W - RIGHT) as i64, TOP as i64);
    let label_x = (LEFT - 6.0) as i64;
    let (n, stored) = (h.samples.len(), h.stored_samples);
    let summary = move || {
        let l = lang.get();
        let points = crate::verdicts::counted(l, n, Key::PointOne, Key::PointOther);
        let samples = crate::verdicts::counted(l, stored as usize, Key::SampleOne, Key::SampleOther);
        tf(l, Key::HistoryChartSummary, &[("points", &points), ("samples", &samples)])
    };
    let bands = g
        .disconnects
        .iter()
        .map(|&(x1, x2)| {
            view! {
                <rect class="history__disconnect" data-testid="disconnect-band" x=x1 y=top width=(x2 - x1).max(2) height=base - top>
                    <title>{tr(Key::LegendDisconnect)}</title>
                </rect>
            }
        })
        .collect_view();
    let markers = g
        .markers
        .iter()
        .map(|(x, what)| {
            let what = what.clone();
            view! {
                <line class="history__marker" data-testid="stage-marker" x1=*x y1=top x2=*x y2=base>
                    <title>{what}</title>
                </line>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid="history-chart" data-points=n.to_string()>
            <div class="chart__body">
                <svg class="chart__svg" viewBox=format!("0 0 {} {}", W as i64, H as i64) role="img" aria-label=tr(Key::HistoryChartLabel)>
                    {bands}
                    <line class="chart__axis" x1=left y1=top x2=left y2=base></line>
                    <line class="chart__axis" x1=left y1=base x2=right y2=base></line>
                    <text class="chart__label" x=label_x y=top + 8 text-anchor="end">{move || format::bytes(g.max as i128, lang.get())}</text>
                    <text class="chart__label" x=label_x y=base text-anchor="end">"0 B"</text>
                    <text class="chart__label" x=left y=H as i64 text-anchor="start">{local_text(g.t0 * 1000)}</text>
                    <text class="chart__label" x=right y=H as i64 text-anchor="end">{local_text(g.t1 * 1000)}</text>
                    <polygon class="history__band" points=points_attr(&g.band)></polygon>
                    <polyline class="chart__line chart__line--a" fill="none" points=points_attr(&g.line)></polyline>
                    {markers}
                </svg>
                <ul class="chart__legend" aria-hidden="true">
                    <li class="chart__key chart__key--a">{tr(Key::LegendNotReplayed)}</li>
                    <li class="chart__key history__key--marker">{tr(Key::LegendStageChange)}</li>
                    <li class="chart__key history__key--disconnect">{tr(Key::LegendDisconnect)}</li>
                </ul>
                <p class="chart__summary" data-testid="history-summary">{summary}</p>
            </div>
        </figure>
    }
    .into_any()
}

fn time_text(secs: i64) -> String {
    local_text(secs * 1000)
}

fn event_label(k: EventKind) -> Key {
    match k {
        EventKind::TaskAppeared => Key::EvTaskAppeared,
        EventKind::TaskVanished => Key::EvTaskVanished,
        EventKind::StageChanged => Key::EvStageChanged,
        EventKind::StateChanged => Key::EvStateChanged,
        EventKind::DisconnectBegan => Key::EvDisconnectBegan,
        EventKind::DisconnectEnded => Key::EvDisconnectEnded,
        EventKind::DetailLine => Key::EvDetailLine,
        EventKind::PrecheckReport => Key::EvPrecheckReport,
        EventKind::ReadinessChanged => Key::EvReadinessChanged,
        EventKind::PollFailing => Key::EvPollFailing,
        EventKind::PollRecovered => Key::EvPollRecovered,
    }
}

/// The event's detail: "from → to", its text, its duration bounds.
pub fn event_detail(e: &HistoryEvent, l: Lang) -> String {
    let mut parts = Vec::new();
    match (&e.from, &e.to) {
        (Some(a), Some(b)) => parts.push(format!("{a} → {b}")),
        (None, Some(b)) => parts.push(b.clone()),
        _ => {}
    }
    if let Some(text) = &e.text {
        parts.push(text.clone());
    }
    if let Some(min) = e.duration_min_secs {
        parts.push(bounds_text(Bounds { min_secs: min, max_secs: e.duration_max_secs }, l));
    }
    parts.join(" · ")
}

/// The newest this many events are listed.
const MAX_EVENTS: usize = 200;

#[component]
fn EventLog(events: Vec<HistoryEvent>) -> impl IntoView {
    let lang = use_app().lang;
    if events.is_empty() {
        return view! {
            <h3>{tr(Key::EventsHeading)}</h3>
            <p class="state state--empty" data-testid="events-empty">{tr(Key::EventsEmpty)}</p>
        }
        .into_any();
    }
    let rows = events
        .into_iter()
        .rev()
        .take(MAX_EVENTS)
        .map(|e| {
            let after = e.observed_after.map(|a| {
                let text = move || tf(lang.get(), Key::EventsAfter, &[("after", &time_text(a))]);
                view! { <br/><span class="muted">{text}</span> }
            });
            let kind = e.kind;
            let detail = {
                let e = e.clone();
                move || event_detail(&e, lang.get())
            };
            view! {
                <tr data-testid="event-row" data-kind=kind.as_str()>
                    <td class="time">{time_text(e.observed_at)}{after}</td>
                    <td>{tr(event_label(kind))}</td>
                    <td class="history__detail">{detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>{tr(Key::EventsHeading)}</h3>
        <div class="table-scroll" role="region" aria-label=tr(Key::EventsHeading) tabindex="0">
            <table class="data-table" data-testid="event-log">
                <thead>
                    <tr>
                        <th scope="col">{tr(Key::EventsColObserved)}</th>
                        <th scope="col">{tr(Key::EventsColEvent)}</th>
                        <th scope="col">{tr(Key::EventsColDetail)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_model::history::HistorySample;

    fn sample(t: i64, lag: i64, min: Option<i64>, max: Option<i64>) -> HistorySample {
        HistorySample {
            t,
            not_yet_replayed_bytes: Some(lag),
            not_yet_replayed_min: min,
            not_yet_replayed_max: max,
            ..HistorySample::default()
        }
    }

    fn ev(kind: EventKind, at: i64) -> HistoryEvent {
        HistoryEvent {
            kind,
            task_id: Some(1),
            observed_after: Some(at - 30),
            observed_at: at,
            at: None,
            from: Some("a".into()),
            to: Some("b".into()),
            text: None,
            duration_min_secs: None,
            duration_max_secs: None,
        }
    }

    fn history(samples: Vec<HistorySample>, events: Vec<HistoryEvent>) -> TaskHistory {
        TaskHistory {
            region_id: "cn-hangzhou".into(),
            db_instance_name: "pgm-x".into(),
            task_id: 1,
            from: 1000,
            to: 2000,
            stored_samples: samples.len() as u64,
            samples,
            events,
            catch_up: CatchUp::CaughtUp,
            stages: Vec::new(),
            watched: true,
        }
    }

    #[test]
    fn the_chart_spans_the_range_with_bands_and_markers() {
        let h = history(
            vec![sample(1000, 0, None, None), sample(2000, 100, Some(50), Some(200))],
            vec![
                ev(EventKind::StageChanged, 1500),
                ev(EventKind::DisconnectBegan, 1250),
                ev(EventKind::DisconnectEnded, 1750),
            ],
        );
        let g = geometry(&h);
        assert_eq!(g.max, 200.0, "the band's top, not the last figure, sets the scale");
        assert_eq!(g.line, [(64, 158), (592, 84)]);
        assert_eq!(g.band.len(), 4);
        assert_eq!(g.band[1], (592, 10));
        assert_eq!(g.markers, [(328, "a → b".to_string())]);
        assert_eq!(g.disconnects, [(196, 460)]);
    }

    #[test]
    fn all_starts_at_the_first_sample() {
        let mut h = history(vec![sample(1500, 1, None, None)], vec![]);
        h.from = 0;
        let g = geometry(&h);
        assert_eq!((g.t0, g.t1), (1500, 2000));
    }

    #[test]
    fn only_a_shrinking_lag_gets_an_eta() {
        let l = Lang::En;
        let s = catch_up_text(
            &CatchUp::Shrinking { rate_bytes_per_sec: 1024.0, eta_secs: 3600, lag_bytes: 1 },
            l,
        );
        assert!(s.contains("zero in about 1 h"), "{s}");
        let g = catch_up_text(&CatchUp::Growing { rate_bytes_per_sec: 5.0, lag_bytes: 1 }, l);
        assert!(g.contains("no estimate"), "{g}");
        let n = catch_up_text(&CatchUp::NotEnoughData { points: 2, span_secs: 30 }, l);
        assert!(n.starts_with("Not enough data"), "{n}");
        // Counted nouns agree with their number.
        let one = catch_up_text(&CatchUp::NotEnoughData { points: 1, span_secs: 0 }, l);
        assert!(one.contains("(1 sample over"), "{one}");
        assert!(n.contains("(2 samples over"), "{n}");
        assert_eq!(bounds_text(Bounds { min_secs: 60, max_secs: None }, l), "lasted at least 1 min");
        assert_eq!(bounds_text(Bounds { min_secs: 60, max_secs: Some(120) }, l), "lasted 1 min to 2 min");
        assert_eq!(Range::parse("7d"), Some(Range::D7));
        assert_eq!(Range::parse("1y"), None);
    }
}
