//! Calls served without the adapter's memory.
//!
//! A guest heap that is set up lazily may claim, at its first allocation,
//! every page that exists (wasi-libc's malloc before 2023 does). A C program
//! that reads the clock or prints before it allocates would then hand the
//! adapter's pages to its heap. So the calls that keep nothing in memory —
//! clocks, random bytes, `sched_yield`, and stdio reads, writes and fdstat
//! as long as no descriptor was opened, closed or renumbered — never take
//! the home block nor write it: import results go to `scratch`, stdio
//! handles live in globals, and no shadow stack is used (the exports they
//! are inlined into are checked for that by build.rs). Guest pointers are
//! checked as in any call. A stdio call on a descriptor table that changed
//! answers `NEEDS_HOME`, and the call takes the ordinary path.

#![deny(unsafe_code)]

use crate::base::globals;
use crate::base::p1_abi::{Errno, P1Result, clockid};
use crate::base::phase;
use crate::base::stdio::{self, Stdio};
use crate::host::clocks::{self, Reading};
use crate::host::streams;
use crate::memory::call;
use crate::memory::guest;

/// Not an errno: the call needs the descriptor table.
pub const NEEDS_HOME: i32 = -1;

/// Runs `body` as call `func`. If the adapter has a home block, a quick look
/// at it comes first (`State::looks_intact`); when that finds damage, the
/// block is checked as a call that uses it would check it: given up to a
/// guest heap when nothing is lost, diagnosed otherwise.
#[inline(always)]
fn serve(func: u32, body: impl FnOnce() -> P1Result) -> i32 {
    if globals::phase() != phase::IDLE {
        if call::in_callback() {
            return call::refuse_in_callback(func);
        }
        return Errno::BUSY.raw();
    }
    globals::set_current(func);
    globals::set_phase(phase::MEMORYLESS);
    // The call touches no adapter memory (the guest's pointers are checked
    // against it on their own), so a quick look suffices; the full check
    // runs at the next call that uses that memory.
    let home = globals::home();
    if home != 0 && !crate::memory::state::State::looks_intact(home) {
        call::check_home(home);
    }
    let result = body();
    globals::set_phase(phase::IDLE);
    match result {
        Ok(()) => Errno::SUCCESS.raw(),
        Err(errno) => errno.raw(),
    }
}

/// The stdio stream `fd` stands for, while the table is as the program
/// started with it (or does not exist yet) and no note is due.
#[inline(always)]
fn stdio_fd(fd: u32) -> Option<Stdio> {
    // A note about a call refused in a callback is written on the ordinary
    // path, which has a stack.
    if globals::home() != 0 && globals::rebuildable() == 0 || globals::refused_in_callback() != 0 {
        return None;
    }
    match fd {
        0 => Some(Stdio::In),
        1 => Some(Stdio::Out),
        2 => Some(Stdio::Err),
        _ => None,
    }
}

#[inline(always)]
pub fn clock_time_get(func: u32, id: u32, _precision: u64, time: u32) -> i32 {
    if globals::clock_frozen() != 0 {
        return last_reading(id, time);
    }
    serve(func, || {
        let out = guest::checked_quickly(time, 8);
        let value = clocks::read(id, Reading::Time)?;
        remember(id, value);
        out?.write_u64(0, value);
        Ok(())
    })
}

#[inline(always)]
pub fn clock_res_get(func: u32, id: u32, resolution: u32) -> i32 {
    serve(func, || {
        let out = guest::checked_quickly(resolution, 8);
        let value = clocks::read(id, Reading::Resolution)?;
        out?.write_u64(0, value);
        Ok(())
    })
}

#[inline(always)]
pub fn random_get(func: u32, buf: u32, len: u32) -> i32 {
    serve(func, || {
        // Nothing to write touches no memory, wherever it points (native p1
        // agrees).
        if len == 0 {
            return Ok(());
        }
        crate::host::random::fill(guest::checked_quickly(buf, len)?)
    })
}

/// WASI 0.2 has no yield; returning at once is what native p1 does. It
/// touches no memory and reaches no host, so it needs no check of anything
/// (a callback, or a re-entered call, may yield too): the p1 call costs
/// what upstream's does.
#[inline(always)]
pub fn sched_yield(_func: u32) -> i32 {
    Errno::SUCCESS.raw()
}

#[inline(always)]
pub fn fd_write(func: u32, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> i32 {
    let which = match stdio_fd(fd) {
        Some(Stdio::In) | None => return NEEDS_HOME,
        Some(which) => which,
    };
    serve(func, || {
        let data = guest::first_nonempty_iovec_checked(iovs, iovs_len, guest::checked_quickly)?;
        let out = guest::checked_quickly(nwritten, 4)?;
        let written = streams::write_all(stdio::handle(which), data)?;
        out.write_u32(0, written);
        Ok(())
    })
}

#[inline(always)]
pub fn fd_read(func: u32, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> i32 {
    if stdio_fd(fd) != Some(Stdio::In) {
        return NEEDS_HOME;
    }
    serve(func, || {
        let dst = guest::first_nonempty_iovec_checked(iovs, iovs_len, guest::checked_quickly)?;
        let out = guest::checked_quickly(nread, 4)?;
        let read = streams::read_into(stdio::handle(Stdio::In), dst)?;
        out.write_u32(0, read);
        Ok(())
    })
}

#[inline(always)]
pub fn fd_fdstat_get(func: u32, fd: u32, stat: u32) -> i32 {
    let Some(which) = stdio_fd(fd) else {
        return NEEDS_HOME;
    };
    serve(func, || {
        let out = guest::checked_quickly(stat, crate::base::p1_abi::fdstat::SIZE)?;
        crate::p1::descriptor::write_fdstat(out, crate::p1::descriptor::stdio_fdstat(which));
        Ok(())
    })
}

/// Remembers a clock reading for the callbacks to come.
#[inline(always)]
fn remember(id: u32, nanoseconds: u64) {
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
fn last_reading(id: u32, time: u32) -> i32 {
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
