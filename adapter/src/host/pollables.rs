//! wasi:io/poll's `poll`, for `poll_oneoff`: a `PollSet` owns the
//! pollables of one call, each with a ready flag, in a heap block; the
//! pollables go to the host as one list on the heap, and the ready ones
//! come back as a list the lowering places there too.

use crate::base::p1_abi::{Errno, P1Result};
use crate::base::stdio::{self, Stdio};
use crate::host::bindings::wasi::io::poll::Pollable;
use crate::host::bindings::wasi::io::streams::{InputStream, OutputStream};
use crate::memory::block::HeapBlock;
use crate::memory::lowering;
use crate::memory::state::Ctx;

#[link(wasm_import_module = "wasi:io/poll@0.2.12")]
unsafe extern "C" {
    /// `poll: func(in: list<borrow<pollable>>) -> list<u32>`
    #[link_name = "poll"]
    fn poll(pollables: *const u32, len: usize, ret: *mut [u32; 2]);
}

/// Per pollable: its handle, and a word set to 1 when it is ready.
const SLOT: u32 = 8;

/// Up to `capacity` pollables the set owns (the first `count` slots).
pub struct PollSet {
    slots: HeapBlock,
    count: u32,
}

impl PollSet {
    /// Room for `capacity` pollables.
    pub fn new(cx: Ctx, capacity: u32) -> Result<PollSet, Errno> {
        let size = capacity.checked_mul(SLOT).ok_or(Errno::NOMEM)?;
        Ok(PollSet { slots: cx.alloc_block(size)?, count: 0 })
    }

    /// Takes `pollable` into the next slot, not ready.
    pub fn add(&mut self, cx: Ctx, pollable: Pollable) {
        let slots = self.slots.span(cx);
        slots.write_u32(self.count * SLOT, pollable.take_handle());
        slots.write_u32(self.count * SLOT + 4, 0);
        self.count += 1;
    }

    /// Whether the `i`th pollable was ready when `wait` returned.
    pub fn is_ready(&self, cx: Ctx, i: u32) -> bool {
        self.slots.span(cx).read_u32(i * SLOT + 4) != 0
    }

    /// Blocks until at least one pollable is ready, and flags the ready ones.
    pub fn wait(&self, cx: Ctx) -> P1Result {
        let slots = self.slots.span(cx);
        let count = self.count;
        // The pollables, contiguous, as the import wants them.
        let list = cx.alloc_block(count * 4)?;
        let handles = list.span(cx);
        for i in 0..count {
            handles.write_u32(i * 4, slots.read_u32(i * SLOT));
        }
        let mut ret = [0u32; 2];
        // SAFETY: `handles` holds `count` pollable handles; the ready list goes where the plan says.
        let result = lowering::all_to_heap(cx, || unsafe { poll(handles.ptr().cast(), count as usize, &mut ret) });
        let [ready, ready_len] = ret;
        let ready = result.elements(cx, ready, ready_len, 4);
        for i in 0..ready_len {
            let index = ready.read_u32(i * 4);
            if index < count {
                slots.write_u32(index * SLOT + 4, 1);
            }
        }
        lowering::release_spine(cx, result);
        list.free(cx);
        Ok(())
    }

    /// Drops the pollables and frees the slots.
    pub fn release(self, cx: Ctx) {
        let slots = self.slots.span(cx);
        for i in 0..self.count {
            // SAFETY: each of the first `count` slots holds a pollable `add`
            // took ownership of; it is dropped once, here, as the set is
            // consumed.
            drop(unsafe { Pollable::from_handle(slots.read_u32(i * SLOT)) });
        }
        self.slots.free(cx);
    }
}

/// A pollable ready when stdin has input.
pub fn stdin_ready() -> Pollable {
    // SAFETY: the cached stdin handle stays the adapter's: `ManuallyDrop` never drops it.
    let stream = core::mem::ManuallyDrop::new(unsafe { InputStream::from_handle(stdio::handle(Stdio::In)) });
    stream.subscribe()
}

/// A pollable ready when stdout or stderr (`which`) takes output.
pub fn output_ready(which: Stdio) -> Pollable {
    // SAFETY: the cached stdout or stderr handle stays the adapter's, likewise.
    let stream = core::mem::ManuallyDrop::new(unsafe { OutputStream::from_handle(stdio::handle(which)) });
    stream.subscribe()
}
