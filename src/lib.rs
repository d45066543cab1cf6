//! RDS Migration Dashboard: the browser app (Leptos 0.8, client-side rendered, built by Trunk).
//!
//! Layout (see DESIGN.md, "The app"):
//! - `api`: the only module that talks HTTP (typed calls to the proxy, `ApiError`, `Fetched`).
//! - `routes`, `i18n`, `theme`, `display`: pure logic, unit-tested natively (`cargo test -p
//!   migration-dashboard`): URLs and query strings, strings in English and Bahasa Indonesia, the
//!   theme choice, how values are written on screen.
//! - `prefs`: browser glue for preferences (localStorage, navigator.languages, `<html>` attributes).
//! - `context`: the app-wide reactive state `App` provides.
//! - `pages`: one routed page per file; pages own their data.
//! - `components`: render-only components.

pub mod api;
pub mod chart;
pub mod clock;
pub mod components;
pub mod context;
pub mod display;
pub mod hints;
pub mod html;
pub mod i18n;
pub mod list;
pub mod markup;
pub mod nav;
pub mod pages;
pub mod prefs;
pub mod routes;
pub mod rows;
pub mod theme;

use crate::api::Api;
use crate::components::shell::MAIN_ID;
use crate::components::shell::{banners, footer, header};
use crate::context::{effect, AppContext, Loader};
use crate::i18n::Lang;
use crate::nav::Nav;
use crate::routes::Route;
use crate::theme::ThemePref;
use leptos::prelude::*;

/// The whole app: preferences, session, clock, frame and the page for the address.
#[component]
pub fn App() -> impl IntoView {
    let base = routes::normalize_base(&prefs::meta_base());
    let api = StoredValue::new(Api::new(base.clone()));

    let lang = RwSignal::new(prefs::load_lang());
    let theme = RwSignal::new(prefs::load_theme());
    // Pages set the document title; the app keeps `<html lang>` in step.
    effect(move || prefs::apply_lang(lang.get()));
    effect(move || prefs::apply_theme(theme.get()));
    let on_lang = Callback::new(move |l: Lang| {
        prefs::remember_lang(l);
        lang.set(l);
    });
    let on_theme = Callback::new(move |p: ThemePref| {
        prefs::remember_theme(p);
        theme.set(p);
    });

    let now = RwSignal::new(clock::now_ms());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(clock::now_ms()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }

    let session = Loader::new(String::new, move || {
        let api = api.get_value();
        async move { api.session().await }
    });
    let app = AppContext { api, lang, theme, session, now };
    provide_context(app);
    let nav = Nav::install(base.clone());
    provide_context(nav);

    let demo = Signal::derive(move || app.session_data().is_some_and(|s| s.is_demo()));
    let user = Signal::derive(move || app.session_data().and_then(|s| s.user));
    let version = Signal::derive(move || app.session_data().and_then(|s| s.version));
    let session_failed = Signal::derive(move || session.status.error.with(Option::is_some));

    // A new page only when the path changes; the query is read by the pages themselves.
    let route = Memo::new(move |_| nav.url.with(|u| u.path.as_deref().map_or(Route::NotFound, Route::parse)));
    let page = move || match route.get() {
        Route::Home => pages::home_page().into_any(),
        Route::Instance { region, instance } => pages::instance_page(region, instance).into_any(),
        Route::Task { region, instance, task_id } => pages::task_page(region, instance, task_id).into_any(),
        Route::NotFound => pages::not_found_page().into_any(),
    };

    view! {
        <div class="app" data-testid="app">
            {header(&base, on_lang, on_theme, user)}
            {banners(demo, session_failed)}
            <main id=MAIN_ID class="app-main" tabindex="-1">
                {page}
            </main>
            {footer(version)}
        </div>
    }
}
