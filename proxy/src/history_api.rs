//! The history API: what the store keeps about watched instances, read through the same
//! authentication, policy and error shape as `/api/rds/...`.
//!
//! - `GET {base}/api/watch`: the watched instances the caller may see, and their last data.
//! - `POST` / `DELETE {base}/api/watch/{RegionId}/{DBInstanceName}`: add or remove a watch. Only
//!   for members of `--admin-group`, and guarded against cross-site requests: a JSON content type
//!   (a plain HTML form cannot send one), `Sec-Fetch-Site` same-origin when the browser sends it,
//!   and an `Origin`, when present, that is the proxy's own (not merely an allowed one).
//! - `GET {base}/api/history/{RegionId}/{DBInstanceName}?from&to`: per task, a sparkline and its
//!   last stage/state change ("changed since").
//! - `GET {base}/api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}?from&to&points`: samples
//!   downsampled on the server (each bucket keeps its least and greatest lag), events, the
//!   catch-up verdict and the observed stages.
//! - `GET .../tasks/{TaskId}/export?format=csv|json&from&to`: every stored sample and event.
//!
//! Answers: no store → 404 `Proxy.HistoryNotConfigured`; the store failing → 503
//! `Proxy.HistoryUnavailable` (live data is unaffected); an instance that is not watched answers
//! normally with `watched: false`, so the app can say "not watched yet".
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};

use migration_model::history::{
    downsample, EventKind, HistoryEvent, HistorySample, InstanceHistory, SparkPoint, TaskHistory,
    TaskSummary, WatchEntry, WatchList, WatchSource, DEFAULT_POINTS, MAX_POINTS,
};
use migration_model::trend;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ProxyError;
use crate::policy::Scope;
use crate::store::{Store, StoreError, StoredTask};

type Shared = Arc<AppState>;

/// Latest time a `from`/`to` may name (9999-12-31T23:59:59Z).
pub const MAX_TIME: i64 = 253_402_300_799;
/// Points in an instance summary's sparklines.
pub const SPARK_POINTS: usize = 60;
/// Default ranges when `from` is left out.
pub const DEFAULT_TASK_RANGE_SECS: i64 = 24 * 3600;
pub const DEFAULT_INSTANCE_RANGE_SECS: i64 = 3600;

/// The history routes, to be merged into `/api` (inside its authentication layer).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/watch", get(list_watches).fallback(not_allowed))
        .route(
            "/watch/{RegionId}/{DBInstanceName}",
            axum::routing::post(add_watch).delete(remove_watch).fallback(not_allowed),
        )
        .route("/history/{RegionId}/{DBInstanceName}", get(instance_history).fallback(not_allowed))
        .route("/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}", get(task_history).fallback(not_allowed))
        .route(
            "/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}/export",
            get(export_task).fallback(not_allowed),
        )
}

async fn not_allowed() -> Response {
    crate::error::error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Proxy.MethodNotAllowed",
        "This path answers GET only; a watch is added with POST and removed with DELETE on /api/watch/{RegionId}/{DBInstanceName}.",
    )
}

fn store(state: &AppState) -> Result<&Arc<Store>, ProxyError> {
    state.store.as_ref().ok_or(ProxyError::HistoryNotConfigured)
}

/// A store failure: logged with its (password-free) detail, answered without it.
fn unavailable(e: StoreError) -> ProxyError {
    tracing::warn!(error = %e, "history store read failed");
    ProxyError::HistoryUnavailable
}

fn scope(state: &AppState, caller: &Caller) -> Scope {
    state.policy.as_ref().map(|p| p.scope_for(caller)).unwrap_or(Scope::All)
}

/// Checks the path's region and instance, and that the caller may see the instance.
fn check_instance(
    state: &AppState,
    caller: &Caller,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
) -> Result<(String, String, Option<u64>), ProxyError> {
    let Ok(Path(p)) = path else {
        return Err(ProxyError::InvalidParameter("The path is not valid UTF-8.".into()));
    };
    let region = p.get("RegionId").cloned().unwrap_or_default();
    let instance = p.get("DBInstanceName").cloned().unwrap_or_default();
    if !crate::actions::is_region_id(&region) {
        return Err(ProxyError::InvalidParameter(format!(
            "RegionId must be a region ID such as cn-hangzhou, not {:?}.",
            cut(&region)
        )));
    }
    if !is_instance_id(&instance) {
        return Err(ProxyError::InvalidParameter(format!(
            "DBInstanceName must be an instance ID such as pgm-bp102g323jd4demo (lower-case letters, digits and '-', at most {}), not {:?}.",
            crate::actions::INSTANCE_ID_MAX_LEN,
            cut(&instance)
        )));
    }
    let task = match p.get("TaskId") {
        None => None,
        Some(raw) => Some(raw.parse::<u64>().ok().filter(|t| *t <= i64::MAX as u64).ok_or_else(|| {
            ProxyError::InvalidParameter(format!("TaskId must be a whole number, not {:?}.", cut(raw)))
        })?),
    };
    if !scope(state, caller).allows(&instance) {
        return Err(ProxyError::Forbidden(format!("You may not see the instance {instance}.")));
    }
    Ok((region, instance, task))
}

pub fn is_instance_id(v: &str) -> bool {
    v.len() <= crate::actions::INSTANCE_ID_MAX_LEN
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The query's parameters: each at most once, none unknown, none empty.
fn query_params(raw: Option<&str>, allowed: &[&str]) -> Result<HashMap<String, String>, ProxyError> {
    let raw = raw.unwrap_or("");
    if raw.len() > crate::actions::MAX_QUERY_BYTES {
        return Err(ProxyError::PayloadTooLarge(format!(
            "The query string is longer than {} bytes.",
            crate::actions::MAX_QUERY_BYTES
        )));
    }
    let mut out = HashMap::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if !allowed.contains(&&*k) {
            return Err(ProxyError::InvalidParameter(format!(
                "{:?} is not a parameter of this path (it takes {}).",
                cut(&k),
                allowed.join(", ")
            )));
        }
        if v.is_empty() {
            return Err(ProxyError::InvalidParameter(format!("{k} is empty.")));
        }
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(ProxyError::InvalidParameter(format!("{k} is given more than once.")));
        }
    }
    Ok(out)
}

/// `from`/`to`: Unix seconds, or an RFC 3339 time.
pub fn parse_time(name: &str, v: &str) -> Result<i64, ProxyError> {
    let t = if v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse::<i64>().ok()
    } else {
        chrono::DateTime::parse_from_rfc3339(v).ok().map(|d| d.timestamp())
    };
    t.filter(|t| (0..=MAX_TIME).contains(t)).ok_or_else(|| {
        ProxyError::InvalidParameter(format!(
            "{name} must be Unix seconds (0 to {MAX_TIME}) or an RFC 3339 time such as 2026-12-07T10:00:00Z, not {:?}.",
            cut(v)
        ))
    })
}

/// The range asked for: `to` defaults to now, `from` to `to` minus `default_span` (or 0).
pub fn parse_range(
    q: &HashMap<String, String>,
    now: i64,
    default_span: i64,
) -> Result<(i64, i64), ProxyError> {
    let to = q.get("to").map(|v| parse_time("to", v)).transpose()?.unwrap_or(now);
    let from =
        q.get("from").map(|v| parse_time("from", v)).transpose()?.unwrap_or((to - default_span).max(0));
    // Each bound is valid alone; a `from` after `to` is an empty range, not an error (the
    // document cannot state the order, and nothing is wrong with the values).
    Ok((from, to))
}

pub fn parse_points(q: &HashMap<String, String>) -> Result<usize, ProxyError> {
    match q.get("points") {
        None => Ok(DEFAULT_POINTS),
        Some(v) => v.parse::<usize>().ok().filter(|p| (1..=MAX_POINTS).contains(p)).ok_or_else(|| {
            ProxyError::InvalidParameter(format!(
                "points must be a whole number from 1 to {MAX_POINTS}, not {:?}.",
                cut(v)
            ))
        }),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Free text the service wrote (a `Detail` line) may hold a password: masked on the way out as
/// on `/api/rds`, whatever the writer did.
fn mask_event(mut e: HistoryEvent) -> HistoryEvent {
    for field in [&mut e.text, &mut e.from, &mut e.to] {
        if let Some(v) = field.as_mut() {
            if migration_model::conninfo::may_hold_secrets(v) {
                *v = migration_model::mask_secrets_in_text(v);
            }
        }
    }
    e
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn is_admin(state: &AppState, caller: &Caller) -> bool {
    state.admin_group.as_ref().is_some_and(|g| caller.groups.iter().any(|c| c == g))
}

/// `GET {base}/api/watch`.
#[utoipa::path(
    get,
    path = "/api/watch",
    tag = "history",
    operation_id = "listWatches",
    responses(
        (status = 200, description = "The watched instances the caller may see", body = WatchList),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.HistoryNotConfigured`: this proxy keeps no history", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`: the history store is failing", body = crate::openapi::ErrorBody),
    )
)]
async fn list_watches(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Response, ProxyError> {
    query_params(q.as_deref(), &[])?;
    let store = store(&state)?;
    let scope = scope(&state, &caller);
    let mut watches = store.watches().await.map_err(unavailable)?;
    watches.retain(|w| scope.allows(&w.db_instance_name));
    let seen = store.last_seen_by_instance().await.map_err(unavailable)?;
    for w in &mut watches {
        w.last_data_at = seen.get(&(w.region_id.clone(), w.db_instance_name.clone())).copied();
    }
    Ok(no_store(Json(WatchList { watches, can_edit: is_admin(&state, &caller) }).into_response()))
}

/// Refuses a state change that a cross-site page could have sent, or that the caller may not make.
fn check_write(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(), ProxyError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ProxyError::UnsupportedMediaType(
            "Changes to the watch list must be sent as JSON (Content-Type: application/json).".into(),
        ));
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str().unwrap_or(""), "same-origin" | "none") {
            return Err(ProxyError::Forbidden(
                "Changes to the watch list must come from the dashboard's own pages.".into(),
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin = origin.to_str().unwrap_or("").trim_end_matches('/');
        let same = !host.is_empty()
            && (origin.eq_ignore_ascii_case(&format!("http://{host}"))
                || origin.eq_ignore_ascii_case(&format!("https://{host}")));
        if !same {
            return Err(ProxyError::Forbidden(
                "Changes to the watch list must come from the dashboard's own pages.".into(),
            ));
        }
    }
    if !body.is_empty() && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_err()
    {
        return Err(ProxyError::InvalidParameter("The body must be a JSON object (it may be {}).".into()));
    }
    match &state.admin_group {
        None => Err(ProxyError::Forbidden(
            "No admin group is configured (--admin-group), so the watch list cannot be changed over the API."
                .into(),
        )),
        Some(_) if !is_admin(state, caller) => {
            Err(ProxyError::Forbidden("Only members of the admin group may change the watch list.".into()))
        }
        Some(_) => Ok(()),
    }
}

fn audit_write(state: &AppState, caller: &Caller, action: &str, instance: &str, status: u16) {
    if let Some(audit) = &state.audit {
        audit.record(&crate::audit::AuditRecord {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            user: caller.name(),
            action,
            instance: Some(instance),
            status,
            request_id: None,
            latency_ms: 0,
            cache: "-",
            event: None,
        });
    }
}

/// `POST {base}/api/watch/{RegionId}/{DBInstanceName}`.
#[utoipa::path(
    post,
    path = "/api/watch/{RegionId}/{DBInstanceName}",
    tag = "history",
    operation_id = "addWatch",
    params(RegionPath, InstancePath),
    request_body(content = Object, content_type = "application/json", description = "A JSON object; nothing in it is read yet (send {})"),
    responses(
        (status = 200, description = "The instance is watched (by an admin's choice)", body = WatchEntry),
        (status = 400, description = "`Proxy.InvalidParameter`: a path value or the body is not valid", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`: not a member of the admin group, a cross-site request, or an instance the caller may not see", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.HistoryNotConfigured`", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 415, description = "`Proxy.UnsupportedMediaType`: the body is not sent as application/json", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`", body = crate::openapi::ErrorBody),
    )
)]
async fn add_watch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    query_params(q.as_deref(), &[])?;
    let (region, instance, _) = check_instance(&state, &caller, path)?;
    check_write(&state, &caller, &headers, &body)?;
    let store = store(&state)?;
    let at = now();
    store
        .add_watch(&region, &instance, WatchSource::Admin, caller.user.as_deref(), at)
        .await
        .map_err(unavailable)?;
    audit_write(&state, &caller, "AddWatch", &instance, 200);
    let entry = store
        .watches()
        .await
        .map_err(unavailable)?
        .into_iter()
        .find(|w| w.region_id == region && w.db_instance_name == instance)
        .ok_or(ProxyError::HistoryUnavailable)?;
    Ok(no_store(Json(entry).into_response()))
}

/// `DELETE {base}/api/watch/{RegionId}/{DBInstanceName}`.
#[utoipa::path(
    delete,
    path = "/api/watch/{RegionId}/{DBInstanceName}",
    tag = "history",
    operation_id = "removeWatch",
    params(RegionPath, InstancePath),
    request_body(content = Object, content_type = "application/json", description = "A JSON object; nothing in it is read yet (send {})"),
    responses(
        (status = 204, description = "The watch is removed (its history is kept until it expires)"),
        (status = 400, description = "`Proxy.InvalidParameter`", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.NotWatched`: the instance is not watched; `Proxy.HistoryNotConfigured`", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 415, description = "`Proxy.UnsupportedMediaType`", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`", body = crate::openapi::ErrorBody),
    )
)]
async fn remove_watch(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    query_params(q.as_deref(), &[])?;
    let (region, instance, _) = check_instance(&state, &caller, path)?;
    check_write(&state, &caller, &headers, &body)?;
    let store = store(&state)?;
    if !store.remove_watch(&region, &instance).await.map_err(unavailable)? {
        return Err(ProxyError::NotWatched(format!("{instance} in {region} is not watched.")));
    }
    audit_write(&state, &caller, "RemoveWatch", &instance, 204);
    Ok(no_store(StatusCode::NO_CONTENT.into_response()))
}

/// `GET {base}/api/history/{RegionId}/{DBInstanceName}`.
#[utoipa::path(
    get,
    path = "/api/history/{RegionId}/{DBInstanceName}",
    tag = "history",
    operation_id = "instanceHistory",
    params(RegionPath, InstancePath, RangeQuery),
    responses(
        (status = 200, description = "Per task over the range (default: the last hour): a lag sparkline, the stage and state, and the last change", body = InstanceHistory),
        (status = 400, description = "`Proxy.InvalidParameter`: names the parameter", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`: the caller's policy does not cover the instance", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.HistoryNotConfigured`", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`", body = crate::openapi::ErrorBody),
    )
)]
async fn instance_history(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ProxyError> {
    let (region, instance, _) = check_instance(&state, &caller, path)?;
    let q = query_params(q.as_deref(), &["from", "to"])?;
    let (from, to) = parse_range(&q, now(), DEFAULT_INSTANCE_RANGE_SECS)?;
    let store = store(&state)?;
    let tasks = store.tasks(&region, &instance).await.map_err(unavailable)?;
    let samples = store.instance_samples(&region, &instance, from, to).await.map_err(unavailable)?;
    let latest = store.latest_samples(&region, &instance, to).await.map_err(unavailable)?;
    let events = store.events(&region, &instance, None, from, to).await.map_err(unavailable)?;
    let watched = store.is_watched(&region, &instance).await.map_err(unavailable)?;
    let body = InstanceHistory {
        region_id: region,
        db_instance_name: instance,
        from,
        to,
        tasks: summarize(&tasks, &samples, &latest, &events, from, to),
        watched,
    };
    Ok(no_store(Json(body).into_response()))
}

/// The per-task summaries of an instance over `[from, to]`: tasks seen in the range, each with
/// its stage and state at `to`, its last stage or state change and a lag sparkline.
pub fn summarize(
    tasks: &[StoredTask],
    samples: &[(u64, HistorySample)],
    latest: &[(u64, HistorySample)],
    events: &[HistoryEvent],
    from: i64,
    to: i64,
) -> Vec<TaskSummary> {
    let mut by_task: HashMap<u64, Vec<HistorySample>> = HashMap::new();
    for (id, s) in samples {
        by_task.entry(*id).or_default().push(s.clone());
    }
    let latest: HashMap<u64, &HistorySample> = latest.iter().map(|(id, s)| (*id, s)).collect();
    tasks
        .iter()
        .filter(|t| t.first_seen <= to && t.last_seen >= from)
        .map(|t| {
            let id = t.task_id;
            let mine = || events.iter().filter(move |e| e.task_id == Some(id));
            let last_change_at = mine()
                .filter(|e| matches!(e.kind, EventKind::StageChanged | EventKind::StateChanged))
                .map(|e| e.observed_at)
                .max();
            let vanished_at =
                mine().filter(|e| e.kind == EventKind::TaskVanished).map(|e| e.observed_at).max();
            let sparkline = by_task
                .get(&t.task_id)
                .map(|s| {
                    downsample(s, SPARK_POINTS)
                        .iter()
                        .filter_map(|p| {
                            p.not_yet_replayed_max
                                .or(p.not_yet_replayed_bytes)
                                .map(|lag| SparkPoint { t: p.t, lag })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let now = latest.get(&t.task_id);
            TaskSummary {
                task_id: t.task_id,
                task_name: t.task_name.clone(),
                first_seen: t.first_seen,
                last_seen: t.last_seen,
                vanished_at,
                stage: now.and_then(|s| s.stage.clone()),
                state: now.and_then(|s| s.state.clone()),
                last_change_at,
                sparkline,
            }
        })
        .collect()
}

/// `GET {base}/api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}`.
#[utoipa::path(
    get,
    path = "/api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}",
    tag = "history",
    operation_id = "taskHistory",
    params(RegionPath, InstancePath, TaskPath, RangeQuery, PointsQuery),
    responses(
        (status = 200, description = "Samples (downsampled to at most `points`, each keeping its bucket's least and greatest lag), events, the catch-up verdict and the observed stages, over the range (default: the last 24 hours)", body = TaskHistory),
        (status = 400, description = "`Proxy.InvalidParameter`: names the parameter", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.HistoryNotConfigured`", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`", body = crate::openapi::ErrorBody),
    )
)]
async fn task_history(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ProxyError> {
    let (region, instance, task) = check_instance(&state, &caller, path)?;
    let task = task.unwrap_or_default();
    let q = query_params(q.as_deref(), &["from", "to", "points"])?;
    let (from, to) = parse_range(&q, now(), DEFAULT_TASK_RANGE_SECS)?;
    let points = parse_points(&q)?;
    let store = store(&state)?;
    let body =
        load_task_history(store, &region, &instance, task, from, to, points).await.map_err(unavailable)?;
    Ok(no_store(Json(body).into_response()))
}

/// The task history answer (also what the bench measures).
pub async fn load_task_history(
    store: &Store,
    region: &str,
    instance: &str,
    task: u64,
    from: i64,
    to: i64,
    points: usize,
) -> Result<TaskHistory, StoreError> {
    let window = trend::DEFAULT_WINDOW_SECS;
    // Four reads on connections of their own, at once: the answer waits for the slowest, not
    // for their sum.
    let (sampled, events, stage_events, watched) = tokio::try_join!(
        store.downsampled_samples(region, instance, task, (from, to), points, window),
        store.events(region, instance, Some(task), from, to),
        // Stages over the whole history: a stage entered before the range still has its start.
        store.stage_events(region, instance, task, to),
        store.is_watched(region, instance),
    )?;
    let events: Vec<HistoryEvent> = events.into_iter().map(mask_event).collect();
    Ok(TaskHistory {
        region_id: region.to_string(),
        db_instance_name: instance.to_string(),
        task_id: task,
        from,
        to,
        stored_samples: sampled.stored,
        catch_up: trend::catch_up(&sampled.recent_lags, window),
        samples: sampled.samples,
        events,
        stages: trend::stage_spans(&stage_events, to),
        watched,
    })
}

/// `GET {base}/api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}/export`.
#[utoipa::path(
    get,
    path = "/api/history/{RegionId}/{DBInstanceName}/tasks/{TaskId}/export",
    tag = "history",
    operation_id = "exportTaskHistory",
    params(RegionPath, InstancePath, TaskPath, ExportQuery),
    responses(
        (status = 200, description = "Every stored sample and event of the task in the range (default: all), as a download. CSV: one row per sample (`record` = `sample`) or event (`record` = the event kind), times in RFC 3339 UTC.",
            content(
                (TaskExport = "application/json"),
                (String = "text/csv"),
            )),
        (status = 400, description = "`Proxy.InvalidParameter`: names the parameter", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`", body = crate::openapi::ErrorBody),
        (status = 404, description = "`Proxy.HistoryNotConfigured`", body = crate::openapi::ErrorBody),
        (status = 413, description = "`Proxy.PayloadTooLarge`", body = crate::openapi::ErrorBody),
        (status = 503, description = "`Proxy.HistoryUnavailable`", body = crate::openapi::ErrorBody),
    )
)]
async fn export_task(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Result<Response, ProxyError> {
    let (region, instance, task) = check_instance(&state, &caller, path)?;
    let task = task.unwrap_or_default();
    let q = query_params(q.as_deref(), &["from", "to", "format"])?;
    let csv = match q.get("format").map(String::as_str) {
        None | Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ProxyError::InvalidParameter(format!(
                "format must be csv or json, not {:?}.",
                cut(other)
            )))
        }
    };
    let (from, to) = parse_range(&q, now(), now())?;
    let store = store(&state)?;
    let samples = store.samples(&region, &instance, task, from, to).await.map_err(unavailable)?;
    let events: Vec<HistoryEvent> = store
        .events(&region, &instance, Some(task), from, to)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(mask_event)
        .collect();
    let name = format!("history-{instance}-{task}");
    let (content_type, disposition, body) = if csv {
        let text = to_csv(&samples, &events).map_err(|e| ProxyError::Internal(format!("csv: {e}")))?;
        ("text/csv; charset=utf-8", format!("attachment; filename=\"{name}.csv\""), text)
    } else {
        let export = TaskExport {
            region_id: region,
            db_instance_name: instance,
            task_id: task,
            from,
            to,
            samples,
            events,
        };
        let text = serde_json::to_vec(&export).map_err(|e| ProxyError::Internal(format!("json: {e}")))?;
        ("application/json", format!("attachment; filename=\"{name}.json\""), text)
    };
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(no_store(r))
}

/// The JSON export of a task.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskExport {
    region_id: String,
    db_instance_name: String,
    task_id: u64,
    from: i64,
    to: i64,
    samples: Vec<HistorySample>,
    events: Vec<HistoryEvent>,
}

const CSV_HEADER: [&str; 22] = [
    "record",
    "time",
    "stage",
    "state",
    "received_lsn",
    "latest_end_lsn",
    "replay_lsn",
    "not_yet_replayed_bytes",
    "behind_source_report_bytes",
    "replay_lag",
    "last_msg_send_time",
    "last_msg_receipt_time",
    "gmt_modified",
    "observed_after",
    "observed_at",
    "event_time",
    "from",
    "to",
    "text",
    "duration_min_secs",
    "duration_max_secs",
    "task_id",
];

/// Samples, then events, as one CSV (`record` tells them apart).
pub fn to_csv(samples: &[HistorySample], events: &[HistoryEvent]) -> Result<Vec<u8>, csv::Error> {
    let time = |t: Option<i64>| {
        t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let text = |v: &Option<String>| v.as_deref().map(spreadsheet_safe).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for s in samples {
        w.write_record([
            "sample".to_string(),
            time(Some(s.t)),
            text(&s.stage),
            text(&s.state),
            text(&s.received_lsn),
            text(&s.latest_end_lsn),
            text(&s.replay_lsn),
            num(s.not_yet_replayed_bytes),
            num(s.behind_source_report_bytes),
            text(&s.replay_lag),
            time(s.last_msg_send_time),
            time(s.last_msg_receipt_time),
            time(s.gmt_modified),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for e in events {
        let mut row = vec![String::new(); CSV_HEADER.len()];
        row[0] = e.kind.as_str().to_string();
        row[1] = time(Some(e.observed_at));
        row[13] = time(e.observed_after);
        row[14] = time(Some(e.observed_at));
        row[15] = time(e.at);
        row[16] = text(&e.from);
        row[17] = text(&e.to);
        row[18] = text(&e.text);
        row[19] = num(e.duration_min_secs);
        row[20] = num(e.duration_max_secs);
        row[21] = e.task_id.map(|t| t.to_string()).unwrap_or_default();
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula: such text (from
/// the service's log) gets a leading apostrophe, the usual guard.
fn spreadsheet_safe(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

// The path and query parameters, described once for the document.

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // a schema only
struct RegionPath {
    /// The region, such as cn-hangzhou.
    #[param(
        rename = "RegionId",
        min_length = 2,
        max_length = 48,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        example = "cn-hangzhou"
    )]
    region_id: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // a schema only
struct InstancePath {
    /// The RDS instance ID.
    #[param(
        rename = "DBInstanceName",
        min_length = 1,
        max_length = 64,
        pattern = "^[a-z][a-z0-9-]*$",
        example = "pgm-bp102g323jd4demo"
    )]
    db_instance_name: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // a schema only
struct TaskPath {
    /// The migration task's ID.
    #[param(rename = "TaskId", minimum = 0, example = 440437220)]
    task_id: i64,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a schema only
struct RangeQuery {
    /// Start of the range, Unix seconds (an RFC 3339 time is accepted too). Must not be after `to`.
    #[param(minimum = 0, maximum = 253402300799.0)]
    from: Option<i64>,
    /// End of the range, Unix seconds (or RFC 3339); default now.
    #[param(minimum = 0, maximum = 253402300799.0)]
    to: Option<i64>,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a schema only
struct PointsQuery {
    /// At most this many samples come back (default 500).
    #[param(minimum = 1, maximum = 5000)]
    points: Option<u32>,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a schema only
struct ExportQuery {
    /// Start of the range, Unix seconds (or RFC 3339); default 0 (everything kept).
    #[param(minimum = 0, maximum = 253402300799.0)]
    from: Option<i64>,
    /// End of the range, Unix seconds (or RFC 3339); default now.
    #[param(minimum = 0, maximum = 253402300799.0)]
    to: Option<i64>,
    /// `csv` (the default) or `json`.
    #[param(pattern = "^(csv|json)$")]
    format: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ranges_default_and_refuse_bad_values() {
        assert_eq!(parse_range(&q(&[]), 10_000, 3600).unwrap(), (6_400, 10_000));
        assert_eq!(parse_range(&q(&[]), 100, 3600).unwrap(), (0, 100));
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-07T03:00:00Z").unwrap().timestamp();
        assert_eq!(
            parse_range(&q(&[("from", "2026-12-07T10:00:00+07:00"), ("to", &t.to_string())]), 0, 1).unwrap(),
            (t, t)
        );
        for (name, bad) in [("from", "yesterday"), ("to", "-5"), ("from", "99999999999999"), ("to", "1.5")] {
            let e = parse_range(&q(&[(name, bad)]), 10_000, 3600).unwrap_err();
            assert_eq!(e.code(), "Proxy.InvalidParameter");
            assert!(e.to_string().starts_with(name), "{e}");
        }
        assert_eq!(
            parse_range(&q(&[("from", "20"), ("to", "10")]), 0, 1).unwrap(),
            (20, 10),
            "an empty range"
        );
    }

    #[test]
    fn points_are_bounded() {
        assert_eq!(parse_points(&q(&[])).unwrap(), DEFAULT_POINTS);
        assert_eq!(parse_points(&q(&[("points", "5000")])).unwrap(), 5000);
        for bad in ["0", "5001", "x", "-1"] {
            let e = parse_points(&q(&[("points", bad)])).unwrap_err();
            assert!(e.to_string().starts_with("points"), "{e}");
        }
    }

    #[test]
    fn queries_refuse_unknown_repeated_and_empty_parameters() {
        assert!(query_params(Some("from=1&to=2"), &["from", "to"]).is_ok());
        for bad in ["nope=1", "from=1&from=2", "from="] {
            assert_eq!(
                query_params(Some(bad), &["from", "to"]).unwrap_err().code(),
                "Proxy.InvalidParameter"
            );
        }
    }

    #[test]
    fn csv_guards_formulas_and_masks_nothing_it_should_keep() {
        let s = HistorySample {
            t: 0,
            stage: Some("increment".into()),
            not_yet_replayed_bytes: Some(5),
            ..Default::default()
        };
        let e = HistoryEvent {
            kind: EventKind::DetailLine,
            task_id: Some(7),
            observed_after: Some(0),
            observed_at: 30,
            at: None,
            from: None,
            to: None,
            text: Some("=HYPERLINK(\"x\")".into()),
            duration_min_secs: None,
            duration_max_secs: None,
        };
        let text = String::from_utf8(to_csv(&[s], &[e]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("record,time,stage"));
        assert!(lines[1].starts_with("sample,1970-01-01T00:00:00Z,increment,"), "{}", lines[1]);
        assert!(lines[2].starts_with("detail_line,1970-01-01T00:00:30Z,"), "{}", lines[2]);
        assert!(lines[2].contains("\"'=HYPERLINK(\"\"x\"\")\""), "{}", lines[2]);
    }
}
