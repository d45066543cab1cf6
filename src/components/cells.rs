//! The elements that hold HTML text (see `html.rs` for why): a table cell and a block. Each is a
//! stable element whose content is replaced only when its text changes (a `Memo<String>`), so
//! a refresh updates values in place; a block also keeps keyboard focus on the element with the
//! same `data-testid` across a re-draw. And event delegation for the controls inside such text:
//! `data-action` (and `data-arg`) attributes read by one listener on the page.

use crate::context::{effect, use_app};
use crate::i18n::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A `<td>` whose content is `html`.
pub fn html_cell(class: &'static str, testid: &'static str, html: Memo<String>) -> impl IntoView {
    let testid = (!testid.is_empty()).then_some(testid);
    view! { <td class=class data-testid=testid inner_html=move || html.get()></td> }
}

/// A `<div>` whose content is `html`. When the focused element is inside and has a
/// `data-testid` (or `id`), the element with the same one gets focus back after a re-draw.
pub fn html_block(class: &'static str, testid: &'static str, html: Memo<String>) -> impl IntoView {
    let testid = (!testid.is_empty()).then_some(testid);
    let node = NodeRef::<leptos::html::Div>::new();
    fill_html(node, html);
    view! { <div node_ref=node class=class data-testid=testid></div> }
}

/// Keeps the content of the element behind `node` equal to `html`, focus kept as for
/// [`html_block`].
pub fn fill_html<E>(node: NodeRef<E>, html: Memo<String>)
where
    E: leptos::html::ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    effect(move || {
        let h = html.get();
        if let Some(el) = node.get() {
            set_html_keeping_focus(el.unchecked_ref(), &h);
        }
    });
}

/// Replaces `el`'s content, keeping focus as [`html_block`] describes.
pub fn set_html_keeping_focus(el: &web_sys::Element, html: &str) {
    let doc = document();
    let focused = doc.active_element().filter(|a| el.contains(Some(a))).and_then(|a| {
        a.get_attribute("data-testid")
            .map(|t| format!("[data-testid=\"{t}\"]"))
            .or_else(|| Some(a.id()).filter(|i| !i.is_empty()).map(|i| format!("#{i}")))
    });
    el.set_inner_html(html);
    if let Some(selector) = focused {
        if let Some(target) = el
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = target.focus();
        }
    }
}

/// The control an event came from, when it (or an ancestor) has `data-action`: the action, its
/// `data-arg` and the element.
pub fn action_of(ev: &web_sys::Event) -> Option<(String, String, web_sys::Element)> {
    let el = ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest("[data-action]").ok()??;
    let action = el.get_attribute("data-action")?;
    let arg = el.get_attribute("data-arg").unwrap_or_default();
    Some((action, arg, el))
}

/// The `value` of a form control (select, input).
pub fn control_value(el: &web_sys::Element) -> String {
    js_sys::Reflect::get(el, &wasm_bindgen::JsValue::from_str("value"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A form's fields by name (text values).
pub fn form_fields(form: &web_sys::Element) -> Vec<(String, String)> {
    let Some(form) = form.dyn_ref::<web_sys::HtmlFormElement>() else {
        return Vec::new();
    };
    let Ok(data) = web_sys::FormData::new_with_form(form) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in js_sys::try_iter(&data).ok().flatten().into_iter().flatten() {
        let Ok(pair) = entry else { continue };
        let pair = js_sys::Array::from(&pair);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    out
}

/// HTML text computed from the language (and whatever `f` reads), re-drawn only when it
/// changes.
pub fn html_memo(f: impl Fn(Lang) -> String + Send + Sync + 'static) -> Memo<String> {
    html_memo_dyn(std::sync::Arc::new(f))
}

/// One `Memo` type for every [`html_memo`] (each `Memo::new` closure type costs bundle size).
fn html_memo_dyn(f: std::sync::Arc<dyn Fn(Lang) -> String + Send + Sync>) -> Memo<String> {
    let lang = use_app().lang;
    Memo::new(move |_| f(lang.get()))
}
