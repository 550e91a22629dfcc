//! poll_oneoff: clocks (relative, absolute, both clocks), stdio and file
//! readiness, several subscriptions at once, and the error cases. Events are
//! printed field by field; elapsed times only as "waited at least".
//!
//! With options `one TAG ID FLAGS` it polls one subscription made of those
//! numbers (for cases where native p1 traps).

use p1::open::*;
use p1::raw;
use p1::{errno_name, options, path_open};

const CLOCK: u8 = 0;
const FD_READ: u8 = 1;
const FD_WRITE: u8 = 2;
const MS: u64 = 1_000_000;

#[derive(Clone, Copy)]
struct Sub {
    userdata: u64,
    tag: u8,
    /// Clock id or fd.
    id: u32,
    timeout: u64,
    flags: u16,
}

fn clock(userdata: u64, id: u32, timeout: u64, absolute: bool) -> Sub {
    Sub { userdata, tag: CLOCK, id, timeout, flags: absolute as u16 }
}

fn fd(userdata: u64, tag: u8, fd: u32) -> Sub {
    Sub { userdata, tag, id: fd, timeout: 0, flags: 0 }
}

fn now(id: u32) -> u64 {
    let mut t = 0;
    unsafe { raw::clock_time_get(id, 1, &mut t) };
    t
}

/// Polls; prints the errno, the events and whether at least `min_ms` passed.
fn poll(label: &str, subs: &[Sub], min_ms: u64) {
    let mut input = vec![0u8; 48 * subs.len()];
    for (i, sub) in subs.iter().enumerate() {
        let s = &mut input[i * 48..i * 48 + 48];
        s[0..8].copy_from_slice(&sub.userdata.to_le_bytes());
        s[8] = sub.tag;
        s[16..20].copy_from_slice(&sub.id.to_le_bytes());
        s[24..32].copy_from_slice(&sub.timeout.to_le_bytes());
        s[32..40].copy_from_slice(&1000u64.to_le_bytes());
        s[40..42].copy_from_slice(&sub.flags.to_le_bytes());
    }
    let mut events = vec![0xeeu8; 32 * subs.len().max(1)];
    let mut count = 99u32;
    let start = now(1);
    let errno = unsafe { raw::poll_oneoff(input.as_ptr(), events.as_mut_ptr(), subs.len() as u32, &mut count) };
    let waited = (now(1) - start) / MS;
    println!("{label}: {} nevents={count} waited>={min_ms}ms: {}", errno_name(errno), waited >= min_ms);
    if errno != 0 {
        return;
    }
    for e in events.chunks(32).take(count as usize) {
        println!(
            "  event userdata={} error={} type={} nbytes={} flags={} padding={:?}",
            u64::from_le_bytes(e[0..8].try_into().unwrap()),
            u16::from_le_bytes([e[8], e[9]]),
            e[10],
            u64::from_le_bytes(e[16..24].try_into().unwrap()),
            u16::from_le_bytes([e[24], e[25]]),
            (&e[11..16], &e[26..32])
        );
    }
}

fn main() {
    let options = options();
    if let [one, tag, id, flags] = &options[..] {
        assert_eq!(one, "one");
        let sub = Sub { userdata: 1, tag: tag.parse().unwrap(), id: id.parse().unwrap(), timeout: MS, flags: flags.parse().unwrap() };
        return poll("one subscription", &[sub], 0);
    }
    poll("monotonic, relative 20ms", &[clock(1, 1, 20 * MS, false)], 20);
    poll("monotonic, absolute now+20ms", &[clock(2, 1, now(1) + 20 * MS, true)], 20);
    poll("monotonic, absolute in the past", &[clock(3, 1, 0, true)], 0);
    poll("realtime, relative 20ms", &[clock(4, 0, 20 * MS, false)], 20);
    poll("realtime, absolute now+20ms", &[clock(5, 0, now(0) + 20 * MS, true)], 15);
    poll("zero timeout", &[clock(6, 1, 0, false)], 0);
    poll("two clocks, the shorter wins", &[clock(7, 1, 5_000 * MS, false), clock(8, 1, 10 * MS, false)], 10);
    poll("stdin readable and stdout writable", &[fd(9, FD_READ, 0), fd(10, FD_WRITE, 1), clock(11, 1, 5_000 * MS, false)], 0);
    poll("stderr writable", &[fd(12, FD_WRITE, 2)], 0);

    // One subscription each: a host's file streams may become ready a moment
    // apart, so which of two shows first is the host's timing.
    let (_, file) = path_open(3, 0, b"greeting.txt", 0, READ_WRITE, 0);
    poll("file readable", &[fd(13, FD_READ, file)], 0);
    poll("file writable", &[fd(14, FD_WRITE, file)], 0);
    let mut position = 0;
    unsafe { raw::fd_seek(file, 0, 2, &mut position) };
    poll("file readable at its end", &[fd(15, FD_READ, file)], 0);
    unsafe { raw::fd_close(file) };

    poll("no subscriptions", &[], 0);
    poll("a closed fd", &[fd(16, FD_READ, file)], 0);
    poll("reading stdout", &[fd(17, FD_READ, 1)], 0);
    poll("writing stdin", &[fd(18, FD_WRITE, 0)], 0);
    poll("a directory", &[fd(19, FD_READ, 3)], 0);
    poll("process CPU-time clock", &[clock(20, 2, MS, false)], 0);
}
