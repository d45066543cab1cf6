//! The six stages with their start times and durations from `Detail`.

use crate::app::{tr, use_app};
use crate::components::values::TimeText;
use crate::display::duration_text;
use crate::i18n::{t, tf, Key};
use crate::rows::{timeline, StepState, TimeValue, TimelineStep};
use crate::verdicts::stage_label;
use leptos::prelude::*;
use migration_model::MigrationTask;

/// The timeline panel.
#[component]
pub fn Timeline(task: Memo<MigrationTask>) -> impl IntoView {
    let now = use_app().now;
    let steps = Memo::new(move |_| task.with(|t| timeline(t, now.get() as i64)));
    view! {
        <section class="panel" aria-labelledby="timeline-heading" data-testid="timeline">
            <h2 id="timeline-heading">{tr(Key::TimelineHeading)}</h2>
            <div class="panel__body">
                <ol class="timeline">
                    <For each=step_indexes key=|i| *i let:i>
                        {move || steps.with(|s| s.get(i).cloned()).map(|step| view! { <Step step/> })}
                    </For>
                </ol>
                <p class="hint">{tr(Key::TimelineNote)}</p>
            </div>
        </section>
    }
}

fn step_indexes() -> Vec<usize> {
    (0..6).collect()
}

#[component]
fn Step(step: TimelineStep) -> impl IntoView {
    let lang = use_app().lang;
    let state = step.state;
    let status = match state {
        StepState::Done => Key::StepDone,
        StepState::Current => Key::StepCurrent,
        StepState::Upcoming | StepState::Unknown => Key::StepUpcoming,
    };
    let when = match step.start_ms {
        Some(ms) => view! { {tr(Key::StartedAt)} " " <TimeText value=TimeValue::At(ms)/> }.into_any(),
        None => view! { <span class="muted">{tr(Key::NoStartTime)}</span> }.into_any(),
    };
    let span =
        step.took_secs.map(|d| (Key::TookDuration, d)).or(step.running_secs.map(|d| (Key::RunningFor, d)));
    let span = span.map(|(key, d)| {
        view! {
            <span class="timeline__span" data-testid="timeline-duration">
                {move || {
                    let l = lang.get();
                    tf(l, key, &[("duration", &duration_text(d, l))])
                }}
            </span>
        }
    });
    let stage = step.stage.clone();
    view! {
        <li
            class=format!("timeline__step timeline__step--{}", state.as_str())
            data-testid="timeline-step"
            data-stage=step.stage.as_str().to_owned()
            data-state=state.as_str()
            aria-current=(state == StepState::Current).then_some("step")
        >
            <span class="timeline__marker" aria-hidden="true"></span>
            <span class="timeline__name">
                {move || stage_label(&stage, lang.get())}
                " "
                <code class="wire">{step.stage.as_str().to_owned()}</code>
            </span>
            <span class="timeline__status">{move || t(lang.get(), status)}</span>
            <span class="timeline__when">{when}</span>
            {span}
        </li>
    }
}
