//! A component pre-initialised by a real pre-initialiser, `wasmtime wizer`
//! (in the wasmtime 49 CLI .ci/run installs), as component-init and
//! componentize-py do it: the program's set-up export runs, reads a file
//! from a directory preopened then and writes on stdout and stderr, calls
//! `reset_adapter_state` (and wasi-libc's `__wasilibc_reset_preopens`), and
//! wizer snapshots memory and globals. The snapshot then runs on another
//! host, with other preopens, arguments, environment and stdin: it must do
//! what a fresh run of the same component does there, set-up aside.

use std::path::{Path, PathBuf};

use support::*;
use verify::tools::{self, CliRun, Host};
use verify::tree::Tree;

const WORLD: &str = "export wizer-initialize: func(); export set-up-without-reset: func();";

/// tests/guests' `preinit` with its two set-up exports described.
fn embedded() -> Vec<u8> {
    let module = guest("preinit");
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("preinit.wit", &format!("package test:preinit;\nworld preinit {{ {WORLD} }}\n")).unwrap();
    let world = resolve.select_world(&[package], Some("preinit")).unwrap();
    let mut module = module;
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false).unwrap();
    module
}

#[derive(Clone, Copy, Debug)]
enum Linked {
    /// Ours through `adapt`.
    Adapted,
    /// Ours by `wasm-tools component new --adapt`.
    DropIn,
    /// Upstream's adapter by `wasm-tools component new --adapt`.
    Upstream,
}

fn component(dir: &Path, linked: Linked) -> PathBuf {
    let module = embedded();
    let out = dir.join(format!("{linked:?}.component.wasm"));
    match linked {
        Linked::Adapted => {
            let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap_or_else(|error| panic!("adapt: {error}"));
            std::fs::write(&out, adapted.component).unwrap();
        }
        Linked::DropIn | Linked::Upstream => {
            let core = dir.join("preinit.wasm");
            std::fs::write(&core, &module).unwrap();
            let implementation = if matches!(linked, Linked::DropIn) { Implementation::Ours } else { Implementation::Upstream };
            let adapter = dir.join(format!("{linked:?}.adapter.wasm"));
            std::fs::write(&adapter, implementation.adapter(verify::Flavour::Command).unwrap()).unwrap();
            tools::link_with_cli(&core, &adapter, &out).unwrap_or_else(|error| panic!("{error:#}"));
        }
    }
    out
}

/// A fresh copy of a directory holding `files` (name, contents).
fn directory(parent: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, contents) in files {
        std::fs::write(dir.join(file), contents).unwrap();
    }
    dir
}

/// The run after set-up: other arguments, environment, stdin and `/data`.
fn run(file: &Path, data: &Path, config: Option<&Path>) -> CliRun {
    let mut invocation =
        Invocation::new("preinit").args(["a", "b"]).env("PREINIT_MODE", "snapshot").stdin(b"stdin text\n".to_vec()).preopen(data, "/data");
    if let Some(config) = config {
        invocation = invocation.preopen(config, "/config");
    }
    tools::run_on(Host::Wasmtime, file, &invocation).unwrap_or_else(|error| panic!("{error:#}"))
}

fn without_line(text: &str, line: &str) -> String {
    text.lines().filter(|l| *l != line).map(|l| format!("{l}\n")).collect()
}

/// Set-up on one host, the snapshot on another, against a fresh run there
/// (given the configuration directory, which its own set-up reads).
fn snapshot_against_fresh(linked: Linked) -> (CliRun, CliRun) {
    let dir = tempfile::tempdir().unwrap();
    let component = component(dir.path(), linked);
    let config = directory(dir.path(), "config", &[("settings.txt", "colour=blue\n")]);
    let set_up_data = directory(dir.path(), "set-up-data", &[("only-at-set-up.txt", "x")]);
    let snapshot = dir.path().join("snapshot.wasm");
    let preopens = [format!("{}::/config", config.display()), format!("{}::/data", set_up_data.display())];
    let wizer = tools::wizer(&component, "wizer-initialize", &preopens, &snapshot).unwrap();
    assert_eq!(wizer.status, Some(0), "{linked:?}: wizer: {}", wizer.stderr);
    assert!(wizer.stdout.contains("set-up read 12 bytes of settings"), "{linked:?}: {}", wizer.stdout);
    let snapshot_data = directory(dir.path(), "snapshot-data", &[("old.txt", "old")]);
    let fresh_data = directory(dir.path(), "fresh-data", &[("old.txt", "old")]);
    let snapshot_run = run(&snapshot, &snapshot_data, None);
    let fresh = run(&component, &fresh_data, Some(&config));
    let trees = |a: &Path, b: &Path| (Tree::snapshot(a).unwrap(), Tree::snapshot(b).unwrap());
    if snapshot_run.status == Some(0) {
        let (snapshot_tree, fresh_tree) = trees(&snapshot_data, &fresh_data);
        assert_eq!(snapshot_tree, fresh_tree, "{linked:?}: the trees the runs left");
    }
    (snapshot_run, fresh)
}

#[test]
fn a_snapshot_runs_as_a_fresh_instance_on_another_host() {
    for linked in [Linked::Adapted, Linked::DropIn] {
        let (snapshot, fresh) = snapshot_against_fresh(linked);
        assert_eq!(fresh.status, Some(0), "{linked:?}: fresh run: {}", fresh.stderr);
        assert_eq!(snapshot.status, Some(0), "{linked:?}: snapshot: {}", snapshot.stderr);
        assert_eq!(snapshot.stdout, without_line(&fresh.stdout, "set-up read 12 bytes of settings"), "{linked:?}");
        assert_eq!(snapshot.stderr, without_line(&fresh.stderr, "set-up done"), "{linked:?}");
        assert_contains_all(
            &snapshot.stdout,
            &[
                "settings: colour=blue\n",
                "arguments: [\"a\", \"b\"]\n",
                "PREINIT_MODE=Some(\"snapshot\")\n",
                "stdin: \"stdin text\\n\"\n",
                "/data: old.txt\n",
            ],
        );
    }
    let (upstream, _) = snapshot_against_fresh(Linked::Upstream);
    println!("upstream 50.0.1, pre-initialised: {:?}, {:?}", upstream.status, upstream.stderr.lines().next());
}

/// The control: the same set-up without the resets leaves the set-up run's
/// stream handles in the snapshot, which the next host does not have.
#[test]
fn without_the_reset_the_snapshot_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let component = component(dir.path(), Linked::Adapted);
    let config = directory(dir.path(), "config", &[("settings.txt", "colour=blue\n")]);
    let snapshot = dir.path().join("snapshot.wasm");
    let wizer = tools::wizer(&component, "set-up-without-reset", &[format!("{}::/config", config.display())], &snapshot).unwrap();
    assert_eq!(wizer.status, Some(0), "wizer: {}", wizer.stderr);
    let data = directory(dir.path(), "data", &[]);
    let stale = run(&snapshot, &data, None);
    assert_ne!(stale.status, Some(0), "{stale:?}");
}
