//! The WASI 0.2 side: the imports (generated `bindings`, and the hand-written
//! imports of `streams`, `clocks`, `random`, `environment` and `filesystem`;
//! `paths`, which lends checked paths to the imports that take one), the enums the host
//! sends back (`enums`) and the mapping of its errors to p1 errnos
//! (`errno`). May use `memory` and `base`.

pub mod bindings;
pub mod clocks;
#[cfg(not(feature = "proxy"))]
pub mod enums;
pub mod environment;
pub mod errno;
#[cfg(not(feature = "proxy"))]
pub mod filesystem;
#[cfg(not(feature = "proxy"))]
pub mod paths;
pub mod pollables;
pub mod random;
pub mod streams;
pub mod terminals;
