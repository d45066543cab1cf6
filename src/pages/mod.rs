//! Routed pages, one per file. Pages read the URL, own their data (LocalResource through
//! `api.rs`) and hand it to render-only components.

pub mod home;
pub mod instance;
pub mod not_found;
pub mod task;

pub use home::HomePage;
pub use instance::InstancePage;
pub use not_found::NotFoundPage;
pub use task::TaskPage;

use crate::routes::decode_component;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A path parameter, percent-decoded (the router hands them over encoded), as a memo.
pub(crate) fn path_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get_str(name)
            .map(decode_component)
            .unwrap_or_default()
    })
}
