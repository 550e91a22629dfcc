//! Differential verification of preview1 adapters.
//!
//! The same preview1 program runs under wasmtime-wasi's native p1 (the
//! reference), under the adapter wasmtime ships and under ours; everything
//! observable is compared. The `verify` binary wraps this for the command
//! line; the project's integration tests use it directly.

pub mod adapters;
pub mod bench;
pub mod differential;
pub mod fuzz;
pub mod go_std;
pub mod guests;
pub mod hosts;
pub mod string_calls;
pub mod tools;
pub mod tree;

pub use adapters::{Implementation, embed_run_world, embed_world, flavour_of};
pub use differential::{Aspect, Case, Comparison, Run, Verdict, compare};
pub use hosts::in_process::{Invocation, Outcome, Status};
pub use wasip1_adapter::Flavour;
pub use wasip1_adapter::adapt::{Preparation, Strategy};
pub use wasip1_adapter::check;

/// The bundled example: a preview1 program written in WAT that greets and
/// echoes its arguments and one environment variable.
pub const EXAMPLE_WAT: &str = include_str!("../examples/hello.wat");

/// Reads a wasm file, or a `.wat` text file.
pub fn read_wasm(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    Ok(wat::parse_bytes(&bytes).with_context(|| format!("parse {}", path.display()))?.into_owned())
}

/// Whether `bytes` is a component (rather than a core module).
pub fn is_component(bytes: &[u8]) -> bool {
    wasmparser::Parser::is_component(bytes)
}
