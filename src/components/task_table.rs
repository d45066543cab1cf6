//! The task table of an instance, its stage and state cells, and the pager.

use crate::context::{text, tr, use_app};
use crate::display::{datetime_attr, gmt_text, page_count, row_keys, task_source, RowKey};
use crate::i18n::{t, tf, Key};
use crate::routes::{instance_href, task_href, TaskListQuery};
use leptos::prelude::*;
use migration_model::{MigrateStage, MigrationTask, ReplicationState};

/// The tasks of one page in a `<table>`, one row per task, keyed by `TaskId`.
///
/// DOM contract: `table[data-testid=task-table]`, rows `tr[data-testid=task-row][data-task-id]`,
/// cells `[data-testid=stage]` and `[data-testid=replication-state]`; with no tasks, a
/// `[data-testid=tasks-empty]` paragraph instead of the table.
#[component]
pub fn TaskTable(
    /// The page's tasks, in the service's order.
    #[prop(into)]
    tasks: Signal<Vec<MigrationTask>>,
    /// The base path.
    base: String,
    /// `RegionId` of the instance.
    #[prop(into)]
    region: Signal<String>,
    /// `DBInstanceName` of the instance.
    #[prop(into)]
    instance: Signal<String>,
    /// Whether filters narrow the list (words the empty state).
    #[prop(into)]
    filtered: Signal<bool>,
) -> impl IntoView {
    // The keyed list iterates keys only; each row reads its own task from `tasks`, so a refetch
    // that changes a task (new stage, new state) updates that row in place.
    let keys = Memo::new(move |_| tasks.with(|ts| row_keys(ts.iter().map(|t| t.task_id))));
    let base = StoredValue::new(base);
    let (empty, empty_filtered) = (tr(Key::EmptyTasks), tr(Key::EmptyFiltered));
    let empty_text = move || {
        if filtered.get() {
            empty_filtered()
        } else {
            empty()
        }
    };

    view! {
        <Show
            when=move || !tasks.with(Vec::is_empty)
            fallback=move || {
                view! {
                    <p class="state state--empty" data-testid="tasks-empty">{empty_text}</p>
                }
            }
        >
            <div class="table-scroll" role="region" aria-labelledby="task-table-caption" tabindex="0">
                <table class="task-table" data-testid="task-table">
                    <caption id="task-table-caption" class="visually-hidden">
                        {tr(Key::TasksCaption)}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(Key::ColTaskId)}</th>
                            <th scope="col">{tr(Key::ColTaskName)}</th>
                            <th scope="col">{tr(Key::ColSource)}</th>
                            <th scope="col">{tr(Key::ColStage)}</th>
                            <th scope="col">{tr(Key::ColReplicationState)}</th>
                            <th scope="col">{tr(Key::ColCreated)}</th>
                            <th scope="col">{tr(Key::ColModified)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || keys.get()
                            key=|key| *key
                            children=move |key| {
                                let task = Memo::new(move |_| {
                                    tasks.with(|ts| task_for_key(ts, key).cloned())
                                });
                                view! {
                                    <TaskRow
                                        task=task
                                        base=base.get_value()
                                        region=region
                                        instance=instance
                                    />
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// The task a row key stands for (see [`row_keys`]).
fn task_for_key(tasks: &[MigrationTask], key: RowKey) -> Option<&MigrationTask> {
    match key {
        RowKey::Task(id) => tasks.iter().find(|t| t.task_id == Some(id)),
        RowKey::Position(i) => tasks.get(i),
    }
}

/// One row. The `<tr>` stays while its key is on the page; its cells re-render when its task
/// changes.
#[component]
fn TaskRow(
    task: Memo<Option<MigrationTask>>,
    base: String,
    region: Signal<String>,
    instance: Signal<String>,
) -> impl IntoView {
    let base = StoredValue::new(base);
    let task_id = move || task.with(|t| t.as_ref().and_then(|t| t.task_id));
    view! {
        <tr data-testid="task-row" data-task-id=move || task_id().map(|id| id.to_string())>
            {move || {
                task.get()
                    .map(|task| row_cells(task, base.get_value(), region, instance))
            }}
        </tr>
    }
}

fn row_cells(
    task: MigrationTask,
    base: String,
    region: Signal<String>,
    instance: Signal<String>,
) -> impl IntoView {
    let lang = use_app().lang;
    let not_given = move || t(lang.get(), Key::NotGiven);
    let id_cell = match task.task_id {
        Some(id) => {
            let href = Signal::derive(move || task_href(&base, &region.get(), &instance.get(), id));
            view! { <a href=href data-testid="task-link">{id}</a> }.into_any()
        }
        None => view! { <span class="muted">{not_given}</span> }.into_any(),
    };
    let name = task.task_name.clone();
    let source = task_source(&task);
    let created = gmt_text(task.gmt_created.as_deref(), task.gmt_created_at());
    let created_attr = datetime_attr(task.gmt_created_at());
    let modified = gmt_text(task.gmt_modified.as_deref(), task.gmt_modified_at());
    let modified_attr = datetime_attr(task.gmt_modified_at());

    view! {
        <th scope="row" class="num">{id_cell}</th>
        <td class="task-name">{optional_text(name, not_given)}</td>
        <td class="mono" data-testid="source">{optional_text(source, not_given)}</td>
        <td data-testid="stage" data-stage=task.migrate_stage.as_ref().map(|s| s.as_str().to_owned())>
            <StageCell stage=task.migrate_stage.clone()/>
        </td>
        <td
            data-testid="replication-state"
            data-state=task.replication_state.as_ref().map(|s| s.as_str().to_owned())
        >
            <ReplicationStateCell state=task.replication_state.clone()/>
        </td>
        <td class="time">{time_cell(created, created_attr, not_given)}</td>
        <td class="time">{time_cell(modified, modified_attr, not_given)}</td>
    }
}

fn optional_text(
    value: Option<String>,
    not_given: impl Fn() -> &'static str + Send + Sync + 'static,
) -> AnyView {
    match value {
        Some(v) => view! { <span>{v}</span> }.into_any(),
        None => view! { <span class="muted">{not_given}</span> }.into_any(),
    }
}

fn time_cell(
    text: Option<String>,
    attr: Option<String>,
    not_given: impl Fn() -> &'static str + Send + Sync + 'static,
) -> AnyView {
    match text {
        Some(text) => view! { <time datetime=attr>{text}</time> }.into_any(),
        None => view! { <span class="muted">{not_given}</span> }.into_any(),
    }
}

/// A stage: the wire value (`switch`) and the localized label; unknown values are shown as
/// sent and marked.
#[component]
pub fn StageCell(stage: Option<MigrateStage>) -> impl IntoView {
    let lang = use_app().lang;
    match stage {
        Some(stage) => {
            let wire = stage.as_str().to_owned();
            let known = stage.is_known();
            let class = format!(
                "badge badge--stage badge--stage-{}",
                if known { wire.as_str() } else { "other" }
            );
            let label = text(move |l| {
                if known {
                    stage.label(l).to_owned()
                } else {
                    tf(l, Key::UnknownValue, &[("value", stage.as_str())])
                }
            });
            view! {
                <span class=class>
                    <code class="wire" data-testid="stage-wire">{wire}</code>
                    " "
                    <span class="label" data-testid="stage-label">{label}</span>
                </span>
            }
            .into_any()
        }
        None => {
            view! { <span class="muted">{move || t(lang.get(), Key::NotGiven)}</span> }.into_any()
        }
    }
}

/// A replication state: the wire value and the localized label, like [`StageCell`].
#[component]
pub fn ReplicationStateCell(state: Option<ReplicationState>) -> impl IntoView {
    let lang = use_app().lang;
    match state {
        Some(state) => {
            let wire = state.as_str().to_owned();
            let known = state.is_known();
            let class = format!(
                "badge badge--state badge--state-{}",
                if known { wire.as_str() } else { "other" }
            );
            let label = text(move |l| {
                if known {
                    state.label(l).to_owned()
                } else {
                    tf(l, Key::UnknownValue, &[("value", state.as_str())])
                }
            });
            view! {
                <span class=class>
                    <code class="wire" data-testid="replication-state-wire">{wire}</code>
                    " "
                    <span class="label" data-testid="replication-state-label">{label}</span>
                </span>
            }
            .into_any()
        }
        None => {
            view! { <span class="muted">{move || t(lang.get(), Key::NotGiven)}</span> }.into_any()
        }
    }
}

/// Totals and previous/next links; links keep the other query parameters.
#[component]
pub fn Pager(
    /// The base path.
    base: String,
    /// `RegionId`.
    #[prop(into)]
    region: Signal<String>,
    /// `DBInstanceName`.
    #[prop(into)]
    instance: Signal<String>,
    /// The URL state of the list.
    #[prop(into)]
    query: Signal<TaskListQuery>,
    /// `TotalSize` from the service.
    #[prop(into)]
    total: Signal<u64>,
) -> impl IntoView {
    let base = StoredValue::new(base);
    let pages = move || page_count(total.get(), query.with(|q| q.size));
    let page = move || u64::from(query.with(|q| q.page));
    let href_for = move |p: fn(u32) -> u32| {
        Signal::derive(move || {
            base.with_value(|b| {
                let q = query.get();
                instance_href(b, &region.get(), &instance.get(), &q.with_page(p(q.page)))
            })
        })
    };
    let summary = text(move |l| {
        tf(
            l,
            Key::TotalTasks,
            &[
                ("total", &total.get().to_string()),
                ("page", &page().to_string()),
                ("pages", &pages().to_string()),
            ],
        )
    });

    view! {
        <nav class="pager" aria-label=tr(Key::Pagination) data-testid="pager">
            <p class="pager__summary" data-testid="total">{summary}</p>
            <ul class="pager__links">
                <Show when=move || { page() > 1 }>
                    <li>
                        <a href=href_for(|_| 1) data-testid="page-first">{tr(Key::FirstPage)}</a>
                    </li>
                    <li>
                        <a
                            href=href_for(|p| p.saturating_sub(1))
                            rel="prev"
                            data-testid="page-prev"
                        >
                            {tr(Key::PrevPage)}
                        </a>
                    </li>
                </Show>
                <Show when=move || { page() < pages() }>
                    <li>
                        <a
                            href=href_for(|p| p.saturating_add(1))
                            rel="next"
                            data-testid="page-next"
                        >
                            {tr(Key::NextPage)}
                        </a>
                    </li>
                </Show>
            </ul>
        </nav>
    }
}
