//! Browser glue for the user's preferences: reading and remembering the language and theme
//! (localStorage), the browser's languages (navigator.languages), and applying them to `<html>`
//! (`lang`, `data-theme`). Everything here tolerates a missing or blocked API (storage disabled,
//! private mode): it then just does not remember.

use crate::i18n::{initial_lang, Lang};
use crate::theme::ThemePref;
use wasm_bindgen::JsCast;

const LANG_KEY: &str = "migration-dashboard.lang";
const THEME_KEY: &str = "migration-dashboard.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // A full or blocked storage only means the choice is not remembered.
        let _ = s.set_item(key, value);
    }
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if out.is_empty() {
        if let Some(l) = nav.language() {
            out.push(l);
        }
    }
    out
}

/// The language to start with: remembered, else the browser's, else English.
pub fn load_lang() -> Lang {
    let stored = load(LANG_KEY);
    let browser = browser_languages();
    initial_lang(stored.as_deref(), browser.iter().map(String::as_str))
}

/// Remembers the user's language choice.
pub fn remember_lang(lang: Lang) {
    save(LANG_KEY, lang.as_str());
}

/// Sets `<html lang>`.
pub fn apply_lang(lang: Lang) {
    if let Some(root) = document_element() {
        let _ = root.set_attribute("lang", lang.as_str());
    }
}

/// The remembered theme, or `System`.
pub fn load_theme() -> ThemePref {
    load(THEME_KEY)
        .as_deref()
        .and_then(ThemePref::parse)
        .unwrap_or_default()
}

/// Remembers the user's theme choice.
pub fn remember_theme(pref: ThemePref) {
    save(THEME_KEY, pref.as_str());
}

/// Sets or removes `<html data-theme>`.
pub fn apply_theme(pref: ThemePref) {
    if let Some(root) = document_element() {
        let _ = match pref.data_theme() {
            Some(v) => root.set_attribute("data-theme", v),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// Sets the document's title.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(title);
    }
}

fn document_element() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Reads `<meta name="migration-base" content="...">` (raw; see `routes::normalize_base`).
pub fn meta_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=\"migration-base\"]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_default()
}

/// Moves keyboard focus to the element with this id (the skip link's target); silently does
/// nothing if it is missing.
pub fn focus_by_id(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
