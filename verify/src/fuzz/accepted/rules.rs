//! The accepted differences: what an entry looks at, the table itself and
//! the predicates its entries share.

use crate::fuzz::recheck::{self, Recheck};
use crate::fuzz::trace::{Arg, Call, Item, Ptr, errno};
use crate::fuzz::{Adjust, Subject};
use crate::hosts::in_process::Status;

/// Bumped whenever an entry is added, removed or changed.
pub const ACCEPTED_VERSION: u32 = 4;

/// What an entry looks at.
pub enum Evidence<'a> {
    /// The same call (same step, same input offset) gave different lines.
    Line { native: &'a Call, other: &'a Call },
    /// Native p1 trapped in the call `other` then answered (native's trace
    /// stops just before it). `subject` is who answered; `memory_pages`,
    /// the size of memory when the driver started.
    NativeTrapped { why: &'a str, other: &'a Call, subject: Subject, memory_pages: Option<u64> },
    /// Traces, stderr and trees agree; the exit status does not.
    /// `requested` is the code of a `proc_exit` both traces end with.
    Status { native: &'a Status, other: &'a Status, requested: Option<u32> },
}

/// One accepted difference.
pub struct Accepted {
    pub id: &'static str,
    /// What native p1 does, and what ours does instead.
    pub situation: &'static str,
    pub why: &'static str,
    pub matches: fn(&Evidence) -> bool,
    /// The second oracle that must agree before the entry applies.
    pub recheck: Recheck,
}

/// The list, in the order entries are tried.
pub const ACCEPTED: &[Accepted] = &[
    Accepted {
        id: "exit-code-beyond-native",
        situation: "proc_exit(n) with n >= 126: native traps, ours exits with n (255 for n > 255)",
        why: "p1 puts no limit on exit codes (126 and above is wasmtime's own refusal); ours passes them on as a \
              POSIX exit does, and a code no exit status can hold still ends as a failure",
        matches: |evidence| {
            matches!(evidence, Evidence::Status { native: Status::Trapped(why), other: Status::Exited(code), requested: Some(n) }
                if why.contains("invalid exit status") && *n >= 126 && i64::from(*code) == i64::from(*n).min(255))
        },
        recheck: Recheck::None,
    },
    Accepted {
        id: "native-traps-on-bad-pointer",
        situation: "a pointer or length reaching past the end of memory: native traps, ours answers EFAULT",
        why: "an errno lets the program carry on and report; p1 defines EFAULT for exactly this",
        matches: |evidence| {
            matches!(evidence, Evidence::NativeTrapped { why, other, .. }
                if other.errno == errno::FAULT
                    && nothing_written(other)
                    && ["Pointer out of bounds", "Pointer overflow", "exceeds limit"].iter().any(|m| why.contains(m))
                    && has_wild_argument(other))
        },
        recheck: Recheck::WithoutTheCall,
    },
    Accepted {
        id: "drop-in-memory-beyond-native",
        situation: "ours linked drop-in (without adapt) only: a buffer that runs from the guest's memory past its end, \
                    no further than the 64 MiB ours leaves to the guest below its own pages: native traps, ours \
                    makes the call",
        why: "drop-in, those pages are memory the guest has (a heap that takes memory by address, as Go's does, \
              lives there), so the call is valid; native p1's memory simply ends sooner",
        matches: |evidence| {
            let Evidence::NativeTrapped { why, other, subject: Subject::Ours, memory_pages: Some(pages) } = evidence else {
                return false;
            };
            let Some((start, len)) = out_of_bounds_region(why) else { return false };
            let guest_end = pages * 65536;
            start < guest_end && start + len > guest_end && start + len <= guest_end + DROP_IN_GAP && has_wild_argument(other)
        },
        recheck: Recheck::None,
    },
    Accepted {
        id: "bad-pointer-reported-first",
        situation: "a call with a bad pointer or length and another error (bad fd, wrong file type, unsupported flag, \
                    native's 64 MiB string limit): native reports the other error, ours EFAULT; neither does anything",
        why: "p1 does not order its checks; ours checks memory first so that a call with a bad pointer never has an effect",
        matches: |evidence| {
            matches!(evidence, Evidence::Line { native, other }
                if other.errno == errno::FAULT
                    && native.errno != errno::SUCCESS
                    && native.same_call(other)
                    && has_wild_argument(other)
                    && nothing_written(native)
                    && nothing_written(other))
        },
        recheck: Recheck::BothAdjusted(Adjust::ValidPointers),
    },
    Accepted {
        id: "bad-buffer-checked-whole",
        situation: "a read (fd_read, fd_pread, fd_readdir, path_readlink) into a buffer that runs past the end of \
                    memory, when what there is to read fits in its valid part (or there is nothing, as at end of \
                    file): native succeeds, having checked only the bytes it wrote; ours EFAULT",
        why: "ours checks the whole buffer the program declared before reading, so the answer does not depend on \
              what the file holds and no byte read is lost",
        matches: |evidence| {
            matches!(evidence, Evidence::Line { native, other }
                if ["fd_read", "fd_pread", "fd_readdir", "path_readlink"].contains(&native.name.as_str())
                    && native.errno == errno::SUCCESS
                    && other.errno == errno::FAULT
                    && native.same_call(other)
                    && has_wild_argument(other)
                    && nothing_written(other))
        },
        recheck: Recheck::BothAdjusted(Adjust::ValidPointers),
    },
    Accepted {
        id: "native-traps-on-undefined-value",
        situation: "a flag bit or enum value p1 does not define, or one too wide for its type: native traps, \
                    ours fails the call having done nothing (EINVAL, or EBADF when the fd is bad too)",
        why: "EINVAL is POSIX's answer to an invalid argument; an errno lets the program carry on",
        matches: |evidence| {
            matches!(evidence, Evidence::NativeTrapped { why, other, .. }
                if other.errno != errno::SUCCESS
                    && nothing_written(other)
                    && ["Invalid flag value", "Invalid enum value", "out of range integral type conversion"]
                        .iter()
                        .any(|m| why.contains(m)))
        },
        recheck: Recheck::WithoutTheCall,
    },
    Accepted {
        id: "native-traps-on-unaligned-pointer",
        situation: "a pointer to a value wider than a byte that is not aligned to its size: native traps, ours makes the call \
                    and answers what native answers with the pointer aligned",
        why: "wasm memory has no alignment rule and the value lands where asked; upstream does the same",
        matches: |evidence| {
            matches!(evidence, Evidence::NativeTrapped { why, other, .. }
                if why.contains("Pointer not aligned") && recheck::has_odd_offset(other))
        },
        recheck: Recheck::NativeAdjusted(Adjust::Aligned),
    },
    Accepted {
        id: "native-traps-on-undefined-rights",
        situation: "rights bits p1 does not define (path_open, fd_fdstat_set_rights): native traps, ours ignores them \
                    and answers what native answers with the rights masked to the defined bits",
        why: "rights only choose read and write access in WASI 0.2; a program passing all bits set still gets its file",
        matches: |evidence| {
            matches!(evidence, Evidence::NativeTrapped { why, other, .. }
                if why.contains("out of range integral type conversion")
                    && (other.name == "path_open" || other.name == "fd_fdstat_set_rights")
                    && recheck::has_undefined_rights(other))
        },
        recheck: Recheck::NativeAdjusted(Adjust::DefinedRights),
    },
    Accepted {
        id: "overlapping-list-outputs",
        situation: "args_get/environ_get with a pointer array overlapping the string buffer: what is left where they overlap differs",
        why: "native writes each pointer before its string, ours all strings first; overlapping them is a program error with no defined result",
        matches: |evidence| {
            let Evidence::Line { native, other } = evidence else { return false };
            let (count, size) = match native.name.as_str() {
                "args_get" => list_sizes(crate::fuzz::ARGS.iter().map(|arg| arg.len() + 1)),
                "environ_get" => list_sizes(crate::fuzz::ENV.iter().map(|(k, v)| k.len() + v.len() + 2)),
                _ => return false,
            };
            let offsets: Vec<u64> = native.arena_offsets().collect();
            native.errno == other.errno
                && native.same_call(other)
                && matches!(offsets[..], [array, buf] if array < buf + size && buf < array + 4 * count)
        },
        recheck: Recheck::BothAdjusted(Adjust::Apart),
    },
    Accepted {
        id: "overlapping-poll-buffers",
        situation: "poll_oneoff with the event buffer overlapping the subscriptions: what lands where they overlap differs",
        why: "the two read subscriptions and write events in a different order; overlapping them is a program \
              error with no defined result",
        matches: |evidence| {
            let Evidence::Line { native, other } = evidence else { return false };
            // poll_oneoff(SUBS [DESCRIPTION], EVENTS, COUNT, OUT)
            let count = match native.args.get(2) {
                Some(Arg::Number(count)) => u64::try_from(*count).unwrap_or(0),
                _ => 0,
            };
            let offsets: Vec<u64> = native.arena_offsets().collect();
            native.name == "poll_oneoff"
                && native.same_call(other)
                && matches!(offsets[..], [subs, events, ..] if subs < events + 32 * count && events < subs + 48 * count)
        },
        recheck: Recheck::BothAdjusted(Adjust::Apart),
    },
];

/// The pages ours leaves to the guest below its home block when linked
/// drop-in (adapter/src/memory/placement.rs).
pub(super) const DROP_IN_GAP: u64 = 64 << 20;

/// `start` and `len` of native p1's `Pointer out of bounds: Region { start:
/// S, len: L }` trap.
fn out_of_bounds_region(why: &str) -> Option<(u64, u64)> {
    let region = why.split_once("Pointer out of bounds: Region { start: ")?.1;
    let (start, rest) = region.split_once(", len: ")?;
    let len = rest.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((start.parse().ok()?, len.parse().ok()?))
}

/// The list as a Markdown table (docs/fuzzing.md's).
pub fn markdown_table() -> String {
    let mut out = String::from("| entry | situation | second oracle | why ours |\n|---|---|---|---|\n");
    for entry in ACCEPTED {
        out.push_str(&format!("| `{}` | {} | {} | {} |\n", entry.id, entry.situation, entry.recheck.describe(), entry.why));
    }
    out
}

fn list_sizes(lengths: impl Iterator<Item = usize>) -> (u64, u64) {
    lengths.fold((0, 0), |(count, size), len| (count + 1, size + len as u64))
}

/// Whether a call changed no byte of the arena.
fn nothing_written(call: &Call) -> bool {
    call.changed == 0
}

/// Whether a call has a wild pointer, or a length past any memory where a
/// length goes: after a pointer (`PTR, LEN`, `PTR "PATH", LEN`) or in an
/// iovec (`PTR:LEN`). An fd or size that merely is the same number does not
/// count.
fn has_wild_argument(call: &Call) -> bool {
    const WILD_LENGTHS: [i128; 3] = [2147483648, 4294967295, 16777216];
    let is_pointer = |arg: &Arg| matches!(arg, Arg::Pointer(_) | Arg::Path(..) | Arg::Array(..));
    let after_pointer = call.args.windows(2).any(|pair| is_pointer(&pair[0]) && matches!(pair[1], Arg::Number(n) if WILD_LENGTHS.contains(&n)));
    let in_iovec = call.args.iter().any(|arg| match arg {
        Arg::Array(_, items) => items.iter().any(|item| matches!(item, Item::Buffer(_, len) if WILD_LENGTHS.contains(&i128::from(*len)))),
        _ => false,
    });
    call.pointers().any(|ptr| matches!(ptr, Ptr::Wild(_))) || after_pointer || in_iovec
}

/// The first entry that matches `evidence`.
pub(super) fn accepted(evidence: &Evidence) -> Option<&'static Accepted> {
    ACCEPTED.iter().find(|entry| (entry.matches)(evidence))
}

/// The entry that explains `other` ending with another exit status than
/// native p1, if one does; `requested` is the code proc_exit was asked for,
/// when known. `crate::differential` judges exit statuses with it too.
pub fn for_exit_status(native: &Status, other: &Status, requested: Option<u32>) -> Option<&'static Accepted> {
    accepted(&Evidence::Status { native, other, requested })
}
