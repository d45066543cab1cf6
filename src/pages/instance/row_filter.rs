//! The on-screen filter of the task rows: needs attention, a stage, a replication state. It hides
//! rows of the page on screen only (the service filters only by ID, name, address and port), so
//! it says so and counts what it shows. Its state is in the URL (`?show&stage&state`) like the
//! service's filters; a change applies at once and keeps the page and the scroll position.

use super::ListRef;
use crate::app::{tr, use_app};
use crate::i18n::{t, tf, Key};
use crate::pages::go_options;
use crate::url::RowFilter;
use crate::verdicts::{stage_label, state_label};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use migration_model::{format, MigrateStage, ReplicationState};

/// The form; `counts` is (rows shown, rows on the page).
#[component]
pub fn RowFilterForm(list: ListRef, counts: Signal<(usize, usize)>) -> impl IntoView {
    let lang = use_app().lang;
    let navigate = use_navigate();
    let filter = Memo::new(move |_| list.query.with(|q| q.rows.clone()));
    let go = move |f: RowFilter| {
        let next = list.query.with_untracked(|q| q.with_rows(f));
        navigate(&list.href(&next), go_options(false));
    };
    let on_attention = {
        let go = go.clone();
        move |checked: bool| go(RowFilter { attention: checked, ..filter.get_untracked() })
    };
    let on_stage = {
        let go = go.clone();
        move |v: String| go(RowFilter { stage: Some(v).filter(|v| !v.is_empty()), ..filter.get_untracked() })
    };
    let on_state = {
        let go = go.clone();
        move |v: String| go(RowFilter { state: Some(v).filter(|v| !v.is_empty()), ..filter.get_untracked() })
    };
    let clear = move |_| go(RowFilter::default());
    let stages = MigrateStage::ALL
        .into_iter()
        .map(|s| {
            let wire = s.as_str().to_owned();
            let selected = {
                let wire = wire.clone();
                move || filter.with(|f| f.stage.as_deref() == Some(wire.as_str()))
            };
            view! { <option value=wire selected=selected>{move || stage_label(&s, lang.get())}</option> }
        })
        .collect_view();
    let states = ReplicationState::ALL
        .into_iter()
        .map(|s| {
            let wire = s.as_str().to_owned();
            let selected = {
                let wire = wire.clone();
                move || filter.with(|f| f.state.as_deref() == Some(wire.as_str()))
            };
            view! { <option value=wire selected=selected>{move || state_label(&s, lang.get())}</option> }
        })
        .collect_view();
    let shown = move || {
        let l = lang.get();
        let (shown, all) = counts.get();
        tf(
            l,
            Key::RowFilterCount,
            &[("shown", &format::number(shown as i128, l)), ("all", &format::number(all as i128, l))],
        )
    };
    view! {
        <form class="row-filter" data-testid="row-filter" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>{tr(Key::RowFilterHeading)}</legend>
                <div class="row-filter__fields">
                    <label class="field-inline field-check">
                        <input
                            type="checkbox"
                            data-testid="row-filter-attention"
                            prop:checked=move || filter.with(|f| f.attention)
                            on:change:target=move |ev| on_attention(ev.target().checked())
                        />
                        <span>{tr(Key::RowFilterAttention)}</span>
                    </label>
                    <label class="field-inline">
                        <span>{tr(Key::ColStage)}</span>
                        <select data-testid="row-filter-stage" on:change:target=move |ev| on_stage(ev.target().value())>
                            <option value="" selected=move || filter.with(|f| f.stage.is_none())>{tr(Key::RowFilterAny)}</option>
                            {stages}
                        </select>
                    </label>
                    <label class="field-inline">
                        <span>{tr(Key::ColReplicationState)}</span>
                        <select data-testid="row-filter-state" on:change:target=move |ev| on_state(ev.target().value())>
                            <option value="" selected=move || filter.with(|f| f.state.is_none())>{tr(Key::RowFilterAny)}</option>
                            {states}
                        </select>
                    </label>
                    <button
                        type="button"
                        class="button button--quiet button--small"
                        data-testid="row-filter-clear"
                        hidden=move || !filter.with(RowFilter::is_active)
                        on:click=clear
                    >
                        {move || t(lang.get(), Key::RowFilterClear)}
                    </button>
                </div>
                <p class="hint" data-testid="row-filter-count" aria-live="polite">{shown}</p>
            </fieldset>
        </form>
    }
}
