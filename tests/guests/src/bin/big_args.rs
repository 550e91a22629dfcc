//! Arguments and environment far larger than any fixed adapter buffer:
//! counts, sizes and a digest of every byte.

use p1::{ListGet, SizesGet, StringList, digest, raw, report};

fn main() {
    show("args", raw::args_sizes_get, raw::args_get);
    show("environ", raw::environ_sizes_get, raw::environ_get);
}

fn show(what: &str, sizes: SizesGet, get: ListGet) {
    let list = StringList::fetch(sizes, get, 0, 0);
    report(&format!("{what}_sizes_get"), list.sizes_errno);
    report(&format!("{what}_get"), list.get_errno);
    let offsets: Vec<u8> = (0..list.count).flat_map(|i| (list.entry(i).0 as u32).to_le_bytes()).collect();
    println!("{what}: count={} buf_size={} buf_digest={:016x} offsets_digest={:016x}", list.count, list.size, digest(&list.buf), digest(&offsets));
    if let Some(last) = list.count.checked_sub(1) {
        println!("{what}: last entry {:?}", list.entry(last).1);
    }
}
