//! Each accepted entry against its situation and against near misses: the
//! same evidence changed in one detail (another errno, a byte written, a
//! neighbouring value, an fd that merely prints like a wild length) is not
//! accepted. (The second oracles are tested on real runs in tests/fuzz.rs.)

use super::rules::{Evidence, accepted};
use crate::fuzz::Subject;
use crate::fuzz::trace::{self, Call};
use crate::hosts::in_process::Status;

fn call(text: &str) -> Call {
    trace::parse_call(text).expect("a call line")
}

fn id(evidence: &Evidence) -> Option<&'static str> {
    accepted(evidence).map(|entry| entry.id)
}

fn trapped(why: &str, other: &str, subject: Subject) -> Option<&'static str> {
    id(&Evidence::NativeTrapped { why, other: &call(other), subject, memory_pages: Some(17) })
}

fn line(native: &str, other: &str) -> Option<&'static str> {
    id(&Evidence::Line { native: &call(native), other: &call(other) })
}

#[test]
fn exit_codes_beyond_native() {
    let status = |native: Status, other: Status, requested| id(&Evidence::Status { native: &native, other: &other, requested });
    let trap = || Status::Trapped("invalid exit status 300".into());
    assert_eq!(status(trap(), Status::Exited(255), Some(300)), Some("exit-code-beyond-native"));
    assert_eq!(status(trap(), Status::Exited(200), Some(200)), Some("exit-code-beyond-native"));
    assert_eq!(status(trap(), Status::Exited(254), Some(300)), None, "a code other than the one asked");
    assert_eq!(status(trap(), Status::Exited(100), Some(100)), None, "a code native accepts");
    assert_eq!(status(Status::Trapped("unreachable".into()), Status::Exited(200), Some(200)), None, "another trap");
}

/// The same entry as `crate::differential` applies it, from the two statuses
/// alone.
#[test]
fn exit_codes_beyond_native_in_differential() {
    let status = |native: Status, ours: Status| crate::differential::exit_status_entry(&native, &ours).map(|entry| entry.id);
    let refused = || Status::Trapped("exit with invalid exit status outside of [0..126)".into());
    assert_eq!(status(refused(), Status::Exited(126)), Some("exit-code-beyond-native"));
    assert_eq!(status(refused(), Status::Exited(255)), Some("exit-code-beyond-native"));
    assert_eq!(status(refused(), Status::Exited(125)), None, "a code native accepts");
    assert_eq!(status(refused(), Status::Exited(256)), None, "a code other than the rule's (255 at most)");
    assert_eq!(status(refused(), Status::Exited(-1)), None, "a code no request gives");
    assert_eq!(status(Status::Trapped("unreachable".into()), Status::Exited(200)), None, "another trap");
    assert_eq!(status(Status::Exited(1), Status::Exited(200)), None, "native did not refuse");
}

#[test]
fn bad_pointers_native_traps_on() {
    let oob = "Pointer out of bounds: Region { start: 4294967295, len: 4 }";
    let wild = "3@9 fd_read(3, a+0 [a+8:4294967295], 1, a+16) -> 21 w0:cbf29ce484222325";
    assert_eq!(trapped(oob, wild, Subject::Ours), Some("native-traps-on-bad-pointer"));
    let other_errno = "3@9 fd_read(3, a+0 [a+8:4294967295], 1, a+16) -> 8 w0:cbf29ce484222325";
    assert_eq!(trapped(oob, other_errno, Subject::Ours), None, "another errno");
    let wrote = "3@9 fd_read(3, a+0 [a+8:4294967295], 1, a+16) -> 21 w4:0123456789abcdef";
    assert_eq!(trapped(oob, wrote, Subject::Ours), None, "a byte written");
    let fd_only = "3@9 fd_read(4294967295, a+0 [a+8:16], 1, a+16) -> 21 w0:cbf29ce484222325";
    assert_eq!(trapped(oob, fd_only, Subject::Ours), None, "an fd that prints like a wild length");
    let size_only = "3@9 fd_allocate(3, 4294967295, 16777216) -> 21 w0:cbf29ce484222325";
    assert_eq!(trapped(oob, size_only, Subject::Ours), None, "sizes that print like wild lengths");
    let path = "3@9 path_unlink_file(3, a+0 \"a.txt\", 4294967295) -> 21 w0:cbf29ce484222325";
    assert_eq!(trapped(oob, path, Subject::Ours), Some("native-traps-on-bad-pointer"));
}

#[test]
fn drop_in_memory_beyond_native() {
    // 17 pages end at 1114112; the buffer runs 16 MiB from just below.
    let why = "Pointer out of bounds: Region { start: 1114000, len: 16777216 }";
    let call = "3@9 random_get(a+0, 16777216) -> 0 w9:0123456789abcdef";
    assert_eq!(trapped(why, call, Subject::Ours), Some("drop-in-memory-beyond-native"));
    assert_eq!(trapped(why, call, Subject::OursPrepared), None, "prepared, ours leaves no gap");
    let far = "Pointer out of bounds: Region { start: 1114000, len: 2147483648 }";
    assert_eq!(trapped(far, "3@9 random_get(a+0, 2147483648) -> 0 w9:0123456789abcdef", Subject::Ours), None, "beyond the gap");
}

#[test]
fn bad_pointer_reported_first() {
    let native = "2@5 path_open(99, 0x0, a+0 \"a.txt\", 4294967295, 0x0, 0x0, 0x0, 0x0, a+8) -> 8 w0:cbf29ce484222325";
    let ours = "2@5 path_open(99, 0x0, a+0 \"a.txt\", 4294967295, 0x0, 0x0, 0x0, 0x0, a+8) -> 21 w0:cbf29ce484222325";
    assert_eq!(line(native, ours), Some("bad-pointer-reported-first"));
    let native_ok = native.replace("-> 8", "-> 0");
    assert_eq!(line(&native_ok, ours), None, "native succeeded");
    let ours_wrote = ours.replace("w0:cbf29ce484222325", "w1:0123456789abcdef");
    assert_eq!(line(native, &ours_wrote), None, "a byte written");
    let valid = |text: &str| text.replace("4294967295", "5");
    let fd_wild = |text: &str| valid(text).replace("(99,", "(4294967295,");
    assert_eq!(line(&fd_wild(native), &fd_wild(ours)), None, "an fd that prints like a wild length, valid buffers");
}

#[test]
fn bad_buffer_checked_whole() {
    let native = "4@11 fd_read(3, a+0 [a+8:2147483648], 1, a+16) -> 0 =0 w4:0123456789abcdef";
    let ours = "4@11 fd_read(3, a+0 [a+8:2147483648], 1, a+16) -> 21 w0:cbf29ce484222325";
    assert_eq!(line(native, ours), Some("bad-buffer-checked-whole"));
    assert_eq!(line(&native.replace("fd_read", "fd_write"), &ours.replace("fd_read", "fd_write")), None, "a write");
    assert_eq!(line(native, &ours.replace("-> 21", "-> 8")), None, "another errno");
}

#[test]
fn undefined_values_native_traps_on() {
    let why = "Invalid flag value 4294967295";
    let ours = "6@30 fd_fdstat_set_flags(4, 0xffffffff) -> 28 w0:cbf29ce484222325";
    assert_eq!(trapped(why, ours, Subject::Ours), Some("native-traps-on-undefined-value"));
    assert_eq!(trapped(why, &ours.replace("-> 28", "-> 0"), Subject::Ours), None, "ours succeeded");
    assert_eq!(trapped(why, &ours.replace("w0:cbf29ce484222325", "w2:0123456789abcdef"), Subject::Ours), None, "a byte written");
}

#[test]
fn unaligned_pointers() {
    let why = "Pointer not aligned to 8: Region { start: 1048577, len: 8 }";
    let ours = "7@40 fd_tell(3, a+1) -> 0 =0 w8:0123456789abcdef";
    assert_eq!(trapped(why, ours, Subject::Ours), Some("native-traps-on-unaligned-pointer"));
    assert_eq!(trapped(why, &ours.replace("a+1", "a+8"), Subject::Ours), None, "no misaligned offset in the call");
}

#[test]
fn undefined_rights() {
    let why = "out of range integral type conversion attempted";
    let ours = "8@50 path_open(3, 0x0, a+0 \"a.txt\", 5, 0x0, 0xffffffffffffffff, 0x0, 0x0, a+8) -> 0 =5 w4:0123456789abcdef";
    assert_eq!(trapped(why, ours, Subject::Ours), Some("native-traps-on-undefined-rights"));
    let defined = ours.replace("0xffffffffffffffff", "0x3fffffff");
    assert_eq!(trapped(why, &defined, Subject::Ours), None, "every rights bit defined (sock_accept, bit 29, included)");
    let flags = defined.replace("0x0, 0x3fffffff", "0xffffffff, 0x3fffffff");
    assert_eq!(trapped(why, &flags, Subject::Ours), None, "undefined oflags, not rights, and ours succeeded");
}

#[test]
fn overlapping_outputs() {
    let native = "1@2 args_get(a+0, a+8) -> 0 w40:0123456789abcdef";
    assert_eq!(line(native, "1@2 args_get(a+0, a+8) -> 0 w40:fedcba9876543210"), Some("overlapping-list-outputs"));
    assert_eq!(line(native, "1@2 args_get(a+0, a+8) -> 21 w0:cbf29ce484222325"), None, "another errno");
    assert_eq!(
        line("1@2 args_get(a+0, a+4096) -> 0 w40:0123456789abcdef", "1@2 args_get(a+0, a+4096) -> 0 w40:fedcba9876543210"),
        None,
        "apart, the results must agree"
    );
    let poll = "2@9 poll_oneoff(a+0 [clock(0, 0, 0, 0x0)], a+16, 1, a+64)";
    let native = format!("{poll} -> 0 =1 w36:0123456789abcdef");
    assert_eq!(line(&native, &format!("{poll} -> 0 =1 w36:fedcba9876543210")), Some("overlapping-poll-buffers"));
    let apart = "2@9 poll_oneoff(a+0 [clock(0, 0, 0, 0x0)], a+4096, 1, a+64)";
    let native_apart = format!("{apart} -> 0 =1 w36:0123456789abcdef");
    assert_eq!(line(&native_apart, &format!("{apart} -> 0 =1 w36:fedcba9876543210")), None, "apart, the results must agree");
}
