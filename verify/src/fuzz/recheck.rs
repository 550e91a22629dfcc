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

use super::trace::{self, Call, Line, show_call};
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
    let next = lines.iter().filter_map(|line| position(&line.text)).find(|(step, _)| *step == call.step + 1);
    let start = call.at.min(input.len());
    let end = next.map_or(input.len(), |(_, at)| at.min(input.len())).max(start);
    let mut shorter = input[..start].to_vec();
    shorter.extend_from_slice(&input[end..]);
    (shorter, end - start)
}

/// The `STEP@AT` a trace line starts with, if it is a call's.
fn position(line: &str) -> Option<(u32, usize)> {
    let (step, at) = line.split_once(' ')?.0.split_once('@')?;
    Some((step.parse().ok()?, at.parse().ok()?))
}

/// The adjustments of a run after `step` is removed: later steps move up.
pub fn adjustments_without(adjustments: &[(u32, Adjust)], step: u32) -> Vec<(u32, Adjust)> {
    adjustments.iter().filter(|(at, _)| *at != step).map(|&(at, kind)| (if at > step { at - 1 } else { at }, kind)).collect()
}

/// Rewrites the trace lines in `run`'s stdout for `input` with `edit`
/// (which gets each line's text without its mark and returns the new text,
/// or `None` to drop the line), marking them for `new_input`. What the
/// program itself wrote stays as it was.
pub fn rewrite_trace(run: &Run, input: &[u8], new_input: &[u8], mut edit: impl FnMut(&str) -> Option<String>) -> Run {
    let text = String::from_utf8_lossy(&run.outcome.stdout);
    let (old_mark, new_mark) = (trace::mark(input), trace::mark(new_input));
    let mut out = String::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find(&old_mark) {
        out.push_str(&rest[..at]);
        let after = &rest[at + old_mark.len()..];
        let end = after.find('\n').map_or(after.len(), |newline| newline + 1);
        if let Some(line) = edit(&after[..end]) {
            out.push_str(&new_mark);
            out.push_str(&line);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    let mut rewritten = run.clone();
    rewritten.outcome.stdout = out.into_bytes();
    rewritten
}

/// A trace line after `removed_step`'s call (`removed_len` input bytes)
/// was taken out of the input: that call's line is dropped and later ones
/// get their `STEP@AT` prefix moved up. Works on every line with such a
/// prefix, the final `proc_exit(N)` (which has no result) included.
pub fn renumber(line: &str, removed_step: u32, removed_len: usize) -> Option<String> {
    let Some((step, at)) = position(line) else {
        return Some(line.to_string());
    };
    if step == removed_step {
        return None;
    }
    if step < removed_step {
        return Some(line.to_string());
    }
    let prefix = format!("{step}@{at}");
    let renumbered = format!("{}@{}", step - 1, at.saturating_sub(removed_len));
    Some(line.replacen(&prefix, &renumbered, 1))
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
/// Returns what differs: the original's text and the rerun's.
pub fn unchanged_by(kind: Adjust, call: &Call, original: &Run, rerun: &Run, input: &[u8]) -> Result<(), (String, String)> {
    let (lines, rerun_lines) = (trace::parse(&original.outcome.stdout, input), trace::parse(&rerun.outcome.stdout, input));
    let status = |run: &Run| format!("{} {}", run.outcome.status, String::from_utf8_lossy(&run.outcome.stderr));
    let Some(rerun_call) = rerun_lines.iter().filter_map(|line| line.call.as_ref()).find(|c| c.step == call.step) else {
        return Err((show_call(call), status(rerun)));
    };
    let crowded = kind == Adjust::Aligned && (crowded(&call.made) || crowded(&rerun_call.made));
    // Past the arena lie the moat and the driver's own snapshot of the
    // arena, where the aligned call's bytes moved too: what a later call
    // copies out from there (to stdout, stderr or a file) may differ, so its
    // values are compared, and not its output.
    let copies_past_the_arena = |c: &Call| kind == Adjust::Aligned && c.step > call.step && trace::past_the_arena(c);
    let past_the_arena = lines.iter().chain(&rerun_lines).filter_map(|line| line.call.as_ref()).any(copies_past_the_arena);
    // A later call that stored bytes past the arena (drop-in, into memory
    // only ours has) wrote over the driver's own heap: random bytes, or what
    // a read brought, differ from run to run, and so does whatever the
    // driver does after. The two runs are compared through that call.
    let wrecked_at = lines
        .iter()
        .chain(&rerun_lines)
        .filter_map(|line| line.call.as_ref())
        .filter(|c| c.step > call.step && stores_past_the_arena(c))
        .map(|c| c.step)
        .min();
    let lines = through_step(&lines, wrecked_at);
    let rerun_lines = through_step(&rerun_lines, wrecked_at);
    let adjusted_made = |made: &str| match kind {
        Adjust::DefinedRights => map_rights(made, &call.name),
        Adjust::Aligned => with_aligned_offsets(made),
        Adjust::ValidPointers | Adjust::Apart => made.to_string(),
    };
    let comparable = |lines: &[Line]| -> Vec<String> {
        // A call's own output comes before its line.
        let own_output = |at: usize| {
            let from = lines[..at].iter().rposition(|line| line.call.is_some() || line.text.starts_with("input ")).map_or(0, |i| i + 1);
            from..at
        };
        let at = lines.iter().position(|line| line.call.as_ref().is_some_and(|c| c.step == call.step));
        let mut uncompared: Vec<std::ops::Range<usize>> = at.filter(|_| crowded).map(own_output).into_iter().collect();
        for (index, line) in lines.iter().enumerate() {
            if line.call.as_ref().is_some_and(copies_past_the_arena) {
                uncompared.push(own_output(index));
            }
        }
        lines
            .iter()
            .enumerate()
            .filter(|(index, _)| !uncompared.iter().any(|range| range.contains(index)))
            .map(|(_, line)| match &line.call {
                Some(c) if c.step == call.step && crowded => format!("{} -> {}", adjusted_made(&c.made), c.errno),
                Some(c) if c.step == call.step && kind == Adjust::Aligned => {
                    format!("{} -> {} {}", adjusted_made(&c.made), c.errno, returned(c))
                }
                Some(c) if c.step == call.step => format!("{} -> {} {}", adjusted_made(&c.made), c.errno, c.result),
                // Random bytes past the arena land on the driver's own copy of
                // it, so what such a call changed differs from run to run.
                Some(c) if c.name == "random_get" => format!("{} -> {} {}", c.made, c.errno, returned(c)),
                // Crowded, what the call wrote to a file may differ too, and
                // so what later reads of it bring: their values are compared.
                Some(c) if crowded || copies_past_the_arena(c) => format!("{} -> {} {}", c.made, c.errno, returned(c)),
                _ => line.text.trim_end().to_string(),
            })
            .collect()
    };
    // Crowded, the call's own output may differ, and stderr with it; so may
    // what a later call copied from past the arena.
    let status = |run: &Run| if crowded || past_the_arena { run.outcome.status.to_string() } else { status(run) };
    if wrecked_at.is_none() && status(original) != status(rerun) {
        return Err((status(original), status(rerun)));
    }
    let (texts, rerun_texts) = (comparable(&lines), comparable(&rerun_lines));
    match texts.iter().zip(&rerun_texts).find(|(a, b)| a != b) {
        Some((a, b)) => Err((a.clone(), b.clone())),
        None if texts.len() != rerun_texts.len() => Err((format!("{} lines", texts.len()), format!("{} lines", rerun_texts.len()))),
        None => Ok(()),
    }
}

/// Whether a call stored bytes past the arena: `random_get` by its length,
/// a read by the count it returned.
fn stores_past_the_arena(call: &Call) -> bool {
    const ARENA_LEN: u64 = 1 << 16;
    match call.name.as_str() {
        "random_get" => {
            let arguments = arguments(&call.made);
            let offset = arguments.first().and_then(|at| trace::arena_offsets(at).next());
            let len = arguments.get(1).and_then(|len| len.parse::<u64>().ok());
            offset.zip(len).is_some_and(|(offset, len)| offset + len > ARENA_LEN)
        }
        "fd_read" | "fd_pread" | "sock_recv" | "fd_readdir" | "path_readlink" => trace::past_the_arena(call),
        _ => false,
    }
}

/// The lines up to the call of step `last` (all of them without one).
fn through_step(lines: &[Line], last: Option<u32>) -> Vec<Line> {
    let Some(last) = last else { return lines.to_vec() };
    let end = lines.iter().position(|line| line.call.as_ref().is_some_and(|c| c.step == last)).map_or(lines.len(), |at| at + 1);
    lines[..end].to_vec()
}

/// `made` with every rights argument masked to the bits p1 defines (the
/// driver prints rights in hex, as `0x…`).
pub fn with_defined_rights(call: &Call) -> String {
    map_rights(&call.made, &call.name)
}

fn map_rights(made: &str, name: &str) -> String {
    let positions: &[usize] = match name {
        "path_open" => &[5, 6],
        "fd_fdstat_set_rights" => &[1, 2],
        _ => &[],
    };
    map_arguments(made, |index, argument| {
        if !positions.contains(&index) {
            return argument.to_string();
        }
        match argument.strip_prefix("0x").and_then(|hex| u64::from_str_radix(hex, 16).ok()) {
            Some(value) => format!("{:#x}", value & DEFINED_RIGHTS),
            None => argument.to_string(),
        }
    })
}

/// The rights bits p1 defines (the driver's `DEFINED_RIGHTS`).
pub const DEFINED_RIGHTS: u64 = 0x3FFF_FFFF;

/// The driver's misaligned arena offsets and what `Adjust::Aligned` makes
/// of them.
const ODD_OFFSETS: [(u32, u32); 4] = [(1, 0), (3, 0), (6, 0), (8190, 8184)];

/// `made` with every one of the driver's misaligned arena offsets aligned
/// as `Adjust::Aligned` aligns wide ones: two calls that differ only in
/// which offsets were aligned print the same through it.
pub fn with_aligned_offsets(made: &str) -> String {
    let mut out = String::new();
    let mut rest = made;
    while let Some(at) = rest.find("a+") {
        out.push_str(&rest[..at + 2]);
        let digits = rest[at + 2..].chars().take_while(char::is_ascii_digit).count();
        let number = &rest[at + 2..at + 2 + digits];
        let aligned = number.parse().ok().and_then(|offset: u32| ODD_OFFSETS.iter().find(|(odd, _)| *odd == offset));
        match aligned {
            Some((_, aligned)) => out.push_str(&aligned.to_string()),
            None => out.push_str(number),
        }
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// Whether two of the arena offsets in `made` are closer than the widest
/// value a call writes (a 64-byte filestat), so their buffers may overlap.
pub fn crowded(made: &str) -> bool {
    let mut offsets: Vec<u64> = trace::arena_offsets(made).collect();
    offsets.sort_unstable();
    offsets.windows(2).any(|pair| pair[1] - pair[0] < 64)
}

/// Whether `made` passes a misaligned arena offset.
pub fn has_odd_offset(made: &str) -> bool {
    with_aligned_offsets(made) != made
}

/// A call's top-level arguments (its text between the parentheses, split
/// at `, `; the driver's paths and iovec lists hold no `, `).
pub fn arguments(made: &str) -> Vec<&str> {
    let inner = made.split_once('(').map_or("", |(_, rest)| rest);
    let inner = inner.strip_suffix(')').unwrap_or(inner);
    if inner.is_empty() { Vec::new() } else { inner.split(", ").collect() }
}

fn map_arguments(made: &str, mut map: impl FnMut(usize, &str) -> String) -> String {
    let name = made.split('(').next().unwrap_or(made);
    let mapped: Vec<String> = arguments(made).iter().enumerate().map(|(index, argument)| map(index, argument)).collect();
    format!("{name}({})", mapped.join(", "))
}

/// What a call returned, without the arena changes (`wN:HASH`).
pub fn returned(call: &Call) -> String {
    call.result.split(' ').filter(|part| !part.starts_with('w')).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Call {
        trace::parse_line(text).call.expect("a call line")
    }

    #[test]
    fn rights_are_masked_only_where_rights_are() {
        let open = call("4@20 path_open(3, 0x0, a+0 \"a.txt\", 5, 0xffffffff, 0xffffffffffffffff, 0x1fffffff, 0x0, a+8) -> 0 w4:1");
        assert_eq!(with_defined_rights(&open), "path_open(3, 0x0, a+0 \"a.txt\", 5, 0xffffffff, 0x3fffffff, 0x1fffffff, 0x0, a+8)");
        let set = call("1@2 fd_fdstat_set_rights(5, 0xffffffffffffffff, 0x0) -> 0 w0:1");
        assert_eq!(with_defined_rights(&set), "fd_fdstat_set_rights(5, 0x3fffffff, 0x0)");
    }

    #[test]
    fn odd_offsets_are_aligned_and_others_kept() {
        assert_eq!(with_aligned_offsets("fd_write(1, a+3 [a+16:7 a+1:2], 2, a+8190)"), "fd_write(1, a+0 [a+16:7 a+0:2], 2, a+8184)");
        assert!(has_odd_offset("fd_tell(3, a+6)"));
        assert!(!has_odd_offset("fd_tell(3, a+16)") && !has_odd_offset("fd_tell(3, a+100)"));
        assert!(crowded("args_sizes_get(a+1, a+0)") && crowded("fd_filestat_get(3, a+64) x a+100"));
        assert!(!crowded("args_sizes_get(a+1, a+1000)") && !crowded("fd_tell(3, a+6)"));
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
            outcome: crate::host::Outcome {
                status: crate::host::Status::Exited(0),
                stdout: format!(
                    "{m}input 3 bytes, memory 20 pages\n{m}0@0 fd_prestat_get(4, {prestat}) -> 0 w5:1\n{m}1@3 fd_write(2, a+64 [a+65520:16777216], 1, a+0) -> 0 ={written} w4:2\n"
                )
                .into_bytes(),
                stderr: stderr.as_bytes().to_vec(),
            },
            trees: Vec::new(),
        }
        };
        let call = trace::parse(&run("a+3", "16777216", "").outcome.stdout, input)[1].call.clone().expect("a call");
        let original = run("a+3", "16777216", "the snapshot with the value at a+3");
        assert!(unchanged_by(Adjust::Aligned, &call, &original, &run("a+0", "16777216", "the snapshot with the value at a+0"), input).is_ok());
        assert!(
            unchanged_by(Adjust::Aligned, &call, &original, &run("a+0", "4096", "the snapshot with the value at a+0"), input).is_err(),
            "a value differs"
        );
        assert!(unchanged_by(Adjust::ValidPointers, &call, &original, &run("a+3", "16777216", "other bytes"), input).is_err(), "not aligned");
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
            outcome: crate::host::Outcome {
                status: crate::host::Status::Exited(status),
                stdout: format!(
                    "{m}input 3 bytes, memory 20 pages\n{m}0@0 environ_sizes_get(a+1, a+200) -> 0 {first} w8:1\n\
                     {m}1@4 random_get(a+96, 16777216) -> 0 w65283:2\n{after}"
                )
                .into_bytes(),
                stderr: Vec::new(),
            },
            trees: Vec::new(),
        };
        let call = trace::parse(&run("=2 =20", "", 0).outcome.stdout, input)[1].call.clone().expect("a call");
        let original = run("=2 =20", &format!("{m}2@8 proc_raise(0) -> 58 w0:3\n"), 0);
        let wrecked = run("=2 =20", "", 1);
        assert!(unchanged_by(Adjust::Aligned, &call, &original, &wrecked, input).is_ok());
        assert!(unchanged_by(Adjust::Aligned, &call, &original, &run("=3 =20", "", 1), input).is_err(), "a value before it differs");
    }

    #[test]
    fn lines_after_a_removed_call_are_renumbered() {
        assert_eq!(renumber("5@40 fd_close(3) -> 8 w0:1\n", 3, 7).as_deref(), Some("4@33 fd_close(3) -> 8 w0:1\n"));
        assert_eq!(renumber("3@30 fd_close(3) -> 8 w0:1\n", 3, 7), None);
        assert_eq!(renumber("2@20 fd_close(3) -> 8 w0:1\n", 3, 7).as_deref(), Some("2@20 fd_close(3) -> 8 w0:1\n"));
        assert_eq!(renumber("end\n", 3, 7).as_deref(), Some("end\n"));
        assert_eq!(renumber("6@52 proc_exit(3)\n", 3, 7).as_deref(), Some("5@45 proc_exit(3)\n"));
    }
}
