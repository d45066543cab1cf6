//! Browser glue for the user's preferences: reading and remembering the language and theme
//! (localStorage), the browser's languages (navigator.languages), and applying them to `<html>`
//! (`lang`, `data-theme`). Everything here tolerates a missing or blocked API (storage disabled,
//! private mode): it then just does not remember.

use crate::i18n::{initial_lang, Lang};
use crate::theme::ThemePref;
use wasm_bindgen::JsCast;

const LANG_KEY: &str = "migration-dashboard.lang";
const THEME_KEY: &str = "migration-dashboard.theme";
const RECENT_KEY: &str = "migration-dashboard.recent";
const REFRESH_KEY: &str = "migration-dashboard.refresh";
const VISITS_KEY: &str = "migration-dashboard.visits";

/// How many instances' last visits are kept (the oldest is forgotten first).
pub const VISITS_MAX: usize = 50;

/// How many recently opened instances are kept.
pub const RECENT_MAX: usize = 8;

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
    let mut out: Vec<String> = nav.languages().iter().filter_map(|v| v.as_string()).collect();
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
    load(THEME_KEY).as_deref().and_then(ThemePref::parse).unwrap_or_default()
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

/// The instances opened recently, most recent first: `(region, instance)`.
pub fn load_recent() -> Vec<(String, String)> {
    parse_recent(&load(RECENT_KEY).unwrap_or_default())
}

/// Puts `(region, instance)` first in the recent list.
pub fn remember_recent(region: &str, instance: &str) {
    let list = push_recent(load_recent(), region, instance);
    save(RECENT_KEY, &format_recent(&list));
}

/// Forgets the recent list.
pub fn clear_recent() {
    if let Some(s) = storage() {
        let _ = s.remove_item(RECENT_KEY);
    }
}

/// Stored form: one `region/instance` per line.
pub fn parse_recent(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let (r, i) = l.split_once('/')?;
            let r = crate::url::clean_identifier(r)?;
            let i = crate::url::clean_identifier(i)?;
            Some((r, i))
        })
        .take(RECENT_MAX)
        .collect()
}

/// See [`parse_recent`].
pub fn format_recent(list: &[(String, String)]) -> String {
    list.iter().map(|(r, i)| format!("{r}/{i}")).collect::<Vec<_>>().join("\n")
}

/// `list` with `(region, instance)` moved (or added) to the front, at most [`RECENT_MAX`] long.
pub fn push_recent(mut list: Vec<(String, String)>, region: &str, instance: &str) -> Vec<(String, String)> {
    list.retain(|(r, i)| !(r == region && i == instance));
    list.insert(0, (region.to_owned(), instance.to_owned()));
    list.truncate(RECENT_MAX);
    list
}

/// When the viewer last opened the instance (Unix seconds), for "changed since your last visit".
pub fn load_visit(region: &str, instance: &str) -> Option<i64> {
    parse_visits(&load(VISITS_KEY).unwrap_or_default())
        .into_iter()
        .find(|(r, i, _)| r == region && i == instance)
        .map(|(_, _, at)| at)
}

/// Records a visit to the instance at `at` (Unix seconds).
pub fn remember_visit(region: &str, instance: &str, at: i64) {
    let mut list = parse_visits(&load(VISITS_KEY).unwrap_or_default());
    list.retain(|(r, i, _)| !(r == region && i == instance));
    list.insert(0, (region.to_owned(), instance.to_owned(), at));
    list.truncate(VISITS_MAX);
    save(VISITS_KEY, &format_visits(&list));
}

/// Stored form: one `region/instance seconds` per line, most recent first.
pub fn parse_visits(text: &str) -> Vec<(String, String, i64)> {
    text.lines()
        .filter_map(|l| {
            let (key, at) = l.split_once(' ')?;
            let (r, i) = key.split_once('/')?;
            Some((
                crate::url::clean_identifier(r)?,
                crate::url::clean_identifier(i)?,
                at.trim().parse().ok()?,
            ))
        })
        .take(VISITS_MAX)
        .collect()
}

/// See [`parse_visits`].
pub fn format_visits(list: &[(String, String, i64)]) -> String {
    list.iter().map(|(r, i, at)| format!("{r}/{i} {at}")).collect::<Vec<_>>().join("\n")
}

/// Auto-refresh intervals offered, in seconds (0 = off).
pub const REFRESH_CHOICES: [u32; 5] = [0, 5, 10, 30, 60];
/// The interval until the user picks one.
pub const REFRESH_DEFAULT: u32 = 10;

/// The remembered auto-refresh interval (seconds, 0 = off).
pub fn load_refresh() -> u32 {
    load(REFRESH_KEY)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|v| REFRESH_CHOICES.contains(v))
        .unwrap_or(REFRESH_DEFAULT)
}

/// Remembers the auto-refresh interval.
pub fn remember_refresh(secs: u32) {
    save(REFRESH_KEY, &secs.to_string());
}

/// True while the page is in a background tab (auto-refresh waits then).
pub fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// Copies text to the clipboard; resolves to whether it worked.
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let promise = w.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
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

/// Reads `<meta name="migration-base" content="...">` (raw; see `url::normalize_base`).
pub fn meta_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            let selector = format!("meta[name=\"{}\"]", migration_model::contract::BASE_META_NAME);
            d.query_selector(&selector).ok().flatten()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_round_trip_and_skip_junk() {
        let list = vec![("cn-hangzhou".to_owned(), "pgm-a".to_owned(), 1_796_083_200)];
        assert_eq!(parse_visits(&format_visits(&list)), list);
        assert!(parse_visits("cn-hangzhou/pgm-a soon\nnonsense\n/ 5").is_empty());
    }

    #[test]
    fn recent_list() {
        let l = push_recent(Vec::new(), "cn-hangzhou", "pgm-a");
        let l = push_recent(l, "cn-shanghai", "pgm-b");
        let l = push_recent(l, "cn-hangzhou", "pgm-a");
        assert_eq!(
            l,
            [
                ("cn-hangzhou".to_string(), "pgm-a".to_string()),
                ("cn-shanghai".to_string(), "pgm-b".to_string())
            ]
        );
        assert_eq!(parse_recent(&format_recent(&l)), l);
        let mut many = Vec::new();
        for i in 0..20 {
            many = push_recent(many, "r", &format!("pgm-{i}"));
        }
        assert_eq!(many.len(), RECENT_MAX);
        assert_eq!(many[0].1, "pgm-19");
        assert_eq!(parse_recent("junk\nr/<script>\nr/ok"), [("r".to_string(), "ok".to_string())]);
    }
}
