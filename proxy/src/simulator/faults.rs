//! Fault injection for tests and demos: throttling (a random rate and/or a per-AccessKey QPS
//! limit), 5xx answers, added latency, requests that hang until the client gives up, malformed
//! bodies, a server clock skew and an unavailable STS / ECS-metadata stand-in. Every random
//! choice comes from a seeded generator, so a given sequence of requests meets the same faults
//! on every run.
//!
//! Faults apply to RDS calls on `/` after the signature has been checked (as a gateway throttles
//! an authenticated caller); added latency applies to every call on `/` (RDS and STS). The STS
//! and ECS-metadata stand-ins are otherwise left alone, so credential tests stay predictable,
//! unless `sts_unavailable` is on: then every STS action on `/` and every metadata route under
//! `/latest/` answers `503 ServiceUnavailable` (RDS calls are unaffected).
//!
//! The faults are set at start-up from the `--fault-*` flags ([`super::cli::FaultArgs`]) and can
//! be replaced while running ([`FaultState::set`]; over HTTP with `simulate --control`, see
//! `control.rs`). They (de)serialize as JSON with these field names; [`Faults::validate`]
//! checks the ranges.
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// What faults to inject (built from [`super::cli::FaultArgs`]; all off by default). As JSON,
/// omitted fields take their defaults and unknown ones are refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// The STS stand-in (every STS action on `/`) and the ECS metadata routes (`/latest/...`)
    /// answer `503 ServiceUnavailable`; RDS calls are unaffected.
    pub sts_unavailable: bool,
    /// Seed of the fault generator.
    pub seed: u64,
}

/// Largest `latency_ms` and `latency_jitter_ms` [`Faults::validate`] accepts (10 minutes).
pub const MAX_LATENCY_MS: u64 = 600_000;
/// Largest clock skew, either way, [`Faults::validate`] accepts (a year).
pub const MAX_CLOCK_SKEW_SECS: i64 = 86_400 * 365;

impl Faults {
    /// Checks the ranges: every rate within 0–1, `timeout_ms` at least 1, the latencies at most
    /// [`MAX_LATENCY_MS`], the skew within ±[`MAX_CLOCK_SKEW_SECS`]. The message names the field
    /// and the allowed range.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("throttle_rate", self.throttle_rate),
            ("server_error_rate", self.server_error_rate),
            ("timeout_rate", self.timeout_rate),
            ("malformed_rate", self.malformed_rate),
        ];
        for (name, rate) in rates {
            if !(rate.is_finite() && (0.0..=1.0).contains(&rate)) {
                return Err(format!("{name} must be a number from 0 to 1, not {rate}"));
            }
        }
        if self.timeout_ms < 1 {
            return Err("timeout_ms must be at least 1 (ms), not 0".to_string());
        }
        // Bounded so that no sum of times (Reset = now + TimeLeft, hang deadlines) can overflow.
        for (name, ms) in [
            ("latency_ms", self.latency_ms),
            ("latency_jitter_ms", self.latency_jitter_ms),
            ("timeout_ms", self.timeout_ms),
            ("throttle_time_left_ms", self.throttle_time_left_ms),
        ] {
            if ms > MAX_LATENCY_MS {
                return Err(format!("{name} must be from 0 to {MAX_LATENCY_MS} (ms), not {ms}"));
            }
        }
        if !(-MAX_CLOCK_SKEW_SECS..=MAX_CLOCK_SKEW_SECS).contains(&self.clock_skew_secs) {
            return Err(format!(
                "clock_skew_secs must be from -{MAX_CLOCK_SKEW_SECS} to {MAX_CLOCK_SKEW_SECS} (s), not {}",
                self.clock_skew_secs
            ));
        }
        Ok(())
    }
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
            sts_unavailable: false,
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

/// The current faults, the seeded generator and the QPS windows.
pub struct FaultState {
    faults: RwLock<Faults>,
    rng: Mutex<Rng>,
    /// Per AccessKey: (second, calls in it).
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

fn rng_for(seed: u64) -> Rng {
    Rng::new(seed ^ 0xFA17_5EED)
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        let rng = Mutex::new(rng_for(faults.seed));
        FaultState { faults: RwLock::new(faults), rng, windows: Mutex::new(HashMap::new()) }
    }

    /// The current faults (a copy: they may change at any time).
    pub fn faults(&self) -> Faults {
        self.faults.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the faults: the generator starts again from the new seed and the QPS windows are
    /// emptied, so what follows is as if the simulator had started with them.
    pub fn set(&self, faults: Faults) {
        let mut current = self.faults.write().unwrap_or_else(|p| p.into_inner());
        *self.rng.lock().unwrap_or_else(|p| p.into_inner()) = rng_for(faults.seed);
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *current = faults;
    }

    /// The added latency for one call, in ms (draws the jitter).
    pub fn latency_ms(&self) -> u64 {
        let f = self.faults();
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
        let f = self.faults();
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
        let f =
            Faults { throttle_rate: 0.2, server_error_rate: 0.1, malformed_rate: 0.1, ..Faults::default() };
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
        let s =
            FaultState::new(Faults { throttle_rate: 1.0, throttle_time_left_ms: 2_000, ..Faults::default() });
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

    #[test]
    fn faults_round_trip_through_json_with_their_field_names() {
        let f = Faults {
            throttle_rate: 0.25,
            qps_limit: 3,
            server_error_rate: 0.5,
            latency_ms: 20,
            clock_skew_secs: -1_200,
            sts_unavailable: true,
            seed: 9,
            ..Faults::default()
        };
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["throttle_rate"], 0.25);
        assert_eq!(json["clock_skew_secs"], -1_200);
        assert_eq!(json["sts_unavailable"], true);
        assert_eq!(json.as_object().unwrap().len(), 12, "every field, no more: {json}");
        assert_eq!(serde_json::from_value::<Faults>(json).unwrap(), f);
    }

    #[test]
    fn omitted_fields_take_their_defaults_and_unknown_ones_are_refused() {
        assert_eq!(serde_json::from_str::<Faults>("{}").unwrap(), Faults::default());
        let f: Faults = serde_json::from_str(r#"{"throttle_rate":1}"#).unwrap();
        assert_eq!(f, Faults { throttle_rate: 1.0, ..Faults::default() });
        let e = serde_json::from_str::<Faults>(r#"{"throtle_rate":1}"#).unwrap_err().to_string();
        assert!(e.contains("unknown field `throtle_rate`"), "{e}");
        let e = serde_json::from_str::<Faults>(r#"{"qps_limit":"many"}"#).unwrap_err().to_string();
        assert!(e.contains("invalid type"), "{e}");
    }

    #[test]
    fn validate_names_the_field_and_its_range() {
        assert_eq!(Faults::default().validate(), Ok(()));
        let edges = Faults {
            throttle_rate: 1.0,
            timeout_ms: 1,
            latency_ms: MAX_LATENCY_MS,
            latency_jitter_ms: MAX_LATENCY_MS,
            clock_skew_secs: -MAX_CLOCK_SKEW_SECS,
            ..Faults::default()
        };
        assert_eq!(edges.validate(), Ok(()));
        let cases = [
            (
                Faults { malformed_rate: 2.0, ..Faults::default() },
                "malformed_rate must be a number from 0 to 1, not 2",
            ),
            (
                Faults { throttle_rate: -0.1, ..Faults::default() },
                "throttle_rate must be a number from 0 to 1",
            ),
            (
                Faults { server_error_rate: f64::NAN, ..Faults::default() },
                "server_error_rate must be a number from 0 to 1",
            ),
            (
                Faults { timeout_rate: f64::INFINITY, ..Faults::default() },
                "timeout_rate must be a number from 0 to 1",
            ),
            (Faults { timeout_ms: 0, ..Faults::default() }, "timeout_ms must be at least 1"),
            (
                Faults { latency_ms: 600_001, ..Faults::default() },
                "latency_ms must be from 0 to 600000 (ms), not 600001",
            ),
            (
                Faults { latency_jitter_ms: u64::MAX, ..Faults::default() },
                "latency_jitter_ms must be from 0 to 600000",
            ),
            (Faults { timeout_ms: u64::MAX, ..Faults::default() }, "timeout_ms must be from 0 to 600000"),
            (
                Faults { throttle_time_left_ms: u64::MAX, ..Faults::default() },
                "throttle_time_left_ms must be from 0 to 600000",
            ),
            (
                Faults { clock_skew_secs: 86_400 * 365 + 1, ..Faults::default() },
                "clock_skew_secs must be from -31536000 to 31536000",
            ),
            (
                Faults { clock_skew_secs: i64::MIN, ..Faults::default() },
                "clock_skew_secs must be from -31536000 to 31536000",
            ),
        ];
        for (f, want) in cases {
            let e = f.validate().unwrap_err();
            assert!(e.starts_with(want), "{e:?} should start with {want:?}");
        }
    }

    #[test]
    fn set_replaces_the_faults_reseeds_and_clears_the_qps_windows() {
        let s = FaultState::new(Faults { qps_limit: 1, ..Faults::default() });
        assert_eq!(s.decide("k", at(0)), Injected::None);
        assert!(matches!(s.decide("k", at(1)), Injected::Throttle { .. }));

        s.set(Faults { throttle_rate: 1.0, throttle_time_left_ms: 70, ..Faults::default() });
        assert_eq!(s.faults().throttle_rate, 1.0);
        assert_eq!(s.decide("k", at(2)), Injected::Throttle { limit: 100, time_left_ms: 70 });

        s.set(Faults { qps_limit: 1, ..Faults::default() });
        assert_eq!(s.decide("k", at(3)), Injected::None, "the window of the same second was emptied");

        s.set(Faults::default());
        assert_eq!(s.faults(), Faults::default());
        assert!((0..100).all(|i| s.decide("k", at(i)) == Injected::None));

        // The same seed after `set` gives the same sequence as a fresh start with it.
        let f = Faults { server_error_rate: 0.5, seed: 4, ..Faults::default() };
        let fresh = FaultState::new(f.clone());
        s.set(f);
        let a: Vec<_> = (0..50).map(|i| s.decide("k", at(i))).collect();
        let b: Vec<_> = (0..50).map(|i| fresh.decide("k", at(i))).collect();
        assert_eq!(a, b);
        assert!(a.contains(&Injected::None) && a.iter().any(|i| matches!(i, Injected::ServerError(_))));
    }
}
