//! Structural diffing of WIT, change by change, with the impact on each side and the semver
//! bump each change needs.
//!
//! Compares two [`wct_wit::WitSet`]s on resolved types, never on text: reordering,
//! reformatting, renaming files or an alias that resolves to the same type is no change. Each
//! change is a [`Finding`] with a stable rule id from the [`rules`] catalogue, the path of
//! the item, where it is in OLD and NEW, its effect on both sides (callers and implementers of
//! an interface; hosts and components of a world) and the bump it requires, honouring
//! `@since` and `@unstable` gates. [`semver`] turns findings into a verdict on declared
//! versions.
#![deny(missing_docs)]

mod compare;
pub mod rules;
mod types;
pub mod versioning;

pub use compare::{diff, DiffOptions, Mode};
pub use rules::{Bump, Effect, Rule, Side};

use serde::Serialize;

/// One change between OLD and NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable rule id (see [`rules::CATALOGUE`]).
    pub rule: &'static str,
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
    /// `file:line:col` of the item in OLD, when it came from WIT source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_location: Option<String>,
    /// `file:line:col` of the item in NEW, when it came from WIT source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_location: Option<String>,
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
}
