//! The checks of a `Detail` log, grouped by section, each marked passed, warning or failed, with
//! advice for each warning or failure; lines the parser did not understand at the end. Shown on
//! the task page and under a precheck report's row.
//!
//! Failed and warning checks are summarised at the top (failures first), each linking to its
//! place in the list. Every check has an anchor (`#check-{TaskId}-{n}`, `n` counting the log's
//! checks from 1), so a check can be deep-linked: opening such an address scrolls to the check
//! and highlights it.

use crate::app::{tr, use_app};
use crate::hints::check_hint;
use crate::i18n::{tf, Key};
use crate::scroll::reveal_fragment;
use crate::verdicts::{outcome_label, precheck_label, precheck_sentence};
use leptos::prelude::*;
use migration_model::{precheck_summary, Check, CheckOutcome, DetailLog, MigrateStage};

fn mark(outcome: CheckOutcome) -> &'static str {
    match outcome {
        CheckOutcome::Success => "✓",
        CheckOutcome::Warning => "!",
        CheckOutcome::Failure => "✗",
        CheckOutcome::Other => "?",
    }
}

/// The anchor of check `n` (1-based, in log order) of the checklist `anchor`.
pub fn check_anchor(anchor: &str, n: usize) -> String {
    format!("{anchor}-{n}")
}

/// The checklist of `log`; `stage` is the task's stage when the log is a migration task's (a
/// task past precheck has a complete report), `None` for a precheck report. `anchor` prefixes
/// the checks' ids (`check-{TaskId}`).
#[component]
pub fn Checklist(log: DetailLog, stage: Option<MigrateStage>, anchor: String) -> impl IntoView {
    let lang = use_app().lang;
    let summary = precheck_summary(&log, stage.as_ref());
    let verdict = summary.verdict;
    let no_checks = log.checks().next().is_none();
    // Failed, then warning checks, with their anchors.
    let mut flagged: Vec<(String, Check)> = log
        .checks()
        .enumerate()
        .filter(|(_, c)| matches!(c.outcome, CheckOutcome::Failure | CheckOutcome::Warning))
        .map(|(i, c)| (check_anchor(&anchor, i + 1), c.clone()))
        .collect();
    flagged.sort_by_key(|(_, c)| c.outcome != CheckOutcome::Failure);
    let attention = (!flagged.is_empty()).then(|| {
        let items = flagged
            .into_iter()
            .map(|(id, c)| {
                let o = c.outcome;
                let reason = c.reason_text().map(str::to_owned);
                view! {
                    <li class=format!("check check--{}", o.as_str()) data-testid="flagged-check" data-outcome=o.as_str()>
                        <span class="check__mark" aria-hidden="true">{mark(o)}</span>
                        <span class="check__body">
                            <span class="visually-hidden">{move || format!("{}: ", outcome_label(o, lang.get()))}</span>
                            <a href=format!("#{id}") class="check__name" on:click=|_| reveal_soon()>{c.name}</a>
                            {reason.map(|r| view! { <span class="check__reason">{r}</span> })}
                        </span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="checklist__attention" data-testid="checklist-attention">
                <h3>{tr(Key::ChecklistAttentionHeading)}</h3>
                <ul class="checklist__checks">{items}</ul>
            </div>
        }
    });
    let mut n = 0;
    let sections = log
        .sections
        .into_iter()
        .filter(|s| !s.checks.is_empty())
        .map(|s| {
            let checks = s
                .checks
                .into_iter()
                .map(|c| {
                    n += 1;
                    view! { <CheckItem check=c id=check_anchor(&anchor, n)/> }
                })
                .collect_view();
            view! {
                <li class="checklist__section" data-testid="check-section">
                    <h3>{s.name}</h3>
                    <ul class="checklist__checks">{checks}</ul>
                </li>
            }
        })
        .collect_view();
    let unparsed = (!log.unparsed.is_empty()).then(|| {
        let lines = log.unparsed.iter().map(|u| u.text.as_str()).collect::<Vec<_>>().join("\n");
        view! {
            <details class="checklist__unparsed">
                <summary>{tr(Key::UnparsedHeading)}</summary>
                <pre>{lines}</pre>
            </details>
        }
    });
    // A deep link to one of these checks: once they are on screen, and whenever the address's
    // fragment changes.
    {
        let prefix = format!("{anchor}-");
        request_animation_frame({
            let prefix = prefix.clone();
            move || reveal_fragment(&prefix, false)
        });
        let handle = window_event_listener_untyped("hashchange", move |_| reveal_fragment(&prefix, true));
        on_cleanup(move || handle.remove());
    }
    view! {
        <p
            class=format!("verdict verdict--{}", verdict.as_str())
            data-testid="precheck-verdict"
            data-verdict=verdict.as_str()
        >
            {move || {
                let l = lang.get();
                tf(l, Key::ChecklistVerdict, &[("verdict", &precheck_label(verdict, l))])
            }}
        </p>
        <p class="checklist__summary" data-testid="precheck-summary">{move || precheck_sentence(&summary, lang.get())}</p>
        {no_checks.then(|| view! { <p class="muted">{tr(Key::NoChecks)}</p> })}
        {attention}
        <ul class="checklist__sections">{sections}</ul>
        {unparsed}
    }
}

/// After the router has moved to an in-page link: highlight its target.
fn reveal_soon() {
    request_animation_frame(|| reveal_fragment("check-", true));
}

#[component]
fn CheckItem(check: Check, id: String) -> impl IntoView {
    let lang = use_app().lang;
    let o = check.outcome;
    let reason = check.reason_text().map(str::to_owned);
    let name = check.name.clone();
    let hint = (o != CheckOutcome::Success).then(|| {
        let name = name.clone();
        view! { <span class="check__hint" data-testid="check-hint">{move || check_hint(&name, lang.get())}</span> }
    });
    let link_label = {
        let name = name.clone();
        move || tf(lang.get(), Key::CheckLink, &[("check", &name)])
    };
    view! {
        <li id=id.clone() class=format!("check check--{}", o.as_str()) data-testid="check" data-outcome=o.as_str()>
            <span class="check__mark" aria-hidden="true">{mark(o)}</span>
            <span class="check__body">
                <span class="visually-hidden">{move || format!("{}: ", outcome_label(o, lang.get()))}</span>
                <span class="check__name">{name}</span>
                " "
                <a
                    class="check__anchor"
                    href=format!("#{id}")
                    data-testid="check-anchor"
                    aria-label=link_label
                    on:click=|_| reveal_soon()
                >
                    "#"
                </a>
                {reason.map(|r| view! { <span class="check__reason">{r}</span> })}
                {hint}
                {check.assumed.then(|| view! { <span class="check__assumed">{tr(Key::CheckAssumed)}</span> })}
            </span>
        </li>
    }
}
