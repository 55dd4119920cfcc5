//! Source text for miette diagnostics that stays printable when a line is very long.
//!
//! miette's graphical renderer pads the underline with a `{:width$}` format, which panics past
//! 65,535 columns, and a 65 KB line is unreadable anyway. [`ClippedSource`] hands miette only a
//! window of such a line around the span, with the real line and column numbers, so the header
//! still reads `file:LINE:COLUMN`.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines longer than this many bytes are shown as a window around the span.
pub const MAX_SHOWN_LINE: usize = 240;

/// How many bytes of a long line are shown on each side of the span.
const WINDOW_MARGIN: usize = 60;

/// Named source text whose long lines are clipped around the span miette asks for.
#[derive(Debug, Clone)]
pub struct ClippedSource {
    name: String,
    text: String,
}

impl ClippedSource {
    /// Wraps `text`, the contents of the file called `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The whole source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Limits `span` to what a clipped line can show (its first `MAX_SHOWN_LINE` bytes) so a
    /// label over a huge token still fits the window.
    pub fn clip_span(&self, span: SourceSpan) -> SourceSpan {
        let start = span.offset().min(self.text.len());
        let mut end = (start + span.len().min(MAX_SHOWN_LINE)).min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        SourceSpan::new(start.into(), end.saturating_sub(start))
    }

    /// The byte range of the line holding `offset`, without its line break.
    fn line_around(&self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let start = bytes[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |i| offset + i);
        (start, end)
    }

    /// The window of the long line holding `span`, with its 0-based line and column.
    fn window(
        &self,
        span: &SourceSpan,
        from_span_start: bool,
    ) -> Result<MietteSpanContents<'_>, MietteError> {
        let offset = span.offset();
        if offset > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let (line_start, line_end) = self.line_around(offset);
        let span_end = (offset + span.len()).min(self.text.len()).max(offset);
        let mut start = if from_span_start {
            offset
        } else {
            offset.saturating_sub(WINDOW_MARGIN).max(line_start)
        };
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span_end + WINDOW_MARGIN).min(line_end).max(span_end);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let line = self.text[..line_start].matches('\n').count();
        let column = start - line_start;
        let line_count = self.text[start..end].matches('\n').count();
        Ok(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[start..end],
            SourceSpan::new(start.into(), end - start),
            line,
            column,
            line_count,
        ))
    }
}

impl SourceCode for ClippedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let too_long = inner
            .data()
            .split(|&b| b == b'\n')
            .any(|line| line.len() > MAX_SHOWN_LINE);
        if !too_long {
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )));
        }
        Ok(Box::new(self.window(span, context_lines_before == 0)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: ClippedSource, span: SourceSpan) -> String {
        #[derive(Debug, thiserror::Error, miette::Diagnostic)]
        #[error("bad")]
        struct Bad {
            #[source_code]
            src: ClippedSource,
            #[label("here")]
            span: SourceSpan,
        }
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        handler
            .render_report(&mut out, &Bad { src: source, span })
            .unwrap();
        out
    }

    #[test]
    fn a_short_source_renders_as_miette_would() {
        let text = "package a:b;\n\ninterface i {\n  f: func(x: u32) -> nope;\n}\n";
        let at = text.find("nope").unwrap();
        let out = render(
            ClippedSource::new("a.wit", text),
            SourceSpan::new(at.into(), 4),
        );
        assert!(out.contains("[a.wit:4:22]"), "{out}");
        assert!(out.contains("f: func(x: u32) -> nope;"), "{out}");
        assert!(out.contains("interface i {"), "{out}");
    }

    #[test]
    fn a_span_far_into_a_huge_line_shows_a_window_with_the_real_column() {
        let text = format!("package a:{}x y;\n", "b".repeat(70_000));
        let at = text.find("y").unwrap();
        let out = render(
            ClippedSource::new("big.wit", text.clone()),
            SourceSpan::new(at.into(), 1),
        );
        assert!(out.contains(&format!("[big.wit:1:{}]", at + 1)), "{out}");
        assert!(out.contains("bx y;"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
    }

    #[test]
    fn a_huge_span_is_clipped_to_what_a_window_can_show() {
        let text = format!("package a:{};\n", "b".repeat(70_000));
        let source = ClippedSource::new("big.wit", text);
        let span = source.clip_span(SourceSpan::new(10.into(), 70_000));
        assert_eq!(span.len(), MAX_SHOWN_LINE);
        let out = render(source, span);
        assert!(out.contains("[big.wit:1:11]"), "{out}");
    }

    #[test]
    fn a_long_line_next_to_the_error_does_not_hide_it() {
        let text = format!("// {}\ninterface i {{ nope }}\n", "c".repeat(70_000));
        let at = text.find("nope").unwrap();
        let out = render(
            ClippedSource::new("c.wit", text),
            SourceSpan::new(at.into(), 4),
        );
        assert!(out.contains("[c.wit:2:15]"), "{out}");
        assert!(out.contains("interface i { nope }"), "{out}");
    }
}
