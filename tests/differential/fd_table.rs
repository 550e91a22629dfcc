//! The descriptor table: numbering after closes, 300 open files (upstream's
//! table holds 128), fd_renumber (a renumbered preopen keeps its name), and
//! socket calls on descriptors that are not sockets.

use support::*;

#[test]
fn fd_table_matches_native() {
    let case =
        Case::new("fd_table", guest("fd_table"), Invocation::new("fd_table")).fixture(fixture("basic"), "/sandbox").fixture(fixture("data"), "data");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(
        &out,
        &[
            "opened [5, 6, 7, 8, 9]",
            "then opened [8, 6, 10]",
            "300 open: first 10 last 304",
            "preopens: 3=data 4=BADF",
            "open lines.txt under the renumbered preopen: SUCCESS",
            "sock_accept(3): NOTSOCK",
            "sock_send(99): BADF",
        ],
    );
    note_upstream(&comparison);
}
