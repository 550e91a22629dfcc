//! Calls on open files: read, write, seek, tell, pread, pwrite, append,
//! sizes, sync, advice, flags and rights, filestat, times. The preopened
//! directory (fd 3) holds `greeting.txt` ("hello from the fixture\n").

use p1::open::*;
use p1::raw::{self, Iovec};
use p1::{errno_name, path_open, read, report, stable_filestat, write};

fn main() {
    let (errno, fd) = path_open(3, 0, b"greeting.txt", 0, READ, 0);
    println!("open greeting.txt read-only: {} fd={fd}", errno_name(errno));
    let (errno, data) = read(fd, 5);
    println!("read 5: {} {:?}", errno_name(errno), String::from_utf8_lossy(&data));
    tell(fd);
    seek(fd, 2, 1);
    let (_, data) = read(fd, 100);
    println!("after seek cur+2, read: {:?}", String::from_utf8_lossy(&data));
    let (errno, data) = read(fd, 100);
    println!("read at end: {} {} bytes", errno_name(errno), data.len());
    for (offset, whence) in [(0, 0), (-3, 2), (-100, 1), (-1, 0), (5, 2)] {
        seek(fd, offset, whence);
    }
    let (errno, n) = write(fd, b"nope");
    println!("write to a read-only file: {} written={n}", errno_name(errno));
    print!("at an offset, ");
    pwrite(fd, b"nope", 0);
    pread(fd, 6, 4);
    pread(fd, 1000, 4);
    filestat(fd);
    fdstat(fd);
    report("fd_allocate", unsafe { raw::fd_allocate(fd, 0, 10) });
    report("fd_advise(sequential)", unsafe { raw::fd_advise(fd, 0, 0, 1) });
    report("fd_fdstat_set_rights", unsafe { raw::fd_fdstat_set_rights(fd, 0, 0) });
    report("fd_close", unsafe { raw::fd_close(fd) });

    let (errno, fd) = path_open(3, 0, b"new.txt", CREAT | EXCL, READ_WRITE, 0);
    println!("create new.txt: {} fd={fd}", errno_name(errno));
    let (errno, n) = write(fd, b"0123456789");
    println!("write: {} written={n}", errno_name(errno));
    tell(fd);
    pwrite(fd, b"AB", 3);
    tell(fd);
    pwrite(fd, b"end", 20);
    filestat(fd);
    seek(fd, 0, 0);
    let (_, data) = read(fd, 100);
    println!("contents: {:?}", String::from_utf8_lossy(&data));
    report("fd_filestat_set_size(4)", unsafe { raw::fd_filestat_set_size(fd, 4) });
    filestat(fd);
    report("fd_sync", unsafe { raw::fd_sync(fd) });
    report("fd_datasync", unsafe { raw::fd_datasync(fd) });
    report("fd_filestat_set_times(atim=1s, mtim=2s)", unsafe { raw::fd_filestat_set_times(fd, 1_000_000_000, 2_000_000_000, 1 | 4) });
    times(fd);
    report("fd_filestat_set_times(mtim and mtim_now)", unsafe { raw::fd_filestat_set_times(fd, 0, 0, 4 | 8) });
    report("fd_filestat_set_times(nothing)", unsafe { raw::fd_filestat_set_times(fd, 0, 0, 0) });
    report("fd_fdstat_set_flags(append)", unsafe { raw::fd_fdstat_set_flags(fd, APPEND) });
    fdstat(fd);
    seek(fd, 0, 0);
    let (errno, n) = write(fd, b"+appended");
    println!("append: {} written={n}", errno_name(errno));
    tell(fd);
    pwrite(fd, b"!", 0);
    report("fd_fdstat_set_flags(dsync)", unsafe { raw::fd_fdstat_set_flags(fd, DSYNC) });
    report("fd_fdstat_set_flags(nonblock)", unsafe { raw::fd_fdstat_set_flags(fd, NONBLOCK) });
    fdstat(fd);
    seek(fd, 0, 0);
    let (_, data) = read(fd, 100);
    println!("contents: {:?}", String::from_utf8_lossy(&data));
    report("fd_close", unsafe { raw::fd_close(fd) });

    let (errno, fd) = path_open(3, 0, b"new.txt", TRUNC, WRITE, SYNC);
    println!("reopen truncated, write-only, sync: {} fd={fd}", errno_name(errno));
    let (errno, fd) = path_open(3, 0, b"new.txt", TRUNC, WRITE, 0);
    println!("reopen truncated, write-only: {} fd={fd}", errno_name(errno));
    fdstat(fd);
    filestat(fd);
    let (errno, data) = read(fd, 10);
    println!("read from a write-only file: {} {} bytes", errno_name(errno), data.len());
    print!("at an offset, ");
    pread(fd, 0, 10);
    let (errno, n) = write(fd, b"fresh\n");
    println!("write: {} written={n}", errno_name(errno));
    report("fd_close", unsafe { raw::fd_close(fd) });

    let (errno, fd) = path_open(3, 0, b"appendix.txt", CREAT, READ_WRITE, APPEND);
    println!("open appendix.txt append: {} fd={fd}", errno_name(errno));
    // 200,000 bytes: more than one WASI 0.2 write takes at once.
    let big = vec![b'z'; 200_000];
    for piece in [&b"one\n"[..], b"two\n", &big] {
        let (errno, n) = write(fd, piece);
        println!("append write: {} written={n}", errno_name(errno));
        tell(fd);
    }
    report("fd_close", unsafe { raw::fd_close(fd) });

    // Calls that want a file, on stdio and on the directory.
    for fd in [0, 1, 3, 99] {
        println!("-- fd {fd}");
        seek(fd, 0, 0);
        tell(fd);
        pread(fd, 0, 4);
        report("fd_pwrite", unsafe { raw::fd_pwrite(fd, [Iovec { buf: b"x".as_ptr(), len: 1 }].as_ptr(), 1, 0, &mut 0) });
        report("fd_sync", unsafe { raw::fd_sync(fd) });
        report("fd_datasync", unsafe { raw::fd_datasync(fd) });
        report("fd_allocate", unsafe { raw::fd_allocate(fd, 0, 1) });
        report("fd_advise", unsafe { raw::fd_advise(fd, 0, 0, 0) });
        report("fd_filestat_set_size", unsafe { raw::fd_filestat_set_size(fd, 0) });
        report("fd_fdstat_set_rights", unsafe { raw::fd_fdstat_set_rights(fd, 0, 0) });
        report("fd_fdstat_set_flags(append)", unsafe { raw::fd_fdstat_set_flags(fd, APPEND) });
        filestat(fd);
    }
}

fn seek(fd: u32, offset: i64, whence: u32) {
    let mut position = u64::MAX;
    let errno = unsafe { raw::fd_seek(fd, offset, whence, &mut position) };
    println!("fd_seek({offset}, whence {whence}): {} position={}", errno_name(errno), position as i64);
}

fn tell(fd: u32) {
    let mut position = u64::MAX;
    let errno = unsafe { raw::fd_tell(fd, &mut position) };
    println!("fd_tell: {} position={}", errno_name(errno), position as i64);
}

fn pread(fd: u32, offset: u64, len: usize) {
    let mut buf = vec![0u8; len];
    let iov = [Iovec { buf: buf.as_mut_ptr(), len: len as u32 }];
    let mut n = 0;
    let errno = unsafe { raw::fd_pread(fd, iov.as_ptr(), 1, offset, &mut n) };
    buf.truncate(n as usize);
    println!("fd_pread({offset}, {len}): {} {:?}", errno_name(errno), String::from_utf8_lossy(&buf));
}

fn pwrite(fd: u32, data: &[u8], offset: u64) {
    let iov = [Iovec { buf: data.as_ptr(), len: data.len() as u32 }];
    let mut n = 0;
    let errno = unsafe { raw::fd_pwrite(fd, iov.as_ptr(), 1, offset, &mut n) };
    println!("fd_pwrite({offset}): {} written={n}", errno_name(errno));
}

fn filestat(fd: u32) {
    let mut stat = [0u8; 64];
    let errno = unsafe { raw::fd_filestat_get(fd, stat.as_mut_ptr()) };
    println!("fd_filestat_get: {} {}", errno_name(errno), stable_filestat(&stat));
}

fn times(fd: u32) {
    let mut stat = [0u8; 64];
    unsafe { raw::fd_filestat_get(fd, stat.as_mut_ptr()) };
    let field = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
    println!("  atim={} mtim={}", field(40), field(48));
}

fn fdstat(fd: u32) {
    let mut stat = [0u8; 24];
    let errno = unsafe { raw::fd_fdstat_get(fd, stat.as_mut_ptr()) };
    let field = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
    println!(
        "fd_fdstat_get: {} filetype={} flags={:#x} rights={:#x}/{:#x}",
        errno_name(errno),
        stat[0],
        u16::from_le_bytes([stat[2], stat[3]]),
        field(8),
        field(16)
    );
}
