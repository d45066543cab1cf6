//! The fallback for addresses that are not a page of the app.

use crate::context::{effect, tr, use_app};
use crate::i18n::{t, Key};
use crate::prefs::set_title;
use crate::routes::home_href;
use leptos::prelude::*;

/// "Page not found" with a way back.
pub fn not_found_page() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    effect(move || {
        let l = lang.get();
        set_title(&format!("{} · {}", t(l, Key::NotFoundHeading), t(l, Key::AppTitle)));
    });
    view! {
        <section class="page page--not-found" data-testid="not-found">
            <h1>{tr(Key::NotFoundHeading)}</h1>
            <p>{tr(Key::NotFoundText)}</p>
            <p><a href=home_href(&app.base())>{tr(Key::GoHome)}</a></p>
        </section>
    }
}
