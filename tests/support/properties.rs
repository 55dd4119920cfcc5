//! Properties checked on generated input, shared by the seeded tests (`tests/generated.rs`)
//! and the cargo-fuzz targets (`fuzz/`), so both check exactly the same things.

#![allow(dead_code)] // each fuzz target uses one of these
use arbitrary::Unstructured;
use wasmparser::WasmFeatures;

/// Any bytes: validation, inspection and printing must not panic; what validates must print
/// to WAT that assembles back to a valid binary. Returns whether the input was valid.
pub fn arbitrary_bytes(data: &[u8]) -> bool {
    let _ = wct_component::inspect::inspect(data);
    if wct_component::validate(data, WasmFeatures::all()).is_err() {
        let _ = wct_component::text::print(data, true);
        return false;
    }
    let text = wct_component::text::print(data, false).expect("a valid binary prints");
    let again = wct_component::text::parse(text.as_bytes(), std::path::Path::new("generated.wat"))
        .unwrap_or_else(|e| panic!("printed WAT does not parse: {}", wct_io::error_text(&e)));
    wct_component::validate(&again, WasmFeatures::all()).expect("round trip stays valid");
    true
}

/// A wasm-smith module built from `data`: it must validate, round-trip through WAT and
/// inspect. Returns false when `data` was too short to build a module.
pub fn smith_module(data: &[u8]) -> bool {
    let mut u = Unstructured::new(data);
    let Ok(module) = u.arbitrary::<wasm_smith::Module>() else {
        return false;
    };
    let wasm = module.to_bytes();
    wct_component::validate(&wasm, WasmFeatures::all())
        .unwrap_or_else(|e| panic!("wasm-smith module rejected: {e}"));
    assert!(arbitrary_bytes(&wasm));
    let inspection = wct_component::inspect::inspect(&wasm).expect("valid modules inspect");
    serde_json::to_string(&inspection).expect("inspection serializes");
    true
}

/// A wit-smith package built from `data` (written under `dir`): the printed WIT is a fixed
/// point, formatting it keeps its meaning and is idempotent, WIT -> wasm -> WIT keeps the main
/// package, and diffing the package with itself finds nothing. Returns false when `data` did not make a package.
pub fn smith_wit(data: &[u8], dir: &std::path::Path, name: &str) -> bool {
    let mut u = Unstructured::new(data);
    let Ok(config) = u.arbitrary::<wit_smith::Config>() else {
        return false;
    };
    let Ok(wasm) = wit_smith::smith(&config, &mut u) else {
        return false;
    };
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, &wasm).unwrap();
    let opts = wct_wit::LoadOptions {
        features: Vec::new(),
        all_features: true,
    };
    let set = wct_wit::load(path.to_str().unwrap(), &opts).unwrap_or_else(|e| panic!("load: {e}"));
    let text = set.print(set.package, true).unwrap();
    let text_path = dir.join(format!("{name}.wit"));
    std::fs::write(&text_path, &text).unwrap();
    let reread = wct_wit::load(text_path.to_str().unwrap(), &opts)
        .unwrap_or_else(|e| panic!("reload: {e}\n{text}"));
    assert_eq!(
        reread.print(reread.package, true).unwrap(),
        text,
        "print is not stable"
    );
    // The formatter keeps the meaning of generated WIT and is idempotent on it.
    let style = wct_wit::fmt::Style::default();
    let formatted = wct_wit::fmt::format_source(&format!("{name}.wit"), &text, &style)
        .unwrap_or_else(|e| panic!("fmt: {e}\n{text}"));
    assert_eq!(
        wct_wit::fmt::format_source(&format!("{name}.wit"), &formatted, &style).unwrap(),
        formatted,
        "fmt is not idempotent"
    );
    let formatted_path = dir.join(format!("{name}-fmt.wit"));
    std::fs::write(&formatted_path, &formatted).unwrap();
    let reformatted = wct_wit::load(formatted_path.to_str().unwrap(), &opts)
        .unwrap_or_else(|e| panic!("formatted WIT does not load: {e}\n{formatted}"));
    assert_eq!(
        reformatted.print(reformatted.package, true).unwrap(),
        text,
        "fmt changed the meaning"
    );
    let encoded = reread.encode(reread.package).unwrap();
    let wasm_path = dir.join(format!("{name}-again.wasm"));
    std::fs::write(&wasm_path, encoded).unwrap();
    let decoded = wct_wit::load(wasm_path.to_str().unwrap(), &opts).unwrap();
    assert_eq!(
        decoded.print(decoded.package, false).unwrap(),
        reread.print(reread.package, false).unwrap()
    );
    let report = wct_diff::diff(&set, &reread, wct_diff::DiffOptions::default());
    assert!(
        report.findings.is_empty(),
        "diff X X found {:#?}",
        report.findings
    );
    assert!(wct_diff::versioning::check(&report).ok);
    true
}
