//! `DescribeCloudMigrationPrecheckResult`: the precheck reports of an instance.
//!
//! The service returns no status field: the outcome lives in `Detail` only (parse it with
//! `crate::detail::parse_detail` and read `precheck_verdict`).

use crate::de;
use crate::secret::SecretString;
use crate::stage::SourceCategory;
use crate::task::{migration_query_pairs, opt_secret};
use serde::{Deserialize, Serialize};

/// One precheck task (an element of `Items`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PrecheckTask {
    /// The check report, same log format as `MigrationTask::detail`.
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub gmt_created: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub gmt_modified: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub source_account: Option<String>,
    #[serde(default, deserialize_with = "de::opt_wire", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>, example = "ecsOnVpc"))]
    pub source_category: Option<SourceCategory>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,
    /// Echoed by the service; never printed; stripped by the proxy.
    #[serde(default, deserialize_with = "opt_secret", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub source_password: Option<SecretString>,
    #[serde(default, deserialize_with = "de::opt_u32", skip_serializing_if = "Option::is_none")]
    pub source_port: Option<u32>,
    /// Reserved, kept verbatim like `MigrationTask::target_eip`.
    #[serde(default, deserialize_with = "de::opt_string_verbatim", skip_serializing_if = "Option::is_none")]
    pub target_eip: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub target_instance_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u64", skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
}

impl PrecheckTask {
    pub fn target_eip_value(&self) -> Option<&str> {
        self.target_eip.as_deref().filter(|s| !de::is_null_text(s))
    }

    pub fn without_password(&self) -> PrecheckTask {
        PrecheckTask { source_password: None, ..self.clone() }
    }

    pub fn gmt_created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.gmt_created.as_deref().and_then(crate::time::parse_utc)
    }

    pub fn gmt_modified_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.gmt_modified.as_deref().and_then(crate::time::parse_utc)
    }

    /// `Detail` parsed (an empty log when absent); its `precheck_verdict()` is the outcome.
    pub fn detail_log(&self) -> crate::detail::DetailLog {
        self.detail.as_deref().map(crate::detail::parse_detail).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeCloudMigrationPrecheckResultResponse {
    #[serde(default, deserialize_with = "de::vec_lenient")]
    pub items: Vec<PrecheckTask>,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub page_number: u64,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub page_size: u64,
    #[serde(default, deserialize_with = "de::string_lenient")]
    pub request_id: String,
    #[serde(default, deserialize_with = "de::u64_lenient")]
    pub total_size: u64,
}

/// Request parameters; `PageSize` is documented as 30–100 (default 30) for this action.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeCloudMigrationPrecheckResultRequest {
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

impl DescribeCloudMigrationPrecheckResultRequest {
    pub const ACTION: &'static str = "DescribeCloudMigrationPrecheckResult";
    /// Documented bounds of `PageSize` for this action.
    pub const PAGE_SIZE_MIN: u32 = crate::contract::PRECHECK_PAGE_SIZE_MIN;
    pub const PAGE_SIZE_MAX: u32 = crate::contract::PRECHECK_PAGE_SIZE_MAX;

    pub fn new(db_instance_name: impl Into<String>) -> Self {
        Self {
            db_instance_name: db_instance_name.into(),
            page_number: Some(1),
            page_size: Some(Self::PAGE_SIZE_MIN),
            ..Self::default()
        }
    }

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

    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        self.query_pairs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sdk_shaped_item() {
        let body = r#"{"Items":[{"Detail":"[Check rds empty]\nCheck rds databases: success\n*Migrate check success*",
            "GmtCreated":"2022-02-25T06:57:41Z","SourceCategory":"ecsonvpc","SourcePort":5432,
            "SourcePassword":"123456","TargetEip":"","TaskId":439946016,"TaskName":"slf7w7wj3g"}],
            "PageNumber":1,"PageSize":30,"RequestId":"X","TotalSize":1}"#;
        let r: DescribeCloudMigrationPrecheckResultResponse = serde_json::from_str(body).unwrap();
        let t = &r.items[0];
        assert_eq!(t.task_id, Some(439946016));
        assert_eq!(t.source_category, Some(SourceCategory::EcsOnVpc));
        assert_eq!(t.target_eip_value(), None);
        assert_eq!(t.gmt_created_at().map(|d| d.to_rfc3339()).as_deref(), Some("2022-02-25T06:57:41+00:00"));
        assert!(serde_json::to_value(t.without_password()).unwrap().get("SourcePassword").is_none());
    }

    #[test]
    fn query() {
        let mut r = DescribeCloudMigrationPrecheckResultRequest::new("pgm-x");
        r.source_ip_address = Some("172.16.0.1".into());
        assert_eq!(
            r.query_pairs(),
            vec![
                ("DBInstanceName".to_string(), "pgm-x".to_string()),
                ("SourceIpAddress".to_string(), "172.16.0.1".to_string()),
                ("PageNumber".to_string(), "1".to_string()),
                ("PageSize".to_string(), "30".to_string()),
            ]
        );
    }
}
