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
    assert_contains_all(
        &out,
        &[
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
        ],
    );
    let tree = &comparison.ours().trees[0];
    assert!(tree.entries.contains_key("sub/moved.txt") && tree.entries.contains_key("symlink"), "{:?}", tree.entries.keys());
    assert!(!tree.entries.contains_key("made") && !tree.entries.contains_key("hardlink.txt"));
    note_upstream(&comparison);
}

/// Renaming and linking between preopens on different filesystems.
/// wasmtime-wasi turns the host's EXDEV into an I/O error, so native p1 says
/// EIO, and so do we (the mapping table would give EXDEV for the WASI 0.2
/// `cross-device` code, which this host never sends). Needs a second
/// filesystem (/dev/shm here); without one the test says so and checks
/// nothing.
#[test]
fn cross_device_rename_and_link_are_eio_as_natively() {
    use std::os::unix::fs::MetadataExt;
    let other = std::path::Path::new("/dev/shm");
    let tmp = std::env::temp_dir();
    let devices = (std::fs::metadata(other).map(|m| m.dev()), std::fs::metadata(&tmp).map(|m| m.dev()));
    let (Ok(other_dev), Ok(tmp_dev)) = devices else {
        println!("SKIPPED: no /dev/shm to rename across");
        return;
    };
    if other_dev == tmp_dev {
        println!("SKIPPED: /dev/shm and {} are the same filesystem", tmp.display());
        return;
    }
    let target = tempfile_in(other);
    let case = Case::new("paths cross-device", guest("paths"), Invocation::new("paths").arg("cross-device").preopen(&target, "/other"))
        .fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    // The invocation's own preopen comes first: fd 3 is /other, fd 4 the fixture.
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "path_rename across filesystems: IO\npath_link across filesystems: IO\n");
    std::fs::remove_dir_all(&target).ok();
}

fn tempfile_in(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join(format!("wasip1-adapter-xdev-{}", std::process::id()));
    std::fs::create_dir_all(&path).unwrap();
    path
}
