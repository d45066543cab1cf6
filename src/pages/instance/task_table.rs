//! The migration-task table: keyed rows (`<For>`, by TaskId) whose cells each follow their own
//! memo, so a refresh that changes a task (a new stage, new lag) updates only those cells: the
//! `<tr>` and its link stay, with focus, text selection and scroll position.
//!
//! While a sort is on, rows keep their places between refreshes ([`stable_order`]); when the
//! fresh sort would differ, a "re-sort" button says so, as mail clients do. The on-screen filter
//! (`?show&stage&state`) hides rows of the page on screen.

use super::pager::Pager;
use super::row_filter::RowFilterForm;
use super::sort_header::{Column, SortHeader};
use super::{EmptyList, ListRef};
use crate::api::task_list_request;
use crate::app::{tr, use_app};
use crate::clock::{mark_after_paint, now_utc};
use crate::components::status::{Loaded, RefreshBar};
use crate::components::values::{Age, Bytes, OptText, StageView, StateBadge, TimeText};
use crate::i18n::Key;
use crate::resource::KeptResource;
use crate::rows::{keeps, order_rows, row_keys, stable_order, task_rows, RowKey, SummaryCache, TaskRow};
use crate::url::{task_href, SortKey};
use crate::url::{RowFilter, Sort};
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
    // Each refresh reads again only the `Detail` logs that changed (see `SummaryCache`).
    let summaries = StoredValue::new(SummaryCache::default());
    let typed = Memo::new(move |_| {
        kept.data.with(|d| {
            d.as_ref()
                .map(|d| {
                    let (rows, next) = summaries.with_value(|prev| task_rows(&d.items, now_utc(), prev));
                    summaries.set_value(next);
                    rows
                })
                .unwrap_or_default()
        })
    });
    // The rows as the sort and the on-screen filter would place them now.
    let fresh = Memo::new(move |_| {
        let (sort, filter) = list.query.with(|q| (q.sort, q.rows.clone()));
        typed.with(|rows| {
            let keys = row_keys(rows.iter().map(|r| r.id));
            order_rows(rows, sort, TaskRow::sort_value)
                .into_iter()
                .filter(|&i| keeps(&filter, &rows[i]))
                .map(|i| (keys[i], rows[i].clone()))
                .collect::<Vec<_>>()
        })
    });
    // The order on screen: the fresh one when the sort or filter changes or on "re-sort", else
    // the previous one kept (a memo of its own previous value, so no frame shows another).
    let resorts = RwSignal::new(0u32);
    let shown = Memo::new(move |prev: Option<&Shown>| {
        let (sort, filter) = list.query.with(|q| (q.sort, q.rows.clone()));
        let resort = resorts.get();
        let fresh_keys = fresh.with(|f| f.iter().map(|(k, _)| *k).collect::<Vec<_>>());
        let keys = match prev {
            Some(p) if sort.is_some() && p.sort == sort && p.filter == filter && p.resort == resort => {
                stable_order(&p.keys, &fresh_keys)
            }
            _ => fresh_keys,
        };
        Shown { sort, filter, resort, keys }
    });
    let order_changed = Memo::new(move |_| {
        shown.with(|s| fresh.with(|f| !s.keys.iter().copied().eq(f.iter().map(|(k, _)| *k))))
    });
    let rows = Memo::new(move |_| {
        shown.with(|s| {
            fresh.with(|f| {
                s.keys.iter().filter_map(|k| f.iter().find(|(fk, _)| fk == k).cloned()).collect::<Vec<_>>()
            })
        })
    });
    let counts = Signal::derive(move || (rows.with(Vec::len), typed.with(Vec::len)));
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
            // Back from a task: the reader's place in this list.
            crate::scroll::restore_list_position();
        }
    });
    view! {
        <div class="list-panel" id="list-panel" aria-busy=move || status.busy.get().to_string()>
            <RefreshBar status/>
            <Loaded kept>
                <RowFilterForm list counts/>
                <TaskTable list rows order_changed resort=move || resorts.update(|n| *n = n.wrapping_add(1))/>
                <Pager list total/>
            </Loaded>
        </div>
    }
}

/// The order on screen and what it was made under.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    sort: Option<Sort>,
    filter: RowFilter,
    resort: u32,
    keys: Vec<RowKey>,
}

#[component]
fn TaskTable(
    list: ListRef,
    rows: Memo<Vec<(RowKey, TaskRow)>>,
    order_changed: Memo<bool>,
    resort: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let keys = move || rows.with(|rs| rs.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    view! {
        <Show when=move || !empty.get() fallback=move || view! { <EmptyList list empty=Key::EmptyTasks/> }>
            <div class="table-notes">
                <p id="sort-note" class="hint">{tr(Key::SortNote)}</p>
                <p class="resort" role="status" aria-live="polite">
                    <Show when=move || order_changed.get()>
                        <button type="button" class="button button--small" data-testid="resort" on:click=move |_| resort()>
                            {tr(Key::OrderChanged)}
                        </button>
                    </Show>
                </p>
            </div>
            <div class="table-scroll" id="list-table" role="region" aria-labelledby="task-table-caption" tabindex="0">
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
            view! {
                <a href=href data-testid="task-link" on:click=|_| crate::scroll::remember_list_position()>
                    {id}
                </a>
            }
            .into_any()
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
