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
//! The open stream and the last entry are kept by `descriptors::listing`.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, dirent, filetype};
use crate::descriptors::listing::{self, LastEntry, Resume};
use crate::descriptors::table::Table;
use crate::host::bindings::wasi::filesystem::types::PathFlags;
use crate::host::filesystem::borrow;
use crate::host::paths::{self, Path};
use crate::memory::block::HeapBlock;
use crate::memory::guest::{self, Span};
use crate::memory::state::Ctx;

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

impl From<LastEntry> for Dirent {
    fn from(last: LastEntry) -> Dirent {
        Dirent { position: last.position, inode: last.inode, file_type: last.file_type, dots: 0, name: last.name, name_len: last.name.len() }
    }
}

/// The name of "." and "..", which are written as dots.
const NO_NAME: Span = Span::EMPTY;

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
    let mut header = [0u8; dirent::SIZE as usize];
    copy_into(&mut header, dirent::NEXT, &(entry.position + 1).to_le_bytes());
    copy_into(&mut header, dirent::INO, &entry.inode.to_le_bytes());
    copy_into(&mut header, dirent::NAMLEN, &entry.name_len.to_le_bytes());
    copy_into(&mut header, dirent::TYPE, &[entry.file_type]);
    let header_len = out.write_prefix(*written, &header);
    *written += header_len;
    let name_len = match entry.dots {
        0 => out.copy_prefix_from(*written, entry.name),
        dots => out.write_prefix(*written, b"..".get(..dots as usize).unwrap_or_default()),
    };
    *written += name_len;
    header_len == dirent::SIZE && name_len == entry.name_len
}

fn copy_into(header: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(slot) = header.get_mut(at..at + bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

/// The host entry at `position` (2 or more), from the listing when it
/// stands there, else from a fresh stream. `None` past the last entry.
fn entry_at(cx: Ctx, fd: u32, dir: u32, position: u64, fresh: bool) -> Result<Option<Dirent>, Errno> {
    match listing::resume(cx, fd, position, fresh) {
        Resume::Last(last) => return Ok(Some(last.into())),
        Resume::Next => {}
        Resume::Restart => {
            listing::forget_any(cx);
            listing::start(fd, borrow(dir).read_directory()?);
        }
    }
    // Native p1's inode: the metadata hash of the entry, not followed.
    let inode_of = |name: &HeapBlock| Ok(paths::inode_at(dir, PathFlags::empty(), Path::from_heap(cx, name))?);
    Ok(listing::read_to(cx, position, inode_of)?.map(Dirent::from))
}
