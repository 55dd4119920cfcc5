//! `cargo xtask bench validate|wit|inspect|print|size|strip|metadata` (`pipeline`: strip and
//! metadata) on large real components (an 18 MB
//! componentize-py command and the 37 MB composition of two Python components; see
//! `large_inputs`): wct against wasm-tools, time and peak memory, paired runs. `size` is
//! compared with `wasm-tools print --skeleton` (what every user already has for a look at a
//! component's structure) and its peak memory is also given as a share of the input size
//! (goal: at most 1.2x).

use crate::large_inputs;
use crate::measure::{paired_medians, report};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Paired runs per comparison; the median of each is reported.
const ROUNDS: usize = 7;

/// One large-input comparison: what to run with wct and with wasm-tools.
struct Comparison {
    label: &'static str,
    wct_args: &'static [&'static str],
    peer_args: &'static [&'static str],
    /// Whether both write a file (`-o` into a scratch folder, so both pay for the write).
    writes: bool,
}

/// The large inputs, built on first use: (label, path).
fn inputs(wct: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for path in [
        large_inputs::python_app(wct)?,
        large_inputs::python_composed(wct)?,
    ] {
        let size = std::fs::metadata(&path)?.len() as f64 / 1e6;
        out.push((format!("{size:.0} MB"), path));
    }
    Ok(out)
}

/// What `bench NAME` compares for one of the large-input benchmarks.
fn comparison(name: &str) -> Option<Comparison> {
    Some(match name {
        "validate" => Comparison {
            label: "validate",
            wct_args: &["validate"],
            peer_args: &["validate"],
            writes: false,
        },
        "wit" => Comparison {
            label: "wit print vs component wit",
            wct_args: &["wit", "print"],
            peer_args: &["component", "wit"],
            writes: false,
        },
        "inspect" => Comparison {
            label: "inspect vs component wit",
            wct_args: &["inspect"],
            peer_args: &["component", "wit"],
            writes: false,
        },
        "print" => Comparison {
            label: "print",
            wct_args: &["print"],
            peer_args: &["print"],
            writes: false,
        },
        "size" => Comparison {
            label: "size vs print --skeleton",
            wct_args: &["size"],
            peer_args: &["print", "--skeleton"],
            writes: false,
        },
        "strip" => Comparison {
            label: "strip --all",
            wct_args: &["strip", "--all", "-q"],
            peer_args: &["strip", "--all"],
            writes: true,
        },
        "metadata" => Comparison {
            label: "metadata show",
            wct_args: &["metadata", "show"],
            peer_args: &["metadata", "show"],
            writes: false,
        },
        _ => return None,
    })
}

/// Runs the large-input comparison `name` (validate, wit, inspect, print or size).
pub fn run(name: &str, wct: &Path, wasm_tools: &Path) -> Result<()> {
    let comparison = comparison(name).expect("a known large-input benchmark");
    let scratch = tempfile::tempdir()?;
    for (size, input) in inputs(wct)? {
        let samples = paired_medians(ROUNDS, 2, &|i| {
            let (bin, args) = if i == 0 {
                (wct, comparison.wct_args)
            } else {
                (wasm_tools, comparison.peer_args)
            };
            let mut cmd = Command::new(bin);
            cmd.args(args).arg(&input);
            if comparison.writes {
                cmd.arg("-o")
                    .arg(scratch.path().join(format!("out-{i}.wasm")));
            }
            cmd
        })?;
        report(
            &format!("{} {size}", comparison.label),
            "wasm-tools",
            samples[0],
            samples[1],
        );
        if name == "size" {
            let input = std::fs::metadata(&input)?.len();
            println!(
                "{:<52} wct peak memory / input size {:.2} (goal <= 1.20)",
                format!("size {size}"),
                samples[0].peak as f64 / input as f64
            );
        }
    }
    Ok(())
}
