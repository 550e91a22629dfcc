//! proc_exit, proc_raise, sched_yield.

use support::*;

#[test]
fn exit_zero() {
    let comparison = compare_guest("process", &["exit", "0"], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "exiting with 0\n");
}

/// Every code native p1 accepts reaches the host unchanged: 1 through
/// WASI 0.2's `exit`, the others through `exit-with-code`.
#[test]
fn exit_codes_are_exact() {
    for code in ["1", "2", "3", "42", "70", "100", "125"] {
        let comparison = compare_guest("process", &["exit", code], |invocation| invocation);
        assert_identical_to_native(&comparison);
        assert_eq!(comparison.ours().outcome.status, Status::Exited(code.parse().unwrap()));
        assert_eq!(stdout(comparison.ours()), format!("exiting with {code}\n"));
        note_upstream(&comparison);
    }
}

/// Codes of 126 and above: native p1 (wasmtime) refuses them with a trap.
/// Deliberately different: ours passes 126-255 on, as a POSIX `exit` does
/// (rule exit-code-beyond-native), and ends a code no exit status can hold
/// with 255, still a failure (POSIX would keep the low byte: 256 would read
/// as success).
#[test]
fn exit_codes_beyond_native() {
    for (code, status) in [("126", 126), ("200", 200), ("255", 255), ("256", 255), ("4294967295", 255)] {
        let comparison = compare_guest("process", &["exit", code], |invocation| invocation);
        assert!(trapped(comparison.native()), "native p1 refuses {code}");
        assert_eq!(comparison.ours().outcome.status, Status::Exited(status));
        assert_matches_native(&comparison);
        assert!(comparison.verdict().explained.iter().any(|e| e.rule == "exit-code-beyond-native"));
        assert_eq!(stdout(comparison.ours()), stdout(comparison.native()));
    }
}

/// The second oracle for the codes native p1 refuses: a POSIX process
/// exiting with 126-255 gives its parent exactly that status.
#[test]
fn posix_exit_status_oracle() {
    for code in [126, 200, 255] {
        let status = std::process::Command::new("sh").arg("-c").arg(format!("exit {code}")).status().expect("run sh");
        assert_eq!(status.code(), Some(code));
    }
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
