//! The task's JSON as the proxy returned it, indented, with a Copy button.

use crate::app::{tr, use_app};
use crate::i18n::{t, Key};
use crate::prefs::copy_text;
use leptos::prelude::*;

/// The raw JSON panel.
#[component]
pub fn RawJson(raw: Signal<String>) -> impl IntoView {
    let lang = use_app().lang;
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = raw.get_untracked();
        leptos::task::spawn_local(async move {
            let ok = copy_text(&text).await;
            copied.try_set(Some(ok));
        });
    };
    let status = move || copied.get().map(|ok| t(lang.get(), if ok { Key::Copied } else { Key::CopyFailed }));
    view! {
        <section class="panel panel--wide" aria-labelledby="raw-heading" data-testid="raw">
            <details class="raw">
                <summary>
                    <h2 id="raw-heading">{tr(Key::RawHeading)}</h2>
                </summary>
                <p class="hint">{tr(Key::RawNote)}</p>
                <p class="raw__actions">
                    <button type="button" class="button" data-testid="copy-json" on:click=copy>{tr(Key::CopyJson)}</button>
                    " "
                    <span role="status" data-testid="copy-status">{status}</span>
                </p>
                <pre class="raw__json" tabindex="0" data-testid="raw-json">{raw}</pre>
            </details>
        </section>
    }
}
