//! The p1 functions not implemented yet: each answers `ERRNO_NOSYS`.
//!
//! The README lists them. The filesystem, poll and socket calls replace these
//! one by one (see the project's issues); until then a guest gets a clean
//! errno, never a trap.

use crate::p1::{Errno, P1Result};
use crate::state::Ctx;

pub fn fd_advise(_cx: Ctx, _fd: u32, _offset: u64, _len: u64, _advice: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_allocate(_cx: Ctx, _fd: u32, _offset: u64, _len: u64) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_datasync(_cx: Ctx, _fd: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_fdstat_set_rights(_cx: Ctx, _fd: u32, _base: u64, _inheriting: u64) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_filestat_get(_cx: Ctx, _fd: u32, _stat: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_filestat_set_size(_cx: Ctx, _fd: u32, _size: u64) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_filestat_set_times(_cx: Ctx, _fd: u32, _atim: u64, _mtim: u64, _flags: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_pread(_cx: Ctx, _fd: u32, _iovs: u32, _iovs_len: u32, _offset: u64, _nread: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_pwrite(_cx: Ctx, _fd: u32, _iovs: u32, _iovs_len: u32, _offset: u64, _nwritten: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_readdir(_cx: Ctx, _fd: u32, _buf: u32, _buf_len: u32, _cookie: u64, _used: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_renumber(_cx: Ctx, _fd: u32, _to: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_seek(_cx: Ctx, _fd: u32, _offset: u64, _whence: u32, _new_offset: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_sync(_cx: Ctx, _fd: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn fd_tell(_cx: Ctx, _fd: u32, _offset: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_create_directory(_cx: Ctx, _fd: u32, _path: u32, _path_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_filestat_get(_cx: Ctx, _fd: u32, _flags: u32, _path: u32, _path_len: u32, _stat: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_filestat_set_times(_cx: Ctx, _fd: u32, _flags: u32, _path: u32, _path_len: u32, _atim: u64, _mtim: u64, _fst_flags: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_link(_cx: Ctx, _old_fd: u32, _old_flags: u32, _old_path: u32, _old_len: u32, _new_fd: u32, _new_path: u32, _new_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_open(_cx: Ctx, _fd: u32, _dirflags: u32, _path: u32, _path_len: u32, _oflags: u32, _base: u64, _inheriting: u64, _fdflags: u32, _opened: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_readlink(_cx: Ctx, _fd: u32, _path: u32, _path_len: u32, _buf: u32, _buf_len: u32, _used: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_remove_directory(_cx: Ctx, _fd: u32, _path: u32, _path_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_rename(_cx: Ctx, _fd: u32, _old_path: u32, _old_len: u32, _new_fd: u32, _new_path: u32, _new_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_symlink(_cx: Ctx, _old_path: u32, _old_len: u32, _fd: u32, _new_path: u32, _new_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn path_unlink_file(_cx: Ctx, _fd: u32, _path: u32, _path_len: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn poll_oneoff(_cx: Ctx, _subscriptions: u32, _events: u32, _count: u32, _nevents: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn sock_accept(_cx: Ctx, _fd: u32, _flags: u32, _accepted: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn sock_recv(_cx: Ctx, _fd: u32, _iovs: u32, _iovs_len: u32, _flags: u32, _nread: u32, _oflags: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn sock_send(_cx: Ctx, _fd: u32, _iovs: u32, _iovs_len: u32, _flags: u32, _nwritten: u32) -> P1Result {
    Err(Errno::NOSYS)
}

pub fn sock_shutdown(_cx: Ctx, _fd: u32, _how: u32) -> P1Result {
    Err(Errno::NOSYS)
}
