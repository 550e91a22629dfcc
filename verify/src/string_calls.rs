//! A host calling a reactor's export that takes a string, many times: the
//! way a component host calls a Go component whose `cabi_realloc` is Go's
//! allocator (what componentize-go builds). Under native p1 the host does
//! the canonical ABI's work itself (calls `cabi_realloc`, copies the bytes,
//! calls the export with pointer and length); a component gets the string.

use anyhow::Result;
use wasmtime::Store;
use wasmtime::component::{ResourceTable, Val as ComponentVal};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use crate::hosts::in_process::{self, ComponentHost};

/// What the host asks: export `export` (`func(text: string) -> u32`) called
/// with each of `texts`, then each of `counters` (`func() -> s32`).
pub struct Calls<'a> {
    pub export: &'a str,
    pub texts: &'a [String],
    pub counters: &'a [&'a str],
}

/// What came back: the answers in order until the first failure, the
/// counters, stdout and stderr.
#[derive(Debug, PartialEq, Eq)]
pub struct Answers {
    pub results: Vec<u32>,
    pub counters: Vec<(String, i32)>,
    pub stdout: String,
    pub stderr: String,
    /// The trap or error that ended the calls early, if one did.
    pub failure: Option<String>,
}

/// The world for a reactor with `calls`' exports, as WIT.
pub fn world(calls: &Calls<'_>) -> String {
    let mut wit = format!("package verify:strings;\n\nworld strings {{\n  export {}: func(text: string) -> u32;\n", calls.export);
    for counter in calls.counters {
        wit.push_str(&format!("  export {counter}: func() -> s32;\n"));
    }
    wit.push_str("}\n");
    wit
}

/// `module` with `calls`' world embedded, ready for wit-component.
pub fn embed(module: &[u8], calls: &Calls<'_>) -> Result<Vec<u8>> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("strings.wit", &world(calls))?;
    let world = resolve.select_world(&[package], Some("strings"))?;
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false)?;
    Ok(module)
}

/// Captured stdout and stderr.
struct Output {
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl Output {
    fn new() -> Output {
        Output { stdout: MemoryOutputPipe::new(1 << 20), stderr: MemoryOutputPipe::new(1 << 20) }
    }

    fn wasi(&self) -> WasiCtxBuilder {
        let mut builder = WasiCtxBuilder::new();
        builder.stdout(self.stdout.clone()).stderr(self.stderr.clone()).allow_blocking_current_thread(true);
        builder
    }

    fn into_answers(self, outcome: wasmtime::Result<()>, results: Vec<u32>, counters: Vec<(String, i32)>) -> Answers {
        Answers {
            results,
            counters,
            stdout: String::from_utf8_lossy(&self.stdout.contents()).into_owned(),
            stderr: String::from_utf8_lossy(&self.stderr.contents()).into_owned(),
            failure: outcome.err().map(|error| format!("{error:#}")),
        }
    }
}

/// Native p1: the host plays the canonical ABI on the core module.
pub fn native(module: &[u8], calls: &Calls<'_>) -> Result<Answers> {
    let pre = in_process::link_p1_with_clock_pause(&in_process::module(module)?)?;
    let output = Output::new();
    let mut store = Store::new(in_process::engine(), output.wasi().build_p1());
    let (mut results, mut counters) = (Vec::new(), Vec::new());
    let outcome = (|| -> wasmtime::Result<()> {
        let instance = pre.instantiate(&mut store)?;
        instance.get_typed_func::<(), ()>(&mut store, "_initialize")?.call(&mut store, ())?;
        let realloc = instance.get_typed_func::<(i32, i32, i32, i32), i32>(&mut store, "cabi_realloc")?;
        let export = instance.get_typed_func::<(i32, i32), i32>(&mut store, calls.export)?;
        let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| wasmtime::format_err!("no memory export"))?;
        for text in calls.texts {
            let len = i32::try_from(text.len())?;
            let at = realloc.call(&mut store, (0, 0, 1, len))?;
            memory.write(&mut store, at as u32 as usize, text.as_bytes())?;
            results.push(export.call(&mut store, (at, len))? as u32);
        }
        for counter in calls.counters {
            let value = instance.get_typed_func::<(), i32>(&mut store, counter)?.call(&mut store, ())?;
            counters.push((counter.to_string(), value));
        }
        Ok(())
    })();
    drop(store);
    Ok(output.into_answers(outcome, results, counters))
}

/// A component exporting `calls`' world, on wasmtime-wasi's WASI 0.2.
pub fn component(component: &[u8], calls: &Calls<'_>) -> Result<Answers> {
    let pre = in_process::link_component(&in_process::component(component)?)?;
    let output = Output::new();
    let ctx = output.wasi().build();
    let mut store = Store::new(in_process::engine(), ComponentHost::new(ctx, ResourceTable::new()));
    let (mut results, mut counters) = (Vec::new(), Vec::new());
    let outcome = (|| -> wasmtime::Result<()> {
        let instance = pre.instantiate(&mut store)?;
        let export = instance.get_func(&mut store, calls.export).ok_or_else(|| wasmtime::format_err!("no export {}", calls.export))?;
        for text in calls.texts {
            let mut result = [ComponentVal::U32(0)];
            export.call(&mut store, &[ComponentVal::String(text.clone())], &mut result)?;
            let ComponentVal::U32(value) = result[0] else { wasmtime::bail!("{} did not return a u32", calls.export) };
            results.push(value);
        }
        for counter in calls.counters {
            let func = instance.get_func(&mut store, counter).ok_or_else(|| wasmtime::format_err!("no export {counter}"))?;
            let mut result = [ComponentVal::S32(0)];
            func.call(&mut store, &[], &mut result)?;
            let ComponentVal::S32(value) = result[0] else { wasmtime::bail!("{counter} did not return an s32") };
            counters.push((counter.to_string(), value));
        }
        Ok(())
    })();
    drop(store);
    Ok(output.into_answers(outcome, results, counters))
}

/// The texts a test sends: `count` strings of lengths cycling up to
/// `longest` bytes, each different, made from `seed` (deterministic).
pub fn texts(count: usize, longest: usize, seed: u64) -> Vec<String> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|index| {
            let len = next() as usize % longest.max(1);
            let text: String = (0..len).map(|_| char::from(b'a' + (next() % 26) as u8)).collect();
            format!("{index}:{text}")
        })
        .collect()
}

/// FNV-1a of `bytes`: what the test guest's export answers, computed here
/// as an oracle independent of any guest run.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(16_777_619))
}
