//! What the file, directory and path calls share: borrowing descriptors,
//! p1 records built from `descriptor-stat`, and the
//! filesystem imports that return lists or strings (written by hand, their
//! results placed by the lowering plan).

use core::mem::ManuallyDrop;

use crate::base::p1_abi::{Errno, LOOKUP_SYMLINK_FOLLOW, filestat, filetype, fstflags};
use crate::host::bindings::wasi::clocks::wall_clock::Datetime;
use crate::host::bindings::wasi::filesystem::types::{Descriptor, DescriptorStat, NewTimestamp, PathFlags};
use crate::host::enums::DescriptorType;
use crate::memory::block::HeapBlock;
use crate::memory::guest::Span;
use crate::memory::layout::Rel;
use crate::memory::lowering;
use crate::memory::state::Ctx;

#[link(wasm_import_module = "wasi:filesystem/types@0.2.12")]
unsafe extern "C" {
    /// `[method]descriptor.read: func(length: filesize, offset: filesize)
    ///     -> result<tuple<list<u8>, bool>, error-code>`
    #[link_name = "[method]descriptor.read"]
    fn descriptor_read(descriptor: u32, length: u64, offset: u64, ret: *mut [u32; 4]);

    /// `[method]descriptor.readlink-at: func(path: string) -> result<string, error-code>`
    #[link_name = "[method]descriptor.readlink-at"]
    fn descriptor_readlink_at(descriptor: u32, path: *const u8, path_len: usize, ret: *mut [u32; 3]);

    /// `[method]directory-entry-stream.read-directory-entry:
    ///     func() -> result<option<directory-entry>, error-code>`
    #[link_name = "[method]directory-entry-stream.read-directory-entry"]
    fn read_directory_entry(stream: u32, ret: *mut [u32; 5]);
}

/// A descriptor of the table, borrowed: dropping it does not close it.
pub fn borrow(handle: u32) -> ManuallyDrop<Descriptor> {
    // SAFETY: the handle stays owned by its table entry: `ManuallyDrop` never drops it.
    ManuallyDrop::new(unsafe { Descriptor::from_handle(handle) })
}

/// p1 `lookupflags` as WASI 0.2 path flags; bits p1 does not define are
/// `EINVAL`.
pub fn path_flags(lookup: u32) -> Result<PathFlags, Errno> {
    if lookup & !LOOKUP_SYMLINK_FOLLOW != 0 {
        return Err(Errno::INVAL);
    }
    Ok(if lookup != 0 { PathFlags::SYMLINK_FOLLOW } else { PathFlags::empty() })
}

/// The p1 file type of a WASI 0.2 descriptor type. p1 has no FIFO (unknown,
/// as native p1 says); WASI 0.2 does not tell stream from datagram sockets,
/// so a socket is a stream socket (native p1 traps instead).
pub fn filetype(ty: DescriptorType) -> u8 {
    match ty {
        DescriptorType::BlockDevice => filetype::BLOCK_DEVICE,
        DescriptorType::CharacterDevice => filetype::CHARACTER_DEVICE,
        DescriptorType::Directory => filetype::DIRECTORY,
        DescriptorType::RegularFile => filetype::REGULAR_FILE,
        DescriptorType::SymbolicLink => filetype::SYMBOLIC_LINK,
        DescriptorType::Socket => filetype::SOCKET_STREAM,
        DescriptorType::Fifo | DescriptorType::Unknown => filetype::UNKNOWN,
    }
}

/// Nanoseconds since the epoch; a missing time is 0, as in native p1.
fn nanoseconds(time: Option<Datetime>) -> Result<u64, Errno> {
    let Some(time) = time else { return Ok(0) };
    time.seconds.checked_mul(1_000_000_000).and_then(|ns| ns.checked_add(u64::from(time.nanoseconds))).ok_or(Errno::OVERFLOW)
}

/// Writes a p1 `filestat` (native p1's choices: device 1, inode from the
/// metadata hash).
pub fn write_filestat(out: Span, stat: &DescriptorStat, inode: u64) -> Result<(), Errno> {
    let (atim, mtim, ctim) =
        (nanoseconds(stat.data_access_timestamp)?, nanoseconds(stat.data_modification_timestamp)?, nanoseconds(stat.status_change_timestamp)?);
    out.write_u64(filestat::DEV, 1);
    out.write_u64(filestat::INO, inode);
    out.write_u8(filestat::FILETYPE, filetype(stat.type_));
    out.write_u64(filestat::NLINK, stat.link_count);
    out.write_u64(filestat::FILE_SIZE, stat.size);
    out.write_u64(filestat::ATIM, atim);
    out.write_u64(filestat::MTIM, mtim);
    out.write_u64(filestat::CTIM, ctim);
    Ok(())
}

/// The new access and modification times of a `*_set_times` call. Setting a
/// time and "now" at once is `EINVAL`, as are bits p1 does not define.
pub fn new_times(atim: u64, mtim: u64, flags: u32) -> Result<(NewTimestamp, NewTimestamp), Errno> {
    if flags & !fstflags::ALL != 0 {
        return Err(Errno::INVAL);
    }
    let one = |time: u64, set: u32, now: u32| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(NewTimestamp::Timestamp(Datetime { seconds: time / 1_000_000_000, nanoseconds: (time % 1_000_000_000) as u32 })),
        (false, true) => Ok(NewTimestamp::Now),
        (false, false) => Ok(NewTimestamp::NoChange),
    };
    Ok((one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?, one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?))
}

/// Writes `data` at `offset`; returns how many bytes the host took. Data at
/// address 0 is `EFAULT`, as Linux answers a null buffer: the host takes it
/// as a slice, which cannot start there.
pub fn write_at(handle: u32, data: Span, offset: u64) -> Result<u64, Errno> {
    // SAFETY: the slice is lent to this one import, which reads it and
    // writes nothing the adapter or the guest can see but its result.
    let bytes = unsafe { data.bytes() }.ok_or(Errno::FAULT)?;
    Ok(borrow(handle).write(bytes, offset)?)
}

/// Reads at most `dst.len` bytes at `offset` straight into `dst`; returns
/// how many.
pub fn read_into(handle: u32, dst: Span, offset: u64) -> Result<u32, Errno> {
    let mut ret = [0u32; 4];
    // SAFETY: the import writes its result to `ret`; the bytes read go where the armed plan says (`dst`, checked).
    lowering::into(dst, || unsafe { descriptor_read(handle, u64::from(dst.len()), offset, &mut ret) });
    let [tag, first, second, _eof] = ret;
    if tag & 0xff != 0 {
        return Err(error_code(first));
    }
    if second != 0 && (first != dst.address() || second > dst.len()) {
        crate::base::diag::unexpected_allocation(second, 1);
    }
    Ok(second)
}

/// The target of a symbolic link, on the adapter heap (`paths::readlink_at`
/// lends the path).
pub(super) fn readlink(cx: Ctx, handle: u32, path: &[u8]) -> Result<HeapBlock, Errno> {
    let mut ret = [0u32; 3];
    // SAFETY: the import reads `path` and writes its result to `ret`; the target goes where the plan says.
    let result = lowering::all_to_heap(cx, || unsafe { descriptor_readlink_at(handle, path.as_ptr(), path.len(), &mut ret) });
    let [tag, first, second] = ret;
    if tag & 0xff != 0 {
        return Err(error_code(first));
    }
    if !result.placed_exactly(core::iter::once((first, second))) {
        crate::base::diag::misplaced_result(second);
    }
    lowering::release_spine(cx, result);
    // SAFETY: the one string this import placed on the heap (just checked),
    // `second` bytes, which nothing else refers to.
    Ok(unsafe { HeapBlock::from_raw(Rel::of(cx.home(), first), second) })
}

/// A directory entry read from a stream: its type and name (on the heap).
pub struct DirectoryEntry {
    pub filetype: u8,
    pub name: HeapBlock,
}

/// The next entry of a directory stream, `None` at the end.
pub fn next_entry(cx: Ctx, stream: u32) -> Result<Option<DirectoryEntry>, Errno> {
    let mut ret = [0u32; 5];
    // SAFETY: the import writes its result to `ret`; the name goes where the plan says.
    let result = lowering::all_to_heap(cx, || unsafe { read_directory_entry(stream, &mut ret) });
    let [tag, option, ty, name, name_len] = ret;
    let placed_exactly = result.placed_exactly(core::iter::once((name, name_len)));
    lowering::release_spine(cx, result);
    if tag & 0xff != 0 {
        return Err(error_code(option));
    }
    if option & 0xff == 0 {
        return Ok(None);
    }
    if !placed_exactly {
        crate::base::diag::misplaced_result(name_len);
    }
    let ty = descriptor_type(ty);
    // SAFETY: the one string this import placed on the heap (just checked),
    // `name_len` bytes, which nothing else refers to.
    let name = unsafe { HeapBlock::from_raw(Rel::of(cx.home(), name), name_len) };
    Ok(Some(DirectoryEntry { filetype: filetype(ty), name }))
}

/// An `error-code` discriminant from a hand-written import's return area.
fn error_code(raw: u32) -> Errno {
    crate::host::errno::from_wasi_code(raw & 0xff)
}

/// A `descriptor-type` discriminant, likewise; one the WIT does not define
/// (a host bug) reads as `unknown`.
fn descriptor_type(raw: u32) -> DescriptorType {
    DescriptorType::_lift((raw & 0xff) as u8)
}

#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.12")]
unsafe extern "C" {
    /// `get-directories: func() -> list<tuple<descriptor, string>>`.
    #[link_name = "get-directories"]
    fn get_directories_import(ret: *mut [u32; 2]);
}

/// The preopened directories, as the list `(address, length)`; its
/// elements and names are placed by `cabi_import_realloc`, which follows the
/// lowering plan the caller armed (and diagnoses anything else).
pub fn get_directories() -> [u32; 2] {
    let mut list = [0u32; 2];
    // SAFETY: the import writes its two-word result to `list`.
    unsafe { get_directories_import(&mut list) };
    list
}
