//! The preparation pass alone, on real programs: each runs under native p1
//! as it was built and as `prepare` rewrote it, with the adapter's memory
//! functions stood in by the host (verify::hosts::in_process::link_p1_with_stand_ins).
//! No adapter is involved, so any difference is the pass's own.

use support::*;
use verify::hosts::in_process::{self, Invocation};

/// Runs `module` as built and prepared under native p1; both must do the
/// same, and the pass must have had something to rewrite.
fn prepared_runs_as_built(name: &str, module: Vec<u8>, invocation: Invocation) {
    let prepared = wasip1_adapter::prepare::prepare(&module).unwrap_or_else(|error| panic!("prepare {name}: {error}"));
    assert!(prepared.memory_size_rewritten + prepared.memory_grow_rewritten > 0, "{name}: nothing rewritten, so this compares nothing");
    let built = in_process::run_p1(&in_process::module(&module).unwrap(), &invocation).unwrap();
    let linked = in_process::link_p1_with_stand_ins(&in_process::module(&prepared.module).unwrap()).unwrap();
    let rewritten = in_process::run_p1_linked(&linked, &invocation).unwrap();
    assert_eq!(rewritten.status, built.status, "{name}: exit status");
    assert_eq!(rewritten.stderr_text(), built.stderr_text(), "{name}: stderr");
    assert!(rewritten.stdout == built.stdout, "{name}: stdout\nbuilt:\n{}\nprepared:\n{}", built.stdout_text(), rewritten.stdout_text());
    assert!(!built.stdout.is_empty(), "{name}: printed nothing, so stdout compares nothing");
}

#[test]
fn go_programs() {
    prepared_runs_as_built("hello", go_guest("hello", false), Invocation::new("hello"));
    prepared_runs_as_built("args_env", go_guest("args_env", false), Invocation::new("args_env").args(["one", "two"]).env("GREETING", "hi"));
    prepared_runs_as_built("alloc_heavy", go_guest("alloc_heavy", false), Invocation::new("alloc_heavy"));
    prepared_runs_as_built("concurrency", go_guest("concurrency", false), Invocation::new("concurrency"));
}

#[test]
fn a_go_reactor() {
    let invocation = Invocation::new("reactor").call("fib", &[20]).call("fib", &[30]).call("calls", &[]);
    prepared_runs_as_built("reactor", go_guest("reactor", true), invocation);
}

#[test]
fn c_and_cpp_on_old_wasi_libc() {
    prepared_runs_as_built("alloc_heavy", c_guest("alloc_heavy"), Invocation::new("alloc_heavy"));
    prepared_runs_as_built("clock_then_malloc", c_guest("clock_then_malloc"), Invocation::new("clock_then_malloc"));
}

#[test]
fn tinygo_and_go_heap_models() {
    for name in ["tinygo_model", "go_model"] {
        prepared_runs_as_built(name, heap_model(name, None), Invocation::new(name).args(["an", "argument"]).env("SOME", "variable"));
    }
}
