//! Browser glue for where the page is scrolled: the list's position is kept when a task is
//! opened from it and given back once the list is on screen again (Back), and the pager brings
//! the table's top into view. The router scrolls to the top on navigation and the list's rows
//! arrive later than the browser's own restoration, so neither keeps the reader's place.

use std::cell::RefCell;

thread_local! {
    /// The list address (path and query) and its scroll offset when a task was opened from it.
    static SAVED: RefCell<Option<(String, f64)>> = const { RefCell::new(None) };
    /// The last fragment scrolled to, so a re-rendered checklist does not pull the page back.
    static REVEALED: RefCell<String> = const { RefCell::new(String::new()) };
}

fn here() -> Option<String> {
    let loc = web_sys::window()?.location();
    Some(format!("{}{}", loc.pathname().ok()?, loc.search().ok()?))
}

/// Remembers how far the list at the current address is scrolled (called as a task is opened).
pub fn remember_list_position() {
    let (Some(at), Some(y)) = (here(), web_sys::window().and_then(|w| w.scroll_y().ok())) else {
        return;
    };
    SAVED.with(|s| *s.borrow_mut() = Some((at, y)));
}

/// Once the list's rows are on screen: scrolls back to where the reader left this same list,
/// once. Nothing when the list was not left for a task.
pub fn restore_list_position() {
    let Some(at) = here() else { return };
    let Some(y) = SAVED.with(|s| s.borrow_mut().take_if(|(saved, _)| *saved == at)).map(|(_, y)| y) else {
        return;
    };
    // After the frame that lays the rows out, so the page is tall enough.
    leptos::prelude::request_animation_frame(move || {
        if let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, y);
        }
    });
    // The router scrolls to the top once the navigation settles, which waits for the page's
    // other resources (the history sparklines) and can come after the rows: if the page was
    // sent back to the top meanwhile, give the reader's place back again.
    for ms in [250, 750, 1500] {
        leptos::prelude::set_timeout(
            move || {
                if let Some(w) = web_sys::window() {
                    if w.scroll_y().is_ok_and(|now| now < 1.0) {
                        w.scroll_to_with_x_and_y(0.0, y);
                    }
                }
            },
            std::time::Duration::from_millis(ms),
        );
    }
}

/// Scrolls the first of the elements `ids` that is on the page to the top of the viewport (the
/// table after a page change).
pub fn bring_to_top(ids: &[&str]) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(el) = ids.iter().find_map(|id| doc.get_element_by_id(id)) {
        el.scroll_into_view_with_bool(true);
    }
}

/// The address's fragment without `#`, decoded (`""` when there is none).
pub fn fragment() -> String {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let raw = hash.trim_start_matches('#');
    js_sys::decode_uri_component(raw).ok().and_then(|s| s.as_string()).unwrap_or_else(|| raw.to_owned())
}

/// The element the address's fragment names, when the fragment starts with `prefix`: marked as
/// the target (`check--targeted`, the mark taken off any other) and scrolled into view, the
/// first time for that fragment or always with `scroll`. `:target` alone is not enough: the
/// element is rendered after the browser has looked for it.
pub fn reveal_fragment(prefix: &str, scroll: bool) {
    let id = fragment();
    if !id.starts_with(prefix) {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(el) = doc.get_element_by_id(&id) else { return };
    if let Ok(old) = doc.query_selector_all(".check--targeted") {
        for i in 0..old.length() {
            if let Some(e) =
                old.get(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            {
                let _ = e.class_list().remove_1("check--targeted");
            }
        }
    }
    let _ = el.class_list().add_1("check--targeted");
    let first = REVEALED.with(|r| std::mem::replace(&mut *r.borrow_mut(), id.clone()) != id);
    if scroll || first {
        el.scroll_into_view_with_bool(true);
    }
}
