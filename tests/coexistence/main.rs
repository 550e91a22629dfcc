//! Coexisting with guest heaps that claim all of memory: real Go programs,
//! faithful models of TinyGo's and Go's heaps, and the drop-in path for
//! wasi-libc-style guests.

mod drop_in;
mod go;
mod heap_models;
mod prepare_pass;
mod prepared;
