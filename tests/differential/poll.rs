//! poll_oneoff: clocks relative and absolute on both clocks, stdio and file
//! readiness, several subscriptions at once, and the error cases.

use support::*;

#[test]
fn poll_matches_native() {
    let case = Case::new("poll", guest("poll"), Invocation::new("poll").stdin("some input\n")).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert!(!out.contains("waited>=20ms: false"), "{out}");
    assert_contains_all(
        &out,
        &[
            "two clocks, the shorter wins: SUCCESS nevents=1 waited>=10ms: true\n  event userdata=8 error=0 type=0 nbytes=0",
            "stdin readable and stdout writable: SUCCESS nevents=2",
            "file readable: SUCCESS nevents=1 waited>=0ms: true\n  event userdata=13 error=0 type=1 nbytes=1 flags=0",
            "file writable: SUCCESS nevents=1 waited>=0ms: true\n  event userdata=14 error=0 type=2 nbytes=1 flags=0",
            "file readable at its end: SUCCESS nevents=1 waited>=0ms: true\n  event userdata=15 error=0 type=1 nbytes=1 flags=1",
            "no subscriptions: INVAL",
            "a closed fd: BADF",
        ],
    );
    note_upstream(&comparison);
}
