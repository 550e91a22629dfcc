//! random_get of several sizes: the buffer is filled, nothing past it is.

use p1::{raw, report};

fn main() {
    for len in [0usize, 1, 32, 4096, 1 << 20] {
        let mut buf = vec![0u8; len + 16];
        report(&format!("random_get({len})"), unsafe { raw::random_get(buf.as_mut_ptr(), len as u32) });
        let filled = len < 32 || buf[..len].iter().any(|b| *b != 0);
        let untouched = buf[len..].iter().all(|b| *b == 0);
        println!("  filled: {filled}, past the end untouched: {untouched}");
    }
}
