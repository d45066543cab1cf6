//! Totals, first/previous/next links (other parameters kept) and the page size. A page link
//! brings the table's top into view (the links sit below the table; the router would scroll
//! to the top of the whole page instead).

use super::ListRef;
use crate::app::{tr, use_app};
use crate::i18n::{tf, Key};
use crate::pages::go_options;
use crate::url::{page_count, Tab, TaskListQuery};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use migration_model::contract::{PRECHECK_PAGE_SIZE_MIN, TASK_PAGE_SIZE_MAX};
use migration_model::format;

/// The page sizes offered (the precheck list accepts 30 and more).
fn sizes(tab: Tab) -> Vec<u32> {
    let min = match tab {
        Tab::Tasks => 10,
        Tab::Prechecks => PRECHECK_PAGE_SIZE_MIN,
    };
    [10, 30, 50, TASK_PAGE_SIZE_MAX].into_iter().filter(|s| *s >= min).collect()
}

/// The pager of a list with `total` rows.
#[component]
pub fn Pager(list: ListRef, total: Signal<u64>) -> impl IntoView {
    let lang = use_app().lang;
    let navigate = use_navigate();
    let q = list.query;
    let pages = Memo::new(move |_| page_count(total.get(), q.with(|q| q.size)));
    let page = Memo::new(move |_| u64::from(q.with(|q| q.page)));
    let summary = move || {
        let l = lang.get();
        tf(
            l,
            Key::TotalTasks,
            &[
                ("total", &format::number(total.get().into(), l)),
                ("page", &format::number(page.get().into(), l)),
                ("pages", &format::number(pages.get().into(), l)),
            ],
        )
    };
    let link = move |to: fn(u32) -> u32, rel: Option<&'static str>, testid: &'static str, label: Key| {
        view! {
            <li>
                <a
                    href=move || list.href(&q.with(|q| q.with_page(to(q.page))))
                    rel=rel
                    data-testid=testid
                    data-noscroll="true"
                    on:click=|_| crate::scroll::bring_to_top(&["list-table", "list-panel"])
                >
                    {tr(label)}
                </a>
            </li>
        }
    };
    let size_options = move || {
        let (tab, current) = q.with(|q| (q.tab, q.size));
        sizes(tab)
            .into_iter()
            .map(|s| view! { <option value=s.to_string() selected=s == current>{s}</option> })
            .collect_view()
    };
    let choose = move |value: String| {
        if let Ok(size) = value.parse::<u32>() {
            let next = q.with_untracked(|q| TaskListQuery { size, page: 1, ..q.clone() });
            navigate(&list.href(&next), go_options(false));
        }
    };
    view! {
        <nav class="pager" aria-label=tr(Key::Pagination) data-testid="pager">
            <p class="pager__summary" data-testid="total">{summary}</p>
            <ul class="pager__links">
                <Show when=move || { page.get() > 1 }>
                    {link(|_| 1, None, "page-first", Key::FirstPage)}
                    {link(|p| p - 1, Some("prev"), "page-prev", Key::PrevPage)}
                </Show>
                <Show when=move || { page.get() < pages.get() }>
                    {link(|p| p + 1, Some("next"), "page-next", Key::NextPage)}
                </Show>
            </ul>
            <label class="field-inline">
                <span>{tr(Key::PageSize)}</span>
                <select data-testid="page-size" on:change:target=move |ev| choose(ev.target().value())>
                    {size_options}
                </select>
            </label>
        </nav>
    }
}
