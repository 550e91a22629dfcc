//! Second oracles for accepted differences: where native p1 trapped or two
//! errors competed, a rerun of the same program, changed in one named way,
//! says what the call should have done, and everything after it is judged
//! too.
//!
//! - without the call: ours answered an errno having done nothing, so the
//!   program must go on as native p1 goes on without that call;
//! - native adjusted: both again with the call's rights masked to the
//!   defined bits, or its misaligned wide values aligned; ours must not
//!   change (`unchanged_by`), and ours adjusted is judged against native
//!   adjusted in full;
//! - both adjusted: a bad pointer made valid; ours and native p1 must then
//!   answer alike.

use super::trace::{self, Arg, Call, Item, Kind, Line, Ptr};
use super::{Adjust, Run};

/// Which second oracle an accepted entry has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recheck {
    /// None exists (an exit status, memory only ours has, a program error
    /// with no defined result); the entry's own conditions are all.
    None,
    WithoutTheCall,
    NativeAdjusted(Adjust),
    BothAdjusted(Adjust),
}

impl Recheck {
    /// What the second oracle is, for docs/fuzzing.md's table.
    pub fn describe(self) -> &'static str {
        match self {
            Recheck::None => "none: the entry's own conditions are all",
            Recheck::WithoutTheCall => "native p1 run without that call: the rest of ours' run must equal it",
            Recheck::NativeAdjusted(Adjust::DefinedRights) => {
                "both run again with the rights masked to the 30 bits p1 defines: ours' run must not change (but for \
                 the rights printed), and ours masked is judged against native masked in full"
            }
            Recheck::NativeAdjusted(Adjust::Aligned) => {
                "both run again with the wide values aligned: ours' run must not change (the call's errno, and its \
                 values where no two of its buffers may overlap), and ours aligned is judged against native aligned \
                 in full"
            }
            Recheck::NativeAdjusted(_) => "both run again with the call adjusted: ours must not change, and is judged against native",
            Recheck::BothAdjusted(Adjust::ValidPointers) => {
                "ours and native p1 run with the bad pointer or length made valid must make the call alike"
            }
            Recheck::BothAdjusted(Adjust::Apart) => {
                "ours and native p1 run with the two buffers apart must make the call alike, and ours' first \
                 answer (errno and values) must be theirs"
            }
            Recheck::BothAdjusted(_) => "ours and native p1 run with the call adjusted must make it alike",
        }
    }
}

/// `input` without the bytes of `call`: from its opcode to the next call's
/// (or the end). Returns the shorter input and the removed length.
pub fn input_without(input: &[u8], lines: &[Line], call: &Call) -> (Vec<u8>, usize) {
    // The next call may be a `proc_exit`, whose line has a position but no result.
    let next = lines.iter().filter_map(Line::position).find(|(step, _)| *step == call.step + 1);
    let start = call.at.min(input.len());
    let end = next.map_or(input.len(), |(_, at)| at.min(input.len())).max(start);
    let mut shorter = input[..start].to_vec();
    shorter.extend_from_slice(&input[end..]);
    (shorter, end - start)
}

/// The adjustments of a run after `step` is removed: later steps move up.
pub fn adjustments_without(adjustments: &[(u32, Adjust)], step: u32) -> Vec<(u32, Adjust)> {
    adjustments.iter().filter(|(at, _)| *at != step).map(|&(at, kind)| (if at > step { at - 1 } else { at }, kind)).collect()
}

/// Rewrites the trace lines of `lines` (`run`'s) with `edit` (which gets
/// each one and returns its new text, or `None` to drop it), marking them
/// for `new_input`. What the program itself wrote stays as it was.
pub fn rewrite_trace(run: &Run, lines: &[Line], new_input: &[u8], mut edit: impl FnMut(&Line) -> Option<String>) -> Run {
    let new_mark = trace::mark(new_input);
    let mut out = String::new();
    for line in lines {
        if line.kind == Kind::Output {
            out.push_str(&line.text);
        } else if let Some(text) = edit(line) {
            out.push_str(&new_mark);
            out.push_str(&text);
        }
    }
    let mut rewritten = run.clone();
    rewritten.outcome.stdout = out.into_bytes();
    rewritten
}

/// A trace line after `removed_step`'s call (`removed_len` input bytes)
/// was taken out of the input: that call's line is dropped and later ones
/// get their `STEP@AT` prefix moved up. Works on every line with such a
/// prefix, the final `proc_exit(N)` (which has no result) included.
pub fn renumber(line: &Line, removed_step: u32, removed_len: usize) -> Option<String> {
    let Some((step, at)) = line.position() else {
        return Some(line.text.clone());
    };
    if step == removed_step {
        return None;
    }
    if step < removed_step {
        return Some(line.text.clone());
    }
    let prefix = format!("{step}@{at}");
    let renumbered = format!("{}@{}", step - 1, at.saturating_sub(removed_len));
    Some(line.text.replacen(&prefix, &renumbered, 1))
}

/// Whether `subject`'s rerun with `kind` applied to `call` shows that the
/// adjustment changed nothing for it: the same trace, exit status and
/// stderr, that call's adjusted arguments aside (rights masked, offsets
/// aligned). Aligned, the call's bytes land elsewhere, so its values are
/// compared and not its arena changes; where two of its buffers may
/// overlap, only its errno is, and not what it wrote to stdout or stderr: moving one
/// buffer changes what an overlapping one reads back, and what later calls
/// read of what it wrote to a file: those are compared by their values.
///
/// `original` is a run on `input` and `lines` its trace. Returns what
/// differs: the original's text and the rerun's.
pub fn unchanged_by(kind: Adjust, call: &Call, original: &Run, lines: &[Line], rerun: &Run, input: &[u8]) -> Result<(), Parted> {
    let rerun_lines = trace::parse(&rerun.outcome.stdout, input);
    let status = |run: &Run| format!("{} {}", run.outcome.status, String::from_utf8_lossy(&run.outcome.stderr));
    let Some(rerun_call) = rerun_lines.iter().filter_map(Line::call).find(|c| c.step == call.step) else {
        return Err(Parted { call: Some(call.name.clone()), original: call.to_string(), rerun: status(rerun) });
    };
    let crowded = kind == Adjust::Aligned && (crowded(call) || crowded(rerun_call));
    // Past the arena lie the moat and the driver's own snapshot of the
    // arena, where the aligned call's bytes moved too: what a later call
    // copies out from there (to stdout, stderr or a file) may differ, so its
    // values are compared, and not its output.
    let copies_past_the_arena = |c: &Call| kind == Adjust::Aligned && c.step > call.step && trace::past_the_arena(c);
    let past_the_arena = lines.iter().chain(&rerun_lines).filter_map(Line::call).any(copies_past_the_arena);
    // A later call that stored bytes past the arena (drop-in, into memory
    // only ours has) wrote over the driver's own heap: random bytes, or what
    // a read brought, differ from run to run, and so does whatever the
    // driver does after. The two runs are compared through that call.
    let wrecked_at =
        lines.iter().chain(&rerun_lines).filter_map(Line::call).filter(|c| c.step > call.step && stores_past_the_arena(c)).map(|c| c.step).min();
    let lines = through_step(lines, wrecked_at);
    let rerun_lines = through_step(&rerun_lines, wrecked_at);
    let adjusted_made = |c: &Call| match kind {
        Adjust::DefinedRights => rights_masked(c, &call.name).made(),
        Adjust::Aligned => with_aligned_offsets(c).made(),
        Adjust::ValidPointers | Adjust::Apart => c.made(),
    };
    // Each compared line's text, with its call if that is shown as its line.
    let comparable = |lines: &[Line]| -> Vec<(String, Option<String>)> {
        // A call's own output comes before its line.
        let own_output = |at: usize| {
            let from = lines[..at].iter().rposition(|line| line.call().is_some() || line.is_start()).map_or(0, |i| i + 1);
            from..at
        };
        let at = lines.iter().position(|line| line.call().is_some_and(|c| c.step == call.step));
        let mut uncompared: Vec<std::ops::Range<usize>> = at.filter(|_| crowded).map(own_output).into_iter().collect();
        for (index, line) in lines.iter().enumerate() {
            if line.call().is_some_and(copies_past_the_arena) {
                uncompared.push(own_output(index));
            }
        }
        lines
            .iter()
            .enumerate()
            .filter(|(index, _)| !uncompared.iter().any(|range| range.contains(index)))
            .map(|(_, line)| match line.call() {
                Some(c) if c.step == call.step && crowded => (format!("{} -> {}", adjusted_made(c), c.errno), None),
                Some(c) if c.step == call.step && kind == Adjust::Aligned => {
                    (format!("{} -> {} {}", adjusted_made(c), c.errno, c.shown_returned()), None)
                }
                Some(c) if c.step == call.step => (format!("{} -> {} {}", adjusted_made(c), c.errno, c.result()), None),
                // Random bytes past the arena land on the driver's own copy of
                // it, so what such a call changed differs from run to run.
                Some(c) if c.name == "random_get" => (format!("{} -> {} {}", c.made(), c.errno, c.shown_returned()), None),
                // Crowded, what the call wrote to a file may differ too, and
                // so what later reads of it bring: their values are compared.
                Some(c) if crowded || copies_past_the_arena(c) => (format!("{} -> {} {}", c.made(), c.errno, c.shown_returned()), None),
                _ => (line.text.trim_end().to_string(), line.call().map(|c| c.name.clone())),
            })
            .collect()
    };
    // Crowded, the call's own output may differ, and stderr with it; so may
    // what a later call copied from past the arena.
    let status = |run: &Run| if crowded || past_the_arena { run.outcome.status.to_string() } else { status(run) };
    if wrecked_at.is_none() && status(original) != status(rerun) {
        return Err(Parted { call: None, original: status(original), rerun: status(rerun) });
    }
    let (texts, rerun_texts) = (comparable(&lines), comparable(&rerun_lines));
    match texts.iter().zip(&rerun_texts).find(|(a, b)| a.0 != b.0) {
        Some((a, b)) => Err(Parted { call: a.1.clone().or_else(|| b.1.clone()), original: a.0.clone(), rerun: b.0.clone() }),
        None if texts.len() != rerun_texts.len() => {
            Err(Parted { call: None, original: format!("{} lines", texts.len()), rerun: format!("{} lines", rerun_texts.len()) })
        }
        None => Ok(()),
    }
}

/// Where a rerun parts from the run it checks: what each shows there, and
/// the call whose line that is, if either shows one.
#[derive(Clone, Debug)]
pub struct Parted {
    pub call: Option<String>,
    pub original: String,
    pub rerun: String,
}

/// Whether a call stored bytes past the arena: `random_get` by its length,
/// a read by the count it returned.
fn stores_past_the_arena(call: &Call) -> bool {
    match call.name.as_str() {
        "random_get" => match call.args[..] {
            [Arg::Pointer(Ptr::Arena(offset)), Arg::Number(len), ..] => i128::from(offset) + len > i128::from(trace::ARENA_LEN),
            _ => false,
        },
        "fd_read" | "fd_pread" | "sock_recv" | "fd_readdir" | "path_readlink" => trace::past_the_arena(call),
        _ => false,
    }
}

/// The lines up to the call of step `last` (all of them without one).
fn through_step(lines: &[Line], last: Option<u32>) -> Vec<Line> {
    let Some(last) = last else { return lines.to_vec() };
    let end = lines.iter().position(|line| line.call().is_some_and(|c| c.step == last)).map_or(lines.len(), |at| at + 1);
    lines[..end].to_vec()
}

/// `call` with every rights argument masked to the bits p1 defines.
pub fn with_defined_rights(call: &Call) -> Call {
    rights_masked(call, &call.name)
}

/// Whether `call` passes rights bits p1 does not define.
pub fn has_undefined_rights(call: &Call) -> bool {
    with_defined_rights(call) != *call
}

/// `call` with the rights arguments of a call named `name` masked.
fn rights_masked(call: &Call, name: &str) -> Call {
    let positions: &[usize] = match name {
        "path_open" => &[5, 6],
        "fd_fdstat_set_rights" => &[1, 2],
        _ => &[],
    };
    let mut masked = call.clone();
    for (index, arg) in masked.args.iter_mut().enumerate() {
        if let Arg::Bits(bits) = arg
            && positions.contains(&index)
        {
            *bits &= DEFINED_RIGHTS;
        }
    }
    masked
}

/// The rights bits p1 defines (the driver's `DEFINED_RIGHTS`).
pub const DEFINED_RIGHTS: u64 = 0x3FFF_FFFF;

/// The driver's misaligned arena offsets and what `Adjust::Aligned` makes
/// of them.
const ODD_OFFSETS: [(u32, u32); 4] = [(1, 0), (3, 0), (6, 0), (8190, 8184)];

/// `call` with every one of the driver's misaligned arena offsets aligned
/// as `Adjust::Aligned` aligns wide ones: two calls that differ only in
/// which offsets were aligned come out the same.
pub fn with_aligned_offsets(call: &Call) -> Call {
    let align = |ptr: &mut Ptr| {
        if let Ptr::Arena(offset) = ptr
            && let Some((_, aligned)) = ODD_OFFSETS.iter().find(|(odd, _)| odd == offset)
        {
            *offset = *aligned;
        }
    };
    let mut aligned = call.clone();
    for arg in &mut aligned.args {
        match arg {
            Arg::Pointer(ptr) | Arg::Path(ptr, _) => align(ptr),
            Arg::Array(ptr, items) => {
                align(ptr);
                for item in items {
                    if let Item::Buffer(ptr, _) = item {
                        align(ptr);
                    }
                }
            }
            Arg::Number(_) | Arg::Bits(_) => {}
        }
    }
    aligned
}

/// Whether two of the arena offsets of `call` are closer than the widest
/// value a call writes (a 64-byte filestat), so their buffers may overlap.
pub fn crowded(call: &Call) -> bool {
    let mut offsets: Vec<u64> = call.arena_offsets().collect();
    offsets.sort_unstable();
    offsets.windows(2).any(|pair| pair[1] - pair[0] < 64)
}

/// Whether `call` passes a misaligned arena offset.
pub fn has_odd_offset(call: &Call) -> bool {
    call.arena_offsets().any(|offset| ODD_OFFSETS.iter().any(|(odd, _)| u64::from(*odd) == offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Call {
        trace::parse_call(text).expect("a call line")
    }

    #[test]
    fn rights_are_masked_only_where_rights_are() {
        let open = call("4@20 path_open(3, 0x0, a+0 \"a.txt\", 5, 0xffffffff, 0xffffffffffffffff, 0x1fffffff, 0x0, a+8) -> 0 w4:0000000000000001");
        assert_eq!(with_defined_rights(&open).made(), "path_open(3, 0x0, a+0 \"a.txt\", 5, 0xffffffff, 0x3fffffff, 0x1fffffff, 0x0, a+8)");
        assert!(has_undefined_rights(&open));
        let set = call("1@2 fd_fdstat_set_rights(5, 0xffffffffffffffff, 0x0) -> 0 w0:0000000000000001");
        assert_eq!(with_defined_rights(&set).made(), "fd_fdstat_set_rights(5, 0x3fffffff, 0x0)");
        assert!(!has_undefined_rights(&with_defined_rights(&set)));
    }

    #[test]
    fn odd_offsets_are_aligned_and_others_kept() {
        let made = |made: &str| call(&format!("0@0 {made} -> 0 w0:cbf29ce484222325"));
        let write = made("fd_write(1, a+3 [a+16:7 a+1:2], 2, a+8190)");
        assert_eq!(with_aligned_offsets(&write).made(), "fd_write(1, a+0 [a+16:7 a+0:2], 2, a+8184)");
        assert!(has_odd_offset(&made("fd_tell(3, a+6)")) && has_odd_offset(&write));
        assert!(!has_odd_offset(&made("fd_tell(3, a+16)")) && !has_odd_offset(&made("fd_tell(3, a+100)")));
        assert!(crowded(&made("args_sizes_get(a+1, a+0)")) && crowded(&made("fd_read(3, a+64 [a+100:8], 1, a+1000)")));
        assert!(!crowded(&made("args_sizes_get(a+1, a+1000)")) && !crowded(&made("fd_tell(3, a+6)")));
    }

    /// Aligned, a later call that writes from past the arena (over the
    /// driver's snapshot of it) may write other bytes; its values must still
    /// agree, and so must everything else.
    #[test]
    fn aligned_writes_from_past_the_arena_are_judged_by_their_values() {
        let input = b"xyz";
        let m = trace::mark(input);
        let run = |prestat: &str, written: &str, stderr: &str| {
            Run {
            subject: super::super::Subject::Ours,
            outcome: crate::hosts::in_process::Outcome {
                status: crate::hosts::in_process::Status::Exited(0),
                stdout: format!(
                    "{m}input 3 bytes, memory 20 pages\n{m}0@0 fd_prestat_get(4, {prestat}) -> 0 w5:0000000000000001\n{m}1@3 fd_write(2, a+64 [a+65520:16777216], 1, a+0) -> 0 ={written} w4:0000000000000002\n"
                )
                .into_bytes(),
                stderr: stderr.as_bytes().to_vec(),
            },
            trees: Vec::new(),
        }
        };
        let original = run("a+3", "16777216", "the snapshot with the value at a+3");
        let lines = trace::parse(&original.outcome.stdout, input);
        let call = lines[1].call().expect("a call").clone();
        let unchanged = |kind, rerun: &Run| unchanged_by(kind, &call, &original, &lines, rerun, input);
        assert!(unchanged(Adjust::Aligned, &run("a+0", "16777216", "the snapshot with the value at a+0")).is_ok());
        assert!(unchanged(Adjust::Aligned, &run("a+0", "4096", "the snapshot with the value at a+0")).is_err(), "a value differs");
        assert!(unchanged(Adjust::ValidPointers, &run("a+3", "16777216", "other bytes")).is_err(), "not aligned");
    }

    /// After a call that stored random bytes past the arena (over the
    /// driver's heap), runs are compared through that call only; a
    /// difference before it still counts.
    #[test]
    fn runs_are_compared_through_a_call_that_wrecked_the_driver() {
        let input = b"xyz";
        let m = trace::mark(input);
        let run = |first: &str, after: &str, status: i32| Run {
            subject: super::super::Subject::Ours,
            outcome: crate::hosts::in_process::Outcome {
                status: crate::hosts::in_process::Status::Exited(status),
                stdout: format!(
                    "{m}input 3 bytes, memory 20 pages\n{m}0@0 environ_sizes_get(a+1, a+200) -> 0 {first} w8:0000000000000001\n\
                     {m}1@4 random_get(a+96, 16777216) -> 0 w65283:0000000000000002\n{after}"
                )
                .into_bytes(),
                stderr: Vec::new(),
            },
            trees: Vec::new(),
        };
        let original = run("=2 =20", &format!("{m}2@8 proc_raise(0) -> 58 w0:0000000000000003\n"), 0);
        let lines = trace::parse(&original.outcome.stdout, input);
        let call = lines[1].call().expect("a call").clone();
        let wrecked = run("=2 =20", "", 1);
        assert!(unchanged_by(Adjust::Aligned, &call, &original, &lines, &wrecked, input).is_ok());
        assert!(unchanged_by(Adjust::Aligned, &call, &original, &lines, &run("=3 =20", "", 1), input).is_err(), "a value before it differs");
    }

    #[test]
    fn lines_after_a_removed_call_are_renumbered() {
        let renumber = |text: &str, step, len| renumber(&trace::parse_line(text), step, len);
        assert_eq!(renumber("5@40 fd_close(3) -> 8 w0:0000000000000001\n", 3, 7).as_deref(), Some("4@33 fd_close(3) -> 8 w0:0000000000000001\n"));
        assert_eq!(renumber("3@30 fd_close(3) -> 8 w0:0000000000000001\n", 3, 7), None);
        assert_eq!(renumber("2@20 fd_close(3) -> 8 w0:0000000000000001\n", 3, 7).as_deref(), Some("2@20 fd_close(3) -> 8 w0:0000000000000001\n"));
        assert_eq!(renumber("end\n", 3, 7).as_deref(), Some("end\n"));
        assert_eq!(renumber("6@52 proc_exit(3)\n", 3, 7).as_deref(), Some("5@45 proc_exit(3)\n"));
    }
}
