//! args_* and environ_*: sizes, contents, where each string lands in the
//! buffer, and that nothing past the buffer is touched.

use p1::{raw, report};

fn main() {
    show("args", raw::args_sizes_get, raw::args_get);
    show("environ", raw::environ_sizes_get, raw::environ_get);
}

type Sizes = unsafe extern "C" fn(*mut u32, *mut u32) -> i32;
type Get = unsafe extern "C" fn(*mut *mut u8, *mut u8) -> i32;

fn show(what: &str, sizes: Sizes, get: Get) {
    let (mut count, mut size) = (0u32, 0u32);
    report(&format!("{what}_sizes_get"), unsafe { sizes(&mut count, &mut size) });
    println!("{what}: count={count} buf_size={size}");
    let mut pointers = vec![std::ptr::null_mut::<u8>(); count as usize + 1];
    let mut buf = vec![0xa5u8; size as usize + 8];
    report(&format!("{what}_get"), unsafe { get(pointers.as_mut_ptr(), buf.as_mut_ptr()) });
    let base = buf.as_ptr() as usize;
    for (i, pointer) in pointers.iter().take(count as usize).enumerate() {
        let offset = *pointer as usize - base;
        let text: Vec<u8> = buf[offset..].iter().take_while(|b| **b != 0).copied().collect();
        println!("{what}[{i}] at +{offset}: {:?}", String::from_utf8_lossy(&text));
    }
    println!("{what}: pointer after the last untouched: {}", pointers[count as usize].is_null());
    println!("{what}: bytes after the buffer: {:?}", &buf[size as usize..]);
}
