//! Where guests run, and how a run is recorded.
//!
//! - `in_process`: wasmtime as a library in this process, a preview1 module
//!   under wasmtime-wasi's native p1 or a component under its WASI 0.2; the
//!   runs `differential`, `fuzz`, `bench` and most tests compare
//!   (`Invocation` in, `Outcome` out);
//! - `matrix`: one program linked the ways users link it, run on the
//!   wasmtime CLI and on jco (both through `crate::tools`);
//! - `serve`: the proxy flavour behind a real `wasmtime serve`, with the
//!   HTTP requests that check and load it.

pub mod in_process;
pub mod matrix;
pub mod serve;
