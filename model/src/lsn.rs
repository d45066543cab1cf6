//! PostgreSQL log sequence numbers: `X/Y` = `(X << 32) | Y`, a byte position in the WAL.

use crate::error::ParseError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A WAL position. Ordered by position; `0/0` is PostgreSQL's "invalid" LSN, which the service
/// also uses as a placeholder, so callers treat it as "not reported" ([`Lsn::is_zero`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub u64);

impl Lsn {
    pub const ZERO: Lsn = Lsn(0);

    pub fn new(value: u64) -> Self {
        Lsn(value)
    }

    pub fn as_u64(self) -> u64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Signed distance in bytes, `self − earlier` (PostgreSQL's `pg_wal_lsn_diff(self, earlier)`).
    /// i128 so every pair of 64-bit positions fits.
    pub fn bytes_since(self, earlier: Lsn) -> i128 {
        i128::from(self.0) - i128::from(earlier.0)
    }

    /// `X/Y` with upper-case hex and no padding, as PostgreSQL prints it.
    pub fn to_pg_string(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl FromStr for Lsn {
    type Err = ParseError;

    /// Two groups of 1 to 8 hex digits around a `/`; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if crate::de::is_null_text(t) {
            return Err(ParseError::Empty);
        }
        let bad = || ParseError::Invalid(format!("not an LSN (X/Y in hex): {t:?}"));
        let (hi, lo) = t.split_once('/').ok_or_else(bad)?;
        let part = |p: &str| -> Result<u64, ParseError> {
            if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            u64::from_str_radix(p, 16).map_err(|_| bad())
        };
        Ok(Lsn((part(hi)? << 32) | part(lo)?))
    }
}

impl Serialize for Lsn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Lsn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_cases() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0/3000148", Some(0x3000148)),
            ("0/0", Some(0)),
            ("16/B374D848", Some((0x16 << 32) | 0xB374D848)),
            ("16/b374d848", Some((0x16 << 32) | 0xB374D848)),
            (" 1/0 ", Some(1 << 32)),
            ("FFFFFFFF/FFFFFFFF", Some(u64::MAX)),
            ("00000000/00000001", Some(1)),
            ("1FFFFFFFF/0", None),
            ("0/123456789", None),
            ("0/", None),
            ("/0", None),
            ("0", None),
            ("0/3000148/1", None),
            ("-1/0", None),
            ("+1/0", None),
            ("g/0", None),
            ("", None),
            ("null", None),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<Lsn>().ok().map(Lsn::as_u64), *want, "{s:?}");
        }
        assert_eq!("null".parse::<Lsn>(), Err(ParseError::Empty));
    }

    #[test]
    fn display_and_distance_from_the_seed() {
        let start: Lsn = "0/3000000".parse().unwrap();
        let received: Lsn = "0/3000148".parse().unwrap();
        assert_eq!(received.bytes_since(start), 328);
        assert_eq!(start.bytes_since(received), -328);
        assert_eq!(received.to_string(), "0/3000148");
        assert_eq!(Lsn((0x16 << 32) | 0xB374D848).to_string(), "16/B374D848");
        assert_eq!(Lsn(u64::MAX).bytes_since(Lsn(0)), i128::from(u64::MAX));
        assert!(start < received && Lsn::ZERO.is_zero());
        assert_eq!(serde_json::to_string(&received).unwrap(), "\"0/3000148\"");
        assert_eq!(serde_json::from_str::<Lsn>("\"0/3000148\"").unwrap(), received);
    }

    proptest! {
        #[test]
        fn round_trip(v in any::<u64>()) {
            let lsn = Lsn(v);
            let text = lsn.to_string();
            prop_assert_eq!(text.parse::<Lsn>(), Ok(lsn));
            prop_assert_eq!(text.to_ascii_lowercase().parse::<Lsn>(), Ok(lsn));
        }

        #[test]
        fn order_matches_position(a in any::<u64>(), b in any::<u64>()) {
            prop_assert_eq!(Lsn(a).cmp(&Lsn(b)), a.cmp(&b));
            let d = Lsn(a).bytes_since(Lsn(b));
            prop_assert_eq!(d, i128::from(a) - i128::from(b));
            prop_assert_eq!(d.signum(), match a.cmp(&b) { std::cmp::Ordering::Less => -1, std::cmp::Ordering::Equal => 0, std::cmp::Ordering::Greater => 1 });
            prop_assert_eq!(Lsn(b).bytes_since(Lsn(a)), -d);
        }

        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = s.parse::<Lsn>();
        }

        #[test]
        fn textual_order_agrees(hi1 in 0u32.., lo1 in 0u32.., hi2 in 0u32.., lo2 in 0u32..) {
            let a: Lsn = format!("{hi1:x}/{lo1:x}").parse().unwrap();
            let b: Lsn = format!("{hi2:X}/{lo2:X}").parse().unwrap();
            prop_assert_eq!(a.cmp(&b), (hi1, lo1).cmp(&(hi2, lo2)));
        }
    }
}
