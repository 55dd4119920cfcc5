//! The catalogue of diff rules: one entry per kind of change, with a stable id, a summary,
//! the default effect on each side and the bump the change needs when no gate softens it.
//! `docs/diff-rules.md` documents each with an example; a test checks both stay in step.

use serde::Serialize;

/// A semver bump, ordered from none to major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No version change needed.
    None,
    /// A patch release.
    Patch,
    /// A minor release (compatible addition).
    Minor,
    /// A major release (breaking change).
    Major,
}

impl Bump {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// Whether a change breaks a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Existing code on this side keeps working.
    Compatible,
    /// Existing code on this side stops working (or gains an obligation).
    Breaking,
}

/// The parties a change can affect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Code that imports an interface and calls it.
    Callers,
    /// Code that exports (implements) an interface.
    Implementers,
    /// Runtimes that run components of a world: provide its imports, call its exports.
    Hosts,
    /// Components that target a world: use its imports, provide its exports.
    Components,
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. `func-removed`.
    pub id: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// The two sides and the effect on each.
    pub effects: [(Side, Effect); 2],
    /// The bump needed without a gate.
    pub bump: Bump,
    /// An addition that a `@since(version = NEW)` gate turns into a compatible (minor) change.
    pub softened_by_since: bool,
}

use Effect::{Breaking as B, Compatible as C};
use Side::{Callers, Components, Hosts, Implementers};

const fn iface(
    id: &'static str,
    summary: &'static str,
    callers: Effect,
    implementers: Effect,
    bump: Bump,
    softened_by_since: bool,
) -> Rule {
    Rule {
        id,
        summary,
        effects: [(Callers, callers), (Implementers, implementers)],
        bump,
        softened_by_since,
    }
}

const fn world(
    id: &'static str,
    summary: &'static str,
    hosts: Effect,
    components: Effect,
    bump: Bump,
    softened_by_since: bool,
) -> Rule {
    Rule {
        id,
        summary,
        effects: [(Hosts, hosts), (Components, components)],
        bump,
        softened_by_since,
    }
}

/// Every rule, in documentation order.
pub const CATALOGUE: &[Rule] = &[
    iface(
        "interface-added",
        "a new interface in the package",
        C,
        C,
        Bump::Minor,
        false,
    ),
    iface(
        "interface-removed",
        "an interface was removed from the package",
        B,
        C,
        Bump::Major,
        false,
    ),
    iface(
        "func-added",
        "a function was added to an interface: a new obligation for implementers",
        C,
        B,
        Bump::Major,
        true,
    ),
    iface(
        "func-removed",
        "a function was removed",
        B,
        C,
        Bump::Major,
        false,
    ),
    iface(
        "func-param-added",
        "a function gained a parameter",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "func-param-removed",
        "a function lost a parameter",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "func-param-renamed",
        "a parameter was renamed (names are part of component function types)",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "func-param-type-changed",
        "a parameter's type changed",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "func-result-changed",
        "a function's result type changed, appeared or disappeared",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "func-async-changed",
        "a function became async or stopped being async: async is part of a component \
         function's type, so code built against one form does not link against the other",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "stream-element-changed",
        "the element type of a `stream` parameter or result changed",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "future-element-changed",
        "the value type of a `future` parameter or result changed",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "list-stream-changed",
        "a `list<T>` became a `stream<T>` or back: same elements, another way to pass them",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "value-future-changed",
        "a value `T` became a `future<T>` or back: the same value, delivered later or now",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "type-added",
        "a new type in an interface",
        C,
        C,
        Bump::Minor,
        false,
    ),
    iface(
        "type-removed",
        "a type was removed from an interface",
        B,
        C,
        Bump::Major,
        false,
    ),
    iface(
        "type-changed",
        "a type became a different kind of type or an alias of a different type",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "record-field-added",
        "a record gained a field (records match exactly)",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "record-field-removed",
        "a record lost a field",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "record-field-type-changed",
        "a record field's type changed",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "variant-case-added",
        "a variant gained a case",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "variant-case-removed",
        "a variant lost a case",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "variant-case-type-changed",
        "a variant case's payload changed",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "enum-case-added",
        "an enum gained a case",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "enum-case-removed",
        "an enum lost a case",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "flags-flag-added",
        "a flags type gained a flag",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "flags-flag-removed",
        "a flags type lost a flag",
        B,
        B,
        Bump::Major,
        false,
    ),
    iface(
        "resource-method-added",
        "a resource gained a method, constructor or static function",
        C,
        B,
        Bump::Major,
        true,
    ),
    iface(
        "resource-method-removed",
        "a resource lost a method, constructor or static function",
        B,
        C,
        Bump::Major,
        false,
    ),
    iface(
        "since-gate-added",
        "an existing item gained a `@since` gate",
        C,
        C,
        Bump::Patch,
        false,
    ),
    iface(
        "since-gate-changed",
        "the version in an item's `@since` gate changed",
        C,
        C,
        Bump::Patch,
        false,
    ),
    iface(
        "since-gate-removed",
        "an item lost its `@since` gate",
        C,
        C,
        Bump::Patch,
        false,
    ),
    iface(
        "unstable-feature-stabilized",
        "an `@unstable` item became stable (`@since`)",
        C,
        B,
        Bump::Minor,
        false,
    ),
    iface(
        "item-made-unstable",
        "a stable item became `@unstable`: stable users lose it",
        B,
        B,
        Bump::Major,
        false,
    ),
    world(
        "world-added",
        "a new world in the package",
        C,
        C,
        Bump::Minor,
        false,
    ),
    world(
        "world-removed",
        "a world was removed",
        B,
        B,
        Bump::Major,
        false,
    ),
    world(
        "world-import-added",
        "a world imports something new: hosts must provide it",
        B,
        C,
        Bump::Major,
        true,
    ),
    world(
        "world-import-removed",
        "a world no longer imports something components may use",
        C,
        B,
        Bump::Major,
        false,
    ),
    world(
        "world-export-added",
        "a world exports something new: components must provide it",
        C,
        B,
        Bump::Major,
        true,
    ),
    world(
        "world-export-removed",
        "a world no longer exports something hosts may call",
        B,
        C,
        Bump::Major,
        false,
    ),
    world(
        "world-import-changed",
        "an import of a world changed type or interface version",
        B,
        B,
        Bump::Major,
        false,
    ),
    world(
        "world-export-changed",
        "an export of a world changed type or interface version",
        B,
        B,
        Bump::Major,
        false,
    ),
];

/// Looks up a rule by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    }

    #[test]
    fn every_rule_is_documented() {
        let doc = include_str!("../../../docs/diff-rules.md");
        for rule in CATALOGUE {
            assert!(
                doc.contains(&format!("### `{}`", rule.id)),
                "docs/diff-rules.md lacks `{}`",
                rule.id
            );
        }
    }
}
