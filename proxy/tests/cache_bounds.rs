//! The cache through the real app against the scripted upstream: what it keys on, its byte
//! bound, and stale-while-revalidate as the browser sees it (`X-Proxy-Cache: revalidating`
//! with no `X-Proxy-Stale`). The cache's own unit tests (src/cache.rs) cover the sweep and the
//! waits with tokio's paused clock.
mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use migration_proxy::app::app;
use migration_proxy::cache::Cache;
use migration_proxy::config::SignatureStyle;

struct Got {
    status: StatusCode,
    cache: Option<String>,
    stale: Option<String>,
    body: String,
}

async fn get(router: &axum::Router, uri: &str) -> Got {
    let resp = tower::ServiceExt::oneshot(router.clone(), Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    record_answer(uri, status, &format!("{headers:?} {body}"));
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    Got { status, cache: header("x-proxy-cache"), stale: header("x-proxy-stale"), body }
}

const TASKS: &str = "/api/rds/DescribeCloudMigrationResult?DBInstanceName=pgm-abc";

#[tokio::test]
async fn regions_that_reach_the_same_endpoint_share_one_entry() {
    // Every region goes to the one endpoint here, and the action does not forward RegionId:
    // the upstream cannot answer differently, so 50 regions are one entry, not 50 copies.
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let router = app(up.app_state(SignatureStyle::V3));
    for i in 0..50 {
        let got = get(&router, &format!("{TASKS}&RegionId=xx-region-{i}")).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert_eq!(got.cache.as_deref(), Some(if i == 0 { "miss" } else { "hit" }), "region {i}");
    }
    assert_eq!(up.calls(), 1);
    assert!(up.received().iter().all(|r| r.query.iter().all(|(k, _)| k != "RegionId")));
    // An action that forwards RegionId still gets one entry per region.
    for r in ["cn-hangzhou", "cn-shanghai"] {
        let got = get(&router, &format!("/api/rds/DescribeDBInstances?RegionId={r}")).await;
        assert_eq!(got.cache.as_deref(), Some("miss"), "{r}");
    }
    assert_eq!(up.calls(), 3);
    assert_no_secrets();
}

#[tokio::test]
async fn the_byte_bound_evicts_the_oldest_answer() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let mut state = up.app_state(SignatureStyle::V3);
    let one = get(&app(up.app_state(SignatureStyle::V3)), TASKS).await.body.len();
    // Room for one answer (with its key and overhead), not two; far below the entry bound.
    state.cache = Cache::new(Duration::from_secs(60), Duration::from_secs(60), 100).with_max_bytes(one + 600);
    let router = app(state);
    let calls = up.calls();
    assert_eq!(get(&router, &format!("{TASKS}&PageNumber=1")).await.cache.as_deref(), Some("miss"));
    assert_eq!(get(&router, &format!("{TASKS}&PageNumber=1")).await.cache.as_deref(), Some("hit"));
    assert_eq!(get(&router, &format!("{TASKS}&PageNumber=2")).await.cache.as_deref(), Some("miss"));
    // Page 1 was the oldest: it made room for page 2.
    assert_eq!(get(&router, &format!("{TASKS}&PageNumber=1")).await.cache.as_deref(), Some("miss"));
    assert_eq!(up.calls() - calls, 3);
    assert_no_secrets();
}

#[tokio::test]
async fn a_slow_refresh_serves_the_saved_copy_as_revalidating_without_a_stale_badge() {
    let up = MockUpstream::start(vec![], Some(ok(&task_list_with_secrets()))).await;
    let mut state = up.app_state(SignatureStyle::V3);
    state.cache = Cache::new(Duration::from_millis(50), Duration::from_secs(60), 100);
    let router = app(state);
    let first = get(&router, TASKS).await;
    assert_eq!(first.cache.as_deref(), Some("miss"));
    tokio::time::sleep(Duration::from_millis(120)).await;
    // The upstream is healthy but slow now: the refetch is under way, not failed.
    up.answer_with(vec![], Some(Scripted { delay: Duration::from_secs(3), ..ok(&task_list_with_secrets()) }));
    let got = get(&router, TASKS).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.cache.as_deref(), Some("revalidating"));
    assert_eq!(got.stale, None, "no stale badge for a refresh under way");
    assert_eq!(got.body, first.body, "the saved copy");
    assert!(!got.body.contains(SOURCE_PASSWORD));
    // A caller who comes while the same refetch runs joins it (no second upstream call).
    let again = get(&router, TASKS).await;
    assert_eq!(again.cache.as_deref(), Some("revalidating"));
    assert_eq!(up.calls(), 2);
    assert_no_secrets();
}
