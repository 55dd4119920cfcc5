//! Formatting WIT source files: wit-parser decides whether the text parses (so its errors,
//! with their spans, are the ones `wit check` shows), then `wct_wit_syntax` lays it out.

use crate::{diagnostic, WitError};
use std::path::Path;
pub use wct_wit_syntax::Style;

/// Formats the WIT text of the file `name`; text that does not parse is an error and nothing
/// is formatted.
pub fn format_source(name: &str, text: &str, style: &Style) -> Result<String, WitError> {
    check_syntax(name, text)?;
    wct_wit_syntax::format(text, style).map_err(|e| match e {
        wct_wit_syntax::FormatError::Parse(e) => WitError::Invalid {
            path: name.to_string(),
            message: format!(
                "wit-parser reads this file but wct's formatter does not ({} at byte {}): please report it",
                e.message, e.span.start
            ),
        },
        changed => WitError::Invalid {
            path: name.to_string(),
            message: changed.to_string(),
        },
    })
}

/// Parses `text` as one WIT file the way wit-parser does (syntax and the checks it makes
/// within a package), without resolving other files or packages.
pub fn check_syntax(name: &str, text: &str) -> Result<(), WitError> {
    let mut map = wit_parser::SourceMap::new();
    map.push(Path::new(name), text);
    match map.parse() {
        Ok(_) => Ok(()),
        Err((map, err)) => Err(
            match diagnostic::locate_parse_error(&map, &err, Some(text)) {
                Some(located) => WitError::Source(Box::new(located)),
                None => WitError::Invalid {
                    path: name.to_string(),
                    message: err.to_string(),
                },
            },
        ),
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
