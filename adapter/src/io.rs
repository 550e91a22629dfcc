//! `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`: on the stdio streams of
//! wasi:cli and on files.
//!
//! As in native p1 and upstream, one call moves at most the first non-empty
//! buffer of the iovec array; guests loop. Reads land straight in the guest's
//! buffer.

use core::mem::ManuallyDrop;

use crate::bindings::wasi::cli::{stderr, stdin, stdout};
use crate::bindings::wasi::io::streams::{InputStream, OutputStream};
use crate::errno;
use crate::fds::{self, kind, Entry};
use crate::guest::{self, Span};
use crate::lowering;
use crate::p1::{Errno, P1Result};
use crate::state::Ctx;

#[link(wasm_import_module = "wasi:io/streams@0.2.12")]
unsafe extern "C" {
    /// `[method]input-stream.blocking-read: func(len: u64) -> result<list<u8>, stream-error>`.
    #[link_name = "[method]input-stream.blocking-read"]
    fn blocking_read(stream: u32, len: u64, ret: *mut [u32; 3]);
}

pub fn fd_write(cx: Ctx, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> P1Result {
    let data = guest::first_nonempty_iovec(cx, iovs, iovs_len)?;
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, nwritten, 4)?;
    let written = match entry.kind {
        kind::STDOUT | kind::STDERR => write_all(&output(cx, fd, entry), data)?,
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
        kind::STDIN => read_into(cx, stream_handle(cx, fd, entry), dst)?,
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
        kind::FILE => crate::files::read_at(cx, entry, dst, offset)?,
        _ => return Err(Errno::BADF),
    };
    out.write_u32(0, read);
    Ok(())
}

/// Most `blocking-write-and-flush` accepts in one call.
const ONE_CALL_WRITE: u32 = 4096;

/// Blocking write of all of `data`, as native p1 does for stdio. Up to 4 KiB
/// is one `blocking-write-and-flush`. Beyond, pieces are as large as
/// `check-write` permits (wasmtime: 64 KiB for stdout), then one flush:
/// a 64 KiB write is 3 host calls instead of 16.
pub fn write_all(stream: &OutputStream, data: Span) -> Result<u32, Errno> {
    if data.len <= ONE_CALL_WRITE {
        stream.blocking_write_and_flush(data.bytes()).map_err(errno::from_stream)?;
        return Ok(data.len);
    }
    let mut rest = data.bytes();
    while !rest.is_empty() {
        let permitted = stream.check_write().map_err(errno::from_stream)?;
        if permitted == 0 {
            stream.subscribe().block();
            continue;
        }
        let take = usize::try_from(permitted).unwrap_or(usize::MAX).min(rest.len());
        let (piece, tail) = rest.split_at_checked(take).unwrap_or((rest, &[]));
        stream.write(piece).map_err(errno::from_stream)?;
        rest = tail;
    }
    stream.blocking_flush().map_err(errno::from_stream)?;
    Ok(data.len)
}

/// One blocking read of at most `dst.len` bytes straight into `dst`. A closed
/// stream reads as end of file.
fn read_into(cx: Ctx, stream: u32, dst: Span) -> Result<u32, Errno> {
    if dst.len == 0 {
        // A zero-length read reads nothing; upstream agrees. (Native p1 asks
        // the stream for 0 bytes and reports the empty result as EINTR.)
        return Ok(0);
    }
    let mut ret = [0u32; 3];
    lowering::into(cx, dst, || unsafe { blocking_read(stream, u64::from(dst.len), &mut ret) });
    let [tag, first, second] = ret;
    match tag & 0xff {
        0 => {
            if second != 0 && (first != dst.address || second > dst.len) {
                crate::diag::unexpected_allocation(second, 1);
            }
            Ok(second)
        }
        _ => match first & 0xff {
            // last-operation-failed(error)
            0 => {
                let error = unsafe { crate::bindings::wasi::io::streams::Error::from_handle(second) };
                Err(errno::from_stream(crate::bindings::wasi::io::streams::StreamError::LastOperationFailed(error)))
            }
            // closed
            _ => Ok(0),
        },
    }
}

/// The output stream of a stdio entry, borrowed from the table.
fn output(cx: Ctx, fd: u32, entry: Entry) -> ManuallyDrop<OutputStream> {
    ManuallyDrop::new(unsafe { OutputStream::from_handle(stream_handle(cx, fd, entry)) })
}

/// The stream handle of a stdio entry, fetched on first use.
pub fn stream_handle(cx: Ctx, fd: u32, mut entry: Entry) -> u32 {
    if entry.handle == 0 {
        entry.handle = match entry.kind {
            kind::STDIN => stdin::get_stdin().take_handle(),
            kind::STDOUT => stdout::get_stdout().take_handle(),
            _ => stderr::get_stderr().take_handle(),
        };
        fds::set(cx, fd, entry);
    }
    entry.handle
}

/// Drops a stdio entry's stream, if it was ever fetched.
pub fn close_stdio(entry: Entry) {
    if entry.handle == 0 {
        return;
    }
    match entry.kind {
        kind::STDIN => drop(unsafe { InputStream::from_handle(entry.handle) }),
        _ => drop(unsafe { OutputStream::from_handle(entry.handle) }),
    }
}
