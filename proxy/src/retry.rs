//! Retries of upstream calls: exponential backoff with full jitter on throttling, unavailable
//! and internal errors, timeouts and connection failures, honouring the upstream's rate-limit
//! headers, all under one total deadline. Auth, signature and parameter errors are never
//! retried. A timestamp error corrects the signing clock from the upstream's `Date` and is
//! retried once. Each attempt is signed afresh (new nonce, new timestamp).
use std::time::Duration;

use migration_model::ErrorClass;
use rand::Rng;
use tokio::time::Instant;

use crate::actions::ValidatedCall;
use crate::error::ProxyError;
use crate::upstream::{Upstream, UpstreamResponse};

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles each time, up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// No attempt starts, and no wait is taken, past this much time after the first.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
            deadline: Duration::from_secs(15),
        }
    }
}

/// What to do with one attempt's outcome.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Done,
    Retry {
        wait_at_least: Option<Duration>,
    },
    /// The request time was refused: correct the clock from this `Date` and retry.
    CorrectClock(String),
}

/// The error code of an upstream answer, if its body has one.
pub fn error_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("Code").and_then(|c| c.as_str()).map(str::to_string)
}

pub fn decide(resp: &UpstreamResponse) -> Decision {
    if (200..300).contains(&resp.status) {
        return Decision::Done;
    }
    let code = error_code(&resp.body);
    if let Some(code) = &code {
        if code.starts_with("InvalidTimeStamp.Expired") {
            return match &resp.date {
                Some(date) => Decision::CorrectClock(date.clone()),
                None => Decision::Done,
            };
        }
    }
    let class = match &code {
        Some(code) => migration_model::classify(code, resp.status),
        // No readable code: a gateway's 5xx page is worth another try, anything else is not.
        None if resp.status >= 500 => ErrorClass::Retryable,
        None => ErrorClass::Client,
    };
    match class {
        ErrorClass::Retryable | ErrorClass::Throttled | ErrorClass::Server => {
            Decision::Retry { wait_at_least: resp.retry_after }
        }
        ErrorClass::Client | ErrorClass::Auth => Decision::Done,
    }
}

/// What a run of attempts produced, with how many retries it took.
pub struct Attempts {
    pub result: Result<UpstreamResponse, ProxyError>,
    pub retries: u32,
}

fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let exp = policy.base_backoff.saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
    let cap = exp.min(policy.max_backoff);
    // Full jitter: spreads out the retries of many proxies hit by the same throttling.
    let ms = rand::rng().random_range(0..=cap.as_millis().max(1) as u64);
    Duration::from_millis(ms)
}

pub async fn call_with_retries(upstream: &Upstream, call: &ValidatedCall, policy: &RetryPolicy) -> Attempts {
    let started = Instant::now();
    let deadline = started + policy.deadline;
    let mut retries = 0;
    let mut clock_corrected = false;
    loop {
        let attempt = tokio::time::timeout_at(deadline, upstream.call(call))
            .await
            .unwrap_or(Err(ProxyError::UpstreamTimeout));
        let wait_at_least = match &attempt {
            Ok(resp) => match decide(resp) {
                Decision::Done => return Attempts { result: attempt, retries },
                Decision::CorrectClock(date) if !clock_corrected => {
                    clock_corrected = true;
                    if let Some(skew) = upstream.correct_skew(&date) {
                        tracing::warn!(
                            skew_ms = skew.num_milliseconds(),
                            "upstream refused our timestamp; corrected the signing clock"
                        );
                        retries += 1;
                        continue;
                    }
                    return Attempts { result: attempt, retries };
                }
                Decision::CorrectClock(_) => return Attempts { result: attempt, retries },
                Decision::Retry { wait_at_least } => wait_at_least,
            },
            Err(ProxyError::UpstreamTimeout | ProxyError::UpstreamUnavailable(_)) => None,
            Err(_) => return Attempts { result: attempt, retries },
        };
        if retries + 1 >= policy.max_attempts {
            return Attempts { result: attempt, retries };
        }
        let wait = backoff(policy, retries + 1).max(wait_at_least.unwrap_or_default());
        if Instant::now() + wait >= deadline {
            return Attempts { result: attempt, retries };
        }
        tokio::time::sleep(wait).await;
        retries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, body: &str) -> UpstreamResponse {
        UpstreamResponse { status, body: Bytes::from(body.to_string()), date: None, retry_after: None }
    }

    #[test]
    fn what_is_retried_and_what_is_not() {
        let retried = [
            (400, r#"{"Code":"Throttling"}"#),
            (400, r#"{"Code":"Throttling.User"}"#),
            (400, r#"{"Code":"Throttling.Api"}"#),
            (503, r#"{"Code":"ServiceUnavailable"}"#),
            (500, r#"{"Code":"InternalError"}"#),
            (400, r#"{"Code":"SignatureNonceUsed"}"#),
            (502, "<html>bad gateway</html>"),
        ];
        for (status, body) in retried {
            assert!(matches!(decide(&resp(status, body)), Decision::Retry { .. }), "{body}");
        }
        let final_ = [
            (200, "{}"),
            (400, r#"{"Code":"SignatureDoesNotMatch"}"#),
            (404, r#"{"Code":"InvalidAccessKeyId.NotFound"}"#),
            (400, r#"{"Code":"MissingDBInstanceName"}"#),
            (400, r#"{"Code":"InvalidPageSize"}"#),
            (404, r#"{"Code":"InvalidDBInstanceName.NotFound"}"#),
            (403, r#"{"Code":"Forbidden.RAM"}"#),
            (400, "not json"),
        ];
        for (status, body) in final_ {
            assert_eq!(decide(&resp(status, body)), Decision::Done, "{body}");
        }
    }

    #[test]
    fn a_refused_timestamp_asks_for_a_clock_correction() {
        let mut r = resp(400, r#"{"Code":"InvalidTimeStamp.Expired"}"#);
        assert_eq!(decide(&r), Decision::Done, "without a Date header there is nothing to learn");
        r.date = Some("Sat, 28 Nov 2026 01:00:00 GMT".into());
        assert_eq!(decide(&r), Decision::CorrectClock("Sat, 28 Nov 2026 01:00:00 GMT".into()));
    }

    #[test]
    fn rate_limit_waits_are_honoured() {
        let mut r = resp(400, r#"{"Code":"Throttling.User"}"#);
        r.retry_after = Some(Duration::from_millis(1500));
        assert_eq!(decide(&r), Decision::Retry { wait_at_least: Some(Duration::from_millis(1500)) });
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            assert!(backoff(&p, 1) <= Duration::from_millis(100));
            assert!(backoff(&p, 2) <= Duration::from_millis(200));
            assert!(backoff(&p, 10) <= Duration::from_millis(300));
        }
    }
}
