//! Calls on open files: reading and writing at the file's offset, seeking,
//! syncing, sizes and times, advice.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, advice, fdflags, filestat, whence};
use crate::descriptors::table::{Entry, Table, access};
use crate::host::bindings::wasi::filesystem::types::Advice;
use crate::host::filesystem::{self, borrow};
use crate::memory::guest::{self, Span};

/// `fd_read` on a file: at its offset, which moves on.
pub fn read(fds: Table, fd: u32, mut entry: Entry, dst: Span) -> Result<u32, Errno> {
    let read = read_at(entry, dst, entry.position)?;
    entry.position = entry.position.checked_add(u64::from(read)).ok_or(Errno::OVERFLOW)?;
    fds.set(fd, entry);
    Ok(read)
}

/// Reads into `dst` at `offset` (`fd_pread`, and `fd_read` at the file's
/// offset). The checks come in the order of the host's read(2) under native
/// p1 (an offset past `i64::MAX`, then access), for reads of nothing too.
pub fn read_at(entry: Entry, dst: Span, offset: u64) -> Result<u32, Errno> {
    if offset > i64::MAX as u64 {
        return Err(Errno::INVAL);
    }
    allowed(entry, access::READ)?;
    if dst.len() == 0 {
        return Ok(0);
    }
    filesystem::read_into(entry.handle, dst, offset)
}

/// `EBADF` unless the file was opened with `needed` access, as native p1
/// answers, decided here rather than by the host.
fn allowed(entry: Entry, needed: u8) -> Result<(), Errno> {
    match entry.access & needed {
        0 => Err(Errno::BADF),
        _ => Ok(()),
    }
}

/// `fd_write` on a file: at its offset, or at its end in append mode (after
/// which the offset is the end, as in native p1).
pub fn write(fds: Table, fd: u32, mut entry: Entry, data: Span) -> Result<u32, Errno> {
    let written = write_at(entry, data, entry.position)?;
    entry.position = if entry.fdflags & fdflags::APPEND as u8 != 0 {
        borrow(entry.handle).stat()?.size
    } else {
        entry.position.checked_add(u64::from(written)).ok_or(Errno::OVERFLOW)?
    };
    fds.set(fd, entry);
    Ok(written)
}

/// Writes `data` at `offset`, or appends it in append mode (where, as on
/// Linux, a positional write appends too). Checks as for `read_at`; an
/// append ignores the offset.
pub fn write_at(entry: Entry, data: Span, offset: u64) -> Result<u32, Errno> {
    let append = entry.fdflags & fdflags::APPEND as u8 != 0;
    if !append && offset > i64::MAX as u64 {
        return Err(Errno::INVAL);
    }
    allowed(entry, access::WRITE)?;
    if data.len() == 0 {
        return Ok(0);
    }
    if append {
        let stream = borrow(entry.handle).append_via_stream()?;
        return crate::host::streams::write_all(stream.handle(), data);
    }
    // The host takes the data as a slice, which cannot start at address 0:
    // `EFAULT` there (a stream would take it by address, at the cost of one
    // more import in every component).
    let written = filesystem::write_at(entry.handle, data, offset)?;
    u32::try_from(written).map_err(|_| Errno::OVERFLOW)
}

/// Moves a file's offset. Stdio cannot seek (`ESPIPE`). Native p1 traps on a
/// `whence` p1 does not define; ours answers `EINVAL`.
pub fn fd_seek(fds: Table, fd: u32, offset: u64, whence: u32, new_offset: u32) -> P1Result {
    let cx = fds.cx();
    if whence > whence::END {
        return Err(Errno::INVAL);
    }
    let mut entry = fds.seekable(fd)?;
    let out = guest::span(cx, new_offset, 8)?;
    let delta = offset as i64;
    let position = match whence {
        whence::SET => u64::try_from(delta).map_err(|_| Errno::INVAL)?,
        whence::CUR => entry.position.checked_add_signed(delta).ok_or(Errno::INVAL)?,
        _ => borrow(entry.handle).stat()?.size.checked_add_signed(delta).ok_or(Errno::INVAL)?,
    };
    entry.position = position;
    fds.set(fd, entry);
    out.write_u64(0, position);
    Ok(())
}

pub fn fd_tell(fds: Table, fd: u32, offset: u32) -> P1Result {
    let cx = fds.cx();
    let entry = fds.seekable(fd)?;
    guest::span(cx, offset, 8)?.write_u64(0, entry.position);
    Ok(())
}

/// Native p1 traps on an advice p1 does not define; ours answers `EINVAL`.
pub fn fd_advise(fds: Table, fd: u32, offset: u64, len: u64, how: u32) -> P1Result {
    let how = match how {
        advice::NORMAL => Advice::Normal,
        advice::SEQUENTIAL => Advice::Sequential,
        advice::RANDOM => Advice::Random,
        advice::WILLNEED => Advice::WillNeed,
        advice::DONTNEED => Advice::DontNeed,
        advice::NOREUSE => Advice::NoReuse,
        _ => return Err(Errno::INVAL),
    };
    let entry = fds.file(fd)?;
    borrow(entry.handle).advise(offset, len, how)?;
    Ok(())
}

/// WASI 0.2 cannot preallocate: `ENOTSUP` on files, as in native p1.
pub fn fd_allocate(fds: Table, fd: u32, _offset: u64, _len: u64) -> P1Result {
    fds.file(fd)?;
    Err(Errno::NOTSUP)
}

pub fn fd_datasync(fds: Table, fd: u32) -> P1Result {
    let entry = fds.file(fd)?;
    borrow(entry.handle).sync_data()?;
    Ok(())
}

pub fn fd_sync(fds: Table, fd: u32) -> P1Result {
    let entry = fds.file(fd)?;
    borrow(entry.handle).sync()?;
    Ok(())
}

/// Stdio has no metadata: zeros, with the file type `fd_fdstat_get` gives,
/// as native p1 answers.
pub fn fd_filestat_get(fds: Table, fd: u32, buf: u32) -> P1Result {
    let cx = fds.cx();
    let entry = fds.get(fd)?;
    let out = guest::span(cx, buf, filestat::SIZE)?;
    if entry.is_stdio() {
        let (file_type, ..) = crate::p1::descriptor::stdio_fdstat(entry.stdio());
        for field in [filestat::DEV, filestat::INO, filestat::NLINK, filestat::FILE_SIZE, filestat::ATIM, filestat::MTIM, filestat::CTIM] {
            out.write_u64(field, 0);
        }
        out.write_u8(filestat::FILETYPE, file_type);
        return Ok(());
    }
    let descriptor = borrow(entry.handle);
    let stat = descriptor.stat()?;
    let inode = descriptor.metadata_hash()?.lower;
    filesystem::write_filestat(out, &stat, inode)
}

pub fn fd_filestat_set_size(fds: Table, fd: u32, size: u64) -> P1Result {
    let entry = fds.file(fd)?;
    borrow(entry.handle).set_size(size)?;
    Ok(())
}

pub fn fd_filestat_set_times(fds: Table, fd: u32, atim: u64, mtim: u64, flags: u32) -> P1Result {
    let (atim, mtim) = filesystem::new_times(atim, mtim, flags)?;
    let entry = fds.descriptor(fd)?;
    borrow(entry.handle).set_times(atim, mtim)?;
    Ok(())
}
