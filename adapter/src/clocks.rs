//! `clock_res_get` and `clock_time_get` on wasi:clocks.

use crate::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use crate::guest;
use crate::p1::{clockid, Errno, P1Result};
use crate::state::Ctx;

pub fn clock_res_get(cx: Ctx, id: u32, resolution: u32) -> P1Result {
    let value = match id {
        clockid::REALTIME => nanoseconds(wall_clock::resolution())?,
        clockid::MONOTONIC => monotonic_clock::resolution(),
        _ => return Err(unsupported(id)),
    };
    guest::span(cx, resolution, 8)?.write_u64(0, value);
    Ok(())
}

/// The precision hint is ignored, as by every WASI host.
pub fn clock_time_get(cx: Ctx, id: u32, _precision: u64, time: u32) -> P1Result {
    let value = match id {
        clockid::REALTIME => nanoseconds(wall_clock::now())?,
        clockid::MONOTONIC => monotonic_clock::now(),
        _ => return Err(unsupported(id)),
    };
    guest::span(cx, time, 8)?.write_u64(0, value);
    Ok(())
}

/// The CPU-time clocks exist in p1 but not in WASI 0.2: `EBADF`, as native p1
/// says. Any other id is not a clock at all: `EINVAL`, also as native p1 says
/// (upstream's adapter answers `EBADF` for those too).
fn unsupported(id: u32) -> Errno {
    match id {
        clockid::PROCESS_CPUTIME | clockid::THREAD_CPUTIME => Errno::BADF,
        _ => Errno::INVAL,
    }
}

fn nanoseconds(time: wall_clock::Datetime) -> Result<u64, Errno> {
    time.seconds
        .checked_mul(1_000_000_000)
        .and_then(|ns| ns.checked_add(u64::from(time.nanoseconds)))
        .ok_or(Errno::OVERFLOW)
}
