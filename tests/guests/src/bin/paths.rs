//! The path_* calls, with success and error cases, on a preopened copy of
//! tests/fixtures/basic (fd 3: greeting.txt, sub/nested.txt). Every change
//! they make shows in the directory tree compared afterwards.
//!
//! With the option `cross-device`, fd 3 is a directory on another
//! filesystem and fd 4 the fixture; it only tries to rename and link from the
//! fixture to the other one.

use p1::open::*;
use p1::raw;
use p1::{errno_name, path_open, report, stable_filestat};

fn main() {
    if p1::options().first().map(String::as_str) == Some("cross-device") {
        return cross_device();
    }
    opens();
    directories();
    links();
    renames_and_unlinks();
    times();
    long_names();
    on_non_directories();
}

fn open(label: &str, path: &[u8], lookup: u32, oflags: u32, rights: u64) {
    let (errno, fd) = path_open(3, lookup, path, oflags, rights, 0);
    let kind = if errno == 0 { filetype(fd) } else { String::new() };
    println!("path_open {label}: {}{kind}", errno_name(errno));
    if errno == 0 {
        unsafe { raw::fd_close(fd) };
    }
}

fn filetype(fd: u32) -> String {
    let mut stat = [0u8; 24];
    unsafe { raw::fd_fdstat_get(fd, stat.as_mut_ptr()) };
    format!(" (filetype {})", stat[0])
}

fn opens() {
    open("existing file", b"greeting.txt", 0, 0, READ);
    open("directory", b"sub", 0, 0, READ);
    open("directory with O_DIRECTORY", b"sub", 0, DIRECTORY, READ);
    open("file with O_DIRECTORY", b"greeting.txt", 0, DIRECTORY, READ);
    open("missing", b"missing.txt", 0, 0, READ);
    open("missing, create", b"created.txt", 0, CREAT, READ_WRITE);
    open("existing, create exclusive", b"greeting.txt", 0, CREAT | EXCL, READ_WRITE);
    open("nested", b"sub/nested.txt", 0, 0, READ);
    open("through ..", b"sub/../greeting.txt", 0, 0, READ);
    open("escaping with ..", b"../outside", 0, 0, READ);
    open("absolute", b"/etc/passwd", 0, 0, READ);
    open("doubled slashes", b"sub//nested.txt", 0, 0, READ);
    open("trailing slash on a file", b"greeting.txt/", 0, 0, READ);
    open("trailing slash on a directory", b"sub/", 0, 0, READ);
    open("empty path", b"", 0, 0, READ);
    open("dot", b".", 0, 0, READ);
    open("file as a directory", b"greeting.txt/x", 0, 0, READ);
    open("invalid UTF-8", b"bad\xff.txt", 0, 0, READ);
    open("truncate a directory", b"sub", 0, TRUNC, READ_WRITE);
    let (errno, fd) = path_open(0, 0, b"greeting.txt", 0, READ, 0);
    println!("path_open under stdin: {} fd={fd}", errno_name(errno));
    let (_, file) = path_open(3, 0, b"greeting.txt", 0, READ, 0);
    let (errno, fd) = path_open(file, 0, b"x", 0, READ, 0);
    println!("path_open under a file: {} fd={fd}", errno_name(errno));
    unsafe { raw::fd_close(file) };
    let (errno, fd) = path_open(99, 0, b"x", 0, READ, 0);
    println!("path_open under fd 99: {} fd={fd}", errno_name(errno));
}

fn mkdir(path: &[u8]) {
    report(&format!("path_create_directory {:?}", String::from_utf8_lossy(path)), unsafe {
        raw::path_create_directory(3, path.as_ptr(), path.len() as u32)
    });
}

fn rmdir(path: &[u8]) {
    report(&format!("path_remove_directory {:?}", String::from_utf8_lossy(path)), unsafe {
        raw::path_remove_directory(3, path.as_ptr(), path.len() as u32)
    });
}

fn unlink(path: &[u8]) {
    report(&format!("path_unlink_file {:?}", String::from_utf8_lossy(path)), unsafe { raw::path_unlink_file(3, path.as_ptr(), path.len() as u32) });
}

fn stat(path: &[u8], lookup: u32) {
    let mut stat = [0u8; 64];
    let errno = unsafe { raw::path_filestat_get(3, lookup, path.as_ptr(), path.len() as u32, stat.as_mut_ptr()) };
    println!(
        "path_filestat_get {:?} (follow={lookup}): {} {}",
        String::from_utf8_lossy(path),
        errno_name(errno),
        if errno == 0 { stable_filestat(&stat) } else { String::new() }
    );
}

fn directories() {
    mkdir(b"made");
    mkdir(b"made");
    mkdir(b"made/inner");
    mkdir(b"missing/inner");
    mkdir(b"greeting.txt");
    stat(b"made", 0);
    rmdir(b"made");
    rmdir(b"made/inner");
    rmdir(b"made");
    rmdir(b"made");
    rmdir(b"greeting.txt");
    rmdir(b".");
}

fn links() {
    let (old, new) = (b"greeting.txt", b"hardlink.txt");
    report("path_link", unsafe { raw::path_link(3, 0, old.as_ptr(), old.len() as u32, 3, new.as_ptr(), new.len() as u32) });
    report("path_link onto an existing name", unsafe { raw::path_link(3, 0, old.as_ptr(), old.len() as u32, 3, new.as_ptr(), new.len() as u32) });
    stat(b"greeting.txt", 0);
    let (target, link) = (b"greeting.txt", b"symlink");
    report("path_symlink", unsafe { raw::path_symlink(target.as_ptr(), target.len() as u32, 3, link.as_ptr(), link.len() as u32) });
    let (target, link) = (b"nowhere", b"dangling");
    report("path_symlink (dangling)", unsafe { raw::path_symlink(target.as_ptr(), target.len() as u32, 3, link.as_ptr(), link.len() as u32) });
    let (target, link) = (b"/etc/passwd", b"absolute");
    report("path_symlink (absolute target)", unsafe { raw::path_symlink(target.as_ptr(), target.len() as u32, 3, link.as_ptr(), link.len() as u32) });
    let (target, link) = (b"loop-b", b"loop-a");
    report("path_symlink loop-a", unsafe { raw::path_symlink(target.as_ptr(), target.len() as u32, 3, link.as_ptr(), link.len() as u32) });
    let (target, link) = (b"loop-a", b"loop-b");
    report("path_symlink loop-b", unsafe { raw::path_symlink(target.as_ptr(), target.len() as u32, 3, link.as_ptr(), link.len() as u32) });
    stat(b"symlink", 0);
    stat(b"symlink", FOLLOW);
    stat(b"dangling", 0);
    stat(b"dangling", FOLLOW);
    stat(b"loop-a", FOLLOW);
    for (link, len) in [(&b"symlink"[..], 64u32), (b"symlink", 5), (b"symlink", 0), (b"greeting.txt", 64), (b"missing", 64)] {
        let mut buf = [b'.'; 64];
        let mut used = 99u32;
        let errno = unsafe { raw::path_readlink(3, link.as_ptr(), link.len() as u32, buf.as_mut_ptr(), len, &mut used) };
        println!(
            "path_readlink {:?} into {len}: {} used={used} {:?}",
            String::from_utf8_lossy(link),
            errno_name(errno),
            String::from_utf8_lossy(&buf[..16])
        );
    }
    open("through a symlink, following", b"symlink", FOLLOW, 0, READ);
    open("through a symlink, not following", b"symlink", 0, 0, READ);
    open("a symlink loop", b"loop-a", FOLLOW, 0, READ);
    open("through an absolute symlink", b"absolute", FOLLOW, 0, READ);
    unlink(b"loop-a");
    unlink(b"loop-b");
    unlink(b"absolute");
}

fn rename(old: &[u8], new: &[u8]) {
    report(&format!("path_rename {:?} -> {:?}", String::from_utf8_lossy(old), String::from_utf8_lossy(new)), unsafe {
        raw::path_rename(3, old.as_ptr(), old.len() as u32, 3, new.as_ptr(), new.len() as u32)
    });
}

fn renames_and_unlinks() {
    rename(b"created.txt", b"renamed.txt");
    rename(b"created.txt", b"renamed.txt");
    rename(b"renamed.txt", b"sub/moved.txt");
    mkdir(b"dir-a");
    rename(b"dir-a", b"dir-b");
    rename(b"dir-b", b"dir-b/inside");
    rename(b"dir-b", b"greeting.txt");
    rename(b"hardlink.txt", b"sub");
    unlink(b"hardlink.txt");
    unlink(b"hardlink.txt");
    unlink(b"sub");
    unlink(b"dangling");
    unlink(b"dir-b");
    stat(b"sub/moved.txt", 0);
}

fn times() {
    let path = b"greeting.txt";
    report("path_filestat_set_times(atim=3s, mtim=4s)", unsafe {
        raw::path_filestat_set_times(3, 0, path.as_ptr(), path.len() as u32, 3_000_000_000, 4_000_000_000, 1 | 4)
    });
    let mut stat = [0u8; 64];
    unsafe { raw::path_filestat_get(3, 0, path.as_ptr(), path.len() as u32, stat.as_mut_ptr()) };
    let field = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
    println!("  atim={} mtim={}", field(40), field(48));
    report("path_filestat_set_times(atim and atim_now)", unsafe {
        raw::path_filestat_set_times(3, 0, path.as_ptr(), path.len() as u32, 0, 0, 1 | 2)
    });
    let missing = b"missing";
    report("path_filestat_set_times(missing)", unsafe { raw::path_filestat_set_times(3, 0, missing.as_ptr(), missing.len() as u32, 0, 0, 2) });
}

/// Names of 255 bytes (the usual limit) and 256; a path of about 4 KiB
/// through nested directories.
fn long_names() {
    let name = vec![b'n'; 255];
    open("255-byte name, create", &name, 0, CREAT, READ_WRITE);
    stat(&name, 0);
    unlink(&name);
    open("256-byte name, create", &vec![b'n'; 256], 0, CREAT, READ_WRITE);
    let mut path = Vec::new();
    for level in 0..16 {
        if level > 0 {
            path.push(b'/');
        }
        path.extend(std::iter::repeat_n(b'a' + level as u8, 250));
        mkdir(&path[..]);
    }
    println!("nested path length: {}", path.len());
    path.extend_from_slice(b"/leaf.txt");
    open("4 KiB path, create", &path, 0, CREAT, READ_WRITE);
    stat(&path, 0);
}

fn on_non_directories() {
    let (_, file) = path_open(3, 0, b"greeting.txt", 0, READ, 0);
    let path = b"x";
    for (label, fd) in [("a file", file), ("stdout", 1), ("fd 99", 99)] {
        println!("-- under {label}");
        report("path_create_directory", unsafe { raw::path_create_directory(fd, path.as_ptr(), 1) });
        let mut stat = [0u8; 64];
        report("path_filestat_get", unsafe { raw::path_filestat_get(fd, 0, path.as_ptr(), 1, stat.as_mut_ptr()) });
        report("path_unlink_file", unsafe { raw::path_unlink_file(fd, path.as_ptr(), 1) });
        report("path_remove_directory", unsafe { raw::path_remove_directory(fd, path.as_ptr(), 1) });
        report("path_symlink", unsafe { raw::path_symlink(path.as_ptr(), 1, fd, path.as_ptr(), 1) });
        let mut used = 0;
        report("path_readlink", unsafe { raw::path_readlink(fd, path.as_ptr(), 1, stat.as_mut_ptr(), 8, &mut used) });
        report("path_rename", unsafe { raw::path_rename(fd, path.as_ptr(), 1, 3, path.as_ptr(), 1) });
        report("path_link", unsafe { raw::path_link(3, 0, path.as_ptr(), 1, fd, path.as_ptr(), 1) });
        report("path_filestat_set_times", unsafe { raw::path_filestat_set_times(fd, 0, path.as_ptr(), 1, 0, 0, 0) });
        let mut buf = [0u8; 64];
        report("fd_readdir", unsafe { raw::fd_readdir(fd, buf.as_mut_ptr(), 64, 0, &mut used) });
    }
    unsafe { raw::fd_close(file) };
}

fn cross_device() {
    let (old, new) = (b"greeting.txt", b"moved.txt");
    report("path_rename across filesystems", unsafe { raw::path_rename(4, old.as_ptr(), old.len() as u32, 3, new.as_ptr(), new.len() as u32) });
    report("path_link across filesystems", unsafe { raw::path_link(4, 0, old.as_ptr(), old.len() as u32, 3, new.as_ptr(), new.len() as u32) });
}
