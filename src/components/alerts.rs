//! Alert wire values in words (rule kinds, severities, episode and delivery states, destination
//! kinds), the severity badge, and the table of episodes the task page and the attention view
//! share. The proxy sends these as plain strings; a value the app does not know is shown as sent.

use crate::api::AlertEpisode;
use crate::app::{tr, use_app};
use crate::i18n::{t, Key, Lang};
use leptos::prelude::*;
use migration_model::format::{datetime_attr, utc_ms};

/// How urgent a severity is, for sorting: the worst has the highest rank.
pub fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 3,
        "warning" => 2,
        "info" => 1,
        _ => 0,
    }
}

fn known(value: &str, l: Lang, key: Option<Key>) -> String {
    key.map_or_else(|| value.to_owned(), |k| t(l, k).to_owned())
}

/// A rule kind (`disconnected`, `lag_high`, ...) in words.
pub fn kind_label(kind: &str, l: Lang) -> String {
    let key = match kind {
        "stage_changed" => Some(Key::AlertKindStageChanged),
        "migration_succeeded" => Some(Key::AlertKindSucceeded),
        "disconnected" => Some(Key::AlertKindDisconnected),
        "stream_stale" => Some(Key::AlertKindStreamStale),
        "lag_high" => Some(Key::AlertKindLagHigh),
        "lag_growing" => Some(Key::AlertKindLagGrowing),
        "precheck_failed" => Some(Key::AlertKindPrecheckFailed),
        "precheck_warning" => Some(Key::AlertKindPrecheckWarning),
        "switch_ready" => Some(Key::AlertKindSwitchReady),
        "watch_failing" => Some(Key::AlertKindWatchFailing),
        _ => None,
    };
    known(kind, l, key)
}

/// A severity in words.
pub fn severity_label(severity: &str, l: Lang) -> String {
    let key = match severity {
        "critical" => Some(Key::SeverityCritical),
        "warning" => Some(Key::SeverityWarning),
        "info" => Some(Key::SeverityInfo),
        _ => None,
    };
    known(severity, l, key)
}

/// An episode's status (`firing`, `resolved`, or `notified` for one-shot kinds) in words.
pub fn episode_status_label(status: &str, l: Lang) -> String {
    let key = match status {
        "firing" => Some(Key::EpisodeFiring),
        "resolved" => Some(Key::EpisodeResolved),
        "notified" => Some(Key::EpisodeNotified),
        _ => None,
    };
    known(status, l, key)
}

/// A delivery's status (`pending`, `sent`, `failed`) in words.
pub fn delivery_status_label(status: &str, l: Lang) -> String {
    let key = match status {
        "pending" => Some(Key::DeliveryPending),
        "sent" => Some(Key::DeliverySent),
        "failed" => Some(Key::DeliveryFailed),
        _ => None,
    };
    known(status, l, key)
}

/// What a message said (`firing`, `repeat`, `resolved`) in words.
pub fn event_label(event: &str, l: Lang) -> String {
    let key = match event {
        "firing" => Some(Key::AlertEventFire),
        "repeat" => Some(Key::AlertEventRepeat),
        "resolved" => Some(Key::AlertEventResolve),
        _ => None,
    };
    known(event, l, key)
}

/// A destination kind by its product's name.
pub fn destination_kind_label(kind: &str, l: Lang) -> String {
    let key = match kind {
        "webhook" => Some(Key::DestWebhook),
        "slack" => Some(Key::DestSlack),
        "dingtalk" => Some(Key::DestDingtalk),
        "lark" => Some(Key::DestLark),
        "wecom" => Some(Key::DestWecom),
        _ => None,
    };
    known(kind, l, key)
}

/// The CSS modifier of a severity (only known values become class names).
fn severity_class(severity: &str) -> &'static str {
    match severity {
        "critical" => "badge badge--alert-critical",
        "warning" => "badge badge--alert-warning",
        "info" => "badge badge--alert-info",
        _ => "badge",
    }
}

/// A severity as a badge (colour and words; the words carry the meaning).
#[component]
pub fn SeverityBadge(severity: String) -> impl IntoView {
    let lang = use_app().lang;
    let class = severity_class(&severity);
    let text = {
        let s = severity.clone();
        move || severity_label(&s, lang.get())
    };
    view! { <span class=class data-testid="alert-severity" data-severity=severity>{text}</span> }
}

/// A Unix time (seconds) in the viewer's zone, UTC on hover.
#[component]
pub fn UnixTime(secs: i64) -> impl IntoView {
    let ms = secs.saturating_mul(1000);
    view! { <time datetime=datetime_attr(ms) title=utc_ms(ms)>{crate::clock::local_text(ms)}</time> }
}

/// The column headers of a table: one loop, so each table adds no markup code of its own.
pub fn header_cells(keys: &'static [Key]) -> impl IntoView {
    keys.iter().map(|k| view! { <th scope="col">{tr(*k)}</th> }).collect_view()
}

/// Episodes as a table: severity, alert, status, start and end. `caption` names it for screen
/// readers; `id` makes the caption's id unique on the page.
#[component]
pub fn EpisodeTable(episodes: Vec<AlertEpisode>, caption: Key, id: &'static str) -> impl IntoView {
    let lang = use_app().lang;
    let rows = episodes
        .into_iter()
        .map(|e| {
            let kind = {
                let k = e.kind.clone();
                move || kind_label(&k, lang.get())
            };
            let status = {
                let s = e.status.clone();
                move || episode_status_label(&s, lang.get())
            };
            let end = match e.resolved_at {
                Some(at) => view! { <UnixTime secs=at/> }.into_any(),
                None if e.is_firing() => view! { <span>{tr(Key::EpisodeStillFiring)}</span> }.into_any(),
                None => view! { <span class="muted">{tr(Key::NotGiven)}</span> }.into_any(),
            };
            view! {
                <tr data-testid="episode-row" data-kind=e.kind.clone() data-status=e.status.clone()>
                    <td><SeverityBadge severity=e.severity.clone()/></td>
                    <th scope="row" data-testid="episode-kind">{kind}</th>
                    <td data-testid="episode-status">{status}</td>
                    <td class="time" data-testid="episode-start"><UnixTime secs=e.started_at/></td>
                    <td class="time" data-testid="episode-end">{end}</td>
                </tr>
            }
        })
        .collect_view();
    let caption_id = format!("{id}-caption");
    view! {
        <div class="table-scroll" role="region" aria-labelledby=caption_id.clone() tabindex="0">
            <table class="data-table" data-testid=id>
                <caption id=caption_id.clone() class="visually-hidden">{tr(caption)}</caption>
                <thead><tr>{header_cells(&[Key::AlertColSeverity, Key::AlertColKind, Key::AlertColStatus, Key::AlertColStarted, Key::AlertColEnded])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_become_words_and_unknown_ones_stay_as_sent() {
        assert_eq!(kind_label("disconnected", Lang::En), "Disconnected");
        assert_eq!(kind_label("lag_high", Lang::Id), "Ketertinggalan tinggi");
        assert_eq!(kind_label("new_kind", Lang::En), "new_kind");
        assert_eq!(severity_label("critical", Lang::Id), "Kritis");
        assert_eq!(delivery_status_label("failed", Lang::En), "Given up");
        assert_eq!(event_label("resolved", Lang::En), "Resolved");
        assert_eq!(episode_status_label("notified", Lang::Id), "Diberitahukan");
        assert_eq!(destination_kind_label("lark", Lang::En), "Lark / Feishu");
        assert!(severity_rank("critical") > severity_rank("warning"));
        assert!(severity_rank("warning") > severity_rank("info"));
        assert!(severity_rank("info") > severity_rank("bogus"));
        assert_eq!(severity_class("<script>"), "badge");
    }
}
