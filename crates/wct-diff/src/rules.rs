//! The catalogue of diff rules: one entry per kind of change, with a stable id, a summary,
//! the default effect on each side and the bump the change needs when no gate softens it.
//! `docs/diff-rules.md` documents each with an example; a test checks both stay in step.
//! Rules are named by [`RuleId`], so a mistyped id does not compile; adding a rule is one entry
//! of the `catalogue!` table (id, name and named fields, including per-rule behaviour such as
//! `about_stability_gates`), its case in `tests/rules.rs` and its doc section, each enforced by
//! a test.

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

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An interface as a whole.
    Interface,
    /// A function: its presence, parameters, result or asyncness.
    Function,
    /// A type or a part of one.
    Type,
    /// A `@since` or `@unstable` gate.
    Gate,
    /// A world as a whole or one of its imports or exports.
    World,
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. [`RuleId::FuncRemoved`] (`func-removed`).
    pub id: RuleId,
    /// What it is about.
    pub subject: Subject,
    /// One-line description.
    pub summary: &'static str,
    /// The two sides and the effect on each.
    pub effects: [(Side, Effect); 2],
    /// The bump needed without a gate.
    pub bump: Bump,
    /// An addition that a `@since(version = NEW)` gate turns into a compatible (minor) change.
    pub softened_by_since: bool,
    /// A change of the gates themselves (stabilized, made unstable): reported even when an
    /// `@unstable` gate hides the item from everyone else.
    pub about_stability_gates: bool,
}

use Effect::{Breaking, Compatible};
use Side::{Callers, Components, Hosts, Implementers};

/// The whole catalogue in one table: each rule's id, its stable name and its entry. The macro
/// makes [`RuleId`] (one variant per rule), [`RuleId::as_str`] and [`CATALOGUE`] from it, so
/// a new rule is added in this one place (plus its test case and doc section, both enforced).
macro_rules! catalogue {
    ($($id:ident = $name:literal { $($field:ident: $value:expr),* $(,)? })*) => {
        /// The id of a rule of the [`CATALOGUE`]: a typo is a compile error, not a panic at run
        /// time. Serialized (and displayed) as its stable kebab-case name, e.g. `func-removed`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $name, "`")]
                $id,
            )*
        }

        impl RuleId {
            /// The stable kebab-case name used in reports, JSON, configs and the docs.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$id => $name,)*
                }
            }
        }

        /// Every rule, in documentation order.
        pub const CATALOGUE: &[Rule] = &[
            $(Rule { id: RuleId::$id, $($field: $value),* },)*
        ];
    };
}

catalogue! {
    InterfaceAdded = "interface-added" {
        subject: Subject::Interface,
        summary: "a new interface in the package",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    }
    InterfaceRemoved = "interface-removed" {
        subject: Subject::Interface,
        summary: "an interface was removed from the package",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncAdded = "func-added" {
        subject: Subject::Function,
        summary: "a function was added to an interface: a new obligation for implementers",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    }
    FuncRemoved = "func-removed" {
        subject: Subject::Function,
        summary: "a function was removed",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncParamAdded = "func-param-added" {
        subject: Subject::Function,
        summary: "a function gained a parameter",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncParamRemoved = "func-param-removed" {
        subject: Subject::Function,
        summary: "a function lost a parameter",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncParamRenamed = "func-param-renamed" {
        subject: Subject::Function,
        summary: "a parameter was renamed (names are part of component function types)",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncParamTypeChanged = "func-param-type-changed" {
        subject: Subject::Function,
        summary: "a parameter's type changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncResultChanged = "func-result-changed" {
        subject: Subject::Function,
        summary: "a function's result type changed, appeared or disappeared",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FuncAsyncChanged = "func-async-changed" {
        subject: Subject::Function,
        summary: "a function became async or stopped being async: async is part of a component \
         function's type, so code built against one form does not link against the other",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    StreamElementChanged = "stream-element-changed" {
        subject: Subject::Type,
        summary: "the element type of a `stream` parameter or result changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FutureElementChanged = "future-element-changed" {
        subject: Subject::Type,
        summary: "the value type of a `future` parameter or result changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    ListStreamChanged = "list-stream-changed" {
        subject: Subject::Type,
        summary:
            "a `list<T>` became a `stream<T>` or back: same elements, another way to pass them",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    ValueFutureChanged = "value-future-changed" {
        subject: Subject::Type,
        summary: "a value `T` became a `future<T>` or back: the same value, delivered later or now",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    TypeAdded = "type-added" {
        subject: Subject::Type,
        summary: "a new type in an interface",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    }
    TypeRemoved = "type-removed" {
        subject: Subject::Type,
        summary: "a type was removed from an interface",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    TypeChanged = "type-changed" {
        subject: Subject::Type,
        summary: "a type became a different kind of type or an alias of a different type",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    RecordFieldAdded = "record-field-added" {
        subject: Subject::Type,
        summary: "a record gained a field (records match exactly)",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    RecordFieldRemoved = "record-field-removed" {
        subject: Subject::Type,
        summary: "a record lost a field",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    RecordFieldTypeChanged = "record-field-type-changed" {
        subject: Subject::Type,
        summary: "a record field's type changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    VariantCaseAdded = "variant-case-added" {
        subject: Subject::Type,
        summary: "a variant gained a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    VariantCaseRemoved = "variant-case-removed" {
        subject: Subject::Type,
        summary: "a variant lost a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    VariantCaseTypeChanged = "variant-case-type-changed" {
        subject: Subject::Type,
        summary: "a variant case's payload changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    EnumCaseAdded = "enum-case-added" {
        subject: Subject::Type,
        summary: "an enum gained a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    EnumCaseRemoved = "enum-case-removed" {
        subject: Subject::Type,
        summary: "an enum lost a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FlagsFlagAdded = "flags-flag-added" {
        subject: Subject::Type,
        summary: "a flags type gained a flag",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    FlagsFlagRemoved = "flags-flag-removed" {
        subject: Subject::Type,
        summary: "a flags type lost a flag",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    ResourceMethodAdded = "resource-method-added" {
        subject: Subject::Type,
        summary: "a resource gained a method, constructor or static function",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    }
    ResourceMethodRemoved = "resource-method-removed" {
        subject: Subject::Type,
        summary: "a resource lost a method, constructor or static function",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    SinceGateAdded = "since-gate-added" {
        subject: Subject::Gate,
        summary: "an existing item gained a `@since` gate",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    }
    SinceGateChanged = "since-gate-changed" {
        subject: Subject::Gate,
        summary: "the version in an item's `@since` gate changed",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    }
    SinceGateRemoved = "since-gate-removed" {
        subject: Subject::Gate,
        summary: "an item lost its `@since` gate",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    }
    UnstableFeatureStabilized = "unstable-feature-stabilized" {
        subject: Subject::Gate,
        summary: "an `@unstable` item became stable (`@since`)",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: true,
    }
    ItemMadeUnstable = "item-made-unstable" {
        subject: Subject::Gate,
        summary: "a stable item became `@unstable`: stable users lose it",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: true,
    }
    WorldAdded = "world-added" {
        subject: Subject::World,
        summary: "a new world in the package",
        effects: [(Hosts, Compatible), (Components, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    }
    WorldRemoved = "world-removed" {
        subject: Subject::World,
        summary: "a world was removed",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    WorldImportAdded = "world-import-added" {
        subject: Subject::World,
        summary: "a world imports something new: hosts must provide it",
        effects: [(Hosts, Breaking), (Components, Compatible)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    }
    WorldImportRemoved = "world-import-removed" {
        subject: Subject::World,
        summary: "a world no longer imports something components may use",
        effects: [(Hosts, Compatible), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    WorldExportAdded = "world-export-added" {
        subject: Subject::World,
        summary: "a world exports something new: components must provide it",
        effects: [(Hosts, Compatible), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    }
    WorldExportRemoved = "world-export-removed" {
        subject: Subject::World,
        summary: "a world no longer exports something hosts may call",
        effects: [(Hosts, Breaking), (Components, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    WorldImportChanged = "world-import-changed" {
        subject: Subject::World,
        summary: "an import of a world changed type or interface version",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
    WorldExportChanged = "world-export-changed" {
        subject: Subject::World,
        summary: "an export of a world changed type or interface version",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    }
}

impl RuleId {
    /// The rule with this name, if any.
    pub fn from_name(name: &str) -> Option<RuleId> {
        CATALOGUE
            .iter()
            .map(|r| r.id)
            .find(|id| id.as_str() == name)
    }

    /// The catalogue entry of this id.
    pub fn rule(self) -> &'static Rule {
        CATALOGUE
            .iter()
            .find(|r| r.id == self)
            .expect("every RuleId has a catalogue entry (tested)")
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Looks up a rule by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RuleId::from_name(id).map(RuleId::rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    }

    #[test]
    fn every_id_has_one_entry_and_round_trips() {
        for rule in CATALOGUE {
            assert_eq!(rule.id.rule(), rule);
            assert_eq!(RuleId::from_name(rule.id.as_str()), Some(rule.id));
        }
        assert_eq!(RuleId::from_name("no-such-rule"), None);
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
