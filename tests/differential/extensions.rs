//! Upstream's extension exports (adapter/src/exports/extensions.rs), imported from
//! `wasi_snapshot_preview1` by guests built for upstream's adapter.
//! Native p1 has none of them: a reserved descriptor is checked against
//! native p1's answers for a number never opened, and against upstream's
//! adapter, whose own documentation says it answers `EBADF` to every call.

use support::*;
use verify::{Flavour, Implementation};

fn run(implementation: Implementation, args: &[&str]) -> Run {
    let case = Case::new(format!("extensions {}", args.join(" ")), guest("extensions"), Invocation::new("extensions").args(args.iter().copied()))
        .fixture(fixture("basic"), "/sandbox");
    verify::differential::run_one(&case, implementation, Flavour::Command).unwrap_or_else(|error| panic!("{error:#}"))
}

/// Native p1 with numbers never opened: the guest still imports the
/// extensions (it does not call them), so they are linked as traps.
fn native_unopened(args: &[&str]) -> Run {
    let module = verify::hosts::in_process::module(&guest("extensions")).unwrap();
    let pre = verify::hosts::in_process::link_p1_extended(&module, |linker| {
        linker
            .func_wrap("wasi_snapshot_preview1", "adapter_open_badfd", |_: i32| -> wasmtime::Result<i32> { wasmtime::bail!("not in native p1") })?;
        linker
            .func_wrap("wasi_snapshot_preview1", "adapter_close_badfd", |_: i32| -> wasmtime::Result<i32> { wasmtime::bail!("not in native p1") })?;
        Ok(())
    })
    .unwrap();
    let sandbox = tempfile::tempdir().unwrap();
    verify::tree::copy(&fixture("basic"), sandbox.path()).unwrap();
    let invocation = Invocation::new("extensions").args(args.iter().copied()).preopen(sandbox.path(), "/sandbox");
    let outcome = verify::hosts::in_process::run_p1_linked(&pre, &invocation).unwrap();
    Run { subject: Implementation::Native, outcome, trees: Vec::new() }
}

/// The lines of the calls given the descriptor (not those of
/// `adapter_open_badfd` and what follows its release).
fn call_lines(run: &Run) -> Vec<String> {
    stdout(run)
        .lines()
        .filter(|line| !line.starts_with("adapter_") && !line.contains("after the release") && !line.contains("released number"))
        .map(String::from)
        .collect()
}

/// Every call given a reserved number answers what native p1 answers for a
/// number that was never opened (`EBADF`, and for poll_oneoff an event
/// that says so), sockets and renumbering included; `fd_close` does not
/// release it, `adapter_close_badfd` does, once, and the number is then
/// handed out again.
#[test]
fn a_reserved_descriptor_answers_as_one_never_opened() {
    let args = ["sockets", "renumber"];
    let native = native_unopened(&["badfd", "unopened", args[0], args[1]]);
    assert_eq!(native.outcome.status, Status::Exited(0), "{}", stderr(&native));
    let ours_unopened = run(Implementation::Ours, &["badfd", "unopened", args[0], args[1]]);
    assert_eq!(stdout(&ours_unopened), stdout(&native));
    let ours = run(Implementation::Ours, &["badfd", "reserved", args[0], args[1]]);
    assert_eq!(ours.outcome.status, Status::Exited(0), "{}", stderr(&ours));
    assert_eq!(call_lines(&ours), call_lines(&native));
    for line in call_lines(&ours).iter().filter(|line| !line.starts_with("poll_oneoff")) {
        assert!(line.ends_with(": 8"), "not EBADF: {line}");
    }
    assert_contains_all(
        &stdout(&ours),
        &[
            "adapter_open_badfd: 0, fd 4\nadapter_open_badfd: 0, fd 5\n",
            "adapter_close_badfd: 0\nadapter_close_badfd again: 8\nfd_close of a released number: 8\n",
            "path_open after the release: 0, fd 4\nadapter_close_badfd of the second: 0\n",
        ],
    );
}

/// Upstream's adapter, as wasi-libc used it: the same numbers and answers,
/// but where its code departs from its own documentation (it answers
/// `ESPIPE` and `EINVAL` for some calls, and a read or write of nothing
/// succeeds without looking at the descriptor), listed here so that a
/// change on either side shows.
#[test]
fn reserved_descriptors_as_upstream_reserves_them() {
    let upstream = run(Implementation::Upstream, &["badfd", "reserved"]);
    let ours = run(Implementation::Ours, &["badfd", "reserved"]);
    assert_eq!(ours.outcome.status, upstream.outcome.status, "{}", stderr(&upstream));
    // What upstream 50.0.1 answers instead of EBADF: ESPIPE (70) where it
    // looks for something to seek, EINVAL (28) where it looks for a file.
    let upstream_departures = [
        ("fd_advise", 70),
        ("fd_allocate", 28),
        ("fd_datasync", 28),
        ("fd_filestat_set_size", 28),
        ("fd_filestat_set_times", 28),
        ("fd_pread", 28),
        ("fd_pwrite", 70),
        ("fd_seek", 70),
        ("fd_sync", 28),
        ("fd_tell", 70),
    ];
    let ours_lines: Vec<String> = stdout(&ours).lines().map(String::from).collect();
    let upstream_lines: Vec<String> = stdout(&upstream).lines().map(String::from).collect();
    assert_eq!(ours_lines.len(), upstream_lines.len(), "{}\n---\n{}", stdout(&ours), stdout(&upstream));
    let mut departures = Vec::new();
    for (ours, upstream) in ours_lines.iter().zip(&upstream_lines) {
        if ours != upstream {
            departures.push((ours.clone(), upstream.clone()));
        }
    }
    let expected: Vec<(String, String)> =
        upstream_departures.iter().map(|(call, errno)| (format!("{call}: 8"), format!("{call}: {errno}"))).collect();
    assert_eq!(departures, expected);
}
