//! `proc_exit`, `proc_raise`, `sched_yield`.

use crate::p1::{Errno, P1Result};
use crate::state::Ctx;

/// Ends the program. WASI 0.2's `exit` carries only success or failure
/// (`exit-with-code` is unstable and hosts need not serve it), so every
/// non-zero code becomes exit status 1, as with upstream's adapter. Native p1
/// keeps the code; this difference is inherent to the target API.
pub fn proc_exit(_cx: Ctx, code: u32) -> ! {
    exit_without_state(code)
}

/// `proc_exit` when the state cannot be opened: exiting needs none.
#[cfg(not(feature = "proxy"))]
pub fn exit_without_state(code: u32) -> ! {
    crate::bindings::wasi::cli::exit::exit(if code == 0 { Ok(()) } else { Err(()) });
    crate::diag::internal_error()
}

/// wasi:http/proxy has no way to end the program but a trap; say why first.
#[cfg(feature = "proxy")]
pub fn exit_without_state(code: u32) -> ! {
    crate::diag::exit_in_proxy(code)
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

/// WASI 0.2 has no yield; returning at once is what native p1 does.
pub fn sched_yield(_cx: Ctx) -> P1Result {
    Ok(())
}
