//! A Rust std program that exports `cabi_realloc` (as programs built with
//! wit-bindgen do): wit-component then hands it to the adapter, which takes
//! its memory through it. The program counts the calls, does some p1 work
//! and checks its own heap stayed intact.

use std::alloc::{Layout, alloc, realloc};
use std::sync::atomic::{AtomicU32, Ordering};

static CALLS: AtomicU32 = AtomicU32::new(0);

#[unsafe(no_mangle)]
unsafe extern "C" fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    CALLS.fetch_add(1, Ordering::Relaxed);
    unsafe {
        if old_len == 0 {
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(old, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    }
}

fn main() {
    let pattern: Vec<u64> = (0..100_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
    let args: Vec<String> = std::env::args().collect();
    println!("args {args:?}");
    let entries = std::fs::read_dir("/sandbox").map(|d| d.count()).unwrap_or(0);
    println!("entries in /sandbox: {entries}");
    std::fs::write("/sandbox/written.txt", b"written with cabi_realloc exported\n").unwrap();
    let more: Vec<Vec<u8>> = (0..200).map(|i| vec![i as u8; 4096]).collect();
    let intact = pattern.iter().enumerate().all(|(i, v)| *v == (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    println!("heap intact: {intact}, {} blocks", more.len());
    // Native p1 never calls it, an adapter may: say whether, on stderr.
    eprintln!("cabi_realloc calls: {}", if CALLS.load(Ordering::Relaxed) > 0 { "some" } else { "none" });
}
