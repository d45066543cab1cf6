//! The LSN parser (`X/Y`, hex) on arbitrary text: never panics, and whatever parses prints back
//! to a form that parses to the same position, with byte distances that are plain subtraction.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migration_model::Lsn;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('|').unwrap_or((&text, "0/0"));
    let Ok(x) = a.parse::<Lsn>() else { return };
    assert_eq!(x.to_string().parse::<Lsn>(), Ok(x));
    assert_eq!(x.to_string().to_ascii_lowercase().parse::<Lsn>(), Ok(x));
    if let Ok(y) = b.parse::<Lsn>() {
        let d = x.bytes_since(y);
        assert_eq!(d, i128::from(x.as_u64()) - i128::from(y.as_u64()));
        assert_eq!(y.bytes_since(x), -d);
        assert_eq!(x.cmp(&y), x.as_u64().cmp(&y.as_u64()));
    }
});
