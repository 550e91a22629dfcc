//! Judging one run against native p1's run of the same input: the traces
//! line by line, then native p1's trap, the other's trap, stderr, the trees
//! and the exit status, each difference either explained by an entry (whose
//! second oracle must agree) or the judgement's divergence.

use std::ops::ControlFlow;

use anyhow::Result;

use super::rules::{Accepted, DROP_IN_GAP, Evidence, accepted, for_exit_status};
use crate::fuzz::recheck::{self, Recheck};
use crate::fuzz::trace::{self, Call, Kind, Line, errno};
use crate::fuzz::{Adjust, Fuzzer, Run, Subject};
use crate::hosts::in_process::Status;

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

/// Where an accepted difference applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    /// At the call of this step.
    Call(u32),
    /// To the exit status.
    Exit,
    /// To what native p1's read at the call of this step stored past the
    /// arena, which wrecked the driver.
    NativeWritePastArena(u32),
}

impl Where {
    /// The step of the call it applied at, if it did at one.
    pub fn call(self) -> Option<u32> {
        match self {
            Where::Call(step) => Some(step),
            Where::Exit | Where::NativeWritePastArena(_) => None,
        }
    }
}

impl std::fmt::Display for Where {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Where::Call(step) => write!(f, "call {step}"),
            Where::Exit => write!(f, "exit"),
            Where::NativeWritePastArena(step) => write!(f, "native's write past the arena at call {step}"),
        }
    }
}

/// A run judged against native p1's run of the same input.
#[derive(Clone, Debug, Default)]
pub struct Judgement {
    /// Accepted differences that applied: entry id and where.
    pub explained: Vec<(&'static str, Where)>,
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

/// `judge`, where the two runs were made with `adjusted`. Each step either
/// settles the judgement or leaves it to the next.
fn judge_with(fuzzer: &Fuzzer, input: &[u8], adjusted: &Adjusted, native: &Run, other: &Run) -> Result<Judgement> {
    let pair = Pair::new(fuzzer, input, adjusted, native, other);
    let mut judgement = Judgement::default();
    let ControlFlow::Continue(cut) = pair.compare_lines(&mut judgement)? else { return Ok(judgement) };
    let native_trap = pair.native_trap(cut);
    if let Some(divergence) = pair.trap_of_other(cut, native_trap) {
        judgement.divergence = Some(divergence);
        return Ok(judgement);
    }
    if let Some((entry, call)) = native_trap {
        return pair.judge_after_native_trap(judgement, entry, call);
    }
    if let Some(call) = pair.native_wrecking_call(&judgement) {
        return pair.judge_through_wrecking_call(judgement, call);
    }
    if let Some(divergence) = pair.trace_lengths(cut).or_else(|| pair.stderr()).or_else(|| pair.trees()) {
        judgement.divergence = Some(divergence);
        return Ok(judgement);
    }
    pair.judge_exit_status(&mut judgement);
    Ok(judgement)
}

/// The two runs under judgement, with what they ran on and their traces.
struct Pair<'a> {
    fuzzer: &'a Fuzzer,
    input: &'a [u8],
    adjusted: &'a Adjusted,
    native: &'a Run,
    other: &'a Run,
    native_lines: Vec<Line>,
    other_lines: Vec<Line>,
}

/// What became of a call the two traces print differently.
enum CallDifference {
    Explained,
    /// An entry matched but its second oracle disagreed.
    Diverged,
    Unexplained,
}

impl<'a> Pair<'a> {
    fn new(fuzzer: &'a Fuzzer, input: &'a [u8], adjusted: &'a Adjusted, native: &'a Run, other: &'a Run) -> Pair<'a> {
        let (native_lines, other_lines) = (trace::parse(&native.outcome.stdout, input), trace::parse(&other.outcome.stdout, input));
        Pair { fuzzer, input, adjusted, native, other, native_lines, other_lines }
    }

    fn native_trapped(&self) -> bool {
        matches!(self.native.outcome.status, Status::Trapped(_))
    }

    /// The traces line by line: `Break` once they part where no entry
    /// explains it (the divergence is set), else `Continue` with where
    /// native p1's trace stops short of the other's because it trapped in a
    /// call (it wrote nothing after, or only that call's own output).
    fn compare_lines(&self, judgement: &mut Judgement) -> Result<ControlFlow<(), Option<usize>>> {
        let native_trapped = self.native_trapped();
        for (index, (n, o)) in self.native_lines.iter().zip(&self.other_lines).enumerate() {
            if n.text == o.text {
                judgement.calls_compared += usize::from(n.call().is_some());
                continue;
            }
            if index == 0 && self.upstream_grew_memory_first(n, o) {
                continue;
            }
            match (n.call(), o.call()) {
                (Some(nc), Some(oc)) if nc.step == oc.step && nc.at == oc.at => match self.explain_call(judgement, index, nc, oc)? {
                    CallDifference::Explained => continue,
                    CallDifference::Diverged => return Ok(ControlFlow::Break(())),
                    CallDifference::Unexplained => {}
                },
                (None, Some(_)) if native_trapped && self.native_lines[index..].iter().all(|line| line.call().is_none()) => {
                    return Ok(ControlFlow::Continue(Some(index)));
                }
                _ => {}
            }
            judgement.divergence = Some(divergence(format!("trace line {}", index + 1), n.call().or(o.call()), show(n), show(o)));
            return Ok(ControlFlow::Break(()));
        }
        let stopped_short = native_trapped && self.native_lines.len() < self.other_lines.len();
        Ok(ControlFlow::Continue(stopped_short.then_some(self.native_lines.len())))
    }

    /// Upstream's adapter grows memory before the guest starts (a stack for
    /// itself): a first line that differs in the memory size alone. Its
    /// traces are still worth comparing after that.
    fn upstream_grew_memory_first(&self, native: &Line, other: &Line) -> bool {
        match (&native.kind, &other.kind) {
            (Kind::Start { input_len: n, .. }, Kind::Start { input_len: o, .. }) => self.other.subject == Subject::Upstream && n == o,
            _ => false,
        }
    }

    /// A call both made, printed differently: explained by an entry whose
    /// second oracle (if it reruns both adjusted) agrees, or not.
    fn explain_call(&self, judgement: &mut Judgement, index: usize, native: &Call, other: &Call) -> Result<CallDifference> {
        let Some(entry) = accepted(&Evidence::Line { native, other }) else { return Ok(CallDifference::Unexplained) };
        if let Recheck::BothAdjusted(kind) = entry.recheck {
            let aspect = format!("trace line {} rerun with {kind:?} ({})", index + 1, entry.id);
            if let Some(divergence) = both_adjusted(self, native.step, kind, other, aspect)? {
                judgement.divergence = Some(divergence);
                return Ok(CallDifference::Diverged);
            }
        }
        judgement.explained.push((entry.id, Where::Call(native.step)));
        judgement.calls_compared += 1;
        Ok(CallDifference::Explained)
    }

    /// The call native p1 trapped in, as the other subject made it, with the
    /// entry that accepts the trap. That call is the first call line from
    /// the cut on (what the program wrote to stdout during the call comes
    /// before its line).
    fn native_trap(&self, cut: Option<usize>) -> Option<(&'static Accepted, &Call)> {
        let trapped_call = cut.and_then(|i| self.other_lines[i..].iter().find_map(Line::call));
        match (&self.native.outcome.status, trapped_call) {
            (Status::Trapped(why), Some(call)) => {
                let memory_pages = trace::memory_pages(&self.native_lines);
                accepted(&Evidence::NativeTrapped { why, other: call, subject: self.other.subject, memory_pages }).map(|entry| (entry, call))
            }
            _ => None,
        }
    }

    /// A trap of the other subject that nothing excuses. Ours never traps,
    /// except after a call that wrote where native p1 has no memory: that
    /// may have wrecked the driver itself. Such a call is the one native
    /// trapped in, or, linked drop-in, a later one native never made (after
    /// an accepted trap, nothing there is compared).
    fn trap_of_other(&self, cut: Option<usize>, native_trap: Option<(&'static Accepted, &Call)>) -> Option<Divergence> {
        let memory_pages = trace::memory_pages(&self.native_lines);
        let wrote_into_gap_later = self.other.subject == Subject::Ours
            && native_trap.is_some()
            && cut.zip(memory_pages).is_some_and(|(from, pages)| {
                self.other_lines[from..].iter().filter_map(Line::call).any(|call| wrote_past_native_memory(call, pages))
            });
        let wrecked = native_trap.is_some_and(|(entry, _)| entry.id == "drop-in-memory-beyond-native") || wrote_into_gap_later;
        let (native, other) = (&self.native.outcome.status, &self.other.outcome.status);
        if let Status::Trapped(why) = other
            && (self.other.subject != Subject::Upstream || native != other)
            && !wrecked
        {
            let native_line = self.native_lines.get(self.other_lines.len());
            let shown = native_line.map(show).unwrap_or_else(|| native.to_string());
            return Some(divergence("trap".into(), native_line.and_then(Line::call), shown, format!("trap: {why}")));
        }
        None
    }

    /// Native p1 trapped in `call` and `entry` accepts that: what follows is
    /// judged against the run of the entry's second oracle.
    fn judge_after_native_trap(&self, mut judgement: Judgement, entry: &'static Accepted, call: &Call) -> Result<Judgement> {
        judgement.explained.push((entry.id, Where::Call(call.step)));
        let mut inner = match entry.recheck {
            Recheck::WithoutTheCall => self.judge_without(call)?,
            Recheck::NativeAdjusted(kind) => match self.judge_native_adjusted(entry, call, kind)? {
                Ok(inner) => inner,
                Err(divergence) => {
                    judgement.divergence = Some(divergence);
                    return Ok(judgement);
                }
            },
            // No second oracle: everything before the trapping call, judged
            // in full.
            Recheck::None | Recheck::BothAdjusted(_) => self.judge_prefix(call.at.min(self.input.len()))?,
        };
        inner.explained.extend(judgement.explained);
        Ok(inner)
    }

    /// Ours did nothing: the program must go on as native p1 goes on
    /// without the call.
    fn judge_without(&self, call: &Call) -> Result<Judgement> {
        let (shorter, removed) = recheck::input_without(self.input, &self.other_lines, call);
        let kept = Adjusted {
            native: recheck::adjustments_without(&self.adjusted.native, call.step),
            other: recheck::adjustments_without(&self.adjusted.other, call.step),
        };
        let native_shorter = self.fuzzer.run_adjusted(Subject::Native, &shorter, &kept.native)?;
        let first = first_line(&self.native_lines, &self.other_lines, &native_shorter, &shorter);
        let other_shorter = recheck::rewrite_trace(self.other, &self.other_lines, &shorter, |line| match &first {
            Some(first) if line.is_start() => Some(first.clone()),
            _ => recheck::renumber(line, call.step, removed),
        });
        judge_with(self.fuzzer, &shorter, &kept, &native_shorter, &other_shorter)
    }

    /// Both run again with `kind` applied to the call native trapped in.
    /// Ours must not care (what the adjustment changes is what ours
    /// ignores), and ours adjusted is then judged against native p1
    /// adjusted in full: so ours' call answers what native p1 answers, up to
    /// the accepted differences that rerun meets on its own. `Err` is the
    /// divergence when the oracle cannot be had or ours cared.
    fn judge_native_adjusted(&self, entry: &Accepted, call: &Call, kind: Adjust) -> Result<Result<Judgement, Divergence>> {
        if self.adjusted.native.contains(&(call.step, kind)) {
            // Native trapped on the adjusted call too: nothing covers that.
            let aspect = format!("trap of native p1 rerun with {kind:?}");
            return Ok(Err(divergence(aspect, Some(call), self.native.outcome.status.to_string(), call.to_string())));
        }
        let mut both = self.adjusted.clone();
        both.native.push((call.step, kind));
        both.other.push((call.step, kind));
        let native_adjusted = self.fuzzer.run_adjusted(Subject::Native, self.input, &both.native)?;
        let other_adjusted = self.fuzzer.run_adjusted(self.other.subject, self.input, &both.other)?;
        if let Err(parted) = recheck::unchanged_by(kind, call, self.other, &self.other_lines, &other_adjusted, self.input) {
            let aspect = format!("call {} of {} rerun with {kind:?} ({})", call.step, self.other.subject.label(), entry.id);
            return Ok(Err(Divergence { aspect, call: parted.call, native: parted.original, other: parted.rerun }));
        }
        judge_with(self.fuzzer, self.input, &both, &native_adjusted, &other_adjusted).map(Ok)
    }

    /// Both run again on the input up to `end`, each with its adjustments,
    /// and judged in full.
    fn judge_prefix(&self, end: usize) -> Result<Judgement> {
        let prefix = &self.input[..end];
        let native_prefix = self.fuzzer.run_adjusted(Subject::Native, prefix, &self.adjusted.native)?;
        let other_prefix = self.fuzzer.run_adjusted(self.other.subject, prefix, &self.adjusted.other)?;
        judge_with(self.fuzzer, prefix, self.adjusted, &native_prefix, &other_prefix)
    }

    /// A call native p1 made that ours refused (`bad-buffer-checked-whole`)
    /// and that wrote past the arena, over the driver's own memory, which
    /// then trapped, its trace stopping short: what follows has no
    /// reference.
    fn native_wrecking_call(&self, judgement: &Judgement) -> Option<&Call> {
        if !(self.native_trapped() && self.native_lines.len() < self.other_lines.len()) {
            return None;
        }
        self.native_lines.iter().filter_map(Line::call).find(|call| {
            judgement.explained.iter().any(|(id, at)| *id == "bad-buffer-checked-whole" && *at == Where::Call(call.step))
                && trace::past_the_arena(call)
        })
    }

    /// Everything through the call that wrecked native p1 judged in full,
    /// directory trees included.
    fn judge_through_wrecking_call(&self, judgement: Judgement, call: &Call) -> Result<Judgement> {
        let next = self.other_lines.iter().filter_map(Line::call).find(|c| c.step == call.step + 1);
        let end = next.map_or(self.input.len(), |next| next.at.min(self.input.len()));
        let mut inner = if end < self.input.len() {
            self.judge_prefix(end)?
        } else {
            Judgement { calls_compared: judgement.calls_compared, ..Judgement::default() }
        };
        inner.explained.extend(judgement.explained);
        inner.explained.push(("bad-buffer-checked-whole", Where::NativeWritePastArena(call.step)));
        Ok(inner)
    }

    /// The traces end apart, or native p1's stops short where it trapped.
    fn trace_lengths(&self, cut: Option<usize>) -> Option<Divergence> {
        if self.native_lines.len() == self.other_lines.len() && cut.is_none() {
            return None;
        }
        let index = cut.unwrap_or(self.native_lines.len().min(self.other_lines.len()));
        let at = |lines: &[Line], run: &Run| lines.get(index).map(show).unwrap_or_else(|| format!("(ends; {})", run.outcome.status));
        let call = self.native_lines.get(index).and_then(Line::call).or_else(|| self.other_lines.get(index).and_then(Line::call));
        Some(divergence(format!("trace line {}", index + 1), call, at(&self.native_lines, self.native), at(&self.other_lines, self.other)))
    }

    fn stderr(&self) -> Option<Divergence> {
        if self.native.outcome.stderr == self.other.outcome.stderr {
            return None;
        }
        let (n, o) = (String::from_utf8_lossy(&self.native.outcome.stderr), String::from_utf8_lossy(&self.other.outcome.stderr));
        Some(divergence("stderr".into(), None, n.into_owned(), o.into_owned()))
    }

    fn trees(&self) -> Option<Divergence> {
        if self.native.trees == self.other.trees {
            return None;
        }
        let paths: Vec<String> = self.native.trees.iter().zip(&self.other.trees).flat_map(|(n, o)| n.differences(o)).collect();
        let describe = |run: &Run| {
            paths.iter().map(|path| format!("{path}: {:?}", run.trees.iter().find_map(|t| t.entries.get(path)))).collect::<Vec<_>>().join(", ")
        };
        Some(divergence("directory tree".into(), None, describe(self.native), describe(self.other)))
    }

    /// Exit statuses that differ, explained by an entry or the divergence.
    fn judge_exit_status(&self, judgement: &mut Judgement) {
        let (ns, os) = (&self.native.outcome.status, &self.other.outcome.status);
        if ns == os {
            return;
        }
        match for_exit_status(ns, os, self.requested_exit()) {
            Some(entry) => judgement.explained.push((entry.id, Where::Exit)),
            None => judgement.divergence = Some(divergence("exit status".into(), None, ns.to_string(), os.to_string())),
        }
    }

    /// The code of the `proc_exit` the other's trace ends with: the driver
    /// prints `STEP@AT proc_exit(N)` just before exiting.
    fn requested_exit(&self) -> Option<u32> {
        match self.other_lines.last()?.kind {
            Kind::Exit { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A divergence at `call` (the call whose line either side shows, if one does).
fn divergence(aspect: String, call: Option<&Call>, native: String, other: String) -> Divergence {
    Divergence { aspect, call: call.map(|c| c.name.clone()), native, other }
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
    (agreed && first.is_start()).then_some(first.text)
}

/// The pair's native p1 and other subject (each with its run's
/// adjustments) rerun with `kind` applied to call `step`: `None` if the two
/// reruns make that call alike, else where they part, as `aspect`. With
/// `Adjust::Apart`, the call as the other first made it (`original`) must
/// also answer what the reruns answer: buffers apart change what lands
/// where, not the answer.
fn both_adjusted(pair: &Pair, step: u32, kind: Adjust, original: &Call, aspect: String) -> Result<Option<Divergence>> {
    let (fuzzer, input, adjusted, subject) = (pair.fuzzer, pair.input, pair.adjusted, pair.other.subject);
    if adjusted.native.contains(&(step, kind)) {
        // The same adjustment again would rerun the same program: nothing covers it.
        return Ok(Some(divergence(aspect, Some(original), format!("call {step} already rerun with {kind:?}"), original.to_string())));
    }
    let mut both = adjusted.clone();
    both.native.push((step, kind));
    both.other.push((step, kind));
    let native = fuzzer.run_adjusted(Subject::Native, input, &both.native)?;
    let other = fuzzer.run_adjusted(subject, input, &both.other)?;
    let call_of = |run: &Run| trace::parse(&run.outcome.stdout, input).into_iter().filter_map(Line::into_call).find(|call| call.step == step);
    let (native_call, other_call) = (call_of(&native), call_of(&other));
    if let (Some(n), Some(_)) = (&native_call, &other_call)
        && kind == Adjust::Apart
        && (n.errno, &n.returned) != (original.errno, &original.returned)
    {
        return Ok(Some(divergence(aspect, Some(n), n.to_string(), original.to_string())));
    }
    if native_call.is_some() && native_call == other_call {
        return Ok(None);
    }
    // The reruns differ at the call (or native p1 trapped in it, on a
    // misaligned pointer the bad one hid, say): they are judged like any
    // pair of runs, accepted differences and their second oracles included.
    let judgement = judge_with(fuzzer, input, &both, &native, &other)?;
    Ok(judgement.divergence.map(|divergence| Divergence { aspect, ..divergence }))
}

/// Whether `call` succeeded with a length argument reaching past the end of
/// native p1's memory (`memory_pages`) but within the gap ours leaves the
/// guest when linked drop-in: it wrote into memory only ours has.
fn wrote_past_native_memory(call: &Call, memory_pages: u64) -> bool {
    let native_end = i128::from(memory_pages * 65536);
    call.errno == errno::SUCCESS && call.numbers().any(|len| len > native_end && len <= native_end + i128::from(DROP_IN_GAP))
}
