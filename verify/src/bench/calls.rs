//! Per-call cases: the `bench` guest loops one p1 call under each
//! implementation; its own clock times the loop.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::{Options, Row, summarise};
use crate::hosts::in_process::{self, ComponentPre, ModulePre};
use crate::{Flavour, Implementation, Invocation, Preparation, Status, adapters};

/// A case of the bench guest: its name there, what one iteration is, and how
/// many iterations a sample runs (chosen for roughly 0.1 s under ours).
pub(super) struct CallCase {
    pub(super) name: &'static str,
    pub(super) unit: &'static str,
    iterations: u64,
    extra: Extra,
}

/// Arguments or environment a case needs beyond the usual.
#[derive(Clone, Copy, PartialEq)]
enum Extra {
    None,
    TenThousandArgs,
    TenThousandVars,
}

pub(super) const CASES: [CallCase; 14] = [
    CallCase { name: "sched_yield", unit: "call (a p1 call that does nothing: the fixed cost of a call)", iterations: 200_000, extra: Extra::None },
    CallCase { name: "clock_time_get", unit: "call", iterations: 200_000, extra: Extra::None },
    CallCase { name: "random_get-32", unit: "call of 32 bytes", iterations: 200_000, extra: Extra::None },
    CallCase { name: "random_get-1MiB", unit: "call of 1 MiB", iterations: 100, extra: Extra::None },
    CallCase { name: "fd_write-1", unit: "call of 1 byte, stdout to a sink", iterations: 200_000, extra: Extra::None },
    CallCase { name: "fd_write-64KiB", unit: "call of 64 KiB, stdout to a sink", iterations: 10_000, extra: Extra::None },
    CallCase { name: "fd_read-4KiB", unit: "4 KiB read of a 16 MiB file (fd_read until 4 KiB arrived)", iterations: 40_960, extra: Extra::None },
    CallCase { name: "fd_read-1MiB", unit: "1 MiB read of a 16 MiB file (fd_read until 1 MiB arrived)", iterations: 640, extra: Extra::None },
    CallCase { name: "path_open+fd_close", unit: "open and close", iterations: 20_000, extra: Extra::None },
    CallCase { name: "path_filestat_get", unit: "call", iterations: 40_000, extra: Extra::None },
    CallCase { name: "fd_readdir-10000", unit: "listing of 10,000 entries (64 KiB buffer)", iterations: 20, extra: Extra::None },
    CallCase { name: "args_get-10000", unit: "args_sizes_get + args_get, 10,000 args", iterations: 200, extra: Extra::TenThousandArgs },
    CallCase { name: "environ_get-10000", unit: "environ_sizes_get + environ_get, 10,000 vars", iterations: 200, extra: Extra::TenThousandVars },
    CallCase { name: "poll_oneoff-zero", unit: "one clock subscription, zero timeout", iterations: 50_000, extra: Extra::None },
];

/// A guest linked for one implementation.
pub(super) enum Linked {
    Native(ModulePre),
    Component(ComponentPre),
}

impl Linked {
    pub(super) fn run(&self, invocation: &Invocation) -> Result<crate::Outcome> {
        match self {
            Linked::Native(pre) => in_process::run_p1_linked(pre, invocation),
            Linked::Component(pre) => in_process::run_component_linked(pre, invocation),
        }
    }
}

pub(super) fn measure(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Vec<Row>> {
    progress("building the bench guest and its fixture");
    let module = crate::guests::guest("bench")?;
    let linked = link_all(&module, Preparation::Auto)?;
    let fixture = fixture()?;
    let mut rows = Vec::new();
    for case in CASES.iter().filter(|case| options.wants(case.name)) {
        progress(case.name);
        let iterations = (case.iterations / options.divisor).max(1);
        let invocation = invocation(case, iterations, fixture.path());
        let mut samples: [Vec<f64>; 3] = Default::default();
        let mut failures: [Option<String>; 3] = Default::default();
        for _ in 0..options.samples {
            for (index, implementation) in linked.iter().enumerate() {
                match implementation.run(&invocation).and_then(|outcome| elapsed_ns(&outcome)) {
                    Ok(ns) => samples[index].push(ns as f64 / iterations as f64),
                    Err(error) => failures[index] = Some(format!("{error:#}")),
                }
            }
        }
        let values = summarise(samples, failures);
        rows.push(Row { name: case.name.to_string(), unit: case.unit.to_string(), values });
    }
    Ok(rows)
}

/// A guest linked for native p1, upstream's adapter and ours (prepared as
/// `preparation` says).
pub(super) fn link_all(module: &[u8], preparation: Preparation) -> Result<[Linked; 3]> {
    let link = |implementation: Implementation| -> Result<Linked> {
        Ok(match implementation {
            Implementation::Native => Linked::Native(in_process::link_p1(&in_process::module(module)?)?),
            _ => {
                let component = adapters::component_for(implementation, module, Flavour::Command, preparation)?;
                Linked::Component(in_process::link_component(&in_process::component(&component)?)?)
            }
        })
    };
    let [a, b, c] = Implementation::ALL;
    Ok([link(a)?, link(b)?, link(c)?])
}

pub(super) fn invocation(case: &CallCase, iterations: u64, fixture: &Path) -> Invocation {
    let mut invocation = Invocation::new("bench").arg(case.name).arg(iterations.to_string()).preopen(fixture, "/bench").discard_stdout();
    match case.extra {
        Extra::None => {}
        Extra::TenThousandArgs => invocation = invocation.args((0..10_000).map(|i| format!("argument-{i:05}"))),
        Extra::TenThousandVars => {
            for i in 0..10_000 {
                invocation = invocation.env(format!("VARIABLE_{i:05}"), format!("value-{i}"));
            }
        }
    }
    invocation
}

/// The guest's `elapsed-ns N` line; anything else is a failed run.
fn elapsed_ns(outcome: &crate::Outcome) -> Result<u64> {
    let stderr = outcome.stderr_text();
    if outcome.status != Status::Exited(0) {
        bail!("{}: {}", outcome.status, stderr.trim());
    }
    let line = stderr.lines().find_map(|line| line.strip_prefix("elapsed-ns ")).context("no elapsed-ns line")?;
    line.trim().parse().with_context(|| format!("bad elapsed-ns line {line:?}"))
}

/// A fresh fixture directory (removed when dropped).
pub(super) fn fixture() -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("verify-bench").tempdir_in(scratch_root())?;
    make_fixture(dir.path())?;
    Ok(dir)
}

/// `small` (16 bytes), `big` (16 MiB) and `many/` with 10,000 empty files.
fn make_fixture(root: &Path) -> Result<()> {
    std::fs::write(root.join("small"), b"sixteen bytes!!\n")?;
    let pattern: Vec<u8> = (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let mut big = Vec::with_capacity(16 << 20);
    for _ in 0..16 {
        big.extend_from_slice(&pattern);
    }
    std::fs::write(root.join("big"), big)?;
    let many = root.join("many");
    std::fs::create_dir(&many)?;
    for i in 0..10_000 {
        std::fs::write(many.join(format!("f{i:05}")), b"")?;
    }
    Ok(())
}

/// /dev/shm when there is one, so file cases measure the implementations
/// rather than the disk.
fn scratch_root() -> std::path::PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() }
}
