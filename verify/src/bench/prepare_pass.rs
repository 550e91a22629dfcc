//! The preparation pass (`wasip1_adapter::prepare`) on a large Go module:
//! time and peak heap, and, for context, the whole `adapt` around it.

use std::time::Instant;

use anyhow::Result;

use super::{Options, median, meter};

#[derive(Clone, Debug)]
pub struct PreparationReport {
    pub program: &'static str,
    pub module_bytes: usize,
    pub runs: usize,
    /// Median wall time of `prepare`.
    pub prepare_seconds: f64,
    /// Most heap `prepare` held at once; `None` outside the `verify` binary.
    pub prepare_peak_bytes: Option<usize>,
    pub memory_grow_rewritten: usize,
    pub memory_size_rewritten: usize,
    /// Median wall time of `adapt`: preparation plus wit-component's linking.
    pub adapt_seconds: f64,
}

pub(super) fn measure(options: &Options) -> Result<PreparationReport> {
    let program = "tests/go/big";
    let module = crate::guests::go_build("big", false)?;
    let runs = options.samples.max(1);
    let mut prepare_times = Vec::new();
    let mut peak = 0;
    let mut counts = (0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let (prepared, held) = meter::peak_during(|| wasip1_adapter::prepare::prepare(&module));
        prepare_times.push(start.elapsed().as_secs_f64());
        let prepared = prepared?;
        peak = peak.max(held);
        counts = (prepared.memory_grow_rewritten, prepared.memory_size_rewritten);
    }
    let mut adapt_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        wasip1_adapter::adapt::adapt(&module, &wasip1_adapter::adapt::Options::default())?;
        adapt_times.push(start.elapsed().as_secs_f64());
    }
    Ok(PreparationReport {
        program,
        module_bytes: module.len(),
        runs,
        prepare_seconds: median(prepare_times).unwrap_or(f64::NAN),
        prepare_peak_bytes: meter::installed().then_some(peak),
        memory_grow_rewritten: counts.0,
        memory_size_rewritten: counts.1,
        adapt_seconds: median(adapt_times).unwrap_or(f64::NAN),
    })
}
