//! Faithful models of the TinyGo and Go heaps (tests/heap-models): through
//! `adapt` (which prepares them, recognising the producer) they run exactly
//! as under native p1; linked without the preparation pass, their heaps run
//! over the adapter's memory and the adapter's guard says so, instead of
//! trapping or corrupting silently.

use support::*;
use verify::{Flavour, Preparation};

const TINYGO: (&str, &str, &str) = ("processed-by", "TinyGo", "0.40.0 (heap model)");
const GO: (&str, &str, &str) = ("language", "Go", "go1.27.3 (heap model)");

fn model_case(name: &str, producer: (&str, &str, &str)) -> Case {
    Case::new(name, heap_model(name, producer), Invocation::new(name).args(["an", "argument"]).env("SOME", "variable"))
}

fn prepared_matches_native(name: &str, producer: (&str, &str, &str)) {
    let module = heap_model(name, producer);
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert_eq!(inspection.strategy, verify::Strategy::FloatingTail, "{inspection:?}");
    let comparison = compare(&model_case(name, producer));
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains(" live objects intact"), "{}", stdout(comparison.ours()));
    note_upstream(&comparison);
}

/// Without preparation the model's heap takes the adapter's pages; the next
/// p1 call finds its state overwritten and ends the program with the
/// diagnosis (status 70), never a trap.
fn unprepared_is_diagnosed(name: &str, producer: (&str, &str, &str)) {
    let case = model_case(name, producer).preparation(Preparation::Never);
    let ours = verify::differential::run_one(&case, Implementation::Ours, Flavour::Command).unwrap();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "stderr: {}", stderr(&ours));
    let message = stderr(&ours);
    assert!(message.starts_with("wasi-p1-adapter: fatal: in "), "{message}");
    assert_contains_all(&message, &["was overwritten", "The guest's allocator has claimed memory", "Remedy: build the component with this project's `adapt` command"]);
    assert!(!stdout(&ours).contains("live objects intact"));
    let upstream = verify::differential::run_one(&case, Implementation::Upstream, Flavour::Command).unwrap();
    println!("[{name} unprepared] upstream: {}, stderr {:?}", upstream.outcome.status, stderr(&upstream).lines().last().unwrap_or(""));
}

#[test]
fn tinygo_model_prepared_matches_native() {
    prepared_matches_native("tinygo_model", TINYGO);
}

#[test]
fn tinygo_model_unprepared_is_diagnosed() {
    unprepared_is_diagnosed("tinygo_model", TINYGO);
}

#[test]
fn go_model_prepared_matches_native() {
    prepared_matches_native("go_model", GO);
}

#[test]
fn go_model_unprepared_is_diagnosed() {
    unprepared_is_diagnosed("go_model", GO);
}

#[test]
fn tinygo_model_exports_malloc_and_free() {
    let inspection = wasip1_adapter::adapt::inspect(&heap_model("tinygo_model", TINYGO)).unwrap();
    assert_eq!(inspection.allocator_exports, vec!["malloc".to_string()]);
    assert!(inspection.processed_by.iter().any(|p| p.starts_with("TinyGo")), "{inspection:?}");
}
