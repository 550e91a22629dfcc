//! The `path_*` calls: everything done to a path under a directory
//! descriptor. Paths go to the host as the guest wrote them (no copy), once
//! checked to be in bounds and UTF-8 (`host::paths`).

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, fdflags, filestat, oflags, rights};
use crate::descriptors::listing;
use crate::descriptors::table::{Entry, Table, access, kind};
use crate::host::bindings::wasi::filesystem::types::{DescriptorFlags, OpenFlags};
use crate::host::enums::DescriptorType;
use crate::host::filesystem;
use crate::host::paths::{self, Path};
use crate::memory::guest;

pub fn path_create_directory(fds: Table, fd: u32, path_ptr: u32, path_len: u32) -> P1Result {
    let cx = fds.cx();
    let dir = fds.directory(fd)?;
    listing::directory_changes(cx);
    paths::create_directory_at(dir.handle, Path::from_guest(cx, path_ptr, path_len)?)?;
    Ok(())
}

pub fn path_filestat_get(fds: Table, fd: u32, lookup: u32, path_ptr: u32, path_len: u32, buf: u32) -> P1Result {
    let cx = fds.cx();
    let flags = filesystem::path_flags(lookup)?;
    let dir = fds.directory(fd)?;
    let path = Path::from_guest(cx, path_ptr, path_len)?;
    let out = guest::span(cx, buf, filestat::SIZE)?;
    let stat = paths::stat_at(dir.handle, flags, path)?;
    let inode = paths::inode_at(dir.handle, flags, path)?;
    filesystem::write_filestat(out, &stat, inode)
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(fds: Table, fd: u32, lookup: u32, path_ptr: u32, path_len: u32, atim: u64, mtim: u64, flags: u32) -> P1Result {
    let cx = fds.cx();
    let (atim, mtim) = filesystem::new_times(atim, mtim, flags)?;
    let lookup = filesystem::path_flags(lookup)?;
    let dir = fds.directory(fd)?;
    paths::set_times_at(dir.handle, lookup, Path::from_guest(cx, path_ptr, path_len)?, atim, mtim)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn path_link(fds: Table, old_fd: u32, lookup: u32, old_ptr: u32, old_len: u32, new_fd: u32, new_ptr: u32, new_len: u32) -> P1Result {
    let cx = fds.cx();
    let lookup = filesystem::path_flags(lookup)?;
    let old_dir = fds.directory(old_fd)?;
    let new_dir = fds.directory(new_fd)?;
    let (old_path, new_path) = (Path::from_guest(cx, old_ptr, old_len)?, Path::from_guest(cx, new_ptr, new_len)?);
    listing::directory_changes(cx);
    paths::link_at(old_dir.handle, lookup, old_path, new_dir.handle, new_path)?;
    Ok(())
}

/// Opens a file or directory. Rights only decide read and write access, as
/// in native p1; rights bits p1 does not define are ignored (native p1 traps,
/// upstream ignores them too). Undefined flag bits are `EINVAL`.
#[allow(clippy::too_many_arguments)]
pub fn path_open(
    fds: Table,
    fd: u32,
    lookup: u32,
    path_ptr: u32,
    path_len: u32,
    open: u32,
    base: u64,
    _inheriting: u64,
    flags: u32,
    opened: u32,
) -> P1Result {
    let cx = fds.cx();
    let lookup = filesystem::path_flags(lookup)?;
    if open & !oflags::ALL != 0 || flags & !fdflags::ALL != 0 {
        return Err(Errno::INVAL);
    }
    let path = Path::from_guest(cx, path_ptr, path_len)?;
    let out = guest::span(cx, opened, 4)?;
    let dir = fds.get(fd)?;
    if !dir.is_directory() {
        // Native p1: a file is not a directory, stdio is not a descriptor.
        return Err(if dir.kind == kind::FILE { Errno::NOTDIR } else { Errno::BADF });
    }
    let requested = descriptor_flags(base, flags);
    if open & oflags::CREAT != 0 {
        listing::directory_changes(cx);
    }
    let descriptor = paths::open_at(dir.handle, lookup, path, open_flags(open), requested)?;
    // The descriptor stays owned here until the table takes it: on an error,
    // it is dropped, which closes it.
    let entry = if descriptor.get_type()? == DescriptorType::Directory {
        Entry::new(kind::DIRECTORY, descriptor.handle())
    } else {
        // A host grants the access asked for or refuses the open, but it
        // may grant more: what it opens with when asked for none (wasmtime:
        // read), write when creating or truncating (wasmtime). Then only it
        // can say.
        let asked = access_bits(requested);
        let exact = asked != 0 && open & (oflags::CREAT | oflags::TRUNC) == 0;
        let access = if exact { asked } else { access_bits(descriptor.get_flags()?) };
        let mut entry = Entry::new(kind::FILE, descriptor.handle());
        entry.fdflags = (flags & (fdflags::APPEND | fdflags::NONBLOCK)) as u8;
        entry.access = access;
        entry
    };
    let new_fd = fds.insert(entry)?;
    // The table owns the descriptor now.
    descriptor.take_handle();
    out.write_u32(0, new_fd);
    Ok(())
}

fn open_flags(open: u32) -> OpenFlags {
    let mut flags = OpenFlags::empty();
    for (bit, flag) in [
        (oflags::CREAT, OpenFlags::CREATE),
        (oflags::DIRECTORY, OpenFlags::DIRECTORY),
        (oflags::EXCL, OpenFlags::EXCLUSIVE),
        (oflags::TRUNC, OpenFlags::TRUNCATE),
    ] {
        if open & bit != 0 {
            flags |= flag;
        }
    }
    flags
}

/// The `access` bits of a descriptor's flags.
fn access_bits(flags: DescriptorFlags) -> u8 {
    let mut bits = 0;
    if flags.contains(DescriptorFlags::READ) {
        bits |= access::READ;
    }
    if flags.contains(DescriptorFlags::WRITE) {
        bits |= access::WRITE;
    }
    bits
}

fn descriptor_flags(base: u64, flags: u32) -> DescriptorFlags {
    let mut out = DescriptorFlags::empty();
    if base & rights::FD_READ != 0 {
        out |= DescriptorFlags::READ;
    }
    if base & rights::FD_WRITE != 0 {
        out |= DescriptorFlags::WRITE;
    }
    for (bit, flag) in [
        (fdflags::SYNC, DescriptorFlags::FILE_INTEGRITY_SYNC),
        (fdflags::DSYNC, DescriptorFlags::DATA_INTEGRITY_SYNC),
        (fdflags::RSYNC, DescriptorFlags::REQUESTED_WRITE_SYNC),
    ] {
        if flags & bit != 0 {
            out |= flag;
        }
    }
    out
}

/// Copies a link's target into `buf`, cut to `buf_len` bytes as native p1
/// does; `used` receives how many were written.
pub fn path_readlink(fds: Table, fd: u32, path_ptr: u32, path_len: u32, buf: u32, buf_len: u32, used: u32) -> P1Result {
    let cx = fds.cx();
    let dir = fds.directory(fd)?;
    let path = Path::from_guest(cx, path_ptr, path_len)?;
    // Reading the link changes nothing, so it may come first, as in native p1
    // (which answers EINVAL for a non-link whatever the buffer).
    let target = paths::readlink_at(cx, dir.handle, path)?;
    let (out, used) = match (guest::span(cx, buf, buf_len), guest::span(cx, used, 4)) {
        (Ok(out), Ok(used)) => (out, used),
        (Err(errno), _) | (_, Err(errno)) => {
            target.free(cx);
            return Err(errno);
        }
    };
    let len = out.copy_prefix_from(0, target.span(cx));
    target.free(cx);
    used.write_u32(0, len);
    Ok(())
}

pub fn path_remove_directory(fds: Table, fd: u32, path_ptr: u32, path_len: u32) -> P1Result {
    let cx = fds.cx();
    let dir = fds.directory(fd)?;
    listing::directory_changes(cx);
    paths::remove_directory_at(dir.handle, Path::from_guest(cx, path_ptr, path_len)?)?;
    Ok(())
}

pub fn path_rename(fds: Table, fd: u32, old_ptr: u32, old_len: u32, new_fd: u32, new_ptr: u32, new_len: u32) -> P1Result {
    let cx = fds.cx();
    let old_dir = fds.directory(fd)?;
    let new_dir = fds.directory(new_fd)?;
    let (old_path, new_path) = (Path::from_guest(cx, old_ptr, old_len)?, Path::from_guest(cx, new_ptr, new_len)?);
    listing::directory_changes(cx);
    paths::rename_at(old_dir.handle, old_path, new_dir.handle, new_path)?;
    Ok(())
}

pub fn path_symlink(fds: Table, old_ptr: u32, old_len: u32, fd: u32, new_ptr: u32, new_len: u32) -> P1Result {
    let cx = fds.cx();
    let dir = fds.directory(fd)?;
    let (old_path, new_path) = (Path::from_guest(cx, old_ptr, old_len)?, Path::from_guest(cx, new_ptr, new_len)?);
    listing::directory_changes(cx);
    paths::symlink_at(dir.handle, old_path, new_path)?;
    Ok(())
}

pub fn path_unlink_file(fds: Table, fd: u32, path_ptr: u32, path_len: u32) -> P1Result {
    let cx = fds.cx();
    let dir = fds.directory(fd)?;
    listing::directory_changes(cx);
    paths::unlink_file_at(dir.handle, Path::from_guest(cx, path_ptr, path_len)?)?;
    Ok(())
}
