//! The adapter's own allocator, for what does not fit in the state: the fd
//! table, preopen names, and scratch space for import results (the list of
//! 100,000 arguments is 800 KB of pointers before a single byte of text).
//!
//! Small blocks come in power-of-two classes carved from 64 KiB chunks and
//! recycled through per-class free lists; big blocks are whole pages, recycled
//! first-fit. Every free block starts with a magic word that is checked before
//! the block is handed out again, so a guest that scribbled over it is caught.
//! Memory comes from `placement` and is never returned; the extents record
//! it so guest pointers into it can be refused.

use crate::diag;
use crate::layout::{self, Rel, HEAP_END, HEAP_START, PAGE};
use crate::placement;
use crate::p1::Errno;

/// Class k holds blocks of `MIN_BLOCK << k` bytes.
const CLASSES: usize = 11;
const MIN_BLOCK: u32 = 16;
const MAX_SMALL: u32 = MIN_BLOCK << (CLASSES - 1); // 16 KiB
const MAX_EXTENTS: usize = 64;
const FREE_MAGIC: u32 = 0x6565_7246; // "Free"
const SPARE_MAGIC: u32 = 0x6572_6153; // "Sare"

#[derive(Clone, Copy)]
#[repr(C)]
struct Extent {
    start: Rel,
    len: u32,
}

#[repr(C)]
pub struct Heap {
    free: [Rel; CLASSES],
    _pad: u32,
    bump: Rel,
    bump_end: Rel,
    spare: Rel,
    extent_count: u32,
    extents: [Extent; MAX_EXTENTS],
}

/// Header of a free block, small or big.
#[repr(C)]
struct FreeBlock {
    magic: u32,
    next: Rel,
    pages: u32,
}

impl Heap {
    pub fn init(&mut self, home: u32) {
        self.bump = Rel(HEAP_START);
        self.bump_end = Rel(HEAP_END);
        self.extents[0] = Extent { start: Rel::of(home, home), len: layout::HOME_SIZE };
        self.extent_count = 1;
    }

    /// A block of at least `size` bytes, 16-aligned.
    pub fn alloc(&mut self, home: u32, size: u32) -> Result<Rel, Errno> {
        if size > MAX_SMALL {
            return self.alloc_big(home, size);
        }
        let class = class_of(size);
        let bytes = MIN_BLOCK << class;
        let head = self.free.get(class).copied().unwrap_or(Rel::NONE);
        if !head.is_none() {
            // SAFETY: the head of a free list is a block of this heap, inside its extents; it is only read.
            let block = unsafe { &*head.ptr::<FreeBlock>(home) };
            if block.magic != FREE_MAGIC {
                diag::corrupted(head.address(home), diag::Damage::FreeBlock);
            }
            if let Some(slot) = self.free.get_mut(class) {
                *slot = block.next;
            }
            return Ok(head);
        }
        if self.bump_end.0.wrapping_sub(self.bump.0) < bytes {
            let chunk = self.grow(home, 1)?;
            self.bump = chunk;
            self.bump_end = chunk.offset(PAGE - layout::GUARD_SIZE);
        }
        let block = self.bump;
        self.bump = block.offset(bytes);
        Ok(block)
    }

    /// Returns a block from `alloc` with the same `size`.
    pub fn free(&mut self, home: u32, block: Rel, size: u32) {
        if size > MAX_SMALL {
            let header = FreeBlock { magic: SPARE_MAGIC, next: self.spare, pages: pages_for(size) };
            // SAFETY: `block` is a block of this heap being given back, at least a header long.
            unsafe { block.ptr::<FreeBlock>(home).write(header) };
            self.spare = block;
            return;
        }
        let class = class_of(size);
        if let Some(slot) = self.free.get_mut(class) {
            let header = FreeBlock { magic: FREE_MAGIC, next: *slot, pages: 0 };
            // SAFETY: as above.
            unsafe { block.ptr::<FreeBlock>(home).write(header) };
            *slot = block;
        }
    }

    /// The bytes of this struct the state's seal covers: all but the unused
    /// extent slots (the extents come last).
    pub fn sealed_len(&self) -> usize {
        let used = (self.extent_count as usize).min(MAX_EXTENTS);
        core::mem::offset_of!(Heap, extents) + used * core::mem::size_of::<Extent>()
    }

    /// Whether `[address, address + len)` touches memory the adapter owns.
    pub fn owns_any(&self, home: u32, address: u32, len: u32) -> bool {
        if len == 0 {
            return false;
        }
        let count = (self.extent_count as usize).min(MAX_EXTENTS);
        // Two ranges meet when either one's start lies inside the other; in
        // wrapping u32 arithmetic, `x - start < extent` is `start <= x < end`.
        self.extents.iter().take(count).any(|extent| {
            let start = extent.start.address(home);
            address.wrapping_sub(start) < extent.len || start.wrapping_sub(address) < len
        })
    }

    fn alloc_big(&mut self, home: u32, size: u32) -> Result<Rel, Errno> {
        let pages = pages_for(size.checked_add(layout::GUARD_SIZE).ok_or(Errno::NOMEM)?);
        let mut link: *mut Rel = &raw mut self.spare;
        loop {
            // SAFETY: `link` points at `spare` or at the `next` field of a block on the spare list.
            let candidate = unsafe { *link };
            if candidate.is_none() {
                break;
            }
            // SAFETY: `candidate` is a block on the spare list, inside the heap's extents; it is only read.
            let block = unsafe { &*candidate.ptr::<FreeBlock>(home) };
            if block.magic != SPARE_MAGIC {
                diag::corrupted(candidate.address(home), diag::Damage::FreeBlock);
            }
            if block.pages >= pages {
                // SAFETY: as for the read of `link` above.
                unsafe { *link = block.next };
                return Ok(candidate);
            }
            // SAFETY: `candidate` is a block on the spare list; only a raw pointer to its field is made.
            link = unsafe { &raw mut (*candidate.ptr::<FreeBlock>(home)).next };
        }
        self.grow(home, pages)
    }

    /// New pages from the top of memory, recorded as an extent (merged with
    /// the last one when they follow it, as they do unless the guest grew
    /// memory in between). Their last bytes are the guard zone the entry
    /// check watches from now on.
    fn grow(&mut self, home: u32, pages: u32) -> Result<Rel, Errno> {
        let len = pages.checked_mul(PAGE).ok_or(Errno::NOMEM)?;
        let count = (self.extent_count as usize).min(MAX_EXTENTS);
        if count >= MAX_EXTENTS {
            // Pages that cannot be recorded would let guest pointers into
            // them pass the ownership check.
            return Err(Errno::NOMEM);
        }
        let address = placement::pages(pages).ok_or(Errno::NOMEM)?;
        let start = Rel::of(home, address);
        layout::write_guard(address.wrapping_add(len));
        crate::globals::set_guard(start.offset(len - layout::GUARD_SIZE).0);
        if let Some(last) = count.checked_sub(1).and_then(|i| self.extents.get_mut(i)) {
            if last.start.offset(last.len) == start {
                last.len = last.len.wrapping_add(len);
                return Ok(start);
            }
        }
        // Pages that cannot be recorded are left unused: handing them out
        // would let guest pointers into them pass the ownership check.
        let slot = self.extents.get_mut(count).ok_or(Errno::NOMEM)?;
        *slot = Extent { start, len };
        self.extent_count = count as u32 + 1;
        Ok(start)
    }
}

fn class_of(size: u32) -> usize {
    let size = size.max(MIN_BLOCK);
    (32 - (size - 1).leading_zeros() - MIN_BLOCK.trailing_zeros()) as usize
}

fn pages_for(size: u32) -> u32 {
    size.div_ceil(PAGE)
}
