//! The path of one `/api/rds/{Action}` call: validate → authorise → cache (single flight) →
//! signed upstream call with retries → redact → filter by the caller's scope → answer, with
//! metrics and one audit line.
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use migration_model::contract;
use serde_json::Value;
use tokio::time::Instant;

use crate::actions::{self, Action, ValidatedCall, MAX_QUERY_BYTES};
use crate::app::AppState;
use crate::audit::AuditRecord;
use crate::auth::Caller;
use crate::cache::{Answer, CacheKey, Fetched, Outcome};
use crate::error::ProxyError;
use crate::metrics::{ActionLabel, ActionStatus, OutcomeLabel};
use crate::policy::Scope;
use crate::redact::{redact, redact_body};
use crate::retry::{call_with_retries, decide, Decision};
use crate::upstream::UpstreamResponse;

/// Pages fetched at most when a policy filters `DescribeDBInstances` (100 instances each).
const MAX_FILTER_PAGES: u64 = 20;

pub async fn forward(state: &Arc<AppState>, caller: &Caller, action: &str, raw_query: &str) -> Response {
    let started = Instant::now();
    let mut instance: Option<String> = None;
    let (response, cache) = match prepare(state, caller, action, raw_query) {
        Err(e) => (e.into_response(), Outcome::Error),
        Ok((call, scope)) => {
            instance = call.instance().map(str::to_string);
            let region = call.region_id.clone();
            let kind = call.action;
            // The hung-up note is for the audit log: without one, nothing to watch (and no
            // allocations for it on every call).
            let served = if state.audit.is_some() {
                let watch = crate::audit::CallerWatch::default();
                let gone =
                    crate::audit::GoneNote::new(&watch, caller, action_name(action), instance.as_deref());
                watch.waiting(cached_call(state, call, scope, Some(gone))).await
            } else {
                cached_call(state, call, scope, None).await
            };
            note_view(state, caller, kind, &region, instance.as_deref(), &served);
            (respond(&served), served.outcome)
        }
    };
    let status = response.status().as_u16();
    let action_label = action_name(action);
    state.metrics.requests.get_or_create(&ActionStatus { action: action_label, status }).inc();
    state.metrics.cache.get_or_create(&OutcomeLabel { outcome: cache.as_str() }).inc();
    if let Some(audit) = &state.audit {
        let request_id = response
            .headers()
            .get(migration_model::contract::HEADER_UPSTREAM_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        audit.record(&AuditRecord {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            user: caller.name(),
            action: action_label,
            instance: instance.as_deref(),
            status,
            request_id: request_id.as_deref(),
            latency_ms: started.elapsed().as_millis() as u64,
            cache: cache.as_str(),
            event: None,
        });
    }
    response
}

/// The action as metrics and the audit log name it: an allow-listed name, else "-".
fn action_name(action: &str) -> &'static str {
    Action::from_name(action).map_or("-", Action::name)
}

/// One call through the cache (single flight), signing, retries and redaction: `/api/rds`'s
/// path, and the watcher's, so a dashboard read and a poll in the same window make one
/// upstream call.
///
/// `gone`: for a dashboard's call, the audit note written if the caller hangs up before the
/// fetch ends (the fetch still finishes, for the cache); the watcher passes `None`.
pub async fn cached_call(
    state: &Arc<AppState>,
    call: ValidatedCall,
    scope: Scope,
    gone: Option<crate::audit::GoneNote>,
) -> crate::cache::Served {
    // Keyed by the endpoint the region picks, not the region: an action that does not
    // forward RegionId gets the same answer for every region on one endpoint.
    let endpoint = state.upstream.endpoint_key(&call.region_id);
    // An instance's task or precheck list does not depend on who asks once they may see the
    // instance (checked before this), so every caller shares it, the watcher included.
    let scope_key = match call.action {
        Action::DescribeCloudMigrationResult | Action::DescribeCloudMigrationPrecheckResult => {
            "*".to_string()
        }
        _ => scope.key(),
    };
    let key = CacheKey::new(call.action.name(), &endpoint, &call.params, &scope_key);
    // Moved in, so the fetch can outlive this caller (the cache runs it in its own task).
    let shared = state.clone();
    let run = move || async move {
        let fetched = fetch(&shared, &call, &scope).await;
        if let Some(gone) = gone {
            gone.record_if_gone(&shared, &fetched);
        }
        fetched
    };
    state.cache.get(&key, run).await
}

/// A caller who opened an instance's task list (and got it) starts or refreshes its auto-watch.
fn note_view(
    state: &AppState,
    caller: &Caller,
    action: Action,
    region: &str,
    instance: Option<&str>,
    served: &crate::cache::Served,
) {
    let (Some(watcher), Some(instance)) = (&state.watcher, instance) else { return };
    let answered = served.result.as_ref().is_ok_and(|a| a.is_success());
    if action == Action::DescribeCloudMigrationResult && answered {
        watcher.viewed(region, instance, caller.user.as_deref());
    }
}

fn prepare(
    state: &AppState,
    caller: &Caller,
    action: &str,
    raw_query: &str,
) -> Result<(ValidatedCall, Scope), ProxyError> {
    if raw_query.len() > MAX_QUERY_BYTES {
        return Err(ProxyError::PayloadTooLarge(format!(
            "The query string is longer than {MAX_QUERY_BYTES} bytes."
        )));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect();
    let call = actions::validate(action, &pairs, &state.default_region)?;
    let scope = state.policy.as_ref().map(|p| p.scope_for(caller)).unwrap_or(Scope::All);
    if let Some(instance) = call.instance() {
        if !scope.allows(instance) {
            return Err(ProxyError::Forbidden(format!("You may not see the instance {instance}.")));
        }
    }
    Ok((call, scope))
}

async fn fetch(state: &AppState, call: &ValidatedCall, scope: &Scope) -> Fetched {
    if call.action == Action::DescribeDbInstances && *scope != Scope::All {
        return fetch_filtered_instances(state, call, scope).await;
    }
    let resp = match upstream_call(state, call).await {
        Ok(resp) => resp,
        Err(e) => return Fetched::Failed(e),
    };
    // Parses wait for a slot: even on the text, redaction reads the whole answer.
    let _parse = state.limits.parse_slot().await;
    // Redacted on the text: no `Value` tree, and an answer with nothing to redact is kept as it came.
    let Some(redacted) = redact_body(&resp.body) else {
        return Fetched::Failed(ProxyError::UpstreamUnavailable(format!(
            "the upstream answered {} with a body that is not JSON",
            resp.status
        )));
    };
    state.metrics.redactions.inc_by(redacted.count as u64);
    fetched(&resp, Answer::new(resp.status, redacted.body, redacted.request_id.as_deref()))
}

/// The upstream's body parsed and redacted (the redactions counted), or None if it is not JSON.
fn redacted_json(state: &AppState, resp: &UpstreamResponse) -> Option<Value> {
    let mut body: Value = serde_json::from_slice(&resp.body).ok()?;
    state.metrics.redactions.inc_by(redact(&mut body) as u64);
    Some(body)
}

/// The answer: transient if the upstream's answer is one worth retrying.
fn fetched(resp: &UpstreamResponse, answer: Answer) -> Fetched {
    let answer = Arc::new(answer);
    if matches!(decide(resp), Decision::Retry { .. }) {
        Fetched::Transient(answer)
    } else {
        Fetched::Final(answer)
    }
}

/// One upstream call with retries, recorded in the metrics and for /readyz.
async fn upstream_call(state: &AppState, call: &ValidatedCall) -> Result<UpstreamResponse, ProxyError> {
    let _slot = state.limits.upstream_slot()?;
    let started = Instant::now();
    let attempts = call_with_retries(&state.upstream, call, &state.retry).await;
    let label = ActionLabel { action: call.action.name() };
    state.metrics.upstream_seconds.get_or_create(&label).observe(started.elapsed().as_secs_f64());
    if attempts.retries > 0 {
        state.metrics.retries.get_or_create(&label).inc_by(attempts.retries as u64);
    }
    let outcome = match &attempts.result {
        Ok(r) => format!("HTTP {}", r.status),
        Err(e) => e.code().to_string(),
    };
    state.note_upstream(outcome, attempts.result.as_ref().is_ok_and(|r| r.status < 500));
    attempts.result
}

/// `DescribeDBInstances` for a caller who may see only some instances: every page is read, the
/// list is filtered, and the requested page is cut from what remains, so the counts are true.
async fn fetch_filtered_instances(state: &AppState, call: &ValidatedCall, scope: &Scope) -> Fetched {
    let page_number: usize = call.param("PageNumber").and_then(|v| v.parse().ok()).unwrap_or(1);
    let page_size: usize = call
        .param("PageSize")
        .and_then(|v| v.parse().ok())
        .unwrap_or(contract::INSTANCE_PAGE_SIZE_DEFAULT as usize);
    let full = u64::from(contract::INSTANCE_PAGE_SIZE_MAX);
    let mut visible: Vec<Value> = Vec::new();
    let mut last_body = Value::Null;
    for page in 1..=MAX_FILTER_PAGES {
        let mut page_call = call.clone();
        for (k, v) in page_call.params.iter_mut() {
            match k.as_str() {
                "PageNumber" => *v = page.to_string(),
                "PageSize" => *v = full.to_string(),
                _ => {}
            }
        }
        let resp = match upstream_call(state, &page_call).await {
            Ok(r) => r,
            Err(e) => return Fetched::Failed(e),
        };
        let _parse = state.limits.parse_slot().await;
        let Some(body) = redacted_json(state, &resp) else {
            return Fetched::Failed(ProxyError::UpstreamUnavailable(
                "the upstream answered with a body that is not JSON".into(),
            ));
        };
        if !(200..300).contains(&resp.status) {
            return fetched(&resp, Answer::from_json(resp.status, &body));
        }
        let items = body.pointer("/Items/DBInstance").and_then(Value::as_array).cloned().unwrap_or_default();
        let total = body.get("TotalRecordCount").and_then(Value::as_u64).unwrap_or(0);
        let got = items.len() as u64;
        visible.extend(
            items
                .into_iter()
                .filter(|i| i.get("DBInstanceId").and_then(Value::as_str).is_some_and(|id| scope.allows(id))),
        );
        last_body = body;
        if got < full || page * full >= total {
            break;
        }
    }
    let total = visible.len();
    let page_items: Vec<Value> =
        visible.into_iter().skip((page_number - 1) * page_size).take(page_size).collect();
    let mut body = last_body;
    body["Items"] = serde_json::json!({ "DBInstance": page_items });
    body["PageNumber"] = page_number.into();
    body["PageRecordCount"] = body["Items"]["DBInstance"].as_array().map(|a| a.len()).unwrap_or(0).into();
    body["TotalRecordCount"] = total.into();
    Fetched::Final(Arc::new(Answer::from_json(200, &body)))
}

fn respond(served: &crate::cache::Served) -> Response {
    match &served.result {
        Err(e) => e.clone().into_response(),
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response = (status, answer.body.clone()).into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                migration_model::contract::HEADER_CACHE,
                HeaderValue::from_static(served.outcome.as_str()),
            );
            if let Some(age) = served.stale_age {
                h.insert(migration_model::contract::HEADER_STALE, HeaderValue::from(age.as_secs()));
            }
            if let Some(id) = &answer.request_id {
                h.insert(migration_model::contract::HEADER_UPSTREAM_REQUEST_ID, id.clone());
            }
            response
        }
    }
}
