//! `adapt`: a preview1 core module in, a component out, prepared first so
//! that no guest heap can run over the adapter's memory; and `inspect`,
//! which says what a module is and what `adapt` will do with it.

use std::fmt;

use crate::Flavour;
use crate::entry::{self, EntryError};
use crate::memory::{self, MemoryError};
use crate::prepare::{self, PrepareError};

/// Whether to run the preparation pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preparation {
    /// Every module that imports preview1 functions. Preparation is what
    /// makes any guest safe, whatever its heap does (measured in
    /// docs/benchmarks.md: it costs the guest nothing worth avoiding), and
    /// a module's bytes do not reliably tell which heaps are safe without it:
    /// wasi-libc's malloc before 2023 looks much like today's.
    Auto,
    /// Every module, even one without preview1 imports.
    Always,
    /// None: the module is linked as it is (drop-in), entries arranged.
    Never,
}

/// How the adapter will place its memory next to a guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Drop-in: pages from memory.grow, above a gap left to the guest, with
    /// guards that catch a guest heap running over them.
    DropIn,
    /// The guest was prepared; the adapter keeps its pages above the guest's
    /// view of memory.
    FloatingTail,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::DropIn => write!(f, "drop-in: adapter memory from memory.grow, guarded"),
            Strategy::FloatingTail => write!(f, "prepared: the guest's memory.size/memory.grow go through the adapter (floating tail)"),
        }
    }
}

/// What a preview1 module is.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// `language` of the producers section, e.g. "Go go1.27.3".
    pub language: Vec<String>,
    /// `processed-by` of the producers section, e.g. "TinyGo 0.40.0".
    pub processed_by: Vec<String>,
    /// Whether the producer is known to treat all of memory as its heap's
    /// (Go, TinyGo): such a module needs preparation.
    pub heap_claims_memory: bool,
    /// Allocator exports (`cabi_realloc_adapter`, `cabi_realloc`,
    /// `canonical_abi_realloc`, `malloc`), for information: upstream's
    /// adapter takes its memory from the first three; ours never does.
    pub allocator_exports: Vec<String>,
    /// Command when it has an entry (`_start`, or `""` as older wasi-sdk
    /// exported it) or does all its work in its start function; else reactor.
    pub flavour: Flavour,
    /// Its start function, `_initialize`, `""` and `_start`.
    pub entries: entry::Entries,
    /// The `wasi_snapshot_preview1` functions it imports, each once.
    pub p1_imports: Vec<String>,
    /// Imports from other modules that an adapter must serve
    /// (`module.name`; not the memory, nor the WIT imports the module's own
    /// component-type section describes).
    pub other_imports: Vec<String>,
    /// Its memory, as `adapt` will find it.
    pub memory: memory::Memory,
    /// What `adapt` does by default.
    pub strategy: Strategy,
}

/// Whether an import from `module` needs an adapter: not the memory (`adapt`
/// makes it the module's own), nor an import named as wit-component names
/// what a component-type section describes (`ns:pkg/iface@version`,
/// `$root`, `[export]…`).
fn needs_an_adapter(module: &str, ty: wasmparser::TypeRef) -> bool {
    !matches!(ty, wasmparser::TypeRef::Memory(_)) && !module.contains(':') && !module.starts_with('$') && !module.starts_with('[')
}

/// The realloc exports wit-component wires to an adapter, in its order.
const REALLOC_EXPORTS: [&str; 3] = ["cabi_realloc_adapter", "cabi_realloc", "canonical_abi_realloc"];

/// What `module` is and what `adapt` will do with it.
pub fn inspect(module: &[u8]) -> Result<Inspection, AdaptError> {
    let mut inspection = Inspection {
        language: Vec::new(),
        processed_by: Vec::new(),
        heap_claims_memory: false,
        allocator_exports: Vec::new(),
        flavour: Flavour::Reactor,
        entries: entry::Entries::default(),
        p1_imports: Vec::new(),
        other_imports: Vec::new(),
        memory: memory::Memory::default(),
        strategy: Strategy::DropIn,
    };
    if wasmparser::Parser::is_component(module) {
        return Err(AdaptError::AlreadyAComponent);
    }
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.map_err(AdaptError::Malformed)? {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(AdaptError::Malformed)?;
                    if import.module == crate::ADAPTER_NAME {
                        if !inspection.p1_imports.iter().any(|name| name == import.name) {
                            inspection.p1_imports.push(import.name.to_string());
                        }
                    } else if needs_an_adapter(import.module, import.ty) {
                        inspection.other_imports.push(format!("{}.{}", import.module, import.name));
                    }
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let name = export.map_err(AdaptError::Malformed)?.name;
                    if REALLOC_EXPORTS.contains(&name) || name == "malloc" {
                        inspection.allocator_exports.push(name.to_string());
                    }
                }
            }
            wasmparser::Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Producers(producers) = section.as_known() {
                    read_producers(&mut inspection, producers)?;
                }
            }
            _ => {}
        }
    }
    inspection.heap_claims_memory =
        inspection.language.iter().chain(&inspection.processed_by).any(|producer| producer.starts_with("Go ") || producer.starts_with("TinyGo"));
    inspection.entries = entry::survey(module).map_err(AdaptError::Malformed)?;
    if inspection.entries.is_command() {
        inspection.flavour = Flavour::Command;
    }
    inspection.memory = memory::examine(module)?;
    inspection.strategy = if inspection.p1_imports.is_empty() { Strategy::DropIn } else { Strategy::FloatingTail };
    Ok(inspection)
}

fn read_producers(inspection: &mut Inspection, producers: wasmparser::ProducersSectionReader<'_>) -> Result<(), AdaptError> {
    for field in producers {
        let field = field.map_err(AdaptError::Malformed)?;
        for value in field.values {
            let value = value.map_err(AdaptError::Malformed)?;
            let entry = format!("{} {}", value.name, value.version).trim().to_string();
            match field.name {
                "language" => inspection.language.push(entry),
                "processed-by" => inspection.processed_by.push(entry),
                _ => {}
            }
        }
    }
    Ok(())
}

/// What `adapt` made.
#[derive(Debug)]
pub struct Adapted {
    /// The component's bytes.
    pub component: Vec<u8>,
    /// The adapter flavour it was linked with.
    pub flavour: Flavour,
    /// Where the adapter keeps its memory.
    pub strategy: Strategy,
    /// `(memory.size, memory.grow)` instructions rewritten, when prepared.
    pub rewritten: Option<(usize, usize)>,
    /// The guest's canonical-ABI callbacks wrapped (`cabi_realloc`,
    /// `cabi_post_*`), when prepared.
    pub callbacks_wrapped: Vec<String>,
    /// What was done to the module's memory to make it linkable.
    pub memory: memory::Changes,
    /// What was done to the module's entry points (`entry`).
    pub entries: entry::Changes,
    /// What became of the module's DWARF: kept true, or dropped with the
    /// reason in `entries` or the preparation's.
    pub debug_info: prepare::DebugInfo,
}

/// Options of `adapt`.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Whether to run the preparation pass.
    pub preparation: Preparation,
    /// Command or reactor; by default, command when the module has `_start`.
    pub flavour: Option<Flavour>,
    /// Another adapter than ours (cannot be combined with preparation).
    pub adapter: Option<&'a [u8]>,
    /// For hosts without wasi:cli 0.2.12's `exit-with-code` (wasmtime 27-45
    /// run without `-S cli-exit-with-code`): every non-zero exit ends as 1
    /// (`older_hosts`). Ours only.
    pub no_exit_with_code: bool,
    /// Arrange the module's entries so that the component runs what native
    /// p1 runs (`entry::for_component`: the start function moved out of
    /// the start section, `""` exported as `_start`). Without it the module
    /// is linked with its entries as they are, as `wasm-tools component new`
    /// links it.
    pub arrange_entries: bool,
    /// Adapters for import modules other than `wasi_snapshot_preview1`, by
    /// the module name they serve, as `wasm-tools component new --adapt
    /// NAME=FILE` takes them (a module of host functions, say).
    pub other_adapters: &'a [(&'a str, &'a [u8])],
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { preparation: Preparation::Auto, flavour: None, adapter: None, no_exit_with_code: false, arrange_entries: true, other_adapters: &[] }
    }
}

/// Links a preview1 module with the adapter into a component, preparing the
/// module first if `options` say so.
pub fn adapt(module: &[u8], options: &Options<'_>) -> Result<Adapted, AdaptError> {
    let inspection = inspect(module)?;
    let flavour = options.flavour.unwrap_or(inspection.flavour);
    let prepare = match options.preparation {
        Preparation::Always => true,
        Preparation::Never => false,
        // Another adapter cannot be prepared for.
        Preparation::Auto => options.adapter.is_none() && inspection.strategy == Strategy::FloatingTail,
    };
    let ours = crate::adapter(flavour);
    if prepare && options.adapter.is_some() {
        return Err(AdaptError::PreparationNeedsOurAdapter);
    }
    if options.no_exit_with_code && options.adapter.is_some() {
        return Err(AdaptError::ExitRewriteNeedsOurAdapter);
    }
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    validator.validate_all(module).map_err(AdaptError::Invalid)?;
    if inspection.memory.shared {
        return Err(AdaptError::SharedMemory);
    }
    let served = |import: &&String| options.other_adapters.iter().any(|(name, _)| import.split('.').next() == Some(*name));
    let unserved: Vec<String> = inspection.other_imports.iter().filter(|import| !served(import)).cloned().collect();
    if !unserved.is_empty() {
        return Err(AdaptError::UnservedImports(unserved));
    }
    let arranged = if options.arrange_entries { entry::for_component(module, flavour)? } else { None };
    let (module, entry_changes) = match arranged {
        Some((arranged, changes)) => (std::borrow::Cow::Owned(arranged), changes),
        None => (std::borrow::Cow::Borrowed(module), entry::Changes::default()),
    };
    let (module, memory_changes) = match memory::make_linkable(&module, prepare)? {
        Some((fixed, changes)) => (std::borrow::Cow::Owned(fixed), changes),
        None => (module, memory::Changes::default()),
    };
    let module: &[u8] = &module;
    let unprepared_debug_info = match (entry_changes.debug_info_dropped, crate::sections::has_debug_info(module)) {
        (true, _) => prepare::DebugInfo::Dropped,
        (false, true) => prepare::DebugInfo::Kept,
        (false, false) => prepare::DebugInfo::None,
    };
    let (module, adapter, strategy, rewritten, callbacks_wrapped, debug_info) = if prepare {
        let prepared = prepare::prepare(module)?;
        let adapter = prepare::floating_tail_adapter(ours, memory_changes.lifted_maximum)?;
        let counts = (prepared.memory_size_rewritten, prepared.memory_grow_rewritten);
        let debug_info = if unprepared_debug_info == prepare::DebugInfo::Dropped { unprepared_debug_info } else { prepared.debug_info };
        (prepared.module, adapter, Strategy::FloatingTail, Some(counts), prepared.callbacks_wrapped, debug_info)
    } else {
        (module.to_vec(), options.adapter.unwrap_or(ours).to_vec(), Strategy::DropIn, None, Vec::new(), unprepared_debug_info)
    };
    let adapter = if options.no_exit_with_code { crate::older_hosts::without_exit_with_code(&adapter)? } else { adapter };
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder
        .module(&module)
        .map_err(|e| AdaptError::Component { step: "read the module", source: e.into() })?
        .validate(true)
        .adapter(crate::ADAPTER_NAME, &adapter)
        .map_err(|e| AdaptError::Component { step: "add the adapter", source: e.into() })?;
    for (name, bytes) in options.other_adapters {
        encoder
            .adapter(name, bytes)
            .map_err(|e| AdaptError::Component { step: "add the adapter given for another import module", source: e.into() })?;
    }
    let component = encoder.encode().map_err(|e| AdaptError::Component { step: "encode the component", source: e.into() })?;
    Ok(Adapted { component, flavour, strategy, rewritten, callbacks_wrapped, memory: memory_changes, entries: entry_changes, debug_info })
}

/// Why `inspect` or `adapt` could not do its work.
#[derive(Debug)]
#[non_exhaustive]
pub enum AdaptError {
    /// The input is already a component.
    AlreadyAComponent,
    /// The input does not parse as a core module.
    Malformed(wasmparser::BinaryReaderError),
    /// Preparation was asked for with another adapter than ours.
    PreparationNeedsOurAdapter,
    /// `no_exit_with_code` was asked for with another adapter than ours.
    ExitRewriteNeedsOurAdapter,
    /// The module's memory could not be made linkable.
    Memory(MemoryError),
    /// The module could not be prepared.
    Prepare(PrepareError),
    /// The module's entry points could not be arranged.
    Entry(EntryError),
    /// The module parses but does not validate.
    Invalid(wasmparser::BinaryReaderError),
    /// Memory 0 is shared: a threads build, which no component can hold.
    SharedMemory,
    /// Imports from modules no adapter was given for (`module.name`).
    UnservedImports(Vec<String>),
    /// wit-component could not build the component: the step and its error.
    Component {
        /// What wit-component was asked to do.
        step: &'static str,
        /// Its error, with the causes it gives.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl fmt::Display for AdaptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdaptError::AlreadyAComponent => f.write_str("this is already a component"),
            AdaptError::Malformed(error) => write!(f, "{error}"),
            AdaptError::PreparationNeedsOurAdapter => {
                f.write_str("preparation needs this project's adapter; drop --adapter or pass --prepare never")
            }
            AdaptError::ExitRewriteNeedsOurAdapter => f.write_str("--no-exit-with-code rewrites this project's adapter only; drop --adapter"),
            AdaptError::Memory(error) => write!(f, "make the module's memory linkable: {error}"),
            AdaptError::Prepare(error) => write!(f, "prepare the module: {error}"),
            AdaptError::Entry(error) => write!(f, "arrange the module's entry points: {error}"),
            AdaptError::Invalid(_) => f.write_str("the module is not valid WebAssembly"),
            AdaptError::SharedMemory => f.write_str(
                "the module's memory is shared (a threads build, such as wasm32-wasip1-threads): a component cannot have a shared memory; build it without threads",
            ),
            AdaptError::UnservedImports(imports) => write!(
                f,
                "the module imports {} from outside WASI, which no adapter serves: give an adapter for each such module, as wasm-tools takes it (--adapt NAME=FILE)",
                imports.join(", ")
            ),
            // The causes follow through `source`, as error reporters print them.
            AdaptError::Component { step, .. } => write!(f, "wit-component could not {step}"),
        }
    }
}

impl std::error::Error for AdaptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdaptError::Malformed(error) => Some(error),
            AdaptError::Memory(error) => Some(error),
            AdaptError::Prepare(error) => Some(error),
            AdaptError::Entry(error) => Some(error),
            AdaptError::Invalid(error) => Some(error),
            AdaptError::Component { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<MemoryError> for AdaptError {
    fn from(error: MemoryError) -> Self {
        AdaptError::Memory(error)
    }
}

impl From<EntryError> for AdaptError {
    fn from(error: EntryError) -> Self {
        AdaptError::Entry(error)
    }
}

impl From<PrepareError> for AdaptError {
    fn from(error: PrepareError) -> Self {
        AdaptError::Prepare(error)
    }
}
