//! Pointers outside linear memory, and pointers into the adapter's own
//! memory. Native p1 traps on the former (the witx rules say "shall trap");
//! upstream's adapter traps on the former and corrupts itself on the latter.
//! Ours answers EFAULT for both and has done nothing else: no byte written,
//! no data consumed. Deliberate difference.

use support::*;

#[test]
fn out_of_bounds_pointers_are_efault() {
    for call in [
        "clock_time_get",
        "clock_res_get",
        "random_get",
        "args_sizes_get",
        "args_get",
        "environ_get",
        "fd_write_iovs",
        "fd_write_data",
        "fd_write_nwritten",
        "fd_read_buffer",
        "fd_fdstat_get",
        "fd_prestat_get",
        "fd_prestat_dir_name",
    ] {
        let case = Case::new(call, guest("bad_pointers"), Invocation::new("bad_pointers").arg(call).env("SOME", "thing").stdin("unread input"))
            .fixture(fixture("data"), "data");
        let comparison = compare(&case);
        assert!(trapped(comparison.native()), "{call}: {}", comparison.render());
        assert_eq!(comparison.ours().outcome.status, Status::Exited(0), "{call}: {}", comparison.render());
        // The only output is the report line: fd_write_nwritten wrote nothing.
        assert_eq!(stdout(comparison.ours()), format!("{call}: FAULT\n"), "{call}");
        note_upstream(&comparison);
    }
}

/// The guest finds the page the adapter took (the one above memory at its
/// first p1 call) and points random_get at it. Under native p1 there is no
/// adapter and the address is out of bounds (a trap).
#[test]
fn pointers_into_adapter_memory_are_efault() {
    let comparison = compare(&Case::new("adapter_memory", wat_file("adapter_memory"), Invocation::new("adapter_memory")));
    assert_eq!(stdout(comparison.ours()), "random_get into adapter memory: 21\nfd_write still works\n", "{}", comparison.render());
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0));
    assert!(trapped(comparison.native()));
    note_upstream(&comparison);
}
