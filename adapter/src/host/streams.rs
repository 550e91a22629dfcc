//! wasi:io streams, imported by hand so that the same code serves calls
//! with and without the adapter's memory: every result lands in a `scratch`
//! area, one import at a time, and nothing uses the shadow stack.

use crate::base::p1_abi::Errno;
use crate::memory::guest::Span;
use crate::memory::scratch;

#[link(wasm_import_module = "wasi:io/streams@0.2.12")]
unsafe extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(stream: u32, data: u32, len: u32, ret: u32);
    #[link_name = "[method]output-stream.check-write"]
    fn check_write(stream: u32, ret: u32);
    #[link_name = "[method]output-stream.write"]
    fn write(stream: u32, data: u32, len: u32, ret: u32);
    #[link_name = "[method]output-stream.blocking-flush"]
    fn blocking_flush(stream: u32, ret: u32);
    /// `blocking-read: func(len: u64) -> result<list<u8>, stream-error>`.
    #[link_name = "[method]input-stream.blocking-read"]
    fn blocking_read(stream: u32, len: u64, ret: u32);
}

#[link(wasm_import_module = "wasi:io/error@0.2.12")]
unsafe extern "C" {
    #[link_name = "[resource-drop]error"]
    fn drop_error(error: u32);
}

#[cfg(not(feature = "proxy"))]
#[link(wasm_import_module = "wasi:filesystem/types@0.2.12")]
unsafe extern "C" {
    /// `filesystem-error-code: func(err: borrow<error>) -> option<error-code>`.
    #[link_name = "filesystem-error-code"]
    fn filesystem_error_code(error: u32, ret: u32);
}

/// Most `blocking-write-and-flush` accepts in one call.
const ONE_CALL_WRITE: u32 = 4096;

/// What a `result<_, stream-error>` at `at` says: `Ok` or the errno. The
/// error variant (tag at `at + 4`, handle at `at + 8`) is decoded here.
#[inline(always)]
fn unit_result(at: u32) -> Result<(), Errno> {
    match scratch::u8_at(at, 0) {
        0 => Ok(()),
        _ => Err(failure(scratch::u8_at(at, 4), scratch::u32_at(at, 8))),
    }
}

/// The errno of a `stream-error`: `closed` is an I/O error for writers
/// (readers treat it as end of file first); a failed operation maps its
/// filesystem error code, if the error carries one.
#[inline(never)]
pub fn failure(tag: u8, error: u32) -> Errno {
    if tag != 0 {
        return Errno::IO;
    }
    #[cfg(not(feature = "proxy"))]
    // SAFETY: `error` is the handle the host just returned; it is borrowed
    // for the import and dropped after.
    let errno = scratch::with(0, 0, |at| unsafe {
        filesystem_error_code(error, at);
        match scratch::u8_at(at, 0) {
            0 => Errno::IO,
            _ => crate::host::errno::from_wasi_code(u32::from(scratch::u8_at(at, 1))),
        }
    })
    .unwrap_or(Errno::IO);
    #[cfg(feature = "proxy")]
    let errno = Errno::IO;
    // SAFETY: the error resource is ours to drop, once.
    unsafe { drop_error(error) };
    errno
}

/// Blocking write of all of `data`, as native p1 does for stdio and
/// appends. Up to 4 KiB is one `blocking-write-and-flush`. Beyond, pieces
/// are as large as `check-write` permits (wasmtime: 64 KiB for stdout),
/// then one flush: a 64 KiB write is 3 host calls instead of 16. While the
/// stream permits nothing, 4 KiB pieces go by `blocking-write-and-flush`.
#[inline(always)]
pub fn write_all(stream: u32, data: Span) -> Result<u32, Errno> {
    crate::base::p1_abi::unpack(write_all_packed(stream, data.address(), data.len()))
}

#[inline(never)]
fn write_all_packed(stream: u32, address: u32, len: u32) -> u64 {
    // SAFETY: the parts of the span `write_all` was given, passed out of line as scalars.
    crate::base::p1_abi::pack(write_all_inline(stream, unsafe { Span::unchecked(address, len) }))
}

#[inline(always)]
fn write_all_inline(stream: u32, data: Span) -> Result<u32, Errno> {
    if data.len() <= ONE_CALL_WRITE {
        // SAFETY: `data` is checked guest memory the host reads; the result
        // goes to scratch.
        scratch::with(0, 0, |at| unsafe {
            blocking_write_and_flush(stream, data.address(), data.len(), at);
            unit_result(at)
        })
        .unwrap_or(Err(Errno::FAULT))?;
        return Ok(data.len());
    }
    crate::base::p1_abi::unpack(write_in_pieces(stream, data.address(), data.len()))
}

/// `write_all` beyond one call, returning `p1_abi::pack`ed.
#[inline(never)]
fn write_in_pieces(stream: u32, address: u32, len: u32) -> u64 {
    // SAFETY: as in `write_all_packed`.
    crate::base::p1_abi::pack(write_pieces(stream, unsafe { Span::unchecked(address, len) }))
}

#[inline(always)]
fn write_pieces(stream: u32, data: Span) -> Result<u32, Errno> {
    let end = data.address().wrapping_add(data.len());
    let mut next = data.address();
    while next != end {
        let mut permitted = permitted_write(stream)?;
        if permitted == 0 {
            // The stream is busy with what was written before: a blocking
            // flush waits for it, so a write never needs wasi:io/poll (a
            // component whose program never polls then does not import it,
            // as with upstream's adapter). A blocking write would not do:
            // jco's traps, instead of waiting, when the bytes do not fit.
            flush(stream)?;
            permitted = permitted_write(stream)?;
        }
        if permitted == 0 {
            // Still nothing: one blocking write, which waits as it can.
            let take = ONE_CALL_WRITE.min(end.wrapping_sub(next));
            // SAFETY: `[next, next + take)` lies within `data`; the result
            // goes to scratch.
            scratch::with(0, 0, |at| unsafe {
                blocking_write_and_flush(stream, next, take, at);
                unit_result(at)
            })
            .unwrap_or(Err(Errno::FAULT))?;
            next = next.wrapping_add(take);
            continue;
        }
        let take = permitted.min(u64::from(end.wrapping_sub(next))) as u32;
        // SAFETY: `[next, next + take)` lies within `data`.
        scratch::with(0, 0, |at| unsafe {
            write(stream, next, take, at);
            unit_result(at)
        })
        .unwrap_or(Err(Errno::FAULT))?;
        next = next.wrapping_add(take);
    }
    flush(stream)?;
    Ok(data.len())
}

/// What `check-write` permits now. Inline: `write_pieces` runs without a
/// stack.
#[inline(always)]
fn permitted_write(stream: u32) -> Result<u64, Errno> {
    // SAFETY: the import writes only its result, to scratch.
    scratch::with(0, 0, |at| unsafe {
        check_write(stream, at);
        match scratch::u8_at(at, 0) {
            0 => Ok(scratch::u64_at(at, 8)),
            _ => Err(failure(scratch::u8_at(at, 8), scratch::u32_at(at, 12))),
        }
    })
    .unwrap_or(Err(Errno::FAULT))
}

/// A blocking flush: returns once what was written has gone out. Inline,
/// as `permitted_write`.
#[inline(always)]
fn flush(stream: u32) -> Result<(), Errno> {
    // SAFETY: the result goes to scratch.
    scratch::with(0, 0, |at| unsafe {
        blocking_flush(stream, at);
        unit_result(at)
    })
    .unwrap_or(Err(Errno::FAULT))
}

/// One blocking read of at most `dst.len` bytes straight into `dst` (the
/// `into` plan of `lowering`). A closed stream reads as end of file. A
/// buffer that leaves no room for scratch (it covers nearly all of memory)
/// is read into its first half: a short read, as streams may give.
#[inline(always)]
pub fn read_into(stream: u32, dst: Span) -> Result<u32, Errno> {
    crate::base::p1_abi::unpack(read_into_packed(stream, dst.address(), dst.len()))
}

#[inline(never)]
fn read_into_packed(stream: u32, address: u32, len: u32) -> u64 {
    // SAFETY: the parts of the span `read_into` was given, passed out of line as scalars.
    crate::base::p1_abi::pack(read_into_inline(stream, unsafe { Span::unchecked(address, len) }))
}

#[inline(always)]
fn read_into_inline(stream: u32, dst: Span) -> Result<u32, Errno> {
    if dst.len() == 0 {
        // A zero-length read reads nothing; upstream agrees. (Native p1 asks
        // the stream for 0 bytes and reports the empty result as EINTR.)
        return Ok(0);
    }
    let dst = if scratch::available(dst.address(), dst.len()) { dst } else { dst.prefix(dst.len() / 2) };
    let (tag, first, second) = scratch::with(dst.address(), dst.len(), |at| {
        crate::memory::lowering::arm_into(dst);
        // SAFETY: the list goes to `dst` through the plan, the rest to scratch.
        unsafe { blocking_read(stream, u64::from(dst.len()), at) };
        crate::memory::lowering::disarm_into();
        (scratch::u8_at(at, 0), scratch::u32_at(at, 4), scratch::u32_at(at, 8))
    })
    .ok_or(Errno::FAULT)?;
    match tag {
        0 => {
            if second != 0 && (first != dst.address() || second > dst.len()) {
                crate::base::diag::unexpected_allocation(second, 1);
            }
            Ok(second)
        }
        // closed
        _ if first & 0xff != 0 => Ok(0),
        _ => Err(failure(0, second)),
    }
}
