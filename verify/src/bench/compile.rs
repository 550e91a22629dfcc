//! Compile time: what a host pays on every cold start (edge and serverless
//! hosts compile per deployment or per instance). Each program's component,
//! linked with upstream's adapter and with ours, and its core module for
//! native p1, compiled by wasmtime with its default configuration (Cranelift,
//! no cache) several times; the median is reported. The implementations take
//! turns, as elsewhere in the bench.

use std::time::Instant;

use anyhow::Result;
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use super::{Options, Row, summarise};
use crate::{Flavour, Implementation, Preparation, adapters};

struct Program {
    name: &'static str,
    unit: &'static str,
    build: fn() -> Result<Vec<u8>>,
    compilations: usize,
}

const PROGRAMS: [Program; 2] = [
    Program {
        name: "compile Rust hello world",
        unit: "compilation of tests/guests hello_std (core module; components as linked)",
        build: || crate::guests::guest("hello_std"),
        compilations: 9,
    },
    Program {
        name: "compile Go hello world",
        unit: "compilation of tests/go/hello (ours prepares it, as `adapt` does)",
        build: || crate::guests::go_build("hello", false),
        compilations: 5,
    },
];

pub(super) fn measure(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Vec<Row>> {
    let engine = Engine::default();
    let mut rows = Vec::new();
    for program in PROGRAMS.iter().filter(|program| options.wants(program.name)) {
        progress(program.name);
        let module = (program.build)()?;
        let upstream = adapters::component_for(Implementation::Upstream, &module, Flavour::Command, Preparation::Never)?;
        let ours = adapters::component_for(Implementation::Ours, &module, Flavour::Command, Preparation::Auto)?;
        let compilations = if options.divisor > 1 { 1 } else { (program.compilations * options.samples / 5).max(3) };
        let mut samples: [Vec<f64>; 3] = Default::default();
        let mut failures: [Option<String>; 3] = Default::default();
        for _ in 0..compilations {
            for (index, implementation) in Implementation::ALL.iter().enumerate() {
                let start = Instant::now();
                let compiled = match implementation {
                    Implementation::Native => Module::new(&engine, &module).map(drop),
                    Implementation::Upstream => Component::new(&engine, &upstream).map(drop),
                    Implementation::Ours => Component::new(&engine, &ours).map(drop),
                };
                let ns = start.elapsed().as_nanos() as f64;
                match compiled {
                    Ok(()) => samples[index].push(ns),
                    Err(error) => failures[index] = Some(format!("{error:#}")),
                }
            }
        }
        rows.push(Row { name: program.name.to_string(), unit: program.unit.to_string(), values: summarise(samples, failures) });
    }
    Ok(rows)
}
