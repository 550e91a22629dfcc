//! The host matrix: programs of each class linked the way users link them
//! (the real wasm-tools CLI with upstream's adapter and with ours, and our
//! `adapt`) and run on the real wasmtime CLI and on jco (Node, preview2-shim),
//! against native p1 as the wasmtime CLI runs the core module.
//!
//! On the wasmtime CLI ours must equal native p1 in everything. On jco, the
//! host itself differs from native p1 in places (it reports stdio as a
//! character device, stores times in milliseconds, opens an empty path as
//! the directory, ...): ours must end as native p1 does (status, stderr, the
//! files left behind, never a trap), and every output line where it differs
//! must be the line upstream's adapter prints on jco too, which shows the
//! difference is the host's and not an adapter's. Upstream's own runs are
//! printed, not judged.

use support::*;
use verify::hosts::matrix::{self, Linking, Row};
use verify::tools::Host;

const OURS: [Linking; 2] = [Linking::Ours, Linking::OursAdapt];

fn check(case: Case) -> Row {
    let row = matrix::run_case(&case, &[Linking::Upstream, Linking::Ours, Linking::OursAdapt], &[Host::Wasmtime, Host::Jco])
        .unwrap_or_else(|error| panic!("{error:#}"));
    eprintln!("{}", row.render());
    for linking in OURS {
        let on_wasmtime = row.get(Host::Wasmtime, linking);
        assert!(on_wasmtime.differences(&row.native).is_empty(), "{} on the wasmtime CLI:\n{}", linking.label(), row.render());
        check_on_jco(&row, linking);
    }
    row
}

fn check_on_jco(row: &Row, linking: Linking) {
    let ours = row.get(Host::Jco, linking);
    let context = || format!("{} on jco:\n{}", linking.label(), row.render());
    assert!(!ours.cli.trapped(), "{}", context());
    assert_eq!(ours.cli.status, row.native.cli.status, "{}", context());
    assert_eq!(ours.cli.stderr, row.native.cli.stderr, "{}", context());
    assert!(ours.trees == row.native.trees, "{}", context());
    let native: Vec<&str> = row.native.cli.stdout.lines().collect();
    let lines: Vec<&str> = ours.cli.stdout.lines().collect();
    let upstream: Vec<&str> = row.get(Host::Jco, Linking::Upstream).cli.stdout.lines().collect();
    assert_eq!(lines.len(), native.len(), "as many lines as native p1: {}", context());
    for (index, (line, native_line)) in lines.iter().zip(&native).enumerate() {
        if line == native_line {
            continue;
        }
        let Some((_, _, why)) = JCO_DIFFERENCES.iter().find(|(n, j, _)| n == native_line && j == line) else {
            panic!("line {}: native p1 {native_line:?}, ours on jco {line:?}: not a known difference of jco's\n{}", index + 1, context());
        };
        // Where upstream's run got this far, it must show the same line:
        // the difference is the host's, not an adapter's.
        if let Some(upstream_line) = upstream.get(index) {
            assert_eq!(upstream_line, line, "line {}: upstream on jco does not show jco's {why:?}", index + 1);
        }
    }
}

/// What jco's preview2-shim 0.26.1 itself answers differently from native p1
/// (wasmtime), as (native p1's line, the line on jco, why). A guest sees
/// these through any adapter; the check above confirms each with upstream's
/// adapter wherever its run reaches the line.
const JCO_DIFFERENCES: &[(&str, &str, &str)] = &[
    ("  atim=1000000000 mtim=2000000000", "  atim=1000000000000 mtim=2000000000000", "times set through the shim read back 1,000 times larger"),
    (
        "fd_filestat_get: SUCCESS type=0 nlink=0 size=0",
        "fd_filestat_get: SUCCESS type=2 nlink=0 size=0",
        "stdio is a character device on jco, of unknown type in wasmtime",
    ),
    (
        "  filetype=0 padding=[238] flags=0 rights_base=0x2 rights_inheriting=0x2",
        "  filetype=2 padding=[238] flags=0 rights_base=0x2 rights_inheriting=0x2",
        "the same, through fd_fdstat_get",
    ),
    (
        "  filetype=0 padding=[238] flags=0 rights_base=0x40 rights_inheriting=0x40",
        "  filetype=2 padding=[238] flags=0 rights_base=0x40 rights_inheriting=0x40",
        "the same, through fd_fdstat_get",
    ),
    (
        "fd_filestat_get: SUCCESS type=3 nlink=3 size=4096",
        "fd_filestat_get: INVAL type=0 nlink=0 size=0",
        "stat of a directory descriptor opened with path_open fails on jco",
    ),
    ("path_open empty path: NOENT", "path_open empty path: SUCCESS (filetype 3)", "jco opens an empty path as the directory itself"),
    ("path_remove_directory \".\": INVAL", "path_remove_directory \".\": NOTEMPTY", "jco passes \".\" to rmdir"),
    ("path_filestat_set_times(missing): NOENT", "path_filestat_set_times(missing): INVAL", "jco's set-times-at on a missing path"),
    (
        "the preopen itself (buffer 128): SUCCESS in 2 calls, cookies [1, 2, 3, 4, 5]",
        "the preopen itself (buffer 128): BADF in 1 calls, cookies []",
        "jco cannot list a preopened directory through its own descriptor",
    ),
    ("  ..:3 .:3 basic:3 data:3 tree:3", "  ", "(that listing's entries)"),
];

#[test]
fn rust_hello_args_env_and_exit_codes() {
    check(Case::new("hello_std", guest("hello_std"), Invocation::new("hello_std").args(["first", "second"]).env("GREETING", "hi")));
    let row = check(Case::new("process exit 3", guest("process"), Invocation::new("process").args(["exit", "3"])));
    assert_eq!(row.native.cli.status, Some(3));
}

/// 5,900 lines through stdout, stdin read to its end, stdio fdstat and flags.
#[test]
fn rust_stdio() {
    check(Case::new("stdio", guest("stdio"), Invocation::new("stdio").stdin("line one\nline two\n")));
}

/// Includes writing to a file opened read-only and reading one opened
/// write-only, also at an offset: EBADF, as native p1 answers. (jco's
/// preview2-shim throws a JavaScript EBADF from `descriptor.read`/`write`,
/// which traps a guest whose adapter asks the host; upstream's adapter traps
/// there on fd_pwrite and fd_pread.)
#[test]
fn rust_files_paths_and_readdir() {
    let row = check(Case::new("files", guest("files"), Invocation::new("files")).fixture(fixture("basic"), "/sandbox"));
    let out = &row.get(Host::Jco, Linking::Ours).cli.stdout;
    assert_contains_all(
        out,
        &[
            "write to a read-only file: BADF",
            "at an offset, fd_pwrite(0): BADF",
            "read from a write-only file: BADF",
            "at an offset, fd_pread(0, 10): BADF",
        ],
    );
    check(Case::new("paths", guest("paths"), Invocation::new("paths")).fixture(fixture("basic"), "/sandbox"));
    check(Case::new("readdir", guest("readdir"), Invocation::new("readdir")).fixture(tests_dir().join("fixtures"), "/sandbox"));
}

#[test]
fn rust_tools_find_and_copy() {
    check(Case::new("tools find", guest("tools"), Invocation::new("tools").args(["find", "/work"])).fixture(tests_dir().join("fixtures"), "/work"));
    check(
        Case::new("tools cp", guest("tools"), Invocation::new("tools").args(["cp", "/work/tree", "/work/copy"]))
            .fixture(tests_dir().join("fixtures"), "/work"),
    );
}

/// C and C++ on wasi-libc before 2023 (Debian's clang 14): upstream traps on
/// each, on both hosts.
#[test]
fn c_and_cpp_on_an_old_wasi_libc() {
    check(Case::new("c files", c_guest("files"), Invocation::new("files").arg("/sandbox")).fixture(fixture("basic"), "/sandbox"));
    let row = check(
        Case::new("c++ containers", c_guest("containers"), Invocation::new("containers").args(["/out", "second"]).env("GREETING", "hi"))
            .fixture(fixture("basic"), "/out"),
    );
    assert_eq!(row.native.cli.status, Some(7));
    check(Case::new("c alloc_heavy", c_guest("alloc_heavy"), Invocation::new("alloc_heavy")));
}

#[test]
fn go_programs() {
    check(Case::new("go hello", go_guest("hello", false), Invocation::new("hello")));
    check(Case::new("go files", go_guest("files", false), Invocation::new("files").arg("/data")).fixture(tests_dir().join("fixtures/data"), "/data"));
    let row = check(Case::new(
        "go exit 3",
        go_guest("args_env", false),
        Invocation::new("args_env").args(["one", "two words"]).env("GREETING", "hi").env("EXIT_CODE", "3"),
    ));
    assert_eq!(row.native.cli.status, Some(3));
}
