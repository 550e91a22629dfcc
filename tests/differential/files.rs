//! Calls on open files: read, write, seek, tell, pread, pwrite, append,
//! sizes, sync, advice, flags, rights, filestat and times, and the same
//! calls on stdio and directories.

use support::*;

#[test]
fn file_calls_match_native() {
    let case = Case::new("files", guest("files"), Invocation::new("files")).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert_contains_all(
        &out,
        &[
            r#"read 5: SUCCESS "hello""#,
            "fd_seek(-100, whence 1): INVAL",
            "write to a read-only file: BADF",
            "at an offset, fd_pwrite(0): BADF written=0",
            "read from a write-only file: BADF 0 bytes\nat an offset, fd_pread(0, 10): BADF \"\"",
            r#"contents: "012AB56789\0\0\0\0\0\0\0\0\0\0end""#,
            "fd_filestat_get: SUCCESS type=4 nlink=1 size=4",
            "  atim=1000000000 mtim=2000000000",
            "fd_fdstat_get: SUCCESS filetype=4 flags=0x1 rights=0x3fffffff/0x3fffffff",
            r#"contents: "012A+appended!""#,
            "append write: SUCCESS written=200000",
            "fd_allocate: NOTSUP",
            "fd_seek(0, whence 0): SPIPE",
        ],
    );
    note_upstream(&comparison);
}
