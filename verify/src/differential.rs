//! Running one preview1 program under native p1, the upstream adapter and
//! ours, and comparing everything observable: exit status, stdout, stderr and
//! the preopened directories afterwards.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use wasip1_adapter::Flavour;
use wasip1_adapter::adapt::Preparation;

use crate::adapters::{self, Implementation};
use crate::fuzz::accepted::{self, Accepted};
use crate::hosts::in_process::{self, Invocation, Outcome, Status};
use crate::tree::Tree;

/// A program and how to run it. Each fixture directory is copied afresh for
/// every implementation and preopened under its guest name, after the
/// invocation's own preopens.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub module: Vec<u8>,
    pub invocation: Invocation,
    pub fixtures: Vec<(PathBuf, String)>,
    /// The adapter flavour; by default command or reactor, from the module.
    pub flavour: Option<Flavour>,
    /// Whether our adapter's run prepares the module first.
    pub preparation: Preparation,
}

impl Case {
    pub fn new(name: impl Into<String>, module: Vec<u8>, invocation: Invocation) -> Case {
        Case { name: name.into(), module, invocation, fixtures: Vec::new(), flavour: None, preparation: Preparation::Auto }
    }

    pub fn preparation(mut self, preparation: Preparation) -> Case {
        self.preparation = preparation;
        self
    }

    pub fn flavour(mut self, flavour: Flavour) -> Case {
        self.flavour = Some(flavour);
        self
    }

    pub fn fixture(mut self, source: impl Into<PathBuf>, guest: impl Into<String>) -> Case {
        self.fixtures.push((source.into(), guest.into()));
        self
    }
}

/// One implementation's run of a case.
pub type Run = in_process::Run<Implementation>;

/// The three runs of a case.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub case_name: String,
    pub runs: Vec<Run>,
}

/// A part of what a run shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    Status,
    Stdout,
    Stderr,
    Trees,
}

impl Aspect {
    pub const ALL: [Aspect; 4] = [Aspect::Status, Aspect::Stdout, Aspect::Stderr, Aspect::Trees];

    pub fn label(self) -> &'static str {
        match self {
            Aspect::Status => "exit status",
            Aspect::Stdout => "stdout",
            Aspect::Stderr => "stderr",
            Aspect::Trees => "directory tree",
        }
    }
}

/// A difference between ours and native p1 that is explained, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    pub aspect: Aspect,
    pub rule: &'static str,
    pub reason: &'static str,
}

/// Ours against native p1.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    pub explained: Vec<Explained>,
    pub unexplained: Vec<Aspect>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.unexplained.is_empty()
    }
}

/// Runs `case` under all three implementations.
pub fn compare(case: &Case) -> Result<Comparison> {
    let flavour = match case.flavour {
        Some(flavour) => flavour,
        None => adapters::flavour_of(&case.module)?,
    };
    let runs = Implementation::ALL.iter().map(|implementation| run_one(case, *implementation, flavour)).collect::<Result<Vec<_>>>()?;
    Ok(Comparison { case_name: case.name.clone(), runs })
}

/// Runs `case` under one implementation, in fresh copies of its fixtures.
pub fn run_one(case: &Case, implementation: Implementation, flavour: Flavour) -> Result<Run> {
    let scratch = tempfile::tempdir()?;
    let mut invocation = case.invocation.clone();
    let mut copies = Vec::new();
    for (index, (source, guest)) in case.fixtures.iter().enumerate() {
        let copy = scratch.path().join(format!("fixture{index}"));
        crate::tree::copy(source, &copy).with_context(|| format!("copy fixture {}", source.display()))?;
        invocation.preopens.push((copy.clone(), guest.clone()));
        copies.push(copy);
    }
    let outcome = match implementation.adapter(flavour) {
        None => in_process::run_p1(&in_process::module(&case.module)?, &invocation)?,
        Some(_) => match adapters::component_for(implementation, &case.module, flavour, case.preparation) {
            Ok(component) => in_process::run_component(&in_process::component(&component)?, &invocation)?,
            // Upstream's adapter cannot link every module native p1 runs;
            // ours must.
            Err(error) if implementation == Implementation::Upstream => {
                Outcome { status: Status::NotBuilt(format!("{error:#}")), stdout: Vec::new(), stderr: Vec::new() }
            }
            Err(error) => return Err(error.context(format!("adapt {} with the {} adapter", case.name, implementation.label()))),
        },
    };
    let trees = copies.iter().map(|copy| Tree::snapshot(copy)).collect::<Result<Vec<_>>>()?;
    Ok(Run { subject: implementation, outcome, trees })
}

impl Comparison {
    pub fn run(&self, implementation: Implementation) -> &Run {
        self.runs.iter().find(|run| run.subject == implementation).expect("compare runs all three")
    }

    pub fn native(&self) -> &Run {
        self.run(Implementation::Native)
    }

    pub fn upstream(&self) -> &Run {
        self.run(Implementation::Upstream)
    }

    pub fn ours(&self) -> &Run {
        self.run(Implementation::Ours)
    }

    /// The aspects in which two runs differ.
    pub fn differences(a: &Run, b: &Run) -> Vec<Aspect> {
        Aspect::ALL.into_iter().filter(|aspect| !same(a, b, *aspect)).collect()
    }

    /// Ours against native p1, with the project's standing explanations
    /// (docs/differences.md) applied.
    pub fn verdict(&self) -> Verdict {
        let mut verdict = Verdict::default();
        for aspect in Self::differences(self.native(), self.ours()) {
            match explain(self.native(), self.ours(), aspect) {
                Some(explained) => verdict.explained.push(explained),
                None => verdict.unexplained.push(aspect),
            }
        }
        verdict
    }

    /// A side-by-side report of the three runs and the verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "case: {}", self.case_name);
        let _ =
            writeln!(out, "{:<15}{:<30}{:<30}{}", "", self.native().subject.label(), self.upstream().subject.label(), self.ours().subject.label());
        for aspect in Aspect::ALL {
            let cell = |run: &Run| -> String {
                if run.subject != Implementation::Native && same(run, self.native(), aspect) {
                    return "= native".into();
                }
                summary(run, aspect)
            };
            let _ = writeln!(out, "{:<15}{:<30}{:<30}{}", aspect.label(), cell(self.native()), cell(self.upstream()), cell(self.ours()));
        }
        for run in [self.upstream(), self.ours()] {
            for aspect in Self::differences(self.native(), run) {
                let _ = writeln!(out, "  {} vs native, {}: {}", run.subject.label(), aspect.label(), first_difference(self.native(), run, aspect));
            }
        }
        let verdict = self.verdict();
        for explained in &verdict.explained {
            let _ = writeln!(out, "  explained ({}): {} — {}", explained.rule, explained.aspect.label(), explained.reason);
        }
        let _ = if verdict.ok() {
            writeln!(out, "verdict: ours matches native p1{}", if verdict.explained.is_empty() { "" } else { " (differences explained above)" })
        } else {
            writeln!(
                out,
                "verdict: UNEXPLAINED difference from native p1 in {}",
                verdict.unexplained.iter().map(|a| a.label()).collect::<Vec<_>>().join(", ")
            )
        };
        out
    }
}

fn same(a: &Run, b: &Run, aspect: Aspect) -> bool {
    match aspect {
        Aspect::Status => a.outcome.status == b.outcome.status,
        Aspect::Stdout => a.outcome.stdout == b.outcome.stdout,
        Aspect::Stderr => a.outcome.stderr == b.outcome.stderr,
        Aspect::Trees => a.trees == b.trees,
    }
}

/// The standing explanations of a difference between native p1 and ours:
/// the fuzzer's accepted differences, of which only the exit status rule
/// can apply (the others read a call trace, which these runs lack).
fn explain(native: &Run, ours: &Run, aspect: Aspect) -> Option<Explained> {
    if aspect != Aspect::Status {
        return None;
    }
    let entry = exit_status_entry(&native.outcome.status, &ours.outcome.status)?;
    Some(Explained { aspect, rule: entry.id, reason: entry.why })
}

/// The accepted entry for ours' exit status against native p1's. With no
/// trace, the code proc_exit was asked for is not recorded; native p1's
/// refusal says it was 126 or more, and ours' code stands in for it. So the
/// entry checks native's refusal and that ours' code is one the rule allows
/// (126-255), but cannot tell 255 from a larger request; the rule treats
/// those alike, and tests/differential/process.rs checks each code's status.
pub(crate) fn exit_status_entry(native: &Status, ours: &Status) -> Option<&'static Accepted> {
    let requested = match ours {
        Status::Exited(code) => u32::try_from(*code).ok(),
        _ => None,
    };
    accepted::for_exit_status(native, ours, requested)
}

fn summary(run: &Run, aspect: Aspect) -> String {
    match aspect {
        Aspect::Status => run.outcome.status.to_string(),
        Aspect::Stdout => format!("{} bytes", run.outcome.stdout.len()),
        Aspect::Stderr => format!("{} bytes", run.outcome.stderr.len()),
        Aspect::Trees => run.trees.iter().map(|tree| tree.to_string()).collect::<Vec<_>>().join(", "),
    }
    .chars()
    .take(28)
    .collect()
}

fn first_difference(a: &Run, b: &Run, aspect: Aspect) -> String {
    match aspect {
        Aspect::Status => format!("{} vs {}", a.outcome.status, b.outcome.status),
        Aspect::Stdout => first_line_difference(&a.outcome.stdout, &b.outcome.stdout),
        Aspect::Stderr => first_line_difference(&a.outcome.stderr, &b.outcome.stderr),
        Aspect::Trees => {
            let paths: Vec<String> = a.trees.iter().zip(&b.trees).flat_map(|(x, y)| x.differences(y)).collect();
            let shown: Vec<String> = paths.iter().take(5).map(|path| shorten(path, 80)).collect();
            format!("{} paths differ: {}{}", paths.len(), shown.join(", "), if paths.len() > 5 { ", ..." } else { "" })
        }
    }
}

/// `text` cut to about `max` characters, keeping both ends.
fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let half = max / 2;
    format!("{}…{}", chars[..half].iter().collect::<String>(), chars[chars.len() - half..].iter().collect::<String>())
}

/// Where two outputs first differ, line by line.
pub fn first_line_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let (mut left, mut right) = (a.lines(), b.lines());
    let mut number = 1;
    loop {
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => number += 1,
            (None, None) => return "same lines, different line endings".into(),
            (x, y) => {
                return format!("line {number}: {:?} vs {:?}", shorten(x.unwrap_or("<end>"), 120), shorten(y.unwrap_or("<end>"), 120));
            }
        }
    }
}
