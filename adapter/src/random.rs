//! `random_get` on wasi:random, written straight into the guest's buffer.

use crate::guest;
use crate::lowering;
use crate::p1::P1Result;
use crate::state::Ctx;

#[link(wasm_import_module = "wasi:random/random@0.2.12")]
unsafe extern "C" {
    /// `get-random-bytes: func(len: u64) -> list<u8>`; the list lands where
    /// `cabi_import_realloc` says and `(ptr, len)` in `ret`.
    #[link_name = "get-random-bytes"]
    fn get_random_bytes(len: u64, ret: *mut [u32; 2]);
}

pub fn random_get(cx: Ctx, buf: u32, len: u32) -> P1Result {
    // Nothing to write touches no memory, wherever `buf` points (native p1
    // agrees).
    if len == 0 {
        return Ok(());
    }
    let dst = guest::span(cx, buf, len)?;
    let mut ret = [0u32; 2];
    lowering::into(cx, dst, || unsafe { get_random_bytes(u64::from(len), &mut ret) });
    // The host must hand back exactly what was asked for, where it was asked.
    if ret[0] != dst.address || ret[1] != len {
        crate::diag::unexpected_allocation(ret[1], 1);
    }
    Ok(())
}
