//! The descriptor table: what each p1 fd number stands for.
//!
//! It lives on the adapter heap and grows by doubling, so there is no fixed
//! limit on open descriptors or preopens. It is filled on first use: fds 0-2
//! are stdio (their streams fetched when first needed), then the preopened
//! directories in the order the host lists them. Each entry carries a check
//! word over its contents and its fd number, verified on every lookup, so an
//! entry the guest overwrote is diagnosed instead of used.

use crate::diag::{self, Damage};
use crate::layout::Rel;
use crate::p1::Errno;
use crate::state::Ctx;

pub mod kind {
    pub const FREE: u8 = 0;
    pub const STDIN: u8 = 1;
    pub const STDOUT: u8 = 2;
    pub const STDERR: u8 = 3;
    pub const PREOPEN: u8 = 4;
}

/// Whether a stdio stream is a terminal: not yet asked, no, yes.
pub mod tty {
    pub const UNKNOWN: u8 = 0;
    pub const NO: u8 = 1;
    pub const YES: u8 = 2;
}

const INITIAL_CAPACITY: u32 = 16;
/// Beyond this many descriptors `path_open` and friends answer `EMFILE`.
const MAX_CAPACITY: u32 = 1 << 20;

#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Entry {
    pub kind: u8,
    pub tty: u8,
    _reserved: u16,
    /// The WASI 0.2 resource: a stream for stdio (0 until fetched), a
    /// descriptor for a directory.
    pub handle: u32,
    /// A preopen's name, on the adapter heap.
    pub name: Rel,
    pub name_len: u32,
    check: u32,
}

impl Entry {
    pub fn new(kind: u8, handle: u32) -> Entry {
        Entry { kind, handle, ..Entry::default() }
    }

    pub fn preopen(handle: u32, name: Rel, name_len: u32) -> Entry {
        Entry { name, name_len, ..Entry::new(kind::PREOPEN, handle) }
    }

    fn check_for(&self, fd: u32) -> u32 {
        let words = [
            u32::from(self.kind) | u32::from(self.tty) << 8 | u32::from(self._reserved) << 16,
            self.handle,
            self.name.0,
            self.name_len,
            fd,
        ];
        let mut hash: u32 = 0x811c_9dc5;
        for word in words {
            hash = (hash ^ word).wrapping_mul(0x0100_0193).rotate_left(13);
        }
        hash
    }
}

/// The table's root, in the sealed part of the state.
#[derive(Default)]
#[repr(C)]
pub struct FdRoot {
    table: Rel,
    capacity: u32,
    ready: u32,
    _pad: u32,
}

/// The entry for `fd`, or `EBADF` if there is none.
pub fn get(cx: Ctx, fd: u32) -> Result<Entry, Errno> {
    ensure_ready(cx)?;
    let entry = load(cx, fd).ok_or(Errno::BADF)?;
    if entry.kind == kind::FREE {
        return Err(Errno::BADF);
    }
    Ok(entry)
}

/// Replaces the entry for an existing `fd`.
pub fn set(cx: Ctx, fd: u32, entry: Entry) {
    let root = &cx.state().core().fds;
    if fd < root.capacity {
        let mut entry = entry;
        entry.check = entry.check_for(fd);
        unsafe { slot(cx, root.table, fd).write(entry) };
    }
}

/// Marks `fd` unused.
pub fn remove(cx: Ctx, fd: u32) {
    set(cx, fd, Entry::default());
}

/// Puts `entry` at the lowest free fd, growing the table if needed.
pub fn insert(cx: Ctx, entry: Entry) -> Result<u32, Errno> {
    let capacity = cx.state().core().fds.capacity;
    for fd in 0..capacity {
        if load(cx, fd).is_some_and(|existing| existing.kind == kind::FREE) {
            set(cx, fd, entry);
            return Ok(fd);
        }
    }
    grow(cx, capacity.saturating_mul(2))?;
    set(cx, capacity, entry);
    Ok(capacity)
}

fn load(cx: Ctx, fd: u32) -> Option<Entry> {
    let root = &cx.state().core().fds;
    if fd >= root.capacity {
        return None;
    }
    let entry = unsafe { slot(cx, root.table, fd).read() };
    if entry.check != entry.check_for(fd) {
        diag::corrupted(Rel(root.table.0.wrapping_add(fd.wrapping_mul(ENTRY_SIZE))).address(cx.home()), Damage::FdEntry);
    }
    Some(entry)
}

const ENTRY_SIZE: u32 = core::mem::size_of::<Entry>() as u32;

/// # Safety
/// `fd` must be below the table's capacity.
unsafe fn slot(cx: Ctx, table: Rel, fd: u32) -> *mut Entry {
    table.offset(fd * ENTRY_SIZE).ptr::<Entry>(cx.home())
}

/// Makes room for at least `capacity` entries.
fn grow(cx: Ctx, capacity: u32) -> Result<(), Errno> {
    if capacity > MAX_CAPACITY {
        return Err(Errno::MFILE);
    }
    let home = cx.home();
    let heap = &mut cx.state().core_mut().heap;
    let table = heap.alloc(home, capacity * ENTRY_SIZE)?;
    let old = &cx.state().core().fds;
    let (old_table, old_capacity) = (old.table, old.capacity);
    for fd in 0..capacity {
        let entry = if fd < old_capacity { unsafe { slot(cx, old_table, fd).read() } } else { free_entry(fd) };
        unsafe { slot(cx, table, fd).write(entry) };
    }
    if old_capacity != 0 {
        cx.state().core_mut().heap.free(home, old_table, old_capacity * ENTRY_SIZE);
    }
    let root = &mut cx.state().core_mut().fds;
    root.table = table;
    root.capacity = capacity;
    Ok(())
}

fn free_entry(fd: u32) -> Entry {
    let mut entry = Entry::default();
    entry.check = entry.check_for(fd);
    entry
}

/// Builds the table on first use: stdio, then the preopens.
fn ensure_ready(cx: Ctx) -> Result<(), Errno> {
    if cx.state().core().fds.ready != 0 {
        return Ok(());
    }
    grow(cx, INITIAL_CAPACITY)?;
    set(cx, 0, Entry::new(kind::STDIN, 0));
    set(cx, 1, Entry::new(kind::STDOUT, 0));
    set(cx, 2, Entry::new(kind::STDERR, 0));
    cx.state().core_mut().fds.ready = 1;
    crate::preopens::add_all(cx)
}
