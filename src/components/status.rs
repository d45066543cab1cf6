//! Loading, error and staleness states shared by the pages.

use crate::api::ApiError;
use crate::context::{text, tr, use_app};
use crate::i18n::{t, tf, Key};
use leptos::prelude::*;

/// The first load of a page's data.
#[component]
pub fn LoadingState() -> impl IntoView {
    view! {
        <p class="state state--loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {tr(Key::Loading)}
        </p>
    }
}

/// A failed call: a plain-language message (the model's error catalogue for known codes), the
/// `Code`, `RequestId`, HTTP status and the service's own message, and a Retry button.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: ApiError,
    /// Called when the user asks to try again.
    on_retry: Callback<()>,
    /// True while the retry is in flight.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let lang = use_app().lang;
    let code = error.code().map(str::to_owned);
    let code_attr = code.clone();
    let request_id = error.request_id().map(str::to_owned);
    let status = error.status();
    let (service_message, recommend) = match &error {
        ApiError::Api { body, .. } => (
            Some(body.message.clone()).filter(|m| !m.trim().is_empty()),
            body.recommend.clone().filter(|r| !r.trim().is_empty()),
        ),
        _ => (None, None),
    };
    let technical = match &error {
        ApiError::Network { .. } | ApiError::Decode { .. } => Some(error.to_string()),
        _ => None,
    };
    let kind = match &error {
        ApiError::Network { .. } => "network",
        ApiError::Api { .. } => "api",
        ApiError::Http { .. } => "http",
        ApiError::Decode { .. } => "decode",
    };
    let plain = {
        let error = error.clone();
        text(move |l| error.plain_message(l))
    };

    view! {
        <div
            class="error-panel"
            role="alert"
            data-testid="error-panel"
            data-error-kind=kind
            data-error-code=code_attr
        >
            <h2 class="error-panel__title">{tr(Key::ErrorHeading)}</h2>
            <p class="error-panel__message" data-testid="error-message">{plain}</p>
            <dl class="facts">
                {code.map(|c| view! {
                    <div class="facts__row">
                        <dt>{tr(Key::ErrorCode)}</dt>
                        <dd><code data-testid="error-code">{c}</code></dd>
                    </div>
                })}
                {request_id.map(|r| view! {
                    <div class="facts__row">
                        <dt>{tr(Key::ErrorRequestId)}</dt>
                        <dd><code data-testid="error-request-id">{r}</code></dd>
                    </div>
                })}
                {status.map(|s| view! {
                    <div class="facts__row">
                        <dt>{tr(Key::ErrorStatus)}</dt>
                        <dd data-testid="error-status">{s}</dd>
                    </div>
                })}
                {service_message.map(|m| view! {
                    <div class="facts__row">
                        <dt>{tr(Key::ErrorServiceMessage)}</dt>
                        <dd data-testid="error-service-message">{m}</dd>
                    </div>
                })}
                {recommend.map(|r| {
                    let link = r.starts_with("https://").then(|| r.clone());
                    view! {
                        <div class="facts__row">
                            <dt>{tr(Key::ErrorRecommend)}</dt>
                            <dd>
                                {match link {
                                    Some(href) => view! {
                                        <a href=href rel="external noopener noreferrer" target="_blank">{r}</a>
                                    }.into_any(),
                                    None => view! { <span>{r}</span> }.into_any(),
                                }}
                            </dd>
                        </div>
                    }
                })}
            </dl>
            {technical.map(|d| view! {
                <details class="error-panel__technical">
                    <summary>{tr(Key::ErrorTechnical)}</summary>
                    <pre>{d}</pre>
                </details>
            })}
            <button
                type="button"
                class="button"
                data-testid="retry"
                aria-busy=move || busy.get().to_string()
                disabled=move || busy.get()
                on:click=move |_| on_retry.run(())
            >
                {move || {
                    let l = lang.get();
                    if busy.get() { t(l, Key::Loading) } else { t(l, Key::Retry) }
                }}
            </button>
        </div>
    }
}

/// Says that the proxy served a cached answer because the cloud service did not answer.
#[component]
pub fn StaleNotice(
    /// The cached answer's age in seconds, when stale.
    #[prop(into)]
    age: Signal<Option<u64>>,
) -> impl IntoView {
    view! {
        {move || {
            age.get()
                .map(|a| {
                    view! {
                        <p
                            class="notice notice--stale"
                            role="status"
                            data-testid="stale-notice"
                            data-stale-age=a
                        >
                            {text(move |l| tf(l, Key::StaleNotice, &[("age", &a.to_string())]))}
                        </p>
                    }
                })
        }}
    }
}

/// A small "refreshing" marker shown while a page refetches over content it already shows.
#[component]
pub fn Refreshing(
    /// True while a fetch is in flight.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let text = tr(Key::Refreshing);
    view! {
        <span class="refreshing" role="status" aria-live="polite" data-testid="refreshing">
            {move || busy.get().then(text)}
        </span>
    }
}
