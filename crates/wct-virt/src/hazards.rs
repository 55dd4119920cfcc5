//! Grants that leave a component unable to start: a language runtime that `wct size`
//! recognises in it (CPython, a JavaScript engine) asks for random bytes while it starts (to
//! seed its hash functions), so denying `wasi:random` makes every run trap before the
//! program's first line. Said at `wct virt` time, with the grant that helps.

use crate::grants::{Grants, Random};
use wct_component::size::{analyze_bytes, LabelKind};

/// The language runtimes found in `component`, as `wct size` labels them, with the facts
/// that decided each.
fn runtimes(component: &[u8]) -> Vec<(LabelKind, String)> {
    let report = analyze_bytes(component);
    let mut found: Vec<(LabelKind, String)> = Vec::new();
    report.root.walk(&mut |_, item| {
        for label in &item.labels {
            if matches!(label.kind, LabelKind::PythonRuntime | LabelKind::JsEngine)
                && !found.iter().any(|(k, _)| *k == label.kind)
            {
                found.push((label.kind, label.reason.clone()));
            }
        }
    });
    found
}

/// What the grants deny that a runtime in `component` needs to start, one sentence each.
pub(crate) fn startup_hazards(component: &[u8], imports: &[String], g: &Grants) -> Vec<String> {
    let imports_random = imports.iter().any(|i| i.starts_with("wasi:random/"));
    if g.random != Random::Deny || !imports_random {
        return Vec::new();
    }
    runtimes(component)
        .into_iter()
        .map(|(kind, reason)| {
            format!(
                "it holds a {} ({reason}), which asks for random bytes while it starts: with \
                 random denied, every run traps before the program starts. Grant \
                 --random-seed N (the same bytes every run) or --random allow",
                kind.describe()
            )
        })
        .collect()
}
