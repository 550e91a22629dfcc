//! How often the floating tail moves. A prepared guest's `memory.grow` goes
//! to the adapter, which hands out slack pages when it has them and moves its
//! own pages up (a copy and a fill of them) when it has not. Counted here for
//! Go programs: the guest's growths, from the prepared module run under
//! native p1 with counting stand-ins for the adapter's two functions, and the
//! growths of the core memory under ours, from a resource limiter. The
//! adapter's home block and its moves grow memory by its slack and more (64
//! MiB at least, `MIN_SLACK` in adapter/src/memory/placement.rs); the guest's own
//! growths before the adapter took its pages, and the adapter's heap chunks,
//! by less. So the moves are at most the number of growths of 64 MiB or
//! more, less one (the home block).

use std::sync::atomic::Ordering;

use anyhow::{Context, Result};
use wasmtime::component::{Component, Linker as ComponentLinker, ResourceTable};
use wasmtime::{Module, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtxView, WasiView};

use super::instructions::finished;
use crate::{Flavour, Implementation, Invocation, Preparation, adapters};

/// One program's counts.
#[derive(Clone, Debug)]
pub struct TailRow {
    pub program: String,
    /// `memory.grow` calls the guest made.
    pub guest_growths: u64,
    /// Pages the guest asked for in all.
    pub guest_pages: u64,
    /// Growths of the core memory under ours, prepared.
    pub memory_growths: u64,
    /// Those of them by 64 MiB or more: the home block and the moves.
    pub large_growths: u64,
}

/// The adapter's smallest slack, in bytes (adapter/src/memory/placement.rs).
const MIN_SLACK_BYTES: usize = 1024 * 65536;

pub fn measure() -> Result<Vec<TailRow>> {
    ["hello", "alloc_heavy", "big", "grow_heavy"].into_iter().map(measure_program).collect()
}

/// The counts for the Go program tests/go/NAME.
pub fn measure_program(name: &str) -> Result<TailRow> {
    let module = crate::guests::go_build(name, false)?;
    let prepared = wasip1_adapter::prepare::prepare(&module).context("prepare")?.module;
    let (guest_growths, guest_pages) = guest_growths(&prepared, name)?;
    let (memory_growths, large_growths) = memory_growths(&module, name)?;
    Ok(TailRow { program: format!("Go {name}"), guest_growths, guest_pages, memory_growths, large_growths })
}

fn invocation(name: &str) -> Invocation {
    Invocation::new(name)
}

/// Runs the prepared module under native p1 with stand-ins that count.
fn guest_growths(prepared: &[u8], name: &str) -> Result<(u64, u64)> {
    let engine = crate::hosts::in_process::engine();
    let module = Module::new(engine, prepared)?;
    let count = crate::hosts::in_process::GrowthCount::default();
    let pre = crate::hosts::in_process::link_p1_with_counting_stand_ins(&module, &count)?;
    let wasi = crate::hosts::in_process::builder_for(&invocation(name))?.build_p1();
    let mut store = Store::new(engine, wasi);
    let instance = pre.instantiate(&mut store)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    finished(start.call(&mut store, ()).map(|()| 0))?;
    Ok((count.calls.load(Ordering::Relaxed), count.pages.load(Ordering::Relaxed)))
}

/// The store of a component run that counts growths of its memories.
struct Counting {
    host: crate::hosts::in_process::ComponentHost,
    growths: u64,
    large_growths: u64,
}

impl WasiView for Counting {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.host.ctx()
    }
}

impl ResourceLimiter for Counting {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Instantiation sizes each memory too (from 0); only growths count.
        if current != 0 && desired > current {
            self.growths += 1;
            if desired - current >= MIN_SLACK_BYTES {
                self.large_growths += 1;
            }
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// Runs the module as `adapt` links it with ours (prepared), counting
/// growths of the core memory.
fn memory_growths(module: &[u8], name: &str) -> Result<(u64, u64)> {
    let engine = crate::hosts::in_process::engine();
    let component = adapters::component_for(Implementation::Ours, module, Flavour::Command, Preparation::Auto)?;
    let component = Component::new(engine, &component)?;
    let mut linker = ComponentLinker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let ctx = crate::hosts::in_process::builder_for(&invocation(name))?.build();
    let host = crate::hosts::in_process::ComponentHost::new(ctx, ResourceTable::new());
    let mut store = Store::new(engine, Counting { host, growths: 0, large_growths: 0 });
    store.limiter(|counting| counting);
    let instance = linker.instantiate(&mut store, &component)?;
    let command = wasmtime_wasi::p2::bindings::sync::Command::new(&mut store, &instance)?;
    let run = command.wasi_cli_run().call_run(&mut store).map(|result| if result.is_ok() { 0 } else { 1 });
    finished(run)?;
    Ok((store.data().growths, store.data().large_growths))
}

/// The report's table.
pub fn markdown(rows: &[TailRow]) -> String {
    let mut out = String::from(
        "| program | guest memory.grow calls | pages the guest grew | core memory growths under ours | of 64 MiB or more (home block, moves) | moves, at most |\n|---|--:|--:|--:|--:|--:|\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            row.program,
            row.guest_growths,
            row.guest_pages,
            row.memory_growths,
            row.large_growths,
            row.large_growths.saturating_sub(1)
        ));
    }
    out
}
