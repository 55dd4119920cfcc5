//! Errors in wct's own configuration files (the compose TOML, `wct-diff.toml`): each names the
//! file and, when the problem has a place, shows the line with the offending span labelled, as
//! the WIT diagnostics do.

use crate::clipped_source::ClippedSource;
use miette::SourceSpan;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read '{}': {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value the tool rejects; located in the file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<ConfigFileError>),
}

impl From<ConfigFileError> for ConfigError {
    fn from(e: ConfigFileError) -> Self {
        ConfigError::Invalid(Box::new(e))
    }
}

/// Reads the text of the config file at `path`.
pub fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A problem in a configuration file, located at a byte range of its text when it has a place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}: {message}", path.display())]
pub struct ConfigFileError {
    /// The configuration file.
    pub path: PathBuf,
    /// What is wrong, without the file name.
    pub message: String,
    /// 1-based line and column of the problem, when it has a place.
    pub line_col: Option<(usize, usize)>,
    #[source_code]
    source_code: Option<ClippedSource>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl ConfigFileError {
    /// A problem in `path` (whose contents are `text`) at the byte range `at`, if known.
    pub fn new(
        path: &Path,
        text: &str,
        at: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let at = at.filter(|r| r.start <= text.len());
        let line_col = at.as_ref().map(|r| line_col(text, r.start));
        let source_code = at
            .is_some()
            .then(|| ClippedSource::new(path.display().to_string(), text));
        let span = match (&source_code, at) {
            (Some(source), Some(r)) => Some(source.clip_span(SourceSpan::new(
                r.start.into(),
                r.end.saturating_sub(r.start).max(1),
            ))),
            _ => None,
        };
        ConfigFileError {
            path: path.to_path_buf(),
            message: message.into(),
            line_col,
            source_code,
            span,
            label: "here".to_string(),
            help: None,
        }
    }

    /// Replaces the label under the span (`here` by default).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The help line, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_located_problem_knows_its_line_and_column() {
        let text = "a = 1\nsocket = \"nope\"\n";
        let at = text.find("\"nope\"").unwrap();
        let e = ConfigFileError::new(Path::new("c.toml"), text, Some(at..at + 6), "bad socket");
        assert_eq!(e.line_col, Some((2, 10)));
        assert_eq!(e.to_string(), "c.toml: bad socket");
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        handler.render_report(&mut out, &e).unwrap();
        assert!(out.contains("[c.toml:2:10]"), "{out}");
        assert!(out.contains("socket = \"nope\""), "{out}");
    }

    #[test]
    fn a_problem_without_a_place_has_no_source() {
        let e = ConfigFileError::new(Path::new("c.toml"), "", None, "cannot read");
        assert_eq!(e.line_col, None);
        assert!(miette::Diagnostic::source_code(&e).is_none());
    }
}
