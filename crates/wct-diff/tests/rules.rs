//! One case per rule: the smallest OLD/NEW pair that triggers it, with the expected path, bump
//! and effects; plus no-change cases. A rule without a case fails `every_rule_has_a_case`.

use wct_diff::{diff, Bump, DiffOptions, Effect, Report};
use wct_wit::{Origin, WitSet};
use wit_parser::Resolve;

fn set(name: &str, src: &str) -> WitSet {
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    let package = resolve
        .push_str(name, src)
        .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    WitSet {
        resolve,
        package,
        world: None,
        origin: Origin::WitFile,
        source_name: name.into(),
    }
}

fn run(old: &str, new: &str) -> Report {
    diff(
        &set("old.wit", old),
        &set("new.wit", new),
        DiffOptions::default(),
    )
}

/// (rule, OLD, NEW, path of the finding, required bump, [effect on first side, second side])
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Bump,
    [Effect; 2],
);

use Effect::{Breaking as B, Compatible as C};

const I: &str = "package t:p@1.0.0;\n";

fn cases() -> Vec<Case> {
    vec![
        (
            "interface-added",
            "interface a {}",
            "interface a {} interface b {}",
            "t:p/b",
            Bump::Minor,
            [C, C],
        ),
        (
            "func-async-changed",
            "interface a { get: func(key: string) -> list<u8>; }",
            "interface a { get: async func(key: string) -> list<u8>; }",
            "t:p/a#get",
            Bump::Major,
            [B, B],
        ),
        (
            "stream-element-changed",
            "interface a { f: func(s: stream<u8>); }",
            "interface a { f: func(s: stream<u16>); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "future-element-changed",
            "interface a { f: func() -> future<u32>; }",
            "interface a { f: func() -> future<string>; }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "list-stream-changed",
            "interface a { f: func(data: list<u8>); }",
            "interface a { f: func(data: stream<u8>); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "value-future-changed",
            "interface a { f: func() -> string; }",
            "interface a { f: func() -> future<string>; }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "interface-removed",
            "interface a {} interface b {}",
            "interface a {}",
            "t:p/b",
            Bump::Major,
            [B, C],
        ),
        (
            "func-added",
            "interface a { f: func(); }",
            "interface a { f: func(); g: func(); }",
            "t:p/a#g",
            Bump::Major,
            [C, B],
        ),
        (
            "func-removed",
            "interface a { f: func(); g: func(); }",
            "interface a { f: func(); }",
            "t:p/a#g",
            Bump::Major,
            [B, C],
        ),
        (
            "func-param-added",
            "interface a { f: func(); }",
            "interface a { f: func(x: u32); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "func-param-removed",
            "interface a { f: func(x: u32); }",
            "interface a { f: func(); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "func-param-renamed",
            "interface a { f: func(x: u32); }",
            "interface a { f: func(y: u32); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "func-param-type-changed",
            "interface a { f: func(x: u32); }",
            "interface a { f: func(x: u64); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "func-result-changed",
            "interface a { f: func(); }",
            "interface a { f: func() -> string; }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "type-added",
            "interface a {}",
            "interface a { type t = u8; }",
            "t:p/a#t",
            Bump::Minor,
            [C, C],
        ),
        (
            "type-removed",
            "interface a { type t = u8; }",
            "interface a {}",
            "t:p/a#t",
            Bump::Major,
            [B, C],
        ),
        (
            "type-changed",
            "interface a { type t = u8; }",
            "interface a { type t = string; }",
            "t:p/a#t",
            Bump::Major,
            [B, B],
        ),
        (
            "record-field-added",
            "interface a { record r { x: u8 } }",
            "interface a { record r { x: u8, y: u8 } }",
            "t:p/a#r.y",
            Bump::Major,
            [B, B],
        ),
        (
            "record-field-removed",
            "interface a { record r { x: u8, y: u8 } }",
            "interface a { record r { x: u8 } }",
            "t:p/a#r.y",
            Bump::Major,
            [B, B],
        ),
        (
            "record-field-type-changed",
            "interface a { record r { x: u8 } }",
            "interface a { record r { x: s8 } }",
            "t:p/a#r.x",
            Bump::Major,
            [B, B],
        ),
        (
            "variant-case-added",
            "interface a { variant v { x } }",
            "interface a { variant v { x, y(u8) } }",
            "t:p/a#v.y",
            Bump::Major,
            [B, B],
        ),
        (
            "variant-case-removed",
            "interface a { variant v { x, y } }",
            "interface a { variant v { x } }",
            "t:p/a#v.y",
            Bump::Major,
            [B, B],
        ),
        (
            "variant-case-type-changed",
            "interface a { variant v { x(u8) } }",
            "interface a { variant v { x(string) } }",
            "t:p/a#v.x",
            Bump::Major,
            [B, B],
        ),
        (
            "enum-case-added",
            "interface a { enum e { x } }",
            "interface a { enum e { x, y } }",
            "t:p/a#e.y",
            Bump::Major,
            [B, B],
        ),
        (
            "enum-case-removed",
            "interface a { enum e { x, y } }",
            "interface a { enum e { x } }",
            "t:p/a#e.y",
            Bump::Major,
            [B, B],
        ),
        (
            "flags-flag-added",
            "interface a { flags f { x } }",
            "interface a { flags f { x, y } }",
            "t:p/a#f.y",
            Bump::Major,
            [B, B],
        ),
        (
            "flags-flag-removed",
            "interface a { flags f { x, y } }",
            "interface a { flags f { x } }",
            "t:p/a#f.y",
            Bump::Major,
            [B, B],
        ),
        (
            "resource-method-added",
            "interface a { resource r {} }",
            "interface a { resource r { m: func(); } }",
            "t:p/a#r.m",
            Bump::Major,
            [C, B],
        ),
        (
            "resource-method-removed",
            "interface a { resource r { constructor(); } }",
            "interface a { resource r {} }",
            "t:p/a#r.constructor",
            Bump::Major,
            [B, C],
        ),
        (
            "since-gate-added",
            "interface a { f: func(); }",
            "interface a { @since(version = 1.0.0) f: func(); }",
            "t:p/a#f",
            Bump::Patch,
            [C, C],
        ),
        (
            "since-gate-changed",
            "interface a { @since(version = 0.9.0) f: func(); }",
            "interface a { @since(version = 1.0.0) f: func(); }",
            "t:p/a#f",
            Bump::Patch,
            [C, C],
        ),
        (
            "since-gate-removed",
            "interface a { @since(version = 1.0.0) f: func(); }",
            "interface a { f: func(); }",
            "t:p/a#f",
            Bump::Patch,
            [C, C],
        ),
        (
            "unstable-feature-stabilized",
            "interface a { @unstable(feature = x) f: func(); }",
            "interface a { @since(version = 1.0.0) f: func(); }",
            "t:p/a#f",
            Bump::Minor,
            [C, B],
        ),
        (
            "item-made-unstable",
            "interface a { f: func(); }",
            "interface a { @unstable(feature = x) f: func(); }",
            "t:p/a#f",
            Bump::Major,
            [B, B],
        ),
        (
            "world-added",
            "world w {}",
            "world w {} world v {}",
            "t:p/v",
            Bump::Minor,
            [C, C],
        ),
        (
            "world-removed",
            "world w {} world v {}",
            "world w {}",
            "t:p/v",
            Bump::Major,
            [B, B],
        ),
        (
            "world-import-added",
            "interface a {} world w {}",
            "interface a {} world w { import a; }",
            "t:p/w#import:t:p/a",
            Bump::Major,
            [B, C],
        ),
        (
            "world-import-removed",
            "interface a {} world w { import a; }",
            "interface a {} world w {}",
            "t:p/w#import:t:p/a",
            Bump::Major,
            [C, B],
        ),
        (
            "world-export-added",
            "world w {}",
            "world w { export f: func(); }",
            "t:p/w#export:f",
            Bump::Major,
            [C, B],
        ),
        (
            "world-export-removed",
            "world w { export f: func(); }",
            "world w {}",
            "t:p/w#export:f",
            Bump::Major,
            [B, C],
        ),
        (
            "world-import-changed",
            "interface a {} world w { import f: func(); }",
            "interface a {} world w { import f: interface { g: func(); } }",
            "t:p/w#import:f",
            Bump::Major,
            [B, B],
        ),
        (
            "world-export-changed",
            "interface a {} world w { export f: func(); }",
            "interface a {} world w { export f: interface { g: func(); } }",
            "t:p/w#export:f",
            Bump::Major,
            [B, B],
        ),
    ]
}

#[test]
fn every_rule_triggers_with_its_path_bump_and_impact() {
    for (rule, old, new, path, bump, effects) in cases() {
        let report = run(&format!("{I}{old}"), &format!("{I}{new}"));
        let found = report
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule}: not reported; findings: {:#?}", report.findings));
        assert_eq!(found.path, path, "{rule}");
        assert_eq!(found.bump, bump, "{rule}: {found:#?}");
        assert_eq!(
            [found.impact[0].effect, found.impact[1].effect],
            effects,
            "{rule}: {found:#?}"
        );
        assert!(
            found
                .old_location
                .as_deref()
                .is_some_and(|l| l.starts_with("old.wit:"))
                || found
                    .new_location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("new.wit:")),
            "{rule}: no source location: {found:#?}"
        );
    }
}

#[test]
fn every_rule_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.0).collect();
    for rule in wct_diff::rules::CATALOGUE {
        assert!(
            covered.contains(&rule.id.as_str()),
            "rule `{}` has no test case",
            rule.id
        );
    }
}

#[test]
fn since_gated_additions_are_minor() {
    let old = "package t:p@1.0.0;\ninterface a { @since(version = 1.0.0) f: func(); }";
    let new = "package t:p@1.1.0;\ninterface a { @since(version = 1.0.0) f: func(); @since(version = 1.1.0) g: func(); }";
    let report = run(old, new);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!((f.rule.as_str(), f.bump), ("func-added", Bump::Minor));
    assert_eq!(f.gate.as_deref(), Some("@since(version = 1.1.0)"));
    assert!(wct_diff::versioning::check(&report).ok);
    // A gate that claims an old version does not excuse the addition.
    let stale = new.replace("@since(version = 1.1.0) g", "@since(version = 0.5.0) g");
    assert_eq!(run(old, &stale).required_bump(), Bump::Major);
}

#[test]
fn unstable_changes_do_not_break_stable_users() {
    let old = "package t:p@1.0.0;\ninterface a { @unstable(feature = x) f: func(); }";
    let new = "package t:p@1.0.0;\ninterface a { @unstable(feature = x) f: func(a: u32); @unstable(feature = x) g: func(); }";
    let report = run(old, new);
    assert!(report.findings.len() >= 2, "{:#?}", report.findings);
    assert!(report
        .findings
        .iter()
        .all(|f| f.bump == Bump::None && f.gate.as_deref() == Some("@unstable(feature = x)")));
    assert!(report
        .findings
        .iter()
        .all(|f| f.impact.iter().all(|e| e.effect == C)));
}

#[test]
fn no_change_for_reformatting_reordering_and_equivalent_aliases() {
    let old = "package t:p@1.0.0;\ninterface a {\n  record r { x: f64, y: f64 }\n  f: func(r: r) -> f64;\n  g: func();\n}\ninterface b { h: func(); }\nworld w { import a; export b; }";
    let new = "package t:p@1.0.0;\n\n\nworld w { export b; import a; }\ninterface b { h: func(); }\ninterface a { g: func(); type meters = f64;\n f: func(r: r) -> meters; record r { x: meters, y: f64 } }";
    let report = run(old, new);
    let real: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule != "type-added")
        .collect();
    assert!(real.is_empty(), "{real:#?}");
    assert_eq!(run(old, old).findings, vec![]);
}

#[test]
fn every_finding_is_reported_not_just_the_first() {
    let old = "package t:p@1.0.0;\ninterface a { f: func(); g: func(); record r { x: u8 } }";
    let new = "package t:p@1.0.0;\ninterface a { record r { x: u16 } h: func(); }";
    let rules: Vec<&str> = run(old, new)
        .findings
        .iter()
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "func-removed",
            "func-removed",
            "func-added",
            "record-field-type-changed"
        ]
    );
}
