//! The benchmark guest of `verify bench`: `bench CASE ITERATIONS` repeats one
//! p1 call (or a fixed pair) ITERATIONS times in a wasm loop and prints
//! `elapsed-ns N` on stderr, timed with the monotonic clock around the loop.
//! One warm-up round runs before the clock starts, so the adapter's lazy
//! setup is not part of the measurement.
//!
//! The host preopens a directory as fd 3 holding `small` (a few bytes),
//! `big` (16 MiB) and `many/` (10,000 empty files); stdout is a sink.

use p1::raw::{self, Iovec};
use p1::{ListGet, SizesGet};

const MONOTONIC: u32 = 1;
const RIGHTS_READ: u64 = 1 << 1;
const RIGHTS_READDIR: u64 = 1 << 14;
const DIRECTORY: u32 = 2;
const SYMLINK_FOLLOW: u32 = 1;
const PREOPEN: u32 = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), Some(iterations)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok())) else {
        eprintln!("usage: bench CASE ITERATIONS");
        std::process::exit(2);
    };
    let Some(mut round) = setup(case) else {
        eprintln!("bench: unknown case {case}");
        std::process::exit(2);
    };
    round(0);
    let start = now();
    for i in 1..=iterations {
        round(i);
    }
    let elapsed = now() - start;
    eprintln!("elapsed-ns {elapsed}");
}

fn now() -> u64 {
    let mut time = 0;
    check("clock_time_get", unsafe { raw::clock_time_get(MONOTONIC, 1, &mut time) });
    time
}

fn check(what: &str, errno: i32) {
    if errno != 0 {
        eprintln!("bench: {what} failed with errno {errno}");
        std::process::exit(1);
    }
}

/// What one round does, for each case.
fn setup(case: &str) -> Option<Box<dyn FnMut(u64)>> {
    Some(match case {
        "sched_yield" => Box::new(|_| check("sched_yield", unsafe { raw::sched_yield() })),
        "clock_time_get" => Box::new(|_| {
            let mut time = 0;
            check("clock_time_get", unsafe { raw::clock_time_get(MONOTONIC, 1, &mut time) });
        }),
        "random_get-32" => random(32),
        "random_get-1MiB" => random(1 << 20),
        "fd_write-1" => write(1),
        "fd_write-64KiB" => write(64 << 10),
        "fd_read-4KiB" => read(4 << 10),
        "fd_read-1MiB" => read(1 << 20),
        "path_open+fd_close" => Box::new(|_| {
            let fd = open(PREOPEN, "small", 0, RIGHTS_READ);
            check("fd_close", unsafe { raw::fd_close(fd) });
        }),
        "path_filestat_get" => Box::new(|_| {
            let mut stat = [0u8; 64];
            let path = b"small";
            check("path_filestat_get", unsafe {
                raw::path_filestat_get(PREOPEN, SYMLINK_FOLLOW, path.as_ptr(), path.len() as u32, stat.as_mut_ptr())
            });
        }),
        "fd_readdir-10000" => readdir(),
        "args_get-10000" => strings(raw::args_sizes_get, raw::args_get),
        "environ_get-10000" => strings(raw::environ_sizes_get, raw::environ_get),
        "poll_oneoff-zero" => poll_zero(),
        _ => return None,
    })
}

fn random(len: usize) -> Box<dyn FnMut(u64)> {
    let mut buf = vec![0u8; len];
    Box::new(move |_| check("random_get", unsafe { raw::random_get(buf.as_mut_ptr(), len as u32) }))
}

fn write(len: usize) -> Box<dyn FnMut(u64)> {
    let buf = vec![b'x'; len];
    Box::new(move |_| {
        let iov = Iovec { buf: buf.as_ptr(), len: len as u32 };
        let mut written = 0;
        check("fd_write", unsafe { raw::fd_write(1, &iov, 1, &mut written) });
        if written as usize != len {
            check("fd_write (short)", -1);
        }
    })
}

/// Reads `big` in `len`-byte pieces, each with as many `fd_read` calls as it
/// takes (a p1 read may return less: WASI 0.2 hosts cap one read, wasmtime
/// at 64 KiB). Rewinds every 16 MiB, so 1 MiB pieces pay one `fd_seek` per
/// 16 and 4 KiB pieces one per 4,096.
fn read(len: usize) -> Box<dyn FnMut(u64)> {
    let fd = open(PREOPEN, "big", 0, RIGHTS_READ);
    let mut buf = vec![0u8; len];
    let per_pass = (16u64 << 20) / len as u64;
    Box::new(move |i| {
        if i % per_pass == 0 {
            let mut offset = 0;
            check("fd_seek", unsafe { raw::fd_seek(fd, 0, 0, &mut offset) });
        }
        let mut done = 0;
        while done < len {
            let iov = Iovec { buf: buf[done..].as_mut_ptr(), len: (len - done) as u32 };
            let mut read = 0;
            check("fd_read", unsafe { raw::fd_read(fd, &iov, 1, &mut read) });
            if read == 0 {
                check("fd_read (early end of file)", -1);
            }
            done += read as usize;
        }
    })
}

/// One round lists all of `many/` (10,002 entries with `.` and `..`) through
/// a 64 KiB buffer.
fn readdir() -> Box<dyn FnMut(u64)> {
    let fd = open(PREOPEN, "many", DIRECTORY, RIGHTS_READDIR);
    let mut buf = vec![0u8; 64 << 10];
    Box::new(move |_| {
        let (mut cookie, mut entries) = (0u64, 0);
        loop {
            let mut used = 0;
            check("fd_readdir", unsafe { raw::fd_readdir(fd, buf.as_mut_ptr(), buf.len() as u32, cookie, &mut used) });
            let mut at = 0;
            // Whole dirents only: a 24-byte header, then the name.
            while at + 24 <= used as usize {
                let name_len = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
                if at + 24 + name_len > used as usize {
                    break;
                }
                cookie = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
                entries += 1;
                at += 24 + name_len;
            }
            if (used as usize) < buf.len() {
                break;
            }
        }
        if entries != 10_002 {
            eprintln!("bench: listed {entries} entries, expected 10,002");
            std::process::exit(1);
        }
    })
}

/// One round: the sizes call and the list call, into buffers kept between rounds.
fn strings(sizes: SizesGet, get: ListGet) -> Box<dyn FnMut(u64)> {
    let (mut pointers, mut bytes) = (Vec::new(), Vec::new());
    Box::new(move |_| {
        let (mut count, mut size) = (0, 0);
        check("sizes_get", unsafe { sizes(&mut count, &mut size) });
        pointers.resize(count as usize, std::ptr::null_mut());
        bytes.resize(size as usize, 0);
        check("get", unsafe { get(pointers.as_mut_ptr(), bytes.as_mut_ptr()) });
        if count < 10_000 {
            check("list (fewer than 10,000 entries)", -1);
        }
    })
}

/// A single relative clock subscription with a zero timeout.
fn poll_zero() -> Box<dyn FnMut(u64)> {
    let mut subscription = [0u8; 48];
    subscription[0..8].copy_from_slice(&7u64.to_le_bytes()); // userdata
    subscription[8] = 0; // clock
    subscription[16..20].copy_from_slice(&MONOTONIC.to_le_bytes());
    // timeout (offset 24) 0, precision (32) 0, flags (40) 0: relative.
    let mut event = [0u8; 32];
    Box::new(move |_| {
        let mut count = 0;
        check("poll_oneoff", unsafe { raw::poll_oneoff(subscription.as_ptr(), event.as_mut_ptr(), 1, &mut count) });
        if count != 1 {
            check("poll_oneoff (no event)", -1);
        }
    })
}

fn open(dir: u32, path: &str, oflags: u32, rights: u64) -> u32 {
    let mut fd = 0;
    check(path, unsafe { raw::path_open(dir, 0, path.as_ptr(), path.len() as u32, oflags, rights, rights, 0, &mut fd) });
    fd
}
