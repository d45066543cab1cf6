//! App-wide reactive state, provided once by `App` and read by pages and components:
//! the API at its base path, the language, the theme and the session.

use crate::api::{Api, ApiError, Fetched, Session};
use crate::i18n::{t, Key, Lang};
use crate::theme::ThemePref;
use leptos::prelude::*;

/// The session call's result.
pub type SessionResult = Result<Fetched<Session>, ApiError>;

/// Everything `App` provides. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppContext {
    /// The proxy's API (holds the base path).
    pub api: StoredValue<Api>,
    /// The display language (remembered in localStorage by `App`).
    pub lang: RwSignal<Lang>,
    /// The theme choice (remembered in localStorage by `App`).
    pub theme: RwSignal<ThemePref>,
    /// `GET {base}/api/session`, loaded once at start-up.
    pub session: LocalResource<SessionResult>,
}

impl AppContext {
    /// The base path (`""` or `/segment...`), untracked (it never changes).
    pub fn base(&self) -> String {
        self.api.with_value(|a| a.base().to_owned())
    }

    /// The session once loaded successfully.
    pub fn session_data(&self) -> Option<Session> {
        self.session
            .get()
            .and_then(Result::ok)
            .map(|fetched| fetched.data)
    }
}

/// The app context; panics only if called outside `App`, which is a programming error.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

/// A reactive text for `key` in the current language, for use in `view!`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_app().lang;
    move || t(lang.get(), key)
}

/// A `LocalResource` plus a signal that is true while one of its fetches is in flight. Unlike
/// `<Transition>`, it lets pages keep rendered content (and keyed rows) while refetching.
pub fn tracked_resource<T, Fut>(
    fetcher: impl Fn() -> Fut + 'static,
) -> (LocalResource<T>, Signal<bool>)
where
    T: 'static,
    Fut: std::future::Future<Output = T> + 'static,
{
    let in_flight = RwSignal::new(0u32);
    let resource = LocalResource::new(move || {
        let fut = fetcher();
        async move {
            in_flight.try_update(|n| *n += 1);
            let out = fut.await;
            in_flight.try_update(|n| *n = n.saturating_sub(1));
            out
        }
    });
    (resource, Signal::derive(move || in_flight.get() > 0))
}

/// Where a page's data stands, without the data itself, so that views switch only when the kind
/// of state changes (a refetch that succeeds again keeps the same view and its keyed rows).
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    /// The first answer has not arrived yet.
    Loading,
    /// The last answer was an error.
    Failed(ApiError),
    /// The last answer was good.
    Ready,
}

impl LoadState {
    /// The state of a resource holding `Result<_, ApiError>`.
    pub fn of<T>(value: Option<&Result<T, ApiError>>) -> LoadState {
        match value {
            None => LoadState::Loading,
            Some(Err(e)) => LoadState::Failed(e.clone()),
            Some(Ok(_)) => LoadState::Ready,
        }
    }
}
