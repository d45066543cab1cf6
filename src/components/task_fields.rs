//! The task's fields as the service returned them (the task page's interim view).
//! `SourcePassword` is never shown (the proxy removes it; the app would not show it anyway).

use crate::components::{ReplicationStateCell, StageCell};
use crate::context::use_app;
use crate::display::{gmt_text, task_source};
use crate::i18n::{t, Key};
use leptos::prelude::*;
use migration_model::MigrationTask;

/// A `<dl>` of the task's fields, labelled with their wire names.
#[component]
pub fn TaskFields(task: MigrationTask) -> impl IntoView {
    let lang = use_app().lang;
    let not_given = move || t(lang.get(), Key::NotGiven);

    let text_rows: Vec<(&'static str, Option<String>)> = vec![
        ("TaskId", task.task_id.map(|v| v.to_string())),
        ("TaskName", task.task_name.clone()),
        (
            "SourceCategory",
            task.source_category.as_ref().map(|c| c.as_str().to_owned()),
        ),
        ("SourceIpAddress:SourcePort", task_source(&task)),
        ("SourceAccount", task.source_account.clone()),
        ("TargetInstanceName", task.target_instance_name.clone()),
        ("TargetEip", task.target_eip_value().map(str::to_owned)),
        (
            "GmtCreated",
            gmt_text(task.gmt_created.as_deref(), task.gmt_created_at()),
        ),
        (
            "GmtModified",
            gmt_text(task.gmt_modified.as_deref(), task.gmt_modified_at()),
        ),
        (
            "SwitchTime",
            gmt_text(task.switch_time.as_deref(), task.switch_time_at()),
        ),
    ];
    let block_rows: Vec<(&'static str, Option<String>)> = vec![
        ("ReplicationInfo", task.replication_info.clone()),
        ("Detail", task.detail.clone()),
    ];

    view! {
        <dl class="facts facts--task" data-testid="task-fields">
            <div class="facts__row">
                <dt><code>"MigrateStage"</code></dt>
                <dd data-testid="stage"><StageCell stage=task.migrate_stage.clone()/></dd>
            </div>
            <div class="facts__row">
                <dt><code>"ReplicationState"</code></dt>
                <dd data-testid="replication-state">
                    <ReplicationStateCell state=task.replication_state.clone()/>
                </dd>
            </div>
            {text_rows
                .into_iter()
                .map(|(name, value)| {
                    view! {
                        <div class="facts__row" data-field=name>
                            <dt><code>{name}</code></dt>
                            <dd>
                                {match value {
                                    Some(v) => view! { <span>{v}</span> }.into_any(),
                                    None => view! { <span class="muted">{not_given}</span> }.into_any(),
                                }}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
            {block_rows
                .into_iter()
                .map(|(name, value)| {
                    view! {
                        <div class="facts__row facts__row--block" data-field=name>
                            <dt><code>{name}</code></dt>
                            <dd>
                                {match value {
                                    Some(v) => view! { <pre class="raw">{v}</pre> }.into_any(),
                                    None => view! { <span class="muted">{not_given}</span> }.into_any(),
                                }}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
