//! The only module that talks HTTP: typed calls to the proxy (DESIGN.md, "The proxy's HTTP
//! contract"). Every URL starts with the runtime base path; nothing here hard-codes `/api`
//! without it.
//!
//! Each call returns `Result<Fetched<T>, ApiError>`: [`Fetched`] carries the decoded body and
//! what the proxy said about its freshness (`X-Proxy-Stale`, `X-Proxy-Cache`); [`ApiError`] tells a
//! network failure from an Alibaba-shaped error body, a bare HTTP status and an unreadable body.
//! The classification of an answer ([`read_answer`]) is pure and unit-tested natively; only
//! [`Api::get_json`] touches the browser.

use crate::routes::{api_url, encode_component, TaskListQuery};
use migration_model::{
    ApiErrorBody, DescribeCloudMigrationPrecheckResultRequest, DescribeCloudMigrationPrecheckResultResponse,
    DescribeCloudMigrationResultRequest, DescribeCloudMigrationResultResponse, DescribeDbInstancesRequest,
    DescribeDbInstancesResponse, DescribeRegionsRequest, DescribeRegionsResponse, Lang, MigrationTask,
};
use serde_json::Value;
use std::fmt;

/// Response header: the answer is a cached copy served after an upstream failure; its value is
/// the copy's age in seconds.
pub const HEADER_STALE: &str = "X-Proxy-Stale";
/// Response header: `hit|miss|stale|coalesced` (informative).
pub const HEADER_CACHE: &str = "X-Proxy-Cache";

/// A decoded answer and what the proxy said about its freshness.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched<T> {
    /// The decoded body.
    pub data: T,
    /// `Some(age in seconds)` when the proxy served a cached answer after an upstream failure.
    pub stale_age_secs: Option<u64>,
    /// The `X-Proxy-Cache` header as sent (`hit`, `miss`, `stale`, `coalesced`), if any.
    pub cache: Option<String>,
}

impl<T> Fetched<T> {
    /// True when this is a cached answer served because the cloud service did not answer.
    pub fn is_stale(&self) -> bool {
        self.stale_age_secs.is_some()
    }

    /// The same freshness information around other data.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fetched<U> {
        Fetched { data: f(self.data), stale_age_secs: self.stale_age_secs, cache: self.cache }
    }
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never got an HTTP answer (offline, DNS, connection refused, aborted), or the
    /// body could not be read.
    Network {
        /// The browser's description, for the technical detail.
        detail: String,
    },
    /// A non-2xx answer with Alibaba's error body (`Code`, `RequestId`, `Message`[, `Recommend`]).
    /// Proxy-made errors have codes starting `Proxy.`.
    Api {
        /// HTTP status.
        status: u16,
        /// The decoded body.
        body: ApiErrorBody,
    },
    /// A non-2xx answer whose body is not an error body (for example an HTML page from a
    /// gateway).
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

    /// True for the proxy's own errors (`Proxy.*`).
    pub fn is_proxy_error(&self) -> bool {
        self.code().is_some_and(|c| c.starts_with("Proxy."))
    }

    /// A plain-language sentence for people, in `lang`: the model's error catalogue for known
    /// codes (and a message by class for unknown ones), the app's own strings otherwise.
    pub fn plain_message(&self, lang: Lang) -> String {
        use crate::i18n::{t, tf, Key};
        match self {
            ApiError::Network { .. } => t(lang, Key::ErrorNetwork).to_owned(),
            ApiError::Api { status, body } => body.plain_message(*status, lang).to_owned(),
            ApiError::Http { status } => tf(lang, Key::ErrorHttp, &[("status", &status.to_string())]),
            ApiError::Decode { .. } => t(lang, Key::ErrorDecode).to_owned(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network { detail } => write!(f, "network error: {detail}"),
            ApiError::Api { status, body } => write!(f, "HTTP {status}: {body}"),
            ApiError::Http { status } => write!(f, "HTTP {status} without an error body"),
            ApiError::Decode { status, detail } => {
                write!(f, "HTTP {status}: unreadable body: {detail}")
            }
        }
    }
}

impl std::error::Error for ApiError {}

/// What `GET {base}/api/session` answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The signed-in user, if the proxy knows one.
    pub user: Option<String>,
    /// `demo` or `live` (kept as sent; anything but `demo` is treated as live).
    pub mode: String,
    /// The proxy's configured region.
    pub region: Option<String>,
    /// The proxy's version.
    pub version: Option<String>,
}

impl Session {
    /// Reads the session object; fields that are missing or odd are left empty.
    pub fn from_json(v: &Value) -> Option<Session> {
        let m = v.as_object()?;
        let s = |k: &str| m.get(k).and_then(migration_model::json::opt_string);
        Some(Session {
            user: s("user"),
            mode: s("mode").unwrap_or_default(),
            region: s("region"),
            version: s("version"),
        })
    }

    /// True when the proxy serves the simulator's demo data.
    pub fn is_demo(&self) -> bool {
        self.mode.eq_ignore_ascii_case("demo")
    }
}

/// Turns a status, the freshness headers and the body text into the call's result: on 2xx the
/// body parsed as JSON, else the error it describes.
pub fn read_answer(
    status: u16,
    stale_header: Option<&str>,
    cache_header: Option<&str>,
    text: &str,
) -> Result<Fetched<Value>, ApiError> {
    let parsed = serde_json::from_str::<Value>(text);
    if (200..300).contains(&status) {
        match parsed {
            Ok(data) => Ok(Fetched {
                data,
                stale_age_secs: parse_stale(stale_header),
                cache: cache_header.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
            }),
            Err(e) => Err(ApiError::Decode { status, detail: e.to_string() }),
        }
    } else {
        Err(match parsed.ok().as_ref().and_then(ApiErrorBody::from_json) {
            Some(body) => ApiError::Api { status, body },
            None => ApiError::Http { status },
        })
    }
}

/// Reads a decoded body with `read`; a body of the wrong shape is a [`ApiError::Decode`].
pub fn typed<T>(
    answer: Result<Fetched<Value>, ApiError>,
    read: impl FnOnce(&Value) -> Option<T>,
) -> Result<Fetched<T>, ApiError> {
    let answer = answer?;
    let data = read(&answer.data).ok_or_else(|| ApiError::Decode {
        status: 200,
        detail: "the answer does not have the expected shape".to_owned(),
    })?;
    Ok(answer.map(|_| data))
}

/// One task as the detail page shows it: typed, and as the proxy sent it (indented JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct TaskAnswer {
    /// The task.
    pub task: MigrationTask,
    /// The task's JSON object, indented for reading.
    pub raw: String,
}

/// Finds task `task_id` in a DescribeCloudMigrationResult answer; `Some(None)` when the answer
/// is well formed but holds no such task.
pub fn find_task(v: &Value, task_id: u64) -> Option<Option<TaskAnswer>> {
    let page = DescribeCloudMigrationResultResponse::from_json(v)?;
    let index = page.items.iter().position(|t| t.task_id == Some(task_id));
    Some(index.map(|i| {
        let raw = v
            .get("Items")
            .and_then(|items| items.get(i))
            .map(|item| crate::display::pretty_json(&item.to_string()))
            .unwrap_or_default();
        TaskAnswer { task: page.items[i].clone(), raw }
    }))
}

/// Reads `X-Proxy-Stale`: a whole number of seconds (a fraction is cut off). A present but odd
/// value still marks the answer stale (age 0), because the header's presence is what matters.
pub fn parse_stale(header: Option<&str>) -> Option<u64> {
    let v = header?.trim();
    let whole = v.split('.').next().unwrap_or("");
    Some(whole.parse::<u64>().unwrap_or(0))
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
        page_size: Some(query.size.max(DescribeCloudMigrationPrecheckResultRequest::PAGE_SIZE_MIN)),
    }
}

/// The query pairs of an RDS call: the action's own parameters plus `RegionId`.
pub fn rds_params(region: &str, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(pairs.len() + 1);
    out.push(("RegionId".to_owned(), region.to_owned()));
    out.extend(pairs.into_iter().filter(|(k, _)| k != "RegionId"));
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

    /// The base path.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET {base}/api/session`.
    pub async fn session(&self) -> Result<Fetched<Session>, ApiError> {
        typed(self.get("session", Vec::new()).await, Session::from_json)
    }

    /// `GET {base}/api/rds/{action}` with `RegionId` and the action's parameters.
    fn rds(&self, action: &str, region: &str, pairs: Vec<(String, String)>) -> LocalFuture<Fetched<Value>> {
        self.get(&format!("rds/{action}"), rds_params(region, pairs))
    }

    /// DescribeCloudMigrationResult: one page of an instance's tasks.
    pub async fn migration_tasks(
        &self,
        region: &str,
        request: &DescribeCloudMigrationResultRequest,
    ) -> Result<Fetched<DescribeCloudMigrationResultResponse>, ApiError> {
        let answer =
            self.rds(DescribeCloudMigrationResultRequest::ACTION, region, request.query_pairs()).await;
        typed(answer, DescribeCloudMigrationResultResponse::from_json)
    }

    /// DescribeCloudMigrationPrecheckResult: one page of an instance's precheck reports.
    pub async fn prechecks(
        &self,
        region: &str,
        request: &DescribeCloudMigrationPrecheckResultRequest,
    ) -> Result<Fetched<DescribeCloudMigrationPrecheckResultResponse>, ApiError> {
        let answer = self
            .rds(DescribeCloudMigrationPrecheckResultRequest::ACTION, region, request.query_pairs())
            .await;
        typed(answer, DescribeCloudMigrationPrecheckResultResponse::from_json)
    }

    /// One task by its ID (DescribeCloudMigrationResult filtered by `TaskId`); `None` inside
    /// when the service returns no task with that ID.
    pub async fn migration_task(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
    ) -> Result<Fetched<Option<TaskAnswer>>, ApiError> {
        let mut request = DescribeCloudMigrationResultRequest::new(instance);
        request.task_id = Some(task_id);
        let answer =
            self.rds(DescribeCloudMigrationResultRequest::ACTION, region, request.query_pairs()).await;
        typed(answer, |v| find_task(v, task_id))
    }

    /// DescribeRegions: the regions (one entry per zone; de-duplicate with `unique_regions`).
    pub async fn regions(&self) -> Result<Fetched<DescribeRegionsResponse>, ApiError> {
        let pairs = DescribeRegionsRequest::default().query_pairs();
        let answer = self.get(&format!("rds/{}", DescribeRegionsRequest::ACTION), pairs).await;
        typed(answer, DescribeRegionsResponse::from_json)
    }

    /// DescribeDBInstances: one page (up to 100) of a region's PostgreSQL primaries.
    pub async fn instances(
        &self,
        region: &str,
        page: u32,
    ) -> Result<Fetched<DescribeDbInstancesResponse>, ApiError> {
        let mut request = DescribeDbInstancesRequest::postgresql_primaries(region);
        request.page_number = Some(page.max(1));
        request.page_size = Some(100);
        let answer = self.rds(DescribeDbInstancesRequest::ACTION, region, request.query_pairs()).await;
        typed(answer, DescribeDbInstancesResponse::from_json)
    }

    /// The one place that sends a request: `GET {base}/api/{rest}?{params}` with `fetch`.
    /// Boxed, so that its code is in the bundle once rather than inlined into every caller's
    /// future.
    fn get(&self, rest: &str, params: Vec<(String, String)>) -> LocalFuture<Fetched<Value>> {
        let url = self.url(rest, &params);
        Box::pin(async move {
            let (status, stale, cache, text) = fetch_text(&url).await.map_err(network_error)?;
            read_answer(status, stale.as_deref(), cache.as_deref(), &text)
        })
    }

    fn url(&self, rest: &str, params: &[(String, String)]) -> String {
        let mut url = api_url(&self.base, rest);
        for (i, (k, v)) in params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_component(k));
            url.push('=');
            url.push_str(&encode_component(v));
        }
        url
    }
}

/// A boxed call in flight.
type LocalFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ApiError>>>>;

fn network_error(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network {
        detail: e
            .as_string()
            .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
            .unwrap_or_else(|| "fetch failed".to_owned()),
    }
}

use wasm_bindgen::JsCast;

/// `fetch(url)`: status, the two freshness headers and the body text.
async fn fetch_text(
    url: &str,
) -> Result<(u16, Option<String>, Option<String>, String), wasm_bindgen::JsValue> {
    use wasm_bindgen_futures::JsFuture;
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "application/json")?;
    init.set_headers(&headers);
    let promise = web_sys::window()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?
        .fetch_with_str_and_init(url, &init);
    let response: web_sys::Response = JsFuture::from(promise).await?.dyn_into()?;
    let h = response.headers();
    let stale = h.get(HEADER_STALE)?;
    let cache = h.get(HEADER_CACHE)?;
    let text = JsFuture::from(response.text()?).await?;
    Ok((response.status(), stale, cache, text.as_string().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_answers_decode_with_freshness() {
        let r = typed(
            read_answer(
                200,
                None,
                Some("miss"),
                r#"{"user":"alice","mode":"demo","region":"cn-hangzhou","version":"0.1.0"}"#,
            ),
            Session::from_json,
        )
        .unwrap();
        assert!(r.data.is_demo());
        assert_eq!(r.data.user.as_deref(), Some("alice"));
        assert!(!r.is_stale());
        assert_eq!(r.cache.as_deref(), Some("miss"));

        let r = typed(
            read_answer(200, Some("42"), Some("stale"), r#"{"user":null,"mode":"live"}"#),
            Session::from_json,
        )
        .unwrap();
        assert!(!r.data.is_demo());
        assert_eq!(r.stale_age_secs, Some(42));
        assert!(r.is_stale());
    }

    #[test]
    fn task_pages_decode() {
        let body = r#"{"Items":[{"TaskId":440437220,"TaskName":"t","MigrateStage":"switch",
            "ReplicationState":"streaming","SourceIpAddress":"172.16.0.1","SourcePort":5432}],
            "PageNumber":1,"PageSize":30,"TotalSize":1,"RequestId":"R"}"#;
        let r = typed(read_answer(200, None, None, body), DescribeCloudMigrationResultResponse::from_json)
            .unwrap();
        assert_eq!(r.data.items.len(), 1);
        assert_eq!(r.data.items[0].task_id, Some(440437220));
        assert_eq!(r.data.total_size, 1);

        let v: Value = serde_json::from_str(body).unwrap();
        let found = find_task(&v, 440437220).unwrap().unwrap();
        assert_eq!(found.task.task_name.as_deref(), Some("t"));
        // Pretty-printed; key order depends on serde_json's preserve_order, which the proxy
        // turns on in a workspace build, so only the shape is checked.
        assert!(found.raw.starts_with("{\n  \""), "{}", found.raw);
        assert!(found.raw.contains("\n  \"MigrateStage\": \"switch\""), "{}", found.raw);
        assert_eq!(find_task(&v, 1), Some(None));
        assert_eq!(find_task(&Value::Null, 1), None);
    }

    #[test]
    fn errors_are_classified() {
        let e =
            read_answer(403, None, None, r#"{"RequestId":"R-1","Code":"Proxy.Forbidden","Message":"no"}"#)
                .unwrap_err();
        assert_eq!(e.code(), Some("Proxy.Forbidden"));
        assert_eq!(e.request_id(), Some("R-1"));
        assert_eq!(e.status(), Some(403));
        assert!(e.is_proxy_error());

        let e = read_answer(502, None, None, "<html>Bad gateway</html>").unwrap_err();
        assert_eq!(e, ApiError::Http { status: 502 });
        assert_eq!(e.code(), None);

        let e = read_answer(200, None, None, "not json").unwrap_err();
        assert!(matches!(e, ApiError::Decode { status: 200, .. }));

        let e = typed(read_answer(200, None, None, "[1,2]"), DescribeCloudMigrationResultResponse::from_json)
            .unwrap_err();
        assert!(matches!(e, ApiError::Decode { .. }));
    }

    #[test]
    fn stale_header() {
        assert_eq!(parse_stale(None), None);
        assert_eq!(parse_stale(Some("0")), Some(0));
        assert_eq!(parse_stale(Some(" 17 ")), Some(17));
        assert_eq!(parse_stale(Some("3.7")), Some(3));
        assert_eq!(parse_stale(Some("soon")), Some(0));
    }

    #[test]
    fn task_list_parameters() {
        let q = TaskListQuery::from_query_string("page=2&size=10&sourcePort=5432");
        let req = task_list_request("pgm-x", &q);
        let pairs = rds_params("cn-hangzhou", req.query_pairs());
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["RegionId", "DBInstanceName", "SourcePort", "PageNumber", "PageSize"]);
        assert_eq!(pairs[0].1, "cn-hangzhou");
        assert_eq!(pairs[3].1, "2");
        assert_eq!(pairs[4].1, "10");
    }
}
