//! Whole-program cases: instantiate and run a program to its end, timed by
//! the host. Compilation and linking happen once, before timing, as a host
//! that serves many runs would do them.

use std::time::Instant;

use anyhow::{Result, bail};

use super::calls::link_all;
use super::{Options, Row, summarise};
use crate::{Invocation, Preparation, Status};

struct Program {
    name: &'static str,
    unit: &'static str,
    runs: u64,
    build: fn() -> Result<Vec<u8>>,
    /// How ours links it (native and upstream run the module as it is).
    preparation: Preparation,
}

const PROGRAMS: [Program; 3] = [
    Program {
        name: "Rust hello world",
        unit: "instantiate + run of tests/guests hello_std (Rust std, wasm32-wasip1)",
        runs: 200,
        build: || crate::guests::guest("hello_std"),
        preparation: Preparation::Auto,
    },
    Program {
        name: "Go hello world",
        unit: "instantiate + run of tests/go/hello (Go, GOOS=wasip1; ours prepares it)",
        runs: 50,
        build: || crate::guests::go_build("hello", false),
        preparation: Preparation::Auto,
    },
    Program {
        name: "Go hello world, drop-in",
        unit: "the same, ours linked without preparation (hello world does not grow the heap into adapter memory)",
        runs: 50,
        build: || crate::guests::go_build("hello", false),
        preparation: Preparation::Never,
    },
];

pub(super) fn measure(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for program in PROGRAMS.iter().filter(|program| options.wants(program.name)) {
        progress(program.name);
        let module = (program.build)()?;
        let linked = link_all(&module, program.preparation)?;
        let invocation = Invocation::new("hello");
        let runs = (program.runs * options.samples as u64 / 5 / options.divisor).max(1);
        let mut samples: [Vec<f64>; 3] = Default::default();
        let mut failures: [Option<String>; 3] = Default::default();
        for _ in 0..runs {
            for (index, implementation) in linked.iter().enumerate() {
                let start = Instant::now();
                let result = implementation.run(&invocation);
                let ns = start.elapsed().as_nanos() as f64;
                match result.and_then(|outcome| match &outcome.status {
                    Status::Exited(0) => Ok(()),
                    other => bail!("{other}: {}", outcome.stderr_text().trim()),
                }) {
                    Ok(()) => samples[index].push(ns),
                    Err(error) => failures[index] = Some(format!("{error:#}")),
                }
            }
        }
        let values = summarise(samples, failures);
        rows.push(Row { name: program.name.to_string(), unit: program.unit.to_string(), values });
    }
    Ok(rows)
}
