//! fd_readdir: cookies, "." and "..", buffers down to one byte (entries cut
//! across calls), restarts, and large directories.

use support::*;

#[test]
fn readdir_matches_native() {
    let case = Case::new("readdir", guest("readdir"), Invocation::new("readdir")).fixture(tests_dir().join("fixtures"), "/sandbox");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_eq!(out.matches("cookies [1, 2, 3, 4, 5, 6]\n  ..:3 .:3 a.txt:4 b.txt:4 inner:3 link-to-a:7").count(), 9, "{out}");
    assert!(out.contains("tree (buffer 1): SUCCESS in 10 calls"), "{out}");
    assert!(out.contains("late-arrival:4"), "{out}");
    note_upstream(&comparison);
}

/// Native p1 re-reads the whole directory (and looks up every entry) on each
/// call, so 2,000 entries is as far as a differential run goes in good time.
#[test]
fn two_thousand_entries_match_native() {
    let comparison = compare(&big_case(2000, &[4096, 700]));
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains("entries=2002"));
    note_upstream(&comparison);
}

/// 10,000 entries: ours and upstream (native p1 takes minutes here), checked
/// against the names the guest created, as computed by this test.
#[test]
fn ten_thousand_entries() {
    let case = big_case(10_000, &[4096, 300]);
    let ours = verify::differential::run_one(&case, Implementation::Ours, verify::Flavour::Command).unwrap();
    let upstream = verify::differential::run_one(&case, Implementation::Upstream, verify::Flavour::Command).unwrap();
    let expected = expected_digest(10_000);
    let out = stdout(&ours);
    for buffer in [4096, 300] {
        let line =
            out.lines().find(|line| line.starts_with(&format!("big (buffer {buffer}): SUCCESS entries=10002 "))).unwrap_or_else(|| panic!("{out}"));
        assert!(
            line.contains("cookies in order=true") && line.contains(&format!("names digest={expected:016x}")) && line.ends_with("longest=255"),
            "{line}"
        );
    }
    assert_eq!(ours.outcome.status, Status::Exited(0));
    println!("upstream: {}, {}", upstream.outcome.status, if stdout(&upstream) == out { "same output" } else { "different output" });
}

fn big_case(count: usize, buffers: &[usize]) -> Case {
    let scratch = std::env::temp_dir().join(format!("readdir-empty-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut invocation = Invocation::new("readdir").args(["big".to_string(), count.to_string()]);
    invocation = invocation.args(buffers.iter().map(|b| b.to_string()));
    Case::new(format!("readdir big {count}"), guest("readdir"), invocation).fixture(scratch, "/sandbox")
}

/// The digest the guest prints: every name it creates, with "." and "..",
/// sorted and joined by '/'.
fn expected_digest(count: usize) -> u64 {
    let mut names: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            let mut name = format!("{i:05}-").into_bytes();
            name.resize(6 + i % 250, b'x');
            name
        })
        .collect();
    names.push(b".".to_vec());
    names.push(b"..".to_vec());
    names.sort();
    verify::tree::digest(&names.join(&b'/'))
}
