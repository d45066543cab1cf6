//! [`KeptResource`]: a `LocalResource` over one API call, with the semantics a dashboard needs
//! and `LocalResource` lacks: the last good answer stays on screen when a later fetch fails,
//! marked stale, and the page can tell a first load from a refresh.
//!
//! - [`KeptResource::data`] is the last good answer; a failed fetch never clears it.
//! - [`LoadStatus`] (not generic, so the refresh bar, notices and error panel take it whatever
//!   the data is) says what the last fetch did: its error, whether the proxy served a saved copy
//!   (`X-Proxy-Stale`), when good data last arrived, whether a fetch is in flight.
//! - [`LoadStatus::refresh`] fetches again (Refresh now, auto-refresh, Retry) and records the
//!   `migration:refresh-start` / `migration:refresh-applied` marks that `make bench` reads;
//!   [`LoadStatus::refresh_every`] does so on a timer, for panels without a refresh bar.
//! - A view that should redraw only when the answer changed reads `data` through a `Memo`
//!   (equal answers do not notify), as the alert views do.
//! - [`KeptResource::gate`] reads the resource the idiomatic way (`Suspend`), for a
//!   `<Transition>` to show its fallback until the first answer and never again.
//!
//! A page that shows other data (another instance, another task) makes a new one, so old data
//! is never shown under a new heading.

use crate::api::{ApiError, Fetched};
use crate::clock::{mark, mark_after_paint, now_ms};
use crate::prefs::page_hidden;
use futures::FutureExt;
use leptos::prelude::*;
use std::future::Future;
use std::time::Duration;

/// Where loading stands, apart from the data itself. `Copy`: arena handles only.
#[derive(Clone, Copy)]
pub struct LoadStatus {
    /// The last failure; cleared by the next success.
    pub error: RwSignal<Option<ApiError>>,
    /// True while a fetch is in flight.
    pub busy: RwSignal<bool>,
    /// When the last good answer arrived (ms since the epoch; 0 before the first).
    pub updated: RwSignal<f64>,
    /// `Some(age in seconds)` when the last good answer was a saved copy served by the proxy.
    pub stale: RwSignal<Option<u64>>,
    /// Counts finished fetches (success or failure), for announcements.
    pub done: RwSignal<u32>,
    /// When the last fetch finished (ms), for the auto-refresh timer.
    pub finished_at: StoredValue<f64>,
    refreshing: StoredValue<bool>,
    trigger: RwSignal<u32>,
}

impl LoadStatus {
    fn new() -> Self {
        LoadStatus {
            error: RwSignal::new(None),
            busy: RwSignal::new(true),
            updated: RwSignal::new(0.0),
            stale: RwSignal::new(None),
            done: RwSignal::new(0),
            finished_at: StoredValue::new(0.0),
            refreshing: StoredValue::new(false),
            trigger: RwSignal::new(0),
        }
    }

    /// Fetches the same data again.
    pub fn refresh(&self) {
        if self.updated.get_untracked() > 0.0 {
            self.refreshing.set_value(true);
            mark("migration:refresh-start");
        }
        self.trigger.update(|n| *n = n.wrapping_add(1));
    }

    /// Fetches again every `every` while the tab is shown, no fetch is in flight and `wanted()`
    /// holds, until the owner goes away: for panels that follow the watcher's pace on their own,
    /// without a [`RefreshBar`](crate::components::status::RefreshBar). A hidden tab does not
    /// ask (browsers throttle its timers anyway).
    pub fn refresh_every(&self, every: Duration, wanted: impl Fn() -> bool + 'static) {
        let status = *self;
        let tick = move || {
            if !page_hidden() && !status.busy.get_untracked() && wanted() {
                status.refresh();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, every) {
            on_cleanup(move || handle.clear());
        }
    }

    /// Stale: a saved copy from the proxy, or a failed refresh over data still on screen.
    pub fn is_stale(&self) -> bool {
        self.stale.with(Option::is_some) || (self.error.with(Option::is_some) && self.updated.get() > 0.0)
    }

    fn finish<T>(&self, answer: &Result<Fetched<T>, ApiError>) {
        match answer {
            Ok(f) => {
                self.error.set(None);
                self.stale.set(f.stale_age_secs);
                self.updated.set(now_ms());
            }
            Err(e) => self.error.set(Some(e.clone())),
        }
        self.finished_at.set_value(now_ms());
        self.busy.set(false);
        self.done.update(|n| *n = n.wrapping_add(1));
        if self.refreshing.get_value() {
            self.refreshing.set_value(false);
            mark_after_paint("migration:refresh-applied");
        }
    }
}

/// Polls `fut` once at once, so the request it makes leaves now instead of on the microtask after
/// the page's first render (`LocalResource` waits a tick before polling its fetcher's future).
/// The page's request and the proxy's answer then overlap the rest of the first render, so the
/// answer is there when the render ends (BENCHMARKS.md, "Fourth round"). The first poll runs in
/// the resource's owner, like every later one, so the request's abort-on-cleanup is the same.
fn sent_now<F: Future + 'static>(fut: F) -> impl Future<Output = F::Output> {
    let mut fut = Box::pin(fut);
    let ready = fut.as_mut().now_or_never();
    async move {
        match ready {
            Some(value) => value,
            None => fut.await,
        }
    }
}

/// The last good answer of an API call, and its [`LoadStatus`]. `Copy`.
pub struct KeptResource<T: Send + Sync + 'static> {
    resource: LocalResource<Result<Fetched<T>, ApiError>>,
    /// The last good answer (`None` until one arrives).
    pub data: RwSignal<Option<T>>,
    /// Where loading stands.
    pub status: LoadStatus,
}

impl<T: Send + Sync + 'static> Clone for KeptResource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for KeptResource<T> {}

impl<T: Clone + Send + Sync + 'static> KeptResource<T> {
    /// Starts loading now. `fetcher` is tracked like `LocalResource`'s: the call runs again when
    /// a signal it reads changes, and on [`LoadStatus::refresh`].
    pub fn new<Fut>(fetcher: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<Fetched<T>, ApiError>> + 'static,
    {
        let status = LoadStatus::new();
        let data = RwSignal::new(None);
        let resource = LocalResource::new(move || {
            status.trigger.track();
            status.busy.set(true);
            sent_now(fetcher())
        });
        Effect::new(move |_| {
            resource.with(|answer| {
                let Some(answer) = answer else { return };
                if let Ok(f) = answer {
                    data.set(Some(f.data.clone()));
                }
                status.finish(answer);
            });
        });
        Self { resource, data, status }
    }

    /// For a `<Transition>`: pending until the first answer (good or not) has arrived.
    pub fn gate(&self) -> impl IntoView {
        let resource = self.resource;
        move || {
            Suspend::new(async move {
                let _ = resource.await;
            })
        }
    }

    /// For an `<ErrorBoundary>`: the error, while no good answer has ever arrived.
    pub fn first_error(&self) -> impl Fn() -> Result<(), ApiError> + Send + Sync + Copy + 'static {
        let (data, error) = (self.data, self.status.error);
        move || match error.get() {
            Some(e) if data.with(Option::is_none) => Err(e),
            _ => Ok(()),
        }
    }

    /// True once a good answer has arrived.
    pub fn has_data(&self) -> Memo<bool> {
        let data = self.data;
        Memo::new(move |_| data.with(Option::is_some))
    }
}
