//! fd_prestat_get and fd_prestat_dir_name, with preopened directories.

use support::*;

#[test]
fn preopens_match_native() {
    let case =
        Case::new("prestat", guest("prestat"), Invocation::new("prestat")).fixture(fixture("basic"), "/sandbox").fixture(fixture("data"), "data");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(
        &out,
        &[
            "fd_prestat_get(3): SUCCESS\n  tag=0 padding=[238, 238, 238] name_len=8",
            r#"fd_prestat_dir_name(3, 8): SUCCESS buffer="/sandbox....""#,
            r#"fd_prestat_dir_name(3, 7): NAMETOOLONG buffer="...........""#,
            r#"fd_prestat_dir_name(4, 8): SUCCESS buffer="data........""#,
            "fd_prestat_get(0): BADF",
            // Native p1 says ENOTDIR for a descriptor that is not a preopen.
            r#"fd_prestat_dir_name(1, 8): NOTDIR buffer="........""#,
            r#"fd_prestat_dir_name(99, 8): BADF"#,
            "fd_prestat_get(3) after close: BADF",
            "fd_prestat_get(4) still: SUCCESS",
        ],
    );
    assert!(out.contains("fdstat filetype=3 rights_base=0x"), "{out}");
    note_upstream(&comparison);
}

#[test]
fn no_preopens() {
    let comparison = compare_guest("prestat", &[], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains("fd_prestat_get(3): BADF"));
}

/// Many preopens, beyond the 128-entry table upstream has (which traps when
/// it fills during setup).
#[test]
fn two_hundred_preopens() {
    let mut case = Case::new("prestat", guest("prestat"), Invocation::new("prestat"));
    for i in 0..200 {
        case = case.fixture(fixture("data"), format!("dir{i:03}"));
    }
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains(r#"fd_prestat_dir_name(5, 6): SUCCESS buffer="dir002....""#));
    note_upstream(&comparison);
}
