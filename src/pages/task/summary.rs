//! The task's identity and where it stands.

use crate::app::{tr, use_app};
use crate::components::values::{Fact, OptText, StageView, StateBadge, TimeText};
use crate::i18n::Key;
use crate::rows::TimeValue;
use crate::verdicts::category_label;
use leptos::prelude::*;
use migration_model::{format, MigrationTask};

/// The summary panel.
#[component]
pub fn Summary(task: Memo<MigrationTask>, prechecks: Signal<Option<String>>) -> impl IntoView {
    let lang = use_app().lang;
    let text = move |f: fn(&MigrationTask) -> Option<String>| move || view! { <OptText value=task.with(f)/> };
    let time = move |f: fn(&MigrationTask) -> Option<String>| move || view! { <TimeText value=TimeValue::of(task.with(f).as_deref())/> };
    let category = move || {
        let c = task.with(|t| t.source_category.clone());
        view! { <OptText value=c.map(|c| format!("{} ({})", category_label(&c, lang.get()), c.as_str()))/> }
    };
    view! {
        <section class="panel" aria-labelledby="summary-heading" data-testid="summary">
            <h2 id="summary-heading">{tr(Key::SummaryHeading)}</h2>
            <div class="panel__body">
                <dl class="facts">
                    <Fact label=Key::ColTaskName testid="task-name">{text(|t| t.task_name.clone())}</Fact>
                    <Fact label=Key::ColStage testid="stage">
                        {move || view! { <StageView stage=task.with(|t| t.migrate_stage.clone())/> }}
                    </Fact>
                    <Fact label=Key::ColReplicationState testid="replication-state">
                        {move || view! { <StateBadge state=task.with(|t| t.replication_state.clone())/> }}
                    </Fact>
                    <Fact label=Key::FieldSourceAddress testid="source-address">{text(|t| format::address(t.source_ip_address.as_deref(), t.source_port))}
                        {move || prechecks.get().map(|href| view! {
                            " "
                            <a class="source__link" href=href data-testid="source-prechecks-link">{tr(Key::PrechecksOfSource)}</a>
                        })}
                    </Fact>
                    <Fact label=Key::FieldSourceCategory testid="source-category">{category}</Fact>
                    <Fact label=Key::FieldSourceAccount testid="source-account">{text(|t| t.source_account.clone())}</Fact>
                    <Fact label=Key::FieldTarget testid="target-instance">{text(|t| t.target_instance_name.clone())}</Fact>
                    <Fact label=Key::ColCreated testid="created">{time(|t| t.gmt_created.clone())}</Fact>
                    <Fact label=Key::ColModified testid="modified">{time(|t| t.gmt_modified.clone())}</Fact>
                    <Fact label=Key::ColSwitch testid="switch-time">{time(|t| t.switch_time.clone())}</Fact>
                </dl>
            </div>
        </section>
    }
}
