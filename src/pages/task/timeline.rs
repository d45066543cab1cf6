//! The six stages as the model's timeline gives them: where each stands (a failed precheck is
//! failed, not running), when it started and ended and from which field (or, where the task
//! gives no time, between which two of the watcher's polls), its duration when both ends are
//! known, and the full backup's start, progress and end lines.

use crate::app::{tr, use_app};
use crate::clock::{local_text, local_time_of_day, now_utc};
use crate::components::values::TimeText;
use crate::i18n::{t, tf, Key, Lang};
use crate::rows::TimeValue;
use crate::verdicts::stage_label;
use leptos::prelude::*;
use migration_model::{
    format, timeline_observed, trend, BackupEventKind, BackupProgress, MigrationTask, StagePoint, StageSpan,
    StageStatus, TimeSource,
};

/// The timeline panel.
#[component]
pub fn Timeline(task: Memo<MigrationTask>, observed: Memo<Vec<trend::StageSpan>>) -> impl IntoView {
    let now = use_app().now;
    let steps = Memo::new(move |_| {
        now.track();
        observed.with(|o| task.with(|t| timeline_observed(t, now_utc(), o)))
    });
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

fn status_code(s: StageStatus) -> &'static str {
    match s {
        StageStatus::Done => "done",
        StageStatus::Current => "current",
        StageStatus::Failed => "failed",
        StageStatus::Upcoming => "upcoming",
        StageStatus::Unknown => "unknown",
    }
}

/// "(SwitchTime)": which field a time was read from, when it is not the log.
fn source_note(source: TimeSource) -> Option<&'static str> {
    match source {
        TimeSource::Log { .. } => None,
        TimeSource::GmtCreated => Some("GmtCreated"),
        TimeSource::GmtModified => Some("GmtModified"),
        TimeSource::SwitchTime => Some("SwitchTime"),
        TimeSource::Observed { .. } => None,
    }
}

#[component]
fn Point(point: StagePoint, label: Key, testid: &'static str) -> impl IntoView {
    let ms = point.at.timestamp_millis();
    if let TimeSource::Observed { after } = point.source {
        // "between 10:02:00 and 10:02:30": the change happened somewhere between two polls.
        let after_ms = after.timestamp_millis();
        let lang = use_app().lang;
        let (a, b) = (local_text(after_ms), local_text(ms));
        let b = if a.get(..10) == b.get(..10) { local_time_of_day(ms) } else { b };
        let text = move || tf(lang.get(), Key::ObservedBetween, &[("after", &a), ("at", &b)]);
        let utc = format!("{} – {}", format::utc_ms(after_ms), format::utc_ms(ms));
        return view! {
            <span
                data-testid=testid
                data-source="observed"
                data-after=format::datetime_attr(after_ms)
                data-at=format::datetime_attr(ms)
                title=utc
            >
                {tr(label)} " " {text}
            </span>
        }
        .into_any();
    }
    let note = source_note(point.source).map(|f| view! { " " <code class="wire">{f}</code> });
    view! {
        <span data-testid=testid>{tr(label)} " " <TimeText value=TimeValue::At(ms)/> {note}</span>
    }
    .into_any()
}

/// "took 4 min", "lasted 4 min to 5 min" (an end observed between polls), "running for 3 min".
fn span_text(l: Lang, least: i64, most: Option<i64>, running: bool) -> String {
    let d = |v| format::duration(v, l);
    match most.filter(|m| *m != least) {
        Some(m) if running => tf(l, Key::RunningBetween, &[("min", &d(least)), ("max", &d(m))]),
        Some(m) => tf(l, Key::DurationBetween, &[("min", &d(least)), ("max", &d(m))]),
        None if running => tf(l, Key::RunningFor, &[("duration", &d(least))]),
        None => tf(l, Key::TookDuration, &[("duration", &d(least))]),
    }
}

fn progress_text(p: &BackupProgress, l: Lang) -> String {
    let b = |v: Option<u64>| v.map(|v| format::bytes(i128::from(v), l));
    match p.kind {
        BackupEventKind::Start => match b(p.total_bytes) {
            Some(total) => tf(l, Key::BackupStarted, &[("total", &total)]),
            None => t(l, Key::BackupStartedPlain).to_owned(),
        },
        BackupEventKind::Progress => {
            let pct = p.percent.map(|v| format!("{v} %")).unwrap_or_default();
            match (b(p.done_bytes), b(p.total_bytes)) {
                (Some(d), Some(total)) => {
                    tf(l, Key::BackupProgress, &[("percent", &pct), ("done", &d), ("total", &total)])
                }
                _ => tf(l, Key::BackupProgressPlain, &[("percent", &pct)]),
            }
        }
        BackupEventKind::End => match b(p.total_bytes) {
            Some(total) => tf(l, Key::BackupFinished, &[("total", &total)]),
            None => t(l, Key::BackupFinishedPlain).to_owned(),
        },
    }
}

#[component]
fn Step(step: StageSpan) -> impl IntoView {
    let lang = use_app().lang;
    let status = step.status;
    let status_key = match status {
        StageStatus::Done => Key::StepDone,
        StageStatus::Current => Key::StepCurrent,
        StageStatus::Failed => Key::StepFailed,
        StageStatus::Upcoming | StageStatus::Unknown => Key::StepUpcoming,
    };
    let reached = matches!(status, StageStatus::Done | StageStatus::Current | StageStatus::Failed);
    let when = match step.start {
        Some(p) => Some(view! { <Point point=p label=Key::StartedAt testid="timeline-start"/> }.into_any()),
        None if reached => Some(view! { <span class="muted">{tr(Key::NoStartTime)}</span> }.into_any()),
        None => None,
    };
    let end = step.end.map(|p| view! { <Point point=p label=Key::EndedAt testid="timeline-end"/> });
    let span = step
        .duration_secs
        .map(|d| (d, step.duration_max_secs, false))
        .or(step.running_secs.map(|d| (d, step.running_max_secs, true)));
    let span = span.map(|(least, most, running)| {
        view! {
            <span class="timeline__span" data-testid="timeline-duration">
                {move || span_text(lang.get(), least, most, running)}
            </span>
        }
    });
    let progress = (!step.progress.is_empty()).then(|| {
        let items = step
            .progress
            .into_iter()
            .map(|p| {
                let ms = p.at.timestamp_millis();
                view! {
                    <li data-testid="backup-progress" data-kind=format!("{:?}", p.kind).to_lowercase()>
                        <TimeText value=TimeValue::At(ms)/>
                        " "
                        {move || progress_text(&p, lang.get())}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="timeline__progress">{items}</ul> }
    });
    let stage = step.stage.clone();
    view! {
        <li
            class=format!("timeline__step timeline__step--{}", status_code(status))
            data-testid="timeline-step"
            data-stage=step.stage.as_str().to_owned()
            data-state=status_code(status)
            aria-current=matches!(status, StageStatus::Current | StageStatus::Failed).then_some("step")
        >
            <span class="timeline__marker" aria-hidden="true"></span>
            <span class="timeline__name">
                {move || stage_label(&stage, lang.get())}
                " "
                <code class="wire">{step.stage.as_str().to_owned()}</code>
            </span>
            <span class="timeline__status">{move || t(lang.get(), status_key)}</span>
            <span class="timeline__when">{when} {end.map(|e| view! { " · " {e} })}</span>
            {span}
            {progress}
        </li>
    }
}
