//! `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`: on the stdio streams of
//! wasi:cli and on files.
//!
//! As in native p1 and upstream, one call moves at most the first non-empty
//! buffer of the iovec array; guests loop. Reads land straight in the guest's
//! buffer.

use crate::fds::{self, kind};
use crate::guest;
use crate::p1::{Errno, P1Result};
use crate::state::Ctx;
use crate::stdio::{self, Stdio};
use crate::streams;

pub fn fd_write(cx: Ctx, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> P1Result {
    let data = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, nwritten, 4)?;
    let written = match entry.kind {
        kind::STDOUT | kind::STDERR => streams::write_all(stdio::handle(stdio_of(entry.kind)), data)?,
        #[cfg(not(feature = "proxy"))]
        kind::FILE => crate::files::write(cx, fd, entry, data)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, written);
    Ok(())
}

pub fn fd_read(cx: Ctx, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> P1Result {
    let dst = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, nread, 4)?;
    let read = match entry.kind {
        kind::STDIN => streams::read_into(stdio::handle(Stdio::In), dst)?,
        #[cfg(not(feature = "proxy"))]
        kind::FILE => crate::files::read(cx, fd, entry, dst)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, read);
    Ok(())
}

/// Writing at an offset: files only; stdout and stderr have no offsets
/// (`ESPIPE`).
#[cfg(not(feature = "proxy"))]
pub fn fd_pwrite(cx: Ctx, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) -> P1Result {
    let data = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, nwritten, 4)?;
    let written = match entry.kind {
        kind::STDOUT | kind::STDERR => return Err(Errno::SPIPE),
        kind::FILE => crate::files::write_at(entry, data, offset)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, written);
    Ok(())
}

/// Reading at an offset: files only; stdin has no offsets (`ESPIPE`).
#[cfg(not(feature = "proxy"))]
pub fn fd_pread(cx: Ctx, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) -> P1Result {
    let dst = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, nread, 4)?;
    let read = match entry.kind {
        kind::STDIN => return Err(Errno::SPIPE),
        kind::FILE => crate::files::read_at(entry, dst, offset)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, read);
    Ok(())
}

/// The stdio stream an entry of kind STDIN, STDOUT or STDERR stands for.
pub fn stdio_of(kind: u8) -> Stdio {
    match kind {
        kind::STDIN => Stdio::In,
        kind::STDOUT => Stdio::Out,
        _ => Stdio::Err,
    }
}
