//! The instance page's history: one call for the last hour of every task (a lag sparkline per
//! row) and a mark on rows whose stage or state changed since the viewer's last visit (kept in
//! localStorage, like the recent list). Without history a one-line notice says why; the table
//! itself is the live data and does not wait for this.

use crate::api::{ApiError, Fetched};
use crate::app::{tr, use_app};
use crate::clock::now_ms;
use crate::i18n::{t, tf, Key};
use crate::prefs;
use leptos::prelude::*;
use migration_model::format;
use migration_model::history::{InstanceHistory, SparkPoint};

/// The sparkline's range.
pub const SPARK_SECS: i64 = 3600;

/// The answer of the history call, once it has arrived.
type Answer = Option<Result<Fetched<InstanceHistory>, ApiError>>;

/// What the page's rows read: the answer, and when the viewer last opened this instance.
#[derive(Clone, Copy)]
pub struct InstanceHistoryRef {
    /// `GET {base}/api/history/{region}/{instance}` for the last hour, copied out of its
    /// `LocalResource` by an effect. The rows sit inside the task table's `<Transition>`, and a
    /// resource read there would hold the whole table back until this second call answers; a
    /// plain signal is not waited for, so the live rows show first and the sparklines follow.
    pub data: RwSignal<Answer>,
    /// The previous visit (Unix seconds), before this one was recorded.
    pub last_visit: StoredValue<Option<i64>>,
}

/// Loads the instance's history, records this visit, and provides both to the rows.
pub fn provide_instance_history(region: String, instance: String) -> InstanceHistoryRef {
    let app = use_app();
    let api = app.api;
    let now = (now_ms() / 1000.0) as i64;
    let last_visit = StoredValue::new(prefs::load_visit(&region, &instance));
    prefs::remember_visit(&region, &instance, now);
    let data = LocalResource::new(move || {
        let (api, region, instance) = (api.get_value(), region.clone(), instance.clone());
        async move {
            // Asked only once the session says this proxy keeps history.
            if !app.history_kept().await {
                return Err(ApiError::history_off());
            }
            let to = (now_ms() / 1000.0) as i64;
            api.instance_history(&region, &instance, to - SPARK_SECS, to).await
        }
    });
    let answer = RwSignal::new(None);
    Effect::new(move |_| answer.set(data.get()));
    let r = InstanceHistoryRef { data: answer, last_visit };
    provide_context(r);
    r
}

/// One line when there is no history to show beside the live table.
#[component]
pub fn HistoryNotice(history: InstanceHistoryRef) -> impl IntoView {
    let lang = use_app().lang;
    move || {
        let (key, testid) = match history.data.get()? {
            Ok(f) if f.data.watched || !f.data.tasks.is_empty() => return None,
            Ok(_) => (Key::HistoryNotWatched, "history-not-watched"),
            Err(e) => match e.code() {
                Some("Proxy.HistoryNotConfigured") => (Key::HistoryNotConfigured, "history-off"),
                Some("Proxy.HistoryUnavailable") => (Key::HistoryUnavailable, "history-unavailable"),
                _ => {
                    let detail = e.to_string();
                    return Some(
                        view! {
                            <p class="hint" data-testid="history-error">
                                {move || tf(lang.get(), Key::HistoryError, &[("error", &detail)])}
                            </p>
                        }
                        .into_any(),
                    );
                }
            },
        };
        Some(view! { <p class="hint" data-testid=testid>{move || t(lang.get(), key)}</p> }.into_any())
    }
}

/// The row's sparkline and "changed since your last visit" mark.
#[component]
pub fn RowHistory(task_id: Option<u64>) -> impl IntoView {
    let lang = use_app().lang;
    let Some(history) = use_context::<InstanceHistoryRef>() else {
        return ().into_any();
    };
    let summary = Memo::new(move |_| {
        let id = task_id?;
        history.data.with(|d| match d {
            Some(Ok(f)) => {
                f.data.tasks.iter().find(|s| s.task_id == id).map(|s| (s.sparkline.clone(), s.last_change_at))
            }
            _ => None,
        })
    });
    let view = move || {
        let Some((points, last_change)) = summary.get() else {
            return view! { <span class="muted">{move || t(lang.get(), Key::NoSparkline)}</span> }.into_any();
        };
        let changed = changed_since(last_change, history.last_visit.get_value());
        let mark = changed.then(|| {
            view! {
                <span class="badge history__changed" data-testid="changed-mark" title=tr(Key::ChangedSinceVisit)>
                    {tr(Key::ChangedMark)}
                </span>
            }
        });
        let max = points.iter().map(|p| p.lag).max().unwrap_or(0);
        let label =
            move || tf(lang.get(), Key::SparklineLabel, &[("max", &format::bytes(max as i128, lang.get()))]);
        view! {
            <svg class="sparkline" viewBox="0 0 60 16" role="img" aria-label=label data-testid="sparkline" data-points=points.len().to_string()>
                <polyline class="sparkline__line" fill="none" points=spark_points(&points)></polyline>
            </svg>
            {mark}
        }
        .into_any()
    };
    view.into_any()
}

/// A row changed since the last visit when its last stage or state change came after it. A
/// first visit marks nothing.
pub fn changed_since(last_change: Option<i64>, last_visit: Option<i64>) -> bool {
    matches!((last_change, last_visit), (Some(c), Some(v)) if c > v)
}

/// The sparkline's points in a 60×16 box (the hour runs left to right; lag scaled to its max).
pub fn spark_points(points: &[SparkPoint]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return String::new() };
    let span = (last.t - first.t).max(1) as f64;
    let max = points.iter().map(|p| p.lag).max().unwrap_or(0).max(1) as f64;
    points
        .iter()
        .map(|p| {
            let x = if points.len() == 1 { 30.0 } else { (p.t - first.t) as f64 / span * 60.0 };
            let y = 15.0 - p.lag.max(0) as f64 / max * 14.0;
            format!("{},{}", x.round() as i64, y.round() as i64)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_changes_after_the_last_visit() {
        assert!(changed_since(Some(10), Some(5)));
        assert!(!changed_since(Some(5), Some(5)));
        assert!(!changed_since(Some(10), None), "a first visit marks nothing");
        assert!(!changed_since(None, Some(5)));
    }

    #[test]
    fn sparkline_points_fill_the_box() {
        let p = [SparkPoint { t: 0, lag: 0 }, SparkPoint { t: 30, lag: 100 }, SparkPoint { t: 60, lag: 50 }];
        assert_eq!(spark_points(&p), "0,15 30,1 60,8");
        assert_eq!(spark_points(&[]), "");
        assert_eq!(spark_points(&p[..1]), "30,15");
    }
}
