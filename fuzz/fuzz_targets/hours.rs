//! opening hours parse and print back identically; status never panics.
#![no_main]
use guichet_core::policy::hours::OpeningHours;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, i64)| {
    let (text, secs) = input;
    if let Ok(hours) = text.parse::<OpeningHours>() {
        assert_eq!(hours.to_string().parse::<OpeningHours>(), Ok(hours));
        if let Some(now) = chrono::DateTime::from_timestamp(secs % 4_000_000_000, 0) {
            let _ = hours.status(now);
        }
    }
});
