//! A recursive-descent parser from tokens to the concrete syntax tree. It follows the grammar
//! of wit-parser 0.263 (WIT with `async func`, `stream`, `future`, `error-context`, gates and
//! nested packages) closely enough to give every item its node; semantic checks (names,
//! resolution) stay with wit-parser.

use crate::lexer::{lex, Token, TokenKind};
use crate::tree::{Element, Node, NodeKind};
use std::ops::Range;

/// Source that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range.
    pub span: Range<usize>,
}

/// Parses a WIT file into its tree.
pub fn parse(src: &str) -> std::result::Result<Node, ParseError> {
    let tokens = lex(src).map_err(|e| ParseError {
        message: e.message,
        span: e.span,
    })?;
    let mut parser = Parser {
        src,
        tokens,
        pos: 0,
        stack: vec![Node {
            kind: NodeKind::File,
            children: Vec::new(),
        }],
    };
    parser.file()?;
    Ok(parser.stack.pop().expect("the file node"))
}

type Result<T = ()> = std::result::Result<T, ParseError>;

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    stack: Vec<Node>,
}

impl Parser<'_> {
    /// Moves the trivia in front of the next significant token into the current node.
    fn trivia(&mut self) {
        while let Some(t) = self.tokens.get(self.pos) {
            if !t.kind.is_trivia() {
                break;
            }
            let t = t.clone();
            self.push(Element::Token(t));
            self.pos += 1;
        }
    }

    fn push(&mut self, element: Element) {
        self.stack
            .last_mut()
            .expect("a node is open")
            .children
            .push(element);
    }

    /// Opens a node; the trivia in front of it stays with the parent.
    fn start(&mut self, kind: NodeKind) {
        self.trivia();
        self.stack.push(Node {
            kind,
            children: Vec::new(),
        });
    }

    fn finish(&mut self) {
        let node = self.stack.pop().expect("a node is open");
        self.push(Element::Node(node));
    }

    /// The `n`th significant token from here.
    fn peek_nth(&self, n: usize) -> Option<&Token> {
        self.tokens[self.pos..]
            .iter()
            .filter(|t| !t.kind.is_trivia())
            .nth(n)
    }

    fn text_nth(&self, n: usize) -> &str {
        self.peek_nth(n).map_or("", |t| &self.src[t.span.clone()])
    }

    fn at(&self, text: &str) -> bool {
        self.peek_nth(0)
            .is_some_and(|t| t.kind != TokenKind::String && &self.src[t.span.clone()] == text)
    }

    fn at_kind(&self, kind: TokenKind) -> bool {
        self.peek_nth(0).is_some_and(|t| t.kind == kind)
    }

    fn at_name(&self) -> bool {
        self.at_kind(TokenKind::Id) || self.at_kind(TokenKind::ExplicitId)
    }

    fn bump(&mut self) {
        self.trivia();
        if let Some(t) = self.tokens.get(self.pos).cloned() {
            self.push(Element::Token(t));
            self.pos += 1;
        }
    }

    fn error<T>(&self, expected: &str) -> Result<T> {
        let (found, span) = match self.peek_nth(0) {
            Some(t) => (format!("`{}`", &self.src[t.span.clone()]), t.span.clone()),
            None => ("end of file".to_string(), self.src.len()..self.src.len()),
        };
        Err(ParseError {
            message: format!("expected {expected}, found {found}"),
            span,
        })
    }

    fn expect(&mut self, text: &str) -> Result {
        if self.at(text) {
            self.bump();
            Ok(())
        } else {
            self.error(&format!("`{text}`"))
        }
    }

    fn name(&mut self) -> Result {
        if self.at_name() {
            self.bump();
            Ok(())
        } else {
            self.error("a name")
        }
    }

    fn integer(&mut self) -> Result {
        if self.at_kind(TokenKind::Integer) {
            self.bump();
            Ok(())
        } else {
            self.error("a number")
        }
    }

    fn file(&mut self) -> Result {
        loop {
            self.trivia();
            if self.peek_nth(0).is_none() {
                return Ok(());
            }
            self.top_level_item()?;
        }
    }

    /// Items at the top of a file or inside a nested package.
    fn top_level_item(&mut self) -> Result {
        let gates = self.count_gates();
        let keyword = self.text_nth(gates).to_string();
        match keyword.as_str() {
            "package" => {
                // `package a:b;` or `package a:b { ... }`: the token after the path tells.
                self.start(NodeKind::PackageDecl);
                self.gates()?;
                self.expect("package")?;
                self.path()?;
                if self.at("{") {
                    self.stack.last_mut().expect("open").kind = NodeKind::NestedPackage;
                    self.block(Self::top_level_item)?;
                } else {
                    self.expect(";")?;
                }
            }
            "use" => {
                self.start(NodeKind::TopLevelUse);
                self.gates()?;
                self.expect("use")?;
                self.path()?;
                if self.at("as") {
                    self.bump();
                    self.name()?;
                }
                self.expect(";")?;
            }
            "interface" => {
                self.start(NodeKind::Interface);
                self.gates()?;
                self.bump();
                self.name()?;
                self.block(Self::interface_item)?;
            }
            "world" => {
                self.start(NodeKind::World);
                self.gates()?;
                self.bump();
                self.name()?;
                self.block(Self::world_item)?;
            }
            _ => {
                // Point at the keyword, past any gates.
                for _ in 0..gates {
                    self.skip_gate();
                }
                return self.error("`package`, `use`, `interface` or `world`");
            }
        }
        self.finish();
        Ok(())
    }

    /// How many gates (`@name(...)`) come next, without consuming them.
    fn count_gates(&self) -> usize {
        let mut n = 0;
        let mut count = 0;
        while self.text_nth(n) == "@" {
            n += 2;
            if self.text_nth(n) == "(" {
                while !matches!(self.text_nth(n), ")" | "") {
                    n += 1;
                }
                n += 1;
            }
            count = n;
        }
        count
    }

    fn skip_gate(&mut self) {
        // Used only on the error path: moves past tokens without building nodes.
        self.pos += 1;
    }

    fn gates(&mut self) -> Result {
        while self.at("@") {
            self.start(NodeKind::Gate);
            self.bump();
            self.name()?;
            if self.at("(") {
                self.bump();
                while !self.at(")") {
                    if self.peek_nth(0).is_none() {
                        return self.error("`)`");
                    }
                    self.bump();
                }
                self.bump();
            }
            self.finish();
        }
        Ok(())
    }

    /// `{ item* }` with `item` parsing one item.
    fn block(&mut self, item: fn(&mut Self) -> Result) -> Result {
        self.start(NodeKind::Block);
        self.expect("{")?;
        loop {
            self.trivia();
            if self.at("}") {
                break;
            }
            if self.peek_nth(0).is_none() {
                return self.error("`}`");
            }
            item(self)?;
        }
        self.bump();
        self.finish();
        Ok(())
    }

    /// `{ field, field, ... }` with `field` parsing one entry.
    fn list(&mut self, field: fn(&mut Self) -> Result) -> Result {
        self.separated(NodeKind::List, ("{", "}"), NodeKind::Field, field)
    }

    /// `open entry, entry, ... close` (a trailing comma allowed) as a `kind` node whose
    /// entries are `entry_kind` nodes.
    fn separated(
        &mut self,
        kind: NodeKind,
        (open, close): (&str, &str),
        entry_kind: NodeKind,
        entry: fn(&mut Self) -> Result,
    ) -> Result {
        self.start(kind);
        self.expect(open)?;
        loop {
            self.trivia();
            if self.at(close) {
                break;
            }
            self.start(entry_kind);
            entry(self)?;
            self.finish();
            if self.at(",") {
                self.bump();
            } else if !self.at(close) {
                return self.error(&format!("`,` or `{close}`"));
            }
        }
        self.bump();
        self.finish();
        Ok(())
    }

    /// `ns:pkg/iface@version`, any of the parts optional but the first name.
    fn path(&mut self) -> Result {
        self.start(NodeKind::Path);
        self.name()?;
        while self.at(":") || self.at("/") {
            self.bump();
            self.name()?;
        }
        if self.at("@") {
            self.bump();
            self.version()?;
        }
        self.finish();
        Ok(())
    }

    /// `1.2.3`, then an optional `-pre.release` and `+build` (as wit-parser reads them).
    fn version(&mut self) -> Result {
        self.integer()?;
        self.expect(".")?;
        self.integer()?;
        self.expect(".")?;
        self.integer()?;
        for prefix in ["-", "+"] {
            if !self.at(prefix) {
                continue;
            }
            self.bump();
            loop {
                let part = |t: Option<&Token>, src: &str| {
                    t.is_some_and(|t| {
                        matches!(t.kind, TokenKind::Id | TokenKind::Integer)
                            || &src[t.span.clone()] == "-"
                    })
                };
                if part(self.peek_nth(0), self.src) {
                    self.bump();
                } else if self.at(".") && part(self.peek_nth(1), self.src) {
                    self.bump();
                    self.bump();
                } else {
                    break;
                }
            }
        }
        Ok(())
    }

    fn interface_item(&mut self) -> Result {
        let gates = self.count_gates();
        let keyword = self.text_nth(gates).to_string();
        let is_keyword = self
            .peek_nth(gates)
            .is_some_and(|t| t.kind == TokenKind::Id)
            && self.text_nth(gates + 1) != ":";
        match keyword.as_str() {
            "use" if is_keyword => self.use_item(),
            "type" | "record" | "variant" | "enum" | "flags" | "resource" if is_keyword => {
                self.type_def(&keyword)
            }
            _ => self.func_item(),
        }
    }

    fn use_item(&mut self) -> Result {
        self.start(NodeKind::Use);
        self.gates()?;
        self.expect("use")?;
        self.path()?;
        self.expect(".")?;
        self.start(NodeKind::UseNames);
        self.expect("{")?;
        while !self.at("}") {
            self.name()?;
            if self.at("as") {
                self.bump();
                self.name()?;
            }
            if self.at(",") {
                self.bump();
            } else if !self.at("}") {
                return self.error("`,` or `}`");
            }
        }
        self.bump();
        self.finish();
        self.expect(";")?;
        self.finish();
        Ok(())
    }

    fn type_def(&mut self, keyword: &str) -> Result {
        let kind = match keyword {
            "type" => NodeKind::TypeAlias,
            "record" => NodeKind::Record,
            "variant" => NodeKind::Variant,
            "enum" => NodeKind::Enum,
            "flags" => NodeKind::Flags,
            _ => NodeKind::Resource,
        };
        self.start(kind);
        self.gates()?;
        self.bump();
        self.name()?;
        match kind {
            NodeKind::TypeAlias => {
                self.expect("=")?;
                self.ty()?;
                self.expect(";")?;
            }
            NodeKind::Record => self.list(|p| {
                p.name()?;
                p.expect(":")?;
                p.ty()
            })?,
            NodeKind::Variant => self.list(|p| {
                p.name()?;
                if p.at("(") {
                    p.bump();
                    p.ty()?;
                    p.expect(")")?;
                }
                Ok(())
            })?,
            NodeKind::Enum | NodeKind::Flags => self.list(Self::name)?,
            _ => {
                if self.at("{") {
                    self.block(Self::resource_item)?;
                } else {
                    self.expect(";")?;
                }
            }
        }
        self.finish();
        Ok(())
    }

    fn resource_item(&mut self) -> Result {
        let gates = self.count_gates();
        if self.text_nth(gates) == "constructor" && self.text_nth(gates + 1) == "(" {
            self.start(NodeKind::Constructor);
            self.gates()?;
            self.bump();
            self.params()?;
            if self.at("->") {
                self.bump();
                self.ty()?;
            }
            self.expect(";")?;
            self.finish();
            return Ok(());
        }
        self.func_item()
    }

    /// `name: [static] [async] func(...) [-> ty];` (or an accessor, `get(...)`/`set(...)`)
    fn func_item(&mut self) -> Result {
        self.start(NodeKind::Func);
        self.gates()?;
        self.name()?;
        self.expect(":")?;
        self.func_type()?;
        self.expect(";")?;
        self.finish();
        Ok(())
    }

    fn func_type(&mut self) -> Result {
        self.start(NodeKind::FuncType);
        if self.at("static") {
            self.bump();
        }
        if self.at("async") {
            self.bump();
            self.expect("func")?;
        } else if (self.at("get") || self.at("set")) && self.text_nth(1) == "(" {
            // Accessors: `prop: get() -> ty;`, `prop: set(value: ty);`
            self.bump();
        } else {
            self.expect("func")?;
        }
        self.params()?;
        if self.at("->") {
            self.bump();
            self.ty()?;
        }
        self.finish();
        Ok(())
    }

    fn params(&mut self) -> Result {
        self.separated(NodeKind::Params, ("(", ")"), NodeKind::Param, |p| {
            p.name()?;
            p.expect(":")?;
            p.ty()
        })
    }

    /// A type: a name, optionally with `<...>` arguments (types or a list length).
    fn ty(&mut self) -> Result {
        self.start(NodeKind::Type);
        self.name()?;
        if self.at("<") {
            self.bump();
            // `tuple<>` and a trailing comma (`tuple<u32,>`) are accepted.
            while !self.at(">") {
                if self.at_kind(TokenKind::Integer) {
                    self.bump();
                } else {
                    self.ty()?;
                }
                if self.at(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            self.expect(">")?;
        }
        self.finish();
        Ok(())
    }

    fn world_item(&mut self) -> Result {
        let gates = self.count_gates();
        let keyword = self.text_nth(gates).to_string();
        let is_keyword = self
            .peek_nth(gates)
            .is_some_and(|t| t.kind == TokenKind::Id);
        match keyword.as_str() {
            "import" | "export" if is_keyword => {
                self.start(if keyword == "import" {
                    NodeKind::Import
                } else {
                    NodeKind::Export
                });
                self.gates()?;
                self.bump();
                let named = self.at_name()
                    && self.text_nth(1) == ":"
                    && (matches!(self.text_nth(2), "func" | "async" | "interface")
                        || matches!(self.text_nth(2), "get" | "set") && self.text_nth(3) == "(");
                if named {
                    self.name()?;
                    self.expect(":")?;
                    if self.at("interface") {
                        self.bump();
                        self.block(Self::interface_item)?;
                    } else {
                        self.func_type()?;
                        self.expect(";")?;
                    }
                } else {
                    self.path()?;
                    self.expect(";")?;
                }
                self.finish();
                Ok(())
            }
            "include" if is_keyword => {
                self.start(NodeKind::Include);
                self.gates()?;
                self.bump();
                self.path()?;
                if self.at("with") {
                    self.bump();
                    self.list(|p| {
                        p.name()?;
                        p.expect("as")?;
                        p.name()
                    })?;
                } else {
                    self.expect(";")?;
                }
                self.finish();
                Ok(())
            }
            "use" if is_keyword => self.use_item(),
            "type" | "record" | "variant" | "enum" | "flags" | "resource" if is_keyword => {
                self.type_def(&keyword)
            }
            _ => {
                for _ in 0..gates {
                    self.skip_gate();
                }
                self.error("`import`, `export`, `include`, `use` or a type definition")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(node: &Node, out: &mut Vec<NodeKind>) {
        out.push(node.kind);
        for n in node.nodes() {
            kinds(n, out);
        }
    }

    #[test]
    fn the_tree_keeps_every_byte() {
        let src = "package a:b@1.0.0;\n\n// c\ninterface i {\n  /// d\n  f: async func(x: stream<u8>) -> future<result<_, e>>; // t\n  record r { a: u32, /* x */ }\n}\nworld w { import i; export g: func(); include a:b/w with { a as b } }\n";
        let tree = parse(src).unwrap();
        let joined: String = tree.tokens().iter().map(|t| &src[t.span.clone()]).collect();
        assert_eq!(joined, src);
        let mut seen = Vec::new();
        kinds(&tree, &mut seen);
        for kind in [
            NodeKind::PackageDecl,
            NodeKind::Interface,
            NodeKind::Func,
            NodeKind::FuncType,
            NodeKind::Record,
            NodeKind::World,
            NodeKind::Import,
            NodeKind::Export,
            NodeKind::Include,
        ] {
            assert!(seen.contains(&kind), "{kind:?} in {seen:?}");
        }
    }

    #[test]
    fn errors_point_at_the_token() {
        let src = "interface i { f: func(; }";
        let err = parse(src).unwrap_err();
        assert_eq!(&src[err.span.clone()], ";");
        assert_eq!(err.message, "expected a name, found `;`");
    }
}
