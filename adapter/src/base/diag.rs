//! Diagnosed aborts: the only way the adapter ends a program on its own.
//!
//! Each writes one line to stderr naming the p1 function in progress, what was
//! found and what to do, then exits with `DIAGNOSED_EXIT` (70, EX_SOFTWARE of
//! sysexits.h), so that a diagnosis can be told from the program's own
//! `exit(1)`. The proxy flavour has no exit, so there the line is followed by
//! a trap. Nothing here relies on the adapter's state, which
//! may be the very thing that is damaged.

use text_literal::text;

use crate::base::{func_names, globals, phase, stdio};

const LINE_CAPACITY: usize = 512;

/// A message being assembled on the stack (the adapter has no data section to
/// keep text in; `text!` packs literals into immediates for `put_packed`).
pub struct Line {
    len: usize,
    capital: bool,
    bytes: [u8; LINE_CAPACITY],
    /// Where the host puts the result of writing the line (`write_stderr`):
    /// a `result<_, stream-error>`, never read. It lives in the line, whose
    /// frame every writer has anyway, so writing needs no frame of its own.
    write_result: core::mem::MaybeUninit<[u32; 3]>,
}

/// The punctuation of text_literal's alphabet, symbols 38 to 52, in order.
const PUNCTUATION_LOW: u64 = u64::from_le_bytes(*b".,()'`:-");
const PUNCTUATION_HIGH: u64 = u64::from_le_bytes(*b"/_;\n\"?!\0");
const CAPITAL: u64 = 62;
const SEPARATOR: u64 = 63;

/// Calls `each` with the six-bit symbols of packed words, low bits first; a
/// zero symbol ends a word.
#[inline(always)]
fn for_each_symbol(words: [u64; 4], mut each: impl FnMut(u64)) {
    for mut word in words {
        while word != 0 {
            each(word & 63);
            word >>= 6;
        }
    }
}

/// The byte a text_literal symbol stands for.
fn symbol_byte(symbol: u64) -> u8 {
    match symbol {
        1..=26 => b'a' + symbol as u8 - 1,
        27 => b' ',
        28..=37 => b'0' + (symbol - 28) as u8,
        _ => {
            let index = symbol.saturating_sub(38);
            let table = if index < 8 { PUNCTUATION_LOW } else { PUNCTUATION_HIGH };
            (table >> (8 * (index % 8))) as u8
        }
    }
}

impl Line {
    fn new() -> Line {
        Line { len: 0, capital: false, bytes: [0; LINE_CAPACITY], write_result: core::mem::MaybeUninit::uninit() }
    }

    /// Appends text packed by `text!`.
    #[inline(never)]
    pub fn put_packed(&mut self, w0: u64, w1: u64, w2: u64, w3: u64) {
        for_each_symbol([w0, w1, w2, w3], |symbol| {
            if symbol == CAPITAL {
                self.capital = true;
                return;
            }
            let byte = symbol_byte(symbol);
            self.push(if self.capital { byte.to_ascii_uppercase() } else { byte });
            self.capital = false;
        });
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    pub fn decimal(&mut self, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            if let Some(slot) = digits.get_mut(count) {
                *slot = b'0' + (value % 10) as u8;
            }
            count += 1;
            value /= 10;
            if value == 0 || count == digits.len() {
                break;
            }
        }
        for digit in digits.iter().take(count).rev() {
            self.push(*digit);
        }
    }

    pub fn hex(&mut self, value: u32) {
        text!(self, "0x");
        for shift in (0..8).rev() {
            let nibble = ((value >> (shift * 4)) & 0xf) as u8;
            self.push(if nibble < 10 { b'0' + nibble } else { b'a' + nibble - 10 });
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// What part of adapter memory was found damaged.
#[derive(Clone, Copy)]
#[repr(u32)]
pub enum Damage {
    HeadMagic,
    TailMagic,
    Seal,
    StackCanary,
    FreeBlock,
    FdEntry,
    Guard,
}

/// The values `fatal` gets for each kind of damage, to match on.
impl Damage {
    const HEAD_MAGIC: u32 = Damage::HeadMagic as u32;
    const TAIL_MAGIC: u32 = Damage::TailMagic as u32;
    const SEAL: u32 = Damage::Seal as u32;
    const STACK_CANARY: u32 = Damage::StackCanary as u32;
    const FREE_BLOCK: u32 = Damage::FreeBlock as u32;
    const FD_ENTRY: u32 = Damage::FdEntry as u32;
}

/// The diagnoses, as the scalar `fatal` takes.
mod kind {
    pub const CORRUPTED: u32 = 0;
    pub const STACK_OVERFLOW: u32 = 1;
    pub const UNEXPECTED_ALLOCATION: u32 = 2;
    pub const OUT_OF_MEMORY: u32 = 3;
    pub const INTERNAL: u32 = 4;
    pub const NO_MEMORY: u32 = 5;
    pub const CLAIMED: u32 = 6;
    pub const FOREIGN_POINTER: u32 = 7;
    pub const EXIT_IN_PROXY: u32 = 8;
    pub const MISPLACED_RESULT: u32 = 9;
}

/// The guest overwrote adapter memory.
#[inline(always)]
pub fn corrupted(address: u32, damage: Damage) -> ! {
    fatal(kind::CORRUPTED, address, damage as u32)
}

/// The adapter's own stack overflowed into its guard.
#[inline(always)]
pub fn stack_overflow() -> ! {
    fatal(kind::STACK_OVERFLOW, 0, 0)
}

/// The host placed an import result differently from what the adapter asked.
#[inline(always)]
pub fn unexpected_allocation(size: u32, align: u32) -> ! {
    fatal(kind::UNEXPECTED_ALLOCATION, size, align)
}

/// The host answered with a string the adapter did not place where it says.
#[inline(always)]
pub fn misplaced_result(len: u32) -> ! {
    fatal(kind::MISPLACED_RESULT, len, 0)
}

/// The adapter could not get memory for data the host is handing over.
#[inline(always)]
pub fn out_of_memory(size: u32) -> ! {
    fatal(kind::OUT_OF_MEMORY, size, 0)
}

/// An internal invariant failed (the panic handler ends here).
#[inline(always)]
pub fn internal_error() -> ! {
    fatal(kind::INTERNAL, 0, 0)
}

/// The adapter needs memory and memory.grow refused it.
#[inline(always)]
pub fn no_memory(size: u32) -> ! {
    fatal(kind::NO_MEMORY, size, 0)
}

/// A guest heap set up after the adapter took its pages claimed them, and
/// the adapter's state could not be rebuilt elsewhere.
#[inline(always)]
pub fn claimed(address: u32) -> ! {
    fatal(kind::CLAIMED, address, 0)
}

/// The guest passed a pointer into adapter memory.
#[inline(always)]
pub fn foreign_pointer(address: u32, len: u32) -> ! {
    fatal(kind::FOREIGN_POINTER, address, len)
}

/// `proc_exit` in the proxy flavour, whose world has no exit.
#[cfg(feature = "proxy")]
#[inline(always)]
pub fn exit_in_proxy(code: u32) -> ! {
    fatal(kind::EXIT_IN_PROXY, code, 0)
}

/// A note, not an abort: p1 function `func` was called inside a guest
/// callback and answered `EBUSY` (see `callback`). Runs on the stack of the
/// call that writes it.
#[cold]
#[inline(never)]
pub fn refused_in_callback(func: u32) {
    let mut line = Line::new();
    text!(line, "wasi-p1-adapter: note: ");
    func_names::write_name(&mut line, func);
    text!(line, " was answered EBUSY: the guest called it inside its cabi_realloc or cabi_post function,");
    text!(line, " where the component model lets no call reach the host.\n");
    write_stderr(&mut line);
}

/// Every diagnosis starts here, without using the shadow stack: unless a
/// call is running on the adapter's own stack, the stack pointer may point
/// at nothing, or into memory that is now the guest's. Then the report runs
/// on a fresh page, or, failing that, on the top of memory: the program ends
/// anyway, and a message is worth the guest's last bytes.
#[cold]
#[inline(never)]
pub fn fatal(kind: u32, a: u32, b: u32) -> ! {
    if globals::phase() != phase::RUNNING {
        const PAGE: u32 = 65536;
        let top = match core::arch::wasm32::memory_grow(0, 1) {
            usize::MAX => (core::arch::wasm32::memory_size(0) as u32).wrapping_mul(PAGE),
            page => (page as u32).wrapping_add(1).wrapping_mul(PAGE),
        };
        if top < 4096 {
            // No memory to write a message from.
            exit_failure()
        }
        // SAFETY: no adapter stack is in use (the phase says so); the
        // program ends here, so the page grown, or failing that the top of
        // memory, may serve as the stack of the report.
        unsafe { globals::set_stack_pointer(top & !15) };
        globals::set_phase(phase::RUNNING);
    }
    report(kind, a, b)
}

#[cold]
#[inline(never)]
fn report(kind: u32, a: u32, b: u32) -> ! {
    if kind == kind::EXIT_IN_PROXY {
        let mut line = Line::new();
        text!(line, "wasi-p1-adapter: proc_exit(");
        line.decimal(u64::from(a));
        text!(line, "): wasi:http/proxy has no exit, so the adapter ends the guest here with a trap.");
        finish(line)
    }
    let mut line = begin();
    match kind {
        kind::CORRUPTED => {
            text!(line, "adapter memory at ");
            line.hex(a);
            text!(line, " was overwritten (");
            match b {
                Damage::HEAD_MAGIC => text!(line, "state header magic"),
                Damage::TAIL_MAGIC => text!(line, "state trailer magic"),
                Damage::SEAL => text!(line, "state checksum"),
                Damage::STACK_CANARY => text!(line, "stack guard"),
                Damage::FREE_BLOCK => text!(line, "heap free block"),
                Damage::FD_ENTRY => text!(line, "file descriptor table entry"),
                _ => text!(line, "end-of-block guard"),
            }
            text!(line, "):");
            heap_took_pages(&mut line);
        }
        kind::CLAIMED => {
            text!(line, "the guest's heap took adapter memory at ");
            line.hex(a);
            text!(line, " when it was set up, with descriptors open in it (wasi-libc's malloc before 2023");
            text!(line, " takes all memory there is).");
            remedy_adapt(&mut line);
        }
        kind::FOREIGN_POINTER => {
            text!(line, "the guest passed a pointer into adapter memory (");
            line.decimal(u64::from(b));
            text!(line, " bytes at ");
            line.hex(a);
            text!(line, "):");
            heap_took_pages(&mut line);
        }
        kind::NO_MEMORY => {
            text!(line, "memory.grow refused the ");
            line.decimal(u64::from(a));
            text!(line, " bytes the adapter needs: the module's memory is at its maximum, or the host allows");
            text!(line, " no more.");
            remedy_adapt(&mut line);
            text!(line, " (It lifts the maximum by the adapter's pages.)");
        }
        kind::STACK_OVERFLOW => {
            text!(line, "the adapter overflowed its stack. This is an adapter bug; please report it.");
        }
        kind::UNEXPECTED_ALLOCATION => {
            text!(line, "the host asked the adapter for ");
            line.decimal(u64::from(a));
            text!(line, " bytes (alignment ");
            line.decimal(u64::from(b));
            text!(line, ") that the import being called should not need. The host and adapter disagree");
            text!(line, " about a WASI 0.2 interface.");
        }
        kind::MISPLACED_RESULT => {
            text!(line, "the host answered with ");
            line.decimal(u64::from(a));
            text!(line, " bytes of text at an address the adapter never gave it. The host and adapter disagree");
            text!(line, " about a WASI 0.2 interface.");
        }
        kind::OUT_OF_MEMORY => {
            text!(line, "out of memory: linear memory cannot grow to hold ");
            line.decimal(u64::from(a));
            text!(line, " bytes the host is returning.");
        }
        _ => {
            text!(line, "an internal adapter invariant failed. This is an adapter bug; please report it.");
        }
    }
    finish(line)
}

/// The cause and remedy shared by the diagnoses of a guest heap that ran
/// over adapter memory.
fn heap_took_pages(line: &mut Line) {
    text!(line, " the guest's heap took pages the adapter grew with memory.grow (Go, TinyGo and");
    text!(line, " wasi-libc's malloc before 2023 do).");
    remedy_adapt(line);
}

fn remedy_adapt(line: &mut Line) {
    text!(line, " Remedy: build the component with this project's `adapt` command.");
}

/// Picks one name out of a `names!` list: the `wanted`-th, counting from 1.
pub struct NamePicker<'a> {
    line: &'a mut Line,
    wanted: u32,
    /// The number of the name being read.
    index: u32,
}

impl<'a> NamePicker<'a> {
    pub fn new(line: &'a mut Line, wanted: u32) -> NamePicker<'a> {
        NamePicker { line, wanted, index: 1 }
    }

    #[inline(never)]
    pub fn put_packed(&mut self, w0: u64, w1: u64, w2: u64, w3: u64) {
        for_each_symbol([w0, w1, w2, w3], |symbol| {
            if symbol == SEPARATOR {
                self.index += 1;
            } else if self.index == self.wanted {
                self.line.push(symbol_byte(symbol));
            }
        });
    }

    /// Whether the list, once read, held the wanted name.
    pub fn found(&self) -> bool {
        (1..self.index).contains(&self.wanted)
    }
}

fn begin() -> Line {
    let mut line = Line::new();
    text!(line, "wasi-p1-adapter: fatal: in ");
    func_names::write_name(&mut line, globals::current());
    text!(line, ": ");
    line
}

fn finish(mut line: Line) -> ! {
    text!(line, "\n");
    write_stderr(&mut line);
    exit_failure()
}

// Imported here, not through `host::streams`: a diagnosis must not depend
// on any layer whose state may be what it reports.
#[link(wasm_import_module = "wasi:io/streams@0.2.12")]
unsafe extern "C" {
    #[link_name = "[method]output-stream.blocking-write-and-flush"]
    fn blocking_write_and_flush(stream: u32, data: u32, len: u32, ret: u32);
}

/// One `blocking-write-and-flush` (a line is far below its 4 KiB limit). A
/// failure is not reported, as there is nowhere left to report it, and its
/// error resource is left to the end of the program.
fn write_stderr(line: &mut Line) {
    let stream = stdio::handle(stdio::Stdio::Err);
    let bytes = line.as_bytes();
    // SAFETY: `bytes` is a live buffer the host only reads; `write_result`
    // is large enough for the result the host writes.
    unsafe { blocking_write_and_flush(stream, bytes.as_ptr() as u32, bytes.len() as u32, line.write_result.as_mut_ptr() as u32) };
}

/// The exit status of every diagnosed abort.
pub const DIAGNOSED_EXIT: u8 = 70;

#[cfg(not(feature = "proxy"))]
fn exit_failure() -> ! {
    #[link(wasm_import_module = "wasi:cli/exit@0.2.12")]
    unsafe extern "C" {
        #[link_name = "exit-with-code"]
        fn exit_with_code(code: u32);
    }
    // SAFETY: ends the program; the host takes the status by value.
    unsafe { exit_with_code(u32::from(DIAGNOSED_EXIT)) };
    // `exit` does not return; if a host let it, stop here all the same.
    core::arch::wasm32::unreachable()
}

#[cfg(feature = "proxy")]
fn exit_failure() -> ! {
    // wasi:http/proxy has no exit; the message above explains the trap.
    core::arch::wasm32::unreachable()
}
