//! The guest overwrites adapter memory, as TinyGo and Go heaps do: ours
//! detects it at the next p1 call, says on stderr what happened and what to
//! do, and exits with status 1. Never a bare trap, never silent corruption.
//!
//! The guest takes the page above memory before its first p1 call, which is
//! where ours puts its home block (state, heap, stack; adapter/src/layout.rs),
//! prints "before", scribbles over part of that page and prints again.

use support::*;

/// A guest that fills `len` bytes at `offset` into the adapter's home block
/// with 0xab between two writes to stdout.
fn scribbler(offset: u32, len: u32) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "before\n")
            (func $write
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 7))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
            (func (export "_start")
                (local $home i32)
                (local.set $home (i32.shl (memory.size) (i32.const 16)))
                (call $write)
                (memory.fill (i32.add (local.get $home) (i32.const {offset})) (i32.const 0xab) (i32.const {len}))
                (call $write)))"#
    ))
}

fn assert_diagnosed(offset: u32, len: u32, damage: &str) {
    let comparison = compare(&Case::new(format!("scribble {len} bytes at +{offset}"), scribbler(offset, len), Invocation::new("scribbler")));
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{}", comparison.render());
    assert_eq!(stdout(ours), "before\n", "the second write must not happen");
    let message = stderr(ours);
    assert!(message.starts_with("wasi-p1-adapter: fatal: in fd_write: adapter memory at 0x"), "{message}");
    assert!(message.contains(&format!("was overwritten ({damage})")), "{message}");
    assert!(message.contains("Remedy:") && message.ends_with(".\n") && message.lines().count() == 1, "{message}");
    // Packed text decodes: capitals, punctuation (and the digit of "0x" above).
    assert!(message.contains("(TinyGo and Go heaps do this). Remedy: build the component with this project's `adapt` command"), "{message}");
    // Under native p1 there is no adapter page: the scribble itself is out
    // of bounds.
    assert!(trapped(comparison.native()));
    note_upstream(&comparison);
}

#[test]
fn state_header_overwritten() {
    assert_diagnosed(0, 8, "state header magic");
}

#[test]
fn sealed_state_overwritten() {
    assert_diagnosed(16, 4, "state checksum");
}

#[test]
fn whole_home_block_overwritten() {
    assert_diagnosed(0, 65536, "state header magic");
}

/// The stack guard sits just below the adapter's 32 KiB stack.
#[test]
fn stack_guard_overwritten() {
    assert_diagnosed(32768 - 8, 8, "stack guard");
}

/// The descriptor table is the first heap block, at the heap's start
/// (offset 1024); entries are 32 bytes, so fd 1's is at 1056.
#[test]
fn descriptor_entry_overwritten() {
    assert_diagnosed(1024 + 32, 4, "file descriptor table entry");
}

/// Memory the adapter does not rely on between calls (free heap) may be
/// overwritten without consequence.
#[test]
fn free_heap_overwritten_is_harmless() {
    let comparison = compare(&Case::new("scribble free heap", scribbler(8192, 4096), Invocation::new("scribbler")));
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0), "{}", comparison.render());
    assert_eq!(stdout(comparison.ours()), "before\nbefore\n");
}
