//! The simulator's wire protocol: every request on `/` is checked like the service checks it
//! (signature, timestamp, nonce), then dispatched by action.
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::world::World;
use super::Simulator;
use crate::signing::verify::{self, IncomingRequest};

/// Largest request body the simulator reads (the service's own limit is not published).
const MAX_BODY: usize = 64 * 1024;

pub fn router(sim: Arc<Simulator>) -> Router {
    Router::new().route("/", any(handle)).fallback(not_found).with_state(sim)
}

/// An error as the service sends it.
pub struct SimError {
    status: StatusCode,
    code: String,
    message: String,
}

impl SimError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> SimError {
        SimError { status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), code: code.into(), message: message.into() }
    }

    fn missing(param: &str) -> SimError {
        SimError::new(400, format!("Missing{param}"), format!("{param} is mandatory for this action."))
    }

    fn invalid(param: &str) -> SimError {
        SimError::new(400, format!("Invalid{param}"), format!("The specified parameter {param} is not valid."))
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let request_id = crate::error::new_request_id();
        let body = json!({
            "RequestId": request_id,
            "HostId": "rds.aliyuncs.com",
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!("https://api.alibabacloud.com/troubleshoot?q={}&product=Rds&requestId={}", self.code, request_id),
        });
        (self.status, Json(body)).into_response()
    }
}

async fn not_found() -> Response {
    SimError::new(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.").into_response()
}

async fn handle(State(sim): State<Arc<Simulator>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    match handle_inner(&sim, &method, &uri, &headers, &body) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

fn handle_inner(sim: &Simulator, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Value, SimError> {
    if method != Method::GET && method != Method::POST {
        return Err(SimError::new(400, "UnsupportedHTTPMethod", "The specified HTTP method is not supported."));
    }
    if body.len() > MAX_BODY {
        return Err(SimError::new(400, "InvalidParameter", "The request body is too large."));
    }
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let form: Vec<(String, String)> = if is_form { form_urlencoded::parse(body).into_owned().collect() } else { Vec::new() };
    let header_pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
        .collect();

    let now = sim.now();
    let incoming = IncomingRequest {
        method: method.as_str(),
        path: uri.path(),
        query: &query,
        form: &form,
        headers: &header_pairs,
        body,
    };
    let verified = verify::verify(&incoming, &|id: &str| sim.key(id), now)
        .map_err(|e| SimError::new(e.http_status(), e.code(), e.message()))?;
    if !sim.fresh_nonce(&verified.nonce, now) {
        return Err(SimError::new(400, "SignatureNonceUsed", "Specified signature nonce was used already."));
    }

    // Operation parameters: query and form, without the RPC signing parameters.
    const COMMON: &[&str] = &[
        "AccessKeyId", "Action", "Version", "Format", "Signature", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken", "RegionId",
    ];
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    let mut region = None;
    for (k, v) in query.iter().chain(form.iter()) {
        if k == "RegionId" {
            region = Some(v.clone());
        }
        if !COMMON.contains(&k.as_str()) {
            params.insert(k.clone(), v.clone());
        }
    }
    let action = verified
        .action
        .clone()
        .or_else(|| query.iter().chain(form.iter()).find(|(k, _)| k == "Action").map(|(_, v)| v.clone()))
        .ok_or_else(|| SimError::missing("Action"))?;
    if let Some(version) = &verified.version {
        if version != crate::upstream::RDS_API_VERSION {
            return Err(SimError::new(404, "InvalidVersion", format!("Specified version {version:?} is not valid for this product.")));
        }
    }
    let p = Params { map: params, region };
    let mut answer = match action.as_str() {
        "DescribeCloudMigrationResult" => describe_migration(sim, &p, false)?,
        "DescribeCloudMigrationPrecheckResult" => describe_migration(sim, &p, true)?,
        "DescribeDBInstances" => describe_db_instances(sim.world(), &p)?,
        "DescribeRegions" => describe_regions(),
        _ => {
            return Err(SimError::new(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method."));
        }
    };
    answer["RequestId"] = Value::String(crate::error::new_request_id());
    Ok(answer)
}

struct Params {
    map: BTreeMap<String, String>,
    region: Option<String>,
}

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, SimError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| SimError::missing(name))
    }

    fn int(&self, name: &str) -> Result<Option<u64>, SimError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| SimError::invalid(name)),
        }
    }

    fn required_int(&self, name: &str) -> Result<u64, SimError> {
        self.required(name)?;
        self.int(name)?.ok_or_else(|| SimError::missing(name))
    }
}

/// DescribeCloudMigrationResult and DescribeCloudMigrationPrecheckResult: filters are exact
/// matches, applied before paging; TotalSize counts the filtered tasks.
fn describe_migration(sim: &Simulator, p: &Params, precheck: bool) -> Result<Value, SimError> {
    let instance = p.required("DBInstanceName")?;
    let page_number = p.required_int("PageNumber")?;
    let page_size = p.required_int("PageSize")?;
    if page_number == 0 {
        return Err(SimError::invalid("PageNumber"));
    }
    let size_ok = if precheck { (30..=100).contains(&page_size) } else { (1..=100).contains(&page_size) };
    if !size_ok {
        return Err(SimError::invalid("PageSize"));
    }
    let task_id = p.int("TaskId")?;
    let source_port = p.int("SourcePort")?;
    let task_name = p.get("TaskName");
    let source_ip = p.get("SourceIpAddress");

    let world = sim.world();
    if world.instance(instance).is_none() {
        return Err(SimError::new(404, "InvalidDBInstanceName.NotFound", "The database instance does not exist."));
    }
    let now = sim.now();
    let tasks = if precheck { world.prechecks_of(instance, now) } else { world.tasks_of(instance, now) };
    let matching: Vec<Value> = tasks
        .into_iter()
        .filter(|t| task_id.is_none_or(|id| t["TaskId"].as_u64() == Some(id)))
        .filter(|t| task_name.is_none_or(|n| t["TaskName"].as_str() == Some(n)))
        .filter(|t| source_ip.is_none_or(|ip| t["SourceIpAddress"].as_str() == Some(ip)))
        .filter(|t| source_port.is_none_or(|port| t["SourcePort"].as_u64() == Some(port)))
        .collect();
    let total = matching.len();
    let skip = ((page_number - 1).saturating_mul(page_size)).min(usize::MAX as u64) as usize;
    let items: Vec<Value> = matching.into_iter().skip(skip).take(page_size as usize).collect();
    Ok(json!({
        "Items": items,
        "PageNumber": page_number,
        "PageSize": page_size,
        "RequestId": "",
        "TotalSize": total,
    }))
}

fn describe_db_instances(world: &World, p: &Params) -> Result<Value, SimError> {
    let region = p.region.as_deref().filter(|r| !r.is_empty()).ok_or_else(|| SimError::missing("RegionId"))?;
    let page_number = p.int("PageNumber")?.unwrap_or(1);
    let page_size = p.int("PageSize")?.unwrap_or(30);
    if page_number == 0 {
        return Err(SimError::invalid("PageNumber"));
    }
    if !(1..=100).contains(&page_size) {
        return Err(SimError::invalid("PageSize"));
    }
    if let Some(engine) = p.get("Engine") {
        if !["MySQL", "SQLServer", "PostgreSQL", "MariaDB"].contains(&engine) {
            return Err(SimError::invalid("Engine"));
        }
    }
    let matching: Vec<Value> = world
        .instances()
        .iter()
        .filter(|i| i.region == region)
        .filter(|_| p.get("Engine").is_none_or(|e| e == "PostgreSQL"))
        .filter(|i| p.get("DBInstanceId").is_none_or(|id| id.split(',').any(|x| x == i.id)))
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
    let skip = ((page_number - 1).saturating_mul(page_size)).min(usize::MAX as u64) as usize;
    let items: Vec<Value> = matching.into_iter().skip(skip).take(page_size as usize).collect();
    Ok(json!({
        "Items": {"DBInstance": items.clone()},
        "PageNumber": page_number,
        "PageRecordCount": items.len(),
        "TotalRecordCount": total,
        "NextToken": "",
        "RequestId": "",
    }))
}

/// One entry per zone, as the service answers.
fn describe_regions() -> Value {
    let regions: Vec<Value> = World::regions()
        .flat_map(|(id, name, zones)| {
            zones.iter().map(move |zone| {
                json!({
                    "RegionId": id,
                    "ZoneId": zone,
                    "LocalName": name,
                    "ZoneName": format!("{name} Zone {}", zone.rsplit('-').next().unwrap_or("").to_uppercase()),
                    "RegionEndpoint": crate::upstream::endpoint_for_region(id).trim_start_matches("https://"),
                })
            })
        })
        .collect();
    json!({"Regions": {"RDSRegion": regions}, "RequestId": ""})
}
