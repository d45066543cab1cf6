//! The RDS PostgreSQL cloud-migration API contract, shared by the app (wasm32) and the proxy (native).
//!
//! No I/O and no framework: serde, serde_json and chrono only (plus optional `utoipa` schema
//! derives behind the `schema` feature). Everything that reads service data is tolerant
//! (missing fields, `null`, the string `"null"`, numbers sent as strings, unknown enum values
//! kept as `Other`) and never panics. The data rules and their assumptions are written down in
//! docs/architecture.md, "Data rules".

pub mod alerts;
pub mod attention;
pub mod catalogue;
pub mod conninfo;
pub mod contract;
pub mod de;
pub mod detail;
pub mod error;
pub mod format;
pub mod history;
pub mod instances;
pub mod lang;
pub mod lsn;
pub mod precheck;
pub mod precheck_outcome;
pub mod readiness;
pub mod redact;
pub mod regions;
pub mod replication;
#[cfg(feature = "schema")]
pub mod schema;
pub mod secret;
pub mod seed;
pub mod stage;
pub mod task;
pub mod time;
pub mod timeline;
pub mod trend;

pub use attention::{attention, attention_with, Attention, Concern, Severity};
pub use catalogue::{catalogue, catalogued_code, classify, error_info, ErrorClass, ErrorInfo};
pub use conninfo::{mask_conninfo_password, mask_secrets_in_text};
pub use detail::{
    parse_detail, parse_size, stage_for_section, BackupEvent, BackupEventKind, Check, CheckCounts,
    CheckOutcome, DetailLog, Event, LogTime, Marker, PrecheckVerdict, Section, SectionMatch, StageStart,
    UnparsedLine, BACKUP_EVENTS, SECTION_STAGES,
};
pub use error::{ApiErrorBody, ParseError};
pub use instances::{DbInstance, DbInstanceItems, DescribeDbInstancesRequest, DescribeDbInstancesResponse};
pub use lang::Lang;
pub use lsn::Lsn;
pub use precheck::{
    DescribeCloudMigrationPrecheckResultRequest, DescribeCloudMigrationPrecheckResultResponse, PrecheckTask,
};
pub use precheck_outcome::{
    precheck_complete, precheck_summary, CompleteBecause, FailedCheck, PrecheckSummary,
};
pub use readiness::{
    held_for, switch_readiness, switch_readiness_with_history, HeldFor, Missing, ReadinessSample,
    ReadinessState, SwitchReadiness,
};
pub use redact::{is_credential_key, redact_json, redact_json_with};
pub use regions::{dedup_regions, DescribeRegionsRequest, DescribeRegionsResponse, RdsRegion, RdsRegions};
pub use replication::{
    Health, HealthThresholds, HealthVerdict, LinkFigures, ReplicationInfo, UnknownBecause,
};
pub use secret::SecretString;
pub use seed::{seed_example_decoded, seed_example_task, SEED_EXAMPLE_RESPONSE};
pub use stage::{MigrateStage, ReplicationState, SourceCategory};
pub use task::{
    DescribeCloudMigrationResultRequest, DescribeCloudMigrationResultResponse, MigrationTask,
    DEFAULT_PAGE_SIZE,
};
pub use timeline::{
    timeline, timeline_observed, BackupProgress, StagePoint, StageSpan, StageStatus, TimeSource,
};
