//! Random bytes from wasi:random, written straight into the guest's buffer
//! (for `random_get`, which `p1::memoryless` serves).

use crate::base::p1_abi::{Errno, P1Result};
use crate::memory::guest::Span;
use crate::memory::lowering;
use crate::memory::scratch;

#[link(wasm_import_module = "wasi:random/random@0.2.12")]
unsafe extern "C" {
    /// `get-random-bytes: func(len: u64) -> list<u8>`; the list lands where
    /// `cabi_import_realloc` says and `(ptr, len)` at `ret`.
    #[link_name = "get-random-bytes"]
    fn get_random_bytes(len: u64, ret: u32);
}

/// Fills `dst`, a checked, non-empty guest buffer. Runs without the shadow
/// stack. A buffer that leaves no room for scratch (it covers nearly all of
/// memory) is filled in two halves.
#[inline(always)]
pub fn fill(dst: Span) -> P1Result {
    let first = if scratch::available(dst.address(), dst.len()) { dst.len() } else { dst.len() / 2 };
    match fill_piece(dst.address(), first) {
        0 if first == dst.len() => Ok(()),
        0 => errno_of(fill_piece(dst.address().wrapping_add(first), dst.len() - first)),
        errno => errno_of(errno),
    }
}

fn errno_of(raw: u32) -> P1Result {
    match raw {
        0 => Ok(()),
        raw => Err(Errno(raw as u16)),
    }
}

/// One import's worth; the errno as a scalar (this runs without a stack).
#[inline(never)]
fn fill_piece(address: u32, len: u32) -> u32 {
    // SAFETY: a piece of the span `fill` was given, passed here as scalars.
    match fill_span(unsafe { Span::unchecked(address, len) }) {
        Ok(()) => 0,
        Err(errno) => u32::from(errno.0),
    }
}

#[inline(always)]
fn fill_span(dst: Span) -> P1Result {
    let (address, len) = scratch::with(dst.address(), dst.len(), |at| {
        // SAFETY: the list goes to `dst` through the plan, `(ptr, len)` to
        // scratch.
        lowering::into(dst, || unsafe { get_random_bytes(u64::from(dst.len()), at) });
        (scratch::u32_at(at, 0), scratch::u32_at(at, 4))
    })
    .ok_or(Errno::FAULT)?;
    // The host must hand back exactly what was asked for, where it was asked.
    if address != dst.address() || len != dst.len() {
        crate::base::diag::unexpected_allocation(len, 1);
    }
    Ok(())
}
