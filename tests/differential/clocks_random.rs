//! clock_res_get, clock_time_get, random_get.

use support::*;

#[test]
fn clocks_match_native() {
    let comparison = compare_guest("clocks", &[], |invocation| invocation);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(&out, &["clock_res_get(0): SUCCESS", "clock_time_get(1): SUCCESS", "  after 2020: true", "  non-decreasing: true"]);
    // The CPU-time clocks do not exist in WASI 0.2.
    assert!(out.contains("clock_time_get(2): BADF") && out.contains("clock_res_get(3): BADF"), "{out}");
    assert!(!out.contains(": false"), "{out}");
    note_upstream(&comparison);
}

/// A clock id p1 does not define: native p1 traps (wiggle rejects the enum
/// value), upstream answers EBADF. Ours answers EINVAL, what POSIX
/// `clock_gettime` gives for an unknown clock. Deliberate difference.
#[test]
fn undefined_clock_ids_are_einval() {
    for call in ["res", "time"] {
        for id in ["4", "99", "4294967295"] {
            let comparison = compare_guest("clocks", &[call, id], |invocation| invocation);
            assert!(trapped(comparison.native()), "{}", comparison.render());
            assert_eq!(stdout(comparison.ours()), format!("clock_{call}_get({id}): INVAL\n"));
            assert_eq!(comparison.ours().outcome.status, Status::Exited(0));
            note_upstream(&comparison);
        }
    }
}

#[test]
fn random_bytes_match_native() {
    let comparison = compare_guest("random", &[], |invocation| invocation);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_eq!(out.matches("filled: true, past the end untouched: true").count(), 5, "{out}");
    assert!(out.contains("random_get(1048576): SUCCESS"), "{out}");
    note_upstream(&comparison);
}
