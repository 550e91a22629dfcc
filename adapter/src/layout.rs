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
//! home + HOME_SIZE
//! ```

use core::mem::size_of;

use crate::state::State;

pub const PAGE: u32 = 65536;
pub const HOME_SIZE: u32 = PAGE;
pub const STACK_SIZE: u32 = 32 * 1024;
pub const STACK_LIMIT: u32 = HOME_SIZE - STACK_SIZE;
pub const CANARY_AT: u32 = STACK_LIMIT - 8;
pub const CANARY: u64 = 0x5354_4143_4b21_2121; // "!!!KCATS"
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

/// Grows memory by `pages`; returns the address of the first new page.
pub fn grow(pages: u32) -> Option<u32> {
    let old = core::arch::wasm32::memory_grow(0, pages as usize);
    if old == usize::MAX {
        return None;
    }
    (old as u32).checked_mul(PAGE)
}
