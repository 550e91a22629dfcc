//! Hosts older than wasi:cli 0.2.12's `exit-with-code`: the wasmtime 45 CLI
//! (27 to 45 link it only with `-S cli-exit-with-code`). By default ours
//! needs the flag there; `adapt --no-exit-with-code` builds components that
//! run without it, with every non-zero code ending as 1, which is exactly
//! what upstream's adapter gives on any host (the second oracle below).

use std::path::{Path, PathBuf};

use support::*;
use verify::tools::{self, CliRun, OLDER_WASMTIME};
use wasip1_adapter::adapt::{self, Options, Preparation};

fn wasmtime_45() -> PathBuf {
    tools::wasmtime_cli(OLDER_WASMTIME).unwrap_or_else(|error| panic!("{error:#}"))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(file: &Path, flags: &[&str], args: &[&str]) -> CliRun {
    tools::wasmtime_run(&wasmtime_45(), flags, file, args).unwrap()
}

fn adapted(module: &[u8], options: &Options<'_>) -> Vec<u8> {
    adapt::adapt(module, options).unwrap_or_else(|error| panic!("adapt: {error}")).component
}

fn imports_exit_with_code(component: &[u8]) -> bool {
    let wit_component::DecodedWasm::Component(resolve, world) = wit_component::decode(component).unwrap() else { panic!("not a component") };
    resolve.worlds[world].imports.values().any(|item| match item {
        wit_parser::WorldItem::Interface { id, .. } => resolve.interfaces[*id].functions.contains_key("exit-with-code"),
        _ => false,
    })
}

const CODES: [&str; 5] = ["0", "1", "3", "42", "125"];

/// The default component imports `exit-with-code`: wasmtime 45 refuses it
/// without the flag, and with the flag gives every code exactly, as its
/// native p1 does with the core module.
#[test]
fn by_default_wasmtime_45_needs_the_flag_and_then_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let module = guest("process");
    let core = write(dir.path(), "process.wasm", &module);
    let component = adapted(&module, &Options::default());
    assert!(imports_exit_with_code(&component));
    let component = write(dir.path(), "process.component.wasm", &component);

    let refused = run(&component, &[], &["exit", "0"]);
    assert_ne!(refused.status, Some(0), "{refused:?}");
    assert!(refused.stderr.contains("exit-with-code"), "{}", refused.stderr);

    for code in CODES {
        let native = run(&core, &[], &["exit", code]);
        let ours = run(&component, &["-S", "cli-exit-with-code"], &["exit", code]);
        assert_eq!(native.status, Some(code.parse().unwrap()), "native p1, exit {code}: {native:?}");
        assert_eq!((ours.status, &ours.stdout, &ours.stderr), (native.status, &native.stdout, &native.stderr), "exit {code}");
    }
}

/// Built with `no_exit_with_code`, the component does not import it, runs
/// on wasmtime 45 without the flag, prints what native p1 prints, and ends
/// with 0 for 0 and 1 for any other code: the same statuses as upstream's
/// adapter on the same host, code for code.
#[test]
fn without_exit_with_code_runs_on_wasmtime_45_as_upstream_ends() {
    let dir = tempfile::tempdir().unwrap();
    let module = guest("process");
    let core = write(dir.path(), "process.wasm", &module);
    let ours = adapted(&module, &Options { no_exit_with_code: true, ..Options::default() });
    assert!(!imports_exit_with_code(&ours));
    let ours = write(dir.path(), "ours.wasm", &ours);
    let upstream_adapter = Implementation::Upstream.adapter(verify::Flavour::Command).unwrap();
    let upstream = adapted(&module, &Options { adapter: Some(upstream_adapter), preparation: Preparation::Never, ..Options::default() });
    let upstream = write(dir.path(), "upstream.wasm", &upstream);

    for code in CODES {
        let native = run(&core, &[], &["exit", code]);
        let ours = run(&ours, &[], &["exit", code]);
        let upstream = run(&upstream, &[], &["exit", code]);
        let expected = if code == "0" { 0 } else { 1 };
        assert_eq!(ours.status, Some(expected), "exit {code}: {ours:?}");
        assert_eq!(ours.status, upstream.status, "exit {code}: upstream {upstream:?}");
        assert_eq!(ours.stdout, native.stdout, "exit {code}");
        assert_eq!(ours.stdout, format!("exiting with {code}\n"));
    }
}

/// A diagnosed abort on such a host: the line on stderr, then status 1
/// (70 needs exit-with-code). A memory at its maximum, linked drop-in.
#[test]
fn without_exit_with_code_a_diagnosis_ends_with_1() {
    let dir = tempfile::tempdir().unwrap();
    let module = wat(r#"(module
        (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
        (memory (export "memory") 1 1)
        (func (export "_start") (drop (call $prestat (i32.const 3) (i32.const 16)))))"#);
    let options = Options { no_exit_with_code: true, preparation: Preparation::Never, ..Options::default() };
    let component = write(dir.path(), "full.wasm", &adapted(&module, &options));
    let run = run(&component, &[], &[]);
    assert_eq!(run.status, Some(1), "{run:?}");
    assert!(run.stderr.starts_with("wasi-p1-adapter: fatal: in fd_prestat_get: memory.grow refused"), "{}", run.stderr);
}

/// The rewritten artifacts pass the same static checks as the shipped ones,
/// and only the command and reactor change (proxy imports no exit).
#[test]
fn rewritten_artifacts_pass_the_static_checks() {
    for flavour in [verify::Flavour::Command, verify::Flavour::Reactor, verify::Flavour::Proxy] {
        let shipped = wasip1_adapter::adapter(flavour);
        let rewritten = wasip1_adapter::older_hosts::without_exit_with_code(shipped).unwrap();
        assert_eq!(rewritten == shipped, flavour == verify::Flavour::Proxy, "{flavour}");
        let report = verify::check::check(&rewritten, verify::check::Rules { flavour, ours: true });
        assert!(report.ok(), "{flavour}: {:?}", report.problems);
        assert!(!report.passed.is_empty());
    }
}
