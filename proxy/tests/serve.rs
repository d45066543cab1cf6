//! `serve` on a real port: start-up refusals, the app under a base path with its CSP and
//! precompressed assets, deep links, the API next to it, and a graceful stop.
mod common;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use migration_proxy::config::{Cli, Command, ServeArgs};
use migration_proxy::serve::prepare;

fn serve_args(extra: &[&str]) -> ServeArgs {
    let mut argv = vec!["migration-proxy", "serve"];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Serve(args) => *args,
        _ => unreachable!(),
    }
}

/// No credentials anywhere, and no ECS metadata probe: tests never send traffic off loopback.
fn no_env(k: &str) -> Option<String> {
    (k == "ALIBABA_CLOUD_ECS_METADATA_DISABLED").then(|| "true".to_string())
}

/// A small built app: index.html as Trunk writes it, and an asset with its precompressed twins.
fn fake_dist() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dist-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        r#"<!doctype html><meta content=/__MIGRATION_BASE__ name=migration-base><script type=module>import init from '/__MIGRATION_BASE__/app-0123456789abcdef.js';await init();</script><body></body>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("app-0123456789abcdef.js"),
        "export default async function init() {}\n".repeat(20),
    )
    .unwrap();
    let gz = std::process::Command::new("gzip")
        .args(["-k", "-f"])
        .arg(dir.join("app-0123456789abcdef.js"))
        .status();
    assert!(gz.unwrap().success());
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64
}

#[tokio::test]
async fn without_demo_or_credentials_serve_refuses_and_names_the_sources() {
    let err = prepare(&serve_args(&[]), &no_env).await.err().expect("must refuse").to_string();
    assert!(err.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{err}");
    assert!(err.contains("--demo"), "{err}");
    for source in ["OIDC", "config.json", "credentials", "ECS"] {
        assert!(err.contains(source), "{source} missing from: {err}");
    }
}

#[tokio::test]
async fn auth_none_is_refused_off_loopback() {
    let err = prepare(&serve_args(&["--demo", "--listen", "0.0.0.0:0"]), &no_env)
        .await
        .err()
        .expect("must refuse")
        .to_string();
    assert!(err.contains("loopback"), "{err}");
    let err = prepare(&serve_args(&["--demo", "--auth", "trusted-header"]), &no_env)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--trusted-proxies"), "{err}");
    let err = prepare(&serve_args(&["--demo", "--auth", "bearer"]), &no_env).await.err().unwrap().to_string();
    assert!(err.contains("--tokens-file"), "{err}");
}

#[tokio::test]
async fn plain_http_endpoints_off_loopback_are_refused() {
    let env = |k: &str| match k {
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED" => Some("true".to_string()),
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("id".to_string()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("secret".to_string()),
        _ => None,
    };
    let err = prepare(&serve_args(&["--rds-endpoint", "http://10.1.2.3:80"]), &env)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("plain http"), "{err}");
    assert!(prepare(&serve_args(&["--rds-endpoint", "https://rds.aliyuncs.com"]), &env).await.is_ok());
}

#[tokio::test]
async fn the_app_and_the_api_on_a_real_port_under_a_base_path() {
    let dist = fake_dist();
    let args = serve_args(&[
        "--demo",
        "--base-path",
        "/migrations",
        "--dist",
        dist.to_str().unwrap(),
        "--frame-ancestors",
        "https://portal.example.com",
        "--audit-log",
        "off",
    ]);
    let (mut state, sim) = prepare(&args, &no_env).await.unwrap();
    // The audit log into the transcript: the secret scan reads it.
    state.audit = Some(common::audit_to_transcript());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            migration_proxy::app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
        .unwrap();
    });
    let client = reqwest::Client::builder().build().unwrap();
    let base = format!("http://{addr}/migrations");

    // index.html rewritten for the base path, with a CSP that carries the boot script's hash.
    let index = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    let csp = index.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let html = index.text().await.unwrap();
    common::record_answer(&format!("GET {base}/"), 200, &format!("{csp}\n{html}"));
    assert!(html.contains("content=/migrations "), "{html}");
    assert!(html.contains("'/migrations/app-0123456789abcdef.js'"));
    assert!(
        csp.contains("'wasm-unsafe-eval'")
            && csp.contains("'sha256-")
            && csp.contains("frame-ancestors https://portal.example.com"),
        "{csp}"
    );

    // A deep link navigated to by a browser gets the app; an unknown asset gets a 404.
    let deep = client
        .get(format!("{base}/regions/cn-hangzhou/instances/pgm-x"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(deep.status(), 200);
    assert!(deep.text().await.unwrap().contains("migration-base"));
    let missing = client.get(format!("{base}/nope-0123456789abcdef.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // Hashed assets: precompressed, immutable.
    let js = client
        .get(format!("{base}/app-0123456789abcdef.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");

    // Traversal out of dist/ is refused.
    for path in ["/..%2f..%2fetc%2fpasswd", "/../Cargo.toml", "/%2e%2e/Cargo.toml"] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status() == 404 || r.status() == 400, "{path}: {}", r.status());
        assert!(!r.text().await.unwrap().contains("[package]"), "{path}");
    }

    // Nothing outside the base path; the probes sit at the root.
    assert_eq!(client.get(format!("http://{addr}/api/session")).send().await.unwrap().status(), 404);
    assert_eq!(client.get(format!("http://{addr}/healthz")).send().await.unwrap().status(), 200);

    // The API under the base path, through the signing path to the in-process simulator.
    let tasks = client
        .get(format!("{base}/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(tasks.status(), 200);
    let body = tasks.text().await.unwrap();
    common::record_answer("GET DescribeCloudMigrationResult (under the base path)", 200, &body);
    assert!(body.contains("440437220") && !body.contains("SourcePassword"));
    for path in ["api/session", "api/rds/DescribeRegions", "api/rds/DescribeDBInstances"] {
        let r = client.get(format!("{base}/{path}")).send().await.unwrap();
        let status = r.status().as_u16();
        let headers = format!("{:?}", r.headers());
        let text = r.text().await.unwrap();
        common::record_answer(path, status, &format!("{headers}\n{text}"));
        assert_eq!(status, 200, "{path}: {text}");
    }
    common::assert_no_secrets();

    stop_tx.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), server).await.expect("graceful stop").unwrap();
    if let Some(sim) = sim {
        sim.stop().await;
    }
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn the_sts_unavailable_fault_reaches_the_demo_simulator_and_needs_demo() {
    let (_, sim) =
        prepare(&serve_args(&["--demo", "--audit-log", "off", "--fault-sts-unavailable"]), &no_env)
            .await
            .unwrap();
    let sim = sim.expect("--demo starts the simulator");
    let faults = sim.simulator().faults();
    assert_eq!(faults, migration_proxy::simulator::Faults { sts_unavailable: true, ..Default::default() });
    sim.stop().await;
    let err = prepare(&serve_args(&["--fault-sts-unavailable"]), &no_env)
        .await
        .err()
        .expect("must refuse")
        .to_string();
    assert!(err.contains("need --demo"), "{err}");
}

#[tokio::test]
async fn out_of_range_fault_flags_are_refused_by_name() {
    let args = serve_args(&["--demo", "--audit-log", "off", "--fault-latency-ms", "600001"]);
    let err = prepare(&args, &no_env).await.err().expect("must refuse").to_string();
    assert!(err.contains("latency_ms must be from 0 to 600000"), "{err}");
}

/// Configuration values that end up in a URL or a header are checked at start-up, like
/// request values; so are the files that decide who may call.
#[tokio::test]
async fn configuration_values_and_access_files_are_checked_at_start_up() {
    for region in ["evil.example.com", "cn-hangzhou/x", "CN-HANGZHOU", "cn-hangzhou\r\nX: y", ""] {
        let err = prepare(&serve_args(&["--demo", "--region-id", region]), &no_env).await.err();
        assert!(err.is_some_and(|e| e.to_string().contains("--region-id")), "{region:?}");
    }
    let sts = |k: &str| (k == "ALIBABA_CLOUD_STS_REGION").then(|| "evil.example.com/".to_string());
    let err = prepare(&serve_args(&["--demo"]), &sts).await.err().expect("refused").to_string();
    assert!(err.contains("ALIBABA_CLOUD_STS_REGION"), "{err}");
    for origins in ["https://portal.example.com/path", "javascript:alert(1)", "portal.example.com"] {
        let err = prepare(&serve_args(&["--demo", "--allowed-origins", origins]), &no_env).await.err();
        assert!(err.is_some_and(|e| e.to_string().contains("--allowed-origins")), "{origins:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("serve-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let policy = dir.join("policy.json");
        std::fs::write(&policy, r#"{"users": {"alice": ["*"]}}"#).unwrap();
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o666)).unwrap();
        let p = policy.to_string_lossy().to_string();
        let err =
            prepare(&serve_args(&["--demo", "--policy-file", &p]), &no_env).await.err().expect("refused");
        assert!(err.to_string().contains("group or others"), "{err}");
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(prepare(&serve_args(&["--demo", "--policy-file", &p]), &no_env).await.is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
