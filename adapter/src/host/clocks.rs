//! Reading wasi:clocks for `clock_res_get` and `clock_time_get` (served by
//! `p1::memoryless`) and `poll_oneoff`.

use crate::base::p1_abi::{Errno, clockid};
use crate::memory::scratch;

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.12")]
unsafe extern "C" {
    fn now() -> u64;
    fn resolution() -> u64;
}

#[link(wasm_import_module = "wasi:clocks/wall-clock@0.2.12")]
unsafe extern "C" {
    /// `now: func() -> datetime`: seconds (u64) at `ret`, nanoseconds (u32) at
    /// `ret + 8`.
    #[link_name = "now"]
    fn wall_now(ret: u32);
    #[link_name = "resolution"]
    fn wall_resolution(ret: u32);
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Time,
    Resolution,
}

/// A clock's time or resolution in nanoseconds. Runs without the shadow
/// stack.
#[inline(always)]
pub fn read(id: u32, what: Reading) -> Result<u64, Errno> {
    match id {
        // SAFETY: the monotonic clock's functions return a plain u64.
        clockid::MONOTONIC if what == Reading::Time => Ok(unsafe { now() }),
        // SAFETY: the import takes nothing and returns a plain value.
        clockid::MONOTONIC => Ok(unsafe { resolution() }),
        clockid::REALTIME => {
            // SAFETY: the datetime record goes to scratch.
            let (seconds, nanoseconds) = scratch::with(0, 0, |at| unsafe {
                if what == Reading::Time {
                    wall_now(at)
                } else {
                    wall_resolution(at)
                }
                (scratch::u64_at(at, 0), scratch::u32_at(at, 8))
            })
            // No memory to borrow from: no pointer to answer through either.
            .ok_or(Errno::FAULT)?;
            // Not `checked_mul`: its 128-bit product is returned through
            // the stack.
            if seconds > (u64::MAX - u64::from(nanoseconds)) / 1_000_000_000 {
                return Err(Errno::OVERFLOW);
            }
            Ok(seconds * 1_000_000_000 + u64::from(nanoseconds))
        }
        _ => Err(unsupported(id)),
    }
}

/// The CPU-time clocks exist in p1 but not in WASI 0.2: `EBADF`, as native p1
/// says. Any other id is not a clock at all: `EINVAL`, also as native p1 says
/// (upstream's adapter answers `EBADF` for those too).
pub fn unsupported(id: u32) -> Errno {
    match id {
        clockid::PROCESS_CPUTIME | clockid::THREAD_CPUTIME => Errno::BADF,
        _ => Errno::INVAL,
    }
}
