//! Hostile calls: flag bits and enum values p1 does not define, pointers
//! past the end of memory, rights p1 does not define. Native p1 traps on most of them (the values never
//! reach its implementation); ours answers EINVAL or EFAULT having done
//! nothing. Deliberate difference (docs/differences.md).

use support::*;

#[test]
fn undefined_values_and_bad_pointers_are_errnos() {
    for (call, errno) in [
        // Rights bits p1 does not define are ignored (rights only pick read
        // and write access), so this open succeeds.
        ("path_open rights", "SUCCESS"),
        ("path_open oflags", "INVAL"),
        ("path_open fdflags", "INVAL"),
        ("path_open lookupflags", "INVAL"),
        ("path_filestat_get lookupflags", "INVAL"),
        ("fd_seek whence", "INVAL"),
        ("fd_advise advice", "INVAL"),
        ("fd_filestat_set_times fstflags", "INVAL"),
        ("path_filestat_set_times fstflags", "INVAL"),
        ("poll_oneoff tag", "INVAL"),
        ("poll_oneoff clock id", "INVAL"),
        ("poll_oneoff clock flags", "INVAL"),
        ("sock_recv riflags", "INVAL"),
        ("sock_shutdown sdflags", "INVAL"),
        ("path_open path pointer", "FAULT"),
        ("path_open fd pointer", "FAULT"),
        ("fd_readdir buffer", "FAULT"),
        ("fd_filestat_get buffer", "FAULT"),
        ("path_readlink buffer", "FAULT"),
        ("fd_seek result", "FAULT"),
        ("fd_pwrite data", "FAULT"),
        ("poll_oneoff subscriptions", "FAULT"),
        ("poll_oneoff events", "FAULT"),
    ] {
        let case = Case::new(call, guest("hostile"), Invocation::new("hostile").arg(call)).fixture(fixture("basic"), "/sandbox");
        let comparison = compare(&case);
        let expected = format!("{call}: {errno}\n");
        assert_eq!(stdout(comparison.ours()), expected, "{}", comparison.render());
        assert_eq!(comparison.ours().outcome.status, Status::Exited(0));
        // Where native p1 does not trap, it agrees.
        assert!(trapped(comparison.native()) || stdout(comparison.native()) == expected, "{}", comparison.render());
        // Nothing was written (the readlink case makes its link first).
        let mut expected_tree = verify::tree::Tree::snapshot(&fixture("basic")).unwrap();
        if call == "path_readlink buffer" {
            expected_tree.entries.insert("link".into(), verify::tree::Node::Symlink("greeting.txt".into()));
        }
        assert_eq!(comparison.ours().trees, vec![expected_tree], "{call}");
        note_upstream(&comparison);
    }
}
