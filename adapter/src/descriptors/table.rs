//! The descriptor table: what each p1 fd number stands for.
//!
//! It lives on the adapter heap and grows by doubling, so there is no fixed
//! limit on open descriptors or preopens. It is filled on first use: fds 0-2
//! are stdio (their streams fetched when first needed), then the preopened
//! directories in the order the host lists them. Each entry carries a check
//! word over its contents and its fd number, verified on every lookup, so an
//! entry the guest overwrote is diagnosed instead of used.
//!
//! Numbers are handed out as native p1 does, so guests see the same fds: the
//! highest closed number first, else one past the highest ever used.

use crate::base::diag::{self, Damage};
use crate::base::globals;
use crate::base::p1_abi::Errno;
use crate::base::stdio::Stdio;
use crate::memory::guest::Span;
use crate::memory::layout::Rel;
use crate::memory::state::Ctx;

pub mod kind {
    /// Never used.
    pub const FREE: u8 = 0;
    pub const STDIN: u8 = 1;
    pub const STDOUT: u8 = 2;
    pub const STDERR: u8 = 3;
    /// A preopened directory (has a name).
    pub const PREOPEN: u8 = 4;
    /// A directory opened with `path_open`.
    pub const DIRECTORY: u8 = 5;
    /// Anything else opened with `path_open`: a file, a device...
    pub const FILE: u8 = 6;
    /// Used, then closed: reused before never-used numbers.
    pub const CLOSED: u8 = 7;
    /// A number reserved by `adapter_open_badfd` (`extensions`): taken, so
    /// never handed out again until released, and `EBADF` to every call.
    pub const RESERVED: u8 = 8;
}

/// A file's access, as opened: checked before every read and write, so that
/// a wrong one is `EBADF` without asking the host (some hosts, jco's
/// preview2-shim among them, throw instead of answering an error code).
pub mod access {
    pub const READ: u8 = 1;
    pub const WRITE: u8 = 2;
}

const INITIAL_CAPACITY: u32 = 16;
/// Beyond this many descriptors opening another answers `EMFILE`.
const MAX_CAPACITY: u32 = 1 << 20;

#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Entry {
    pub kind: u8,
    /// `access` bits; files only.
    pub access: u8,
    /// p1 `fdflags` the guest set that the adapter implements (APPEND,
    /// NONBLOCK); files only.
    pub fdflags: u8,
    _reserved: u8,
    /// The WASI 0.2 resource: a stream for stdio (0 until fetched), a
    /// descriptor for directories and files.
    pub handle: u32,
    /// A preopen's name, on the adapter heap: a block the entry owns. Private,
    /// with a constructor only this folder calls (`preopens`), so a name
    /// is always one the lowering placed (`preopen_name` relies on it).
    name: Rel,
    name_len: u32,
    /// A file's current offset.
    pub position: u64,
    check: u32,
    _pad: u32,
}

impl Entry {
    pub fn new(kind: u8, handle: u32) -> Entry {
        Entry { kind, handle, ..Entry::default() }
    }

    /// A preopened directory: its descriptor, and its name, `name_len`
    /// bytes on the heap that the lowering placed for the table to own.
    pub(in crate::descriptors) fn preopen(handle: u32, name: Rel, name_len: u32) -> Entry {
        Entry { name, name_len, ..Entry::new(kind::PREOPEN, handle) }
    }

    /// A preopen's name length (0 for any other entry).
    pub fn name_len(&self) -> u32 {
        self.name_len
    }

    /// A preopen's name, to copy out (empty for any other entry).
    pub fn preopen_name(&self, cx: Ctx) -> Span {
        if self.kind != kind::PREOPEN {
            return Span::EMPTY;
        }
        // SAFETY: a preopen's name is a heap block of `name_len` bytes the
        // table owns (`preopen`, the only constructor that sets it), freed
        // only when the entry is closed (`Closing::close`).
        unsafe { Span::unchecked(self.name.address(cx.home()), self.name_len) }
    }

    pub fn is_stdio(&self) -> bool {
        matches!(self.kind, kind::STDIN | kind::STDOUT | kind::STDERR)
    }

    /// The stdio stream an entry of kind STDIN, STDOUT or STDERR stands for.
    pub fn stdio(&self) -> Stdio {
        match self.kind {
            kind::STDIN => Stdio::In,
            kind::STDOUT => Stdio::Out,
            _ => Stdio::Err,
        }
    }

    pub fn is_directory(&self) -> bool {
        matches!(self.kind, kind::PREOPEN | kind::DIRECTORY)
    }

    /// Stands for something a call can use: stdio, a directory or a file
    /// (kinds 1 to 6; not free, closed or reserved).
    #[inline(always)]
    fn usable(&self) -> bool {
        self.kind.wrapping_sub(kind::STDIN) <= kind::FILE - kind::STDIN
    }

    /// Runs twice in most calls (load and store), so it is straight-line
    /// code: an FNV-style step per field, no array and no loop.
    fn check_for(&self, fd: u32) -> u32 {
        let step = |hash: u32, word: u32| (hash ^ word).wrapping_mul(0x0100_0193).rotate_left(13);
        let flags = u32::from(self.kind) | u32::from(self.access) << 8 | u32::from(self.fdflags) << 16 | u32::from(self._reserved) << 24;
        let mut hash = step(0x811c_9dc5, flags);
        hash = step(hash, self.handle);
        hash = step(hash, self.name.0);
        hash = step(hash, self.name_len);
        hash = step(hash, self.position as u32);
        hash = step(hash, (self.position >> 32) as u32);
        step(hash, fd)
    }
}

/// The table's root. It lives in globals, out of the guest's reach, so
/// no check guards it.
#[derive(Clone, Copy)]
struct FdRoot {
    table: Rel,
    capacity: u32,
    ready: u32,
}

fn fd_root() -> FdRoot {
    FdRoot { table: Rel(globals::fd_table()), capacity: globals::fd_capacity(), ready: globals::fd_ready() }
}

/// # Safety
/// `root.table` must be a heap block of `root.capacity` entries (or none,
/// with capacity 0), and `ready` set only once the entries are written.
unsafe fn set_root(root: FdRoot) {
    // SAFETY: the caller's contract.
    unsafe {
        globals::set_fd_table(root.table.0);
        globals::set_fd_capacity(root.capacity);
        globals::set_fd_ready(root.ready);
    }
}

/// How numbers are handed out: entries of kind CLOSED (when non-zero, the
/// next fd is the highest of them), and one past the highest entry ever
/// used (all below are used or closed). Also in globals.
#[derive(Clone, Copy)]
struct FdNumbering {
    closed: u32,
    high: u32,
}

fn fd_numbering() -> FdNumbering {
    FdNumbering { closed: globals::fd_closed(), high: globals::fd_high() }
}

fn set_numbering(numbering: FdNumbering) {
    globals::set_fd_closed(numbering.closed);
    globals::set_fd_high(numbering.high);
}

/// An entry taken out of the table, owning what it held: a stdio stream,
/// a descriptor, a preopen's name. Neither `Copy` nor `Clone`: `close`
/// releases them once.
pub struct Closing {
    /// What of the entry its release needs (not its offset or flags).
    kind: u8,
    handle: u32,
    name: Rel,
    name_len: u32,
}

impl Closing {
    fn of(entry: Entry) -> Closing {
        Closing { kind: entry.kind, handle: entry.handle, name: entry.name, name_len: entry.name_len }
    }

    /// Releases what the entry held.
    pub fn close(self, cx: Ctx) {
        let entry = Entry { name: self.name, name_len: self.name_len, ..Entry::new(self.kind, self.handle) };
        if entry.is_stdio() {
            crate::base::stdio::close(entry.stdio());
        } else {
            close_descriptor(cx, entry);
        }
    }
}

#[cfg(not(feature = "proxy"))]
fn close_descriptor(cx: Ctx, entry: Entry) {
    // SAFETY: the closed entry owned this handle; it is dropped once, here
    // (`Closing` is made once per entry taken out, and consumed).
    drop(unsafe { crate::host::bindings::wasi::filesystem::types::Descriptor::from_handle(entry.handle) });
    if entry.kind == kind::PREOPEN {
        // SAFETY: a preopen's name is the heap block the lowering placed it
        // in, owned by the entry, which is closed: nothing reads it again.
        unsafe { cx.heap_free(entry.name, entry.name_len) };
    }
}

#[cfg(feature = "proxy")]
fn close_descriptor(_cx: Ctx, _entry: Entry) {}

/// The descriptor table of a call that uses it. The exports of such calls
/// enter through `begin`, which builds the table at the program's first
/// one; their bodies get the table from `entered`, and every lookup and
/// change goes through it. No lookup carries the set-up.
#[derive(Clone, Copy)]
pub struct Table {
    cx: Ctx,
}

/// `call::begin` for a call that uses the table: after the call is entered,
/// the table is built if the program has none yet (stdio, then the
/// preopens). `Some(errno)` refuses the call, or ends it when the table
/// could not be built.
#[inline(always)]
pub fn begin(func: u32) -> Option<Errno> {
    crate::memory::call::refusal(enter(func))
}

/// `begin`, out of line and, like `call::enter`, without a stack of its own:
/// only `set_up_for_call` uses one, once `call::enter` has pointed the stack
/// pointer at the adapter's.
#[inline(never)]
fn enter(func: u32) -> u32 {
    let refused = crate::memory::call::enter(func);
    if refused != 0 || globals::fd_ready() != 0 {
        return refused;
    }
    set_up_for_call()
}

/// Builds the table in a call just entered; on failure ends the call with
/// the errno, as its body would have.
#[inline(never)]
fn set_up_for_call() -> u32 {
    let cx = crate::memory::call::open();
    match set_up_table(cx) {
        0 => 0,
        errno => crate::memory::call::finish(cx, Err(Errno(errno as u16))) as u32,
    }
}

/// The table of a call entered by `begin`, for its body.
#[inline(always)]
pub fn entered(cx: Ctx) -> Table {
    Table { cx }
}

/// The entry for `fd` (as `Table::get`), for a call that needs the table
/// only sometimes and so is not entered through `begin`: `poll_oneoff`, for
/// its descriptor subscriptions (a poll on clocks alone does not build the
/// table). Builds the table first if the program has none yet.
#[inline(never)]
pub fn get_building(cx: Ctx, fd: u32) -> Result<Entry, Errno> {
    if globals::fd_ready() == 0 {
        match set_up_table(cx) {
            0 => {}
            errno => return Err(Errno(errno as u16)),
        }
    }
    Table { cx }.get(fd)
}

impl Table {
    /// The call's context, for what the table's users keep on the heap.
    pub fn cx(self) -> Ctx {
        self.cx
    }

    /// The entry for `fd`, or `EBADF` if there is none (or it is reserved).
    pub fn get(self, fd: u32) -> Result<Entry, Errno> {
        let entry = self.load(fd).ok_or(Errno::BADF)?;
        if !entry.usable() {
            return Err(Errno::BADF);
        }
        Ok(entry)
    }

    /// Takes a number that stands for nothing and is not handed out until
    /// `release` gives it back.
    pub fn reserve(self) -> Result<u32, Errno> {
        self.insert(Entry::new(kind::RESERVED, 0))
    }

    /// Gives back a number `reserve` took; `EBADF` for any other.
    pub fn release(self, fd: u32) -> Result<(), Errno> {
        match self.load(fd) {
            Some(entry) if entry.kind == kind::RESERVED => {
                self.remove(fd);
                Ok(())
            }
            _ => Err(Errno::BADF),
        }
    }

    /// A directory (preopened or opened), or `EBADF`.
    pub fn directory(self, fd: u32) -> Result<Entry, Errno> {
        self.get(fd).and_then(|entry| if entry.is_directory() { Ok(entry) } else { Err(Errno::BADF) })
    }

    /// A file (not a directory), or `EBADF`.
    pub fn file(self, fd: u32) -> Result<Entry, Errno> {
        self.get(fd).and_then(|entry| if entry.kind == kind::FILE { Ok(entry) } else { Err(Errno::BADF) })
    }

    /// A file or directory, anything with a filesystem descriptor, or `EBADF`.
    pub fn descriptor(self, fd: u32) -> Result<Entry, Errno> {
        self.get(fd).and_then(|entry| if entry.is_stdio() { Err(Errno::BADF) } else { Ok(entry) })
    }

    /// A file for seeking: stdio is `ESPIPE`, directories `EBADF`.
    pub fn seekable(self, fd: u32) -> Result<Entry, Errno> {
        let entry = self.get(fd)?;
        match entry.kind {
            kind::FILE => Ok(entry),
            _ if entry.is_stdio() => Err(Errno::SPIPE),
            _ => Err(Errno::BADF),
        }
    }

    /// Replaces the entry for `fd`, which must be in use or closed.
    pub fn set(self, fd: u32, entry: Entry) {
        let root = fd_root();
        if fd < root.capacity {
            let mut entry = entry;
            entry.check = entry.check_for(fd);
            // SAFETY: `fd` is below the table's capacity, checked just above.
            unsafe { slot(self.cx, root.table, fd).write(entry) };
        }
    }

    /// Takes `fd`'s entry out of the table (`EBADF` if it stands for
    /// nothing), for the caller to close.
    pub fn take(self, fd: u32) -> Result<Closing, Errno> {
        let entry = self.get(fd)?;
        self.remove(fd);
        Ok(Closing::of(entry))
    }

    /// Makes `to` stand for what `from` stood for (both must be open) and
    /// returns what `to` held, for the caller to close; `None` when they
    /// are the same number.
    pub fn renumber(self, from: u32, to: u32) -> Result<Option<Closing>, Errno> {
        let entry = self.get(from)?;
        let replaced = self.get(to)?;
        if from == to {
            return Ok(None);
        }
        self.set(to, entry);
        self.remove(from);
        Ok(Some(Closing::of(replaced)))
    }

    /// Marks `fd` closed.
    fn remove(self, fd: u32) {
        // The table no longer is what the host would list again.
        globals::set_rebuildable(0);
        self.set(fd, Entry::new(kind::CLOSED, 0));
        let mut numbering = fd_numbering();
        numbering.closed = numbering.closed.saturating_add(1);
        set_numbering(numbering);
    }

    /// Gives `entry` a number: the highest closed one, or one past the highest
    /// ever used, growing the table if needed.
    pub fn insert(self, entry: Entry) -> Result<u32, Errno> {
        let capacity = fd_root().capacity;
        let numbering = fd_numbering();
        let (closed, high) = (numbering.closed, numbering.high.min(capacity));
        let fd = if closed != 0 { (0..high).rev().find(|fd| self.load(*fd).is_some_and(|e| e.kind == kind::CLOSED)).unwrap_or(high) } else { high };
        if fd >= capacity {
            grow(self.cx, high.saturating_mul(2).max(INITIAL_CAPACITY))?;
        }
        let reused = fd < high;
        globals::set_rebuildable(0);
        self.set(fd, entry);
        let mut numbering = fd_numbering();
        if reused {
            numbering.closed = numbering.closed.saturating_sub(1);
        } else {
            numbering.high = fd + 1;
        }
        set_numbering(numbering);
        Ok(fd)
    }

    fn load(self, fd: u32) -> Option<Entry> {
        load(self.cx, fd)
    }
}

fn load(cx: Ctx, fd: u32) -> Option<Entry> {
    let root = fd_root();
    if fd >= root.capacity {
        return None;
    }
    // SAFETY: `fd` is below the table's capacity, checked just above.
    let entry = unsafe { slot(cx, root.table, fd).read() };
    if entry.check != entry.check_for(fd) {
        diag::corrupted(root.table.offset(fd.wrapping_mul(ENTRY_SIZE)).address(cx.home()), Damage::FdEntry);
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
    let table = cx.heap_alloc(capacity * ENTRY_SIZE)?;
    let old = fd_root();
    let (old_table, old_capacity) = (old.table, old.capacity);
    for fd in 0..capacity {
        // SAFETY: `fd` is below both capacities: the old table's (checked) and the new one's (the loop's bound).
        let entry = if fd < old_capacity { unsafe { slot(cx, old_table, fd).read() } } else { free_entry(fd) };
        // SAFETY: as above.
        unsafe { slot(cx, table, fd).write(entry) };
    }
    if old_capacity != 0 {
        // SAFETY: the old table, its entries copied; the root points at the new one below.
        unsafe { cx.heap_free(old_table, old_capacity * ENTRY_SIZE) };
    }
    // SAFETY: `table` was just allocated for `capacity` entries, all written above.
    unsafe { set_root(FdRoot { table, capacity, ..old }) };
    Ok(())
}

fn free_entry(fd: u32) -> Entry {
    let mut entry = Entry::new(kind::FREE, 0);
    entry.check = entry.check_for(fd);
    entry
}

/// The first use of the table: stdio entries, then the preopens. 0 or the
/// errno, one scalar (a `Result` would come back through memory).
#[inline(never)]
fn set_up_table(cx: Ctx) -> u32 {
    set_up_table_inline(cx).err().map_or(0, |errno| u32::from(errno.0))
}

#[inline(always)]
fn set_up_table_inline(cx: Ctx) -> Result<(), Errno> {
    grow(cx, INITIAL_CAPACITY)?;
    let table = Table { cx };
    table.set(0, Entry::new(kind::STDIN, 0));
    table.set(1, Entry::new(kind::STDOUT, 0));
    table.set(2, Entry::new(kind::STDERR, 0));
    // SAFETY: the table was grown and its entries written just above.
    unsafe { set_root(FdRoot { ready: 1, ..fd_root() }) };
    set_numbering(FdNumbering { high: 3, ..fd_numbering() });
    let added = crate::descriptors::preopens::add_all(table);
    // Stdio and the preopens are what the host hands over again on request.
    globals::set_rebuildable(1);
    added
}
