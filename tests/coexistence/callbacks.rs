//! Guests whose exported `cabi_realloc` (or `cabi_post_*`) the canonical ABI
//! calls, where the component model lets no call reach the host: a real Go
//! reactor whose garbage collector runs inside `cabi_realloc` and reads the
//! clock, and a hand-written one that makes a call no adapter can serve
//! there. The host passes strings to an export, as a component host calls a
//! componentize-go component; native p1 is driven the same way by playing
//! the canonical ABI itself.

use support::*;
use verify::string_calls::{self, Answers, Calls};
use wasip1_adapter::adapt::{self, Options};

/// Ours through `adapt` (which prepares and wraps the callbacks).
fn ours(module: &[u8], calls: &Calls<'_>) -> Answers {
    let embedded = string_calls::embed(module, calls).unwrap();
    let adapted = adapt::adapt(&embedded, &Options::default()).unwrap();
    string_calls::component(&adapted.component, calls).unwrap()
}

/// Ours linked as `wasm-tools component new` links it: no wrappers.
fn ours_drop_in(module: &[u8], calls: &Calls<'_>) -> Answers {
    let embedded = string_calls::embed(module, calls).unwrap();
    let component = verify::adapters::component_for(Implementation::Ours, &embedded, verify::Flavour::Reactor, verify::Preparation::Never).unwrap();
    string_calls::component(&component, calls).unwrap()
}

/// Upstream's reactor adapter, linked as `wasm-tools component new` would.
fn upstream(module: &[u8], calls: &Calls<'_>) -> Answers {
    let embedded = string_calls::embed(module, calls).unwrap();
    let component =
        verify::adapters::component_for(Implementation::Upstream, &embedded, verify::Flavour::Reactor, verify::Preparation::Never).unwrap();
    string_calls::component(&component, calls).unwrap()
}

/// 2,000 strings of up to 64 KiB through a Go reactor that exports
/// `cabi_realloc` and collects garbage often (tests/go/string_reactor): the
/// collector starts inside `cabi_realloc` again and again. Ours answers as
/// native p1 does; upstream does not get through instantiation (its adapter
/// takes its state from the guest's `cabi_realloc` before Go's runtime is
/// initialised).
#[test]
fn go_reactor_collecting_garbage_inside_cabi_realloc() {
    let module = go_guest("string_reactor", true);
    let texts = string_calls::texts(2000, 64 << 10, 0x5eed_0001);
    let calls = Calls { export: "process", texts: &texts, counters: &["reallocs", "collections"] };
    let expected: Vec<u32> = texts.iter().map(|text| string_calls::fnv1a(text.as_bytes())).collect();

    let native = string_calls::native(&module, &calls).unwrap();
    assert_eq!(native.failure, None, "native p1: {native:?}");
    assert!(native.results == expected, "native p1 answered other hashes than FNV-1a");

    let ours = ours(&module, &calls);
    assert_eq!(ours.failure, None, "ours: {}", ours.stderr);
    assert!(ours.results == expected, "ours answered other hashes than FNV-1a");
    assert_eq!(ours.stderr, native.stderr);
    let counter = |answers: &Answers, name: &str| answers.counters.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    assert_eq!(counter(&ours, "reallocs"), Some(2000));
    assert_eq!(counter(&ours, "reallocs"), counter(&native, "reallocs"));
    let collections = counter(&ours, "collections").unwrap();
    // Without collections inside cabi_realloc the test would prove nothing.
    assert!(collections >= 10, "only {collections} collections started inside cabi_realloc");
    println!("collections started inside cabi_realloc: ours {collections}, native p1 {:?}", counter(&native, "collections"));

    let upstream = upstream(&module, &calls);
    println!("upstream 50.0.1: {} answers, failure: {:?}", upstream.results.len(), upstream.failure);
    assert!(upstream.failure.is_some(), "upstream 50.0.1 now gets through: update this test and README");
}

/// The same Go reactor built with `-tags pause`: its `cabi_realloc` pauses
/// the adapter's clocks for its length (`adapter_monotonic_clock_set_paused`,
/// as componentize-go's runtime calls it), so linked drop-in, without
/// `adapt`'s wrappers, the collections inside it read the clocks' last
/// readings instead of calling the host. Without the pause the first such
/// collection traps. Native p1 gets a pause that does nothing.
#[test]
fn go_reactor_pausing_the_clocks_in_cabi_realloc_linked_drop_in() {
    let texts = string_calls::texts(2000, 64 << 10, 0x5eed_0002);
    let calls = Calls { export: "process", texts: &texts, counters: &["reallocs", "collections"] };
    let expected: Vec<u32> = texts.iter().map(|text| string_calls::fnv1a(text.as_bytes())).collect();
    let pausing = go_guest_tagged("string_reactor", true, &["pause"]);

    let native = string_calls::native(&pausing, &calls).unwrap();
    assert_eq!(native.failure, None, "native p1: {native:?}");
    assert!(native.results == expected, "native p1 answered other hashes than FNV-1a");

    let ours = ours_drop_in(&pausing, &calls);
    assert_eq!(ours.failure, None, "ours: {}", ours.stderr);
    assert!(ours.results == expected, "ours answered other hashes than FNV-1a");
    assert_eq!(ours.stderr, native.stderr);
    let collections = ours.counters.iter().find(|(name, _)| name == "collections").map(|(_, value)| *value).unwrap();
    assert!(collections >= 10, "only {collections} collections started inside cabi_realloc");

    let unpaused = ours_drop_in(&go_guest("string_reactor", true), &calls);
    let failure = unpaused.failure.unwrap_or_default();
    assert!(failure.contains("cannot leave component instance"), "without the pause: {failure}");

    let upstream = upstream(&pausing, &calls);
    println!("upstream 50.0.1 with the pause: {} answers, failure: {:?}", upstream.results.len(), upstream.failure);
}

/// A reactor whose `cabi_realloc` reads the monotonic clock and writes to
/// stdout. `_initialize` reads the clock first. `process` prints a line and
/// answers what `cabi_realloc` saw: its clock errno, its write errno (times
/// 256), 65536 if the clock stood still since `_initialize`, and 131072 if it
/// did not go back.
const CALLBACK_CALLS_HOST: &str = r#"(module
    (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 2)
    (global $clock_errno (mut i32) (i32.const 0))
    (global $write_errno (mut i32) (i32.const 0))
    (data (i32.const 64) "in realloc\n")
    (data (i32.const 80) "processed\n")
    (func (export "_initialize")
        (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 256))))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
        (global.set $clock_errno (call $clock (i32.const 1) (i64.const 0) (i32.const 264)))
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.const 11))
        (global.set $write_errno (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.const 4096))
    (func (export "process") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (i32.const 80))
        (i32.store (i32.const 20) (i32.const 10))
        (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (i32.add
            (i32.add (global.get $clock_errno) (i32.mul (global.get $write_errno) (i32.const 256)))
            (i32.add
                (select (i32.const 65536) (i32.const 0) (i64.eq (i64.load (i32.const 264)) (i64.load (i32.const 256))))
                (select (i32.const 131072) (i32.const 0) (i64.ge_u (i64.load (i32.const 264)) (i64.load (i32.const 256))))))))"#;

/// Deliberate difference: native p1 lets the write inside `cabi_realloc`
/// through; in a component nothing can (upstream, the second oracle, traps
/// on the clock read already). Ours answers the clock with its last reading,
/// the write with EBUSY, and names the refused call on stderr at the next
/// call; the program carries on.
#[test]
fn a_call_inside_a_callback_that_needs_the_host_is_refused_with_a_note() {
    let module = wat(CALLBACK_CALLS_HOST);
    let texts = vec!["first".to_string(), "second".to_string()];
    let calls = Calls { export: "process", texts: &texts, counters: &[] };

    let native = string_calls::native(&module, &calls).unwrap();
    assert_eq!(native.failure, None);
    for result in &native.results {
        assert_eq!(result & 0xFFFF, 0, "native p1 lets both calls through");
        assert_eq!(result & 131072, 131072, "native's clock did not go back");
    }
    assert_eq!(native.stdout, "in realloc\nprocessed\nin realloc\nprocessed\n");

    let ours = ours(&module, &calls);
    assert_eq!(ours.failure, None, "{}", ours.stderr);
    let busy = 10 * 256;
    assert_eq!(ours.results, vec![busy + 65536 + 131072; 2], "clock: success at the last reading; write: EBUSY");
    assert_eq!(ours.stdout, "processed\nprocessed\n");
    let notes: Vec<&str> = ours.stderr.lines().collect();
    assert_eq!(notes.len(), 2, "one note per refused call, at the next call: {}", ours.stderr);
    for note in notes {
        assert!(note.starts_with("wasi-p1-adapter: note: fd_write was answered EBUSY: the guest called it inside its cabi_realloc"), "{note}");
    }

    let upstream = upstream(&module, &calls);
    let failure = upstream.failure.unwrap_or_default();
    assert!(failure.contains("cannot leave component instance"), "upstream 50.0.1: {failure}");
    assert!(upstream.results.is_empty());
}
