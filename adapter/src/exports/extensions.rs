//! What upstream's adapter exports besides the 46 p1 functions, which
//! programs and tools made for it import from `wasi_snapshot_preview1`:
//!
//! * `adapter_open_badfd` / `adapter_close_badfd`: a descriptor number
//!   reserved for the guest's own use (wasi-libc's p2 sockets took numbers
//!   this way, from 2024 to 2025), `EBADF` to every p1 call given it,
//!   `fd_close` included, until `adapter_close_badfd` releases it;
//! * `reset_adapter_state`: pre-initialisers (wizer, component-init) run a
//!   program's set-up, call this, then snapshot memory and globals; after it
//!   the adapter holds no handle of the run that set up, so the snapshot
//!   starts on another host as a fresh instance would;
//! * `adapter_monotonic_clock_set_paused`: while paused, clock reads answer
//!   the last reading without calling the host, so that a runtime whose
//!   exported `cabi_realloc` may read the clock (Go's collector) can be
//!   linked without `adapt`'s wrappers (wasmtime issue 14318).

use crate::base::globals;
use crate::base::p1_abi::P1Result;
use crate::base::phase;
use crate::descriptors::table::Table;
use crate::memory::guest;
use crate::memory::state::{Ctx, State};

/// `adapter_open_badfd(fd: *mut u32) -> errno`.
pub fn adapter_open_badfd(fds: Table, out: u32) -> P1Result {
    let cx = fds.cx();
    let out = guest::span(cx, out, 4)?;
    out.write_u32(0, fds.reserve()?);
    Ok(())
}

/// `adapter_close_badfd(fd: u32) -> errno`: only a number
/// `adapter_open_badfd` reserved (upstream closes any descriptor).
pub fn adapter_close_badfd(fds: Table, fd: u32) -> P1Result {
    fds.release(fd)
}

/// `adapter_monotonic_clock_set_paused(paused: bool)`. Both clocks stand
/// still while paused (upstream's adapter 50 pauses the monotonic one only;
/// a collector reads both, and so does wasmtime's proposed follow-up).
pub fn set_clocks_paused(paused: u32) {
    let frozen = globals::clock_frozen() & !phase::PAUSED_BY_GUEST;
    globals::set_clock_frozen(if paused != 0 { frozen | phase::PAUSED_BY_GUEST } else { frozen });
}

/// The part of `reset_adapter_state` that needs no memory: what globals
/// hold of the host (stdio streams and what they are, clock readings) and
/// of the guest's requests (the pause). Returns whether there is a home
/// block to reset too. Never in the middle of a call (a callback that
/// resets is ignored).
#[inline(always)]
pub fn forget_host_in_globals() -> bool {
    if globals::phase() != phase::IDLE {
        return false;
    }
    // SAFETY: 0 is "not fetched yet" for each stream handle.
    unsafe {
        globals::set_stdin(0);
        globals::set_stdout(0);
        globals::set_stderr(0);
    }
    globals::set_terminals(0);
    globals::set_refused_in_callback(0);
    globals::set_clock_frozen(0);
    globals::set_last_monotonic_low(0);
    globals::set_last_monotonic_high(0);
    globals::set_last_realtime_low(0);
    globals::set_last_realtime_high(0);
    globals::home() != 0
}

/// The rest of `reset_adapter_state`, in a call that checked the home
/// block: a fresh state there, as the first call made it. The descriptor
/// table, preopen names and directory stream go with the heap; anything
/// the heap had grown beyond the home block is left unused.
pub fn reset_home(cx: Ctx) {
    // SAFETY: the home block of the call in progress, checked by
    // `call::begin`; nothing of the state is borrowed across this.
    unsafe { State::init(cx.home()) };
}
