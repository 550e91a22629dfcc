//! Where the adapter's memory comes from, and the floating tail.
//!
//! Two placements, chosen by the `adapter_placement` global:
//!
//! * **Drop-in** (the artifact as shipped): 64 KiB blocks (the home block,
//!   heap chunks) come from `__main_module__::cabi_realloc`, which is the
//!   guest's allocator when it exports one and otherwise wit-component's
//!   stand-in, which grows memory by a page. Larger blocks grow memory
//!   directly. Guests whose allocator takes `memory.grow`'s answer into
//!   account (wasi-libc: C, Rust, Zig, Swift) are unaffected.
//! * **Floating tail** (what `adapt` links with a prepared guest, whose own
//!   `memory.size` and `memory.grow` were rewritten into calls to the two
//!   exports below): the adapter's pages are the top of memory, above
//!   everything the guest believes exists. When the guest grows, the
//!   adapter's pages move up by as much and the guest gets zeroed pages right
//!   after its own. Since the adapter refers to its memory only by offsets
//!   from the home block (`layout::Rel`), moving is a copy and a new home
//!   address.

use crate::globals;
use crate::layout::{self, PAGE};

/// The `adapter_placement` value of the floating tail (drop-in is 0).
pub const FLOATING_TAIL: u32 = 1;

#[link(wasm_import_module = "__main_module__")]
unsafe extern "C" {
    fn cabi_realloc(old_ptr: u32, old_size: u32, align: u32, new_size: u32) -> u32;
}

/// One 64 KiB block, or 0 if there is none to be had. Runs without a stack
/// (it may provide the first one), so it returns a plain scalar: an
/// `Option` would come back through memory.
#[inline(never)]
pub fn block() -> u32 {
    if globals::placement() == FLOATING_TAIL {
        return layout::grow(1).unwrap_or(0);
    }
    unsafe { cabi_realloc(0, 0, 16, PAGE) }
}

/// `count` whole pages, for blocks larger than 64 KiB.
pub fn pages(count: u32) -> Option<u32> {
    layout::grow(count)
}

/// The prepared guest's `memory.size`: the pages below the adapter's. (With
/// the drop-in placement, or before the adapter has memory, all of it.)
#[unsafe(no_mangle)]
pub extern "C" fn adapter_memory_size() -> u32 {
    if globals::home() == 0 || globals::placement() != FLOATING_TAIL {
        return current_pages();
    }
    globals::guest_pages()
}

/// The prepared guest's `memory.grow`: grows memory and moves the adapter's
/// pages up, so the new pages follow the guest's own, zeroed. Refused (-1)
/// during an adapter call, when the adapter's stack is live in those pages.
/// Runs without a stack.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_memory_grow(delta: u32) -> u32 {
    let home = globals::home();
    if home == 0 || globals::placement() != FLOATING_TAIL {
        return grow_raw(delta);
    }
    if globals::phase() != crate::entry::IDLE {
        return u32::MAX;
    }
    let guest = globals::guest_pages();
    if delta == 0 {
        return guest;
    }
    let top = current_pages();
    if grow_raw(delta) == u32::MAX {
        return u32::MAX;
    }
    let start = guest.wrapping_mul(PAGE) as usize;
    let len = top.wrapping_sub(guest).wrapping_mul(PAGE) as usize;
    let shift = delta.wrapping_mul(PAGE) as usize;
    unsafe {
        core::ptr::copy(start as *const u8, (start + shift) as *mut u8, len);
        core::ptr::write_bytes(start as *mut u8, 0, shift.min(len));
    }
    globals::set_home(home.wrapping_add(shift as u32));
    globals::set_guest_pages(guest.wrapping_add(delta));
    guest
}

fn current_pages() -> u32 {
    core::arch::wasm32::memory_size(0) as u32
}

fn grow_raw(delta: u32) -> u32 {
    core::arch::wasm32::memory_grow(0, delta as usize) as u32
}
