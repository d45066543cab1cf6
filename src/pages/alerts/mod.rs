//! `/alerts`: the alert rules in effect (kind, thresholds, "for", repeat, scope, destinations by
//! name), the destinations (name, kind, language, signed or not) and the latest deliveries
//! (destination, status, attempts, last error). Read-only: rules and destinations come only from
//! the proxy's alerts file, and the proxy never sends a destination's URL or secret.

use crate::api::{AlertDelivery, AlertDestination, AlertRule, AlertRules, ApiError};
use crate::app::{title, tr, use_app};
use crate::clock::local_text;
use crate::components::alerts::{
    delivery_status_label, destination_kind_label, event_label, header_cells, kind_label, SeverityBadge,
};
use crate::i18n::{t, tf, Key, Lang};
use crate::resource::KeptResource;
use crate::url::{instance_href, task_href, TaskListQuery};
use crate::verdicts::error_message;
use leptos::prelude::*;
use migration_model::format::{self, datetime_attr, utc_ms};
use std::time::Duration;

/// How many deliveries the page shows.
const DELIVERIES: u32 = 50;
/// How often the deliveries are read again.
const REFRESH_SECS: u64 = 30;

/// The threshold of a rule in words (`None`: the kind has none).
pub fn threshold_text(rule: &AlertRule, l: Lang) -> Option<String> {
    if let Some(b) = rule.threshold_bytes {
        return Some(tf(l, Key::AlertsThresholdBytes, &[("bytes", &format::bytes(b as i128, l))]));
    }
    if let Some(s) = rule.threshold_secs {
        return Some(tf(l, Key::AlertsThresholdSilence, &[("duration", &format::duration(s, l))]));
    }
    rule.window_secs.map(|w| tf(l, Key::AlertsThresholdWindow, &[("duration", &format::duration(w, l))]))
}

/// Where a rule applies, in words.
pub fn scope_text(rule: &AlertRule, l: Lang) -> String {
    let mut parts = Vec::new();
    for (list, key) in [
        (&rule.regions, Key::AlertsScopeRegions),
        (&rule.instances, Key::AlertsScopeInstances),
        (&rule.groups, Key::AlertsScopeGroups),
    ] {
        if !list.is_empty() {
            parts.push(tf(l, key, &[("list", &list.join(", "))]));
        }
    }
    if parts.is_empty() {
        t(l, Key::AlertsScopeAll).to_owned()
    } else {
        parts.join("; ")
    }
}

/// How long a condition must hold, in words ("at once" for 0).
pub fn for_text(secs: i64, l: Lang) -> String {
    if secs <= 0 {
        t(l, Key::AlertsForAtOnce).to_owned()
    } else {
        format::duration(secs, l)
    }
}

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let app = use_app();
    title(|l| t(l, Key::AlertsHeading).to_owned());
    let api = app.api;
    let rules = LocalResource::new(move || {
        let api = api.get_value();
        async move { api.alert_rules().await.map(|f| f.data) }
    });
    let deliveries = KeptResource::new(move || {
        let api = api.get_value();
        async move { api.alert_deliveries(DELIVERIES).await }
    });
    deliveries.status.refresh_every(Duration::from_secs(REFRESH_SECS), || true);
    // The last good list stays on screen while the next is read and when it fails; the memo
    // notifies only on a change, so an unchanged answer does not redraw the table.
    let (data, error) = (deliveries.data, deliveries.status.error);
    let shown = Memo::new(move |_| match data.get() {
        Some(list) => Some(Ok(list)),
        None => error.get().map(Err),
    });
    let lang = app.lang;
    let failed = move |e: ApiError, testid: &'static str| {
        let text =
            move || tf(lang.get(), Key::AlertsLoadFailed, &[("error", &error_message(&e, lang.get()))]);
        view! { <p class="state state--error" role="alert" data-testid=testid>{text}</p> }
    };
    let rules_body = move || {
        rules.get().map(|answer| match answer {
            Err(e) => failed(e, "alerts-rules-failed").into_any(),
            Ok(r) => view! { <RulesView answer=r/> }.into_any(),
        })
    };
    let deliveries_body = move || {
        shown.get().map(|answer| match answer {
            Err(e) => failed(e, "alerts-deliveries-failed").into_any(),
            Ok(d) if d.is_empty() => {
                view! { <p class="state state--empty" data-testid="deliveries-empty">{tr(Key::AlertsDeliveriesNone)}</p> }
                    .into_any()
            }
            Ok(d) => view! { <DeliveryTable deliveries=d/> }.into_any(),
        })
    };
    view! {
        <section class="page page--alerts" aria-labelledby="alerts-heading" data-testid="alerts-page">
            <h1 id="alerts-heading">{tr(Key::AlertsHeading)}</h1>
            <p class="lead">{tr(Key::AlertsIntro)}</p>
            {rules_body}
            <h2 id="deliveries-heading">{tr(Key::AlertsDeliveriesHeading)}</h2>
            {deliveries_body}
        </section>
    }
}

#[component]
fn RulesView(answer: AlertRules) -> impl IntoView {
    let notes = view! {
        {answer.default_rules.then(|| view! { <p class="hint" data-testid="alerts-default-rules">{tr(Key::AlertsDefaultRules)}</p> })}
        {(!answer.evaluating).then(|| view! { <p class="hint" data-testid="alerts-not-evaluating">{tr(Key::AlertsNotEvaluating)}</p> })}
        {answer.destinations.is_empty().then(|| view! { <p class="hint" data-testid="alerts-no-destinations">{tr(Key::AlertsNoDestinations)}</p> })}
    };
    view! {
        <h2 id="rules-heading">{tr(Key::AlertsRulesHeading)}</h2>
        {notes}
        <RuleTable rules=answer.rules/>
        <h2 id="destinations-heading">{tr(Key::AlertsDestinationsHeading)}</h2>
        <DestinationTable destinations=answer.destinations/>
    }
}

#[component]
fn RuleTable(rules: Vec<AlertRule>) -> impl IntoView {
    let lang = use_app().lang;
    let rows = rules
        .into_iter()
        .map(|r| {
            let kind = {
                let k = r.kind.clone();
                move || kind_label(&k, lang.get())
            };
            let threshold = {
                let r = r.clone();
                move || threshold_text(&r, lang.get()).unwrap_or_else(|| t(lang.get(), Key::AlertsNoThreshold).to_owned())
            };
            let scope = {
                let r = r.clone();
                move || scope_text(&r, lang.get())
            };
            let for_secs = r.for_secs;
            let repeat = r.repeat_interval_secs;
            let destinations = if r.destinations.is_empty() {
                view! { <span class="muted">{tr(Key::AlertsNoDestination)}</span> }.into_any()
            } else {
                r.destinations.join(", ").into_any()
            };
            view! {
                <tr data-testid="rule-row" data-rule=r.name.clone() data-kind=r.kind.clone()>
                    <th scope="row">{r.name.clone()}</th>
                    <td data-testid="rule-kind">{kind}</td>
                    <td><SeverityBadge severity=r.severity.clone()/></td>
                    <td data-testid="rule-threshold">{threshold}</td>
                    <td data-testid="rule-for">{move || for_text(for_secs, lang.get())}</td>
                    <td>{move || tf(lang.get(), Key::AlertsEvery, &[("duration", &format::duration(repeat, lang.get()))])}</td>
                    <td data-testid="rule-scope">{scope}</td>
                    <td data-testid="rule-destinations">{destinations}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="rules-heading" tabindex="0">
            <table class="data-table" data-testid="rules-table">
                <thead><tr>{header_cells(&[Key::AlertsColRule, Key::AlertColKind, Key::AlertColSeverity, Key::AlertsColThreshold, Key::AlertsColFor, Key::AlertsColRepeat, Key::AlertsColScope, Key::AlertsColDestinations])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn DestinationTable(destinations: Vec<AlertDestination>) -> impl IntoView {
    let lang = use_app().lang;
    if destinations.is_empty() {
        return ().into_any();
    }
    let rows = destinations
        .into_iter()
        .map(|d| {
            let kind = {
                let k = d.kind.clone();
                move || destination_kind_label(&k, lang.get())
            };
            let language = match d.language.as_str() {
                "id" => Key::LanguageIndonesian,
                _ => Key::LanguageEnglish,
            };
            let signed = if d.signed { Key::AlertsSigned } else { Key::AlertsUnsigned };
            view! {
                <tr data-testid="destination-row" data-destination=d.name.clone()>
                    <th scope="row">{d.name.clone()}</th>
                    <td>{kind}</td>
                    <td>{tr(language)}</td>
                    <td>{tr(signed)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="destinations-heading" tabindex="0">
            <table class="data-table" data-testid="destinations-table">
                <thead><tr>{header_cells(&[Key::AlertsColName, Key::AlertsColDestinationKind, Key::LanguageLabel, Key::AlertsColSigning])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn DeliveryTable(deliveries: Vec<AlertDelivery>) -> impl IntoView {
    let app = use_app();
    let (lang, base) = (app.lang, app.base());
    let rows = deliveries
        .into_iter()
        .map(|d| {
            let what = {
                let (rule, event) = (d.rule.clone(), d.event.clone());
                move || format!("{} · {}", kind_label(&rule, lang.get()), event_label(&event, lang.get()))
            };
            let status = {
                let s = d.status.clone();
                move || delivery_status_label(&s, lang.get())
            };
            let target = match d.task_id {
                Some(id) => {
                    let href = task_href(&base, &d.region_id, &d.db_instance_name, id);
                    let text = format!("{} / {id}", d.db_instance_name);
                    view! { <a href=href>{text}</a> }.into_any()
                }
                None => {
                    let href = instance_href(&base, &d.region_id, &d.db_instance_name, &TaskListQuery::default());
                    view! { <a href=href>{d.db_instance_name.clone()}</a> }.into_any()
                }
            };
            let error = match (d.last_error.clone(), d.last_status) {
                (Some(e), _) => e.into_any(),
                (None, Some(s)) if !(200..300).contains(&s) => format!("HTTP {s}").into_any(),
                _ => view! { <span class="muted">{tr(Key::NotGiven)}</span> }.into_any(),
            };
            let ms = d.created_at_ms;
            let attempts = d.attempts;
            view! {
                <tr data-testid="delivery-row" data-destination=d.destination.clone() data-status=d.status.clone()>
                    <td class="time"><time datetime=datetime_attr(ms) title=utc_ms(ms)>{local_text(ms)}</time></td>
                    <th scope="row" data-testid="delivery-destination">{d.destination.clone()}</th>
                    <td>{what}</td>
                    <td>{target}</td>
                    <td data-testid="delivery-status">{status}</td>
                    <td class="num" data-testid="delivery-attempts">{move || format::number(attempts as i128, lang.get())}</td>
                    <td data-testid="delivery-error">{error}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="deliveries-heading" tabindex="0">
            <table class="data-table" data-testid="deliveries-table">
                <thead><tr>{header_cells(&[Key::AlertsColQueued, Key::AlertsColDestination, Key::AlertsColMessage, Key::AttentionColTask, Key::AlertColStatus, Key::AlertsColAttempts, Key::AlertsColLastError])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_in_words() {
        let mut r =
            AlertRule { kind: "lag_high".into(), threshold_bytes: Some(1 << 30), ..AlertRule::default() };
        assert_eq!(threshold_text(&r, Lang::En).as_deref(), Some("over 1.0 GiB"));
        r.threshold_bytes = None;
        r.threshold_secs = Some(120);
        assert!(threshold_text(&r, Lang::Id).unwrap().starts_with("tanpa pesan selama"));
        r.threshold_secs = None;
        assert_eq!(threshold_text(&r, Lang::En), None);
        assert_eq!(scope_text(&r, Lang::En), "every watched instance");
        r.regions = vec!["cn-hangzhou".into()];
        r.instances = vec!["pgm-*".into(), "pgm-x".into()];
        assert_eq!(scope_text(&r, Lang::En), "regions cn-hangzhou; instances pgm-*, pgm-x");
        assert_eq!(for_text(0, Lang::En), "at once");
        assert_eq!(for_text(600, Lang::En), format::duration(600, Lang::En));
    }
}
