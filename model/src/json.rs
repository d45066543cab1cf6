//! Readers from an already parsed [`serde_json::Value`], for the browser app.
//!
//! They give exactly what the serde derives of this crate give for the same JSON object (the
//! tests below check it on the seed and on arbitrary JSON), but as plain loops over the object's
//! keys. The wasm app parses each body once into a `Value` and reads it with these, so none of
//! the derived `Deserialize` impls (each instantiated once per input type) end up in its bundle.
//! The proxy keeps using serde.
//!
//! Like the derives, the readers are tolerant field by field (see [`crate::de`]); a response
//! fails (`None`) only when it is not an object or when its list holds something other than
//! objects.

use crate::de::{is_null_text, value_to_opt_string, value_to_opt_u64};
use crate::error::ApiErrorBody;
use crate::instances::{DbInstance, DbInstanceItems, DescribeDbInstancesResponse};
use crate::precheck::{DescribeCloudMigrationPrecheckResultResponse, PrecheckTask};
use crate::regions::{DescribeRegionsResponse, RdsRegion, RdsRegions};
use crate::secret::SecretString;
use crate::task::{DescribeCloudMigrationResultResponse, MigrationTask};
use serde_json::{Map, Value};

/// `de::opt_string`.
pub fn opt_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if is_null_text(s) => None,
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => value_to_opt_string(other.clone()),
    }
}

/// `de::string_lenient`.
pub fn string(v: &Value) -> String {
    opt_string(v).unwrap_or_default()
}

/// `de::opt_string_verbatim`.
fn verbatim(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `de::opt_u32`.
fn opt_u32(v: &Value) -> Option<u32> {
    value_to_opt_u64(v).and_then(|n| u32::try_from(n).ok())
}

/// `task::opt_secret`.
fn secret(v: &Value) -> Option<SecretString> {
    verbatim(v).map(SecretString::new)
}

/// `de::opt_wire`.
fn wire<T: From<String>>(v: &Value) -> Option<T> {
    opt_string(v).map(T::from)
}

/// `de::vec_lenient`: missing, `null` or `"null"` is empty; an array; an object wrapping an
/// array once. Anything else is `Err`.
fn list(v: &Value) -> Result<&[Value], ()> {
    match v {
        Value::Null => Ok(&[]),
        Value::String(s) if is_null_text(s) => Ok(&[]),
        Value::Array(a) => Ok(a),
        Value::Object(m) => Ok(m.iter().find_map(|(_, v)| v.as_array()).map_or(&[][..], |a| a)),
        _ => Err(()),
    }
}

/// Reads every element of a list with `read`; `None` if one is not an object.
fn read_all<T>(items: &[Value], read: fn(&Map<String, Value>) -> T) -> Option<Vec<T>> {
    items.iter().map(|item| item.as_object().map(read)).collect()
}

/// The paging fields shared by the two migration lists.
struct Page {
    page_number: u64,
    page_size: u64,
    request_id: String,
    total_size: u64,
}

fn page_fields(m: &Map<String, Value>) -> Page {
    let n = |k: &str| m.get(k).and_then(value_to_opt_u64).unwrap_or(0);
    Page {
        page_number: n("PageNumber"),
        page_size: n("PageSize"),
        request_id: m.get("RequestId").map(string).unwrap_or_default(),
        total_size: n("TotalSize"),
    }
}

fn migration_task(m: &Map<String, Value>) -> MigrationTask {
    let mut t = MigrationTask::default();
    for (k, v) in m {
        match k.as_str() {
            "Detail" => t.detail = opt_string(v),
            "GmtCreated" => t.gmt_created = opt_string(v),
            "GmtModified" => t.gmt_modified = opt_string(v),
            "MigrateStage" => t.migrate_stage = wire(v),
            "ReplicationInfo" => t.replication_info = opt_string(v),
            "ReplicationState" => t.replication_state = wire(v),
            "SourceAccount" => t.source_account = opt_string(v),
            "SourceCategory" => t.source_category = wire(v),
            "SourceIpAddress" => t.source_ip_address = opt_string(v),
            "SourcePassword" => t.source_password = secret(v),
            "SourcePort" => t.source_port = opt_u32(v),
            "SwitchTime" => t.switch_time = opt_string(v),
            "TargetEip" => t.target_eip = verbatim(v),
            "TargetInstanceName" => t.target_instance_name = opt_string(v),
            "TaskId" => t.task_id = value_to_opt_u64(v),
            "TaskName" => t.task_name = opt_string(v),
            _ => {}
        }
    }
    t
}

fn precheck_task(m: &Map<String, Value>) -> PrecheckTask {
    let mut t = PrecheckTask::default();
    for (k, v) in m {
        match k.as_str() {
            "Detail" => t.detail = opt_string(v),
            "GmtCreated" => t.gmt_created = opt_string(v),
            "GmtModified" => t.gmt_modified = opt_string(v),
            "SourceAccount" => t.source_account = opt_string(v),
            "SourceCategory" => t.source_category = wire(v),
            "SourceIpAddress" => t.source_ip_address = opt_string(v),
            "SourcePassword" => t.source_password = secret(v),
            "SourcePort" => t.source_port = opt_u32(v),
            "TargetEip" => t.target_eip = verbatim(v),
            "TargetInstanceName" => t.target_instance_name = opt_string(v),
            "TaskId" => t.task_id = value_to_opt_u64(v),
            "TaskName" => t.task_name = opt_string(v),
            _ => {}
        }
    }
    t
}

fn db_instance(m: &Map<String, Value>) -> DbInstance {
    let mut d = DbInstance::default();
    for (k, v) in m {
        let s = || opt_string(v);
        match k.as_str() {
            "DBInstanceId" => d.db_instance_id = string(v),
            "DBInstanceDescription" => d.db_instance_description = s(),
            "Engine" => d.engine = s(),
            "EngineVersion" => d.engine_version = s(),
            "DBInstanceStatus" => d.db_instance_status = s(),
            "DBInstanceType" => d.db_instance_type = s(),
            "RegionId" => d.region_id = s(),
            "ZoneId" => d.zone_id = s(),
            "VpcId" => d.vpc_id = s(),
            "VSwitchId" => d.vswitch_id = s(),
            "InstanceNetworkType" => d.instance_network_type = s(),
            "DBInstanceClass" => d.db_instance_class = s(),
            "Category" => d.category = s(),
            "DBInstanceStorageType" => d.db_instance_storage_type = s(),
            "ConnectionString" => d.connection_string = s(),
            "CreateTime" => d.create_time = s(),
            "ExpireTime" => d.expire_time = s(),
            "LockMode" => d.lock_mode = s(),
            "PayType" => d.pay_type = s(),
            "ResourceGroupId" => d.resource_group_id = s(),
            _ => {}
        }
    }
    d
}

fn rds_region(m: &Map<String, Value>) -> RdsRegion {
    let mut r = RdsRegion::default();
    for (k, v) in m {
        match k.as_str() {
            "RegionId" => r.region_id = string(v),
            "ZoneId" => r.zone_id = opt_string(v),
            "ZoneName" => r.zone_name = opt_string(v),
            "LocalName" => r.local_name = opt_string(v),
            "RegionEndpoint" => r.region_endpoint = opt_string(v),
            _ => {}
        }
    }
    r
}

/// A wrapped list (`{"DBInstance": [...]}`, `{"RDSRegion": [...]}`) read the way the
/// `items_lenient`/`regions_lenient` deserializers read it: the named key of an object, or the
/// value itself.
fn wrapped<'a>(v: Option<&'a Value>, key: &str) -> Result<&'a [Value], ()> {
    let inner = match v {
        None => return Ok(&[]),
        Some(Value::Object(m)) => match m.get(key) {
            Some(inner) => inner,
            None => return Ok(&[]),
        },
        Some(other) => other,
    };
    match inner {
        Value::Null => Ok(&[]),
        Value::String(s) if is_null_text(s) => Ok(&[]),
        Value::Array(a) => Ok(a),
        _ => Err(()),
    }
}

impl MigrationTask {
    /// Reads a task from a JSON object (as `serde_json::from_value` would); `None` when `v` is
    /// not an object.
    pub fn from_json(v: &Value) -> Option<MigrationTask> {
        v.as_object().map(migration_task)
    }
}

impl DescribeCloudMigrationResultResponse {
    /// Reads a `DescribeCloudMigrationResult` answer (see the module doc).
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.as_object()?;
        let items = match m.get("Items") {
            Some(items) => read_all(list(items).ok()?, migration_task)?,
            None => Vec::new(),
        };
        let p = page_fields(m);
        Some(Self {
            items,
            page_number: p.page_number,
            page_size: p.page_size,
            request_id: p.request_id,
            total_size: p.total_size,
        })
    }
}

impl DescribeCloudMigrationPrecheckResultResponse {
    /// Reads a `DescribeCloudMigrationPrecheckResult` answer (see the module doc).
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.as_object()?;
        let items = match m.get("Items") {
            Some(items) => read_all(list(items).ok()?, precheck_task)?,
            None => Vec::new(),
        };
        let p = page_fields(m);
        Some(Self {
            items,
            page_number: p.page_number,
            page_size: p.page_size,
            request_id: p.request_id,
            total_size: p.total_size,
        })
    }
}

impl DescribeDbInstancesResponse {
    /// Reads a `DescribeDBInstances` answer (see the module doc).
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.as_object()?;
        let db_instance = read_all(wrapped(m.get("Items"), "DBInstance").ok()?, db_instance)?;
        let n = |k: &str| m.get(k).and_then(value_to_opt_u64).unwrap_or(0);
        Some(Self {
            items: DbInstanceItems { db_instance },
            page_number: n("PageNumber"),
            page_record_count: n("PageRecordCount"),
            total_record_count: n("TotalRecordCount"),
            next_token: m.get("NextToken").and_then(opt_string),
            request_id: m.get("RequestId").map(string).unwrap_or_default(),
        })
    }
}

impl DescribeRegionsResponse {
    /// Reads a `DescribeRegions` answer (see the module doc).
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.as_object()?;
        let rds_region = read_all(wrapped(m.get("Regions"), "RDSRegion").ok()?, rds_region)?;
        Some(Self {
            request_id: m.get("RequestId").map(string).unwrap_or_default(),
            regions: RdsRegions { rds_region },
        })
    }
}

impl ApiErrorBody {
    /// Reads an error body from a JSON object; `None` when it is not one (no `Code`), like
    /// [`ApiErrorBody::parse`]. The lower-case spellings are accepted too.
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.as_object()?;
        let mut b = ApiErrorBody::default();
        for (k, v) in m {
            match k.as_str() {
                "RequestId" | "requestId" => b.request_id = string(v),
                "Code" | "code" => b.code = string(v),
                "Message" | "message" => b.message = string(v),
                "Recommend" | "recommend" => b.recommend = opt_string(v),
                _ => {}
            }
        }
        (!b.code.is_empty()).then_some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{seed_example_decoded, SEED_EXAMPLE_RESPONSE};
    use proptest::prelude::*;

    #[test]
    fn seed_reads_as_serde_reads_it() {
        for v in [serde_json::from_str::<Value>(SEED_EXAMPLE_RESPONSE).unwrap(), seed_example_decoded()] {
            let serde: DescribeCloudMigrationResultResponse = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(DescribeCloudMigrationResultResponse::from_json(&v), Some(serde));
        }
    }

    #[test]
    fn lists_and_errors() {
        let v: Value = serde_json::from_str(
            r#"{"Items":{"DBInstance":[{"DBInstanceId":"pgm-a","Engine":"PostgreSQL","Port":5432}]},
                "TotalRecordCount":"1","PageNumber":1,"RequestId":"R"}"#,
        )
        .unwrap();
        let r = DescribeDbInstancesResponse::from_json(&v).unwrap();
        assert_eq!(r.instances()[0].db_instance_id, "pgm-a");
        assert_eq!(r.total_record_count, 1);
        assert_eq!(Some(r), serde_json::from_value::<DescribeDbInstancesResponse>(v).ok());

        let v: Value = serde_json::from_str(r#"{"Items":5}"#).unwrap();
        assert!(DescribeCloudMigrationResultResponse::from_json(&v).is_none());
        assert!(serde_json::from_value::<DescribeCloudMigrationResultResponse>(v).is_err());
        let v: Value = serde_json::from_str(r#"{"Items":["x"]}"#).unwrap();
        assert!(DescribeCloudMigrationResultResponse::from_json(&v).is_none());
        assert!(DescribeCloudMigrationResultResponse::from_json(&Value::Null).is_none());

        let e: Value =
            serde_json::from_str(r#"{"requestId":"R-1","code":"Throttling.User","message":"m"}"#).unwrap();
        let body = ApiErrorBody::from_json(&e).unwrap();
        assert_eq!(body.code, "Throttling.User");
        assert_eq!(Some(body), ApiErrorBody::parse(&e.to_string()));
        assert!(ApiErrorBody::from_json(&serde_json::json!({"Message": "no code"})).is_none());
    }

    /// True when every element of every list inside `v` is an object: serde also reads a struct
    /// from an array (field by position), which the readers deliberately do not.
    fn lists_hold_objects(v: &Value) -> bool {
        let ok = |l: &Value| match l {
            Value::Array(a) => a.iter().all(Value::is_object),
            Value::Object(m) => m.values().all(|x| match x {
                Value::Array(a) => a.iter().all(Value::is_object),
                _ => true,
            }),
            _ => true,
        };
        match v {
            Value::Object(m) => ["Items", "Regions"].iter().all(|k| m.get(*k).is_none_or(ok)),
            _ => true,
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (0u64..100_000).prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
            ".{0,8}".prop_map(Value::from),
            Just(Value::from("null")),
            Just(Value::from("5432")),
            Just(Value::from("streaming")),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("Items".to_string()),
                        Just("DBInstance".to_string()),
                        Just("Regions".to_string()),
                        Just("RDSRegion".to_string()),
                        Just("RegionId".to_string()),
                        Just("DBInstanceId".to_string()),
                        Just("Detail".to_string()),
                        Just("MigrateStage".to_string()),
                        Just("ReplicationState".to_string()),
                        Just("SourceCategory".to_string()),
                        Just("SourcePort".to_string()),
                        Just("SourcePassword".to_string()),
                        Just("TargetEip".to_string()),
                        Just("TaskId".to_string()),
                        Just("TotalSize".to_string()),
                        Just("TotalRecordCount".to_string()),
                        Just("RequestId".to_string()),
                        Just("Code".to_string()),
                        Just("Message".to_string()),
                        Just("Recommend".to_string()),
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// On any JSON object, each reader gives what serde gives.
        #[test]
        fn readers_match_serde(v in arb_json()) {
            prop_assume!(v.is_object() && lists_hold_objects(&v));
            prop_assert_eq!(
                MigrationTask::from_json(&v),
                serde_json::from_value::<MigrationTask>(v.clone()).ok()
            );
            prop_assert_eq!(
                DescribeCloudMigrationResultResponse::from_json(&v),
                serde_json::from_value(v.clone()).ok()
            );
            prop_assert_eq!(
                DescribeCloudMigrationPrecheckResultResponse::from_json(&v),
                serde_json::from_value(v.clone()).ok()
            );
            prop_assert_eq!(
                DescribeDbInstancesResponse::from_json(&v),
                serde_json::from_value(v.clone()).ok()
            );
            prop_assert_eq!(
                DescribeRegionsResponse::from_json(&v),
                serde_json::from_value(v.clone()).ok()
            );
            prop_assert_eq!(
                ApiErrorBody::from_json(&v),
                serde_json::from_value::<ApiErrorBody>(v.clone())
                    .ok()
                    .filter(|b| !b.code.is_empty())
            );
        }
    }
}
