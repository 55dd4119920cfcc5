//! Formatting WIT source files: wit-parser decides whether the text parses (so its errors,
//! with their spans, are the ones `wit check` shows), then `wct_wit_syntax` lays it out.
//! Also here: which files a directory holds, the `[fmt]` table of `wct.toml`, the `--json`
//! report and the unified diff of `--check`.

use crate::{diagnostic, WitError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use wct_io::config_file::{ConfigError, ConfigFileError};
pub use wct_wit_syntax::Style;

/// The version of the `--json` report's layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The name of the file whose `[fmt]` table sets the style.
pub const CONFIG_FILE: &str = "wct.toml";

/// What formatting found for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// The file as named on the command line or found below a directory.
    pub path: String,
    /// True when the formatted text differs from the file.
    pub changed: bool,
    /// Why the file was left alone, when it was (it does not parse, or cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The `--json` report of `wct wit fmt`.
#[derive(Debug, Clone, Serialize)]
pub struct FormatReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Every file looked at, in order.
    pub files: Vec<FileOutcome>,
}

#[derive(Deserialize, Default)]
struct ConfigTables {
    #[serde(default)]
    fmt: Option<FmtTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FmtTable {
    width: Option<toml::Spanned<usize>>,
    indent: Option<toml::Spanned<usize>>,
}

/// What [`format_files`] did with one file.
#[derive(Debug)]
pub enum FileResult {
    /// Already formatted.
    Unchanged,
    /// Formatted differently: rewritten in place, or (checking) the unified diff that would be
    /// applied.
    Changed {
        /// With `check`: the diff; otherwise `None` (the file was rewritten).
        diff: Option<String>,
    },
    /// It could not be read.
    Unreadable(std::io::Error),
    /// It does not parse; it was left alone.
    Invalid(WitError),
}

/// Why [`format_files`] stopped before the end.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FormatFilesError {
    /// A `wct.toml` with a bad `[fmt]` table.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// A formatted file could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] wct_io::IoError),
}

/// Formats `files`, each with the style of its folder ([`style_for`]), in parallel, the results
/// in the order given: rewrites each that changes (atomically), or with `check` only computes
/// its diff. A file that cannot be read or does not parse is reported and left alone; the run
/// goes on.
pub fn format_files(
    files: &[PathBuf],
    check: bool,
) -> Result<Vec<(PathBuf, FileResult)>, FormatFilesError> {
    use rayon::prelude::*;
    // The styles first (a `wct.toml` lookup per folder), then the files in parallel: each is
    // read, parsed, formatted and written on its own.
    let mut styles: std::collections::BTreeMap<PathBuf, Style> = Default::default();
    for file in files {
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        if let std::collections::btree_map::Entry::Vacant(slot) = styles.entry(dir) {
            let (style, _) = style_for(slot.key())?;
            slot.insert(style);
        }
    }
    files
        .par_iter()
        .map(|file| {
            let name = file.display().to_string();
            let style = &styles[file.parent().unwrap_or(Path::new(""))];
            let result = match std::fs::read_to_string(file) {
                Err(e) => FileResult::Unreadable(e),
                Ok(text) => match format_source(&name, &text, style) {
                    Err(e) => FileResult::Invalid(e),
                    Ok(formatted) if formatted == text => FileResult::Unchanged,
                    Ok(formatted) if check => FileResult::Changed {
                        diff: Some(unified_diff(&name, &text, &formatted)),
                    },
                    Ok(formatted) => {
                        wct_io::write_output(file, formatted.as_bytes(), &[])?;
                        FileResult::Changed { diff: None }
                    }
                },
            };
            Ok((file.clone(), result))
        })
        .collect()
}

/// The style for WIT files in `dir`: the `[fmt]` table of the nearest `wct.toml` in `dir` or
/// one of its parents (with the file it came from), else the default style.
pub fn style_for(dir: &Path) -> Result<(Style, Option<PathBuf>), ConfigError> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    for folder in start.ancestors() {
        let file = folder.join(CONFIG_FILE);
        if file.is_file() {
            return Ok((read_style(&file)?, Some(file)));
        }
    }
    Ok((Style::default(), None))
}

fn read_style(file: &Path) -> Result<Style, ConfigError> {
    let text = wct_io::config_file::read(file)?;
    let tables: ConfigTables = toml::from_str(&text)
        .map_err(|e| ConfigFileError::new(file, &text, e.span(), e.message().trim_end()))?;
    let mut style = Style::default();
    if let Some(table) = tables.fmt {
        let in_range = |value: &Option<toml::Spanned<usize>>,
                        range: std::ops::RangeInclusive<usize>,
                        what: &str| {
            match value {
                Some(v) if !range.contains(v.get_ref()) => {
                    Err(ConfigError::from(ConfigFileError::new(
                        file,
                        &text,
                        Some(v.span()),
                        format!(
                            "`{what}` must be between {} and {}",
                            range.start(),
                            range.end()
                        ),
                    )))
                }
                Some(v) => Ok(Some(*v.get_ref())),
                None => Ok(None),
            }
        };
        if let Some(width) = in_range(&table.width, 40..=400, "width")? {
            style.width = width;
        }
        if let Some(indent) = in_range(&table.indent, 1..=8, "indent")? {
            style.indent = indent;
        }
    }
    Ok(style)
}

/// The `.wit` files of `paths`: files as given, directories searched recursively in path
/// order, their `deps/` folders only when `deps` is set.
pub fn wit_files(paths: &[PathBuf], deps: bool) -> Result<Vec<PathBuf>, wct_io::IoError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, deps, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect(dir: &Path, deps: bool, out: &mut Vec<PathBuf>) -> Result<(), wct_io::IoError> {
    let read_error = |source| wct_io::IoError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read_error)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_error)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if deps || path.file_name().is_none_or(|n| n != "deps") {
                collect(&path, deps, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "wit") {
            out.push(path);
        }
    }
    Ok(())
}

/// A unified diff (`--- a/PATH`, `+++ b/PATH`, three lines of context) from `before` to
/// `after`; empty when they are equal.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string()
}

/// Formats the WIT text of the file `name`. Text that does not parse is an error and nothing
/// is formatted: wit-parser's grammar errors are shown as `wit check` shows them. Errors that
/// concern the package rather than the file (a missing `package` header in one file of a
/// multi-file package, a name defined in a sibling file, a duplicate) do not stop formatting:
/// they are `wit check`'s business, and the formatter keeps every token as it is.
pub fn format_source(name: &str, text: &str, style: &Style) -> Result<String, WitError> {
    let wit_parser_accepts = match check_syntax(name, text) {
        Ok(()) => true,
        Err(Refusal::Grammar(err)) => return Err(err),
        Err(Refusal::Package) => false,
    };
    wct_wit_syntax::format(text, style).map_err(|e| match e {
        wct_wit_syntax::FormatError::Parse(e) if wit_parser_accepts => WitError::Invalid {
            path: name.to_string(),
            message: format!(
                "wit-parser reads this file but wct's formatter does not ({} at byte {}): please report it",
                e.message, e.span.start
            ),
        },
        wct_wit_syntax::FormatError::Parse(e) => {
            match diagnostic::SourceDiagnostic::at(name, text.to_string(), e.span, e.message.clone(), None) {
                Some(located) => WitError::Source(Box::new(located)),
                None => WitError::Invalid {
                    path: name.to_string(),
                    message: e.message,
                },
            }
        }
        changed => WitError::Invalid {
            path: name.to_string(),
            message: changed.to_string(),
        },
    })
}

/// Why wit-parser did not accept a file on its own.
#[derive(Debug)]
pub enum Refusal {
    /// The file's text does not follow WIT's grammar (the error, located).
    Grammar(WitError),
    /// The file parses, but as a package on its own it does not resolve.
    Package,
}

/// Parses `text` as one WIT file the way wit-parser does, and tells a grammar error (which the
/// file alone decides) from one about the package it belongs to.
pub fn check_syntax(name: &str, text: &str) -> Result<(), Refusal> {
    let mut map = wit_parser::SourceMap::new();
    map.push(Path::new(name), text);
    let (map, err) = match map.parse() {
        Ok(_) => return Ok(()),
        Err(failure) => failure,
    };
    if !is_grammar_error(err.kind()) {
        return Err(Refusal::Package);
    }
    Err(Refusal::Grammar(
        match diagnostic::locate_parse_error(&map, &err, Some(text)) {
            Some(located) => WitError::Source(Box::new(located)),
            None => WitError::Invalid {
                path: name.to_string(),
                message: err.to_string(),
            },
        },
    ))
}

/// Errors wit-parser raises while reading one file's tokens (its `ast` parser), as opposed to
/// resolving names across the package.
fn is_grammar_error(kind: &wit_parser::ParseErrorKind) -> bool {
    match kind {
        wit_parser::ParseErrorKind::Lex(_) => true,
        wit_parser::ParseErrorKind::Syntax { message, .. } => {
            const GRAMMAR: &[&str] = &[
                "expected ",
                "cannot place attributes on nested packages",
                "package nesting too deep",
                "type nesting too deep",
                "invalid list size",
                "unknown attribute",
            ];
            GRAMMAR.iter().any(|g| message.starts_with(g)) || message.contains("is not allowed on")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_does_not_parse_is_located() {
        let err = format_source(
            "a.wit",
            "package a:b;\ninterface i {\n  f: func(;\n}\n",
            &Style::default(),
        )
        .unwrap_err();
        match err {
            WitError::Source(d) => assert_eq!(d.line_col, (3, 11), "{}", d.message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_nearest_wct_toml_sets_the_style() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("pkg/wit");
        std::fs::create_dir_all(&inner).unwrap();
        assert_eq!(style_for(&inner).unwrap().0, Style::default());
        std::fs::write(dir.path().join("wct.toml"), "[fmt]\nwidth = 80\n").unwrap();
        let (style, from) = style_for(&inner).unwrap();
        assert_eq!(style.width, 80);
        assert!(from.unwrap().ends_with("wct.toml"));
        std::fs::write(dir.path().join("wct.toml"), "[fmt]\nwidth = 8\n").unwrap();
        let err = style_for(&inner).unwrap_err();
        assert!(
            err.to_string()
                .contains("`width` must be between 40 and 400"),
            "{err}"
        );
        std::fs::write(dir.path().join("wct.toml"), "[fmt]\ncolour = 1\n").unwrap();
        assert!(style_for(&inner).is_err());
    }

    #[test]
    fn deps_are_skipped_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("deps/x")).unwrap();
        std::fs::write(dir.path().join("a.wit"), "").unwrap();
        std::fs::write(dir.path().join("deps/x/b.wit"), "").unwrap();
        std::fs::write(dir.path().join("notes.md"), "").unwrap();
        let root = vec![dir.path().to_path_buf()];
        assert_eq!(wit_files(&root, false).unwrap().len(), 1);
        assert_eq!(wit_files(&root, true).unwrap().len(), 2);
    }

    #[test]
    fn formats_what_parses() {
        let out = format_source(
            "a.wit",
            "package a:b;\ninterface i{f:func();}",
            &Style::default(),
        )
        .unwrap();
        assert_eq!(out, "package a:b;\n\ninterface i {\n  f: func();\n}\n");
    }
}
