//! wit-smith packages: print fixed point, WIT -> wasm -> WIT, diff X X empty.
#![no_main]

#[path = "../../tests/support/properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    properties::smith_wit(data, dir.path(), "fuzz");
});
