//! Pure HTML renderers for the values the tables and the task page show (times, stages,
//! states, byte counts, ages), written with `html::Html`. No browser types except the local
//! time (which falls back to UTC in native test builds), so they are unit-tested natively.

use crate::clock::local_text;
use crate::display::{bytes_text, datetime_attr, duration_text, utc_text};
use crate::html::{opt, Html};
use crate::i18n::{t, tf, Key, Lang};
use crate::rows::TimeValue;
use migration_model::{MigrateStage, ReplicationState};

/// "not given", muted.
pub fn not_given(h: &mut Html, l: Lang) {
    h.el("span", &[("class", "muted")], t(l, Key::NotGiven));
}

/// Text, or "not given".
pub fn opt_html(h: &mut Html, value: Option<&str>, l: Lang) {
    match value {
        Some(v) => {
            h.text(v);
        }
        None => not_given(h, l),
    }
}

/// A time in the viewer's zone, UTC on hover (`title`), machine-readable in `datetime`.
/// Unparseable text is shown as sent; an absent value says "not given".
pub fn time_html(h: &mut Html, value: &TimeValue, l: Lang) {
    match value {
        TimeValue::At(ms) => {
            h.el("time", &[("datetime", &datetime_attr(*ms)), ("title", &utc_text(*ms))], &local_text(*ms));
        }
        TimeValue::Raw(r) => {
            h.text(r);
        }
        TimeValue::Absent => not_given(h, l),
    }
}

/// A byte count (`1,234 B`) or "not given", in a span with `data-testid` and `data-bytes`.
pub fn bytes_html(h: &mut Html, value: Option<i128>, testid: &str, l: Lang) {
    match value {
        Some(b) => {
            h.el("span", &[("data-testid", testid), ("data-bytes", &b.to_string())], &bytes_text(b, l));
        }
        None => {
            h.open("span", &[("data-testid", testid)]);
            not_given(h, l);
            h.close("span");
        }
    }
}

/// "12 s ago" from a time in ms, UTC on hover.
pub fn age_html(h: &mut Html, at_ms: Option<i64>, now_ms: f64, l: Lang) {
    match at_ms {
        Some(ms) => {
            let secs = ((now_ms - ms as f64) / 1000.0).floor() as i64;
            h.el(
                "span",
                &[("data-testid", "last-message-age"), ("title", &utc_text(ms))],
                &tf(l, Key::Ago, &[("age", &duration_text(secs, l))]),
            );
        }
        None => not_given(h, l),
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

/// The stage as a six-step progress indicator, its wire value and its label. Unknown values
/// are shown as sent and marked.
pub fn stage_html(h: &mut Html, stage: Option<&MigrateStage>, l: Lang) {
    let Some(stage) = stage else {
        return not_given(h, l);
    };
    let label = match stage.ordinal() {
        Some(n) => tf(l, Key::StageProgress, &[("n", &(n + 1).to_string()), ("stage", stage.label(l))]),
        None => tf(l, Key::UnknownValue, &[("value", stage.as_str())]),
    };
    h.open("span", &[("class", "stage"), ("data-stage", stage.as_str())]);
    h.open("span", &[("class", "steps"), ("role", "img"), ("aria-label", &label)]);
    for i in 0..6 {
        h.el("span", &[("class", step_class(stage, i))], "");
    }
    h.close("span").open("span", &[("class", "stage__text")]);
    let known = stage.is_known().then(|| stage.label(l));
    wire_and_label(h, stage.as_str(), known, ("stage-wire", "stage-label"), l);
    h.close("span").close("span");
}

/// A wire value in `<code>` and its label (`None`: a value the dashboard does not know, said
/// so), with the two elements' test ids.
fn wire_and_label(h: &mut Html, wire: &str, label: Option<&str>, testids: (&str, &str), l: Lang) {
    h.el("code", &[("class", "wire"), ("data-testid", testids.0)], wire);
    h.text(" ");
    let text = match label {
        Some(label) => label.to_owned(),
        None => tf(l, Key::UnknownValue, &[("value", wire)]),
    };
    h.el("span", &[("class", "label"), ("data-testid", testids.1)], &text);
}

/// A replication state: a badge with the wire value and the label.
pub fn state_html(h: &mut Html, state: Option<&ReplicationState>, l: Lang) {
    let Some(state) = state else {
        return not_given(h, l);
    };
    let class = if state.is_known() {
        format!("badge badge--state-{}", state.as_str())
    } else {
        "badge badge--state-other".to_owned()
    };
    h.open("span", &[("class", &class), ("data-state", state.as_str())]);
    let known = state.is_known().then(|| state.label(l));
    wire_and_label(h, state.as_str(), known, ("replication-state-wire", "replication-state-label"), l);
    h.close("span");
}

/// A `<div class="facts__row"><dt>label</dt><dd data-testid>…</dd></div>` whose value `f`
/// writes.
pub fn fact_html(h: &mut Html, label: &str, testid: &str, f: impl FnOnce(&mut Html)) {
    h.open("div", &[("class", "facts__row")]);
    h.el("dt", &[], label);
    h.open("dd", &[opt("data-testid", Some(testid))]);
    f(h);
    h.close("dd").close("div");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(f: impl FnOnce(&mut Html)) -> String {
        let mut h = Html::new();
        f(&mut h);
        h.finish()
    }

    #[test]
    fn values() {
        let l = Lang::En;
        assert_eq!(
            render(|h| time_html(h, &TimeValue::At(1_645_779_193_000), l)),
            "<time datetime=\"2022-02-25T08:53:13Z\" title=\"2022-02-25 08:53:13 UTC\">2022-02-25 08:53:13</time>"
        );
        assert_eq!(render(|h| time_html(h, &TimeValue::Raw("<x>".into()), l)), "&lt;x&gt;");
        assert!(render(|h| time_html(h, &TimeValue::Absent, Lang::Id)).contains("tidak ada"));
        assert_eq!(
            render(|h| bytes_html(h, Some(1234), "lag", l)),
            "<span data-testid=\"lag\" data-bytes=\"1234\">1,234 B</span>"
        );
        assert!(render(|h| age_html(h, Some(0), 65_000.0, l)).contains(">1 min 5 s ago<"));
    }

    #[test]
    fn stages_and_states() {
        let html = render(|h| stage_html(h, Some(&MigrateStage::Switch), Lang::En));
        assert!(html.contains("aria-label=\"Stage 5 of 6: Switchover\""), "{html}");
        assert_eq!(html.matches("step step--done").count(), 4);
        assert_eq!(html.matches("step step--current").count(), 1);
        assert!(html.contains(">switch</code>"));
        let done = render(|h| stage_html(h, Some(&MigrateStage::Success), Lang::En));
        assert_eq!(done.matches("step step--done").count(), 6);
        let odd = render(|h| stage_html(h, Some(&MigrateStage::from("paused")), Lang::Id));
        assert!(odd.contains("step--unknown") && odd.contains("nilai tak dikenal"));
        let st = render(|h| state_html(h, Some(&ReplicationState::Streaming), Lang::En));
        assert!(st.contains("badge--state-streaming") && st.contains(">streaming</code>"));
    }
}
