//! The instance page's table (migration tasks or precheck reports).
//!
//! Rows are keyed by `TaskId` (`<For>`); each row reads its own data from a memo, and each cell
//! its own HTML from that, so a refresh that changes a task (a new stage, new lag) replaces
//! only those cells' content: the `<tr>`, and its link or button, stay, with focus and scroll
//! position. The header row's sort buttons are HTML with `data-action="sort"`.

use crate::components::cells::{fill_html, html_block, html_cell};
use crate::context::{derive, flag, tr, tr_pick, use_app};
use crate::display::RowKey;
use crate::i18n::{Key, Lang};
use crate::list::{thead_html, Column, ListRow};
use crate::routes::{task_href, TaskListQuery};
use leptos::prelude::*;
use migration_model::parse_detail;

/// The instance a table belongs to, and its URL state.
#[derive(Clone, Copy)]
pub struct ListRef {
    /// Base path.
    pub base: StoredValue<String>,
    /// `RegionId`.
    pub region: StoredValue<String>,
    /// `DBInstanceName`.
    pub instance: StoredValue<String>,
    /// The URL's query.
    pub query: Memo<TaskListQuery>,
}

impl ListRef {
    /// The instance page's address with another query.
    pub fn href(&self, q: &TaskListQuery) -> String {
        self.base.with_value(|b| {
            crate::routes::instance_href(b, &self.region.get_value(), &self.instance.get_value(), q)
        })
    }

    /// Goes to the instance page with the query `f` makes from the current one.
    pub fn go(&self, f: impl FnOnce(&TaskListQuery) -> TaskListQuery) {
        let href = self.href(&self.query.with_untracked(f));
        crate::nav::use_nav().navigate(&href);
    }
}

/// What kind of list a table shows.
#[derive(Clone, Copy)]
pub struct TableKind {
    /// The columns.
    pub columns: &'static [Column],
    /// The table's `data-testid` and id prefix.
    pub testid: &'static str,
    /// The rows' `data-testid`.
    pub row_testid: &'static str,
    /// The caption.
    pub caption: Key,
    /// The empty state.
    pub empty: Key,
    /// Whether rows link to the task page (migration tasks) or carry a checklist (prechecks).
    pub links: bool,
}

/// The table, or the empty state when the page has no rows.
pub fn list_table(kind: TableKind, rows: Memo<Vec<ListRow>>, list: ListRef) -> impl IntoView {
    let lang = use_app().lang;
    let is_empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let keys = Memo::new(move |_| rows.with(|rs| rs.iter().map(|r| r.key).collect::<Vec<_>>()));
    let thead = Memo::new(move |_| {
        let l: Lang = lang.get();
        list.query.with(|q| thead_html(kind.columns, q.sort, l))
    });
    let caption_id = format!("{}-caption", kind.testid);
    let empty =
        tr_pick(
            move || {
                if list.query.with(TaskListQuery::has_filters) {
                    Key::EmptyFiltered
                } else {
                    kind.empty
                }
            },
        );
    move || {
        if is_empty.get() {
            return view! { <p class="state state--empty" data-testid="tasks-empty">{empty}</p> }.into_any();
        }
        let thead_ref = NodeRef::<leptos::html::Thead>::new();
        fill_html(thead_ref, thead);
        let row = move |key: RowKey| {
            let row = Memo::new(move |_| rows.with(|rs| rs.iter().find(|r| r.key == key).cloned()));
            table_row(kind, row, list)
        };
        view! {
            <p id="sort-note" class="hint">{tr(Key::SortNote)}</p>
            <div class="table-scroll" role="region" aria-labelledby=caption_id.clone() tabindex="0">
                <table class="data-table" data-testid=kind.testid>
                    <caption id=caption_id.clone() class="visually-hidden">{tr(kind.caption)}</caption>
                    <thead node_ref=thead_ref></thead>
                    <tbody>
                        <For each=move || keys.get() key=|k| *k children=row/>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}

/// One row: the ID (a link to the task page, for migration tasks), the cells, and for precheck
/// reports a button that shows the report's checklist in a row below.
fn table_row(kind: TableKind, row: Memo<Option<ListRow>>, list: ListRef) -> impl IntoView {
    let id = row.with_untracked(|r| r.as_ref().and_then(|r| r.id));
    let id_view = match (kind.links, id) {
        (true, Some(id)) => {
            let href = list
                .base
                .with_value(|b| task_href(b, &list.region.get_value(), &list.instance.get_value(), id));
            view! { <a href=href data-testid="task-link">{id}</a> }.into_any()
        }
        _ => view! { <span>{id}</span> }.into_any(),
    };
    let cells = kind.columns[1..]
        .iter()
        .enumerate()
        .filter(|(_, c)| c.sort.is_some() || kind.links)
        .map(|(i, c)| {
            let html = Memo::new(move |_| {
                row.with(|r| r.as_ref().and_then(|r| r.cells.get(i).cloned()).unwrap_or_default())
            });
            html_cell(c.class, c.testid, html)
        })
        .collect_view();
    let (toggle, panel) = (!kind.links).then(|| checks_toggle(row, kind.columns.len(), id)).unzip();
    view! {
        <tr data-testid=kind.row_testid data-task-id=id.map(|i| i.to_string())>
            <th scope="row" class="num">{id_view}</th>
            {cells}
            {toggle}
        </tr>
        {panel}
    }
}

/// The "Show checks" cell of a precheck report, and the row with its checklist.
fn checks_toggle(row: Memo<Option<ListRow>>, span: usize, id: Option<u64>) -> (impl IntoView, impl IntoView) {
    let lang = use_app().lang;
    let open = RwSignal::new(false);
    let panel_id = format!("checks-{}", id.unwrap_or_default());
    let html = Memo::new(move |_| {
        if !open.get() {
            return String::new();
        }
        let l = lang.get();
        row.with(|r| {
            let log = r.as_ref().and_then(|r| r.detail.as_deref()).map(parse_detail).unwrap_or_default();
            crate::components::detail::checklist_html(&log, l)
        })
    });
    let toggle = view! {
        <td data-testid="checks">
            <button
                type="button"
                class="button button--quiet button--small"
                data-testid="toggle-checks"
                aria-expanded=flag(move || open.get())
                aria-controls=panel_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {tr_pick(move || if open.get() { Key::HideChecks } else { Key::ShowChecks })}
            </button>
        </td>
    };
    let panel = view! {
        <tr id=panel_id class="checks-row" hidden=derive(move || !open.get())>
            <td colspan=span>{html_block("checklist-holder", "checklist", html)}</td>
        </tr>
    };
    (toggle, panel)
}
