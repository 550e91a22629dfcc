//! What both heap models share: raw preview1 calls, printing without an
//! allocator, and the objects whose contents every model checks.
//!
//! The models own memory the way their originals do; nothing here allocates.

#![no_std]

pub mod p1 {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn fd_write(fd: u32, iovs: *const [u32; 2], iovs_len: u32, written: *mut u32) -> u32;
        pub fn random_get(buf: *mut u8, len: u32) -> u32;
        pub fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u32;
        pub fn args_sizes_get(count: *mut u32, size: *mut u32) -> u32;
        pub fn args_get(argv: *mut u32, buf: *mut u8) -> u32;
        pub fn environ_sizes_get(count: *mut u32, size: *mut u32) -> u32;
        pub fn fd_fdstat_get(fd: u32, stat: *mut u8) -> u32;
        pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> u32;
        pub fn fd_prestat_get(fd: u32, prestat: *mut u8) -> u32;
        pub fn proc_exit(code: u32) -> !;
    }
}

pub const PAGE: usize = 65536;

pub fn memory_pages() -> usize {
    core::arch::wasm32::memory_size(0)
}

/// `memory.grow`, whose answer the models ignore (except -1) as the
/// originals do.
pub fn memory_grow(pages: usize) -> usize {
    core::arch::wasm32::memory_grow(0, pages)
}

/// Where the linker put the end of static data: the originals' heap start.
pub fn heap_base() -> usize {
    unsafe extern "C" {
        static __heap_base: u8;
    }
    &raw const __heap_base as usize
}

/// The first argument after the program name as a number, if it is one.
pub fn number_argument() -> Option<u64> {
    let (mut count, mut size) = (0u32, 0u32);
    let mut argv = [0u32; 8];
    let mut buf = [0u8; 256];
    unsafe {
        if p1::args_sizes_get(&mut count, &mut size) != 0 || count < 2 || count > 8 || size > 256 {
            return None;
        }
        if p1::args_get(argv.as_mut_ptr(), buf.as_mut_ptr()) != 0 {
            return None;
        }
    }
    let start = (argv[1] as usize).checked_sub(buf.as_ptr() as usize)?;
    let digits = buf.get(start..)?.iter().take_while(|byte| byte.is_ascii_digit());
    let mut value = 0u64;
    let mut any = false;
    for digit in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        any = true;
    }
    any.then_some(value)
}

/// A line of output assembled on the stack.
pub struct Line {
    bytes: [u8; 256],
    len: usize,
}

impl Line {
    pub fn new() -> Line {
        Line { bytes: [0; 256], len: 0 }
    }

    pub fn text(&mut self, text: &str) -> &mut Line {
        for byte in text.bytes() {
            if self.len < self.bytes.len() {
                self.bytes[self.len] = byte;
                self.len += 1;
            }
        }
        self
    }

    pub fn number(&mut self, mut value: u64) -> &mut Line {
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (value % 10) as u8;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        while count > 0 {
            count -= 1;
            self.text(core::str::from_utf8(&digits[count..count + 1]).unwrap_or("?"));
        }
        self
    }

    pub fn hex(&mut self, value: u64) -> &mut Line {
        for shift in (0..16).rev() {
            let nibble = ((value >> (shift * 4)) & 0xf) as usize;
            self.text(&"0123456789abcdef"[nibble..nibble + 1]);
        }
        self
    }

    /// Writes the line and a newline to `fd`.
    pub fn write(&mut self, fd: u32) {
        self.text("\n");
        let iov = [self.bytes.as_ptr() as u32, self.len as u32];
        let mut written = 0;
        unsafe { p1::fd_write(fd, &iov, 1, &mut written) };
        self.len = 0;
    }
}

impl Default for Line {
    fn default() -> Self {
        Line::new()
    }
}

/// Object `id`'s contents: every word derived from the id and its position,
/// so an object that moved or was overwritten is caught.
pub fn pattern(id: u64, word: usize) -> u64 {
    (id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (word as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)).rotate_left(17)
}

/// Fills `[address, address + words * 8)` with object `id`'s pattern.
///
/// # Safety
/// The range must be memory the model owns.
pub unsafe fn fill(address: usize, id: u64, words: usize) {
    for word in 0..words {
        unsafe { ((address + word * 8) as *mut u64).write(pattern(id, word)) };
    }
}

/// Whether the range still holds object `id`'s pattern.
///
/// # Safety
/// The range must be readable memory.
pub unsafe fn intact(address: usize, id: u64, words: usize) -> bool {
    (0..words).all(|word| unsafe { ((address + word * 8) as *const u64).read() } == pattern(id, word))
}

/// Reports a corrupted object and ends the program with status 70.
pub fn corrupted(model: &str, id: u64, address: usize) -> ! {
    Line::new().text(model).text(": HEAP CORRUPTED: object ").number(id).text(" at ").number(address as u64).write(2);
    unsafe { p1::proc_exit(70) }
}

/// A small deterministic generator for sizes and choices.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// Some p1 traffic, as a runtime does between allocations: a clock read and
/// the sizes of arguments and environment.
pub fn p1_traffic() -> u64 {
    let mut time = 0u64;
    let (mut count, mut size) = (0u32, 0u32);
    unsafe {
        p1::clock_time_get(1, 1, &mut time);
        p1::args_sizes_get(&mut count, &mut size);
        p1::environ_sizes_get(&mut count, &mut size);
    }
    u64::from(count)
}
