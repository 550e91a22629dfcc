//! Access to guest memory through pointers the guest passed.
//!
//! Native p1 traps on a pointer outside linear memory; upstream's adapter
//! traps too. The adapter instead answers `ERRNO_FAULT`, as a careful POSIX
//! host would, and diagnoses pointers into its own memory (see `span`).
//! Every pointer of a call is checked before the call has any
//! effect, so a refused call changes nothing. Guest records are written field
//! by field at their witx offsets; padding bytes keep their contents.

use crate::base::diag;
use crate::base::globals;
use crate::base::p1_abi::Errno;
use crate::memory::layout;
use crate::memory::placement;
use crate::memory::state::{Ctx, State};

/// A range of memory the adapter may read and write: guest memory checked
/// by `span`, `checked`, `bounded` or `array`, or (built with `unchecked`)
/// adapter memory the caller vouches for. The fields are private so that
/// construction is the only way in; reads and writes stay inside the range.
#[derive(Clone, Copy)]
pub struct Span {
    address: u32,
    len: u32,
}

impl Span {
    /// A span nothing checked.
    ///
    /// # Safety
    /// `[address, address + len)` must lie in linear memory, and no Rust
    /// reference may cover it while the span is read or written.
    #[inline(always)]
    pub unsafe fn unchecked(address: u32, len: u32) -> Span {
        Span { address, len }
    }

    /// A span of no bytes, which reaches no memory.
    pub const EMPTY: Span = Span { address: 0, len: 0 };

    #[inline(always)]
    pub fn address(self) -> u32 {
        self.address
    }

    #[inline(always)]
    pub fn len(self) -> u32 {
        self.len
    }

    pub fn ptr(self) -> *mut u8 {
        self.address as usize as *mut u8
    }

    /// The first `len` bytes (the span itself if it is shorter).
    #[inline(always)]
    pub fn prefix(self, len: u32) -> Span {
        Span { address: self.address, len: self.len.min(len) }
    }

    /// The span's bytes as a slice. `None` for a non-empty span at address
    /// 0: guest memory like any other, but where Rust can hold no reference
    /// (it would be null). An empty span is the empty slice, wherever it is.
    ///
    /// # Safety
    /// Nothing may write the span while the slice lives: no import that
    /// writes guest memory may run, and the guest does not run meanwhile.
    pub unsafe fn bytes<'a>(self) -> Option<&'a [u8]> {
        if self.len == 0 {
            return Some(&[]);
        }
        if self.address == 0 {
            return None;
        }
        // SAFETY: the span lies in linear memory (construction) and is not
        // null (just checked), and the caller keeps it unwritten for the
        // slice's life.
        Some(unsafe { core::slice::from_raw_parts(self.ptr(), self.len as usize) })
    }

    /// Where `size` bytes at `offset` start, if they lie inside the span; an
    /// access outside is an adapter bug and ends in the diagnosis.
    #[inline(always)]
    fn at(self, offset: u32, size: u32) -> *mut u8 {
        if u64::from(offset) + u64::from(size) > u64::from(self.len) {
            outside_a_span();
        }
        self.address.wrapping_add(offset) as usize as *mut u8
    }

    pub fn write_u8(self, offset: u32, value: u8) {
        // SAFETY: inside the span (`at`), which may be written (construction).
        unsafe { self.at(offset, 1).write(value) }
    }

    pub fn write_u16(self, offset: u32, value: u16) {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 2).cast::<u16>().write_unaligned(value) }
    }

    pub fn write_u32(self, offset: u32, value: u32) {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 4).cast::<u32>().write_unaligned(value) }
    }

    pub fn write_u64(self, offset: u32, value: u64) {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 8).cast::<u64>().write_unaligned(value) }
    }

    /// Copies as much of `src` as fits from `offset` on (memmove: they may
    /// overlap); returns how many bytes it copied.
    #[inline(always)]
    pub fn copy_prefix_from(self, offset: u32, src: Span) -> u32 {
        let len = self.len.saturating_sub(offset).min(src.len);
        // SAFETY: `offset + len` is at most this span's length (`len` is 0
        // when `offset` is past it), and `src.len` bounds `len` too; both
        // spans may be read and written (construction), and `copy` allows
        // overlap.
        unsafe { core::ptr::copy(src.ptr(), self.ptr().wrapping_add(offset as usize), len as usize) };
        len
    }

    /// Copies as much of `bytes` (adapter data) as fits from `offset` on;
    /// returns how many bytes it copied.
    #[inline(always)]
    pub fn write_prefix(self, offset: u32, bytes: &[u8]) -> u32 {
        let len = self.len.saturating_sub(offset).min(bytes.len() as u32);
        // SAFETY: as in `copy_prefix_from`; a span is covered by no Rust
        // reference (construction), so `bytes` does not overlap it.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr().wrapping_add(offset as usize), len as usize) };
        len
    }

    pub fn read_u8(self, offset: u32) -> u8 {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 1).read() }
    }

    pub fn read_u16(self, offset: u32) -> u16 {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 2).cast::<u16>().read_unaligned() }
    }

    pub fn read_u64(self, offset: u32) -> u64 {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 8).cast::<u64>().read_unaligned() }
    }

    pub fn read_u32(self, offset: u32) -> u32 {
        // SAFETY: as in `write_u8`.
        unsafe { self.at(offset, 4).cast::<u32>().read_unaligned() }
    }
}

/// One out-of-line call for every span access's check, to keep each small.
#[cold]
#[inline(never)]
fn outside_a_span() -> ! {
    diag::internal_error()
}

/// Checks that `[address, address + len)` is guest memory. A range that
/// runs past the end of the guest's memory is `EFAULT`. One that reaches
/// into the adapter's own pages cannot come from a program that only uses
/// memory it was given: in the drop-in placement, its heap has taken pages
/// the adapter grew, which is diagnosed. (With the floating tail, the
/// adapter's pages lie beyond the guest's memory, so that is `EFAULT`.)
pub fn span(_cx: Ctx, address: u32, len: u32) -> Result<Span, Errno> {
    checked(address, len)
}

/// `span` for calls with or without a home block (`p1::memoryless`).
#[inline(always)]
pub fn checked(address: u32, len: u32) -> Result<Span, Errno> {
    match is_guest_memory(address, len) {
        true => Ok(Span { address, len }),
        false => Err(Errno::FAULT),
    }
}

/// `checked` with its common case inline: a range that ends below both the
/// guest's view of memory and the adapter's home block is the guest's, with
/// nothing more to look at. For the calls that are cheap in themselves
/// (`p1::memoryless`), where a function call and the general check would cost more
/// than the call's own work.
#[inline(always)]
pub fn checked_quickly(address: u32, len: u32) -> Result<Span, Errno> {
    let home = globals::home();
    // With the floating tail, the guest's view ends below the home block;
    // drop-in, the home block lies inside it.
    let limit =
        if globals::placement() == placement::FLOATING_TAIL { u64::from(globals::guest_pages()) * u64::from(layout::PAGE) } else { u64::from(home) };
    if home != 0 && u64::from(address) + u64::from(len) <= limit {
        return Ok(Span { address, len });
    }
    checked(address, len)
}

/// The check of `span`, out of line and without the shadow stack. Only
/// reads adapter memory (the heap's extents).
#[inline(never)]
fn is_guest_memory(address: u32, len: u32) -> bool {
    if bounded(address, len).is_err() {
        return false;
    }
    let home = globals::home();
    // Every page the adapter owns lies at or above its home block (its heap
    // grows memory after taking it: `heap::Heap::grow`), so a range that ends
    // below it needs no look at the extents. Guest data mostly does.
    if home == 0 || u64::from(address) + u64::from(len) <= u64::from(home) {
        return true;
    }
    // SAFETY: a non-zero home global is a block the adapter grew; reading
    // its state cannot fault, whatever the guest wrote there.
    if unsafe { State::at(home) }.heap().owns_any(home, address, len) {
        diag::foreign_pointer(address, len);
    }
    true
}

/// Checks that `[address, address + len)` lies within the guest's view of
/// memory. Enough on its own while the adapter has no memory (`p1::memoryless`).
#[inline(always)]
pub fn bounded(address: u32, len: u32) -> Result<Span, Errno> {
    if u64::from(address) + u64::from(len) > guest_memory_bytes() {
        return Err(Errno::FAULT);
    }
    Ok(Span { address, len })
}

/// The bytes of memory the guest believes it has.
#[inline(always)]
fn guest_memory_bytes() -> u64 {
    if globals::placement() == placement::FLOATING_TAIL && globals::home() != 0 {
        return u64::from(globals::guest_pages()) * u64::from(layout::PAGE);
    }
    layout::memory_bytes()
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
    first_nonempty_iovec_checked(iovs, count, |address, len| span(cx, address, len))
}

/// `first_nonempty_iovec`, each range checked by `check`.
#[inline(always)]
pub fn first_nonempty_iovec_checked(iovs: u32, count: u32, check: impl Fn(u32, u32) -> Result<Span, Errno>) -> Result<Span, Errno> {
    let mut address = iovs;
    for _ in 0..count {
        let record = check(address, 8)?;
        let len = record.read_u32(4);
        if len != 0 {
            return check(record.read_u32(0), len);
        }
        address = address.checked_add(8).ok_or(Errno::FAULT)?;
    }
    Ok(Span { address: 0, len: 0 })
}
