//! Coexisting with guest heaps that claim all of memory: real Go programs,
//! C and C++ on wasi-libc before 2023, faithful models of TinyGo's and Go's
//! heaps, and the drop-in path for today's wasi-libc guests.

mod assemblyscript;
mod callbacks;
mod drop_in;
mod go;
mod heap_models;
mod memories;
mod old_wasi_libc;
mod prepare_pass;
mod prepared;
mod prepared_under_native;
