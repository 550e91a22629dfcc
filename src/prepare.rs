//! The preparation pass: makes a guest whose heap claims all of memory
//! (TinyGo, Go) live with the adapter.
//!
//! Such a runtime treats `[heap start, memory.size)` as its own and, when it
//! grows, assumes the new pages follow its old ones, whatever `memory.grow`
//! answered. Pages the adapter took are then overwritten. This pass rewrites
//! only the guest's `memory.size` and `memory.grow` (on memory 0) into calls
//! to two functions the adapter exports, `adapter_memory_size` and
//! `adapter_memory_grow`. Linked with an adapter in the floating-tail
//! placement (`floating_tail_adapter`), the adapter keeps its pages above the
//! guest's view of memory and moves them up whenever the guest grows, so the
//! guest's assumption becomes true. Guest addresses do not change.
//!
//! The two functions are imported from `wasi_snapshot_preview1`, after the
//! guest's own imports; every reference to a defined function (calls,
//! `ref.func`, exports, elements, the start function, names) is renumbered.
//! Nothing else changes.

use std::fmt;

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{EntityType, Instruction, ValType};

/// The adapter exports a prepared guest calls instead of `memory.size` and
/// `memory.grow`.
pub const MEMORY_SIZE_EXPORT: &str = "adapter_memory_size";
pub const MEMORY_GROW_EXPORT: &str = "adapter_memory_grow";

/// The adapter global that selects the placement; 1 is the floating tail.
pub const PLACEMENT_GLOBAL: &str = "adapter_placement";
const FLOATING_TAIL: i32 = 1;

/// The adapter global that holds the guest's own maximum (pages; 0 for none).
pub const GUEST_MAX_PAGES_GLOBAL: &str = "adapter_guest_max_pages";

/// A prepared module and what was changed.
#[derive(Debug)]
pub struct Prepared {
    pub module: Vec<u8>,
    pub memory_size_rewritten: usize,
    pub memory_grow_rewritten: usize,
}

#[derive(Debug)]
pub struct PrepareError(pub(crate) String);

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PrepareError {}

impl<E: fmt::Debug> From<reencode::Error<E>> for PrepareError {
    fn from(error: reencode::Error<E>) -> Self {
        PrepareError(format!("{error:?}"))
    }
}

/// Rewrites `module`'s memory instructions into adapter calls.
pub fn prepare(module: &[u8]) -> Result<Prepared, PrepareError> {
    if wasmparser::Parser::is_component(module) {
        return Err(PrepareError("this is a component; preparation takes a core module".into()));
    }
    let mut rewriter = Rewriter::default();
    rewriter.count_imports(module)?;
    let mut out = wasm_encoder::Module::new();
    rewriter.parse_core_module(&mut out, wasmparser::Parser::new(0), module)?;
    if !rewriter.imports_added {
        return Err(PrepareError("the module has no import section to extend".into()));
    }
    Ok(Prepared {
        module: out.finish(),
        memory_size_rewritten: rewriter.sizes,
        memory_grow_rewritten: rewriter.grows,
    })
}

#[derive(Default)]
struct Rewriter {
    imported_functions: u32,
    types: u32,
    imports_added: bool,
    sizes: usize,
    grows: usize,
}

impl Rewriter {
    fn count_imports(&mut self, module: &[u8]) -> Result<(), PrepareError> {
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            match payload.map_err(|e| PrepareError(e.to_string()))? {
                wasmparser::Payload::TypeSection(reader) => {
                    for group in reader {
                        let group = group.map_err(|e| PrepareError(e.to_string()))?;
                        self.types += group.types().len() as u32;
                    }
                }
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| PrepareError(e.to_string()))?;
                        if matches!(import.ty, wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)) {
                            self.imported_functions += 1;
                        }
                    }
                }
                wasmparser::Payload::CodeSectionStart { .. } => break,
                _ => {}
            }
        }
        Ok(())
    }

    /// The new imports' function indices: right after the guest's imports.
    fn size_function(&self) -> u32 {
        self.imported_functions
    }

    fn grow_function(&self) -> u32 {
        self.imported_functions + 1
    }
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(if func < self.imported_functions { func } else { func + 2 })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        types.ty().function([], [ValType::I32]);
        types.ty().function([ValType::I32], [ValType::I32]);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_import_section(self, imports, section)?;
        let (size_type, grow_type) = (self.types, self.types + 1);
        imports.import(wasip1_module(), MEMORY_SIZE_EXPORT, EntityType::Function(size_type));
        imports.import(wasip1_module(), MEMORY_GROW_EXPORT, EntityType::Function(grow_type));
        self.imports_added = true;
        Ok(())
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

/// A copy of our adapter set to the floating-tail placement: the initial
/// value of its `adapter_placement` global becomes 1, and that of
/// `adapter_guest_max_pages` the maximum the guest's memory type declared
/// (`adapt` lifts it from the module for the adapter's pages). Only the
/// global section changes.
pub fn floating_tail_adapter(adapter: &[u8], guest_max_pages: Option<u64>) -> Result<Vec<u8>, PrepareError> {
    let not_ours = |name: &str| PrepareError(format!("the adapter has no `{name}` global; is it ours?"));
    let placement = global_named(adapter, PLACEMENT_GLOBAL)?.ok_or_else(|| not_ours(PLACEMENT_GLOBAL))?;
    let guest_max = global_named(adapter, GUEST_MAX_PAGES_GLOBAL)?.ok_or_else(|| not_ours(GUEST_MAX_PAGES_GLOBAL))?;
    let maximum = match guest_max_pages {
        None => 0,
        // A 32-bit memory has at most 65536 pages.
        Some(pages) => i32::try_from(pages.min(65536)).unwrap_or(65536),
    };
    let mut out = wasm_encoder::Module::new();
    let mut imported_globals = 0;
    for payload in wasmparser::Parser::new(0).parse_all(adapter) {
        let payload = payload.map_err(|e| PrepareError(e.to_string()))?;
        match &payload {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(|e| PrepareError(e.to_string()))?;
                    if matches!(import.ty, wasmparser::TypeRef::Global(_)) {
                        imported_globals += 1;
                    }
                }
            }
            wasmparser::Payload::GlobalSection(reader) => {
                let mut globals = wasm_encoder::GlobalSection::new();
                for (index, global) in reader.clone().into_iter().enumerate() {
                    let global = global.map_err(|e| PrepareError(e.to_string()))?;
                    let ty = reencode::RoundtripReencoder.global_type(global.ty)?;
                    let index = index as u32 + imported_globals;
                    let init = if index == placement {
                        wasm_encoder::ConstExpr::i32_const(FLOATING_TAIL)
                    } else if index == guest_max {
                        wasm_encoder::ConstExpr::i32_const(maximum)
                    } else {
                        reencode::RoundtripReencoder.const_expr(global.init_expr)?
                    };
                    globals.global(ty, &init);
                }
                out.section(&globals);
                continue;
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection { id, data: &adapter[range.start as usize..range.end as usize] });
        }
    }
    Ok(out.finish())
}

/// The index of the global called `name` in the name section.
fn global_named(module: &[u8], name: &str) -> Result<Option<u32>, PrepareError> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::CustomSection(section) = payload.map_err(|e| PrepareError(e.to_string()))? {
            if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                for subsection in names {
                    if let Ok(wasmparser::Name::Global(map)) = subsection {
                        for naming in map.into_iter().flatten() {
                            if naming.name == name {
                                return Ok(Some(naming.index));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(None)
}
