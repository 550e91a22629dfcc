//! `verify bench`: per-call cost of p1 functions, whole-program runs, artifact
//! sizes and the preparation pass, measured under native p1, the upstream
//! adapter and ours in one process, and written up as docs/benchmarks.md.
//!
//! Per-call cases run tests/guests' `bench` program, which loops one call in
//! wasm and times the loop itself, so instantiation and process start-up are
//! not in the number. Samples of the three implementations interleave, so a
//! slow moment of the machine does not land on one of them only; the median
//! sample is reported.

mod calls;
mod compile;
mod instructions;
pub mod meter;
mod prepare_pass;
mod programs;
mod report;
pub mod serve;
pub mod sizes;
pub mod tail;

use anyhow::Result;

use crate::Implementation;

pub use report::{BEGIN, END, Machine, Report, write_between, write_into};

/// How long to measure.
#[derive(Clone, Debug)]
pub struct Options {
    /// Samples per case and implementation (the median is reported).
    pub samples: usize,
    /// Divides every iteration count, for a quick smoke run (1 = full).
    pub divisor: u64,
    /// Only the cases whose name contains one of these (all when empty);
    /// sizes and the preparation pass are skipped then. Not for the report.
    pub only: Vec<String>,
}

impl Options {
    pub const FULL: Options = Options { samples: 5, divisor: 1, only: Vec::new() };
    /// Enough to show every case runs under every implementation.
    pub const SMOKE: Options = Options { samples: 1, divisor: 100, only: Vec::new() };

    fn wants(&self, case: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|part| case.contains(part.as_str()))
    }
}

/// One measured quantity under the three implementations, in
/// `Implementation::ALL` order: a value, or why there is none.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    /// What one unit (one call, one round, one run) is.
    pub unit: String,
    pub values: [Result<f64, String>; 3],
}

impl Row {
    pub fn value(&self, implementation: Implementation) -> Option<f64> {
        let index = Implementation::ALL.iter().position(|i| *i == implementation)?;
        self.values.get(index)?.as_ref().ok().copied()
    }

    /// ours / other, when both were measured.
    pub fn ratio(&self, other: Implementation) -> Option<f64> {
        Some(self.value(Implementation::Ours)? / self.value(other)?)
    }
}

/// Runs everything and returns the report.
pub fn run(options: Options, progress: &mut dyn FnMut(&str)) -> Result<Report> {
    let calls = calls::measure(&options, progress)?;
    let programs = programs::measure(&options, progress)?;
    let compilation = compile::measure(&options, progress)?;
    let instructions = instructions::measure(&options, progress)?;
    let (sizes, preparation) = if options.only.is_empty() {
        progress("artifact sizes");
        let sizes = sizes::measure()?;
        progress("preparation pass on a 10 MB Go module");
        (Some(sizes), Some(prepare_pass::measure(&options)?))
    } else {
        (None, None)
    };
    let tail = if options.only.is_empty() {
        progress("floating tail: growths and moves");
        Some(tail::measure()?)
    } else {
        None
    };
    Ok(Report { options, machine: report::Machine::describe(), calls, programs, compilation, instructions, sizes, preparation, tail })
}

/// The per-call cases in wasm instructions per iteration only (wasmtime
/// fuel): deterministic, so a test can hold ours to upstream's counts, and
/// quick enough for a debug build.
pub fn instructions(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Vec<Row>> {
    instructions::measure(options, progress)
}

/// Per implementation: the median sample, or why a run failed.
fn summarise(samples: [Vec<f64>; 3], failures: [Option<String>; 3]) -> [Result<f64, String>; 3] {
    let mut samples = samples.into_iter();
    let mut failures = failures.into_iter();
    std::array::from_fn(|_| match (failures.next().flatten(), samples.next().and_then(median)) {
        (Some(why), _) => Err(why),
        (None, Some(value)) => Ok(value),
        (None, None) => Err("no sample".into()),
    })
}

/// The median of `values` (empty: none).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => values.get(middle).copied(),
        _ => Some((values.get(middle - 1)? + values.get(middle)?) / 2.0),
    }
}
