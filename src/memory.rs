//! A preview1 module's memory as wit-component and the adapter need it:
//! defined in the module, exported as `memory`, and, for a prepared module,
//! without a maximum that leaves no room for the adapter's pages.
//!
//! wit-component refuses a main module that imports its memory or exports
//! none; native p1 fails such a module on its first call that uses memory.
//! A module with no memory at all can still call what needs none
//! (`proc_exit`, `sched_yield`): it gets an empty one. A prepared module's
//! maximum is lifted and handed to the adapter, which refuses the guest's own
//! growth beyond it, as its memory type would have (see adapter/src/memory/placement.rs).

use std::fmt;

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{ExportKind, MemoryType, SectionId};

/// What a module's memory 0 is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    /// It has one (imported or defined).
    pub exists: bool,
    /// It is imported.
    pub imported: bool,
    /// Exported under the name `memory`.
    pub exported: bool,
    /// Its maximum in pages, if it declares one.
    pub maximum: Option<u64>,
    /// Memories beyond the first.
    pub others: u32,
    /// Memory 0 is shared (a threads build): no component can have it.
    pub shared: bool,
    /// The type of memory 0 when it is imported.
    import_type: Option<wasmparser::MemoryType>,
    /// Something other than memory 0 is exported as `memory`.
    name_taken: bool,
}

/// What `make_linkable` changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The imported memory was made the module's own.
    pub defined_imported: bool,
    /// An empty memory was added to a module that had none.
    pub added: bool,
    /// The memory was exported as `memory`.
    pub exported: bool,
    /// The maximum lifted, in pages.
    pub lifted_maximum: Option<u64>,
}

impl Changes {
    /// Whether anything changed.
    pub fn any(&self) -> bool {
        *self != Changes::default()
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.exists {
            return f.write_str("none (adapt gives it an empty one)");
        }
        f.write_str(if self.imported { "imported (adapt makes it the module's own)" } else { "defined" })?;
        f.write_str(if self.exported { ", exported" } else { ", not exported (adapt exports it)" })?;
        match self.maximum {
            Some(pages) => write!(f, ", at most {pages} pages (adapt lifts that for the adapter's pages)"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut done = Vec::new();
        if self.defined_imported {
            done.push("made the imported memory the module's own".to_string());
        }
        if self.added {
            done.push("gave the module an empty memory".to_string());
        }
        if self.exported {
            done.push("exported the memory".to_string());
        }
        if let Some(pages) = self.lifted_maximum {
            done.push(format!("lifted the memory's maximum of {pages} pages (kept for the guest)"));
        }
        f.write_str(&done.join("; "))
    }
}

/// Why a module's memory could not be read or made linkable.
#[derive(Debug)]
#[non_exhaustive]
pub enum MemoryError {
    /// The module does not parse.
    Malformed(wasmparser::BinaryReaderError),
    /// The module exports something other than its memory 0 as `memory`.
    MemoryNameTaken,
    /// The module imports its memory and has other memories besides.
    ImportedAmongOthers,
    /// The module parsed but could not be written back (the re-encoder's message).
    Reencode(String),
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemoryError::Malformed(error) => write!(f, "{error}"),
            MemoryError::MemoryNameTaken => f.write_str("the module exports something other than its memory 0 under the name `memory`"),
            MemoryError::ImportedAmongOthers => {
                f.write_str("the module imports its memory and has others besides: only a single imported memory can be made the module's own")
            }
            MemoryError::Reencode(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for MemoryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MemoryError::Malformed(error) => Some(error),
            _ => None,
        }
    }
}

/// Reads memory 0 of `module`.
pub fn examine(module: &[u8]) -> Result<Memory, MemoryError> {
    let error = MemoryError::Malformed;
    let mut memory = Memory::default();
    let mut count = 0u32;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.map_err(error)? {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let wasmparser::TypeRef::Memory(ty) = import.map_err(error)?.ty {
                        if count == 0 {
                            memory = Memory { exists: true, imported: true, maximum: ty.maximum, shared: ty.shared, import_type: Some(ty), ..memory };
                        }
                        count += 1;
                    }
                }
            }
            wasmparser::Payload::MemorySection(reader) => {
                for ty in reader {
                    let ty = ty.map_err(error)?;
                    if count == 0 {
                        memory = Memory { exists: true, maximum: ty.maximum, shared: ty.shared, ..memory };
                    }
                    count += 1;
                }
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(error)?;
                    if export.name == "memory" {
                        match (export.kind, export.index) {
                            (wasmparser::ExternalKind::Memory, 0) => memory.exported = true,
                            _ => memory.name_taken = true,
                        }
                    }
                }
            }
            _ => {}
        }
    }
    memory.others = count.saturating_sub(1);
    Ok(memory)
}

/// Makes `module`'s memory linkable (defined, exported as `memory`) and,
/// with `lift_maximum`, free of a maximum. `None` when nothing needs doing.
pub fn make_linkable(module: &[u8], lift_maximum: bool) -> Result<Option<(Vec<u8>, Changes)>, MemoryError> {
    let memory = examine(module)?;
    let lift = lift_maximum && memory.maximum.is_some();
    if memory.exists && !memory.imported && memory.exported && !lift {
        return Ok(None);
    }
    if memory.name_taken {
        return Err(MemoryError::MemoryNameTaken);
    }
    if memory.imported && memory.others > 0 {
        return Err(MemoryError::ImportedAmongOthers);
    }
    let mut fixer = Fixer { memory, lift, changes: Changes::default(), memory_done: false, export_done: false, memories_seen: 0 };
    let mut out = wasm_encoder::Module::new();
    fixer.parse_core_module(&mut out, wasmparser::Parser::new(0), module).map_err(|e| match e {
        wasm_encoder::reencode::Error::ParseError(error) => MemoryError::Malformed(error),
        other => MemoryError::Reencode(format!("{other:?}")),
    })?;
    Ok(Some((out.finish(), fixer.changes)))
}

struct Fixer {
    memory: Memory,
    lift: bool,
    changes: Changes,
    memory_done: bool,
    export_done: bool,
    /// Memory types reencoded so far (memory 0 comes first).
    memories_seen: u32,
}

/// Sections in the order a module must have them (the tag section sits
/// between memories and globals).
fn rank(id: SectionId) -> u8 {
    match id {
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
        _ => 0,
    }
}

impl Fixer {
    /// Memory 0 as the module will define it.
    fn memory_zero(&mut self, ty: MemoryType) -> MemoryType {
        if self.lift {
            self.changes.lifted_maximum = ty.maximum;
            return MemoryType { maximum: None, ..ty };
        }
        ty
    }

    fn empty_memory() -> MemoryType {
        MemoryType { minimum: 0, maximum: None, memory64: false, shared: false, page_size_log2: None }
    }
}

impl Reencode for Fixer {
    type Error = std::convert::Infallible;

    /// Function bodies are copied as they are: nothing in them changes, and
    /// their bytes, padded immediates included, are where DWARF says.
    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for body in section {
            code.raw(body?.as_bytes());
        }
        Ok(())
    }

    fn memory_type(&mut self, ty: wasmparser::MemoryType) -> Result<MemoryType, reencode::Error<Self::Error>> {
        let index = self.memories_seen;
        self.memories_seen += 1;
        let ty = reencode::utils::memory_type(self, ty);
        Ok(if index == 0 { self.memory_zero(ty) } else { ty })
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for import in section.into_imports() {
            let import = import?;
            if let (wasmparser::TypeRef::Memory(_), true) = (import.ty, self.memory.imported) {
                // Defined in the memory section instead (see below).
                continue;
            }
            self.parse_import(imports, import)?;
        }
        Ok(())
    }

    fn parse_memory_section(
        &mut self,
        memories: &mut wasm_encoder::MemorySection,
        section: wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        self.memory_done = true;
        for memory in section {
            let ty = self.memory_type(memory?)?;
            memories.memory(ty);
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        self.export_done = true;
        for export in section {
            self.parse_export(exports, export?)?;
        }
        if !self.memory.exported {
            exports.export("memory", ExportKind::Memory, 0);
            self.changes.exported = true;
        }
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let next = before.map_or(u8::MAX, rank);
        let memory_due = after.map_or(0, rank) < rank(SectionId::Memory) && next >= rank(SectionId::Memory);
        if memory_due && !self.memory_done && (self.memory.imported || !self.memory.exists) {
            // No memory section follows: memory 0 gets one of its own, the
            // type it was imported with or an empty one.
            let mut memories = wasm_encoder::MemorySection::new();
            memories.memory(self.first_definition());
            module.section(&memories);
            self.memory_done = true;
        }
        let export_due = after.map_or(0, rank) < rank(SectionId::Export) && next > rank(SectionId::Export);
        if export_due && !self.export_done && !self.memory.exported {
            let mut exports = wasm_encoder::ExportSection::new();
            exports.export("memory", ExportKind::Memory, 0);
            module.section(&exports);
            self.changes.exported = true;
            self.export_done = true;
        }
        Ok(())
    }
}

impl Fixer {
    /// The memory section's entry for memory 0 when it was imported (there is
    /// no other memory then) or missing.
    fn first_definition(&mut self) -> MemoryType {
        match self.memory.import_type {
            Some(ty) => {
                self.changes.defined_imported = true;
                let ty = reencode::utils::memory_type(self, ty);
                self.memory_zero(ty)
            }
            None => {
                self.changes.added = true;
                Fixer::empty_memory()
            }
        }
    }
}
