//! The task page's sections: summary, stage timeline, precheck checklist, replication panel
//! with its lag chart, switch readiness and the raw JSON. Render-only: the page owns the data
//! and hands it over as signals. Each section's content is HTML text re-drawn when it changes
//! (see `html.rs`); headings, buttons and `<details>` are Leptos elements that stay.

use crate::chart::{lag_chart_svg, Sample};
use crate::clock::{local_time_of_day, now_utc};
use crate::components::cells::{html_block, html_memo};
use crate::context::{derive, text, tr, use_app};
use crate::display::{bytes_text, duration_text, group_digits, task_source};
use crate::hints::check_hint;
use crate::html::{opt, Html};
use crate::i18n::{t, tf, Key, Lang};
use crate::markup::{
    age_html, bytes_html, fact_html, not_given, opt_html, stage_html, state_html, time_html,
};
use crate::prefs::copy_text;
use crate::rows::{timeline, StepState, TimeValue};
use leptos::prelude::*;
use migration_model::{
    switch_readiness, CheckOutcome, DetailLog, HealthThresholds, MigrationTask, ParseError,
};

/// A panel: a `<section>` with a heading and HTML content.
fn panel(
    id: &'static str,
    testid: &'static str,
    heading: Key,
    wide: bool,
    content: Memo<String>,
) -> impl IntoView {
    view! {
        <section class=if wide { "panel panel--wide" } else { "panel" } aria-labelledby=id data-testid=testid>
            <h2 id=id>{tr(heading)}</h2>
            {html_block("panel__body", "", content)}
        </section>
    }
}

fn summary_html(h: &mut Html, t_: &MigrationTask, l: Lang) {
    h.open("dl", &[("class", "facts")]);
    fact_html(h, t(l, Key::ColTaskName), "task-name", |h| opt_html(h, t_.task_name.as_deref(), l));
    fact_html(h, t(l, Key::ColStage), "stage", |h| stage_html(h, t_.migrate_stage.as_ref(), l));
    fact_html(h, t(l, Key::ColReplicationState), "replication-state", |h| {
        state_html(h, t_.replication_state.as_ref(), l)
    });
    let source = task_source(t_);
    fact_html(h, t(l, Key::FieldSourceAddress), "source-address", |h| opt_html(h, source.as_deref(), l));
    let category = t_.source_category.as_ref().map(|c| format!("{} ({})", c.label(l), c.as_str()));
    fact_html(h, t(l, Key::FieldSourceCategory), "source-category", |h| opt_html(h, category.as_deref(), l));
    fact_html(h, t(l, Key::FieldSourceAccount), "source-account", |h| {
        opt_html(h, t_.source_account.as_deref(), l)
    });
    fact_html(h, t(l, Key::FieldTarget), "target-instance", |h| {
        opt_html(h, t_.target_instance_name.as_deref(), l)
    });
    for (key, testid, raw) in [
        (Key::ColCreated, "created", &t_.gmt_created),
        (Key::ColModified, "modified", &t_.gmt_modified),
        (Key::ColSwitch, "switch-time", &t_.switch_time),
    ] {
        fact_html(h, t(l, key), testid, |h| time_html(h, &TimeValue::of(raw.as_deref()), l));
    }
    h.close("dl");
}

/// The task's identity and where it stands.
pub fn summary_view(task: Memo<MigrationTask>) -> impl IntoView {
    let html = html_memo(move |l| {
        let mut h = Html::new();
        task.with(|t| summary_html(&mut h, t, l));
        h.finish()
    });
    panel("summary-heading", "summary", Key::SummaryHeading, false, html)
}

fn timeline_html(h: &mut Html, task: &MigrationTask, now_ms: f64, l: Lang) {
    h.open("ol", &[("class", "timeline")]);
    for s in timeline(task, now_ms as i64) {
        let state = s.state;
        let class = format!("timeline__step timeline__step--{}", state.as_str());
        h.open(
            "li",
            &[
                ("class", &class),
                ("data-testid", "timeline-step"),
                ("data-stage", s.stage.as_str()),
                ("data-state", state.as_str()),
                opt("aria-current", (state == StepState::Current).then_some("step")),
            ],
        );
        h.el("span", &[("class", "timeline__marker"), ("aria-hidden", "true")], "");
        h.open("span", &[("class", "timeline__name")]).text(s.stage.label(l)).text(" ");
        h.el("code", &[("class", "wire")], s.stage.as_str());
        h.close("span");
        let status = match state {
            StepState::Done => Key::StepDone,
            StepState::Current => Key::StepCurrent,
            StepState::Upcoming | StepState::Unknown => Key::StepUpcoming,
        };
        h.el("span", &[("class", "timeline__status")], t(l, status));
        h.open("span", &[("class", "timeline__when")]);
        match s.start_ms {
            Some(ms) => {
                h.text(t(l, Key::StartedAt)).text(" ");
                time_html(h, &TimeValue::At(ms), l);
            }
            None => {
                h.el("span", &[("class", "muted")], t(l, Key::NoStartTime));
            }
        }
        h.close("span");
        let span =
            s.took_secs.map(|d| tf(l, Key::TookDuration, &[("duration", &duration_text(d, l))])).or_else(
                || s.running_secs.map(|d| tf(l, Key::RunningFor, &[("duration", &duration_text(d, l))])),
            );
        if let Some(d) = span {
            h.el("span", &[("class", "timeline__span"), ("data-testid", "timeline-duration")], &d);
        }
        h.close("li");
    }
    h.close("ol");
    h.el("p", &[("class", "hint")], t(l, Key::TimelineNote));
}

/// The six stages with their start times and durations from `Detail`.
pub fn timeline_view(task: Memo<MigrationTask>) -> impl IntoView {
    let now = use_app().now;
    let html = html_memo(move |l| {
        let mut h = Html::new();
        task.with(|t| timeline_html(&mut h, t, now.get(), l));
        h.finish()
    });
    panel("timeline-heading", "timeline", Key::TimelineHeading, false, html)
}

fn mark(outcome: CheckOutcome) -> &'static str {
    match outcome {
        CheckOutcome::Success => "✓",
        CheckOutcome::Warning => "!",
        CheckOutcome::Failure => "✗",
        CheckOutcome::Other => "?",
    }
}

/// The checks of a `Detail` log, grouped by section, each marked passed, warning or failed,
/// with advice for each warning or failure; lines the parser did not understand at the end.
pub fn checklist_html(log: &DetailLog, l: Lang) -> String {
    let mut h = Html::new();
    let verdict = log.precheck_verdict();
    h.el(
        "p",
        &[
            ("class", &format!("verdict verdict--{}", verdict.as_str())),
            ("data-testid", "precheck-verdict"),
            ("data-verdict", verdict.as_str()),
        ],
        &tf(l, Key::ChecklistVerdict, &[("verdict", verdict.label(l))]),
    );
    if log.checks().next().is_none() {
        h.el("p", &[("class", "muted")], t(l, Key::NoChecks));
    }
    h.open("ul", &[("class", "checklist__sections")]);
    for s in log.sections.iter().filter(|s| !s.checks.is_empty()) {
        h.open("li", &[("class", "checklist__section"), ("data-testid", "check-section")]);
        h.el("h3", &[], &s.name);
        h.open("ul", &[("class", "checklist__checks")]);
        for c in &s.checks {
            let o = c.outcome;
            h.open(
                "li",
                &[
                    ("class", &format!("check check--{}", o.as_str())),
                    ("data-testid", "check"),
                    ("data-outcome", o.as_str()),
                ],
            );
            h.el("span", &[("class", "check__mark"), ("aria-hidden", "true")], mark(o));
            h.open("span", &[("class", "check__body")]);
            h.el("span", &[("class", "visually-hidden")], &format!("{}: ", o.label(l)));
            h.el("span", &[("class", "check__name")], &c.name);
            if let Some(r) = c.reason_text() {
                h.el("span", &[("class", "check__reason")], r);
            }
            if o != CheckOutcome::Success {
                h.el(
                    "span",
                    &[("class", "check__hint"), ("data-testid", "check-hint")],
                    check_hint(&c.name, l),
                );
            }
            if c.assumed {
                h.el("span", &[("class", "check__assumed")], t(l, Key::CheckAssumed));
            }
            h.close("span").close("li");
        }
        h.close("ul").close("li");
    }
    h.close("ul");
    if !log.unparsed.is_empty() {
        let lines: Vec<&str> = log.unparsed.iter().map(|u| u.text.as_str()).collect();
        h.open("details", &[("class", "checklist__unparsed")]);
        h.el("summary", &[], t(l, Key::UnparsedHeading));
        h.el("pre", &[], &lines.join("\n"));
        h.close("details");
    }
    h.finish()
}

/// The precheck checklist of the task's log.
pub fn checklist_view(log: Memo<DetailLog>) -> impl IntoView {
    let html = html_memo(move |l| log.with(|log| checklist_html(log, l)));
    panel("checklist-heading", "precheck", Key::ChecklistHeading, true, html)
}

fn replication_html(h: &mut Html, task: &MigrationTask, now_ms: f64, l: Lang) {
    h.open("dl", &[("class", "facts")]);
    fact_html(h, t(l, Key::ColReplicationState), "replication-state", |h| {
        state_html(h, task.replication_state.as_ref(), l)
    });
    let verdict = task.health_verdict(now_utc(), &HealthThresholds::default());
    let health = verdict.health;
    fact_html(h, t(l, Key::HealthLabel), "health-row", |h| {
        h.el(
            "span",
            &[
                ("class", format!("badge badge--health-{}", health.as_str()).as_str()),
                ("data-testid", "health"),
                ("data-health", health.as_str()),
            ],
            health.label(l),
        );
        h.text(" ");
        h.el("span", &[("class", "muted")], &verdict.sentence(l));
    });
    h.close("dl");
    let info = match task.replication() {
        Ok(info) => info,
        Err(ParseError::Empty) => {
            h.el(
                "p",
                &[("class", "muted"), ("data-testid", "no-replication-info")],
                t(l, Key::NoReplicationInfo),
            );
            return;
        }
        Err(e) => {
            h.el(
                "p",
                &[("class", "notice notice--warning"), ("data-testid", "no-replication-info")],
                &tf(l, Key::ReplicationUnreadable, &[("detail", &e.to_string())]),
            );
            return;
        }
    };
    h.open("dl", &[("class", "facts facts--wide")]);
    fact_html(h, t(l, Key::ReceiverStatus), "receiver-status", |h| opt_html(h, info.status.as_deref(), l));
    for (key, testid, lsn) in [
        (Key::LsnReceiveStart, "lsn-receive-start", info.receive_start_lsn),
        (Key::LsnReceived, "lsn-received", info.received_lsn),
        (Key::LsnLatestEnd, "lsn-latest-end", info.latest_end_lsn),
        (Key::LsnReplay, "lsn-replay", info.replay_lsn),
    ] {
        fact_html(h, t(l, key), testid, |h| match lsn {
            Some(v) => {
                h.el("code", &[], &v.to_string());
            }
            None => not_given(h, l),
        });
    }
    fact_html(h, t(l, Key::LagNotReplayed), "lag-a", |h| {
        bytes_html(h, info.lag_not_yet_replayed(), "lag-not-replayed", l)
    });
    fact_html(h, t(l, Key::LagBehindSource), "lag-b", |h| {
        bytes_html(h, info.lag_behind_source_report(), "lag-behind-source", l)
    });
    fact_html(h, t(l, Key::ReplayLagService), "replay-lag", |h| opt_html(h, info.replay_lag.as_deref(), l));
    let last = info.last_msg_receipt_time.map(|t| t.timestamp_millis());
    fact_html(h, t(l, Key::SinceLastMessage), "since-last-message", |h| {
        age_html(h, last, now_ms, l);
        // The exact figure too, once the age is shown in larger units.
        if let Some(ms) = last {
            let secs = ((now_ms - ms as f64) / 1000.0).floor() as i64;
            if secs.abs() >= 60 {
                h.el(
                    "span",
                    &[("class", "muted"), ("data-testid", "seconds-since-last-message")],
                    &format!(" ({} s)", group_digits(i128::from(secs), l)),
                );
            }
        }
    });
    fact_html(h, t(l, Key::Conninfo), "conninfo", |h| match &info.conninfo {
        Some(c) => {
            h.el("code", &[("class", "conninfo")], c);
        }
        None => not_given(h, l),
    });
    h.close("dl");
}

/// The replication panel: state, health verdict, LSNs, both lag figures, the service's
/// ReplayLag, time since the last message, the connection string (password masked) and the lag
/// chart of this page's refreshes.
pub fn replication_view(task: Memo<MigrationTask>, samples: RwSignal<Vec<Sample>>) -> impl IntoView {
    let now = use_app().now;
    let html = html_memo(move |l| {
        let mut h = Html::new();
        task.with(|t| replication_html(&mut h, t, now.get(), l));
        h.finish()
    });
    let chart = html_memo(move |l| {
        samples.with(|s| {
            let label = |x: Option<&Sample>| x.map(|s| local_time_of_day(s.at_ms as i64)).unwrap_or_default();
            let mut h = Html::new();
            h.el("h3", &[("class", "chart__title")], t(l, Key::ChartHeading));
            h.raw(&lag_chart_svg(s, &label(s.first()), &label(s.last())));
            h.open("ul", &[("class", "chart__legend"), ("aria-hidden", "true")]);
            h.el("li", &[("class", "chart__key chart__key--a")], t(l, Key::LegendNotReplayed));
            h.el("li", &[("class", "chart__key chart__key--b")], t(l, Key::LegendBehindSource));
            h.close("ul");
            let summary = match s.last() {
                None => t(l, Key::ChartEmpty).to_owned(),
                Some(last) => {
                    let fmt = |v: Option<f64>| {
                        v.map_or_else(|| t(l, Key::NotGiven).to_owned(), |b| bytes_text(b as i128, l))
                    };
                    tf(
                        l,
                        Key::ChartSummary,
                        &[
                            ("n", &s.len().to_string()),
                            ("a", &fmt(last.not_replayed)),
                            ("b", &fmt(last.behind_source)),
                        ],
                    )
                }
            };
            h.el("p", &[("class", "chart__summary"), ("data-testid", "chart-summary")], &summary);
            h.finish()
        })
    });
    view! {
        <section class="panel" aria-labelledby="replication-heading" data-testid="replication">
            <h2 id="replication-heading">{tr(Key::ReplicationHeading)}</h2>
            {html_block("panel__body", "", html)}
            <figure class="chart" data-testid="lag-chart" data-samples=derive(move || samples.with(Vec::len).to_string())>
                {html_block("chart__body", "", chart)}
            </figure>
        </section>
    }
}

/// Ready to switch over, or what is still missing (the model's verdict).
pub fn readiness_view(task: Memo<MigrationTask>) -> impl IntoView {
    let now = use_app().now;
    let html = html_memo(move |l| {
        now.track();
        let v = task.with(|t| switch_readiness(t, now_utc(), &HealthThresholds::default()));
        let mut h = Html::new();
        let (class, mark) = match v.state.code() {
            "not_ready" => ("verdict verdict--not-ready", "✗ "),
            "switching" => ("verdict verdict--switching", "→ "),
            _ => ("verdict verdict--ready", "✓ "),
        };
        h.open(
            "p",
            &[
                ("class", class),
                ("data-testid", "readiness-verdict"),
                ("data-ready", if v.ready { "true" } else { "false" }),
                ("data-readiness", v.state.code()),
            ],
        );
        h.el("span", &[("aria-hidden", "true")], mark);
        h.text(&v.headline(l)).close("p");
        if !v.missing.is_empty() {
            h.el("p", &[], t(l, Key::StillMissing));
            h.open("ul", &[("class", "missing")]);
            for m in &v.missing {
                h.el("li", &[("data-testid", "missing"), ("data-missing", m.code())], &m.label(l));
            }
            h.close("ul");
        }
        h.el("p", &[("class", "hint")], t(l, Key::ReadinessNote));
        h.finish()
    });
    panel("readiness-heading", "readiness", Key::ReadinessHeading, false, html)
}

/// The task's JSON as the proxy returned it, indented, with a Copy button.
pub fn raw_json_view(raw: Signal<String>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = raw.get_untracked();
        leptos::task::spawn_local(async move {
            let ok = copy_text(&text).await;
            copied.try_set(Some(ok));
        });
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="raw-heading" data-testid="raw">
            <details class="raw">
                <summary><h2 id="raw-heading">{tr(Key::RawHeading)}</h2></summary>
                <p class="hint">{tr(Key::RawNote)}</p>
                <p class="raw__actions">
                    <button type="button" class="button" data-testid="copy-json" on:click=copy>{tr(Key::CopyJson)}</button>
                    " "
                    <span role="status" data-testid="copy-status">
                        {text(move |l| copied.get().map_or_else(String::new, |ok| t(l, if ok { Key::Copied } else { Key::CopyFailed }).to_owned()))}
                    </span>
                </p>
                <pre class="raw__json" tabindex="0" data-testid="raw-json">{raw}</pre>
            </details>
        </section>
    }
}
