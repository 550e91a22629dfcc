//! `proc_exit` and `proc_raise` (`sched_yield` is in `memoryless`).

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result};
use crate::memory::state::Ctx;

/// Ends the program with `code`, exactly: 0 and 1 through WASI 0.2's `exit`,
/// 2 to 255 through `exit-with-code` (stable since wasi:cli 0.2.12). Native
/// p1 refuses 126 and above with a trap; ours passes them on, as a POSIX
/// `exit` does. Codes above 255 fit no exit status: they end with 255, a
/// failure (the low byte, as POSIX would take, could read as success).
#[cfg(not(feature = "proxy"))]
pub fn exit(code: u32) -> ! {
    use crate::host::bindings::wasi::cli::exit;
    match code {
        0 => exit::exit(Ok(())),
        1 => exit::exit(Err(())),
        _ => exit::exit_with_code(u8::try_from(code).unwrap_or(u8::MAX)),
    }
    crate::base::diag::internal_error()
}

/// wasi:http/proxy has no way to end the program but a trap; say why first.
#[cfg(feature = "proxy")]
pub fn exit(code: u32) -> ! {
    crate::base::diag::exit_in_proxy(code)
}

/// Signals do not exist in WASI 0.2; native p1 answers `ENOTSUP` too.
/// (Upstream's adapter traps.)
pub fn proc_raise(_cx: Ctx, signal: u32) -> P1Result {
    // p1 defines signals 0 (none) to 30 (SYS); another number is an invalid
    // argument (native p1 traps on it), not an unsupported one.
    if signal > 30 {
        return Err(Errno::INVAL);
    }
    Err(Errno::NOTSUP)
}
