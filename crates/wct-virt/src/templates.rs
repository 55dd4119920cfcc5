//! The bundled WAT modules' values that the WIT decides, filled in when they are assembled
//! ([`assemble`], at `wct virt` time: no assembled module is committed): a source writes
//! `{{NAME}}` where a case index or a payload offset goes, and [`render`] puts in the value
//! read from the bundled WIT ([`crate::abi::err_case`]); `{{wasi-0.2}}` and `{{wasi-0.3}}`
//! are the bundled WASI versions its names are written at; `{{config:RECORD.FIELD}}` is the
//! address of a configuration field, from the records of `virt/config.wit`
//! ([`crate::config_layout`]), which [`crate::config`] writes at the same offsets. A WIT
//! that renumbers a case, moves a field or bumps a version changes the module with it; one
//! that removes what a module names fails this crate's tests.

use crate::wasi_wit::{bundled_sources, bundled_version_of};
use anyhow::{bail, Context};
use wct_wit::wasi_name::WasiGeneration as Generation;

/// The core module of the bundled WAT source `text` of `module`, its placeholders filled in.
pub(crate) fn assemble(module: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    let text = render(module, text)?;
    wat::parse_str(&text).with_context(|| format!("assembling virt/{module}.wat"))
}

/// The values `module`'s source may name, read from the bundled WIT.
fn values(module: &str) -> anyhow::Result<Vec<(&'static str, u32)>> {
    let http_denied = |generation: Generation, interface: &str, function: &str| {
        let sources = bundled_sources(generation);
        let wasi = crate::wasi_wit::wasi_resolve(sources, &Default::default())?;
        let interface = format!("{interface}@{}", bundled_version_of(generation));
        crate::abi::err_case(&wasi, &interface, function, "HTTP-request-denied")
    };
    let p2_handle = || http_denied(Generation::P2, "wasi:http/outgoing-handler", "handle");
    Ok(match module {
        "outgoing-handler" => {
            let err = p2_handle()?;
            vec![
                ("handle-err-at-16", 16 + err.at),
                ("http-request-denied", err.case),
            ]
        }
        "outgoing-handler-filter" => {
            let err = p2_handle()?;
            vec![
                ("handle-err-at-32", 32 + err.at),
                ("http-request-denied", err.case),
            ]
        }
        "client-filter-p3" => {
            let err = http_denied(Generation::P3, "wasi:http/client", "send")?;
            vec![("http-request-denied", err.case)]
        }
        "sockets" => {
            let version = bundled_version_of(Generation::P2);
            let wasi = crate::wasi_wit::wasi_resolve(
                bundled_sources(Generation::P2),
                &Default::default(),
            )?;
            let case = |interface: &str, function: &str| {
                let interface = format!("{interface}@{version}");
                crate::abi::err_case(&wasi, &interface, function, "access-denied")
            };
            let tcp = case("wasi:sockets/tcp-create-socket", "create-tcp-socket")?;
            let udp = case("wasi:sockets/udp-create-socket", "create-udp-socket")?;
            anyhow::ensure!(
                tcp == udp,
                "TCP's and UDP's create fail differently in the bundled WIT"
            );
            vec![
                ("create-err-at-16", 16 + tcp.at),
                ("access-denied", tcp.case),
            ]
        }
        "stdio-p3" => {
            let err = crate::abi::err_case(
                &crate::wasi_wit::wasi_resolve(
                    bundled_sources(Generation::P3),
                    &Default::default(),
                )?,
                &format!("wasi:cli/stdout@{}", bundled_version_of(Generation::P3)),
                "write-via-stream",
                "pipe",
            )?;
            vec![("write-err-at-32", 32 + err.at), ("pipe", err.case)]
        }
        _ => Vec::new(),
    })
}

/// `text`, the WAT source of `module`, with every `{{NAME}}` filled in; a name the module
/// has no value for is an error, and so is a value no placeholder uses.
pub(crate) fn render(module: &str, text: &str) -> anyhow::Result<String> {
    let values = values(module)?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut used = vec![false; values.len()];
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            bail!("{module}.wat: `{{{{` without `}}}}`");
        };
        let name = &rest[start + 2..start + end];
        // A comment may show the syntax itself: `{{...}}`.
        if name == "..." {
            out.push_str("{{...}}");
        } else if let Some(generation) = version_placeholder(name) {
            out.push_str(&bundled_version_of(generation));
        } else if let Some(path) = name.strip_prefix("config:") {
            let Some(at) = crate::config_layout::try_offset(path) else {
                bail!("{module}.wat: virt/config.wit declares no `{path}`");
            };
            out.push_str(&(crate::patch::CONFIG_BASE + at).to_string());
        } else {
            let Some(i) = values.iter().position(|(n, _)| *n == name) else {
                bail!("{module}.wat: no value for `{{{{{name}}}}}`");
            };
            used[i] = true;
            out.push_str(&values[i].1.to_string());
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        bail!("{module}.wat: `{{{{{}}}}}` is never used", values[i].0);
    }
    Ok(out)
}

/// The generation whose bundled version `name` stands for (`wasi-0.2`, `wasi-0.3`).
fn version_placeholder(name: &str) -> Option<Generation> {
    match name {
        "wasi-0.2" => Some(Generation::P2),
        "wasi-0.3" => Some(Generation::P3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_checked() {
        let text =
            "(i32.const {{handle-err-at-16}}) (i32.const {{http-request-denied}}) ;; {{...}}";
        assert_eq!(
            render("outgoing-handler", text).unwrap(),
            "(i32.const 24) (i32.const 15) ;; {{...}}"
        );
        let unknown = render("outgoing-handler", "{{nope}}").unwrap_err();
        assert!(
            unknown.to_string().contains("no value for `{{nope}}`"),
            "{unknown}"
        );
        assert_eq!(
            render("random", "(i32.const {{config:random.seed}})").unwrap(),
            "(i32.const 136)"
        );
        let field = render("random", "{{config:random.nope}}").unwrap_err();
        assert!(
            field.to_string().contains("declares no `random.nope`"),
            "{field}"
        );
        let p2 = bundled_version_of(Generation::P2);
        assert_eq!(
            render("random", "wasi:random/random@{{wasi-0.2}}").unwrap(),
            format!("wasi:random/random@{p2}")
        );
        let unused = render("outgoing-handler", "(i32.const {{http-request-denied}})").unwrap_err();
        assert!(unused.to_string().contains("never used"), "{unused}");
    }
}
