//! wasm-smith modules: validate, round-trip through WAT, inspect.
#![no_main]

#[path = "../../tests/support/properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    properties::smith_module(data);
});
