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

use crate::base::diag;
use crate::base::globals;
use crate::base::p1_abi::Errno;
use crate::memory::layout::{self, HEAP_END, HEAP_START, PAGE, Rel};
use crate::memory::placement;

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

/// The heap's part of the state. The extents come first and are sealed:
/// they decide which guest pointers are refused and where new pages join.
/// The free-list heads are not: each is checked where it is used (inside
/// the extents, aligned, its block marked free), so the seal stays a few
/// words. Where the bump area and the spare list are lives in globals, out
/// of the guest's reach.
#[repr(C)]
pub struct Heap {
    extent_count: u32,
    /// The seal reads whole words: no implicit padding.
    _pad: u32,
    extents: [Extent; MAX_EXTENTS],
    free: [Rel; CLASSES],
    /// Set when the extents changed during this call, so the seal is
    /// renewed when it ends.
    extents_changed: u32,
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
        // SAFETY: the home block's heap area, and no spare pages.
        unsafe {
            globals::set_heap_bump(HEAP_START);
            globals::set_heap_bump_end(HEAP_END);
            globals::set_heap_spare(0);
        }
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
            let next = self.checked_free_block(home, head, bytes, FREE_MAGIC).next;
            if let Some(slot) = self.free.get_mut(class) {
                *slot = next;
            }
            return Ok(head);
        }
        let (mut bump, mut bump_end) = (Rel(globals::heap_bump()), Rel(globals::heap_bump_end()));
        if bump_end.0.wrapping_sub(bump.0) < bytes {
            let chunk = self.grow(home, 1)?;
            bump = chunk;
            bump_end = chunk.offset(PAGE - layout::GUARD_SIZE);
            // SAFETY: the end of the page just grown, before its guard.
            unsafe { globals::set_heap_bump_end(bump_end.0) };
        }
        // SAFETY: `bytes` fit between the bump pointer and the area's end
        // (checked, or a fresh page was taken).
        unsafe { globals::set_heap_bump(bump.offset(bytes).0) };
        Ok(bump)
    }

    /// Returns a block from `alloc` with the same `size`.
    ///
    /// # Safety
    /// `block` must be a block `alloc` returned for `size` bytes, not freed
    /// since, and not used after.
    pub unsafe fn free(&mut self, home: u32, block: Rel, size: u32) {
        if size > MAX_SMALL {
            let header = FreeBlock { magic: SPARE_MAGIC, next: Rel(globals::heap_spare()), pages: pages_for(size) };
            // SAFETY: the caller's contract: `block` is a block of this heap being given back, at least a header long.
            unsafe { block.ptr::<FreeBlock>(home).write(header) };
            // SAFETY: `block` now heads the spare list with its header written.
            unsafe { globals::set_heap_spare(block.0) };
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

    /// The free block at `block`, checked before it is read: `bytes` long
    /// inside one extent, 16-aligned, and marked `magic`. A free-list head or
    /// link the guest overwrote fails one of these and is diagnosed.
    fn checked_free_block(&self, home: u32, block: Rel, bytes: u32, magic: u32) -> &FreeBlock {
        if !block.0.is_multiple_of(MIN_BLOCK) || !self.holds(block, bytes) {
            diag::corrupted(block.address(home), diag::Damage::FreeBlock);
        }
        // SAFETY: `block` lies inside the heap's extents (just checked), so
        // the header is in bounds; it is only read.
        let header = unsafe { &*block.ptr::<FreeBlock>(home) };
        if header.magic != magic {
            diag::corrupted(block.address(home), diag::Damage::FreeBlock);
        }
        header
    }

    /// Whether `[block, block + bytes)` lies inside one extent.
    fn holds(&self, block: Rel, bytes: u32) -> bool {
        let count = (self.extent_count as usize).min(MAX_EXTENTS);
        self.extents.iter().take(count).any(|extent| {
            let from = block.0.wrapping_sub(extent.start.0);
            from < extent.len && extent.len - from >= bytes
        })
    }

    /// The words of the state's seal: the extent count and the extents in
    /// use. They follow the seal word, at the start of the heap.
    pub fn sealed_words(&self) -> usize {
        1 + (self.extent_count as usize).min(MAX_EXTENTS)
    }

    /// Whether the extents changed since the last call to this; they are
    /// resealed then.
    pub fn take_extents_changed(&mut self) -> bool {
        core::mem::replace(&mut self.extents_changed, 0) != 0
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
        // The link that points at the candidate: the global head, then the
        // `next` field of the block before.
        let mut previous = Rel::NONE;
        let mut candidate = Rel(globals::heap_spare());
        while !candidate.is_none() {
            let block = self.checked_free_block(home, candidate, core::mem::size_of::<FreeBlock>() as u32, SPARE_MAGIC);
            let (next, block_pages) = (block.next, block.pages);
            if block_pages >= pages && self.holds(candidate, block_pages.saturating_mul(PAGE)) {
                if previous.is_none() {
                    // SAFETY: `next` is the link of a checked spare block:
                    // the rest of the list, checked as it is walked.
                    unsafe { globals::set_heap_spare(next.0) };
                } else {
                    // SAFETY: `previous` is a block checked in the round before; only its `next` is written.
                    unsafe { (*previous.ptr::<FreeBlock>(home)).next = next };
                }
                return Ok(candidate);
            }
            previous = candidate;
            candidate = next;
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
        if address < home {
            // Cannot happen (memory grows upwards), and must not: the
            // pointer check skips the extents for ranges below the home block.
            return Err(Errno::NOMEM);
        }
        let start = Rel::of(home, address);
        // SAFETY: the end of the pages just grown for the heap, and the
        // guard zone written there.
        unsafe {
            layout::write_guard(address.wrapping_add(len));
            crate::base::globals::set_guard(start.offset(len - layout::GUARD_SIZE).0);
        }
        self.extents_changed = 1;
        if let Some(last) = count.checked_sub(1).and_then(|i| self.extents.get_mut(i))
            && last.start.offset(last.len) == start
        {
            last.len = last.len.wrapping_add(len);
            return Ok(start);
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
