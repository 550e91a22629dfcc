//! `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`: on the stdio streams of
//! wasi:cli and on files.
//!
//! As in native p1 and upstream, one call moves at most the first non-empty
//! buffer of the iovec array; guests loop. Reads land straight in the guest's
//! buffer.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result};
use crate::base::stdio::{self, Stdio};
use crate::descriptors::table::{Table, kind};
use crate::host::streams;
use crate::memory::guest;

pub fn fd_write(fds: Table, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> P1Result {
    let cx = fds.cx();
    let data = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds.get(fd)?;
    let out = guest::span(cx, nwritten, 4)?;
    let written = match entry.kind {
        kind::STDOUT | kind::STDERR => streams::write_all(stdio::handle(entry.stdio()), data)?,
        #[cfg(not(feature = "proxy"))]
        kind::FILE => crate::p1::file::write(fds, fd, entry, data)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, written);
    Ok(())
}

pub fn fd_read(fds: Table, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> P1Result {
    let cx = fds.cx();
    let dst = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds.get(fd)?;
    let out = guest::span(cx, nread, 4)?;
    let read = match entry.kind {
        kind::STDIN => streams::read_into(stdio::handle(Stdio::In), dst)?,
        #[cfg(not(feature = "proxy"))]
        kind::FILE => crate::p1::file::read(fds, fd, entry, dst)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, read);
    Ok(())
}

/// Writing at an offset: files only; stdout and stderr have no offsets
/// (`ESPIPE`).
#[cfg(not(feature = "proxy"))]
pub fn fd_pwrite(fds: Table, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) -> P1Result {
    let cx = fds.cx();
    let data = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds.get(fd)?;
    let out = guest::span(cx, nwritten, 4)?;
    let written = match entry.kind {
        kind::STDOUT | kind::STDERR => return Err(Errno::SPIPE),
        kind::FILE => crate::p1::file::write_at(entry, data, offset)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, written);
    Ok(())
}

/// Reading at an offset: files only; stdin has no offsets (`ESPIPE`).
#[cfg(not(feature = "proxy"))]
pub fn fd_pread(fds: Table, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) -> P1Result {
    let cx = fds.cx();
    let dst = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds.get(fd)?;
    let out = guest::span(cx, nread, 4)?;
    let read = match entry.kind {
        kind::STDIN => return Err(Errno::SPIPE),
        kind::FILE => crate::p1::file::read_at(entry, dst, offset)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, read);
    Ok(())
}
