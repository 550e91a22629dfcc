//! The fuzzing driver: reads a byte string from stdin and interprets it as a
//! sequence of preview1 calls, hostile arguments included, writing one trace
//! line per call to stdout.
//!
//! Every byte string is a valid program (input that runs out reads as zeros),
//! so random bytes, a minimiser's cuts and a coverage-guided fuzzer's
//! mutations all drive real calls. Arguments are chosen through small tables
//! of meaningful values (fds seen so far, arena offsets, paths built from
//! fixture names and awkward components), with rare escapes to raw values
//! p1 does not define and to pointers past the end of memory.
//!
//! Everything the host may write lands in one arena; each trace line ends
//! with the number of arena bytes the call changed and a hash of those
//! changes, after masking what no two runs share (inode numbers, timestamps,
//! clock readings, random bytes). So a trace records every byte an
//! implementation wrote, not just the results the driver thought to print,
//! and a difference stays on the line of the call that made it.
//! Each line starts with the call's number and the input offset of its
//! opcode (`12@345`), so an input can be cut just before any call.
//! fds 1 and 2 are never closed or renumbered: the trace needs stdout.
//! Every trace line starts with a mark made from the input (RS, then the
//! input's FNV-1a hash in hex, then a space): the program's own writes to
//! stdout, which the fuzzed calls make too, may land anywhere between trace
//! lines, and the mark is how the judge tells the two apart (an input
//! cannot contain the hash of itself but by chance).
//! A moat follows the arena, so that a read running past the arena's end
//! (where an adapter's memory is larger than native p1's, or native p1
//! checked only what it wrote) does not reach the driver's heap. The line
//! being built lives on the stack, below the arena: a call that writes past
//! the moat may wreck the heap, but the line still says which call it was.
//! The judge's reruns append adjustments after the input (see `Adjust`):
//! the same program, with one call's arguments changed in a named way.

use std::fmt::Write as _;

use p1::raw::{self, Iovec};

const ARENA_LEN: usize = 1 << 16;
/// Bytes after the arena that no output is aimed at. A read into a buffer
/// that starts in the arena and runs past its end (native p1 and ours
/// write as much as there is to read) lands here, not on the driver's heap:
/// its snapshot of the arena and its allocator's records stay intact, so the
/// call's line is printed and its count of changed arena bytes is exact.
/// Reads of up to 64 KiB from the arena's last byte fit.
const MOAT_LEN: usize = 1 << 17;
static mut ARENA: [u64; (ARENA_LEN + MOAT_LEN) / 8] = [0; (ARENA_LEN + MOAT_LEN) / 8];

/// Addresses no guest memory reaches (memory would need 2 GiB or more).
const WILD_POINTERS: [u32; 4] = [0xFFFF_FFFF, 0xFFFF_FFF0, 0x8000_0000, 0xFFFF_0000];
/// Arena offsets, all 8-aligned; outputs are moved back so that they fit.
const OFFSETS: [u32; 16] = [0, 8, 16, 24, 64, 96, 128, 256, 1000, 4096, 8192, 16384, 32768, 65000, 65528, 65536];
/// Offsets that misalign any output wider than a byte (native p1 traps).
const ODD_OFFSETS: [u32; 4] = [1, 3, 6, 8190];
const LENGTHS: [u32; 16] = [0, 1, 2, 3, 7, 8, 16, 24, 31, 64, 100, 255, 256, 1000, 4096, 65536];
const FDS: [u32; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 64, 1000, 0x7FFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FFFF];
/// File offsets and sizes, small or far beyond what a file system allows
/// (nothing in between, so no run makes terabyte sparse files).
const SIZES: [u64; 12] = [0, 1, 5, 100, 4096, 65536, 1 << 62, i64::MAX as u64, 1 << 63, u64::MAX, 2, 17];
const SEEK_OFFSETS: [i64; 12] = [0, 1, -1, 5, 100, -100, 4096, 65536, -65536, i64::MAX, i64::MIN, 1 << 62];
/// Timestamps the driver sets; stat times equal to one of them are printed.
const TIMES: [u64; 5] = [0, 1, 1_000_000_000, 1_700_000_000_123_456_789, u64::MAX];
/// Path components: fixture names, new names, and awkward ones.
/// The first EXISTING are what the fixture holds (and one new name); half
/// of all components come from those.
const COMPONENTS: [&[u8]; 29] = [
    b"a.txt",
    b"empty",
    b"dir",
    b"dir/b.txt",
    b"emptydir",
    b"link",
    b"dirlink",
    b"new",
    b"dir/inner",
    b"dir/inner/c.txt",
    b"loop",
    b"loop1",
    b"escape",
    b"abs",
    b"new2",
    b"newdir",
    b"newdir/f",
    b".",
    b"..",
    b"",
    b"nul\0byte",
    b"\xff\xfe",
    b"caf\xc3\xa9",
    b"dir/../a.txt",
    b"a.txt/",
    b"dangling",
    b"LONG",
    b"TOO_LONG",
    b"DEEP",
];

const EXISTING: usize = 8;

/// The rights bits p1 defines (fd_datasync through sock_accept).
const DEFINED_RIGHTS: u64 = 0x3FFF_FFFF;

/// How a rerun changes one call's arguments, reading the same input bytes:
/// the judge's second oracle for a call native p1 traps in (undefined
/// rights, a misaligned pointer) or for one where two errors compete (a
/// bad pointer). Stdin is then the input, the adjustments (step as u32 and
/// kind as u8 each), their count as u32, and `ADJUST_MAGIC`; trace marks
/// and lengths are those of the input alone.
#[derive(Clone, Copy, PartialEq)]
enum Adjust {
    /// Rights masked to the bits p1 defines.
    DefinedRights = 1,
    /// Misaligned arena offsets of values wider than a byte rounded down to
    /// a multiple of 8 (byte buffers and paths stay where they were, so
    /// what the call reads and writes is the same).
    Aligned = 2,
    /// Wild pointers and lengths replaced by arena ones.
    ValidPointers = 3,
    /// poll_oneoff's events placed apart from its subscriptions, args_get's
    /// and environ_get's strings apart from their pointer array.
    Apart = 4,
}

const ADJUST_MAGIC: [u8; 16] = *b"\xa7\x1fADJUST\x00\xc3\x5e\x92\x0b\x44\xe8\x17";

/// Splits stdin into the input and the adjustments appended to it.
fn split_adjustments(mut bytes: Vec<u8>) -> (Vec<u8>, Vec<(u32, Adjust)>) {
    let len = bytes.len();
    if len < 20 || bytes[len - 16..] != ADJUST_MAGIC {
        return (bytes, Vec::new());
    }
    let count = u32::from_le_bytes(bytes[len - 20..len - 16].try_into().unwrap_or_default()) as usize;
    let Some(start) = count.checked_mul(5).and_then(|size| (len - 20).checked_sub(size)) else {
        return (bytes, Vec::new());
    };
    let adjustments = bytes[start..len - 20]
        .chunks_exact(5)
        .filter_map(|entry| {
            let step = u32::from_le_bytes(entry[..4].try_into().ok()?);
            let kind = match entry[4] {
                1 => Adjust::DefinedRights,
                2 => Adjust::Aligned,
                3 => Adjust::ValidPointers,
                4 => Adjust::Apart,
                _ => return None,
            };
            Some((step, kind))
        })
        .collect();
    bytes.truncate(start);
    (bytes, adjustments)
}

struct Input {
    bytes: Vec<u8>,
    at: usize,
}

impl Input {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn byte(&mut self) -> u8 {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }

    fn pick<T: Copy>(&mut self, table: &[T]) -> T {
        table[usize::from(self.byte()) % table.len()]
    }

    /// True once in `n` (by the next byte).
    fn one_in(&mut self, n: u8) -> bool {
        self.byte() % n == 0
    }
}

/// A pointer argument, as the trace shows it.
#[derive(Clone, Copy)]
struct Ptr {
    addr: u32,
    /// Offset in the arena, or None for a wild pointer.
    offset: Option<u32>,
}

impl std::fmt::Display for Ptr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "a+{offset}"),
            None => write!(f, "wild{:#x}", self.addr),
        }
    }
}

struct Driver {
    input: Input,
    /// Every fd a call returned, closed ones included: reuse is the point.
    fds: Vec<u32>,
    step: u32,
    /// Input offset of the current call's opcode.
    op_at: usize,
    line: StackText,
    /// Starts every trace line (see the module's comment).
    mark: u32,
    /// The arena as the call found it.
    before: Vec<u8>,
    /// A rerun's adjustments (step, kind).
    adjustments: Vec<(u32, Adjust)>,
}

fn arena_base() -> u32 {
    (&raw const ARENA) as u32
}

fn arena() -> &'static mut [u8] {
    // SAFETY: the driver is single-threaded and the arena is only touched
    // between calls.
    unsafe { std::slice::from_raw_parts_mut((&raw mut ARENA).cast::<u8>(), ARENA_LEN) }
}

impl Driver {
    /// Whether this rerun adjusts the current call in this way.
    fn adjusting(&self, kind: Adjust) -> bool {
        self.adjustments.contains(&(self.step, kind))
    }

    /// A pointer to `size` bytes holding values wider than a byte: in the
    /// arena, or (rarely) wild or misaligned.
    fn ptr(&mut self, size: u32) -> Ptr {
        self.pointer(size, true)
    }

    /// A pointer to a byte buffer or string of `size` bytes.
    fn byte_ptr(&mut self, size: u32) -> Ptr {
        self.pointer(size, false)
    }

    fn pointer(&mut self, size: u32, wide: bool) -> Ptr {
        let byte = self.input.byte();
        let offset = match byte {
            0xFF => {
                let choice = self.input.byte();
                if !self.adjusting(Adjust::ValidPointers) {
                    return Ptr { addr: WILD_POINTERS[usize::from(choice) % WILD_POINTERS.len()], offset: None };
                }
                OFFSETS[usize::from(choice) % OFFSETS.len()]
            }
            0xFE if wide && self.adjusting(Adjust::Aligned) => self.input.pick(&ODD_OFFSETS) & !7,
            0xFE => self.input.pick(&ODD_OFFSETS),
            _ => OFFSETS[usize::from(byte) % OFFSETS.len()],
        };
        let offset = offset.min(ARENA_LEN as u32 - size.min(ARENA_LEN as u32));
        Ptr { addr: arena_base() + offset, offset: Some(offset) }
    }

    /// A buffer: pointer and length; rarely a length that runs past memory.
    fn buffer(&mut self) -> (Ptr, u32) {
        let mut len = self.input.pick(&LENGTHS);
        let ptr = self.byte_ptr(len);
        if self.input.byte() == 0xFF {
            let wild = self.input.pick(&[0x8000_0000, 0xFFFF_FFFF, 0x0100_0000]);
            if !self.adjusting(Adjust::ValidPointers) {
                len = wild;
            }
        }
        (ptr, len)
    }

    /// An iovec array in the arena, with its buffers: the array, its length
    /// and how the trace shows it. Buffers may overlap each other and the
    /// array.
    fn iovecs(&mut self) -> (Ptr, u32, String) {
        let count = self.input.pick(&[0u32, 1, 1, 1, 2, 2, 3, 4]);
        let array = self.ptr(count * 8);
        let mut entries = Vec::new();
        for _ in 0..count {
            entries.push(self.buffer());
        }
        if let Some(offset) = array.offset {
            let arena = arena();
            for (index, (buf, len)) in entries.iter().enumerate() {
                let at = offset as usize + index * 8;
                arena[at..at + 4].copy_from_slice(&buf.addr.to_le_bytes());
                arena[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
            }
        }
        let shown: Vec<String> = entries.iter().map(|(buf, len)| format!("{buf}:{len}")).collect();
        (array, count, format!("{array} [{}]", shown.join(" ")))
    }

    fn fd(&mut self) -> u32 {
        let byte = self.input.byte();
        if byte >= 0x40 && !self.fds.is_empty() {
            return self.fds[usize::from(byte) % self.fds.len()];
        }
        FDS[usize::from(byte) % FDS.len()]
    }

    /// A descriptor to use as a directory: mostly the two preopens.
    fn dir_fd(&mut self) -> u32 {
        match self.input.byte() % 8 {
            0..=4 => 3,
            5 => 4,
            _ => self.fd(),
        }
    }

    /// A descriptor that may be closed or renumbered: never stdout/stderr.
    fn closable_fd(&mut self) -> u32 {
        match self.fd() {
            1 | 2 => 0,
            fd => fd,
        }
    }

    /// Flags from `mask`: none (half the time), one bit, any of its bits,
    /// or (rarely) any bits at all.
    fn flags(&mut self, mask: u32) -> u32 {
        match self.input.byte() {
            0..=127 => 0,
            128..=191 => {
                let bits: Vec<u32> = (0..32).map(|bit| 1 << bit).filter(|bit| mask & bit != 0).collect();
                if bits.is_empty() { 0 } else { self.input.pick(&bits) }
            }
            192..=254 => u32::from(self.input.byte()) & mask,
            255 => self.input.u32(),
        }
    }

    fn rights(&mut self) -> u64 {
        match self.input.byte() {
            0..=127 => 0x1FFF_FFFF,
            128..=159 => 0x2 | 0x4 | 0x4000, // read, seek, readdir
            160..=191 => 0x40 | 0x4 | 0x1,   // write, seek, datasync
            192..=223 => 0,
            224..=254 => self.input.u64() & 0x1FFF_FFFF,
            255 if self.adjusting(Adjust::DefinedRights) => DEFINED_RIGHTS,
            255 => u64::MAX,
        }
    }

    /// A path written into the arena: a few components joined by `/` or
    /// `//`, sometimes absolute or with a trailing slash.
    fn path(&mut self) -> (Ptr, u32, String) {
        let mut path = Vec::new();
        if self.input.one_in(32) {
            path.push(b'/');
        }
        let count = match self.input.byte() % 10 {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        for index in 0..count {
            if index > 0 {
                path.extend_from_slice(if self.input.one_in(8) { b"//" } else { b"/" });
            }
            let choice = if self.input.one_in(2) { self.input.pick(&COMPONENTS[..EXISTING]) } else { self.input.pick(&COMPONENTS) };
            match choice {
                b"LONG" => path.extend(std::iter::repeat_n(b'x', 255)),
                b"TOO_LONG" => path.extend(std::iter::repeat_n(b'y', 256)),
                b"DEEP" => {
                    for _ in 0..20 {
                        path.extend(std::iter::repeat_n(b'd', 200));
                        path.push(b'/');
                    }
                }
                component => path.extend_from_slice(component),
            }
        }
        if self.input.one_in(16) {
            path.push(b'/');
        }
        let shown = shown_path(&path);
        let mut len = path.len() as u32;
        let ptr = self.byte_ptr(len);
        if let Some(offset) = ptr.offset {
            let end = (offset as usize + path.len()).min(ARENA_LEN);
            let fits = end - offset as usize;
            arena()[offset as usize..end].copy_from_slice(&path[..fits]);
            len = fits as u32;
        }
        if self.input.byte() == 0xFF && !self.adjusting(Adjust::ValidPointers) {
            len = 0xFFFF_FFFF;
        }
        (ptr, len, shown)
    }

    fn begin(&mut self, call: std::fmt::Arguments) {
        self.line.clear();
        let _ = write!(self.line, "\u{1e}{:08x} {}@{} {call}", self.mark, self.step, self.op_at);
        self.before.clear();
        self.before.extend_from_slice(arena());
    }

    /// Ends a trace line: the errno, what the call returned, what it changed
    /// in the arena.
    fn end(&mut self, errno: i32, returned: std::fmt::Arguments) {
        let (changed, hash) = changes(&self.before, arena());
        let _ = writeln!(self.line, " -> {errno}{returned} w{changed}:{hash:016x}");
        emit(self.line.as_bytes());
        self.step += 1;
        // Each call starts from the same arena, so a difference in what one
        // call left there cannot show up again in the lines after it.
        fill_pattern();
    }
}

fn shown_path(path: &[u8]) -> String {
    let mut shown = String::new();
    let mut run = 0;
    for (index, byte) in path.iter().enumerate() {
        // Runs of a repeated letter (LONG, DEEP) are shown by length.
        if index > 0 && path[index - 1] == *byte && byte.is_ascii_alphabetic() {
            run += 1;
            continue;
        }
        if run > 0 {
            let _ = write!(shown, "*{}", run + 1);
            run = 0;
        }
        match byte {
            b' '..=b'~' if *byte != b'\\' => shown.push(char::from(*byte)),
            _ => {
                let _ = write!(shown, "\\x{byte:02x}");
            }
        }
    }
    if run > 0 {
        let _ = write!(shown, "*{}", run + 1);
    }
    shown
}

/// How many bytes differ, and an FNV-1a hash of where and what they became.
fn changes(before: &[u8], after: &[u8]) -> (usize, u64) {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut changed = 0;
    // Word by word first: most calls change a few bytes of 64 KiB.
    for (word, (old, new)) in before.chunks_exact(8).zip(after.chunks_exact(8)).enumerate() {
        if old == new {
            continue;
        }
        for (index, (old, new)) in old.iter().zip(new).enumerate() {
            if old != new {
                changed += 1;
                for byte in ((word * 8 + index) as u32).to_le_bytes().into_iter().chain([*new]) {
                    hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
    }
    (changed, hash)
}

fn read_u32(ptr: Ptr) -> Option<u32> {
    let at = ptr.offset? as usize;
    Some(u32::from_le_bytes(arena().get(at..at + 4)?.try_into().ok()?))
}

fn read_u64(ptr: Ptr) -> Option<u64> {
    let at = ptr.offset? as usize;
    Some(u64::from_le_bytes(arena().get(at..at + 8)?.try_into().ok()?))
}

/// Overwrites `len` bytes at `offset` of the arena (what is left of them in
/// it) with a marker: values no two runs share.
fn mask(offset: usize, len: usize) {
    let arena = arena();
    let end = (offset + len).min(ARENA_LEN);
    if offset < end {
        arena[offset..end].fill(0x5E);
    }
}

fn mask_u64_unless_set_time(offset: usize) {
    let Some(bytes) = arena().get(offset..offset + 8) else { return mask(offset, 8) };
    let value = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
    if !TIMES.contains(&value) {
        mask(offset, 8);
    }
}

/// Masks a filestat's dev, ino and times: mtim and ctim stay when they are
/// a time the driver set; atim never does, since whether a call reads the
/// file (and so moves atim) is the implementation's business (native p1
/// reads for a zero-length fd_pread).
fn mask_filestat(ptr: Ptr) {
    if let Some(offset) = ptr.offset {
        let offset = offset as usize;
        mask(offset, 16);
        mask(offset + 40, 8);
        for field in [48, 56] {
            mask_u64_unless_set_time(offset + field);
        }
    }
}

/// Masks the inode numbers of the dirents in `used` bytes at `ptr`.
fn mask_dirents(ptr: Ptr, used: u32) {
    let Some(offset) = ptr.offset else { return };
    let (start, used) = (offset as usize, used as usize);
    let mut at = 0;
    while at < used {
        let ino_end = (at + 16).min(used);
        if at + 8 < ino_end {
            mask(start + at + 8, ino_end - at - 8);
        }
        let Some(header) = arena().get(start + at + 16..start + at + 20) else { break };
        let name_len = u32::from_le_bytes(header.try_into().unwrap_or_default()) as usize;
        if at + 24 > used {
            break;
        }
        at += 24 + name_len;
    }
}

/// Text in a buffer of its own (kept on the stack with the driver).
struct StackText {
    len: usize,
    bytes: [u8; 8192],
}

impl StackText {
    fn clear(&mut self) {
        self.len = 0;
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = (self.len + text.len()).min(self.bytes.len());
        self.bytes[self.len..end].copy_from_slice(&text.as_bytes()[..end - self.len]);
        self.len = end;
        Ok(())
    }
}

fn emit(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let iov = Iovec { buf: bytes.as_ptr(), len: bytes.len() as u32 };
        let mut written = 0;
        // SAFETY: a valid iovec and out-pointer.
        if unsafe { raw::fd_write(1, &iov, 1, &mut written) } != 0 || written == 0 {
            return;
        }
        bytes = &bytes[written as usize..];
    }
}

fn read_stdin() -> Vec<u8> {
    let mut input = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let iov = Iovec { buf: chunk.as_mut_ptr(), len: chunk.len() as u32 };
        let mut read = 0;
        // SAFETY: a valid iovec and out-pointer.
        if unsafe { raw::fd_read(0, &iov, 1, &mut read) } != 0 || read == 0 {
            return input;
        }
        input.extend_from_slice(&chunk[..read as usize]);
    }
}

fn fill_pattern() {
    for (index, byte) in arena().iter_mut().enumerate() {
        *byte = (index as u8).wrapping_mul(31).wrapping_add(7);
    }
}

fn main() {
    fill_pattern();
    let line = StackText { len: 0, bytes: [0; 8192] };
    let (bytes, adjustments) = split_adjustments(read_stdin());
    let mark = bytes.iter().fold(0x811c_9dc5u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193));
    let mut driver = Driver { input: Input { bytes, at: 0 }, fds: Vec::new(), step: 0, op_at: 0, line, mark, before: Vec::new(), adjustments };
    let pages = core::arch::wasm32::memory_size(0);
    emit(format!("\u{1e}{mark:08x} input {} bytes, memory {pages} pages\n", driver.input.bytes.len()).as_bytes());
    while !driver.input.done() {
        driver.op_at = driver.input.at;
        // One call in six opens something, so that later calls find files.
        let op = match driver.input.byte() {
            0..=42 => OPEN_OP,
            byte => byte,
        };
        // SAFETY: every pointer is in the arena or deliberately wild; the
        // implementations under test must check them.
        unsafe { step(&mut driver, op) };
    }
    emit(format!("\u{1e}{:08x} end\n", driver.mark).as_bytes());
}

mod calls;
use calls::{OPEN_OP, step};
