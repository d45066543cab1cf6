//! `/regions/{RegionId}/instances/{DBInstanceName}?tab&page&size&taskId&taskName&sourceIp&sourcePort&sort`:
//! the instance's migration tasks or precheck reports, with the service's filters and paging,
//! on-screen sorting and auto-refresh. The URL is the only source of that state.

mod filters;
pub mod history;
mod pager;
mod precheck_table;
mod row_filter;
mod sort_header;
mod task_table;

use crate::app::{title, tr, use_app};
use crate::i18n::{t, tf, Key};
use crate::prefs::remember_recent;
use crate::resource::KeptResource;
use crate::url::{home_href, instance_href, Tab, TaskListQuery};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::{use_params, use_query_map};
use leptos_router::params::Params;

/// The instance a list belongs to and its URL state, for the page's components. `Copy`.
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
        instance_href(&self.base.get_value(), &self.region.get_value(), &self.instance.get_value(), q)
    }
}

/// The path parameters of the instance page (decoded by the router).
#[derive(Params, Clone, Debug, Default, PartialEq)]
pub struct InstanceParams {
    /// `RegionId`.
    pub region: Option<String>,
    /// `DBInstanceName`.
    pub instance: Option<String>,
}

/// The routed page: a new view (and new data) for each instance.
#[component]
pub fn InstancePage() -> impl IntoView {
    let params = use_params::<InstanceParams>();
    let id = Memo::new(move |_| {
        let p = params.get().unwrap_or_default();
        (p.region.unwrap_or_default(), p.instance.unwrap_or_default())
    });
    move || {
        let (region, instance) = id.get();
        view! { <InstanceLists region instance/> }
    }
}

#[component]
fn InstanceLists(region: String, instance: String) -> impl IntoView {
    let app = use_app();
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_map.with(|m| TaskListQuery::from_lookup(|k| m.get(k))));
    let list = ListRef {
        base: StoredValue::new(app.base()),
        region: StoredValue::new(region.clone()),
        instance: StoredValue::new(instance.clone()),
        query,
    };
    let tab = Memo::new(move |_| query.with(|q| q.tab));
    let history = history::provide_instance_history(region.clone(), instance.clone());
    {
        let instance = instance.clone();
        title(move |l| {
            let list = t(l, if tab.get() == Tab::Tasks { Key::TabTasks } else { Key::TabPrechecks });
            format!("{instance} · {list}")
        });
    }
    let lang = app.lang;
    let heading = {
        let instance = instance.clone();
        move || tf(lang.get(), Key::InstanceHeading, &[("instance", &instance)])
    };
    let subtitle = {
        let region = region.clone();
        move || tf(lang.get(), Key::InstanceRegion, &[("region", &region)])
    };
    let tab_link = move |to: Tab, label: Key, testid: &'static str| {
        view! {
            <a
                href=move || list.href(&query.with(|q| q.with_tab(to)))
                class="tabs__tab"
                data-testid=testid
                aria-current=move || (tab.get() == to).then_some("page")
            >
                {tr(label)}
            </a>
        }
    };
    let panel = move || match tab.get() {
        Tab::Tasks => view! { <task_table::TasksPanel list/> }.into_any(),
        Tab::Prechecks => view! { <precheck_table::PrechecksPanel list/> }.into_any(),
    };
    let crumb = instance.clone();
    view! {
        <section
            class="page page--instance"
            aria-labelledby="instance-heading"
            data-testid="instance-page"
            data-region=region
            data-instance=instance
        >
            <nav class="breadcrumb" aria-label=tr(Key::Breadcrumb)>
                <a href=home_href(&app.base()) data-testid="crumb-home">{tr(Key::NavHome)}</a>
                <span aria-hidden="true">" › "</span>
                <span aria-current="page">{crumb}</span>
            </nav>
            <div class="page__head">
                <h1 id="instance-heading">{heading}</h1>
                <p class="page__subtitle" data-testid="instance-subtitle">{subtitle}</p>
            </div>
            <nav class="tabs" aria-label=tr(Key::TabsLabel) data-testid="tabs">
                {tab_link(Tab::Tasks, Key::TabTasks, "tab-tasks")}
                {tab_link(Tab::Prechecks, Key::TabPrechecks, "tab-prechecks")}
            </nav>
            <filters::Filters list/>
            <history::HistoryNotice history/>
            {panel}
        </section>
    }
}

/// Adds the instance to "Recently opened" once the service has answered for it, so an instance
/// that does not exist (or cannot be read) is never saved.
pub fn remember_when_answered<T: Clone + Send + Sync + 'static>(list: ListRef, kept: KeptResource<T>) {
    let saved = StoredValue::new(false);
    Effect::new(move |_| {
        if kept.data.with(Option::is_some) && !saved.get_value() {
            saved.set_value(true);
            remember_recent(&list.region.get_value(), &list.instance.get_value());
        }
    });
}

/// The empty state of a list: worded for filters when they narrow it.
#[component]
pub fn EmptyList(list: ListRef, empty: Key) -> impl IntoView {
    let lang = use_app().lang;
    let text = move || {
        let key = if list.query.with(|q| q.rows.is_active()) {
            Key::EmptyRowFilter
        } else if list.query.with(TaskListQuery::has_filters) {
            Key::EmptyFiltered
        } else {
            empty
        };
        t(lang.get(), key)
    };
    view! { <p class="state state--empty" data-testid="tasks-empty">{text}</p> }
}
