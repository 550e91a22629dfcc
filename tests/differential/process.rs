//! proc_exit, proc_raise, sched_yield.

use support::*;

#[test]
fn exit_zero() {
    let comparison = compare_guest("process", &["exit", "0"], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "exiting with 0\n");
}

/// Non-zero codes become exit status 1: WASI 0.2's exit carries only
/// success or failure (see differential::explain, rule exit-status-collapsed).
#[test]
fn exit_nonzero_is_failure() {
    for code in ["1", "3", "125"] {
        let comparison = compare_guest("process", &["exit", code], |invocation| invocation);
        assert_matches_native(&comparison);
        assert_eq!(comparison.native().outcome.status, Status::Exited(code.parse().unwrap()));
        assert_eq!(comparison.ours().outcome.status, Status::Exited(1));
        assert_eq!(stdout(comparison.ours()), format!("exiting with {code}\n"));
    }
}

/// Codes of 126 and above: native p1 traps; ours exits with failure.
#[test]
fn exit_code_out_of_range() {
    let comparison = compare_guest("process", &["exit", "200"], |invocation| invocation);
    assert!(trapped(comparison.native()));
    assert_eq!(comparison.ours().outcome.status, Status::Exited(1));
    assert!(comparison.verdict().explained.iter().any(|e| e.rule == "exit-status-out-of-range"));
}

/// proc_raise: native p1 answers ENOTSUP; upstream traps; ours follows native.
#[test]
fn raise_is_not_supported() {
    let comparison = compare_guest("process", &["raise"], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains("proc_raise(6): NOTSUP"));
    assert!(stdout(comparison.ours()).ends_with("returned normally\n"));
    note_upstream(&comparison);
}

/// A signal p1 does not define: native p1 traps (as on every undefined
/// value); ours answers EINVAL, having done nothing.
#[test]
fn undefined_signal_is_einval() {
    let comparison = compare_guest("process", &["raise", "undefined"], |invocation| invocation);
    assert!(trapped(comparison.native()), "native p1 traps on signal 31");
    assert_eq!(stdout(comparison.ours()), "proc_raise(31): INVAL\nproc_raise(1000): INVAL\nreturned normally\n");
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0));
    note_upstream(&comparison);
}

#[test]
fn yield_succeeds() {
    let comparison = compare_guest("process", &["yield"], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "sched_yield: SUCCESS\n".repeat(3) + "returned normally\n");
}
