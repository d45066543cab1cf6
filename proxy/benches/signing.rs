//! ns per signature: ACS3-HMAC-SHA256 (V3, the default) and RPC HMAC-SHA1, each on the call the
//! dashboard makes most (one page of DescribeCloudMigrationResult), as `Upstream::call` signs it.
//! Run by `make bench` (scripts/bench.sh) or `cargo bench -p migration-proxy --bench signing`.
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use migration_proxy::signing::{rpc, v3};

const VERSION: &str = "2014-08-15";
const ACTION: &str = "DescribeCloudMigrationResult";
const DATE: &str = "2026-01-01T00:00:00Z";
const NONCE: &str = "3a6f1e0c9b8d4e2fa7c5b1d0e9f8a7b6";
const KEY_ID: &str = "demo-access-key-id";
const SECRET: &str = "demo-access-key-secret";

fn params() -> Vec<(String, String)> {
    [("DBInstanceName", "pgm-bp102g323jd4demo"), ("PageNumber", "1"), ("PageSize", "30")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn signing(c: &mut Criterion) {
    let params = params();
    let mut g = c.benchmark_group("signing");
    g.bench_function("v3", |b| {
        b.iter(|| {
            v3::sign(black_box(&v3::SignRequest {
                method: "POST",
                host: "rds.aliyuncs.com",
                path: "/",
                query: &params,
                headers: &[],
                body: b"",
                action: ACTION,
                version: VERSION,
                date: DATE,
                nonce: NONCE,
                access_key_id: KEY_ID,
                access_key_secret: SECRET,
                security_token: None,
            }))
        })
    });
    g.bench_function("rpc", |b| {
        b.iter(|| {
            rpc::sign_params("POST", ACTION, VERSION, black_box(&params), KEY_ID, SECRET, None, DATE, NONCE)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = signing
}
criterion_main!(benches);
