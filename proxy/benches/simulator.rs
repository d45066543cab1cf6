//! Time per simulator call on a 5,000-task instance (`--bench-instance-tasks 5000`), with paging
//! and filters: first through the world directly (the listing itself), then one whole signed
//! call through the simulator's router (signature check, listing, JSON), without a socket.
//! Run by `make bench` (scripts/bench.sh) or `cargo bench -p migration-proxy --bench simulator`.
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use migration_proxy::signing::{encode, v3};
use migration_proxy::simulator::world::{TaskFilter, World, WorldOptions, BENCH_INSTANCE};
use migration_proxy::simulator::{self, ManualClock, SimConfig, Simulator};
use tower::ServiceExt;

const TASKS: usize = 5_000;

fn world(c: &mut Criterion) {
    let start = chrono::Utc::now();
    let world = World::new(WorldOptions { seed: 1, speed: 1.0, bench_instance_tasks: TASKS }, start);
    // A fixed "now" an hour in: tasks have moved, and no self-started task is added meanwhile.
    let now = start + chrono::Duration::hours(1);
    let first = world.list_tasks(BENCH_INSTANCE, now, &TaskFilter::default(), 1, 1);
    assert_eq!(first.total, TASKS, "the bench instance holds {TASKS} tasks");
    let deep = world.list_tasks(BENCH_INSTANCE, now, &TaskFilter::default(), 40, 100).items;
    let deep_id = deep[0]["TaskId"].as_u64().expect("TaskId");
    let ip = first.items[0]["SourceIpAddress"].as_str().expect("SourceIpAddress").to_string();

    let mut g = c.benchmark_group("simulator_world_5000");
    g.bench_function("page1_size30", |b| {
        b.iter(|| world.list_tasks(BENCH_INSTANCE, now, black_box(&TaskFilter::default()), 1, 30))
    });
    g.bench_function("page1_size100", |b| {
        b.iter(|| world.list_tasks(BENCH_INSTANCE, now, black_box(&TaskFilter::default()), 1, 100))
    });
    g.bench_function("page50_size100", |b| {
        b.iter(|| world.list_tasks(BENCH_INSTANCE, now, black_box(&TaskFilter::default()), 50, 100))
    });
    g.bench_function("filter_task_id", |b| {
        let f = TaskFilter { task_id: Some(deep_id), ..TaskFilter::default() };
        b.iter(|| world.list_tasks(BENCH_INSTANCE, now, black_box(&f), 1, 30))
    });
    g.bench_function("filter_source_ip_page2", |b| {
        let f = TaskFilter { source_ip: Some(&ip), ..TaskFilter::default() };
        b.iter(|| world.list_tasks(BENCH_INSTANCE, now, black_box(&f), 2, 30))
    });
    g.finish();
}

fn router(c: &mut Criterion) {
    let clock = ManualClock::starting_now();
    let sim = Arc::new(Simulator::new(SimConfig {
        bench_instance_tasks: TASKS,
        clock: clock.clock(),
        ..SimConfig::default()
    }));
    let app = simulator::router(sim);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let mut n: u64 = 0;
    let mut request = |page_size: &str| {
        n += 1;
        // Nonces are remembered for 31 minutes: move the clock on now and then so the
        // simulator's nonce table stays small, as it would in real use.
        if n.is_multiple_of(20_000) {
            clock.advance(chrono::Duration::hours(1));
        }
        let params: Vec<(String, String)> =
            [("DBInstanceName", BENCH_INSTANCE), ("PageNumber", "1"), ("PageSize", page_size)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let date = clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let nonce = format!("bench-nonce-{n}");
        let signed = v3::sign(&v3::SignRequest {
            method: "POST",
            host: "127.0.0.1",
            path: "/",
            query: &params,
            headers: &[],
            body: b"",
            action: "DescribeCloudMigrationResult",
            version: "2014-08-15",
            date: &date,
            nonce: &nonce,
            access_key_id: simulator::DEMO_ACCESS_KEY_ID,
            access_key_secret: simulator::DEMO_ACCESS_KEY_SECRET,
            security_token: None,
        });
        let mut req =
            Request::builder().method("POST").uri(format!("/?{}", encode::canonical_query(&params)));
        for (k, v) in &signed.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        req.body(Body::empty()).expect("request")
    };
    // Check once that the call succeeds (a refused signature would be fast and meaningless).
    let first = rt.block_on(app.clone().oneshot(request("100"))).expect("infallible");
    assert_eq!(first.status(), 200, "the signed bench call is accepted");

    let mut g = c.benchmark_group("simulator_call_5000");
    for size in ["30", "100"] {
        g.bench_function(format!("signed_v3_page1_size{size}"), |b| {
            b.iter_batched(
                || request(size),
                |req| {
                    rt.block_on(async {
                        let resp = app.clone().oneshot(req).await.expect("infallible");
                        axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("body")
                    })
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = world, router
}
criterion_main!(benches);
