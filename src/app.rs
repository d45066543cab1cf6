//! The root component and the app-wide context it provides.

use crate::api::{Api, Session};
use crate::components::shell::{Banners, Footer, Header, MAIN_ID};
use crate::i18n::{t, Key, Lang};
use crate::pages::{AlertsPage, HomePage, InstancePage, NotFoundPage, TaskPage, WatchPage};
use crate::theme::ThemePref;
use crate::{clock, prefs, url};
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use std::future::IntoFuture;

/// Everything `App` provides. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppContext {
    /// The proxy's API (holds the base path).
    pub api: StoredValue<Api>,
    /// The base path (`""` or `/segment...`).
    pub base: StoredValue<String>,
    /// The display language (remembered in localStorage).
    pub lang: RwSignal<Lang>,
    /// The theme choice (remembered in localStorage).
    pub theme: RwSignal<ThemePref>,
    /// `GET {base}/api/session`, loaded once.
    pub session: LocalResource<Option<Session>>,
    /// The time (ms since the epoch), updated every second: ages and auto-refresh read it.
    pub now: RwSignal<f64>,
}

impl AppContext {
    /// The base path, untracked (it never changes).
    pub fn base(&self) -> String {
        self.base.get_value()
    }

    /// The session once loaded successfully.
    pub fn session_data(&self) -> Option<Session> {
        self.session.get().flatten()
    }

    /// Whether to ask the proxy for history, once the session has answered (`api::history_kept`).
    /// The session is awaited untracked: it is loaded once, and a resource whose fetcher awaited
    /// it tracked was told of the answer while still waiting for it, so it fetched a second time
    /// as soon as its first fetch was done (the instance page asked for its history twice).
    pub async fn history_kept(&self) -> bool {
        let session = ScopedFuture::new_untracked(self.session.into_future()).await;
        crate::api::history_kept(Some(session)) == Some(true)
    }
}

/// The app context; panics only if called outside `App`, a programming error.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

/// A reactive text for `key` in the current language.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_app().lang;
    move || t(lang.get(), key)
}

/// Sets the document title from the language (and whatever `f` reads).
pub fn title(f: impl Fn(Lang) -> String + 'static) {
    let lang = use_app().lang;
    Effect::new(move |_| {
        let l = lang.get();
        prefs::set_title(&format!("{} · {}", f(l), t(l, Key::AppTitle)));
    });
}

/// The whole app: preferences, session, clock, frame and the routed page.
#[component]
pub fn App() -> impl IntoView {
    let base = url::normalize_base(&prefs::meta_base());
    let api = StoredValue::new(Api::new(base.clone()));
    let lang = RwSignal::new(prefs::load_lang());
    let theme = RwSignal::new(prefs::load_theme());
    Effect::new(move |_| prefs::apply_lang(lang.get()));
    Effect::new(move |_| prefs::apply_theme(theme.get()));

    let now = RwSignal::new(clock::now_ms());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(clock::now_ms()), std::time::Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let session = LocalResource::new(move || {
        let api = api.get_value();
        async move { api.session().await.ok().map(|f| f.data) }
    });
    let app = AppContext { api, base: StoredValue::new(base.clone()), lang, theme, session, now };
    provide_context(app);

    view! {
        <Router base=base>
            <FocusOnNavigate/>
            <div class="app" data-testid="app">
                <Header/>
                <Banners/>
                <main id=MAIN_ID class="app-main" tabindex="-1">
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/regions/:region/instances/:instance") view=InstancePage/>
                        <Route path=path!("/regions/:region/instances/:instance/tasks/:task") view=TaskPage/>
                        <Route path=path!("/watch") view=WatchPage/>
                        <Route path=path!("/alerts") view=AlertsPage/>
                    </Routes>
                </main>
                <Footer/>
            </div>
        </Router>
    }
}

/// After a navigation to another path, keyboard and screen-reader users start at the new
/// page's content: focus moves to `<main>` (query-only changes, such as sorting, keep focus).
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let path = use_location().pathname;
    Effect::new(move |previous: Option<String>| {
        let current = path.get();
        if previous.is_some_and(|p| p != current) {
            prefs::focus_by_id(MAIN_ID);
        }
        current
    });
}
