//! Engine configuration and compilation.
//!
//! Two compilers: Cranelift (optimizing; slow to compile large components) and Winch (a
//! baseline compiler; several times faster to compile). `Compiler::Auto` uses cached Cranelift
//! code when there is some and otherwise compiles with Winch, reporting that an optimized
//! build is worth caching for later runs (the CLI does that in the background).

pub use crate::artifact::{Artifact, Compiler};
use crate::cache::Cache;
use crate::error::{AtStep, HostStep};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::WasmtimeResultExt;
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, Strategy};

/// Settings that shape the engine (they are part of the cache key through wasmtime's
/// compatibility hash).
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// The compiler.
    pub compiler: Compiler,
    /// The compile cache, if enabled.
    pub cache: Option<Cache>,
    /// Show a progress line on a terminal during long compiles.
    pub progress: bool,
    /// Also say, in one plain line on stderr when it is not a terminal (a server's log), that
    /// a compile is taking more than a second; the line starts with this text.
    pub log_long_compiles: Option<String>,
    /// `Some(n)`: an engine for a server running up to `n` instances at once (`wct serve`):
    /// code checks the epoch even without a timeout, so guests yield to each other on a few
    /// threads, and instances come from a pooling allocator (no mmap/munmap per request).
    pub serving: Option<usize>,
    /// Where the core modules a component imports instead of carrying are
    /// (`DIR/NAME.wasm` for the import `NAME`, as `wct unbundle` writes them).
    pub module_dir: Option<std::path::PathBuf>,
}

impl EngineOptions {
    /// The cache code compiled with `chosen` goes through: none for Winch's under `Auto`
    /// (the optimized code compiled in the background is what the cache is for, and writing
    /// Winch's, 75 MB for a Python component, then reading it back took a tenth of a cold
    /// start).
    pub(crate) fn cache_for(&self, chosen: Compiler) -> Option<&Cache> {
        self.cache
            .as_ref()
            .filter(|_| !(chosen == Compiler::Winch && self.compiler == Compiler::Auto))
    }
}

/// Builds an engine for `compiler` (never `Auto`) honouring the limits that need engine
/// support (fuel, epochs); `serving` as in [`EngineOptions`]; `concurrent`: with the
/// component model's concurrency (WASI 0.3 components: async functions, `stream`, `future`
/// and the async built-ins), which every host call pays for, so only for code that needs it
/// ([`wct_component::concurrency::needs_concurrent_host`]).
pub fn engine(
    compiler: Compiler,
    limits: &Limits,
    serving: Option<usize>,
    concurrent: bool,
) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.wasm_component_model_async(concurrent);
    config.concurrency_support(concurrent);
    config.strategy(match compiler {
        Compiler::Winch => Strategy::Winch,
        _ => Strategy::Cranelift,
    });
    if compiler == Compiler::Winch {
        // Winch's code still enters and leaves through trampolines Cranelift compiles, one
        // per function a table or export lets the host call (6,000 for a Python component):
        // unoptimized they are as correct and compiled in less time (a cold run 8% faster);
        // Winch code is short-lived under `auto`, where the optimized build replaces it.
        config.cranelift_opt_level(wasmtime::OptLevel::None);
    }
    config.consume_fuel(limits.fuel.is_some());
    config.epoch_interruption(limits.timeout.is_some() || serving.is_some());
    if let Some(concurrency) = serving {
        config.allocation_strategy(pooling(concurrency));
    }
    Engine::new(&config).any().at(HostStep::Configure)
}

/// A pooling allocator with room for `concurrency` instances of typical components (an
/// adapted C component has 4 core instances, a componentize-py one about 20).
///
/// A slot's memory and table are reset for the next instance in place, the pages the guest
/// wrote found with Linux's `PAGEMAP_SCAN` (6.7 and later; below, the first
/// [`KEEP_RESIDENT`] bytes are reset whole) and set back with `memset`, rather than given back
/// to the kernel with `madvise` and faulted in again by the next request: with a fresh
/// instance per request that doubled the requests per second of a small C component and
/// added a sixth to a Python one's, for a few megabytes more resident memory.
fn pooling(concurrency: usize) -> wasmtime::InstanceAllocationStrategy {
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(KEEP_RESIDENT / 16)
        .pagemap_scan(wasmtime::Enabled::Auto);
    let at_least = |n: usize| n.max(1000) as u32;
    pool.total_component_instances(at_least(concurrency))
        .total_core_instances(at_least(concurrency * 32))
        .total_memories(at_least(concurrency * 8))
        .total_tables(at_least(concurrency * 32));
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// How much of each pooled linear memory is kept resident and reset in place ([`pooling`]).
const KEEP_RESIDENT: usize = 16 << 20;

/// How a program's code was obtained, for `--verbose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompileSummary {
    /// The compiler whose code runs.
    pub compiler: Compiler,
    /// Whether the code came from the cache.
    pub cached: bool,
    /// Time spent compiling or loading.
    pub elapsed: Duration,
}

impl std::fmt::Display for CompileSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.cached {
            "loaded from the cache"
        } else {
            "compiled"
        };
        write!(
            f,
            "{} code {how} in {:.1} ms",
            self.compiler.name(),
            self.elapsed.as_secs_f64() * 1e3
        )
    }
}

/// What was compiled, and how.
pub struct Compiled<T> {
    /// The engine the code belongs to.
    pub engine: Engine,
    /// The compiled module or component.
    pub artifact: T,
    /// The compiler that produced it.
    pub compiler: Compiler,
    /// Whether it came from the cache.
    pub cached: bool,
    /// True when Winch was used for lack of cached optimized code: compiling with Cranelift
    /// into the cache would speed up later runs.
    pub optimize_later: bool,
    /// When compiling (or loading) started.
    pub started: Instant,
}

impl<T> Compiled<T> {
    /// Compiler, cache use and time, for `--verbose`.
    pub fn summary(&self) -> CompileSummary {
        CompileSummary {
            compiler: self.compiler,
            cached: self.cached,
            elapsed: self.started.elapsed(),
        }
    }
}

/// Compiles `wasm` (named `name` in progress messages) following `opts`.
pub fn compile<T: Artifact>(
    wasm: &[u8],
    name: &str,
    limits: &Limits,
    opts: &EngineOptions,
) -> Result<Compiled<T>> {
    let started = Instant::now();
    let concurrent = wct_component::concurrency::needs_concurrent_host(wasm);
    let cranelift = engine(Compiler::Cranelift, limits, opts.serving, concurrent)?;
    // A cached optimized build wins whatever the compiler choice, except an explicit Winch.
    if opts.compiler != Compiler::Winch {
        if let Some(cache) = &opts.cache {
            if let Some(artifact) = cache.load::<T>(&cranelift, wasm, Compiler::Cranelift) {
                return Ok(Compiled {
                    engine: cranelift,
                    artifact,
                    compiler: Compiler::Cranelift,
                    cached: true,
                    optimize_later: false,
                    started,
                });
            }
        }
    }
    // An unbundled component whose modules (the bulk of the code, a language runtime shared
    // with other components) have optimized code cached is small: Cranelift compiles the
    // rest sooner than Winch would compile it all.
    let runtime_cached = || {
        opts.module_dir
            .as_deref()
            .zip(opts.cache.as_ref())
            .is_some_and(|(dir, cache)| cache.holds_imported_modules(&cranelift, wasm, dir))
    };
    let (chosen, engine) = match opts.compiler {
        Compiler::Cranelift => (Compiler::Cranelift, cranelift),
        Compiler::Auto if runtime_cached() => (Compiler::Cranelift, cranelift),
        Compiler::Winch | Compiler::Auto => (
            Compiler::Winch,
            self::engine(Compiler::Winch, limits, opts.serving, concurrent)?,
        ),
    };
    let cache = opts.cache_for(chosen);
    if chosen == Compiler::Winch {
        if let Some(cache) = cache {
            if let Some(artifact) = cache.load::<T>(&engine, wasm, Compiler::Winch) {
                let optimize_later = opts.compiler == Compiler::Auto;
                return Ok(Compiled {
                    engine,
                    artifact,
                    compiler: chosen,
                    cached: true,
                    optimize_later,
                    started,
                });
            }
        }
    }
    let label = format!(
        "compiling {name} ({:.1} MB) with {}",
        wasm.len() as f64 / 1e6,
        chosen.name()
    );
    let log_line = opts.log_long_compiles.as_ref().map(|start| {
        format!(
            "{start}{label}; {}",
            if opts.cache.is_some() {
                "the compile cache will make the next start fast"
            } else {
                "without a compile cache, every start compiles"
            }
        )
    });
    let progress = wct_io::progress::Progress::start_or_log(opts.progress, label, log_line);
    let built = compile_fresh(&engine, wasm, chosen, cache);
    drop(progress);
    match built {
        Ok(artifact) => Ok(Compiled {
            engine,
            artifact,
            compiler: chosen,
            cached: false,
            optimize_later: chosen == Compiler::Winch
                && opts.compiler == Compiler::Auto
                && opts.cache.is_some(),
            started,
        }),
        // Winch does not support every proposal Cranelift does: fall back.
        Err(_) if chosen == Compiler::Winch && opts.compiler == Compiler::Auto => {
            let opts = EngineOptions {
                compiler: Compiler::Cranelift,
                ..opts.clone()
            };
            compile(wasm, name, limits, &opts)
        }
        Err(e) => Err(Error::Compile {
            name: name.to_string(),
            source: e.into(),
        }),
    }
}

/// Compiles `wasm` on `engine` with `chosen`, through `cache` when given (stored there, then
/// loaded from the stored bytes).
fn compile_fresh<T: Artifact>(
    engine: &Engine,
    wasm: &[u8],
    chosen: Compiler,
    cache: Option<&Cache>,
) -> wasmtime::Result<T> {
    match cache {
        Some(cache) => T::precompile(engine, wasm).and_then(|bytes| {
            cache.store::<T>(engine, wasm, chosen, &bytes);
            T::load(engine, &bytes)
        }),
        None => T::compile(engine, wasm),
    }
}

/// Compiles `wasm` on an existing `engine` (made for `chosen`): from `cache` when it holds
/// the code, else fresh and into it. For code that must share an engine with other code (the
/// core modules a component imports, [`crate::modules`]).
pub(crate) fn compile_on<T: Artifact>(
    engine: &Engine,
    wasm: &[u8],
    chosen: Compiler,
    cache: Option<&Cache>,
) -> wasmtime::Result<T> {
    if let Some(artifact) = cache.and_then(|cache| cache.load::<T>(engine, wasm, chosen)) {
        return Ok(artifact);
    }
    compile_fresh(engine, wasm, chosen, cache)
}

/// Compiles with Cranelift into the cache and nothing else (the background half of `Auto`).
pub fn precompile_into_cache<T: Artifact>(
    wasm: &[u8],
    limits: &Limits,
    cache: &Cache,
) -> Result<()> {
    let concurrent = wct_component::concurrency::needs_concurrent_host(wasm);
    let engine = engine(Compiler::Cranelift, limits, None, concurrent)?;
    precompile_on::<T>(&engine, wasm, "the program", cache)
}

/// [`precompile_into_cache`] on an existing engine; `name` in messages.
fn precompile_on<T: Artifact>(
    engine: &Engine,
    wasm: &[u8],
    name: &str,
    cache: &Cache,
) -> Result<()> {
    if cache.load::<T>(engine, wasm, Compiler::Cranelift).is_some() {
        return Ok(());
    }
    // Runs started together each start a background compile of the same code: one does it.
    let Some(_claim) = cache.claim::<T>(engine, wasm, Compiler::Cranelift) else {
        return Ok(());
    };
    let bytes = T::precompile(engine, wasm).map_err(|e| Error::Compile {
        name: name.to_string(),
        source: e.into(),
    })?;
    cache.store::<T>(engine, wasm, Compiler::Cranelift, &bytes);
    Ok(())
}

/// [`precompile_into_cache`] for a component or a core module, whichever `wasm` is; for a
/// component, also the core modules it imports from `module_dir` (on the component's engine,
/// as a run compiles them).
pub fn precompile(
    wasm: &[u8],
    limits: &Limits,
    cache: &Cache,
    module_dir: Option<&std::path::Path>,
) -> Result<()> {
    if wct_component::detect(wasm) != wct_component::WasmKind::Component {
        return precompile_into_cache::<wasmtime::Module>(wasm, limits, cache);
    }
    let concurrent = wct_component::concurrency::needs_concurrent_host(wasm);
    let engine = engine(Compiler::Cranelift, limits, None, concurrent)?;
    precompile_on::<wasmtime::component::Component>(&engine, wasm, "the program", cache)?;
    let Some(dir) = module_dir else {
        return Ok(());
    };
    for module in wct_component::unbundle::imported_modules(wasm) {
        let path = dir.join(format!("{module}.wasm"));
        // A module that cannot be read now is reported by the run that needs it.
        if let Ok(bytes) = wct_io::read_file(&path) {
            precompile_on::<wasmtime::Module>(&engine, &bytes, &path.display().to_string(), cache)?;
        }
    }
    Ok(())
}
