//! What every export does before and after its body.
//!
//! Calls that need no memory of the adapter's are served by `p1::memoryless` before
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

use crate::base::diag;
use crate::base::globals;
use crate::base::p1_abi::{Errno, P1Result};
use crate::base::phase::{CALLBACK, CHECKING, IDLE, RUNNING};
use crate::memory::layout::{self, STACK_TOP};
use crate::memory::state::{Ctx, State};

/// Prepares the adapter for a call to `func`; `Some(errno)` refuses it.
#[inline(always)]
pub fn begin(func: u32) -> Option<Errno> {
    refusal(enter(func))
}

/// What an entry's scalar answer means (it is a scalar because the entry
/// runs without a stack): 0 is entered, anything else the errno that
/// refuses the call, or that ended it.
#[inline(always)]
pub fn refusal(answer: u32) -> Option<Errno> {
    match answer {
        0 => None,
        errno => Some(Errno(errno as u16)),
    }
}

/// `begin`, out of line (it is the same in every export): 0, or the errno
/// that refuses the call. `descriptors::table::begin` builds on it.
#[inline(never)]
pub fn enter(func: u32) -> u32 {
    if globals::phase() != IDLE {
        if in_callback() {
            return refuse_in_callback(func) as u32;
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
        report_refused();
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
    end(cx);
    globals::set_phase(IDLE);
    match result {
        Ok(()) => Errno::SUCCESS.raw(),
        Err(errno) => errno.raw(),
    }
}

/// What every call leaves behind: no lowering plan armed, the state
/// resealed. One copy, shared by every export.
#[inline(never)]
fn end(cx: Ctx) {
    crate::memory::lowering::clear();
    cx.close();
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
    let home = crate::memory::placement::home_block();
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

/// Is the canonical ABI running one of the guest's callbacks
/// (`exports::callbacks`)?
#[inline(always)]
pub fn in_callback() -> bool {
    globals::phase() == CALLBACK
}

/// Records that p1 function `func` was refused in a callback (the first
/// one is named in the note) and answers the errno that refuses it.
#[inline(never)]
pub fn refuse_in_callback(func: u32) -> i32 {
    if globals::refused_in_callback() == 0 {
        globals::set_refused_in_callback(func);
    }
    Errno::BUSY.raw()
}

/// Writes the note about a refused call and forgets it. Called by `enter`
/// once the stack pointer points at the adapter's stack.
#[inline(never)]
fn report_refused() {
    let func = globals::refused_in_callback();
    globals::set_refused_in_callback(0);
    diag::refused_in_callback(func);
}
