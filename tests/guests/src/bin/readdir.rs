//! fd_readdir: the entries of a directory with their types, read with
//! buffers of every size from 1 byte up (entries cut across calls), with
//! cookies taken from d_next, restarted mid-way, and on a directory of
//! 10,000 entries it creates itself. Names are printed sorted where the
//! host's order does not matter.
//!
//! Options: `big COUNT BUFFER...` makes a directory of COUNT entries and
//! reads it with each buffer size, instead.

use p1::open::*;
use p1::raw;
use p1::{digest, errno_name, options, path_open};

struct Dirent {
    next: u64,
    file_type: u8,
    name: Vec<u8>,
}

/// Reads a whole directory through buffers of `buf_len` bytes, the way
/// wasi-libc does: parse whole entries, continue from the last one's d_next,
/// and grow the buffer when not even one entry fits.
fn read_all(fd: u32, buf_len: usize) -> (i32, Vec<Dirent>, usize) {
    let mut entries = Vec::new();
    let mut cookie = 0u64;
    let mut buf = vec![0u8; buf_len];
    let mut calls = 0;
    loop {
        let mut used = 0u32;
        calls += 1;
        let errno = unsafe { raw::fd_readdir(fd, buf.as_mut_ptr(), buf.len() as u32, cookie, &mut used) };
        if errno != 0 {
            return (errno, entries, calls);
        }
        let used = used as usize;
        let mut at = 0;
        let mut whole = 0;
        while at + 24 <= used {
            let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            if at + 24 + namlen > used {
                break;
            }
            entries.push(Dirent {
                next: u64::from_le_bytes(buf[at..at + 8].try_into().unwrap()),
                file_type: buf[at + 20],
                name: buf[at + 24..at + 24 + namlen].to_vec(),
            });
            cookie = entries.last().unwrap().next;
            at += 24 + namlen;
            whole += 1;
        }
        if used < buf.len() {
            return (0, entries, calls);
        }
        if whole == 0 {
            let bigger = buf.len() * 2;
            buf.resize(bigger, 0);
        }
    }
}

fn show(label: &str, fd: u32, buf_len: usize) {
    let (errno, entries, calls) = read_all(fd, buf_len);
    let mut names: Vec<String> = entries.iter().map(|e| format!("{}:{}", String::from_utf8_lossy(&e.name), e.file_type)).collect();
    let cookies: Vec<u64> = entries.iter().map(|e| e.next).collect();
    names.sort();
    println!("{label} (buffer {buf_len}): {} in {calls} calls, cookies {cookies:?}", errno_name(errno));
    println!("  {}", names.join(" "));
}

fn main() {
    let options = options();
    if options.first().map(String::as_str) == Some("big") {
        let numbers: Vec<usize> = options[1..].iter().map(|o| o.parse().unwrap()).collect();
        return big(numbers[0], &numbers[1..]);
    }
    let (errno, dir) = path_open(3, 0, b"tree", DIRECTORY, DIRECTORY_RIGHTS, 0);
    println!("open tree: {} fd={dir}", errno_name(errno));
    for buf_len in [4096, 256, 64, 40, 30, 24, 17, 8, 1] {
        show("tree", dir, buf_len);
    }
    show("the preopen itself", 3, 128);

    // The raw bytes of the first calls, cut mid-entry: exactly what lands.
    for (cookie, len) in [(0u64, 30usize), (1, 24), (2, 60), (3, 5), (0, 0)] {
        let mut buf = vec![0xeeu8; len + 4];
        let mut used = 0u32;
        let errno = unsafe { raw::fd_readdir(dir, buf.as_mut_ptr(), len as u32, cookie, &mut used) };
        let shown = mask_inodes(&buf[..used as usize]);
        println!("fd_readdir(cookie {cookie}, {len} bytes): {} used={used} bytes={shown} after={:?}", errno_name(errno), &buf[used as usize..]);
    }
    // Cookies past the end, and going back.
    for cookie in [100u64, 7, 2, u64::MAX] {
        let mut buf = [0u8; 256];
        let mut used = 0u32;
        let errno = unsafe { raw::fd_readdir(dir, buf.as_mut_ptr(), 256, cookie, &mut used) };
        println!("fd_readdir(cookie {cookie}): {} used={used}", errno_name(errno));
    }
    // Changes between calls show up once the directory is read again.
    let (_, file) = path_open(dir, 0, b"late-arrival", CREAT, READ_WRITE, 0);
    unsafe { raw::fd_close(file) };
    show("tree after a new file", dir, 4096);
    // A closed directory, a file, stdio.
    let (_, file) = path_open(dir, 0, b"a.txt", 0, READ, 0);
    for (label, fd) in [("a file", file), ("stdout", 1)] {
        let mut buf = [0u8; 64];
        let mut used = 0;
        println!("fd_readdir on {label}: {}", errno_name(unsafe { raw::fd_readdir(fd, buf.as_mut_ptr(), 64, 0, &mut used) }));
    }
    unsafe { raw::fd_close(dir) };
    let mut buf = [0u8; 64];
    let mut used = 0;
    println!("fd_readdir after close: {}", errno_name(unsafe { raw::fd_readdir(dir, buf.as_mut_ptr(), 64, 0, &mut used) }));
}

/// Raw dirent bytes with each entry's d_ino (which differs from one copy of
/// a tree to another) replaced by `_`.
fn mask_inodes(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    let mut entry_start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let at = i - entry_start;
        out.push(if (8..16).contains(&at) { "_".to_string() } else { byte.to_string() });
        let namlen = if bytes.len() >= entry_start + 20 {
            u32::from_le_bytes(bytes[entry_start + 16..entry_start + 20].try_into().unwrap()) as usize
        } else {
            usize::MAX
        };
        if at + 1 == 24 + namlen {
            entry_start = i + 1;
        }
    }
    out.join(",")
}

/// `count` entries named `{i:05}-xxx…`, 6 to 255 bytes long.
fn big(count: usize, buffers: &[usize]) {
    let dir_name = b"big";
    unsafe { raw::path_create_directory(3, dir_name.as_ptr(), 3) };
    let (_, dir) = path_open(3, 0, dir_name, DIRECTORY, DIRECTORY_RIGHTS, 0);
    for i in 0..count {
        let mut name = format!("{i:05}-").into_bytes();
        name.resize(6 + i % 250, b'x');
        let (errno, fd) = path_open(dir, 0, &name, CREAT, READ_WRITE, 0);
        assert_eq!(errno, 0, "create {i}");
        unsafe { raw::fd_close(fd) };
    }
    for &buf_len in buffers {
        let (errno, entries, calls) = read_all(dir, buf_len);
        let mut names: Vec<Vec<u8>> = entries.iter().map(|e| e.name.clone()).collect();
        names.sort();
        let joined: Vec<u8> = names.join(&b'/');
        let cookies_in_order = entries.iter().enumerate().all(|(i, e)| e.next == i as u64 + 1);
        println!(
            "big (buffer {buf_len}): {} entries={} calls={calls} cookies in order={cookies_in_order} names digest={:016x} longest={}",
            errno_name(errno),
            entries.len(),
            digest(&joined),
            names.iter().map(Vec::len).max().unwrap_or(0)
        );
    }
}
