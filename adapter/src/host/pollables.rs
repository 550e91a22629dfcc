//! wasi:io/poll's `poll`, for `poll_oneoff`: the pollables go to the host
//! as one list on the adapter heap, the ready ones come back as a list the
//! lowering places there too.

use crate::base::p1_abi::P1Result;
use crate::memory::guest::Span;
use crate::memory::lowering;
use crate::memory::state::Ctx;

#[link(wasm_import_module = "wasi:io/poll@0.2.12")]
unsafe extern "C" {
    /// `poll: func(in: list<borrow<pollable>>) -> list<u32>`
    #[link_name = "poll"]
    fn poll(pollables: *const u32, len: usize, ret: *mut [u32; 2]);
}

/// Blocks until at least one pollable is ready. `slots` holds `count`
/// slots of `slot` bytes: a pollable handle, then a word set to 1 when it is
/// ready.
pub fn wait(cx: Ctx, slots: Span, count: u32, slot: u32) -> P1Result {
    // The pollables, contiguous, as the import wants them.
    let list_size = count * 4;
    let list = cx.heap_alloc(list_size)?;
    // SAFETY: the heap block just allocated for the list, which nothing else refers to.
    let handles = unsafe { Span::unchecked(list.address(cx.home()), list_size) };
    for i in 0..count {
        handles.write_u32(i * 4, slots.read_u32(i * slot));
    }
    let mut ret = [0u32; 2];
    // SAFETY: `handles` holds `count` pollable handles; the ready list goes where the plan says.
    let result = lowering::all_to_heap(cx, || unsafe { poll(handles.ptr().cast(), count as usize, &mut ret) });
    let [ready, ready_len] = ret;
    let ready = result.elements(cx, ready, ready_len, 4);
    for i in 0..ready_len {
        let index = ready.read_u32(i * 4);
        if index < count {
            slots.write_u32(index * slot + 4, 1);
        }
    }
    lowering::release_spine(cx, result);
    // SAFETY: the list block this function allocated, done with.
    unsafe { cx.heap_free(list, list_size) };
    Ok(())
}
