//! Memories that are not what an adapter expects: one that cannot grow, one
//! that is not exported, one imported, none at all. Through `adapt` each runs
//! as under native p1 (or, where native p1 cannot run it, as it would);
//! linked drop-in, a memory that cannot grow ends in the diagnosis, never in
//! a bare trap or a silent success.

use support::*;
use verify::{Flavour, Preparation};

/// Prints the name of preopen 3 (the first p1 call needs the descriptor
/// table, so the adapter needs memory), then tries to grow its own memory
/// by one page and prints what `memory.grow` answered (-1 or the old size).
fn preopen_name_printer(memory: &str, export: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $dir_name (param i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            {memory}
            {export}
            (func $print (param $at i32) (param $len i32)
                (i32.store (i32.const 0) (local.get $at))
                (i32.store (i32.const 4) (local.get $len))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
            (func (export "_start")
                (local $len i32)
                (if (call $prestat (i32.const 3) (i32.const 16)) (then (unreachable)))
                (local.set $len (i32.load (i32.const 20)))
                (if (call $dir_name (i32.const 3) (i32.const 100) (local.get $len)) (then (unreachable)))
                (i32.store8 (i32.add (i32.const 100) (local.get $len)) (i32.const 10))
                (call $print (i32.const 100) (i32.add (local.get $len) (i32.const 1)))
                ;; memory.grow's answer as one digit, -1 as "-".
                (i32.store8 (i32.const 200)
                    (select (i32.const 45) (i32.add (i32.const 48) (memory.grow (i32.const 1)))
                        (i32.eq (memory.grow (i32.const 0)) (i32.const 1))))
                (i32.store8 (i32.const 201) (i32.const 10))
                (call $print (i32.const 200) (i32.const 2))))"#
    ))
}

fn case(name: &str, module: Vec<u8>) -> Case {
    Case::new(name, module, Invocation::new(name)).fixture(fixture("basic"), "/sandbox").flavour(Flavour::Command)
}

/// `(memory 1 1)`: full, and it cannot grow. Native p1 needs no memory of
/// its own and runs it; so does ours through `adapt`, which lifts the
/// maximum for the adapter's pages and keeps it for the guest: the guest's
/// own `memory.grow` still fails.
#[test]
fn a_memory_at_its_maximum_runs_through_adapt() {
    let module = preopen_name_printer("(memory 1 1)", r#"(export "memory" (memory 0))"#);
    let comparison = compare(&case("memory 1 1", module.clone()));
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "/sandbox\n-\n");
    note_upstream(&comparison);
    let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap();
    assert_eq!(adapted.memory.lifted_maximum, Some(1));
}

/// The same module linked drop-in: the adapter cannot have memory, so it
/// says so and names the remedy; status 70, never a bare trap, never exit 0
/// with the output lost.
#[test]
fn a_memory_at_its_maximum_drop_in_is_diagnosed() {
    let module = preopen_name_printer("(memory 1 1)", r#"(export "memory" (memory 0))"#);
    let comparison = compare(&case("memory 1 1 drop-in", module).preparation(Preparation::Never));
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{}", comparison.render());
    assert_eq!(stdout(ours), "");
    let message = stderr(ours);
    assert!(message.starts_with("wasi-p1-adapter: fatal: in fd_prestat_get: memory.grow refused the 65536 bytes"), "{message}");
    assert_contains_all(&message, &["the module's memory is at its maximum", "Remedy: build the component with this project's `adapt` command."]);
    note_upstream(&comparison);
}

/// A maximum with room left: the guest's growth up to it succeeds, beyond
/// it fails, as natively, although the adapter's pages sit above.
#[test]
fn a_maximum_with_room_is_the_guests_to_use() {
    let comparison = compare(&case("memory 1 2", preopen_name_printer("(memory 1 2)", r#"(export "memory" (memory 0))"#)));
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "/sandbox\n1\n");
}

/// Not exported: wit-component refuses the module as it is; `adapt` exports
/// the memory. (Native p1 cannot run it: its calls find no memory.)
#[test]
fn an_unexported_memory_is_exported() {
    let module = preopen_name_printer("(memory 1)", "");
    let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap();
    assert!(adapted.memory.exported);
    let ours = verify::differential::run_one(&case("unexported memory", module.clone()), Implementation::Ours, Flavour::Command).unwrap();
    assert_eq!((ours.outcome.status.clone(), stdout(&ours)), (Status::Exited(0), "/sandbox\n1\n".to_string()), "{}", stderr(&ours));
    let native = verify::differential::run_one(&case("unexported memory", module), Implementation::Native, Flavour::Command).unwrap();
    assert!(trapped(&native), "{:?}", native.outcome.status);
}

/// Imported (`env.memory`): `adapt` makes it the module's own.
#[test]
fn an_imported_memory_becomes_the_modules_own() {
    let module = preopen_name_printer(r#"(import "env" "memory" (memory 1))"#, r#"(export "memory" (memory 0))"#);
    let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap();
    assert!(adapted.memory.defined_imported && !adapted.memory.exported);
    let ours = verify::differential::run_one(&case("imported memory", module), Implementation::Ours, Flavour::Command).unwrap();
    assert_eq!((ours.outcome.status.clone(), stdout(&ours)), (Status::Exited(0), "/sandbox\n1\n".to_string()), "{}", stderr(&ours));
}

/// No memory at all: what needs none works (here `proc_exit(3)` after
/// `sched_yield`). Native p1 refuses every call of a module without an
/// exported memory ("missing required memory export"); upstream's adapter
/// exits 1.
#[test]
fn no_memory_at_all_gets_an_empty_one() {
    let module = wat(r#"(module
            (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (func (export "_start") (call $exit (i32.add (i32.const 3) (call $yield)))))"#);
    let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap();
    assert!(adapted.memory.added && adapted.memory.exported);
    let comparison = compare(&Case::new("no memory", module, Invocation::new("no memory")));
    assert!(matches!(&comparison.native().outcome.status, Status::Trapped(why) if why.contains("missing required memory export")));
    assert_eq!(comparison.ours().outcome.status, Status::Exited(3), "{}", comparison.render());
    note_upstream(&comparison);
}

/// What `adapt` refuses, it refuses with a value a caller can match, and the
/// message says what to do.
#[test]
fn refusals_are_errors_a_caller_can_match() {
    use wasip1_adapter::adapt::{self, AdaptError, Options};
    use wasip1_adapter::memory::MemoryError;
    use wasip1_adapter::prepare::PrepareError;
    let adapt = |module: &[u8], options: &Options<'_>| adapt::adapt(module, options).expect_err("refused");
    let defaults = Options::default();
    assert!(matches!(adapt(&wat("(component)"), &defaults), AdaptError::AlreadyAComponent));
    assert!(matches!(adapt(b"\0asm\x01\0\0\0\x01\xff", &defaults), AdaptError::Malformed(_)));
    let taken = wat(r#"(module (memory 1) (func (export "memory")) (func (export "_start")))"#);
    let error = adapt(&taken, &defaults);
    assert!(matches!(error, AdaptError::Memory(MemoryError::MemoryNameTaken)), "{error}");
    assert!(error.to_string().contains("under the name `memory`"), "{error}");
    let wide = wat(r#"(module (memory (export "memory") i64 1) (func (export "_start")))"#);
    let prepare = Options { preparation: Preparation::Always, ..Options::default() };
    let error = adapt(&wide, &prepare);
    assert!(matches!(error, AdaptError::Prepare(PrepareError::Memory64)), "{error}");
    let upstream = Implementation::Upstream.adapter(Flavour::Command).expect("upstream's command adapter");
    let hello = wat(r#"(module (memory (export "memory") 1) (func (export "_start")))"#);
    let error = adapt(&hello, &Options { adapter: Some(upstream), ..prepare });
    assert!(matches!(error, AdaptError::PreparationNeedsOurAdapter), "{error}");
    assert!(error.to_string().contains("--prepare never"), "{error}");
}
