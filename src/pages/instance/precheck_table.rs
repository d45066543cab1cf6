//! The precheck-report table: keyed rows like the task table, each with a button that shows the
//! report's checklist in a row below.

use super::pager::Pager;
use super::sort_header::{Column, SortHeader};
use super::{EmptyList, ListRef};
use crate::api::precheck_list_request;
use crate::app::{tr, use_app};
use crate::components::checklist::Checklist;
use crate::components::status::{Loaded, RefreshBar};
use crate::components::values::{OptText, TimeText};
use crate::i18n::{t, tf, Key};
use crate::resource::KeptResource;
use crate::rows::{order_rows, row_keys, PrecheckRow};
use crate::url::{SortKey, Tab, TaskListQuery};
use crate::verdicts::{category_label, counted, precheck_label};
use leptos::prelude::*;
use migration_model::{format, parse_detail};

const COLUMNS: [Column; 7] = [
    (Key::ColTaskId, Some(SortKey::TaskId)),
    (Key::ColTaskName, Some(SortKey::TaskName)),
    (Key::ColSource, Some(SortKey::Source)),
    (Key::ColVerdict, Some(SortKey::Result)),
    (Key::ColCreated, Some(SortKey::Created)),
    (Key::ColModified, Some(SortKey::Modified)),
    (Key::ColChecks, None),
];

/// Refresh controls, then the table and pager of this page of precheck reports.
#[component]
pub fn PrechecksPanel(list: ListRef) -> impl IntoView {
    let api = use_app().api;
    let region = list.region.get_value();
    let request =
        Memo::new(move |_| list.query.with(|q| precheck_list_request(&list.instance.get_value(), q)));
    let kept = KeptResource::new(move || {
        let (api, region, request) = (api.get_value(), region.clone(), request.get());
        async move { api.prechecks(&region, &request).await }
    });
    super::remember_when_answered(list, kept);
    let status = kept.status;
    let typed = Memo::new(move |_| {
        kept.data.with(|d| {
            d.as_ref().map(|d| d.items.iter().map(PrecheckRow::of).collect::<Vec<_>>()).unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        let sort = list.query.with(|q| q.sort);
        typed.with(|rows| {
            let keys = row_keys(rows.iter().map(|r| r.id));
            order_rows(rows, sort, PrecheckRow::sort_value)
                .into_iter()
                .map(|i| (keys[i], rows[i].clone()))
                .collect::<Vec<_>>()
        })
    });
    let total = Signal::derive(move || kept.data.with(|d| d.as_ref().map_or(0, |d| d.total_size)));
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let keys = move || rows.with(|rs| rs.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    view! {
        <div class="list-panel" id="list-panel" aria-busy=move || status.busy.get().to_string()>
            <RefreshBar status/>
            <Loaded kept>
                <Show when=move || !empty.get() fallback=move || view! { <EmptyList list empty=Key::EmptyPrechecks/> }>
                    <p id="sort-note" class="hint">{tr(Key::SortNote)}</p>
                    <div class="table-scroll" id="list-table" role="region" aria-labelledby="precheck-table-caption" tabindex="0">
                        <table class="data-table" data-testid="precheck-table">
                            <caption id="precheck-table-caption" class="visually-hidden">{tr(Key::PrechecksCaption)}</caption>
                            <thead>
                                <SortHeader list columns=&COLUMNS/>
                            </thead>
                            <tbody>
                                <For each=keys key=|k| *k let:key>
                                    <PrecheckRowView list row=Memo::new(move |_| rows.with(|rs| rs.iter().find(|(k, _)| *k == key).map(|(_, r)| r.clone())))/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                </Show>
                <Pager list total/>
            </Loaded>
        </div>
    }
}

/// One report, and the row with its checklist (shown on demand).
#[component]
fn PrecheckRowView(list: ListRef, row: Memo<Option<PrecheckRow>>) -> impl IntoView {
    let lang = use_app().lang;
    let id = row.with_untracked(|r| r.as_ref().and_then(|r| r.id));
    // Opened at once when the address deep-links one of its checks.
    let anchor = format!("check-{}", id.unwrap_or_default());
    let open = RwSignal::new(id.is_some() && crate::scroll::fragment().starts_with(&format!("{anchor}-")));
    let panel_id = format!("checks-{}", id.unwrap_or_default());
    let name = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.name.clone())));
    let source = Memo::new(move |_| {
        row.with(|r| r.as_ref().map(|r| (r.source.clone(), r.account.clone(), r.category.clone())))
    });
    let source_key = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.source_key.clone())));
    let tasks_link = move || {
        source_key.get().map(|(ip, port)| {
            let href = list.href(&TaskListQuery::of_source(Tab::Tasks, &ip, port));
            view! {
                <a class="source__link" href=href data-testid="source-tasks-link">{tr(Key::TasksOfSource)}</a>
            }
        })
    };
    let verdict = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| (r.verdict, r.counts))));
    let created = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| r.created.clone())));
    let modified = Memo::new(move |_| row.with(|r| r.as_ref().map(|r| r.modified.clone())));
    let detail = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.detail.clone())));
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
    let verdict_view = move || {
        verdict.get().map(|(v, counts)| {
            let counts = move || {
                let l = lang.get();
                tf(
                    l,
                    Key::CheckCounts,
                    &[
                        ("success", &format::number(counts.success as i128, l)),
                        ("warnings", &counted(l, counts.warning, Key::WarningOne, Key::WarningOther)),
                        ("failure", &format::number(counts.failure as i128, l)),
                    ],
                )
            };
            view! {
                <span class=format!("badge badge--verdict-{}", v.as_str()) data-verdict=v.as_str()>
                    {move || precheck_label(v, lang.get())}
                </span>
                <span class="check-counts muted">{counts}</span>
            }
        })
    };
    let checklist = move || {
        open.get().then(|| {
            let log = detail.get().as_deref().map(parse_detail).unwrap_or_default();
            view! { <Checklist log stage=None anchor=anchor.clone()/> }
        })
    };
    view! {
        <tr data-testid="precheck-row" data-task-id=id.map(|i| i.to_string())>
            <th scope="row" class="num"><span>{id}</span></th>
            <td class="task-name" data-testid="task-name">{move || view! { <OptText value=name.get()/> }}</td>
            <td class="source" data-testid="source">{source_view} {tasks_link}</td>
            <td data-testid="verdict">{verdict_view}</td>
            <td class="time" data-testid="created">{move || created.get().map(|value| view! { <TimeText value/> })}</td>
            <td class="time" data-testid="modified">{move || modified.get().map(|value| view! { <TimeText value/> })}</td>
            <td data-testid="checks">
                <button
                    type="button"
                    class="button button--quiet button--small"
                    data-testid="toggle-checks"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=panel_id.clone()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || t(lang.get(), if open.get() { Key::HideChecks } else { Key::ShowChecks })}
                </button>
            </td>
        </tr>
        <tr id=panel_id class="checks-row" hidden=move || !open.get()>
            <td colspan=COLUMNS.len()>
                <div class="checklist-holder" data-testid="checklist">{checklist}</div>
            </td>
        </tr>
    }
}
