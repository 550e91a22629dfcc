//! The preparation pass on ordinary (wasi-libc) guests: with `--prepare
//! always`, their allocator's memory.grow goes through the adapter too, and
//! the differential guests still behave exactly as under native p1.

use support::*;
use verify::Preparation;

fn prepared(case: Case) -> Comparison {
    compare(&case.preparation(Preparation::Always))
}

#[test]
fn args_and_environment_prepared() {
    let args: Vec<String> = (0..20_000).map(|i| format!("argument-{i}")).collect();
    let case = Case::new("big_args", guest("big_args"), Invocation::new("big_args").args(args).env("A", "1"));
    assert_identical_to_native(&prepared(case));
}

#[test]
fn files_and_paths_prepared() {
    for name in ["files", "paths", "fd_table"] {
        let case = Case::new(name, guest(name), Invocation::new(name)).fixture(fixture("basic"), "/sandbox").fixture(fixture("data"), "data");
        assert_identical_to_native(&prepared(case));
    }
}

#[test]
fn readdir_and_poll_prepared() {
    let case = Case::new("readdir", guest("readdir"), Invocation::new("readdir")).fixture(tests_dir().join("fixtures"), "/sandbox");
    assert_identical_to_native(&prepared(case));
    let case = Case::new("poll", guest("poll"), Invocation::new("poll").stdin("input\n")).fixture(fixture("basic"), "/sandbox");
    assert_identical_to_native(&prepared(case));
}

#[test]
fn std_program_prepared() {
    let case = Case::new("tools", guest("tools"), Invocation::new("tools").args(["cp", "/work/tree", "/work/copy"]))
        .fixture(tests_dir().join("fixtures"), "/work");
    assert_identical_to_native(&prepared(case));
}
