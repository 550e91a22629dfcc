//! Descriptor-level calls: `fd_close`, `fd_renumber`, `fd_fdstat_*`,
//! `fd_prestat_*`.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, fdflags, fdstat, filetype, prestat, rights};
use crate::base::stdio::Stdio;
use crate::descriptors::table::{Entry, Table, kind};
use crate::memory::guest;
use crate::memory::state::Ctx;

pub fn fd_close(fds: Table, fd: u32) -> P1Result {
    let cx = fds.cx();
    let closing = fds.take(fd)?;
    forget_fd(cx, fd);
    closing.close(cx);
    Ok(())
}

/// Makes `to` stand for what `from` stood for, closing what `to` was. Both
/// must be open. A renumbered preopen keeps its name.
pub fn fd_renumber(fds: Table, from: u32, to: u32) -> P1Result {
    let cx = fds.cx();
    let Some(replaced) = fds.renumber(from, to)? else {
        return Ok(());
    };
    forget_fd(cx, from);
    forget_fd(cx, to);
    replaced.close(cx);
    Ok(())
}

/// Drops caches keyed by an fd number that no longer means the same.
fn forget_fd(cx: Ctx, fd: u32) {
    #[cfg(not(feature = "proxy"))]
    crate::descriptors::listing::forget(cx, fd);
    let _ = (cx, fd);
}

pub fn fd_fdstat_get(fds: Table, fd: u32, stat: u32) -> P1Result {
    let cx = fds.cx();
    let entry = fds.get(fd)?;
    let out = guest::span(cx, stat, fdstat::SIZE)?;
    let (file_type, flags, base, inheriting) = match entry.kind {
        kind::STDIN | kind::STDOUT | kind::STDERR => stdio_fdstat(entry.stdio()),
        kind::PREOPEN => (filetype::DIRECTORY, 0, rights::PREOPEN_BASE, rights::PREOPEN_INHERITING),
        #[cfg(not(feature = "proxy"))]
        _ => {
            let (file_type, flags, base) = opened_fdstat(entry)?;
            (file_type, flags, base, base)
        }
        #[cfg(feature = "proxy")]
        _ => return Err(Errno::BADF),
    };
    write_fdstat(out, (file_type, flags, base, inheriting));
    Ok(())
}

/// Writes an `fdstat` record: file type, flags, base and inheriting rights.
#[inline(always)]
pub fn write_fdstat(out: guest::Span, (file_type, flags, base, inheriting): (u8, u16, u64, u64)) {
    out.write_u8(fdstat::FILETYPE, file_type);
    out.write_u16(fdstat::FLAGS, flags);
    out.write_u64(fdstat::RIGHTS_BASE, base);
    out.write_u64(fdstat::RIGHTS_INHERITING, inheriting);
}

/// What native p1 reports for a descriptor `path_open` made: every right but
/// those its access mode or type rules out, and the flags it carries.
#[cfg(not(feature = "proxy"))]
fn opened_fdstat(entry: Entry) -> Result<(u8, u16, u64), Errno> {
    use crate::host::bindings::wasi::filesystem::types::DescriptorFlags;
    let descriptor = crate::host::filesystem::borrow(entry.handle);
    let access = descriptor.get_flags()?;
    let file_type = crate::host::filesystem::filetype(descriptor.get_type()?);
    let mut base = rights::ALL;
    if file_type == filetype::DIRECTORY {
        base &= !(rights::FD_SEEK | rights::FD_FILESTAT_SET_SIZE | rights::PATH_FILESTAT_SET_SIZE);
    }
    if !access.contains(DescriptorFlags::READ) {
        base &= !(rights::FD_READ | rights::FD_READDIR);
    }
    if !access.contains(DescriptorFlags::WRITE) {
        base &= !rights::FD_WRITE;
    }
    let mut flags = u32::from(entry.fdflags);
    for (flag, bit) in [
        (DescriptorFlags::DATA_INTEGRITY_SYNC, fdflags::DSYNC),
        (DescriptorFlags::REQUESTED_WRITE_SYNC, fdflags::RSYNC),
        (DescriptorFlags::FILE_INTEGRITY_SYNC, fdflags::SYNC),
    ] {
        if access.contains(flag) {
            flags |= bit;
        }
    }
    Ok((file_type, flags as u16, base))
}

/// Only files carry flags the adapter can change (APPEND and NONBLOCK);
/// stdio and directories answer `EBADF`, as native p1 does. The sync flags
/// cannot change once open (`EINVAL`), nor can bits p1 does not define
/// (`EINVAL` first; native p1 traps on those).
pub fn fd_fdstat_set_flags(fds: Table, fd: u32, flags: u32) -> P1Result {
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::INVAL);
    }
    let mut entry = fds.file(fd)?;
    if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::INVAL);
    }
    entry.fdflags = (flags & (fdflags::APPEND | fdflags::NONBLOCK)) as u8;
    fds.set(fd, entry);
    Ok(())
}

/// Rights cannot be changed under WASI 0.2: `ENOTSUP` for files and
/// directories, `EBADF` for stdio, as native p1 answers.
pub fn fd_fdstat_set_rights(fds: Table, fd: u32, _base: u64, _inheriting: u64) -> P1Result {
    fds.descriptor(fd)?;
    Err(Errno::NOTSUP)
}

pub fn fd_prestat_get(fds: Table, fd: u32, buf: u32) -> P1Result {
    let cx = fds.cx();
    let entry = fds.get(fd)?;
    if entry.kind != kind::PREOPEN {
        return Err(Errno::BADF);
    }
    let out = guest::span(cx, buf, prestat::SIZE)?;
    out.write_u8(prestat::TAG, prestat::TAG_DIR);
    out.write_u32(prestat::NAME_LEN, entry.name_len());
    Ok(())
}

/// Writes the preopen's name, without a terminator. Native p1 answers
/// `ENOTDIR` for a descriptor that is not a preopen (upstream: `EBADF`).
pub fn fd_prestat_dir_name(fds: Table, fd: u32, path: u32, path_len: u32) -> P1Result {
    let cx = fds.cx();
    let entry = fds.get(fd)?;
    if entry.kind != kind::PREOPEN {
        return Err(Errno::NOTDIR);
    }
    if entry.name_len() > path_len {
        return Err(Errno::NAMETOOLONG);
    }
    let out = guest::span(cx, path, entry.name_len())?;
    out.copy_prefix_from(0, entry.preopen_name(cx));
    Ok(())
}

/// What native p1 reports for a stdio stream: a character device when it
/// is a terminal, else unknown (WASI 0.2 tells through wasi:cli/terminal-*),
/// and the one right its direction gives, as base and inheriting rights.
#[inline(always)]
pub fn stdio_fdstat(which: Stdio) -> (u8, u16, u64, u64) {
    let file_type = if crate::descriptors::terminals::is_terminal(which) { filetype::CHARACTER_DEVICE } else { filetype::UNKNOWN };
    let right = if which == Stdio::In { rights::FD_READ } else { rights::FD_WRITE };
    (file_type, 0, right, right)
}
