//! Property tests on generated inputs (wasm-smith modules, wit-smith packages, random bytes),
//! seeded and bounded so they are deterministic and fast enough for every `cargo test`. The
//! properties themselves live in `tests/support/properties.rs`, shared with `fuzz/`.

#[path = "support/properties.rs"]
mod properties;

/// Deterministic bytes for case `seed` (xorshift64*).
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

const MODULES: u64 = 150;
const PACKAGES: u64 = 60;
const RANDOM: u64 = 300;

#[test]
fn generated_modules_validate_round_trip_and_inspect() {
    let checked = (0..MODULES)
        .filter(|seed| properties::smith_module(&bytes(*seed, 8 << 10)))
        .count();
    println!("generated modules: {checked} of {MODULES} seeds produced modules, all checked");
    assert!(
        checked as u64 > MODULES / 2,
        "too few modules generated ({checked})"
    );
}

#[test]
fn generated_wit_round_trips_and_diffs_to_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let checked = (0..PACKAGES)
        .filter(|seed| {
            properties::smith_wit(
                &bytes(1_000 + seed, 16 << 10),
                dir.path(),
                &format!("pkg{seed}"),
            )
        })
        .count();
    println!("generated WIT packages: {checked} of {PACKAGES} seeds, all checked");
    assert!(
        checked as u64 > PACKAGES / 3,
        "too few packages generated ({checked})"
    );
}

#[test]
fn random_bytes_with_a_wasm_header_never_panic() {
    let mut valid = 0;
    for seed in 0..RANDOM {
        let mut data = b"\0asm".to_vec();
        data.extend_from_slice(if seed % 2 == 0 {
            &[1, 0, 0, 0]
        } else {
            &[0x0d, 0, 1, 0]
        });
        data.extend(bytes(5_000 + seed, (seed as usize % 64) + 1));
        valid += usize::from(properties::arbitrary_bytes(&data));
    }
    println!("random bytes: {RANDOM} cases ({valid} happened to be valid)");
}
