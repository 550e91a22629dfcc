//! Diagnosed aborts: the only way the adapter ends a program on its own.
//!
//! Each writes one line to stderr naming the p1 function in progress, what was
//! found and what to do, then exits with `DIAGNOSED_EXIT` (70, EX_SOFTWARE of
//! sysexits.h), so that a diagnosis can be told from the program's own
//! `exit(1)`. The proxy flavour has no exit, so there the line is followed by
//! a trap. Nothing here relies on the adapter's state, which
//! may be the very thing that is damaged.

use text_literal::text;

use crate::{exports, globals};

const LINE_CAPACITY: usize = 512;

/// A message being assembled on the stack (the adapter has no data section to
/// keep text in; `text!` packs literals into immediates for `put_packed`).
pub struct Line {
    len: usize,
    capital: bool,
    bytes: [u8; LINE_CAPACITY],
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
        Line { len: 0, capital: false, bytes: [0; LINE_CAPACITY] }
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
pub enum Damage {
    HeadMagic,
    TailMagic,
    Seal,
    StackCanary,
    FreeBlock,
    FdEntry,
}

/// The guest overwrote adapter memory.
#[cold]
#[inline(never)]
pub fn corrupted(address: u32, damage: Damage) -> ! {
    let mut line = begin();
    text!(line, "adapter memory at ");
    line.hex(address);
    text!(line, " was overwritten (");
    match damage {
        Damage::HeadMagic => text!(line, "state header magic"),
        Damage::TailMagic => text!(line, "state trailer magic"),
        Damage::Seal => text!(line, "state checksum"),
        Damage::StackCanary => text!(line, "stack guard"),
        Damage::FreeBlock => text!(line, "heap free block"),
        Damage::FdEntry => text!(line, "file descriptor table entry"),
    }
    text!(line, "). The guest's allocator has claimed memory the adapter obtained with memory.grow");
    text!(line, " (TinyGo and Go heaps do this). Remedy: build the component with this project's");
    text!(line, " `adapt` command, which keeps adapter memory out of the guest's heap.");
    finish(line)
}

/// The adapter's own stack overflowed into its guard.
#[cold]
#[inline(never)]
pub fn stack_overflow() -> ! {
    let mut line = begin();
    text!(line, "the adapter overflowed its stack. This is an adapter bug; please report it.");
    finish(line)
}

/// The host placed an import result differently from what the adapter asked.
#[cold]
#[inline(never)]
pub fn unexpected_allocation(size: u32, align: u32) -> ! {
    let mut line = begin();
    text!(line, "the host asked the adapter for ");
    line.decimal(u64::from(size));
    text!(line, " bytes (alignment ");
    line.decimal(u64::from(align));
    text!(line, ") that the import being called should not need. The host and adapter disagree");
    text!(line, " about a WASI 0.2 interface.");
    finish(line)
}

/// The adapter could not get memory for data the host is handing over.
#[cold]
#[inline(never)]
pub fn out_of_memory(size: u32) -> ! {
    let mut line = begin();
    text!(line, "out of memory: linear memory cannot grow to hold ");
    line.decimal(u64::from(size));
    text!(line, " bytes the host is returning.");
    finish(line)
}

/// `proc_exit` in the proxy flavour, whose world has no exit.
#[cfg(feature = "proxy")]
#[cold]
#[inline(never)]
pub fn exit_in_proxy(code: u32) -> ! {
    let mut line = Line::new();
    text!(line, "wasi-p1-adapter: proc_exit(");
    line.decimal(u64::from(code));
    text!(line, "): wasi:http/proxy has no exit, so the adapter ends the guest here with a trap.");
    finish(line)
}

/// An internal invariant failed (the panic handler ends here).
#[cold]
#[inline(never)]
pub fn internal_error() -> ! {
    let mut line = begin();
    text!(line, "an internal adapter invariant failed. This is an adapter bug; please report it.");
    finish(line)
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
    exports::write_name(&mut line, globals::current());
    text!(line, ": ");
    line
}

fn finish(mut line: Line) -> ! {
    text!(line, "\n");
    write_stderr(line.as_bytes());
    exit_failure()
}

fn write_stderr(bytes: &[u8]) {
    let stderr = crate::bindings::wasi::cli::stderr::get_stderr();
    for chunk in bytes.chunks(4096) {
        if stderr.blocking_write_and_flush(chunk).is_err() {
            break;
        }
    }
}

/// The exit status of every diagnosed abort.
pub const DIAGNOSED_EXIT: u8 = 70;

#[cfg(not(feature = "proxy"))]
fn exit_failure() -> ! {
    crate::bindings::wasi::cli::exit::exit_with_code(DIAGNOSED_EXIT);
    // `exit` does not return; if a host let it, stop here all the same.
    core::arch::wasm32::unreachable()
}

#[cfg(feature = "proxy")]
fn exit_failure() -> ! {
    // wasi:http/proxy has no exit; the message above explains the trap.
    core::arch::wasm32::unreachable()
}
