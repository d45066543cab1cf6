//! A table's header row: each sortable column's header is a button with `aria-sort` on its
//! `<th>`. The buttons stay the same elements while the URL's sort changes, so focus stays.

use super::ListRef;
use crate::app::tr;
use crate::i18n::Key;
use crate::pages::go_options;
use crate::url::{Sort, SortKey};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// One column: its header and, when it sorts, its key.
pub type Column = (Key, Option<SortKey>);

/// The header row of `columns`.
#[component]
pub fn SortHeader(list: ListRef, columns: &'static [Column]) -> impl IntoView {
    let navigate = use_navigate();
    let sort = Memo::new(move |_| list.query.with(|q| q.sort));
    let cells = columns
        .iter()
        .map(|&(label, key)| {
            let Some(key) = key else {
                return view! { <th scope="col">{tr(label)}</th> }.into_any();
            };
            let aria = move || match sort.get() {
                Some(s) if s.key == key && !s.desc => "ascending",
                Some(s) if s.key == key => "descending",
                _ => "none",
            };
            let arrow = move || match aria() {
                "ascending" => "▲",
                "descending" => "▼",
                _ => "↕",
            };
            let navigate = navigate.clone();
            let click = move |_| {
                let next = list.query.with_untracked(|q| q.with_sort(Sort::cycle(q.sort, key)));
                navigate(&list.href(&next), go_options(false));
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button
                        type="button"
                        class="sort"
                        data-testid=format!("sort-{}", key.as_str())
                        aria-describedby="sort-note"
                        on:click=click
                    >
                        {tr(label)}
                        <span class="sort__arrow" aria-hidden="true">{arrow}</span>
                    </button>
                </th>
            }
            .into_any()
        })
        .collect_view();
    view! { <tr>{cells}</tr> }
}
