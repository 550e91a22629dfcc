//! `verify serve-bench`: the proxy flavour under load on the real
//! `wasmtime serve`, ours against upstream in one run. wasmtime serve
//! instantiates the component for every request, so this is where an
//! adapter's compile and instantiation footprint shows.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use crate::Implementation;
use crate::hosts::serve::{self, Load, Server};
use crate::tools;

pub const BEGIN: &str = "<!-- verify serve-bench: begin (written by `cargo verify serve-bench`; edit outside the markers) -->";
pub const END: &str = "<!-- verify serve-bench: end -->";

/// The two adapters' loads, over `rounds` alternating rounds of `clients`
/// concurrent clients sending `per_client` requests each.
pub struct ServeReport {
    pub clients: usize,
    pub per_client: usize,
    pub rounds: usize,
    pub loads: Vec<(Implementation, Load)>,
}

/// Builds tests/http-guest, links it with each proxy adapter by the
/// wasm-tools CLI, and loads `wasmtime serve` with it; the adapters take
/// turns, round by round.
pub fn run(clients: usize, per_client: usize, rounds: usize, progress: &mut dyn FnMut(&str)) -> Result<ServeReport> {
    let dir = tempfile::tempdir()?;
    let module = dir.path().join("http_guest.wasm");
    std::fs::write(&module, crate::guests::http_guest()?)?;
    let wasmtime = tools::wasmtime_cli(tools::WASMTIME)?;
    let adapters = [Implementation::Ours, Implementation::Upstream];
    let mut components = Vec::new();
    for implementation in adapters {
        components.push(link(dir.path(), &module, implementation)?);
    }
    let mut loads: Vec<(Implementation, Load)> = adapters.iter().map(|&i| (i, Load::default())).collect();
    for round in 0..rounds {
        for (index, component) in components.iter().enumerate() {
            let server = Server::start(&wasmtime, component)?;
            let load = serve::load(&server.base, clients, per_client);
            progress(&format!(
                "round {}: {}: {} requests, {} failed, {} wrong, {:.0}/s",
                round + 1,
                adapters[index].label(),
                load.requests,
                load.failed,
                load.wrong,
                load.per_second()
            ));
            let total = &mut loads[index].1;
            total.requests += load.requests;
            total.failed += load.failed;
            total.wrong += load.wrong;
            total.latencies.extend(load.latencies);
            total.seconds += load.seconds;
        }
    }
    Ok(ServeReport { clients, per_client, rounds, loads })
}

fn link(dir: &Path, module: &Path, implementation: Implementation) -> Result<std::path::PathBuf> {
    let adapter = dir.join(format!("{implementation:?}.proxy.wasm"));
    std::fs::write(&adapter, implementation.adapter(crate::Flavour::Proxy).unwrap_or_default())?;
    let component = dir.join(format!("{implementation:?}.component.wasm"));
    tools::link_with_cli(module, &adapter, &component)?;
    Ok(component)
}

impl ServeReport {
    pub fn markdown(&self) -> String {
        let machine = super::Machine::describe();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "\n{} ({} logical CPUs), wasmtime {} CLI `serve` on 127.0.0.1, tests/http-guest linked by the wasm-tools CLI; \
             {} clients x {} requests, {} rounds with the adapters taking turns; the mix: echoes of 0 B to 64 KiB, \
             GETs with a header, 256 KiB streamed, 404s; every reply checked against the handler's definition. \
             Latency is per request, measured by the client; the client runs on the same machine. {}.\n",
            machine.cpu,
            machine.logical_cpus,
            tools::WASMTIME,
            self.clients,
            self.per_client,
            self.rounds,
            machine.date
        );
        let _ = writeln!(text, "| adapter | requests | failed | wrong replies | p50 | p99 | requests/s |");
        let _ = writeln!(text, "|---|--:|--:|--:|--:|--:|--:|");
        for (implementation, load) in &self.loads {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {:.2} ms | {:.2} ms | {:.0} |",
                implementation.label(),
                load.requests,
                load.failed,
                load.wrong,
                load.percentile(0.5).as_secs_f64() * 1e3,
                load.percentile(0.99).as_secs_f64() * 1e3,
                load.per_second()
            );
        }
        if let [(_, ours), (_, upstream)] = &self.loads[..] {
            let _ = writeln!(
                text,
                "\nOurs / upstream: p50 {:.2}x, p99 {:.2}x, throughput {:.2}x.\n",
                ratio(ours.percentile(0.5).as_secs_f64(), upstream.percentile(0.5).as_secs_f64()),
                ratio(ours.percentile(0.99).as_secs_f64(), upstream.percentile(0.99).as_secs_f64()),
                ratio(ours.per_second(), upstream.per_second())
            );
        }
        text
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}
