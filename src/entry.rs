//! Entry conventions: what native p1 runs of a module, made into what a
//! component runs.
//!
//! `wasmtime run` instantiates a preview1 module, which runs its start
//! function (the start section), then calls `_initialize` if exported, then
//! the default entry: the function exported under the empty name `""` (an
//! older wasi-sdk convention) or else `_start`. A component runs less: the
//! adapter's `wasi:cli/run` calls `_start`, and wit-component calls
//! `_initialize` once every core instance exists. A start section runs
//! before that, while the adapter cannot be reached yet, so any p1 call it
//! makes, and in a prepared module any `memory.size` or `memory.grow`,
//! traps (`uninitialized element`).
//!
//! So the start function leaves the start section and runs first thing in
//! `_initialize`, at the point where wit-component calls it, with every
//! instance in place; a command with no entry of its own runs it from
//! `_start` (AssemblyScript's top-level code); `""` is exported as `_start`
//! too. Guest function indices do not change: what is added comes after.

use std::fmt;

use wasm_encoder::Encode;

use crate::sections::{self, CODE, EXPORT, FUNCTION, IMPORT, START as START_SECTION, Sections, TYPE};
use wasmparser::{ExternalKind, Payload};

use crate::Flavour;

/// The export wit-component calls once every instance exists.
pub const INITIALIZE: &str = "_initialize";
/// The export the command adapter's `wasi:cli/run` calls.
pub const START: &str = "_start";
/// The default entry of the older wasi-sdk convention, preferred by
/// `wasmtime run` to `_start`.
pub const DEFAULT: &str = "";

/// A module's entry points, as native p1 finds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entries {
    /// The start section's function.
    pub start_function: Option<u32>,
    /// Functions exported as `_initialize`, `""` and `_start`.
    pub initialize: Option<u32>,
    /// The function exported as `""`.
    pub default: Option<u32>,
    /// The function exported as `_start`.
    pub start: Option<u32>,
    /// Exported functions besides those and the canonical ABI's (a library's
    /// own exports).
    pub other_exports: bool,
}

impl Entries {
    /// The function a command's `_start` must run natively: `""` first, as
    /// `wasmtime run` prefers it.
    pub fn main(&self) -> Option<u32> {
        self.default.or(self.start)
    }

    /// Whether the module is a program to run rather than a library: it has
    /// an entry (`_start` or `""`), or it does all its work in its start
    /// function and exports nothing else to call.
    pub fn is_command(&self) -> bool {
        self.main().is_some() || (self.start_function.is_some() && self.initialize.is_none() && !self.other_exports)
    }
}

impl fmt::Display for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.start_function.is_some() {
            parts.push("a start function (run at instantiation)");
        }
        if self.initialize.is_some() {
            parts.push("_initialize");
        }
        if self.default.is_some() {
            parts.push("\"\" (the default export, run instead of _start)");
        }
        if self.start.is_some() {
            parts.push("_start");
        }
        if parts.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&parts.join(", "))
    }
}

/// Exports the canonical ABI calls, which are no library functions.
fn is_canonical_abi_export(name: &str) -> bool {
    matches!(name, "cabi_realloc" | "cabi_realloc_adapter" | "canonical_abi_realloc") || name.starts_with("cabi_post_")
}

/// Finds `module`'s entry points.
pub fn survey(module: &[u8]) -> Result<Entries, wasmparser::BinaryReaderError> {
    let mut entries = Entries::default();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload? {
            Payload::StartSection { func, .. } => entries.start_function = Some(func),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.kind != ExternalKind::Func {
                        continue;
                    }
                    match export.name {
                        INITIALIZE => entries.initialize = Some(export.index),
                        DEFAULT => entries.default = Some(export.index),
                        START => entries.start = Some(export.index),
                        name if is_canonical_abi_export(name) => {}
                        _ => entries.other_exports = true,
                    }
                }
            }
            _ => {}
        }
    }
    Ok(entries)
}

/// What `for_component` changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The start function now runs from this export instead of at
    /// instantiation.
    pub start_function_moved_to: Option<&'static str>,
    /// `_start` was added for a command without one: `""`, or nothing.
    pub start_added: Option<AddedStart>,
    /// The module's DWARF was dropped: the functions added made the code
    /// section's count one byte longer, so every code address moved.
    pub debug_info_dropped: bool,
}

/// What a `_start` added by `for_component` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddedStart {
    /// The function exported as `""`.
    Default,
    /// The start function.
    StartFunction,
    /// Nothing: everything runs in `_initialize`.
    Nothing,
}

impl Changes {
    /// Whether anything changed.
    pub fn any(&self) -> bool {
        *self != Changes::default()
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(export) = self.start_function_moved_to {
            parts.push(format!("the start function runs from `{export}` (the adapter cannot be called while the module is instantiated)"));
        }
        match self.start_added {
            Some(AddedStart::Default) => parts.push("`_start` runs the default export `\"\"`".into()),
            Some(AddedStart::Nothing) => parts.push("an empty `_start` added".into()),
            Some(AddedStart::StartFunction) | None => {}
        }
        if self.debug_info_dropped {
            parts.push("DWARF dropped (the code section's count grew by a byte, moving every code address)".into());
        }
        f.write_str(&parts.join("; "))
    }
}

/// Why a module's entries cannot be arranged.
#[derive(Debug)]
#[non_exhaustive]
pub enum EntryError {
    /// The module does not parse.
    Malformed(wasmparser::BinaryReaderError),
    /// `_initialize` or the start function is not a function of no
    /// parameters and no results.
    WrongType(&'static str),
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::Malformed(error) => write!(f, "{error}"),
            EntryError::WrongType(what) => write!(f, "{what} must take no parameters and return nothing"),
        }
    }
}

impl std::error::Error for EntryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EntryError::Malformed(error) => Some(error),
            EntryError::WrongType(_) => None,
        }
    }
}

impl From<wasmparser::BinaryReaderError> for EntryError {
    fn from(error: wasmparser::BinaryReaderError) -> Self {
        EntryError::Malformed(error)
    }
}

/// Arranges `module`'s entries for a component of `flavour`, so that it runs
/// what `wasmtime run` runs natively, in the same order; `None` when nothing
/// needs to change.
pub fn for_component(module: &[u8], flavour: Flavour) -> Result<Option<(Vec<u8>, Changes)>, EntryError> {
    let entries = survey(module)?;
    let command = flavour == Flavour::Command;
    let mut plan = Plan::default();
    let mut changes = Changes::default();
    match (entries.start_function, command && entries.main().is_none()) {
        // A program whose start function is all it runs: that is its `_start`
        // (an exit there then ends the run, as in any `_start`).
        (Some(start), true) if entries.initialize.is_none() => {
            plan.exports.push((START, Target::Existing(start)));
            changes.start_added = Some(AddedStart::StartFunction);
            changes.start_function_moved_to = Some(START);
        }
        (Some(start), lacks_main) => {
            let target = match entries.initialize {
                Some(initialize) => Target::Added(vec![start, initialize]),
                None => Target::Existing(start),
            };
            plan.exports.push((INITIALIZE, target));
            changes.start_function_moved_to = Some(INITIALIZE);
            if lacks_main {
                plan.exports.push((START, Target::Added(Vec::new())));
                changes.start_added = Some(AddedStart::Nothing);
            }
        }
        (None, true) => {
            plan.exports.push((START, Target::Added(Vec::new())));
            changes.start_added = Some(AddedStart::Nothing);
        }
        (None, false) => {}
    }
    // `""` is what `wasmtime run` calls, before `_start`.
    if command
        && let Some(default) = entries.default
        && entries.start != Some(default)
    {
        plan.exports.push((START, Target::Existing(default)));
        changes.start_added = Some(AddedStart::Default);
    }
    if plan.exports.is_empty() {
        return Ok(None);
    }
    plan.drop_start_section = entries.start_function.is_some();
    let arranged = plan.apply(module)?;
    changes.debug_info_dropped = plan.debug_info_dropped;
    Ok(Some((arranged, changes)))
}

/// What an export of `for_component` points at.
#[derive(Clone, Debug)]
enum Target {
    Existing(u32),
    /// A function added at the end that calls these in order.
    Added(Vec<u32>),
}

#[derive(Default)]
struct Plan {
    /// Exports to set, replacing any of the same name.
    exports: Vec<(&'static str, Target)>,
    drop_start_section: bool,
    /// Set by `apply` when the module's DWARF had to go.
    debug_info_dropped: bool,
}

impl Plan {
    fn apply(&mut self, module: &[u8]) -> Result<Vec<u8>, EntryError> {
        let mut sections = Sections::read(module)?;
        let types = FunctionTypes::read(&sections)?;
        for (name, target) in &self.exports {
            let called = match target {
                Target::Existing(function) => std::slice::from_ref(function),
                Target::Added(calls) => calls.as_slice(),
            };
            for function in called {
                if !types.is_thunk(*function) {
                    return Err(EntryError::WrongType(if Some(*function) == types.start_function { "the start function" } else { name_of(name) }));
                }
            }
        }
        // Functions added go after every existing one, with a type of no
        // parameters and no results (added to the type section if none is).
        let added: Vec<&Vec<u32>> =
            self.exports.iter().filter_map(|(_, target)| if let Target::Added(calls) = target { Some(calls) } else { None }).collect();
        let mut next = types.functions();
        let mut indices = Vec::new();
        if !added.is_empty() {
            let thunk = match types.thunk_type {
                Some(index) => index,
                None => {
                    let mut data = Vec::new();
                    (types.groups + 1).encode(&mut data);
                    data.extend_from_slice(types.body(&sections));
                    data.extend_from_slice(&[0x60, 0, 0]);
                    sections.set(TYPE, data);
                    types.count
                }
            };
            let mut functions = Vec::new();
            (types.defined + added.len() as u32).encode(&mut functions);
            functions.extend_from_slice(types.function_section_body(&sections));
            // DWARF addresses count from the code section's start: its count
            // keeps its width, or the DWARF goes.
            let count = types.defined + added.len() as u32;
            let mut code = match sections::padded_leb(count, sections.get(CODE).map_or(0, sections::leb_width)) {
                Some(bytes) => bytes,
                None => {
                    self.debug_info_dropped = sections.remove_debug_info();
                    let mut bytes = Vec::new();
                    count.encode(&mut bytes);
                    bytes
                }
            };
            code.extend_from_slice(types.code_section_body(&sections));
            for calls in &added {
                thunk.encode(&mut functions);
                let mut body = wasm_encoder::Function::new([]);
                for function in calls.iter() {
                    body.instruction(&wasm_encoder::Instruction::Call(*function));
                }
                body.instruction(&wasm_encoder::Instruction::End);
                body.encode(&mut code);
                indices.push(next);
                next += 1;
            }
            sections.set(FUNCTION, functions);
            sections.set(CODE, code);
        }
        let mut added_indices = indices.into_iter();
        let mut set: Vec<(&str, u32)> = Vec::new();
        for (name, target) in &self.exports {
            let index = match target {
                Target::Existing(function) => *function,
                Target::Added(_) => added_indices.next().unwrap_or_default(),
            };
            set.retain(|(known, _)| known != name);
            set.push((name, index));
        }
        let mut exports = wasm_encoder::ExportSection::new();
        if let Some(data) = sections.get(EXPORT) {
            for export in wasmparser::ExportSectionReader::new(wasmparser::BinaryReader::new(data, 0))? {
                let export = export?;
                if set.iter().any(|(name, _)| *name == export.name) {
                    continue;
                }
                exports.export(export.name, export_kind(export.kind), export.index);
            }
        }
        for (name, index) in &set {
            exports.export(name, wasm_encoder::ExportKind::Func, *index);
        }
        let mut data = Vec::new();
        exports.encode(&mut data);
        // `ExportSection::encode` writes the section's size first.
        sections.set(EXPORT, sections::after_leb(&data).to_vec());
        if self.drop_start_section {
            sections.remove(START_SECTION);
        }
        Ok(sections.finish())
    }
}

fn name_of(export: &'static str) -> &'static str {
    match export {
        INITIALIZE => "`_initialize`",
        START => "`_start`",
        _ => "the default export `\"\"`",
    }
}

fn export_kind(kind: ExternalKind) -> wasm_encoder::ExportKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => wasm_encoder::ExportKind::Func,
        ExternalKind::Table => wasm_encoder::ExportKind::Table,
        ExternalKind::Memory => wasm_encoder::ExportKind::Memory,
        ExternalKind::Global => wasm_encoder::ExportKind::Global,
        ExternalKind::Tag => wasm_encoder::ExportKind::Tag,
    }
}

/// The function types of a module, enough to check and add thunks.
struct FunctionTypes {
    /// Types in the type section, and the recursion groups holding them
    /// (the section's own count).
    count: u32,
    groups: u32,
    /// Whether each type is a function of no parameters and no results.
    thunks: Vec<bool>,
    /// The type of each function, imported then defined.
    of_function: Vec<u32>,
    imported: u32,
    defined: u32,
    thunk_type: Option<u32>,
    start_function: Option<u32>,
}

impl FunctionTypes {
    fn read(sections: &Sections) -> Result<FunctionTypes, wasmparser::BinaryReaderError> {
        let mut types = FunctionTypes {
            count: 0,
            groups: 0,
            thunks: Vec::new(),
            of_function: Vec::new(),
            imported: 0,
            defined: 0,
            thunk_type: None,
            start_function: None,
        };
        if let Some(data) = sections.get(TYPE) {
            for group in wasmparser::TypeSectionReader::new(wasmparser::BinaryReader::new(data, 0))? {
                let group = group?;
                types.groups += 1;
                // Only a type alone in its recursion group is the plain
                // `[] -> []` that added functions may share.
                let alone = !group.is_explicit_rec_group();
                for sub in group.into_types() {
                    let thunk = matches!(&sub.composite_type.inner, wasmparser::CompositeInnerType::Func(func) if func.params().is_empty() && func.results().is_empty());
                    if thunk && alone && sub.is_final && sub.supertype_idxs.is_empty() && types.thunk_type.is_none() {
                        types.thunk_type = Some(types.count);
                    }
                    types.thunks.push(thunk);
                    types.count += 1;
                }
            }
        }
        if let Some(data) = sections.get(IMPORT) {
            for import in wasmparser::ImportSectionReader::new(wasmparser::BinaryReader::new(data, 0))?.into_imports() {
                if let wasmparser::TypeRef::Func(ty) | wasmparser::TypeRef::FuncExact(ty) = import?.ty {
                    types.of_function.push(ty);
                    types.imported += 1;
                }
            }
        }
        if let Some(data) = sections.get(FUNCTION) {
            for ty in wasmparser::FunctionSectionReader::new(wasmparser::BinaryReader::new(data, 0))? {
                types.of_function.push(ty?);
                types.defined += 1;
            }
        }
        if let Some(data) = sections.get(START_SECTION) {
            types.start_function = Some(wasmparser::BinaryReader::new(data, 0).read_var_u32()?);
        }
        Ok(types)
    }

    fn functions(&self) -> u32 {
        self.imported + self.defined
    }

    fn is_thunk(&self, function: u32) -> bool {
        let ty = self.of_function.get(function as usize);
        ty.and_then(|ty| self.thunks.get(*ty as usize)).copied().unwrap_or(false)
    }

    fn after_count(data: Option<&[u8]>) -> &[u8] {
        sections::after_leb(data.unwrap_or(&[]))
    }

    fn body<'a>(&self, sections: &'a Sections) -> &'a [u8] {
        Self::after_count(sections.get(TYPE))
    }

    fn function_section_body<'a>(&self, sections: &'a Sections) -> &'a [u8] {
        Self::after_count(sections.get(FUNCTION))
    }

    fn code_section_body<'a>(&self, sections: &'a Sections) -> &'a [u8] {
        Self::after_count(sections.get(CODE))
    }
}
