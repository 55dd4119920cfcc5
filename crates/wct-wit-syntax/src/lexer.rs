//! The lossless lexer: every byte of the source lands in exactly one token, comments and
//! whitespace included, so the source is the concatenation of the tokens' texts.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Spaces, tabs and newlines.
    Whitespace,
    /// `// ...` up to the end of the line (not a doc comment).
    LineComment,
    /// `/// ...` up to the end of the line.
    DocLineComment,
    /// `/* ... */`, possibly nested (not a doc comment).
    BlockComment,
    /// `/** ... */`.
    DocBlockComment,
    /// A name or keyword: `interface`, `u32`, `get-environment`.
    Id,
    /// A `%`-escaped name: `%interface`.
    ExplicitId,
    /// Decimal digits.
    Integer,
    /// A double-quoted string (only in gates' arguments of some WIT dialects).
    String,
    /// One punctuation character, or `->`.
    Punct,
}

impl TokenKind {
    /// Whitespace and comments: everything the parser skips.
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace
                | TokenKind::LineComment
                | TokenKind::DocLineComment
                | TokenKind::BlockComment
                | TokenKind::DocBlockComment
        )
    }

    /// A `///` or `/** */` comment: documentation of the item that follows it.
    pub fn is_doc(self) -> bool {
        matches!(self, TokenKind::DocLineComment | TokenKind::DocBlockComment)
    }

    /// Any kind of comment.
    pub fn is_comment(self) -> bool {
        self.is_trivia() && self != TokenKind::Whitespace
    }
}

/// A token: its kind and where its text sits in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte range in the source.
    pub span: Range<usize>,
}

/// Source the lexer cannot split into tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range.
    pub span: Range<usize>,
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_id_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Splits `src` into tokens; their spans cover the source without gaps.
pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    let error = |message: &str, span: Range<usize>| LexError {
        message: message.to_string(),
        span,
    };
    while pos < src.len() {
        let start = pos;
        let c = src[pos..].chars().next().expect("not at the end");
        let kind = if c.is_whitespace() {
            pos += src[pos..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(src.len() - pos);
            TokenKind::Whitespace
        } else if src[pos..].starts_with("//") {
            pos += src[pos..].find('\n').unwrap_or(src.len() - pos);
            let text = &src[start..pos];
            if text.starts_with("///") && !text.starts_with("////") {
                TokenKind::DocLineComment
            } else {
                TokenKind::LineComment
            }
        } else if src[pos..].starts_with("/*") {
            let mut depth = 0usize;
            loop {
                if src[pos..].starts_with("/*") {
                    depth += 1;
                    pos += 2;
                } else if src[pos..].starts_with("*/") {
                    depth -= 1;
                    pos += 2;
                    if depth == 0 {
                        break;
                    }
                } else if pos >= src.len() {
                    return Err(error("unterminated block comment", start..start + 2));
                } else {
                    pos += src[pos..].chars().next().map_or(1, char::len_utf8);
                }
            }
            let text = &src[start..pos];
            if text.starts_with("/**") && !text.starts_with("/***") && text != "/**/" {
                TokenKind::DocBlockComment
            } else {
                TokenKind::BlockComment
            }
        } else if c == '%' {
            pos += 1;
            if !src[pos..].starts_with(is_id_start) {
                return Err(error("expected a name after `%`", start..pos));
            }
            pos += src[pos..]
                .find(|c: char| !is_id_continue(c))
                .unwrap_or(src.len() - pos);
            TokenKind::ExplicitId
        } else if is_id_start(c) {
            pos += src[pos..]
                .find(|c: char| !is_id_continue(c))
                .unwrap_or(src.len() - pos);
            TokenKind::Id
        } else if c.is_ascii_digit() {
            pos += src[pos..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(src.len() - pos);
            TokenKind::Integer
        } else if c == '"' {
            pos += 1;
            match src[pos..].find('"') {
                Some(end) => pos += end + 1,
                None => return Err(error("unterminated string", start..start + 1)),
            }
            TokenKind::String
        } else if src[pos..].starts_with("->") {
            pos += 2;
            TokenKind::Punct
        } else if b"=,:.;(){}<>*@/+-_".contains(&bytes[pos]) {
            pos += 1;
            TokenKind::Punct
        } else {
            let len = c.len_utf8();
            return Err(error(
                &format!("unexpected character {c:?}"),
                start..start + len,
            ));
        };
        tokens.push(Token {
            kind,
            span: start..pos,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, &src[t.span]))
            .collect()
    }

    #[test]
    fn every_byte_lands_in_one_token() {
        let src = "package a:b@1.0.0-rc.1;\n/// doc\n// note\ninterface %i { f: func() -> u32; /* x /* y */ */ }\n";
        let joined: String = kinds(src).iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, src);
    }

    #[test]
    fn comments_are_told_apart() {
        let toks = kinds("/// d\n// c\n//// c\n/** d */ /* c */ /**/");
        let comments: Vec<_> = toks.into_iter().filter(|(k, _)| k.is_comment()).collect();
        assert_eq!(
            comments.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [
                TokenKind::DocLineComment,
                TokenKind::LineComment,
                TokenKind::LineComment,
                TokenKind::DocBlockComment,
                TokenKind::BlockComment,
                TokenKind::BlockComment,
            ]
        );
    }

    #[test]
    fn bad_input_is_located() {
        let err = lex("interface i { /* open").unwrap_err();
        assert_eq!(err.span, 14..16);
        let err = lex("world w { $ }").unwrap_err();
        assert_eq!(err.span, 10..11);
    }
}
