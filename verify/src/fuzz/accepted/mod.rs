//! The accepted differences between native p1 and an adapter, and judging one
//! run against native p1 with them.
//!
//! Each entry names one situation precisely (which call, which errnos, which
//! trap) and says why it is right; a difference that no entry matches is a
//! divergence. Nothing is ignored wholesale. Entries change only with
//! ACCEPTED_VERSION and a line in docs/fuzzing.md.
//!
//! - `rules`: what an entry looks at, and the table (`ACCEPTED`);
//! - `judge`: one run against native p1's, step by step, with the entries
//!   and their second oracles.

mod judge;
mod rules;

#[cfg(test)]
mod near_misses;

pub use judge::{Divergence, Judgement, Where, judge};
pub use rules::{ACCEPTED, ACCEPTED_VERSION, Accepted, Evidence, for_exit_status, markdown_table};
