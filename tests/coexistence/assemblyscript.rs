//! AssemblyScript, compiled at test time by the pinned `asc` 0.28
//! (tests/assemblyscript). Its top-level code goes into the module's start
//! function by default, and its allocator (TLSF) takes every page up to
//! `memory.size` as heap when it first allocates, then grows memory as it
//! goes. In a component a start function runs before the adapter can be
//! called, so `adapt` runs it from the entry instead (`wasip1_adapter::entry`);
//! the programs below are compared with native p1 (`wasmtime run`'s order:
//! start function, then the entry) through `adapt` and drop-in.

use support::*;
use verify::{Flavour, Preparation};
use wasip1_adapter::adapt::{Options, adapt};

fn top_level(entry: AscEntry) -> Case {
    let invocation = Invocation::new("top_level").args(["one", "two"]);
    Case::new(format!("assemblyscript top_level ({entry:?})"), asc_guest("top_level", entry), invocation)
}

fn assert_top_level_output(run: &Run) {
    assert_eq!(run.outcome.status, Status::Exited(3));
    assert_eq!(stdout(run), "words 2000, last word1999\nsum 3848287027200\narguments: one two\nclock moved forward: yes\n");
}

/// All the program is its start function (AssemblyScript's default): a
/// command whose `_start` runs it, through `adapt` and drop-in alike.
#[test]
fn top_level_code_in_the_start_section() {
    let module = asc_guest("top_level", AscEntry::StartSection);
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert!(inspection.entries.start_function.is_some(), "{inspection:?}");
    assert_eq!(inspection.flavour, Flavour::Command, "a module that is all start function is a program");
    let adapted = compare(&top_level(AscEntry::StartSection));
    assert_identical_to_native(&adapted);
    assert_top_level_output(adapted.native());
    let drop_in = compare(&top_level(AscEntry::StartSection).preparation(Preparation::Never));
    assert_identical_to_native(&drop_in);
    // Linked as wasm-tools links it, upstream's start function calls the
    // adapter before wit-component has wired it.
    assert!(
        matches!(&adapted.upstream().outcome.status, Status::NotBuilt(why) if why.contains("_start"))
            || matches!(&adapted.upstream().outcome.status, Status::Trapped(why) if why.contains("uninitialized element")),
        "{}",
        adapted.upstream().outcome.status
    );
}

/// Linked with its start section in place (as `wasm-tools component new`
/// links it), the start function's p1 calls reach the adapter through
/// wit-component's table while the module is being instantiated, before the
/// table is filled. (`prepare` moves the start function itself; what it did
/// before is in tests/prepare_fuzz.rs.)
#[test]
fn linked_as_is_the_start_function_traps_at_instantiation() {
    let module = asc_guest("top_level", AscEntry::StartSection);
    let options = Options { preparation: Preparation::Never, flavour: Some(Flavour::Reactor), arrange_entries: false, ..Options::default() };
    let component = adapt(&module, &options).expect("adapt").component;
    // A reactor: instantiation is as far as it gets.
    let outcome = verify::hosts::in_process::run_component(&verify::hosts::in_process::component(&component).unwrap(), &Invocation::new("top_level"))
        .expect("run");
    assert!(matches!(&outcome.status, Status::Trapped(why) if why.contains("uninitialized element")), "{}", outcome.status);
}

/// The same program with its top-level code exported as `_start` (as
/// @assemblyscript/wasi-shim builds it).
#[test]
fn top_level_code_exported_as_start() {
    let adapted = compare(&top_level(AscEntry::ExportedStart));
    assert_identical_to_native(&adapted);
    assert_top_level_output(adapted.ours());
    assert_identical_to_native(&compare(&top_level(AscEntry::ExportedStart).preparation(Preparation::Never)));
    note_upstream(&adapted);
}

/// Its first p1 calls need the adapter's memory (the preopen table, then a
/// file it opens), and only then does the allocator take every page up to
/// `memory.size`: through `adapt` the guest's view of memory is native p1's,
/// so it takes none of the adapter's. Drop-in it takes the adapter's page,
/// which now holds an open file the adapter cannot get back, and ours stops
/// at the next call with its one-line diagnosis.
#[test]
fn allocator_claiming_memory_after_a_stateful_call() {
    for entry in [AscEntry::StartSection, AscEntry::ExportedStart] {
        let case = Case::new(format!("assemblyscript state_first ({entry:?})"), asc_guest("state_first", entry), Invocation::new("state_first"))
            .fixture(fixture("basic"), "/sandbox");
        let adapted = compare(&case);
        assert_identical_to_native(&adapted);
        assert_eq!(
            stdout(adapted.ours()),
            "fd_prestat_get(3): errno 0, name length 8\npath_open: errno 0, fd 4\nsum 2016\n\
             fd_read: errno 0: hello from the fixture\nmemory pages 384\n",
            "{entry:?}"
        );
        note_upstream(&adapted);
        let drop_in = compare(&case.preparation(Preparation::Never));
        let ours = drop_in.ours();
        assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{entry:?}: {}", drop_in.render());
        assert!(stderr(ours).contains("Remedy: build the component with this project's `adapt` command"), "{}", stderr(ours));
        assert_eq!(stdout(ours), "", "nothing printed before the diagnosis");
    }
}
