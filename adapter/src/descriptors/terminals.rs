//! Whether each stdio stream is a terminal, asked once and kept in a global
//! (p1's `fdstat` tells a terminal as a character device).

#![deny(unsafe_code)]

use crate::base::globals;
use crate::base::stdio::Stdio;

/// Whether the stream is a terminal (asked once).
#[inline(always)]
pub fn is_terminal(which: Stdio) -> bool {
    let known = 1u32 << (which as u32);
    let yes = known << 3;
    let bits = globals::terminals();
    if bits & known == 0 {
        return ask_terminal(which);
    }
    bits & yes != 0
}

#[inline(never)]
fn ask_terminal(which: Stdio) -> bool {
    let answer = crate::host::terminals::query(which);
    let known = 1u32 << (which as u32);
    let yes = if answer { known << 3 } else { 0 };
    globals::set_terminals(globals::terminals() | known | yes);
    answer
}
