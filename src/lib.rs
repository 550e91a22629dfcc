//! A WASI preview1 → preview2 component adapter, shipped as bytes.
//!
//! The adapter is a core wasm module that exports the 46
//! `wasi_snapshot_preview1` functions on top of WASI 0.2. Give it to
//! wit-component with the main module of a preview1 program:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let program: Vec<u8> = Vec::new();
//! let component = wit_component::ComponentEncoder::default()
//!     .module(&program)?
//!     .adapter(wasip1_adapter::ADAPTER_NAME, wasip1_adapter::COMMAND_ADAPTER)?
//!     .encode()?;
//! # Ok(()) }
//! ```
//!
//! The constants have the shape of the upstream provider crate
//! (`wasi-preview1-component-adapter-provider`), so switching is a rename.

#![deny(missing_docs)]

use std::io;
use std::path::{Path, PathBuf};

mod flavour;
pub use flavour::Flavour;

#[cfg(feature = "adapt")]
pub mod adapt;
#[cfg(feature = "check")]
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "adapt")]
pub mod entry;
#[cfg(feature = "adapt")]
pub mod memory;
#[cfg(feature = "adapt")]
pub mod older_hosts;
#[cfg(feature = "adapt")]
pub mod prepare;
#[cfg(feature = "adapt")]
mod sections;

/// The exit status of a program the adapter ends itself, after one line on
/// stderr that says why (EX_SOFTWARE of sysexits.h), so that it can be told
/// from the program's own `exit(1)`. The proxy flavour, whose world has no
/// exit, traps after the line instead.
pub const DIAGNOSED_EXIT: i32 = 70;

/// The name wit-component knows the adapter by (the import module it replaces).
pub const ADAPTER_NAME: &str = "wasi_snapshot_preview1";

/// The bytes of an artifact: built from adapter/ by build.rs with the
/// `from-source` feature, else the committed copy in src/artifacts/
/// (a test checks that the two agree).
#[cfg(feature = "from-source")]
macro_rules! artifact {
    ($file:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $file))
    };
}
#[cfg(not(feature = "from-source"))]
macro_rules! artifact {
    ($file:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/artifacts/", $file))
    };
}

/// For programs with a `_start`: the component exports `wasi:cli/run`.
pub const COMMAND_ADAPTER: &[u8] = artifact!("wasi_snapshot_preview1.command.wasm");

/// For libraries and reactors (`_initialize` and exports of their own).
pub const REACTOR_ADAPTER: &[u8] = artifact!("wasi_snapshot_preview1.reactor.wasm");

/// For `wasi:http/proxy` components: no filesystem, environment or exit.
pub const PROXY_ADAPTER: &[u8] = artifact!("wasi_snapshot_preview1.proxy.wasm");

/// Where the committed artifacts live, relative to the crate's root.
pub const COMMITTED_ARTIFACTS_DIR: &str = "src/artifacts";

/// Whether the constants above were built from adapter/ (`from-source`)
/// rather than taken from `COMMITTED_ARTIFACTS_DIR`.
pub const BUILT_FROM_SOURCE: bool = cfg!(feature = "from-source");

/// The artifact of a flavour.
pub fn adapter(flavour: Flavour) -> &'static [u8] {
    match flavour {
        Flavour::Command => COMMAND_ADAPTER,
        Flavour::Reactor => REACTOR_ADAPTER,
        Flavour::Proxy => PROXY_ADAPTER,
    }
}

/// Each artifact with the file name it ships under.
pub const ARTIFACTS: [(&str, &[u8]); 3] = [
    ("wasi_snapshot_preview1.command.wasm", COMMAND_ADAPTER),
    ("wasi_snapshot_preview1.reactor.wasm", REACTOR_ADAPTER),
    ("wasi_snapshot_preview1.proxy.wasm", PROXY_ADAPTER),
];

/// Writes the three artifacts into `dir` (created if needed); returns their paths.
pub fn write_artifacts(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    ARTIFACTS
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes)?;
            Ok(path)
        })
        .collect()
}
