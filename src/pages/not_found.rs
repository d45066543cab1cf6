//! The fallback for addresses that are not a page of the app.

use crate::context::{tr, use_app};
use crate::i18n::{t, Key};
use crate::prefs::set_title;
use crate::routes::home_href;
use leptos::prelude::*;

/// "Page not found" with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    Effect::new(move |_| set_title(&title(lang.get())));
    view! {
        <section class="page page--not-found" data-testid="not-found">
            <h1>{tr(Key::NotFoundHeading)}</h1>
            <p>{tr(Key::NotFoundText)}</p>
            <p><a href=home_href(&app.base())>{tr(Key::GoHome)}</a></p>
        </section>
    }
}

fn title(lang: crate::i18n::Lang) -> String {
    format!(
        "{} · {}",
        t(lang, Key::NotFoundHeading),
        t(lang, Key::AppTitle)
    )
}
