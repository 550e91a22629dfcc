//! The bottom layer: what every layer may use, whatever state the others are
//! in. The wasm globals (`globals`) and the values kept in them (`phase`),
//! the p1 ABI's values and records (`p1_abi`), the p1 functions' numbers and
//! names (`func_names`), the stdio handles (`stdio`), the diagnosed abort
//! (`diag`), UTF-8 validation (`utf8`). May use nothing of the adapter's
//! outside this layer.

pub mod diag;
pub mod func_names;
pub mod globals;
pub mod p1_abi;
pub mod phase;
pub mod stdio;
#[cfg(not(feature = "proxy"))]
pub mod utf8;
