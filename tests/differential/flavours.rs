//! The reactor and proxy flavours, with a reactor guest (tests/wat/
//! runnable.wat) that the harness runs through its exported
//! `wasi:cli/run#run` after `_initialize`, natively and as a component.

use support::*;
use verify::Flavour;

fn runnable() -> Vec<u8> {
    verify::embed_run_world(&wat_file("runnable")).expect("embed the run world")
}

#[test]
fn reactor_matches_native() {
    let invocation = Invocation::new("runnable").env("GREETING", "hi");
    let comparison = compare(&Case::new("reactor", runnable(), invocation).fixture(fixture("basic"), "/sandbox"));
    assert_identical_to_native(&comparison);
    assert_eq!(
        stdout(comparison.ours()),
        "initialized: 1\nargs_sizes_get: 0 1 9\nenviron_sizes_get: 0 1 12\nfd_prestat_get(3): 0\n\
         path_open(3, x): 0\nclock_time_get: 0\nrandom_get: 0\nfd_fdstat_get(1): 0 0\n"
    );
    assert!(comparison.ours().trees[0].entries.contains_key("x"), "path_open created x");
    note_upstream(&comparison);
}

#[test]
fn reactor_proc_exit() {
    let invocation = Invocation::new("runnable").arg("exit");
    let comparison = compare(&Case::new("reactor exit", runnable(), invocation));
    assert_identical_to_native(&comparison);
    assert_eq!(comparison.ours().outcome.status, Status::Exited(4));
}

/// The proxy world has no environment and no filesystem: empty arguments and
/// environment, no preopens, ENOTSUP for path calls; stdio, clocks and
/// randomness work. (Native p1 has no such mode to compare with.)
#[test]
fn proxy_has_no_environment_or_filesystem() {
    let case = Case::new("proxy", runnable(), Invocation::new("runnable").env("GREETING", "hi")).flavour(Flavour::Proxy);
    let ours = verify::differential::run_one(&case, Implementation::Ours, Flavour::Proxy).unwrap();
    assert_eq!(ours.outcome.status, Status::Exited(0), "{}", stderr(&ours));
    assert_eq!(
        stdout(&ours),
        "initialized: 1\nargs_sizes_get: 0 0 0\nenviron_sizes_get: 0 0 0\nfd_prestat_get(3): 8\n\
         path_open(3, x): 58\nclock_time_get: 0\nrandom_get: 0\nfd_fdstat_get(1): 0 0\n"
    );
    let upstream = verify::differential::run_one(&case, Implementation::Upstream, Flavour::Proxy).unwrap();
    println!("upstream proxy: {}, stdout {:?}", upstream.outcome.status, stdout(&upstream));
}

/// proc_exit in the proxy flavour: there is no exit in wasi:http/proxy, so
/// the adapter says so on stderr and ends with a trap (upstream traps with
/// no word).
#[test]
fn proxy_proc_exit_is_explained() {
    let module = verify::embed_run_world(&wat(r#"(module
            (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
            (memory (export "memory") 1)
            (func (export "wasi:cli/run@0.2.12#run") (result i32)
                (call $proc_exit (i32.const 0))
                (i32.const 0)))"#))
    .unwrap();
    let case = Case::new("proxy exit", module, Invocation::new("exit")).flavour(Flavour::Proxy);
    let ours = verify::differential::run_one(&case, Implementation::Ours, Flavour::Proxy).unwrap();
    assert!(trapped(&ours), "{:?}", ours.outcome.status);
    assert_eq!(stderr(&ours), "wasi-p1-adapter: proc_exit(0): wasi:http/proxy has no exit, so the adapter ends the guest here with a trap.\n");
    let upstream = verify::differential::run_one(&case, Implementation::Upstream, Flavour::Proxy).unwrap();
    println!("upstream proxy exit: {}, stderr {:?}", upstream.outcome.status, stderr(&upstream));
}
