//! Differential fuzzing inside `cargo test`: every minimised divergence ever
//! found (tests/fuzz-regressions), a bounded campaign with a fixed seed, and
//! proof that the judging can fail.

use std::path::PathBuf;
use std::sync::OnceLock;

use support::{campaign_seed, tests_dir};
use verify::Status;
use verify::fuzz::{Campaign, Fuzzer, Subject, accepted, campaign};
use verify::tree::Node;
use wasip1_adapter::check::P1_FUNCTIONS;

/// The size of the campaign CI runs (a few seconds per thousand inputs on
/// two cores).
const CI_INPUTS: u64 = 3000;

fn fuzzer() -> &'static Fuzzer {
    static FUZZER: OnceLock<Fuzzer> = OnceLock::new();
    FUZZER.get_or_init(|| Fuzzer::new().unwrap_or_else(|error| panic!("set up the fuzzer: {error:#}")))
}

fn regression_inputs() -> Vec<PathBuf> {
    let root = tests_dir().join("fuzz-regressions");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("read {}: {error}", root.display()))
        .map(|entry| entry.expect("a directory entry").path().join("input.bin"))
        .filter(|input| input.is_file())
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_regression_case_matches_native() {
    let inputs = regression_inputs();
    assert!(!inputs.is_empty(), "tests/fuzz-regressions holds the corpus of minimised divergences");
    let mut failures = Vec::new();
    for path in &inputs {
        let input = std::fs::read(path).expect("read a regression input");
        let check = fuzzer().check(&input, &Subject::ALL).expect("run a regression input");
        if !check.ours_ok() {
            failures.push(format!("{}:\n{}", path.display(), check.render()));
        }
    }
    assert!(failures.is_empty(), "{} of {} regression cases diverge:\n{}", failures.len(), inputs.len(), failures.join("\n"));
}

#[test]
fn bounded_campaign_has_no_unexplained_divergence() {
    let seed = campaign_seed("FUZZ_SEED");
    println!("fuzz campaign seed {seed} (replay: FUZZ_SEED={seed} cargo test --test fuzz, or cargo verify fuzz --seed {seed} --inputs {CI_INPUTS})");
    let run = Campaign { jobs: 2, ..Campaign::new(seed, CI_INPUTS) };
    let summary = campaign::run(fuzzer(), &run).expect("run the campaign");
    println!("{}", summary.render());
    assert!(summary.ok(), "{}\nreproduce and minimise with: cargo verify fuzz --seed {seed} --inputs {CI_INPUTS}", summary.render());
    // Not vacuous: every p1 function was called, and the calls that reach
    // files and directories succeeded often enough to build up state.
    for (name, ..) in P1_FUNCTIONS {
        if name == "proc_exit" {
            continue; // The trace shows proc_exit by the status instead.
        }
        assert!(summary.calls.contains_key(name), "the campaign never called {name}");
    }
    for name in ["path_open", "fd_read", "fd_write", "fd_pwrite", "fd_readdir", "fd_filestat_get", "fd_seek", "path_create_directory"] {
        let (_, succeeded) = summary.calls[name];
        assert!(succeeded >= 5, "{name} succeeded only {succeeded} times in the campaign");
    }
}

/// The judging must see every kind of difference: a changed errno, a trap
/// of ours, a changed tree, stderr output, an exit status no entry covers.
#[test]
fn judging_catches_each_kind_of_difference() {
    // Opens a.txt for reading (opcode 0 is path_open), then reads from it.
    let input = std::fs::read(tests_dir().join("fuzz-regressions").join(REFERENCE).join("input.bin")).expect("read the reference input");
    let check = fuzzer().check(&input, &[Subject::Ours]).expect("run the reference input");
    let (ours, judgement) = &check.judged[0];
    assert!(judgement.ok() && judgement.calls_compared >= 2, "{}", check.render());
    let judge = |run: &verify::fuzz::Run| accepted::judge(fuzzer(), &input, &check.native, run).expect("judge");

    let mut errno = ours.clone();
    let text = String::from_utf8(errno.outcome.stdout.clone()).expect("the trace is text");
    errno.outcome.stdout = text.replacen(" -> 0 ", " -> 8 ", 1).into_bytes();
    assert_ne!(errno.outcome.stdout, ours.outcome.stdout);
    assert!(judge(&errno).divergence.is_some_and(|d| d.aspect.starts_with("trace line")));

    let mut trapped = ours.clone();
    trapped.outcome.status = Status::Trapped("wasm trap: wasm `unreachable` instruction executed".into());
    assert!(judge(&trapped).divergence.is_some_and(|d| d.aspect == "trap"));

    let mut tree = ours.clone();
    tree.trees[0].entries.insert("stray".into(), Node::Directory);
    assert!(judge(&tree).divergence.is_some_and(|d| d.aspect == "directory tree"));

    let mut stderr = ours.clone();
    stderr.outcome.stderr = b"wasi_snapshot_preview1: something\n".to_vec();
    assert!(judge(&stderr).divergence.is_some_and(|d| d.aspect == "stderr"));

    let mut status = ours.clone();
    status.outcome.status = Status::Exited(1);
    assert_eq!(check.native.outcome.status, Status::Exited(0));
    assert!(judge(&status).divergence.is_some_and(|d| d.aspect == "exit status"));
}

/// A regression case whose trace opens and reads a file successfully.
const REFERENCE: &str = "reference-open-read";

/// docs/fuzzing.md's table of accepted differences is the list the judging
/// applies, at its current version.
#[test]
fn the_docs_list_the_accepted_differences_applied() {
    let fuzzing = std::fs::read_to_string(tests_dir().join("../docs/fuzzing.md")).expect("read docs/fuzzing.md");
    assert!(fuzzing.contains(&accepted::markdown_table()), "docs/fuzzing.md's table differs from `cargo verify fuzz --list-accepted`");
    assert!(fuzzing.contains(&format!("(version {},", accepted::ACCEPTED_VERSION)), "docs/fuzzing.md names another version of the list");
}

/// Linked drop-in, ours may write into the gap it leaves the guest with a
/// call native p1 never made (native trapped earlier, in an accepted call),
/// over the driver's own heap; a trap of the driver after that is excused.
/// The same run with that call's length made small is a divergence: the
/// excuse needs the write past native's memory.
#[test]
fn a_trap_after_a_later_write_into_the_gap_needs_that_write() {
    let input = std::fs::read(tests_dir().join("fuzz-regressions/trap-8f8f8e1a/input.bin")).expect("read the case");
    let check = fuzzer().check(&input, &[Subject::Ours]).expect("run the case");
    assert!(matches!(check.native.outcome.status, Status::Trapped(_)), "{}", check.render());
    let (ours, judgement) = &check.judged[0];
    assert!(judgement.ok(), "{}", check.render());
    let judge = |run: &verify::fuzz::Run| accepted::judge(fuzzer(), &input, &check.native, run).expect("judge");
    let mut wrecked = ours.clone();
    wrecked.outcome.status = Status::Trapped("wasm trap: out of bounds memory access".into());
    let text = String::from_utf8_lossy(&wrecked.outcome.stdout).into_owned();
    assert!(text.contains("random_get(a+8192, 16777216) -> 0 "), "{text}");
    assert!(judge(&wrecked).ok());
    let mut small = wrecked.clone();
    small.outcome.stdout = text.replace("random_get(a+8192, 16777216) -> 0 ", "random_get(a+8192, 16) -> 0 ").into_bytes();
    assert!(judge(&small).divergence.is_some_and(|d| d.aspect == "trap"), "{}", judge(&small).describe());
}

/// A case `cargo verify fuzz --examples` wrote for accepted difference `id`:
/// the first input it applied to, minimised, with a call of ours after the
/// one it applied to. Returns the input and that call's step.
fn example(id: &str) -> (Vec<u8>, u32) {
    let root = tests_dir().join("fuzz-regressions");
    let prefix = format!("accepted-{id}-");
    let dir = std::fs::read_dir(&root)
        .expect("read the regression corpus")
        .map(|entry| entry.expect("a directory entry").path())
        .find(|path| path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with(&prefix)))
        .unwrap_or_else(|| panic!("tests/fuzz-regressions has no example of {id}"));
    let input = std::fs::read(dir.join("input.bin")).expect("read the example");
    let check = fuzzer().check(&input, &[Subject::Ours]).expect("run the example");
    let (_, judgement) = &check.judged[0];
    assert!(judgement.ok(), "{}", check.render());
    let step = judgement
        .explained
        .iter()
        .find(|(applied, _)| *applied == id)
        .and_then(|(_, at)| at.call())
        .unwrap_or_else(|| panic!("{id} no longer applies to its example:\n{}", check.render()));
    (input, step)
}

/// Ours' run of `input` with the trace line of call `step` changed by `edit`.
fn tampered(input: &[u8], step: u32, edit: impl Fn(&str) -> String) -> (verify::fuzz::Run, verify::fuzz::Run) {
    let check = fuzzer().check(input, &[Subject::Ours]).expect("run the case");
    let ours = check.judged[0].0.clone();
    let mark = verify::fuzz::trace::mark(input);
    let text = String::from_utf8_lossy(&ours.outcome.stdout).into_owned();
    let start = text.find(&format!("{mark}{step}@")).unwrap_or_else(|| panic!("no line for call {step} in:\n{text}"));
    let end = start + text[start..].find('\n').expect("a whole line");
    let edited = format!("{}{}{}", &text[..start], edit(&text[start..end]), &text[end..]);
    assert_ne!(edited, text, "the edit changed nothing");
    let mut changed = ours.clone();
    changed.outcome.stdout = edited.into_bytes();
    (check.native, changed)
}

/// Another errno for a call line: BADF, or NOENT where it was BADF.
fn other_errno(line: &str) -> String {
    let (made, result) = line.rsplit_once(" -> ").expect("a call line");
    let (errno, rest) = result.split_once(' ').unwrap_or((result, ""));
    let other = if errno == "8" { "44" } else { "8" };
    format!("{made} -> {other} {rest}")
}

fn judged(input: &[u8], native: &verify::fuzz::Run, other: &verify::fuzz::Run) -> accepted::Judgement {
    accepted::judge(fuzzer(), input, native, other).expect("judge")
}

/// Where native p1 traps on a call ours refused having done nothing, the
/// calls after it are judged against native p1 run without that call: a
/// changed errno after it is a divergence.
#[test]
fn after_a_refused_call_ours_must_go_on_as_native_without_it() {
    for id in ["native-traps-on-undefined-value", "native-traps-on-bad-pointer"] {
        let (input, step) = example(id);
        let (native, changed) = tampered(&input, step + 1, other_errno);
        let judgement = judged(&input, &native, &changed);
        assert!(judgement.divergence.is_some(), "{id}: a changed call after it went unnoticed: {}", judgement.describe());
    }
}

/// Where native p1 traps on undefined rights or a misaligned pointer, ours'
/// call must answer what native p1 answers with the rights masked or the
/// pointer aligned, and the calls after it are judged against that rerun.
#[test]
fn a_call_native_traps_on_is_judged_against_native_adjusted() {
    for id in ["native-traps-on-undefined-rights", "native-traps-on-unaligned-pointer"] {
        let (input, step) = example(id);
        for at in [step, step + 1] {
            let (native, changed) = tampered(&input, at, other_errno);
            let judgement = judged(&input, &native, &changed);
            assert!(judgement.divergence.is_some(), "{id}: call {at} changed went unnoticed: {}", judgement.describe());
        }
    }
}

/// With poll_oneoff's events overlapping its subscriptions, ours must
/// answer as native p1 answers with the two apart.
#[test]
fn overlapping_poll_buffers_answer_as_apart() {
    let (input, step) = example("overlapping-poll-buffers");
    let (native, changed) = tampered(&input, step, |line| {
        let (made, result) = line.rsplit_once(" -> ").expect("a call line");
        let count = result.split(' ').find_map(|part| part.strip_prefix('=')).expect("a returned count");
        let other = if count == "0" { "1" } else { "0" };
        format!("{made} -> {}", result.replacen(&format!("={count}"), &format!("={other}"), 1))
    });
    let judgement = judged(&input, &native, &changed);
    assert!(judgement.divergence.is_some_and(|d| d.aspect.contains("Apart")), "{}", judged(&input, &native, &changed).describe());
}

/// Where two errors compete (a bad pointer and a bad fd, a buffer past
/// memory), the example applies only because ours and native p1, rerun
/// with valid pointers, made the call alike (`example` checks it applies);
/// and judging goes on after it: a changed call there is a divergence.
#[test]
fn competing_errors_are_rerun_with_valid_pointers() {
    for id in ["bad-pointer-reported-first", "bad-buffer-checked-whole"] {
        let (input, step) = example(id);
        let (native, changed) = tampered(&input, step + 1, other_errno);
        assert!(judged(&input, &native, &changed).divergence.is_some(), "{id}: a changed call after it went unnoticed");
    }
}

/// Native p1 made a read ours refused (`bad-buffer-checked-whole`) and
/// stored past the arena. Before the driver had a moat after its arena, that
/// store landed on the driver's own memory, which then trapped (this case);
/// a store beyond the moat still would. Such a run is judged through that
/// call only: native's run as it went then (cut after the read, trapped) is
/// accepted, and the same with the read storing little enough to stay in
/// the arena is a divergence.
#[test]
fn a_native_trap_after_its_own_read_past_the_arena_needs_that_read() {
    let input =
        std::fs::read(tests_dir().join("fuzz-regressions/native-wrecked-by-its-read-past-the-arena-daa77e9e/input.bin")).expect("read the case");
    let check = fuzzer().check(&input, &[Subject::Ours]).expect("run the case");
    assert!(check.judged[0].1.ok(), "{}", check.render());
    let read = "fd_readdir(3, a+65528, 4294967295, 1, a+128) -> 0 =377 ";
    let text = String::from_utf8_lossy(&check.native.outcome.stdout).into_owned();
    let at = text.find(read).unwrap_or_else(|| panic!("{text}"));
    let line_end = at + text[at..].find('\n').expect("a whole line") + 1;
    let mut wrecked = check.native.clone();
    wrecked.outcome.stdout = text.as_bytes()[..line_end].to_vec();
    wrecked.outcome.status = Status::Trapped("wasm trap: out of bounds memory access".into());
    let judgement = accepted::judge(fuzzer(), &input, &wrecked, &check.judged[0].0).expect("judge");
    assert!(judgement.ok(), "{}", judgement.describe());
    let mut small = wrecked.clone();
    small.outcome.stdout = text[..line_end].replace(read, "fd_readdir(3, a+65528, 4294967295, 1, a+128) -> 0 =7 ").into_bytes();
    let judgement = accepted::judge(fuzzer(), &input, &small, &check.judged[0].0).expect("judge");
    assert!(judgement.divergence.is_some(), "{}", judgement.describe());
}
