//! The 46 preview1 functions, by area: what each does with its arguments, in
//! p1's terms. May use `descriptors`, `host`, `memory` and `base`; only
//! `exports` uses it. No unsafe code: what needs it lives below, behind
//! typed values (spans, heap blocks, paths, the poll set, closing entries).

#![deny(unsafe_code)]

pub mod args_environ;
pub mod descriptor;
#[cfg(not(feature = "proxy"))]
pub mod file;
pub mod memoryless;
#[cfg(not(feature = "proxy"))]
pub mod path;
pub mod poll;
pub mod process;
pub mod read_write;
#[cfg(not(feature = "proxy"))]
pub mod readdir;
pub mod socket;
