//! Pointers outside linear memory, and pointers into the adapter's own
//! memory. Native p1 traps on the former (the witx rules say "shall trap");
//! upstream's adapter traps on the former and corrupts itself on the latter.
//! Ours answers EFAULT for the former, having done nothing else (no byte
//! written, no data consumed; deliberate difference), and diagnoses the
//! latter.

use support::*;
use verify::Preparation;

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

/// A guest pointer into adapter memory. Prepared (through `adapt`), the
/// guest cannot make one: the top page of the memory it sees is its own, as
/// under native p1, and random bytes land there.
#[test]
fn a_prepared_guest_cannot_point_into_adapter_memory() {
    let comparison = compare(&Case::new("adapter_memory", wat_file("adapter_memory"), Invocation::new("adapter_memory")));
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "random_get into the top page: 00\nfd_write still works\n");
    note_upstream(&comparison);
}

/// Linked drop-in, the top page is the adapter's home block. Only a guest
/// heap that claimed adapter memory hands out such a pointer, so ours says
/// that, with the remedy, and ends with the diagnosed status rather than
/// answering EFAULT to a program whose heap is already broken.
#[test]
fn a_drop_in_pointer_into_adapter_memory_is_diagnosed() {
    let case = Case::new("adapter_memory drop-in", wat_file("adapter_memory"), Invocation::new("adapter_memory")).preparation(Preparation::Never);
    let comparison = compare(&case);
    let ours = comparison.ours();
    assert_eq!(ours.outcome.status, Status::Exited(DIAGNOSED_EXIT), "{}", comparison.render());
    assert_eq!(stdout(ours), "");
    let message = stderr(ours);
    assert!(
        message.starts_with("wasi-p1-adapter: fatal: in random_get: the guest passed a pointer into adapter memory (16 bytes at 0x"),
        "{message}"
    );
    assert!(message.contains("Remedy: build the component with this project's `adapt` command."), "{message}");
    note_upstream(&comparison);
}

/// Address 0 is linear memory like any other, but Rust can hold no slice
/// there, and the host takes paths and file data as slices. So a non-empty
/// path or positional file write from address 0 is EFAULT, a deliberate
/// difference: native p1 uses the bytes there, where no compiler puts a
/// string or a buffer. Linux, the second oracle, answers a null path or
/// buffer so. (Stdout and appends take data by address, as native p1 does.)
#[test]
fn a_path_or_file_data_at_address_0_is_efault() {
    for (call, native_says) in [("path_at_address_0", ""), ("write_from_address_0", "wrote 8, the file holds 8 bytes: ")] {
        let case = Case::new(call, guest("bad_pointers"), Invocation::new("bad_pointers").arg(call)).fixture(fixture("data"), "data");
        let comparison = compare(&case);
        assert!(!trapped(comparison.native()), "{call}: native p1 uses the bytes at 0: {}", comparison.render());
        assert!(stdout(comparison.native()).starts_with(native_says), "{call}: {}", comparison.render());
        assert_eq!(comparison.ours().outcome.status, Status::Exited(0), "{call}: {}", comparison.render());
        assert_eq!(stdout(comparison.ours()), format!("{call}: FAULT\n"), "{call}");
        note_upstream(&comparison);
    }

    unsafe extern "C" {
        fn mkdir(path: *const std::ffi::c_char, mode: u32) -> i32;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }
    let file = std::fs::File::create(std::env::temp_dir().join(format!("address-0-{}", std::process::id()))).expect("a scratch file");
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    // SAFETY: a null path and a null buffer, which the kernel checks and refuses.
    let answers = unsafe { [(mkdir(std::ptr::null(), 0o755) as isize, errno()), (write(fd, std::ptr::null(), 8), errno())] };
    assert_eq!(answers, [(-1, Some(14)), (-1, Some(14))], "Linux answers EFAULT to a null path and a null buffer");
}

fn errno() -> Option<i32> {
    std::io::Error::last_os_error().raw_os_error()
}
