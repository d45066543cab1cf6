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

    /// `ReplicationInfo` parsed; `Err(Empty)` when the field is absent.
    pub fn replication(&self) -> Result<crate::replication::ReplicationInfo, crate::error::ParseError> {
        match self.replication_info.as_deref() {
            Some(text) => crate::replication::ReplicationInfo::parse(text),
            None => Err(crate::error::ParseError::Empty),
        }
    }

    /// `Detail` parsed (an empty log when the field is absent).
    pub fn detail_log(&self) -> crate::detail::DetailLog {
        self.detail.as_deref().map(crate::detail::parse_detail).unwrap_or_default()
    }

    /// The replication health at `now` (`Unknown` without readable `ReplicationInfo`, except
    /// that the `finish`/`disconnect` states speak for themselves): an absent or unreadable
    /// `ReplicationInfo` is judged as an empty one, which has no receipt time.
    pub fn health(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        thresholds: &crate::replication::HealthThresholds,
    ) -> crate::replication::Health {
        self.health_verdict(now, thresholds).health
    }

    /// The figures the replication verdicts judge at `now` (see `LinkFigures`).
    pub fn link_figures(&self, now: chrono::DateTime<chrono::Utc>) -> crate::replication::LinkFigures {
        crate::replication::LinkFigures::of(
            self.replication().ok().as_ref(),
            self.replication_state.as_ref(),
            now,
        )
    }

    /// The health verdict with the figures it judged, for a sentence that states them.
    pub fn health_verdict(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        thresholds: &crate::replication::HealthThresholds,
    ) -> crate::replication::HealthVerdict {
        crate::replication::HealthVerdict::judge(self.link_figures(now), thresholds)
    }

    /// Switch readiness at `now`; see `crate::readiness::switch_readiness`.
    pub fn switch_readiness(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        thresholds: &crate::replication::HealthThresholds,
    ) -> crate::readiness::SwitchReadiness {
        crate::readiness::switch_readiness(self, now, thresholds)
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

pub use crate::contract::DEFAULT_PAGE_SIZE;

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
        let r: DescribeCloudMigrationResultResponse = serde_json::from_str(
            r#"{"Items":null,"PageNumber":"2","PageSize":"30","TotalSize":"31","RequestId":"R"}"#,
        )
        .unwrap();
        assert_eq!((r.items.len(), r.page_number, r.page_size, r.total_size), (0, 2, 30, 31));
        assert_eq!(r.request_id, "R");
    }

    /// The seed's example response, verbatim and decoded: every field, and the parsed views agree.
    #[test]
    fn seed_example_in_both_escapings() {
        use crate::seed::{seed_example_decoded, SEED_EXAMPLE_RESPONSE};
        let verbatim: DescribeCloudMigrationResultResponse =
            serde_json::from_str(SEED_EXAMPLE_RESPONSE).unwrap();
        let decoded: DescribeCloudMigrationResultResponse =
            serde_json::from_value(seed_example_decoded()).unwrap();
        for r in [&verbatim, &decoded] {
            assert_eq!((r.page_number, r.page_size, r.total_size), (1, 10, 1));
            assert_eq!(r.request_id, "1B983C48-9793-5EAA-8F7F-00EAEC517675");
            assert_eq!(r.items.len(), 1);
            let t = &r.items[0];
            assert_eq!(t.gmt_created.as_deref(), Some("2022-02-25T08:53:13Z"));
            assert_eq!(t.gmt_modified.as_deref(), Some("2022-03-01T06:39:51Z"));
            assert_eq!(t.migrate_stage, Some(MigrateStage::Switch));
            assert_eq!(t.replication_state, Some(ReplicationState::Streaming));
            assert_eq!(t.source_account.as_deref(), Some("migratetest"));
            assert_eq!(t.source_category, Some(SourceCategory::EcsOnVpc));
            assert_eq!(t.source_ip_address.as_deref(), Some("172.16.XX.XX"));
            assert_eq!(t.source_password.as_ref().map(SecretString::expose), Some("123456"));
            assert_eq!(t.source_port, Some(5432));
            assert_eq!(t.switch_time.as_deref(), Some("2022-03-01T06:40:51Z"));
            assert_eq!(t.target_eip.as_deref(), Some("null"));
            assert_eq!(t.target_instance_name.as_deref(), Some("pgm-bp102g323jd4****"));
            assert_eq!(t.task_id, Some(440437220));
            assert_eq!(t.task_name.as_deref(), Some("362c6c7a-4d20-4eac-898c-1495ceab374c"));
            assert_eq!(
                t.switch_time_at().map(|d| d.to_rfc3339()).as_deref(),
                Some("2022-03-01T06:40:51+00:00")
            );
            assert!(!format!("{t:?}").contains("123456"));
        }
        let (v, d) = (&verbatim.items[0], &decoded.items[0]);
        assert_ne!(v.detail, d.detail, "the escapings differ on the wire");
        assert_eq!(v.detail_log(), d.detail_log());
        assert_eq!(v.replication().unwrap(), d.replication().unwrap());
        assert_eq!(d.detail_log().precheck_verdict(), crate::detail::PrecheckVerdict::PassedWithWarnings);
        let now = crate::time::parse_utc("2022-03-01T06:43:00Z").unwrap();
        let th = crate::replication::HealthThresholds::default();
        assert_eq!(d.health(now, &th), crate::replication::Health::Healthy);
        assert!(!d.switch_readiness(now, &th).ready);
        // Serializing back keeps the wire names; the decoded task round-trips (SourceCategory
        // comes back in its canonical camelCase).
        let back = serde_json::to_value(d).unwrap();
        let mut want = seed_example_decoded()["Items"][0].clone();
        want["SourceCategory"] = serde_json::json!("ecsOnVpc");
        assert_eq!(back, want);
    }

    #[test]
    fn health_without_info() {
        use crate::replication::{Health, HealthThresholds};
        let now = crate::time::parse_utc("2022-03-01T06:43:00Z").unwrap();
        let th = HealthThresholds::default();
        let mut t = MigrationTask {
            replication_state: Some(ReplicationState::Disconnect),
            ..MigrationTask::default()
        };
        assert_eq!(t.health(now, &th), Health::Disconnected);
        t.replication_state = Some(ReplicationState::Finish);
        assert_eq!(t.health(now, &th), Health::Finished);
        t.replication_state = Some(ReplicationState::Streaming);
        assert_eq!(t.health(now, &th), Health::Unknown);
        assert!(t.detail_log().is_empty());
        assert_eq!(t.replication(), Err(crate::error::ParseError::Empty));
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null)),
            ".{0,12}".prop_map(serde_json::Value::from),
            Just(serde_json::Value::from("null")),
            Just(serde_json::Value::from("5432")),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("Items".to_string()),
                        Just("Detail".to_string()),
                        Just("ReplicationInfo".to_string()),
                        Just("MigrateStage".to_string()),
                        Just("SourcePort".to_string()),
                        Just("TaskId".to_string()),
                        Just("SourcePassword".to_string()),
                        Just("PageNumber".to_string()),
                        ".{0,6}".prop_map(|s| s),
                    ],
                    inner,
                    0..6,
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Arbitrary JSON never panics any reader; an object always reads as a task.
        #[test]
        fn readers_never_panic(v in arb_json()) {
            let now = crate::time::parse_utc("2022-03-01T06:43:00Z").unwrap();
            let th = crate::replication::HealthThresholds::default();
            if let Ok(t) = serde_json::from_value::<MigrationTask>(v.clone()) {
                let _ = (t.detail_log(), t.replication(), t.health(now, &th), t.switch_readiness(now, &th));
                let _ = (crate::timeline::timeline(&t, now), crate::attention::attention(&t, now, &th));
            } else {
                proptest::prop_assert!(!v.is_object());
            }
            let _ = serde_json::from_value::<DescribeCloudMigrationResultResponse>(v.clone());
            let _ = serde_json::from_value::<crate::precheck::DescribeCloudMigrationPrecheckResultResponse>(v.clone());
            let _ = serde_json::from_value::<crate::instances::DescribeDbInstancesResponse>(v.clone());
            let _ = serde_json::from_value::<crate::regions::DescribeRegionsResponse>(v.clone());
            let _ = serde_json::from_value::<crate::error::ApiErrorBody>(v);
        }

        #[test]
        fn text_readers_never_panic(s in ".{0,200}") {
            let _ = serde_json::from_str::<DescribeCloudMigrationResultResponse>(&s);
            let _ = crate::time::parse_utc(&s);
            let _ = crate::time::parse_offset_time(&s);
        }
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
