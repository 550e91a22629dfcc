//! The preparation pass: makes a guest whose heap claims all of memory
//! (TinyGo, Go) live with the adapter, and lets the adapter know when the
//! canonical ABI is calling into the guest.
//!
//! Such a runtime treats `[heap start, memory.size)` as its own and, when it
//! grows, assumes the new pages follow its old ones, whatever `memory.grow`
//! answered. Pages the adapter took are then overwritten. This pass rewrites
//! the guest's `memory.size` and `memory.grow` (on memory 0) into calls to
//! two functions the adapter exports, `adapter_memory_size` and
//! `adapter_memory_grow`. Linked with an adapter in the floating-tail
//! placement (`floating_tail_adapter`), the adapter keeps its pages above the
//! guest's view of memory and moves them up whenever the guest grows, so the
//! guest's assumption becomes true. Guest addresses do not change.
//!
//! A guest that exports `cabi_realloc` or `cabi_post_*` functions (Go
//! components do) is called by the canonical ABI while the component model
//! forbids calls to the host; a garbage collection there reads the clock.
//! Those exports are wrapped (see `callbacks`) so that the adapter knows,
//! and answers from what it already has instead of trapping.
//!
//! The adapter functions are imported from `wasi_snapshot_preview1`, after
//! the guest's own imports; every reference to a defined function (calls,
//! `ref.func`, exports, elements, the start function, names) is renumbered.
//! Wrappers are appended after the guest's functions. Nothing else changes.

mod callbacks;
mod code_layout;
mod floating_tail;

use std::fmt;

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{EntityType, Instruction, ValType};

pub use callbacks::{CALLBACK_BEGIN_EXPORT, CALLBACK_END_EXPORT};
pub use floating_tail::floating_tail_adapter;

/// The adapter exports a prepared guest calls instead of `memory.size` and
/// `memory.grow`.
pub const MEMORY_SIZE_EXPORT: &str = "adapter_memory_size";
/// (See `MEMORY_SIZE_EXPORT`.)
pub const MEMORY_GROW_EXPORT: &str = "adapter_memory_grow";

/// The adapter global that selects the placement; 1 is the floating tail.
pub const PLACEMENT_GLOBAL: &str = "adapter_placement";

/// The adapter global that holds the guest's own maximum (pages; 0 for none).
pub const GUEST_MAX_PAGES_GLOBAL: &str = "adapter_guest_max_pages";

/// A prepared module and what was changed.
#[derive(Debug)]
pub struct Prepared {
    /// The prepared module's bytes.
    pub module: Vec<u8>,
    /// How many `memory.size` and `memory.grow` instructions became calls.
    pub memory_size_rewritten: usize,
    /// (See `memory_size_rewritten`.)
    pub memory_grow_rewritten: usize,
    /// The exports wrapped as canonical-ABI callbacks (`cabi_realloc`,
    /// `cabi_post_*`), by name.
    pub callbacks_wrapped: Vec<String>,
    /// The start function was moved to `_initialize` (`entry`).
    pub start_function_moved: bool,
    /// What became of the module's DWARF.
    pub debug_info: DebugInfo,
}

/// What `prepare` (or `adapt`) did with a module's DWARF.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DebugInfo {
    /// The module has none.
    #[default]
    None,
    /// Kept, and still true: every code offset means what it meant
    /// (`code_layout`).
    Kept,
    /// Dropped: some change could not keep its instruction's length, so
    /// the source lines would have been wrong.
    Dropped,
}

/// Why a module (or an adapter) could not be prepared.
#[derive(Debug)]
#[non_exhaustive]
pub enum PrepareError {
    /// A component was given; preparation takes a core module.
    Component,
    /// Memory 0 is a 64-bit memory; the adapter's memory functions are 32-bit.
    Memory64,
    /// The module does not parse.
    Malformed(wasmparser::BinaryReaderError),
    /// The module parsed but could not be written back (the re-encoder's message).
    Reencode(String),
    /// The adapter given lacks what the pass patches (what is missing).
    NotOurAdapter(String),
    /// The module's start function could not be moved (why).
    Entry(String),
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::Component => f.write_str("this is a component; preparation takes a core module"),
            PrepareError::Memory64 => f.write_str("memory 0 is a 64-bit memory; a preview1 adapter works only with a 32-bit memory"),
            PrepareError::Malformed(error) => write!(f, "{error}"),
            PrepareError::Reencode(message) => f.write_str(message),
            PrepareError::NotOurAdapter(missing) => write!(f, "{missing}; is it ours?"),
            PrepareError::Entry(why) => write!(f, "move the start function: {why}"),
        }
    }
}

impl std::error::Error for PrepareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrepareError::Malformed(error) => Some(error),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> From<reencode::Error<E>> for PrepareError {
    fn from(error: reencode::Error<E>) -> Self {
        match error {
            reencode::Error::ParseError(error) => PrepareError::Malformed(error),
            other => PrepareError::Reencode(format!("{other:?}")),
        }
    }
}

fn invalid(error: wasmparser::BinaryReaderError) -> PrepareError {
    PrepareError::Malformed(error)
}

/// Rewrites `module`'s memory instructions into adapter calls and wraps its
/// canonical-ABI callbacks.
pub fn prepare(module: &[u8]) -> Result<Prepared, PrepareError> {
    if wasmparser::Parser::is_component(module) {
        return Err(PrepareError::Component);
    }
    // The adapter's memory functions can be called only once the component's
    // instances all exist, which is after a start section runs: the start
    // function moves to `_initialize` (`adapt` has already arranged it, for
    // the flavour it builds).
    let arranged = crate::entry::for_component(module, crate::Flavour::Reactor).map_err(|error| PrepareError::Entry(error.to_string()))?;
    let module = match &arranged {
        Some((arranged, _)) => arranged.as_slice(),
        None => module,
    };
    let mut rewriter = Rewriter::default();
    rewriter.survey(module)?;
    let mut out = wasm_encoder::Module::new();
    if rewriter.memory64 {
        return Err(PrepareError::Memory64);
    }
    rewriter.parse_core_module(&mut out, wasmparser::Parser::new(0), module)?;
    let (prepared, debug_info) = keep_code_layout(module, out.finish(), &rewriter)?;
    let debug_info = match &arranged {
        Some((_, changes)) if changes.debug_info_dropped => DebugInfo::Dropped,
        _ => debug_info,
    };
    Ok(Prepared {
        module: prepared,
        memory_size_rewritten: rewriter.sizes,
        memory_grow_rewritten: rewriter.grows,
        callbacks_wrapped: rewriter.callbacks.wrapped.iter().map(|wrapped| wrapped.export.clone()).collect(),
        start_function_moved: arranged.is_some(),
        debug_info,
    })
}

/// For a module with DWARF: `prepared` with the original code section
/// changed in place (`code_layout`), or without the DWARF if that cannot be.
fn keep_code_layout(original: &[u8], prepared: Vec<u8>, rewriter: &Rewriter) -> Result<(Vec<u8>, DebugInfo), PrepareError> {
    if !crate::sections::has_debug_info(original) {
        return Ok((prepared, DebugInfo::None));
    }
    let changes = code_layout::Changes {
        imported: rewriter.imported_functions,
        shift: rewriter.added_imports(),
        size_function: rewriter.size_function(),
        grow_function: rewriter.grow_function(),
    };
    let appended = code_layout::last_bodies(&prepared, rewriter.callbacks.wrapped.len()).map_err(invalid)?;
    let code = code_layout::patch(original, &changes, &appended).map_err(invalid)?;
    let mut sections = crate::sections::Sections::read(&prepared).map_err(invalid)?;
    let debug_info = match code {
        Some(code) => {
            sections.set(crate::sections::CODE, code);
            DebugInfo::Kept
        }
        None => {
            sections.remove_debug_info();
            DebugInfo::Dropped
        }
    };
    Ok((sections.finish(), debug_info))
}

#[derive(Default)]
struct Rewriter {
    imported_functions: u32,
    defined_functions: u32,
    types: u32,
    /// Parameter count of each type (0 for types that are not functions).
    params: Vec<u32>,
    callbacks: callbacks::Plan,
    /// Is memory 0 a 64-bit memory?
    memory64: bool,
    /// Have this pass's types and imports been written (into the module's
    /// own sections, or into sections of their own when it has none)?
    types_added: bool,
    imports_added: bool,
    sizes: usize,
    grows: usize,
}

impl Rewriter {
    /// Counts types, imported and defined functions, and finds the exports
    /// to wrap, before anything is written.
    fn survey(&mut self, module: &[u8]) -> Result<(), PrepareError> {
        let mut function_types = Vec::new();
        let mut exports = Vec::new();
        let mut memories = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            match payload.map_err(invalid)? {
                wasmparser::Payload::TypeSection(reader) => {
                    for group in reader {
                        for ty in group.map_err(invalid)?.into_types() {
                            let params = match &ty.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(func) => func.params().len() as u32,
                                _ => 0,
                            };
                            self.params.push(params);
                            self.types += 1;
                        }
                    }
                }
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(invalid)?;
                        match import.ty {
                            wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => self.imported_functions += 1,
                            wasmparser::TypeRef::Memory(memory) => memories.push(memory.memory64),
                            _ => {}
                        }
                    }
                }
                wasmparser::Payload::MemorySection(reader) => {
                    for memory in reader {
                        memories.push(memory.map_err(invalid)?.memory64);
                    }
                }
                wasmparser::Payload::FunctionSection(reader) => {
                    for ty in reader {
                        function_types.push(ty.map_err(invalid)?);
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(invalid)?;
                        if export.kind == wasmparser::ExternalKind::Func {
                            exports.push((export.name.to_string(), export.index));
                        }
                    }
                }
                wasmparser::Payload::CodeSectionStart { .. } => break,
                _ => {}
            }
        }
        self.defined_functions = function_types.len() as u32;
        self.memory64 = memories.first().copied().unwrap_or(false);
        self.callbacks = callbacks::Plan::new(&exports, self.imported_functions, &function_types, &self.params);
        Ok(())
    }

    /// Functions this pass imports: memory.size and memory.grow, and the
    /// callback markers when there is something to wrap.
    fn added_imports(&self) -> u32 {
        if self.callbacks.wrapped.is_empty() { 2 } else { 4 }
    }

    /// The new imports' function indices: right after the guest's imports.
    fn size_function(&self) -> u32 {
        self.imported_functions
    }

    fn grow_function(&self) -> u32 {
        self.imported_functions + 1
    }

    /// This pass's function types, after the module's own.
    fn add_types(&mut self, types: &mut wasm_encoder::TypeSection) {
        types.ty().function([], [ValType::I32]);
        types.ty().function([ValType::I32], [ValType::I32]);
        types.ty().function([], []);
        self.types_added = true;
    }

    /// This pass's imports, after the module's own.
    fn add_imports(&mut self, imports: &mut wasm_encoder::ImportSection) {
        let (size_type, grow_type, marker_type) = (self.types, self.types + 1, self.types + 2);
        imports.import(wasip1_module(), MEMORY_SIZE_EXPORT, EntityType::Function(size_type));
        imports.import(wasip1_module(), MEMORY_GROW_EXPORT, EntityType::Function(grow_type));
        if !self.callbacks.wrapped.is_empty() {
            imports.import(wasip1_module(), CALLBACK_BEGIN_EXPORT, EntityType::Function(marker_type));
            imports.import(wasip1_module(), CALLBACK_END_EXPORT, EntityType::Function(marker_type));
        }
        self.imports_added = true;
    }

    /// Where the wrappers start: after every function of the original.
    fn first_wrapper(&self) -> u32 {
        self.imported_functions + self.added_imports() + self.defined_functions
    }
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(if func < self.imported_functions { func } else { func + self.added_imports() })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        self.add_types(types);
        Ok(())
    }

    /// A module without a type or import section gets one, holding only
    /// what this pass adds, where it belongs: before the first section that
    /// must follow it.
    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        use wasm_encoder::SectionId;
        // Types come first, then imports; the hook runs between sections.
        if !self.types_added && before != Some(SectionId::Type) {
            let mut types = wasm_encoder::TypeSection::new();
            self.add_types(&mut types);
            module.section(&types);
        }
        if !self.imports_added && !matches!(before, Some(SectionId::Type | SectionId::Import)) {
            let mut imports = wasm_encoder::ImportSection::new();
            self.add_imports(&mut imports);
            module.section(&imports);
        }
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_import_section(self, imports, section)?;
        self.add_imports(imports);
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        for wrapped in &self.callbacks.wrapped {
            functions.function(wrapped.type_index);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        let begin = self.imported_functions + 2;
        let shift = self.added_imports();
        for wrapped in &self.callbacks.wrapped {
            // Callbacks are defined functions, so they move with the imports.
            let original = wrapped.function + shift;
            code.function(&callbacks::wrapper(wrapped.params, original, begin, begin + 1));
        }
        Ok(())
    }

    fn parse_export(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        export: wasmparser::Export<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        match self.callbacks.position(export.name, export.kind) {
            Some(position) => {
                exports.export(export.name, wasm_encoder::ExportKind::Func, self.first_wrapper() + position);
                Ok(())
            }
            None => reencode::utils::parse_export(self, exports, export),
        }
    }

    fn instruction<'a>(&mut self, op: wasmparser::Operator<'a>) -> Result<Instruction<'a>, reencode::Error<Self::Error>> {
        Ok(match op {
            wasmparser::Operator::MemorySize { mem: 0 } => {
                self.sizes += 1;
                Instruction::Call(self.size_function())
            }
            wasmparser::Operator::MemoryGrow { mem: 0 } => {
                self.grows += 1;
                Instruction::Call(self.grow_function())
            }
            op => reencode::utils::instruction(self, op)?,
        })
    }
}

fn wasip1_module() -> &'static str {
    crate::ADAPTER_NAME
}
