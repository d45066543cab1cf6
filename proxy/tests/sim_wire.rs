//! The RDS simulator on the wire, with hand-signed requests: both signature styles over GET and
//! POST (query and form body), the service's error codes and statuses, XML for RPC calls that
//! name no Format, throttling, and the STS / ECS-metadata stand-ins whose short-lived
//! credentials the simulator accepts only with their SecurityToken and only until they expire.
mod common;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use migration_proxy::signing::{rpc, timestamp, v3};
use migration_proxy::simulator::{self, Faults, ManualClock, SimConfig, StsConfig};
use serde_json::Value;

const RDS: &str = "2014-08-15";
const STS: &str = "2015-04-01";
const ID: &str = simulator::DEMO_ACCESS_KEY_ID;
const SECRET: &str = simulator::DEMO_ACCESS_KEY_SECRET;

thread_local! {
    /// One client per test thread (each test has its own runtime), so connections are reused.
    static CLIENT: reqwest::Client = {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder().timeout(StdDuration::from_secs(20)).build().unwrap()
    };
}

fn client() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_string()
    }
}

async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let asked = format!("{} (the simulator)", r.url().path());
    let text = r.text().await.unwrap();
    let body = common::upstream_body_for_transcript(&text);
    common::record_answer(&asked, status, &format!("{headers:?}\n{body}"));
    Reply { status, headers, text }
}

/// Who signs, and when.
#[derive(Clone)]
struct Signer {
    id: String,
    secret: String,
    token: Option<String>,
    at: DateTime<Utc>,
}

impl Signer {
    fn demo() -> Signer {
        Signer { id: ID.into(), secret: SECRET.into(), token: None, at: Utc::now() }
    }
}

/// An RPC (HMAC-SHA1) call: parameters in the query (GET or POST) or in a form body (POST).
#[allow(clippy::too_many_arguments)]
async fn rpc_call(
    base: &str,
    method: &str,
    form: bool,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
    s: &Signer,
    nonce: &str,
) -> Reply {
    let mut params = pairs(params);
    if !params.iter().any(|(k, _)| k == "Format") {
        params.push(("Format".into(), "JSON".into()));
    }
    let signed = rpc::sign_params(
        method,
        action,
        version,
        &params,
        &s.id,
        &s.secret,
        s.token.as_deref(),
        &timestamp::format(s.at),
        nonce,
    );
    send_rpc(base, method, form, &signed).await
}

async fn send_rpc(base: &str, method: &str, form: bool, signed: &[(String, String)]) -> Reply {
    let c = client();
    let url = format!("{base}/");
    let req = match (method, form) {
        ("GET", _) => c.get(&url).query(signed),
        (_, false) => c.post(&url).query(signed),
        (_, true) => c.post(&url).form(signed),
    };
    reply(req.send().await.unwrap()).await
}

/// A V3 (ACS3-HMAC-SHA256) call with the parameters in the query, as the official SDK sends it.
async fn v3_call(
    base: &str,
    method: &str,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
    s: &Signer,
    nonce: &str,
) -> Reply {
    let query = pairs(params);
    let host = base.trim_start_matches("http://");
    let date = timestamp::format(s.at);
    let signed = v3::sign(&v3::SignRequest {
        method,
        host,
        path: "/",
        query: &query,
        headers: &[],
        body: b"",
        action,
        version,
        date: &date,
        nonce,
        access_key_id: &s.id,
        access_key_secret: &s.secret,
        security_token: s.token.as_deref(),
    });
    let c = client();
    let url = format!("{base}/?{}", migration_proxy::signing::encode::canonical_query(&query));
    let mut req = if method == "GET" { c.get(&url) } else { c.post(&url) };
    for (k, v) in signed.headers.iter().filter(|(k, _)| k != "host") {
        req = req.header(k.as_str(), v.as_str());
    }
    reply(req.send().await.unwrap()).await
}

const TASKS: &[(&str, &str)] =
    &[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1"), ("PageSize", "30")];

fn assert_seed_first(r: &Reply) {
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["Items"][0]["TaskId"], 440437220, "{}", r.text);
    assert_eq!(v["Items"].as_array().unwrap().len(), 30);
    assert!(v["TotalSize"].as_u64().unwrap() > 30);
    assert_eq!(v["RequestId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn both_signature_styles_over_get_and_post_query_and_form() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let base = sim.url();
    let s = Signer::demo();
    for (method, form) in [("GET", false), ("POST", false), ("POST", true)] {
        let r = rpc_call(&base, method, form, RDS, "DescribeCloudMigrationResult", TASKS, &s, &nonce()).await;
        assert_seed_first(&r);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(r.headers.contains_key("x-acs-request-id") && r.headers.contains_key("date"));
    }
    for method in ["GET", "POST"] {
        assert_seed_first(
            &v3_call(&base, method, RDS, "DescribeCloudMigrationResult", TASKS, &s, &nonce()).await,
        );
    }
    // Every implemented action.
    let pre = v3_call(&base, "POST", RDS, "DescribeCloudMigrationPrecheckResult", TASKS, &s, &nonce()).await;
    assert_eq!(pre.status, 200, "{}", pre.text);
    assert!(pre.json()["TotalSize"].as_u64().unwrap() > 30);
    let dbs = v3_call(
        &base,
        "POST",
        RDS,
        "DescribeDBInstances",
        &[("RegionId", "cn-hangzhou"), ("Engine", "PostgreSQL")],
        &s,
        &nonce(),
    )
    .await;
    let ids: Vec<String> = dbs.json()["Items"]["DBInstance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["DBInstanceId"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.iter().any(|i| i == "pgm-bp102g323jd4demo"), "{ids:?}");
    // Token paging: MaxResults, then NextToken; PageNumber 1 and TotalRecordCount the page's count.
    let first = v3_call(
        &base,
        "POST",
        RDS,
        "DescribeDBInstances",
        &[("RegionId", "cn-hangzhou"), ("MaxResults", "1")],
        &s,
        &nonce(),
    )
    .await
    .json();
    let token = first["NextToken"].as_str().unwrap().to_string();
    assert!(!token.is_empty() && first["TotalRecordCount"] == 1 && first["PageNumber"] == 1, "{first}");
    let second = v3_call(
        &base,
        "POST",
        RDS,
        "DescribeDBInstances",
        &[("RegionId", "cn-hangzhou"), ("MaxResults", "1"), ("NextToken", &token)],
        &s,
        &nonce(),
    )
    .await
    .json();
    assert_ne!(
        second["Items"]["DBInstance"][0]["DBInstanceId"],
        first["Items"]["DBInstance"][0]["DBInstanceId"]
    );
    let regions = rpc_call(&base, "POST", false, RDS, "DescribeRegions", &[], &s, &nonce()).await;
    assert!(regions.json()["Regions"]["RDSRegion"].as_array().unwrap().len() >= 4);
    sim.stop().await;
}

#[tokio::test]
async fn rpc_calls_without_format_get_xml_as_the_service_defaults() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let s = Signer::demo();
    let params = pairs(&[("RegionId", "cn-hangzhou")]);
    let signed = rpc::sign_params(
        "GET",
        "DescribeRegions",
        RDS,
        &params,
        ID,
        SECRET,
        None,
        &timestamp::format(s.at),
        &nonce(),
    )
    .into_iter()
    .filter(|(k, _)| k != "Format")
    .collect::<Vec<_>>();
    // Format is signed too, so re-sign without it.
    let unsigned: Vec<(String, String)> = signed.iter().filter(|(k, _)| k != "Signature").cloned().collect();
    let mut resigned = unsigned.clone();
    resigned.push(("Signature".into(), rpc::signature("GET", &unsigned, SECRET)));
    let r = send_rpc(&sim.url(), "GET", false, &resigned).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/xml"));
    assert!(
        r.text.starts_with("<?xml")
            && r.text.contains("<DescribeRegionsResponse><Regions><RDSRegion><RegionId>"),
        "{}",
        r.text
    );
    let bad = send_rpc(&sim.url(), "GET", false, &unsigned).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text.contains("<Error>") && bad.text.contains("<Code>IncompleteSignature</Code>"),
        "{}",
        bad.text
    );
    sim.stop().await;
}

#[tokio::test]
async fn errors_carry_the_services_codes_and_statuses() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let base = sim.url();
    let s = Signer::demo();
    let call = |method: &'static str,
                action: &'static str,
                params: &'static [(&'static str, &'static str)],
                s: Signer| {
        let base = base.clone();
        async move { v3_call(&base, method, RDS, action, params, &s, &nonce()).await }
    };
    let expect = |r: Reply, status: u16, code: &str| {
        assert_eq!((r.status, r.code().as_str()), (status, code), "{}", r.text);
        let v = r.json();
        assert!(
            v["RequestId"].is_string() && v["Message"].is_string() && v["HostId"].is_string(),
            "{}",
            r.text
        );
    };

    let unknown_key = Signer { id: "no-such-key".into(), ..s.clone() };
    expect(call("POST", "DescribeRegions", &[], unknown_key).await, 404, "InvalidAccessKeyId.NotFound");
    let wrong_secret = Signer { secret: "wrong".into(), ..s.clone() };
    expect(call("POST", "DescribeRegions", &[], wrong_secret.clone()).await, 400, "SignatureDoesNotMatch");
    let r = rpc_call(&base, "GET", false, RDS, "DescribeRegions", &[], &wrong_secret, &nonce()).await;
    expect(r, 400, "SignatureDoesNotMatch");
    let old = Signer { at: Utc::now() - Duration::minutes(16), ..s.clone() };
    expect(call("POST", "DescribeRegions", &[], old.clone()).await, 400, "InvalidTimeStamp.Expired");
    expect(
        rpc_call(&base, "GET", false, RDS, "DescribeRegions", &[], &old, &nonce()).await,
        400,
        "InvalidTimeStamp.Expired",
    );
    let future = Signer { at: Utc::now() + Duration::minutes(16), ..s.clone() };
    expect(call("POST", "DescribeRegions", &[], future).await, 400, "InvalidTimeStamp.Expired");
    let inside = Signer { at: Utc::now() - Duration::minutes(14), ..s.clone() };
    assert_eq!(
        call("POST", "DescribeRegions", &[], inside).await.status,
        200,
        "14 minutes is inside the window"
    );

    // Signature parameters: missing, duplicated, malformed timestamp.
    let good = rpc::sign_params(
        "GET",
        "DescribeRegions",
        RDS,
        &pairs(&[("Format", "JSON")]),
        ID,
        SECRET,
        None,
        &timestamp::format(Utc::now()),
        &nonce(),
    );
    let without = |name: &str| good.iter().filter(|(k, _)| k != name).cloned().collect::<Vec<_>>();
    expect(send_rpc(&base, "GET", false, &without("Signature")).await, 400, "IncompleteSignature");
    expect(send_rpc(&base, "GET", false, &without("SignatureNonce")).await, 400, "MissingSignatureNonce");
    expect(send_rpc(&base, "GET", false, &without("Timestamp")).await, 400, "IllegalTimestamp");
    expect(send_rpc(&base, "GET", false, &without("AccessKeyId")).await, 400, "MissingAccessKeyId");
    let mut doubled = good.clone();
    doubled.push(("SignatureNonce".into(), "again".into()));
    expect(send_rpc(&base, "GET", false, &doubled).await, 400, "IncompleteSignature");
    let bad_time: Vec<(String, String)> =
        good.iter()
            .map(|(k, v)| {
                if k == "Timestamp" {
                    (k.clone(), "2026-13-45 25:00".into())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
    expect(send_rpc(&base, "GET", false, &bad_time).await, 400, "InvalidTimeStamp.Format");

    // A nonce may not be used twice (within 31 minutes), even by a correctly signed request.
    let n = nonce();
    assert_eq!(v3_call(&base, "POST", RDS, "DescribeRegions", &[], &s, &n).await.status, 200);
    expect(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &Signer { at: Utc::now(), ..s.clone() }, &n)
            .await,
        400,
        "SignatureNonceUsed",
    );

    // Parameters and actions.
    expect(
        call("POST", "DescribeCloudMigrationResult", &[("PageNumber", "1"), ("PageSize", "30")], s.clone())
            .await,
        400,
        "MissingDBInstanceName",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationResult",
            &[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1")],
            s.clone(),
        )
        .await,
        400,
        "MissingPageSize",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationResult",
            &[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1"), ("PageSize", "500")],
            s.clone(),
        )
        .await,
        400,
        "InvalidPageSize",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationResult",
            &[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "x"), ("PageSize", "30")],
            s.clone(),
        )
        .await,
        400,
        "InvalidPageNumber",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationResult",
            &[
                ("DBInstanceName", "pgm-bp102g323jd4demo"),
                ("PageNumber", "1"),
                ("PageSize", "30"),
                ("TaskId", "abc"),
            ],
            s.clone(),
        )
        .await,
        400,
        "InvalidTaskId",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationPrecheckResult",
            &[("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1"), ("PageSize", "10")],
            s.clone(),
        )
        .await,
        400,
        "InvalidPageSize",
    );
    expect(
        call(
            "POST",
            "DescribeCloudMigrationResult",
            &[("DBInstanceName", "pgm-nosuchinstance"), ("PageNumber", "1"), ("PageSize", "30")],
            s.clone(),
        )
        .await,
        404,
        "InvalidDBInstanceName.NotFound",
    );
    expect(call("POST", "DescribeDBInstances", &[], s.clone()).await, 400, "MissingRegionId");
    expect(
        call("POST", "DeleteDBInstance", &[("DBInstanceId", "pgm-x")], s.clone()).await,
        404,
        "InvalidApi.NotFound",
    );
    expect(
        v3_call(&base, "POST", "2099-01-01", "DescribeRegions", &[], &s, &nonce()).await,
        400,
        "InvalidVersion",
    );
    let put = client().put(format!("{base}/")).send().await.unwrap();
    assert_eq!(put.status().as_u16(), 400);
    let r = reply(client().get(format!("{base}/nothing/here")).send().await.unwrap()).await;
    expect(r, 404, "InvalidApi.NotFound");
    sim.stop().await;
}

#[tokio::test]
async fn paging_and_filters_behave_like_the_api() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let base = sim.url();
    let s = Signer::demo();
    let page = |n: &str, size: &str, extra: Vec<(&'static str, String)>| {
        let base = base.clone();
        let s = s.clone();
        let (n, size) = (n.to_string(), size.to_string());
        async move {
            let mut p: Vec<(&str, &str)> =
                vec![("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", &n), ("PageSize", &size)];
            let extra: Vec<(&str, String)> = extra;
            for (k, v) in &extra {
                p.push((k, v.as_str()));
            }
            let r = v3_call(&base, "POST", RDS, "DescribeCloudMigrationResult", &p, &s, &nonce()).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()
        }
    };
    let first = page("1", "10", vec![]).await;
    let total = first["TotalSize"].as_u64().unwrap();
    assert_eq!((first["PageNumber"].as_u64(), first["PageSize"].as_u64()), (Some(1), Some(10)));
    let mut ids = Vec::new();
    for n in 1..=total.div_ceil(10) {
        let p = page(&n.to_string(), "10", vec![]).await;
        assert_eq!(p["TotalSize"].as_u64(), Some(total));
        ids.extend(p["Items"].as_array().unwrap().iter().map(|t| t["TaskId"].as_u64().unwrap()));
    }
    assert_eq!(ids.len() as u64, total);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, total, "no task twice across pages");
    assert!(page(&(total / 10 + 2).to_string(), "10", vec![]).await["Items"].as_array().unwrap().is_empty());

    let seed = page("1", "30", vec![("TaskId", "440437220".into())]).await;
    assert_eq!(
        (seed["TotalSize"].as_u64(), seed["Items"][0]["SourcePassword"].as_str()),
        (Some(1), Some("123456"))
    );
    let port = page("1", "100", vec![("SourcePort", "5433".into())]).await;
    assert!(port["TotalSize"].as_u64().unwrap() >= 1);
    assert!(port["Items"].as_array().unwrap().iter().all(|t| t["SourcePort"] == 5433));
    let ip = first["Items"][3]["SourceIpAddress"].as_str().unwrap().to_string();
    let by_ip = page("1", "100", vec![("SourceIpAddress", ip.clone())]).await;
    assert!(by_ip["Items"].as_array().unwrap().iter().all(|t| t["SourceIpAddress"] == ip.as_str()));
    let name = first["Items"][2]["TaskName"].as_str().unwrap().to_string();
    let by_name = page("1", "30", vec![("TaskName", name)]).await;
    assert_eq!(by_name["TotalSize"].as_u64(), Some(1));
    let none = page("1", "30", vec![("SourceIpAddress", ip), ("SourcePort", "1".into())]).await;
    assert_eq!((none["TotalSize"].as_u64(), none["Items"].as_array().unwrap().len()), (Some(0), 0));
    sim.stop().await;
}

#[tokio::test]
async fn throttling_answers_with_the_services_code_and_rate_limit_headers() {
    let config = SimConfig {
        faults: Faults { qps_limit: 2, ..Faults::default() },
        clock: ManualClock::starting_now().clock(),
        ..SimConfig::default()
    };
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let s = Signer::demo();
    for _ in 0..2 {
        assert_eq!(v3_call(&sim.url(), "POST", RDS, "DescribeRegions", &[], &s, &nonce()).await.status, 200);
    }
    let r = v3_call(&sim.url(), "POST", RDS, "DescribeRegions", &[], &s, &nonce()).await;
    assert_eq!((r.status, r.code().as_str()), (400, "Throttling.User"), "{}", r.text);
    let limit = r.headers["x-ratelimit-user-api"].to_str().unwrap();
    assert!(limit.starts_with("Limit:2,Remain:0,TimeLeft:"), "{limit}");
    assert!(r.headers.contains_key("x-ratelimit-user") && r.headers.contains_key("x-acs-retry-after"));
    // STS is not throttled.
    let sts = rpc_call(&sim.url(), "POST", true, STS, "GetCallerIdentity", &[], &s, &nonce()).await;
    assert_eq!(sts.status, 200, "{}", sts.text);
    sim.stop().await;
}

#[tokio::test]
async fn the_date_header_follows_the_servers_skewed_clock() {
    let config = SimConfig {
        faults: Faults { clock_skew_secs: 20 * 60, ..Faults::default() },
        ..SimConfig::default()
    };
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let r = v3_call(&sim.url(), "POST", RDS, "DescribeRegions", &[], &Signer::demo(), &nonce()).await;
    assert_eq!(r.code(), "InvalidTimeStamp.Expired", "a correct client clock is 20 minutes off the server's");
    let date = DateTime::parse_from_rfc2822(r.headers["date"].to_str().unwrap()).unwrap();
    let skew = date.with_timezone(&Utc) - Utc::now();
    assert!((skew - Duration::minutes(20)).num_seconds().abs() < 5, "{skew}");
    let corrected = Signer { at: date.with_timezone(&Utc), ..Signer::demo() };
    assert_eq!(
        v3_call(&sim.url(), "POST", RDS, "DescribeRegions", &[], &corrected, &nonce()).await.status,
        200,
        "signing with the server's Date works"
    );
    sim.stop().await;
}

fn assumed(r: &Reply) -> Signer {
    assert_eq!(r.status, 200, "{}", r.text);
    let c = &r.json()["Credentials"];
    Signer {
        id: c["AccessKeyId"].as_str().unwrap().into(),
        secret: c["AccessKeySecret"].as_str().unwrap().into(),
        token: Some(c["SecurityToken"].as_str().unwrap().into()),
        at: Utc::now(),
    }
}

const ROLE: &str = "acs:ram::5123456789012345:role/migration-reader";

#[tokio::test]
async fn sts_assume_role_hands_out_short_lived_credentials_accepted_only_with_their_token() {
    let clock = ManualClock::starting_now();
    let config = SimConfig {
        clock: clock.clock(),
        sts: StsConfig { min_duration_secs: 2, ..StsConfig::default() },
        ..SimConfig::default()
    };
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let base = sim.url();
    let now = || Signer { at: clock.now(), ..Signer::demo() };
    // As the credential providers send it: POST, RPC-signed, fields in the form body.
    let params = [("RoleArn", ROLE), ("RoleSessionName", "migration-proxy"), ("DurationSeconds", "60")];
    let r = rpc_call(&base, "POST", true, STS, "AssumeRole", &params, &now(), &nonce()).await;
    let creds = assumed(&r);
    let v = r.json();
    assert!(creds.id.starts_with("STS.") && creds.token.as_deref().unwrap().len() > 100);
    assert_eq!(
        v["AssumedRoleUser"]["Arn"],
        "acs:ram::5123456789012345:role/migration-reader/migration-proxy"
    );
    let expires = DateTime::parse_from_rfc3339(v["Credentials"]["Expiration"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    assert!(
        (expires - clock.now() - Duration::seconds(60)).num_seconds().abs() <= 1,
        "DurationSeconds honoured"
    );
    // V3-signed AssumeRole works too (the official STS SDK's default).
    assumed(&v3_call(&base, "POST", STS, "AssumeRole", &params, &now(), &nonce()).await);

    // The credentials work for RDS, in both styles, only with their token.
    let with_token = Signer { at: clock.now(), ..creds.clone() };
    assert_seed_first(
        &v3_call(&base, "POST", RDS, "DescribeCloudMigrationResult", TASKS, &with_token, &nonce()).await,
    );
    assert_seed_first(
        &rpc_call(&base, "POST", false, RDS, "DescribeCloudMigrationResult", TASKS, &with_token, &nonce())
            .await,
    );
    let no_token = Signer { token: None, ..with_token.clone() };
    assert_eq!(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &no_token, &nonce()).await.code(),
        "InvalidSecurityToken.Malformed"
    );
    let wrong_token = Signer { token: Some("CAISnot-the-token".into()), ..with_token.clone() };
    assert_eq!(
        rpc_call(&base, "GET", false, RDS, "DescribeRegions", &[], &wrong_token, &nonce()).await.code(),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    let demo_with_token = Signer { token: with_token.token.clone(), ..now() };
    assert_eq!(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &demo_with_token, &nonce()).await.code(),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    // Role chaining: STS credentials may assume a role too.
    assumed(&rpc_call(&base, "POST", true, STS, "AssumeRole", &params, &with_token, &nonce()).await);

    // They expire.
    clock.advance(Duration::seconds(61));
    let later = Signer { at: clock.now(), ..creds.clone() };
    let r = v3_call(&base, "POST", RDS, "DescribeRegions", &[], &later, &nonce()).await;
    assert_eq!((r.status, r.code().as_str()), (400, "InvalidSecurityToken.Expired"), "{}", r.text);
    assert!(
        !r.text.contains(creds.token.as_deref().unwrap()) && !r.text.contains(&creds.secret),
        "no secret in errors"
    );

    // The parameters are checked as STS checks them.
    let bad = |params: &'static [(&'static str, &'static str)], code: &'static str| {
        let base = base.clone();
        let s = now();
        async move {
            let r = rpc_call(&base, "POST", true, STS, "AssumeRole", params, &s, &nonce()).await;
            assert_eq!((r.status, r.code().as_str()), (400, code), "{}", r.text);
            assert_eq!(r.json()["HostId"], "sts.aliyuncs.com");
        }
    };
    bad(
        &[("RoleArn", ROLE), ("RoleSessionName", "session"), ("DurationSeconds", "1")],
        "InvalidParameter.DurationSeconds",
    )
    .await;
    bad(
        &[("RoleArn", ROLE), ("RoleSessionName", "session"), ("DurationSeconds", "3601")],
        "InvalidParameter.DurationSeconds",
    )
    .await;
    bad(&[("RoleArn", ROLE), ("RoleSessionName", "x")], "InvalidParameter.RoleSessionName").await;
    bad(&[("RoleArn", ROLE), ("RoleSessionName", "no spaces")], "InvalidParameter.RoleSessionName").await;
    bad(&[("RoleSessionName", "session")], "MissingRoleArn").await;
    bad(&[("RoleArn", "arn:aws:iam::1:role/x"), ("RoleSessionName", "session")], "InvalidParameter.RoleArn")
        .await;
    bad(
        &[("RoleArn", ROLE), ("RoleSessionName", "session"), ("Policy", "{not json")],
        "InvalidParameter.PolicyGrammar",
    )
    .await;
    let unsigned = reply(
        client()
            .post(format!("{base}/"))
            .form(&pairs(&[
                ("Action", "AssumeRole"),
                ("Version", STS),
                ("Format", "JSON"),
                ("RoleArn", ROLE),
            ]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unsigned.code(), "IncompleteSignature", "AssumeRole must be signed");
    sim.stop().await;
}

fn jwt(claims: &str) -> String {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.{}", b64(r#"{"alg":"RS256","kid":"demo"}"#), b64(claims), b64("not-checked"))
}

#[tokio::test]
async fn sts_assume_role_with_oidc_is_unsigned_and_checks_the_token() {
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), SimConfig::default()).await.unwrap();
    let base = sim.url();
    let exp = (Utc::now() + Duration::hours(1)).timestamp();
    let token = jwt(&format!(
        r#"{{"iss":"https://oidc.example","sub":"system:serviceaccount:migration:proxy","aud":"sts.aliyuncs.com","exp":{exp},"iat":{}}}"#,
        exp - 3600
    ));
    let form = |token: &str| {
        pairs(&[
            ("Action", "AssumeRoleWithOIDC"),
            ("Version", STS),
            ("Format", "JSON"),
            ("Timestamp", &timestamp::format(Utc::now())),
            ("RoleArn", ROLE),
            ("OIDCProviderArn", "acs:ram::5123456789012345:oidc-provider/ack-rrsa"),
            ("OIDCToken", token),
            ("RoleSessionName", "migration-proxy"),
            ("DurationSeconds", "900"),
        ])
    };
    let r = reply(client().post(format!("{base}/")).form(&form(&token)).send().await.unwrap()).await;
    let creds = assumed(&r);
    let info = &r.json()["OIDCTokenInfo"];
    assert_eq!(
        (info["Subject"].as_str(), info["Issuer"].as_str(), info["ClientIds"].as_str()),
        (
            Some("system:serviceaccount:migration:proxy"),
            Some("https://oidc.example"),
            Some("sts.aliyuncs.com")
        )
    );
    assert_seed_first(
        &v3_call(&base, "POST", RDS, "DescribeCloudMigrationResult", TASKS, &creds, &nonce()).await,
    );

    let expired = jwt(&format!(r#"{{"iss":"i","sub":"s","aud":"a","exp":{}}}"#, Utc::now().timestamp() - 10));
    let r = reply(client().post(format!("{base}/")).form(&form(&expired)).send().await.unwrap()).await;
    assert_eq!((r.status, r.code().as_str()), (400, "AuthenticationFail.OIDCToken.Expired"), "{}", r.text);
    let r = reply(client().post(format!("{base}/")).form(&form("not-a-jwt")).send().await.unwrap()).await;
    assert_eq!(r.code(), "InvalidParameter.OIDCToken");
    // Parameters in the query work as well (the official SDK's way).
    let q = form(&token);
    let r = reply(client().post(format!("{base}/")).query(&q).send().await.unwrap()).await;
    assumed(&r);
    sim.stop().await;
}

#[tokio::test]
async fn the_ecs_metadata_service_needs_its_token_and_rotates_credentials() {
    let clock = ManualClock::starting_now();
    let config = SimConfig {
        clock: clock.clock(),
        sts: StsConfig { ecs_credential_ttl_secs: 20, ..StsConfig::default() },
        ..SimConfig::default()
    };
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let base = sim.url();
    let c = client();
    let put = |ttl: Option<&'static str>| {
        let mut r = c.put(format!("{base}/latest/api/token"));
        if let Some(ttl) = ttl {
            r = r.header("X-aliyun-ecs-metadata-token-ttl-seconds", ttl);
        }
        r.send()
    };
    assert_eq!(put(None).await.unwrap().status().as_u16(), 400);
    assert_eq!(put(Some("0")).await.unwrap().status().as_u16(), 400);
    assert_eq!(put(Some("21601")).await.unwrap().status().as_u16(), 400);
    let token = put(Some("21600")).await.unwrap().text().await.unwrap();
    assert!(token.len() >= 32);

    let roles_url = format!("{base}/latest/meta-data/ram/security-credentials/");
    assert_eq!(
        c.get(&roles_url).send().await.unwrap().status().as_u16(),
        401,
        "IMDSv2 only: the token is required"
    );
    assert_eq!(
        c.get(&roles_url)
            .header("X-aliyun-ecs-metadata-token", "forged")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let role = c
        .get(&roles_url)
        .header("X-aliyun-ecs-metadata-token", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(role, "migration-proxy-demo-role");
    let get_creds = || async {
        let r = c
            .get(format!("{roles_url}{role}"))
            .header("X-aliyun-ecs-metadata-token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap()
    };
    let first = get_creds().await;
    assert_eq!(first["Code"], "Success");
    for key in ["AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated"] {
        assert!(first[key].as_str().is_some_and(|v| !v.is_empty()), "{key}");
    }
    let unknown = c
        .get(format!("{roles_url}no-such-role"))
        .header("X-aliyun-ecs-metadata-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let signer = |v: &Value| Signer {
        id: v["AccessKeyId"].as_str().unwrap().into(),
        secret: v["AccessKeySecret"].as_str().unwrap().into(),
        token: Some(v["SecurityToken"].as_str().unwrap().into()),
        at: clock.now(),
    };
    assert_seed_first(
        &v3_call(&base, "POST", RDS, "DescribeCloudMigrationResult", TASKS, &signer(&first), &nonce()).await,
    );

    // The same set until half its lifetime has passed, then a new one; the old one lasts until it expires.
    clock.advance(Duration::seconds(5));
    assert_eq!(get_creds().await["AccessKeyId"], first["AccessKeyId"]);
    clock.advance(Duration::seconds(6));
    let second = get_creds().await;
    assert_ne!(second["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &signer(&first), &nonce()).await.status,
        200
    );
    clock.advance(Duration::seconds(10));
    assert_eq!(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &signer(&first), &nonce()).await.code(),
        "InvalidSecurityToken.Expired"
    );
    assert_eq!(
        v3_call(&base, "POST", RDS, "DescribeRegions", &[], &signer(&second), &nonce()).await.status,
        200
    );
    // Metadata tokens expire too.
    let short = put(Some("1")).await.unwrap().text().await.unwrap();
    clock.advance(Duration::seconds(2));
    assert_eq!(
        c.get(&roles_url)
            .header("X-aliyun-ecs-metadata-token", &short)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    sim.stop().await;
}

/// `cargo test -p migration-proxy --release --test sim_wire -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timing, not a test: run with --release --ignored --nocapture"]
async fn timing_a_5000_task_instance_over_http() {
    let config = SimConfig { bench_instance_tasks: 5_000, ..SimConfig::default() };
    let sim = simulator::start("127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let base = sim.url();
    let s = Signer::demo();
    let bench = simulator::world::BENCH_INSTANCE;
    let cases: &[(&str, Vec<(&str, &str)>)] = &[
        ("page 1, size 30", vec![("PageNumber", "1"), ("PageSize", "30")]),
        ("page 150, size 30", vec![("PageNumber", "150"), ("PageSize", "30")]),
        ("page 1, size 100", vec![("PageNumber", "1"), ("PageSize", "100")]),
        ("SourcePort=5433", vec![("PageNumber", "1"), ("PageSize", "30"), ("SourcePort", "5433")]),
        ("TaskId", vec![("PageNumber", "1"), ("PageSize", "30"), ("TaskId", "600008644")]),
    ];
    for (name, extra) in cases {
        let mut params = vec![("DBInstanceName", bench)];
        params.extend(extra.iter().copied());
        let runs = 300u32;
        for _ in 0..20 {
            v3_call(&base, "POST", RDS, "DescribeCloudMigrationResult", &params, &s, &nonce()).await;
        }
        let mut server = StdDuration::ZERO;
        let t0 = std::time::Instant::now();
        for _ in 0..runs {
            let t = std::time::Instant::now();
            let r = v3_call(
                &base,
                "POST",
                RDS,
                "DescribeCloudMigrationResult",
                &params,
                &Signer { at: Utc::now(), ..s.clone() },
                &nonce(),
            )
            .await;
            server += t.elapsed();
            assert_eq!(r.status, 200);
        }
        println!(
            "{name}: {:?} per call over HTTP (client signing and parsing included); total {:?}",
            server / runs,
            t0.elapsed()
        );
    }
    sim.stop().await;
}
