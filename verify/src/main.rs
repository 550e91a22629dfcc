//! `verify`: check, adapt, run and compare preview1 adapters.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use verify::{Case, Flavour, Implementation, Invocation, Status, check};

/// Lets `verify bench` report the preparation pass's peak heap.
#[global_allocator]
static HEAP: verify::bench::meter::PeakMeter = verify::bench::meter::PeakMeter;

#[derive(Parser)]
#[command(name = "verify", about = "Check, adapt, run and compare WASI preview1 adapters")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Statically check adapter artifacts (ours, when no file is given).
    Check {
        /// Adapter files to check; the flavour is taken from the file name.
        files: Vec<PathBuf>,
        /// Apply this project's own rules too, not only wit-component's.
        #[arg(long)]
        strict: bool,
    },
    /// Link a preview1 core module with an adapter into a component
    /// (ours prepares every module with preview1 imports first).
    Adapt {
        /// The preview1 module (.wasm or .wat).
        module: PathBuf,
        /// Where to write the component.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        adapter: AdapterChoice,
    },
    /// Say what a preview1 module is: producer, allocator exports, command
    /// or reactor, p1 imports, and what `adapt` will do with it.
    Inspect { module: PathBuf },
    /// Run a component, or a preview1 module adapted on the fly (the bundled
    /// example when no file is given).
    Run {
        /// A component, or a preview1 core module (.wasm or .wat).
        file: Option<PathBuf>,
        #[command(flatten)]
        adapter: AdapterChoice,
        #[command(flatten)]
        io: Io,
    },
    /// Run a preview1 core module under wasmtime-wasi's native p1.
    RunP1 {
        module: PathBuf,
        #[command(flatten)]
        io: Io,
    },
    /// Run a preview1 module under native p1, the upstream adapter and ours,
    /// each on fresh copies of the preopened directories, and compare exit
    /// status, stdout, stderr and those directories afterwards.
    Diff {
        module: PathBuf,
        #[command(flatten)]
        prepare: PrepareChoice,
        #[command(flatten)]
        io: Io,
    },
    /// Write our three adapter artifacts into a directory.
    Artifacts {
        dir: PathBuf,
        #[command(flatten)]
        exit: ExitChoice,
    },
    /// Build Go standard-library test binaries (`go test -c`, GOOS=wasip1)
    /// and run each under native p1 and, through `adapt`, under ours, as
    /// Go's go_wasip1_wasm_exec runs them; exits non-zero if a package that
    /// passes natively fails with ours.
    GoStd {
        /// Packages (`go list` patterns); the CI subset when none are given.
        packages: Vec<String>,
        /// Every standard-library package with tests.
        #[arg(long, conflicts_with = "packages")]
        all: bool,
        /// Run upstream's adapter (linked drop-in) too.
        #[arg(long)]
        upstream: bool,
        /// Parallel workers.
        #[arg(long, default_value_t = 1)]
        jobs: usize,
    },
    /// Differential fuzzing: generated p1 call sequences (run by the driver
    /// guest) under native p1, upstream, ours and ours prepared; exits
    /// non-zero on a divergence of ours that no accepted difference explains.
    Fuzz {
        /// Seed of the generated inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The first input's index (to run a long campaign in pieces).
        #[arg(long, default_value_t = 0)]
        first: u64,
        /// How many inputs to run.
        #[arg(long, default_value_t = 1000)]
        inputs: u64,
        /// Longest generated input, in bytes.
        #[arg(long, default_value_t = 320)]
        max_len: usize,
        /// Parallel workers.
        #[arg(long, default_value_t = 1)]
        jobs: usize,
        /// Where minimised divergences are written.
        #[arg(long, default_value = "tests/fuzz-regressions")]
        regressions: PathBuf,
        /// Run one input file instead (a regression case's input.bin) and
        /// print every subject's trace and judgement.
        #[arg(long)]
        replay: Option<PathBuf>,
        /// With --replay: (re)write the traces and judgement next to the
        /// input file.
        #[arg(long, requires = "replay")]
        record: bool,
        /// Print the accepted differences as a Markdown table and exit.
        #[arg(long)]
        list_accepted: bool,
        /// Also write, for each accepted difference applied to ours, the
        /// first input it applied to, minimised, into this directory.
        #[arg(long)]
        examples: Option<PathBuf>,
    },
    /// Measure per-call cost, whole-program runs, artifact sizes and the
    /// preparation pass under native p1, upstream and ours, in one run, and
    /// write the report into docs/benchmarks.md (between its markers).
    Bench {
        /// Samples per case and implementation; the median is reported.
        #[arg(long, default_value_t = verify::bench::Options::FULL.samples)]
        samples: usize,
        /// A quick smoke run: one sample, a hundredth of the iterations,
        /// printed only.
        #[arg(long)]
        quick: bool,
        /// The report file (with the markers) to write into.
        #[arg(long, default_value = "docs/benchmarks.md")]
        report: PathBuf,
        /// Print the report without writing it.
        #[arg(long)]
        no_write: bool,
        /// Only the cases whose name contains this (repeatable); prints
        /// their rows only, for profiling.
        #[arg(long)]
        only: Vec<String>,
    },
    /// Count wasm instructions per iteration of the per-call cases (wasmtime
    /// fuel) under native p1, upstream and ours, and print them; quick, and
    /// the same in a debug build, so it is the profiling loop for the
    /// adapter's fixed costs.
    Fuel {
        /// Only the cases whose name contains this (repeatable).
        #[arg(long)]
        only: Vec<String>,
    },
    /// Count how often the floating tail moves the adapter's pages for the
    /// Go programs of tests/go (the table `verify bench` reports).
    Tail,
    /// Fuzz the preparation pass: random valid modules (wasm-smith) run as
    /// they are and prepared, with stand-ins for the adapter's functions,
    /// must do the same. Exits 1 on any divergence.
    FuzzPrepare {
        /// Campaign seed (each module's input derives from it and its index).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 1000)]
        modules: u64,
        /// Write module INDEX of the campaign to FILE instead (to replay it).
        #[arg(long, num_args = 2, value_names = ["INDEX", "FILE"])]
        write_module: Option<Vec<String>>,
    },
    /// Load the proxy flavour on the real `wasmtime serve` (ours and
    /// upstream taking turns) and write the figures into docs/benchmarks.md
    /// (between the serve-bench markers).
    ServeBench {
        /// Concurrent clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Requests per client and round.
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Rounds; the adapters take turns in each.
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        #[arg(long, default_value = "docs/benchmarks.md")]
        report: PathBuf,
        /// Print the report without writing it.
        #[arg(long)]
        no_write: bool,
    },
}

#[derive(clap::Args)]
struct AdapterChoice {
    /// Which adapter to use.
    #[arg(long, value_enum, default_value = "ours")]
    adapter: Which,
    /// Use this adapter file instead.
    #[arg(long, conflicts_with = "adapter")]
    adapter_file: Option<PathBuf>,
    #[command(flatten)]
    prepare: PrepareChoice,
    #[command(flatten)]
    exit: ExitChoice,
}

#[derive(clap::Args)]
struct ExitChoice {
    /// For hosts without wasi:cli 0.2.12's exit-with-code (wasmtime 27-45
    /// run without `-S cli-exit-with-code`): our adapter without that
    /// import; every non-zero exit code then ends as 1.
    #[arg(long)]
    no_exit_with_code: bool,
}

#[derive(clap::Args)]
struct PrepareChoice {
    /// Run the preparation pass (our adapter only): `auto` prepares every
    /// module with preview1 imports.
    #[arg(long, value_enum, default_value = "auto")]
    prepare: PrepareMode,
}

#[derive(Clone, Copy, ValueEnum)]
enum PrepareMode {
    Auto,
    Always,
    Never,
}

impl PrepareChoice {
    fn preparation(&self) -> verify::Preparation {
        match self.prepare {
            PrepareMode::Auto => verify::Preparation::Auto,
            PrepareMode::Always => verify::Preparation::Always,
            PrepareMode::Never => verify::Preparation::Never,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Ours,
    Upstream,
}

#[derive(clap::Args)]
struct Io {
    /// Preopen a host directory: HOST::GUEST, or HOST (seen as itself).
    #[arg(long = "dir")]
    dirs: Vec<String>,
    /// Set an environment variable: KEY=VALUE.
    #[arg(long = "env")]
    env: Vec<String>,
    /// A file whose contents are the guest's stdin.
    #[arg(long)]
    stdin: Option<PathBuf>,
    /// Arguments for the guest, after `--`.
    #[arg(last = true)]
    args: Vec<String>,
}

impl Io {
    fn invocation(&self, program: &str) -> Result<Invocation> {
        let mut invocation = Invocation::new(program).args(self.args.iter().cloned());
        for pair in &self.env {
            let (key, value) = pair.split_once('=').with_context(|| format!("--env {pair}: expected KEY=VALUE"))?;
            invocation = invocation.env(key, value);
        }
        for dir in &self.dirs {
            let (host, guest) = dir.split_once("::").unwrap_or((dir, dir));
            invocation = invocation.preopen(host, guest);
        }
        if let Some(path) = &self.stdin {
            invocation = invocation.stdin(std::fs::read(path).with_context(|| format!("read {}", path.display()))?);
        }
        Ok(invocation)
    }
}

fn go_std_command(packages: Vec<String>, all: bool, upstream: bool, jobs: usize) -> Result<ExitCode> {
    let packages = if all {
        verify::go_std::all_packages()?
    } else if packages.is_empty() {
        verify::go_std::CI_PACKAGES.iter().map(|p| p.to_string()).collect()
    } else {
        packages
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let rows = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(package) = packages.get(index) else { break };
                    let row = match verify::go_std::run(package, upstream) {
                        Ok(run) => {
                            let upstream = run.upstream.as_ref().map(verify::go_std::PackageRun::verdict);
                            let as_good = run.ours_as_good_as_native();
                            (
                                package.clone(),
                                verify::go_std::PackageRun::verdict(&run.native),
                                verify::go_std::PackageRun::verdict(&run.ours),
                                upstream,
                                as_good,
                            )
                        }
                        Err(error) => (package.clone(), format!("error: {error:#}"), String::new(), None, false),
                    };
                    println!(
                        "{:<28} native {:<24} ours {:<24}{}",
                        row.0,
                        row.1,
                        row.2,
                        row.3.as_ref().map(|u| format!(" upstream {u}")).unwrap_or_default()
                    );
                    rows.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(row);
                }
            });
        }
    });
    let rows = rows.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pass = |verdict: &str| verdict == "PASS";
    let native_passes = rows.iter().filter(|r| pass(&r.1)).count();
    let ours_passes = rows.iter().filter(|r| pass(&r.1) && pass(&r.2)).count();
    let regressions: Vec<&str> = rows.iter().filter(|r| !r.4).map(|r| r.0.as_str()).collect();
    println!("{} packages; {native_passes} pass under native p1, {ours_passes} of those with ours", rows.len());
    if let Some(upstream_passes) = upstream.then(|| rows.iter().filter(|r| pass(&r.1) && r.3.as_deref().is_some_and(pass)).count()) {
        println!("upstream's adapter (drop-in) passes {upstream_passes} of them");
    }
    if regressions.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!("ours worse than native p1 (or not run): {}", regressions.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("verify: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { files, strict } => check_command(&files, strict),
        Command::Adapt { module, output, adapter } => {
            let module_bytes = verify::read_wasm(&module)?;
            let adapted = adapter.adapt(&module_bytes)?;
            std::fs::write(&output, &adapted.component).with_context(|| format!("write {}", output.display()))?;
            println!("wrote {} ({} bytes): {} flavour, {}", output.display(), adapted.component.len(), adapted.flavour, adapted.strategy);
            if let Some((sizes, grows)) = adapted.rewritten {
                println!("rewrote {sizes} memory.size and {grows} memory.grow instructions");
            }
            if adapted.memory.any() {
                println!("memory: {}", adapted.memory);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::GoStd { packages, all, upstream, jobs } => go_std_command(packages, all, upstream, jobs),
        // The same as the user's tool, `wasip1-adapt inspect`.
        Command::Inspect { module } => Ok(user_tool(&["inspect".into(), module.display().to_string()])),
        Command::Run { file, adapter, io } => {
            let (name, bytes) = match &file {
                Some(path) => (path.display().to_string(), verify::read_wasm(path)?),
                None => ("hello.wat".to_string(), wat::parse_str(verify::EXAMPLE_WAT)?),
            };
            let invocation = io.invocation(&name)?;
            let component = if verify::is_component(&bytes) { bytes } else { adapter.adapt(&bytes)?.component };
            let outcome = verify::hosts::in_process::run_component(&verify::hosts::in_process::component(&component)?, &invocation)?;
            Ok(report_outcome(&outcome))
        }
        Command::RunP1 { module, io } => {
            let bytes = verify::read_wasm(&module)?;
            let outcome =
                verify::hosts::in_process::run_p1(&verify::hosts::in_process::module(&bytes)?, &io.invocation(&module.display().to_string())?)?;
            Ok(report_outcome(&outcome))
        }
        Command::Diff { module, prepare, io } => {
            let bytes = verify::read_wasm(&module)?;
            let mut invocation = io.invocation(&module.display().to_string())?;
            // Each implementation gets fresh copies of the preopened directories.
            let mut case = Case::new(module.display().to_string(), bytes, Invocation::default());
            for (host, guest) in std::mem::take(&mut invocation.preopens) {
                case = case.fixture(host, guest);
            }
            case.invocation = invocation;
            case.preparation = prepare.preparation();
            let comparison = verify::compare(&case)?;
            print!("{}", comparison.render());
            Ok(if comparison.verdict().ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Tail => {
            print!("{}", verify::bench::tail::markdown(&verify::bench::tail::measure()?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Fuel { only } => {
            let options = verify::bench::Options { only, ..verify::bench::Options::FULL };
            let rows = verify::bench::instructions(&options, &mut |_| {})?;
            println!("{:<20} {:>12} {:>12} {:>12} {:>10}", "case", "native", "upstream", "ours", "ours-up");
            for row in &rows {
                let cell = |implementation| row.value(implementation).map_or("fails".to_string(), |v| format!("{v:.0}"));
                let delta = match (row.value(Implementation::Ours), row.value(Implementation::Upstream)) {
                    (Some(ours), Some(upstream)) => format!("{:+.0}", ours - upstream),
                    _ => "–".into(),
                };
                println!(
                    "{:<20} {:>12} {:>12} {:>12} {:>10}",
                    row.name,
                    cell(Implementation::Native),
                    cell(Implementation::Upstream),
                    cell(Implementation::Ours),
                    delta
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { samples, quick, report, no_write, only } => {
            let base = if quick { verify::bench::Options::SMOKE } else { verify::bench::Options { samples, ..verify::bench::Options::FULL } };
            let partial = !only.is_empty();
            let options = verify::bench::Options { only, ..base };
            if cfg!(debug_assertions) && !quick {
                bail!("verify was built without optimisations, so its host side would dominate the timings; run `cargo verify-release bench`");
            }
            let started = std::time::Instant::now();
            let measured = verify::bench::run(options, &mut |step| eprintln!("bench: {step} ({:.0} s)", started.elapsed().as_secs_f64()))?;
            print!("{}", measured.markdown());
            if !quick && !no_write && !partial {
                verify::bench::write_into(&report, &measured.markdown())?;
                eprintln!("bench: wrote {}", report.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::FuzzPrepare { seed, modules, write_module } => {
            if let Some(args) = write_module {
                let index: u64 = args[0].parse().context("INDEX is a number")?;
                std::fs::write(&args[1], verify::fuzz::prepare_pass::replay(seed, index)?).with_context(|| format!("write {}", args[1]))?;
                return Ok(ExitCode::SUCCESS);
            }
            let started = std::time::Instant::now();
            println!("fuzz-prepare: seed {seed}, {modules} modules");
            let summary = verify::fuzz::prepare_pass::campaign(seed, modules, &mut |summary| {
                eprintln!("fuzz-prepare: {} modules, {} divergences ({:.0} s)", summary.modules, summary.divergent(), started.elapsed().as_secs_f64())
            })?;
            print!("{}", verify::fuzz::prepare_pass::report(&summary));
            println!("{:.0} s", started.elapsed().as_secs_f64());
            Ok(if summary.divergent() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::ServeBench { clients, requests, rounds, report, no_write } => {
            if cfg!(debug_assertions) {
                bail!("verify was built without optimisations, so its client would dominate the latencies; run `cargo verify-release serve-bench`");
            }
            let started = std::time::Instant::now();
            let measured = verify::bench::serve::run(clients, requests, rounds, &mut |step| {
                eprintln!("serve-bench: {step} ({:.0} s)", started.elapsed().as_secs_f64())
            })?;
            let markdown = measured.markdown();
            print!("{markdown}");
            if !no_write {
                verify::bench::write_between(&report, verify::bench::serve::BEGIN, verify::bench::serve::END, &markdown)?;
                eprintln!("serve-bench: wrote {}", report.display());
            }
            let bad: usize = measured.loads.iter().map(|(_, load)| load.failed + load.wrong).sum();
            Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Fuzz { seed, first, inputs, max_len, jobs, regressions, replay, record, list_accepted, examples } => {
            if list_accepted {
                println!("accepted differences, version {}", verify::fuzz::ACCEPTED_VERSION);
                print!("{}", verify::fuzz::accepted::markdown_table());
                return Ok(ExitCode::SUCCESS);
            }
            let fuzzer = verify::fuzz::Fuzzer::new()?;
            if let Some(path) = replay {
                let input = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
                let check = fuzzer.check(&input, &verify::fuzz::Subject::ALL)?;
                for run in std::iter::once(&check.native).chain(check.judged.iter().map(|(run, _)| run)) {
                    println!("== {} ({})", run.subject.label(), run.outcome.status);
                    print!("{}", run.outcome.stdout_text());
                    eprint!("{}", run.outcome.stderr_text());
                }
                print!("{}", check.render());
                if record {
                    let dir = path.parent().context("the input file has a directory")?;
                    verify::fuzz::campaign::record(&fuzzer, dir, &input)?;
                    println!("recorded traces in {}", dir.display());
                }
                return Ok(if check.ours_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            let campaign = verify::fuzz::Campaign {
                seed,
                first,
                inputs,
                max_len,
                jobs,
                regressions: Some(regressions),
                examples,
                progress_every: (inputs / 20).max(1),
            };
            let started = std::time::Instant::now();
            let summary = verify::fuzz::campaign::run(&fuzzer, &campaign)?;
            print!("{}", summary.render());
            println!(
                "seed {seed}, inputs {first}..{}: {} inputs in {:.1} s, accepted differences version {}",
                first + inputs,
                summary.inputs,
                started.elapsed().as_secs_f64(),
                verify::fuzz::ACCEPTED_VERSION
            );
            Ok(if summary.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Artifacts { dir, exit } => {
            let mut args = vec!["artifacts".to_string(), dir.display().to_string()];
            if exit.no_exit_with_code {
                args.push("--no-exit-with-code".into());
            }
            Ok(user_tool(&args))
        }
    }
}

/// Runs a command of `wasip1-adapt` (`wasip1_adapter::cli`).
fn user_tool(args: &[String]) -> ExitCode {
    ExitCode::from(wasip1_adapter::cli::main(args.to_vec(), &mut std::io::stdout().lock(), &mut std::io::stderr().lock()))
}

impl AdapterChoice {
    /// Adapts with the chosen adapter (ours, preparing as asked, by default).
    fn adapt(&self, module: &[u8]) -> Result<wasip1_adapter::adapt::Adapted> {
        let flavour = verify::flavour_of(module)?;
        let other = match (&self.adapter_file, self.adapter) {
            (Some(path), _) => Some(std::fs::read(path).with_context(|| format!("read {}", path.display()))?),
            (None, Which::Upstream) => Some(Implementation::Upstream.adapter(flavour).context("upstream adapter")?.to_vec()),
            (None, Which::Ours) => None,
        };
        let preparation = if other.is_some() { verify::Preparation::Never } else { self.prepare.preparation() };
        let options = wasip1_adapter::adapt::Options {
            preparation,
            flavour: Some(flavour),
            adapter: other.as_deref(),
            no_exit_with_code: self.exit.no_exit_with_code,
            ..Default::default()
        };
        Ok(wasip1_adapter::adapt::adapt(module, &options)?)
    }
}

/// Passes the guest's output through and exits as it did.
fn report_outcome(outcome: &verify::Outcome) -> ExitCode {
    let _ = std::io::stdout().write_all(&outcome.stdout);
    let _ = std::io::stderr().write_all(&outcome.stderr);
    match &outcome.status {
        Status::Exited(code) => ExitCode::from(u8::try_from(*code).unwrap_or(1)),
        Status::Trapped(why) => {
            eprintln!("verify: the guest trapped: {why}");
            ExitCode::from(3)
        }
        Status::NotBuilt(why) => {
            eprintln!("verify: no component could be made: {why}");
            ExitCode::from(3)
        }
    }
}

fn check_command(files: &[PathBuf], strict: bool) -> Result<ExitCode> {
    let mut targets: Vec<(String, Vec<u8>, Flavour, bool)> = Vec::new();
    if files.is_empty() {
        for flavour in Flavour::ALL {
            let bytes = Implementation::Ours.adapter(flavour).context("our adapter")?.to_vec();
            targets.push((format!("ours: {}", flavour.file_name()), bytes, flavour, true));
        }
    }
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(flavour) = Flavour::ALL.into_iter().find(|f| name.contains(f.name())) else {
            bail!("{}: name the file after its flavour (command, reactor or proxy)", path.display());
        };
        targets.push((path.display().to_string(), std::fs::read(path)?, flavour, strict));
    }
    let mut all_ok = true;
    for (name, bytes, flavour, ours) in targets {
        let report = check::check(&bytes, check::Rules { flavour, ours });
        println!("{name} ({} bytes): {}", bytes.len(), if report.ok() { "ok" } else { "FAILED" });
        for passed in &report.passed {
            println!("  ok    {passed}");
        }
        for problem in &report.problems {
            println!("  FAIL  {problem}");
        }
        all_ok &= report.ok();
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
