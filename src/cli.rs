//! `wasip1-adapt`, the user's tool: `adapt`, `inspect` and `artifacts`,
//! without a runtime (src/bin/wasip1-adapt.rs is a wrapper around `main`).
//! `verify` has the differential commands and calls the same library.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::adapt::{self, Options, Preparation};
use crate::Flavour;

const USAGE: &str = "\
wasip1-adapt: turn WASI preview1 core modules into WASI 0.2 components

Usage:
  wasip1-adapt adapt MODULE -o OUT [options]
      Link MODULE (.wasm or .wat) with this project's adapter. Every module
      with preview1 imports is prepared first, so that no guest heap (Go,
      TinyGo, C on wasi-libc before 2023) can run over the adapter.
        --prepare auto|always|never   (default auto)
        --reactor | --command         the flavour (default: command if MODULE exports _start)
        --wit PATH --world NAME       describe MODULE's own exports (a c-shared reactor's
                                      functions) with a WIT world; the component exports them
        --no-exit-with-code           for hosts without wasi:cli 0.2.12's exit-with-code
                                      (wasmtime 27-45 without -S cli-exit-with-code):
                                      non-zero exit codes end as 1
  wasip1-adapt inspect MODULE
      What MODULE is: producer, allocator exports, memory, p1 imports, and what adapt does.
  wasip1-adapt artifacts DIR [--no-exit-with-code]
      Write wasi_snapshot_preview1.{command,reactor,proxy}.wasm, for
      `wasm-tools component new MODULE --adapt DIR/wasi_snapshot_preview1.command.wasm`.
  wasip1-adapt --help | --version
";

/// Runs the tool with `args` (without the program name); returns the exit
/// status. A closed stdout ends the output quietly, as `| head` expects.
pub fn main(args: Vec<String>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run(&args, out) {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            let _ = writeln!(err, "wasip1-adapt: {message}\n\n{USAGE}");
            2
        }
        Err(Failure::Io(error)) if error.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(Failure::Io(error)) => {
            let _ = writeln!(err, "wasip1-adapt: {error}");
            1
        }
        Err(Failure::Other(message)) => {
            let _ = writeln!(err, "wasip1-adapt: {message}");
            1
        }
    }
}

#[derive(Debug)]
enum Failure {
    Usage(String),
    Io(io::Error),
    Other(String),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Io(error)
    }
}

fn other(error: impl std::fmt::Display) -> Failure {
    Failure::Other(error.to_string())
}

fn run(args: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let (command, rest) = args.split_first().ok_or_else(|| Failure::Usage("no command given".into()))?;
    let mut parsed = Parsed::parse(rest)?;
    match command.as_str() {
        "adapt" => adapt_command(&mut parsed, out),
        "inspect" => {
            let module = parsed.one_positional("MODULE")?;
            parsed.done()?;
            inspect_command(&module, out)
        }
        "artifacts" => {
            let dir = parsed.one_positional("DIR")?;
            let no_exit_with_code = parsed.flag("--no-exit-with-code");
            parsed.done()?;
            artifacts_command(&dir, no_exit_with_code, out)
        }
        "--help" | "-h" | "help" => Ok(out.write_all(USAGE.as_bytes())?),
        "--version" | "-V" => Ok(writeln!(out, "wasip1-adapt {}", env!("CARGO_PKG_VERSION"))?),
        other => Err(Failure::Usage(format!("unknown command `{other}`"))),
    }
}

/// Positional arguments, `--name value` options and flags, in any order.
struct Parsed {
    positional: Vec<String>,
    options: Vec<(String, String)>,
    flags: Vec<String>,
}

const TAKES_VALUE: [&str; 5] = ["-o", "--output", "--prepare", "--wit", "--world"];

impl Parsed {
    fn parse(args: &[String]) -> Result<Parsed, Failure> {
        let mut parsed = Parsed { positional: Vec::new(), options: Vec::new(), flags: Vec::new() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if TAKES_VALUE.contains(&arg.as_str()) {
                let value = args.next().ok_or_else(|| Failure::Usage(format!("{arg} needs a value")))?;
                parsed.options.push((arg.clone(), value.clone()));
            } else if arg.starts_with('-') {
                parsed.flags.push(arg.clone());
            } else {
                parsed.positional.push(arg.clone());
            }
        }
        Ok(parsed)
    }

    fn one_positional(&mut self, name: &str) -> Result<PathBuf, Failure> {
        match self.positional.len() {
            0 => Err(Failure::Usage(format!("missing {name}"))),
            1 => Ok(PathBuf::from(self.positional.remove(0))),
            _ => Err(Failure::Usage(format!("one {name} only, got {}", self.positional.join(" ")))),
        }
    }

    fn option(&mut self, names: &[&str]) -> Option<String> {
        let index = self.options.iter().position(|(name, _)| names.contains(&name.as_str()))?;
        Some(self.options.remove(index).1)
    }

    fn flag(&mut self, name: &str) -> bool {
        let before = self.flags.len();
        self.flags.retain(|flag| flag != name);
        self.flags.len() != before
    }

    /// Fails on anything left unused.
    fn done(&self) -> Result<(), Failure> {
        let left: Vec<&str> = self.flags.iter().map(String::as_str).chain(self.options.iter().map(|(name, _)| name.as_str())).collect();
        match left.is_empty() {
            true => Ok(()),
            false => Err(Failure::Usage(format!("unknown or repeated option(s): {}", left.join(" ")))),
        }
    }
}

fn read_module(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| other(format!("read {}: {e}", path.display())))?;
    // Text format too, as `wasm-tools` accepts it.
    wat::parse_bytes(&bytes).map(|module| module.into_owned()).map_err(|e| other(format!("{}: {e}", path.display())))
}

fn adapt_command(parsed: &mut Parsed, out: &mut dyn Write) -> Result<(), Failure> {
    let module_path = parsed.one_positional("MODULE")?;
    let output = parsed.option(&["-o", "--output"]).ok_or_else(|| Failure::Usage("missing -o OUT".into()))?;
    let preparation = match parsed.option(&["--prepare"]).as_deref() {
        None | Some("auto") => Preparation::Auto,
        Some("always") => Preparation::Always,
        Some("never") => Preparation::Never,
        Some(other) => return Err(Failure::Usage(format!("--prepare takes auto, always or never, not `{other}`"))),
    };
    let flavour = match (parsed.flag("--reactor"), parsed.flag("--command")) {
        (true, true) => return Err(Failure::Usage("--reactor or --command, not both".into())),
        (true, false) => Some(Flavour::Reactor),
        (false, true) => Some(Flavour::Command),
        (false, false) => None,
    };
    let no_exit_with_code = parsed.flag("--no-exit-with-code");
    let world = match (parsed.option(&["--wit"]), parsed.option(&["--world"])) {
        (Some(wit), Some(world)) => Some((PathBuf::from(wit), world)),
        (None, None) => None,
        _ => return Err(Failure::Usage("--wit and --world go together".into())),
    };
    parsed.done()?;
    let mut module = read_module(&module_path)?;
    if let Some((wit, world)) = &world {
        module = embed_world(module, wit, world)?;
    }
    let options = Options { preparation, flavour, no_exit_with_code, ..Options::default() };
    let adapted = adapt::adapt(&module, &options).map_err(|e| other(format!("{}: {e}", module_path.display())))?;
    std::fs::write(&output, &adapted.component).map_err(|e| other(format!("write {output}: {e}")))?;
    let mut report = format!("wrote {output} ({} bytes): {} flavour, {}", adapted.component.len(), adapted.flavour, adapted.strategy);
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
    if let Some((_, world)) = &world {
        let _ = write!(report, "\nexports of world `{world}` described by the WIT given");
    }
    Ok(writeln!(out, "{report}")?)
}

/// Adds `world` of the WIT at `wit` (a file or a directory of packages) to
/// the module, as `wasm-tools component embed` does.
fn embed_world(mut module: Vec<u8>, wit: &Path, world: &str) -> Result<Vec<u8>, Failure> {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_path(wit).map_err(|e| other(format!("read {}: {e:#}", wit.display())))?;
    let world = resolve.select_world(&[package], Some(world)).map_err(|e| other(format!("{}: {e:#}", wit.display())))?;
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false)
        .map_err(|e| other(format!("embed the world: {e:#}")))?;
    Ok(module)
}

fn inspect_command(path: &Path, out: &mut dyn Write) -> Result<(), Failure> {
    let inspection = adapt::inspect(&read_module(path)?).map_err(other)?;
    let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join(", ") };
    writeln!(out, "{}", path.display())?;
    writeln!(out, "  language:           {}", list(&inspection.language))?;
    writeln!(out, "  processed by:       {}", list(&inspection.processed_by))?;
    writeln!(out, "  heap claims memory: {}", if inspection.heap_claims_memory { "yes (Go/TinyGo)" } else { "not known" })?;
    writeln!(out, "  allocator exports:  {}", list(&inspection.allocator_exports))?;
    writeln!(out, "  kind:               {}", inspection.flavour)?;
    writeln!(out, "  entry points:       {}", inspection.entries)?;
    writeln!(out, "  p1 imports ({}):    {}", inspection.p1_imports.len(), list(&inspection.p1_imports))?;
    writeln!(out, "  memory:             {}", inspection.memory)?;
    writeln!(out, "  adapt will use:     {}", inspection.strategy)?;
    Ok(())
}

fn artifacts_command(dir: &Path, no_exit_with_code: bool, out: &mut dyn Write) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| other(format!("create {}: {e}", dir.display())))?;
    for (name, bytes) in crate::ARTIFACTS {
        let path = dir.join(name);
        let bytes = if no_exit_with_code { crate::older_hosts::without_exit_with_code(bytes).map_err(other)? } else { bytes.to_vec() };
        std::fs::write(&path, bytes).map_err(|e| other(format!("write {}: {e}", path.display())))?;
        writeln!(out, "wrote {}{}", path.display(), if no_exit_with_code { " (without exit-with-code)" } else { "" })?;
    }
    Ok(())
}
