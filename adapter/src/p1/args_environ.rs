//! `args_*` and `environ_*` on wasi:cli/environment.
//!
//! The host returns `list<string>` (or a list of key/value pairs). Strings go
//! straight into the guest's buffer with one spare byte each for p1's
//! terminator; only the element array ("spine", 8 or 16 bytes per entry) goes
//! to the adapter heap, so their number and size have no limit of their own
//! besides memory (and the heap's, README "Heap limits"). Upstream's adapter
//! keeps the spine in a fixed 64 KiB-ish buffer and traps beyond it.

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

/// Writes the pointer array and the terminators from the spine.
fn fill_pointers(cx: Ctx, which: Which, result: &ListResult, list: [u32; 2], pointers: u32) -> P1Result {
    let [spine, count] = list;
    if result.fault() {
        return Err(Errno::FAULT);
    }
    let pointers = guest::array(cx, pointers, count, 4)?;
    if count == 0 {
        return Ok(());
    }
    let entry_size = 8 * which.strings();
    let spine = result.elements(cx, spine, count, entry_size);
    for i in 0..count {
        let entry = i * entry_size;
        let (first, first_len) = (spine.read_u32(entry), spine.read_u32(entry + 4));
        let last_end = match which {
            Which::Arguments => first.wrapping_add(first_len),
            Which::Environment => {
                // The value was placed right after the key's spare byte.
                let (value, value_len) = (spine.read_u32(entry + 8), spine.read_u32(entry + 12));
                write_byte(first.wrapping_add(first_len), b'=');
                value.wrapping_add(value_len)
            }
        };
        write_byte(last_end, 0);
        pointers.write_u32(i * 4, first);
    }
    Ok(())
}

/// Writes a terminator into a spare byte the lowering reserved (and checked).
fn write_byte(address: u32, byte: u8) {
    // SAFETY: a spare byte the lowering reserved, and checked, right after a string in the guest's buffer.
    unsafe { (address as usize as *mut u8).write(byte) }
}
