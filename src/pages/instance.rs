//! `/regions/{RegionId}/instances/{DBInstanceName}?tab&page&size&taskId&taskName&sourceIp&sourcePort&sort`:
//! the instance's migration tasks (DescribeCloudMigrationResult) or precheck reports
//! (DescribeCloudMigrationPrecheckResult), with server-side filters and paging, on-screen
//! sorting and auto-refresh.
//!
//! The heading, filter form and pager are HTML text (`list.rs`) whose controls carry
//! `data-action`; the page's root handles their clicks, changes and submits.

use crate::api::{precheck_list_request, task_list_request};
use crate::clock::mark_after_paint;
use crate::components::cells::{action_of, control_value, form_fields, html_block, html_memo};
use crate::components::status::{pending_view, refresh_bar, stale_notices};
use crate::components::tables::{list_table, ListRef, TableKind};
use crate::context::{effect, flag, use_app, LoadStatus, Loader};
use crate::i18n::{t, Key};
use crate::list::{
    apply_filters, filters_html, list_head_html, pager_html, precheck_rows, task_rows, ListRow,
    PRECHECK_COLUMNS, TASK_COLUMNS,
};
use crate::nav::use_nav;
use crate::prefs::{remember_recent, set_title};
use crate::routes::{home_href, Sort, SortKey, Tab, TaskListQuery};
use crate::rows::{PrecheckRow, TaskRow};
use leptos::prelude::*;

const TASKS: TableKind = TableKind {
    columns: &TASK_COLUMNS,
    testid: "task-table",
    row_testid: "task-row",
    caption: Key::TasksCaption,
    empty: Key::EmptyTasks,
    links: true,
};

const PRECHECKS: TableKind = TableKind {
    columns: &PRECHECK_COLUMNS,
    testid: "precheck-table",
    row_testid: "precheck-row",
    caption: Key::PrechecksCaption,
    empty: Key::EmptyPrechecks,
    links: false,
};

/// The lists of one instance.
pub fn instance_page(region: String, instance: String) -> impl IntoView {
    let app = use_app();
    let nav = use_nav();
    let lang = app.lang;
    let base = app.base();
    remember_recent(&region, &instance);

    let query = Memo::new(move |_| nav.url.with(|u| TaskListQuery::from_query_string(&u.query)));
    let list = ListRef {
        base: StoredValue::new(base.clone()),
        region: StoredValue::new(region.clone()),
        instance: StoredValue::new(instance.clone()),
        query,
    };
    let tab = Memo::new(move |_| query.with(|q| q.tab));

    {
        let instance = instance.clone();
        effect(move || {
            let l = lang.get();
            let list = t(l, if tab.get() == Tab::Tasks { Key::TabTasks } else { Key::TabPrechecks });
            set_title(&format!("{instance} · {list} · {}", t(l, Key::AppTitle)));
        });
    }

    let head = html_memo(move |l| {
        let home = home_href(&list.base.get_value());
        query.with(|q| {
            list_head_html(
                &home,
                &list.instance.get_value(),
                &list.region.get_value(),
                q,
                &|q| list.href(q),
                l,
            )
        })
    });
    let invalid = RwSignal::new(false);
    let filters = html_memo(move |l| query.with(|q| filters_html(q, invalid.get(), l)));
    let busy = RwSignal::new(true);

    // The controls inside the HTML text.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((action, arg, _)) = action_of(&ev) else {
            return;
        };
        match action.as_str() {
            "sort" => {
                if let Some(key) = Sort::parse(&arg).map(|s| s.key) {
                    sort_by(list, key);
                }
            }
            "clear-filters" => {
                invalid.set(false);
                list.go(|q| TaskListQuery {
                    page: 1,
                    task_id: None,
                    task_name: None,
                    source_ip: None,
                    source_port: None,
                    ..q.clone()
                });
            }
            _ => {}
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some((action, _, el)) = action_of(&ev) {
            if action == "page-size" {
                if let Ok(size) = control_value(&el).parse::<u32>() {
                    list.go(|q| TaskListQuery { size, page: 1, ..q.clone() });
                }
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some((action, _, form)) = action_of(&ev) else {
            return;
        };
        if action == "filters" {
            ev.prevent_default();
            match query.with_untracked(|q| apply_filters(q, &form_fields(&form))) {
                Some(next) => {
                    invalid.set(false);
                    use_nav().navigate(&list.href(&next));
                }
                None => invalid.set(true),
            }
        }
    };

    let panel = move || match tab.get() {
        Tab::Tasks => tasks_panel(list, busy),
        Tab::Prechecks => prechecks_panel(list, busy),
    };

    view! {
        <section
            class="page page--instance"
            aria-labelledby="instance-heading"
            data-testid="instance-page"
            data-region=region
            data-instance=instance
            aria-busy=flag(move || busy.get())
            on:click=on_click
            on:change=on_change
            on:submit=on_submit
        >
            {html_block("", "", head)}
            {html_block("", "", filters)}
            {panel}
        </section>
    }
}

/// Sorts the page by `key` (ascending, descending, the service's order), keeping focus on the
/// column's button, which is drawn anew.
fn sort_by(list: ListRef, key: SortKey) {
    list.go(|q| q.with_sort(Sort::cycle(q.sort, key)));
    let selector = format!("[data-testid=\"sort-{}\"]", key.as_str());
    request_animation_frame(move || {
        if let Some(el) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

/// Refresh controls, then loading, a failure with nothing to show, or the table and pager.
fn list_panel(
    kind: TableKind,
    status: LoadStatus,
    busy: RwSignal<bool>,
    list: ListRef,
    rows: Memo<Vec<ListRow>>,
    total: Signal<u64>,
    has_data: Memo<bool>,
) -> AnyView {
    effect(move || busy.set(status.busy.get()));
    let failed = Memo::new(move |_| !has_data.get() && status.error.with(Option::is_some));
    let pager = html_memo(move |l| {
        let total = total.get();
        list.query.with(|q| pager_html(q, total, &|q| list.href(q), l))
    });
    let body = move || {
        if has_data.get() {
            view! {
                {stale_notices(status)}
                {list_table(kind, rows, list)}
                {html_block("", "", pager)}
            }
            .into_any()
        } else {
            pending_view(status, failed.get())
        }
    };
    view! {
        {refresh_bar(status)}
        {body}
    }
    .into_any()
}

fn tasks_panel(list: ListRef, busy: RwSignal<bool>) -> AnyView {
    let app = use_app();
    let (api, lang, now) = (app.api, app.lang, app.now);
    let (region, instance) = (list.region.get_value(), list.instance.get_value());
    // Only what the service is asked for: sorting the page does not fetch again.
    let request = Memo::new(move |_| list.query.with(|q| task_list_request(&instance, q)));
    let loader = Loader::new(String::new, move || {
        let api = api.get_value();
        let region = region.clone();
        let request = request.get();
        async move { api.migration_tasks(&region, &request).await }
    });
    let status = loader.status;
    let typed = Memo::new(move |_| {
        loader.data.with(|d| {
            d.as_ref().map(|d| d.items.iter().map(TaskRow::of).collect::<Vec<_>>()).unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        let (l, now, sort) = (lang.get(), now.get(), list.query.with(|q| q.sort));
        typed.with(|t| task_rows(t, sort, l, now))
    });
    let total = Signal::derive(move || loader.data.with(|d| d.as_ref().map_or(0, |d| d.total_size)));
    let has_data = Memo::new(move |_| loader.data.with(Option::is_some));

    // `migration:table-populated`: the first time rows are on screen for this request.
    let marked = StoredValue::new(None);
    effect(move || {
        status.done.track();
        let req = request.get_untracked();
        if !typed.with_untracked(Vec::is_empty)
            && status.error.with_untracked(Option::is_none)
            && marked.with_value(|m| m.as_ref() != Some(&req))
        {
            marked.set_value(Some(req));
            mark_after_paint("migration:table-populated");
        }
    });
    list_panel(TASKS, status, busy, list, rows, total, has_data)
}

fn prechecks_panel(list: ListRef, busy: RwSignal<bool>) -> AnyView {
    let app = use_app();
    let (api, lang) = (app.api, app.lang);
    let (region, instance) = (list.region.get_value(), list.instance.get_value());
    let request = Memo::new(move |_| list.query.with(|q| precheck_list_request(&instance, q)));
    let loader = Loader::new(String::new, move || {
        let api = api.get_value();
        let region = region.clone();
        let request = request.get();
        async move { api.prechecks(&region, &request).await }
    });
    let typed = Memo::new(move |_| {
        loader.data.with(|d| {
            d.as_ref().map(|d| d.items.iter().map(PrecheckRow::of).collect::<Vec<_>>()).unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        let (l, sort) = (lang.get(), list.query.with(|q| q.sort));
        typed.with(|t| precheck_rows(t, sort, l))
    });
    let total = Signal::derive(move || loader.data.with(|d| d.as_ref().map_or(0, |d| d.total_size)));
    let has_data = Memo::new(move |_| loader.data.with(Option::is_some));
    list_panel(PRECHECKS, loader.status, busy, list, rows, total, has_data)
}
