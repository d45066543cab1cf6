//! The simulator's wire protocol. Every request on `/` is checked as the service checks it
//! (signature, timestamp, nonce, STS token expiry), then dispatched by `Version` and `Action`:
//! RDS (2014-08-15) or STS (2015-04-01, see [`super::sts`]). Answers are JSON, or XML when an
//! RPC-style request asks for it or names no `Format` (the RPC default, reference §1.1). With
//! [`super::SimConfig::control`], `/-/faults` is served too ([`super::control`]).
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::map_response_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, put};
use axum::Router;
use chrono::{DateTime, Utc};
use migration_model::contract;
use serde_json::{json, Value};

use super::faults::{throttle_headers, Injected};
use super::world::{TaskFilter, World};
use super::{control, sts, Simulator};
use crate::signing::verify::{self, IncomingRequest};
use crate::upstream::RDS_API_VERSION;

/// Largest request body the simulator reads (the service's own limit is not published).
pub(super) const MAX_BODY: usize = 64 * 1024;

pub fn router(sim: Arc<Simulator>) -> Router {
    let mut routes = Router::new()
        .route("/", any(handle))
        .route("/latest/api/token", put(sts::metadata_token))
        .route("/latest/meta-data/ram/security-credentials", get(sts::metadata_roles))
        .route("/latest/meta-data/ram/security-credentials/", get(sts::metadata_roles))
        .route("/latest/meta-data/ram/security-credentials/{role}", get(sts::metadata_credentials));
    if sim.control {
        // Its own route: the added-latency fault (applied in `handle`) does not reach it.
        routes = routes.route(control::PATH, control::route());
    }
    routes.fallback(not_found).layer(map_response_with_state(sim.clone(), date_header)).with_state(sim)
}

/// Every answer carries the server clock's `Date` (skewed with `--fault-clock-skew-secs`).
async fn date_header(State(sim): State<Arc<Simulator>>, mut response: Response) -> Response {
    let date = sim.server_now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(v) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, v);
    }
    response
}

/// An error as the service sends it.
#[derive(Debug)]
pub struct SimError {
    status: StatusCode,
    code: String,
    message: String,
    headers: Vec<(&'static str, String)>,
}

impl SimError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> SimError {
        SimError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code: code.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn missing(param: &str) -> SimError {
        SimError::new(400, format!("Missing{param}"), format!("{param} is mandatory for this action."))
    }

    pub fn invalid(param: &str) -> SimError {
        SimError::new(
            400,
            format!("Invalid{param}"),
            format!("The specified parameter {param} is not valid."),
        )
    }

    fn not_found_api() -> SimError {
        SimError::new(
            404,
            "InvalidApi.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    fn render(self, format: Format, host: &str) -> Response {
        let request_id = crate::error::new_request_id();
        let product = if host.starts_with("sts.") { "Sts" } else { "Rds" };
        let body = json!({
            "RequestId": request_id,
            "HostId": host,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!("https://api.alibabacloud.com/troubleshoot?q={}&product={product}&requestId={}", self.code, request_id),
        });
        let mut response = encode(self.status, format, "Error", &body, &request_id);
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                response.headers_mut().insert(k, v);
            }
        }
        response
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        self.render(Format::Json, "rds.aliyuncs.com")
    }
}

async fn not_found() -> Response {
    SimError::not_found_api().into_response()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// A body in the answer's format, with the request id header.
fn encode(status: StatusCode, format: Format, root: &str, body: &Value, request_id: &str) -> Response {
    let (content_type, text) = match format {
        // to_vec: faster than Display for large pages (no fmt::Write adapter).
        Format::Json => ("application/json;charset=utf-8", serde_json::to_vec(body).unwrap_or_default()),
        Format::Xml => {
            let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?>");
            xml(root, body, &mut out);
            ("text/xml;charset=utf-8", out.into_bytes())
        }
    };
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], text).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-acs-request-id", v);
    }
    response
}

/// Alibaba's XML form of a JSON answer: objects become elements, arrays repeat their element.
fn xml(name: &str, v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            for item in items {
                xml(name, item, out);
            }
        }
        Value::Object(m) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in m {
                xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape_xml(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// One request on `/`, decoded.
struct Incoming<'a> {
    method: &'a Method,
    uri: &'a Uri,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

impl<'a> Incoming<'a> {
    fn new(method: &'a Method, uri: &'a Uri, headers: &HeaderMap, body: &'a [u8]) -> Incoming<'a> {
        let query = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        let form = if is_form { form_urlencoded::parse(body).into_owned().collect() } else { Vec::new() };
        let headers = headers
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
            .collect();
        Incoming { method, uri, query, form, headers, body }
    }

    /// The first value of a query or form parameter.
    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().chain(self.form.iter()).find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn action(&self) -> Option<&str> {
        self.param("Action").or_else(|| self.header("x-acs-action"))
    }

    fn version(&self) -> Option<&str> {
        self.param("Version").or_else(|| self.header("x-acs-version"))
    }

    /// JSON or XML: `Format` if given; otherwise JSON for V3-style requests (`x-acs-action`),
    /// XML for RPC-style ones (the documented RPC default).
    fn format(&self) -> Format {
        match self.param("Format").map(str::to_ascii_lowercase).as_deref() {
            Some("xml") => Format::Xml,
            Some(_) => Format::Json,
            None if self.header("x-acs-action").is_some() || self.header("authorization").is_some() => {
                Format::Json
            }
            None => Format::Xml,
        }
    }

    fn host_id(&self) -> &'static str {
        if self.version() == Some(sts::STS_API_VERSION) {
            "sts.aliyuncs.com"
        } else {
            "rds.aliyuncs.com"
        }
    }
}

/// What a request on `/` produced.
enum Answer {
    Body {
        root: String,
        body: Value,
    },
    /// 200 with a truncated body (`--fault-malformed-rate`).
    Malformed(Value),
}

async fn handle(
    State(sim): State<Arc<Simulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = sim.faults.latency_ms();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let req = Incoming::new(&method, &uri, &headers, &body);
    let format = req.format();
    match dispatch(&sim, &req).await {
        Ok(Answer::Body { root, mut body }) => {
            let request_id = crate::error::new_request_id();
            if let Some(obj) = body.as_object_mut() {
                obj.insert("RequestId".into(), Value::String(request_id.clone()));
            }
            encode(StatusCode::OK, format, &root, &body, &request_id)
        }
        Ok(Answer::Malformed(body)) => {
            let text = body.to_string();
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
                text[..cut].to_string(),
            )
                .into_response()
        }
        Err(e) => e.render(format, req.host_id()),
    }
}

async fn dispatch(sim: &Arc<Simulator>, req: &Incoming<'_>) -> Result<Answer, SimError> {
    if req.method != Method::GET && req.method != Method::POST {
        return Err(SimError::new(
            400,
            "UnsupportedHTTPMethod",
            "The specified HTTP method is not supported.",
        ));
    }
    if req.body.len() > MAX_BODY {
        return Err(SimError::new(400, "InvalidParameter", "The request body is too large."));
    }
    let params = |name: &str| req.param(name).map(str::to_string);

    // `--fault-sts-unavailable`: every STS action, before its signature is looked at.
    if req.version() == Some(sts::STS_API_VERSION) && sim.faults().sts_unavailable {
        return Err(service_unavailable());
    }

    // The one unsigned operation.
    if req.version() == Some(sts::STS_API_VERSION) && req.action() == Some("AssumeRoleWithOIDC") {
        let body = sts::assume_role_with_oidc(sim, &params)?;
        return Ok(Answer::Body { root: "AssumeRoleWithOIDCResponse".into(), body });
    }

    let now = sim.server_now();
    let incoming = IncomingRequest {
        method: req.method.as_str(),
        path: req.uri.path(),
        query: &req.query,
        form: &req.form,
        headers: &req.headers,
        body: req.body,
    };
    let verified = verify::verify(&incoming, &|id: &str| sim.key(id), now)
        .map_err(|e| SimError::new(e.http_status(), e.code(), e.message()))?;
    if sim.sts.expiry(&verified.access_key_id).is_some_and(|exp| exp <= now) {
        return Err(SimError::new(
            400,
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ));
    }
    if !sim.fresh_nonce(&verified.nonce, now) {
        return Err(SimError::new(400, "SignatureNonceUsed", "Specified signature nonce was used already."));
    }
    let action = verified
        .action
        .as_deref()
        .or_else(|| req.param("Action"))
        .filter(|a| !a.is_empty())
        .ok_or_else(|| SimError::missing("Action"))?;
    tracing::debug!(action, style = ?verified.style, method = %req.method, form = !req.form.is_empty(), sts = verified.access_key_id.starts_with("STS."), "simulator call");
    let version = verified
        .version
        .as_deref()
        .or_else(|| req.param("Version"))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| SimError::missing("Version"))?;
    let root = format!("{action}Response");
    match version {
        RDS_API_VERSION => rds(sim, req, &verified.access_key_id, action, root, now).await,
        sts::STS_API_VERSION => {
            let body = match action {
                "AssumeRole" => sts::assume_role(sim, &params)?,
                "AssumeRoleWithOIDC" => sts::assume_role_with_oidc(sim, &params)?,
                "GetCallerIdentity" => sts::get_caller_identity(sim, &verified.access_key_id),
                _ => return Err(SimError::not_found_api()),
            };
            Ok(Answer::Body { root, body })
        }
        _ => Err(SimError::new(400, "InvalidVersion", "Specified parameter Version is not valid.")),
    }
}

/// An authenticated RDS call, checked at server time `now`: faults first (as a gateway would),
/// then the action.
async fn rds(
    sim: &Arc<Simulator>,
    req: &Incoming<'_>,
    access_key_id: &str,
    action: &str,
    root: String,
    now: DateTime<Utc>,
) -> Result<Answer, SimError> {
    sim.rds_calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let injected = sim.faults.decide(access_key_id, now);
    match injected {
        Injected::Timeout => {
            let hang = Duration::from_millis(sim.faults().timeout_ms);
            tokio::select! {
                _ = tokio::time::sleep(hang) => {}
                _ = sim.shutting_down() => {}
            }
            return Err(service_unavailable());
        }
        Injected::Throttle { limit, time_left_ms } => {
            let mut e = SimError::new(400, "Throttling.User", "Request was denied due to user flow control.");
            e.headers = throttle_headers(limit, time_left_ms, now);
            return Err(e);
        }
        Injected::ServerError(500) => {
            return Err(SimError::new(
                500,
                "InternalError",
                "The request processing has failed due to some unknown error, exception or failure.",
            ));
        }
        Injected::ServerError(_) => return Err(service_unavailable()),
        Injected::Malformed | Injected::None => {}
    }

    // Operation parameters: query and form, without the common (signing) parameters.
    const COMMON: &[&str] = &[
        "AccessKeyId",
        "Action",
        "Version",
        "Format",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "SignatureType",
        "Timestamp",
        "SecurityToken",
        "RegionId",
    ];
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in req.query.iter().chain(req.form.iter()) {
        if !COMMON.contains(&k.as_str()) {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let p = Params { map, region: req.param("RegionId").map(str::to_string) };
    let world_now = sim.now();
    let body = match action {
        "DescribeCloudMigrationResult" => describe_migration(sim.world(), &p, world_now, false)?,
        "DescribeCloudMigrationPrecheckResult" => describe_migration(sim.world(), &p, world_now, true)?,
        "DescribeDBInstances" => describe_db_instances(sim.world(), &p)?,
        "DescribeRegions" => describe_regions(&p),
        _ => return Err(SimError::not_found_api()),
    };
    if injected == Injected::Malformed {
        return Ok(Answer::Malformed(body));
    }
    Ok(Answer::Body { root, body })
}

fn service_unavailable() -> SimError {
    SimError::new(
        503,
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.",
    )
}

struct Params {
    map: BTreeMap<String, String>,
    region: Option<String>,
}

impl Params {
    /// A parameter's value; empty counts as absent (as the service treats it).
    fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, SimError> {
        self.get(name).ok_or_else(|| SimError::missing(name))
    }

    fn int(&self, name: &str) -> Result<Option<u64>, SimError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| SimError::invalid(name)),
        }
    }

    fn required_int(&self, name: &str) -> Result<u64, SimError> {
        self.required(name)?;
        self.int(name)?.ok_or_else(|| SimError::missing(name))
    }
}

/// DescribeCloudMigrationResult and DescribeCloudMigrationPrecheckResult: `DBInstanceName`,
/// `PageNumber` and `PageSize` are required (as the API documents); the filters (`TaskId`,
/// `TaskName`, `SourceIpAddress`, `SourcePort`) are exact matches applied before paging, and
/// `TotalSize` counts what matched. PageSize is 30–100 for prechecks (documented), 1–100 for
/// tasks (no range published): the bounds in `migration_model::contract`.
fn describe_migration(
    world: &World,
    p: &Params,
    now: DateTime<Utc>,
    precheck: bool,
) -> Result<Value, SimError> {
    let instance = p.required("DBInstanceName")?;
    let page_number = p.required_int("PageNumber")?;
    let page_size = p.required_int("PageSize")?;
    if page_number == 0 || page_number > i32::MAX as u64 {
        return Err(SimError::invalid("PageNumber"));
    }
    let (min, max) = if precheck {
        (contract::PRECHECK_PAGE_SIZE_MIN, contract::PRECHECK_PAGE_SIZE_MAX)
    } else {
        (contract::TASK_PAGE_SIZE_MIN, contract::TASK_PAGE_SIZE_MAX)
    };
    let size_ok = (u64::from(min)..=u64::from(max)).contains(&page_size);
    if !size_ok {
        return Err(SimError::invalid("PageSize"));
    }
    let filter = TaskFilter {
        task_id: p.int("TaskId")?,
        task_name: p.get("TaskName"),
        source_ip: p.get("SourceIpAddress"),
        source_port: p.int("SourcePort")?,
    };
    if world.instance(instance).is_none() {
        return Err(SimError::new(
            404,
            "InvalidDBInstanceName.NotFound",
            "The database instance does not exist.",
        ));
    }
    let page = if precheck {
        world.list_prechecks(instance, now, &filter, page_number, page_size)
    } else {
        world.list_tasks(instance, now, &filter, page_number, page_size)
    };
    Ok(json!({
        "Items": page.items,
        "PageNumber": page_number,
        "PageSize": page_size,
        "RequestId": "",
        "TotalSize": page.total,
    }))
}

/// DescribeDBInstances: the instances of `RegionId`, paged by PageNumber/PageSize, or by
/// MaxResults/NextToken (then PageNumber is 1 and TotalRecordCount the page's count, as
/// documented).
fn describe_db_instances(world: &World, p: &Params) -> Result<Value, SimError> {
    let region =
        p.region.as_deref().filter(|r| !r.is_empty()).ok_or_else(|| SimError::missing("RegionId"))?;
    if let Some(engine) = p.get("Engine") {
        if !["MySQL", "SQLServer", "PostgreSQL", "MariaDB"].contains(&engine) {
            return Err(SimError::invalid("Engine"));
        }
    }
    let token_paging = p.get("MaxResults").is_some() || p.get("NextToken").is_some();
    let (skip, size, page_number) = if token_paging {
        let size = p.int("MaxResults")?.unwrap_or(30);
        if !(1..=100).contains(&size) {
            return Err(SimError::invalid("MaxResults"));
        }
        let skip = match p.get("NextToken") {
            None => 0,
            Some(t) => t
                .strip_prefix("nt")
                .and_then(|n| u64::from_str_radix(n, 16).ok())
                .ok_or_else(|| SimError::invalid("NextToken"))?,
        };
        (skip, size, 1)
    } else {
        let page_number = p.int("PageNumber")?.unwrap_or(1);
        let page_size = p.int("PageSize")?.unwrap_or(contract::INSTANCE_PAGE_SIZE_DEFAULT.into());
        if page_number == 0 || page_number > i32::MAX as u64 {
            return Err(SimError::invalid("PageNumber"));
        }
        if !(contract::INSTANCE_PAGE_SIZE_MIN.into()..=contract::INSTANCE_PAGE_SIZE_MAX.into())
            .contains(&page_size)
        {
            return Err(SimError::invalid("PageSize"));
        }
        ((page_number - 1) * page_size, page_size, page_number)
    };
    let matching: Vec<Value> = world
        .instances()
        .iter()
        .filter(|i| i.region == region)
        .filter(|_| p.get("Engine").is_none_or(|e| e == "PostgreSQL"))
        .filter(|i| p.get("DBInstanceId").is_none_or(|id| id.split(',').any(|x| x.trim() == i.id)))
        .filter(|i| p.get("SearchKey").is_none_or(|k| i.id.contains(k) || i.description.contains(k)))
        .filter(|_| p.get("DBInstanceType").is_none_or(|t| t == "Primary"))
        .filter(|_| p.get("DBInstanceStatus").is_none_or(|s| s == "Running"))
        .map(|i| {
            json!({
                "DBInstanceId": i.id,
                "DBInstanceDescription": i.description,
                "Engine": "PostgreSQL",
                "EngineVersion": i.engine_version,
                "DBInstanceStatus": "Running",
                "DBInstanceType": "Primary",
                "RegionId": i.region,
                "ZoneId": i.zone,
                "InstanceNetworkType": "VPC",
                "DBInstanceClass": i.class,
                "Category": "HighAvailability",
                "DBInstanceStorageType": "cloud_essd",
                "PayType": "Postpaid",
                "LockMode": "Unlock",
                "CreateTime": i.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "ExpireTime": "",
                "ConnectionString": format!("{}.pg.rds.aliyuncs.com", i.id),
                "VpcId": "vpc-demo0000000000000000",
                "VSwitchId": "vsw-demo0000000000000000",
                "ResourceGroupId": "rg-demo",
            })
        })
        .collect();
    let total = matching.len();
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let items: Vec<Value> = matching.into_iter().skip(skip).take(size as usize).collect();
    let shown = items.len();
    let next_token = if token_paging && skip.saturating_add(shown) < total {
        format!("nt{:x}", skip + shown)
    } else {
        String::new()
    };
    Ok(json!({
        "Items": {"DBInstance": items},
        "PageNumber": page_number,
        "PageRecordCount": shown,
        "TotalRecordCount": if token_paging { shown } else { total },
        "NextToken": next_token,
        "RequestId": "",
    }))
}

/// DescribeRegions: one entry per zone, as the service answers; `AcceptLanguage=zh-CN` gives
/// Chinese names.
fn describe_regions(p: &Params) -> Value {
    let chinese = p.get("AcceptLanguage") == Some("zh-CN");
    let regions: Vec<Value> = World::regions()
        .flat_map(|(id, en, zh, zones)| {
            zones.iter().map(move |zone| {
                let name = if chinese { zh } else { en };
                let letter = zone.rsplit('-').next().unwrap_or("").trim_start_matches(char::is_numeric).to_uppercase();
                json!({
                    "RegionId": id,
                    "ZoneId": zone,
                    "LocalName": name,
                    "ZoneName": if chinese { format!("{name} 可用区{letter}") } else { format!("{en} Zone {letter}") },
                    "RegionEndpoint": crate::upstream::endpoint_for_region(id).trim_start_matches("https://"),
                })
            })
        })
        .collect();
    json!({"Regions": {"RDSRegion": regions}, "RequestId": ""})
}
