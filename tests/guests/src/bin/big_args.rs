//! Arguments and environment far larger than any fixed adapter buffer:
//! counts, sizes and a digest of every byte.

use p1::{digest, raw, report};

fn main() {
    show("args", raw::args_sizes_get, raw::args_get);
    show("environ", raw::environ_sizes_get, raw::environ_get);
}

type Sizes = unsafe extern "C" fn(*mut u32, *mut u32) -> i32;
type Get = unsafe extern "C" fn(*mut *mut u8, *mut u8) -> i32;

fn show(what: &str, sizes: Sizes, get: Get) {
    let (mut count, mut size) = (0u32, 0u32);
    report(&format!("{what}_sizes_get"), unsafe { sizes(&mut count, &mut size) });
    let mut pointers = vec![std::ptr::null_mut::<u8>(); count as usize];
    let mut buf = vec![0u8; size as usize];
    report(&format!("{what}_get"), unsafe { get(pointers.as_mut_ptr(), buf.as_mut_ptr()) });
    let base = buf.as_ptr() as usize;
    let offsets: Vec<u8> = pointers.iter().flat_map(|p| ((*p as usize - base) as u32).to_le_bytes()).collect();
    println!("{what}: count={count} buf_size={size} buf_digest={:016x} offsets_digest={:016x}", digest(&buf), digest(&offsets));
    let last = pointers.last().map(|p| *p as usize - base).unwrap_or(0);
    let text: Vec<u8> = buf[last..].iter().take_while(|b| **b != 0).copied().collect();
    println!("{what}: last entry {:?}", String::from_utf8_lossy(&text));
}
