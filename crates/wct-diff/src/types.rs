//! Structural equality of WIT types across two `Resolve`s.
//!
//! Aliases are followed, so `type meters = f64` used where `f64` was is no change. Resources
//! are nominal: they are the same when they have the same name in an interface of the same
//! name (package version ignored).

use crate::rules::RuleId;
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId, TypeOwner};

/// Follows alias chains (`type a = b`) down to a non-alias type.
pub fn unalias(resolve: &Resolve, mut ty: Type) -> Type {
    while let Type::Id(id) = ty {
        match &resolve.types[id].kind {
            TypeDefKind::Type(inner) => ty = *inner,
            _ => break,
        }
    }
    ty
}

/// `ns:pkg/iface` of the interface owning `id` (no version), or the world's name.
pub fn owner_name(resolve: &Resolve, id: TypeId) -> String {
    match resolve.types[id].owner {
        TypeOwner::Interface(i) => {
            let iface = &resolve.interfaces[i];
            match (iface.package, &iface.name) {
                (Some(p), Some(n)) => {
                    let pkg = &resolve.packages[p].name;
                    format!("{}:{}/{n}", pkg.namespace, pkg.name)
                }
                _ => "(inline interface)".into(),
            }
        }
        TypeOwner::World(w) => resolve.worlds[w].name.clone(),
        TypeOwner::None => String::new(),
    }
}

/// Two resolves side by side.
#[derive(Clone, Copy)]
pub struct Pair<'a> {
    /// OLD.
    pub old: &'a Resolve,
    /// NEW.
    pub new: &'a Resolve,
}

impl Pair<'_> {
    /// True when `a` (in OLD) and `b` (in NEW) are the same type.
    pub fn same(&self, a: &Type, b: &Type) -> bool {
        let (a, b) = (unalias(self.old, *a), unalias(self.new, *b));
        match (a, b) {
            (Type::Id(a), Type::Id(b)) => self.same_def(a, b),
            (Type::Id(_), _) | (_, Type::Id(_)) => false,
            (a, b) => a == b,
        }
    }

    /// The specific rule for a change between WIT's asynchronous value types, when the change
    /// from `a` (old) to `b` (new) is one: a `stream` or `future` whose element type changed,
    /// `list<T>` <-> `stream<T>`, or `T` <-> `future<T>`.
    pub fn async_type_change(&self, a: &Type, b: &Type) -> Option<RuleId> {
        use TypeDefKind as K;
        fn kind(r: &Resolve, t: Type) -> Option<&TypeDefKind> {
            match unalias(r, t) {
                Type::Id(id) => Some(&r.types[id].kind),
                _ => None,
            }
        }
        match (kind(self.old, *a), kind(self.new, *b)) {
            (Some(K::Stream(_)), Some(K::Stream(_))) => Some(RuleId::StreamElementChanged),
            (Some(K::Future(_)), Some(K::Future(_))) => Some(RuleId::FutureElementChanged),
            (Some(K::List(x)), Some(K::Stream(Some(y))))
            | (Some(K::Stream(Some(x))), Some(K::List(y)))
                if self.same(x, y) =>
            {
                Some(RuleId::ListStreamChanged)
            }
            (_, Some(K::Future(Some(y)))) if self.same(a, y) => Some(RuleId::ValueFutureChanged),
            (Some(K::Future(Some(x))), _) if self.same(x, b) => Some(RuleId::ValueFutureChanged),
            _ => None,
        }
    }

    fn same_opt(&self, a: &Option<Type>, b: &Option<Type>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => self.same(a, b),
            _ => false,
        }
    }

    fn same_resource(&self, a: TypeId, b: TypeId) -> bool {
        self.old.types[a].name == self.new.types[b].name
            && owner_name(self.old, a) == owner_name(self.new, b)
    }

    fn same_def(&self, a: TypeId, b: TypeId) -> bool {
        use TypeDefKind as K;
        match (&self.old.types[a].kind, &self.new.types[b].kind) {
            (K::Record(x), K::Record(y)) => {
                x.fields.len() == y.fields.len()
                    && x.fields
                        .iter()
                        .zip(&y.fields)
                        .all(|(f, g)| f.name == g.name && self.same(&f.ty, &g.ty))
            }
            (K::Resource, K::Resource) => self.same_resource(a, b),
            (K::Handle(x), K::Handle(y)) => match (x, y) {
                (Handle::Own(x), Handle::Own(y)) | (Handle::Borrow(x), Handle::Borrow(y)) => {
                    self.same(&Type::Id(*x), &Type::Id(*y))
                }
                _ => false,
            },
            (K::Flags(x), K::Flags(y)) => {
                x.flags.len() == y.flags.len()
                    && x.flags.iter().zip(&y.flags).all(|(f, g)| f.name == g.name)
            }
            (K::Tuple(x), K::Tuple(y)) => {
                x.types.len() == y.types.len()
                    && x.types.iter().zip(&y.types).all(|(s, t)| self.same(s, t))
            }
            (K::Variant(x), K::Variant(y)) => {
                x.cases.len() == y.cases.len()
                    && x.cases
                        .iter()
                        .zip(&y.cases)
                        .all(|(c, d)| c.name == d.name && self.same_opt(&c.ty, &d.ty))
            }
            (K::Enum(x), K::Enum(y)) => {
                x.cases.len() == y.cases.len()
                    && x.cases.iter().zip(&y.cases).all(|(c, d)| c.name == d.name)
            }
            (K::Option(x), K::Option(y)) | (K::List(x), K::List(y)) => self.same(x, y),
            (K::Result(x), K::Result(y)) => {
                self.same_opt(&x.ok, &y.ok) && self.same_opt(&x.err, &y.err)
            }
            (K::Map(k1, v1), K::Map(k2, v2)) => self.same(k1, k2) && self.same(v1, v2),
            (K::FixedLengthList(x, n), K::FixedLengthList(y, m)) => n == m && self.same(x, y),
            (K::Future(x), K::Future(y)) | (K::Stream(x), K::Stream(y)) => self.same_opt(x, y),
            (K::Type(x), K::Type(y)) => self.same(x, y),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(src: &str) -> Resolve {
        let mut r = Resolve::default();
        r.push_str("t.wit", src).unwrap();
        r
    }

    fn func_param(r: &Resolve, name: &str) -> Type {
        let iface = r.interfaces.iter().next().unwrap().1;
        iface.functions[name].params[0].ty
    }

    #[test]
    fn aliases_are_transparent_and_records_structural() {
        let old = resolve(
            "package a:b; interface i { record p { x: f64 } f: func(a: p); g: func(m: f64); }",
        );
        let new = resolve("package a:b; interface i { type meters = f64; record p { x: meters } f: func(a: p); g: func(m: meters); }");
        let pair = Pair {
            old: &old,
            new: &new,
        };
        assert!(pair.same(&func_param(&old, "f"), &func_param(&new, "f")));
        assert!(pair.same(&func_param(&old, "g"), &func_param(&new, "g")));
        let changed = resolve(
            "package a:b; interface i { record p { x: f32 } f: func(a: p); g: func(m: f64); }",
        );
        let pair = Pair {
            old: &old,
            new: &changed,
        };
        assert!(!pair.same(&func_param(&old, "f"), &func_param(&changed, "f")));
    }
}
