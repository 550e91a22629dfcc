//! Faithful models of the TinyGo and Go heaps (tests/heap-models), which
//! treat memory as theirs by address. Through `adapt` (which prepares every
//! module) they run exactly as under native p1, with or without a producers
//! section to say what they are. Linked drop-in, they run as natively as
//! long as their heap stays within the gap ours leaves below its pages; a Go
//! heap that outgrows it runs over the adapter's memory, and the next call
//! that needs that memory says so (status 70), instead of trapping or
//! corrupting silently.

use support::*;
use verify::{Flavour, Preparation};

const TINYGO: (&str, &str, &str) = ("processed-by", "TinyGo", "0.40.0 (heap model)");
const GO: (&str, &str, &str) = ("language", "Go", "go1.27.3 (heap model)");

fn model_case(name: &str, module: Vec<u8>) -> Case {
    Case::new(name, module, Invocation::new(name).args(["an", "argument"]).env("SOME", "variable"))
}

fn adapted_matches_native(name: &str, module: Vec<u8>) {
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert_eq!(inspection.strategy, verify::Strategy::FloatingTail, "{inspection:?}");
    let comparison = compare(&model_case(name, module));
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains(" live objects intact"), "{}", stdout(comparison.ours()));
    note_upstream(&comparison);
}

#[test]
fn tinygo_model_adapted_matches_native() {
    adapted_matches_native("tinygo_model", heap_model("tinygo_model", Some(TINYGO)));
}

#[test]
fn go_model_adapted_matches_native() {
    adapted_matches_native("go_model", heap_model("go_model", Some(GO)));
}

/// Nothing in the module says what it is: `adapt` prepares it all the same.
#[test]
fn models_without_a_producers_section_adapted_match_native() {
    for name in ["tinygo_model", "go_model"] {
        let module = heap_model(name, None);
        let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
        assert!(inspection.language.is_empty() && inspection.processed_by.is_empty() && !inspection.heap_claims_memory);
        adapted_matches_native(name, module);
    }
}

/// Drop-in, within the gap: the Go model does what it does under native
/// p1. The TinyGo model computes the same objects too, but its heap took
/// the gap as its own (it claims all of memory whenever it grows), so it
/// reports more pages and fewer collections.
#[test]
fn models_drop_in_within_the_gap_compute_what_native_does() {
    let go = compare(&model_case("go_model", heap_model("go_model", Some(GO))).preparation(Preparation::Never));
    assert_identical_to_native(&go);
    assert!(stdout(go.ours()).contains(" live objects intact"), "{}", go.render());

    let tinygo = compare(&model_case("tinygo_model", heap_model("tinygo_model", Some(TINYGO))).preparation(Preparation::Never));
    assert_eq!(tinygo.ours().outcome.status, Status::Exited(0), "{}", tinygo.render());
    let without_heap_size =
        |run: &Run| stdout(run).split(", ").filter(|part| !part.contains("grew") && !part.contains("collections")).collect::<Vec<_>>().join(", ");
    assert_eq!(without_heap_size(tinygo.ours()), without_heap_size(tinygo.native()), "{}", tinygo.render());
    assert!(stdout(tinygo.ours()).contains(" live objects intact"), "{}", tinygo.render());
}

/// Drop-in, a Go heap of 100 MiB: it runs over the adapter's pages, and the
/// next call that needs them ends the program with the diagnosis, never a
/// trap, never a wrong result.
#[test]
fn go_model_drop_in_beyond_the_gap_is_diagnosed() {
    let name = "go_model";
    let case = Case::new(name, heap_model(name, Some(GO)), Invocation::new(name).args(["100"])).preparation(Preparation::Never);
    let ours = verify::differential::run_one(&case, Implementation::Ours, Flavour::Command).unwrap();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "stderr: {}", stderr(&ours));
    let message = stderr(&ours);
    // The first call after the overrun (a clock read) checks the home block.
    assert!(message.starts_with("wasi-p1-adapter: fatal: in clock_time_get: adapter memory at 0x"), "{message}");
    assert_contains_all(
        &message,
        &[
            "was overwritten (state header magic)",
            "the guest's heap took pages the adapter grew with memory.grow",
            "Remedy: build the component with this project's `adapt` command.",
        ],
    );
    assert!(!stdout(&ours).contains("live objects intact"));
    // Natively, and through adapt, the same program runs to its end.
    let adapted = compare(&case.preparation(Preparation::Auto));
    assert_identical_to_native(&adapted);
    assert!(stdout(adapted.ours()).contains("go model: allocated 100 MiB"), "{}", adapted.render());
    let upstream = adapted.upstream();
    println!("[go model 100 MiB drop-in] upstream: {}, stderr {:?}", upstream.outcome.status, stderr(upstream).lines().last().unwrap_or(""));
}

#[test]
fn tinygo_model_exports_malloc_and_free() {
    let inspection = wasip1_adapter::adapt::inspect(&heap_model("tinygo_model", Some(TINYGO))).unwrap();
    assert_eq!(inspection.allocator_exports, vec!["malloc".to_string()]);
    assert!(inspection.processed_by.iter().any(|p| p.starts_with("TinyGo")), "{inspection:?}");
}
