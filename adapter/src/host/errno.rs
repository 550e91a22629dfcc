//! From WASI 0.2 errors to p1 errnos: the one table, as native p1 maps them.

#![deny(unsafe_code)]

use crate::base::p1_abi::Errno;

#[cfg(not(feature = "proxy"))]
use crate::host::enums::FilesystemErrorCode as ErrorCode;

/// The p1 errno of each `wasi:filesystem/types.error-code`, in WIT order.
const BY_WASI_CODE: [Errno; 37] = [
    Errno::ACCES,          // access
    Errno::AGAIN,          // would-block
    Errno::ALREADY,        // already
    Errno::BADF,           // bad-descriptor
    Errno::BUSY,           // busy
    Errno::DEADLK,         // deadlock
    Errno::DQUOT,          // quota
    Errno::EXIST,          // exist
    Errno::FBIG,           // file-too-large
    Errno::ILSEQ,          // illegal-byte-sequence
    Errno::INPROGRESS,     // in-progress
    Errno::INTR,           // interrupted
    Errno::INVAL,          // invalid
    Errno::IO,             // io
    Errno::ISDIR,          // is-directory
    Errno::LOOP,           // loop
    Errno::MLINK,          // too-many-links
    Errno::MSGSIZE,        // message-size
    Errno::NAMETOOLONG,    // name-too-long
    Errno::NODEV,          // no-device
    Errno::NOENT,          // no-entry
    Errno::NOLCK,          // no-lock
    Errno::NOMEM,          // insufficient-memory
    Errno::NOSPC,          // insufficient-space
    Errno::NOTDIR,         // not-directory
    Errno::NOTEMPTY,       // not-empty
    Errno::NOTRECOVERABLE, // not-recoverable
    Errno::NOTSUP,         // unsupported
    Errno::NOTTY,          // no-tty
    Errno::NXIO,           // no-such-device
    Errno::OVERFLOW,       // overflow
    Errno::PERM,           // not-permitted
    Errno::PIPE,           // pipe
    Errno::ROFS,           // read-only
    Errno::SPIPE,          // invalid-seek
    Errno::TXTBSY,         // text-file-busy
    Errno::XDEV,           // cross-device
];

/// The table packed eight errnos (each below 256) to a word, so that it
/// lives in immediates: the adapter may not have a data section.
const fn packed(word: usize) -> u64 {
    let mut packed = 0u64;
    let mut i = 0;
    while i < 8 {
        let index = word * 8 + i;
        if index < BY_WASI_CODE.len() {
            packed |= (BY_WASI_CODE[index].0 as u64) << (8 * i);
        }
        i += 1;
    }
    packed
}

/// The errno for a WASI 0.2 filesystem error code as the host sent it. A
/// code the WIT does not define is the host's bug; it reads as `EIO`.
#[inline(never)]
pub fn from_wasi_code(code: u32) -> Errno {
    let word = match code / 8 {
        0 => const { packed(0) },
        1 => const { packed(1) },
        2 => const { packed(2) },
        3 => const { packed(3) },
        4 => const { packed(4) },
        _ => return Errno::IO,
    };
    match (word >> (8 * (code % 8))) as u8 {
        0 => Errno::IO,
        errno => Errno(u16::from(errno)),
    }
}

// Checked at compile time: every errno fits a byte of the packed table.
const _: () = {
    let mut i = 0;
    while i < BY_WASI_CODE.len() {
        assert!(BY_WASI_CODE[i].0 != 0 && BY_WASI_CODE[i].0 < 256);
        i += 1;
    }
};

#[cfg(not(feature = "proxy"))]
pub fn from_filesystem(code: ErrorCode) -> Errno {
    from_wasi_code(u32::from(code.0))
}

#[cfg(not(feature = "proxy"))]
impl From<ErrorCode> for Errno {
    fn from(code: ErrorCode) -> Errno {
        from_filesystem(code)
    }
}
