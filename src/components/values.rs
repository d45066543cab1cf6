//! How single values from the service look on screen: text or "not given", times (the viewer's
//! zone, UTC on hover), byte counts, ages, stages (six-step indicator) and replication states.

use crate::app::{tr, use_app};
use crate::clock::local_text;
use crate::i18n::{tf, Key};
use crate::rows::TimeValue;
use crate::verdicts::{stage_label, state_label};
use leptos::prelude::*;
use migration_model::format::{self, datetime_attr, utc_ms};
use migration_model::{MigrateStage, ReplicationState};

/// "not given", muted.
#[component]
pub fn NotGiven() -> impl IntoView {
    view! { <span class="muted">{tr(Key::NotGiven)}</span> }
}

/// Text, or "not given".
#[component]
pub fn OptText(#[prop(into)] value: Option<String>) -> impl IntoView {
    match value {
        Some(v) => v.into_any(),
        None => view! { <NotGiven/> }.into_any(),
    }
}

/// A time in the viewer's zone, UTC on hover, machine-readable in `datetime`. Text that is not a
/// time is shown as sent.
#[component]
pub fn TimeText(value: TimeValue) -> impl IntoView {
    match value {
        TimeValue::At(ms) => {
            view! { <time datetime=datetime_attr(ms) title=utc_ms(ms)>{local_text(ms)}</time> }.into_any()
        }
        TimeValue::Raw(r) => r.into_any(),
        TimeValue::Absent => view! { <NotGiven/> }.into_any(),
    }
}

/// A byte count in IEC units (`7.0 MiB`) with the exact count on hover (`7,340,485 B`), or
/// "not given"; with `data-testid` and `data-bytes`.
#[component]
pub fn Bytes(value: Option<i128>, testid: &'static str) -> impl IntoView {
    let lang = use_app().lang;
    match value {
        Some(b) => view! {
            <span data-testid=testid data-bytes=b.to_string() title=move || format::bytes_exact(b, lang.get())>
                {move || format::bytes(b, lang.get())}
            </span>
        }
        .into_any(),
        None => view! { <span data-testid=testid><NotGiven/></span> }.into_any(),
    }
}

/// "12 s ago" from a time in ms (following the app's clock); on hover the UTC time and the exact
/// number of seconds ("2022-03-01 06:43:00 UTC · 150,190,106 s"), like the exact byte counts.
#[component]
pub fn Age(at_ms: Option<i64>) -> impl IntoView {
    let app = use_app();
    let (lang, now) = (app.lang, app.now);
    match at_ms {
        Some(ms) => {
            let secs = move || ((now.get() - ms as f64) / 1000.0).floor() as i64;
            let text = move || {
                let l = lang.get();
                tf(l, Key::Ago, &[("age", &format::duration(secs(), l))])
            };
            let title =
                move || format!("{} · {} s", utc_ms(ms), format::number(i128::from(secs()), lang.get()));
            view! { <span data-testid="last-message-age" data-age-secs=secs title=title>{text}</span> }
                .into_any()
        }
        None => view! { <NotGiven/> }.into_any(),
    }
}

/// The CSS class of step `i` (0-based) of the six-step indicator.
fn step_class(stage: &MigrateStage, i: usize) -> &'static str {
    match stage.ordinal() {
        Some(n) if i < n || (i == n && stage.is_final()) => "step step--done",
        Some(n) if i == n => "step step--current",
        Some(_) => "step",
        None => "step step--unknown",
    }
}

/// A wire value in `<code>` and its label (a value the dashboard does not know says so).
#[component]
fn WireAndLabel(
    wire: String,
    label: Signal<Option<String>>,
    testids: (&'static str, &'static str),
) -> impl IntoView {
    let lang = use_app().lang;
    let shown = {
        let wire = wire.clone();
        move || label.get().unwrap_or_else(|| tf(lang.get(), Key::UnknownValue, &[("value", &wire)]))
    };
    view! {
        <code class="wire" data-testid=testids.0>{wire}</code>
        " "
        <span class="label" data-testid=testids.1>{shown}</span>
    }
}

/// The stage as a six-step progress indicator, its wire value and its label.
#[component]
pub fn StageView(stage: Option<MigrateStage>) -> impl IntoView {
    let lang = use_app().lang;
    let Some(stage) = stage else {
        return view! { <NotGiven/> }.into_any();
    };
    let aria = {
        let stage = stage.clone();
        move || {
            let l = lang.get();
            match stage.ordinal() {
                Some(n) => tf(
                    l,
                    Key::StageProgress,
                    &[("n", &(n + 1).to_string()), ("stage", &stage_label(&stage, l))],
                ),
                None => tf(l, Key::UnknownValue, &[("value", stage.as_str())]),
            }
        }
    };
    let steps = (0..6).map(|i| view! { <span class=step_class(&stage, i)></span> }).collect_view();
    let label = {
        let stage = stage.clone();
        Signal::derive(move || stage.is_known().then(|| stage_label(&stage, lang.get())))
    };
    view! {
        <span class="stage" data-stage=stage.as_str().to_owned()>
            <span class="steps" role="img" aria-label=aria>{steps}</span>
            <span class="stage__text">
                <WireAndLabel wire=stage.as_str().to_owned() label testids=("stage-wire", "stage-label")/>
            </span>
        </span>
    }
    .into_any()
}

/// A replication state: a badge with the wire value and the label.
#[component]
pub fn StateBadge(state: Option<ReplicationState>) -> impl IntoView {
    let lang = use_app().lang;
    let Some(state) = state else {
        return view! { <NotGiven/> }.into_any();
    };
    let class = if state.is_known() {
        format!("badge badge--state-{}", state.as_str())
    } else {
        "badge badge--state-other".to_owned()
    };
    let label = {
        let state = state.clone();
        Signal::derive(move || state.is_known().then(|| state_label(&state, lang.get())))
    };
    view! {
        <span class=class data-state=state.as_str().to_owned()>
            <WireAndLabel
                wire=state.as_str().to_owned()
                label
                testids=("replication-state-wire", "replication-state-label")
            />
        </span>
    }
    .into_any()
}

/// One row of a definition list: the label and the value (`data-testid` on the value).
#[component]
pub fn Fact(label: Key, testid: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="facts__row">
            <dt>{tr(label)}</dt>
            <dd data-testid=testid>{children()}</dd>
        </div>
    }
}
