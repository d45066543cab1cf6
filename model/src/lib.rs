//! The RDS PostgreSQL cloud-migration API contract, shared by the app (wasm32) and the proxy (native).
//!
//! No I/O and no framework: serde, serde_json and chrono only (plus optional `utoipa` schema
//! derives behind the `schema` feature). Everything that reads service data is tolerant
//! (missing fields, `null`, the string `"null"`, numbers sent as strings, unknown enum values
//! kept as `Other`) and never panics. The data rules are those of DESIGN.md, "Data rules that
//! everything shares".

pub mod catalogue;
pub mod de;
pub mod error;
pub mod instances;
pub mod lang;
pub mod precheck;
pub mod regions;
pub mod secret;
pub mod seed;
pub mod stage;
pub mod task;
pub mod time;

pub use catalogue::{catalogue, classify, describe_error, error_info, ErrorClass, ErrorInfo};
pub use error::{ApiErrorBody, ParseError};
pub use instances::{DbInstance, DbInstanceItems, DescribeDbInstancesRequest, DescribeDbInstancesResponse};
pub use lang::Lang;
pub use precheck::{
    DescribeCloudMigrationPrecheckResultRequest, DescribeCloudMigrationPrecheckResultResponse,
    PrecheckTask,
};
pub use regions::{dedup_regions, DescribeRegionsRequest, DescribeRegionsResponse, RdsRegion, RdsRegions};
pub use secret::SecretString;
pub use stage::{MigrateStage, ReplicationState, SourceCategory};
pub use task::{
    DescribeCloudMigrationResultRequest, DescribeCloudMigrationResultResponse, MigrationTask,
};
