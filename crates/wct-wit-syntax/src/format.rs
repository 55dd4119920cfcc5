//! The WIT formatter: one style, the one of the official WASI WIT files.
//!
//! - Two spaces of indentation per block; one item per line; `{}` for empty bodies.
//! - Records, variants, enums and flags: one entry per line, each followed by a comma.
//! - Gates (`@since`, `@unstable`, `@deprecated`) on their own lines above their item.
//! - Spaces after `,` and `:`, around `=` and `->`; none inside `<>`, `()`, paths and versions.
//! - A function whose line would pass the width (100 columns) puts one parameter per line.
//! - Comments are kept where they are: on their own line above an item, or at the end of a
//!   line. Blank lines between items are kept, collapsed to one; none at the start or end of
//!   a block. A blank line always follows the `package` declaration.
//!
//! The formatter refuses to return text whose tokens differ from the input's (other than
//! whitespace): [`format()`] checks its own output before handing it back.

use crate::lexer::{lex, Token, TokenKind};
use crate::parser::{parse, ParseError};
use crate::tree::{Element, Node, NodeKind};

/// How the formatter lays text out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// Column after which a function's parameters go one per line.
    pub width: usize,
    /// Spaces per level of indentation.
    pub indent: usize,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            width: 100,
            indent: 2,
        }
    }
}

/// Why a file could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum FormatError {
    /// The source does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The formatter would have changed the meaning of the file (a bug in the formatter; the
    /// file is left as it is).
    #[error("the formatter would change the tokens of the file near byte {offset}: refusing")]
    Changed {
        /// Where in the formatted text the first difference is.
        offset: usize,
    },
}

/// Formats WIT source text.
pub fn format(src: &str, style: &Style) -> Result<String, FormatError> {
    let out = layout(src, style)?;
    check_same_tokens(src, &out)?;
    Ok(out)
}

/// The formatted text, unchecked.
fn layout(src: &str, style: &Style) -> Result<String, ParseError> {
    let tree = parse(src)?;
    let mut printer = Printer {
        src,
        style,
        out: String::new(),
        indent: 0,
        line_open: false,
        prev: None,
        continuation: false,
    };
    printer.block_items(&tree, true);
    printer.end_line();
    Ok(printer.out)
}

/// Significant tokens and comments of `a` and `b` must be the same, in the same order.
fn check_same_tokens(before: &str, after: &str) -> Result<(), FormatError> {
    // Commas are added and dropped (one after every entry), and comments may move past one
    // (`a /* c */,` prints as `a, /* c */`): compare comments among themselves and the other
    // tokens, commas aside, among themselves. Slices of the sources, nothing copied.
    let (a, b) = (meaningful_tokens(before), meaningful_tokens(after));
    let is_comment = |t: &&(&str, usize)| t.0.starts_with("//") || t.0.starts_with("/*");
    for comments in [false, true] {
        let x: Vec<_> = a.iter().filter(|t| is_comment(t) == comments).collect();
        let y: Vec<_> = b.iter().filter(|t| is_comment(t) == comments).collect();
        if let Some(pos) = x.iter().zip(&y).position(|(p, q)| p.0 != q.0) {
            return Err(FormatError::Changed { offset: y[pos].1 });
        }
        if x.len() != y.len() {
            return Err(FormatError::Changed {
                offset: y.get(x.len()).map_or(after.len(), |t| t.1),
            });
        }
    }
    Ok(())
}

/// The tokens of `src` that carry meaning (no whitespace, no commas), with their offsets.
fn meaningful_tokens(src: &str) -> Vec<(&str, usize)> {
    lex(src)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.kind != TokenKind::Whitespace)
        .map(|t| (src[t.span.clone()].trim_end(), t.span.start))
        .filter(|(t, _)| *t != ",")
        .collect()
}

struct Printer<'a> {
    src: &'a str,
    style: &'a Style,
    out: String,
    indent: usize,
    /// The last line of `out` has content and no newline yet.
    line_open: bool,
    /// The last significant token printed on the open line.
    prev: Option<&'a str>,
    /// The open line continues an item broken by a line comment.
    continuation: bool,
}

impl<'a> Printer<'a> {
    fn text(&self, t: &Token) -> &'a str {
        &self.src[t.span.clone()]
    }

    fn end_line(&mut self) {
        if self.line_open {
            self.out.push('\n');
            self.line_open = false;
        }
        self.prev = None;
        self.continuation = false;
    }

    fn blank_line(&mut self) {
        self.end_line();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn begin_line(&mut self, extra: usize) {
        self.end_line();
        self.out.extend(std::iter::repeat_n(
            ' ',
            (self.indent + extra) * self.style.indent,
        ));
        self.line_open = true;
    }

    /// Writes a comment: at the end of the open line, or on a line of its own.
    fn comment(&mut self, t: &Token, trailing: bool) {
        let text = self.text(t);
        if trailing && self.line_open {
            self.out.push(' ');
        } else {
            self.begin_line(0);
        }
        self.out.push_str(text);
        if matches!(t.kind, TokenKind::LineComment | TokenKind::DocLineComment) {
            self.end_line();
        } else {
            self.prev = Some(text);
        }
    }

    /// The children of a file, nested package body or block: items one per line, comments
    /// and blank lines between them.
    fn block_items(&mut self, node: &'a Node, top: bool) {
        let mut first = true;
        let mut newlines = 0usize;
        let mut after_package = false;
        for child in &node.children {
            match child {
                Element::Token(t) if t.kind == TokenKind::Whitespace => {
                    newlines += self.text(t).matches('\n').count();
                }
                Element::Token(t) if t.kind.is_comment() => {
                    // A doc comment documents the item after it: never at the end of a line.
                    let trailing = newlines == 0 && !first && !t.kind.is_doc();
                    if !trailing {
                        if (newlines >= 2 || after_package) && !first {
                            self.blank_line();
                        }
                        after_package = false;
                    }
                    self.comment(t, trailing);
                    if !trailing {
                        first = false;
                    }
                    newlines = 0;
                }
                Element::Token(t) => {
                    // `{` and `}` of a block are printed by `block`.
                    let _ = t;
                }
                Element::Node(n) => {
                    if (newlines >= 2 || after_package) && !first {
                        self.blank_line();
                    }
                    self.begin_line(0);
                    self.item(n);
                    first = false;
                    newlines = 0;
                    after_package = top && n.kind == NodeKind::PackageDecl;
                }
            }
        }
    }

    /// One item: gates on their own lines, then the item's line(s).
    fn item(&mut self, node: &'a Node) {
        let has_params = matches!(
            node.kind,
            NodeKind::Func | NodeKind::Constructor | NodeKind::Import | NodeKind::Export
        );
        let fits = !has_params || self.fits(node);
        // Gates and the comments between them and the item each get their own line.
        let mut leading = true;
        for child in &node.children {
            match child {
                Element::Node(n) if n.kind == NodeKind::Gate => {
                    self.inline(n);
                    self.begin_line(0);
                }
                Element::Token(t) if leading && t.kind.is_comment() => {
                    self.out.push_str(self.text(t));
                    if matches!(t.kind, TokenKind::LineComment | TokenKind::DocLineComment) {
                        self.begin_line(0);
                    } else {
                        self.prev = Some(self.text(t));
                    }
                }
                Element::Token(t) if t.kind == TokenKind::Whitespace => {}
                _ => {
                    leading = false;
                    self.child(child, fits);
                }
            }
        }
    }

    /// True when `node` printed on one line stays within the width.
    fn fits(&self, node: &'a Node) -> bool {
        if node.has_line_comment() {
            return false;
        }
        let mut probe = Printer {
            src: self.src,
            style: self.style,
            out: String::new(),
            indent: self.indent,
            line_open: false,
            prev: None,
            continuation: false,
        };
        probe.begin_line(0);
        for child in &node.children {
            match child {
                Element::Node(n) if n.kind == NodeKind::Gate => {}
                _ => probe.child(child, true),
            }
        }
        probe
            .out
            .lines()
            .all(|l| l.chars().count() <= self.style.width)
    }

    fn child(&mut self, child: &'a Element, params_inline: bool) {
        match child {
            Element::Token(t) if t.kind == TokenKind::Whitespace => {}
            Element::Token(t) if t.kind.is_comment() => self.inline_comment(t),
            Element::Token(t) => self.token(t),
            Element::Node(n) => match n.kind {
                NodeKind::Block => self.block(n),
                NodeKind::List => self.list(n),
                NodeKind::Params if !params_inline => self.wrapped_params(n),
                NodeKind::FuncType => {
                    for c in &n.children {
                        self.child(c, params_inline);
                    }
                }
                _ => self.inline(n),
            },
        }
    }

    /// `{`, then the items of a block one per line, then `}`; `{}` when it holds nothing.
    fn block(&mut self, node: &'a Node) {
        if self.open_brace(node) {
            self.indent += 1;
            self.block_items(node, false);
            self.indent -= 1;
            self.begin_line(0);
            self.out.push('}');
            self.prev = Some("}");
        }
    }

    /// `{ a, b, c }` as one entry per line with a comma after each.
    fn list(&mut self, node: &'a Node) {
        if self.open_brace(node) {
            self.one_per_line(node, "}");
        }
    }

    /// Writes `{`, or `{}` for a `node` without entries or comments (returning false then).
    fn open_brace(&mut self, node: &Node) -> bool {
        let empty = node.children.iter().all(|c| match c {
            Element::Token(t) => !t.kind.is_comment(),
            Element::Node(_) => false,
        });
        self.space_before("{");
        self.out.push('{');
        if empty {
            self.out.push('}');
            self.prev = Some("}");
        }
        !empty
    }

    /// `(` then one parameter per line, each with a comma, then `)`.
    fn wrapped_params(&mut self, node: &'a Node) {
        self.token_text("(");
        self.one_per_line(node, ")");
    }

    /// The entries of `node` (between its first and last token, the brackets), each on its own
    /// line one level deeper and followed by a comma; then `close` on a line of its own.
    fn one_per_line(&mut self, node: &'a Node, close: &'static str) {
        self.indent += 1;
        let mut first = true;
        let mut newlines = 0usize;
        for child in &node.children[1..node.children.len() - 1] {
            match child {
                Element::Token(t) if t.kind == TokenKind::Whitespace => {
                    newlines += self.text(t).matches('\n').count();
                }
                Element::Token(t) if t.kind.is_comment() => {
                    // A doc comment documents the item after it: never at the end of a line.
                    let trailing = newlines == 0 && !first && !t.kind.is_doc();
                    if !trailing && newlines >= 2 && !first {
                        self.blank_line();
                    }
                    self.comment(t, trailing);
                    if !trailing {
                        first = false;
                    }
                    newlines = 0;
                }
                Element::Token(_) => {} // the commas: one is printed after every entry
                Element::Node(n) => {
                    if newlines >= 2 && !first {
                        self.blank_line();
                    }
                    self.begin_line(0);
                    self.inline(n);
                    self.out.push(',');
                    self.prev = Some(",");
                    first = false;
                    newlines = 0;
                }
            }
        }
        self.indent -= 1;
        self.begin_line(0);
        self.out.push_str(close);
        self.prev = Some(close);
    }

    /// Everything below `node` on the open line, with the spacing rules.
    fn inline(&mut self, node: &'a Node) {
        let glued = matches!(node.kind, NodeKind::Path);
        let mut started = false;
        for child in &node.children {
            match child {
                Element::Token(t) if t.kind == TokenKind::Whitespace => {}
                Element::Token(t) if t.kind.is_comment() => self.inline_comment(t),
                Element::Token(t) => {
                    if glued && started {
                        self.out.push_str(self.text(t));
                        self.prev = Some(self.text(t));
                    } else if node.kind == NodeKind::UseNames {
                        self.use_names_token(t);
                    } else {
                        self.token(t);
                    }
                    started = true;
                }
                Element::Node(n) => match n.kind {
                    NodeKind::Block => self.block(n),
                    NodeKind::List => self.list(n),
                    _ => self.inline(n),
                },
            }
        }
    }

    /// A comment inside an item: a block comment stays on the line; a line comment ends it
    /// and the item continues one level deeper.
    fn inline_comment(&mut self, t: &Token) {
        let text = self.text(t);
        if self.line_open && self.prev.is_some() {
            self.out.push(' ');
        }
        self.out.push_str(text);
        if matches!(t.kind, TokenKind::LineComment | TokenKind::DocLineComment) {
            self.out.push('\n');
            self.out.extend(std::iter::repeat_n(
                ' ',
                (self.indent + 1) * self.style.indent,
            ));
            self.line_open = true;
            self.prev = None;
            self.continuation = true;
        } else {
            self.prev = Some(text);
        }
    }

    fn use_names_token(&mut self, t: &Token) {
        let text = self.text(t);
        match text {
            "{" => {
                self.out.push('{');
                self.prev = Some("{");
            }
            "}" => {
                self.out.push('}');
                self.prev = Some("}");
            }
            _ => {
                if !matches!(self.prev, Some("{") | None) && text != "," {
                    self.out.push(' ');
                }
                self.out.push_str(text);
                self.prev = Some(text);
            }
        }
    }

    fn token(&mut self, t: &Token) {
        let text = self.text(t);
        self.token_text(text);
    }

    fn token_text(&mut self, text: &'a str) {
        self.space_before(text);
        self.out.push_str(text);
        self.prev = Some(text);
    }

    fn space_before(&mut self, next: &str) {
        let Some(prev) = self.prev else {
            return;
        };
        let space = match (prev, next) {
            (_, "," | ";" | ")" | ">" | "." | ":" | "<") => false,
            ("(" | "<" | "." | "@" | "-" | "+", _) => false,
            (_, "-" | "+") => false,
            (_, "(") => !is_name(prev),
            _ => true,
        };
        if space {
            self.out.push(' ');
        }
    }
}

fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '%' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        format(src, &Style::default()).unwrap()
    }

    #[test]
    fn lays_out_items_one_per_line() {
        let src = "package  a:b@1.0.0 ;\ninterface i{type t=list<u8>;record r{a:u32,b:string}\nf:async func(x:stream<u8>)->future<result<_,e>>;}\n";
        assert_eq!(
            fmt(src),
            "package a:b@1.0.0;\n\ninterface i {\n  type t = list<u8>;\n  record r {\n    a: u32,\n    b: string,\n  }\n  f: async func(x: stream<u8>) -> future<result<_, e>>;\n}\n"
        );
    }

    #[test]
    fn keeps_comments_and_one_blank_line() {
        let src = "// head\npackage a:b;\ninterface i {\n\n  // about f\n  f: func(); // trailing\n\n\n\n  /// doc\n  @since(version = 0.2.0)\n  g: func(); /* after */\n}\n";
        assert_eq!(
            fmt(src),
            "// head\npackage a:b;\n\ninterface i {\n  // about f\n  f: func(); // trailing\n\n  /// doc\n  @since(version = 0.2.0)\n  g: func(); /* after */\n}\n"
        );
    }

    #[test]
    fn wraps_long_parameter_lists() {
        let src = "interface i { a-function-with-a-long-name: func(first-parameter: list<u8>, second-parameter: option<string>) -> result<u64, string>; }";
        assert_eq!(
            fmt(src),
            "interface i {\n  a-function-with-a-long-name: func(\n    first-parameter: list<u8>,\n    second-parameter: option<string>,\n  ) -> result<u64, string>;\n}\n"
        );
    }

    #[test]
    fn worlds_uses_and_paths() {
        let src = "world w{import wasi:io/poll@0.2.0;export run:func();import x:interface{use t.{a,b as c};}\ninclude a:b/c with{d as e}}";
        assert_eq!(
            fmt(src),
            "world w {\n  import wasi:io/poll@0.2.0;\n  export run: func();\n  import x: interface {\n    use t.{a, b as c};\n  }\n  include a:b/c with {\n    d as e,\n  }\n}\n"
        );
    }

    #[test]
    fn a_comment_between_a_gate_and_its_item_keeps_its_own_line() {
        let src = "interface i {\n  @since(version = 0.2.0)\n  // note\n  resource r;\n}\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn a_doc_comment_goes_above_the_item_it_documents() {
        let src = "interface i {\n  f: func(); /// doc of g\n  g: func();\n}\n";
        assert_eq!(
            fmt(src),
            "interface i {\n  f: func();\n  /// doc of g\n  g: func();\n}\n"
        );
        let src = "interface i {\n  enum e { a, /// doc of b\n    b }\n}\n";
        assert_eq!(
            fmt(src),
            "interface i {\n  enum e {\n    a,\n    /// doc of b\n    b,\n  }\n}\n"
        );
    }

    #[test]
    fn formatting_is_idempotent() {
        let src = "package a:b;\ninterface i {\n  f: func(a: u32, // why\n    b: u32);\n  record r { a: u32, /* c */ b: u32 }\n}\n";
        let once = fmt(src);
        assert_eq!(fmt(&once), once);
    }
}
