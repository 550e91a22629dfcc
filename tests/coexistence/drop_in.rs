//! The drop-in path (a module linked without `adapt`, as `wasm-tools
//! component new --adapt` does) for guests whose allocator lives with
//! foreign `memory.grow` (today's wasi-libc: Rust, C): a Rust std program
//! with and without an exported `cabi_realloc`. Ours never calls the
//! guest's allocator, so even a program that watches its own allocator sees
//! what it sees under native p1.

use support::*;
use verify::Preparation;

#[test]
fn rust_std_without_cabi_realloc() {
    let case = Case::new("hello_std a b", guest("hello_std"), Invocation::new("hello_std").args(["a", "b"]).env("X", "1"));
    assert_identical_to_native(&compare(&case.preparation(Preparation::Never)));
}

/// The program says on stderr whether its `cabi_realloc` was called: never,
/// under native p1 and ours alike; upstream's adapter takes its memory from it.
#[test]
fn rust_std_with_cabi_realloc() {
    let module = guest("with_realloc");
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert_eq!(inspection.allocator_exports, vec!["cabi_realloc".to_string()]);
    let case = Case::new("with_realloc", module, Invocation::new("with_realloc").args(["x"])).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case.preparation(Preparation::Never));
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains("heap intact: true"));
    assert_eq!(stderr(comparison.ours()), "cabi_realloc calls: none\n");
    assert_eq!(stderr(comparison.upstream()), "cabi_realloc calls: some\n");
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
    let comparison = compare(&Case::new("memory at _start", module, Invocation::new("start")).preparation(Preparation::Never));
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "3\n");
    note_upstream(&comparison);
}
