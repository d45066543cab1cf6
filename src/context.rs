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
    pub session: Loader<SessionResult>,
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

/// A text computed from the language (and whatever signals `f` reads), as a `Signal<String>`.
/// All computed texts share one render path this way, which keeps the wasm bundle small: prefer
/// it to ad-hoc `move || ...` closures returning `String` in views.
pub fn text(f: impl Fn(Lang) -> String + Send + Sync + 'static) -> Signal<String> {
    let lang = use_app().lang;
    Signal::derive(move || f(lang.get()))
}

/// Async data owned by a page: the latest answer of `fetcher`, re-run whenever a signal it
/// reads changes or [`Loader::refetch`] is called. While a new answer for the same `identity`
/// is on its way the previous one stays readable (pages keep their rows, e.g. when paging), and
/// [`Loader::busy`] is true; when the identity changes (another instance, another task) the old
/// answer is dropped at once, so it is never shown under the new heading. Answers that arrive
/// after a newer fetch has started are dropped.
///
/// A small signal-and-`spawn_local` loader rather than `LocalResource`: it does the same job for
/// a client-only app at a fraction of the wasm size (each `LocalResource<T>` instantiates the
/// whole async-derived and Suspense machinery for its `T`).
pub struct Loader<T: Send + Sync + 'static> {
    value: RwSignal<Option<T>>,
    busy: RwSignal<bool>,
    refetch: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loader<T> {}

impl<T: Send + Sync + 'static> Loader<T> {
    /// Starts loading now; `fetcher` runs in a reactive scope, so the signals it reads before
    /// returning its future are tracked.
    pub fn new<Fut>(
        identity: impl Fn() -> String + 'static,
        fetcher: impl Fn() -> Fut + 'static,
    ) -> Self
    where
        Fut: std::future::Future<Output = T> + 'static,
    {
        let value = RwSignal::new(None);
        let busy = RwSignal::new(false);
        let refetch = RwSignal::new(0u32);
        let generation = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let shown = std::cell::RefCell::new(None::<String>);
        Effect::new(move |_| {
            refetch.track();
            let id = identity();
            if shown.borrow().as_ref() != Some(&id) {
                value.set(None);
                *shown.borrow_mut() = Some(id);
            }
            let fut = fetcher();
            let this = generation.get().wrapping_add(1);
            generation.set(this);
            busy.set(true);
            let generation = generation.clone();
            leptos::task::spawn_local(async move {
                let answer = fut.await;
                if generation.get() == this {
                    // The page may be gone by now: `try_` writes do nothing then.
                    value.try_set(Some(answer));
                    busy.try_set(false);
                }
            });
        });
        Self {
            value,
            busy,
            refetch,
        }
    }

    /// Reads the latest answer (`None` before the first one), tracking it.
    pub fn with<U>(&self, f: impl FnOnce(&Option<T>) -> U) -> U {
        self.value.with(f)
    }

    /// True while a fetch is in flight.
    pub fn busy(&self) -> Signal<bool> {
        self.busy.into()
    }

    /// Fetches again (Retry).
    pub fn refetch(&self) {
        self.refetch.update(|n| *n = n.wrapping_add(1));
    }
}

impl<T: Clone + Send + Sync + 'static> Loader<T> {
    /// The latest answer, cloned, tracking it.
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }
}

/// A [`Loader`] and its busy signal.
pub fn loader<T, Fut>(
    identity: impl Fn() -> String + 'static,
    fetcher: impl Fn() -> Fut + 'static,
) -> (Loader<T>, Signal<bool>)
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + 'static,
{
    let loader = Loader::new(identity, fetcher);
    (loader, loader.busy())
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
