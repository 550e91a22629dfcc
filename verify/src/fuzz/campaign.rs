//! A campaign: seeded, reproducible inputs through every subject; tallies of
//! what was compared; divergences of ours minimised and written as
//! regression cases.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use super::{Check, Fuzzer, Subject, trace};

/// What to run.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub seed: u64,
    /// The first input's index: a long campaign runs in pieces of one seed.
    pub first: u64,
    pub inputs: u64,
    /// Longest generated input, in bytes.
    pub max_len: usize,
    /// Where minimised divergences are written (tests/fuzz-regressions).
    pub regressions: Option<PathBuf>,
    /// Where to write, for each accepted difference applied to ours, the
    /// first input it applied to, minimised (a case to test it on).
    pub examples: Option<PathBuf>,
    pub jobs: usize,
    /// Print a progress line every this many inputs (0: never).
    pub progress_every: u64,
}

impl Campaign {
    pub fn new(seed: u64, inputs: u64) -> Campaign {
        Campaign { seed, first: 0, inputs, max_len: 320, regressions: None, examples: None, jobs: 1, progress_every: 0 }
    }
}

/// Input `index` of the campaign with `seed`: independent of every other
/// index, so any input can be regenerated alone.
pub fn generate(seed: u64, index: u64, max_len: usize) -> Vec<u8> {
    let mut state = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        // SplitMix64.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = (next() % (max_len as u64 + 1)) as usize;
    (0..len).map(|_| next() as u8).collect()
}

/// What a campaign saw.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub inputs: u64,
    /// Call lines of ours compared with native p1, by call: (total, errno 0).
    pub calls: BTreeMap<String, (u64, u64)>,
    /// Accepted differences applied, by subject and entry.
    pub accepted: BTreeMap<(Subject, &'static str), u64>,
    /// Divergences of upstream from native p1, by signature (reported, not
    /// judged: upstream is not this project's to fix).
    pub upstream: BTreeMap<String, u64>,
    /// Divergences of ours: signature, the input index, where the minimised
    /// case was written, and the report.
    pub divergences: Vec<Found>,
    /// Accepted differences an example was written for.
    pub examples: std::collections::BTreeSet<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Found {
    pub subject: Subject,
    pub signature: String,
    pub index: u64,
    pub written: Option<PathBuf>,
    pub report: String,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.divergences.is_empty()
    }

    fn add(&mut self, check: &Check) {
        self.inputs += 1;
        for line in trace::parse(&check.native.outcome.stdout, &check.input) {
            if let Some(call) = line.into_call() {
                let entry = self.calls.entry(call.name).or_default();
                entry.0 += 1;
                entry.1 += u64::from(call.errno == 0);
            }
        }
        for (run, judgement) in &check.judged {
            for (id, _) in &judgement.explained {
                *self.accepted.entry((run.subject, id)).or_default() += 1;
            }
            if run.subject == Subject::Upstream
                && let Some(divergence) = &judgement.divergence
            {
                *self.upstream.entry(divergence.signature()).or_default() += 1;
            }
        }
    }

    /// A report: counts, accepted differences, upstream's divergences,
    /// ours.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let compared: u64 = self.calls.values().map(|(total, _)| total).sum();
        let _ = writeln!(out, "inputs: {}; calls executed by native p1 and compared: {compared}", self.inputs);
        let _ = writeln!(out, "calls (executed / succeeded):");
        for (name, (total, ok)) in &self.calls {
            let _ = writeln!(out, "  {name:<24}{total:>9} {ok:>9}");
        }
        let _ = writeln!(out, "accepted differences applied:");
        for ((subject, id), count) in &self.accepted {
            let _ = writeln!(out, "  {:<14}{id:<34}{count:>9}", subject.label());
        }
        let _ = writeln!(out, "upstream's divergences from native p1 (reported, not judged):");
        for (signature, count) in &self.upstream {
            let _ = writeln!(out, "  {signature:<48}{count:>9}");
        }
        if self.divergences.is_empty() {
            let _ = writeln!(out, "ours: no unexplained divergence, no trap");
        }
        for found in &self.divergences {
            let _ = writeln!(out, "DIVERGENCE of {} ({}) at input {}:", found.subject.label(), found.signature, found.index);
            let _ = writeln!(out, "{}", found.report);
            if let Some(path) = &found.written {
                let _ = writeln!(out, "  minimised case written to {}", path.display());
            }
        }
        out
    }
}

/// Runs a campaign; divergences of ours are minimised (one per signature)
/// and, if asked, written as regression cases.
pub fn run(fuzzer: &Fuzzer, campaign: &Campaign) -> Result<Summary> {
    let next = AtomicU64::new(0);
    let summary = Mutex::new(Summary::default());
    let failure = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..campaign.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = campaign.first + next.fetch_add(1, Ordering::Relaxed);
                    if index >= campaign.first + campaign.inputs || failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        return;
                    }
                    if let Err(error) = one(fuzzer, campaign, index, &summary) {
                        if let Ok(mut failure) = failure.lock() {
                            *failure = Some(error.context(format!("input {index} of seed {}", campaign.seed)));
                        }
                        return;
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().ok().flatten() {
        return Err(error);
    }
    summary.into_inner().map_err(|_| anyhow::anyhow!("a campaign worker panicked"))
}

fn one(fuzzer: &Fuzzer, campaign: &Campaign, index: u64, summary: &Mutex<Summary>) -> Result<()> {
    let input = generate(campaign.seed, index, campaign.max_len);
    let check = fuzzer.check(&input, &Subject::ALL)?;
    let mut fresh = Vec::new();
    let mut new_examples = Vec::new();
    {
        let mut summary = summary.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        summary.add(&check);
        for (run, judgement) in &check.judged {
            if !Subject::JUDGED.contains(&run.subject) {
                continue;
            }
            if let Some(divergence) = &judgement.divergence {
                let signature = divergence.signature();
                if !summary.divergences.iter().any(|found| found.signature == signature) {
                    summary.divergences.push(Found {
                        subject: run.subject,
                        signature: signature.clone(),
                        index,
                        written: None,
                        report: judgement.describe(),
                    });
                    fresh.push((run.subject, signature));
                }
            }
        }
        if campaign.examples.is_some()
            && let Some(judgement) = check.judgement(Subject::Ours)
            && judgement.ok()
        {
            for (id, _) in &judgement.explained {
                if !summary.examples.contains(id) && !new_examples.contains(id) {
                    new_examples.push(*id);
                }
            }
        }
        if campaign.progress_every > 0 && summary.inputs % campaign.progress_every == 0 {
            eprintln!("fuzz: {} inputs, {} divergences of ours", summary.inputs, summary.divergences.len());
        }
    }
    for id in new_examples {
        // Applied, with a call of ours after it: a case that also shows
        // what follows an accepted difference being judged.
        let applies = |candidate: &[u8]| -> Result<bool> {
            let check = fuzzer.check(candidate, &[Subject::Ours])?;
            let Some((run, judgement)) = check.judged.first() else { return Ok(false) };
            let steps = trace::parse(&run.outcome.stdout, candidate).iter().filter_map(|line| line.call().map(|c| c.step)).max();
            Ok(judgement.ok()
                && judgement.explained.iter().any(|(applied, at)| *applied == id && at.call().zip(steps).is_some_and(|(n, last)| last > n)))
        };
        if !applies(&input)? {
            continue;
        }
        let minimal = shorten(&input, applies)?;
        let mut summary_now = summary.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        if !summary_now.examples.insert(id) {
            continue;
        }
        drop(summary_now);
        if let Some(dir) = &campaign.examples {
            write_regression(fuzzer, dir, &minimal, &format!("accepted-{id}"))?;
        }
    }
    for (subject, signature) in fresh {
        let minimal = minimise(fuzzer, &input, subject, &signature)?;
        let written = match &campaign.regressions {
            Some(dir) => Some(write_regression(fuzzer, dir, &minimal, &signature)?),
            None => None,
        };
        let mut summary = summary.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        if let Some(found) = summary.divergences.iter_mut().find(|found| found.signature == signature) {
            found.written = written;
            found.report = fuzzer.check(&minimal, &[subject])?.render();
        }
    }
    Ok(())
}

/// The shortest input found, by cutting chunks, on which `subject` still
/// diverges with the same signature.
pub fn minimise(fuzzer: &Fuzzer, input: &[u8], subject: Subject, signature: &str) -> Result<Vec<u8>> {
    let still = |candidate: &[u8]| -> Result<bool> {
        let check = fuzzer.check(candidate, &[subject])?;
        Ok(check.judgement(subject).and_then(|j| j.divergence.as_ref()).is_some_and(|d| d.signature() == signature))
    };
    shorten(input, still)
}

/// The shortest input found, by cutting chunks, for which `still` holds.
fn shorten(input: &[u8], still: impl Fn(&[u8]) -> Result<bool>) -> Result<Vec<u8>> {
    let mut current = input.to_vec();
    let mut chunk = (current.len() / 2).max(1);
    let mut budget = 3000;
    loop {
        let mut start = 0;
        let mut cut_any = false;
        while start < current.len() && budget > 0 {
            budget -= 1;
            let end = (start + chunk).min(current.len());
            let candidate: Vec<u8> = current[..start].iter().chain(&current[end..]).copied().collect();
            if still(&candidate)? {
                current = candidate;
                cut_any = true;
            } else {
                start += chunk;
            }
        }
        if budget == 0 || (chunk == 1 && !cut_any) {
            return Ok(current);
        }
        if !cut_any {
            chunk = (chunk / 2).max(1);
        }
    }
}

/// Writes a regression case: the input, each subject's trace and outcome,
/// and the judgement. Returns its directory.
pub fn write_regression(fuzzer: &Fuzzer, root: &Path, input: &[u8], signature: &str) -> Result<PathBuf> {
    let name = format!("{signature}-{:08x}", fnv(input) as u32);
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    std::fs::write(dir.join("input.bin"), input)?;
    record(fuzzer, &dir, input)?;
    Ok(dir)
}

/// Writes each subject's trace and outcome of `input`, and the judgement,
/// into `dir` (a regression case's directory).
pub fn record(fuzzer: &Fuzzer, dir: &Path, input: &[u8]) -> Result<()> {
    let check = fuzzer.check(input, &Subject::ALL)?;
    for run in std::iter::once(&check.native).chain(check.judged.iter().map(|(run, _)| run)) {
        // The trace without its marks (the program's own output stays where it landed).
        let mut text: String = trace::parse(&run.outcome.stdout, input).iter().map(|line| line.text.as_str()).collect();
        let _ = writeln!(text, "-- status: {}", run.outcome.status);
        let _ = writeln!(text, "-- stderr:\n{}", String::from_utf8_lossy(&run.outcome.stderr));
        std::fs::write(dir.join(format!("{}.trace", run.subject.label())), text)?;
    }
    std::fs::write(dir.join("judgement.txt"), check.render())?;
    Ok(())
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}
