//! The path_* calls: opens with every flag, directories, hard and symbolic
//! links (loops, dangling, absolute targets), renames, unlinks, times, long
//! names and a 4 KiB path, and each call on descriptors that are not
//! directories. The tree left behind is compared too.

use support::*;

#[test]
fn path_calls_match_native() {
    let case = Case::new("paths", guest("paths"), Invocation::new("paths")).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    for line in [
        "path_open escaping with ..: PERM",
        "path_open invalid UTF-8: ILSEQ",
        "path_open under a file: NOTDIR",
        "path_remove_directory \"made\": NOTEMPTY",
        "path_filestat_get \"greeting.txt\" (follow=0): SUCCESS type=4 nlink=2 size=23",
        "path_filestat_get \"loop-a\" (follow=1): LOOP",
        r#"path_readlink "symlink" into 5: SUCCESS used=5 "greet..........."#,
        "path_rename \"dir-b\" -> \"dir-b/inside\": INVAL",
        "path_open 256-byte name, create: NAMETOOLONG",
        "nested path length: 4015\npath_open 4 KiB path, create: SUCCESS (filetype 4)",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    let tree = &comparison.ours().trees[0];
    assert!(tree.entries.contains_key("sub/moved.txt") && tree.entries.contains_key("symlink"), "{:?}", tree.entries.keys());
    assert!(!tree.entries.contains_key("made") && !tree.entries.contains_key("hardlink.txt"));
    note_upstream(&comparison);
}
