//! The document against the code it describes: every allow-listed action's parameters are
//! checked against `actions::validate` itself (not only against the table both are built from),
//! and the session and error bodies against what the handlers really send.
use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

use super::*;
use crate::actions::validate;
use crate::app::{app, Mode};
use crate::config::SignatureStyle;
use crate::credentials::{Credentials, Secret, Source};
use crate::upstream::Upstream;

fn doc_json(auth: &Authenticator) -> Value {
    document_json("", auth)
}

fn doc() -> Value {
    doc_json(&Authenticator::None)
}

/// The documented query parameters of one action's operation, as (name, parameter object).
fn documented_params(doc: &Value, action: Action) -> Vec<(String, Value)> {
    let op = &doc["paths"][format!("/api/rds/{}", action.name())]["get"];
    assert!(op.is_object(), "{} has no GET operation in the document", action.name());
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["in"], "query", "{p}");
            (p["name"].as_str().unwrap().to_string(), p.clone())
        })
        .collect()
}

/// Whether the document says `value` is a valid value of a parameter with this schema.
fn doc_accepts(schema: &Value, value: &str) -> bool {
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().any(|v| v == value);
    }
    match schema["type"].as_str() {
        Some("integer") => {
            let canonical = value == "0"
                || (!value.is_empty()
                    && !value.starts_with('0')
                    && value.bytes().all(|b| b.is_ascii_digit()));
            let Some(n) = canonical.then(|| value.parse::<u128>().ok()).flatten() else { return false };
            let min = schema["minimum"].as_f64().map(|m| m as u128).unwrap_or(0);
            let max = schema["maximum"].as_f64().map(|m| m as u128).unwrap_or(u128::MAX);
            (min..=max).contains(&n)
        }
        Some("string") => {
            let len = value.chars().count() as u64;
            let min = schema["minLength"].as_u64().unwrap_or(0);
            let max = schema["maxLength"].as_u64().unwrap_or(u64::MAX);
            let pattern = schema["pattern"].as_str().map(|p| regex::Regex::new(p).unwrap());
            (min..=max).contains(&len) && pattern.is_none_or(|re| re.is_match(value))
        }
        other => panic!("unexpected schema type {other:?} in {schema}"),
    }
}

/// A query that `validate` accepts for `action` with `name` set to `value` (required parameters
/// other than `name` get a valid value).
fn query_with(action: Action, name: &str, value: &str) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = action
        .params()
        .iter()
        .filter(|p| p.required() && p.name() != name)
        .map(|p| (p.name().to_string(), "pgm-x".to_string()))
        .collect();
    q.push((name.to_string(), value.to_string()));
    q
}

fn validate_accepts(action: Action, name: &str, value: &str) -> bool {
    match validate(action.name(), &query_with(action, name, value), "cn-hangzhou") {
        Ok(_) => true,
        Err(e) => {
            // Refused for this value, and for nothing else.
            assert_eq!(e.code(), "Proxy.InvalidParameter", "{name}={value:?}: {e}");
            assert!(e.to_string().contains(name), "{name}={value:?} refused for another reason: {e}");
            false
        }
    }
}

/// Values worth trying on every parameter: boundaries, lookalikes and injection attempts.
fn probes(schema: &Value) -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "a",
        "A",
        "z",
        "0",
        "1",
        "9",
        "-",
        "_",
        ".",
        " ",
        "/",
        "?",
        "#",
        "%",
        "%2F",
        "&",
        "=",
        "\n",
        "\r\n",
        "\0",
        "é",
        "X",
        ":",
        "pgm-x",
        "pgm_x",
        "-pgm",
        "pgm-",
        "1pgm",
        "PGM",
        "172.16.1.10",
        "172.16.XX.XX",
        "::1",
        "fe80::1",
        "1.2.3.4/evil",
        "cn-hangzhou",
        "cn-hangzhou-",
        "evil.com",
        "zh-CN",
        "en-US",
        "PostgreSQL",
        "postgresql",
        "Primary",
        "Readonly",
        "Guard",
        "Temp",
        "Running",
        "a b",
        "a.b_c-d",
        "29",
        "30",
        "100",
        "101",
        "65535",
        "65536",
        "9999999999999",
        "10000000000000",
        "-1",
        "+1",
        "1.0",
        "1e3",
        " 1",
        "1 ",
        "0x10",
        "18446744073709551616",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in ["minimum", "maximum"] {
        if let Some(m) = schema[n].as_f64() {
            let m = m as i128;
            v.extend([m - 1, m, m + 1].iter().filter(|x| **x >= 0).map(|x| x.to_string()));
        }
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        for c in ["a", "1", "A"] {
            v.push(c.repeat(max as usize));
            v.push(c.repeat(max as usize + 1));
        }
    }
    v
}

#[test]
fn every_allow_listed_action_has_its_own_path() {
    let doc = doc();
    let paths: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|p| p.starts_with("/api/rds/") && !p.contains('{'))
        .cloned()
        .collect();
    let actions: BTreeSet<String> = Action::ALL.iter().map(|a| format!("/api/rds/{}", a.name())).collect();
    assert_eq!(paths, actions);
    for p in ["/api/rds/{Action}", "/api/session", "/api/openapi.json"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p} is not documented");
    }
    // Every operation answers GET only (anything else is 405, described in the info), except
    // adding and removing a watch.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let methods: Vec<&String> = item.as_object().unwrap().keys().filter(|k| *k != "parameters").collect();
        if path == "/api/watch/{RegionId}/{DBInstanceName}" {
            assert_eq!(methods, vec!["post", "delete"], "{path}");
        } else {
            assert_eq!(methods, vec!["get"], "{path}");
        }
    }
}

#[test]
fn documented_parameters_are_exactly_the_validated_ones() {
    let doc = doc();
    let all_names: BTreeSet<&str> =
        Action::ALL.iter().flat_map(|a| a.params().iter().map(|p| p.name())).collect();
    for action in Action::ALL {
        let documented = documented_params(&doc, action);
        let names: Vec<&str> = documented.iter().map(|(n, _)| n.as_str()).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{}: a parameter is listed twice", action.name());
        let mut want: BTreeSet<&str> = action.params().iter().map(|p| p.name()).collect();
        want.insert("RegionId");
        assert_eq!(unique, want, "{}", action.name());

        // Anything not documented is refused: other actions' parameters, lookalikes, signing ones.
        for other in all_names.iter().copied().chain([
            "Foo",
            "regionid",
            "dbinstancename",
            "Action",
            "Signature",
            "AccessKeyId",
            "SecurityToken",
        ]) {
            if unique.contains(other) {
                continue;
            }
            let e = validate(action.name(), &query_with(action, other, "1"), "cn-hangzhou").unwrap_err();
            assert!(e.to_string().contains("is not accepted"), "{} {other}: {e}", action.name());
        }

        for (name, p) in &documented {
            let schema = &p["schema"];
            // Required: exactly when leaving it out is refused.
            let required = p["required"] == true;
            let without: Vec<(String, String)> =
                query_with(action, name, "x").into_iter().filter(|(k, _)| k != name).collect();
            let result = validate(action.name(), &without, "cn-hangzhou");
            assert_eq!(result.is_err(), required, "{} {name}: documented required={required}", action.name());
            // Defaults: what is forwarded when it is left out.
            if let (Ok(call), Some(default)) = (&result, schema.get("default")) {
                let forwarded = call
                    .param(name)
                    .unwrap_or_else(|| panic!("{} {name}: default {default} not forwarded", action.name()));
                assert_eq!(
                    &Value::from(forwarded),
                    &Value::from(default.to_string().trim_matches('"')),
                    "{} {name}",
                    action.name()
                );
            } else if let Ok(call) = &result {
                if name != "RegionId" {
                    assert_eq!(
                        call.param(name),
                        None,
                        "{} {name}: forwarded without a documented default",
                        action.name()
                    );
                }
            }
            // Values: the document and validate agree on every probe.
            for value in probes(schema) {
                assert_eq!(
                    doc_accepts(schema, &value),
                    validate_accepts(action, name, &value),
                    "{} {name}={value:?}: the document and validate() disagree (schema {schema})",
                    action.name()
                );
            }
        }
    }
}

fn arbitrary_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,70}",
        "[a-z0-9-]{0,70}",
        "[A-Za-z0-9_.-]{0,140}",
        "[0-9A-FX.:]{0,50}",
        "(0|[1-9][0-9]{0,15})",
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// For random values of every documented parameter, the document and validate() agree.
    #[test]
    fn the_document_and_validate_agree_on_random_values(value in arbitrary_value()) {
        let doc = doc();
        for action in Action::ALL {
            for (name, p) in documented_params(&doc, action) {
                let schema = &p["schema"];
                // A whole number written with leading zeros is not an integer's canonical form.
                if schema["type"] == "integer" && value.len() > 1 && value.starts_with('0') && value.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                prop_assert_eq!(doc_accepts(schema, &value), validate_accepts(action, &name, &value), "{} {}={:?}", action.name(), name, value);
            }
        }
    }
}

#[test]
fn every_action_documents_the_statuses_and_headers() {
    let doc = doc();
    for action in Action::ALL {
        let responses = &doc["paths"][format!("/api/rds/{}", action.name())]["get"]["responses"];
        for status in ["200", "400", "401", "403", "404", "413", "429", "502", "504", "default"] {
            assert!(responses[status].is_object(), "{} lacks {status}", action.name());
        }
        let ok = &responses["200"];
        assert_eq!(ok["headers"][migration_model::contract::HEADER_CACHE]["required"], true);
        assert!(ok["headers"][migration_model::contract::HEADER_STALE].is_object());
        let schema_ref = ok["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        let name = schema_ref.rsplit('/').next().unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "{schema_ref} is not in the components");
        for status in ["400", "401", "403", "404", "413", "502", "504", "default"] {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody"
            );
        }
    }
    let error = &doc["components"]["schemas"]["ErrorBody"];
    let required: BTreeSet<&str> =
        error["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, BTreeSet::from(["RequestId", "Code", "Message"]));
}

#[test]
fn no_secret_field_is_documented() {
    let doc = doc();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas["MigrationTask"]["properties"]["TaskId"].is_object());
    assert!(schemas["PrecheckTask"]["properties"]["TaskId"].is_object());
    for (name, schema) in schemas {
        if let Some(properties) = schema["properties"].as_object() {
            assert!(
                !properties.keys().any(|k| k.eq_ignore_ascii_case("SourcePassword")),
                "{name}: the proxy never returns SourcePassword"
            );
        }
    }
}

#[test]
fn security_follows_the_auth_mode() {
    assert!(doc_json(&Authenticator::None).get("security").is_none());
    let bearer = doc_json(&Authenticator::Bearer { tokens: Vec::new() });
    assert_eq!(bearer["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(bearer["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let trusted = doc_json(&Authenticator::TrustedHeader {
        proxies: Vec::new(),
        user_header: "x-forwarded-user".parse().unwrap(),
        groups_header: None,
    });
    assert_eq!(trusted["components"]["securitySchemes"]["portal"]["in"], "header");
    assert_eq!(trusted["components"]["securitySchemes"]["portal"]["name"], "x-forwarded-user");
}

#[test]
fn text_patterns_escape_their_punctuation() {
    assert_eq!(text_pattern(""), "^[A-Za-z0-9]+$");
    assert_eq!(text_pattern("-_."), "^[A-Za-z0-9_.-]+$");
    assert_eq!(text_pattern("]^\\-"), "^[A-Za-z0-9\\]\\^\\\\-]+$");
    for extra in ["", "-_.", "]^\\-", "[", "-"] {
        regex::Regex::new(&text_pattern(extra)).unwrap();
    }
}

fn state(base_path: &str) -> AppState {
    let creds = Credentials {
        access_key_id: "id".into(),
        access_key_secret: Secret::new("s"),
        security_token: None,
        source: Source::Demo,
    };
    let upstream = Upstream::new(None, creds, SignatureStyle::V3, Duration::from_secs(1)).unwrap();
    let mut state = AppState::new(upstream, Mode::Demo, "cn-hangzhou");
    state.base_path = base_path.to_string();
    state
}

async fn get(router: axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = router.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_document_is_served_under_the_base_path() {
    let (status, headers, doc) = get(app(state("")), "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["servers"][0]["url"], "/");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let (status, _, doc) = get(app(state("/migrations")), "/migrations/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["servers"][0]["url"], "/migrations");
    let (status, _, _) = get(app(state("/migrations")), "/api/openapi.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// What /api/session sends is what the document says, key for key.
#[tokio::test]
async fn the_session_body_matches_its_schema() {
    let (status, _, body) = get(app(state("")), "/api/session").await;
    assert_eq!(status, StatusCode::OK);
    let doc = doc();
    assert_eq!(
        doc["paths"]["/api/session"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/SessionInfo"
    );
    let schema = &doc["components"]["schemas"]["SessionInfo"];
    let properties: BTreeSet<&str> =
        schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    let sent: BTreeSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(properties, sent);
    let required: BTreeSet<&str> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, sent, "every key is always sent");
    assert_eq!(body["user"], Value::Null);
    let mode = &schema["properties"]["mode"];
    let values = mode["enum"].as_array().or_else(|| mode["oneOf"][0]["enum"].as_array()).unwrap();
    assert!(values.contains(&body["mode"]), "{mode}");
}

/// The proxy's own errors carry exactly the required keys of ErrorBody.
#[tokio::test]
async fn proxy_errors_match_the_error_schema() {
    for uri in ["/api/rds/DeleteDBInstance", "/api/rds/DescribeRegions?Foo=1", "/api/nothing"] {
        let (status, headers, body) = get(app(state("")), uri).await;
        assert!(status.is_client_error(), "{uri}");
        assert_eq!(headers["content-type"], "application/json", "{uri}");
        let keys: BTreeSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["RequestId", "Code", "Message"]), "{uri}");
        assert!(body["Code"].as_str().unwrap().starts_with("Proxy."), "{uri}");
    }
}
