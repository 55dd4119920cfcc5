//! Virtualizing components whose interfaces are too large to write by hand: wit-component's
//! dummy module for the interfaces (every function exported, each body `unreachable`), with
//! the bodies that matter replaced. Used for WASI 0.3's `wasi:sockets/types` and
//! `ip-name-lookup` when the network is denied (creating a socket and resolving a name fail
//! with `access-denied`, and since no socket can ever exist, no other function can be
//! reached) and for its `wasi:http/client` when HTTP is denied (`send` drops the request and
//! fails with `HTTP-request-denied`), for WASI 0.2's `wasi:sockets/tcp` when the `files`
//! module serves the component's streams (the sockets' stream types must then be its own),
//! and for WASI 0.2's `ip-name-lookup` when the network is denied (a DNS query is a use of
//! the network).
//! Generated at `wct virt` time from the bundled WASI WIT;
//! no compiler runs.

use crate::abi::{self, ErrCase};
use crate::patch::{self, Patch};
use crate::wasi_wit::p3_version;
use std::collections::BTreeMap;
use wasm_encoder::{Function, MemArg, MemArgTarget};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

/// The functions that refuse: `result<_, error-code>` written as `err(access-denied)`, the
/// case and its place read from the WIT ([`abi::err_case`]).
/// Interfaces are unversioned: they are refused at the bundled WASI 0.3 version.
const REFUSING: &[(&str, &str)] = &[
    ("wasi:sockets/types", "[static]tcp-socket.create"),
    ("wasi:sockets/types", "[static]udp-socket.create"),
    ("wasi:sockets/ip-name-lookup", "resolve-addresses"),
];

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// The return area of every refusing body.
const RETURN_AREA: i32 = 16;

/// Writes `err(case)` into the return area (discriminant 1; the error's case where `err`
/// says) and returns the area: the tail of every refusing body.
fn return_err(f: &mut Function, err: ErrCase) {
    f.instructions()
        .i32_const(RETURN_AREA)
        .i32_const(1)
        .i32_store8(mem(0, 0))
        .i32_const(RETURN_AREA + err.at as i32)
        .i32_const(err.case as i32)
        .i32_store8(mem(0, 0))
        .i32_const(RETURN_AREA)
        .end();
}

/// `return err(access-denied)` through the return area.
fn refuse(err: ErrCase) -> Function {
    let mut f = Function::new([]);
    return_err(&mut f, err);
    f
}

/// Where `name` (`INTERFACE#FUNCTION`) writes `err(access-denied)`.
fn access_denied(wasi: &Resolve, name: &str) -> anyhow::Result<ErrCase> {
    let (interface, function) = name
        .split_once('#')
        .ok_or_else(|| anyhow::anyhow!("`{name}` names no function"))?;
    abi::err_case(wasi, interface, function, "access-denied")
}

/// A bump allocator over the memory after the configuration (for the string that
/// `resolve-addresses` is given); the next free address is kept at 8 (0: not started).
fn realloc() -> Function {
    let mut f = Function::new([(1, wasm_encoder::ValType::I32)]);
    let start = i32::try_from(patch::CONFIG_BASE + 64).expect("small");
    let mut i = f.instructions();
    // ptr = align_up(next or start, align)
    i.i32_const(8)
        .i32_load(mem(0, 2))
        .local_tee(4)
        .i32_eqz()
        .if_(wasm_encoder::BlockType::Empty)
        .i32_const(start)
        .local_set(4)
        .end()
        .local_get(4)
        .local_get(2)
        .i32_add()
        .i32_const(1)
        .i32_sub()
        .i32_const(0)
        .local_get(2)
        .i32_sub()
        .i32_and()
        .local_set(4)
        // next = ptr + new_size; grow when past the end
        .i32_const(8)
        .local_get(4)
        .local_get(3)
        .i32_add()
        .i32_store(mem(0, 2))
        .i32_const(8)
        .i32_load(mem(0, 2))
        .memory_size(0)
        .i32_const(16)
        .i32_shl()
        .i32_gt_u()
        .if_(wasm_encoder::BlockType::Empty)
        .i32_const(8)
        .i32_load(mem(0, 2))
        .i32_const(16)
        .i32_shr_u()
        .i32_const(1)
        .i32_add()
        .memory_size(0)
        .i32_sub()
        .memory_grow(0)
        .i32_const(-1)
        .i32_eq()
        .if_(wasm_encoder::BlockType::Empty)
        .unreachable()
        .end()
        .end()
        .local_get(4)
        .end();
    f
}

/// `wasi:http/client@0.3.0#send` refusing: drops the request (through `drop`, the index of
/// the imported `[resource-drop]request`) and returns `err(HTTP-request-denied)`.
fn refuse_send(drop: u32, err: ErrCase) -> Function {
    let mut f = Function::new([]);
    f.instructions().local_get(0).call(drop);
    return_err(&mut f, err);
    f
}

/// The dummy module of a world exporting `interfaces` (at `version`), and the world.
fn dummy(
    wasi: &Resolve,
    name: &str,
    interfaces: &[String],
    version: &str,
) -> anyhow::Result<(Vec<u8>, Resolve, wit_parser::WorldId)> {
    let mut wit = format!("package wct:virt-{name};\n\nworld virt {{\n");
    for interface in interfaces {
        wit.push_str(&format!("  export {interface}@{version};\n"));
    }
    wit.push_str("}\n");
    let (resolve, world) = crate::assemble::with_world(wasi, name, &wit)?;
    let dummy =
        wit_component::dummy_module(&resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    Ok((dummy, resolve, world))
}

/// The dummy module with `bodies` put in, its exports cut to `interfaces`, and a page of
/// memory for the return areas.
fn with_bodies(
    dummy: &[u8],
    interfaces: &[String],
    bodies: &[(&str, Function)],
) -> anyhow::Result<Vec<u8>> {
    Ok(patch::apply(
        dummy,
        &Patch {
            versions: &BTreeMap::new(),
            keep: interfaces,
            config: &crate::config::empty(),
            renames: &[],
            bodies,
        },
    )?)
}

/// The component that denies HTTP requests to a WASI 0.3 component importing
/// `wasi:http/client` at the bundled 0.3 version.
pub(crate) fn http_client_denied(wasi: &Resolve) -> anyhow::Result<Vec<u8>> {
    let interfaces = ["wasi:http/client".to_string()];
    let version = p3_version();
    let (dummy, resolve, world) = dummy(wasi, "http-client", &interfaces, &version)?;
    let types = format!("wasi:http/types@{version}");
    let drop = patch::imported_function(&dummy, &types, "[resource-drop]request")?;
    let client = format!("wasi:http/client@{version}");
    let denied = abi::err_case(wasi, &client, "send", "HTTP-request-denied")?;
    let send = format!("{client}#send");
    let bodies = [(send.as_str(), refuse_send(drop, denied))];
    let core = with_bodies(&dummy, &interfaces, &bodies)?;
    crate::assemble::encode(core, &resolve, world)
}

/// The component that denies the network to a WASI 0.3 component importing `interfaces`
/// (a subset of `wasi:sockets/types` and `wasi:sockets/ip-name-lookup`, at the bundled 0.3 version).
pub(crate) fn sockets_denied(wasi: &Resolve, interfaces: &[String]) -> anyhow::Result<Vec<u8>> {
    let version = p3_version();
    let (dummy, resolve, world) = dummy(wasi, "sockets", interfaces, &version)?;
    let exports: Vec<String> = REFUSING
        .iter()
        .map(|(interface, function)| format!("{interface}@{version}#{function}"))
        .collect();
    let mut bodies: Vec<(&str, Function)> = exports
        .iter()
        .map(|name| Ok((name.as_str(), refuse(access_denied(wasi, name)?))))
        .collect::<anyhow::Result<_>>()?;
    bodies.push(("cabi_realloc", realloc()));
    let core = with_bodies(&dummy, interfaces, &bodies)?;
    crate::assemble::encode(core, &resolve, world)
}

/// The component that denies TCP to a WASI 0.2 component importing `interfaces` (a subset
/// of `wasi:sockets/tcp` and `tcp-create-socket`, at `version`) whose streams come from the
/// `files` module: creating a socket fails with `access-denied`, so no other function can
/// be reached.
pub(crate) fn tcp_denied(
    wasi: &Resolve,
    interfaces: &[String],
    version: &str,
) -> anyhow::Result<Vec<u8>> {
    let (dummy, resolve, world) = dummy(wasi, "tcp", interfaces, version)?;
    let create = format!("wasi:sockets/tcp-create-socket@{version}#create-tcp-socket");
    let bodies = [
        (create.as_str(), refuse(access_denied(wasi, &create)?)),
        ("cabi_realloc", realloc()),
    ];
    let core = with_bodies(&dummy, interfaces, &bodies)?;
    crate::assemble::encode(core, &resolve, world)
}

/// The component that denies name lookups to a WASI 0.2 component importing
/// `wasi:sockets/ip-name-lookup` at `version`: `resolve-addresses` fails with
/// `access-denied` (case 1 of 0.2's `error-code`), so no address stream can exist.
pub(crate) fn name_lookup_denied(wasi: &Resolve, version: &str) -> anyhow::Result<Vec<u8>> {
    let interfaces = ["wasi:sockets/ip-name-lookup".to_string()];
    let (dummy, resolve, world) = dummy(wasi, "name-lookup", &interfaces, version)?;
    let resolve_addresses = format!("wasi:sockets/ip-name-lookup@{version}#resolve-addresses");
    // The `borrow<network>` it is given must be dropped before it returns.
    let drop = patch::imported_function(
        &dummy,
        &format!("wasi:sockets/network@{version}"),
        "[resource-drop]network",
    )?;
    let mut body = Function::new([]);
    body.instructions().local_get(0).call(drop);
    return_err(&mut body, access_denied(wasi, &resolve_addresses)?);
    let bodies = [
        (resolve_addresses.as_str(), body),
        ("cabi_realloc", realloc()),
    ];
    let core = with_bodies(&dummy, &interfaces, &bodies)?;
    crate::assemble::encode(core, &resolve, world)
}
