//! `wasip1-adapt`, the user's tool: `adapt`, `inspect` and `artifacts`,
//! without a runtime (src/bin/wasip1-adapt.rs is a wrapper around `main`).
//! `verify` has the differential commands and calls the same library.
//!
//! As wasm-tools and wasmtime do: clap's parsing and `--help` on every
//! command, `-` for standard input and output, `error: …` followed by every
//! cause, status 1 for an error and 2 for a usage error, and nothing more
//! once standard output is closed (`| head`).

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::Flavour;
use crate::adapt::{self, Options, Preparation};

#[derive(Parser, Debug)]
#[command(name = "wasip1-adapt", version, about = "Turn WASI preview1 core modules into WASI 0.2 components")]
#[command(arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Link a preview1 module with this project's adapter into a component.
    ///
    /// Every module with preview1 imports is prepared first, so that no guest
    /// heap (Go, TinyGo, AssemblyScript, C on wasi-libc before 2023) can run
    /// over the adapter. A start function runs from the component's entry,
    /// and a module exporting `_initialize` and `""` becomes a command.
    Adapt(AdaptArgs),
    /// Say what a module is: producer, entry points, allocator exports,
    /// memory, imports, and what `adapt` will do.
    Inspect {
        /// The core module (.wasm or .wat); `-` reads standard input.
        module: PathBuf,
    },
    /// Write wasi_snapshot_preview1.{command,reactor,proxy}.wasm, for
    /// `wasm-tools component new MODULE --adapt DIR/wasi_snapshot_preview1.command.wasm`.
    Artifacts {
        /// The directory to write them into (created if missing).
        dir: PathBuf,
        /// For hosts without wasi:cli 0.2.12's exit-with-code (wasmtime 27-45
        /// run without `-S cli-exit-with-code`): non-zero exit codes end as 1.
        #[arg(long)]
        no_exit_with_code: bool,
    },
}

#[derive(Args, Debug)]
struct AdaptArgs {
    /// The preview1 core module (.wasm or .wat); `-` reads standard input.
    module: PathBuf,
    /// Where to write the component; `-` writes standard output.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Whether to prepare the module (rewrite its memory.size and
    /// memory.grow so the adapter keeps its pages above the guest's memory).
    #[arg(long, value_enum, default_value_t = PrepareArg::Auto)]
    prepare: PrepareArg,
    /// Build a reactor (no wasi:cli/run; the host calls the module's exports).
    #[arg(long, conflicts_with = "command")]
    reactor: bool,
    /// Build a command (wasi:cli/run runs the module's entry). By default:
    /// a command if the module has an entry (`_start`, `""`) or is all start
    /// function, else a reactor.
    #[arg(long)]
    command: bool,
    /// A WIT file or directory describing the module's own exports (a
    /// c-shared reactor's functions), with --world.
    #[arg(long, requires = "world")]
    wit: Option<PathBuf>,
    /// The world of --wit the module implements.
    #[arg(long, requires = "wit")]
    world: Option<String>,
    /// For hosts without wasi:cli 0.2.12's exit-with-code (wasmtime 27-45 run
    /// without `-S cli-exit-with-code`): non-zero exit codes end as 1.
    #[arg(long)]
    no_exit_with_code: bool,
    /// An adapter for an import module other than wasi_snapshot_preview1
    /// (host functions, say), as `wasm-tools component new --adapt` takes
    /// it; repeat for more modules.
    #[arg(long = "adapt", value_name = "NAME=FILE", value_parser = parse_named_adapter)]
    adapters: Vec<(String, PathBuf)>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PrepareArg {
    /// Every module with preview1 imports.
    Auto,
    Always,
    /// Link the module as it is (drop-in).
    Never,
}

fn parse_named_adapter(value: &str) -> Result<(String, PathBuf), String> {
    match value.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => Ok((name.to_string(), PathBuf::from(file))),
        _ => Err(format!("`{value}` is not NAME=FILE")),
    }
}

/// Runs the tool with `args` (without the program name); returns the exit
/// status. `stdin` is read for a module given as `-`.
pub fn main(args: Vec<String>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    main_with_input(args, &mut io::stdin(), out, err)
}

/// `main`, reading `-` from `stdin`.
pub fn main_with_input(args: Vec<String>, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let cli = match Cli::try_parse_from(std::iter::once("wasip1-adapt".to_string()).chain(args)) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with status 0; mistakes to
            // stderr with status 2, as clap's own `exit` would.
            let text = error.render().to_string();
            let status = error.exit_code();
            let target: &mut dyn Write = if status == 0 { out } else { err };
            let _ = target.write_all(text.as_bytes());
            return u8::try_from(status).unwrap_or(2);
        }
    };
    match run(cli.command, stdin, out, err) {
        Ok(()) => 0,
        Err(failure) if failure.is_closed_pipe() => 0,
        Err(failure) => {
            let _ = err.write_all(failure.report().as_bytes());
            1
        }
    }
}

/// An error, with the causes to print after it.
#[derive(Debug)]
struct Failure {
    message: String,
    source: Option<Box<dyn std::error::Error + 'static>>,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), source: None }
    }

    fn caused_by(message: impl Into<String>, source: impl std::error::Error + 'static) -> Failure {
        Failure { message: message.into(), source: Some(Box::new(source)) }
    }

    /// An anyhow error (wit-parser's, wit-component's), its causes kept.
    fn chain(message: impl Into<String>, source: anyhow::Error) -> Failure {
        let source: Box<dyn std::error::Error + Send + Sync + 'static> = source.into();
        Failure { message: message.into(), source: Some(source) }
    }

    fn is_closed_pipe(&self) -> bool {
        let io = self.source.as_deref().and_then(|source| source.downcast_ref::<io::Error>());
        io.is_some_and(|error| error.kind() == io::ErrorKind::BrokenPipe)
    }

    /// `error: MESSAGE`, then each cause on a line of its own, numbered, as
    /// anyhow-based tools (wasm-tools, wasmtime) print them.
    fn report(&self) -> String {
        let mut text = format!("error: {}\n", self.message);
        let mut causes = Vec::new();
        let mut next = self.source.as_deref();
        while let Some(cause) = next {
            let line = cause.to_string();
            // A cause that repeats its parent adds nothing.
            if causes.last() != Some(&line) && line != self.message {
                causes.push(line);
            }
            next = cause.source();
        }
        if !causes.is_empty() {
            text.push_str("\nCaused by:\n");
            for (index, cause) in causes.iter().enumerate() {
                let _ = writeln!(text, "    {index}: {cause}");
            }
        }
        text
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::caused_by("write the output", error)
    }
}

fn run(command: Command, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    match command {
        Command::Adapt(args) => adapt_command(args, stdin, out, err),
        Command::Inspect { module } => inspect_command(&module, stdin, out),
        Command::Artifacts { dir, no_exit_with_code } => artifacts_command(&dir, no_exit_with_code, out),
    }
}

fn display(path: &Path) -> String {
    if path == Path::new("-") { "standard input".to_string() } else { path.display().to_string() }
}

fn read_input(path: &Path, stdin: &mut dyn Read) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        stdin.read_to_end(&mut bytes).map_err(|e| Failure::caused_by("read standard input", e))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| Failure::caused_by(format!("read {}", path.display()), e))
}

/// A core module from a file of binary or text format, as wasm-tools
/// accepts either; anything else is named for what it is not.
fn read_module(path: &Path, stdin: &mut dyn Read) -> Result<Vec<u8>, Failure> {
    let bytes = read_input(path, stdin)?;
    let name = display(path);
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).ok().map(str::trim_start);
    match text {
        Some(text) if text.starts_with('(') || text.starts_with(";;") => {
            wat::parse_str(text).map_err(|e| Failure::caused_by(format!("{name} is not valid WebAssembly text"), e))
        }
        _ => Err(Failure::new(format!("{name} is neither a WebAssembly binary (it does not start with `\\0asm`) nor WebAssembly text (WAT)"))),
    }
}

fn write_output(path: &Path, bytes: &[u8], out: &mut dyn Write) -> Result<(), Failure> {
    if path == Path::new("-") {
        out.write_all(bytes)?;
        return out.flush().map_err(Failure::from);
    }
    std::fs::write(path, bytes).map_err(|e| Failure::caused_by(format!("write {}", path.display()), e))
}

fn adapt_command(args: AdaptArgs, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let mut module = read_module(&args.module, stdin)?;
    if let (Some(wit), Some(world)) = (&args.wit, &args.world) {
        module = embed_world(module, wit, world)?;
    }
    let mut adapters = Vec::new();
    for (name, file) in &args.adapters {
        let bytes = std::fs::read(file).map_err(|e| Failure::caused_by(format!("read the adapter for `{name}`, {}", file.display()), e))?;
        adapters.push((name.as_str(), bytes));
    }
    let other_adapters: Vec<(&str, &[u8])> = adapters.iter().map(|(name, bytes)| (*name, bytes.as_slice())).collect();
    let options = Options {
        preparation: match args.prepare {
            PrepareArg::Auto => Preparation::Auto,
            PrepareArg::Always => Preparation::Always,
            PrepareArg::Never => Preparation::Never,
        },
        flavour: match (args.reactor, args.command) {
            (true, _) => Some(Flavour::Reactor),
            (_, true) => Some(Flavour::Command),
            _ => None,
        },
        no_exit_with_code: args.no_exit_with_code,
        other_adapters: &other_adapters,
        ..Options::default()
    };
    let adapted = adapt::adapt(&module, &options).map_err(|e| Failure::caused_by(format!("cannot adapt {}", display(&args.module)), e))?;
    write_output(&args.output, &adapted.component, out)?;
    let written = if args.output == Path::new("-") { "standard output".to_string() } else { args.output.display().to_string() };
    let mut report = format!("wrote {written} ({} bytes): {} flavour, {}", adapted.component.len(), adapted.flavour, adapted.strategy);
    if let Some((sizes, grows)) = adapted.rewritten {
        let _ = write!(report, "\nrewrote {sizes} memory.size and {grows} memory.grow instructions");
    }
    if !adapted.callbacks_wrapped.is_empty() {
        let names = adapted.callbacks_wrapped.join(", ");
        let _ = write!(report, "\nwrapped {names}: the canonical ABI calls it where no call may reach the host");
    }
    if adapted.entries.any() {
        let _ = write!(report, "\nentry points: {}", adapted.entries);
    }
    if adapted.memory.any() {
        let _ = write!(report, "\nmemory: {}", adapted.memory);
    }
    if let Some(world) = &args.world {
        let _ = write!(report, "\nexports of world `{world}` described by the WIT given");
    }
    for (name, _) in &args.adapters {
        let _ = write!(report, "\nimports from `{name}` served by the adapter given");
    }
    if adapted.debug_info == crate::prepare::DebugInfo::Kept {
        let _ = write!(report, "\nDWARF kept: every code offset is where it was, so source lines stay true");
    }
    // The report must not mix with a component written to stdout.
    let target: &mut dyn Write = if args.output == Path::new("-") { &mut *err } else { out };
    writeln!(target, "{report}")?;
    if adapted.debug_info == crate::prepare::DebugInfo::Dropped {
        let _ = writeln!(
            err,
            "note: the module's DWARF was dropped: preparing it moved code that the debug information points at, \
             so backtraces would have shown wrong source lines (a build whose calls keep 5-byte indices, as wasm-ld \
             leaves them with -g, keeps its DWARF)"
        );
    }
    Ok(())
}

/// Adds `world` of the WIT at `wit` (a file or a directory of packages) to
/// the module, as `wasm-tools component embed` does.
fn embed_world(mut module: Vec<u8>, wit: &Path, world: &str) -> Result<Vec<u8>, Failure> {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_path(wit).map_err(|e| Failure::chain(format!("read {}", wit.display()), e))?;
    let world = resolve.select_world(&[package], Some(world)).map_err(|e| Failure::chain(format!("find world `{world}` in {}", wit.display()), e))?;
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false)
        .map_err(|e| Failure::chain("embed the world", e))?;
    Ok(module)
}

fn inspect_command(path: &Path, stdin: &mut dyn Read, out: &mut dyn Write) -> Result<(), Failure> {
    let module = read_module(path, stdin)?;
    let inspection = adapt::inspect(&module).map_err(|e| Failure::caused_by(format!("cannot inspect {}", display(path)), e))?;
    let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join(", ") };
    writeln!(out, "{}", display(path))?;
    writeln!(out, "  language:           {}", list(&inspection.language))?;
    writeln!(out, "  processed by:       {}", list(&inspection.processed_by))?;
    writeln!(out, "  heap claims memory: {}", if inspection.heap_claims_memory { "yes (Go/TinyGo)" } else { "not known" })?;
    writeln!(out, "  allocator exports:  {}", list(&inspection.allocator_exports))?;
    writeln!(out, "  kind:               {}", inspection.flavour)?;
    writeln!(out, "  entry points:       {}", inspection.entries)?;
    writeln!(out, "  p1 imports ({}):    {}", inspection.p1_imports.len(), list(&inspection.p1_imports))?;
    if !inspection.other_imports.is_empty() {
        writeln!(out, "  other imports:      {} (each module needs --adapt NAME=FILE)", list(&inspection.other_imports))?;
    }
    writeln!(out, "  memory:             {}", inspection.memory)?;
    writeln!(out, "  adapt will use:     {}", inspection.strategy)?;
    Ok(())
}

fn artifacts_command(dir: &Path, no_exit_with_code: bool, out: &mut dyn Write) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::caused_by(format!("create {}", dir.display()), e))?;
    for (name, bytes) in crate::ARTIFACTS {
        let path = dir.join(name);
        let bytes = if no_exit_with_code {
            crate::older_hosts::without_exit_with_code(bytes).map_err(|e| Failure::caused_by("rewrite the adapter", e))?
        } else {
            bytes.to_vec()
        };
        std::fs::write(&path, bytes).map_err(|e| Failure::caused_by(format!("write {}", path.display()), e))?;
        writeln!(out, "wrote {}{}", path.display(), if no_exit_with_code { " (without exit-with-code)" } else { "" })?;
    }
    Ok(())
}
