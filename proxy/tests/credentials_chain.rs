//! The credential chain, link by link: a fake environment, files in a temporary home, and a
//! small STS + metadata stand-in on loopback (`credentials_support`). Nothing here reads the real
//! environment, the real home directory, or 100.100.100.200.
mod common;
mod credentials_support;

use std::sync::atomic::Ordering;

use credentials_support::*;
use migration_proxy::credentials::{CredentialProvider, Method, NoCredentials, Source};

async fn resolve(
    cfg: &migration_proxy::credentials::ChainConfig,
) -> Result<CredentialProvider, NoCredentials> {
    CredentialProvider::resolve(cfg).await
}

fn config_json(current: &str, profiles: serde_json::Value) -> String {
    serde_json::json!({"current": current, "profiles": profiles}).to_string()
}

fn ak_profile(name: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "mode": "AK", "access_key_id": AK_ID, "access_key_secret": AK_SECRET, "region_id": "cn-hangzhou"})
}

// ---- environment -------------------------------------------------------------------------

#[tokio::test]
async fn environment_access_key_wins_over_the_files() {
    let home = TempHome::new();
    home.write(".aliyun/config.json", &config_json("default", serde_json::json!([ak_profile("default")])));
    let cfg = config(
        &[("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-s3cr3t")],
        &home.path,
    );
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.source(), Source::Environment);
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "env-id");
    assert_eq!(c.access_key_secret.expose(), "env-s3cr3t");
    assert!(!c.is_sts());
    let st = p.status();
    assert_eq!(st.method, Method::AccessKey);
    assert!(st.usable && st.expiration.is_none());
    assert_no_secrets(&format!("{p:?} {c:?} {st:?} {}", serde_json::to_string(&st).unwrap()));
}

#[tokio::test]
async fn environment_sts_token_is_passed_on() {
    let home = TempHome::new();
    let cfg = config(
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.env-id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-s3cr3t"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-t0ken"),
        ],
        &home.path,
    );
    let p = resolve(&cfg).await.unwrap();
    let c = p.current().await.unwrap();
    assert_eq!(c.security_token.as_ref().unwrap().expose(), "env-t0ken");
    assert_eq!(p.status().method, Method::StsToken);
}

#[tokio::test]
async fn half_an_environment_pair_stops_the_chain() {
    let home = TempHome::new();
    home.write(".aliyun/config.json", &config_json("default", serde_json::json!([ak_profile("default")])));
    let cfg = config(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-s3cr3t")], &home.path);
    let e = resolve(&cfg).await.unwrap_err();
    assert_eq!(e.failed.as_ref().unwrap().source, Source::Environment);
    let text = e.to_string();
    assert!(text.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{text}");
    assert_no_secrets(&format!("{text} {e:?}"));
}

// ---- OIDC (RRSA) -------------------------------------------------------------------------

#[tokio::test]
async fn oidc_role_from_the_environment_uses_assume_role_with_oidc() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let token_file = home.write("var/run/secrets/tokens/oidc-token", &format!("{OIDC_TOKEN}\n"));
    let token_path = token_file.to_string_lossy().to_string();
    // A config.json that would also work: the OIDC link comes first.
    home.write(".aliyun/config.json", &config_json("default", serde_json::json!([ak_profile("default")])));
    let mut cfg = config(
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token_path),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "rrsa-session"),
        ],
        &home.path,
    );
    cfg.sts_endpoint = Some(mock.url());
    cfg.clock = clock.clock();
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.source(), Source::OidcRole);
    assert_eq!(p.status().method, Method::OidcRoleArn);
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.issued-1");
    assert_eq!(c.security_token.as_ref().unwrap().expose(), "sts-t0ken-1");
    let seen = mock.state.last("AssumeRoleWithOIDC").unwrap();
    assert_eq!(seen.params["OIDCToken"], OIDC_TOKEN, "the token file is read and trimmed");
    assert_eq!(seen.params["RoleArn"], ROLE_ARN);
    assert_eq!(seen.params["OIDCProviderArn"], OIDC_PROVIDER_ARN);
    assert_eq!(seen.params["RoleSessionName"], "rrsa-session");
    assert_eq!(seen.params["DurationSeconds"], "3600");
    assert!(!seen.query_names.iter().any(|n| n == "OIDCToken" || n == "Signature"), "{:?}", seen.query_names);
    assert_eq!(p.status().expiration, Some(clock.now() + chrono::Duration::seconds(3600)));

    // The kubelet rotates the token: the refresh reads the file again.
    home.write("var/run/secrets/tokens/oidc-token", "eyJrotated.token.sig");
    clock.advance(chrono::Duration::minutes(50));
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.issued-2");
    assert_eq!(mock.state.last("AssumeRoleWithOIDC").unwrap().params["OIDCToken"], "eyJrotated.token.sig");
}

#[tokio::test]
async fn incomplete_oidc_settings_stop_the_chain() {
    let home = TempHome::new();
    let cfg = config(&[("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nowhere/token")], &home.path);
    let e = resolve(&cfg).await.unwrap_err();
    assert_eq!(e.failed.as_ref().unwrap().source, Source::OidcRole);
    let text = e.to_string();
    assert!(
        text.contains("ALIBABA_CLOUD_ROLE_ARN") && text.contains("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
        "{text}"
    );

    // The role ARN alone is not an OIDC configuration: the link is skipped.
    let e = resolve(&config(
        &[("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN), ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
        &home.path,
    ))
    .await
    .unwrap_err();
    assert!(e.failed.is_none(), "{e}");
}

#[tokio::test]
async fn a_missing_oidc_token_file_is_named_and_sts_rejections_do_not_echo_the_token() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let env = [
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nowhere/oidc-token"),
    ];
    let mut cfg = config(&env, &home.path);
    cfg.sts_endpoint = Some(mock.url());
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.to_string().contains("/nowhere/oidc-token"), "{e}");
    assert!(e.to_string().contains("not found"), "{e}");

    let token_file = home.write("token", OIDC_TOKEN);
    let path = token_file.to_string_lossy().to_string();
    let mut cfg = config(
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &path),
        ],
        &home.path,
    );
    cfg.sts_endpoint = Some(mock.url());
    mock.state.sts_fail.store(true, Ordering::SeqCst);
    let e = resolve(&cfg).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("AuthenticationFail.OIDCToken.Invalid"), "{text}");
    assert!(text.contains("MOCK-REQ"), "the RequestId is kept: {text}");
    assert_no_secrets(&format!("{text} {e:?}"));
}

// ---- ~/.aliyun/config.json -----------------------------------------------------------------

#[tokio::test]
async fn cli_profile_ak_is_the_current_profile() {
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &config_json("main", serde_json::json!([ak_profile("other"), ak_profile("main")])),
    );
    let p = resolve(&config(&[], &home.path)).await.unwrap();
    assert_eq!(p.source(), Source::CliProfile);
    assert_eq!(p.status().profile.as_deref(), Some("main"));
    let c = p.current().await.unwrap();
    assert_eq!((c.access_key_id.as_str(), c.access_key_secret.expose()), (AK_ID, AK_SECRET));
    assert!(p.describe().contains("config.json"), "{}", p.describe());
    assert_no_secrets(p.describe());
}

#[tokio::test]
async fn cli_profile_sts_token_mode() {
    let home = TempHome::new();
    let future = chrono::Utc::now().timestamp() + 3600;
    home.write(
        ".aliyun/config.json",
        &config_json(
            "sts",
            serde_json::json!([{"name": "sts", "mode": "StsToken", "access_key_id": "STS.fixed", "access_key_secret": "env-s3cr3t",
                "sts_token": "env-t0ken", "sts_expiration": future}]),
        ),
    );
    let p = resolve(&config(&[], &home.path)).await.unwrap();
    let c = p.current().await.unwrap();
    assert_eq!(c.security_token.as_ref().unwrap().expose(), "env-t0ken");
    let st = p.status();
    assert_eq!(st.method, Method::StsToken);
    assert_eq!(st.expiration.map(|e| e.timestamp()), Some(future));
    assert!(st.refresh_at.is_none(), "a fixed token is not refreshed");

    // One that has already expired is refused at start-up.
    home.write(
        ".aliyun/config.json",
        &config_json(
            "sts",
            serde_json::json!([{"name": "sts", "mode": "StsToken", "access_key_id": "a", "access_key_secret": "b",
                "sts_token": "c", "sts_expiration": future - 7200}]),
        ),
    );
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
}

#[tokio::test]
async fn cli_profile_ram_role_arn_signs_assume_role_with_the_profile_key() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &config_json(
            "role",
            serde_json::json!([{"name": "role", "mode": "RamRoleArn", "access_key_id": AK_ID, "access_key_secret": AK_SECRET,
                "ram_role_arn": ROLE_ARN, "ram_session_name": "dash", "expired_seconds": 1800,
                "policy": "{\"Version\":\"1\"}", "external_id": "ext-1"}]),
        ),
    );
    let mut cfg = config(&[], &home.path);
    cfg.sts_endpoint = Some(mock.url());
    cfg.clock = clock.clock();
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.status().method, Method::RamRoleArn);
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.issued-1");
    let seen = mock.state.last("AssumeRole").unwrap();
    assert_eq!(seen.params["AccessKeyId"], AK_ID);
    assert_eq!(seen.params["RoleArn"], ROLE_ARN);
    assert_eq!(seen.params["RoleSessionName"], "dash");
    assert_eq!(seen.params["DurationSeconds"], "1800");
    assert_eq!(seen.params["Policy"], "{\"Version\":\"1\"}");
    assert_eq!(seen.params["ExternalId"], "ext-1");
    assert!(seen.query_names.contains(&"Signature".to_string()));
    assert!(!seen.query_names.contains(&"RoleArn".to_string()), "role fields travel in the form body");
    assert_eq!(p.status().expiration, Some(clock.now() + chrono::Duration::seconds(1800)));
}

#[tokio::test]
async fn cli_profile_chainable_ram_role_arn_uses_the_source_profile() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &config_json(
            "chain",
            serde_json::json!([ak_profile("base"),
                {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": ROLE_ARN}]),
        ),
    );
    let mut cfg = config(&[], &home.path);
    cfg.sts_endpoint = Some(mock.url());
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.current().await.unwrap().access_key_id, "STS.issued-1");
    let seen = mock.state.last("AssumeRole").unwrap();
    assert_eq!(seen.params["AccessKeyId"], AK_ID);
    assert!(seen.params["RoleSessionName"].starts_with("migration-proxy-"));

    // A loop is refused, not followed forever.
    home.write(
        ".aliyun/config.json",
        &config_json(
            "a",
            serde_json::json!([{"name": "a", "mode": "ChainableRamRoleArn", "source_profile": "b", "ram_role_arn": ROLE_ARN},
                {"name": "b", "mode": "ChainableRamRoleArn", "source_profile": "a", "ram_role_arn": ROLE_ARN}]),
        ),
    );
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.to_string().contains("deeper than"), "{e}");
}

#[tokio::test]
async fn cli_profile_ecs_ram_role_and_oidc_modes() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let token_file = home.write("oidc-token", OIDC_TOKEN);
    home.write(
        ".aliyun/config.json",
        &config_json(
            "ecs",
            serde_json::json!([
                {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRoleForMigration"},
                {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": OIDC_PROVIDER_ARN, "oidc_token_file": token_file,
                 "ram_role_arn": ROLE_ARN, "ram_session_name": "oidc-profile", "expired_seconds": 900}
            ]),
        ),
    );
    let mut cfg = config(&[], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    cfg.sts_endpoint = Some(mock.url());
    let p = resolve(&cfg).await.unwrap();
    assert_eq!((p.source(), p.status().method), (Source::CliProfile, Method::EcsRamRole));
    let c = p.current().await.unwrap();
    assert_eq!(c.access_key_id, "STS.ecs-1");
    assert_eq!(c.security_token.as_ref().unwrap().expose(), "ecs-t0ken-1");
    assert_eq!(
        mock.state.count("/latest/meta-data/ram/security-credentials/"),
        0,
        "the named role is not looked up"
    );

    cfg.profile = Some("oidc".into());
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.status().method, Method::OidcRoleArn);
    let seen = mock.state.last("AssumeRoleWithOIDC").unwrap();
    assert_eq!(seen.params["RoleSessionName"], "oidc-profile");
    assert_eq!(seen.params["DurationSeconds"], "900");
}

#[tokio::test]
async fn the_profile_is_the_flag_then_alibaba_cloud_profile_then_current() {
    let home = TempHome::new();
    let profile = |name: &str, id: &str| serde_json::json!({"name": name, "mode": "AK", "access_key_id": id, "access_key_secret": AK_SECRET});
    home.write(
        ".aliyun/config.json",
        &config_json(
            "cur",
            serde_json::json!([
                profile("cur", "id-cur"),
                profile("env", "id-env"),
                profile("flag", "id-flag")
            ]),
        ),
    );
    let id = |p: CredentialProvider| async move { p.current().await.unwrap().access_key_id };
    assert_eq!(id(resolve(&config(&[], &home.path)).await.unwrap()).await, "id-cur");
    let mut cfg = config(&[("ALIBABA_CLOUD_PROFILE", "env")], &home.path);
    assert_eq!(id(resolve(&cfg).await.unwrap()).await, "id-env");
    cfg.profile = Some("flag".into());
    assert_eq!(id(resolve(&cfg).await.unwrap()).await, "id-flag");

    // A named profile in neither file is an error, not a move on to the ECS role.
    cfg.profile = Some("typo".into());
    let e = resolve(&cfg).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("\"typo\"") && text.contains("not found"), "{text}");
}

#[tokio::test]
async fn broken_or_unsupported_cli_profiles_are_errors_without_file_contents() {
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &format!("{{\"current\": \"x\", \"profiles\": [{{\"access_key_secret\": \"{AK_SECRET}\" oops"),
    );
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert_eq!(e.failed.as_ref().unwrap().source, Source::CliProfile);
    assert!(e.to_string().contains("line 1"), "{e}");
    assert_no_secrets(&format!("{e} {e:?}"));

    home.write(
        ".aliyun/config.json",
        &config_json("sso", serde_json::json!([{"name": "sso", "mode": "CloudSSO"}])),
    );
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert!(e.to_string().contains("CloudSSO"), "{e}");

    home.write(
        ".aliyun/config.json",
        &config_json(
            "k",
            serde_json::json!([{"name": "k", "mode": "AK", "access_key_id": "", "access_key_secret": ""}]),
        ),
    );
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert!(e.to_string().contains("access_key_id"), "{e}");

    // Disabled: skipped, so the credentials file is used.
    home.write(
        ".alibabacloud/credentials",
        &format!("[default]\ntype = access_key\naccess_key_id = ini-id\naccess_key_secret = {AK_SECRET}\n"),
    );
    let p = resolve(&config(&[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")], &home.path)).await.unwrap();
    assert_eq!(p.source(), Source::CredentialsFile);
}

#[tokio::test]
async fn alibaba_cloud_config_file_moves_the_cli_config() {
    let home = TempHome::new();
    let elsewhere =
        home.write("etc/aliyun.json", &config_json("default", serde_json::json!([ak_profile("default")])));
    let path = elsewhere.to_string_lossy().to_string();
    let p = resolve(&config(&[("ALIBABA_CLOUD_CONFIG_FILE", &path)], &home.path)).await.unwrap();
    assert_eq!(p.source(), Source::CliProfile);
    let e = resolve(&config(&[("ALIBABA_CLOUD_CONFIG_FILE", "/nowhere/config.json")], &home.path))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("ALIBABA_CLOUD_CONFIG_FILE"), "{e}");
}

// ---- ~/.alibabacloud/credentials -------------------------------------------------------------

#[tokio::test]
async fn credentials_file_access_key_with_comments_and_sections() {
    let home = TempHome::new();
    home.write(
        ".alibabacloud/credentials",
        &format!(
            "# shared credentials\n[default]\nenable = true\ntype = access_key   # a comment\naccess_key_id = ini-id\naccess_key_secret = {AK_SECRET}\n\n[off]\nenable = false\ntype = access_key\naccess_key_id = x\naccess_key_secret = y\n"
        ),
    );
    let p = resolve(&config(&[], &home.path)).await.unwrap();
    assert_eq!(p.source(), Source::CredentialsFile);
    assert_eq!(p.status().profile.as_deref(), Some("default"));
    let c = p.current().await.unwrap();
    assert_eq!((c.access_key_id.as_str(), c.access_key_secret.expose()), ("ini-id", AK_SECRET));

    // enable = false skips the section (and then the chain goes on, here to nothing).
    let e = resolve(&config(
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"), ("ALIBABA_CLOUD_PROFILE", "off")],
        &home.path,
    ))
    .await
    .unwrap_err();
    assert!(e.to_string().contains("enable = false"), "{e}");
}

#[tokio::test]
async fn credentials_ini_is_read_when_credentials_is_absent() {
    let home = TempHome::new();
    home.write(
        ".alibabacloud/credentials.ini",
        &format!("[default]\ntype = access_key\naccess_key_id = py-id\naccess_key_secret = {AK_SECRET}\n"),
    );
    let p = resolve(&config(&[], &home.path)).await.unwrap();
    assert_eq!(p.current().await.unwrap().access_key_id, "py-id");
    assert!(p.describe().contains("credentials.ini"), "{}", p.describe());
}

#[tokio::test]
async fn credentials_file_ram_role_arn_and_ecs_ram_role() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let file = home.write(
        "creds.ini",
        &format!(
            "[ram]\ntype = ram_role_arn\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\nrole_arn = {ROLE_ARN}\nrole_session_name = ini-session\n\n[ecs]\ntype = ecs_ram_role\nrole_name = EcsRoleForMigration\n\n[bad]\ntype = rsa_key_pair\n"
        ),
    );
    let path = file.to_string_lossy().to_string();
    let mut cfg =
        config(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", &path), ("ALIBABA_CLOUD_PROFILE", "ram")], &home.path);
    cfg.sts_endpoint = Some(mock.url());
    cfg.ecs_metadata_endpoint = mock.url();
    let p = resolve(&cfg).await.unwrap();
    assert_eq!((p.source(), p.status().method), (Source::CredentialsFile, Method::RamRoleArn));
    let seen = mock.state.last("AssumeRole").unwrap();
    assert_eq!(seen.params["RoleSessionName"], "ini-session");
    assert_eq!(seen.params["DurationSeconds"], "3600");

    cfg.profile = Some("ecs".into());
    let p = resolve(&cfg).await.unwrap();
    assert_eq!(p.status().method, Method::EcsRamRole);
    assert!(p.current().await.unwrap().access_key_id.starts_with("STS.ecs-"));

    cfg.profile = Some("bad".into());
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.to_string().contains("rsa_key_pair"), "{e}");
}

// ---- ECS RAM role ------------------------------------------------------------------------------

#[tokio::test]
async fn ecs_role_is_discovered_with_an_imdsv2_token() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    let home = TempHome::new();
    let mut cfg = config(&[], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let p = resolve(&cfg).await.unwrap();
    assert_eq!((p.source(), p.status().method), (Source::EcsRamRole, Method::EcsRamRole));
    assert!(p.describe().contains("EcsRoleForMigration"), "{}", p.describe());
    let c = p.current().await.unwrap();
    assert!(c.access_key_id.starts_with("STS.ecs-"));
    let seen = mock.state.seen.lock().unwrap().clone();
    let token_put = seen.iter().find(|s| s.path == "/latest/api/token").unwrap();
    assert_eq!(token_put.method, "PUT");
    assert_eq!(token_put.headers["x-aliyun-ecs-metadata-token-ttl-seconds"], "21600");
    let creds_get = seen.iter().find(|s| s.path.ends_with("/EcsRoleForMigration")).unwrap();
    assert_eq!(creds_get.headers["x-aliyun-ecs-metadata-token"], IMDS_TOKEN);
    assert_no_secrets(&format!("{p:?} {:?}", p.status()));
}

#[tokio::test]
async fn ecs_falls_back_to_imdsv1_unless_that_is_disabled() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    mock.state.imds_v1_only.store(true, Ordering::SeqCst);
    let home = TempHome::new();
    let mut cfg = config(&[], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let p = resolve(&cfg).await.unwrap();
    assert!(p.current().await.unwrap().access_key_id.starts_with("STS.ecs-"));

    let mut cfg = config(&[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let e = resolve(&cfg).await.unwrap_err();
    assert_eq!(e.failed.as_ref().unwrap().source, Source::EcsRamRole);
    assert!(e.to_string().contains("ALIBABA_CLOUD_IMDSV1_DISABLED"), "{e}");
}

#[tokio::test]
async fn ecs_without_a_role_or_disabled_or_unreachable_is_skipped() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    *mock.state.imds_role.lock().unwrap() = String::new();
    let home = TempHome::new();
    let mut cfg = config(&[], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.failed.is_none());
    assert!(e.to_string().contains("no RAM role"), "{e}");

    // Disabled: the metadata service is not even asked.
    let before = mock.state.seen.lock().unwrap().len();
    let mut cfg = config(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "TRUE")], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.to_string().contains("disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED"), "{e}");
    assert_eq!(mock.state.seen.lock().unwrap().len(), before);

    // Unreachable (the default test config points at a closed port).
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert!(e.to_string().contains("not reachable"), "{e}");

    // A role named in ALIBABA_CLOUD_ECS_METADATA must work.
    *mock.state.imds_role.lock().unwrap() = "EcsRoleForMigration".into();
    let mut cfg = config(&[("ALIBABA_CLOUD_ECS_METADATA", "NoSuchRole")], &home.path);
    cfg.ecs_metadata_endpoint = mock.url();
    let e = resolve(&cfg).await.unwrap_err();
    assert_eq!(e.failed.as_ref().unwrap().source, Source::EcsRamRole);
    assert!(e.to_string().contains("404"), "{e}");
}

// ---- the chain as a whole ---------------------------------------------------------------------

#[tokio::test]
async fn no_credentials_names_every_source_in_order() {
    let home = TempHome::new();
    let e = resolve(&config(&[], &home.path)).await.unwrap_err();
    assert!(e.failed.is_none());
    assert_eq!(e.tried.len(), 5, "{:?}", e.tried);
    let text = e.to_string();
    let order = [
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        ".aliyun/config.json",
        ".alibabacloud/credentials",
        "ECS RAM role",
    ];
    let mut at = 0;
    for item in order {
        at += text[at..].find(item).unwrap_or_else(|| panic!("{item} missing or out of order in: {text}"));
    }
    assert!(text.contains("--demo"), "{text}");
}

#[tokio::test]
async fn a_configured_source_that_fails_is_named_and_not_fallen_through() {
    let clock = fake_clock();
    let mock = start_mock(clock.clock()).await;
    mock.state.sts_fail.store(true, Ordering::SeqCst);
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &config_json(
            "role",
            serde_json::json!([{"name": "role", "mode": "RamRoleArn", "access_key_id": AK_ID, "access_key_secret": AK_SECRET, "ram_role_arn": ROLE_ARN}]),
        ),
    );
    // A credentials file that would work comes later in the chain: it is not used.
    home.write(
        ".alibabacloud/credentials",
        "[default]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n",
    );
    let mut cfg = config(&[], &home.path);
    cfg.sts_endpoint = Some(mock.url());
    cfg.ecs_metadata_endpoint = mock.url();
    let e = resolve(&cfg).await.unwrap_err();
    let failed = e.failed.as_ref().unwrap();
    assert_eq!(failed.source, Source::CliProfile);
    let text = e.to_string();
    assert!(
        text.contains("\"role\"") && text.contains("NoPermission") && text.contains("HTTP 403"),
        "{text}"
    );
    assert!(!text.contains("server string to sign"), "{text}");
    assert!(!text.contains("Signature="), "{text}");
    assert_no_secrets(&format!("{text} {e:?}"));
    assert_eq!(mock.state.count("/latest/api/token"), 0, "the ECS link is not tried");
}

#[tokio::test]
async fn plain_http_sts_is_refused_off_loopback() {
    let home = TempHome::new();
    home.write(
        ".aliyun/config.json",
        &config_json(
            "role",
            serde_json::json!([{"name": "role", "mode": "RamRoleArn", "access_key_id": AK_ID, "access_key_secret": AK_SECRET, "ram_role_arn": ROLE_ARN}]),
        ),
    );
    let mut cfg = config(&[], &home.path);
    cfg.sts_endpoint = Some(url::Url::parse("http://192.0.2.1:80").unwrap());
    let e = resolve(&cfg).await.unwrap_err();
    assert!(e.to_string().contains("plain http"), "{e}");
}
