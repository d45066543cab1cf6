//! Caching and refresh of temporary credentials: refreshed before expiry with the margin,
//! one refresh shared by concurrent callers, still-valid credentials kept when a refresh fails,
//! and the background refresh of an idle provider.
mod common;
mod credentials_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Duration as Span;
use credentials_support::*;
use migration_proxy::credentials::{
    ChainConfig, CredentialProvider, CredentialState, Credentials, Secret, Source,
};

/// A RamRoleArn profile in `home`, against the stand-in.
fn role_config(mock: &MockServer, home: &TempHome) -> ChainConfig {
    home.write(
        ".aliyun/config.json",
        &serde_json::json!({"current": "role", "profiles": [{"name": "role", "mode": "RamRoleArn",
            "access_key_id": AK_ID, "access_key_secret": AK_SECRET, "ram_role_arn": ROLE_ARN}]})
        .to_string(),
    );
    let mut cfg = config(&[], &home.path);
    cfg.sts_endpoint = Some(mock.url());
    cfg
}

/// [`role_config`] on the fake clock, 15-minute margin.
async fn role_provider(
    mock: &MockServer,
    clock: &ManualClock,
    home: &TempHome,
) -> (ChainConfig, CredentialProvider) {
    let mut cfg = role_config(mock, home);
    cfg.clock = clock.clock();
    cfg.refresh_margin = Duration::from_secs(15 * 60);
    let p = CredentialProvider::resolve(&cfg).await.unwrap();
    (cfg, p)
}

#[tokio::test]
async fn temporary_credentials_are_refreshed_before_they_expire() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let (_, p) = role_provider(&mock, &clock, &home).await;
    let start = clock.now();
    let st = p.status();
    assert_eq!(st.state, CredentialState::Fresh);
    assert_eq!(st.expiration, Some(start + Span::hours(1)));
    assert_eq!(st.refresh_at, Some(start + Span::minutes(45)));

    clock.advance(Span::minutes(44));
    assert_eq!(p.current().await.unwrap().access_key_id, "STS.issued-1", "cached until the margin");
    assert_eq!(mock.state.count("AssumeRole"), 1);

    clock.advance(Span::minutes(2));
    assert_eq!(p.status().state, CredentialState::RefreshDue);
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.issued-2", "refreshed 14 minutes before expiry");
    assert_eq!(c.security_token.as_ref().unwrap().expose(), "sts-t0ken-2");
    assert_eq!(mock.state.count("AssumeRole"), 2);
    let st = p.status();
    assert_eq!(st.state, CredentialState::Fresh);
    assert_eq!(st.expiration, Some(clock.now() + Span::hours(1)));
    assert!(st.last_refresh.as_ref().unwrap().ok);

    // A margin longer than the lifetime: refreshed halfway, not on every call.
    mock.state.lifetime_secs.store(600, Ordering::SeqCst);
    p.refresh_now().await.unwrap();
    let st = p.status();
    assert_eq!(st.refresh_at, Some(clock.now() + Span::minutes(5)));
    let calls = mock.state.count("AssumeRole");
    for _ in 0..5 {
        p.current().await.unwrap();
    }
    assert_eq!(mock.state.count("AssumeRole"), calls);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let (_, p) = role_provider(&mock, &clock, &home).await;
    mock.state.sts_delay_ms.store(300, Ordering::SeqCst);

    // Due but still valid: one caller refreshes, the others carry on with the valid credentials.
    clock.advance(Span::minutes(50));
    let calls = (0..16).map(|_| {
        let p = p.clone();
        tokio::spawn(async move { p.current().await.unwrap().access_key_id })
    });
    let ids: Vec<String> = futures_join(calls.collect()).await;
    assert_eq!(mock.state.count("AssumeRole"), 2, "{ids:?}");
    assert!(ids.iter().all(|id| id == "STS.issued-1" || id == "STS.issued-2"), "{ids:?}");
    assert_eq!(p.current().await.unwrap().access_key_id, "STS.issued-2");

    // Expired: every caller waits for the same single refresh.
    clock.advance(Span::hours(2));
    let calls = (0..16).map(|_| {
        let p = p.clone();
        tokio::spawn(async move { p.current().await.unwrap().access_key_id })
    });
    let ids: Vec<String> = futures_join(calls.collect()).await;
    assert_eq!(mock.state.count("AssumeRole"), 3);
    assert!(ids.iter().all(|id| id == "STS.issued-3"), "{ids:?}");
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_valid_credentials_and_is_reported() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let (_, p) = role_provider(&mock, &clock, &home).await;

    mock.state.sts_fail.store(true, Ordering::SeqCst);
    clock.advance(Span::minutes(46));
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.issued-1", "still valid: kept");
    let st = p.status();
    assert_eq!(st.state, CredentialState::RefreshFailing);
    assert!(st.usable);
    assert_eq!(st.consecutive_failures, 1);
    let outcome = st.last_refresh.clone().unwrap();
    assert!(!outcome.ok);
    let error = outcome.error.unwrap();
    assert!(error.contains("NoPermission"), "{error}");
    assert_no_secrets(&format!("{error} {st:?} {}", serde_json::to_string(&st).unwrap()));

    // Back-off: the next calls do not hammer STS.
    let calls = mock.state.count("AssumeRole");
    for _ in 0..5 {
        assert_eq!(p.current().await.unwrap().access_key_id, "STS.issued-1");
    }
    assert_eq!(mock.state.count("AssumeRole"), calls);

    // Past expiry with STS still refusing: calls fail, naming the source, without secrets.
    clock.advance(Span::minutes(20));
    let e = p.current().await.unwrap_err();
    assert_eq!(e.source, Source::CliProfile);
    assert!(e.expired_at.is_some());
    assert!(e.to_string().contains("NoPermission"), "{e}");
    assert_no_secrets(&format!("{e} {e:?}"));
    let st = p.status();
    assert_eq!(st.state, CredentialState::Expired);
    assert!(!st.usable);

    // STS recovers: the next call after the back-off gets new credentials.
    mock.state.sts_fail.store(false, Ordering::SeqCst);
    clock.advance(Span::minutes(2));
    let c = p.current().await.unwrap();
    assert!(c.access_key_id.starts_with("STS.issued-"));
    assert_ne!(c.access_key_id, "STS.issued-1");
    let st = p.status();
    assert_eq!((st.state, st.consecutive_failures), (CredentialState::Fresh, 0));
}

#[tokio::test]
async fn an_idle_provider_is_refreshed_in_the_background() {
    // Real clock, credentials that live 4 s: refreshed halfway (2 s) without any call.
    let mock = start_mock(std::sync::Arc::new(chrono::Utc::now)).await;
    mock.state.lifetime_secs.store(4, Ordering::SeqCst);
    let home = TempHome::new();
    let mut cfg = role_config(&mock, &home);
    cfg.background_refresh = true;
    let p = CredentialProvider::resolve(&cfg).await.unwrap();
    assert_eq!(mock.state.count("AssumeRole"), 1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while mock.state.count("AssumeRole") < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no background refresh");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(p.status().usable);
    // Dropping the provider ends the task.
    drop(p);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = mock.state.count("AssumeRole");
    // A live task would refresh again within 2 s (half of the 4 s lifetime).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(mock.state.count("AssumeRole"), after, "the background task outlived its provider");
}

#[tokio::test]
async fn fixed_credentials_never_refresh() {
    let p = CredentialProvider::fixed(Credentials {
        access_key_id: "demo-access-key-id".into(),
        access_key_secret: Secret::new("env-s3cr3t"),
        security_token: None,
        source: Source::Demo,
    });
    assert_eq!(p.source(), Source::Demo);
    assert_eq!(p.current().await.unwrap().access_key_id, "demo-access-key-id");
    p.refresh_now().await.unwrap();
    let st = p.status();
    assert_eq!(st.state, CredentialState::Fresh);
    assert!(st.usable && st.expiration.is_none() && st.last_refresh.is_none());
    assert_no_secrets(&format!("{p:?} {st:?}"));
    let from: CredentialProvider = p.current().await.unwrap().into();
    assert_eq!(from.source(), Source::Demo);
}
