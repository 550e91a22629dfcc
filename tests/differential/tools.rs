//! A realistic program: find, cp -r and grep written with std::fs.

use support::*;

fn run(args: &[&str]) -> Comparison {
    let case = Case::new(format!("tools {}", args.join(" ")), guest("tools"), Invocation::new("tools").args(args.iter().copied()))
        .fixture(tests_dir().join("fixtures"), "/work");
    compare(&case)
}

#[test]
fn find_matches_native() {
    let comparison = run(&["find", "/work"]);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert!(out.contains("f     23 /work/basic/greeting.txt\n") && out.contains("l      0 /work/tree/link-to-a -> a.txt\n"), "{out}");
    note_upstream(&comparison);
}

#[test]
fn copy_tree_matches_native() {
    let comparison = run(&["cp", "/work/tree", "/work/copy"]);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "copied 5 entries\n");
    let tree = &comparison.ours().trees[0].entries;
    for (path, node) in tree.iter().filter(|(path, _)| path.starts_with("tree/")) {
        let copied = format!("copy/{}", &path["tree/".len()..]);
        assert_eq!(tree.get(&copied), Some(node), "{copied}");
    }
    note_upstream(&comparison);
}

#[test]
fn grep_matches_native() {
    let comparison = run(&["grep", "e", "/work"]);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert!(out.contains("/work/data/lines.txt:3: three\n") && out.ends_with("matching lines\n"), "{out}");
    note_upstream(&comparison);
}
