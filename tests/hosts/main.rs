//! Components run on real command-line hosts (installed by .ci/run), not in
//! `verify`'s embedded wasmtime.

mod debugging;
mod matrix;
mod older_wasmtime;
mod preinit;
mod serve;
mod user_tool;
