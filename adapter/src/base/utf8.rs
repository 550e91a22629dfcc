//! UTF-8 validation without lookup tables. `core::str::from_utf8` reads a
//! 256-byte table from `.rodata`, which would put a data section in the
//! adapter; paths are short, so plain branches do.

#![deny(unsafe_code)]

/// Whether `bytes` is well-formed UTF-8 (no overlong forms, no surrogates,
/// nothing above U+10FFFF).
pub fn is_valid(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        if first < 0x80 {
            rest = tail;
            continue;
        }
        let (len, min, bits) = match first {
            0xc0..=0xdf => (1, 0x80, u32::from(first & 0x1f)),
            0xe0..=0xef => (2, 0x800, u32::from(first & 0x0f)),
            0xf0..=0xf7 => (3, 0x1_0000, u32::from(first & 0x07)),
            _ => return false,
        };
        let Some((continuation, after)) = tail.split_at_checked(len) else { return false };
        let mut code = bits;
        for byte in continuation {
            if byte & 0xc0 != 0x80 {
                return false;
            }
            code = code << 6 | u32::from(byte & 0x3f);
        }
        if code < min || code > 0x10_ffff || (0xd800..=0xdfff).contains(&code) {
            return false;
        }
        rest = after;
    }
    true
}
