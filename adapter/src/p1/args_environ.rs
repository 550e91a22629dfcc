//! `args_*` and `environ_*` on wasi:cli/environment.
//!
//! The host returns `list<string>` (or a list of key/value pairs). Strings go
//! straight into the guest's buffer with one spare byte each for p1's
//! terminator; only the element array ("spine", 8 or 16 bytes per entry) goes
//! to the adapter heap, so their number and size have no limit of their own
//! besides memory (and the heap's, README "Heap limits"). Upstream's adapter
//! keeps the spine in a fixed 64 KiB-ish buffer and traps beyond it.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result};
use crate::host::environment::Which;
use crate::memory::guest;
use crate::memory::lowering::{self, ListResult};
use crate::memory::state::Ctx;

pub fn args_sizes_get(cx: Ctx, count: u32, size: u32) -> P1Result {
    sizes_get(cx, Which::Arguments, count, size)
}

pub fn environ_sizes_get(cx: Ctx, count: u32, size: u32) -> P1Result {
    sizes_get(cx, Which::Environment, count, size)
}

pub fn args_get(cx: Ctx, argv: u32, argv_buf: u32) -> P1Result {
    get(cx, Which::Arguments, argv, argv_buf)
}

pub fn environ_get(cx: Ctx, environ: u32, environ_buf: u32) -> P1Result {
    get(cx, Which::Environment, environ, environ_buf)
}

fn sizes_get(cx: Ctx, which: Which, count_out: u32, size_out: u32) -> P1Result {
    let count_out = guest::span(cx, count_out, 4)?;
    let size_out = guest::span(cx, size_out, 4)?;
    let mut list = [0u32; 2];
    let result = lowering::strings_count(cx, || list = which.call());
    let total = result.total();
    lowering::release_spine(cx, result);
    let count = list[1];
    // Each string gets a terminator: NUL after an argument, `=` and NUL for a
    // variable.
    let size = total + u64::from(count) * u64::from(which.strings());
    let size = u32::try_from(size).map_err(|_| Errno::OVERFLOW)?;
    // Native p1 writes the size first; where a guest passes overlapping
    // pointers, the count is what it finds.
    size_out.write_u32(0, size);
    count_out.write_u32(0, count);
    Ok(())
}

fn get(cx: Ctx, which: Which, pointers: u32, buf: u32) -> P1Result {
    let mut list = [0u32; 2];
    // The pointer array is checked as soon as the count is known, before
    // any string lands in `buf`.
    let spine_per_array_byte = 2 * which.strings();
    let result = lowering::strings_into(cx, buf, pointers, spine_per_array_byte, || list = which.call());
    let outcome = fill_pointers(cx, which, &result, list, pointers);
    lowering::release_spine(cx, result);
    outcome
}

/// Writes the pointer array from the spine (the terminators are in place).
fn fill_pointers(cx: Ctx, which: Which, result: &ListResult, list: [u32; 2], pointers: u32) -> P1Result {
    let [spine, count] = list;
    if result.fault() {
        return Err(Errno::FAULT);
    }
    let pointers = guest::array(cx, pointers, count, 4)?;
    if count == 0 {
        return Ok(());
    }
    // An argument's entry is its string; a variable's, its key then value,
    // which follows the key's `=` in the buffer.
    let entry_size = 8 * which.strings();
    let spine = result.elements(cx, spine, count, entry_size);
    for i in 0..count {
        pointers.write_u32(i * 4, spine.read_u32(i * entry_size));
    }
    Ok(())
}
