//! Switched over, switching, ready (for how long, by the watcher's history, or else "on this
//! sample"), or what is still missing (the model's verdict, with the figures it judged).

use crate::app::{tr, use_app};
use crate::clock::now_utc;
use crate::i18n::Key;
use crate::verdicts::{missing_label, readiness_headline, ready_for_history};
use leptos::prelude::*;
use migration_model::trend::Bounds;
use migration_model::{switch_readiness, HealthThresholds, MigrationTask, ReadinessState};

/// The readiness panel. `held`: how long the watcher's history shows the task ready (none
/// without history); said only while this sample is ready too.
#[component]
pub fn Readiness(task: Memo<MigrationTask>, held: Memo<Option<Bounds>>) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    let verdict = Memo::new(move |_| {
        now.track();
        task.with(|t| switch_readiness(t, now_utc(), &HealthThresholds::default()))
    });
    let ready = move || verdict.with(|v| v.ready);
    // The history's claim, while this sample agrees.
    let held_now = move || verdict.with(|v| v.ready).then(|| held.get()).flatten();
    let code = move || match held_now() {
        Some(_) => "ready_for_history",
        None => verdict.with(|v| v.state.code()),
    };
    // Switched over or switching is neither a pass nor a failure: it is where the task stands.
    let class = move || {
        verdict.with(|v| match v.state {
            ReadinessState::SwitchedOver { .. } | ReadinessState::Switching { .. } => {
                "verdict verdict--switch"
            }
            _ if v.ready => "verdict verdict--ready",
            _ => "verdict verdict--not-ready",
        })
    };
    let mark = move || {
        verdict.with(|v| match v.state {
            ReadinessState::SwitchedOver { .. } => "✓ ",
            ReadinessState::Switching { .. } => "→ ",
            _ if v.ready => "✓ ",
            _ => "✗ ",
        })
    };
    let missing = move || {
        verdict.with(|v| {
            (!v.missing.is_empty()).then(|| {
                let items = v
                    .missing
                    .iter()
                    .map(|m| {
                        let (code, m) = (m.code(), m.clone());
                        view! { <li data-testid="missing" data-missing=code>{move || missing_label(&m, lang.get())}</li> }
                    })
                    .collect_view();
                view! {
                    <p>{tr(Key::StillMissing)}</p>
                    <ul class="missing">{items}</ul>
                }
            })
        })
    };
    view! {
        <section class="panel" aria-labelledby="readiness-heading" data-testid="readiness">
            <h2 id="readiness-heading">{tr(Key::ReadinessHeading)}</h2>
            <div class="panel__body">
                <p
                    class=class
                    data-testid="readiness-verdict"
                    data-ready=move || ready().to_string()
                    data-readiness=code
                >
                    <span aria-hidden="true">{mark}</span>
                    {move || match held_now() {
                        Some(b) => ready_for_history(b, lang.get()),
                        None => verdict.with(|v| readiness_headline(v, lang.get())),
                    }}
                </p>
                {missing}
                <p class="hint">{tr(Key::ReadinessNote)}</p>
            </div>
        </section>
    }
}
