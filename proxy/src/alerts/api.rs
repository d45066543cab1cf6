//! Read-only alert views under `{base}/api/alerts/`: the rules in effect (destinations by name,
//! kind and language only: never a URL or a secret), the latest deliveries, and episodes (all,
//! or an instance's, or a task's). Episodes and deliveries are filtered by the caller's policy
//! like every instance list. Nothing here changes state; destinations cannot be set over the API.
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::config::AlertsConfig;
use super::store::{self as alert_store, EpisodeFilter};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ProxyError;
use crate::policy::Scope;

/// The answers' wire types, stated once in the model (shared with the app): a rule and a
/// destination as the API shows them (no URL, no secret), and the three answers.
pub use migration_model::alerts::{
    AlertDeliveries as DeliveriesAnswer, AlertDestination as DestinationView,
    AlertEpisodes as EpisodesAnswer, AlertRule as RuleView, AlertRules as RulesAnswer,
};

pub fn rules_answer(config: &AlertsConfig, evaluating: bool) -> RulesAnswer {
    RulesAnswer {
        default_rules: config.default_rules,
        evaluating,
        rules: config
            .rules
            .iter()
            .map(|r| RuleView {
                name: r.name.clone(),
                kind: r.kind.as_str().into(),
                severity: r.kind.severity().into(),
                for_secs: r.for_secs,
                repeat_interval_secs: r.repeat_secs,
                threshold_bytes: r.threshold_bytes,
                threshold_secs: r.threshold_secs,
                window_secs: r.window_secs,
                regions: r.scope.regions.clone(),
                instances: r.scope.instances.clone(),
                groups: r.scope.groups.clone(),
                destinations: r.destinations.clone(),
            })
            .collect(),
        destinations: config
            .destinations
            .iter()
            .map(|d| DestinationView {
                name: d.name.clone(),
                kind: d.kind.as_str().into(),
                language: d.language.as_str().into(),
                signed: d.secret.is_some(),
            })
            .collect(),
    }
}

/// `GET {base}/api/alerts/rules`
#[utoipa::path(
    get,
    path = "/api/alerts/rules",
    tag = "alerts",
    operation_id = "alertRules",
    description = "The alert rules in effect and the destinations they route to, by name, kind and language: \
        never a URL or a signing secret. Destinations come only from the proxy's --alerts-file.",
    responses(
        (status = 200, description = "The rules and destinations", body = RulesAnswer),
        (status = 401, description = "`Proxy.Unauthorized`: not authenticated", body = crate::openapi::ErrorBody),
    )
)]
pub async fn rules(State(state): State<Arc<AppState>>) -> Response {
    Json(rules_answer(&state.alerts_config, state.alerts.is_some())).into_response()
}

/// `GET {base}/api/alerts/deliveries[?limit=N]` (1–500, default 100), newest first.
#[utoipa::path(
    get,
    path = "/api/alerts/deliveries",
    tag = "alerts",
    operation_id = "alertDeliveries",
    description = "The latest alert messages and their delivery: destination name, status, attempts, last error. \
        Only instances the caller's policy covers.",
    params(("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "How many, newest first (default 100)")),
    responses(
        (status = 200, description = "The deliveries, newest first", body = DeliveriesAnswer),
        (status = 400, description = "`Proxy.InvalidParameter`: an unknown or out-of-range parameter", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`: not authenticated", body = crate::openapi::ErrorBody),
        (status = 500, description = "`Proxy.Internal`: the history store did not answer", body = crate::openapi::ErrorBody),
    )
)]
pub async fn deliveries(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = match Query::parse(query.as_deref(), &["limit"]) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let Some(engine) = &state.alerts else {
        return Json(DeliveriesAnswer { deliveries: Vec::new() }).into_response();
    };
    let scope = scope_of(&state, &caller);
    match alert_store::deliveries(engine.store(), q.limit).await {
        Ok(mut d) => {
            d.retain(|d| scope.allows(&d.db_instance_name));
            Json(DeliveriesAnswer { deliveries: d }).into_response()
        }
        Err(e) => store_error(e),
    }
}

/// `GET {base}/api/alerts/episodes[?RegionId&DBInstanceName&TaskId&firing=true&limit=N]`
#[utoipa::path(
    get,
    path = "/api/alerts/episodes",
    tag = "alerts",
    operation_id = "alertEpisodes",
    description = "Alert episodes (firing, resolved, or one-shot notices), newest first: all, an instance's, or a \
        task's. Only instances the caller's policy covers.",
    params(
        ("RegionId" = Option<String>, Query, pattern = "^[A-Za-z0-9-]{1,64}$", description = "Only this region"),
        ("DBInstanceName" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "Only this instance"),
        ("TaskId" = Option<i64>, Query, minimum = 0, description = "Only this task"),
        ("firing" = Option<bool>, Query, description = "Only episodes still firing"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "How many (default 100)"),
    ),
    responses(
        (status = 200, description = "The episodes, newest first", body = EpisodesAnswer),
        (status = 400, description = "`Proxy.InvalidParameter`: an unknown or malformed parameter", body = crate::openapi::ErrorBody),
        (status = 401, description = "`Proxy.Unauthorized`: not authenticated", body = crate::openapi::ErrorBody),
        (status = 403, description = "`Proxy.Forbidden`: the caller's policy does not cover the instance", body = crate::openapi::ErrorBody),
        (status = 500, description = "`Proxy.Internal`: the history store did not answer", body = crate::openapi::ErrorBody),
    )
)]
pub async fn episodes(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = match Query::parse(query.as_deref(), &["RegionId", "DBInstanceName", "TaskId", "firing", "limit"])
    {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let scope = scope_of(&state, &caller);
    if let Some(i) = &q.instance {
        if !scope.allows(i) {
            return ProxyError::Forbidden(format!("You may not see the instance {i}.")).into_response();
        }
    }
    let Some(engine) = &state.alerts else {
        return Json(EpisodesAnswer { episodes: Vec::new() }).into_response();
    };
    let filter = EpisodeFilter {
        region: q.region,
        instance: q.instance,
        task_id: q.task_id,
        firing_only: q.firing,
        limit: q.limit,
    };
    match alert_store::episodes(engine.store(), &filter).await {
        Ok(mut e) => {
            e.retain(|e| scope.allows(&e.db_instance_name));
            Json(EpisodesAnswer { episodes: e }).into_response()
        }
        Err(e) => store_error(e),
    }
}

fn scope_of(state: &AppState, caller: &Caller) -> Scope {
    state.policy.as_ref().map(|p| p.scope_for(caller)).unwrap_or(Scope::All)
}

fn store_error(e: crate::store::StoreError) -> Response {
    tracing::warn!("alerts API: {e}");
    ProxyError::Internal("the history store did not answer".into()).into_response()
}

#[derive(Debug, Default)]
struct Query {
    region: Option<String>,
    instance: Option<String>,
    task_id: Option<u64>,
    firing: bool,
    limit: i64,
}

impl Query {
    fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Query, ProxyError> {
        let mut q = Query { limit: 100, ..Query::default() };
        let bad = |m: String| ProxyError::InvalidParameter(m);
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                return Err(bad(format!("The parameter {:?} is not known here.", cut(&k))));
            }
            match k.as_ref() {
                "RegionId" => {
                    if v.is_empty()
                        || v.len() > 64
                        || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    {
                        return Err(bad("RegionId is not a region ID.".into()));
                    }
                    q.region = Some(v.into_owned());
                }
                "DBInstanceName" => {
                    if v.is_empty()
                        || v.len() > 64
                        || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        return Err(bad("DBInstanceName is not an instance ID.".into()));
                    }
                    q.instance = Some(v.into_owned());
                }
                "TaskId" => {
                    let t = v.parse::<i64>().ok().filter(|t| *t >= 0);
                    q.task_id =
                        Some(t.ok_or_else(|| bad("TaskId must be a whole number from 0.".into()))? as u64)
                }
                "firing" => {
                    q.firing = match v.as_ref() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad("firing must be true or false.".into())),
                    }
                }
                "limit" => {
                    q.limit = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=500).contains(n))
                        .ok_or_else(|| bad("limit must be 1 to 500.".into()))?
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}
