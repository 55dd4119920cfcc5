//! The bundled virtualizing modules: which WASI interfaces each exports, in which
//! generation, and what cannot be virtualized yet.

/// A WASI generation, classified by wct-wit's one rule.
pub(crate) use wct_wit::wasi_name::WasiGeneration as Generation;

/// A bundled virtualizing module: the interfaces it exports (unversioned) in one WASI
/// generation, and the names to change when its source is written for another.
pub(crate) struct Module {
    pub(crate) name: &'static str,
    pub(crate) generation: Generation,
    pub(crate) source: Source,
    pub(crate) interfaces: &'static [&'static str],
    /// Functions to export or import under another name in this generation, unversioned
    /// (`wasi:cli/environment#initial-cwd` -> `wasi:cli/environment#get-initial-cwd`).
    pub(crate) renames: &'static [(&'static str, &'static str)],
    /// Whether this module (rather than another for the same interfaces) serves `grants`.
    pub(crate) when: fn(&crate::Grants) -> bool,
    /// The bodies generated for it at `wct virt` time, by export name, from the WASI WIT.
    pub(crate) bodies: GeneratedBodies,
}

/// Where a bundled module's core module comes from.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    /// WAT (`virt/NAME.wat`) with `{{...}}` placeholders, filled in from the bundled WIT
    /// and assembled when it is used ([`crate::templates`]): nothing committed to keep in step.
    Wat(&'static str),
    /// A core module compiled from C (`virt/NAME/NAME.c`) by `cargo xtask fixtures virt`;
    /// `virt/NAME.sources` records what it was built from.
    Compiled(&'static [u8]),
}

impl Module {
    /// The module's core module, assembled from its WAT source for the bundled WIT.
    pub(crate) fn core(&self) -> anyhow::Result<std::borrow::Cow<'static, [u8]>> {
        match self.source {
            Source::Wat(text) => crate::templates::assemble(self.name, text).map(Into::into),
            Source::Compiled(bytes) => Ok(bytes.into()),
        }
    }
}

/// Makes function bodies, by export name, from the WASI WIT (see [`Module::bodies`]).
pub(crate) type GeneratedBodies =
    fn(&wit_parser::Resolve) -> anyhow::Result<Vec<(String, wasm_encoder::Function)>>;

/// No generated bodies.
fn no_bodies(_: &wit_parser::Resolve) -> anyhow::Result<Vec<(String, wasm_encoder::Function)>> {
    Ok(Vec::new())
}

const fn module(
    name: &'static str,
    generation: Generation,
    source: Source,
    interfaces: &'static [&'static str],
) -> Module {
    Module {
        name,
        generation,
        source,
        interfaces,
        renames: &[],
        when: |_| true,
        bodies: no_bodies,
    }
}

/// The WAT source `virt/NAME.wat`.
macro_rules! wat {
    ($name:literal) => {
        Source::Wat(include_str!(concat!("../virt/", $name, ".wat")))
    };
}

const ENVIRONMENT: Source = wat!("environment");
const RANDOM: Source = wat!("random");
const PREOPENS: Source = wat!("preopens");
const RANDOM_INTERFACES: &[&str] = &[
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
];

pub(crate) const MODULES: &[Module] = &[
    module(
        "environment",
        Generation::P2,
        ENVIRONMENT,
        &["wasi:cli/environment"],
    ),
    module(
        "wall-clock",
        Generation::P2,
        wat!("wall-clock"),
        &["wasi:clocks/wall-clock"],
    ),
    module(
        "monotonic-clock",
        Generation::P2,
        wat!("monotonic-clock"),
        &["wasi:clocks/monotonic-clock"],
    ),
    module("random", Generation::P2, RANDOM, RANDOM_INTERFACES),
    module(
        "stdio",
        Generation::P2,
        wat!("stdio"),
        &["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"],
    ),
    module(
        "preopens",
        Generation::P2,
        PREOPENS,
        &["wasi:filesystem/preopens"],
    ),
    module(
        "sockets",
        Generation::P2,
        wat!("sockets"),
        &[
            "wasi:sockets/tcp-create-socket",
            "wasi:sockets/udp-create-socket",
        ],
    ),
    Module {
        when: |g| g.allow_http.is_empty(),
        ..module(
            "outgoing-handler",
            Generation::P2,
            wat!("outgoing-handler"),
            &["wasi:http/outgoing-handler"],
        )
    },
    Module {
        when: |g| !g.allow_http.is_empty(),
        ..module(
            "outgoing-handler-filter",
            Generation::P2,
            wat!("outgoing-handler-filter"),
            &["wasi:http/outgoing-handler"],
        )
    },
    module(
        "config-store",
        Generation::P2,
        wat!("config-store"),
        &["wasi:config/store"],
    ),
    Module {
        renames: &[(
            "wasi:cli/environment#initial-cwd",
            "wasi:cli/environment#get-initial-cwd",
        )],
        ..module(
            "environment",
            Generation::P3,
            ENVIRONMENT,
            &["wasi:cli/environment"],
        )
    },
    module(
        "system-clock",
        Generation::P3,
        wat!("system-clock"),
        &["wasi:clocks/system-clock"],
    ),
    module(
        "monotonic-clock-p3",
        Generation::P3,
        wat!("monotonic-clock-p3"),
        &["wasi:clocks/monotonic-clock"],
    ),
    Module {
        renames: &[(
            "wasi:random/insecure-seed#insecure-seed",
            "wasi:random/insecure-seed#get-insecure-seed",
        )],
        ..module("random", Generation::P3, RANDOM, RANDOM_INTERFACES)
    },
    module(
        "stdio-p3",
        Generation::P3,
        wat!("stdio-p3"),
        &["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"],
    ),
    module(
        "preopens",
        Generation::P3,
        PREOPENS,
        &["wasi:filesystem/preopens"],
    ),
    Module {
        when: |g| !g.allow_http.is_empty(),
        bodies: crate::http_filter::client_filter_bodies,
        ..module(
            "client-filter-p3",
            Generation::P3,
            Source::Wat(crate::http_filter::CLIENT_FILTER_P3_WAT),
            &["wasi:http/client"],
        )
    },
];

/// The `files` module (compiled from `virt/files/files.c`): WASI 0.2's streams, stdio and
/// filesystem, used instead of the `stdio` and `preopens` modules when files are mounted or
/// overlaid or a standard stream is ignored.
pub(crate) const FILES: Module = Module {
    name: "files",
    generation: Generation::P2,
    source: Source::Compiled(include_bytes!("../virt/files.wasm")),
    interfaces: FILES_INTERFACES,
    renames: &[],
    when: |_| true,
    bodies: no_bodies,
};

/// The `keyvalue` module (compiled from `virt/keyvalue/keyvalue.c`): `wasi:keyvalue` in the
/// component's own memory, or denied.
pub(crate) const KEYVALUE: Module = Module {
    name: "keyvalue",
    generation: Generation::P2,
    source: Source::Compiled(include_bytes!("../virt/keyvalue.wasm")),
    interfaces: &[
        "wasi:keyvalue/store",
        "wasi:keyvalue/atomics",
        "wasi:keyvalue/batch",
    ],
    renames: &[],
    when: |_| true,
    bodies: no_bodies,
};

/// The interfaces the `files` module exports.
pub(crate) const FILES_INTERFACES: &[&str] = &[
    "wasi:io/streams",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
];

/// WASI 0.3's socket interfaces, denied by a generated component ([`generated`]).
pub(crate) const P3_SOCKETS: &[&str] = &["wasi:sockets/types", "wasi:sockets/ip-name-lookup"];

/// The names of the bundled modules (their sources are `virt/NAME.wat`, or
/// `virt/NAME/NAME.c`).
pub fn module_names() -> impl Iterator<Item = &'static str> {
    let mut names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
    names.push(FILES.name);
    names.push(KEYVALUE.name);
    names.dedup();
    names.into_iter()
}
