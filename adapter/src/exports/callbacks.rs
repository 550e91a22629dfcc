//! The guest's canonical-ABI callbacks: `cabi_realloc` and `cabi_post_*`.
//!
//! While the canonical ABI runs one of them, the component model lets no
//! call leave the component: any import the adapter called would trap. A
//! prepared guest's wrappers (src/prepare/callbacks.rs of the root crate)
//! call `adapter_callback_begin` and `adapter_callback_end` around them, and
//! meanwhile the adapter serves what it can without the host
//! (`memory::call` refuses, `p1::memoryless` reads the clocks): clock reads
//! answer the clock's last reading (a garbage collector started by the
//! allocation reads the clock; time standing still for the length of one
//! allocation is a reading a real clock could give), `sched_yield` returns.
//! Any other call is answered `EBUSY` without reaching the host, and a note
//! naming it is written at the next call that can write.

use crate::base::globals;
use crate::base::phase::{self, IN_CALLBACK};

/// A prepared guest's wrapper calls this before its callback runs. Only an
/// idle adapter changes phase: a callback inside an adapter call does not
/// happen (the adapter never calls the guest), and a stray call from the
/// guest must not disturb a call in progress.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_callback_begin() {
    if globals::phase() == phase::IDLE {
        globals::set_phase(phase::CALLBACK);
        globals::set_clock_frozen(globals::clock_frozen() | IN_CALLBACK);
    }
}

/// A prepared guest's wrapper calls this after its callback returned.
#[unsafe(no_mangle)]
pub extern "C" fn adapter_callback_end() {
    if globals::phase() == phase::CALLBACK {
        globals::set_phase(phase::IDLE);
        globals::set_clock_frozen(globals::clock_frozen() & !IN_CALLBACK);
    }
}
