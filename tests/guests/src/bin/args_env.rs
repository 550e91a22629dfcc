//! args_* and environ_*: sizes, contents, where each string lands in the
//! buffer, and that nothing past the buffer or the pointer array is touched.

use p1::{ListGet, SizesGet, StringList, raw, report};

fn main() {
    show("args", raw::args_sizes_get, raw::args_get);
    show("environ", raw::environ_sizes_get, raw::environ_get);
}

fn show(what: &str, sizes: SizesGet, get: ListGet) {
    let list = StringList::fetch(sizes, get, 0xa5, 8);
    report(&format!("{what}_sizes_get"), list.sizes_errno);
    println!("{what}: count={} buf_size={}", list.count, list.size);
    report(&format!("{what}_get"), list.get_errno);
    for i in 0..list.count {
        let (offset, text) = list.entry(i);
        println!("{what}[{i}] at +{offset}: {text:?}");
    }
    println!("{what}: pointer after the last untouched: {}", list.pointers[list.count].is_null());
    println!("{what}: bytes after the buffer: {:?}", &list.buf[list.size..]);
}
