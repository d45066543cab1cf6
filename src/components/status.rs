//! Loading, errors, staleness and refresh, shared by every page that loads data (they take the
//! page's `LoadStatus`).

use crate::api::ApiError;
use crate::app::{tr, use_app};
use crate::clock::local_time_of_day;
use crate::components::values::Fact;
use crate::i18n::{t, tf, Key};
use crate::prefs::{load_refresh, page_hidden, remember_refresh, REFRESH_CHOICES};
use crate::resource::{KeptResource, LoadStatus};
use crate::verdicts::error_message;
use leptos::prelude::*;
use migration_model::format;

/// The first load of a page's data.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="state state--loading" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {tr(Key::Loading)}
        </p>
    }
}

/// A failed call: a plain-language message, the `Code`, `RequestId`, HTTP status and the
/// service's own message, and a Retry button.
///
/// With `kept` it is the notice of a failed refresh above data that stays on screen
/// (`data-testid=refresh-error`); without, the panel that stands in for data that never arrived
/// (`data-testid=error-panel`, `role=alert`).
#[component]
pub fn ErrorPanel(status: LoadStatus, #[prop(optional)] kept: bool) -> impl IntoView {
    move || status.error.get().map(|error| view! { <ErrorBody error status kept/> })
}

#[component]
fn ErrorBody(error: ApiError, status: LoadStatus, kept: bool) -> impl IntoView {
    let lang = use_app().lang;
    let heading = move || {
        let l = lang.get();
        if kept {
            tf(l, Key::RefreshFailedHeading, &[("time", &local_time_of_day(status.updated.get() as i64))])
        } else {
            t(l, Key::ErrorHeading).to_owned()
        }
    };
    let message = {
        let error = error.clone();
        move || error_message(&error, lang.get())
    };
    let (service_message, recommend) = match &error {
        ApiError::Api { body, .. } => (
            Some(body.message.clone()).filter(|m| !m.trim().is_empty()),
            body.recommend.clone().filter(|r| !r.trim().is_empty()),
        ),
        _ => (None, None),
    };
    let facts = [
        (Key::ErrorCode, "error-code", error.code().map(str::to_owned)),
        (Key::ErrorRequestId, "error-request-id", error.request_id().map(str::to_owned)),
        (Key::ErrorStatus, "error-status", error.status().map(|s| s.to_string())),
        (Key::ErrorServiceMessage, "error-service-message", service_message),
        (Key::ErrorRecommend, "error-recommend", recommend),
    ]
    .into_iter()
    .filter_map(|(key, testid, value)| value.map(|v| view! { <Fact label=key testid>{v}</Fact> }))
    .collect_view();
    let technical = matches!(error, ApiError::Network { .. } | ApiError::Decode { .. }).then(|| {
        view! {
            <details class="error-panel__technical">
                <summary>{tr(Key::ErrorTechnical)}</summary>
                <pre>{error.to_string()}</pre>
            </details>
        }
    });
    let busy = status.busy;
    view! {
        <div
            class=if kept { "error-panel error-panel--refresh" } else { "error-panel" }
            role=(!kept).then_some("alert")
            data-testid=if kept { "refresh-error" } else { "error-panel" }
            data-error-kind=error.kind()
            data-error-code=error.code().map(str::to_owned)
        >
            <div class="error-panel__body">
                <h2 class="error-panel__title">{heading}</h2>
                <p class="error-panel__message" data-testid="error-message">{message}</p>
                <dl class="facts">{facts}</dl>
                {technical}
            </div>
            <button
                type="button"
                class="button"
                data-testid="retry"
                aria-busy=move || busy.get().to_string()
                disabled=move || busy.get()
                on:click=move |_| status.refresh()
            >
                {move || t(lang.get(), if busy.get() { Key::Loading } else { Key::Retry })}
            </button>
        </div>
    }
}

/// The notices above data that is on screen: a saved copy served by the proxy, or a failed
/// refresh (with its error and Retry).
#[component]
pub fn StaleNotices(status: LoadStatus) -> impl IntoView {
    let lang = use_app().lang;
    let stale = move || {
        status.stale.get().map(|age| {
            view! {
                <p class="notice notice--stale" data-testid="stale-notice" data-stale-age=age.to_string()>
                    {move || tf(lang.get(), Key::StaleNotice, &[("age", &format::duration(age as i64, lang.get()))])}
                </p>
            }
        })
    };
    view! {
        {stale}
        <ErrorPanel status kept=true/>
    }
}

/// Refresh now, the auto-refresh interval and pause, when the data was last updated, a stale
/// badge, and the polite live region that announces each refresh's result.
#[component]
pub fn RefreshBar(status: LoadStatus) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    let interval = RwSignal::new(load_refresh());
    let paused = RwSignal::new(false);

    // The timer: checked on every tick of the app's clock.
    Effect::new(move |_| {
        let now = now.get();
        let every = interval.get();
        if every == 0 || paused.get() || status.busy.get_untracked() || page_hidden() {
            return;
        }
        if now - status.finished_at.get_value() >= f64::from(every) * 1000.0 {
            status.refresh();
        }
    });

    // Browsers throttle timers in hidden tabs, so an unattended tab falls behind: fetch at
    // once when it is shown again (unless auto-refresh is off or paused).
    let on_visible = window_event_listener_untyped("visibilitychange", move |_| {
        if !page_hidden()
            && interval.get_untracked() != 0
            && !paused.get_untracked()
            && !status.busy.get_untracked()
        {
            status.refresh();
        }
    });
    on_cleanup(move || on_visible.remove());

    // When the data arrived and how old it is ("Updated 12:00:01, 3 min ago"). Before the first
    // answer: "Loading…" while it is on its way, nothing once it failed (the error panel speaks).
    let updated = move || {
        let l = lang.get();
        match status.updated.get() {
            0.0 if status.busy.get() => t(l, Key::Loading).to_owned(),
            0.0 => String::new(),
            ms => {
                let secs = ((now.get() - ms) / 1000.0).floor().max(0.0) as i64;
                tf(
                    l,
                    Key::LastUpdated,
                    &[
                        ("time", &local_time_of_day(ms as i64)),
                        ("age", &tf(l, Key::Ago, &[("age", &format::duration(secs, l))])),
                    ],
                )
            }
        }
    };
    // Announced after each finished fetch (`done` changes), not on language changes.
    let announcement = move || {
        status.done.track();
        let l = lang.get_untracked();
        let since = local_time_of_day(status.updated.get_untracked() as i64);
        match status.error.get_untracked() {
            Some(e) if status.updated.get_untracked() > 0.0 => {
                tf(l, Key::AnnounceFailed, &[("message", &error_message(&e, l)), ("time", &since)])
            }
            Some(e) => tf(l, Key::AnnounceLoadFailed, &[("message", &error_message(&e, l))]),
            None if status.done.get_untracked() == 0 => String::new(),
            None => {
                let mut s = tf(l, Key::AnnounceUpdated, &[("time", &since)]);
                if let Some(age) = status.stale.get_untracked() {
                    s.push(' ');
                    s.push_str(&tf(l, Key::StaleNotice, &[("age", &format::duration(age as i64, l))]));
                }
                s
            }
        }
    };
    let options = REFRESH_CHOICES
        .into_iter()
        .map(|secs| {
            let label = move || {
                let l = lang.get();
                if secs == 0 {
                    t(l, Key::RefreshOff).to_owned()
                } else {
                    tf(l, Key::EverySeconds, &[("n", &secs.to_string())])
                }
            };
            view! { <option value=secs.to_string() selected=move || interval.get() == secs>{label}</option> }
        })
        .collect_view();
    let choose = move |value: String| {
        if let Ok(secs) = value.parse::<u32>() {
            remember_refresh(secs);
            interval.set(secs);
        }
    };

    view! {
        <div class="refresh-bar" data-testid="refresh-bar">
            <button
                type="button"
                class="button button--primary"
                data-testid="refresh"
                aria-busy=move || status.busy.get().to_string()
                on:click=move |_| status.refresh()
            >
                <span class="refresh-icon" class:refresh-icon--spin=move || status.busy.get() aria-hidden="true">
                    "↻"
                </span>
                " "
                {tr(Key::RefreshNow)}
            </button>
            <label class="field-inline">
                <span>{tr(Key::AutoRefresh)}</span>
                <select data-testid="refresh-interval" on:change:target=move |ev| choose(ev.target().value())>
                    {options}
                </select>
            </label>
            <button
                type="button"
                class="button button--quiet"
                data-testid="refresh-pause"
                aria-pressed=move || paused.get().to_string()
                disabled=move || interval.get() == 0
                on:click=move |_| paused.update(|p| *p = !*p)
            >
                {move || t(lang.get(), if paused.get() { Key::PausedRefresh } else { Key::PauseRefresh })}
            </button>
            <span class="refresh-bar__updated" data-testid="last-updated" data-updated-ms=move || status.updated.get().to_string()>
                {updated}
            </span>
            <span class="badge badge--stale" data-testid="stale-badge" hidden=move || !status.is_stale()>
                {tr(Key::StaleBadge)}
            </span>
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">{announcement}</p>
        </div>
    }
}

/// What a page shows of its data: the loading state until the first answer (`<Transition>`),
/// the error panel while nothing good has arrived (`<ErrorBoundary>`), else the notices and
/// `children`, which stay on screen (and keep their state) across refreshes.
#[component]
pub fn Loaded<T: Clone + Send + Sync + 'static>(
    kept: KeptResource<T>,
    children: ChildrenFn,
) -> impl IntoView {
    let status = kept.status;
    let has_data = kept.has_data();
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {kept.gate()}
            <ErrorBoundary fallback=move |_| view! { <ErrorPanel status/> }>
                {kept.first_error()}
                <Show when=move || has_data.get()>
                    <StaleNotices status/>
                    {children()}
                </Show>
            </ErrorBoundary>
        </Transition>
    }
}
