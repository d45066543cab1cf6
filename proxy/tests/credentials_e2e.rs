//! End to end against the project's RDS simulator and its STS / ECS-metadata stand-ins:
//! credentials obtained through STS (AssumeRole, AssumeRoleWithOIDC) or the metadata service,
//! an RDS call signed with them (SecurityToken included) accepted by the simulator, and the
//! refresh before expiry. The simulator and the provider share one manual clock, so an hour
//! passes in a moment; RDS calls are signed at that clock's time with the crate's signers.
mod common;
mod credentials_support;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration as Span, Utc};
use credentials_support::{config, TempHome};
use migration_proxy::credentials::{ChainConfig, CredentialProvider, Credentials, Method, Source};
use migration_proxy::signing::{encode::canonical_query, rpc, timestamp, v3};
use migration_proxy::simulator::{
    self, ManualClock, SimConfig, StsConfig, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use serde_json::Value;

const ROLE_ARN: &str = "acs:ram::5123456789012345:role/migration-reader";
const OIDC_PROVIDER_ARN: &str = "acs:ram::5123456789012345:oidc-provider/ack-rrsa-demo";

/// One RDS call (`DescribeRegions`), signed at `now` with `creds`, in either scheme.
async fn describe_regions(
    sim: &simulator::Running,
    creds: &Credentials,
    now: DateTime<Utc>,
    rpc_style: bool,
) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let base = format!("http://{}", sim.addr);
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let date = timestamp::format(now);
    let token = creds.security_token.as_ref().map(|t| t.expose());
    let params = vec![("RegionId".to_string(), "cn-hangzhou".to_string())];
    let response = if rpc_style {
        let signed = rpc::sign_params(
            "GET",
            "DescribeRegions",
            "2014-08-15",
            &params,
            &creds.access_key_id,
            creds.access_key_secret.expose(),
            token,
            &date,
            &nonce,
        );
        http.get(format!("{base}/?{}", canonical_query(&signed))).send().await.unwrap()
    } else {
        let host = sim.addr.to_string();
        let signed = v3::sign(&v3::SignRequest {
            method: "POST",
            host: &host,
            path: "/",
            query: &params,
            headers: &[],
            body: b"",
            action: "DescribeRegions",
            version: "2014-08-15",
            date: &date,
            nonce: &nonce,
            access_key_id: &creds.access_key_id,
            access_key_secret: creds.access_key_secret.expose(),
            security_token: token,
        });
        let mut req = http.post(format!("{base}/?{}", canonical_query(&params)));
        for (k, v) in signed.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
            req = req.header(k.as_str(), v.as_str());
        }
        req.send().await.unwrap()
    };
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    common::record_answer(
        "DescribeRegions (signed with the obtained credentials)",
        status,
        &String::from_utf8_lossy(&bytes),
    );
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

async fn assert_accepted(sim: &simulator::Running, creds: &Credentials, now: DateTime<Utc>) {
    for rpc_style in [true, false] {
        let (status, body) = describe_regions(sim, creds, now, rpc_style).await;
        assert_eq!(status, 200, "rpc={rpc_style}: {body}");
        assert!(body["Regions"].is_object(), "rpc={rpc_style}: {body}");
    }
}

async fn start_sim(clock: &ManualClock, sts: StsConfig) -> simulator::Running {
    simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig { clock: clock.clock(), sts, ..SimConfig::default() },
    )
    .await
    .unwrap()
}

fn sim_url(sim: &simulator::Running) -> url::Url {
    url::Url::parse(&format!("http://{}", sim.addr)).unwrap()
}

fn on_clock(mut cfg: ChainConfig, clock: &ManualClock) -> ChainConfig {
    cfg.clock = clock.clock();
    cfg
}

#[tokio::test]
async fn assume_role_credentials_sign_rds_calls_and_are_refreshed_before_expiry() {
    let clock = ManualClock::starting_now();
    let sim = start_sim(&clock, StsConfig::default()).await;
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &serde_json::json!({"current": "reader", "profiles": [{"name": "reader", "mode": "RamRoleArn",
            "access_key_id": DEMO_ACCESS_KEY_ID, "access_key_secret": DEMO_ACCESS_KEY_SECRET,
            "ram_role_arn": ROLE_ARN, "ram_session_name": "migration-dashboard", "expired_seconds": 3600}]})
        .to_string(),
    );
    let mut cfg = on_clock(config(&[], &home.path), &clock);
    cfg.sts_endpoint = Some(sim_url(&sim));
    cfg.refresh_margin = Duration::from_secs(15 * 60);
    let provider = CredentialProvider::resolve(&cfg).await.unwrap();
    assert_eq!((provider.source(), provider.status().method), (Source::CliProfile, Method::RamRoleArn));

    let first = provider.current().await.unwrap();
    assert_ne!(first.access_key_id, DEMO_ACCESS_KEY_ID);
    assert!(first.is_sts());
    assert_accepted(&sim, &first, clock.now()).await;

    // Without its SecurityToken the STS key is refused: the token really is part of the signature.
    let mut tokenless = first.clone();
    tokenless.security_token = None;
    let (status, body) = describe_regions(&sim, &tokenless, clock.now(), true).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["Code"].as_str().unwrap_or_default().starts_with("InvalidSecurityToken"), "{body}");

    // 50 minutes on: past the 45-minute refresh point, before expiry.
    clock.advance(Span::minutes(50));
    let second = provider.current().await.unwrap();
    assert_ne!(second.access_key_id, first.access_key_id, "refreshed before expiry");
    assert_accepted(&sim, &second, clock.now()).await;
    let st = provider.status();
    assert_eq!(st.expiration.map(|e| e.timestamp()), Some((clock.now() + Span::hours(1)).timestamp()));

    // 61 minutes after the first issue: the first set has expired at the simulator, the
    // provider's current set still works.
    clock.advance(Span::minutes(11));
    let (status, body) = describe_regions(&sim, &first, clock.now(), true).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("InvalidSecurityToken.Expired")), "{body}");
    let current = provider.current().await.unwrap();
    assert_eq!(current.access_key_id, second.access_key_id);
    assert_accepted(&sim, &current, clock.now()).await;
    sim.stop().await;
}

fn fake_jwt(exp: DateTime<Utc>) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        part(
            serde_json::json!({"iss": "https://oidc-ack.cn-hangzhou.aliyuncs.com/demo", "sub": "system:serviceaccount:ops:migration-proxy",
            "aud": ["sts.aliyuncs.com"], "iat": (exp - Span::hours(1)).timestamp(), "exp": exp.timestamp()})
        ),
        URL_SAFE_NO_PAD.encode(b"not-a-real-signature")
    )
}

#[tokio::test]
async fn rrsa_oidc_credentials_sign_rds_calls_and_are_refreshed() {
    let clock = ManualClock::starting_now();
    let sim = start_sim(&clock, StsConfig::default()).await;
    let home = TempHome::new();
    let token_file = home.write(
        "var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
        &fake_jwt(clock.now() + Span::hours(2)),
    );
    let token_path = token_file.to_string_lossy().to_string();
    let mut cfg = on_clock(
        config(
            &[
                ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
                ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token_path),
            ],
            &home.path,
        ),
        &clock,
    );
    cfg.sts_endpoint = Some(sim_url(&sim));
    let provider = CredentialProvider::resolve(&cfg).await.unwrap();
    assert_eq!((provider.source(), provider.status().method), (Source::OidcRole, Method::OidcRoleArn));
    let first = provider.current().await.unwrap();
    assert_accepted(&sim, &first, clock.now()).await;

    // The kubelet writes a fresh token; the refresh uses it (the old one would have expired).
    clock.advance(Span::minutes(50));
    home.write(
        "var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
        &fake_jwt(clock.now() + Span::hours(2)),
    );
    let second = provider.current().await.unwrap();
    assert_ne!(second.access_key_id, first.access_key_id);
    assert_accepted(&sim, &second, clock.now()).await;

    // An expired OIDC token is refused by STS: the refresh fails, the valid credentials stay.
    clock.advance(Span::minutes(46));
    home.write(
        "var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token",
        &fake_jwt(clock.now() - Span::minutes(1)),
    );
    let kept = provider.current().await.unwrap();
    assert_eq!(kept.access_key_id, second.access_key_id);
    let st = provider.status();
    let error = st.last_refresh.and_then(|o| o.error).unwrap_or_default();
    assert!(error.contains("AuthenticationFail.OIDCToken.Expired"), "{error}");
    assert!(!error.contains("eyJ"), "the token leaked: {error}");
    sim.stop().await;
}

#[tokio::test]
async fn ecs_ram_role_credentials_sign_rds_calls_and_are_refreshed() {
    let clock = ManualClock::starting_now();
    let sts = StsConfig { ecs_credential_ttl_secs: 3600, ..StsConfig::default() };
    let sim = start_sim(&clock, sts.clone()).await;
    let home = TempHome::new();
    let mut cfg = on_clock(config(&[], &home.path), &clock);
    cfg.ecs_metadata_endpoint = sim_url(&sim);
    let provider = CredentialProvider::resolve(&cfg).await.unwrap();
    assert_eq!((provider.source(), provider.status().method), (Source::EcsRamRole, Method::EcsRamRole));
    assert!(provider.describe().contains(&sts.ecs_role_name), "{}", provider.describe());
    let first = provider.current().await.unwrap();
    assert_accepted(&sim, &first, clock.now()).await;

    // Refreshed at 45 minutes (15-minute margin); the metadata service has rotated by then.
    clock.advance(Span::minutes(44));
    assert_eq!(provider.current().await.unwrap().access_key_id, first.access_key_id);
    clock.advance(Span::minutes(2));
    let second = provider.current().await.unwrap();
    assert_ne!(second.access_key_id, first.access_key_id);
    assert_accepted(&sim, &second, clock.now()).await;
    sim.stop().await;
}

#[tokio::test]
async fn an_idle_provider_keeps_ecs_credentials_fresh_in_real_time() {
    // Real clock; credentials live 4 s, so they are refreshed after 2 s by the background task.
    let sim = simulator::start(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig {
            sts: StsConfig { ecs_credential_ttl_secs: 4, ..StsConfig::default() },
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let home = TempHome::new();
    let mut cfg = config(&[], &home.path);
    cfg.ecs_metadata_endpoint = sim_url(&sim);
    cfg.background_refresh = true;
    let provider = CredentialProvider::resolve(&cfg).await.unwrap();
    let first_expiry = provider.status().expiration.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while provider.status().expiration == Some(first_expiry) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not refreshed in the background: {:?}",
            provider.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Past the first set's expiry, calls still work with what the background task fetched.
    tokio::time::sleep_until(
        tokio::time::Instant::now() + (first_expiry - Utc::now()).to_std().unwrap_or_default(),
    )
    .await;
    let creds = provider.current().await.unwrap();
    assert_accepted(&sim, &creds, Utc::now()).await;
    sim.stop().await;
}
