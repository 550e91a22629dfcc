//! fd_write, fd_read, fd_fdstat_get, fd_fdstat_set_flags and fd_close on the
//! stdio descriptors and on descriptors that do not exist.
//!
//! With options it makes one call instead: `zero-read` reads into an empty
//! buffer; `set-flags FD FLAGS` sets flags (native p1 traps on flag bits p1
//! does not define, so those get runs of their own).

use p1::raw::{self, Iovec};
use p1::{errno_name, options, report};

const NONBLOCK: u32 = 4;

fn main() {
    let options = options();
    if let [call, fd, flags] = &options[..] {
        assert_eq!(call, "set-flags");
        let (fd, flags): (u32, u32) = (fd.parse().unwrap(), flags.parse().unwrap());
        report(&format!("fd_fdstat_set_flags({fd}, {flags:#x})"), unsafe { raw::fd_fdstat_set_flags(fd, flags) });
        return;
    }
    if options.first().map(String::as_str) == Some("zero-read") {
        let mut nread = 77u32;
        let iovs = [Iovec { buf: std::ptr::null(), len: 0 }];
        report("fd_read(0, one empty iovec)", unsafe { raw::fd_read(0, iovs.as_ptr(), 1, &mut nread) });
        println!("  nread={nread}");
        return;
    }
    writes();
    reads();
    fdstat();
    set_flags();
    closing();
}

fn write(fd: u32, pieces: &[&[u8]]) -> (i32, u32) {
    let iovs: Vec<Iovec> = pieces.iter().map(|p| Iovec { buf: p.as_ptr(), len: p.len() as u32 }).collect();
    let mut written = 0u32;
    let errno = unsafe { raw::fd_write(fd, iovs.as_ptr(), iovs.len() as u32, &mut written) };
    (errno, written)
}

fn writes() {
    // Only the first non-empty buffer is written.
    let (errno, n) = write(1, &[b"", b"first non-empty buffer\n", b"second buffer\n"]);
    println!("fd_write(1, [empty, 23 bytes, 14 bytes]): {} written={n}", errno_name(errno));
    let (errno, n) = write(2, &[b"to stderr\n"]);
    println!("fd_write(2): {} written={n}", errno_name(errno));
    let (errno, n) = write(1, &[]);
    println!("fd_write(1, no buffers): {} written={n}", errno_name(errno));
    let big: Vec<u8> = (0..100_000u32).map(|i| b"0123456789abcdef\n"[(i % 17) as usize]).collect();
    let (errno, n) = write(1, &[&big]);
    println!("\nfd_write(1, 100000 bytes): {} written={n}", errno_name(errno));
    for fd in [0, 3, 99, u32::MAX] {
        let (errno, n) = write(fd, &[b"x"]);
        println!("fd_write({fd}): {} written={n}", errno_name(errno));
    }
}

fn reads() {
    let mut collected = Vec::new();
    loop {
        let mut chunk = [0u8; 7];
        let iovs = [Iovec { buf: chunk.as_mut_ptr(), len: 7 }];
        let mut nread = 0u32;
        let errno = unsafe { raw::fd_read(0, iovs.as_ptr(), 1, &mut nread) };
        if errno != 0 || nread == 0 {
            println!("fd_read(0) ended: {} nread={nread}", errno_name(errno));
            break;
        }
        collected.extend_from_slice(&chunk[..nread as usize]);
    }
    println!("stdin: {:?}", String::from_utf8_lossy(&collected));
    for fd in [1, 2, 3, 99] {
        let mut byte = [0u8; 1];
        let iovs = [Iovec { buf: byte.as_mut_ptr(), len: 1 }];
        let mut nread = 0u32;
        report(&format!("fd_read({fd})"), unsafe { raw::fd_read(fd, iovs.as_ptr(), 1, &mut nread) });
    }
}

fn fdstat() {
    for fd in [0, 1, 2, 3, 99] {
        let mut stat = [0xeeu8; 24];
        let errno = unsafe { raw::fd_fdstat_get(fd, stat.as_mut_ptr()) };
        report(&format!("fd_fdstat_get({fd})"), errno);
        if errno == 0 {
            let field = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
            println!(
                "  filetype={} padding={:?} flags={} rights_base={:#x} rights_inheriting={:#x}",
                stat[0],
                &stat[1..2],
                u16::from_le_bytes([stat[2], stat[3]]),
                field(8),
                field(16)
            );
        }
    }
}

fn set_flags() {
    for (fd, flags) in [(0, NONBLOCK), (1, NONBLOCK), (2, 0), (1, 1), (1, 2), (1, 0x10), (99, NONBLOCK)] {
        report(&format!("fd_fdstat_set_flags({fd}, {flags:#x})"), unsafe { raw::fd_fdstat_set_flags(fd, flags) });
    }
}

fn closing() {
    report("fd_close(99)", unsafe { raw::fd_close(99) });
    report("fd_close(0)", unsafe { raw::fd_close(0) });
    report("fd_close(0) again", unsafe { raw::fd_close(0) });
    let mut stat = [0u8; 24];
    report("fd_fdstat_get(0) after close", unsafe { raw::fd_fdstat_get(0, stat.as_mut_ptr()) });
    let mut nread = 0u32;
    let mut byte = [0u8; 1];
    let iovs = [Iovec { buf: byte.as_mut_ptr(), len: 1 }];
    report("fd_read(0) after close", unsafe { raw::fd_read(0, iovs.as_ptr(), 1, &mut nread) });
    report("fd_close(1)", unsafe { raw::fd_close(1) });
    let (errno, _) = write(1, &[b"lost\n"]);
    let (_, _) = write(2, &[format!("fd_write(1) after close: {}\n", errno_name(errno)).as_bytes()]);
}
