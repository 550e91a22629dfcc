//! What every export does before and after its body.
//!
//! On entry the adapter may have no memory and no stack yet, so `begin` runs
//! in the exported function itself and must not use the shadow stack: it only
//! reads and writes globals and calls functions that are not inlined. It takes
//! the home block on the first call (never earlier: nothing is taken before the
//! guest's `_start`), points the stack pointer at it, and marks the call as
//! running. The body then opens the state, which checks the guards, and
//! `finish` closes it again. `build.rs` of the root crate verifies that no
//! export touches the stack pointer itself.

use crate::globals;
use crate::layout::HOME_SIZE;
use crate::placement;
use crate::p1::{Errno, P1Result};
use crate::state::{Ctx, State};

/// No adapter call is running.
pub const IDLE: u32 = 0;
/// A p1 call is running (the guest cannot run meanwhile, so a second entry
/// means a host or guest callback re-entered the adapter).
pub const RUNNING: u32 = 1;
/// The home block is being obtained, possibly from the guest's allocator,
/// which must not call back into the adapter meanwhile.
pub const ACQUIRING: u32 = 2;

/// Prepares the adapter for a call to `func`; `Some(errno)` refuses it.
#[inline(always)]
pub fn begin(func: u32) -> Option<Errno> {
    if globals::phase() != IDLE {
        return Some(Errno::BUSY);
    }
    let mut home = globals::home();
    if home == 0 {
        home = acquire_home();
        if home == 0 {
            return Some(Errno::NOMEM);
        }
        globals::set_stack_pointer(home.wrapping_add(HOME_SIZE));
        init_state(home);
    } else {
        globals::set_stack_pointer(home.wrapping_add(HOME_SIZE));
    }
    globals::set_current(func);
    globals::set_phase(RUNNING);
    None
}

/// Opens the state for the body of a call (after `begin`).
#[inline(always)]
pub fn open() -> Ctx {
    unsafe { State::open(globals::home()) }
}

/// Ends a call started by `begin`: seals the state and returns the errno.
#[inline(always)]
pub fn finish(cx: Ctx, result: P1Result) -> i32 {
    cx.state().close();
    globals::set_phase(IDLE);
    match result {
        Ok(()) => Errno::SUCCESS.raw(),
        Err(errno) => errno.raw(),
    }
}

/// Takes the home block; 0 if none can be had. Runs without a stack, so it
/// returns a plain scalar (an `Option` would come back through memory).
#[inline(never)]
fn acquire_home() -> u32 {
    globals::set_phase(ACQUIRING);
    if globals::placement() == placement::FLOATING_TAIL {
        globals::set_guest_pages(core::arch::wasm32::memory_size(0) as u32);
    }
    let home = placement::block();
    globals::set_home(home);
    globals::set_phase(IDLE);
    home
}

#[inline(never)]
fn init_state(home: u32) {
    unsafe { State::init(home) }
}
