//! The attention view at the top of the home page, for people whose proxy watches instances:
//! the tasks with firing alerts, worst first (each linking to its task), then every watched
//! instance in every region with its tasks counted by stage and by replication state and its
//! worst lag. Composed from the watch list, each instance's last hour of history and the firing
//! episodes; without watched instances it shows nothing, and the picker below is the page.
//!
//! [`summarize`], [`sort_firing`] and [`sort_instances`] are pure and unit-tested natively.

use crate::api::{history_kept, AlertEpisode, ApiError, EpisodeQuery, Fetched};
use crate::app::{tr, use_app};
use crate::clock::now_ms;
use crate::components::alerts::{header_cells, kind_label, severity_rank, SeverityBadge, UnixTime};
use crate::i18n::{tf, Key};
use crate::resource::KeptResource;
use crate::url::{instance_href, task_href, TaskListQuery};
use crate::verdicts::{error_message, stage_label, state_label};
use leptos::prelude::*;
use migration_model::format;
use migration_model::history::InstanceHistory;
use migration_model::{MigrateStage, ReplicationState};
use std::collections::BTreeMap;
use std::time::Duration;

/// How often the view asks again (the watcher polls every 30 s by default).
const REFRESH_SECS: u64 = 30;
/// The firing alerts listed (worst first); the rest are counted per instance.
const FIRING_SHOWN: usize = 20;
/// The history read per instance: enough for each task's latest stage, state and lag.
const WINDOW_SECS: i64 = 3600;

/// One watched instance at a glance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceRow {
    pub region: String,
    pub instance: String,
    /// Tasks seen in the window and not gone.
    pub tasks: usize,
    /// Tasks per stage (wire value), in lifecycle order; unknown stages last.
    pub stages: Vec<(String, usize)>,
    /// Tasks per replication state (wire value), in lifecycle order; unknown states last.
    pub states: Vec<(String, usize)>,
    /// The largest latest "not yet replayed" figure, and its task.
    pub worst_lag: Option<(i64, u64)>,
    /// Firing episodes of this instance, and the worst severity among them.
    pub firing: usize,
    pub worst_severity: u8,
    /// The instance's history could not be read (the rest of the row is empty).
    pub unreadable: bool,
}

/// Everything the view shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Board {
    /// Firing episodes, worst first.
    pub firing: Vec<AlertEpisode>,
    pub instances: Vec<InstanceRow>,
    /// Why the firing episodes could not be read, if they could not.
    pub episodes_error: Option<ApiError>,
}

/// Counts the values, in the order `rank` gives (values it does not know last).
fn count_in_order(
    values: impl Iterator<Item = String>,
    rank: impl Fn(&str) -> Option<usize>,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for v in values {
        *counts.entry((rank(&v).unwrap_or(usize::MAX), v)).or_default() += 1;
    }
    counts.into_iter().map(|((_, v), n)| (v, n)).collect()
}

/// One instance's row from its history (`None`: it could not be read) and the firing episodes.
pub fn summarize(
    region: &str,
    instance: &str,
    history: Option<&InstanceHistory>,
    firing: &[AlertEpisode],
) -> InstanceRow {
    let mine: Vec<&AlertEpisode> =
        firing.iter().filter(|e| e.region_id == region && e.db_instance_name == instance).collect();
    let mut row = InstanceRow {
        region: region.to_owned(),
        instance: instance.to_owned(),
        firing: mine.len(),
        worst_severity: mine.iter().map(|e| severity_rank(&e.severity)).max().unwrap_or(0),
        unreadable: history.is_none(),
        ..InstanceRow::default()
    };
    let Some(h) = history else { return row };
    let live: Vec<_> = h.tasks.iter().filter(|t| t.vanished_at.is_none()).collect();
    row.tasks = live.len();
    row.stages =
        count_in_order(live.iter().filter_map(|t| t.stage.clone()), |s| MigrateStage::from(s).ordinal());
    row.states =
        count_in_order(live.iter().filter_map(|t| t.state.clone()), |s| ReplicationState::from(s).ordinal());
    row.worst_lag = live
        .iter()
        .filter_map(|t| t.sparkline.last().map(|p| (p.lag, t.task_id)))
        .max_by_key(|(lag, id)| (*lag, std::cmp::Reverse(*id)));
    row
}

/// Firing episodes worst first: by severity, then the longest firing, then by instance and task.
pub fn sort_firing(mut episodes: Vec<AlertEpisode>) -> Vec<AlertEpisode> {
    episodes.retain(AlertEpisode::is_firing);
    episodes.sort_by(|a, b| {
        severity_rank(&b.severity)
            .cmp(&severity_rank(&a.severity))
            .then(a.started_at.cmp(&b.started_at))
            .then_with(|| {
                (&a.region_id, &a.db_instance_name, a.task_id).cmp(&(
                    &b.region_id,
                    &b.db_instance_name,
                    b.task_id,
                ))
            })
    });
    episodes
}

/// Instances with firing alerts first (worst first), then by region and name.
pub fn sort_instances(rows: &mut [InstanceRow]) {
    rows.sort_by(|a, b| {
        b.worst_severity
            .cmp(&a.worst_severity)
            .then(b.firing.cmp(&a.firing))
            .then_with(|| (&a.region, &a.instance).cmp(&(&b.region, &b.instance)))
    });
}

/// Reads the watch list, each instance's last hour and the firing episodes. `Ok(None)`: nothing
/// is watched (the home page stays the picker).
async fn load(api: crate::api::Api) -> Result<Fetched<Option<Board>>, ApiError> {
    let watches = api.watch_list().await?.data.watches;
    if watches.is_empty() {
        return Ok(Fetched { data: None, stale_age_secs: None, cache: None });
    }
    let to = (now_ms() / 1000.0) as i64;
    let from = to - WINDOW_SECS;
    let firing_query = EpisodeQuery { firing_only: true, limit: Some(500), ..EpisodeQuery::default() };
    let (episodes, histories) = futures::join!(
        api.alert_episodes(&firing_query),
        futures::future::join_all(watches.iter().map(|w| api.instance_history(
            &w.region_id,
            &w.db_instance_name,
            from,
            to
        )))
    );
    let (firing, episodes_error) = match episodes {
        Ok(f) => (sort_firing(f.data), None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut instances: Vec<InstanceRow> = watches
        .iter()
        .zip(&histories)
        .map(|(w, h)| summarize(&w.region_id, &w.db_instance_name, h.as_ref().ok().map(|f| &f.data), &firing))
        .collect();
    sort_instances(&mut instances);
    Ok(Fetched { data: Some(Board { firing, instances, episodes_error }), stale_age_secs: None, cache: None })
}

/// The attention view (nothing at all while loading, or when nothing is watched).
#[component]
pub fn Attention() -> impl IntoView {
    let app = use_app();
    let (api, session) = (app.api, app.session);
    let off = Memo::new(move |_| history_kept(session.get()) == Some(false));
    let kept = KeptResource::new(move || {
        let api = api.get_value();
        async move {
            if !app.history_kept().await {
                return Err(ApiError::history_off());
            }
            load(api).await
        }
    });
    let status = kept.status;
    status.refresh_every(Duration::from_secs(REFRESH_SECS), move || !off.get_untracked());
    let lang = app.lang;
    let failed = move || {
        // A failure before any answer: said in one line, the picker below still works.
        if off.get() || kept.data.with(Option::is_some) {
            return None;
        }
        status.error.get().filter(|e| e.code() != Some("Proxy.HistoryNotConfigured")).map(|e| {
            let text =
                move || tf(lang.get(), Key::AttentionFailed, &[("error", &error_message(&e, lang.get()))]);
            view! { <p class="state state--error" data-testid="attention-failed">{text}</p> }
        })
    };
    // Redrawn only when something changed, so a refresh with the same news keeps focus.
    let board = Memo::new(move |_| kept.data.get().flatten());
    let board = move || board.get().map(|b| view! { <BoardView board=b/> });
    view! {
        <Show when=move || off.get()>
            <p class="hint" data-testid="attention-no-history">{tr(Key::AttentionNoHistory)}</p>
        </Show>
        {failed}
        {board}
    }
}

#[component]
fn BoardView(board: Board) -> impl IntoView {
    let app = use_app();
    let lang = app.lang;
    let base = app.base();
    let episodes_error = board.episodes_error.map(|e| {
        let text = move || {
            tf(lang.get(), Key::AttentionEpisodesFailed, &[("error", &error_message(&e, lang.get()))])
        };
        view! { <p class="state state--error" data-testid="attention-episodes-failed">{text}</p> }
    });
    let mut listed = board.firing;
    let hidden = listed.len().saturating_sub(FIRING_SHOWN);
    listed.truncate(FIRING_SHOWN);
    let more = (hidden > 0).then(|| {
        let text = move || {
            tf(lang.get(), Key::AttentionMore, &[("count", &format::number(hidden as i128, lang.get()))])
        };
        view! { <p class="hint" data-testid="attention-more">{text}</p> }
    });
    let firing = if listed.is_empty() {
        view! { <p class="state state--empty" data-testid="attention-none-firing">{tr(Key::AttentionNoneFiring)}</p> }
            .into_any()
    } else {
        view! { <FiringTable episodes=listed base=base.clone()/> }.into_any()
    };
    view! {
        <section class="attention" aria-labelledby="attention-heading" data-testid="attention">
            <h2 id="attention-heading">{tr(Key::AttentionHeading)}</h2>
            {episodes_error}
            {firing}
            {more}
            <h3 id="attention-instances-heading">{tr(Key::AttentionInstancesHeading)}</h3>
            <InstanceTable rows=board.instances base/>
        </section>
    }
}

#[component]
fn FiringTable(episodes: Vec<AlertEpisode>, base: String) -> impl IntoView {
    let lang = use_app().lang;
    let rows = episodes
        .into_iter()
        .map(|e| {
            let kind = {
                let k = e.kind.clone();
                move || kind_label(&k, lang.get())
            };
            let target = match e.task_id {
                Some(id) => {
                    let href = task_href(&base, &e.region_id, &e.db_instance_name, id);
                    let text = move || tf(lang.get(), Key::TaskHeading, &[("id", &id.to_string())]);
                    view! { <a href=href data-testid="attention-task-link">{text}</a> }.into_any()
                }
                None => {
                    let href = instance_href(&base, &e.region_id, &e.db_instance_name, &TaskListQuery::default());
                    view! { <a href=href data-testid="attention-instance-link">{tr(Key::AttentionWholeInstance)}</a> }
                        .into_any()
                }
            };
            view! {
                <tr
                    data-testid="attention-firing-row"
                    data-severity=e.severity.clone()
                    data-kind=e.kind.clone()
                    data-instance=e.db_instance_name.clone()
                    data-task-id=e.task_id.map(|t| t.to_string()).unwrap_or_default()
                >
                    <td><SeverityBadge severity=e.severity.clone()/></td>
                    <th scope="row">{kind}</th>
                    <td>{target}</td>
                    <td>{e.db_instance_name.clone()}</td>
                    <td>{e.region_id.clone()}</td>
                    <td class="time"><UnixTime secs=e.started_at/></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="attention-firing-caption" tabindex="0">
            <table class="data-table" data-testid="attention-firing">
                <caption id="attention-firing-caption" class="visually-hidden">{tr(Key::AttentionFiringCaption)}</caption>
                <thead><tr>{header_cells(&[Key::AlertColSeverity, Key::AlertColKind, Key::AttentionColTask, Key::WatchColInstance, Key::WatchColRegion, Key::AlertColStarted])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn InstanceTable(rows: Vec<InstanceRow>, base: String) -> impl IntoView {
    let lang = use_app().lang;
    let body = rows
        .into_iter()
        .map(|r| {
            let href = instance_href(&base, &r.region, &r.instance, &TaskListQuery::default());
            let stages = r.stages.clone();
            let stages = move || {
                let l = lang.get();
                let parts: Vec<String> =
                    stages.iter().map(|(s, n)| format!("{} {n}", stage_label(&MigrateStage::from(s.as_str()), l))).collect();
                parts.join(", ")
            };
            let states = r.states.clone();
            let states = move || {
                let l = lang.get();
                let parts: Vec<String> = states
                    .iter()
                    .map(|(s, n)| format!("{} {n}", state_label(&ReplicationState::from(s.as_str()), l)))
                    .collect();
                parts.join(", ")
            };
            let lag = match r.worst_lag {
                Some((bytes, task)) => {
                    let href = task_href(&base, &r.region, &r.instance, task);
                    let text = move || format::bytes(bytes as i128, lang.get());
                    let title = move || tf(lang.get(), Key::TaskHeading, &[("id", &task.to_string())]);
                    view! { <a href=href title=title data-testid="attention-worst-lag" data-bytes=bytes.to_string()>{text}</a> }
                        .into_any()
                }
                None => view! { <span class="muted">{tr(Key::NotGiven)}</span> }.into_any(),
            };
            let tasks = if r.unreadable {
                view! { <span class="muted" data-testid="attention-unreadable">{tr(Key::AttentionNoData)}</span> }.into_any()
            } else {
                let n = r.tasks;
                view! { <span>{move || format::number(n as i128, lang.get())}</span> }.into_any()
            };
            view! {
                <tr data-testid="attention-instance-row" data-instance=r.instance.clone() data-firing=r.firing.to_string()>
                    <th scope="row"><a href=href>{r.instance.clone()}</a></th>
                    <td>{r.region.clone()}</td>
                    <td class="num" data-testid="attention-task-count">{tasks}</td>
                    <td data-testid="attention-by-stage">{stages}</td>
                    <td data-testid="attention-by-state">{states}</td>
                    <td class="num">{lag}</td>
                    <td class="num" data-testid="attention-firing-count">{r.firing}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" aria-labelledby="attention-instances-heading" tabindex="0">
            <table class="data-table" data-testid="attention-instances">
                <thead><tr>{header_cells(&[Key::WatchColInstance, Key::WatchColRegion, Key::AttentionColTasks, Key::AttentionColByStage, Key::AttentionColByState, Key::AttentionColWorstLag, Key::AttentionColFiring])}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_model::history::{SparkPoint, TaskSummary};

    fn episode(instance: &str, task: Option<u64>, severity: &str, started_at: i64) -> AlertEpisode {
        AlertEpisode {
            kind: "disconnected".into(),
            severity: severity.into(),
            region_id: "cn-hangzhou".into(),
            db_instance_name: instance.into(),
            task_id: task,
            status: "firing".into(),
            started_at,
            ..AlertEpisode::default()
        }
    }

    fn task(id: u64, stage: &str, state: &str, lag: Option<i64>, vanished: bool) -> TaskSummary {
        TaskSummary {
            task_id: id,
            task_name: None,
            first_seen: 0,
            last_seen: 10,
            vanished_at: vanished.then_some(10),
            stage: Some(stage.into()),
            state: Some(state.into()),
            last_change_at: None,
            sparkline: lag
                .map(|l| vec![SparkPoint { t: 0, lag: l * 9 }, SparkPoint { t: 5, lag: l }])
                .unwrap_or_default(),
        }
    }

    #[test]
    fn firing_episodes_sort_worst_first_and_resolved_ones_go() {
        let mut resolved = episode("pgm-a", Some(1), "critical", 1);
        resolved.status = "resolved".into();
        let sorted = sort_firing(vec![
            episode("pgm-a", Some(2), "info", 5),
            episode("pgm-b", Some(3), "critical", 50),
            resolved,
            episode("pgm-a", Some(4), "warning", 5),
            episode("pgm-a", Some(5), "critical", 20),
        ]);
        let ids: Vec<Option<u64>> = sorted.iter().map(|e| e.task_id).collect();
        assert_eq!(ids, [Some(5), Some(3), Some(4), Some(2)]);
    }

    #[test]
    fn an_instance_is_counted_by_stage_and_state_with_its_worst_lag() {
        let h = InstanceHistory {
            region_id: "cn-hangzhou".into(),
            db_instance_name: "pgm-a".into(),
            from: 0,
            to: 10,
            tasks: vec![
                task(1, "switch", "streaming", Some(10), false),
                task(2, "increment", "disconnect", Some(4096), false),
                task(3, "increment", "streaming", Some(7), false),
                task(4, "increment", "disconnect", Some(1 << 40), true),
                task(5, "new-stage", "unstarted", None, false),
            ],
            watched: true,
        };
        let firing = [episode("pgm-a", Some(2), "critical", 1), episode("pgm-b", Some(9), "warning", 1)];
        let row = summarize("cn-hangzhou", "pgm-a", Some(&h), &firing);
        assert_eq!(row.tasks, 4, "the vanished task is not counted");
        assert_eq!(
            row.stages,
            [("increment".to_owned(), 2), ("switch".to_owned(), 1), ("new-stage".to_owned(), 1)]
        );
        assert_eq!(
            row.states,
            [("unstarted".to_owned(), 1), ("streaming".to_owned(), 2), ("disconnect".to_owned(), 1)]
        );
        assert_eq!(row.worst_lag, Some((4096, 2)), "the latest point of each task, not the bucket's max");
        assert_eq!((row.firing, row.worst_severity, row.unreadable), (1, 3, false));
        let unread = summarize("cn-hangzhou", "pgm-b", None, &firing);
        assert!(unread.unreadable && unread.tasks == 0 && unread.firing == 1);
    }

    #[test]
    fn instances_with_firing_alerts_come_first() {
        let row = |name: &str, firing: usize, worst: u8| InstanceRow {
            region: "cn-hangzhou".into(),
            instance: name.into(),
            firing,
            worst_severity: worst,
            ..InstanceRow::default()
        };
        let mut rows = vec![row("pgm-a", 0, 0), row("pgm-b", 3, 2), row("pgm-c", 1, 3), row("pgm-d", 0, 0)];
        sort_instances(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.instance.as_str()).collect();
        assert_eq!(names, ["pgm-c", "pgm-b", "pgm-a", "pgm-d"]);
    }
}
