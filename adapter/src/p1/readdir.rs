//! `fd_readdir`: directory entries with p1 cookies, on WASI 0.2's
//! one-way directory streams.
//!
//! Cookies are positions, as in native p1: 0 is ".", 1 is "..", then the
//! host's entries from 2 on; each dirent's `d_next` is its position plus one.
//! A guest reads with the `d_next` of the last whole entry it got, often
//! getting the last, cut-off entry again with a bigger buffer. So the adapter
//! keeps one open stream, where it stands, and the last entry it read; a
//! call that continues where the previous one stopped costs no re-reading
//! (native p1 re-reads the whole directory on every call). Any other cookie
//! restarts the stream and skips to it, and so does a call from cookie 0 or
//! 1, which must see the directory as it is now.

use crate::base::globals;
use crate::memory::layout::Rel;

/// The open directory stream. Its record lives in globals (`load`,
/// `store`): it names a heap block (the last entry's name) and a handle, so
/// it must not be where the guest could overwrite it.
#[derive(Clone, Copy, Default)]
pub struct ReaddirCache {
    /// The fd the stream reads, plus one; 0 when there is no stream.
    fd_plus_one: u32,
    stream: u32,
    /// The position of the entry the stream yields next.
    next: u64,
    /// The last entry read (valid when `last_name_len` is not `u32::MAX`).
    last_position: u64,
    last_inode: u64,
    last_name: Rel,
    last_name_len: u32,
    last_type: u32,
}

/// Reads the record from its globals.
#[cfg_attr(feature = "proxy", allow(dead_code))]
fn load() -> ReaddirCache {
    let wide = |low: u32, high: u32| u64::from(high) << 32 | u64::from(low);
    ReaddirCache {
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

/// Writes the record into its globals.
///
/// # Safety
/// Unless `fd_plus_one` is 0, `stream` must be a directory-entry-stream
/// handle the record owns, and the last name (unless `last_name_len` is
/// `NO_ENTRY`) a heap block of `last_name_len` bytes the record owns.
unsafe fn store(cache: &ReaddirCache) {
    // SAFETY: the caller's contract.
    unsafe {
        globals::set_readdir_fd(cache.fd_plus_one);
        globals::set_readdir_stream(cache.stream);
        globals::set_readdir_last_name(cache.last_name.0);
        globals::set_readdir_last_name_len(cache.last_name_len);
    }
    globals::set_readdir_next_low(cache.next as u32);
    globals::set_readdir_next_high((cache.next >> 32) as u32);
    globals::set_readdir_last_position_low(cache.last_position as u32);
    globals::set_readdir_last_position_high((cache.last_position >> 32) as u32);
    globals::set_readdir_last_inode_low(cache.last_inode as u32);
    globals::set_readdir_last_inode_high((cache.last_inode >> 32) as u32);
    globals::set_readdir_last_type(cache.last_type);
}

/// Forgets any stream without touching it: a fresh home block (the old
/// heap, and the name in it, are gone). The other fields mean nothing
/// while there is no stream.
pub fn reset() {
    // SAFETY: no stream: nothing else is read.
    unsafe { globals::set_readdir_fd(0) };
}

#[cfg(not(feature = "proxy"))]
pub use stream::{directory_changes, fd_readdir, forget};

/// `last_name_len` when there is no last entry.
const NO_ENTRY: u32 = u32::MAX;

#[cfg(not(feature = "proxy"))]
mod stream {
    use super::{NO_ENTRY, ReaddirCache, load, store};
    use crate::base::p1_abi::{Errno, P1Result, dirent, filetype};
    use crate::descriptors::table::Table;
    use crate::host::bindings::wasi::filesystem::types::{DirectoryEntryStream, PathFlags};
    use crate::host::filesystem::{self, borrow};
    use crate::host::paths::{self, Path};
    use crate::memory::block::HeapBlock;
    use crate::memory::guest::{self, Span};
    use crate::memory::state::Ctx;

    /// The name of "." and "..", which are written as dots.
    const NO_NAME: Span = Span::EMPTY;

    /// One directory entry to write.
    struct Dirent {
        position: u64,
        inode: u64,
        file_type: u8,
        /// "." or "..": 1 or 2 dots; else the name is `name`, on the heap.
        dots: u32,
        name: Span,
        name_len: u32,
    }

    pub fn fd_readdir(fds: Table, fd: u32, buf: u32, buf_len: u32, cookie: u64, used: u32) -> P1Result {
        let cx = fds.cx();
        let dir = fds.directory(fd)?;
        let out = guest::span(cx, buf, buf_len)?;
        let used_out = guest::span(cx, used, 4)?;
        let mut written = 0u32;
        let mut position = cookie;
        let mut dir_inode = None;
        // A listing from the start (cookie 0 or 1, rewinddir) must show the
        // directory as it is now, not the rest of an earlier stream.
        let mut fresh = cookie < 2;
        while written < buf_len {
            let entry = if position < 2 {
                let inode = match dir_inode {
                    Some(inode) => inode,
                    None => *dir_inode.insert(borrow(dir.handle).metadata_hash()?.lower),
                };
                Dirent { position, inode, file_type: filetype::DIRECTORY, dots: position as u32 + 1, name: NO_NAME, name_len: position as u32 + 1 }
            } else {
                match entry_at(cx, fd, dir.handle, position, core::mem::take(&mut fresh))? {
                    Some(entry) => entry,
                    None => break,
                }
            };
            let complete = put(out, &mut written, &entry);
            if !complete {
                break;
            }
            position = entry.position + 1;
        }
        used_out.write_u32(0, written);
        Ok(())
    }

    /// Writes a dirent (header then name) at `written`, cut at the buffer's end.
    /// Returns whether all of it fit.
    fn put(out: Span, written: &mut u32, entry: &Dirent) -> bool {
        // The header, then the dots of "." or "..", if it is one of them.
        let mut record = [0u8; dirent::SIZE as usize + 2];
        copy_into(&mut record, dirent::SIZE as usize, b"..");
        copy_into(&mut record, dirent::NEXT, &(entry.position + 1).to_le_bytes());
        copy_into(&mut record, dirent::INO, &entry.inode.to_le_bytes());
        copy_into(&mut record, dirent::NAMLEN, &entry.name_len.to_le_bytes());
        copy_into(&mut record, dirent::TYPE, &[entry.file_type]);
        let record_len = dirent::SIZE + entry.dots;
        let len = record_len.min(out.len() - *written);
        out.write_bytes(*written, record.get(..len as usize).unwrap_or_default());
        *written += len;
        let name_len = entry.name.len().min(out.len() - *written);
        out.copy_from(*written, entry.name.prefix(name_len));
        *written += name_len;
        len == record_len && name_len == entry.name.len()
    }

    fn copy_into(header: &mut [u8], at: usize, bytes: &[u8]) {
        if let Some(slot) = header.get_mut(at..at + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
    }

    /// The host entry at `position` (2 or more), from the cached stream when it
    /// stands there, else from a fresh one. `None` past the last entry.
    fn entry_at(cx: Ctx, fd: u32, dir: u32, position: u64, fresh: bool) -> Result<Option<Dirent>, Errno> {
        let cache = load();
        let ours = cache.fd_plus_one == fd.wrapping_add(1);
        if !fresh && ours && cache.last_name_len != NO_ENTRY && cache.last_position == position {
            return Ok(Some(last_entry(cx, &cache)));
        }
        if fresh || !ours || cache.next != position {
            restart(cx, fd, dir)?;
        }
        loop {
            let cache = load();
            let read = match filesystem::next_entry(cx, cache.stream) {
                Ok(Some(read)) => read,
                Ok(None) => {
                    // A stream at its end shows nothing created since; native
                    // p1 reads the directory afresh on every call, so the next
                    // call starts a fresh stream too.
                    forget_any(cx);
                    return Ok(None);
                }
                Err(errno) => {
                    forget_any(cx);
                    return Err(errno);
                }
            };
            let mut cache = cache;
            forget_last(cx, &mut cache);
            cache.next += 1;
            if cache.next - 1 < position {
                read.name.free(cx);
                // SAFETY: the stream loaded from the record, which owns it;
                // its last name was forgotten just above.
                unsafe { store(&cache) };
                continue;
            }
            // Native p1's inode: the metadata hash of the entry, not followed.
            let inode = match paths::inode_at(dir, PathFlags::empty(), Path::from_heap(cx, &read.name)) {
                Ok(inode) => inode,
                Err(code) => {
                    read.name.free(cx);
                    // SAFETY: as above.
                    unsafe { store(&cache) };
                    return Err(code.into());
                }
            };
            cache.last_position = position;
            cache.last_inode = inode;
            (cache.last_name, cache.last_name_len) = read.name.into_raw();
            cache.last_type = u32::from(read.filetype);
            // SAFETY: the record's own stream; the name is the heap block the
            // host's entry was placed in, now the record's.
            unsafe { store(&cache) };
            return Ok(Some(last_entry(cx, &cache)));
        }
    }

    /// The record's last entry (it has one).
    fn last_entry(cx: Ctx, cache: &ReaddirCache) -> Dirent {
        // SAFETY: the record's last name, a heap block of `last_name_len`
        // bytes it owns (`store`'s contract), read before the record lets
        // go of it.
        let name = unsafe { Span::unchecked(cache.last_name.address(cx.home()), cache.last_name_len) };
        Dirent {
            position: cache.last_position,
            inode: cache.last_inode,
            file_type: cache.last_type as u8,
            dots: 0,
            name,
            name_len: cache.last_name_len,
        }
    }

    /// Opens a new stream on `dir` for `fd`, dropping any previous one.
    fn restart(cx: Ctx, fd: u32, dir: u32) -> Result<(), Errno> {
        forget_any(cx);
        let stream = borrow(dir).read_directory()?;
        // SAFETY: the stream just opened, handed over to the record; no
        // last entry.
        unsafe {
            store(&ReaddirCache {
                fd_plus_one: fd.wrapping_add(1),
                stream: stream.take_handle(),
                next: 2,
                last_name_len: NO_ENTRY,
                ..ReaddirCache::default()
            })
        };
        Ok(())
    }

    /// Frees the remembered entry's name.
    fn forget_last(cx: Ctx, cache: &mut ReaddirCache) {
        if cache.last_name_len != NO_ENTRY {
            // SAFETY: the record owns its last name, forgotten just below.
            unsafe { HeapBlock::from_raw(cache.last_name, cache.last_name_len) }.free(cx);
            cache.last_name_len = NO_ENTRY;
        }
    }

    /// Drops the stream, if any.
    fn forget_any(cx: Ctx) {
        let mut cache = load();
        if cache.fd_plus_one == 0 {
            return;
        }
        forget_last(cx, &mut cache);
        // SAFETY: the cache owned the stream handle; it is dropped once, here, and forgotten just after.
        drop(unsafe { DirectoryEntryStream::from_handle(cache.stream) });
        super::reset();
    }

    /// A call is about to add, remove or rename a directory entry: drops the
    /// stream, so the next `fd_readdir` lists the directory afresh, as native
    /// p1 does on every call, instead of continuing a listing made before
    /// the change (which would show an entry removed since, or miss one
    /// added).
    pub fn directory_changes(cx: Ctx) {
        forget_any(cx);
    }

    /// Drops the stream if it reads `fd` (closed or renumbered).
    pub fn forget(cx: Ctx, fd: u32) {
        if super::globals::readdir_fd() == fd.wrapping_add(1) {
            forget_any(cx);
        }
    }
}
