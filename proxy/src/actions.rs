//! The allow-list: the only upstream actions the proxy forwards (all read-only), and each one's
//! parameters with their bounds. Anything not listed here is refused before it reaches the upstream.
use std::collections::BTreeMap;

use migration_model::contract::{
    DEFAULT_PAGE_SIZE, DEMO_INSTANCE, INSTANCE_PAGE_SIZE_DEFAULT, INSTANCE_PAGE_SIZE_MAX,
    INSTANCE_PAGE_SIZE_MIN, PRECHECK_PAGE_SIZE_MAX, PRECHECK_PAGE_SIZE_MIN, TASK_PAGE_SIZE_MAX,
    TASK_PAGE_SIZE_MIN,
};

use crate::error::ProxyError;

/// Longest query string the proxy accepts on `/api/rds/...`.
pub const MAX_QUERY_BYTES: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    DescribeCloudMigrationResult,
    DescribeCloudMigrationPrecheckResult,
    DescribeDbInstances,
    DescribeRegions,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::DescribeCloudMigrationResult,
        Action::DescribeCloudMigrationPrecheckResult,
        Action::DescribeDbInstances,
        Action::DescribeRegions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::DescribeCloudMigrationResult => "DescribeCloudMigrationResult",
            Action::DescribeCloudMigrationPrecheckResult => "DescribeCloudMigrationPrecheckResult",
            Action::DescribeDbInstances => "DescribeDBInstances",
            Action::DescribeRegions => "DescribeRegions",
        }
    }

    /// Exact, case-sensitive match: Alibaba's action names are case-sensitive too.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The parameters this action accepts besides `RegionId` (which every action accepts, see
    /// [`REGION_ID_LEN`]), with the rules [`validate`] enforces. Read-only: the OpenAPI document and
    /// the tests are generated from this same table, so they cannot drift from the validation.
    pub fn params(self) -> &'static [Param] {
        match self {
            Action::DescribeCloudMigrationResult => MIGRATION_LIST_PARAMS,
            Action::DescribeCloudMigrationPrecheckResult => PRECHECK_LIST_PARAMS,
            Action::DescribeDbInstances => DB_INSTANCES_PARAMS,
            Action::DescribeRegions => REGIONS_PARAMS,
        }
    }

    /// Whether the upstream action declares `RegionId` (otherwise it only picks the endpoint).
    pub fn forwards_region(self) -> bool {
        matches!(self, Action::DescribeDbInstances)
    }
}

/// The rule one parameter's value must follow. Every value must also be non-empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An RDS instance ID such as pgm-bp102g323jd4demo: a lower-case letter, then lower-case
    /// letters, digits and '-', at most [`INSTANCE_ID_MAX_LEN`] in all.
    InstanceId,
    /// An unsigned integer within bounds.
    Int { min: u64, max: u64 },
    /// Free-ish text: letters, digits and the listed punctuation.
    Text { max_len: usize, extra: &'static str },
    /// An IPv4/IPv6 address, possibly masked as the API prints it (172.16.XX.XX): hex digits,
    /// '.', ':' and 'X', at most [`IP_MAX_LEN`].
    Ip,
    /// One of a fixed set of values.
    OneOf(&'static [&'static str]),
}

/// The value a parameter takes when the caller leaves it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    Text(&'static str),
    /// A number, so that bounds shared with the app (`migration_model::contract`) are used as they are.
    Int(u32),
}

/// One accepted parameter: its name, rule, default and whether it is required.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    name: &'static str,
    kind: Kind,
    /// Filled in when the caller leaves it out (the API requires it, the UI should not have to).
    default: Option<DefaultValue>,
    required: bool,
}

impl Param {
    pub fn name(&self) -> &'static str {
        self.name
    }
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// The value forwarded when the caller leaves the parameter out.
    pub fn default(&self) -> Option<String> {
        self.default.map(|d| match d {
            DefaultValue::Text(t) => t.to_string(),
            DefaultValue::Int(n) => n.to_string(),
        })
    }
    pub fn required(&self) -> bool {
        self.required
    }
}

/// Longest instance ID accepted ([`Kind::InstanceId`]).
pub const INSTANCE_ID_MAX_LEN: usize = 64;
/// Longest IP address accepted ([`Kind::Ip`]).
pub const IP_MAX_LEN: usize = 45;
/// `RegionId`, accepted on every action: lower-case letters, digits and '-', not starting or
/// ending with '-', this many characters. It picks the endpoint (never the caller's host).
pub const REGION_ID_LEN: std::ops::RangeInclusive<usize> = 2..=48;
/// Longest integer text accepted ([`Kind::Int`]), before the range check.
pub const INT_MAX_DIGITS: usize = 20;

const fn p(name: &'static str, kind: Kind) -> Param {
    Param { name, kind, default: None, required: false }
}

const INSTANCE: Param =
    Param { name: "DBInstanceName", kind: Kind::InstanceId, default: None, required: true };
const TASK_ID: Param = p("TaskId", Kind::Int { min: 1, max: 9_999_999_999_999 });
const TASK_NAME: Param = p("TaskName", Kind::Text { max_len: 128, extra: "-_." });
const SOURCE_IP: Param = p("SourceIpAddress", Kind::Ip);
const SOURCE_PORT: Param = p("SourcePort", Kind::Int { min: 1, max: 65_535 });
const PAGE_NUMBER: Param = Param {
    name: "PageNumber",
    kind: Kind::Int { min: 1, max: 100_000 },
    default: Some(DefaultValue::Int(1)),
    required: false,
};

/// DescribeCloudMigrationResult: no PageSize range is published (the example uses 10), so the
/// contract's task-list bounds.
const MIGRATION_LIST_PARAMS: &[Param] = &[
    INSTANCE,
    TASK_ID,
    TASK_NAME,
    SOURCE_IP,
    SOURCE_PORT,
    PAGE_NUMBER,
    Param {
        name: "PageSize",
        kind: Kind::Int { min: TASK_PAGE_SIZE_MIN as u64, max: TASK_PAGE_SIZE_MAX as u64 },
        default: Some(DefaultValue::Int(DEFAULT_PAGE_SIZE)),
        required: false,
    },
];

/// DescribeCloudMigrationPrecheckResult: "Valid values: 30 to 100. Default value: 30."
const PRECHECK_LIST_PARAMS: &[Param] = &[
    INSTANCE,
    TASK_ID,
    TASK_NAME,
    SOURCE_IP,
    SOURCE_PORT,
    PAGE_NUMBER,
    Param {
        name: "PageSize",
        kind: Kind::Int { min: PRECHECK_PAGE_SIZE_MIN as u64, max: PRECHECK_PAGE_SIZE_MAX as u64 },
        default: Some(DefaultValue::Int(DEFAULT_PAGE_SIZE)),
        required: false,
    },
];

const DB_INSTANCES_PARAMS: &[Param] = &[
    // The picker lists PostgreSQL only: this proxy is for PostgreSQL migrations.
    Param {
        name: "Engine",
        kind: Kind::OneOf(&["PostgreSQL"]),
        default: Some(DefaultValue::Text("PostgreSQL")),
        required: false,
    },
    p("DBInstanceId", Kind::InstanceId),
    p("DBInstanceStatus", Kind::Text { max_len: 64, extra: "" }),
    p("DBInstanceType", Kind::OneOf(&["Primary", "Readonly", "Guard", "Temp"])),
    p("SearchKey", Kind::Text { max_len: 64, extra: "-_." }),
    PAGE_NUMBER,
    // DescribeDBInstances documents its own PageSize range.
    Param {
        name: "PageSize",
        kind: Kind::Int { min: INSTANCE_PAGE_SIZE_MIN as u64, max: INSTANCE_PAGE_SIZE_MAX as u64 },
        default: Some(DefaultValue::Int(INSTANCE_PAGE_SIZE_DEFAULT)),
        required: false,
    },
];

const REGIONS_PARAMS: &[Param] = &[p("AcceptLanguage", Kind::OneOf(&["zh-CN", "en-US"]))];

/// A call that passed the allow-list and validation, ready to be signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedCall {
    pub action: Action,
    /// The region whose endpoint serves the call.
    pub region_id: String,
    /// The parameters to forward, sorted by name (so equal calls compare and cache equal).
    pub params: Vec<(String, String)>,
}

impl ValidatedCall {
    /// The RDS instance the call is about, if any (for policy checks and the audit log).
    pub fn instance(&self) -> Option<&str> {
        self.param("DBInstanceName").or_else(|| self.param("DBInstanceId"))
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Checks an incoming `/api/rds/{action}?{query}` against the allow-list and the action's parameters.
pub fn validate(
    action: &str,
    query: &[(String, String)],
    default_region: &str,
) -> Result<ValidatedCall, ProxyError> {
    let action =
        Action::from_name(action).ok_or_else(|| ProxyError::ActionNotAllowed(truncate(action, 64)))?;
    let specs = action.params();

    let mut given: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in query {
        if given.insert(name.as_str(), value.as_str()).is_some() {
            return Err(ProxyError::InvalidParameter(format!(
                "The parameter {} is given more than once.",
                truncate(name, 64)
            )));
        }
    }

    let region_id = match given.remove("RegionId") {
        Some(r) => {
            check_region(r)?;
            r.to_string()
        }
        None => default_region.to_string(),
    };

    if let Some(unknown) = given.keys().find(|k| !specs.iter().any(|s| s.name == **k)) {
        let allowed: Vec<&str> = specs.iter().map(|s| s.name).chain(["RegionId"]).collect();
        return Err(ProxyError::InvalidParameter(format!(
            "The parameter {} is not accepted by {}. Accepted: {}.",
            truncate(unknown, 64),
            action.name(),
            allowed.join(", ")
        )));
    }

    let mut params = Vec::new();
    for spec in specs {
        match given.get(spec.name) {
            Some(value) => {
                check_value(spec, value)?;
                params.push((spec.name.to_string(), value.to_string()));
            }
            None if spec.required => {
                return Err(ProxyError::InvalidParameter(format!(
                    "The parameter {} is required by {}.",
                    spec.name,
                    action.name()
                )));
            }
            None => {
                if let Some(d) = spec.default() {
                    params.push((spec.name.to_string(), d));
                }
            }
        }
    }
    if action.forwards_region() {
        params.push(("RegionId".to_string(), region_id.clone()));
    }
    params.sort();
    Ok(ValidatedCall { action, region_id, params })
}

/// Whether `r` is shaped like a region ID (what request values, `--region-id` and the STS region
/// must be before they are formatted into a host name).
pub fn is_region_id(r: &str) -> bool {
    check_region(r).is_ok()
}

fn check_region(r: &str) -> Result<(), ProxyError> {
    let ok = REGION_ID_LEN.contains(&r.len())
        && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !r.starts_with('-')
        && !r.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ProxyError::InvalidParameter(format!(
            "The parameter RegionId must be a region ID such as cn-hangzhou (lower-case letters, digits and '-'), not {:?}.",
            truncate(r, 64)
        )))
    }
}

fn check_value(spec: &Param, value: &str) -> Result<(), ProxyError> {
    let bad = |why: String| Err(ProxyError::InvalidParameter(format!("The parameter {} {why}", spec.name)));
    if value.is_empty() {
        return bad("is empty; leave it out instead.".into());
    }
    match spec.kind {
        Kind::InstanceId => {
            let ok = value.len() <= INSTANCE_ID_MAX_LEN
                && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && value.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
            if !ok {
                return bad(format!(
                    "must be an instance ID such as {DEMO_INSTANCE} (lower-case letters, digits and '-', at most 64), not {:?}.",
                    truncate(value, 64)
                ));
            }
        }
        Kind::Int { min, max } => {
            let parsed = if value.len() <= INT_MAX_DIGITS && value.bytes().all(|b| b.is_ascii_digit()) {
                value.parse::<u64>().ok()
            } else {
                None
            };
            match parsed {
                Some(n) if (min..=max).contains(&n) => {}
                _ => {
                    return bad(format!(
                        "must be a whole number from {min} to {max}, not {:?}.",
                        truncate(value, 32)
                    ))
                }
            }
        }
        Kind::Text { max_len, extra } => {
            let ok = value.chars().count() <= max_len
                && value.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
            if !ok {
                let allowed = if extra.is_empty() { String::new() } else { format!(" and {extra}") };
                return bad(format!(
                    "may hold at most {max_len} letters, digits{allowed}, not {:?}.",
                    truncate(value, 64)
                ));
            }
        }
        Kind::Ip => {
            let ok = value.len() <= IP_MAX_LEN
                && value.chars().all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':' || c == 'X');
            if !ok {
                return bad(format!(
                    "must be an IP address such as 172.16.1.10, not {:?}.",
                    truncate(value, 64)
                ));
            }
        }
        Kind::OneOf(values) => {
            if !values.contains(&value) {
                return bad(format!("must be one of {}, not {:?}.", values.join(", "), truncate(value, 64)));
            }
        }
    }
    Ok(())
}

/// Cuts echoed input so an error message can never be used to reflect a large payload.
fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max_chars).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn msg(e: ProxyError) -> (String, &'static str) {
        (e.to_string(), e.code())
    }

    #[test]
    fn task_list_gets_defaults_and_keeps_region_out_of_the_forwarded_params() {
        let call = validate(
            "DescribeCloudMigrationResult",
            &q(&[("DBInstanceName", "pgm-bp102g323jd4demo"), ("RegionId", "cn-shanghai")]),
            "cn-hangzhou",
        )
        .unwrap();
        assert_eq!(call.region_id, "cn-shanghai");
        assert_eq!(
            call.params,
            q(&[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1"), ("PageSize", "30")])
        );
        assert_eq!(call.instance(), Some("pgm-bp102g323jd4demo"));
    }

    #[test]
    fn region_defaults_and_is_forwarded_only_where_declared() {
        let call = validate("DescribeDBInstances", &[], "cn-hangzhou").unwrap();
        assert_eq!(call.region_id, "cn-hangzhou");
        assert_eq!(call.param("RegionId"), Some("cn-hangzhou"));
        assert_eq!(call.param("Engine"), Some("PostgreSQL"));
        let call = validate("DescribeRegions", &q(&[("RegionId", "ap-southeast-5")]), "cn-hangzhou").unwrap();
        assert_eq!(call.region_id, "ap-southeast-5");
        assert!(call.params.is_empty());
    }

    #[test]
    fn only_allow_listed_actions_pass() {
        for bad in [
            "DeleteDBInstance",
            "CreateCloudMigrationTask",
            "ActivateMigrationTargetInstance",
            "describeregions",
            "",
            "../x",
        ] {
            let (_, code) = msg(validate(bad, &[], "cn-hangzhou").unwrap_err());
            assert_eq!(code, "Proxy.ActionNotAllowed", "{bad}");
        }
    }

    #[test]
    fn page_size_bounds_differ_per_action() {
        let inst = ("DBInstanceName", "pgm-x");
        assert!(validate("DescribeCloudMigrationResult", &q(&[inst, ("PageSize", "1")]), "r1").is_ok());
        assert!(validate("DescribeCloudMigrationResult", &q(&[inst, ("PageSize", "100")]), "r1").is_ok());
        assert!(validate("DescribeCloudMigrationResult", &q(&[inst, ("PageSize", "101")]), "r1").is_err());
        assert!(
            validate("DescribeCloudMigrationPrecheckResult", &q(&[inst, ("PageSize", "29")]), "r1").is_err()
        );
        let call =
            validate("DescribeCloudMigrationPrecheckResult", &q(&[inst, ("PageSize", "30")]), "r1").unwrap();
        assert_eq!(call.param("PageSize"), Some("30"));
    }

    #[test]
    fn bad_input_is_named_in_the_error() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "DBInstanceName is required"),
            (&[("DBInstanceName", "pgm-x"), ("Foo", "1")], "Foo is not accepted"),
            (&[("DBInstanceName", "pgm-x"), ("Signature", "abc")], "Signature is not accepted"),
            (&[("DBInstanceName", "pgm-x"), ("AccessKeyId", "abc")], "AccessKeyId is not accepted"),
            (&[("DBInstanceName", "PGM_X")], "DBInstanceName must be an instance ID"),
            (&[("DBInstanceName", "pgm-x"), ("TaskId", "12a")], "TaskId must be a whole number"),
            (&[("DBInstanceName", "pgm-x"), ("TaskId", "-1")], "TaskId must be a whole number"),
            (
                &[("DBInstanceName", "pgm-x"), ("SourcePort", "70000")],
                "SourcePort must be a whole number from 1 to 65535",
            ),
            (
                &[("DBInstanceName", "pgm-x"), ("SourceIpAddress", "1.2.3.4/evil")],
                "SourceIpAddress must be an IP address",
            ),
            (&[("DBInstanceName", "pgm-x"), ("TaskName", "a b")], "TaskName may hold"),
            (&[("DBInstanceName", "pgm-x"), ("TaskName", "")], "TaskName is empty"),
            (
                &[("DBInstanceName", "pgm-x"), ("DBInstanceName", "pgm-y")],
                "DBInstanceName is given more than once",
            ),
            (
                &[("DBInstanceName", "pgm-x"), ("RegionId", "evil.example.com")],
                "RegionId must be a region ID",
            ),
            (
                &[("DBInstanceName", "pgm-x"), ("RegionId", "cn-hangzhou/../x")],
                "RegionId must be a region ID",
            ),
        ];
        for (query, want) in cases {
            let e = validate("DescribeCloudMigrationResult", &q(query), "cn-hangzhou").unwrap_err();
            assert_eq!(e.code(), "Proxy.InvalidParameter");
            assert!(e.to_string().contains(want), "{query:?}: {e}");
        }
    }

    #[test]
    fn echoed_input_is_truncated() {
        let long = "a".repeat(10_000);
        let e = validate("DescribeCloudMigrationResult", &q(&[("DBInstanceName", &long)]), "r").unwrap_err();
        assert!(e.to_string().len() < 400);
    }

    #[test]
    fn equal_calls_validate_equal_whatever_the_order() {
        let a = validate(
            "DescribeCloudMigrationResult",
            &q(&[("PageSize", "10"), ("DBInstanceName", "pgm-x")]),
            "r",
        )
        .unwrap();
        let b = validate(
            "DescribeCloudMigrationResult",
            &q(&[("DBInstanceName", "pgm-x"), ("PageSize", "10")]),
            "r",
        )
        .unwrap();
        assert_eq!(a, b);
    }

    use proptest::prelude::*;

    /// Rules restated independently of check_value, to check what validate lets through.
    fn within_bounds(kind: Kind, v: &str) -> bool {
        !v.is_empty()
            && match kind {
                Kind::InstanceId => {
                    v.len() <= INSTANCE_ID_MAX_LEN
                        && v.starts_with(|c: char| c.is_ascii_lowercase())
                        && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                }
                Kind::Int { min, max } => {
                    v.chars().all(|c| c.is_ascii_digit())
                        && v.parse::<u128>().is_ok_and(|n| n >= min as u128 && n <= max as u128)
                }
                Kind::Text { max_len, extra } => {
                    v.chars().count() <= max_len
                        && v.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
                }
                Kind::Ip => {
                    v.len() <= IP_MAX_LEN && v.chars().all(|c| c.is_ascii_hexdigit() || ".:X".contains(c))
                }
                Kind::OneOf(values) => values.contains(&v),
            }
    }

    fn region_ok(r: &str) -> bool {
        REGION_ID_LEN.contains(&r.len())
            && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !r.starts_with('-')
            && !r.ends_with('-')
    }

    fn action_name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(Action::ALL.to_vec()).prop_map(|a| a.name().to_string()),
            1 => "\\PC{0,40}",
            1 => "[A-Za-z/.%]{0,40}",
        ]
    }

    fn param_name() -> impl Strategy<Value = String> {
        let known: Vec<String> = Action::ALL
            .iter()
            .flat_map(|a| a.params().iter().map(|p| p.name().to_string()))
            .chain(["RegionId".to_string()])
            .collect();
        prop_oneof![6 => prop::sample::select(known), 1 => "\\PC{0,12}"]
    }

    fn param_value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9-]{0,70}",
            "[0-9]{1,22}",
            "[A-Za-z0-9_.-]{0,140}",
            "[0-9A-FX.:]{0,50}",
            prop::sample::select(vec!["PostgreSQL", "Primary", "zh-CN", "en-US", "cn-hangzhou", "30", "100"])
                .prop_map(str::to_string),
            "\\PC{0,30}",
            "[ -~]{0,30}",
        ]
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().build().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// validate never panics; whatever it accepts is allow-listed and within every bound;
        /// whatever it refuses is a Proxy.* error of bounded size.
        #[test]
        fn accepted_calls_are_within_bounds_and_refusals_are_proxy_errors(
            action in action_name(),
            query in prop::collection::vec((param_name(), param_value()), 0..9),
            default_region in prop_oneof![Just("cn-hangzhou".to_string()), "[a-z0-9-]{2,12}"],
        ) {
            match validate(&action, &query, &default_region) {
                Ok(call) => {
                    prop_assert_eq!(call.action.name(), action.as_str());
                    let specs = call.action.params();
                    // Every required parameter, nothing unknown, sorted, each once.
                    for spec in specs.iter().filter(|s| s.required()) {
                        prop_assert!(call.param(spec.name()).is_some(), "{} missing", spec.name());
                    }
                    let mut names: Vec<&str> = call.params.iter().map(|(k, _)| k.as_str()).collect();
                    let sorted = { let mut n = names.clone(); n.sort(); n };
                    prop_assert_eq!(&names, &sorted);
                    names.dedup();
                    prop_assert_eq!(names.len(), call.params.len());
                    for (name, value) in &call.params {
                        if name == "RegionId" {
                            prop_assert!(call.action.forwards_region());
                            prop_assert_eq!(value, &call.region_id);
                            continue;
                        }
                        let spec = specs.iter().find(|s| s.name() == name.as_str());
                        prop_assert!(spec.is_some(), "{} is not a parameter of {}", name, action);
                        prop_assert!(within_bounds(spec.unwrap().kind(), value), "{}={:?} out of bounds", name, value);
                    }
                    // The region: the caller's, if valid, else the default.
                    match query.iter().find(|(k, _)| k == "RegionId") {
                        Some((_, r)) => { prop_assert!(region_ok(r)); prop_assert_eq!(&call.region_id, r); }
                        None => prop_assert_eq!(&call.region_id, &default_region),
                    }
                    // What was given is forwarded unchanged; what was not, only as its default.
                    for spec in specs {
                        let given = query.iter().find(|(k, _)| k == spec.name()).map(|(_, v)| v.as_str());
                        let default = spec.default();
                        prop_assert_eq!(call.param(spec.name()), given.or(default.as_deref()));
                    }
                }
                Err(e) => {
                    prop_assert!(matches!(e.code(), "Proxy.InvalidParameter" | "Proxy.ActionNotAllowed"), "{}", e.code());
                    prop_assert!(e.to_string().chars().count() < 600, "an error echoes too much: {}", e);
                    let response = axum::response::IntoResponse::into_response(e.clone());
                    prop_assert!(response.status() == 400 || response.status() == 403);
                    let body = runtime().block_on(async {
                        http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes()
                    });
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    prop_assert_eq!(v["Code"].as_str(), Some(e.code()));
                    prop_assert!(v["RequestId"].as_str().is_some_and(|r| r.len() == 36));
                    prop_assert!(v["Message"].is_string());
                }
            }
        }

        /// Queries built only from each action's own parameters with valid values always pass.
        #[test]
        fn valid_queries_always_pass(action in prop::sample::select(Action::ALL.to_vec()), picks in prop::collection::vec(any::<prop::sample::Index>(), 0..8)) {
            let specs = action.params();
            let mut query: Vec<(String, String)> = Vec::new();
            for spec in specs.iter().filter(|s| s.required()) {
                query.push((spec.name().to_string(), "pgm-x".into()));
            }
            for pick in picks {
                let spec = pick.get(specs);
                if query.iter().any(|(k, _)| k == spec.name()) {
                    continue;
                }
                let value = match spec.kind() {
                    Kind::InstanceId => "pgm-a1".to_string(),
                    Kind::Int { min, max } => (min + (max - min) / 2).to_string(),
                    Kind::Text { .. } => "abc1".to_string(),
                    Kind::Ip => "172.16.XX.XX".to_string(),
                    Kind::OneOf(values) => values[0].to_string(),
                };
                query.push((spec.name().to_string(), value));
            }
            prop_assert!(validate(action.name(), &query, "cn-hangzhou").is_ok(), "{:?}", query);
        }
    }
}
