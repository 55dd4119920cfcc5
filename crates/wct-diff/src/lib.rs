//! Structural diffing of WIT, change by change, with the impact on each side and the semver
//! bump each change needs.
//!
//! Compares two [`wct_wit::WitSet`]s on resolved types, never on text: reordering,
//! reformatting, renaming files or an alias that resolves to the same type is no change. Each
//! change is a [`Finding`] with a stable rule id from the [`rules`] catalogue, the path of
//! the item, where it is in OLD and NEW, its effect on both sides (callers and implementers of
//! an interface; hosts and components of a world) and the bump it requires, honouring
//! `@since` and `@unstable` gates. [`versioning`] turns findings into a verdict on declared
//! versions, [`render`] into the text, Markdown, GitHub, SARIF and JSON reports, and
//! [`config`] reads `wct-diff.toml`; [`baseline`] checks OLD out of a git revision.
#![deny(missing_docs)]

pub mod baseline;
mod compare;
pub mod config;
pub mod render;
pub mod rules;
mod types;
pub mod versioning;

pub use compare::{diff, DiffOptions, Mode};
pub use rules::{Bump, Effect, Rule, RuleId, Side};

use serde::Serialize;

/// One change between OLD and NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable rule id (see [`rules::CATALOGUE`]).
    pub rule: RuleId,
    /// The item: `ns:pkg/iface#func`, `ns:pkg/iface#record.field`, `ns:pkg/world#import:name`.
    pub path: String,
    /// What changed, in words, with the old and new WIT where it helps.
    pub message: String,
    /// The effect on the two sides that use the item.
    pub impact: [SideEffect; 2],
    /// The version bump this change requires (after gates are taken into account).
    pub bump: Bump,
    /// The gate that decided a softer bump, e.g. `@since(version = 0.2.1)` or `@unstable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// For findings inside an interface: how the package's worlds use that interface
    /// (imported, exported), which decides whom the change reaches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_as: Vec<Direction>,
    /// `file:line:col` of the item in OLD, when it came from WIT source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_location: Option<String>,
    /// `file:line:col` of the item in NEW, when it came from WIT source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_location: Option<String>,
}

/// How a world uses an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The world imports it.
    Import,
    /// The world exports it.
    Export,
}

impl Finding {
    /// Whether this finding breaks `side` (`Hosts` or `Components`) of the worlds that use the
    /// item, taking gates into account (a change that needs less than a major bump breaks no
    /// one). For interface findings the side is derived from how worlds use the interface:
    /// components are the callers of what they import and the implementers of what they
    /// export; hosts the other way round. An interface no world uses counts both ways.
    pub fn breaks(&self, side: Side) -> bool {
        if self.bump != Bump::Major {
            return false;
        }
        let effect_on = |s: Side| {
            self.impact
                .iter()
                .any(|e| e.side == s && e.effect == Effect::Breaking)
        };
        if self.impact[0].side == Side::Hosts {
            return effect_on(side);
        }
        if self.used_as.is_empty() {
            return effect_on(Side::Callers) || effect_on(Side::Implementers);
        }
        self.used_as.iter().any(|dir| {
            let iface_side = match (side, dir) {
                (Side::Components, Direction::Import) | (Side::Hosts, Direction::Export) => {
                    Side::Callers
                }
                _ => Side::Implementers,
            };
            effect_on(iface_side)
        })
    }
}

/// The effect of a change on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SideEffect {
    /// Who: `callers`, `implementers`, `hosts` or `components`.
    pub side: Side,
    /// Breaking or compatible for them.
    pub effect: Effect,
}

/// The result of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `ns:name` of the compared package.
    pub package: String,
    /// The version OLD declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    /// The version NEW declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    /// Every change, in a stable order (by path, then rule).
    pub findings: Vec<Finding>,
}

impl Report {
    /// The largest bump any finding requires.
    pub fn required_bump(&self) -> Bump {
        self.findings
            .iter()
            .map(|f| f.bump)
            .max()
            .unwrap_or(Bump::None)
    }

    /// True when some finding breaks a side and is not excused by a gate.
    pub fn is_breaking(&self) -> bool {
        self.required_bump() == Bump::Major
    }

    /// True when some finding breaks hosts (runtimes) of the worlds.
    pub fn breaks_hosts(&self) -> bool {
        self.findings.iter().any(|f| f.breaks(Side::Hosts))
    }

    /// True when a component built for OLD no longer fits NEW (the question
    /// `wasm-tools component semver-check` answers).
    pub fn breaks_components(&self) -> bool {
        self.findings.iter().any(|f| f.breaks(Side::Components))
    }
}
