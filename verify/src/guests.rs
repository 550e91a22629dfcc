//! Building the guest programs of tests/guests (Rust, wasm32-wasip1), which
//! the integration tests and `verify fuzz` (its driver) run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Builds every guest once per process (cargo's lock serialises concurrent
/// processes) and returns the directory holding the `.wasm` files.
pub fn built() -> Result<&'static Path> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let target_dir = repository().join("target/guests");
        let status = Command::new(env!("CARGO"))
            .current_dir(repository().join("tests/guests"))
            .args(["build", "--quiet", "--release", "--target", "wasm32-wasip1", "--target-dir"])
            .arg(&target_dir)
            // The pinned toolchain (rust-toolchain.toml) builds the guests,
            // whoever runs this (cargo +nightly fuzz, for one).
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTC")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .map_err(|error| format!("run cargo to build tests/guests: {error}"))?;
        if !status.success() {
            return Err(format!("building tests/guests for wasm32-wasip1 failed ({status}); is the target installed?"));
        }
        Ok(target_dir.join("wasm32-wasip1/release"))
    });
    match built {
        Ok(dir) => Ok(dir),
        Err(why) => bail!("{why}"),
    }
}

/// The compiled guest `name`.
pub fn guest(name: &str) -> Result<Vec<u8>> {
    let path = built()?.join(format!("{name}.wasm"));
    std::fs::read(&path).with_context(|| format!("read guest {}", path.display()))
}
