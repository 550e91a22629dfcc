//! `wasip1-adapt`, the user's tool (`wasip1_adapter::cli`, the library the
//! binary wraps): a Go c-shared reactor whose functions a WIT world describes
//! becomes a component exporting them in one step, and the wasmtime CLI
//! calls them as its native p1 calls the core module's; artifacts, inspect,
//! errors and a closed stdout.

use std::io::{self, Write};
use std::path::Path;

use support::*;
use verify::tools::{self, WASMTIME};

/// Runs the tool; returns (status, stdout, stderr).
fn tool(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = wasip1_adapter::cli::main(args.iter().map(|arg| arg.to_string()).collect(), &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

const APP_WIT: &str = "package user:app;\n\nworld app {\n  export fib: func(n: s32) -> s32;\n  export calls: func() -> s32;\n}\n";

#[test]
fn a_go_reactor_with_a_wit_world_exports_its_functions() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("reactor.wasm");
    std::fs::write(&module, go_guest("reactor", true)).unwrap();
    let wit = dir.path().join("app.wit");
    std::fs::write(&wit, APP_WIT).unwrap();
    let component = dir.path().join("app.wasm");
    let (status, out, err) = tool(&["adapt", path(&module), "-o", path(&component), "--wit", path(&wit), "--world", "app"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("reactor flavour, prepared") && out.contains("exports of world `app`"), "{out}");

    let wasmtime = tools::wasmtime_cli(WASMTIME).unwrap();
    for n in ["0", "20", "30"] {
        let native = tools::wasmtime_run(&wasmtime, &["--invoke", "fib"], &module, &[n]).unwrap();
        let ours = tools::wasmtime_run(&wasmtime, &["--invoke", &format!("fib({n})")], &component, &[]).unwrap();
        assert_eq!(native.status, Some(0), "{native:?}");
        assert_eq!((ours.status, ours.stdout.trim()), (native.status, native.stdout.trim()), "fib({n}): {ours:?}");
    }
    assert_eq!(tools::wasmtime_run(&wasmtime, &["--invoke", "fib(30)"], &component, &[]).unwrap().stdout.trim(), "832040");
}

const STRINGS_WIT: &str = "package user:app;\n\nworld app {\n  export process: func(text: string) -> u32;\n}\n";

/// A Go reactor that exports `cabi_realloc` (tests/go/string_reactor, the
/// shape componentize-go builds) whose garbage collector starts inside it:
/// through the tool, `wasmtime run --invoke 'process("…")'` answers the
/// string's FNV-1a hash (computed here). Linked by the real `wasm-tools`
/// with upstream's reactor adapter, the same call does not get through
/// instantiation. (tests/coexistence/callbacks.rs compares thousands of calls
/// with native p1.)
#[test]
fn a_go_reactor_taking_strings_through_its_cabi_realloc() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("strings.wasm");
    std::fs::write(&module, go_guest("string_reactor", true)).unwrap();
    let wit = dir.path().join("app.wit");
    std::fs::write(&wit, STRINGS_WIT).unwrap();
    let component = dir.path().join("app.wasm");
    let (status, out, err) = tool(&["adapt", path(&module), "-o", path(&component), "--wit", path(&wit), "--world", "app"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("wrapped cabi_realloc"), "{out}");

    let wasmtime = tools::wasmtime_cli(WASMTIME).unwrap();
    for text in ["a", &"0123456789abcdef".repeat(4096)] {
        let invoke = format!("process(\"{text}\")");
        let ours = tools::wasmtime_run(&wasmtime, &["--invoke", &invoke], &component, &[]).unwrap();
        let hash = verify::string_calls::fnv1a(text.as_bytes()).to_string();
        assert_eq!((ours.status, ours.stdout.trim(), ours.stderr.as_str()), (Some(0), hash.as_str(), ""), "{} bytes", text.len());
    }

    let embedded = dir.path().join("embedded.wasm");
    let wasm_tools = tools::wasm_tools_cli().unwrap();
    let embed = std::process::Command::new(&wasm_tools)
        .args(["component", "embed", path(&wit), "--world", "app", path(&module), "-o", path(&embedded)])
        .output()
        .unwrap();
    assert!(embed.status.success(), "{}", String::from_utf8_lossy(&embed.stderr));
    let adapter = dir.path().join("upstream.reactor.wasm");
    std::fs::write(&adapter, Implementation::Upstream.adapter(verify::Flavour::Reactor).unwrap()).unwrap();
    let linked = dir.path().join("upstream.wasm");
    tools::link_with_cli(&embedded, &adapter, &linked).unwrap();
    let upstream = tools::wasmtime_run(&wasmtime, &["--invoke", "process(\"a\")"], &linked, &[]).unwrap();
    println!("upstream 50.0.1 on the wasmtime CLI: status {:?}", upstream.status);
    assert_ne!(upstream.status, Some(0), "upstream 50.0.1 now gets through: update this test and README");
}

#[test]
fn artifacts_are_the_shipped_bytes_or_rewritten_for_older_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let (status, out, _) = tool(&["artifacts", path(dir.path())]);
    assert_eq!(status, 0);
    assert_eq!(out.lines().count(), 3);
    for (name, bytes) in wasip1_adapter::ARTIFACTS {
        assert!(std::fs::read(dir.path().join(name)).unwrap() == bytes, "{name}");
    }
    let older = dir.path().join("older");
    assert_eq!(tool(&["artifacts", path(&older), "--no-exit-with-code"]).0, 0);
    let command = std::fs::read(older.join("wasi_snapshot_preview1.command.wasm")).unwrap();
    assert!(command == wasip1_adapter::older_hosts::without_exit_with_code(wasip1_adapter::COMMAND_ADAPTER).unwrap());
}

/// Go modules import some p1 functions twice; inspect lists each once.
#[test]
fn inspect_lists_each_import_once() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("hello.wasm");
    std::fs::write(&module, go_guest("hello", false)).unwrap();
    let (status, out, _) = tool(&["inspect", path(&module)]);
    assert_eq!(status, 0);
    let imports = out.lines().find(|line| line.trim_start().starts_with("p1 imports")).unwrap();
    let names: Vec<&str> = imports.split(':').nth(1).unwrap().split(',').map(str::trim).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(names.len(), unique.len(), "{imports}");
    assert!(names.contains(&"fd_write"), "{imports}");
}

/// What a user gets wrong is said, with the usage, and status 2.
#[test]
fn mistakes_are_explained() {
    for (args, says) in [
        (&["adapt", "m.wasm"][..], "missing -o OUT"),
        (&["adapt", "m.wasm", "-o", "x", "--wit", "a.wit"][..], "--wit and --world go together"),
        (&["adapt", "m.wasm", "-o", "x", "--prepare", "sometimes"][..], "--prepare takes auto, always or never"),
        (&["adapt", "m.wasm", "-o", "x", "--fast"][..], "unknown or repeated option(s): --fast"),
        (&["frobnicate"][..], "unknown command `frobnicate`"),
        (&[][..], "no command given"),
    ] {
        let (status, _, err) = tool(args);
        assert_eq!(status, 2, "{args:?}");
        assert!(err.starts_with(&format!("wasip1-adapt: {says}")) && err.contains("Usage:"), "{args:?}: {err}");
    }
    let (status, _, err) = tool(&["inspect", "/nonexistent/m.wasm"]);
    assert_eq!(status, 1);
    assert!(err.contains("read /nonexistent/m.wasm"), "{err}");
}

/// `wasip1-adapt … | head -1`: once stdout is closed, the tool stops writing
/// and ends quietly with status 0.
#[test]
fn a_closed_stdout_is_not_a_failure() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut err = Vec::new();
    let status = wasip1_adapter::cli::main(vec!["artifacts".into(), path(dir.path()).into()], &mut Closed, &mut err);
    assert_eq!((status, err.len()), (0, 0));
}
