//! Access to guest memory through pointers the guest passed.
//!
//! Native p1 traps on a pointer outside linear memory; upstream's adapter
//! traps too. The adapter instead answers `ERRNO_FAULT`, as a careful POSIX
//! host would, and also refuses pointers into its own memory, which the guest
//! does not own. Every pointer of a call is checked before the call has any
//! effect, so a refused call changes nothing. Guest records are written field
//! by field at their witx offsets; padding bytes keep their contents.

use crate::layout;
use crate::p1::Errno;
use crate::state::Ctx;

/// A checked range of guest memory.
#[derive(Clone, Copy)]
pub struct Span {
    pub address: u32,
    pub len: u32,
}

impl Span {
    pub fn ptr(self) -> *mut u8 {
        self.address as usize as *mut u8
    }

    /// The span's bytes. Only valid until guest memory changes hands again
    /// (the next import that writes guest memory).
    pub fn bytes(self) -> &'static [u8] {
        unsafe { core::slice::from_raw_parts(self.ptr(), self.len as usize) }
    }

    pub fn write_u8(self, offset: u32, value: u8) {
        unsafe { self.ptr().add(offset as usize).write(value) }
    }

    pub fn write_u16(self, offset: u32, value: u16) {
        unsafe { self.ptr().add(offset as usize).cast::<u16>().write_unaligned(value) }
    }

    pub fn write_u32(self, offset: u32, value: u32) {
        unsafe { self.ptr().add(offset as usize).cast::<u32>().write_unaligned(value) }
    }

    pub fn write_u64(self, offset: u32, value: u64) {
        unsafe { self.ptr().add(offset as usize).cast::<u64>().write_unaligned(value) }
    }

    pub fn read_u8(self, offset: u32) -> u8 {
        unsafe { self.ptr().add(offset as usize).read() }
    }

    pub fn read_u16(self, offset: u32) -> u16 {
        unsafe { self.ptr().add(offset as usize).cast::<u16>().read_unaligned() }
    }

    pub fn read_u64(self, offset: u32) -> u64 {
        unsafe { self.ptr().add(offset as usize).cast::<u64>().read_unaligned() }
    }

    pub fn read_u32(self, offset: u32) -> u32 {
        unsafe { self.ptr().add(offset as usize).cast::<u32>().read_unaligned() }
    }
}

/// Checks that `[address, address + len)` is guest memory.
pub fn span(cx: Ctx, address: u32, len: u32) -> Result<Span, Errno> {
    if u64::from(address) + u64::from(len) > layout::memory_bytes() {
        return Err(Errno::FAULT);
    }
    if cx.state().core().heap.owns_any(cx.home(), address, len) {
        return Err(Errno::FAULT);
    }
    Ok(Span { address, len })
}

/// Checks an array of `count` records of `size` bytes each.
pub fn array(cx: Ctx, address: u32, count: u32, size: u32) -> Result<Span, Errno> {
    let len = count.checked_mul(size).ok_or(Errno::FAULT)?;
    span(cx, address, len)
}

/// The first non-empty buffer of an iovec array, or an empty one.
///
/// Preview1 hosts transfer one buffer per call (native p1 and upstream both
/// do), leaving the guest to loop. Like native p1, only the records up to the
/// first non-empty one are read, so only those must be valid.
pub fn first_nonempty_iovec(cx: Ctx, iovs: u32, count: u32) -> Result<Span, Errno> {
    let mut address = iovs;
    for _ in 0..count {
        let record = span(cx, address, 8)?;
        let len = record.read_u32(4);
        if len != 0 {
            return span(cx, record.read_u32(0), len);
        }
        address = address.checked_add(8).ok_or(Errno::FAULT)?;
    }
    Ok(Span { address: 0, len: 0 })
}
