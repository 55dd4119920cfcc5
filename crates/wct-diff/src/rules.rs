//! The catalogue of diff rules: one entry per kind of change, with a stable id, a summary,
//! the default effect on each side and the bump the change needs when no gate softens it.
//! `docs/diff-rules.md` documents each with an example; a test checks both stay in step.
//! Rules are named by [`RuleId`], so a mistyped id does not compile; adding a rule is a variant,
//! its catalogue entry (named fields, including per-rule behaviour such as
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

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. [`RuleId::FuncRemoved`] (`func-removed`).
    pub id: RuleId,
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

/// The id of a rule of the [`CATALOGUE`]: a typo is a compile error, not a panic at run time.
/// Serialized (and displayed) as its stable kebab-case name, e.g. `func-removed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// `interface-added`
    InterfaceAdded,
    /// `interface-removed`
    InterfaceRemoved,
    /// `func-added`
    FuncAdded,
    /// `func-removed`
    FuncRemoved,
    /// `func-param-added`
    FuncParamAdded,
    /// `func-param-removed`
    FuncParamRemoved,
    /// `func-param-renamed`
    FuncParamRenamed,
    /// `func-param-type-changed`
    FuncParamTypeChanged,
    /// `func-result-changed`
    FuncResultChanged,
    /// `func-async-changed`
    FuncAsyncChanged,
    /// `stream-element-changed`
    StreamElementChanged,
    /// `future-element-changed`
    FutureElementChanged,
    /// `list-stream-changed`
    ListStreamChanged,
    /// `value-future-changed`
    ValueFutureChanged,
    /// `type-added`
    TypeAdded,
    /// `type-removed`
    TypeRemoved,
    /// `type-changed`
    TypeChanged,
    /// `record-field-added`
    RecordFieldAdded,
    /// `record-field-removed`
    RecordFieldRemoved,
    /// `record-field-type-changed`
    RecordFieldTypeChanged,
    /// `variant-case-added`
    VariantCaseAdded,
    /// `variant-case-removed`
    VariantCaseRemoved,
    /// `variant-case-type-changed`
    VariantCaseTypeChanged,
    /// `enum-case-added`
    EnumCaseAdded,
    /// `enum-case-removed`
    EnumCaseRemoved,
    /// `flags-flag-added`
    FlagsFlagAdded,
    /// `flags-flag-removed`
    FlagsFlagRemoved,
    /// `resource-method-added`
    ResourceMethodAdded,
    /// `resource-method-removed`
    ResourceMethodRemoved,
    /// `since-gate-added`
    SinceGateAdded,
    /// `since-gate-changed`
    SinceGateChanged,
    /// `since-gate-removed`
    SinceGateRemoved,
    /// `unstable-feature-stabilized`
    UnstableFeatureStabilized,
    /// `item-made-unstable`
    ItemMadeUnstable,
    /// `world-added`
    WorldAdded,
    /// `world-removed`
    WorldRemoved,
    /// `world-import-added`
    WorldImportAdded,
    /// `world-import-removed`
    WorldImportRemoved,
    /// `world-export-added`
    WorldExportAdded,
    /// `world-export-removed`
    WorldExportRemoved,
    /// `world-import-changed`
    WorldImportChanged,
    /// `world-export-changed`
    WorldExportChanged,
}

impl RuleId {
    /// The stable kebab-case name used in reports, JSON, configs and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::InterfaceAdded => "interface-added",
            RuleId::InterfaceRemoved => "interface-removed",
            RuleId::FuncAdded => "func-added",
            RuleId::FuncRemoved => "func-removed",
            RuleId::FuncParamAdded => "func-param-added",
            RuleId::FuncParamRemoved => "func-param-removed",
            RuleId::FuncParamRenamed => "func-param-renamed",
            RuleId::FuncParamTypeChanged => "func-param-type-changed",
            RuleId::FuncResultChanged => "func-result-changed",
            RuleId::FuncAsyncChanged => "func-async-changed",
            RuleId::StreamElementChanged => "stream-element-changed",
            RuleId::FutureElementChanged => "future-element-changed",
            RuleId::ListStreamChanged => "list-stream-changed",
            RuleId::ValueFutureChanged => "value-future-changed",
            RuleId::TypeAdded => "type-added",
            RuleId::TypeRemoved => "type-removed",
            RuleId::TypeChanged => "type-changed",
            RuleId::RecordFieldAdded => "record-field-added",
            RuleId::RecordFieldRemoved => "record-field-removed",
            RuleId::RecordFieldTypeChanged => "record-field-type-changed",
            RuleId::VariantCaseAdded => "variant-case-added",
            RuleId::VariantCaseRemoved => "variant-case-removed",
            RuleId::VariantCaseTypeChanged => "variant-case-type-changed",
            RuleId::EnumCaseAdded => "enum-case-added",
            RuleId::EnumCaseRemoved => "enum-case-removed",
            RuleId::FlagsFlagAdded => "flags-flag-added",
            RuleId::FlagsFlagRemoved => "flags-flag-removed",
            RuleId::ResourceMethodAdded => "resource-method-added",
            RuleId::ResourceMethodRemoved => "resource-method-removed",
            RuleId::SinceGateAdded => "since-gate-added",
            RuleId::SinceGateChanged => "since-gate-changed",
            RuleId::SinceGateRemoved => "since-gate-removed",
            RuleId::UnstableFeatureStabilized => "unstable-feature-stabilized",
            RuleId::ItemMadeUnstable => "item-made-unstable",
            RuleId::WorldAdded => "world-added",
            RuleId::WorldRemoved => "world-removed",
            RuleId::WorldImportAdded => "world-import-added",
            RuleId::WorldImportRemoved => "world-import-removed",
            RuleId::WorldExportAdded => "world-export-added",
            RuleId::WorldExportRemoved => "world-export-removed",
            RuleId::WorldImportChanged => "world-import-changed",
            RuleId::WorldExportChanged => "world-export-changed",
        }
    }

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

/// Every rule, in documentation order.
pub const CATALOGUE: &[Rule] = &[
    Rule {
        id: RuleId::InterfaceAdded,
        summary: "a new interface in the package",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::InterfaceRemoved,
        summary: "an interface was removed from the package",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncAdded,
        summary: "a function was added to an interface: a new obligation for implementers",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncRemoved,
        summary: "a function was removed",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncParamAdded,
        summary: "a function gained a parameter",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncParamRemoved,
        summary: "a function lost a parameter",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncParamRenamed,
        summary: "a parameter was renamed (names are part of component function types)",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncParamTypeChanged,
        summary: "a parameter's type changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncResultChanged,
        summary: "a function's result type changed, appeared or disappeared",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FuncAsyncChanged,
        summary: "a function became async or stopped being async: async is part of a component \
         function's type, so code built against one form does not link against the other",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::StreamElementChanged,
        summary: "the element type of a `stream` parameter or result changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FutureElementChanged,
        summary: "the value type of a `future` parameter or result changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::ListStreamChanged,
        summary:
            "a `list<T>` became a `stream<T>` or back: same elements, another way to pass them",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::ValueFutureChanged,
        summary: "a value `T` became a `future<T>` or back: the same value, delivered later or now",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::TypeAdded,
        summary: "a new type in an interface",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::TypeRemoved,
        summary: "a type was removed from an interface",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::TypeChanged,
        summary: "a type became a different kind of type or an alias of a different type",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::RecordFieldAdded,
        summary: "a record gained a field (records match exactly)",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::RecordFieldRemoved,
        summary: "a record lost a field",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::RecordFieldTypeChanged,
        summary: "a record field's type changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::VariantCaseAdded,
        summary: "a variant gained a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::VariantCaseRemoved,
        summary: "a variant lost a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::VariantCaseTypeChanged,
        summary: "a variant case's payload changed",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::EnumCaseAdded,
        summary: "an enum gained a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::EnumCaseRemoved,
        summary: "an enum lost a case",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FlagsFlagAdded,
        summary: "a flags type gained a flag",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::FlagsFlagRemoved,
        summary: "a flags type lost a flag",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::ResourceMethodAdded,
        summary: "a resource gained a method, constructor or static function",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::ResourceMethodRemoved,
        summary: "a resource lost a method, constructor or static function",
        effects: [(Callers, Breaking), (Implementers, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::SinceGateAdded,
        summary: "an existing item gained a `@since` gate",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::SinceGateChanged,
        summary: "the version in an item's `@since` gate changed",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::SinceGateRemoved,
        summary: "an item lost its `@since` gate",
        effects: [(Callers, Compatible), (Implementers, Compatible)],
        bump: Bump::Patch,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::UnstableFeatureStabilized,
        summary: "an `@unstable` item became stable (`@since`)",
        effects: [(Callers, Compatible), (Implementers, Breaking)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: true,
    },
    Rule {
        id: RuleId::ItemMadeUnstable,
        summary: "a stable item became `@unstable`: stable users lose it",
        effects: [(Callers, Breaking), (Implementers, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: true,
    },
    Rule {
        id: RuleId::WorldAdded,
        summary: "a new world in the package",
        effects: [(Hosts, Compatible), (Components, Compatible)],
        bump: Bump::Minor,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldRemoved,
        summary: "a world was removed",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldImportAdded,
        summary: "a world imports something new: hosts must provide it",
        effects: [(Hosts, Breaking), (Components, Compatible)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldImportRemoved,
        summary: "a world no longer imports something components may use",
        effects: [(Hosts, Compatible), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldExportAdded,
        summary: "a world exports something new: components must provide it",
        effects: [(Hosts, Compatible), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: true,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldExportRemoved,
        summary: "a world no longer exports something hosts may call",
        effects: [(Hosts, Breaking), (Components, Compatible)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldImportChanged,
        summary: "an import of a world changed type or interface version",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
    Rule {
        id: RuleId::WorldExportChanged,
        summary: "an export of a world changed type or interface version",
        effects: [(Hosts, Breaking), (Components, Breaking)],
        bump: Bump::Major,
        softened_by_since: false,
        about_stability_gates: false,
    },
];

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
