//! The seed document's example, verbatim.
//!
//! `DescribeCloudMigrationResult.id.txt` prints its example response with one extra level of
//! escaping inside `Detail` (`\\n`) and `ReplicationInfo` (`\\\"`). [`SEED_EXAMPLE_RESPONSE`] keeps
//! that text byte for byte; [`seed_example_decoded`] is the same response as the service really
//! sends it (real newlines in `Detail`, ordinary JSON text in `ReplicationInfo`). The simulator
//! serves the decoded form; tests read both.

use serde_json::Value;

/// The example JSON response exactly as the seed document prints it (2-space indent, extra escaping).
pub const SEED_EXAMPLE_RESPONSE: &str = r##"{
  "Items": [
    {
      "Detail": "[Check rds empty]\\nCheck rds databases: success\\n[Check source connectivity]\\nCheck ip connectable: success\\nCheck port connectable: success\\nCheck database connectable: success\\nCheck account replication privilege: success\\nCheck account createrole privilege: success\\nCheck account monitor privilege: success\\n[Check source version]\\nCheck major version consistent: success\\n[Check source glibc version]\\nCheck source glibc version compatible: warning(warning:source glibc version is not compatible with rds pg)\\n[Check disk size]\\nCheck disk size enough: success\\n[Check wal keep size]\\nCheck wal keep size large enough: success\\n[Check spec params]\\nCheck if spec params too large: success\\n[Start RDS instance]\\n2022-02-25 17:00:29 --- Start RDS instance as slave for data replication\\n[Synchronize data]\\n2022-02-25 17:01:05 --- Synchronize data from source to RDS by streaming replication \\n",
      "GmtCreated": "2022-02-25T08:53:13Z",
      "GmtModified": "2022-03-01T06:39:51Z",
      "MigrateStage": "switch",
      "ReplicationInfo": "{\\\"Status\\\":\\\"streaming\\\",\\\"ReceiveStartLsn\\\":\\\"0/3000000\\\",\\\"ReceivedTli\\\":\\\"1\\\",\\\"LatestEndTime\\\":\\\"2022-02-25 17:03:59.3344+08\\\",\\\"Synced\\\":\\\"true\\\",\\\"IsSlave\\\":\\\"true\\\",\\\"ReplayTimestamp\\\":\\\"null\\\",\\\"LastMsgSendTime\\\":\\\"2022-03-01 14:42:57.967537+08\\\",\\\"Conninfo\\\":\\\"user=migratetest password=******** channel_binding=prefer dbname=replication host=172.16.254.203 port=5432 application_name=rds_db_instance fallback_application_name=walreceiver sslmode=prefer sslcompression=1 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any\\\",\\\"LastMsgReceiptTime\\\":\\\"2022-03-01 14:42:57.96727+08\\\",\\\"LatestEndLsn\\\":\\\"0/3000148\\\",\\\"ReceivedLsn\\\":\\\"0/3000148\\\",\\\"ReplayLsn\\\":\\\"0/3000148\\\",\\\"ReceiveStartTli\\\":\\\"1\\\",\\\"ReplayLag\\\":\\\"0\\\"}",
      "ReplicationState": "streaming",
      "SourceAccount": "migratetest",
      "SourceCategory": "ecsonvpc",
      "SourceIpAddress": "172.16.XX.XX",
      "SourcePassword": "123456",
      "SourcePort": 5432,
      "SwitchTime": "2022-03-01T06:40:51Z",
      "TargetEip": "null",
      "TargetInstanceName": "pgm-bp102g323jd4****",
      "TaskId": 440437220,
      "TaskName": "362c6c7a-4d20-4eac-898c-1495ceab374c"
    }
  ],
  "PageNumber": 1,
  "PageSize": 10,
  "RequestId": "1B983C48-9793-5EAA-8F7F-00EAEC517675",
  "TotalSize": 1
}"##;

/// Fields whose string values carry the extra escaping level in the seed document.
const ESCAPED_FIELDS: [&str; 2] = ["Detail", "ReplicationInfo"];

/// The seed's example response with one level of escaping undone in `Detail` and
/// `ReplicationInfo`; every other value is exactly as printed (including `SourcePassword`
/// `"123456"`, `TargetEip` `"null"` and `TargetInstanceName` `"pgm-bp102g323jd4****"`).
pub fn seed_example_decoded() -> Value {
    let mut v: Value = serde_json::from_str(SEED_EXAMPLE_RESPONSE).unwrap_or(Value::Null);
    if let Some(items) = v.get_mut("Items").and_then(Value::as_array_mut) {
        for item in items {
            for field in ESCAPED_FIELDS {
                if let Some(Value::String(s)) = item.get_mut(field) {
                    if let Some(decoded) = crate::de::unescape_once(s) {
                        *s = decoded;
                    }
                }
            }
        }
    }
    v
}

/// The seed's single task, decoded (see [`seed_example_decoded`]).
pub fn seed_example_task() -> crate::task::MigrationTask {
    seed_example_decoded()
        .get("Items")
        .and_then(|i| i.get(0))
        .cloned()
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_shape() {
        assert!(SEED_EXAMPLE_RESPONSE.starts_with("{\n  \"Items\": [\n"));
        assert!(SEED_EXAMPLE_RESPONSE.ends_with("\"TotalSize\": 1\n}"));
        assert!(SEED_EXAMPLE_RESPONSE.contains(r#"[Check rds empty]\\nCheck rds databases"#));
        assert!(SEED_EXAMPLE_RESPONSE.contains(r#"{\\\"Status\\\":\\\"streaming\\\""#));
    }

    #[test]
    fn decoded_undoes_one_level_only_where_needed() {
        let raw: Value = serde_json::from_str(SEED_EXAMPLE_RESPONSE).unwrap();
        let dec = seed_example_decoded();
        let (r, d) = (&raw["Items"][0], &dec["Items"][0]);
        let detail = d["Detail"].as_str().unwrap();
        assert!(detail.starts_with("[Check rds empty]\nCheck rds databases: success\n"));
        assert!(!detail.contains("\\n"));
        assert!(detail.ends_with("streaming replication \n"));
        let info = d["ReplicationInfo"].as_str().unwrap();
        let parsed: Value = serde_json::from_str(info).unwrap();
        assert_eq!(parsed["ReceivedLsn"], "0/3000148");
        assert_eq!(parsed["ReplayTimestamp"], "null");
        for (k, v) in r.as_object().unwrap() {
            if !ESCAPED_FIELDS.contains(&k.as_str()) {
                assert_eq!(&d[k], v, "{k}");
            }
        }
        assert_eq!(d["SourcePassword"], "123456");
        assert_eq!(d["TargetInstanceName"], "pgm-bp102g323jd4****");
        assert_eq!(d["TargetEip"], "null");
        assert_eq!(d["SourceCategory"], "ecsonvpc");
        assert_eq!(dec["RequestId"], "1B983C48-9793-5EAA-8F7F-00EAEC517675");
        for k in ["PageNumber", "PageSize", "TotalSize", "RequestId"] {
            assert_eq!(dec[k], raw[k]);
        }
    }

    #[test]
    fn task_helper() {
        let t = seed_example_task();
        assert_eq!(t.task_id, Some(440437220));
        assert_eq!(t.source_password.as_ref().map(|p| p.expose()), Some("123456"));
    }
}
