//! Loading, error, staleness and refresh: shared by every page that loads data.

use crate::api::ApiError;
use crate::clock::local_time_of_day;
use crate::components::cells::{html_block, html_memo};
use crate::context::{derive, effect, flag, text, tr, tr_pick, use_app, LoadStatus};
use crate::html::{opt, Html};
use crate::i18n::{t, tf, Key, Lang};
use crate::markup::fact_html;
use crate::prefs::{load_refresh, page_hidden, remember_refresh, REFRESH_CHOICES};
use leptos::prelude::*;

/// The first load of a page's data.
pub fn loading_view() -> AnyView {
    view! {
        <p class="state state--loading" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {tr(Key::Loading)}
        </p>
    }
    .into_any()
}

/// What stands in for data that has not arrived: the error panel once the load has `failed`
/// (nothing to show and an error), else the loading state.
pub fn pending_view(status: LoadStatus, failed: bool) -> AnyView {
    let error = if failed { status.error.get_untracked() } else { None };
    error.map_or_else(loading_view, |e| error_view(e, status, None))
}

/// A failed call: a plain-language message (the model's error catalogue for known codes), the
/// `Code`, `RequestId`, HTTP status and the service's own message, and a Retry button.
///
/// With `kept_since` (when the data on screen arrived, ms) it is the notice of a failed
/// refresh above data that stays on screen (`data-testid=refresh-error`); without, the panel
/// that stands in for data that never arrived (`data-testid=error-panel`).
pub fn error_view(error: ApiError, status: LoadStatus, kept_since: Option<f64>) -> AnyView {
    let kind = match &error {
        ApiError::Network { .. } => "network",
        ApiError::Api { .. } => "api",
        ApiError::Http { .. } => "http",
        ApiError::Decode { .. } => "decode",
    };
    let code = error.code().map(str::to_owned);
    let html = html_memo(move |l| error_html(&error, kept_since, l));
    let busy = status.busy;
    view! {
        <div
            class=if kept_since.is_some() { "error-panel error-panel--refresh" } else { "error-panel" }
            role=if kept_since.is_some() { None } else { Some("alert") }
            data-testid=if kept_since.is_some() { "refresh-error" } else { "error-panel" }
            data-error-kind=kind
            data-error-code=code
        >
            {html_block("error-panel__body", "", html)}
            <button
                type="button"
                class="button"
                data-testid="retry"
                aria-busy=flag(move || busy.get())
                disabled=derive(move || busy.get())
                on:click=move |_| status.refresh()
            >
                {tr_pick(move || if busy.get() { Key::Loading } else { Key::Retry })}
            </button>
        </div>
    }
    .into_any()
}

/// The text of [`error_view`]: heading, plain message and the facts.
fn error_html(error: &ApiError, kept_since: Option<f64>, l: Lang) -> String {
    let mut h = Html::new();
    let heading = match kept_since {
        Some(ms) => tf(l, Key::RefreshFailedHeading, &[("time", &local_time_of_day(ms as i64))]),
        None => t(l, Key::ErrorHeading).to_owned(),
    };
    h.el("h2", &[("class", "error-panel__title")], &heading);
    h.el(
        "p",
        &[("class", "error-panel__message"), ("data-testid", "error-message")],
        &error.plain_message(l),
    );
    let (service_message, recommend) = match error {
        ApiError::Api { body, .. } => (
            Some(body.message.as_str()).filter(|m| !m.trim().is_empty()),
            body.recommend.as_deref().filter(|r| !r.trim().is_empty()),
        ),
        _ => (None, None),
    };
    let status = error.status().map(|s| s.to_string());
    h.open("dl", &[("class", "facts")]);
    for (key, testid, value) in [
        (Key::ErrorCode, "error-code", error.code()),
        (Key::ErrorRequestId, "error-request-id", error.request_id()),
        (Key::ErrorStatus, "error-status", status.as_deref()),
        (Key::ErrorServiceMessage, "error-service-message", service_message),
        (Key::ErrorRecommend, "error-recommend", recommend),
    ] {
        if let Some(v) = value {
            fact_html(&mut h, t(l, key), testid, |h| {
                h.text(v);
            });
        }
    }
    h.close("dl");
    if matches!(error, ApiError::Network { .. } | ApiError::Decode { .. }) {
        h.open("details", &[("class", "error-panel__technical")]);
        h.el("summary", &[], t(l, Key::ErrorTechnical));
        h.el("pre", &[], &error.to_string());
        h.close("details");
    }
    h.finish()
}

/// The notices above data that is on screen: a stale copy served by the proxy, or a failed
/// refresh (with its error and Retry).
pub fn stale_notices(status: LoadStatus) -> impl IntoView {
    let stale = html_memo(move |l| {
        let mut h = Html::new();
        if let Some(age) = status.stale.get() {
            let age = age.to_string();
            h.el(
                "p",
                &[
                    ("class", "notice notice--stale"),
                    ("data-testid", "stale-notice"),
                    ("data-stale-age", &age),
                ],
                &tf(l, Key::StaleNotice, &[("age", &age)]),
            );
        }
        h.finish()
    });
    let failed =
        move || status.error.get().map(|e| error_view(e, status, Some(status.updated.get_untracked())));
    view! { {html_block("", "", stale)} {failed} }
}

/// Refresh now, the auto-refresh interval and pause, when the data was last updated, a stale
/// badge, and the polite live region that announces each refresh's result.
pub fn refresh_bar(status: LoadStatus) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    let interval = RwSignal::new(load_refresh());
    let paused = RwSignal::new(false);

    // The timer: checked on every tick of the app's clock.
    effect(move || {
        let now = now.get();
        let every = interval.get();
        if every == 0 || paused.get() || status.busy.get_untracked() || page_hidden() {
            return;
        }
        if now - status.finished_at.get_value() >= f64::from(every) * 1000.0 {
            status.refresh();
        }
    });

    // Stale: a saved copy from the proxy, or a failed refresh over data still on screen.
    let stale = move || {
        status.stale.with(Option::is_some)
            || (status.error.with(Option::is_some) && status.updated.get() > 0.0)
    };
    let updated = text(move |l| match status.updated.get() {
        0.0 => t(l, Key::Loading).to_owned(),
        ms => tf(l, Key::LastUpdated, &[("time", &local_time_of_day(ms as i64))]),
    });
    // Announced after each finished fetch (`done` changes), not on language changes.
    let announcement = Signal::derive(move || {
        status.done.track();
        let l = lang.get_untracked();
        match status.error.get_untracked() {
            Some(e) if status.updated.get_untracked() > 0.0 => tf(
                l,
                Key::AnnounceFailed,
                &[
                    ("message", &e.plain_message(l)),
                    ("time", &local_time_of_day(status.updated.get_untracked() as i64)),
                ],
            ),
            Some(e) => tf(l, Key::AnnounceLoadFailed, &[("message", &e.plain_message(l))]),
            None if status.done.get_untracked() == 0 => String::new(),
            None => {
                let mut s = tf(
                    l,
                    Key::AnnounceUpdated,
                    &[("time", &local_time_of_day(status.updated.get_untracked() as i64))],
                );
                if let Some(age) = status.stale.get_untracked() {
                    s.push(' ');
                    s.push_str(&tf(l, Key::StaleNotice, &[("age", &age.to_string())]));
                }
                s
            }
        }
    });

    let options = html_memo(move |l| {
        let current = interval.get();
        let mut h = Html::new();
        for secs in REFRESH_CHOICES {
            let label = if secs == 0 {
                t(l, Key::RefreshOff).to_owned()
            } else {
                tf(l, Key::EverySeconds, &[("n", &secs.to_string())])
            };
            h.el(
                "option",
                &[("value", &secs.to_string()), opt("selected", (secs == current).then_some(""))],
                &label,
            );
        }
        h.finish()
    });

    view! {
        <div class="refresh-bar" data-testid="refresh-bar">
            <button
                type="button"
                class="button button--primary"
                data-testid="refresh"
                aria-busy=flag(move || status.busy.get())
                on:click=move |_| status.refresh()
            >
                <span class="refresh-icon" class:refresh-icon--spin=derive(move || status.busy.get()) aria-hidden="true">"↻"</span>
                " "
                {tr(Key::RefreshNow)}
            </button>
            <label class="field-inline">
                <span>{tr(Key::AutoRefresh)}</span>
                <select
                    data-testid="refresh-interval"
                    inner_html=move || options.get()
                    on:change:target=move |ev| {
                        if let Ok(secs) = ev.target().value().parse::<u32>() {
                            remember_refresh(secs);
                            interval.set(secs);
                        }
                    }
                ></select>
            </label>
            <button
                type="button"
                class="button button--quiet"
                data-testid="refresh-pause"
                aria-pressed=flag(move || paused.get())
                disabled=derive(move || interval.get() == 0)
                on:click=move |_| paused.update(|p| *p = !*p)
            >
                {tr_pick(move || if paused.get() { Key::PausedRefresh } else { Key::PauseRefresh })}
            </button>
            <span class="refresh-bar__updated" data-testid="last-updated">{updated}</span>
            <span class="badge badge--stale" data-testid="stale-badge" hidden=derive(move || !stale())>
                {tr(Key::StaleBadge)}
            </span>
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
                {announcement}
            </p>
        </div>
    }
}
