//! Removing custom sections from a module or component, nested modules and components
//! included: debug information by default, names too, or everything a file does not need to
//! keep working. Every other byte is copied as it is; a nested module or component whose
//! sections change is re-framed with its new size.
//!
//! What was removed is reported per module, named as `wct size` names it, so the bytes saved
//! can be checked against `wct size` before and after.

use crate::rewrite::{framed_len, rewrite, Action};
use regex::Regex;
use serde::Serialize;

/// Which custom sections go, before `--delete` and `--keep` are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Debug information: `.debug_*` (DWARF), `external_debug_info` (a reference to DWARF
    /// kept elsewhere) and `sourceMappingURL`.
    #[default]
    Debug,
    /// Debug information and names: `name` and `component-name`.
    Names,
    /// Every custom section but those a file needs to keep working ([`NEEDED`]).
    All,
}

/// Custom sections `--all` keeps, because the file does not work without them:
/// `component-type*` (a core module's world, waiting for `wct new`), `dylink.0` (a shared
/// library's linking metadata) and `linking`/`reloc.*` (a relocatable object file's).
pub const NEEDED: &[&str] = &["component-type", "dylink.0", "linking", "reloc."];

/// What to strip.
#[derive(Debug, Clone, Default)]
pub struct StripOptions {
    /// The default set.
    pub level: Level,
    /// Custom sections whose names match one of these are removed as well.
    pub delete: Vec<Regex>,
    /// Custom sections whose names match one of these are kept, whatever else says.
    pub keep: Vec<Regex>,
}

/// One custom section removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The module or component it was in, as `wct size` names it (`component / module main`);
    /// `component` or `module` for the top level.
    pub path: String,
    /// The section's name.
    pub section: String,
    /// Bytes the section took, with its id and size.
    pub size: u64,
}

/// The stripped file and what was removed.
#[derive(Debug, Clone)]
pub struct Stripped {
    /// The new file.
    pub bytes: Vec<u8>,
    /// The sections removed, in file order.
    pub removed: Vec<Removed>,
}

impl Stripped {
    /// Bytes saved, per module or component path, in file order.
    pub fn saved_per_path(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = Vec::new();
        for r in &self.removed {
            match out.iter_mut().find(|(p, _)| *p == r.path) {
                Some((_, n)) => *n += r.size,
                None => out.push((r.path.clone(), r.size)),
            }
        }
        out
    }
}

/// Why a file could not be stripped.
pub type StripError = crate::rewrite::RewriteError;

impl StripOptions {
    /// Whether a custom section named `name` goes.
    pub fn removes(&self, name: &str) -> bool {
        if self.keep.iter().any(|k| k.is_match(name)) {
            return false;
        }
        if self.delete.iter().any(|d| d.is_match(name)) {
            return true;
        }
        let debug = name.starts_with(".debug_")
            || name == "external_debug_info"
            || name == "sourceMappingURL";
        match self.level {
            Level::Debug => debug,
            Level::Names => debug || name == "name" || name == "component-name",
            Level::All => !NEEDED.iter().any(|n| name.starts_with(n)),
        }
    }
}

/// Strips `wasm` (a module or component, binary) as `opts` say.
pub fn strip(wasm: &[u8], opts: &StripOptions) -> Result<Stripped, StripError> {
    let mut removed = Vec::new();
    let bytes = rewrite(wasm, &mut |place, section| {
        if !opts.removes(section.name()) {
            return Action::Keep;
        }
        removed.push(Removed {
            path: place.path.to_string(),
            section: section.name().to_string(),
            size: framed_len(section.range().end - section.range().start),
        });
        Action::Remove
    })?;
    Ok(Stripped { bytes, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(level: Level) -> StripOptions {
        StripOptions {
            level,
            ..StripOptions::default()
        }
    }

    #[test]
    fn levels_keep_what_a_file_needs() {
        let debug = opts(Level::Debug);
        assert!(debug.removes(".debug_info") && debug.removes("external_debug_info"));
        assert!(!debug.removes("name") && !debug.removes("producers"));
        let names = opts(Level::Names);
        assert!(names.removes("name") && names.removes("component-name"));
        assert!(!names.removes("producers"));
        let all = opts(Level::All);
        assert!(all.removes("producers") && all.removes("name"));
        assert!(!all.removes("component-type:wit-bindgen:0.1:greeter") && !all.removes("dylink.0"));
        let kept = StripOptions {
            keep: vec![Regex::new("^name$").unwrap()],
            delete: vec![Regex::new("^prod").unwrap()],
            level: Level::Names,
        };
        assert!(!kept.removes("name") && kept.removes("producers"));
    }

    #[test]
    fn nested_modules_lose_their_debug_sections_and_stay_valid() {
        let component = wat::parse_str(
            r#"(component
                 (core module $m
                   (func (export "f"))
                   (@custom ".debug_info" "0123456789")
                   (@custom "keep-me" "x"))
                 (component $c
                   (core module
                     (@custom ".debug_line" "abc")))
                 (@custom ".debug_str" "top"))"#,
        )
        .unwrap();
        let stripped = strip(&component, &opts(Level::Debug)).unwrap();
        crate::validate(&stripped.bytes, wasmparser::WasmFeatures::all()).unwrap();
        let names: Vec<&str> = stripped
            .removed
            .iter()
            .map(|r| r.section.as_str())
            .collect();
        assert_eq!(names, [".debug_info", ".debug_line", ".debug_str"]);
        let saved: u64 = stripped.removed.iter().map(|r| r.size).sum();
        assert_eq!(component.len() as u64 - saved, stripped.bytes.len() as u64);
        let text = wasmprinter::print_bytes(&stripped.bytes).unwrap();
        assert!(
            text.contains("keep-me") && !text.contains(".debug"),
            "{text}"
        );
        assert!(stripped.removed[0].path.starts_with("component / module"));
        // Nothing to remove: the same bytes.
        let again = strip(&stripped.bytes, &opts(Level::Debug)).unwrap();
        assert_eq!(again.bytes, stripped.bytes);
    }
}
