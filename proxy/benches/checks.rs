//! What the hardening checks cost on the cache-hit path: each check alone (Host and Origin, a
//! bearer token, the caller's rate bucket), then a whole cache hit through the proxy's router
//! side by side, without and with them (no socket). Run by `make bench` (scripts/bench.sh,
//! section `checks`) or `cargo bench -p migration-proxy --bench checks`.
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Request};
use criterion::{criterion_group, criterion_main, Criterion};
use migration_proxy::app::{app, AppState, Mode};
use migration_proxy::auth::{hash_token, Authenticator};
use migration_proxy::cache::Cache;
use migration_proxy::config::SignatureStyle;
use migration_proxy::credentials::{Credentials, Secret, Source};
use migration_proxy::limits::{rate_key, Limits};
use migration_proxy::simulator::{self, SimConfig};
use migration_proxy::upstream::{check_endpoint, Upstream};
use tower::ServiceExt;

const TOKEN: &str = "bench-token-8d1c3f0a6b2e4d7f9a0c1e3b5d7f9a1c";
const PAGE: &str = "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-bp102g323jd4demo";

fn tokens_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bench-checks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("tokens");
    std::fs::write(&file, format!("bench {} ops\n", hash_token(TOKEN))).expect("tokens file");
    file
}

fn state(upstream: SocketAddr, hardened: bool) -> AppState {
    let endpoint = check_endpoint(&format!("http://{upstream}"), false).expect("endpoint");
    let creds = Credentials {
        access_key_id: simulator::DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(simulator::DEMO_ACCESS_KEY_SECRET),
        security_token: None,
        source: Source::Demo,
    };
    let upstream =
        Upstream::new(Some(endpoint), creds, SignatureStyle::V3, Duration::from_secs(5)).expect("upstream");
    let mut state = AppState::new(upstream, Mode::Demo, "cn-hangzhou");
    state.cache = Cache::new(Duration::from_secs(3600), Duration::from_secs(3600), 10_000);
    if hardened {
        state.auth =
            Authenticator::Bearer { tokens: Authenticator::load_tokens(&tokens_file()).expect("tokens") };
        state.allowed_origins = vec!["https://portal.example.com".into()];
        // A bucket no bench drains: the check runs, the limit never bites.
        state.limits = Limits::default().with_rate(u32::MAX, u32::MAX);
    } else {
        state.limits = Limits::default().with_rate(0, 0);
    }
    state
}

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
    h.insert("origin", HeaderValue::from_static("https://portal.example.com"));
    h.insert("authorization", HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("header"));
    h
}

fn checks(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let sim = rt
        .block_on(simulator::start("127.0.0.1:0".parse().expect("addr"), SimConfig::default()))
        .expect("sim");
    let hardened = state(sim.addr, true);
    let h = headers();
    let peer = Some("127.0.0.1".parse().expect("ip"));
    let mut g = c.benchmark_group("checks");
    g.bench_function("host_and_origin", |b| {
        b.iter(|| migration_proxy::app::check_host_and_origin(black_box(&hardened), black_box(&h)))
    });
    g.bench_function("bearer_token", |b| {
        b.iter(|| hardened.auth.authenticate(black_box(peer), black_box(&h)))
    });
    let caller = hardened.auth.authenticate(peer, &h).expect("the bench token");
    g.bench_function("rate_bucket", |b| {
        b.iter(|| hardened.limits.admit(rate_key(Some(black_box(&caller)), peer)))
    });
    g.finish();

    // A whole cache hit, side by side: no caller checks (auth none, no rate limit) against
    // the bearer token, Origin and rate bucket.
    let mut g = c.benchmark_group("hit_path");
    for (name, hardened) in [("plain", false), ("hardened", true)] {
        let router =
            app(state(sim.addr, hardened)).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        let request = || {
            let mut r = Request::get(PAGE).body(Body::empty()).expect("request");
            if hardened {
                *r.headers_mut() = headers();
            }
            r
        };
        let first = rt.block_on(router.clone().oneshot(request())).expect("answer");
        assert_eq!(first.status(), 200, "{name}: the first call fills the cache");
        g.bench_function(name, |b| {
            b.iter(|| rt.block_on(router.clone().oneshot(request())).expect("answer"))
        });
    }
    g.finish();
    rt.block_on(sim.stop());
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = checks
}
criterion_main!(benches);
