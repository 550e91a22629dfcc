//! The guest overwrites adapter memory, as TinyGo and Go heaps do (linked
//! drop-in, without `adapt`): ours detects it at the next call that uses
//! that memory, says on stderr what happened and what to do, and exits with
//! status 70. Never a bare trap, never silent corruption. And the one case
//! that loses nothing is survived: a heap that claims the adapter's pages
//! when it is set up (wasi-libc's malloc before 2023 writes its end marker
//! into the last bytes of memory, the adapter's guard) while they hold
//! nothing the host cannot give again.
//!
//! The scribbler first makes a call that needs the descriptor table, so the
//! adapter takes its home block (state, heap, stack; adapter/src/memory/layout.rs),
//! the top page of memory. It prints "before", scribbles over part of that
//! page, and calls again. (Native p1 has no adapter page: there the scribble
//! lands in the guest's own page, which proves nothing either way.)

use support::*;
use verify::{Flavour, Preparation};

/// The first call: `fd_close(0)`, after which the descriptor table is not
/// what the host would list again, or `fd_fdstat_get(3)` (a bad
/// descriptor), after which it is.
#[derive(Clone, Copy, PartialEq)]
enum Table {
    Changed,
    AsTheHostListsIt,
}

/// A guest that fills `len` bytes at `offset` into the adapter's home block
/// with 0xab between two writes to stdout; before the second, it makes a
/// call that uses the table (`fd_fdstat_get(3)`), and it prints the result.
fn scribbler(table: Table, offset: u32, len: u32) -> Vec<u8> {
    let first = match table {
        Table::Changed => "(drop (call $fd_close (i32.const 0)))",
        Table::AsTheHostListsIt => "(drop (call $fd_fdstat_get (i32.const 3) (i32.const 200)))",
    };
    wat(&format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "before\n")
            (func $write
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 7))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
            (func (export "_start")
                (local $home i32)
                {first}
                (local.set $home (i32.shl (i32.sub (memory.size) (i32.const 1)) (i32.const 16)))
                (call $write)
                (memory.fill (i32.add (local.get $home) (i32.const {offset})) (i32.const 0xab) (i32.const {len}))
                ;; "before\n" becomes the errno digit and a newline.
                (i32.store8 (i32.const 100) (i32.add (i32.const 48) (call $fd_fdstat_get (i32.const 3) (i32.const 200))))
                (i32.store8 (i32.const 101) (i32.const 10))
                (i32.store (i32.const 4) (i32.const 2))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#
    ))
}

/// Runs the scribbler drop-in (`adapt` would keep adapter memory out of
/// the guest's reach) under native p1, upstream and ours.
fn scribble(table: Table, offset: u32, len: u32) -> Comparison {
    let case = Case::new(format!("scribble {len} bytes at +{offset}"), scribbler(table, offset, len), Invocation::new("scribbler"))
        .preparation(Preparation::Never)
        .flavour(Flavour::Command);
    let comparison = compare(&case);
    note_upstream(&comparison);
    comparison
}

fn assert_diagnosed(table: Table, offset: u32, len: u32, damage: &str) {
    let comparison = scribble(table, offset, len);
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{}", comparison.render());
    assert_eq!(stdout(ours), "before\n", "the second call must not happen");
    let message = stderr(ours);
    assert!(message.starts_with("wasi-p1-adapter: fatal: in fd_fdstat_get: adapter memory at 0x"), "{message}");
    assert!(message.contains(&format!("was overwritten ({damage})")), "{message}");
    assert!(message.contains("Remedy:") && message.ends_with(".\n") && message.lines().count() == 1, "{message}");
    // Packed text decodes: capitals, punctuation (and the digit of "0x" above).
    assert!(
        message.contains("(Go, TinyGo and wasi-libc's malloc before 2023 do). Remedy: build the component with this project's `adapt` command."),
        "{message}"
    );
}

#[test]
fn state_header_overwritten() {
    assert_diagnosed(Table::Changed, 0, 8, "state header magic");
}

#[test]
fn sealed_state_overwritten() {
    assert_diagnosed(Table::Changed, 16, 4, "state checksum");
}

#[test]
fn whole_home_block_overwritten() {
    assert_diagnosed(Table::Changed, 0, 65536, "state header magic");
}

/// The stack guard sits just below the adapter's 32 KiB stack.
#[test]
fn stack_guard_overwritten() {
    assert_diagnosed(Table::Changed, 32768 - 8, 8, "stack guard");
}

/// The descriptor table is the first heap block, at the heap's start
/// (offset 1024); entries are 32 bytes, so fd 3's is at 1120.
#[test]
fn descriptor_entry_overwritten() {
    assert_diagnosed(Table::Changed, 1024 + 3 * 32, 4, "file descriptor table entry");
}

/// Damage beyond the guard is diagnosed even when nothing would be lost:
/// the heap may be using the pages already.
#[test]
fn state_overwritten_with_a_table_as_the_host_lists_it() {
    assert_diagnosed(Table::AsTheHostListsIt, 0, 8, "state header magic");
}

/// The guard zone is the last 64 bytes of the page; wasi-libc's dlmalloc
/// writes 4 bytes 52 before the end of memory when it claims it.
#[test]
fn claimed_guard_with_open_descriptors_is_diagnosed() {
    let comparison = scribble(Table::Changed, 65536 - 52, 4);
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{}", comparison.render());
    assert_eq!(stdout(ours), "before\n");
    let message = stderr(ours);
    assert!(message.starts_with("wasi-p1-adapter: fatal: in fd_fdstat_get: the guest's heap took adapter memory at 0x"), "{message}");
    assert_contains_all(&message, &["with descriptors open in it", "Remedy: build the component with this project's `adapt` command."]);
}

/// The same claim with nothing to lose: the adapter leaves the page to the
/// guest and carries on with a new one; the call gets its answer (EBADF, 8).
#[test]
fn claimed_guard_with_nothing_to_lose_is_survived() {
    let comparison = scribble(Table::AsTheHostListsIt, 65536 - 52, 4);
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(0), "{}", comparison.render());
    assert_eq!(stdout(ours), "before\n8\n");
    assert_eq!(stderr(ours), "");
}

/// Memory the adapter does not rely on between calls (free heap) may be
/// overwritten without consequence.
#[test]
fn free_heap_overwritten_is_harmless() {
    let comparison = scribble(Table::Changed, 8192, 4096);
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0), "{}", comparison.render());
    assert_eq!(stdout(comparison.ours()), "before\n8\n");
}
