//! Real Go programs (GOOS=wasip1, built at test time) through `adapt` with
//! our adapter (prepared, as `adapt` decides for Go), against native p1. The
//! same programs linked with upstream's adapter are run too and what they do
//! is printed: today several trap.

use support::*;

fn go_case(name: &str, invocation: Invocation) -> Case {
    Case::new(format!("go {name}"), go_guest(name, false), invocation)
}

fn check(comparison: &Comparison) {
    assert_identical_to_native(comparison);
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0), "{}", comparison.render());
    note_upstream(comparison);
}

#[test]
fn go_hello_world() {
    let comparison = compare(&go_case("hello", Invocation::new("hello")));
    check(&comparison);
    assert_eq!(stdout(comparison.ours()), "hello from Go\n");
    assert_eq!(stderr(comparison.ours()), "and hello on stderr\n");
}

#[test]
fn go_args_and_env() {
    let invocation = Invocation::new("args_env").args(["one", "two words", "ünïcode"]).env("GREETING", "hi").env("EMPTY", "");
    let comparison = compare(&go_case("args_env", invocation));
    check(&comparison);
    assert_contains_all(&stdout(comparison.ours()), &["arg 2: \"two words\"", "env \"GREETING=hi\"", "GREETING is hi"]);
}

#[test]
fn go_exit_code() {
    let comparison = compare(&go_case("args_env", Invocation::new("args_env").env("EXIT_CODE", "3")));
    assert_identical_to_native(&comparison);
    assert_eq!(comparison.ours().outcome.status, Status::Exited(3));
}

#[test]
fn go_files_in_a_preopened_directory() {
    let scratch = tests_dir().join("fixtures/data");
    let case = go_case("files", Invocation::new("files").arg("/data")).fixture(scratch, "/data");
    let comparison = compare(&case);
    check(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(
        &out,
        &[
            "file-03.txt: \"line 3\\nline 3\\nline 3\\nline 3\\nappended\\n\"",
            "file-19.txt size 160",
            "nested/moved.txt dir=false",
            "missing file is not-exist: true",
        ],
    );
    assert!(comparison.ours().trees[0].entries.contains_key("go-work/file-09.txt"));
}

#[test]
fn go_goroutines_sleep_and_crypto_rand() {
    let comparison = compare(&go_case("concurrency", Invocation::new("concurrency")));
    check(&comparison);
    assert_contains_all(&stdout(comparison.ours()), &["slept at least 5ms: true", "crypto/rand read: 64 <nil> mostly nonzero: true", "timer fired"]);
}

/// More than 64 MiB allocated over the run (maps, JSON, regexp), a checksum
/// of it all at the end: any byte of the heap the adapter disturbed shows.
#[test]
fn go_allocation_heavy() {
    let comparison = compare(&go_case("alloc_heavy", Invocation::new("alloc_heavy")));
    check(&comparison);
    assert!(stdout(comparison.ours()).ends_with("allocated at least 64 MiB: true\n"), "{}", stdout(comparison.ours()));
}

/// A heap that only grows, 96 MiB kept in 135 growths: prepared (the
/// default), every block checks out as under native p1, and the floating
/// tail's slack absorbs the growths: its pages move at most once (with a
/// slack of 16 pages it grew memory 26 times, moving about 20).
#[test]
fn go_heap_growing_in_many_steps_moves_the_adapter_rarely() {
    let comparison = compare(&go_case("grow_heavy", Invocation::new("grow_heavy")));
    check(&comparison);
    assert!(stdout(comparison.ours()).starts_with("grow heavy: "), "{}", stdout(comparison.ours()));
    let grow_heavy = verify::bench::tail::measure_program("grow_heavy").unwrap();
    println!("{}", verify::bench::tail::markdown(std::slice::from_ref(&grow_heavy)));
    assert!(grow_heavy.guest_growths >= 100, "{grow_heavy:?}");
    assert!(grow_heavy.large_growths <= 2, "the adapter's pages moved {} times: {grow_heavy:?}", grow_heavy.large_growths.saturating_sub(1));
}

/// A `-buildmode=c-shared` reactor: the host calls `_initialize`, the
/// exported `run`, then `fib` and `calls` directly.
#[test]
fn go_reactor_exports() {
    let module = verify::embed_world(&go_guest("reactor", true), "export fib: func(n: s32) -> s32; export calls: func() -> s32;").unwrap();
    let invocation = Invocation::new("reactor").call("fib", &[20]).call("fib", &[30]).call("calls", &[]);
    let comparison = compare(&Case::new("go reactor", module, invocation));
    check(&comparison);
    let joined = (0..1000u64).map(|i| (i * i).to_string()).collect::<Vec<_>>().join(",").len();
    assert_eq!(
        stdout(comparison.ours()),
        format!("reactor run: joined length {joined} args 1\ncall fib(20) = 6765\ncall fib(30) = 832040\ncall calls() = 3\n")
    );
}

#[test]
fn inspect_a_go_module() {
    let inspection = wasip1_adapter::adapt::inspect(&go_guest("hello", false)).unwrap();
    assert!(inspection.language.iter().any(|l| l.starts_with("Go go1.")), "{inspection:?}");
    assert!(inspection.heap_claims_memory);
    assert_eq!(inspection.flavour, verify::Flavour::Command);
    assert_eq!(inspection.strategy, verify::Strategy::FloatingTail);
    for import in ["fd_write", "random_get", "clock_time_get", "fd_prestat_get"] {
        assert!(inspection.p1_imports.iter().any(|i| i == import), "{inspection:?}");
    }
    let reactor = wasip1_adapter::adapt::inspect(&go_guest("reactor", true)).unwrap();
    assert_eq!(reactor.flavour, verify::Flavour::Reactor);
}

/// Every Go program linked drop-in (as `wasm-tools component new --adapt`
/// links it): it runs exactly as under native p1, or it ends with the
/// adapter's diagnosis (status 70, one line naming the remedy). Never another
/// failure, never a different result. (With the gap ours leaves below its
/// pages, all of these run; upstream traps on some.)
#[test]
fn go_programs_drop_in_run_or_are_diagnosed() {
    let cases = [
        go_case("hello", Invocation::new("hello")),
        go_case("args_env", Invocation::new("args_env").args(["one", "two"]).env("GREETING", "hi")),
        go_case("files", Invocation::new("files").arg("/data")).fixture(tests_dir().join("fixtures/data"), "/data"),
        go_case("concurrency", Invocation::new("concurrency")),
        go_case("alloc_heavy", Invocation::new("alloc_heavy")),
        go_case("grow_heavy", Invocation::new("grow_heavy")),
        go_case("big", Invocation::new("big")),
    ];
    for case in cases {
        let comparison = compare(&case.preparation(verify::Preparation::Never));
        let ours = comparison.ours();
        let message = stderr(ours);
        let diagnosed = ours.outcome.status == Status::Exited(DIAGNOSED_EXIT)
            && message.starts_with("wasi-p1-adapter: fatal: in ")
            && message.contains("Remedy: build the component with this project's `adapt` command.");
        assert!(diagnosed || comparison.verdict().ok(), "neither native p1's run nor the diagnosis:\n{}", comparison.render());
        println!("[{} drop-in] ours: {}", comparison.case_name, if diagnosed { "diagnosed" } else { "as native p1" });
        note_upstream(&comparison);
    }
}
