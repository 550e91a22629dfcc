//! Fuzzing the preparation pass: random valid modules (wasm-smith) run as
//! they are and as `prepare` rewrote them, on wasmtime, must do the same.
//!
//! The prepared module imports the adapter's `adapter_memory_size` and
//! `adapter_memory_grow`, and `adapter_callback_begin`/`_end` when it
//! exports callbacks. Here they are stood in by host functions with the
//! same contract as in a drop-in placement: the size and growth of memory
//! 0 itself, and markers that must come in pairs. Both modules get the same
//! imports, the same calls with the same arguments, the same fuel per call
//! and the same memory limit; the start function's outcome, every call's
//! results or trap, every exported memory's bytes and every exported
//! global's value must be equal, and every prepared module must validate.
//!
//! Instantiation is modelled as wit-component builds it: the adapter's
//! functions are reached through a table that is filled only after the
//! module is instantiated, so a stand-in called from a start function traps
//! (`uninitialized element`); then `_initialize` runs, if exported, as the
//! component's own start does. The original runs the same order (its start
//! function, then `_initialize`). Half of the modules get a start function
//! that grows memory and stores its size, before any they had.
//! A run that ends for want of fuel or stack in either is inconclusive
//! (the wrappers add frames and instructions) and counted apart.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use wasmtime::{Config, Engine, Extern, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Val, ValType};

/// Export shapes the canonical ABI calls (`cabi_realloc`, `cabi_post_*`)
/// and ordinary ones; half of the modules get exactly these exports, so
/// the callback wrappers are exercised, the other half export everything.
const EXPORT_TEMPLATE: &str = r#"(module
    (memory (export "memory") 1)
    (global (export "counter") (mut i32) (i32.const 0))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
    (func (export "cabi_post_run") (param i32) unreachable)
    (func (export "run") (result i32) unreachable)
    (func (export "compute") (param i32 i64) (result i32 i64) unreachable)
    (func (export "grow") (param i32) (result i32) unreachable))"#;

/// Functions a generated module may import (besides what `prepare` adds).
const AVAILABLE_IMPORTS: &str = r#"(module
    (import "env" "next" (func (param i32) (result i32)))
    (import "env" "note" (func (param i64)))
    (import "env" "pages" (func (result i32))))"#;

/// Fuel per call: enough for loops that end, not for ones that do not.
const FUEL: u64 = 200_000;
/// The memory limit of a store: growth beyond it fails alike in both.
const MEMORY_LIMIT: usize = 16 << 20;

/// How one module compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Same,
    /// Fuel or stack ran out in a run: everything before agreed, what
    /// came after need not.
    Inconclusive,
    /// `adapt` would refuse the module (a 64-bit memory 0, or another
    /// memory exported as `memory`).
    Refused(String),
    Different(String),
}

/// What a campaign saw.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub modules: usize,
    pub same: usize,
    pub inconclusive: usize,
    pub refused: usize,
    pub rewritten_sizes: usize,
    pub rewritten_grows: usize,
    pub callbacks_wrapped: usize,
    /// Start functions `prepare` moved to `_initialize`.
    pub start_functions_moved: usize,
    pub calls: usize,
    /// The first divergences, with the seed and index that replay them.
    pub divergences: Vec<String>,
}

impl Summary {
    /// Modules that diverged (`divergences` keeps only the first ones).
    pub fn divergent(&self) -> usize {
        self.modules - self.same - self.inconclusive - self.refused
    }
}

/// The engine: wasmtime with fuel and the proposals wasm-smith is allowed.
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.consume_fuel(true).wasm_multi_memory(true).wasm_memory64(true).wasm_tail_call(true);
        Engine::new(&config).expect("a valid wasmtime configuration")
    })
}

/// A random module from `data` (wasm-smith), and whether it uses the
/// export template.
pub fn generate(data: &[u8]) -> Result<(Vec<u8>, bool)> {
    let mut input = arbitrary::Unstructured::new(data);
    let templated = data.first().is_some_and(|byte| byte & 1 == 1);
    let mut config = wasm_smith::Config {
        available_imports: Some(wat::parse_str(AVAILABLE_IMPORTS)?),
        // The template brings its memory, which must be memory 0, and
        // wasm-smith puts the ones it adds first, so templated modules get
        // only that one.
        min_memories: if templated { 0 } else { 1 },
        max_memories: if templated { 0 } else { 2 },
        max_memory32_bytes: 1 << 20,
        max_memory64_bytes: 1 << 20,
        // A 64-bit memory 0 is refused by `prepare`; one module in four
        // may have one, the rest exercise 32-bit memory 0 with 64-bit others.
        memory64_enabled: data.get(1).is_some_and(|byte| byte & 3 == 0),
        max_tables: 2,
        max_funcs: 12,
        max_instructions: 60,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        tail_call_enabled: true,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        compact_imports_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        allow_floats: true,
        canonicalize_nans: true,
        generate_custom_sections: false,
        ..wasm_smith::Config::default()
    };
    if templated {
        config.exports = Some(wat::parse_str(EXPORT_TEMPLATE)?);
    } else {
        config.export_everything = true;
    }
    let module = wasm_smith::Module::new(config, &mut input)?.to_bytes();
    let module = match data.get(2) {
        Some(byte) if byte & 1 == 1 => with_memory_start(&module, byte >> 1)?,
        _ => module,
    };
    Ok((module, templated))
}

/// `module` with a start function that grows memory 0 by `choice % 3`
/// pages and stores `memory.size` at address `choice`, then runs the start
/// function it had, if any. Modules without a 32-bit memory 0, a type
/// section or functions of their own stay as they are.
pub fn with_memory_start(module: &[u8], choice: u8) -> Result<Vec<u8>> {
    let mut survey = StartSurvey::default();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload? {
            wasmparser::Payload::TypeSection(reader) => survey.types = Some(reader.count()),
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import?.ty {
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_) => survey.functions += 1,
                        wasmparser::TypeRef::Memory(memory) if !survey.memory_seen => {
                            survey.memory_seen = true;
                            survey.memory32 = !memory.memory64;
                        }
                        _ => {}
                    }
                }
            }
            wasmparser::Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory?;
                    if !survey.memory_seen {
                        survey.memory_seen = true;
                        survey.memory32 = !memory.memory64;
                    }
                }
            }
            wasmparser::Payload::FunctionSection(reader) => {
                survey.functions += reader.count();
                survey.defines_functions = reader.count() > 0;
            }
            _ => {}
        }
    }
    let Some(types) = survey.types else { return Ok(module.to_vec()) };
    if !survey.memory32 || !survey.defines_functions {
        return Ok(module.to_vec());
    }
    let mut adder = StartAdder { thunk_type: types, function: survey.functions, choice, start_written: false, old_start: None };
    let mut out = wasm_encoder::Module::new();
    wasm_encoder::reencode::Reencode::parse_core_module(&mut adder, &mut out, wasmparser::Parser::new(0), module)
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    Ok(out.finish())
}

#[derive(Default)]
struct StartSurvey {
    types: Option<u32>,
    functions: u32,
    memory_seen: bool,
    memory32: bool,
    defines_functions: bool,
}

/// Adds the start function of `with_memory_start` (the last type, the last
/// function).
struct StartAdder {
    thunk_type: u32,
    function: u32,
    choice: u8,
    start_written: bool,
    old_start: Option<u32>,
}

impl wasm_encoder::reencode::Reencode for StartAdder {
    type Error = std::convert::Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_type_section(self, types, section)?;
        types.ty().function([], []);
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_function_section(self, functions, section)?;
        functions.function(self.thunk_type);
        Ok(())
    }

    fn start_section(&mut self, start: u32) -> Result<u32, wasm_encoder::reencode::Error<Self::Error>> {
        self.old_start = Some(start);
        self.start_written = true;
        Ok(self.function)
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::SectionId;
        // The start section comes after exports and before elements, the
        // data count, code and data.
        let past_start = matches!(before, None | Some(SectionId::Element | SectionId::DataCount | SectionId::Code | SectionId::Data));
        if !self.start_written && past_start && after != Some(SectionId::Start) {
            module.section(&wasm_encoder::StartSection { function_index: self.function });
            self.start_written = true;
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::Instruction;
        wasm_encoder::reencode::utils::parse_code_section(self, code, section)?;
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&Instruction::I32Const(i32::from(self.choice % 3)));
        body.instruction(&Instruction::MemoryGrow(0));
        body.instruction(&Instruction::Drop);
        body.instruction(&Instruction::I32Const(i32::from(self.choice)));
        body.instruction(&Instruction::MemorySize(0));
        body.instruction(&Instruction::I32Store(wasm_encoder::MemArg {
            offset: 0,
            align: 0,
            target: wasm_encoder::MemArgTarget::Memory(0),
            ordering: None,
        }));
        if let Some(old) = self.old_start {
            body.instruction(&Instruction::Call(old));
        }
        body.instruction(&Instruction::End);
        code.function(&body);
        Ok(())
    }
}

/// Runs `module` and its prepared form and compares them. As `adapt`
/// does, memory 0 is first made linkable (defined and exported as
/// `memory`), and both runs use that module: the stand-ins reach memory 0
/// through the export, as the adapter reaches it through the shared memory.
pub fn check(module: &[u8], summary: &mut Summary) -> Result<Verdict> {
    let linkable = match wasip1_adapter::memory::make_linkable(module, false) {
        Ok(Some((linkable, _))) => linkable,
        Ok(None) => module.to_vec(),
        Err(error) => return Ok(Verdict::Refused(error.to_string())),
    };
    let module = &linkable[..];
    let prepared = match wasip1_adapter::prepare::prepare(module) {
        Ok(prepared) => prepared,
        Err(error @ wasip1_adapter::prepare::PrepareError::Memory64) => return Ok(Verdict::Refused(error.to_string())),
        Err(error) => return Ok(Verdict::Different(format!("prepare failed: {error}"))),
    };
    if let Err(error) = wasmparser::Validator::new().validate_all(&prepared.module) {
        return Ok(Verdict::Different(format!("the prepared module does not validate: {error}")));
    }
    summary.rewritten_sizes += prepared.memory_size_rewritten;
    summary.rewritten_grows += prepared.memory_grow_rewritten;
    summary.callbacks_wrapped += prepared.callbacks_wrapped.len();
    summary.start_functions_moved += usize::from(prepared.start_function_moved);
    compare(module, &prepared.module, summary)
}

/// Runs `original` and `prepared` (which imports the stand-ins) and
/// compares what they did. `check` gives it `prepare`'s output; tests give
/// it a wrong one to show the comparison can fail.
pub fn compare(original: &[u8], prepared: &[u8], summary: &mut Summary) -> Result<Verdict> {
    let built = observe(original, false).context("run the original")?;
    let rewritten = observe(prepared, true).context("run the prepared module")?;
    summary.calls += built.calls.len();
    if let Some(difference) = built.difference(&rewritten) {
        return Ok(Verdict::Different(difference));
    }
    Ok(if built.ran_out.is_some() || rewritten.ran_out.is_some() { Verdict::Inconclusive } else { Verdict::Same })
}

/// Everything observable of a run.
#[derive(Debug, Default)]
struct Observation {
    start: String,
    calls: Vec<(String, String)>,
    memories: BTreeMap<String, Vec<u8>>,
    globals: BTreeMap<String, String>,
    /// Fuel or stack ran out: in the start function (`Some(0)` with no
    /// calls made) or in call number n (`Some(n)`).
    ran_out: Option<usize>,
    /// Callback markers out of pairs (prepared runs only).
    unbalanced: Option<String>,
}

impl Observation {
    fn difference(&self, prepared: &Observation) -> Option<String> {
        if let Some(problem) = &prepared.unbalanced {
            return Some(problem.clone());
        }
        // Once fuel or stack ran out in either, what follows need not agree
        // (the prepared module spends a little more of both); what came
        // before must.
        let cut = match (self.ran_out, prepared.ran_out) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if cut == Some(0) && (self.calls.is_empty() || prepared.calls.is_empty()) {
            return None; // the start function ran out
        }
        if self.start != prepared.start {
            return Some(format!("instantiation: {} vs prepared {}", self.start, prepared.start));
        }
        let compared = cut.unwrap_or(usize::MAX);
        for (original, rewritten) in self.calls.iter().zip(&prepared.calls).take(compared) {
            if original != rewritten {
                return Some(format!("call {}: {} vs prepared {}", original.0, original.1, rewritten.1));
            }
        }
        if cut.is_some() {
            return None;
        }
        if self.calls.len() != prepared.calls.len() {
            return Some(format!("{} calls vs prepared {}", self.calls.len(), prepared.calls.len()));
        }
        if self.memories != prepared.memories {
            let name = self.memories.keys().find(|name| self.memories.get(*name) != prepared.memories.get(*name));
            return Some(format!("memory {name:?} differs"));
        }
        if self.globals != prepared.globals {
            return Some(format!("globals {:?} vs prepared {:?}", self.globals, prepared.globals));
        }
        None
    }
}

struct Host {
    limits: StoreLimits,
    /// Instantiation is over: wit-component has filled the table through
    /// which the adapter's functions are called.
    instantiated: bool,
    /// Callback markers: begins not yet ended, and the first problem.
    open_callbacks: u32,
    unbalanced: Option<String>,
}

fn observe(bytes: &[u8], prepared: bool) -> Result<Observation> {
    let module = Module::new(engine(), bytes)?;
    let memory_zero = memory_zero_index_export(bytes)?;
    let mut linker: Linker<Host> = Linker::new(engine());
    linker.func_wrap("env", "next", |value: i32| value.wrapping_add(1))?;
    linker.func_wrap("env", "note", |_: i64| {})?;
    let size_export = memory_zero.clone();
    linker.func_wrap("env", "pages", move |mut caller: wasmtime::Caller<'_, Host>| -> i32 {
        memory_of(&mut caller, size_export.as_deref()).map_or(-1, |memory| memory.size(&caller) as i32)
    })?;
    if prepared {
        let size_export = memory_zero.clone();
        linker.func_wrap(wasip1_adapter::ADAPTER_NAME, "adapter_memory_size", move |mut caller: wasmtime::Caller<'_, Host>| {
            reachable(&caller)?;
            Ok(memory_of(&mut caller, size_export.as_deref()).map_or(-1, |memory| memory.size(&caller) as i32))
        })?;
        let grow_export = memory_zero.clone();
        linker.func_wrap(wasip1_adapter::ADAPTER_NAME, "adapter_memory_grow", move |mut caller: wasmtime::Caller<'_, Host>, delta: i32| {
            reachable(&caller)?;
            Ok(match memory_of(&mut caller, grow_export.as_deref()) {
                Some(memory) => memory.grow(&mut caller, u64::from(delta as u32)).map_or(-1, |old| old as i32),
                None => -1,
            })
        })?;
        linker.func_wrap(wasip1_adapter::ADAPTER_NAME, "adapter_callback_begin", |mut caller: wasmtime::Caller<'_, Host>| {
            reachable(&caller)?;
            caller.data_mut().open_callbacks += 1;
            Ok(())
        })?;
        linker.func_wrap(wasip1_adapter::ADAPTER_NAME, "adapter_callback_end", |mut caller: wasmtime::Caller<'_, Host>| {
            reachable(&caller)?;
            let host = caller.data_mut();
            match host.open_callbacks.checked_sub(1) {
                Some(open) => host.open_callbacks = open,
                None => host.unbalanced = Some("adapter_callback_end without a begin".into()),
            }
            Ok(())
        })?;
    }
    let limits = StoreLimitsBuilder::new().memory_size(MEMORY_LIMIT).table_elements(100_000).instances(2).build();
    let mut store = Store::new(engine(), Host { limits, instantiated: false, open_callbacks: 0, unbalanced: None });
    store.limiter(|host| &mut host.limits);
    let mut observation = Observation::default();
    store.set_fuel(FUEL)?;
    // Instantiation (the start function), then `_initialize`, as the
    // component runs them; the first failure is the start's outcome.
    let started = linker.instantiate(&mut store, &module).and_then(|instance| {
        store.data_mut().instantiated = true;
        if let Some(initialize) = instance.get_func(&mut store, INITIALIZE) {
            initialize.call(&mut store, &[], &mut [])?;
        }
        Ok(instance)
    });
    let instance = match started {
        Ok(instance) => {
            observation.start = "ok".into();
            instance
        }
        Err(error) => {
            if exhausted(&error) {
                observation.ran_out = Some(0);
            }
            observation.start = outcome_of(&error);
            return Ok(observation);
        }
    };
    let exports: Vec<(String, wasmtime::ExternType)> = module.exports().map(|e| (e.name().to_string(), e.ty())).collect();
    for (name, ty) in &exports {
        let wasmtime::ExternType::Func(func_ty) = ty else { continue };
        if name == INITIALIZE {
            continue;
        }
        let func = instance.get_func(&mut store, name).context("an exported function")?;
        let params: Vec<Val> = func_ty.params().enumerate().map(|(index, ty)| argument(&ty, index)).collect();
        let mut results: Vec<Val> = func_ty.results().map(|ty| Val::default_for_ty(&ty).unwrap_or(Val::I32(0))).collect();
        store.set_fuel(FUEL)?;
        let before = store.data().open_callbacks;
        let outcome = match func.call(&mut store, &params, &mut results) {
            Ok(()) => {
                if store.data().open_callbacks != before {
                    store.data_mut().unbalanced = Some(format!("{name} returned with a callback begun and not ended"));
                }
                results.iter().map(show).collect::<Vec<_>>().join(", ")
            }
            Err(error) => {
                if exhausted(&error) && observation.ran_out.is_none() {
                    observation.ran_out = Some(observation.calls.len());
                }
                store.data_mut().open_callbacks = before;
                outcome_of(&error)
            }
        };
        observation.calls.push((name.clone(), outcome));
    }
    for (name, ty) in &exports {
        match ty {
            wasmtime::ExternType::Memory(_) => {
                if let Some(Extern::Memory(memory)) = instance.get_export(&mut store, name) {
                    observation.memories.insert(name.clone(), memory.data(&store).to_vec());
                }
            }
            wasmtime::ExternType::Global(_) => {
                if let Some(Extern::Global(global)) = instance.get_export(&mut store, name) {
                    observation.globals.insert(name.clone(), show(&global.get(&mut store)));
                }
            }
            _ => {}
        }
    }
    observation.unbalanced = store.data().unbalanced.clone();
    Ok(observation)
}

const INITIALIZE: &str = wasip1_adapter::entry::INITIALIZE;

/// A stand-in called before instantiation is over calls through a table
/// entry wit-component has not filled yet.
fn reachable(caller: &wasmtime::Caller<'_, Host>) -> wasmtime::Result<()> {
    match caller.data().instantiated {
        true => Ok(()),
        false => Err(wasmtime::Trap::IndirectCallToNull.into()),
    }
}

/// The name memory 0 is exported under, if it is (module order: imported
/// memories first, then defined ones).
fn memory_zero_index_export(bytes: &[u8]) -> Result<Option<String>> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ExportSection(reader) = payload? {
            for export in reader {
                let export = export?;
                if export.kind == wasmparser::ExternalKind::Memory && export.index == 0 {
                    return Ok(Some(export.name.to_string()));
                }
            }
        }
    }
    Ok(None)
}

fn memory_of(caller: &mut wasmtime::Caller<'_, Host>, export: Option<&str>) -> Option<wasmtime::Memory> {
    match caller.get_export(export?) {
        Some(Extern::Memory(memory)) => Some(memory),
        _ => None,
    }
}

/// The `index`-th argument of a call: small values that reach both ends of
/// memory and loop bounds.
fn argument(ty: &ValType, index: usize) -> Val {
    const VALUES: [i64; 6] = [1, 0, 65536, -1, 7, 3];
    let value = VALUES[index % VALUES.len()];
    match ty {
        ValType::I32 => Val::I32(value as i32),
        ValType::I64 => Val::I64(value),
        ValType::F32 => Val::F32((value as f32).to_bits()),
        ValType::F64 => Val::F64((value as f64).to_bits()),
        other => Val::default_for_ty(other).unwrap_or(Val::I32(0)),
    }
}

fn show(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32 {v}"),
        Val::I64(v) => format!("i64 {v}"),
        Val::F32(bits) => format!("f32 {bits:#x}"),
        Val::F64(bits) => format!("f64 {bits:#x}"),
        Val::V128(v) => format!("v128 {:#x}", v.as_u128()),
        Val::FuncRef(f) => if f.is_some() { "funcref" } else { "funcref null" }.into(),
        Val::ExternRef(r) => if r.is_some() { "externref" } else { "externref null" }.into(),
        _ => "reference".into(),
    }
}

fn exhausted(error: &wasmtime::Error) -> bool {
    matches!(error.downcast_ref::<wasmtime::Trap>(), Some(wasmtime::Trap::OutOfFuel | wasmtime::Trap::StackOverflow))
}

fn outcome_of(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => format!("trap: {trap}"),
        None => format!("error: {}", error.root_cause()),
    }
}

/// The bytes wasm-smith turns into module `index` of the campaign with
/// `seed` (2 to 9 KiB, by index).
fn module_input(seed: u64, index: u64) -> Vec<u8> {
    input(seed, index, 2048 + (index as usize % 8) * 1024)
}

/// `len` bytes for module `index` of a campaign with `seed`.
fn input(seed: u64, index: u64, len: usize) -> Vec<u8> {
    let mut state = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Checks `modules` generated modules from `seed`; stops keeping details
/// after ten divergences.
pub fn campaign(seed: u64, modules: u64, progress: &mut dyn FnMut(&Summary)) -> Result<Summary> {
    let mut summary = Summary::default();
    for index in 0..modules {
        let (module, _) = generate(&module_input(seed, index))?;
        summary.modules += 1;
        match check(&module, &mut summary)? {
            Verdict::Same => summary.same += 1,
            Verdict::Inconclusive => summary.inconclusive += 1,
            Verdict::Refused(why) => {
                summary.refused += 1;
                if std::env::var_os("FUZZ_PREPARE_DEBUG").is_some() {
                    eprintln!("refused {index}: {why}");
                }
            }
            Verdict::Different(why) => {
                if summary.divergences.len() < 10 {
                    summary.divergences.push(format!("seed {seed} module {index}: {why}"));
                }
            }
        }
        if (index + 1) % 1000 == 0 {
            progress(&summary);
        }
    }
    Ok(summary)
}

/// The module of `campaign(seed, ..)` number `index`, to replay.
pub fn replay(seed: u64, index: u64) -> Result<Vec<u8>> {
    let (module, _) = generate(&module_input(seed, index))?;
    if module.is_empty() {
        bail!("empty module");
    }
    Ok(module)
}

/// A campaign's summary as text.
pub fn report(summary: &Summary) -> String {
    let mut text = format!(
        "modules {}: same {}, agreed until fuel or stack ran out {}, refused as adapt would (64-bit memory 0, `memory` taken) {}, divergent {}\n\
         exported functions called {}; memory.size rewritten {}, memory.grow rewritten {}, callbacks wrapped {}, \
         start functions moved to _initialize {}\n",
        summary.modules,
        summary.same,
        summary.inconclusive,
        summary.refused,
        summary.divergent(),
        summary.calls,
        summary.rewritten_sizes,
        summary.rewritten_grows,
        summary.callbacks_wrapped,
        summary.start_functions_moved
    );
    for divergence in &summary.divergences {
        text.push_str(&format!("DIVERGENCE {divergence}\n"));
    }
    text
}
