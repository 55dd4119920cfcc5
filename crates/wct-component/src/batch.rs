//! Validation of many files at once, as `wct validate` does it: every input is read,
//! detected (binary or WAT), and validated; files are processed in parallel and the reports
//! come back in input order.

use crate::kind::{self, WasmKind};
use crate::validate::{validate, FunctionRef};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;
use wasmparser::WasmFeatures;

/// The verdict for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The file is a valid module or component.
    Valid,
    /// The file was read and is not valid (or not wasm at all).
    Invalid,
    /// The file could not be read.
    Unreadable,
}

/// What `wct validate` reports for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given (`<stdin>` for `-`).
    pub path: String,
    /// The verdict.
    pub status: Status,
    /// `core-module` or `component`, when the input could be decoded that far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<WasmKind>,
    /// True when the input was WAT text.
    pub text: bool,
    /// The error message, for invalid and unreadable files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Byte offset of the error in the binary (after assembling WAT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The function whose body is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionRef>,
    /// For WIT (a `.wit` file, or a folder holding a package): the package it defines, when
    /// it resolves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit_package: Option<String>,
}

impl FileReport {
    fn new(path: &std::path::Path) -> FileReport {
        FileReport {
            path: wct_io::display_name(path),
            status: Status::Valid,
            kind: None,
            text: false,
            error: None,
            offset: None,
            function: None,
            wit_package: None,
        }
    }
}

/// Whether `path` is WIT to validate as a package: a `.wit` file, or a folder with `.wit`
/// files at its top (a package folder, its `deps/` included).
pub fn is_wit(path: &std::path::Path) -> bool {
    if path.is_dir() {
        return std::fs::read_dir(path).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "wit") && e.path().is_file())
        });
    }
    path.extension().is_some_and(|x| x == "wit")
}

/// Validates WIT at `path` (see [`is_wit`]): it must parse and resolve, with its `deps/`.
pub fn validate_wit(path: &std::path::Path) -> FileReport {
    let mut report = FileReport::new(path);
    match wct_wit::load(&path.to_string_lossy(), &wct_wit::LoadOptions::default()) {
        Ok(set) => {
            report.wit_package = Some(set.resolve.packages[set.package].name.to_string());
        }
        Err(e) => {
            report.status = if e.is_unreadable() {
                Status::Unreadable
            } else {
                Status::Invalid
            };
            report.error = Some(format!("{e:#}"));
        }
    }
    report
}

/// Validates each path (files or `-`) with `features`, in parallel; reports keep input order.
pub fn validate_files(paths: &[PathBuf], features: WasmFeatures) -> Vec<FileReport> {
    paths
        .par_iter()
        .map(|path| validate_file(path, features))
        .collect()
}

fn validate_file(path: &std::path::Path, features: WasmFeatures) -> FileReport {
    if path != std::path::Path::new(wct_io::STDIO) && is_wit(path) {
        return validate_wit(path);
    }
    let mut report = FileReport::new(path);
    let input = match wct_io::read_input(path) {
        Ok(input) => input,
        Err(e) => {
            report.status = Status::Unreadable;
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.text = kind::detect(&input.bytes) == WasmKind::Text;
    let wasm = match kind::into_binary(input.bytes, path) {
        Ok(wasm) => wasm,
        Err(e) => {
            report.status = Status::Invalid;
            report.error = Some(wct_io::error_text(&e));
            return report;
        }
    };
    report.kind = match kind::detect(&wasm) {
        k @ (WasmKind::CoreModule | WasmKind::Component) => Some(k),
        _ => None,
    };
    if let Err(e) = validate(&wasm, features) {
        report.status = Status::Invalid;
        report.error = Some(e.to_string());
        report.offset = Some(e.offset);
        report.function = e.function;
    }
    report
}
