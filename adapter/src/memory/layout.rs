//! Where the adapter's memory is and how its home block is laid out.
//!
//! All adapter memory is reached through `Rel`, an offset from the home block,
//! never through a stored absolute address. A placement that moves the adapter's
//! pages (the floating tail of the coexistence design) then only has to move
//! bytes and the home global, not rewrite pointers.
//!
//! Home block, one 64 KiB page:
//! ```text
//! home + 0              State
//! home + HEAP_START     first heap chunk (1024)
//! home + STACK_LIMIT-8  stack canary (u64)
//! home + STACK_LIMIT    stack, growing down from
//! home + STACK_TOP      guard zone (GUARD_SIZE bytes)
//! home + HOME_SIZE
//! ```
//!
//! Every block the adapter grows ends in a guard zone of a fixed pattern
//! that it never writes otherwise. A guest heap that takes all memory up to
//! `memory.size` when it is set up (wasi-libc's dlmalloc before 2023, TinyGo)
//! writes its own end marker into the last bytes of memory, which are the
//! newest block's guard: `State::check` sees it before the adapter writes
//! anything there again.

use core::mem::size_of;

use crate::memory::state::State;

pub const PAGE: u32 = 65536;
pub const HOME_SIZE: u32 = PAGE;
pub const STACK_SIZE: u32 = 32 * 1024;
pub const STACK_LIMIT: u32 = HOME_SIZE - STACK_SIZE;
pub const CANARY_AT: u32 = STACK_LIMIT - 8;
pub const CANARY: u64 = 0x5354_4143_4b21_2121; // "!!!KCATS"
pub const GUARD_SIZE: u32 = 64;
pub const GUARD_WORD: u64 = 0x6472_6175_6731_7061; // "ap1guard"
pub const STACK_TOP: u32 = HOME_SIZE - GUARD_SIZE;
/// Fixed rather than derived from the state's size, so the layout is stable
/// (tests/guards.rs scribbles over known places).
pub const HEAP_START: u32 = 1024;
pub const HEAP_END: u32 = CANARY_AT & !15;

// Checked at compile time.
const _: () = assert!(size_of::<State>() as u32 <= HEAP_START, "the state must fit below the heap");

/// A location in adapter memory, as an offset from the home block. Wraps, so
/// memory below the home block is reachable too. `Rel(0)` is the state itself,
/// which no allocation can be, so it doubles as "none".
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct Rel(pub u32);

impl Rel {
    pub const NONE: Rel = Rel(0);

    pub fn is_none(self) -> bool {
        self.0 == 0
    }

    pub fn of(home: u32, address: u32) -> Rel {
        Rel(address.wrapping_sub(home))
    }

    pub fn address(self, home: u32) -> u32 {
        home.wrapping_add(self.0)
    }

    pub fn ptr<T>(self, home: u32) -> *mut T {
        self.address(home) as usize as *mut T
    }

    pub fn offset(self, by: u32) -> Rel {
        Rel(self.0.wrapping_add(by))
    }
}

/// Bytes of linear memory right now.
pub fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * u64::from(PAGE)
}

/// Writes the guard pattern into the last `GUARD_SIZE` bytes before `end`.
///
/// # Safety
/// Those bytes must be the end of a block the adapter grew.
#[inline(never)]
pub unsafe fn write_guard(end: u32) {
    let words = (end.wrapping_sub(GUARD_SIZE)) as usize as *mut u64;
    for i in 0..(GUARD_SIZE / 8) as usize {
        // SAFETY: the caller's contract.
        unsafe { words.add(i).write(GUARD_WORD) };
    }
}

/// Whether the guard zone at `at` is intact. Runs without a stack, on
/// every call that uses adapter memory, so it is unrolled by hand (opt-level
/// "s" keeps loops rolled): eight loads folded into one comparison.
#[inline(always)]
pub fn guard_intact(at: u32) -> bool {
    let words = at as usize as *const u64;
    // SAFETY: `at` is the guard zone of a block the adapter grew: eight
    // words, in bounds.
    let differs = unsafe {
        (words.read() ^ GUARD_WORD)
            | (words.add(1).read() ^ GUARD_WORD)
            | (words.add(2).read() ^ GUARD_WORD)
            | (words.add(3).read() ^ GUARD_WORD)
            | (words.add(4).read() ^ GUARD_WORD)
            | (words.add(5).read() ^ GUARD_WORD)
            | (words.add(6).read() ^ GUARD_WORD)
            | (words.add(7).read() ^ GUARD_WORD)
    };
    differs == 0
}

// Checked at compile time: `guard_intact` reads exactly the guard zone.
const _: () = assert!(GUARD_SIZE == 64);

/// Grows memory by `pages`; returns the address of the first new page.
#[inline(always)]
pub fn grow(pages: u32) -> Option<u32> {
    let old = core::arch::wasm32::memory_grow(0, pages as usize);
    if old == usize::MAX {
        return None;
    }
    (old as u32).checked_mul(PAGE)
}
