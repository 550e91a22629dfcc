//! C and C++ built with Debian bookworm's WASI toolchain (clang 14,
//! wasi-libc 0.0~git20220510, libc++ 14), compiled at test time. Its malloc
//! takes everything from `__heap_base` to the current `memory.size` at its
//! first call (wasi-libc from September 2020 to January 2023, so wasi-sdk 12
//! to 19 too), so a page an adapter grew before that becomes heap. Upstream's
//! adapter traps on these programs ("assertion failed at adapter line 2857").
//! Ours runs each exactly as native p1 does, through `adapt` (the default)
//! and linked drop-in alike.

use support::*;
use verify::Preparation;

/// Runs `case` through `adapt` and drop-in; both must be native p1's run.
fn both_ways(case: Case) -> Comparison {
    let drop_in = compare(&case.clone().preparation(Preparation::Never));
    assert_identical_to_native(&drop_in);
    let adapted = compare(&case);
    assert_identical_to_native(&adapted);
    note_upstream(&adapted);
    adapted
}

/// Reads the clock before its first allocation, then mallocs 8 MiB at once
/// and fills it before its next call.
#[test]
fn clock_then_an_8_mib_malloc() {
    let comparison = both_ways(Case::new("clock_then_malloc", c_guest("clock_then_malloc"), Invocation::new("clock_then_malloc")));
    assert_eq!(stdout(comparison.ours()), format!("sum {}\n", (0..8u64 << 20).map(|i| (i * 31) & 0xff).sum::<u64>()));
}

/// Stdio and both clocks before the first allocation, then more than 16 MiB
/// allocated, freed and reallocated, with a checksum over every block.
#[test]
fn stdio_and_clocks_first_then_heavy_allocation() {
    let comparison = both_ways(Case::new("alloc_heavy", c_guest("alloc_heavy"), Invocation::new("alloc_heavy")));
    let out = stdout(comparison.ours());
    assert_contains_all(&out, &["before any allocation: clocks read, realtime after 2020: 1\n", "allocated more than 16 MiB: 1\n", "checksum "]);
    assert_eq!(stderr(comparison.ours()), "stderr before any allocation\n");
}

/// Files and directories in a preopened directory: the preopen table is read
/// before main, and the first malloc right after claims the adapter's page.
#[test]
fn files_and_directories() {
    let case = Case::new("files", c_guest("files"), Invocation::new("files").arg("/sandbox")).fixture(fixture("basic"), "/sandbox");
    let comparison = both_ways(case);
    let out = stdout(comparison.ours());
    assert_contains_all(&out, &["file-07.txt size 150 regular 1", "big.bin: 1048576 bytes, checksum ", "missing.txt: No such file or directory"]);
    assert!(out.contains("/sandbox/c-work: . .. big.bin empty-dir file-00.txt file-01.txt file-02.txt file-05.txt"), "{out}");
    assert!(comparison.ours().trees[0].entries.contains_key("c-work/renamed.txt"));
}

/// libc++: iostreams, strings, vectors, maps, an fstream; arguments and an
/// environment variable; `return 7` from main.
#[test]
fn cpp_containers_and_iostreams() {
    let invocation = Invocation::new("containers").args(["/out", "second"]).env("GREETING", "hi");
    let comparison = both_ways(Case::new("containers", c_guest("containers"), invocation).fixture(fixture("basic"), "/out"));
    assert_eq!(comparison.ours().outcome.status, Status::Exited(7));
    assert_contains_all(
        &stdout(comparison.ours()),
        &["arguments: [/out] [second]\n", "GREETING=hi\n", "distinct words 1000, unique 1000", "wrote and read back 100 lines\n"],
    );
    assert_eq!(stderr(comparison.ours()), "most common count 20\n");
}

/// `adapt` prepares these modules: nothing in them says what their heap
/// does (their producers section names only clang).
#[test]
fn adapt_prepares_them() {
    let inspection = wasip1_adapter::adapt::inspect(&c_guest("clock_then_malloc")).unwrap();
    assert!(inspection.processed_by.iter().any(|p| p.contains("clang")), "{inspection:?}");
    assert!(!inspection.heap_claims_memory);
    assert_eq!(inspection.strategy, verify::Strategy::FloatingTail);
}
