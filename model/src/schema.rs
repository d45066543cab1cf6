//! OpenAPI schemas (feature `schema`) for the types whose serde form is hand-written.
//!
//! The wire enums are open (unknown values are kept), so their schemas are strings that list
//! the documented values as examples rather than as a closed `enum`.

use crate::lsn::Lsn;
use crate::secret::SecretString;
use crate::stage::{MigrateStage, ReplicationState, SourceCategory};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

fn open_string(description: &str, values: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .examples(values.iter().map(|v| serde_json::Value::from(*v)))
        .into()
}

macro_rules! string_schema {
    ($t:ty, $desc:expr, $values:expr) => {
        impl utoipa::PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                open_string($desc, $values)
            }
        }
        impl utoipa::ToSchema for $t {}
    };
}

string_schema!(
    MigrateStage,
    "Migration stage: precheck, basebackup, startup, increment, switch, success (other values are passed through).",
    &["precheck", "basebackup", "startup", "increment", "switch", "success"]
);
string_schema!(
    ReplicationState,
    "Replication state: unstarted, catchup, streaming, disconnect, finish (other values are passed through).",
    &["unstarted", "catchup", "streaming", "disconnect", "finish"]
);
string_schema!(
    SourceCategory,
    "Where the source runs: idcOnVpc or ecsOnVpc, any letter case.",
    &["idcOnVpc", "ecsOnVpc"]
);
string_schema!(SecretString, "A secret; the proxy never returns it.", &[]);
string_schema!(Lsn, "PostgreSQL LSN, X/Y in hexadecimal.", &["0/3000148"]);

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn schemas_render() {
        let s = serde_json::to_value(MigrateStage::schema()).unwrap();
        assert_eq!(s["type"], "string");
        assert_eq!(s["examples"][0], "precheck");
        let task = serde_json::to_value(crate::task::MigrationTask::schema()).unwrap();
        assert!(task["properties"]["MigrateStage"].is_object());
        assert!(task["properties"]["TaskId"].is_object());
    }
}
