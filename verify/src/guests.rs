//! Building the Rust test programs (the p1 guests of tests/guests, which the
//! integration tests and `verify fuzz` run, and the heap models).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Builds the crate in `dir` (relative to the repository) for `target`
/// into `target_dir` with the pinned toolchain (rust-toolchain.toml),
/// whoever runs this (cargo +nightly fuzz, for one) and whatever flags the
/// caller's build had. Returns the directory holding the artifacts.
pub fn cargo_build(dir: &str, target: &str, target_dir: &str) -> Result<PathBuf> {
    let target_dir = repository().join(target_dir);
    let status = Command::new(env!("CARGO"))
        .current_dir(repository().join(dir))
        .args(["build", "--quiet", "--release", "--target", target, "--target-dir"])
        .arg(&target_dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .with_context(|| format!("run cargo to build {dir}"))?;
    if !status.success() {
        bail!("building {dir} for {target} failed ({status}); is the target installed?");
    }
    Ok(target_dir.join(target).join("release"))
}

/// Builds every guest once per process (cargo's lock serialises concurrent
/// processes) and returns the directory holding the `.wasm` files.
pub fn built() -> Result<&'static Path> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        cargo_build("tests/guests", "wasm32-wasip1", "target/guests").map_err(|error| format!("{error:#}"))
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
