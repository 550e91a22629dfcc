//! The guest's canonical-ABI callbacks: `cabi_realloc` and `cabi_post_*`.
//!
//! While the canonical ABI runs one of them, the component model lets no
//! call leave the component: any import the adapter called would trap. A
//! prepared guest's wrappers (src/prepare/callbacks.rs of the root crate)
//! call `adapter_callback_begin` and `adapter_callback_end` around them, and
//! meanwhile the adapter serves what it can without the host: clock reads
//! answer the clock's last reading (a garbage collector started by the
//! allocation reads the clock; time standing still for the length of one
//! allocation is a reading a real clock could give), `sched_yield` returns.
//! Any other call is answered `EBUSY` without reaching the host, and a note
//! naming it is written at the next call that can write.

use crate::clocks;
use crate::diag;
use crate::entry;
use crate::globals;
use crate::guest;
use crate::p1::{Errno, clockid};

/// A prepared guest's wrapper calls this before its callback runs. Only an
/// idle adapter changes phase: a callback inside an adapter call does not
/// happen (the adapter never calls the guest), and a stray call from the
/// guest must not disturb a call in progress.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_callback_begin() {
    if globals::phase() == entry::IDLE {
        globals::set_phase(entry::CALLBACK);
        globals::set_clock_frozen(globals::clock_frozen() | IN_CALLBACK);
    }
}

/// A prepared guest's wrapper calls this after its callback returned.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_callback_end() {
    if globals::phase() == entry::CALLBACK {
        globals::set_phase(entry::IDLE);
        globals::set_clock_frozen(globals::clock_frozen() & !IN_CALLBACK);
    }
}

/// `globals::clock_frozen` bits: a callback is running...
pub const IN_CALLBACK: u32 = 1;
/// ...or the guest paused the clocks (`extensions`, upstream's
/// `adapter_monotonic_clock_set_paused`).
pub const PAUSED_BY_GUEST: u32 = 2;

/// Do clock reads answer the last readings (`clock_time_get` below)?
#[inline(always)]
pub fn clocks_frozen() -> bool {
    globals::clock_frozen() != 0
}

/// Is a callback running?
#[inline(always)]
pub fn running() -> bool {
    globals::phase() == entry::CALLBACK
}

/// Records that p1 function `func` was refused in a callback (the first
/// one is named in the note) and answers the errno that refuses it.
#[inline(never)]
pub fn refuse(func: u32) -> i32 {
    if globals::refused_in_callback() == 0 {
        globals::set_refused_in_callback(func);
    }
    Errno::BUSY.raw()
}

/// Remembers a clock reading for the callbacks to come.
#[inline(always)]
pub fn remember(id: u32, nanoseconds: u64) {
    let (low, high) = (nanoseconds as u32, (nanoseconds >> 32) as u32);
    if id == clockid::MONOTONIC {
        globals::set_last_monotonic_low(low);
        globals::set_last_monotonic_high(high);
    } else {
        globals::set_last_realtime_low(low);
        globals::set_last_realtime_high(high);
    }
}

/// `clock_time_get` inside a callback or while the guest paused the clocks:
/// the clock's last reading (0, the clock's origin, if it was never read),
/// checked as any call checks.
#[inline(never)]
pub fn clock_time_get(id: u32, time: u32) -> i32 {
    let (low, high) = match id {
        clockid::MONOTONIC => (globals::last_monotonic_low(), globals::last_monotonic_high()),
        clockid::REALTIME => (globals::last_realtime_low(), globals::last_realtime_high()),
        _ => return clocks::unsupported(id).raw(),
    };
    match guest::checked(time, 8) {
        Ok(out) => {
            out.write_u64(0, u64::from(high) << 32 | u64::from(low));
            Errno::SUCCESS.raw()
        }
        Err(errno) => errno.raw(),
    }
}

/// Writes the note about a refused call and forgets it. Called by
/// `entry::enter` once the stack pointer points at the adapter's stack.
#[inline(never)]
pub fn report_refused() {
    let func = globals::refused_in_callback();
    globals::set_refused_in_callback(0);
    diag::refused_in_callback(func);
}
