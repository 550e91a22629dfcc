//! The plain drop-in path stays as it was for guests whose allocator lives
//! with foreign `memory.grow` (wasi-libc: Rust, C): a Rust std program with
//! and without an exported `cabi_realloc` (with one, the adapter takes its
//! memory from the guest's allocator).

use support::*;

#[test]
fn rust_std_without_cabi_realloc() {
    let comparison = compare_guest("hello_std", &["a", "b"], |invocation| invocation.env("X", "1"));
    assert_identical_to_native(&comparison);
    let inspection = wasip1_adapter::adapt::inspect(&guest("hello_std")).unwrap();
    assert_eq!(inspection.strategy, verify::Strategy::DropIn { allocator: None });
}

#[test]
fn rust_std_with_cabi_realloc() {
    let module = guest("with_realloc");
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert_eq!(inspection.strategy, verify::Strategy::DropIn { allocator: Some("cabi_realloc".into()) });
    let case = Case::new("with_realloc", module, Invocation::new("with_realloc").args(["x"])).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    // Everything but stderr, where the program says whether cabi_realloc
    // was called: never by native p1, by our adapter for its memory.
    for aspect in [Aspect::Status, Aspect::Stdout, Aspect::Trees] {
        assert!(!Comparison::differences(comparison.native(), comparison.ours()).contains(&aspect), "{}", comparison.render());
    }
    assert!(stdout(comparison.ours()).contains("heap intact: true"));
    assert_eq!(stderr(comparison.native()), "cabi_realloc calls: none\n");
    assert_eq!(stderr(comparison.ours()), "cabi_realloc calls: some\n");
    note_upstream(&comparison);
}

/// Nothing is taken before the guest's `_start`: the first thing `_start`
/// sees is the memory it declared. (Upstream's adapter has already grown a
/// stack page by then.)
#[test]
fn nothing_is_taken_before_start() {
    let module = wat(r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 3)
        (func (export "_start")
            (i32.store8 (i32.const 100) (i32.add (i32.const 48) (memory.size)))
            (i32.store8 (i32.const 101) (i32.const 10))
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 2))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#);
    let comparison = compare(&Case::new("memory at _start", module, Invocation::new("start")));
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "3\n");
    note_upstream(&comparison);
}
