//! The migration-task table: keyed rows (`<For>`, by TaskId) whose cells each follow their own
//! memo, so a refresh that changes a task (a new stage, new lag) updates only those cells: the
//! `<tr>` and its link stay, with focus and scroll position.

use super::pager::Pager;
use super::sort_header::{Column, SortHeader};
use super::{EmptyList, ListRef};
use crate::api::task_list_request;
use crate::app::{tr, use_app};
use crate::clock::{mark_after_paint, now_utc};
use crate::components::status::{Loaded, RefreshBar};
use crate::components::values::{Age, Bytes, OptText, StageView, StateBadge, TimeText};
use crate::display::{row_keys, RowKey};
use crate::i18n::Key;
use crate::resource::KeptResource;
use crate::rows::{order_rows, TaskRow};
use crate::url::{task_href, SortKey};
use crate::verdicts::{attention_text, category_label};
use leptos::prelude::*;

const COLUMNS: [Column; 12] = [
    (Key::ColTaskId, Some(SortKey::TaskId)),
    (Key::ColTaskName, Some(SortKey::TaskName)),
    (Key::ColSource, Some(SortKey::Source)),
    (Key::ColAttention, Some(SortKey::Attention)),
    (Key::ColStage, Some(SortKey::Stage)),
    (Key::ColReplicationState, Some(SortKey::State)),
    (Key::ColLag, Some(SortKey::Lag)),
    (Key::ColLastMessage, Some(SortKey::LastMessage)),
    (Key::ColCreated, Some(SortKey::Created)),
    (Key::ColModified, Some(SortKey::Modified)),
    (Key::ColSwitch, Some(SortKey::Switch)),
    (Key::ColHistory, None),
];

/// Refresh controls, then the table and pager of this page of tasks.
#[component]
pub fn TasksPanel(list: ListRef) -> impl IntoView {
    let api = use_app().api;
    let region = list.region.get_value();
    // Only what the service is asked for: sorting the page does not fetch again.
    let request = Memo::new(move |_| list.query.with(|q| task_list_request(&list.instance.get_value(), q)));
    let kept = KeptResource::new(move || {
        let (api, region, request) = (api.get_value(), region.clone(), request.get());
        async move { api.migration_tasks(&region, &request).await }
    });
    super::remember_when_answered(list, kept);
    let status = kept.status;
    let typed = Memo::new(move |_| {
        kept.data.with(|d| {
            d.as_ref()
                .map(|d| {
                    let now = now_utc();
                    d.items.iter().map(|t| TaskRow::of(t, now)).collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        let sort = list.query.with(|q| q.sort);
        typed.with(|rows| {
            let keys = row_keys(rows.iter().map(|r| r.id));
            order_rows(rows, sort, TaskRow::sort_value)
                .into_iter()
                .map(|i| (keys[i], rows[i].clone()))
                .collect::<Vec<_>>()
        })
    });
    let total = Signal::derive(move || kept.data.with(|d| d.as_ref().map_or(0, |d| d.total_size)));

    // `migration:table-populated`: the first time rows are on screen for this request.
    let marked = StoredValue::new(None);
    Effect::new(move |_| {
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
    view! {
        <div class="list-panel" aria-busy=move || status.busy.get().to_string()>
            <RefreshBar status/>
            <Loaded kept>
                <TaskTable list rows/>
                <Pager list total/>
            </Loaded>
        </div>
    }
}

#[component]
fn TaskTable(list: ListRef, rows: Memo<Vec<(RowKey, TaskRow)>>) -> impl IntoView {
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let keys = move || rows.with(|rs| rs.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    view! {
        <Show when=move || !empty.get() fallback=move || view! { <EmptyList list empty=Key::EmptyTasks/> }>
            <p id="sort-note" class="hint">{tr(Key::SortNote)}</p>
            <div class="table-scroll" role="region" aria-labelledby="task-table-caption" tabindex="0">
                <table class="data-table" data-testid="task-table">
                    <caption id="task-table-caption" class="visually-hidden">{tr(Key::TasksCaption)}</caption>
                    <thead>
                        <SortHeader list columns=&COLUMNS/>
                    </thead>
                    <tbody>
                        <For each=keys key=|k| *k let:key>
                            <TaskRowView list row=Memo::new(move |_| rows.with(|rs| rs.iter().find(|(k, _)| *k == key).map(|(_, r)| r.clone())))/>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// One row. Each cell reads its own memo of the row, so only cells whose value changed redraw.
#[component]
fn TaskRowView(list: ListRef, row: Memo<Option<TaskRow>>) -> impl IntoView {
    let lang = use_app().lang;
    let id = row.with_untracked(|r| r.as_ref().and_then(|r| r.id));
    let id_view = match id {
        Some(id) => {
            let href =
                task_href(&list.base.get_value(), &list.region.get_value(), &list.instance.get_value(), id);
            view! { <a href=href data-testid="task-link">{id}</a> }.into_any()
        }
        None => view! { <span></span> }.into_any(),
    };
    let source = Memo::new(move |_| {
        row.with(|r| r.as_ref().map(|r| (r.source.clone(), r.account.clone(), r.category.clone())))
    });
    let source_view = move || {
        source.get().map(|(address, account, category)| {
            let sep = (account.is_some() && category.is_some()).then_some(" · ");
            let title = category.clone().map(|c| move || category_label(&c, lang.get()));
            view! {
                <span class="mono"><OptText value=address/></span>
                <span class="source__more muted">
                    <span data-testid="source-account">{account}</span>
                    {sep}
                    <span data-testid="source-category" title=title>{category.map(|c| c.as_str().to_owned())}</span>
                </span>
            }
        })
    };
    let name = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.name.clone())));
    let attention = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| r.attention.clone())));
    let attention_view = move || {
        attention.get().map(|a| {
            let severity = a.severity().as_str();
            let code = a.worst().map_or("ok", |c| c.code());
            let text = move || attention_text(&a, lang.get());
            let label = {
                let text = text.clone();
                move || {
                    text().map_or_else(|| crate::i18n::t(lang.get(), Key::AttentionNone).to_owned(), |t| t.0)
                }
            };
            let title = move || text().map(|t| t.1);
            view! {
                <span
                    class=format!("badge badge--attention-{severity}")
                    data-attention=code
                    data-severity=severity
                    title=title
                >
                    {label}
                </span>
            }
        })
    };
    let stage = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.stage.clone())));
    let state = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.state.clone())));
    let lag = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| (r.lag_not_replayed, r.lag_behind_source))));
    let last = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.last_message_ms)));
    let time = move |f: fn(&TaskRow) -> crate::rows::TimeValue| {
        let value = Memo::new(move |_| row.with(|r| r.as_ref().map(f)));
        move || value.get().map(|value| view! { <TimeText value/> })
    };
    view! {
        <tr data-testid="task-row" data-task-id=id.map(|i| i.to_string())>
            <th scope="row" class="num">{id_view}</th>
            <td class="task-name" data-testid="task-name">{move || view! { <OptText value=name.get()/> }}</td>
            <td class="source" data-testid="source">{source_view}</td>
            <td data-testid="attention">{attention_view}</td>
            <td data-testid="stage">{move || view! { <StageView stage=stage.get()/> }}</td>
            <td data-testid="replication-state">{move || view! { <StateBadge state=state.get()/> }}</td>
            <td class="num lag" data-testid="lag">
                {move || {
                    let (a, b) = lag.get().unwrap_or_default();
                    view! {
                        <Bytes value=a testid="lag-not-replayed"/>
                        <span class="muted">" / "</span>
                        <Bytes value=b testid="lag-behind-source"/>
                    }
                }}
            </td>
            <td class="time" data-testid="last-message">{move || view! { <Age at_ms=last.get()/> }}</td>
            <td class="time" data-testid="created">{time(|r| r.created.clone())}</td>
            <td class="time" data-testid="modified">{time(|r| r.modified.clone())}</td>
            <td class="time" data-testid="switch-time">{time(|r| r.switch.clone())}</td>
            <td class="history-cell" data-testid="history-cell"><super::history::RowHistory task_id=id/></td>
        </tr>
    }
}
