//! The directory listing `fd_readdir` keeps between calls: one open stream
//! on a directory descriptor, the position of the entry it yields next, and
//! the last entry it read (a guest whose buffer cut that entry short asks
//! for it again). The record lives in globals, out of the guest's reach. It
//! owns the stream and the last entry's name; only this module turns them
//! back into owned values, so `fd_readdir` works with safe ones.

use crate::base::globals;
use crate::base::p1_abi::Errno;
use crate::host::bindings::wasi::filesystem::types::DirectoryEntryStream;
use crate::host::filesystem;
use crate::memory::block::HeapBlock;
use crate::memory::guest::Span;
use crate::memory::layout::Rel;
use crate::memory::state::Ctx;

/// `last_name_len` when there is no last entry.
const NO_ENTRY: u32 = u32::MAX;

/// The record, as its globals hold it.
#[derive(Clone, Copy, Default)]
struct Record {
    /// The fd the stream reads, plus one; 0 when there is no stream.
    fd_plus_one: u32,
    stream: u32,
    /// The position of the entry the stream yields next.
    next: u64,
    /// The last entry read (valid when `last_name_len` is not `NO_ENTRY`).
    last_position: u64,
    last_inode: u64,
    last_name: Rel,
    last_name_len: u32,
    last_type: u32,
}

fn load() -> Record {
    let wide = |low: u32, high: u32| u64::from(high) << 32 | u64::from(low);
    Record {
        fd_plus_one: globals::readdir_fd(),
        stream: globals::readdir_stream(),
        next: wide(globals::readdir_next_low(), globals::readdir_next_high()),
        last_position: wide(globals::readdir_last_position_low(), globals::readdir_last_position_high()),
        last_inode: wide(globals::readdir_last_inode_low(), globals::readdir_last_inode_high()),
        last_name: Rel(globals::readdir_last_name()),
        last_name_len: globals::readdir_last_name_len(),
        last_type: globals::readdir_last_type(),
    }
}

/// # Safety
/// Unless `fd_plus_one` is 0, `stream` must be a directory-entry-stream
/// handle the record owns, and the last name (unless `last_name_len` is
/// `NO_ENTRY`) a heap block of `last_name_len` bytes the record owns.
unsafe fn store(record: &Record) {
    // SAFETY: the caller's contract.
    unsafe {
        globals::set_readdir_fd(record.fd_plus_one);
        globals::set_readdir_stream(record.stream);
        globals::set_readdir_last_name(record.last_name.0);
        globals::set_readdir_last_name_len(record.last_name_len);
    }
    globals::set_readdir_next_low(record.next as u32);
    globals::set_readdir_next_high((record.next >> 32) as u32);
    globals::set_readdir_last_position_low(record.last_position as u32);
    globals::set_readdir_last_position_high((record.last_position >> 32) as u32);
    globals::set_readdir_last_inode_low(record.last_inode as u32);
    globals::set_readdir_last_inode_high((record.last_inode >> 32) as u32);
    globals::set_readdir_last_type(record.last_type);
}

/// The last entry read, as `fd_readdir` writes it. Its name is the record's,
/// valid until the listing moves on.
pub struct LastEntry {
    pub position: u64,
    pub inode: u64,
    pub file_type: u8,
    pub name: Span,
}

/// Where a call that wants the entry at `position` of `fd` stands.
pub enum Resume {
    /// The last entry read is that one (a guest asking again for an entry
    /// its buffer cut short).
    Last(LastEntry),
    /// The stream yields that one next.
    Next,
    /// The listing must start afresh (another fd, another position, or a
    /// call that must see the directory as it is now).
    Restart,
}

/// Where `fd`'s listing stands for the entry at `position`; `fresh` asks
/// for a listing started now.
pub fn resume(cx: Ctx, fd: u32, position: u64, fresh: bool) -> Resume {
    let record = load();
    let ours = record.fd_plus_one == fd.wrapping_add(1);
    if !fresh && ours && record.last_name_len != NO_ENTRY && record.last_position == position {
        return Resume::Last(last_entry(cx, &record));
    }
    if fresh || !ours || record.next != position { Resume::Restart } else { Resume::Next }
}

fn last_entry(cx: Ctx, record: &Record) -> LastEntry {
    // SAFETY: the record's last name, a heap block of `last_name_len` bytes
    // it owns (`store`'s contract).
    let name = unsafe { Span::unchecked(record.last_name.address(cx.home()), record.last_name_len) };
    LastEntry { position: record.last_position, inode: record.last_inode, file_type: record.last_type as u8, name }
}

/// Lists `fd` from position 2 (after "." and "..") on `stream`, which the
/// record takes. The caller dropped any earlier listing (`forget_any`).
pub fn start(fd: u32, stream: DirectoryEntryStream) {
    let record = Record { fd_plus_one: fd.wrapping_add(1), stream: stream.take_handle(), next: 2, last_name_len: NO_ENTRY, ..Record::default() };
    // SAFETY: the stream just handed over; no last entry.
    unsafe { store(&record) };
}

/// Reads on to the entry at `position` (the stream stands at or before
/// it), keeps it as the last entry with the inode `inode_of` gives for its
/// name, and returns it; `None` past the last entry. At the end, or on an
/// error, the listing is dropped: a stream at its end shows nothing created
/// since, and native p1 reads the directory afresh on every call, so the
/// next call starts a fresh one.
#[inline(always)]
pub fn read_to(cx: Ctx, position: u64, inode_of: impl Fn(&HeapBlock) -> Result<u64, Errno>) -> Result<Option<LastEntry>, Errno> {
    loop {
        let mut record = load();
        let entry = match filesystem::next_entry(cx, record.stream) {
            Ok(Some(entry)) => entry,
            Ok(None) => {
                forget_any(cx);
                return Ok(None);
            }
            Err(errno) => {
                forget_any(cx);
                return Err(errno);
            }
        };
        forget_last(cx, &mut record);
        record.next += 1;
        let inode = if record.next - 1 < position { None } else { Some(inode_of(&entry.name)) };
        match inode {
            Some(Ok(inode)) => {
                (record.last_name, record.last_name_len) = entry.name.into_raw();
                record.last_position = position;
                record.last_inode = inode;
                record.last_type = u32::from(entry.filetype);
                // SAFETY: the record's own stream; the name is the heap block
                // the host's entry was placed in, now the record's (the
                // previous one was let go above).
                unsafe { store(&record) };
                return Ok(Some(last_entry(cx, &record)));
            }
            skipped_or_failed => {
                entry.name.free(cx);
                // SAFETY: the record's own stream; its last name was let go
                // above.
                unsafe { store(&record) };
                if let Some(Err(errno)) = skipped_or_failed {
                    return Err(errno);
                }
            }
        }
    }
}

/// Frees the last entry's name.
fn forget_last(cx: Ctx, record: &mut Record) {
    if record.last_name_len != NO_ENTRY {
        // SAFETY: the record owns its last name, forgotten just below.
        unsafe { HeapBlock::from_raw(record.last_name, record.last_name_len) }.free(cx);
        record.last_name_len = NO_ENTRY;
    }
}

/// Drops the listing, if any.
pub fn forget_any(cx: Ctx) {
    let mut record = load();
    if record.fd_plus_one == 0 {
        return;
    }
    forget_last(cx, &mut record);
    // SAFETY: the record owned the stream handle; it is dropped once, here,
    // and forgotten just after.
    drop(unsafe { DirectoryEntryStream::from_handle(record.stream) });
    // SAFETY: no stream: nothing else is read.
    unsafe { globals::set_readdir_fd(0) };
}

/// A call is about to add, remove or rename a directory entry: drops the
/// listing, so the next `fd_readdir` lists the directory afresh, as native
/// p1 does on every call, instead of continuing a listing made before the
/// change (which would show an entry removed since, or miss one added).
pub fn directory_changes(cx: Ctx) {
    forget_any(cx);
}

/// Drops the listing if it reads `fd` (closed or renumbered).
pub fn forget(cx: Ctx, fd: u32) {
    if globals::readdir_fd() == fd.wrapping_add(1) {
        forget_any(cx);
    }
}
