//! The filesystem imports that take a path. A `Path` is bytes the adapter
//! checked once (in bounds, not at address 0, UTF-8); each function here
//! lends them, as a slice, to exactly one import, which writes no memory the
//! adapter or the guest can see while it reads them. So no slice of guest
//! memory outlives the import it was made for, and the layers above never
//! hold one.

use crate::base::p1_abi::Errno;
use crate::host::bindings::wasi::filesystem::types::{Descriptor, DescriptorFlags, DescriptorStat, NewTimestamp, OpenFlags, PathFlags};
use crate::host::enums::FilesystemErrorCode as ErrorCode;
use crate::host::filesystem::borrow;
use crate::memory::block::HeapBlock;
use crate::memory::guest;
use crate::memory::state::Ctx;

/// A checked path: where it is, not a reference to it.
#[derive(Clone, Copy)]
pub struct Path {
    /// Never null: a dangling pointer for an empty path (`from_guest`).
    start: *const u8,
    len: u32,
}

impl Path {
    /// A path from the guest: in bounds and UTF-8 (`EILSEQ` otherwise, as
    /// native p1 answers; the host would trap on invalid UTF-8). A non-empty
    /// path at address 0 is `EFAULT`, as Linux answers a null path: the host
    /// takes the path as a slice, which cannot start there (native p1 reads
    /// the bytes at 0; no compiler puts a string there).
    pub fn from_guest(cx: Ctx, address: u32, len: u32) -> Result<Path, Errno> {
        // SAFETY: read by the UTF-8 check only, before anything runs.
        let bytes = unsafe { guest::span(cx, address, len)?.bytes() }.ok_or(Errno::FAULT)?;
        if !crate::base::utf8::is_valid(bytes) {
            return Err(Errno::ILSEQ);
        }
        Ok(Path { start: bytes.as_ptr(), len })
    }

    /// A name the host gave (a directory entry's, on the heap): UTF-8 already,
    /// as the canonical ABI lifts only valid strings.
    pub fn from_heap(cx: Ctx, name: &HeapBlock) -> Path {
        let span = name.span(cx);
        // A heap block lies after the state, which starts the home block, so
        // it is never at address 0: the pointer is not null.
        Path { start: span.ptr(), len: span.len() }
    }

    /// The bytes, lent to one import.
    #[inline(always)]
    fn lent<'a>(self) -> &'a [u8] {
        // SAFETY: `start` is not null and `len` bytes from it are checked
        // memory (construction). Every caller (this module's functions)
        // lends the slice to one import, which reads it and writes only its
        // own results (to the adapter's stack, or heap blocks other than the
        // path), and drops it when the import returns.
        unsafe { core::slice::from_raw_parts(self.start, self.len as usize) }
    }
}

pub fn create_directory_at(dir: u32, path: Path) -> Result<(), ErrorCode> {
    borrow(dir).create_directory_at(path.lent())
}

pub fn stat_at(dir: u32, flags: PathFlags, path: Path) -> Result<DescriptorStat, ErrorCode> {
    borrow(dir).stat_at(flags, path.lent())
}

/// The lower half of the path's metadata hash: native p1's inode.
pub fn inode_at(dir: u32, flags: PathFlags, path: Path) -> Result<u64, ErrorCode> {
    Ok(borrow(dir).metadata_hash_at(flags, path.lent())?.lower)
}

pub fn set_times_at(dir: u32, flags: PathFlags, path: Path, atim: NewTimestamp, mtim: NewTimestamp) -> Result<(), ErrorCode> {
    borrow(dir).set_times_at(flags, path.lent(), atim, mtim)
}

pub fn link_at(old_dir: u32, flags: PathFlags, old_path: Path, new_dir: u32, new_path: Path) -> Result<(), ErrorCode> {
    borrow(old_dir).link_at(flags, old_path.lent(), &borrow(new_dir), new_path.lent())
}

pub fn open_at(dir: u32, flags: PathFlags, path: Path, open: OpenFlags, requested: DescriptorFlags) -> Result<Descriptor, ErrorCode> {
    borrow(dir).open_at(flags, path.lent(), open, requested)
}

pub fn remove_directory_at(dir: u32, path: Path) -> Result<(), ErrorCode> {
    borrow(dir).remove_directory_at(path.lent())
}

pub fn rename_at(old_dir: u32, old_path: Path, new_dir: u32, new_path: Path) -> Result<(), ErrorCode> {
    borrow(old_dir).rename_at(old_path.lent(), &borrow(new_dir), new_path.lent())
}

pub fn symlink_at(dir: u32, target: Path, path: Path) -> Result<(), ErrorCode> {
    borrow(dir).symlink_at(target.lent(), path.lent())
}

pub fn unlink_file_at(dir: u32, path: Path) -> Result<(), ErrorCode> {
    borrow(dir).unlink_file_at(path.lent())
}

/// The target of a symbolic link, on the adapter heap.
pub fn readlink_at(cx: Ctx, dir: u32, path: Path) -> Result<HeapBlock, Errno> {
    crate::host::filesystem::readlink(cx, dir, path.lent())
}
