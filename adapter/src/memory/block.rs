//! Heap blocks as owned values. A `HeapBlock` is made by `Ctx::alloc_block`
//! (or taken back from a record that owned it, `from_raw`) and given back
//! once, by `free`, which consumes it: safe code cannot free a block twice
//! or use one after freeing it. Its bytes are reached through a `Span`.

use crate::base::p1_abi::Errno;
use crate::memory::guest::Span;
use crate::memory::layout::Rel;
use crate::memory::state::Ctx;

/// A block of the adapter heap its holder owns. Neither `Copy` nor `Clone`.
pub struct HeapBlock {
    at: Rel,
    size: u32,
}

impl Ctx {
    /// A block of `size` bytes from the adapter heap, owned by the caller.
    #[inline(always)]
    pub fn alloc_block(self, size: u32) -> Result<HeapBlock, Errno> {
        Ok(HeapBlock { at: self.heap_alloc(size)?, size })
    }
}

impl HeapBlock {
    /// Takes ownership of a block a record kept as raw parts.
    ///
    /// # Safety
    /// `at` must be a heap block of `size` bytes the caller owns (from
    /// `into_raw`, or placed by the lowering for the caller), not freed
    /// since; ownership passes to the value returned.
    #[inline(always)]
    pub unsafe fn from_raw(at: Rel, size: u32) -> HeapBlock {
        HeapBlock { at, size }
    }

    /// Gives up the block as raw parts, for a record to keep (and later
    /// hand to `from_raw`). Never frees it.
    #[inline(always)]
    pub fn into_raw(self) -> (Rel, u32) {
        (self.at, self.size)
    }

    /// The block's bytes, to read and write.
    #[inline(always)]
    pub fn span(&self, cx: Ctx) -> Span {
        // SAFETY: a heap block the holder owns: in linear memory, and no
        // Rust reference covers it (the heap hands out no references).
        unsafe { Span::unchecked(self.at.address(cx.home()), self.size) }
    }

    /// Gives the block back to the heap.
    #[inline(always)]
    pub fn free(self, cx: Ctx) {
        // SAFETY: the block came from the heap with this size (construction)
        // and is consumed here, so it is not used after.
        unsafe { cx.heap_free(self.at, self.size) };
    }
}
