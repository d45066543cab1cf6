//! `DescribeDBInstances`: the fields an instance picker needs.

use crate::de;
use serde::{Deserialize, Serialize};

/// One RDS instance (an element of `Items.DBInstance`). Only picker fields are typed; the rest
/// of the service's answer is ignored here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DbInstance {
    #[serde(rename = "DBInstanceId", default, deserialize_with = "de::string_lenient")]
    pub db_instance_id: String,
    #[serde(
        rename = "DBInstanceDescription",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_description: Option<String>,
    #[serde(
        rename = "Engine",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engine: Option<String>,
    #[serde(
        rename = "EngineVersion",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engine_version: Option<String>,
    #[serde(
        rename = "DBInstanceStatus",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_status: Option<String>,
    #[serde(
        rename = "DBInstanceType",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_type: Option<String>,
    #[serde(
        rename = "RegionId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_id: Option<String>,
    #[serde(
        rename = "ZoneId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub zone_id: Option<String>,
    #[serde(
        rename = "VpcId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub vpc_id: Option<String>,
    #[serde(
        rename = "VSwitchId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub vswitch_id: Option<String>,
    #[serde(
        rename = "InstanceNetworkType",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_network_type: Option<String>,
    #[serde(
        rename = "DBInstanceClass",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_class: Option<String>,
    #[serde(
        rename = "Category",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
    #[serde(
        rename = "DBInstanceStorageType",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_storage_type: Option<String>,
    #[serde(
        rename = "ConnectionString",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_string: Option<String>,
    #[serde(
        rename = "CreateTime",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<String>,
    #[serde(
        rename = "ExpireTime",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expire_time: Option<String>,
    #[serde(
        rename = "LockMode",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub lock_mode: Option<String>,
    #[serde(
        rename = "PayType",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_type: Option<String>,
    #[serde(
        rename = "ResourceGroupId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_group_id: Option<String>,
}

impl DbInstance {
    /// True for PostgreSQL instances (the only engine cloud migration supports).
    pub fn is_postgresql(&self) -> bool {
        self.engine.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("postgresql"))
    }

    /// True for primary instances (migration needs a primary; read-only ones are refused).
    pub fn is_primary(&self) -> bool {
        self.db_instance_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("primary"))
    }

    /// What to show in a picker: the description when there is one, else the ID.
    pub fn display_name(&self) -> &str {
        self.db_instance_description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(&self.db_instance_id)
    }
}

/// The `Items` wrapper: `{"DBInstance": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DbInstanceItems {
    #[serde(rename = "DBInstance", default, deserialize_with = "de::vec_lenient")]
    pub db_instance: Vec<DbInstance>,
}

/// `DescribeDBInstances` response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeDbInstancesResponse {
    #[serde(rename = "Items", default, deserialize_with = "items_lenient")]
    pub items: DbInstanceItems,
    #[serde(rename = "PageNumber", default, deserialize_with = "de::u64_lenient")]
    pub page_number: u64,
    #[serde(rename = "PageRecordCount", default, deserialize_with = "de::u64_lenient")]
    pub page_record_count: u64,
    #[serde(rename = "TotalRecordCount", default, deserialize_with = "de::u64_lenient")]
    pub total_record_count: u64,
    #[serde(
        rename = "NextToken",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_token: Option<String>,
    #[serde(rename = "RequestId", default, deserialize_with = "de::string_lenient")]
    pub request_id: String,
}

/// `Items` as documented (`{"DBInstance":[...]}`), or a bare array, or null.
fn items_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DbInstanceItems, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    let list = match v {
        serde_json::Value::Object(mut m) => m.remove("DBInstance").unwrap_or(serde_json::Value::Null),
        other => other,
    };
    match list {
        serde_json::Value::Null => Ok(DbInstanceItems::default()),
        serde_json::Value::String(ref s) if de::is_null_text(s) => Ok(DbInstanceItems::default()),
        serde_json::Value::Array(a) => a
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<DbInstance>, _>>()
            .map(|db_instance| DbInstanceItems { db_instance })
            .map_err(D::Error::custom),
        other => Err(D::Error::custom(format!("expected Items.DBInstance list, found {other}"))),
    }
}

impl DescribeDbInstancesResponse {
    pub fn instances(&self) -> &[DbInstance] {
        &self.items.db_instance
    }
}

/// `DescribeDBInstances` request: the parameters a picker uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeDbInstancesRequest {
    /// Required by the service; the proxy fills its configured region when absent.
    #[serde(
        rename = "RegionId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_id: Option<String>,
    #[serde(
        rename = "Engine",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engine: Option<String>,
    #[serde(
        rename = "DBInstanceId",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_id: Option<String>,
    #[serde(
        rename = "DBInstanceStatus",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_status: Option<String>,
    #[serde(
        rename = "DBInstanceType",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub db_instance_type: Option<String>,
    #[serde(
        rename = "SearchKey",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub search_key: Option<String>,
    #[serde(
        rename = "PageNumber",
        default,
        deserialize_with = "de::opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_number: Option<u32>,
    #[serde(
        rename = "PageSize",
        default,
        deserialize_with = "de::opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u32>,
    #[serde(
        rename = "NextToken",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_token: Option<String>,
    #[serde(
        rename = "MaxResults",
        default,
        deserialize_with = "de::opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_results: Option<u32>,
}

impl DescribeDbInstancesRequest {
    pub const ACTION: &'static str = "DescribeDBInstances";

    /// PostgreSQL primaries in a region, page 1 of 30: what the picker lists.
    pub fn postgresql_primaries(region_id: impl Into<String>) -> Self {
        Self {
            region_id: Some(region_id.into()),
            engine: Some("PostgreSQL".into()),
            db_instance_type: Some("Primary".into()),
            page_number: Some(1),
            page_size: Some(crate::contract::INSTANCE_PAGE_SIZE_DEFAULT),
            ..Self::default()
        }
    }

    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let fields: [(&str, Option<String>); 10] = [
            ("RegionId", self.region_id.clone()),
            ("Engine", self.engine.clone()),
            ("DBInstanceId", self.db_instance_id.clone()),
            ("DBInstanceStatus", self.db_instance_status.clone()),
            ("DBInstanceType", self.db_instance_type.clone()),
            ("SearchKey", self.search_key.clone()),
            ("PageNumber", self.page_number.map(|v| v.to_string())),
            ("PageSize", self.page_size.map(|v| v.to_string())),
            ("NextToken", self.next_token.clone()),
            ("MaxResults", self.max_results.map(|v| v.to_string())),
        ];
        fields
            .into_iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
            .collect()
    }

    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        self.query_pairs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"Items":{"DBInstance":[
        {"DBInstanceId":"pgm-bp102g323jd4demo","DBInstanceDescription":"","Engine":"PostgreSQL",
         "EngineVersion":"14.0","DBInstanceStatus":"Running","DBInstanceType":"Primary",
         "RegionId":"cn-hangzhou","ZoneId":"cn-hangzhou-h","VpcId":"vpc-1","VSwitchId":"vsw-1",
         "InstanceNetworkType":"VPC","DBInstanceClass":"pg.n2.small.1","Category":"Basic",
         "DBInstanceStorageType":"cloud_essd","ConnectionString":"pgm-x.pg.rds.aliyuncs.com",
         "CreateTime":"2022-02-20T08:00:00Z","ExpireTime":"","LockMode":"Unlock","PayType":"Postpaid",
         "ResourceGroupId":"rg-1","MutriORsignle":false}]},
        "PageNumber":1,"PageRecordCount":1,"TotalRecordCount":1,"NextToken":"o7PORW5o2TJg","RequestId":"R"}"#;

    #[test]
    fn reads_nested_items() {
        let r: DescribeDbInstancesResponse = serde_json::from_str(SAMPLE).unwrap();
        let i = &r.instances()[0];
        assert_eq!(i.db_instance_id, "pgm-bp102g323jd4demo");
        assert!(i.is_postgresql() && i.is_primary());
        assert_eq!(i.display_name(), "pgm-bp102g323jd4demo");
        assert_eq!(i.vswitch_id.as_deref(), Some("vsw-1"));
        assert_eq!(i.expire_time, None);
        assert_eq!((r.page_number, r.page_record_count, r.total_record_count), (1, 1, 1));
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["Items"]["DBInstance"][0]["DBInstanceId"], "pgm-bp102g323jd4demo");
    }

    #[test]
    fn tolerant_items() {
        for body in [r#"{}"#, r#"{"Items":null}"#, r#"{"Items":{}}"#, r#"{"Items":{"DBInstance":null}}"#] {
            let r: DescribeDbInstancesResponse = serde_json::from_str(body).unwrap();
            assert!(r.instances().is_empty(), "{body}");
        }
        let r: DescribeDbInstancesResponse =
            serde_json::from_str(r#"{"Items":[{"DBInstanceId":"a"}]}"#).unwrap();
        assert_eq!(r.instances()[0].db_instance_id, "a");
    }

    #[test]
    fn request_pairs() {
        let q = DescribeDbInstancesRequest::postgresql_primaries("cn-hangzhou").query_pairs();
        let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["RegionId", "Engine", "DBInstanceType", "PageNumber", "PageSize"]);
    }
}
