//! The only module that talks HTTP: typed calls to the proxy with gloo-net, one `AbortController`
//! per request (aborted when the resource that made it re-runs or goes away). Every URL starts
//! with the runtime base path (`url::api_url`).
//!
//! Each call returns `Result<Fetched<T>, ApiError>`: [`Fetched`] carries the body decoded with the
//! model's serde derives and what the proxy said about its freshness (`X-Proxy-Stale`,
//! `X-Proxy-Cache`); [`ApiError`] tells a network failure from an Alibaba-shaped error body, a
//! bare HTTP status and an unreadable body. [`read_answer`] is pure and unit-tested natively.

use crate::url::{api_url, segment, TaskListQuery};
use migration_model::contract::{self, HEADER_CACHE, HEADER_STALE, PRECHECK_PAGE_SIZE_MIN};
use migration_model::history::{InstanceHistory, TaskHistory, WatchList};
use migration_model::{
    ApiErrorBody, DescribeCloudMigrationPrecheckResultRequest, DescribeCloudMigrationPrecheckResultResponse,
    DescribeCloudMigrationResultRequest, DescribeCloudMigrationResultResponse, DescribeDbInstancesRequest,
    DescribeDbInstancesResponse, DescribeRegionsRequest, DescribeRegionsResponse, MigrationTask,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;

/// A decoded answer and what the proxy said about its freshness.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    /// The decoded body.
    pub data: T,
    /// `Some(age in seconds)` when the proxy served a saved answer after an upstream failure.
    pub stale_age_secs: Option<u64>,
    /// The `X-Proxy-Cache` header as sent (`hit`, `miss`, `stale`, `coalesced`), if any.
    pub cache: Option<String>,
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never got an HTTP answer (offline, connection refused, aborted), or the body
    /// could not be read.
    Network {
        /// The browser's description, for the technical detail.
        detail: String,
    },
    /// A non-2xx answer with Alibaba's error body. Proxy-made errors have codes starting `Proxy.`.
    Api {
        /// HTTP status.
        status: u16,
        /// The decoded body.
        body: ApiErrorBody,
    },
    /// A non-2xx answer whose body is not an error body (an HTML page from a gateway, say).
    Http {
        /// HTTP status.
        status: u16,
    },
    /// A 2xx answer whose body could not be decoded as the expected type.
    Decode {
        /// HTTP status.
        status: u16,
        /// The decoder's message, for the technical detail.
        detail: String,
    },
}

impl ApiError {
    /// The error `Code`, when the answer carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { body, .. } if !body.code.is_empty() => Some(&body.code),
            _ => None,
        }
    }

    /// The `RequestId`, when the answer carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Api { body, .. } if !body.request_id.is_empty() => Some(&body.request_id),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Network { .. } => None,
            ApiError::Api { status, .. } | ApiError::Http { status } | ApiError::Decode { status, .. } => {
                Some(*status)
            }
        }
    }

    /// `network`, `api`, `http` or `decode`, for `data-error-kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Network { .. } => "network",
            ApiError::Api { .. } => "api",
            ApiError::Http { .. } => "http",
            ApiError::Decode { .. } => "decode",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network { detail } => write!(f, "network error: {detail}"),
            ApiError::Api { status, body } => write!(f, "HTTP {status}: {body}"),
            ApiError::Http { status } => write!(f, "HTTP {status} without an error body"),
            ApiError::Decode { status, detail } => write!(f, "HTTP {status}: unreadable body: {detail}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// What the history routes answer on a proxy without a store, said without asking it (the
    /// session already told).
    pub fn history_off() -> ApiError {
        ApiError::Api {
            status: 404,
            body: ApiErrorBody { code: "Proxy.HistoryNotConfigured".to_owned(), ..ApiErrorBody::default() },
        }
    }
}

/// Whether to ask for history, from the session: `Some(false)` when the proxy said it keeps none,
/// `None` while the session is loading; a session that failed to load does not stop the asking.
pub fn history_kept(session: Option<Option<Session>>) -> Option<bool> {
    match session {
        None => None,
        Some(Some(s)) => Some(s.history),
        Some(None) => Some(true),
    }
}

/// What `GET {base}/api/session` answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Session {
    /// The signed-in user, if the proxy knows one.
    pub user: Option<String>,
    /// `demo` or `live` (anything but `demo` is treated as live).
    pub mode: String,
    /// The proxy's configured region.
    pub region: Option<String>,
    /// The proxy's version.
    pub version: Option<String>,
    /// Whether the proxy keeps history (has a store): without it the app does not ask.
    pub history: bool,
}

impl Session {
    /// True when the proxy serves the simulator's demo data.
    pub fn is_demo(&self) -> bool {
        self.mode.eq_ignore_ascii_case("demo")
    }
}

// The alerts answers' wire types are the model's, stated once for the proxy and the app; the
// views name them through this module.
use migration_model::alerts::{AlertDeliveries, AlertEpisodes};
pub use migration_model::alerts::{AlertDelivery, AlertDestination, AlertEpisode, AlertRule, AlertRules};

/// Which episodes to ask for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpisodeQuery {
    pub region: Option<String>,
    pub instance: Option<String>,
    pub task_id: Option<u64>,
    pub firing_only: bool,
    pub limit: Option<u32>,
}

impl EpisodeQuery {
    /// The query pairs of `GET {base}/api/alerts/episodes`.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |k: &str, v: String| out.push((k.to_owned(), v));
        if let Some(r) = &self.region {
            push("RegionId", r.clone());
        }
        if let Some(i) = &self.instance {
            push("DBInstanceName", i.clone());
        }
        if let Some(t) = self.task_id {
            push("TaskId", t.to_string());
        }
        if self.firing_only {
            push("firing", "true".to_owned());
        }
        if let Some(l) = self.limit {
            push("limit", l.clamp(1, 500).to_string());
        }
        out
    }
}

/// One task as the detail page shows it: typed, and as the proxy sent it (indented JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct TaskAnswer {
    /// The task.
    pub task: MigrationTask,
    /// The task's JSON object, indented for reading.
    pub raw: String,
}

/// Reads `X-Proxy-Stale`: whole seconds (a fraction is cut off). A present but odd value still
/// marks the answer stale (age 0): the header's presence is what matters.
pub fn parse_stale(header: Option<&str>) -> Option<u64> {
    let v = header?.trim();
    Some(v.split('.').next().unwrap_or("").parse::<u64>().unwrap_or(0))
}

/// Turns a status, the freshness headers and the body text into the call's result: on 2xx the
/// body decoded as `T`, else the error it describes.
pub fn read_answer<T: DeserializeOwned>(
    status: u16,
    stale: Option<&str>,
    cache: Option<&str>,
    text: &str,
) -> Result<Fetched<T>, ApiError> {
    if (200..300).contains(&status) {
        let data = serde_json::from_str::<T>(text)
            .map_err(|e| ApiError::Decode { status, detail: e.to_string() })?;
        Ok(Fetched {
            data,
            stale_age_secs: parse_stale(stale),
            cache: cache.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        })
    } else {
        Err(match ApiErrorBody::parse(text) {
            Some(body) => ApiError::Api { status, body },
            None => ApiError::Http { status },
        })
    }
}

/// Finds task `task_id` in a DescribeCloudMigrationResult answer; `Ok(None)` when the answer is
/// well formed but holds no such task.
pub fn find_task(v: serde_json::Value, task_id: u64) -> Result<Option<TaskAnswer>, serde_json::Error> {
    let raw_items = v.get("Items").and_then(|i| i.as_array()).cloned().unwrap_or_default();
    let page: DescribeCloudMigrationResultResponse = serde_json::from_value(v)?;
    Ok(page.items.iter().position(|t| t.task_id == Some(task_id)).map(|i| TaskAnswer {
        task: page.items[i].clone(),
        raw: raw_items.get(i).and_then(|item| serde_json::to_string_pretty(item).ok()).unwrap_or_default(),
    }))
}

/// The Alibaba parameters of the task-list call for this instance and URL state.
pub fn task_list_request(instance: &str, query: &TaskListQuery) -> DescribeCloudMigrationResultRequest {
    DescribeCloudMigrationResultRequest {
        db_instance_name: instance.to_owned(),
        task_id: query.task_id,
        task_name: query.task_name.clone(),
        source_ip_address: query.source_ip.clone(),
        source_port: query.source_port,
        page_number: Some(query.page),
        page_size: Some(query.size),
    }
}

/// The Alibaba parameters of the precheck-list call for this instance and URL state.
pub fn precheck_list_request(
    instance: &str,
    query: &TaskListQuery,
) -> DescribeCloudMigrationPrecheckResultRequest {
    DescribeCloudMigrationPrecheckResultRequest {
        db_instance_name: instance.to_owned(),
        task_id: query.task_id,
        task_name: query.task_name.clone(),
        source_ip_address: query.source_ip.clone(),
        source_port: query.source_port,
        page_number: Some(query.page),
        page_size: Some(query.size.max(PRECHECK_PAGE_SIZE_MIN)),
    }
}

/// The query pairs of an RDS call: `RegionId` first, then the action's own parameters.
pub fn rds_params(region: &str, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = vec![("RegionId".to_owned(), region.to_owned())];
    out.extend(pairs.into_iter().filter(|(k, _)| k != "RegionId"));
    out
}

/// `watch/{region}/{instance}`, each a path segment.
pub fn watch_path(region: &str, instance: &str) -> String {
    format!("watch/{}/{}", segment(region), segment(instance))
}

/// `history/{region}/{instance}[/tasks/{task}]`.
pub fn history_path(region: &str, instance: &str, task: Option<u64>) -> String {
    let base = format!("history/{}/{}", segment(region), segment(instance));
    match task {
        Some(t) => format!("{base}/tasks/{t}"),
        None => base,
    }
}

/// `from`, `to` (Unix seconds) and `points`.
pub fn range_params(from: i64, to: i64, points: Option<usize>) -> Vec<(String, String)> {
    let mut out =
        vec![("from".to_owned(), from.max(0).to_string()), ("to".to_owned(), to.max(0).to_string())];
    if let Some(p) = points {
        out.push(("points".to_owned(), p.to_string()));
    }
    out
}

/// The proxy's API, at a base path. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
}

impl Api {
    /// The API under this (normalized) base path: `""` or `/segment...`.
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// `GET {base}/api/session`.
    pub async fn session(&self) -> Result<Fetched<Session>, ApiError> {
        self.get("session", &[]).await
    }

    /// DescribeCloudMigrationResult: one page of an instance's tasks.
    pub async fn migration_tasks(
        &self,
        region: &str,
        request: &DescribeCloudMigrationResultRequest,
    ) -> Result<Fetched<DescribeCloudMigrationResultResponse>, ApiError> {
        let params = rds_params(region, request.query_pairs());
        self.get(&format!("rds/{}", DescribeCloudMigrationResultRequest::ACTION), &params).await
    }

    /// DescribeCloudMigrationPrecheckResult: one page of an instance's precheck reports.
    pub async fn prechecks(
        &self,
        region: &str,
        request: &DescribeCloudMigrationPrecheckResultRequest,
    ) -> Result<Fetched<DescribeCloudMigrationPrecheckResultResponse>, ApiError> {
        let params = rds_params(region, request.query_pairs());
        self.get(&format!("rds/{}", DescribeCloudMigrationPrecheckResultRequest::ACTION), &params).await
    }

    /// One task by its ID (DescribeCloudMigrationResult filtered by `TaskId`); `None` inside when
    /// the service returns no task with that ID.
    pub async fn migration_task(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
    ) -> Result<Fetched<Option<TaskAnswer>>, ApiError> {
        let mut request = DescribeCloudMigrationResultRequest::new(instance);
        request.task_id = Some(task_id);
        let params = rds_params(region, request.query_pairs());
        let answer: Fetched<serde_json::Value> =
            self.get(&format!("rds/{}", DescribeCloudMigrationResultRequest::ACTION), &params).await?;
        let stale = answer.stale_age_secs;
        let cache = answer.cache.clone();
        let found = find_task(answer.data, task_id)
            .map_err(|e| ApiError::Decode { status: 200, detail: e.to_string() })?;
        Ok(Fetched { data: found, stale_age_secs: stale, cache })
    }

    /// DescribeRegions: the regions (one entry per zone; de-duplicate with `unique_regions`).
    pub async fn regions(&self) -> Result<Fetched<DescribeRegionsResponse>, ApiError> {
        let params = DescribeRegionsRequest::default().query_pairs();
        self.get(&format!("rds/{}", DescribeRegionsRequest::ACTION), &params).await
    }

    /// DescribeDBInstances: one page (up to 100) of a region's PostgreSQL primaries.
    pub async fn instances(
        &self,
        region: &str,
        page: u32,
    ) -> Result<Fetched<DescribeDbInstancesResponse>, ApiError> {
        let mut request = DescribeDbInstancesRequest::postgresql_primaries(region);
        request.page_number = Some(page.max(1));
        request.page_size = Some(contract::INSTANCE_PAGE_SIZE_MAX);
        let params = rds_params(region, request.query_pairs());
        self.get(&format!("rds/{}", DescribeDbInstancesRequest::ACTION), &params).await
    }

    /// `GET {base}/api/watch`: the watched instances the caller may see.
    pub async fn watch_list(&self) -> Result<Fetched<WatchList>, ApiError> {
        self.get("watch", &[]).await
    }

    /// `POST {base}/api/watch/{region}/{instance}` (admin group only).
    pub async fn add_watch(&self, region: &str, instance: &str) -> Result<(), ApiError> {
        self.change("POST", &watch_path(region, instance)).await
    }

    /// `DELETE {base}/api/watch/{region}/{instance}` (admin group only).
    pub async fn remove_watch(&self, region: &str, instance: &str) -> Result<(), ApiError> {
        self.change("DELETE", &watch_path(region, instance)).await
    }

    /// `GET {base}/api/history/{region}/{instance}?from&to`: per-task sparklines and last changes.
    pub async fn instance_history(
        &self,
        region: &str,
        instance: &str,
        from: i64,
        to: i64,
    ) -> Result<Fetched<InstanceHistory>, ApiError> {
        self.get(&history_path(region, instance, None), &range_params(from, to, None)).await
    }

    /// `GET {base}/api/history/{region}/{instance}/tasks/{task}?from&to&points`.
    pub async fn task_history(
        &self,
        region: &str,
        instance: &str,
        task: u64,
        from: i64,
        to: i64,
        points: usize,
    ) -> Result<Fetched<TaskHistory>, ApiError> {
        self.get(&history_path(region, instance, Some(task)), &range_params(from, to, Some(points))).await
    }

    /// The address of a task's history export (a download: a link, not a fetch).
    pub fn export_href(&self, region: &str, instance: &str, task: u64, format: &str) -> String {
        let path = format!("{}/export", history_path(region, instance, Some(task)));
        api_url(&self.base, &path, &[("format".to_owned(), format.to_owned())])
    }

    /// `GET {base}/api/alerts/rules`: the rules in effect and the destinations by name.
    pub async fn alert_rules(&self) -> Result<Fetched<AlertRules>, ApiError> {
        self.get("alerts/rules", &[]).await
    }

    /// `GET {base}/api/alerts/deliveries?limit=N`, newest first.
    pub async fn alert_deliveries(&self, limit: u32) -> Result<Fetched<Vec<AlertDelivery>>, ApiError> {
        let params = [("limit".to_owned(), limit.clamp(1, 500).to_string())];
        let f: Fetched<AlertDeliveries> = self.get("alerts/deliveries", &params).await?;
        Ok(Fetched { data: f.data.deliveries, stale_age_secs: f.stale_age_secs, cache: f.cache })
    }

    /// `GET {base}/api/alerts/episodes?...`, newest first.
    pub async fn alert_episodes(&self, query: &EpisodeQuery) -> Result<Fetched<Vec<AlertEpisode>>, ApiError> {
        let f: Fetched<AlertEpisodes> = self.get("alerts/episodes", &query.params()).await?;
        Ok(Fetched { data: f.data.episodes, stale_age_secs: f.stale_age_secs, cache: f.cache })
    }

    /// Sends a state change: JSON (the proxy refuses anything else, against cross-site forms).
    async fn change(&self, method: &str, rest: &str) -> Result<(), ApiError> {
        let url = api_url(&self.base, rest, &[]);
        let network = |e: gloo_net::Error| ApiError::Network { detail: e.to_string() };
        let builder = match method {
            "DELETE" => gloo_net::http::Request::delete(&url),
            _ => gloo_net::http::Request::post(&url),
        };
        let response = builder
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .body("{}")
            .map_err(network)?
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let text = response.text().await.map_err(network)?;
        read_answer::<serde_json::Value>(status, None, None, &text).map(|_| ())
    }

    /// The one place that sends a request: `GET {base}/api/{rest}?{params}`. The request's
    /// `AbortController` is aborted when the reactive owner polling this future is cleaned up
    /// (its resource re-runs, or the page goes away).
    async fn get<T: DeserializeOwned>(
        &self,
        rest: &str,
        params: &[(String, String)],
    ) -> Result<Fetched<T>, ApiError> {
        let url = api_url(&self.base, rest, params);
        let (status, stale, cache, text) = send(&url).await?;
        read_answer(status, stale.as_deref(), cache.as_deref(), &text)
    }
}

/// Sends one GET: status, the two freshness headers and the body text.
async fn send(url: &str) -> Result<(u16, Option<String>, Option<String>, String), ApiError> {
    let network = |e: gloo_net::Error| ApiError::Network { detail: e.to_string() };
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    if let Some(c) = controller {
        let c = send_wrapper::SendWrapper::new(c);
        leptos::prelude::on_cleanup(move || c.abort());
    }
    let response = gloo_net::http::Request::get(url)
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(network)?;
    let headers = response.headers();
    let (stale, cache) = (headers.get(HEADER_STALE), headers.get(HEADER_CACHE));
    let text = response.text().await.map_err(network)?;
    Ok((response.status(), stale, cache, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_answers_decode_with_freshness() {
        let r: Fetched<Session> = read_answer(
            200,
            None,
            Some("miss"),
            r#"{"user":"alice","mode":"demo","region":"cn-hangzhou","version":"0.1.0"}"#,
        )
        .unwrap();
        assert!(r.data.is_demo());
        assert_eq!(r.data.user.as_deref(), Some("alice"));
        assert_eq!((r.stale_age_secs, r.cache.as_deref()), (None, Some("miss")));
        let r: Fetched<Session> =
            read_answer(200, Some("42"), Some("stale"), r#"{"user":null,"mode":"live"}"#).unwrap();
        assert!(!r.data.is_demo());
        assert_eq!(r.stale_age_secs, Some(42));
        assert_eq!(r.data.mode, "live");
    }

    #[test]
    fn task_pages_decode_with_the_model_derives() {
        let body = r#"{"Items":[{"TaskId":440437220,"TaskName":"t","MigrateStage":"switch",
            "ReplicationState":"streaming","SourceIpAddress":"172.16.0.1","SourcePort":5432}],
            "PageNumber":1,"PageSize":30,"TotalSize":1,"RequestId":"R"}"#;
        let r: Fetched<DescribeCloudMigrationResultResponse> = read_answer(200, None, None, body).unwrap();
        assert_eq!(r.data.items[0].task_id, Some(440437220));
        assert_eq!(r.data.total_size, 1);
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let found = find_task(v.clone(), 440437220).unwrap().unwrap();
        assert_eq!(found.task.task_name.as_deref(), Some("t"));
        assert!(found.raw.contains("\n  \"MigrateStage\": \"switch\""), "{}", found.raw);
        assert_eq!(find_task(v, 1).unwrap(), None);
    }

    #[test]
    fn errors_are_classified() {
        let e = read_answer::<Session>(
            403,
            None,
            None,
            r#"{"RequestId":"R-1","Code":"Proxy.Forbidden","Message":"no"}"#,
        )
        .unwrap_err();
        assert_eq!((e.code(), e.request_id(), e.status()), (Some("Proxy.Forbidden"), Some("R-1"), Some(403)));
        let e = read_answer::<Session>(502, None, None, "<html>Bad gateway</html>").unwrap_err();
        assert_eq!(e, ApiError::Http { status: 502 });
        let e = read_answer::<Session>(200, None, None, "not json").unwrap_err();
        assert!(matches!(e, ApiError::Decode { status: 200, .. }));
        let e = read_answer::<DescribeCloudMigrationResultResponse>(200, None, None, "[1,2]").unwrap_err();
        assert_eq!(e.kind(), "decode");
    }

    #[test]
    fn history_addresses() {
        assert_eq!(history_path("cn-hangzhou", "pgm-x", Some(7)), "history/cn-hangzhou/pgm-x/tasks/7");
        assert_eq!(watch_path("cn-hangzhou", "pgm-x"), "watch/cn-hangzhou/pgm-x");
        let p = range_params(-5, 10, Some(500));
        assert_eq!(p[0], ("from".to_owned(), "0".to_owned()));
        assert_eq!(p.len(), 3);
        assert_eq!(
            Api::new("/m").export_href("cn-hangzhou", "pgm-x", 7, "csv"),
            "/m/api/history/cn-hangzhou/pgm-x/tasks/7/export?format=csv"
        );
    }

    #[test]
    fn alert_answers_decode_and_episode_queries_encode() {
        let e: Fetched<AlertEpisodes> = read_answer(
            200,
            None,
            None,
            r#"{"episodes":[{"id":3,"rule":"disconnected","kind":"disconnected","severity":"critical",
            "regionId":"cn-hangzhou","dbInstanceName":"pgm-x","taskId":8,"status":"firing","startedAt":100,
            "firedAt":160,"lastNotifiedAt":160,"notifications":1,"figures":{"state":"disconnect"}}]}"#,
        )
        .unwrap();
        let ep = &e.data.episodes[0];
        assert!(ep.is_firing());
        assert_eq!((ep.task_id, ep.started_at, ep.resolved_at), (Some(8), 100, None));
        let q = EpisodeQuery {
            instance: Some("pgm-x".into()),
            task_id: Some(8),
            limit: Some(9000),
            ..EpisodeQuery::default()
        };
        let keys: Vec<String> = q.params().into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(keys, ["DBInstanceName=pgm-x", "TaskId=8", "limit=500"]);
        let r: Fetched<AlertRules> = read_answer(
            200,
            None,
            None,
            r#"{"defaultRules":true,"evaluating":true,"rules":[{"name":"lag_high","kind":"lag_high",
            "severity":"warning","forSecs":600,"repeatIntervalSecs":14400,"thresholdBytes":1024,
            "regions":[],"instances":[],"groups":[],"destinations":["ops"]}],
            "destinations":[{"name":"ops","kind":"slack","language":"id","signed":false}]}"#,
        )
        .unwrap();
        assert_eq!(r.data.rules[0].threshold_bytes, Some(1024));
        assert_eq!(r.data.destinations[0].language, "id");
    }

    #[test]
    fn stale_header() {
        assert_eq!(parse_stale(None), None);
        assert_eq!(parse_stale(Some(" 17 ")), Some(17));
        assert_eq!(parse_stale(Some("3.7")), Some(3));
        assert_eq!(parse_stale(Some("soon")), Some(0));
    }

    #[test]
    fn task_list_parameters() {
        let q = TaskListQuery { page: 2, size: 10, source_port: Some(5432), ..TaskListQuery::default() };
        let pairs = rds_params("cn-hangzhou", task_list_request("pgm-x", &q).query_pairs());
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["RegionId", "DBInstanceName", "SourcePort", "PageNumber", "PageSize"]);
        assert_eq!(precheck_list_request("pgm-x", &q).page_size, Some(30));
    }
}
