//! The errors of this crate's public functions: what went wrong before or around the guest.
//! How the guest itself ended (exit, trap, limit) is not an error but an [`Outcome`].
//!
//! Messages state the facts and name no command-line flag: a front end that knows how the
//! user spelled a grant or a call (`wct`'s CLI says `--dir`, `--invoke`) words its advice from
//! the variant.
//!
//! [`Outcome`]: crate::Outcome

use std::path::PathBuf;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// A grant or limit written in a form that does not parse.
    #[error("{what} expects {expected}, got `{text}`")]
    InvalidSpec {
        /// What was being parsed.
        what: SpecKind,
        /// The text as given.
        text: String,
        /// The accepted form.
        expected: &'static str,
    },
    /// A size or duration that does not parse or is out of range.
    #[error("{0}")]
    InvalidQuantity(String),
    /// A granted directory is missing or not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The host path.
        path: PathBuf,
    },
    /// A granted directory could not be opened.
    #[error("cannot open {}", path.display())]
    CannotOpenDirectory {
        /// The host path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The input is neither a component nor a core module.
    #[error("{name}: not a wasm component or module")]
    NotWasm {
        /// The program's display name.
        name: String,
    },
    /// An HTTP component was expected: the input exports neither WASI HTTP handler.
    #[error(
        "{name} does not export wasi:http/incoming-handler (WASI 0.2) or wasi:http/handler@0.3 \
         (WASI 0.3), so it is not a wasi:http/proxy or wasi:http/service component ({})",
        exports_phrase(exports)
    )]
    NotHttpComponent {
        /// The program's display name.
        name: String,
        /// What it exports instead (`function f` for bare functions).
        exports: Vec<String>,
    },
    /// A component to run as a command exports no `wasi:cli/run` (0.2 or 0.3).
    #[error(
        "{name} is not a command: it does not export wasi:cli/run (WASI 0.2 or 0.3) ({})",
        exports_phrase(exports)
    )]
    NotACommand {
        /// The program's display name.
        name: String,
        /// What it exports instead (`function f` for bare functions).
        exports: Vec<String>,
    },
    /// A core module was given where only components are served.
    #[error("{name}: not a component")]
    NotAComponent {
        /// The program's display name.
        name: String,
    },
    /// The engine refused to compile the program (invalid wasm, a feature it lacks).
    #[error("compiling {name}")]
    Compile {
        /// The program's display name.
        name: String,
        /// The engine's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The component imports core modules (as `wct unbundle` leaves it) and no folder to
    /// take them from was given.
    #[error(
        "{name} imports the core module{} {}, which it does not carry (as `wct unbundle` \
         leaves a component): pass --module-dir DIR, the folder {} written to",
        if modules.len() == 1 { "" } else { "s" },
        modules.join(", "),
        if modules.len() == 1 { "it was" } else { "they were" }
    )]
    ModulesNotProvided {
        /// The program's display name.
        name: String,
        /// The imported modules' names.
        modules: Vec<String>,
    },
    /// A core module the component imports could not be read from the folder given.
    #[error("{name} imports the core module {module}: cannot use {}", path.display())]
    ModuleFile {
        /// The program's display name.
        name: String,
        /// The import's name.
        module: String,
        /// The file it was looked for in.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The program did not instantiate against the host.
    #[error(
        "{name}: cannot instantiate{as_what}{}",
        foreign_phrase(foreign_imports)
    )]
    CannotInstantiate {
        /// The program's display name.
        name: String,
        /// ` as a wasi:cli/command component`, or empty.
        as_what: &'static str,
        /// Its imports that are not WASI (which no host provides).
        foreign_imports: Vec<String>,
        /// The engine's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A function call (`name(args)` in WAVE) that cannot be made.
    #[error(transparent)]
    Call(#[from] CallError),
    /// A Preview 1 program to run exports no `_start`.
    #[error("{name}: a Preview 1 program must export `_start`")]
    NoStart {
        /// The program's display name.
        name: String,
    },
    /// A core module to run through the Preview 1 adapter could not be adapted.
    #[error("cannot adapt {name}")]
    Adapt {
        /// The program's display name.
        name: String,
        /// Why.
        #[source]
        source: wct_component::adapt::AdaptError,
    },
    /// The server's address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The host failed at `step` (not the guest: how it ended is an [`Outcome`]).
    ///
    /// [`Outcome`]: crate::Outcome
    #[error("{step}")]
    Host {
        /// What the host was doing.
        step: HostStep,
        /// The engine's (or the runtime's) reason, its causes kept.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Which kind of text an [`Error::InvalidSpec`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// A directory grant, `HOST[::GUEST][:ro]`.
    Directory,
    /// A network address grant, `IP` or `IP:PORT`.
    Address,
    /// An outgoing HTTP grant, `HOST` or `HOST:PORT`.
    HttpDestination,
}

impl std::fmt::Display for SpecKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SpecKind::Directory => "a directory grant",
            SpecKind::Address => "an address grant",
            SpecKind::HttpDestination => "an HTTP grant",
        })
    }
}

/// Why a call of an exported function cannot be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum CallError {
    /// The call text is not `NAME(ARGS)`.
    #[error("invalid call `{call}`: {problem}")]
    Syntax {
        /// The call as written.
        call: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// No export has this name.
    #[error("no exported function `{name}`; it exports:\n{}", listing(exports))]
    NoSuchFunction {
        /// The name asked for.
        name: String,
        /// `name: signature` of every exported function.
        exports: Vec<String>,
    },
    /// Several exports match the name.
    #[error("`{name}` is ambiguous; it matches:\n{}", listing(candidates))]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// `name: signature` of each match.
        candidates: Vec<String>,
    },
    /// A parameter or result holds a value WAVE has no syntax for.
    #[error(
        "`{function}` ({signature}) passes a {what}, which WAVE cannot write: only functions whose \
         parameters and results are plain values can be called"
    )]
    Unexpressible {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// `stream`, `future` or `error-context`.
        what: &'static str,
    },
    /// The call passes too many or too few arguments.
    #[error("`{function}` takes {expected} argument(s) ({signature}), {given} given")]
    Arity {
        /// The function.
        function: String,
        /// Its signature.
        signature: String,
        /// How many it takes.
        expected: usize,
        /// How many the call gives.
        given: usize,
    },
    /// The arguments are not WAVE values separated by commas.
    #[error("invalid arguments in `{call}`: {problem}")]
    InvalidArguments {
        /// The call as written.
        call: String,
        /// What is wrong with them, with a hint on quoting where one helps.
        problem: String,
    },
    /// An argument is not a value of its parameter's type.
    #[error("argument {param}: `{text}` is not a valid {expected}")]
    InvalidValue {
        /// The parameter: `` `name` ``, or its position from 1 for a core function.
        param: String,
        /// The argument as written.
        text: String,
        /// The type it must be, with a hint on quoting where one helps.
        expected: String,
        /// WAVE's reason, when it gives one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A handle names no resource an earlier call returned.
    #[error("argument `{param}`: no resource {text} (earlier calls returned {returned})")]
    NoSuchHandle {
        /// The parameter.
        param: String,
        /// The handle as written (`#3`).
        text: String,
        /// How many resources earlier calls returned.
        returned: usize,
    },
    /// A resource parameter given something other than a handle.
    #[error(
        "argument `{param}` is a resource: pass a handle returned by an earlier call, like #0"
    )]
    NeedsHandle {
        /// The parameter.
        param: String,
    },
}

fn listing(items: &[String]) -> String {
    if items.is_empty() {
        return "  (no functions)".into();
    }
    items
        .iter()
        .map(|i| format!("  {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn exports_phrase(exports: &[String]) -> String {
    if exports.is_empty() {
        "it exports nothing".into()
    } else {
        format!("it exports {}", exports.join(", "))
    }
}

fn foreign_phrase(imports: &[String]) -> String {
    if imports.is_empty() {
        String::new()
    } else {
        format!(
            ": it imports {}, which the host does not provide (only WASI 0.2 and 0.3 are): \
             compose it with a component that exports them",
            imports.join(", ")
        )
    }
}

impl Error {
    /// The error and its causes, one after another (`a: b: c`), as `anyhow` prints `{:#}`.
    pub fn chain(&self) -> String {
        wct_io::error_text(self)
    }
}

/// What the host was doing when it failed ([`Error::Host`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostStep {
    /// Configuring the engine.
    Configure,
    /// Starting the asynchronous runtime.
    Runtime,
    /// Adding the WASI host (or another host interface) to the linker.
    Link,
    /// Opening a store the program was granted (a key-value store, a directory).
    OpenStore,
    /// Preparing the program's instances.
    Prepare,
    /// Running a core module's `_initialize`.
    Initialize,
    /// Calling into the program.
    Call,
    /// Serving requests.
    Serve,
}

impl std::fmt::Display for HostStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HostStep::Configure => "cannot configure the engine",
            HostStep::Runtime => "cannot start the asynchronous runtime",
            HostStep::Link => "cannot link the host's interfaces",
            HostStep::OpenStore => "cannot open a granted store",
            HostStep::Prepare => "cannot prepare the program's instances",
            HostStep::Initialize => "the module's `_initialize` failed",
            HostStep::Call => "the call failed in the host",
            HostStep::Serve => "the server failed",
        })
    }
}

/// Turns the engine's errors into [`Error::Host`] at a [`HostStep`].
pub(crate) trait AtStep<T> {
    /// The result with its error as [`Error::Host`] at `step`.
    fn at(self, step: HostStep) -> Result<T>;
}

impl<T> AtStep<T> for wasmtime::Result<T> {
    fn at(self, step: HostStep) -> Result<T> {
        self.map_err(|e| Error::Host {
            step,
            source: e.into(),
        })
    }
}

impl<T> AtStep<T> for anyhow::Result<T> {
    fn at(self, step: HostStep) -> Result<T> {
        self.map_err(|e| Error::Host {
            step,
            source: e.into(),
        })
    }
}

impl<T> AtStep<T> for std::io::Result<T> {
    fn at(self, step: HostStep) -> Result<T> {
        self.map_err(|e| Error::Host {
            step,
            source: e.into(),
        })
    }
}

/// The error for a component that did not instantiate as `as_what` (e.g. ` as a
/// wasi:cli/command component`): with its imports that are not WASI (which no host provides).
pub(crate) fn cannot_instantiate(
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
    name: &str,
    as_what: &'static str,
    source: anyhow::Error,
) -> Error {
    let ty = component.component_type();
    Error::CannotInstantiate {
        name: name.to_string(),
        as_what,
        foreign_imports: ty
            .imports(engine)
            .filter(|(_, item)| {
                !matches!(
                    item.ty,
                    wasmtime::component::types::ComponentItem::Module(_)
                )
            })
            .map(|(name, _)| name)
            .filter(|name| !name.starts_with("wasi:"))
            .map(str::to_string)
            .collect(),
        source: source.into(),
    }
}
