//! The concrete syntax tree: nodes of a known kind whose children are tokens (comments and
//! whitespace included, where they occur) and nested nodes. Reading the tokens of the tree in
//! order gives back the source, byte for byte.

use crate::lexer::Token;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A whole file.
    File,
    /// `package ns:name@1.0.0;`
    PackageDecl,
    /// `package ns:name { ... }`
    NestedPackage,
    /// `use ns:name/iface@1.0.0 as name;` outside any interface or world.
    TopLevelUse,
    /// `interface name { ... }`
    Interface,
    /// `world name { ... }`
    World,
    /// `@since(version = 1.0.0)`, `@unstable(feature = x)`, `@deprecated(...)`.
    Gate,
    /// A `{ ... }` holding items, each on its own line.
    Block,
    /// A `{ ... }` of comma-separated fields, cases or names, each on its own line.
    List,
    /// `use path.{a, b as c};` inside an interface or world.
    Use,
    /// The `.{a, b as c}` of a `use`.
    UseNames,
    /// A package, interface or world reference: `wasi:io/streams@0.2.0`, `types`.
    Path,
    /// `type name = ty;`
    TypeAlias,
    /// `record name { ... }`
    Record,
    /// `variant name { ... }`
    Variant,
    /// `enum name { ... }`
    Enum,
    /// `flags name { ... }`
    Flags,
    /// `resource name;` or `resource name { ... }`
    Resource,
    /// A record field, variant case, enum case or flag.
    Field,
    /// `name: func(...) -> ty;` (also methods and static functions of resources).
    Func,
    /// `constructor(...);`
    Constructor,
    /// `async func(...) -> ty`, `static func(...)`: a function's type.
    FuncType,
    /// `( ... )` of parameters.
    Params,
    /// `name: ty` in a parameter list.
    Param,
    /// A type expression: `list<tuple<u8, string>>`.
    Type,
    /// `import ...` in a world.
    Import,
    /// `export ...` in a world.
    Export,
    /// `include path with { a as b };` in a world.
    Include,
}

/// A child of a node.
#[derive(Debug, Clone)]
pub enum Element {
    /// A token, significant or trivia.
    Token(Token),
    /// A nested node.
    Node(Node),
}

/// A node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its tokens and nodes, in source order.
    pub children: Vec<Element>,
}

impl Node {
    /// The nested nodes, in order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Element::Node(n) => Some(n),
            Element::Token(_) => None,
        })
    }

    /// Every token below this node, in source order.
    pub fn tokens(&self) -> Vec<&Token> {
        let mut out = Vec::new();
        self.collect_tokens(&mut out);
        out
    }

    fn collect_tokens<'a>(&'a self, out: &mut Vec<&'a Token>) {
        for child in &self.children {
            match child {
                Element::Token(t) => out.push(t),
                Element::Node(n) => n.collect_tokens(out),
            }
        }
    }

    /// True when a line comment sits anywhere below this node.
    pub fn has_line_comment(&self) -> bool {
        self.tokens().iter().any(|t| {
            matches!(
                t.kind,
                crate::lexer::TokenKind::LineComment | crate::lexer::TokenKind::DocLineComment
            )
        })
    }
}
