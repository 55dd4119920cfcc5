//! Any bytes through validate, inspect, print and parse: no panic; valid input round-trips.
#![no_main]

#[path = "../../tests/support/properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    properties::arbitrary_bytes(data);
});
