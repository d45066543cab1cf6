//! `/regions/{RegionId}/instances/{DBInstanceName}/tasks/{TaskId}`: one task, in full.

mod alerts;
mod history;
mod lag_chart;
mod raw_json;
mod readiness;
mod replication;
mod summary;
mod timeline;

use crate::app::{title, tr, use_app};
use crate::clock::now_utc;
use crate::components::checklist::Checklist;
use crate::components::status::{Loaded, RefreshBar};
use crate::i18n::{tf, Key};
use crate::resource::KeptResource;
use crate::rows::source_key;
use crate::url::{home_href, instance_href, Tab, TaskListQuery};
use lag_chart::{push_sample, Sample};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use migration_model::{switch_readiness, trend, HealthThresholds, MigrationTask, ReplicationInfo};

/// The path parameters of the task page (decoded by the router; the task ID is kept as written
/// so that the page can say when it is not a number).
#[derive(Params, Clone, Debug, Default, PartialEq)]
pub struct TaskParams {
    /// `RegionId`.
    pub region: Option<String>,
    /// `DBInstanceName`.
    pub instance: Option<String>,
    /// `TaskId` as written.
    pub task: Option<String>,
}

/// The routed page: a new view (and new data) for each task.
#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params::<TaskParams>();
    let id = Memo::new(move |_| {
        let p = params.get().unwrap_or_default();
        (p.region.unwrap_or_default(), p.instance.unwrap_or_default(), p.task.unwrap_or_default())
    });
    move || {
        let (region, instance, task) = id.get();
        view! { <TaskView region instance task/> }
    }
}

#[component]
fn TaskView(region: String, instance: String, task: String) -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let base = app.base();
    {
        let task = task.clone();
        title(move |l| tf(l, Key::TaskHeading, &[("id", &task)]));
    }
    let heading = {
        let task = task.clone();
        move || tf(lang.get(), Key::TaskHeading, &[("id", &task)])
    };
    let back = instance_href(&base, &region, &instance, &TaskListQuery::default());
    let body = match task.trim().parse::<u64>() {
        Ok(id) => view! { <TaskBody region instance=instance.clone() id/> }.into_any(),
        Err(_) => view! {
            <p class="state state--empty" data-testid="task-id-invalid">{tr(Key::TaskIdInvalid)}</p>
        }
        .into_any(),
    };
    let crumb = task.clone();
    view! {
        <section class="page page--task" aria-labelledby="task-heading" data-testid="task-page" data-task-id=task>
            <nav class="breadcrumb" aria-label=tr(Key::Breadcrumb)>
                <a href=home_href(&base) data-testid="crumb-home">{tr(Key::NavHome)}</a>
                <span aria-hidden="true">" › "</span>
                <a href=back data-testid="back-to-tasks">{instance}</a>
                <span aria-hidden="true">" › "</span>
                <span aria-current="page">{crumb}</span>
            </nav>
            <div class="page__head">
                <h1 id="task-heading">{heading}</h1>
            </div>
            {body}
        </section>
    }
}

#[component]
fn TaskBody(region: String, instance: String, id: u64) -> impl IntoView {
    let app = use_app();
    let api = app.api;
    let list_of = StoredValue::new((app.base(), region.clone(), instance.clone()));
    // The watcher's history, read by its own panel, the timeline (observed stage times) and
    // readiness (for how long).
    let hist = history::load_task_history(region.clone(), instance.clone(), id);
    let history =
        view! { <history::History history=hist region=region.clone() instance=instance.clone() id/> };
    let observed = Memo::new(move |_| hist.answer(|h| h.stages.clone()).unwrap_or_default());
    // The page's own readiness on each good answer (Unix seconds), which can see a short dip
    // between two of the watcher's polls.
    let own_ready = RwSignal::new(Vec::<(i64, bool)>::new());
    let held = Memo::new(move |_| {
        hist.answer(|h| {
            let held = h
                .watched
                .then(|| trend::ready_for_watched(&h.events, &h.samples, h.to, &HealthThresholds::default()))
                .flatten()
                .filter(|b| b.min_secs > 0);
            own_ready.with(|own| trend::ready_for_confirmed(held, h.to, own))
        })
        .flatten()
    });
    let alerts = view! { <alerts::TaskAlerts region=region.clone() instance=instance.clone() id/> };
    let kept = KeptResource::new(move || {
        let (api, region, instance) = (api.get_value(), region.clone(), instance.clone());
        async move { api.migration_task(&region, &instance, id).await }
    });
    let status = kept.status;
    let found = Memo::new(move |_| kept.data.with(|d| d.as_ref().is_some_and(Option::is_some)));
    let task = Memo::new(move |_| {
        kept.data.with(|d| d.as_ref().and_then(|a| a.as_ref()).map(|a| a.task.clone()).unwrap_or_default())
    });
    let raw = Signal::derive(move || {
        kept.data.with(|d| d.as_ref().and_then(|a| a.as_ref()).map(|a| a.raw.clone()).unwrap_or_default())
    });
    let log = Memo::new(move |_| task.with(MigrationTask::detail_log));
    // The precheck reports from the same source address and port.
    let prechecks = Signal::derive(move || {
        let (ip, port) = task.with(|t| source_key(t.source_ip_address.as_deref(), t.source_port))?;
        let (base, region, instance) = list_of.get_value();
        Some(instance_href(&base, &region, &instance, &TaskListQuery::of_source(Tab::Prechecks, &ip, port)))
    });

    // One chart sample per good answer.
    let samples = RwSignal::new(Vec::<Sample>::new());
    Effect::new(move |_| {
        status.done.track();
        if status.error.with_untracked(Option::is_some) || !found.get_untracked() {
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
        let at = status.updated.get_untracked() as i64 / 1000;
        let ready =
            task.with_untracked(|t| switch_readiness(t, now_utc(), &HealthThresholds::default()).ready);
        own_ready.update(|v| {
            v.push((at, ready));
            // An hour of 5-second refreshes is plenty: the history is read again each minute.
            let over = v.len().saturating_sub(720);
            v.drain(..over);
        });
    });
    view! {
        <div class="task-body" aria-busy=move || status.busy.get().to_string()>
            <RefreshBar status/>
            <Loaded kept>
                <Show
                    when=move || found.get()
                    fallback=|| view! { <p class="state state--empty" data-testid="task-not-found">{tr(Key::TaskNotFound)}</p> }
                >
                    <div class="task-grid">
                        <summary::Summary task prechecks/>
                        <readiness::Readiness task held/>
                        <timeline::Timeline task observed/>
                        <replication::Replication task samples/>
                        <section class="panel panel--wide" aria-labelledby="checklist-heading" data-testid="precheck">
                            <h2 id="checklist-heading">{tr(Key::ChecklistHeading)}</h2>
                            <div class="panel__body">{move || view! { <Checklist log=log.get() stage=task.with(|t| t.migrate_stage.clone()) anchor=format!("check-{id}")/> }}</div>
                        </section>
                        <raw_json::RawJson raw/>
                    </div>
                </Show>
            </Loaded>
            {alerts}
            {history}
        </div>
    }
}
