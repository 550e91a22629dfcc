//! The host matrix: one preview1 program run as native p1 by the wasmtime CLI,
//! and as components linked the way users link them (the wasm-tools CLI with
//! upstream's adapter or ours, or our `adapt`), each run on the wasmtime CLI
//! and on jco. Every run gets fresh copies of the case's fixtures.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use crate::tools::{self, CliRun, Host};
use crate::tree::Tree;
use crate::{Case, Flavour, Implementation};

/// How the component is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linking {
    /// `wasm-tools component new --adapt` with upstream's command adapter.
    Upstream,
    /// The same with ours (drop-in).
    Ours,
    /// Our `adapt` (prepared module).
    OursAdapt,
}

impl Linking {
    pub fn label(self) -> &'static str {
        match self {
            Linking::Upstream => "upstream",
            Linking::Ours => "ours",
            Linking::OursAdapt => "ours (adapt)",
        }
    }
}

/// What a run ended with and left behind.
#[derive(Clone, Debug)]
pub struct HostRun {
    pub cli: CliRun,
    pub trees: Vec<Tree>,
}

impl HostRun {
    /// Which of status, stdout, stderr and the trees differ from `other`.
    pub fn differences(&self, other: &HostRun) -> Vec<&'static str> {
        let mut aspects = Vec::new();
        if self.cli.status != other.cli.status {
            aspects.push("status");
        }
        if self.cli.stdout != other.cli.stdout {
            aspects.push("stdout");
        }
        if self.cli.stderr != other.cli.stderr {
            aspects.push("stderr");
        }
        if self.trees != other.trees {
            aspects.push("tree");
        }
        aspects
    }

    pub fn summary(&self) -> String {
        match self.cli.status {
            Some(tools::TRAP_STATUS) => "trap".into(),
            Some(code) => format!("exit {code}"),
            None => "killed".into(),
        }
    }
}

/// A case's runs: native p1, then each host and linking.
#[derive(Clone, Debug)]
pub struct Row {
    pub case: String,
    pub native: HostRun,
    pub runs: Vec<(Host, Linking, HostRun)>,
}

impl Row {
    pub fn get(&self, host: Host, linking: Linking) -> &HostRun {
        &self.runs.iter().find(|(h, l, _)| *h == host && *l == linking).expect("a run of every host and linking").2
    }

    /// Every run with what differs from native p1, and the first differing
    /// output lines, for a failure message.
    pub fn render(&self) -> String {
        let mut text = format!("{}: native p1 {}\n", self.case, self.native.summary());
        for (host, linking, run) in &self.runs {
            let aspects = run.differences(&self.native);
            let _ = writeln!(
                text,
                "  {} / {}: {} {}",
                host.label(),
                linking.label(),
                run.summary(),
                if aspects.is_empty() { "= native".into() } else { format!("differs in {}", aspects.join(", ")) }
            );
            if aspects.contains(&"stdout") {
                let _ = writeln!(
                    text,
                    "    stdout: {}",
                    crate::differential::first_line_difference(self.native.cli.stdout.as_bytes(), run.cli.stdout.as_bytes())
                );
            }
            if aspects.contains(&"stderr") {
                let _ = writeln!(text, "    stderr: {}", run.cli.stderr.lines().take(3).collect::<Vec<_>>().join(" | "));
            }
            if aspects.contains(&"tree") {
                for (ours, native) in run.trees.iter().zip(&self.native.trees) {
                    let paths = native.differences(ours);
                    let shown: Vec<String> = paths.iter().take(3).map(|path| path.chars().take(60).collect()).collect();
                    let _ = writeln!(text, "    tree: {} path(s) differ: {}", paths.len(), shown.join(", "));
                }
            }
        }
        text
    }
}

/// Runs `case` natively and through every linking on every host.
pub fn run_case(case: &Case, linkings: &[Linking], hosts: &[Host]) -> Result<Row> {
    let dir = tempfile::tempdir()?;
    let module = dir.path().join("program.wasm");
    std::fs::write(&module, &case.module)?;
    let native = run_once(case, Host::Wasmtime, &module).context("native p1 on the wasmtime CLI")?;
    let mut runs = Vec::new();
    for &linking in linkings {
        let component = dir.path().join(format!("{}.component.wasm", linking.label().replace([' ', '(', ')'], "")));
        link(case, linking, &module, &component, dir.path())?;
        for &host in hosts {
            let run = run_once(case, host, &component).with_context(|| format!("{} on {}", linking.label(), host.label()))?;
            runs.push((host, linking, run));
        }
    }
    Ok(Row { case: case.name.clone(), native, runs })
}

fn link(case: &Case, linking: Linking, module: &Path, component: &Path, dir: &Path) -> Result<()> {
    let flavour = case.flavour.unwrap_or(Flavour::Command);
    match linking {
        Linking::Upstream | Linking::Ours => {
            let implementation = if linking == Linking::Ours { Implementation::Ours } else { Implementation::Upstream };
            let adapter = dir.join(format!("{}.{}", implementation.label(), flavour.file_name()));
            std::fs::write(&adapter, implementation.adapter(flavour).context("an adapter")?)?;
            tools::link_with_cli(module, &adapter, component)
        }
        Linking::OursAdapt => {
            let options = wasip1_adapter::adapt::Options { flavour: Some(flavour), ..Default::default() };
            let adapted = wasip1_adapter::adapt::adapt(&case.module, &options)?;
            Ok(std::fs::write(component, adapted.component)?)
        }
    }
}

fn run_once(case: &Case, host: Host, file: &Path) -> Result<HostRun> {
    let scratch = tempfile::tempdir()?;
    let mut invocation = case.invocation.clone();
    let mut copies = Vec::new();
    for (index, (source, guest)) in case.fixtures.iter().enumerate() {
        let copy = scratch.path().join(format!("fixture{index}"));
        crate::tree::copy(source, &copy)?;
        invocation.preopens.push((copy.clone(), guest.clone()));
        copies.push(copy);
    }
    let cli = tools::run_on(host, file, &invocation)?;
    let trees = copies.iter().map(|copy| Tree::snapshot(copy)).collect::<Result<Vec<_>>>()?;
    Ok(HostRun { cli, trees })
}
