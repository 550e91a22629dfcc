//! Entry conventions: what `wasmtime run` runs of a module (its start
//! function at instantiation, then `_initialize`, then `""` or else
//! `_start`), and what `adapt` makes a component run (`wasip1_adapter::entry`).

use support::*;
use verify::{Flavour, Preparation};

/// A module whose start function, `_initialize`, `""` and `_start` each
/// write their name (those `exports` lists) with p1's fd_write.
fn module_with(start_section: bool, exports: &[&str]) -> Vec<u8> {
    let mut functions = String::new();
    for (name, text) in [("start", "start\n"), ("_initialize", "initialize\n"), ("", "default\n"), ("_start", "main\n")] {
        let export = if exports.contains(&name) { format!("(export {name:?})") } else { String::new() };
        let offset = 100 + 16 * ["start", "_initialize", "", "_start"].iter().position(|n| *n == name).unwrap();
        functions.push_str(&format!(
            r#"(data (i32.const {offset}) {text:?})
            (func ${id} {export}
                (i32.store (i32.const 0) (i32.const {offset}))
                (i32.store (i32.const 4) (i32.const {len}))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
            "#,
            id = match name {
                "start" => "start_function",
                "_initialize" => "initialize",
                "" => "default",
                _ => "main",
            },
            len = text.len(),
        ));
    }
    let start = if start_section { "(start $start_function)" } else { "" };
    wat(&format!(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            {functions}
            {start})"#
    ))
}

/// Runs `module` through `adapt` (prepared and not) and checks every run
/// against native p1, which must print `expected`.
fn assert_runs_as_native(name: &str, module: Vec<u8>, expected: &str) -> Comparison {
    let case = Case::new(name, module, Invocation::new(name));
    let adapted = compare(&case);
    assert_identical_to_native(&adapted);
    assert_eq!(stdout(adapted.native()), expected, "native p1's order");
    assert_identical_to_native(&compare(&case.preparation(Preparation::Never)));
    adapted
}

/// A start function that makes p1 calls: natively it runs at
/// instantiation; linked as is, it calls the adapter before the component
/// has wired it, so upstream (and ours drop-in) trap there.
#[test]
fn start_function_with_p1_calls_before_start() {
    let comparison = assert_runs_as_native("start+_start", module_with(true, &["_start"]), "start\nmain\n");
    assert!(
        matches!(&comparison.upstream().outcome.status, Status::Trapped(why) if why.contains("uninitialized element")),
        "{}",
        comparison.render()
    );
}

/// Start function, then `_initialize`, then `_start`: one function added
/// runs the first two, as `_initialize`.
#[test]
fn start_function_then_initialize_then_start() {
    assert_runs_as_native("start+_initialize+_start", module_with(true, &["_initialize", "_start"]), "start\ninitialize\nmain\n");
}

/// `wasmtime run` prefers `""` to `_start`: the component's `_start` is `""`.
#[test]
fn the_default_export_wins_over_start() {
    let comparison = assert_runs_as_native("\"\"+_start", module_with(false, &["", "_start"]), "default\n");
    note_upstream(&comparison);
}

/// `_initialize` and `""` without `_start`: a command, not a reactor.
#[test]
fn initialize_and_default_export_make_a_command() {
    let module = module_with(false, &["_initialize", ""]);
    assert_eq!(wasip1_adapter::adapt::inspect(&module).unwrap().flavour, Flavour::Command);
    let comparison = assert_runs_as_native("_initialize+\"\"", module, "initialize\ndefault\n");
    assert!(matches!(&comparison.upstream().outcome.status, Status::NotBuilt(why) if why.contains("_start")), "{}", comparison.render());
}

/// A start function, `_initialize` and no entry, built as a command: the
/// start function and `_initialize` run, in that order, and nothing else,
/// as under `wasmtime run`.
#[test]
fn start_function_and_initialize_without_an_entry() {
    let case = Case::new("start+_initialize", module_with(true, &["_initialize"]), Invocation::new("x")).flavour(Flavour::Command);
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "start\ninitialize\n");
}

/// A real module of that convention: Debian's clang 14 with
/// `-mexec-model=reactor` and a function exported under the empty name.
#[test]
fn clang_reactor_with_a_default_export() {
    let module = c_guest("default_export");
    let inspection = wasip1_adapter::adapt::inspect(&module).unwrap();
    assert!(inspection.entries.initialize.is_some() && inspection.entries.default.is_some() && inspection.entries.start.is_none(), "{inspection:?}");
    assert_eq!(inspection.flavour, Flavour::Command);
    let case = Case::new("default_export", module, Invocation::new("default_export"));
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    assert_eq!(comparison.ours().outcome.status, Status::Exited(5));
    assert_eq!(stdout(comparison.ours()), "set up by a constructor\n");
    assert_eq!(stderr(comparison.ours()), "default export ran\n");
    assert_identical_to_native(&compare(&case.preparation(Preparation::Never)));
    assert!(matches!(&comparison.upstream().outcome.status, Status::NotBuilt(_)), "{}", comparison.render());
}

/// A library with a start function: a reactor whose start function runs
/// before any of its exports is called, as at native instantiation.
#[test]
fn reactor_with_a_start_function() {
    let module = wat(r#"(module
            (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
            (memory (export "memory") 1)
            (global $ready (mut i32) (i32.const 0))
            (func $start
                (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 16)))
                (global.set $ready (i32.add (i32.const 40) (i64.ne (i64.load (i32.const 16)) (i64.const 0)))))
            (start $start)
            (func (export "wasi:cli/run@0.2.12#run") (result i32) (i32.const 0))
            (func (export "answer") (result i32) (i32.add (global.get $ready) (i32.const 1))))"#);
    let module = verify::embed_world(&module, "export answer: func() -> s32;").unwrap();
    assert_eq!(wasip1_adapter::adapt::inspect(&module).unwrap().flavour, Flavour::Reactor);
    let case = Case::new("reactor with start", module, Invocation::new("x").call("answer", &[])).flavour(Flavour::Reactor);
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "call answer() = 42\n");
}
