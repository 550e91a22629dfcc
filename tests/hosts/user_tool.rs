//! `wasip1-adapt`, the user's tool (`wasip1_adapter::cli`, the library the
//! binary wraps): a Go c-shared reactor whose functions a WIT world describes
//! becomes a component exporting them in one step, and the wasmtime CLI
//! calls them as its native p1 calls the core module's; artifacts, inspect,
//! errors and a closed stdout.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

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

/// What a user gets wrong is said, with the usage, and status 2 (clap's
/// words); every command has its `--help`.
#[test]
fn mistakes_are_explained() {
    for (args, says) in [
        (&["adapt", "m.wasm"][..], "--output <OUT>"),
        (&["adapt", "m.wasm", "-o", "x", "--wit", "a.wit"][..], "--world <WORLD>"),
        (&["adapt", "m.wasm", "-o", "x", "--prepare", "sometimes"][..], "invalid value 'sometimes' for '--prepare"),
        (&["adapt", "m.wasm", "-o", "x", "--fast"][..], "unexpected argument '--fast'"),
        (&["adapt", "m.wasm", "-o", "x", "--adapt", "host"][..], "`host` is not NAME=FILE"),
        (&["frobnicate"][..], "unrecognized subcommand 'frobnicate'"),
    ] {
        let (status, out, err) = tool(args);
        assert_eq!((status, out.as_str()), (2, ""), "{args:?}");
        assert!(err.starts_with("error: ") && err.contains(says) && (err.contains("Usage:") || err.contains("try '--help'")), "{args:?}: {err}");
    }
    let (status, _, err) = tool(&[]);
    assert_eq!(status, 2);
    assert!(err.contains("Usage: wasip1-adapt <COMMAND>"), "{err}");
    for command in ["adapt", "inspect", "artifacts"] {
        let (status, out, err) = tool(&[command, "--help"]);
        assert_eq!((status, err.as_str()), (0, ""), "{command} --help");
        assert!(out.contains(&format!("Usage: wasip1-adapt {command}")), "{out}");
    }
    assert!(tool(&["adapt", "--help"]).1.contains("--adapt <NAME=FILE>"));
    let (status, _, err) = tool(&["inspect", "/nonexistent/m.wasm"]);
    assert_eq!(status, 1);
    assert!(err.starts_with("error: read /nonexistent/m.wasm\n\nCaused by:\n    0: No such file or directory"), "{err}");
}

/// Input that is not what the tool takes is named for what it is.
#[test]
fn bad_input_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        file
    };
    let out = dir.path().join("out.wasm");
    let cases: [(PathBuf, &[&str]); 6] = [
        (write("notes.txt", b"just some text\n"), &["is neither a WebAssembly binary", "nor WebAssembly text"]),
        (write("broken.wat", b"(module (func (i32.ad)))"), &["broken.wat is not valid WebAssembly text", "Caused by:", "unknown operator"]),
        (write("invalid.wat", b"(module (func (i32.add)))"), &["cannot adapt", "the module is not valid WebAssembly", "type mismatch"]),
        (
            write("threads.wat", b"(module (memory (export \"memory\") 1 2 shared) (func (export \"_start\")))"),
            &["cannot adapt", "a component cannot have a shared memory"],
        ),
        (
            write("host.wat", b"(module (import \"host\" \"triple\" (func (param i32) (result i32))) (import \"env\" \"abort\" (func)) (memory (export \"memory\") 1) (func (export \"_start\")))"),
            &["host.triple, env.abort", "--adapt NAME=FILE"],
        ),
        (
            write("bad_start.wat", b"(module (memory (export \"memory\") 1) (func (export \"_start\") (param i32)))"),
            &["cannot adapt", "Caused by:\n    0: wit-component could not encode the component\n", "type mismatch for export `_start`"],
        ),
    ];
    for (file, says) in cases {
        let (status, _, err) = tool(&["adapt", path(&file), "-o", path(&out), "--command"]);
        assert_eq!(status, 1, "{}: {err}", file.display());
        assert!(err.starts_with("error: "), "{err}");
        assert_contains_all(&err, says);
    }
}

/// `-` is standard input for the module and standard output for the
/// component, whose report then goes to stderr.
#[test]
fn dash_is_standard_input_and_output() {
    let module = guest("hello_std");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status =
        wasip1_adapter::cli::main_with_input(vec!["adapt".into(), "-".into(), "-o".into(), "-".into()], &mut module.as_slice(), &mut out, &mut err);
    let err = String::from_utf8(err).unwrap();
    assert_eq!(status, 0, "{err}");
    assert!(wasmparser::Parser::is_component(&out), "a component on stdout");
    assert!(err.starts_with("wrote standard output ("), "{err}");
    let (mut listing, mut err) = (Vec::new(), Vec::new());
    let status = wasip1_adapter::cli::main_with_input(vec!["inspect".into(), "-".into()], &mut module.as_slice(), &mut listing, &mut err);
    assert_eq!(status, 0);
    assert!(String::from_utf8(listing).unwrap().starts_with("standard input\n  language:"));
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
