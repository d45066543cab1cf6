//! The fallback for addresses that are not a page of the app.

use crate::app::{title, tr, use_app};
use crate::i18n::{t, Key};
use crate::url::home_href;
use leptos::prelude::*;

/// "Page not found" with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let home = home_href(&use_app().base());
    title(|l| t(l, Key::NotFoundHeading).to_owned());
    view! {
        <section class="page page--not-found" data-testid="not-found">
            <h1>{tr(Key::NotFoundHeading)}</h1>
            <p>{tr(Key::NotFoundText)}</p>
            <p>
                <a href=home>{tr(Key::GoHome)}</a>
            </p>
        </section>
    }
}
