//! The bundled WAT modules' values that the WIT decides, filled in before they are assembled:
//! a source writes `{{NAME}}` where a case index or a payload offset goes, and [`render`]
//! puts in the value read from the bundled WIT ([`crate::abi::err_case`]);
//! `{{config:RECORD.FIELD}}` is the address of a configuration field, from the records of
//! `virt/config.wit` ([`crate::config_layout`]), which [`crate::config`] writes at the same
//! offsets. A WIT that renumbers a case or moves a field fails the up-to-date test here
//! instead of misbehaving at run time.

use anyhow::bail;

/// The values `module`'s source may name, read from the bundled WIT.
fn values(module: &str) -> anyhow::Result<Vec<(&'static str, u32)>> {
    let http_denied = |generation_sources: &[(&str, &str)], interface: &str, function: &str| {
        let wasi = crate::wasi_wit::wasi_resolve(generation_sources, &Default::default())?;
        crate::abi::err_case(&wasi, interface, function, "HTTP-request-denied")
    };
    let p2_handle = || {
        http_denied(
            wct_wit::builtin::wasi_0_2_sources(),
            &format!(
                "wasi:http/outgoing-handler@{}",
                crate::wasi_wit::p2_version()
            ),
            "handle",
        )
    };
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
            let err = http_denied(
                wct_wit::builtin::wasi_0_3_sources(),
                "wasi:http/client@0.3.0",
                "send",
            )?;
            vec![("http-request-denied", err.case)]
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
        let unused = render("outgoing-handler", "(i32.const {{http-request-denied}})").unwrap_err();
        assert!(unused.to_string().contains("never used"), "{unused}");
    }
}
