//! The WASI WIT the virtualizing components are built against: the bundled WIT, each package
//! renumbered to the version the component imports, and the import names taken apart.

use std::collections::BTreeMap;
use wct_wit::wasi_name::WasiGeneration as Generation;
use wct_wit::wasi_name::WasiName;
use wit_parser::Resolve;

/// `wasi:cli/environment@0.2.9` -> (`wasi:cli/environment`, `wasi:cli`, `0.2.9`).
pub(crate) fn split_import(name: &str) -> Option<(&str, &str, &str)> {
    let parsed = WasiName::parse(name)?;
    Some((parsed.unversioned(), parsed.package_name(), parsed.version?))
}

/// The WASI 0.2 packages each imported at the version the component imports it
/// (`wasi:cli` -> `0.2.9`), from its imports.
pub(crate) fn package_versions(imports: &[String]) -> BTreeMap<String, String> {
    imports
        .iter()
        .filter_map(|i| split_import(i))
        .filter(|(_, _, v)| Generation::of_version(v) == Some(Generation::P2))
        .map(|(_, p, v)| (p.to_string(), v.to_string()))
        .collect()
}

/// The bundled WASI 0.2.12 WIT with each package renumbered to the version the component
/// imports (the 0.2.x releases differ in added items only, never in the shape of an
/// existing function), so the virtualizing components' types are the component's own.
/// The component's own WIT is not enough: it holds only the functions it calls.
pub(crate) fn wasi_resolve(
    sources: &[(&str, &str)],
    versions: &BTreeMap<String, String>,
) -> anyhow::Result<Resolve> {
    let mut resolve = Resolve::default();
    for (name, text) in sources {
        let text = renumber_text(text, versions);
        let text = match package_version(&text) {
            Some(version) => clamp_since(&text, &version),
            None => text,
        };
        resolve.push_str(format!("wasi/{name}"), &text)?;
    }
    Ok(resolve)
}

/// The proposals wct's engine links beside WASI 0.2 (`wasi:config@0.2.0-rc.1`,
/// `wasi:keyvalue@0.2.0-draft`), added to `resolve` at their vendored versions.
pub(crate) fn add_proposals(resolve: &mut Resolve) -> anyhow::Result<()> {
    for package in ["wasi:config", "wasi:keyvalue"] {
        let (proposal, _) = wct_wit::builtin::wasi_extra(package)?;
        resolve.merge(proposal)?;
    }
    Ok(())
}

/// The version of the bundled WASI WIT `sources` (`0.2.12`, `0.3.0`): what the WAT modules'
/// names and the WIT are written at, read from the WIT itself.
pub(crate) fn bundled_version(sources: &[(&str, &str)]) -> String {
    sources
        .iter()
        .find_map(|(_, text)| package_version(text))
        .unwrap_or_default()
}

/// The version in a WIT file's `package wasi:NAME@VERSION;` line.
fn package_version(text: &str) -> Option<String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("package "))?;
    let version = wct_wit::semver_key::split_versioned(line).1?;
    Some(version.trim_end_matches(';').trim().to_string())
}

/// `@since(version = V)` with V later than `version` says `version` instead: a package
/// renumbered to an earlier 0.2 release keeps the items it shares with it, and wit-parser
/// refuses gates on releases after the package's own.
pub(crate) fn clamp_since(text: &str, version: &str) -> String {
    let minor = |v: &str| -> Option<(u64, u64, u64)> {
        let mut parts = v.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    };
    let Some(target) = minor(version) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    const GATE: &str = "@since(version = ";
    while let Some(at) = rest.find(GATE) {
        let start = at + GATE.len();
        out.push_str(&rest[..start]);
        let end = rest[start..].find(')').map_or(rest.len(), |e| start + e);
        let gate = &rest[start..end];
        match minor(gate) {
            Some(v) if v > target => out.push_str(version),
            _ => out.push_str(gate),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The bundled WASI WIT of `generation` (wct-wit's), or what a test of this crate put in
/// its place ([`tests::with_bundled`]) to check that nothing here is written for one release.
pub(crate) fn bundled_sources(generation: Generation) -> &'static [(&'static str, &'static str)] {
    #[cfg(test)]
    if let Some(sources) = tests::bundled_override(generation) {
        return sources;
    }
    match generation {
        Generation::P2 => wct_wit::builtin::wasi_0_2_sources(),
        Generation::P3 => wct_wit::builtin::wasi_0_3_sources(),
    }
}

/// The version of the bundled WASI WIT of `generation` (`0.2.12`, `0.3.0`), read from the
/// WIT: what the WAT modules' names are written at (`{{wasi-0.2}}`) and what wct virt places.
pub(crate) fn bundled_version_of(generation: Generation) -> String {
    bundled_version(bundled_sources(generation))
}

/// The bundled WASI 0.2 version (`0.2.12`).
pub(crate) fn p2_version() -> String {
    bundled_version_of(Generation::P2)
}

/// The bundled WASI 0.3 version (`0.3.0`).
pub(crate) fn p3_version() -> String {
    bundled_version_of(Generation::P3)
}

/// Every `wasi:NAME@V` and `wasi:NAME/ITEM@V` in `text`, V the bundled version
/// ([`p2_version`]), with NAME's version from `versions`.
pub(crate) fn renumber_text(text: &str, versions: &BTreeMap<String, String>) -> String {
    let p2 = p2_version();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("wasi:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '-' | '_')))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let package = name.split('/').next().unwrap_or(name);
        let after = &tail[end..];
        let bundled = after
            .strip_prefix('@')
            .and_then(|v| v.strip_prefix(p2.as_str()))
            // `0.2.1` is not the start of `0.2.12`, nor `0.2.12` of `0.2.12-rc`.
            .filter(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-'));
        match (bundled, versions.get(package)) {
            (Some(after), Some(version)) => {
                out.push_str(name);
                out.push('@');
                out.push_str(version);
                rest = after;
            }
            _ => {
                out.push_str(name);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    type Sources = &'static [(&'static str, &'static str)];

    thread_local! {
        /// The WASI WIT a test put in place of the bundled one, per generation.
        static BUNDLED: Cell<[Option<Sources>; 2]> = const { Cell::new([None, None]) };
    }

    fn slot(generation: Generation) -> usize {
        match generation {
            Generation::P2 => 0,
            Generation::P3 => 1,
        }
    }

    /// The sources a test put in place of `generation`'s bundled WIT on this thread.
    pub(crate) fn bundled_override(generation: Generation) -> Option<Sources> {
        BUNDLED.with(|b| b.get()[slot(generation)])
    }

    /// Runs `f` with the bundled WASI WIT of `generation` renumbered from its version to
    /// `version` (`@0.2.12` -> `@0.2.99` everywhere the WIT names its packages), on this
    /// thread only: as if wct-wit had been bumped to that release.
    pub(crate) fn with_bundled<T>(
        generation: Generation,
        version: &str,
        f: impl FnOnce() -> T,
    ) -> T {
        let from = format!("@{}", bundled_version_of(generation));
        let to = format!("@{version}");
        let bumped: Vec<(&'static str, &'static str)> = bundled_sources(generation)
            .iter()
            .map(|(name, text)| {
                (
                    *name,
                    &*Box::leak(text.replace(&from, &to).into_boxed_str()),
                )
            })
            .collect();
        let bumped: Sources = Box::leak(bumped.into_boxed_slice());
        let before = BUNDLED.with(|b| {
            let before = b.get();
            let mut now = before;
            now[slot(generation)] = Some(bumped);
            b.set(now);
            before
        });
        let out = f();
        BUNDLED.with(|b| b.set(before));
        out
    }

    #[test]
    fn a_bumped_wit_is_read_at_its_version() {
        let p2 = p2_version();
        with_bundled(Generation::P2, "0.2.99", || {
            assert_eq!(p2_version(), "0.2.99");
            assert!(bundled_sources(Generation::P2)
                .iter()
                .all(|(_, text)| !text.contains(&format!("@{p2}"))));
        });
        assert_eq!(p2_version(), p2);
    }

    #[test]
    fn clamps_feature_gates() {
        assert_eq!(
            clamp_since("@since(version = 0.2.12)\n@since(version = 0.2.0)", "0.2.9"),
            "@since(version = 0.2.9)\n@since(version = 0.2.0)"
        );
    }

    #[test]
    fn renumbers_wit_text() {
        let versions = BTreeMap::from([("wasi:io".to_string(), "0.2.9".to_string())]);
        let v = p2_version();
        assert_eq!(
            renumber_text(
                &format!(
                    "package wasi:io@{v};\nuse wasi:io/poll@{v}.{{pollable}};\nuse wasi:cli/x@{v};"
                ),
                &versions
            ),
            format!(
                "package wasi:io@0.2.9;\nuse wasi:io/poll@0.2.9.{{pollable}};\nuse wasi:cli/x@{v};"
            )
        );
        // Another version that starts with the bundled one is not the bundled one.
        let longer = format!("package wasi:io@{v}1;");
        assert_eq!(renumber_text(&longer, &versions), longer);
    }
}
