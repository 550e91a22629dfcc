//! Differential fuzzing: byte strings that the driver guest
//! (tests/guests/src/bin/fuzz_driver) turns into preview1 call sequences run
//! under native p1, the upstream adapter, ours and ours on the prepared
//! guest, each in a fresh copy of the same fixture; their traces, exit
//! status, stderr and final trees are compared, and every difference between
//! ours and native p1 must be explained by an entry of `accepted::ACCEPTED`.
//!
//! `prepare_pass` fuzzes the preparation pass on its own: random modules,
//! run as they are and prepared, with no adapter or driver involved.

pub mod accepted;
pub mod campaign;
pub mod fixture;
pub mod prepare_pass;
pub mod recheck;
pub mod trace;

use anyhow::{Context, Result};
use wasip1_adapter::Flavour;
use wasip1_adapter::adapt::Preparation;

use crate::adapters::{self, Implementation};
use crate::hosts::in_process::{self, Invocation};
use crate::tree::Tree;

pub use accepted::{ACCEPTED, ACCEPTED_VERSION, Judgement};
pub use campaign::{Campaign, Summary};

/// Who runs the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Native,
    Upstream,
    Ours,
    /// Ours, on the driver after the preparation pass (floating tail).
    OursPrepared,
}

impl Subject {
    pub const ALL: [Subject; 4] = [Subject::Native, Subject::Upstream, Subject::Ours, Subject::OursPrepared];
    /// The subjects judged against native p1: the adapter this project ships.
    pub const JUDGED: [Subject; 2] = [Subject::Ours, Subject::OursPrepared];

    pub fn label(self) -> &'static str {
        match self {
            Subject::Native => "native",
            Subject::Upstream => "upstream",
            Subject::Ours => "ours",
            Subject::OursPrepared => "ours-prepared",
        }
    }
}

/// How a rerun changes one call's arguments (the driver's `Adjust`; it
/// reads the same input bytes, so everything else stays as it was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjust {
    /// Rights masked to the bits p1 defines.
    DefinedRights = 1,
    /// Misaligned arena offsets of values wider than a byte rounded down to
    /// a multiple of 8 (byte buffers and paths stay).
    Aligned = 2,
    /// Wild pointers and lengths replaced by arena ones.
    ValidPointers = 3,
    /// poll_oneoff's events apart from its subscriptions, args_get's and
    /// environ_get's strings apart from their pointer array.
    Apart = 4,
}

/// What ends the driver's stdin when adjustments follow the input.
const ADJUST_MAGIC: [u8; 16] = *b"\xa7\x1fADJUST\x00\xc3\x5e\x92\x0b\x44\xe8\x17";

/// The driver's stdin for `input` with `adjustments` (step, kind).
pub fn adjusted_stdin(input: &[u8], adjustments: &[(u32, Adjust)]) -> Vec<u8> {
    let mut stdin = input.to_vec();
    if adjustments.is_empty() {
        return stdin;
    }
    for (step, kind) in adjustments {
        stdin.extend_from_slice(&step.to_le_bytes());
        stdin.push(*kind as u8);
    }
    stdin.extend_from_slice(&(adjustments.len() as u32).to_le_bytes());
    stdin.extend_from_slice(&ADJUST_MAGIC);
    stdin
}

/// One subject's run of one input; its trees are `/work` and `/other`
/// afterwards.
pub type Run = in_process::Run<Subject>;

enum Compiled {
    Module(in_process::ModulePre),
    Component(in_process::ComponentPre),
}

/// The driver, compiled once for every subject, and the fixture template.
pub struct Fuzzer {
    compiled: Vec<(Subject, Compiled)>,
    template: tempfile::TempDir,
    sources: [std::path::PathBuf; 2],
}

/// The driver's program name and arguments, and its environment.
pub const ARGS: [&str; 3] = ["fuzz_driver", "first argument", "zweites Argument"];
pub const ENV: [(&str, &str); 2] = [("FUZZ", "1"), ("LANG", "C.UTF-8")];

impl Fuzzer {
    /// Builds the driver guest and compiles it for every subject.
    pub fn new() -> Result<Fuzzer> {
        let driver = crate::guests::guest("fuzz_driver")?;
        Fuzzer::with_driver(&driver)
    }

    pub fn with_driver(driver: &[u8]) -> Result<Fuzzer> {
        let mut compiled = Vec::new();
        for subject in Subject::ALL {
            let build = |implementation, preparation| -> Result<Compiled> {
                let component = adapters::component_for(implementation, driver, Flavour::Command, preparation)?;
                Ok(Compiled::Component(in_process::link_component(&in_process::component(&component)?)?))
            };
            let one = match subject {
                Subject::Native => Compiled::Module(in_process::link_p1(&in_process::module(driver)?)?),
                Subject::Upstream => build(Implementation::Upstream, Preparation::Never)?,
                Subject::Ours => build(Implementation::Ours, Preparation::Never)?,
                Subject::OursPrepared => build(Implementation::Ours, Preparation::Always)?,
            };
            compiled.push((subject, one));
        }
        let template = scratch_root()?;
        let sources = fixture::build(template.path()).context("build the fuzzing fixture")?;
        Ok(Fuzzer { compiled, template, sources })
    }

    /// Runs `input` under `subject` in fresh copies of the fixture.
    pub fn run(&self, subject: Subject, input: &[u8]) -> Result<Run> {
        self.run_adjusted(subject, input, &[])
    }

    /// Runs `input` with `adjustments` (see `Adjust`).
    pub fn run_adjusted(&self, subject: Subject, input: &[u8], adjustments: &[(u32, Adjust)]) -> Result<Run> {
        let scratch = tempfile::tempdir_in(self.template.path())?;
        let stdin = adjusted_stdin(input, adjustments);
        let mut invocation = Invocation::new(ARGS[0]).args(ARGS[1..].iter().copied()).stdin(stdin);
        for (key, value) in ENV {
            invocation = invocation.env(key, value);
        }
        let mut copies = Vec::new();
        for (source, guest) in self.sources.iter().zip(fixture::PREOPENS) {
            let copy = scratch.path().join(source.file_name().context("fixture directories have names")?);
            crate::tree::copy(source, &copy)?;
            invocation = invocation.preopen(&copy, guest);
            copies.push(copy);
        }
        let compiled = &self.compiled.iter().find(|(s, _)| *s == subject).context("every subject is compiled")?.1;
        let outcome = match compiled {
            Compiled::Module(pre) => in_process::run_p1_linked(pre, &invocation),
            Compiled::Component(pre) => in_process::run_component_linked(pre, &invocation),
        }
        .with_context(|| format!("run the driver under {}", subject.label()))?;
        let trees = copies.iter().map(|copy| Tree::snapshot(copy)).collect::<Result<Vec<_>>>()?;
        Ok(Run { subject, outcome, trees })
    }

    /// Runs `input` under the given subjects and judges each against native
    /// p1 (which always runs).
    pub fn check(&self, input: &[u8], subjects: &[Subject]) -> Result<Check> {
        let native = self.run(Subject::Native, input)?;
        let mut judged = Vec::new();
        for subject in subjects.iter().filter(|s| **s != Subject::Native) {
            let run = self.run(*subject, input)?;
            let judgement = accepted::judge(self, input, &native, &run)?;
            judged.push((run, judgement));
        }
        Ok(Check { input: input.to_vec(), native, judged })
    }
}

/// One input under several subjects, each judged against native p1.
pub struct Check {
    pub input: Vec<u8>,
    pub native: Run,
    pub judged: Vec<(Run, Judgement)>,
}

impl Check {
    /// The judgement of `subject`, if it ran.
    pub fn judgement(&self, subject: Subject) -> Option<&Judgement> {
        self.judged.iter().find(|(run, _)| run.subject == subject).map(|(_, judgement)| judgement)
    }

    /// Whether every subject this project ships matched native p1, up to
    /// accepted differences.
    pub fn ours_ok(&self) -> bool {
        self.judged.iter().filter(|(run, _)| Subject::JUDGED.contains(&run.subject)).all(|(_, j)| j.ok())
    }

    /// A report: each subject's judgement, with the lines where it parts
    /// from native p1.
    pub fn render(&self) -> String {
        let mut out = format!("input: {} bytes\n", self.input.len());
        for (run, judgement) in &self.judged {
            out.push_str(&format!("{}: {}\n", run.subject.label(), judgement.describe()));
        }
        out
    }
}

/// Where fixture copies live: a memory file system when there is one, so
/// that fd_sync and directory churn cost nothing.
fn scratch_root() -> Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new().prefix("verify-fuzz").tempdir_in(shm)
    {
        return Ok(dir);
    }
    Ok(tempfile::Builder::new().prefix("verify-fuzz").tempdir()?)
}
