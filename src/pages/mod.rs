//! Routed pages, one folder per page holding the page and the components only it uses. Pages
//! read the URL (`leptos_router`), own their data (a `KeptResource` over `api.rs`) and hand it to
//! components.

pub mod alerts;
pub mod home;
pub mod instance;
pub mod not_found;
pub mod task;
pub mod watch;

pub use alerts::AlertsPage;
pub use home::HomePage;
pub use instance::InstancePage;
pub use not_found::NotFoundPage;
pub use task::TaskPage;
pub use watch::WatchPage;

use leptos_router::NavigateOptions;

/// How the app navigates to an address it built itself (base path included, so the router must
/// not resolve it again). `scroll: false` for changes of the same page's state (sort, filters).
pub fn go_options(scroll: bool) -> NavigateOptions {
    NavigateOptions { resolve: false, scroll, ..NavigateOptions::default() }
}
