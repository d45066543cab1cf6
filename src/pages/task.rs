//! `/regions/{RegionId}/instances/{DBInstanceName}/tasks/{TaskId}`: one task, in full.

use crate::chart::{push_sample, Sample};
use crate::components::cells::{html_block, html_memo};
use crate::components::detail::{
    checklist_view, raw_json_view, readiness_view, replication_view, summary_view, timeline_view,
};
use crate::components::status::{pending_view, refresh_bar, stale_notices};
use crate::context::{effect, flag, tr, use_app, Loader};
use crate::html::Html;
use crate::i18n::{t, tf, Key};
use crate::prefs::set_title;
use crate::routes::{home_href, instance_href, TaskListQuery};
use leptos::prelude::*;
use migration_model::{MigrationTask, ReplicationInfo};

/// One task's page.
pub fn task_page(region: String, instance: String, task_id_raw: String) -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let api = app.api;
    let base = app.base();
    let task_id = task_id_raw.trim().parse::<u64>().ok();

    {
        let id = task_id_raw.clone();
        effect(move || {
            let l = lang.get();
            set_title(&format!("{} · {}", tf(l, Key::TaskHeading, &[("id", &id)]), t(l, Key::AppTitle)));
        });
    }
    let head = {
        let (region, instance, id) = (region.clone(), instance.clone(), task_id_raw.clone());
        html_memo(move |l| {
            let mut h = Html::new();
            h.open("nav", &[("class", "breadcrumb"), ("aria-label", t(l, Key::Breadcrumb))]);
            h.el("a", &[("href", &home_href(&base)), ("data-testid", "crumb-home")], t(l, Key::NavHome));
            h.el("span", &[("aria-hidden", "true")], " › ");
            let back = instance_href(&base, &region, &instance, &TaskListQuery::default());
            h.el("a", &[("href", &back), ("data-testid", "back-to-tasks")], &instance);
            h.el("span", &[("aria-hidden", "true")], " › ");
            h.el("span", &[("aria-current", "page")], &id);
            h.close("nav").open("div", &[("class", "page__head")]);
            h.el("h1", &[("id", "task-heading")], &tf(l, Key::TaskHeading, &[("id", &id)]));
            h.close("div");
            h.finish()
        })
    };

    let body = match task_id {
        None => view! {
            <p class="state state--empty" data-testid="task-id-invalid">{tr(Key::TaskIdInvalid)}</p>
        }
        .into_any(),
        Some(id) => task_body(region, instance, id, api),
    };

    view! {
        <section
            class="page page--task"
            aria-labelledby="task-heading"
            data-testid="task-page"
            data-task-id=task_id_raw.clone()
        >
            {html_block("", "", head)}
            {body}
        </section>
    }
}

fn task_body(region: String, instance: String, id: u64, api: StoredValue<crate::api::Api>) -> AnyView {
    let loader = Loader::new(String::new, move || {
        let api = api.get_value();
        let (region, instance) = (region.clone(), instance.clone());
        async move { api.migration_task(&region, &instance, id).await }
    });
    let status = loader.status;
    let found = Memo::new(move |_| loader.data.with(|d| d.as_ref().map(Option::is_some)));
    let failed = Memo::new(move |_| found.get().is_none() && status.error.with(Option::is_some));
    let task = Memo::new(move |_| {
        loader.data.with(|d| d.as_ref().and_then(|a| a.as_ref()).map(|a| a.task.clone()).unwrap_or_default())
    });
    let raw = Signal::derive(move || {
        loader.data.with(|d| d.as_ref().and_then(|a| a.as_ref()).map(|a| a.raw.clone()).unwrap_or_default())
    });
    let log = Memo::new(move |_| task.with(MigrationTask::detail_log));

    // One chart sample per good answer.
    let samples = RwSignal::new(Vec::<Sample>::new());
    effect(move || {
        status.done.track();
        if status.error.with_untracked(Option::is_some) || found.get_untracked() != Some(true) {
            return;
        }
        let info = task.with_untracked(|t| t.replication().ok());
        let lag = |f: fn(&ReplicationInfo) -> Option<i128>| info.as_ref().and_then(f).map(|v| v as f64);
        let sample = Sample {
            at_ms: status.updated.get_untracked(),
            not_replayed: lag(ReplicationInfo::lag_not_yet_replayed),
            behind_source: lag(ReplicationInfo::lag_behind_source_report),
        };
        samples.update(|s| push_sample(s, sample));
    });

    let content = move || {
        view! {
            {stale_notices(status)}
            <div class="task-grid">
                {summary_view(task)}
                {readiness_view(task)}
                {timeline_view(task)}
                {replication_view(task, samples)}
                {checklist_view(log)}
                {raw_json_view(raw)}
            </div>
        }
        .into_any()
    };
    let body = move || match found.get() {
        Some(true) => content(),
        Some(false) => view! {
            {stale_notices(status)}
            <p class="state state--empty" data-testid="task-not-found">{tr(Key::TaskNotFound)}</p>
        }
        .into_any(),
        None => pending_view(status, failed.get()),
    };
    view! {
        <div class="task-body" aria-busy=flag(move || status.busy.get())>
            {refresh_bar(status)}
            {body}
        </div>
    }
    .into_any()
}
