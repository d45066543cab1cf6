//! `DescribeCloudMigrationResult`: request, response and one migration task.

use crate::de;
use crate::secret::SecretString;
use crate::stage::{MigrateStage, ReplicationState, SourceCategory};
use serde::{Deserialize, Serialize};

/// One cloud-migration task (an element of `Items`). Every response field of the seed document,
/// with the wire names it uses. Reading is tolerant: strings `"null"`/`""` and JSON `null` read as
/// `None` (except `TargetEip`, below); numbers may come as strings; unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MigrationTask {
    /// The migration log (`[Section]`, `Check ...: outcome`, `time --- event`); see `detail`.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Creation time, ISO-8601 UTC.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub gmt_created: Option<String>,
    /// Last change, ISO-8601 UTC.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub gmt_modified: Option<String>,
    #[serde(default, deserialize_with = "de::opt_wire", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>, example = "switch"))]
    pub migrate_stage: Option<MigrateStage>,
    /// A JSON object inside a string; see `ReplicationInfo::parse`.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub replication_info: Option<String>,
    #[serde(default, deserialize_with = "de::opt_wire", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>, example = "streaming"))]
    pub replication_state: Option<ReplicationState>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub source_account: Option<String>,
    #[serde(default, deserialize_with = "de::opt_wire", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>, example = "ecsOnVpc"))]
    pub source_category: Option<SourceCategory>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,
    /// Echoed by the service. Never printed by Debug; the proxy removes it from every answer.
    #[serde(default, deserialize_with = "opt_secret", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub source_password: Option<SecretString>,
    #[serde(default, deserialize_with = "de::opt_u32", skip_serializing_if = "Option::is_none")]
    pub source_port: Option<u32>,
    /// Switchover time, ISO-8601 UTC.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub switch_time: Option<String>,
    /// Reserved by the service ("the query result is empty"); the seed shows the string `"null"`.
    /// Kept verbatim (only JSON `null` is `None`) so a task passed through reads as the service
    /// sent it; use [`MigrationTask::target_eip_value`] for a value to display.
    #[serde(default, deserialize_with = "de::opt_string_verbatim", skip_serializing_if = "Option::is_none")]
    pub target_eip: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub target_instance_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u64", skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
}

/// `Option<SecretString>`; `null` is `None`. An empty or `"null"` password is kept as sent:
/// it is never shown, and the simulator must echo exactly what it was given.
pub(crate) fn opt_secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(SecretString::new(s)),
        other => Some(SecretString::new(other.to_string())),
    })
}

impl MigrationTask {
    /// `TargetEip` for display: `None` when absent, empty or the placeholder `"null"`.
    pub fn target_eip_value(&self) -> Option<&str> {
        self.target_eip.as_deref().filter(|s| !de::is_null_text(s))
    }

    /// A copy without `SourcePassword` (what the proxy returns).
    pub fn without_password(&self) -> MigrationTask {
        MigrationTask { source_password: None, ..self.clone() }
    }

    /// `GmtCreated` as UTC.
    pub fn gmt_created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.gmt_created.as_deref().and_then(crate::time::parse_utc)
    }

    /// `GmtModified` as UTC.
    pub fn gmt_modified_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.gmt_modified.as_deref().and_then(crate::time::parse_utc)
    }

    /// `SwitchTime` as UTC.
    pub fn switch_time_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.switch_time.as_deref().and_then(crate::time::parse_utc)
    }
}

/// `DescribeCloudMigrationResult` response. Paging counters default to 0 and `RequestId` to ""
/// when missing, so a partial body still reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeCloudMigrationResultResponse {
    #[serde(default, deserialize_with = "de::vec_lenient")]
    pub items: Vec<MigrationTask>,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub page_number: u64,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub page_size: u64,
    #[serde(default, deserialize_with = "de::string_lenient")]
    pub request_id: String,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub total_size: u64,
}

/// `DescribeCloudMigrationResult` request parameters, with Alibaba's names on the wire.
/// `DBInstanceName`, `PageNumber` and `PageSize` are required by the service; [`Self::new`]
/// fills the paging with 1 and 30.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeCloudMigrationResultRequest {
    #[serde(rename = "DBInstanceName", default, deserialize_with = "de::string_lenient")]
    pub db_instance_name: String,
    #[serde(default, deserialize_with = "de::opt_u64", skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u32", skip_serializing_if = "Option::is_none")]
    pub source_port: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u32", skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u32>,
    #[serde(default, deserialize_with = "de::opt_u32", skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// The page size the UI uses by default (DESIGN.md).
pub const DEFAULT_PAGE_SIZE: u32 = 30;

impl DescribeCloudMigrationResultRequest {
    pub const ACTION: &'static str = "DescribeCloudMigrationResult";

    /// A request for page 1 of 30 tasks on one instance.
    pub fn new(db_instance_name: impl Into<String>) -> Self {
        Self {
            db_instance_name: db_instance_name.into(),
            page_number: Some(1),
            page_size: Some(DEFAULT_PAGE_SIZE),
            ..Self::default()
        }
    }

    /// Query pairs with Alibaba's parameter names, in the documented order; absent filters are
    /// left out and an empty `DBInstanceName` is not sent.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        migration_query_pairs(
            &self.db_instance_name,
            self.task_id,
            self.task_name.as_deref(),
            self.source_ip_address.as_deref(),
            self.source_port,
            self.page_number,
            self.page_size,
        )
    }

    /// Same as [`Self::query_pairs`].
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        self.query_pairs()
    }
}

/// Shared by the two migration list actions, which take the same parameters.
pub(crate) fn migration_query_pairs(
    db_instance_name: &str,
    task_id: Option<u64>,
    task_name: Option<&str>,
    source_ip_address: Option<&str>,
    source_port: Option<u32>,
    page_number: Option<u32>,
    page_size: Option<u32>,
) -> Vec<(String, String)> {
    let mut q = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            q.push((k.to_string(), v));
        }
    };
    push("DBInstanceName", Some(db_instance_name.to_string()));
    push("TaskId", task_id.map(|v| v.to_string()));
    push("TaskName", task_name.map(str::to_string));
    push("SourceIpAddress", source_ip_address.map(str::to_string));
    push("SourcePort", source_port.map(|v| v.to_string()));
    push("PageNumber", page_number.map(|v| v.to_string()));
    push("PageSize", page_size.map(|v| v.to_string()));
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tolerant_task() {
        let t: MigrationTask = serde_json::from_value(json!({
            "Detail": "null",
            "GmtCreated": null,
            "MigrateStage": "Increment",
            "ReplicationState": "paused",
            "SourceCategory": "IDCONVPC",
            "SourcePort": "5432",
            "TaskId": "440437220",
            "TargetEip": "null",
            "SourcePassword": "p",
            "Unknown": {"x": 1}
        }))
        .unwrap();
        assert_eq!(t.detail, None);
        assert_eq!(t.gmt_created, None);
        assert_eq!(t.migrate_stage, Some(MigrateStage::Increment));
        assert_eq!(t.replication_state, Some(ReplicationState::Other("paused".into())));
        assert_eq!(t.source_category, Some(SourceCategory::IdcOnVpc));
        assert_eq!(t.source_port, Some(5432));
        assert_eq!(t.task_id, Some(440437220));
        assert_eq!(t.target_eip.as_deref(), Some("null"));
        assert_eq!(t.target_eip_value(), None);
        assert!(!format!("{t:?}").contains("\"p\""));
        let out = serde_json::to_value(t.without_password()).unwrap();
        assert!(out.get("SourcePassword").is_none());
        assert!(out.get("Detail").is_none());
        assert_eq!(out["SourceCategory"], "idcOnVpc");
    }

    #[test]
    fn empty_and_odd_responses() {
        let r: DescribeCloudMigrationResultResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(r, DescribeCloudMigrationResultResponse::default());
        let r: DescribeCloudMigrationResultResponse =
            serde_json::from_str(r#"{"Items":null,"PageNumber":"2","PageSize":"30","TotalSize":"31","RequestId":"R"}"#).unwrap();
        assert_eq!((r.items.len(), r.page_number, r.page_size, r.total_size), (0, 2, 30, 31));
        assert_eq!(r.request_id, "R");
    }

    #[test]
    fn request_query_pairs() {
        let mut r = DescribeCloudMigrationResultRequest::new("pgm-bp102g323jd4****");
        r.task_id = Some(440437220);
        r.source_port = Some(5432);
        r.task_name = Some(String::new());
        let q = r.query_pairs();
        let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["DBInstanceName", "TaskId", "SourcePort", "PageNumber", "PageSize"]);
        assert_eq!(q[1].1, "440437220");
        assert_eq!(q[4].1, "30");
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["DBInstanceName"], "pgm-bp102g323jd4****");
        assert_eq!(v["PageSize"], 30);
    }
}
