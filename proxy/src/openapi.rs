//! The proxy's API, described: an OpenAPI 3.1 document generated from the code and served at
//! `{base}/api/openapi.json`.
//!
//! - The handlers of `/api/rds/{Action}` and `/api/session` (app.rs) and of `/api/openapi.json`
//!   (here) carry `#[utoipa::path]` annotations.
//! - One path per allow-listed action (`/api/rds/DescribeCloudMigrationResult`, ...) is built from
//!   [`Action::params`], the same table [`crate::actions::validate`] enforces, so the documented
//!   parameters, bounds, patterns and defaults cannot drift from the validation (the tests below
//!   also check the document against `validate` itself).
//! - 200 bodies are migration-model's wire types (its `schema` feature) without `SourcePassword`,
//!   which the proxy never returns; errors are Alibaba's shape, [`ErrorBody`].
//! - `servers` is the configured base path, and `security` the configured auth mode.
//!
//! Who may read it: `/api/openapi.json` is an `/api` route like the others and needs the same
//! authentication (none on loopback, trusted-header, bearer). It holds no secret, but one rule for
//! every `/api` route is simpler to reason about and to test than an exception.
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, RefOr, Required, Response as ApiResponse,
    ResponseBuilder, ServerBuilder,
};
use utoipa::{OpenApi, ToSchema};

use migration_model::contract::{DEMO_INSTANCE, HEADER_CACHE, HEADER_STALE, HEADER_UPSTREAM_REQUEST_ID};

use crate::actions::{Action, Kind, Param, INSTANCE_ID_MAX_LEN, IP_MAX_LEN, MAX_QUERY_BYTES, REGION_ID_LEN};
use crate::app::AppState;
use crate::auth::Authenticator;

/// Alibaba's error shape, used by the proxy's own errors (codes `Proxy.*`) and by upstream
/// errors passed through. Other fields an upstream error may carry (`HostId`, ...) are allowed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)] // a schema only
pub struct ErrorBody {
    /// The proxy's own request ID (upper-case UUID) for `Proxy.*` errors, else the upstream's.
    request_id: String,
    /// `Proxy.*` for the proxy's own errors (e.g. `Proxy.InvalidParameter`), else the upstream's.
    #[schema(example = "Proxy.InvalidParameter")]
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    recommend: Option<String>,
}

/// Who the caller is and what the proxy is connected to (`GET /api/session`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // a schema only
pub struct SessionInfo {
    /// The authenticated user; `null` with `--auth none`.
    #[schema(required = true)]
    user: Option<String>,
    groups: Vec<String>,
    /// `demo`: the embedded simulator's data; `live`: a real account.
    #[schema(inline)]
    mode: SessionMode,
    /// The default region (used when a call names none).
    region: String,
    /// The proxy's version.
    version: String,
    /// Whether the proxy keeps history (the `/api/history` and `/api/watch` routes answer).
    history: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // a schema only
pub enum SessionMode {
    Demo,
    Live,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "RDS Migration Dashboard proxy (migration-proxy)",
        description = "Read-only signing proxy in front of the ApsaraDB RDS OpenAPI. Only the allow-listed \
            actions pass, each with its own validated parameters (one path per action below); the \
            body returned is Alibaba's JSON for that action with secrets removed. Errors always have \
            Alibaba's shape: the proxy's own use codes starting `Proxy.`, upstream errors pass through \
            with their status. Every /api route answers only GET, except adding and removing a \
            watch (POST and DELETE on /api/watch/{RegionId}/{DBInstanceName}, for the admin group, \
            JSON only, same-origin only): any other method gets 405 `Proxy.MethodNotAllowed`; any \
            other /api path gets 404 `Proxy.NotFound`. The history routes answer 404 \
            `Proxy.HistoryNotConfigured` when the proxy keeps no history and 503 \
            `Proxy.HistoryUnavailable` while its store fails.",
    ),
    paths(
        crate::app::rds_call,
        crate::app::session,
        openapi_json,
        crate::history_api::list_watches,
        crate::history_api::add_watch,
        crate::history_api::remove_watch,
        crate::history_api::instance_history,
        crate::history_api::task_history,
        crate::history_api::export_task,
        crate::alerts::api::rules,
        crate::alerts::api::deliveries,
        crate::alerts::api::episodes,
    ),
    components(schemas(
        ErrorBody,
        SessionInfo,
        migration_model::DescribeCloudMigrationResultResponse,
        migration_model::DescribeCloudMigrationPrecheckResultResponse,
        migration_model::DescribeDbInstancesResponse,
        migration_model::DescribeRegionsResponse,
    )),
    tags(
        (name = "rds", description = "Allow-listed, read-only RDS OpenAPI actions, signed and forwarded"),
        (name = "proxy", description = "The proxy itself"),
        (name = "alerts", description = "Alert rules, episodes and deliveries (read-only)"),
        (name = "history", description = "What the proxy's watcher kept about watched instances, and the watch list"),
    )
)]
struct ApiDoc;

/// The document as served: [`document`], plus what utoipa's types cannot say (a response header
/// being `required`: X-Proxy-Cache is on every answer the upstream gave).
pub fn document_json(base_path: &str, auth: &Authenticator) -> serde_json::Value {
    let mut doc = serde_json::to_value(document(base_path, auth)).unwrap_or_default();
    let cache_header = format!("/headers/{HEADER_CACHE}");
    if let Some(paths) = doc.get_mut("paths").and_then(serde_json::Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(responses) =
                item.pointer_mut("/get/responses").and_then(serde_json::Value::as_object_mut)
            else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                if let Some(h) =
                    response.pointer_mut(&cache_header).and_then(serde_json::Value::as_object_mut)
                {
                    if status.starts_with('2') {
                        h.insert("required".into(), true.into());
                    }
                }
            }
        }
    }
    doc
}

/// The document for a proxy with this base path and authentication.
pub fn document(base_path: &str, auth: &Authenticator) -> Document {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let base = if base_path.is_empty() { "/" } else { base_path };
    doc.servers =
        Some(vec![ServerBuilder::new().url(base).description(Some("this proxy (its base path)")).build()]);

    for action in Action::ALL {
        doc.paths.add_path_operation(
            format!("/api/rds/{}", action.name()),
            vec![HttpMethod::Get],
            action_operation(action),
        );
    }

    let components = doc.components.get_or_insert_with(Default::default);
    // The proxy drops SourcePassword from every answer: it is not part of what it returns.
    for name in ["MigrationTask", "PrecheckTask"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
            object.properties.shift_remove("SourcePassword");
        }
    }
    let scheme = match auth {
        Authenticator::None => None,
        Authenticator::TrustedHeader { user_header, .. } => Some((
            "portal",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                user_header.as_str().to_string(),
                "The user's identity, set by the portal's auth proxy. Accepted only from the configured \
                 --trusted-proxies addresses; ignored (401) from anyone else."
                    .to_string(),
            ))),
        )),
        Authenticator::Bearer { .. } => Some((
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token listed (hashed) in the proxy's --tokens-file."))
                    .build(),
            ),
        )),
    };
    if let Some((name, scheme)) = scheme {
        components.add_security_scheme(name, scheme);
        doc.security = Some(vec![SecurityRequirement::new(name, Vec::<String>::new())]);
    }
    doc
}

/// `GET {base}/api/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "proxy",
    operation_id = "openapi",
    responses(
        (status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json", body = Object),
        (status = 401, description = "`Proxy.Unauthorized`: not authenticated", body = ErrorBody),
        (status = 429, description = "`Proxy.RateLimited`, with `Retry-After`", body = ErrorBody),
    )
)]
pub async fn openapi_json(State(state): State<Arc<AppState>>) -> Response {
    let doc = document_json(&state.base_path, &state.auth);
    let mut response = axum::Json(doc).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The operation of one allow-listed action, from its parameter table.
fn action_operation(action: Action) -> utoipa::openapi::path::Operation {
    let (response_schema, summary) = match action {
        Action::DescribeCloudMigrationResult => {
            ("DescribeCloudMigrationResultResponse", "Cloud-migration tasks of an RDS instance")
        }
        Action::DescribeCloudMigrationPrecheckResult => {
            ("DescribeCloudMigrationPrecheckResultResponse", "Precheck results of cloud-migration tasks")
        }
        Action::DescribeDbInstances => {
            ("DescribeDbInstancesResponse", "RDS instances of a region (PostgreSQL only)")
        }
        Action::DescribeRegions => ("DescribeRegionsResponse", "Regions and zones"),
    };
    let mut op = OperationBuilder::new()
        .tag("rds")
        .operation_id(Some(action.name()))
        .summary(Some(summary))
        .description(Some(format!(
            "Forwards `{}` (signed) to the RDS endpoint of `RegionId`. The query string may be at most {} bytes; \
             each parameter at most once; no other parameter is accepted. The body is the upstream's JSON with \
             `SourcePassword` removed and any `password=` in a connection string masked; `RequestId` is the upstream's.{}",
            action.name(),
            MAX_QUERY_BYTES,
            if action.forwards_region() { " `RegionId` is forwarded as the action's own parameter." } else { "" }
        )));
    for param in action.params() {
        op = op.parameter(query_parameter(param));
    }
    op = op.parameter(region_parameter());
    let ok =
        ResponseBuilder::new().description("The upstream's answer for this action, secrets removed").content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name(response_schema))).build(),
        );
    let ok = with_cache_headers(ok, true).build();
    op = op.response("200", ok);
    for (status, response) in error_responses() {
        op = op.response(status, response);
    }
    op.build()
}

/// The error statuses of an `/api/rds/...` call.
fn error_responses() -> Vec<(&'static str, ApiResponse)> {
    [
        ("400", "`Proxy.InvalidParameter`: a parameter is unknown, repeated, empty or out of bounds; or the upstream's own 400 (e.g. `Throttling.User` once retries are spent)"),
        ("401", "`Proxy.Unauthorized`: not authenticated (trusted-header and bearer modes)"),
        ("403", "`Proxy.ActionNotAllowed`: not an allow-listed action; `Proxy.Forbidden`: the caller's policy does not cover the instance; or the upstream's 403"),
        ("404", "The upstream's 404, e.g. `InvalidDBInstanceName.NotFound`"),
        ("413", "`Proxy.PayloadTooLarge`: the query string is too long"),
        ("429", "`Proxy.RateLimited`: the caller made too many calls in a short time; `Retry-After` says when to try again"),
        ("502", "`Proxy.UpstreamUnavailable`: the RDS endpoint could not be reached or answered something that is not JSON; `Proxy.UpstreamTooLarge`: its answer is larger than the proxy reads for the action"),
        ("504", "`Proxy.UpstreamTimeout`: the RDS endpoint did not answer in time"),
        ("default", "Any other upstream error, passed through with its status (e.g. 503 `ServiceUnavailable`)"),
    ]
    .into_iter()
    .map(|(status, text)| (status, error_response(text)))
    .collect()
}

fn error_response(description: &str) -> ApiResponse {
    let r = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
    );
    // An upstream error answer carries the cache headers too (X-Proxy-Cache: error).
    with_cache_headers(r, false).build()
}

fn with_cache_headers(r: ResponseBuilder, success: bool) -> ResponseBuilder {
    let cache_values: &[&str] = if success { &["hit", "miss", "coalesced", "stale"] } else { &["error"] };
    let cache = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(cache_values.iter().copied())))
        .description(Some(if success {
            "How the answer was served: hit (fresh from the proxy's cache), miss (fetched for this call), \
             coalesced (shared with an identical concurrent call), stale (the upstream failed; the last good answer)"
        } else {
            "`error` when the upstream answered with an error (absent on the proxy's own errors)"
        }))
        .build();
    let stale = HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                .minimum(Some(0)),
        )
        .description(Some("Only with X-Proxy-Cache: stale: the answer's age in seconds"))
        .build();
    let request_id = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some("The upstream's RequestId, when the body has one"))
        .build();
    let r = r.header(HEADER_CACHE, cache).header(HEADER_UPSTREAM_REQUEST_ID, request_id);
    if success {
        r.header(HEADER_STALE, stale)
    } else {
        r
    }
}

fn query_parameter(param: &Param) -> utoipa::openapi::path::Parameter {
    let mut description = match param.kind() {
        Kind::InstanceId => format!(
            "An RDS instance ID such as pgm-bp102g323jd4demo: a lower-case letter, then lower-case letters, digits and '-'; at most {INSTANCE_ID_MAX_LEN}."
        ),
        Kind::Int { min, max } => format!("A whole number from {min} to {max}."),
        Kind::Text { max_len, extra } => {
            let extra: Vec<String> = extra.chars().map(|c| format!("'{c}'")).collect();
            if extra.is_empty() {
                format!("Letters and digits; at most {max_len}.")
            } else {
                format!("Letters, digits and {}; at most {max_len}.", extra.join(" "))
            }
        }
        Kind::Ip => format!("An IP address, possibly masked as the API prints it (172.16.XX.XX): hex digits, '.', ':' and 'X'; at most {IP_MAX_LEN}."),
        Kind::OneOf(values) => format!("One of: {}.", values.join(", ")),
    };
    if let Some(d) = param.default() {
        description.push_str(&format!(" Forwarded as {d} when left out."));
    }
    ParameterBuilder::new()
        .name(param.name())
        .parameter_in(ParameterIn::Query)
        .required(if param.required() { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(kind_schema(param.kind(), param.default().as_deref())))
        .build()
}

fn region_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("RegionId")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(
            "The region whose RDS endpoint serves the call (the proxy's configured region when left out). \
             It only ever picks an Alibaba Cloud endpoint: it cannot name a host.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(*REGION_ID_LEN.start()))
                .max_length(Some(*REGION_ID_LEN.end()))
                .pattern(Some(REGION_PATTERN))
                .examples(["cn-hangzhou"]),
        ))
        .build()
}

/// `RegionId`: lower-case letters, digits and '-', neither first nor last.
pub const REGION_PATTERN: &str = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
/// [`Kind::InstanceId`].
pub const INSTANCE_ID_PATTERN: &str = "^[a-z][a-z0-9-]*$";
/// [`Kind::Ip`].
pub const IP_PATTERN: &str = "^[0-9A-Fa-fX.:]+$";

/// The JSON schema of one parameter rule. Strings are never empty (`validate` refuses "").
fn kind_schema(kind: Kind, default: Option<&str>) -> ObjectBuilder {
    let string = || ObjectBuilder::new().schema_type(Type::String).min_length(Some(1));
    match kind {
        Kind::InstanceId => string()
            .max_length(Some(INSTANCE_ID_MAX_LEN))
            .pattern(Some(INSTANCE_ID_PATTERN))
            .examples([DEMO_INSTANCE]),
        Kind::Int { min, max } => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
            .minimum(Some(min as f64))
            .maximum(Some(max as f64))
            .default(default.and_then(|d| d.parse::<u64>().ok()).map(serde_json::Value::from)),
        Kind::Text { max_len, extra } => {
            string().max_length(Some(max_len)).pattern(Some(text_pattern(extra)))
        }
        Kind::Ip => string().max_length(Some(IP_MAX_LEN)).pattern(Some(IP_PATTERN)).examples(["172.16.1.10"]),
        Kind::OneOf(values) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied()))
            .default(default.map(serde_json::Value::from)),
    }
}

/// `^[A-Za-z0-9<extra>]+$`, the extra punctuation escaped for a character class ('-' last).
pub fn text_pattern(extra: &str) -> String {
    let mut class = String::from("A-Za-z0-9");
    for c in extra.chars().filter(|c| *c != '-') {
        if matches!(c, '\\' | ']' | '[' | '^') {
            class.push('\\');
        }
        class.push(c);
    }
    if extra.contains('-') {
        class.push('-');
    }
    format!("^[{class}]+$")
}

#[cfg(test)]
mod tests;
