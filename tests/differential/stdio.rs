//! fd_write, fd_read, fd_fdstat_get, fd_fdstat_set_flags and fd_close on
//! stdio.

use support::*;

#[test]
fn stdio_matches_native() {
    let comparison = compare_guest("stdio", &[], |invocation| invocation.stdin("line one\nline two\n"));
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(
        &out,
        &[
            "first non-empty buffer\nfd_write(1, [empty, 23 bytes, 14 bytes]): SUCCESS written=23",
            "fd_write(1, 100000 bytes): SUCCESS written=100000",
            "fd_write(0): BADF",
            "fd_write(3): BADF",
            r#"stdin: "line one\nline two\n""#,
            "fd_read(1): BADF",
            "fd_fdstat_set_flags(1, 0x4): BADF",
            "fd_close(0) again: BADF",
        ],
    );
    assert!(!out.contains("second buffer"), "only the first non-empty buffer is written");
    assert_eq!(stderr(comparison.ours()), "to stderr\nfd_write(1) after close: BADF\n");
    note_upstream(&comparison);
}

/// A read into an empty buffer reads nothing. Native p1 asks the stream for
/// zero bytes and reports the empty answer as EINTR; upstream and ours
/// answer success with 0 bytes, as POSIX `read` does. Deliberate difference.
#[test]
fn zero_length_read_reads_nothing() {
    let comparison = compare_guest("stdio", &["zero-read"], |invocation| invocation.stdin("unread"));
    assert_eq!(stdout(comparison.ours()), "fd_read(0, one empty iovec): SUCCESS\n  nread=0\n");
    println!("native p1: {:?}", stdout(comparison.native()));
    note_upstream(&comparison);
}

/// Flag bits p1 does not define: native p1 traps (wiggle rejects the value).
/// Ours answers EINVAL, before looking at the descriptor, as upstream does.
/// Deliberate difference.
#[test]
fn undefined_fdflags_are_einval() {
    for (fd, flags) in [("1", "32"), ("99", "32"), ("1", "65536"), ("0", "4294967295")] {
        let comparison = compare_guest("stdio", &["set-flags", fd, flags], |invocation| invocation);
        assert!(trapped(comparison.native()), "{}", comparison.render());
        let flags: u32 = flags.parse().unwrap();
        assert_eq!(stdout(comparison.ours()), format!("fd_fdstat_set_flags({fd}, {flags:#x}): INVAL\n"));
        note_upstream(&comparison);
    }
}

/// Defined flags on stdio: native p1 says EBADF (only files carry flags),
/// whichever flags. Upstream answers EINVAL for DSYNC/RSYNC/SYNC first; ours
/// follows native.
#[test]
fn defined_fdflags_on_stdio_are_ebadf() {
    for flags in ["0", "1", "2", "4", "8", "16", "31"] {
        let comparison = compare_guest("stdio", &["set-flags", "1", flags], |invocation| invocation);
        assert_identical_to_native(&comparison);
        assert!(stdout(comparison.ours()).ends_with(": BADF\n"), "{}", stdout(comparison.ours()));
        note_upstream(&comparison);
    }
}
