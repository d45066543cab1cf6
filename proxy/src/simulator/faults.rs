//! Fault injection for tests and demos: throttling (a random rate and/or a per-AccessKey QPS
//! limit), 5xx answers, added latency, requests that hang until the client gives up, malformed
//! bodies and a server clock skew. Every random choice comes from a seeded generator, so a given
//! sequence of requests meets the same faults on every run.
//!
//! Faults apply to RDS calls on `/` after the signature has been checked (as a gateway throttles
//! an authenticated caller); added latency applies to every call on `/` (RDS and STS). The STS
//! and ECS-metadata stand-ins are otherwise left alone, so credential tests stay predictable.
use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::rng::Rng;

/// What faults to inject (built from [`super::cli::FaultArgs`]; all off by default).
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Fraction (0–1) of RDS calls answered `400 Throttling.User` with rate-limit headers.
    pub throttle_rate: f64,
    /// RDS calls per second allowed per AccessKey (0: no limit); more get `Throttling.User`.
    pub qps_limit: u32,
    /// The wait the random throttling asks for (`TimeLeft`, `x-acs-retry-after`), in ms.
    pub throttle_time_left_ms: u64,
    /// Fraction (0–1) of RDS calls answered `500 InternalError` or `503 ServiceUnavailable`.
    pub server_error_rate: f64,
    /// Added to every call on `/`, in ms.
    pub latency_ms: u64,
    /// Up to this much more, drawn per call, in ms.
    pub latency_jitter_ms: u64,
    /// Fraction (0–1) of RDS calls that hang for `timeout_ms` (the client should give up first).
    pub timeout_rate: f64,
    /// How long a hanging call hangs before it is answered `503 ServiceUnavailable`, in ms.
    pub timeout_ms: u64,
    /// Fraction (0–1) of RDS calls answered 200 with a truncated, unparseable JSON body.
    pub malformed_rate: f64,
    /// The server's clock is this many seconds ahead (negative: behind) of the real one. It moves
    /// the timestamp check (±15 min), the nonce window, STS expirations and the `Date` header;
    /// the demo world's timestamps stay wall-clock time.
    pub clock_skew_secs: i64,
    /// Seed of the fault generator.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            throttle_rate: 0.0,
            qps_limit: 0,
            throttle_time_left_ms: 1_000,
            server_error_rate: 0.0,
            latency_ms: 0,
            latency_jitter_ms: 0,
            timeout_rate: 0.0,
            timeout_ms: 60_000,
            malformed_rate: 0.0,
            clock_skew_secs: 0,
            seed: 1,
        }
    }
}

/// What happens to one RDS call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Injected {
    /// Nothing: answer normally.
    None,
    /// Hang, then answer 503.
    Timeout,
    /// `400 Throttling.User` with these rate-limit figures.
    Throttle { limit: u32, time_left_ms: u64 },
    /// 500 or 503.
    ServerError(u16),
    /// 200 with a truncated body.
    Malformed,
}

/// The seeded generator and the QPS windows.
pub struct FaultState {
    faults: Faults,
    rng: Mutex<Rng>,
    /// Per AccessKey: (second, calls in it).
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        let rng = Mutex::new(Rng::new(faults.seed ^ 0xFA17_5EED));
        FaultState { faults, rng, windows: Mutex::new(HashMap::new()) }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The added latency for one call, in ms (draws the jitter).
    pub fn latency_ms(&self) -> u64 {
        let f = &self.faults;
        if f.latency_jitter_ms == 0 {
            return f.latency_ms;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        f.latency_ms + rng.below(f.latency_jitter_ms + 1)
    }

    /// Decides the fate of one authenticated RDS call by `access_key_id` at server time `now`.
    /// Draws the same number of values whatever the outcome, so each fault's sequence does not
    /// depend on the other rates.
    pub fn decide(&self, access_key_id: &str, now: DateTime<Utc>) -> Injected {
        let f = &self.faults;
        let [u_timeout, u_throttle, u_error, u_kind, u_malformed] = {
            let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
            [rng.unit(), rng.unit(), rng.unit(), rng.unit(), rng.unit()]
        };
        if u_timeout < f.timeout_rate {
            return Injected::Timeout;
        }
        if f.qps_limit > 0 {
            let ms = now.timestamp_millis();
            let second = ms.div_euclid(1_000);
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            if windows.len() > 10_000 {
                windows.retain(|_, (s, _)| *s == second);
            }
            let entry = windows.entry(access_key_id.to_string()).or_insert((second, 0));
            if entry.0 != second {
                *entry = (second, 0);
            }
            if entry.1 >= f.qps_limit {
                let time_left_ms = (1_000 - ms.rem_euclid(1_000)) as u64;
                return Injected::Throttle { limit: f.qps_limit, time_left_ms };
            }
            entry.1 += 1;
        }
        if u_throttle < f.throttle_rate {
            let limit = if f.qps_limit > 0 { f.qps_limit } else { 100 };
            return Injected::Throttle { limit, time_left_ms: f.throttle_time_left_ms };
        }
        if u_error < f.server_error_rate {
            return Injected::ServerError(if u_kind < 0.5 { 500 } else { 503 });
        }
        if u_malformed < f.malformed_rate {
            return Injected::Malformed;
        }
        Injected::None
    }
}

/// The rate-limit headers of a throttled answer: the format the official SDKs have read
/// (`x-ratelimit-user-api`, `x-ratelimit-user`: `Limit:N,Remain:0,TimeLeft:ms,Reset:epoch-ms`,
/// reference §4.1) and the `x-acs-retry-after` (ms) that current SDK cores read.
pub fn throttle_headers(limit: u32, time_left_ms: u64, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
    let reset = now.timestamp_millis() + time_left_ms as i64;
    let value = format!("Limit:{limit},Remain:0,TimeLeft:{time_left_ms},Reset:{reset}");
    vec![
        ("x-ratelimit-user-api", value.clone()),
        ("x-ratelimit-user", value),
        ("x-acs-retry-after", time_left_ms.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn no_faults_by_default() {
        let s = FaultState::new(Faults::default());
        for i in 0..1_000 {
            assert_eq!(s.decide("k", at(i)), Injected::None);
        }
        assert_eq!(s.latency_ms(), 0);
    }

    #[test]
    fn rates_are_seeded_and_roughly_honoured() {
        let f = Faults { throttle_rate: 0.2, server_error_rate: 0.1, malformed_rate: 0.1, ..Faults::default() };
        let run = |seed| {
            let s = FaultState::new(Faults { seed, ..f.clone() });
            (0..2_000).map(|i| s.decide("k", at(i))).collect::<Vec<_>>()
        };
        let a = run(1);
        assert_eq!(a, run(1), "same seed, same faults");
        assert_ne!(a, run(2));
        let count = |pred: fn(&Injected) -> bool| a.iter().filter(|i| pred(i)).count();
        let throttled = count(|i| matches!(i, Injected::Throttle { .. }));
        let errors = count(|i| matches!(i, Injected::ServerError(_)));
        let malformed = count(|i| matches!(i, Injected::Malformed));
        assert!((300..500).contains(&throttled), "{throttled}");
        assert!((100..220).contains(&errors), "{errors}");
        assert!((80..200).contains(&malformed), "{malformed}");
        assert!(a.contains(&Injected::ServerError(500)) && a.contains(&Injected::ServerError(503)));
    }

    #[test]
    fn rate_one_always_and_timeouts_first() {
        let s = FaultState::new(Faults { timeout_rate: 1.0, throttle_rate: 1.0, ..Faults::default() });
        assert_eq!(s.decide("k", at(0)), Injected::Timeout);
        let s = FaultState::new(Faults { throttle_rate: 1.0, throttle_time_left_ms: 2_000, ..Faults::default() });
        assert_eq!(s.decide("k", at(0)), Injected::Throttle { limit: 100, time_left_ms: 2_000 });
    }

    #[test]
    fn the_qps_limit_counts_per_key_and_second() {
        let s = FaultState::new(Faults { qps_limit: 2, ..Faults::default() });
        assert_eq!(s.decide("a", at(100)), Injected::None);
        assert_eq!(s.decide("a", at(200)), Injected::None);
        assert_eq!(s.decide("a", at(750)), Injected::Throttle { limit: 2, time_left_ms: 250 });
        assert_eq!(s.decide("b", at(800)), Injected::None, "another key has its own window");
        assert_eq!(s.decide("a", at(1_000)), Injected::None, "a new second");
    }

    #[test]
    fn latency_jitter_stays_in_range() {
        let s = FaultState::new(Faults { latency_ms: 100, latency_jitter_ms: 50, ..Faults::default() });
        let all: Vec<u64> = (0..200).map(|_| s.latency_ms()).collect();
        assert!(all.iter().all(|ms| (100..=150).contains(ms)));
        assert!(all.iter().any(|ms| *ms != all[0]));
    }

    #[test]
    fn throttle_headers_have_the_sdk_format() {
        let h = throttle_headers(5, 1_500, at(0));
        assert_eq!(h[0].0, "x-ratelimit-user-api");
        assert!(h[0].1.starts_with("Limit:5,Remain:0,TimeLeft:1500,Reset:"));
        assert_eq!(h[2], ("x-acs-retry-after", "1500".to_string()));
    }
}
