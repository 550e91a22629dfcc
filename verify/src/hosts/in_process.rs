//! Running guests on wasmtime: a preview1 core module under wasmtime-wasi's
//! native p1, or a component under its WASI 0.2 implementation, with the same
//! arguments, environment, stdin and preopened directories.

use std::path::PathBuf;

use anyhow::{Context, Result};
use wasmtime::component::{Component, Linker as ComponentLinker, ResourceTable, Val as ComponentVal};
use wasmtime::{Config, Engine, Linker, Module, Store, Val};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe, SinkOutputStream};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::tree::Tree;

/// Most a guest may write to stdout or stderr in one run.
const OUTPUT_CAPACITY: usize = 256 << 20;

/// What a guest is run with.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// `argv`, including the program name.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    /// Host directory and the name the guest sees it under, in fd order.
    pub preopens: Vec<(PathBuf, String)>,
    /// Exports the host calls after the run, each with i32 arguments and an
    /// i32 result (reactors); each call appends `call NAME(ARGS) = RESULT`
    /// to the captured stdout.
    pub calls: Vec<(String, Vec<i32>)>,
    /// Send stdout to a sink instead of capturing it (benchmarks).
    pub discard_stdout: bool,
}

impl Invocation {
    pub fn new(program: &str) -> Invocation {
        Invocation { args: vec![program.to_string()], ..Invocation::default() }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }

    pub fn preopen(mut self, host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        self.preopens.push((host.into(), guest.into()));
        self
    }

    pub fn discard_stdout(mut self) -> Self {
        self.discard_stdout = true;
        self
    }

    pub fn call(mut self, export: impl Into<String>, args: &[i32]) -> Self {
        self.calls.push((export.into(), args.to_vec()));
        self
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The program exited (returning from `_start` is 0).
    Exited(i32),
    /// It trapped, or the host failed the call; the text says why.
    Trapped(String),
    /// No component could be made of the module with this adapter (as
    /// `wasm-tools component new` refuses it): wit-component's error.
    NotBuilt(String),
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Exited(code) => write!(f, "exit {code}"),
            Status::Trapped(why) => write!(f, "trap: {why}"),
            Status::NotBuilt(why) => write!(f, "no component: {why}"),
        }
    }
}

/// Everything observable about one run but the directory tree.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// One subject's run of a program: how it ended, what it wrote, and the
/// fixture trees it left (in fixture order). `S` says who ran it: an
/// implementation (`crate::differential`) or a fuzzing subject
/// (`crate::fuzz`).
#[derive(Clone, Debug)]
pub struct Run<S> {
    pub subject: S,
    pub outcome: Outcome,
    pub trees: Vec<Tree>,
}

/// A wasmtime engine shared by all runs of a process.
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    static DEEP_ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    let deep = DEEP_STACK.with(|deep| deep.get());
    let (engine, max_wasm_stack) = if deep { (&DEEP_ENGINE, Some(DEEP_WASM_STACK)) } else { (&ENGINE, None) };
    engine.get_or_init(|| {
        let mut config = Config::new();
        config.wasm_component_model(true);
        if let Some(bytes) = max_wasm_stack {
            config.max_wasm_stack(bytes).async_stack_size(2 * bytes);
        }
        Engine::new(&config).expect("a default wasmtime configuration is valid")
    })
}

/// The wasm stack Go's go_wasip1_wasm_exec gives test binaries on wasmtime.
const DEEP_WASM_STACK: usize = 8 << 20;

thread_local! {
    static DEEP_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on a thread of its own with a wasm stack of 8 MiB (what Go's
/// test binaries get from go_wasip1_wasm_exec; the default is 512 KiB) and a
/// host stack to hold it.
pub fn with_deep_wasm_stack<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(4 * DEEP_WASM_STACK)
            .spawn_scoped(scope, || {
                DEEP_STACK.with(|deep| deep.set(true));
                work()
            })
            .expect("spawn a thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A WASI context builder for `invocation` with stdout and stderr discarded
/// (for runs that only count or time).
pub fn builder_for(invocation: &Invocation) -> Result<WasiCtxBuilder> {
    let sink = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let mut builder = wasi_builder(&Invocation { discard_stdout: true, ..invocation.clone() }, &sink, &sink)?;
    builder.stderr(SinkOutputStream);
    Ok(builder)
}

fn wasi_builder(invocation: &Invocation, stdout: &MemoryOutputPipe, stderr: &MemoryOutputPipe) -> Result<WasiCtxBuilder> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .args(&invocation.args)
        .envs(&invocation.env)
        .stdin(MemoryInputPipe::new(invocation.stdin.clone()))
        .stderr(stderr.clone())
        .allow_blocking_current_thread(true);
    if invocation.discard_stdout {
        builder.stdout(SinkOutputStream);
    } else {
        builder.stdout(stdout.clone());
    }
    for (host, guest) in &invocation.preopens {
        builder.preopened_dir(host, guest, FsPerms::ReadWrite).map_err(anyhow::Error::from).with_context(|| format!("preopen {}", host.display()))?;
    }
    Ok(builder)
}

/// A core module linked against native p1, ready to instantiate many times.
pub type ModulePre = wasmtime::InstancePre<WasiP1Ctx>;

/// A component linked against WASI 0.2, ready to instantiate many times.
pub type ComponentPre = wasmtime::component::InstancePre<ComponentHost>;

/// Links `module` against wasmtime-wasi's native p1.
pub fn link_p1(module: &Module) -> Result<ModulePre> {
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |wasi| wasi)?;
    Ok(linker.instantiate_pre(module)?)
}

/// Links `module` against native p1 and whatever `extend` adds (host
/// functions of another import module, say).
pub fn link_p1_extended(module: &Module, extend: impl FnOnce(&mut Linker<WasiP1Ctx>) -> Result<()>) -> Result<ModulePre> {
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |wasi| wasi)?;
    extend(&mut linker)?;
    Ok(linker.instantiate_pre(module)?)
}

/// Links `component` against WASI 0.2 and whatever `extend` adds.
pub fn link_component_extended(
    component: &Component,
    extend: impl FnOnce(&mut ComponentLinker<ComponentHost>) -> Result<()>,
) -> Result<ComponentPre> {
    let mut linker = ComponentLinker::new(engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    extend(&mut linker)?;
    Ok(linker.instantiate_pre(component)?)
}

/// Links `module` against native p1 and a stand-in for upstream's
/// `adapter_monotonic_clock_set_paused`, which does nothing: native p1 can
/// reach its host from anywhere, so it never needs to pause its clocks.
pub fn link_p1_with_clock_pause(module: &Module) -> Result<ModulePre> {
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |wasi| wasi)?;
    linker.func_wrap(wasip1_adapter::ADAPTER_NAME, "adapter_monotonic_clock_set_paused", |_: i32| {})?;
    Ok(linker.instantiate_pre(module)?)
}

/// Links a module `prepare` rewrote against native p1, with the adapter's
/// functions it imports stood in by the host: `adapter_memory_size` and
/// `adapter_memory_grow` answer for the guest's exported `memory` (which,
/// with no adapter, is all the guest's own), and the callback markers do
/// nothing. So the prepared module must do what the original does under
/// native p1; any difference is the pass's.
pub fn link_p1_with_stand_ins(module: &Module) -> Result<ModulePre> {
    link_p1_with_counting_stand_ins(module, &GrowthCount::default())
}

/// What the `adapter_memory_grow` stand-in was asked: calls, and pages in all.
#[derive(Clone, Default)]
pub struct GrowthCount {
    pub calls: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub pages: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// `link_p1_with_stand_ins`, counting the guest's growths into `count`.
pub fn link_p1_with_counting_stand_ins(module: &Module, count: &GrowthCount) -> Result<ModulePre> {
    use std::sync::atomic::Ordering;
    use wasip1_adapter::prepare::{CALLBACK_BEGIN_EXPORT, CALLBACK_END_EXPORT, MEMORY_GROW_EXPORT, MEMORY_SIZE_EXPORT};
    fn guest_memory(caller: &mut wasmtime::Caller<'_, WasiP1Ctx>) -> Option<wasmtime::Memory> {
        caller.get_export("memory").and_then(wasmtime::Extern::into_memory)
    }
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |wasi| wasi)?;
    let adapter = wasip1_adapter::ADAPTER_NAME;
    linker.func_wrap(adapter, MEMORY_SIZE_EXPORT, |mut caller: wasmtime::Caller<'_, WasiP1Ctx>| -> i32 {
        guest_memory(&mut caller).map_or(-1, |memory| memory.size(&caller) as i32)
    })?;
    let count = count.clone();
    linker.func_wrap(adapter, MEMORY_GROW_EXPORT, move |mut caller: wasmtime::Caller<'_, WasiP1Ctx>, pages: i32| -> i32 {
        count.calls.fetch_add(1, Ordering::Relaxed);
        count.pages.fetch_add(u64::from(pages as u32), Ordering::Relaxed);
        guest_memory(&mut caller).and_then(|memory| memory.grow(&mut caller, u64::from(pages as u32)).ok()).map_or(-1, |old| old as i32)
    })?;
    linker.func_wrap(adapter, CALLBACK_BEGIN_EXPORT, || {})?;
    linker.func_wrap(adapter, CALLBACK_END_EXPORT, || {})?;
    Ok(linker.instantiate_pre(module)?)
}

/// Links `component` against wasmtime-wasi's WASI 0.2.
pub fn link_component(component: &Component) -> Result<ComponentPre> {
    let mut linker = ComponentLinker::new(engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    Ok(linker.instantiate_pre(component)?)
}

/// Runs a preview1 core module under wasmtime-wasi's native p1.
pub fn run_p1(module: &Module, invocation: &Invocation) -> Result<Outcome> {
    run_p1_linked(&link_p1(module)?, invocation)
}

/// Runs a linked preview1 core module under native p1.
pub fn run_p1_linked(pre: &ModulePre, invocation: &Invocation) -> Result<Outcome> {
    let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let wasi = wasi_builder(invocation, &stdout, &stderr)?.build_p1();
    let mut store = Store::new(engine(), wasi);
    // As `wasmtime run` does: instantiation runs the start function, then
    // `_initialize` if exported, then the default entry, `""` before
    // `_start`. A reactor without either runs its `wasi:cli/run#run` export
    // if it has one (see adapters::RUN_EXPORT), then the calls the
    // invocation asks for.
    let mut call_lines = String::new();
    let result = pre.instantiate(&mut store).and_then(|instance| {
        if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            init.call(&mut store, ())?;
        }
        let entry = instance.get_typed_func::<(), ()>(&mut store, "").or_else(|_| instance.get_typed_func::<(), ()>(&mut store, "_start"));
        if let Ok(entry) = entry {
            return entry.call(&mut store, ()).map(|()| 0);
        }
        let status = match instance.get_typed_func::<(), i32>(&mut store, crate::adapters::RUN_EXPORT) {
            Ok(run) => i32::from(run.call(&mut store, ())? != 0),
            Err(_) => 0,
        };
        for (name, args) in &invocation.calls {
            let func = instance.get_func(&mut store, name).ok_or_else(|| wasmtime::format_err!("no export {name}"))?;
            let params: Vec<Val> = args.iter().map(|a| Val::I32(*a)).collect();
            let mut results = [Val::I32(0)];
            func.call(&mut store, &params, &mut results)?;
            call_lines.push_str(&call_line(name, args, results[0].unwrap_i32()));
        }
        Ok(status)
    });
    let status = status_of(result);
    drop(store);
    let mut stdout = stdout.contents().to_vec();
    stdout.extend_from_slice(call_lines.as_bytes());
    Ok(Outcome { status, stdout, stderr: stderr.contents().to_vec() })
}

/// The store data of a component run.
pub struct ComponentHost {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl ComponentHost {
    pub fn new(ctx: WasiCtx, table: ResourceTable) -> ComponentHost {
        ComponentHost { ctx, table }
    }
}

impl WasiView for ComponentHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

/// Runs a command component (`wasi:cli/run`) under wasmtime-wasi.
pub fn run_component(component: &Component, invocation: &Invocation) -> Result<Outcome> {
    run_component_linked(&link_component(component)?, invocation)
}

/// Runs a linked command component.
pub fn run_component_linked(pre: &ComponentPre, invocation: &Invocation) -> Result<Outcome> {
    let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
    let ctx = wasi_builder(invocation, &stdout, &stderr)?.build();
    let mut store = Store::new(engine(), ComponentHost { ctx, table: ResourceTable::new() });
    let mut call_lines = String::new();
    let result = pre.instantiate(&mut store).and_then(|instance| {
        let command = wasmtime_wasi::p2::bindings::sync::Command::new(&mut store, &instance)?;
        let status = if command.wasi_cli_run().call_run(&mut store)?.is_ok() { 0 } else { 1 };
        for (name, args) in &invocation.calls {
            let func = instance.get_func(&mut store, name).ok_or_else(|| wasmtime::format_err!("no export {name}"))?;
            let params: Vec<ComponentVal> = args.iter().map(|a| ComponentVal::S32(*a)).collect();
            let mut results = [ComponentVal::S32(0)];
            func.call(&mut store, &params, &mut results)?;
            let ComponentVal::S32(result) = results[0] else { wasmtime::bail!("{name} did not return an s32") };
            call_lines.push_str(&call_line(name, args, result));
        }
        Ok(status)
    });
    let status = status_of(result);
    drop(store);
    let mut stdout = stdout.contents().to_vec();
    stdout.extend_from_slice(call_lines.as_bytes());
    Ok(Outcome { status, stdout, stderr: stderr.contents().to_vec() })
}

fn call_line(name: &str, args: &[i32], result: i32) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    format!("call {name}({}) = {result}\n", args.join(", "))
}

/// Exit codes arrive as an `I32Exit` error; anything else is a trap.
pub(crate) fn status_of(result: wasmtime::Result<i32>) -> Status {
    match result {
        Ok(code) => Status::Exited(code),
        Err(error) => match error.downcast_ref::<I32Exit>() {
            Some(exit) => Status::Exited(exit.0),
            None => Status::Trapped(trap_summary(&error)),
        },
    }
}

/// One line: the trap code or the host's message, without the backtrace
/// (set `VERIFY_TRAP_DETAILS` to get the whole report on stderr).
fn trap_summary(error: &wasmtime::Error) -> String {
    if std::env::var_os("VERIFY_TRAP_DETAILS").is_some() {
        eprintln!("verify: trap details: {error:?}");
    }
    if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
        return trap.to_string();
    }
    error.root_cause().to_string().lines().next().unwrap_or("unknown failure").to_string()
}

/// Compiles a core module.
pub fn module(bytes: &[u8]) -> Result<Module> {
    Module::new(engine(), bytes).map_err(anyhow::Error::from).context("compile the core module")
}

/// Compiles a component.
pub fn component(bytes: &[u8]) -> Result<Component> {
    Component::new(engine(), bytes).map_err(anyhow::Error::from).context("compile the component")
}
