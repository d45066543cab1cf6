//! `/regions/{RegionId}/instances/{DBInstanceName}/tasks/{TaskId}`: one task.
//!
//! Interim page, labelled as such on screen: it shows the task's fields as the service returned
//! them. The full detail (stage timeline, precheck checklist, replication panel, switch
//! readiness, raw JSON) is a later issue.

use super::path_param;
use crate::components::{ErrorPanel, LoadingState, Refreshing, StaleNotice, TaskFields};
use crate::context::{loader, text, tr, use_app, LoadState};
use crate::i18n::{t, tf, Key};
use crate::prefs::set_title;
use crate::routes::{instance_href, TaskListQuery};
use leptos::prelude::*;

/// One task's page.
#[component]
pub fn TaskPage() -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let api = app.api;
    let base = StoredValue::new(app.base());

    let region = path_param("region_id");
    let instance = path_param("instance");
    let task_id_raw = path_param("task_id");
    let task_id = Memo::new(move |_| task_id_raw.with(|s| s.trim().parse::<u64>().ok()));

    Effect::new(move |_| {
        let l = lang.get();
        set_title(&format!(
            "{} · {}",
            tf(l, Key::TaskHeading, &[("id", &task_id_raw.get())]),
            t(l, Key::AppTitle)
        ));
    });

    let identity = move || format!("{}/{}/{}", region.get(), instance.get(), task_id_raw.get());
    let (task, busy) = loader(identity, move || {
        let api = api.get_value();
        let region = region.get();
        let instance = instance.get();
        let id = task_id.get();
        async move {
            match id {
                Some(id) => Some(api.migration_task(&region, &instance, id).await),
                None => None,
            }
        }
    });
    // `Some(None)` = the ID in the URL is not a number: nothing was fetched.
    let state = Memo::new(move |_| {
        task.with(|r| match r {
            None => LoadState::Loading,
            Some(None) => LoadState::Ready,
            Some(Some(res)) => LoadState::of(Some(res)),
        })
    });
    let fetched = Memo::new(move |_| {
        task.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref())
                .and_then(|r| r.as_ref().ok())
                .cloned()
        })
    });
    let stale_age =
        Signal::derive(move || fetched.with(|f| f.as_ref().and_then(|f| f.stale_age_secs)));
    let retry = Callback::new(move |()| task.refetch());

    let back_href = Signal::derive(move || {
        base.with_value(|b| {
            instance_href(b, &region.get(), &instance.get(), &TaskListQuery::default())
        })
    });
    let heading = text(move |l| tf(l, Key::TaskHeading, &[("id", &task_id_raw.get())]));

    let body = move || match state.get() {
        LoadState::Loading => view! { <LoadingState/> }.into_any(),
        LoadState::Failed(error) => {
            view! { <ErrorPanel error=error on_retry=retry busy=busy/> }.into_any()
        }
        LoadState::Ready => {
            if task_id.get().is_none() {
                return view! {
                    <p class="state state--empty" data-testid="task-id-invalid">{tr(Key::TaskIdInvalid)}</p>
                }
                .into_any();
            }
            match fetched.get().and_then(|f| f.data) {
                Some(found) => view! {
                    <StaleNotice age=stale_age/>
                    <TaskFields task=found/>
                }
                .into_any(),
                None => view! {
                    <StaleNotice age=stale_age/>
                    <p class="state state--empty" data-testid="task-not-found">{tr(Key::TaskNotFound)}</p>
                }
                .into_any(),
            }
        }
    };

    view! {
        <section
            class="page page--task"
            aria-labelledby="task-heading"
            data-testid="task-page"
            data-task-id=move || task_id_raw.get()
            aria-busy=move || busy.get().to_string()
        >
            <p class="page__back">
                <a href=back_href data-testid="back-to-tasks">{tr(Key::BackToTasks)}</a>
            </p>
            <div class="page__head">
                <h1 id="task-heading">{heading}</h1>
                <Refreshing busy=Signal::derive(move || busy.get() && state.with(|s| *s != LoadState::Loading))/>
            </div>
            <p class="notice notice--placeholder" role="note" data-testid="task-placeholder-note">
                {tr(Key::TaskPlaceholderNote)}
            </p>
            {body}
        </section>
    }
}
