//! The task's alert episodes, firing and resolved, newest first, with their start and end times
//! (`GET {base}/api/alerts/episodes?RegionId&DBInstanceName&TaskId`). Episodes live in the
//! history store: without one the panel says so in one line. Refreshed with the watcher's pace.

use crate::api::{ApiError, EpisodeQuery};
use crate::app::{tr, use_app};
use crate::components::alerts::EpisodeTable;
use crate::i18n::{t, tf, Key};
use crate::resource::KeptResource;
use crate::verdicts::error_message;
use leptos::prelude::*;
use std::time::Duration;

/// How often the panel asks again.
const REFRESH_SECS: u64 = 30;

/// The alerts panel of one task.
#[component]
pub fn TaskAlerts(region: String, instance: String, id: u64) -> impl IntoView {
    let app = use_app();
    let (api, lang) = (app.api, app.lang);
    let query = EpisodeQuery {
        region: Some(region),
        instance: Some(instance),
        task_id: Some(id),
        firing_only: false,
        limit: Some(100),
    };
    let kept = KeptResource::new(move || {
        let (api, query) = (api.get_value(), query.clone());
        async move {
            if !app.history_kept().await {
                return Err(ApiError::history_off());
            }
            api.alert_episodes(&query).await
        }
    });
    kept.status.refresh_every(Duration::from_secs(REFRESH_SECS), || true);
    // The last good answer stays while the next is on its way and when it fails (no flicker
    // every 30 s); the memo notifies only on a change, so an unchanged answer does not redraw.
    let (data, error) = (kept.data, kept.status.error);
    let shown = Memo::new(move |_| match data.get() {
        Some(episodes) => Some(Ok(episodes)),
        None => error.get().map(Err),
    });
    let body = move || {
        match shown.get() {
        // Nothing while loading: the live panels above carry the page's loading state.
        None => ().into_any(),
        Some(Err(e)) if e.code() == Some("Proxy.HistoryNotConfigured") => {
            view! { <p class="state state--empty" data-testid="task-alerts-off">{tr(Key::TaskAlertsOff)}</p> }.into_any()
        }
        Some(Err(e)) => {
            let text = move || tf(lang.get(), Key::TaskAlertsFailed, &[("error", &error_message(&e, lang.get()))]);
            view! { <p class="state state--error" data-testid="task-alerts-failed">{text}</p> }.into_any()
        }
        Some(Ok(episodes)) if episodes.is_empty() => {
            view! { <p class="state state--empty" data-testid="task-alerts-none">{tr(Key::TaskAlertsNone)}</p> }.into_any()
        }
        Some(Ok(episodes)) => {
            let firing = episodes.iter().filter(|e| e.is_firing()).count();
            let summary = move || match firing {
                0 => t(lang.get(), Key::TaskAlertsNoneFiring).to_owned(),
                n => tf(lang.get(), Key::TaskAlertsFiring, &[("count", &n.to_string())]),
            };
            view! {
                <p data-testid="task-alerts-summary" data-firing=firing.to_string()>{summary}</p>
                <EpisodeTable episodes caption=Key::TaskAlertsCaption id="task-episodes"/>
            }
            .into_any()
        }
    }
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="task-alerts-heading" data-testid="task-alerts">
            <h2 id="task-alerts-heading">{tr(Key::TaskAlertsHeading)}</h2>
            <div class="panel__body">{body}</div>
        </section>
    }
}
