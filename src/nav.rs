//! The router: a few lines over the History API instead of `leptos_router`, which would cost
//! about a fifth of the wasm bundle for three routes.
//!
//! - The location lives in one signal ([`Nav::url`]): the path below the base and the query.
//! - Clicks on `<a href>` inside the app (left button, no modifier, no `target`/`download`,
//!   pointing under the base) become `history.pushState` plus a signal update; every other link
//!   loads normally. Back and forward (`popstate`) update the signal.
//! - Pages are chosen by `routes::Route::parse` on the path; the query is read by the pages.
//! - A navigation to another path scrolls to the top and moves focus to `<main>`, so keyboard
//!   and screen-reader users start at the new page's content.

use crate::routes::{is_app_href, strip_base};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A location inside the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Url {
    /// The path below the base, percent-encoded as in the address bar, starting with `/`.
    /// `None` when the address is not under the base at all.
    pub path: Option<String>,
    /// The query string without `?`.
    pub query: String,
}

/// The router's state. `Copy`: arena handles only.
#[derive(Clone, Copy)]
pub struct Nav {
    /// The current location.
    pub url: RwSignal<Url>,
    base: StoredValue<String>,
}

impl Nav {
    /// Reads the address bar and starts listening for link clicks and back/forward.
    pub fn install(base: String) -> Nav {
        let url = RwSignal::new(read_location(&base));
        let nav = Nav { url, base: StoredValue::new(base) };
        let _ = window_event_listener(leptos::ev::popstate, move |_| nav.sync(false));
        let _ = window_event_listener(leptos::ev::click, move |ev| nav.on_click(ev));
        nav
    }

    /// Goes to `href` (a path built by `routes`, base included), adding a history entry.
    pub fn navigate(&self, href: &str) {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.sync(true);
    }

    /// Reads the address bar into the signal; on a new path (when `moved`), scrolls to the top
    /// and focuses `<main>`.
    fn sync(&self, moved: bool) {
        let next = self.base.with_value(|b| read_location(b));
        let new_path = self.url.with_untracked(|u| u.path != next.path);
        self.url.set(next);
        if moved && new_path {
            window().scroll_to_with_x_and_y(0.0, 0.0);
            crate::prefs::focus_by_id(crate::components::shell::MAIN_ID);
        }
    }

    fn on_click(&self, ev: web_sys::MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        if a.has_attribute("download")
            || a.get_attribute("target").is_some_and(|t| t != "_self")
            || a.get_attribute("rel").is_some_and(|r| r.contains("external"))
        {
            return;
        }
        let href = a.get_attribute("href").unwrap_or_default();
        if self.base.with_value(|b| is_app_href(b, &href)) {
            ev.prevent_default();
            self.navigate(&href);
        }
    }
}

fn read_location(base: &str) -> Url {
    let loc = window().location();
    let path = loc.pathname().unwrap_or_default();
    let search = loc.search().unwrap_or_default();
    Url { path: strip_base(base, &path), query: search.trim_start_matches('?').to_owned() }
}

/// The router, as provided by `App`.
pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}
