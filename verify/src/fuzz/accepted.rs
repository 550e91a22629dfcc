//! The accepted differences between native p1 and an adapter, and judging one
//! run against native p1 with them.
//!
//! Each entry names one situation precisely (which call, which errnos, which
//! trap) and says why it is right; a difference that no entry matches is a
//! divergence. Nothing is ignored wholesale. Entries change only with
//! ACCEPTED_VERSION and a line in docs/fuzzing.md.

use anyhow::Result;

use super::recheck::{self, Recheck};
use super::trace::{self, Call, Line, arena_offsets, errno, show_call};
use super::{Adjust, Fuzzer, Run, Subject};
use crate::host::Status;

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
                    && has_wild_argument(&other.made))
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
            start < guest_end && start + len > guest_end && start + len <= guest_end + DROP_IN_GAP && has_wild_argument(&other.made)
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
                    && native.made == other.made
                    && has_wild_argument(&other.made)
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
                    && native.made == other.made
                    && has_wild_argument(&other.made)
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
                if why.contains("Pointer not aligned") && recheck::has_odd_offset(&other.made))
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
                    && recheck::with_defined_rights(other) != other.made)
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
                "args_get" => list_sizes(super::ARGS.iter().map(|arg| arg.len() + 1)),
                "environ_get" => list_sizes(super::ENV.iter().map(|(k, v)| k.len() + v.len() + 2)),
                _ => return false,
            };
            let offsets: Vec<u64> = arena_offsets(&native.made).collect();
            native.errno == other.errno
                && native.made == other.made
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
            let after = native.made.rsplit_once("], ").map_or("", |(_, after)| after);
            let count = after.split(", ").nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            let offsets: Vec<u64> = arena_offsets(&native.made).collect();
            native.name == "poll_oneoff"
                && native.made == other.made
                && matches!(offsets[..], [subs, events, ..] if subs < events + 32 * count && events < subs + 48 * count)
        },
        recheck: Recheck::BothAdjusted(Adjust::Apart),
    },
];

/// The pages ours leaves to the guest below its home block when linked
/// drop-in (adapter/src/placement.rs).
const DROP_IN_GAP: u64 = 64 << 20;

/// `start` and `len` of native p1's `Pointer out of bounds: Region { start:
/// S, len: L }` trap.
fn out_of_bounds_region(why: &str) -> Option<(u64, u64)> {
    let region = why.split_once("Pointer out of bounds: Region { start: ")?.1;
    let (start, rest) = region.split_once(", len: ")?;
    let len = rest.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((start.parse().ok()?, len.parse().ok()?))
}

/// Whether `call` succeeded with a length argument reaching past the end of
/// native p1's memory (`memory_pages`) but within the gap ours leaves the
/// guest when linked drop-in: it wrote into memory only ours has.
fn wrote_past_native_memory(call: &Call, memory_pages: u64) -> bool {
    let native_end = memory_pages * 65536;
    call.errno == errno::SUCCESS && decimal_arguments(&call.made).any(|len| len > native_end && len <= native_end + DROP_IN_GAP)
}

/// The plain decimal numbers among a call's printed arguments (lengths,
/// fds), not arena offsets (`a+N`) nor hex values.
fn decimal_arguments(made: &str) -> impl Iterator<Item = u64> + '_ {
    made.split(|c: char| !(c.is_ascii_alphanumeric() || c == '+'))
        .filter(|token| !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|token| token.parse().ok())
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

/// Whether a call's line says it changed no byte of the arena.
fn nothing_written(call: &Call) -> bool {
    call.result.split(' ').any(|part| part.starts_with("w0:"))
}

/// Whether a call as printed has a wild pointer, or a length past any
/// memory where a length goes: after a pointer (`PTR, LEN`, `PTR "PATH",
/// LEN`) or in an iovec (`PTR:LEN`). An fd or size that merely prints the
/// same number does not count.
fn has_wild_argument(made: &str) -> bool {
    const WILD_LENGTHS: [&str; 3] = ["2147483648", "4294967295", "16777216"];
    if made.contains("wild") {
        return true;
    }
    let arguments = recheck::arguments(made);
    let is_pointer = |argument: &str| argument.starts_with("a+") || argument.ends_with('"');
    let after_pointer = arguments.windows(2).any(|pair| is_pointer(pair[0]) && WILD_LENGTHS.contains(&pair[1]));
    let in_iovec = arguments
        .iter()
        .flat_map(|argument| argument.split([' ', '[', ']']))
        .any(|part| part.split_once(':').is_some_and(|(pointer, len)| is_pointer(pointer) && WILD_LENGTHS.contains(&len)));
    after_pointer || in_iovec
}

/// A difference between native p1 and another subject.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// `trace line N`, `exit status`, `stderr`, `directory tree` or `trap`.
    pub aspect: String,
    /// The call where the traces part, if they do.
    pub call: Option<String>,
    pub native: String,
    pub other: String,
}

/// A run judged against native p1's run of the same input.
#[derive(Clone, Debug, Default)]
pub struct Judgement {
    /// Accepted differences that applied: entry id and where.
    pub explained: Vec<(&'static str, String)>,
    /// The first difference no entry explains.
    pub divergence: Option<Divergence>,
    /// Call lines compared and found equal (or explained).
    pub calls_compared: usize,
}

impl Divergence {
    /// What kind of divergence this is, for telling new ones from known:
    /// the aspect and the call, without positions.
    pub fn signature(&self) -> String {
        let aspect = self.aspect.split(" line").next().unwrap_or(&self.aspect).replace(' ', "-");
        match &self.call {
            Some(call) => format!("{aspect}-{call}"),
            None => aspect,
        }
    }
}

impl Judgement {
    pub fn ok(&self) -> bool {
        self.divergence.is_none()
    }

    pub fn describe(&self) -> String {
        let explained: Vec<String> = self.explained.iter().map(|(id, at)| format!("{id} at {at}")).collect();
        let explained = if explained.is_empty() { String::new() } else { format!(" (accepted: {})", explained.join("; ")) };
        match &self.divergence {
            None => format!("matches native p1 over {} calls{explained}", self.calls_compared),
            Some(d) => format!(
                "DIVERGES in {} after {} equal calls{explained}\n    native: {}\n    this:   {}",
                d.aspect, self.calls_compared, d.native, d.other
            ),
        }
    }
}

fn accepted(evidence: &Evidence) -> Option<&'static Accepted> {
    ACCEPTED.iter().find(|entry| (entry.matches)(evidence))
}

/// Judges `other` against `native` on `input`. Where an accepted entry
/// covers a difference, its second oracle (`recheck`) must agree too, and
/// when native p1 trapped, what follows the trap is judged against the
/// oracle's run.
pub fn judge(fuzzer: &Fuzzer, input: &[u8], native: &Run, other: &Run) -> Result<Judgement> {
    judge_with(fuzzer, input, &Adjusted::default(), native, other)
}

/// The adjustments each subject of a judged pair ran with.
#[derive(Clone, Default)]
struct Adjusted {
    native: Vec<(u32, Adjust)>,
    other: Vec<(u32, Adjust)>,
}

/// `judge`, where the two runs were made with `adjusted`.
fn judge_with(fuzzer: &Fuzzer, input: &[u8], adjusted: &Adjusted, native: &Run, other: &Run) -> Result<Judgement> {
    let adjustments = &adjusted.native[..];
    let mut judgement = Judgement::default();
    let (native_lines, other_lines) = (trace::parse(&native.outcome.stdout, input), trace::parse(&other.outcome.stdout, input));
    let diverge = |judgement: &mut Judgement, aspect: String, native: String, other: String| {
        let call = [&native, &other].iter().find_map(|text| trace::parse_line(text).call.map(|c| c.name));
        judgement.divergence = Some(Divergence { aspect, call, native, other });
    };
    let native_trapped = matches!(native.outcome.status, Status::Trapped(_));
    // Where native p1's trace stops short of the other's because it trapped
    // in a call: it wrote nothing after, or only that call's own output.
    let mut cut = None;
    for (index, (n, o)) in native_lines.iter().zip(&other_lines).enumerate() {
        if n.text == o.text {
            judgement.calls_compared += usize::from(n.call.is_some());
            continue;
        }
        // Upstream's adapter grows memory before the guest starts (a stack
        // for itself); its traces are still worth comparing after that.
        if index == 0 && other.subject == Subject::Upstream && trace::memory_pages(std::slice::from_ref(n)).is_some() {
            let input = |line: &Line| line.text.split_once(", memory ").map(|(input, _)| input.to_string());
            if input(n) == input(o) {
                continue;
            }
        }
        match (&n.call, &o.call) {
            (Some(nc), Some(oc)) if nc.step == oc.step && nc.at == oc.at => {
                if let Some(entry) = accepted(&Evidence::Line { native: nc, other: oc }) {
                    if let Recheck::BothAdjusted(kind) = entry.recheck
                        && let Some((native_line, other_line)) = both_adjusted(fuzzer, input, adjusted, other.subject, nc.step, kind, oc)?
                    {
                        let aspect = format!("trace line {} rerun with {kind:?} ({})", index + 1, entry.id);
                        diverge(&mut judgement, aspect, native_line, other_line);
                        return Ok(judgement);
                    }
                    judgement.explained.push((entry.id, format!("call {}", nc.step)));
                    judgement.calls_compared += 1;
                    continue;
                }
            }
            (None, Some(_)) if native_trapped && native_lines[index..].iter().all(|line| line.call.is_none()) => {
                cut = Some(index);
                break;
            }
            _ => {}
        }
        diverge(&mut judgement, format!("trace line {}", index + 1), show(n), show(o));
        return Ok(judgement);
    }
    if cut.is_none() && native_trapped && native_lines.len() < other_lines.len() {
        cut = Some(native_lines.len());
    }
    // The call native trapped in: the first call line from the cut on (what
    // the program wrote to stdout during that call comes before its line).
    let trapped_call = cut.and_then(|i| other_lines[i..].iter().find_map(|line| line.call.as_ref()));
    let native_trap = match (&native.outcome.status, trapped_call) {
        (Status::Trapped(why), Some(call)) => {
            let memory_pages = trace::memory_pages(&native_lines);
            accepted(&Evidence::NativeTrapped { why, other: call, subject: other.subject, memory_pages }).map(|entry| (entry, call))
        }
        _ => None,
    };
    // Ours never traps, except after a call that wrote where native p1 has
    // no memory: that may have wrecked the driver itself. Such a call is the
    // one native trapped in, or, linked drop-in, a later one native never
    // made (after an accepted trap, nothing there is compared).
    let memory_pages = trace::memory_pages(&native_lines);
    let wrote_into_gap_later = other.subject == Subject::Ours
        && native_trap.is_some()
        && cut.zip(memory_pages).is_some_and(|(from, pages)| {
            other_lines[from..].iter().filter_map(|line| line.call.as_ref()).any(|call| wrote_past_native_memory(call, pages))
        });
    let wrecked = native_trap.is_some_and(|(entry, _)| entry.id == "drop-in-memory-beyond-native") || wrote_into_gap_later;
    if let Status::Trapped(why) = &other.outcome.status
        && (other.subject != Subject::Upstream || native.outcome.status != other.outcome.status)
        && !wrecked
    {
        let native_line = native_lines.get(other_lines.len()).map(show).unwrap_or_else(|| native.outcome.status.to_string());
        diverge(&mut judgement, "trap".into(), native_line, format!("trap: {why}"));
        return Ok(judgement);
    }
    if let Some((entry, call)) = native_trap {
        judgement.explained.push((entry.id, format!("call {}", call.step)));
        let mut inner = match entry.recheck {
            Recheck::WithoutTheCall => {
                // Ours did nothing: the program must go on as native p1
                // goes on without the call.
                let (shorter, removed) = recheck::input_without(input, &other_lines, call);
                let kept = Adjusted {
                    native: recheck::adjustments_without(adjustments, call.step),
                    other: recheck::adjustments_without(&adjusted.other, call.step),
                };
                let native_shorter = fuzzer.run_adjusted(Subject::Native, &shorter, &kept.native)?;
                let first = first_line(&native_lines, &other_lines, &native_shorter, &shorter);
                let other_shorter = recheck::rewrite_trace(other, input, &shorter, |line| match &first {
                    Some(first) if line.starts_with("input ") => Some(first.clone()),
                    _ => recheck::renumber(line, call.step, removed),
                });
                judge_with(fuzzer, &shorter, &kept, &native_shorter, &other_shorter)?
            }
            Recheck::NativeAdjusted(kind) => {
                if adjustments.contains(&(call.step, kind)) {
                    // Native trapped on the adjusted call too: nothing covers that.
                    diverge(&mut judgement, format!("trap of native p1 rerun with {kind:?}"), native.outcome.status.to_string(), show_call(call));
                    return Ok(judgement);
                }
                // Both run again with the call adjusted. Ours must not care
                // (what the adjustment changes is what ours ignores), and
                // ours adjusted is then judged against native p1 adjusted in
                // full: so ours' call answers what native p1 answers, up to
                // the accepted differences that rerun meets on its own.
                let mut both = adjusted.clone();
                both.native.push((call.step, kind));
                both.other.push((call.step, kind));
                let native_adjusted = fuzzer.run_adjusted(Subject::Native, input, &both.native)?;
                let other_adjusted = fuzzer.run_adjusted(other.subject, input, &both.other)?;
                if let Err((original, rerun)) = recheck::unchanged_by(kind, call, other, &other_adjusted, input) {
                    let aspect = format!("call {} of {} rerun with {kind:?} ({})", call.step, other.subject.label(), entry.id);
                    diverge(&mut judgement, aspect, original, rerun);
                    return Ok(judgement);
                }
                judge_with(fuzzer, input, &both, &native_adjusted, &other_adjusted)?
            }
            Recheck::None | Recheck::BothAdjusted(_) => {
                // No second oracle: everything before the trapping call,
                // judged in full.
                let prefix = &input[..call.at.min(input.len())];
                let native_prefix = fuzzer.run_adjusted(Subject::Native, prefix, adjustments)?;
                let other_prefix = fuzzer.run_adjusted(other.subject, prefix, &adjusted.other)?;
                judge_with(fuzzer, prefix, adjusted, &native_prefix, &other_prefix)?
            }
        };
        inner.explained.extend(judgement.explained);
        return Ok(inner);
    }
    if native_trapped && native_lines.len() < other_lines.len() {
        // Native p1 made a call ours refused (`bad-buffer-checked-whole`)
        // and wrote past the arena, over the driver's own memory, which then
        // trapped: what follows has no reference. Everything through that
        // call is judged in full, directory trees included.
        let wrecked = native_lines.iter().filter_map(|line| line.call.as_ref()).find(|call| {
            judgement.explained.iter().any(|(id, at)| *id == "bad-buffer-checked-whole" && *at == format!("call {}", call.step))
                && trace::past_the_arena(call)
        });
        if let Some(call) = wrecked {
            let next = other_lines.iter().filter_map(|line| line.call.as_ref()).find(|c| c.step == call.step + 1);
            let end = next.map_or(input.len(), |next| next.at.min(input.len()));
            let mut inner = if end < input.len() {
                let prefix = &input[..end];
                let native_prefix = fuzzer.run_adjusted(Subject::Native, prefix, adjustments)?;
                let other_prefix = fuzzer.run_adjusted(other.subject, prefix, &adjusted.other)?;
                judge_with(fuzzer, prefix, adjusted, &native_prefix, &other_prefix)?
            } else {
                Judgement { calls_compared: judgement.calls_compared, ..Judgement::default() }
            };
            inner.explained.extend(judgement.explained);
            inner.explained.push(("bad-buffer-checked-whole", format!("native's write past the arena at call {}", call.step)));
            return Ok(inner);
        }
    }
    if native_lines.len() != other_lines.len() || cut.is_some() {
        let index = cut.unwrap_or(native_lines.len().min(other_lines.len()));
        let at = |lines: &[Line], run: &Run| lines.get(index).map(show).unwrap_or_else(|| format!("(ends; {})", run.outcome.status));
        diverge(&mut judgement, format!("trace line {}", index + 1), at(&native_lines, native), at(&other_lines, other));
        return Ok(judgement);
    }
    if native.outcome.stderr != other.outcome.stderr {
        let (n, o) = (String::from_utf8_lossy(&native.outcome.stderr), String::from_utf8_lossy(&other.outcome.stderr));
        diverge(&mut judgement, "stderr".into(), n.into_owned(), o.into_owned());
        return Ok(judgement);
    }
    if native.trees != other.trees {
        let paths: Vec<String> = native.trees.iter().zip(&other.trees).flat_map(|(n, o)| n.differences(o)).collect();
        let describe = |run: &Run| {
            paths.iter().map(|path| format!("{path}: {:?}", run.trees.iter().find_map(|t| t.entries.get(path)))).collect::<Vec<_>>().join(", ")
        };
        diverge(&mut judgement, "directory tree".into(), describe(native), describe(other));
        return Ok(judgement);
    }
    let (ns, os) = (&native.outcome.status, &other.outcome.status);
    if ns != os {
        // The driver prints `STEP@AT proc_exit(N)` just before exiting.
        let requested = other_lines.last().and_then(|line| line.text.trim_end().split_once(" proc_exit("));
        let requested = requested.and_then(|(_, code)| code.strip_suffix(')')?.parse().ok());
        match accepted(&Evidence::Status { native: ns, other: os, requested }) {
            Some(entry) => judgement.explained.push((entry.id, "exit".into())),
            None => diverge(&mut judgement, "exit status".into(), ns.to_string(), os.to_string()),
        }
    }
    Ok(judgement)
}

fn show(line: &Line) -> String {
    line.text.trim_end_matches('\n').to_string()
}

/// The first line (input size, memory pages) of a rerun of native p1, to
/// stand in the other subject's rewritten trace when the two agreed on it
/// in the original run: a longer stdin or a shorter input may move the
/// driver's memory size, which is not what the rerun is about.
fn first_line(native_lines: &[Line], other_lines: &[Line], rerun: &Run, rerun_input: &[u8]) -> Option<String> {
    let agreed = native_lines.first().zip(other_lines.first()).is_some_and(|(n, o)| n.text == o.text);
    let first = trace::parse(&rerun.outcome.stdout, rerun_input).into_iter().next()?;
    (agreed && first.text.starts_with("input ")).then_some(first.text)
}

/// Native p1 and `subject` (each with its run's adjustments) rerun on `input`
/// with `kind` applied to call `step`: `None` if the two reruns make that
/// call alike, else what each printed. With `Adjust::Apart`, the call as
/// `subject` first made it (`original`) must also answer what the reruns
/// answer: buffers apart change what lands where, not the answer.
fn both_adjusted(
    fuzzer: &Fuzzer,
    input: &[u8],
    adjusted: &Adjusted,
    subject: Subject,
    step: u32,
    kind: Adjust,
    original: &Call,
) -> Result<Option<(String, String)>> {
    if adjusted.native.contains(&(step, kind)) {
        // The same adjustment again would rerun the same program: nothing covers it.
        return Ok(Some((format!("call {step} already rerun with {kind:?}"), show_call(original))));
    }
    let mut both = adjusted.clone();
    both.native.push((step, kind));
    both.other.push((step, kind));
    let native = fuzzer.run_adjusted(Subject::Native, input, &both.native)?;
    let other = fuzzer.run_adjusted(subject, input, &both.other)?;
    let call_of = |run: &Run| trace::parse(&run.outcome.stdout, input).into_iter().filter_map(|line| line.call).find(|call| call.step == step);
    let (native_call, other_call) = (call_of(&native), call_of(&other));
    if let (Some(n), Some(_)) = (&native_call, &other_call)
        && kind == Adjust::Apart
        && (n.errno, recheck::returned(n)) != (original.errno, recheck::returned(original))
    {
        return Ok(Some((show_call(n), show_call(original))));
    }
    if native_call.is_some() && native_call == other_call {
        return Ok(None);
    }
    // The reruns differ at the call (or native p1 trapped in it, on a
    // misaligned pointer the bad one hid, say): they are judged like any
    // pair of runs, accepted differences and their second oracles included.
    let judgement = judge_with(fuzzer, input, &both, &native, &other)?;
    Ok(judgement.divergence.map(|divergence| (divergence.native, divergence.other)))
}

#[cfg(test)]
#[path = "near_misses.rs"]
mod near_misses;
