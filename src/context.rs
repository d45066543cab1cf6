//! App-wide reactive state, provided once by `App` and read by pages and components (the API at
//! its base path, the language, the theme, the session, a one-second clock), and [`Loader`], the
//! way pages load and refresh their data.

use crate::api::{Api, ApiError, Fetched, Session};
use crate::clock::{mark, mark_after_paint, now_ms};
use crate::i18n::{t, Key, Lang};
use crate::theme::ThemePref;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

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
    pub session: Loader<Session>,
    /// The time (ms since the epoch), updated every second: ages and auto-refresh read it.
    pub now: RwSignal<f64>,
}

impl AppContext {
    /// The base path (`""` or `/segment...`), untracked (it never changes).
    pub fn base(&self) -> String {
        self.api.with_value(|a| a.base().to_owned())
    }

    /// The session once loaded successfully.
    pub fn session_data(&self) -> Option<Session> {
        self.session.data.get()
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

/// A value derived from signals. Views take these rather than closures: every closure type
/// would get its own copy of Leptos's rendering code, while all `Signal<String>` (or
/// `Signal<bool>`) attributes and texts share one.
pub fn derive<T: Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
    Signal::derive(f)
}

/// `"true"`/`"false"` of a condition, for ARIA attributes.
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(move || f().to_string())
}

/// The text of the key `f` picks, in the current language.
pub fn tr_pick(f: impl Fn() -> Key + Send + Sync + 'static) -> Signal<String> {
    text(move |l| t(l, f()).to_owned())
}

/// What a page's data loader is doing, apart from the data itself (so it is not generic: the
/// refresh controls, notices and announcements take it whatever the data is).
#[derive(Clone, Copy)]
pub struct LoadStatus {
    /// The last failure; cleared by the next success. The data of the last success stays.
    pub error: RwSignal<Option<ApiError>>,
    /// True while a fetch is in flight.
    pub busy: RwSignal<bool>,
    /// When the last good answer arrived (ms since the epoch; 0 before the first).
    pub updated: RwSignal<f64>,
    /// `Some(age in seconds)` when the last good answer was a stale copy served by the proxy.
    pub stale: RwSignal<Option<u64>>,
    /// Counts finished fetches (success or failure), for announcements.
    pub done: RwSignal<u32>,
    /// When the last fetch finished (ms), for the auto-refresh timer.
    pub finished_at: StoredValue<f64>,
    /// Whether the fetch in flight is a refresh of data already shown.
    refreshing: StoredValue<bool>,
    /// Set by [`LoadStatus::refresh`], read when the next fetch starts.
    refresh_asked: StoredValue<bool>,
    generation: StoredValue<u64>,
    trigger: RwSignal<u32>,
}

impl LoadStatus {
    fn new() -> Self {
        LoadStatus {
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            updated: RwSignal::new(0.0),
            stale: RwSignal::new(None),
            done: RwSignal::new(0),
            finished_at: StoredValue::new(0.0),
            refreshing: StoredValue::new(false),
            refresh_asked: StoredValue::new(false),
            generation: StoredValue::new(0),
            trigger: RwSignal::new(0),
        }
    }

    /// Fetches the same data again (Refresh now, auto-refresh, Retry). Marks
    /// `migration:refresh-start` when the fetch starts and `migration:refresh-applied` once the
    /// new data is on screen.
    pub fn refresh(&self) {
        self.refresh_asked.set_value(true);
        self.trigger.update(|n| *n = n.wrapping_add(1));
    }

    /// Forgets the data's status (another instance or task is shown now).
    fn reset(&self) {
        self.error.set(None);
        self.updated.set(0.0);
        self.stale.set(None);
    }

    /// A fetch starts; returns its generation.
    fn begin(&self, has_data: bool) -> u64 {
        let asked = self.refresh_asked.get_value();
        self.refresh_asked.set_value(false);
        let refreshing = asked && has_data;
        self.refreshing.set_value(refreshing);
        if refreshing {
            mark("migration:refresh-start");
        }
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        self.busy.set(true);
        generation
    }

    /// True when `generation` is still the latest fetch (and the page still exists).
    fn is_current(&self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    fn finish(&self, outcome: Result<Option<u64>, ApiError>) {
        match outcome {
            Ok(stale) => {
                self.error.set(None);
                self.stale.set(stale);
                self.updated.set(now_ms());
            }
            Err(e) => self.error.set(Some(e)),
        }
        self.finished_at.set_value(now_ms());
        self.busy.set(false);
        self.done.update(|n| *n = n.wrapping_add(1));
        if self.refreshing.get_value() {
            mark_after_paint("migration:refresh-applied");
        }
    }
}

/// Async data owned by a page: the latest good answer of `fetcher` ([`Loader::data`]) and its
/// [`LoadStatus`]. The fetch re-runs whenever a signal the fetcher reads changes, or on
/// [`LoadStatus::refresh`].
///
/// - A failed fetch never clears the data: the page keeps showing the last good answer and
///   says that it is stale (the error is in `status.error`).
/// - When the `identity` changes (another instance, another task) the old data is dropped at
///   once, so it is never shown under the new heading; other changes (paging, filters) keep the
///   rows on screen until the new ones arrive.
/// - Answers that arrive after a newer fetch has started are dropped.
///
/// A small signal-and-`spawn_local` loader rather than `LocalResource`: it does the same job for
/// a client-only app at a fraction of the wasm size.
pub struct Loader<T: Send + Sync + 'static> {
    /// The last good answer.
    pub data: RwSignal<Option<T>>,
    /// Where loading stands.
    pub status: LoadStatus,
}

impl<T: Send + Sync + 'static> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loader<T> {}

/// What a fetch hands back to the shared loader code: how to show its data (called only if
/// the fetch is still the latest) and the stale age, or the error.
type Answer = Result<(Box<dyn FnOnce()>, Option<u64>), ApiError>;
type Job = Pin<Box<dyn Future<Output = Answer>>>;

impl<T: Send + Sync + 'static> Loader<T> {
    /// Starts loading now; `fetcher` runs in a reactive scope, so the signals it reads before
    /// returning its future are tracked.
    pub fn new<Fut>(identity: impl Fn() -> String + 'static, fetcher: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<Fetched<T>, ApiError>> + 'static,
    {
        let data = RwSignal::new(None::<T>);
        let status = LoadStatus::new();
        let start = move || -> Job {
            let fut = fetcher();
            Box::pin(async move {
                fut.await.map(|fetched| {
                    let stale = fetched.stale_age_secs;
                    let value = fetched.data;
                    let show: Box<dyn FnOnce()> = Box::new(move || data.set(Some(value)));
                    (show, stale)
                })
            })
        };
        run_loader(
            status,
            Box::new(identity),
            Box::new(start),
            Box::new(move || data.set(None)),
            Box::new(move || data.with_untracked(Option::is_some)),
        );
        Self { data, status }
    }
}

/// The part of [`Loader::new`] that does not depend on the data's type (one copy in the
/// bundle for every loader).
fn run_loader(
    status: LoadStatus,
    identity: Box<dyn Fn() -> String>,
    start: Box<dyn Fn() -> Job>,
    clear: Box<dyn Fn()>,
    has_data: Box<dyn Fn() -> bool>,
) {
    let shown = StoredValue::new(None::<String>);
    effect(move || {
        status.trigger.track();
        let id = identity();
        if shown.with_value(|s| s.as_ref() != Some(&id)) {
            clear();
            status.reset();
            shown.set_value(Some(id));
        }
        let job = start();
        let generation = status.begin(has_data());
        leptos::task::spawn_local(async move {
            let answer = job.await;
            if status.is_current(generation) {
                status.finish(answer.map(|(show, stale)| {
                    show();
                    stale
                }));
            }
        });
    });
}

/// Runs `f` now and again whenever a signal it reads changes. A boxed closure behind one
/// `Effect` type, so each use does not add its own copy of the effect machinery to the bundle.
pub fn effect(f: impl Fn() + 'static) {
    effect_dyn(Box::new(f));
}

fn effect_dyn(f: Box<dyn Fn()>) {
    Effect::new(move |_| f());
}
