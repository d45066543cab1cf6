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
pub mod components;
pub mod context;
pub mod display;
pub mod i18n;
pub mod pages;
pub mod prefs;
pub mod routes;
pub mod theme;

use crate::api::Api;
use crate::components::shell::MAIN_ID;
use crate::components::{DemoBanner, Footer, Header};
use crate::context::AppContext;
use crate::i18n::{t, Key, Lang};
use crate::pages::{HomePage, InstancePage, NotFoundPage, TaskPage};
use crate::theme::ThemePref;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

/// The whole app: preferences, session, frame and routes under the runtime base path.
#[component]
pub fn App() -> impl IntoView {
    let base = routes::normalize_base(&prefs::meta_base());
    let api = StoredValue::new(Api::new(base.clone()));

    let lang = RwSignal::new(prefs::load_lang());
    let theme = RwSignal::new(prefs::load_theme());
    // Pages set the document title; the app keeps `<html lang>` in step.
    Effect::new(move |_| prefs::apply_lang(lang.get()));
    Effect::new(move |_| prefs::apply_theme(theme.get()));
    let on_lang = Callback::new(move |l: Lang| {
        prefs::remember_lang(l);
        lang.set(l);
    });
    let on_theme = Callback::new(move |p: ThemePref| {
        prefs::remember_theme(p);
        theme.set(p);
    });

    let session = context::Loader::new(String::new, move || {
        let api = api.get_value();
        async move { api.session().await }
    });
    let app = AppContext {
        api,
        lang,
        theme,
        session,
    };
    provide_context(app);

    let demo = Signal::derive(move || app.session_data().is_some_and(|s| s.is_demo()));
    let user = Signal::derive(move || app.session_data().and_then(|s| s.user));
    let version = Signal::derive(move || app.session_data().and_then(|s| s.version));
    let session_failed = Signal::derive(move || session.with(|s| matches!(s, Some(Err(_)))));

    view! {
        <Router base=base.clone()>
            <div class="app" data-testid="app">
                <Header base=base.clone() on_lang=on_lang on_theme=on_theme user=user/>
                <DemoBanner demo=demo/>
                <Show when=move || session_failed.get()>
                    <p class="notice notice--warning" role="status" data-testid="session-error">
                        {move || t(lang.get(), Key::SessionError)}
                    </p>
                </Show>
                <main id=MAIN_ID class="app-main" tabindex="-1">
                    <FlatRoutes fallback=|| view! { <NotFoundPage/> }>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/regions/:region_id/instances/:instance") view=InstancePage/>
                        <Route
                            path=path!("/regions/:region_id/instances/:instance/tasks/:task_id")
                            view=TaskPage
                        />
                    </FlatRoutes>
                </main>
                <Footer version=version/>
            </div>
        </Router>
    }
}
