//! Facts of the proxy's HTTP contract that the app, the proxy and the simulator all rely on,
//! stated once here (see docs/architecture.md, "The proxy's HTTP contract"). Header names are
//! lowercase, as `http::HeaderName::from_static` requires; HTTP compares them without case.

/// Response header: the answer's age in seconds when it is a saved copy served because the
/// upstream failed (the dashboard shows a stale badge).
pub const HEADER_STALE: &str = "x-proxy-stale";
/// Response header: how the cache produced the answer (`hit`, `miss`, `coalesced`, `stale`,
/// `error`).
pub const HEADER_CACHE: &str = "x-proxy-cache";
/// Response header: the upstream's `RequestId`, repeated for answers whose body lost it.
pub const HEADER_UPSTREAM_REQUEST_ID: &str = "x-upstream-request-id";

/// The base path written into `index.html` at build time; the proxy replaces it at start-up
/// with its `--base-path` (an empty base leaves `/` paths).
pub const BASE_PLACEHOLDER: &str = "/__MIGRATION_BASE__";
/// The `<meta name=...>` that carries the runtime base path to the app.
pub const BASE_META_NAME: &str = "migration-base";

/// `DescribeCloudMigrationResult`'s `PageSize`: no range is published (the documented example
/// uses 10), so 1–100 are accepted and the UI defaults to 30.
pub const TASK_PAGE_SIZE_MIN: u32 = 1;
/// See [`TASK_PAGE_SIZE_MIN`].
pub const TASK_PAGE_SIZE_MAX: u32 = 100;
/// The page size the dashboard asks for when the URL names none.
pub const DEFAULT_PAGE_SIZE: u32 = 30;
/// `DescribeCloudMigrationPrecheckResult`'s documented `PageSize` range: 30–100 (default 30).
pub const PRECHECK_PAGE_SIZE_MIN: u32 = 30;
/// See [`PRECHECK_PAGE_SIZE_MIN`].
pub const PRECHECK_PAGE_SIZE_MAX: u32 = 100;

/// `DescribeDBInstances`' documented `PageSize` range: 1–100 (default 30).
pub const INSTANCE_PAGE_SIZE_MIN: u32 = 1;
/// See [`INSTANCE_PAGE_SIZE_MIN`].
pub const INSTANCE_PAGE_SIZE_MAX: u32 = 100;
/// See [`INSTANCE_PAGE_SIZE_MIN`].
pub const INSTANCE_PAGE_SIZE_DEFAULT: u32 = 30;

/// The simulator's demo instance: it holds the seed document's example task on page 1, and more
/// than one page of generated tasks.
pub const DEMO_INSTANCE: &str = "pgm-bp102g323jd4demo";
/// The region of [`DEMO_INSTANCE`].
pub const DEMO_REGION: &str = "cn-hangzhou";
