//! Ready to switch over, or what is still missing (the model's verdict).

use crate::app::{tr, use_app};
use crate::clock::now_utc;
use crate::i18n::Key;
use crate::verdicts::missing_label;
use leptos::prelude::*;
use migration_model::{switch_readiness, HealthThresholds, MigrationTask};

/// The readiness panel.
#[component]
pub fn Readiness(task: Memo<MigrationTask>) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    let verdict = Memo::new(move |_| {
        now.track();
        task.with(|t| switch_readiness(t, now_utc(), &HealthThresholds::default()))
    });
    let ready = move || verdict.with(|v| v.ready);
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
                    class=move || if ready() { "verdict verdict--ready" } else { "verdict verdict--not-ready" }
                    data-testid="readiness-verdict"
                    data-ready=move || ready().to_string()
                >
                    <span aria-hidden="true">{move || if ready() { "✓ " } else { "✗ " }}</span>
                    {move || crate::i18n::t(lang.get(), if ready() { Key::Ready } else { Key::NotReady })}
                </p>
                {missing}
                <p class="hint">{tr(Key::ReadinessNote)}</p>
            </div>
        </section>
    }
}
