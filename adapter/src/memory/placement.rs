//! Where the adapter's memory comes from, and the floating tail.
//!
//! All of it comes from `memory.grow`, never from the guest's allocator:
//! an allocator may run a garbage collector that calls back into the
//! adapter, and wit-component's stand-in for a missing one traps when memory
//! cannot grow. Two placements, chosen by the `adapter_placement` global:
//!
//! * **Drop-in** (the artifact as shipped): pages grown at the top of memory,
//!   as a guest whose allocator takes `memory.grow`'s answer into account
//!   expects (wasi-libc: C, Rust, Zig, Swift). A guest heap that claims
//!   pages it did not grow is detected by the guards (`entry`, `State::check`).
//! * **Floating tail** (what `adapt` links with a prepared guest, whose own
//!   `memory.size` and `memory.grow` were rewritten into calls to the two
//!   exports below): the adapter's pages are the top of memory, above
//!   everything the guest believes exists, with a slack of zeroed pages in
//!   between. When the guest grows, it gets slack pages; when there are not
//!   enough, the adapter's pages move up, with new slack. Since the adapter
//!   refers to its memory only by offsets from the home block
//!   (`layout::Rel`), moving is a copy and a new home address.

use crate::base::globals;
use crate::memory::layout::{self, PAGE};

/// The `adapter_placement` value of the floating tail (drop-in is 0).
pub const FLOATING_TAIL: u32 = 1;

/// Slack the floating tail keeps when it moves: an eighth of the guest's
/// memory, within these bounds (pages), so that moves are amortised. At
/// least 64 MiB, as much as the drop-in placement leaves the guest below
/// its pages: pages grown and never touched cost a host nothing, and a Go
/// program then grows its first 64 MiB of heap without moving anything
/// (each move copies the adapter's pages and zeroes what they leave). A
/// host that refuses that much still gets what it allows (`home_block`,
/// `move_up`).
const MIN_SLACK: u32 = 1024;
const MAX_SLACK: u32 = 4096;

/// The home block: one page at the top of memory; 0 if memory cannot grow.
/// In the floating tail, above some slack when memory allows. Runs without
/// a stack.
#[inline(always)]
pub fn home_block() -> u32 {
    if globals::placement() != FLOATING_TAIL {
        return home_above_gap();
    }
    // The guest's view ends where memory ends now.
    let guest = current_pages();
    let wanted = slack_for(guest);
    let slack = if layout::grow(wanted + 1).is_some() {
        wanted
    } else if layout::grow(1).is_some() {
        0
    } else {
        return 0;
    };
    // SAFETY: the guest's view ends where memory ended; the slack just
    // grown lies between it and the home block returned.
    unsafe {
        globals::set_guest_pages(guest);
        globals::set_slack_pages(slack);
    }
    guest.wrapping_add(slack).wrapping_mul(PAGE)
}

/// Drop-in: the home block above a gap of pages left to the guest, as large
/// as memory allows (`GAPS`, in pages). A heap that takes memory by address
/// rather than by asking (Go's runtime uses the pages after its own as if
/// they were its own; wasi-libc's malloc before 2023 takes everything up to
/// `memory.size` at its first call) uses that space first: it reaches
/// adapter memory only once it has grown past the gap, and the guards catch
/// it then. The gap costs nothing until the guest touches it.
#[inline(always)]
fn home_above_gap() -> u32 {
    let mut gap = GAP_PAGES;
    loop {
        if let Some(start) = layout::grow(gap + 1) {
            return start.wrapping_add(gap.wrapping_mul(PAGE));
        }
        if gap == 0 {
            return 0;
        }
        gap /= 16;
    }
}

/// The gap below the drop-in home block: 64 MiB, or a sixteenth of that,
/// and so on down to none, whichever memory allows.
const GAP_PAGES: u32 = 1024;

/// `count` whole pages for the adapter's heap, or `None`.
pub fn pages(count: u32) -> Option<u32> {
    layout::grow(count)
}

fn slack_for(guest_pages: u32) -> u32 {
    (guest_pages / 8).clamp(MIN_SLACK, MAX_SLACK)
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

/// The prepared guest's `memory.grow`. Refuses (-1) what the guest's own
/// memory type would refuse (its maximum, which `adapt` lifted for the
/// adapter's pages), and growth during an adapter call, when the adapter's
/// stack is live in the pages that would move. Runs without a stack.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_memory_grow(delta: u32) -> u32 {
    let floating = globals::placement() == FLOATING_TAIL;
    let home = globals::home();
    let guest = if floating && home != 0 { globals::guest_pages() } else { current_pages() };
    if floating && exceeds_guest_maximum(guest, delta) {
        return u32::MAX;
    }
    if home == 0 || !floating {
        return grow_raw(delta);
    }
    // A callback runs on the guest's stack, not the adapter's: its pages
    // can move.
    if !matches!(globals::phase(), crate::base::phase::IDLE | crate::base::phase::CALLBACK) {
        return u32::MAX;
    }
    let slack = globals::slack_pages();
    if delta <= slack {
        // Slack pages were never touched: they are zero, as grown pages are.
        // SAFETY: the guest's view grows into the slack, which lies below
        // the adapter's pages; together they still end where those begin.
        unsafe {
            globals::set_slack_pages(slack - delta);
            globals::set_guest_pages(guest + delta);
        }
        return guest;
    }
    move_up(home, guest, delta)
}

/// Gives the guest `delta` pages beyond the slack: grows memory, moves the
/// adapter's pages to the new top with fresh slack below them, and zeroes
/// what they leave behind that is now the guest's.
#[inline(never)]
fn move_up(home: u32, guest: u32, delta: u32) -> u32 {
    let top = current_pages();
    let slack = globals::slack_pages();
    let new_slack = slack_for(guest.saturating_add(delta));
    let needed = delta.wrapping_sub(slack).saturating_add(new_slack);
    let grown = if grow_raw(needed) != u32::MAX {
        needed
    } else if grow_raw(delta - slack) != u32::MAX {
        delta - slack
    } else {
        return u32::MAX;
    };
    // The adapter's pages start above the guest's view and the slack.
    let start = guest.wrapping_add(slack).wrapping_mul(PAGE) as usize;
    let len = top.wrapping_sub(guest).wrapping_sub(slack).wrapping_mul(PAGE) as usize;
    let shift = grown.wrapping_mul(PAGE) as usize;
    // SAFETY: both ranges lie in memory just grown; the guest cannot run and
    // no adapter frame is live (phase IDLE), so nothing points into them.
    unsafe {
        core::ptr::copy(start as *const u8, (start + shift) as *mut u8, len);
        core::ptr::write_bytes(start as *mut u8, 0, shift.min(len));
    }
    // SAFETY: the home block moved up by `shift` with all the adapter's
    // pages; the guest's view and the slack end where they now begin.
    unsafe {
        globals::set_home(home.wrapping_add(shift as u32));
        globals::set_guest_pages(guest.wrapping_add(delta));
        globals::set_slack_pages(slack.wrapping_add(grown).wrapping_sub(delta));
    }
    guest
}

/// Whether growing the guest's view by `delta` pages passes the maximum of
/// its memory type (`adapt` records it when it lifts it).
fn exceeds_guest_maximum(guest: u32, delta: u32) -> bool {
    let maximum = globals::guest_max_pages();
    maximum != 0 && u64::from(guest) + u64::from(delta) > u64::from(maximum)
}

fn current_pages() -> u32 {
    core::arch::wasm32::memory_size(0) as u32
}

fn grow_raw(delta: u32) -> u32 {
    core::arch::wasm32::memory_grow(0, delta as usize) as u32
}
