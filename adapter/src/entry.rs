//! What every export does before and after its body.
//!
//! Calls that need no memory of the adapter's are served by `light` before
//! any of this, as long as the adapter has none. Otherwise `begin` runs in
//! the exported function itself and must not use the shadow stack: it only
//! reads and writes globals and calls functions that do not use it either
//! (build.rs of the root crate checks). It takes the home block when a call
//! first needs one (never before the guest's `_start`), and on every later
//! call checks that the block is still the adapter's before any byte of it is
//! written: a guest heap set up after the adapter grew its pages (wasi-libc's
//! malloc before 2023) claims them, which shows as a broken guard at their
//! end. If nothing was lost but what the host can give again, the adapter
//! leaves those pages to the guest and starts afresh above them; otherwise it
//! diagnoses. Then it points the stack pointer at the block, and the body
//! opens the state, which checks its seal.

use crate::diag;
use crate::globals;
use crate::layout::{self, STACK_TOP};
use crate::p1::{Errno, P1Result};
use crate::state::{Ctx, State};

/// No adapter call is running.
pub const IDLE: u32 = 0;
/// A call is running on the adapter's own stack (the guest cannot run
/// meanwhile, so a second entry means a host or guest callback re-entered
/// the adapter).
pub const RUNNING: u32 = 1;
/// A call is running without the adapter's memory (`light`): there is no
/// stack to use.
pub const LIGHT: u32 = 2;
/// The home block is being checked or replaced: its stack is not to be used.
pub const CHECKING: u32 = 3;
/// The canonical ABI is running one of the guest's callbacks (`callback`):
/// no call may reach the host.
pub const CALLBACK: u32 = 4;

/// Prepares the adapter for a call to `func`; `Some(errno)` refuses it.
#[inline(always)]
pub fn begin(func: u32) -> Option<Errno> {
    match enter(func) {
        0 => None,
        errno => Some(Errno(errno as u16)),
    }
}

/// `begin`, out of line (it is the same in every export): 0, or the errno
/// that refuses the call.
#[inline(never)]
fn enter(func: u32) -> u32 {
    if globals::phase() != IDLE {
        if crate::callback::running() {
            return crate::callback::refuse(func) as u32;
        }
        return u32::from(Errno::BUSY.0);
    }
    globals::set_current(func);
    globals::set_phase(CHECKING);
    let mut home = globals::home();
    if home != 0 {
        home = check_home(home);
    }
    if home == 0 {
        home = acquire_home();
        // SAFETY: entered from the guest, no adapter frame is live; the
        // stack is the home block's, just taken.
        unsafe { globals::set_stack_pointer(home.wrapping_add(STACK_TOP)) };
        globals::set_phase(RUNNING);
        init_state(home);
    } else {
        // SAFETY: as above; the home block passed its check.
        unsafe { globals::set_stack_pointer(home.wrapping_add(STACK_TOP)) };
        globals::set_phase(RUNNING);
    }
    if globals::refused_in_callback() != 0 {
        crate::callback::report_refused();
    }
    0
}

/// Opens the state for the body of a call (after `begin`).
#[inline(always)]
pub fn open() -> Ctx {
    // SAFETY: `begin` made the home global a checked home block.
    unsafe { State::open(globals::home()) }
}

/// Ends a call started by `begin`: seals the state and returns the errno.
#[inline(always)]
pub fn finish(cx: Ctx, result: P1Result) -> i32 {
    cx.close();
    globals::set_phase(IDLE);
    match result {
        Ok(()) => Errno::SUCCESS.raw(),
        Err(errno) => errno.raw(),
    }
}

/// The home block, if it is still the adapter's; 0 if it was given up to a
/// guest heap and a new one is needed. Diagnoses anything else. Runs without
/// a stack, so it returns a plain scalar.
#[inline(never)]
pub fn check_home(home: u32) -> u32 {
    match State::check(home) {
        Ok(()) => home,
        Err((address, diag::Damage::Guard)) if globals::rebuildable() != 0 => {
            // Claimed, and nothing in it that the host cannot give again:
            // the pages are the guest's now; never touch them again.
            let _ = address;
            // SAFETY: 0 is "no home block" and "no guard".
            unsafe {
                globals::set_home(0);
                globals::set_guard(0);
            }
            0
        }
        Err((address, diag::Damage::Guard)) => diag::claimed(address),
        Err((address, damage)) => diag::corrupted(address, damage),
    }
}

/// Takes a new home block; diagnoses if memory cannot grow. Runs without a
/// stack.
#[inline(never)]
fn acquire_home() -> u32 {
    let home = crate::placement::home_block();
    if home == 0 {
        diag::no_memory(layout::HOME_SIZE)
    }
    // SAFETY: `home` is a block `placement` just grew for the adapter.
    unsafe { globals::set_home(home) };
    home
}

#[inline(never)]
fn init_state(home: u32) {
    // SAFETY: `home` is a block just taken from memory.grow.
    unsafe { State::init(home) }
}
