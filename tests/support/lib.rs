//! What the integration tests share: building and loading guests, running
//! them through the three implementations, and asserting on the results.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use verify::{Aspect, Case, Comparison, Implementation, Invocation, Run, Status};
pub use wasip1_adapter::DIAGNOSED_EXIT;

/// The directory holding this package (tests/).
pub fn tests_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture directory under tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    tests_dir().join("fixtures").join(name)
}

/// The compiled guest `name` (a binary of tests/guests), built on first use.
pub fn guest(name: &str) -> Vec<u8> {
    verify::guests::guest(name).unwrap_or_else(|error| panic!("{error:#}"))
}

/// The Go program tests/go/NAME built for wasip1 (see `verify::guests::go_build`).
pub fn go_guest(name: &str, c_shared: bool) -> Vec<u8> {
    verify::guests::go_build(name, c_shared).unwrap_or_else(|error| panic!("{error:#}"))
}

/// The C or C++ program tests/c/NAME built with Debian's WASI toolchain
/// (see `verify::guests::c_build`).
pub fn c_guest(name: &str) -> Vec<u8> {
    verify::guests::c_build(name).unwrap_or_else(|error| panic!("{error:#}"))
}

/// A heap model of tests/heap-models (`tinygo_model` or `go_model`), built
/// for wasm32-unknown-unknown on first use, with a producers section naming
/// `producer` (field, name, version), as the toolchain it models writes
/// one, or with none at all (as a stripped module has).
pub fn heap_model(name: &str, producer: Option<(&str, &str, &str)>) -> Vec<u8> {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        verify::guests::cargo_build("tests/heap-models", "wasm32-unknown-unknown", "target/heap-models").unwrap_or_else(|error| panic!("{error:#}"))
    });
    let module = std::fs::read(dir.join(format!("{name}.wasm"))).unwrap_or_else(|error| panic!("read {name}: {error}"));
    let module = without_producers(&module);
    match producer {
        None => module,
        Some((field, name, version)) => {
            let mut producers = wasm_metadata::Producers::empty();
            producers.add(field, name, version);
            producers.add_to_wasm(&module).expect("add the producers section")
        }
    }
}

/// `module` without its producers section (rustc writes one).
fn without_producers(module: &[u8]) -> Vec<u8> {
    let mut out = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.expect("a valid module");
        if let wasmparser::Payload::CustomSection(section) = &payload
            && section.name() == "producers"
        {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection { id, data: &module[range.start as usize..range.end as usize] });
        }
    }
    out.finish()
}

/// A module from WAT text.
pub fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|error| panic!("invalid WAT: {error}"))
}

/// A module from tests/wat/NAME.wat.
pub fn wat_file(name: &str) -> Vec<u8> {
    let path = tests_dir().join("wat").join(format!("{name}.wat"));
    wat::parse_file(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Runs a case under native p1, upstream and ours.
pub fn compare(case: &Case) -> Comparison {
    verify::compare(case).unwrap_or_else(|error| panic!("running {}: {error:#}", case.name))
}

/// Runs the guest `name` with `options` as its arguments.
pub fn compare_guest(name: &str, options: &[&str], setup: impl FnOnce(Invocation) -> Invocation) -> Comparison {
    let invocation = setup(Invocation::new(name).args(options.iter().copied()));
    compare(&Case::new(format!("{name} {}", options.join(" ")), guest(name), invocation))
}

/// Asserts that ours behaves exactly as native p1, bar the project's
/// standing, documented explanations; shows the three runs otherwise.
#[track_caller]
pub fn assert_matches_native(comparison: &Comparison) {
    let verdict = comparison.verdict();
    assert!(verdict.ok(), "ours differs from native p1:\n{}", comparison.render());
}

/// Asserts that ours and native p1 agree in everything, with no explanation
/// needed at all.
#[track_caller]
pub fn assert_identical_to_native(comparison: &Comparison) {
    let differences = Comparison::differences(comparison.native(), comparison.ours());
    assert!(differences.is_empty(), "ours differs from native p1 in {differences:?}:\n{}", comparison.render());
}

/// Prints what upstream's adapter did, for the record: it may be fixed one
/// day, so tests note it rather than insist on it.
pub fn note_upstream(comparison: &Comparison) {
    let upstream = comparison.upstream();
    let differences = Comparison::differences(comparison.native(), upstream);
    if differences.is_empty() {
        println!("[{}] upstream 50.0.1 matches native p1", comparison.case_name);
    } else {
        println!(
            "[{}] upstream 50.0.1 differs from native p1 in {differences:?}: {}, stderr {:?}",
            comparison.case_name,
            upstream.outcome.status,
            upstream.outcome.stderr_text().lines().last().unwrap_or("")
        );
    }
}

/// Asserts that `text` contains each of `lines`.
#[track_caller]
pub fn assert_contains_all(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

pub fn stdout(run: &Run) -> String {
    run.outcome.stdout_text()
}

pub fn stderr(run: &Run) -> String {
    run.outcome.stderr_text()
}

/// Whether a run trapped (rather than exiting).
pub fn trapped(run: &Run) -> bool {
    matches!(run.outcome.status, Status::Trapped(_))
}

/// A fuzz campaign's seed: from the commit under test, so that it changes
/// with every commit and nothing can be tuned to one seed; the environment
/// variable `replay` overrides it. Outside a git checkout, a fixed seed,
/// said out loud.
pub fn campaign_seed(replay: &str) -> u64 {
    if let Ok(seed) = std::env::var(replay) {
        return seed.parse().unwrap_or_else(|_| panic!("{replay} is a number"));
    }
    let head = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(tests_dir()).output();
    match head {
        Ok(output) if output.status.success() => {
            let hex = String::from_utf8_lossy(&output.stdout);
            u64::from_str_radix(&hex.trim()[..12], 16).expect("a commit hash is hex")
        }
        _ => {
            eprintln!("NOTE: not a git checkout; the fuzz campaign uses the fixed seed 20261121");
            20261121
        }
    }
}

pub use verify::guests::AscEntry;

/// The AssemblyScript program tests/assemblyscript/NAME.ts, its top-level
/// code run as `entry` says (see `verify::guests::asc_build`).
pub fn asc_guest(name: &str, entry: AscEntry) -> Vec<u8> {
    verify::guests::asc_build(name, entry).unwrap_or_else(|error| panic!("{error:#}"))
}

/// `go_guest` built with Go build tags (`-tags`).
pub fn go_guest_tagged(name: &str, c_shared: bool, tags: &[&str]) -> Vec<u8> {
    verify::guests::go_build_tagged(name, c_shared, tags).unwrap_or_else(|error| panic!("{error:#}"))
}
