//! Turning wit-parser's errors into miette diagnostics that show the WIT source line with the
//! offending span underlined.
//!
//! wit-parser returns `anyhow` errors whose root cause is a typed `ParseError` or
//! `ResolveError` carrying a span valid in the `Resolve`'s source map; the source map tells
//! which file and byte range that is, and the file is read back to show it.

use miette::SourceSpan;
use wct_io::clipped_source::ClippedSource;
use wit_parser::{ParseError, Resolve, ResolveError, Span};

/// A WIT error located in a source file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct SourceDiagnostic {
    /// What is wrong.
    pub message: String,
    /// The file, as wit-parser registered it.
    pub path: String,
    /// 1-based line and column of the span start.
    pub line_col: (usize, usize),
    #[source_code]
    source_code: ClippedSource,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

/// Finds the span of the first typed wit-parser error in `err`'s chain.
fn typed_span(err: &anyhow::Error) -> Option<(Span, String, Option<String>)> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<ParseError>() {
            let (message, help) = split_hint(&e.kind().to_string());
            return Some((e.kind().span(), message, help));
        }
        if let Some(e) = cause.downcast_ref::<ResolveError>() {
            let (message, help) = split_hint(&e.kind().to_string());
            return Some((e.kind().span(), message, help));
        }
    }
    None
}

/// wit-parser puts hints and lists of known names on lines after the first.
/// A first line ending in `... known packages:` introduces the list that follows, which then
/// becomes the help text.
fn split_hint(text: &str) -> (String, Option<String>) {
    let Some((first, rest)) = text.split_once('\n') else {
        return (text.to_string(), None);
    };
    let rest: Vec<&str> = rest
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match first.strip_suffix(':').and_then(|f| f.rsplit_once(". ")) {
        Some((message, intro)) => {
            let mut help = format!("{intro}: {}", rest.join(", "));
            if message.starts_with("package '") {
                help.push_str(
                    "\n`wct wit fetch DIR` downloads the packages DIR's WIT names from a registry",
                );
            }
            (format!("{message} (is it in deps/?)"), Some(help))
        }
        None => (first.to_string(), Some(rest.join("\n"))),
    }
}

/// Builds a diagnostic pointing into the source when the error has a resolvable span.
pub(crate) fn locate(resolve: &Resolve, err: &anyhow::Error) -> Option<SourceDiagnostic> {
    let (span, message, help) = typed_span(err)?;
    located(&resolve.source_map, span, message, help, None)
}

/// A diagnostic for wit-parser's parse error `err` of text registered in `map` (`text` is the
/// source when it is not a file on disk, such as standard input).
pub fn locate_parse_error(
    map: &wit_parser::SourceMap,
    err: &ParseError,
    text: Option<&str>,
) -> Option<SourceDiagnostic> {
    let (message, help) = split_hint(&err.kind().to_string());
    located(map, err.kind().span(), message, help, text)
}

fn located(
    map: &wit_parser::SourceMap,
    span: Span,
    message: String,
    help: Option<String>,
    text: Option<&str>,
) -> Option<SourceDiagnostic> {
    let location = map.resolve_span(span)?;
    let text = match text {
        Some(text) => text.to_string(),
        None => std::fs::read_to_string(location.path).ok()?,
    };
    SourceDiagnostic::at(location.path, text, location.range.clone(), message, help)
}

impl SourceDiagnostic {
    /// A diagnostic for the byte `range` of `text`, the contents of the file `path` (`None`
    /// when the range is not in the text).
    pub fn at(
        path: &str,
        text: String,
        range: std::ops::Range<usize>,
        message: String,
        help: Option<String>,
    ) -> Option<SourceDiagnostic> {
        at(path, text, range, message, help)
    }
}

fn at(
    location_path: &str,
    text: String,
    range: std::ops::Range<usize>,
    message: String,
    help: Option<String>,
) -> Option<SourceDiagnostic> {
    if range.end > text.len() {
        return None;
    }
    let line = text[..range.start].matches('\n').count() + 1;
    let col = range.start - text[..range.start].rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    let label = match message.find(" does not exist") {
        Some(_) => "not defined".to_string(),
        None => "here".to_string(),
    };
    let source_code = ClippedSource::new(location_path, text);
    let span = source_code.clip_span(SourceSpan::new(
        range.start.into(),
        range.end.saturating_sub(range.start).max(1),
    ));
    Some(SourceDiagnostic {
        message,
        path: location_path.to_string(),
        line_col: (line, col),
        source_code,
        span,
        label,
        help,
    })
}
