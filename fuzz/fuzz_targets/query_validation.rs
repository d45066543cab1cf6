//! `actions::validate` (the allow-list and every parameter's bounds) on arbitrary calls: never
//! panics; whatever it accepts is allow-listed, within bounds and validates again to itself;
//! whatever it refuses is a `Proxy.*` error of bounded size.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use migration_proxy::actions::{validate, Action, Kind};

const NAMES: &[&str] = &[
    "DBInstanceName", "RegionId", "TaskId", "TaskName", "SourceIpAddress", "SourcePort", "PageNumber", "PageSize",
    "Engine", "DBInstanceId", "DBInstanceStatus", "DBInstanceType", "SearchKey", "AcceptLanguage", "Action", "Signature",
];

#[derive(Arbitrary, Debug)]
enum Pick {
    Known(u8),
    Any(String),
}

impl Pick {
    fn resolve(&self, known: &[&str]) -> String {
        match self {
            Pick::Known(i) => known[*i as usize % known.len()].to_string(),
            Pick::Any(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Call {
    action: Pick,
    query: Vec<(Pick, String)>,
    default_region: String,
}

fn within(kind: Kind, v: &str) -> bool {
    !v.is_empty()
        && match kind {
            Kind::InstanceId => v.len() <= 64 && v.starts_with(|c: char| c.is_ascii_lowercase()) && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            Kind::Int { min, max } => v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<u128>().is_ok_and(|n| n >= min as u128 && n <= max as u128),
            Kind::Text { max_len, extra } => v.chars().count() <= max_len && v.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c)),
            Kind::Ip => v.len() <= 45 && v.chars().all(|c| c.is_ascii_hexdigit() || ".:X".contains(c)),
            Kind::OneOf(values) => values.contains(&v),
        }
}

fuzz_target!(|call: Call| {
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    let action = call.action.resolve(&actions);
    let query: Vec<(String, String)> = call.query.iter().map(|(n, v)| (n.resolve(NAMES), v.clone())).collect();
    match validate(&action, &query, &call.default_region) {
        Ok(ok) => {
            assert_eq!(ok.action.name(), action);
            let specs = ok.action.params();
            for (name, value) in &ok.params {
                if name == "RegionId" {
                    assert!(ok.action.forwards_region());
                    continue;
                }
                let spec = specs.iter().find(|s| s.name() == name).expect("only declared parameters are forwarded");
                assert!(within(spec.kind(), value), "{name}={value:?} is out of bounds");
            }
            // What passed once passes again, to the same call.
            let again: Vec<(String, String)> = ok.params.iter().filter(|(k, _)| k != "RegionId").cloned().chain([("RegionId".to_string(), ok.region_id.clone())]).collect();
            if query.iter().any(|(k, _)| k == "RegionId") {
                assert_eq!(validate(&action, &again, &call.default_region).ok(), Some(ok.clone()));
            }
        }
        Err(e) => {
            assert!(matches!(e.code(), "Proxy.InvalidParameter" | "Proxy.ActionNotAllowed"), "{}", e.code());
            assert!(e.to_string().chars().count() < 600, "the error echoes too much");
        }
    }
});
