//! Wasm instructions per iteration of each per-call case, counted with
//! wasmtime's fuel: deterministic where timings are noisy, and it splits the
//! cost between the guest's loop (all native p1 counts: its host functions
//! are not wasm) and the adapter (what upstream and ours add on top).

use anyhow::{Context, Result};
use wasmtime::component::{Component, Linker as ComponentLinker, ResourceTable};
use wasmtime::{Config, Engine, Linker, Module, Store};

use super::calls::{CASES, fixture, invocation};
use super::{Options, Row};
use crate::{Flavour, Implementation, Invocation, Preparation, Status, adapters};

/// Iterations of the shorter of the two runs whose difference is counted.
const BASE_ITERATIONS: u64 = 8;

pub(super) fn measure(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Vec<Row>> {
    let mut config = Config::new();
    config.wasm_component_model(true).consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = crate::guests::guest("bench")?;
    let core = Module::new(&engine, &module)?;
    let components = [Implementation::Upstream, Implementation::Ours].map(|implementation| -> Result<Component> {
        let bytes = adapters::component_for(implementation, &module, Flavour::Command, Preparation::Auto)?;
        Component::new(&engine, &bytes).map_err(anyhow::Error::from).context("compile")
    });
    let [upstream, ours] = components;
    let (upstream, ours) = (upstream?, ours?);
    let fixture = fixture()?;
    let mut rows = Vec::new();
    for case in CASES.iter().filter(|case| options.wants(case.name)) {
        progress(case.name);
        let count = |run: &dyn Fn(&Invocation) -> Result<u64>| -> Result<f64, String> {
            let fuel = |n: u64| run(&invocation(case, n, fixture.path()));
            let (short, long) = (fuel(BASE_ITERATIONS), fuel(2 * BASE_ITERATIONS));
            match (short, long) {
                (Ok(short), Ok(long)) => Ok(long.saturating_sub(short) as f64 / BASE_ITERATIONS as f64),
                (Err(error), _) | (_, Err(error)) => Err(format!("{error:#}")),
            }
        };
        let values = [
            count(&|invocation| native_fuel(&engine, &core, invocation)),
            count(&|invocation| component_fuel(&engine, &upstream, invocation)),
            count(&|invocation| component_fuel(&engine, &ours, invocation)),
        ];
        rows.push(Row { name: case.name.to_string(), unit: case.unit.to_string(), values });
    }
    Ok(rows)
}

fn native_fuel(engine: &Engine, module: &Module, invocation: &Invocation) -> Result<u64> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |wasi| wasi)?;
    let wasi = crate::hosts::in_process::builder_for(invocation)?.build_p1();
    let mut store = Store::new(engine, wasi);
    store.set_fuel(u64::MAX)?;
    let instance = linker.instantiate(&mut store, module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    finished(start.call(&mut store, ()).map(|()| 0))?;
    Ok(u64::MAX - store.get_fuel()?)
}

fn component_fuel(engine: &Engine, component: &Component, invocation: &Invocation) -> Result<u64> {
    let mut linker = ComponentLinker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let ctx = crate::hosts::in_process::builder_for(invocation)?.build();
    let mut store = Store::new(engine, crate::hosts::in_process::ComponentHost::new(ctx, ResourceTable::new()));
    store.set_fuel(u64::MAX)?;
    let instance = linker.instantiate(&mut store, component)?;
    let command = wasmtime_wasi::p2::bindings::sync::Command::new(&mut store, &instance)?;
    let run = command.wasi_cli_run().call_run(&mut store).map(|result| if result.is_ok() { 0 } else { 1 });
    finished(run)?;
    Ok(u64::MAX - store.get_fuel()?)
}

/// A run that ended with exit status 0.
pub(super) fn finished(result: wasmtime::Result<i32>) -> Result<()> {
    match crate::hosts::in_process::status_of(result) {
        Status::Exited(0) => Ok(()),
        other => anyhow::bail!("{other}"),
    }
}
