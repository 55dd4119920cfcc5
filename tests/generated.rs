//! Property tests on generated inputs (wasm-smith modules, wit-smith packages), seeded and
//! bounded so they are deterministic and fast enough for every `cargo test`.

use arbitrary::Unstructured;
use wasmparser::WasmFeatures;

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

#[test]
fn generated_modules_validate_round_trip_and_inspect() {
    let mut checked = 0;
    for seed in 0..MODULES {
        let data = bytes(seed, 8 << 10);
        let mut u = Unstructured::new(&data);
        let Ok(module) = u.arbitrary::<wasm_smith::Module>() else {
            continue;
        };
        let wasm = module.to_bytes();
        wct_component::validate(&wasm, WasmFeatures::all())
            .unwrap_or_else(|e| panic!("seed {seed}: wasm-smith module rejected: {e}"));
        let text = wct_component::text::print(&wasm, false)
            .unwrap_or_else(|e| panic!("seed {seed}: print: {e:#}"));
        let again =
            wct_component::text::parse(text.as_bytes(), std::path::Path::new("generated.wat"))
                .unwrap_or_else(|e| panic!("seed {seed}: parse of printed text: {}", e.message));
        wct_component::validate(&again, WasmFeatures::all())
            .unwrap_or_else(|e| panic!("seed {seed}: round trip invalid: {e}"));
        let inspection = wct_component::inspect::inspect(&wasm)
            .unwrap_or_else(|e| panic!("seed {seed}: inspect: {e:#}"));
        serde_json::to_string(&inspection).unwrap();
        checked += 1;
    }
    println!("generated modules: {checked} of {MODULES} seeds produced modules, all checked");
    assert!(
        checked > MODULES / 2,
        "too few modules generated ({checked})"
    );
}

#[test]
fn generated_wit_round_trips_and_diffs_to_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for seed in 0..PACKAGES {
        let data = bytes(1_000 + seed, 16 << 10);
        let mut u = Unstructured::new(&data);
        let Ok(config) = u.arbitrary::<wit_smith::Config>() else {
            continue;
        };
        let Ok(wasm) = wit_smith::smith(&config, &mut u) else {
            continue;
        };
        let path = dir.path().join(format!("pkg{seed}.wasm"));
        std::fs::write(&path, &wasm).unwrap();
        let opts = wct_wit::LoadOptions {
            features: Vec::new(),
            all_features: true,
        };
        let set = wct_wit::load(path.to_str().unwrap(), &opts)
            .unwrap_or_else(|e| panic!("seed {seed}: load: {e}"));
        // WIT text -> resolve -> text is a fixed point.
        let text = set.print(set.package, true).unwrap();
        let text_path = dir.path().join(format!("pkg{seed}.wit"));
        std::fs::write(&text_path, &text).unwrap();
        let reread = wct_wit::load(text_path.to_str().unwrap(), &opts)
            .unwrap_or_else(|e| panic!("seed {seed}: reload: {e}\n{text}"));
        assert_eq!(
            reread.print(reread.package, true).unwrap(),
            text,
            "seed {seed}: print is not stable"
        );
        // Text -> wasm -> text keeps the main package.
        let encoded = reread.encode(reread.package).unwrap();
        let wasm_path = dir.path().join(format!("pkg{seed}-again.wasm"));
        std::fs::write(&wasm_path, encoded).unwrap();
        let decoded = wct_wit::load(wasm_path.to_str().unwrap(), &opts).unwrap();
        assert_eq!(
            decoded.print(decoded.package, false).unwrap(),
            reread.print(reread.package, false).unwrap(),
            "seed {seed}"
        );
        // A package compared with itself (as text and as wasm) has no findings.
        let report = wct_diff::diff(&set, &reread, wct_diff::DiffOptions::default());
        assert!(
            report.findings.is_empty(),
            "seed {seed}: diff X X found {:#?}",
            report.findings
        );
        assert!(wct_diff::versioning::check(&report).ok, "seed {seed}");
        checked += 1;
    }
    println!("generated WIT packages: {checked} of {PACKAGES} seeds, all checked");
    assert!(
        checked > PACKAGES / 3,
        "too few packages generated ({checked})"
    );
}
