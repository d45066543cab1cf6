//! `/regions/{RegionId}/instances/{DBInstanceName}?page&size&taskId&taskName&sourceIp&sourcePort`:
//! the instance's migration tasks (DescribeCloudMigrationResult).

use super::path_param;
use crate::api::task_list_request;
use crate::components::{ErrorPanel, LoadingState, Pager, Refreshing, StaleNotice, TaskTable};
use crate::context::{loader, text, tr, use_app, LoadState};
use crate::i18n::{t, tf, Key};
use crate::prefs::set_title;
use crate::routes::TaskListQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The task table of one instance.
#[component]
pub fn InstancePage() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let api = app.api;
    let base = app.base();

    let region = path_param("region_id");
    let instance = path_param("instance");
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.read();
        TaskListQuery::from_lookup(|k| map.get(k))
    });

    Effect::new(move |_| {
        let l = lang.get();
        set_title(&format!(
            "{} · {} · {}",
            instance.get(),
            t(l, Key::TasksHeading),
            t(l, Key::AppTitle)
        ));
    });

    // Paging keeps the rows on screen while the next page loads; another instance does not.
    let identity = move || format!("{}/{}", region.get(), instance.get());
    let (tasks, busy) = loader(identity, move || {
        let api = api.get_value();
        let region = region.get();
        let request = task_list_request(&instance.get(), &query.get());
        async move { api.describe_cloud_migration_result(&region, &request).await }
    });

    let state = Memo::new(move |_| tasks.with(|r| LoadState::of(r.as_ref())));
    let page =
        Memo::new(move |_| tasks.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned()));
    let items = Signal::derive(move || {
        page.with(|p| p.as_ref().map(|p| p.data.items.clone()).unwrap_or_default())
    });
    let total = Signal::derive(move || page.with(|p| p.as_ref().map_or(0, |p| p.data.total_size)));
    let stale_age =
        Signal::derive(move || page.with(|p| p.as_ref().and_then(|p| p.stale_age_secs)));
    let filtered = Signal::derive(move || query.with(TaskListQuery::has_filters));
    let retry = Callback::new(move |()| tasks.refetch());

    let subtitle = text(move |l| {
        tf(
            l,
            Key::TasksOf,
            &[("instance", &instance.get()), ("region", &region.get())],
        )
    });

    let body = move || {
        let base = base.clone();
        match state.get() {
            LoadState::Loading => view! { <LoadingState/> }.into_any(),
            LoadState::Failed(error) => {
                view! { <ErrorPanel error=error on_retry=retry busy=busy/> }.into_any()
            }
            LoadState::Ready => view! {
                <StaleNotice age=stale_age/>
                <TaskTable
                    tasks=items
                    base=base.clone()
                    region=region
                    instance=instance
                    filtered=filtered
                />
                <Pager base=base region=region instance=instance query=query total=total/>
            }
            .into_any(),
        }
    };

    view! {
        <section
            class="page page--instance"
            aria-labelledby="tasks-heading"
            data-testid="instance-page"
            data-region=move || region.get()
            data-instance=move || instance.get()
            aria-busy=move || busy.get().to_string()
        >
            <div class="page__head">
                <h1 id="tasks-heading">{tr(Key::TasksHeading)}</h1>
                <p class="page__subtitle" data-testid="instance-subtitle">{subtitle}</p>
                <Refreshing busy=Signal::derive(move || busy.get() && state.with(|s| *s != LoadState::Loading))/>
            </div>
            {body}
        </section>
    }
}
