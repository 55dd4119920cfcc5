//! The bodies generated for the WASI 0.3 HTTP filter (`virt/client-filter-p3.wat`) at
//! `wct virt` time: its `$return-result`, which hands the host's `send` result to
//! `task.return` unchanged ([`flatten`](crate::flatten)).

use crate::patch;
use wasm_encoder::Function;
use wit_parser::Resolve;

/// The WASI 0.3 HTTP filter's source (its generated body finds `task.return` in it).
pub(crate) const CLIENT_FILTER_P3_WAT: &str = include_str!("../virt/client-filter-p3.wat");

/// The generated body of `client-filter-p3.wat`'s `$return-result`: reads `send`'s
/// `result<response, error-code>` where the host's client left it and calls `task.return`
/// with it (the host's verdict on an allowed request goes back unchanged).
pub(crate) fn client_filter_bodies(wasi: &Resolve) -> anyhow::Result<Vec<(String, Function)>> {
    let interface = wasi
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some("client"))
        .map(|(_, i)| i)
        .ok_or_else(|| anyhow::anyhow!("the bundled WASI 0.3 WIT has no wasi:http/client"))?;
    let send = &interface.functions["send"];
    let result = send
        .result
        .ok_or_else(|| anyhow::anyhow!("wasi:http/client's send returns nothing"))?;
    let module = crate::templates::assemble("client-filter-p3", CLIENT_FILTER_P3_WAT)?;
    let task_return = patch::imported_function(
        &module,
        &format!("[export]wasi:http/client@{}", crate::wasi_wit::p3_version()),
        "[task-return]send",
    )?;
    let flattener = crate::flatten::Flattener::new(wasi)?;
    Ok(vec![(
        format!("{}return-result", patch::GENERATED_PREFIX),
        flattener.call_with(&result, task_return),
    )])
}
