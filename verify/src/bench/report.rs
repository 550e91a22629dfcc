//! The benchmark report: markdown that `verify bench` writes between two
//! markers of docs/benchmarks.md, leaving the prose around it alone.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::prepare_pass::PreparationReport;
use super::sizes::SizeReport;
use super::{Options, Row};
use crate::Implementation;

pub const BEGIN: &str = "<!-- verify bench: begin (written by `cargo verify bench`; edit outside the markers) -->";
pub const END: &str = "<!-- verify bench: end -->";

pub struct Report {
    pub options: Options,
    pub machine: Machine,
    pub calls: Vec<Row>,
    pub programs: Vec<Row>,
    /// Compile times of linked components (and core modules for native).
    pub compilation: Vec<Row>,
    /// Per-call cases again, in wasm instructions per iteration.
    pub instructions: Vec<Row>,
    /// `None` when only some cases ran.
    pub sizes: Option<SizeReport>,
    /// How often the floating tail moved, for Go programs.
    pub tail: Option<Vec<super::tail::TailRow>>,
    pub preparation: Option<PreparationReport>,
}

/// What the numbers were measured on.
pub struct Machine {
    pub date: String,
    pub cpu: String,
    pub logical_cpus: usize,
    pub memory: String,
    pub system: String,
    pub wasmtime: String,
    pub rustc: String,
}

impl Machine {
    pub fn describe() -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let cpu = field(&cpuinfo, "model name").unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let memory = field(&read("/proc/meminfo"), "MemTotal")
            .and_then(|kib| kib.trim_end_matches(" kB").trim().parse::<f64>().ok())
            .map_or("unknown".into(), |kib| format!("{:.0} GiB", kib / (1u64 << 20) as f64));
        let release = read("/proc/sys/kernel/osrelease");
        let system = format!("{} {}", std::env::consts::OS, release.trim());
        let rustc = std::process::Command::new("rustc")
            .arg("-V")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_default();
        Machine {
            date: today(),
            cpu,
            logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory,
            system,
            wasmtime: locked_version("wasmtime").unwrap_or_else(|| "unknown".into()),
            rustc,
        }
    }
}

fn field(text: &str, name: &str) -> Option<String> {
    text.lines().find(|line| line.starts_with(name)).and_then(|line| line.split_once(':')).map(|(_, v)| v.trim().to_string())
}

/// The version of `package` in the workspace's Cargo.lock.
fn locked_version(package: &str) -> Option<String> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            return lines.next()?.strip_prefix("version = \"")?.strip_suffix('"').map(str::to_string);
        }
    }
    None
}

/// Today's date (UTC), from the system clock.
fn today() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "Measured on {} by `cargo verify bench` ({} sample(s) per case and implementation, median reported{}).",
            m.date,
            self.options.samples,
            if self.options.divisor > 1 { format!(", iterations divided by {}", self.options.divisor) } else { String::new() }
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Machine: {}, {} logical CPUs, {} RAM, {}; wasmtime {} (default configuration), upstream adapter {}, {}.",
            m.cpu,
            m.logical_cpus,
            m.memory,
            m.system,
            m.wasmtime,
            crate::adapters::UPSTREAM_VERSION,
            m.rustc
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "### Per call (time per unit; ratios below 1 mean ours is faster)\n");
        rows_table(&mut out, &self.calls);
        let _ = writeln!(out, "\n### Whole programs (instantiate + run, compiled and linked beforehand)\n");
        rows_table(&mut out, &self.programs);
        let _ = writeln!(out, "\n### Compile time (wasmtime's default Cranelift, no cache; native p1 compiles the core module alone)\n");
        rows_table(&mut out, &self.compilation);
        let _ = writeln!(
            out,
            "\n### Wasm instructions per iteration (wasmtime fuel; native p1 counts only the guest's loop, its host functions not being wasm)\n"
        );
        let _ = writeln!(out, "| case | native p1 (guest only) | upstream | ours | ours − upstream |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|");
        for row in &self.instructions {
            let cell = |i: usize| {
                row.values.get(i).map_or("–".into(), |v| v.as_ref().map_or_else(|e| format!("fails: {}", first_line(e)), |n| format!("{n:.0}")))
            };
            let diff = match (row.value(Implementation::Ours), row.value(Implementation::Upstream)) {
                (Some(o), Some(u)) => format!("{:+.0}", o - u),
                _ => "–".into(),
            };
            let _ = writeln!(out, "| {} | {} | {} | {} | {diff} |", row.name, cell(0), cell(1), cell(2));
        }
        if let Some(tail) = &self.tail {
            let _ = writeln!(out, "\n### Floating tail: guest growths and moves of the adapter's pages\n");
            out.push_str(&super::tail::markdown(tail));
        }
        let (Some(sizes), Some(p)) = (&self.sizes, &self.preparation) else {
            return out;
        };
        let _ = writeln!(out, "\n### Adapter artifacts (bytes)\n");
        out.push_str(&super::sizes::adapters_markdown(&sizes.adapters));
        let _ = writeln!(out, "\n### Componentized programs (bytes)\n");
        let _ = writeln!(out, "| program | core module | component with upstream | component with ours | ours − upstream |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|");
        for c in &sizes.components {
            let cell = |r: &Result<usize, String>| r.as_ref().map_or_else(|e| format!("fails: {}", first_line(e)), |n| n.to_string());
            let diff = match (&c.upstream, &c.ours) {
                (Ok(u), Ok(o)) => format!("{:+}", *o as i64 - *u as i64),
                _ => "–".into(),
            };
            let _ = writeln!(out, "| {} | {} | {} | {} | {} |", c.program, c.module, cell(&c.upstream), cell(&c.ours), diff);
        }
        let _ = writeln!(out, "\n### Every program of the project, componentized (bytes)\n");
        out.push_str(&super::sizes::component_set_markdown(&sizes.set));
        let _ = writeln!(out, "\n### Preparation pass\n");
        let _ = writeln!(
            out,
            "| module | size | `prepare` (median of {}) | peak heap of `prepare` | rewritten memory.grow / memory.size | whole `adapt` (prepare + link) |",
            p.runs
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
        let peak = p.prepare_peak_bytes.map_or("not measured (needs the verify binary)".into(), |b| format!("{:.1} MB", b as f64 / 1e6));
        let _ = writeln!(
            out,
            "| {} | {:.1} MB | {:.3} s | {} | {} / {} | {:.3} s |",
            p.program,
            p.module_bytes as f64 / 1e6,
            p.prepare_seconds,
            peak,
            p.memory_grow_rewritten,
            p.memory_size_rewritten,
            p.adapt_seconds
        );
        out
    }
}

fn rows_table(out: &mut String, rows: &[Row]) {
    let _ = writeln!(out, "| case | unit | native p1 | upstream | ours | ours/upstream | ours/native |");
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
    for row in rows {
        let cells: Vec<String> = row.values.iter().map(|v| v.as_ref().map_or_else(|e| format!("fails: {}", first_line(e)), |ns| time(*ns))).collect();
        let ratio = |other| row.ratio(other).map_or("–".into(), |r: f64| format!("{r:.2}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            row.unit,
            cells[0],
            cells[1],
            cells[2],
            ratio(Implementation::Upstream),
            ratio(Implementation::Native)
        );
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").replace('|', "/")
}

/// Nanoseconds, in a readable unit.
pub fn time(ns: f64) -> String {
    match ns {
        n if n < 1e3 => format!("{n:.0} ns"),
        n if n < 1e6 => format!("{:.2} µs", n / 1e3),
        n if n < 1e9 => format!("{:.2} ms", n / 1e6),
        n => format!("{:.2} s", n / 1e9),
    }
}

/// Replaces what lies between the markers in `path` with `markdown`.
pub fn write_into(path: &Path, markdown: &str) -> Result<()> {
    write_between(path, BEGIN, END, markdown)
}

/// Replaces what lies between `begin` and `end` in `path` with `markdown`.
pub fn write_between(path: &Path, begin_marker: &str, end_marker: &str, markdown: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let (Some(begin), Some(end)) = (text.find(begin_marker), text.find(end_marker)) else {
        bail!("{} lacks the markers\n{begin_marker}\n{end_marker}", path.display());
    };
    if end < begin {
        bail!("{}: the end marker comes before the begin marker", path.display());
    }
    let updated = format!("{}{begin_marker}\n{markdown}{}", &text[..begin], &text[end..]);
    std::fs::write(path, updated).with_context(|| format!("write {}", path.display()))
}
