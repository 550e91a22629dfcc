//! Descriptor-level calls: `fd_close`, `fd_fdstat_*`, `fd_prestat_*`.

use crate::fds::{self, kind, tty, Entry};
use crate::guest;
use crate::p1::{fdflags, fdstat, filetype, prestat, rights, Errno, P1Result};
use crate::state::Ctx;
use crate::stdio;

pub fn fd_close(cx: Ctx, fd: u32) -> P1Result {
    let entry = fds::get(cx, fd)?;
    fds::remove(cx, fd);
    match entry.kind {
        kind::STDIN | kind::STDOUT | kind::STDERR => stdio::close(entry),
        _ => close_directory(cx, entry),
    }
    Ok(())
}

pub fn fd_fdstat_get(cx: Ctx, fd: u32, stat: u32) -> P1Result {
    let entry = fds::get(cx, fd)?;
    let out = guest::span(cx, stat, fdstat::SIZE)?;
    let (file_type, base, inheriting) = match entry.kind {
        kind::STDIN => (stdio_filetype(cx, fd, entry), rights::FD_READ, rights::FD_READ),
        kind::STDOUT | kind::STDERR => (stdio_filetype(cx, fd, entry), rights::FD_WRITE, rights::FD_WRITE),
        _ => (filetype::DIRECTORY, rights::PREOPEN_BASE, rights::PREOPEN_INHERITING),
    };
    out.write_u8(fdstat::FILETYPE, file_type);
    out.write_u16(fdstat::FLAGS, 0);
    out.write_u64(fdstat::RIGHTS_BASE, base);
    out.write_u64(fdstat::RIGHTS_INHERITING, inheriting);
    Ok(())
}

/// Only regular files carry flags in p1; stdio and directories answer
/// `EBADF`, as native p1 does. Bits p1 does not define are `EINVAL` first.
pub fn fd_fdstat_set_flags(cx: Ctx, fd: u32, flags: u32) -> P1Result {
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::INVAL);
    }
    fds::get(cx, fd)?;
    Err(Errno::BADF)
}

pub fn fd_prestat_get(cx: Ctx, fd: u32, buf: u32) -> P1Result {
    let entry = fds::get(cx, fd)?;
    if entry.kind != kind::PREOPEN {
        return Err(Errno::BADF);
    }
    let out = guest::span(cx, buf, prestat::SIZE)?;
    out.write_u8(prestat::TAG, prestat::TAG_DIR);
    out.write_u32(prestat::NAME_LEN, entry.name_len);
    Ok(())
}

/// Writes the preopen's name, without a terminator. Native p1 answers
/// `ENOTDIR` for a descriptor that is not a preopen (upstream: `EBADF`).
pub fn fd_prestat_dir_name(cx: Ctx, fd: u32, path: u32, path_len: u32) -> P1Result {
    let entry = fds::get(cx, fd)?;
    if entry.kind != kind::PREOPEN {
        return Err(Errno::NOTDIR);
    }
    if entry.name_len > path_len {
        return Err(Errno::NAMETOOLONG);
    }
    let out = guest::span(cx, path, entry.name_len)?;
    let name = entry.name.ptr::<u8>(cx.home());
    unsafe { core::ptr::copy_nonoverlapping(name, out.ptr(), entry.name_len as usize) };
    Ok(())
}

/// Native p1 reports a stdio stream as a character device when it is a
/// terminal, else as unknown; WASI 0.2 tells through wasi:cli/terminal-*.
fn stdio_filetype(cx: Ctx, fd: u32, mut entry: Entry) -> u8 {
    if entry.tty == tty::UNKNOWN {
        entry.tty = if is_terminal(entry.kind) { tty::YES } else { tty::NO };
        fds::set(cx, fd, entry);
    }
    if entry.tty == tty::YES { filetype::CHARACTER_DEVICE } else { filetype::UNKNOWN }
}

#[cfg(not(feature = "proxy"))]
fn is_terminal(stdio_kind: u8) -> bool {
    use crate::bindings::wasi::cli::{terminal_stderr, terminal_stdin, terminal_stdout};
    match stdio_kind {
        kind::STDIN => terminal_stdin::get_terminal_stdin().is_some(),
        kind::STDOUT => terminal_stdout::get_terminal_stdout().is_some(),
        _ => terminal_stderr::get_terminal_stderr().is_some(),
    }
}

/// The proxy world has no terminal interfaces.
#[cfg(feature = "proxy")]
fn is_terminal(_stdio_kind: u8) -> bool {
    false
}

#[cfg(not(feature = "proxy"))]
fn close_directory(cx: Ctx, entry: Entry) {
    use crate::bindings::wasi::filesystem::types::Descriptor;
    drop(unsafe { Descriptor::from_handle(entry.handle) });
    if entry.kind == kind::PREOPEN {
        cx.state().core_mut().heap.free(cx.home(), entry.name, entry.name_len);
    }
}

#[cfg(feature = "proxy")]
fn close_directory(_cx: Ctx, _entry: Entry) {}
