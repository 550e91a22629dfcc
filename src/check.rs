//! Static checks of an adapter artifact: what wit-component requires of an
//! adapter module, plus the invariants this adapter promises.
//!
//! Shared by `build.rs` (every build checks its three artifacts) and by
//! `verify check` (which checks any adapter file, ours or another).

use std::collections::BTreeSet;

pub use crate::flavour::Flavour;
use wasmparser::{CompositeInnerType, ExternalKind, Name, Operator, Parser, Payload, TypeRef, ValType, Validator};

/// The name the adapter's shadow stack pointer carries in our artifacts. The
/// linker calls it `__stack_pointer`; build.rs renames it so wit-component does
/// not give the adapter a stack of its own before the guest runs.
pub const STACK_POINTER_NAME: &str = "adapter_stack_pointer";

/// Exports of ours beyond the p1 functions, and their signatures: the
/// floating-tail placement's replacements for `memory.size`/`memory.grow`,
/// and the markers a prepared guest calls around its canonical-ABI callbacks.
const OUR_EXTRA_EXPORTS: [(&str, &str, &str); 4] =
    [("adapter_memory_size", "", "i"), ("adapter_memory_grow", "i", "i"), ("adapter_callback_begin", "", ""), ("adapter_callback_end", "", "")];

/// Functions that run before the adapter has a stack, or without one
/// (parts of a mangled name): they must not use the stack pointer, nor may
/// anything they call. Our shipped artifacts keep no function names, so
/// only their entry points can be checked; build.rs checks the fully named
/// build first.
pub const STACKLESS_FUNCTIONS: [&str; 17] = [
    "4call5enter",
    "5table5enter",
    "6random10fill_piece",
    "4call10check_home",
    "5guest15is_guest_memory",
    "7streams16write_all_packed",
    "7streams16read_into_packed",
    "4call12acquire_home",
    "4diag5fatal",
    "7streams15write_in_pieces",
    "7streams7failure",
    "5stdio5fetch",
    "9terminals12ask_terminal",
    "5errno14from_wasi_code",
    "9placement7move_up",
    "4call18refuse_in_callback",
    "10memoryless12last_reading",
];

/// Stackless functions the proxy flavour, which has no filesystem, lacks.
const NOT_IN_EVERY_FLAVOUR: [&str; 1] = ["5errno14from_wasi_code"];

/// Functions an entry point or a stackless function calls only once it has
/// pointed the stack pointer at a stack (parts of a mangled name): the
/// bodies of the p1 functions, setting up a fresh state, placing a list
/// result, writing a diagnosis or a note. The transitive check stops at them.
const STACK_SETTERS_CALL: [&str; 7] =
    ["4body17h", "5table15set_up_for_call", "adapter_sp_set", "4call10init_state", "16realloc_on_stack", "4diag6report", "4call14report_refused"];

/// The global `adapt` patches to select the floating tail.
const PLACEMENT_GLOBAL: &str = "adapter_placement";

/// Names wit-component treats specially in an adapter's name section.
const WIT_COMPONENT_STACK_NAMES: [&str; 2] = ["__stack_pointer", "allocation_state"];

/// Every `wasi_snapshot_preview1` function with its core signature:
/// parameters and result, `i` for i32 and `I` for i64.
pub const P1_FUNCTIONS: [(&str, &str, &str); 46] = [
    ("args_get", "ii", "i"),
    ("args_sizes_get", "ii", "i"),
    ("environ_get", "ii", "i"),
    ("environ_sizes_get", "ii", "i"),
    ("clock_res_get", "ii", "i"),
    ("clock_time_get", "iIi", "i"),
    ("fd_advise", "iIIi", "i"),
    ("fd_allocate", "iII", "i"),
    ("fd_close", "i", "i"),
    ("fd_datasync", "i", "i"),
    ("fd_fdstat_get", "ii", "i"),
    ("fd_fdstat_set_flags", "ii", "i"),
    ("fd_fdstat_set_rights", "iII", "i"),
    ("fd_filestat_get", "ii", "i"),
    ("fd_filestat_set_size", "iI", "i"),
    ("fd_filestat_set_times", "iIIi", "i"),
    ("fd_pread", "iiiIi", "i"),
    ("fd_prestat_get", "ii", "i"),
    ("fd_prestat_dir_name", "iii", "i"),
    ("fd_pwrite", "iiiIi", "i"),
    ("fd_read", "iiii", "i"),
    ("fd_readdir", "iiiIi", "i"),
    ("fd_renumber", "ii", "i"),
    ("fd_seek", "iIii", "i"),
    ("fd_sync", "i", "i"),
    ("fd_tell", "ii", "i"),
    ("fd_write", "iiii", "i"),
    ("path_create_directory", "iii", "i"),
    ("path_filestat_get", "iiiii", "i"),
    ("path_filestat_set_times", "iiiiIIi", "i"),
    ("path_link", "iiiiiii", "i"),
    ("path_open", "iiiiiIIii", "i"),
    ("path_readlink", "iiiiii", "i"),
    ("path_remove_directory", "iii", "i"),
    ("path_rename", "iiiiii", "i"),
    ("path_symlink", "iiiii", "i"),
    ("path_unlink_file", "iii", "i"),
    ("poll_oneoff", "iiii", "i"),
    ("proc_exit", "i", ""),
    ("proc_raise", "i", "i"),
    ("sched_yield", "", "i"),
    ("random_get", "ii", "i"),
    ("sock_accept", "iii", "i"),
    ("sock_recv", "iiiiii", "i"),
    ("sock_send", "iiiii", "i"),
    ("sock_shutdown", "ii", "i"),
];

/// What an artifact was found to be; `problems` empty means it passed.
#[derive(Debug, Default)]
pub struct Report {
    /// The checks passed, one line each.
    pub passed: Vec<String>,
    /// The checks failed, one line each, saying why.
    pub problems: Vec<String>,
}

impl Report {
    /// Whether no check failed.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn check(&mut self, passed: bool, what: impl Into<String>, problem: impl FnOnce() -> String) {
        if passed {
            self.passed.push(what.into());
        } else {
            self.problems.push(problem());
        }
    }
}

/// Options for `check`: which rules of this project apply on top of
/// wit-component's (another adapter, e.g. upstream's, only owes the latter).
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// The flavour the artifact must be.
    pub flavour: Flavour,
    /// Our own invariants: entry points never touch the stack pointer, no
    /// allocator code, no name wit-component would act on.
    pub ours: bool,
}

/// Checks an adapter artifact.
pub fn check(bytes: &[u8], rules: Rules) -> Report {
    let mut report = Report::default();
    match Module::parse(bytes) {
        Ok(module) => module.check(bytes, rules, &mut report),
        Err(error) => report.problems.push(format!("not a valid core wasm module: {error}")),
    }
    report
}

/// What the checks need to know about the module.
#[derive(Default)]
struct Module {
    func_types: Vec<(Vec<ValType>, Vec<ValType>)>,
    /// Type index of every function, imported ones first.
    functions: Vec<u32>,
    imported_functions: u32,
    imports: Vec<(String, String, String)>,
    exports: Vec<(String, ExternalKind, u32)>,
    forbidden_sections: Vec<&'static str>,
    tables: u32,
    component_type_sections: u32,
    global_names: Vec<(u32, String)>,
    function_names: Vec<(u32, String)>,
    /// Globals each defined function reads or writes, by function index.
    globals_used: Vec<(u32, BTreeSet<u32>)>,
    /// Functions each defined function calls, by function index.
    calls: Vec<(u32, BTreeSet<u32>)>,
}

impl Module {
    fn parse(bytes: &[u8]) -> Result<Module, String> {
        Validator::new().validate_all(bytes).map_err(|e| e.to_string())?;
        let mut module = Module::default();
        let mut next_defined = 0;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| e.to_string())? {
                Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                    return Err("it is a component, not a core module".into());
                }
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(|e| e.to_string())?.into_types() {
                            match sub.composite_type.inner {
                                CompositeInnerType::Func(f) => module.func_types.push((f.params().to_vec(), f.results().to_vec())),
                                _ => module.func_types.push((Vec::new(), Vec::new())),
                            }
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| e.to_string())?;
                        let kind = match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                module.functions.push(ty);
                                module.imported_functions += 1;
                                "func"
                            }
                            TypeRef::Memory(_) => "memory",
                            TypeRef::Table(_) => {
                                module.tables += 1;
                                "table"
                            }
                            TypeRef::Global(_) => "global",
                            TypeRef::Tag(_) => "tag",
                        };
                        module.imports.push((import.module.to_string(), import.name.to_string(), kind.into()));
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        module.functions.push(ty.map_err(|e| e.to_string())?);
                    }
                    next_defined = module.imported_functions;
                }
                Payload::TableSection(reader) => module.tables += reader.count(),
                Payload::MemorySection(_) => module.forbidden_sections.push("memory"),
                Payload::TagSection(_) => module.forbidden_sections.push("tag"),
                Payload::StartSection { .. } => module.forbidden_sections.push("start"),
                Payload::ElementSection(_) => module.forbidden_sections.push("element"),
                Payload::DataCountSection { .. } => module.forbidden_sections.push("data count"),
                Payload::DataSection(_) => module.forbidden_sections.push("data"),
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(|e| e.to_string())?;
                        module.exports.push((export.name.to_string(), export.kind, export.index));
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut used = BTreeSet::new();
                    let mut calls = BTreeSet::new();
                    let mut operators = body.get_operators_reader().map_err(|e| e.to_string())?;
                    while !operators.eof() {
                        match operators.read().map_err(|e| e.to_string())? {
                            Operator::GlobalGet { global_index } | Operator::GlobalSet { global_index } => {
                                used.insert(global_index);
                            }
                            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                                calls.insert(function_index);
                            }
                            _ => {}
                        }
                    }
                    module.globals_used.push((next_defined, used));
                    module.calls.push((next_defined, calls));
                    next_defined += 1;
                }
                Payload::CustomSection(section) => {
                    if section.name().starts_with("component-type") {
                        module.component_type_sections += 1;
                    }
                    if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                        module.read_names(names)?;
                    }
                }
                _ => {}
            }
        }
        Ok(module)
    }

    fn read_names(&mut self, names: wasmparser::NameSectionReader<'_>) -> Result<(), String> {
        for name in names {
            match name.map_err(|e| e.to_string())? {
                Name::Global(map) => {
                    for naming in map {
                        let naming = naming.map_err(|e| e.to_string())?;
                        self.global_names.push((naming.index, naming.name.to_string()));
                    }
                }
                Name::Function(map) => {
                    for naming in map {
                        let naming = naming.map_err(|e| e.to_string())?;
                        self.function_names.push((naming.index, naming.name.to_string()));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn signature(&self, function: u32) -> Option<&(Vec<ValType>, Vec<ValType>)> {
        let ty = *self.functions.get(function as usize)?;
        self.func_types.get(ty as usize)
    }

    fn check(&self, bytes: &[u8], rules: Rules, report: &mut Report) {
        report.passed.push("valid core wasm module".into());
        self.check_imports(report);
        report.check(self.forbidden_sections.is_empty(), "no memory, data, element, start, data-count or tag section", || {
            format!("has sections an adapter may not have: {}", self.forbidden_sections.join(", "))
        });
        report.check(self.component_type_sections > 0, "carries a component-type section", || {
            "has no component-type custom section (wit-bindgen's description of its world)".into()
        });
        self.check_exports(rules.flavour, report);
        if rules.ours {
            self.check_our_invariants(report);
        }
        match componentize(bytes, rules.flavour) {
            Ok(size) => report.passed.push(format!("componentizes with a guest importing all 46 p1 functions ({size} bytes)")),
            Err(error) => report.problems.push(format!("wit-component rejects it: {error}")),
        }
    }

    fn check_imports(&self, report: &mut Report) {
        let mut bad = Vec::new();
        let mut interfaces = BTreeSet::new();
        let mut functions = 0;
        for (module, name, kind) in &self.imports {
            let allowed = match kind.as_str() {
                "memory" => module == "env" && name == "memory",
                "func" if module == "__main_module__" => true,
                "func" if module.starts_with("wasi:") && module.contains("@0.2.") => {
                    interfaces.insert(module.clone());
                    true
                }
                _ => false,
            };
            if allowed && kind == "func" {
                functions += 1;
            }
            if !allowed {
                bad.push(format!("{kind} {module}::{name}"));
            }
        }
        report.check(
            bad.is_empty(),
            format!("imports only env.memory, __main_module__ and WASI 0.2 ({functions} functions from {} interfaces)", interfaces.len()),
            || format!("imports what an adapter may not: {}", bad.join(", ")),
        );
    }

    fn check_exports(&self, flavour: Flavour, report: &mut Report) {
        let mut problems = Vec::new();
        for (name, params, results) in P1_FUNCTIONS {
            let expected = (parse_types(params), parse_types(results));
            match self.exported_function(name) {
                None => problems.push(format!("missing export {name}")),
                Some(index) => {
                    if self.signature(index) != Some(&expected) {
                        problems.push(format!("{name} has signature {:?}, p1 says {expected:?}", self.signature(index)));
                    }
                }
            }
        }
        let realloc = (vec![ValType::I32; 4], vec![ValType::I32]);
        match self.exported_function("cabi_import_realloc") {
            Some(index) if self.signature(index) == Some(&realloc) => {}
            Some(_) => problems.push("cabi_import_realloc has the wrong signature".into()),
            None => problems.push("missing export cabi_import_realloc".into()),
        }
        let run = self.exports.iter().find(|(name, ..)| name.starts_with("wasi:cli/run@0.2."));
        match (flavour, run) {
            (Flavour::Command, None) => problems.push("the command flavour must export wasi:cli/run".into()),
            (Flavour::Reactor | Flavour::Proxy, Some((name, ..))) => problems.push(format!("the {flavour} flavour must not export {name}")),
            _ => {}
        }
        report.check(problems.is_empty(), "exports the 46 p1 functions with their exact signatures, and cabi_import_realloc", || problems.join("; "));
    }

    fn check_our_invariants(&self, report: &mut Report) {
        // wit-component only needs tables to be pruned away (the
        // componentize check covers that); ours has none to begin with.
        report.check(self.tables == 0, "no tables, not even prunable ones", || format!("has {} table(s)", self.tables));
        let mut extras = Vec::new();
        for (name, params, results) in OUR_EXTRA_EXPORTS {
            let expected = (parse_types(params), parse_types(results));
            if self.exported_function(name).and_then(|index| self.signature(index)) != Some(&expected) {
                extras.push(name);
            }
        }
        let placement = self.global_names.iter().any(|(_, name)| name == PLACEMENT_GLOBAL);
        report.check(extras.is_empty() && placement, "exports the floating-tail memory functions; has the placement global", || {
            format!("missing or mistyped: {extras:?}{}", if placement { "" } else { ", no adapter_placement global" })
        });
        self.check_stackless(report);
        let foreign: Vec<_> = self
            .imports
            .iter()
            .filter(|(module, name, _)| module == "__main_module__" && name != "_start")
            .map(|(_, name, _)| name.clone())
            .collect();
        report.check(foreign.is_empty(), "takes memory only with memory.grow (imports nothing of the guest's but _start)", || {
            format!("imports from the guest: {}", foreign.join(", "))
        });
        let special: Vec<_> =
            self.global_names.iter().filter(|(_, name)| WIT_COMPONENT_STACK_NAMES.contains(&name.as_str())).map(|(_, name)| name.clone()).collect();
        report.check(special.is_empty(), "no global wit-component would allocate a stack for", || {
            format!("globals named {} would make wit-component take memory before _start", special.join(", "))
        });
        let allocator: Vec<_> = self
            .function_names
            .iter()
            .filter(|(_, name)| name.contains("__rust_alloc") || name.contains("__rdl_alloc") || name.contains("NoAllocator"))
            .map(|(_, name)| name.clone())
            .collect();
        let what = format!("no allocator code (by name, among {} named functions)", self.function_names.len());
        report.check(allocator.is_empty(), what, || format!("allocator code is linked in: {}", allocator.join(", ")));
    }

    /// Entry points and stackless functions never use the stack pointer,
    /// nor does anything they call before pointing it at a stack. Calls are
    /// followed through function names; where the shipped artifact no
    /// longer has them, only the functions themselves are checked (build.rs
    /// runs the check on the fully named artifact too).
    fn check_stackless(&self, report: &mut Report) {
        let Some(sp) = self.global_names.iter().find(|(_, name)| name == STACK_POINTER_NAME).map(|(index, _)| *index) else {
            report.problems.push(format!("no global named {STACK_POINTER_NAME}"));
            return;
        };
        let name_of = |index: u32| self.function_names.iter().find(|(i, _)| *i == index).map(|(_, name)| name.as_str());
        let is_setter_call = |index: u32| name_of(index).is_some_and(|name| STACK_SETTERS_CALL.iter().any(|part| name.contains(part)));
        let fully_named = self.function_names.iter().any(|(_, name)| name.contains(STACK_SETTERS_CALL[0]));
        let mut roots: Vec<(String, u32)> = Vec::new();
        for (name, ..) in P1_FUNCTIONS.iter().chain(&OUR_EXTRA_EXPORTS).chain(&[("cabi_import_realloc", "", "")]) {
            if let Some(index) = self.exported_function(name) {
                roots.push((name.to_string(), index));
            }
        }
        let mut touching = Vec::new();
        for part in STACKLESS_FUNCTIONS {
            match self.function_names.iter().find(|(_, name)| name.contains(part)) {
                Some((index, name)) => roots.push((name.clone(), *index)),
                None if NOT_IN_EVERY_FLAVOUR.contains(&part) || !fully_named => {}
                None => touching.push(format!("(no function named *{part}* to check)")),
            }
        }
        for (root, index) in roots {
            let mut seen = BTreeSet::new();
            let mut todo = vec![(index, vec![root.clone()])];
            while let Some((function, path)) = todo.pop() {
                if !seen.insert(function) || function < self.imported_functions {
                    continue;
                }
                if self.globals_used.iter().any(|(f, used)| *f == function && used.contains(&sp)) {
                    touching.push(path.join(" -> "));
                    continue;
                }
                if !fully_named {
                    continue;
                }
                for callee in self.calls.iter().filter(|(f, _)| *f == function).flat_map(|(_, calls)| calls) {
                    if !is_setter_call(*callee) {
                        let mut next = path.clone();
                        next.push(name_of(*callee).unwrap_or("?").to_string());
                        todo.push((*callee, next));
                    }
                }
            }
        }
        report.check(touching.is_empty(), "entry points and stackless functions never use the shadow stack before setting it up", || {
            format!("these use the stack pointer before the adapter sets it up: {}", touching.join("; "))
        });
    }

    fn exported_function(&self, name: &str) -> Option<u32> {
        self.exports.iter().find(|(export, kind, _)| export == name && *kind == ExternalKind::Func).map(|(.., index)| *index)
    }
}

fn parse_types(code: &str) -> Vec<ValType> {
    code.chars().map(|c| if c == 'I' { ValType::I64 } else { ValType::I32 }).collect()
}

/// Componentizes a guest that imports all 46 p1 functions with the adapter;
/// returns the component's size.
fn componentize(adapter: &[u8], flavour: Flavour) -> Result<usize, String> {
    let guest = guest_importing_everything(flavour);
    let component = wit_component::ComponentEncoder::default()
        .module(&guest)
        .map_err(|e| format!("{e:#}"))?
        .validate(true)
        .adapter("wasi_snapshot_preview1", adapter)
        .map_err(|e| format!("{e:#}"))?
        .encode()
        .map_err(|e| format!("{e:#}"))?;
    Ok(component.len())
}

/// A core module that imports every p1 function and exports a memory and,
/// for the command flavour, `_start` (calling each import once so none is
/// dead).
pub fn guest_importing_everything(flavour: Flavour) -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection, MemorySection, MemoryType, Module, TypeSection,
        ValType as V,
    };
    let types_of = |code: &str| code.chars().map(|c| if c == 'I' { V::I64 } else { V::I32 }).collect::<Vec<_>>();
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    for (index, (name, params, results)) in P1_FUNCTIONS.iter().enumerate() {
        types.ty().function(types_of(params), types_of(results));
        imports.import("wasi_snapshot_preview1", name, EntityType::Function(index as u32));
    }
    let start_type = P1_FUNCTIONS.len() as u32;
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    functions.function(start_type);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    let entry = if flavour == Flavour::Command { "_start" } else { "_initialize" };
    exports.export(entry, ExportKind::Func, P1_FUNCTIONS.len() as u32);
    let mut body = Function::new([]);
    for (index, (_, params, results)) in P1_FUNCTIONS.iter().enumerate() {
        for c in params.chars() {
            if c == 'I' {
                body.instructions().i64_const(0);
            } else {
                body.instructions().i32_const(0);
            }
        }
        body.instructions().call(index as u32);
        if !results.is_empty() {
            body.instructions().drop();
        }
    }
    body.instructions().end();
    let mut code = CodeSection::new();
    code.function(&body);
    let mut module = Module::new();
    module.section(&types).section(&imports).section(&functions).section(&memories).section(&exports).section(&code);
    module.finish()
}
