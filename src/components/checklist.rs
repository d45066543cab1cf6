//! The checks of a `Detail` log, grouped by section, each marked passed, warning or failed, with
//! advice for each warning or failure; lines the parser did not understand at the end. Shown on
//! the task page and under a precheck report's row.

use crate::app::{tr, use_app};
use crate::hints::check_hint;
use crate::i18n::{tf, Key};
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

/// The checklist of `log`; `stage` is the task's stage when the log is a migration task's (a
/// task past precheck has a complete report), `None` for a precheck report.
#[component]
pub fn Checklist(log: DetailLog, stage: Option<MigrateStage>) -> impl IntoView {
    let lang = use_app().lang;
    let summary = precheck_summary(&log, stage.as_ref());
    let verdict = summary.verdict;
    let no_checks = log.checks().next().is_none();
    let sections = log
        .sections
        .into_iter()
        .filter(|s| !s.checks.is_empty())
        .map(|s| {
            let checks = s.checks.into_iter().map(|c| view! { <CheckItem check=c/> }).collect_view();
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
        <ul class="checklist__sections">{sections}</ul>
        {unparsed}
    }
}

#[component]
fn CheckItem(check: Check) -> impl IntoView {
    let lang = use_app().lang;
    let o = check.outcome;
    let reason = check.reason_text().map(str::to_owned);
    let name = check.name.clone();
    let hint = (o != CheckOutcome::Success).then(|| {
        let name = name.clone();
        view! { <span class="check__hint" data-testid="check-hint">{move || check_hint(&name, lang.get())}</span> }
    });
    view! {
        <li class=format!("check check--{}", o.as_str()) data-testid="check" data-outcome=o.as_str()>
            <span class="check__mark" aria-hidden="true">{mark(o)}</span>
            <span class="check__body">
                <span class="visually-hidden">{move || format!("{}: ", outcome_label(o, lang.get()))}</span>
                <span class="check__name">{name}</span>
                {reason.map(|r| view! { <span class="check__reason">{r}</span> })}
                {hint}
                {check.assumed.then(|| view! { <span class="check__assumed">{tr(Key::CheckAssumed)}</span> })}
            </span>
        </li>
    }
}
