//! WIT source as written: a lossless lexer ([`lexer`]), a concrete syntax tree that keeps
//! every comment and position ([`tree`], built by [`parser`]), and the formatter on top of it
//! ([`format()`], module [`format`](mod@format)). wit-parser's resolved form has neither comments nor layout; this crate is
//! for tools that work on the text: `wct wit fmt` today, and later a language server, lints
//! or precise diff spans.
#![deny(missing_docs)]

pub mod format;
pub mod lexer;
pub mod parser;
pub mod tree;

pub use format::{format, FormatError, Style};
pub use parser::{parse, ParseError};
