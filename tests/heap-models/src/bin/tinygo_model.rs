//! A model of TinyGo's heap on wasip1, faithful where it matters to an
//! adapter:
//!
//! * At `_start` the heap is `[__heap_base, memory.size)`, its GC metadata
//!   (2 bits per 16-byte block, about 1/65 of the heap) at the very top,
//!   zeroed at init (`initHeap`).
//! * `growHeap` doubles memory and lays the heap out again up to the new
//!   `memory.size`, read afresh, ignoring what `memory.grow` answered; the
//!   metadata moves to the new top.
//! * Mark/sweep from the roots frees unreachable blocks and zeroes them.
//! * `malloc` and `free` are exported, as TinyGo exports them.
//! * `random_get` is called during init (after the heap is set up), p1 I/O
//!   afterwards, between allocations.
//!
//! Every live object carries a pattern derived from its id, checked after
//! each round; a mismatch is reported and ends the program with status 70.

#![no_std]
#![no_main]

use model::{Line, PAGE, Rng, corrupted, fill, heap_base, intact, memory_grow, memory_pages, p1, p1_traffic};

const BLOCK: usize = 16;
const MAX_ROOTS: usize = 2048;

const FREE: u8 = 0;
const HEAD: u8 = 1;
const TAIL: u8 = 2;
const MARK: u8 = 3;

struct Heap {
    start: usize,
    metadata: usize,
    end: usize,
    blocks: usize,
    scan: usize,
    grown: u32,
    collections: u32,
}

struct Root {
    address: usize,
    id: u64,
    words: usize,
}

static mut HEAP: Heap = Heap { start: 0, metadata: 0, end: 0, blocks: 0, scan: 0, grown: 0, collections: 0 };
static mut ROOTS: [Root; MAX_ROOTS] = [const { Root { address: 0, id: 0, words: 0 } }; MAX_ROOTS];
static mut NEXT_ID: u64 = 1;

#[allow(static_mut_refs)]
fn heap() -> &'static mut Heap {
    unsafe { &mut HEAP }
}

#[allow(static_mut_refs)]
fn roots() -> &'static mut [Root; MAX_ROOTS] {
    unsafe { &mut ROOTS }
}

fn state(block: usize) -> u8 {
    let byte = unsafe { *((heap().metadata + block / 4) as *const u8) };
    (byte >> ((block % 4) * 2)) & 3
}

fn set_state(block: usize, value: u8) {
    let address = (heap().metadata + block / 4) as *mut u8;
    let shift = (block % 4) * 2;
    unsafe { *address = (*address & !(3 << shift)) | (value << shift) };
}

/// TinyGo's `setHeapEnd`: metadata at the top of `[start, end)`, the old
/// metadata carried over, the rest of it zeroed.
fn set_heap_end(end: usize) {
    let heap = heap();
    let total = end - heap.start;
    let metadata_size = (total / 65 + BLOCK) & !(BLOCK - 1);
    let metadata = end - metadata_size;
    let old_bytes = if heap.metadata == 0 { 0 } else { heap.blocks.div_ceil(4) };
    unsafe {
        core::ptr::copy(heap.metadata as *const u8, metadata as *mut u8, old_bytes);
        core::ptr::write_bytes((metadata + old_bytes) as *mut u8, 0, metadata_size - old_bytes);
    }
    heap.metadata = metadata;
    heap.end = end;
    heap.blocks = ((metadata - heap.start) / BLOCK).min(metadata_size * 4);
}

fn init_heap() {
    let heap = heap();
    heap.start = (heap_base() + BLOCK - 1) & !(BLOCK - 1);
    set_heap_end(memory_pages() * PAGE);
}

/// TinyGo's `growHeap`: double memory, then take everything up to the new
/// `memory.size`, whatever `memory.grow` said.
fn grow_heap() -> bool {
    if memory_grow(memory_pages()) == usize::MAX {
        return false;
    }
    heap().grown += 1;
    set_heap_end(memory_pages() * PAGE);
    true
}

fn find_free(blocks_needed: usize) -> Option<usize> {
    let heap = heap();
    let mut run = 0;
    let mut block = heap.scan;
    for _ in 0..heap.blocks * 2 {
        if block >= heap.blocks {
            block = 0;
            run = 0;
        }
        run = if state(block) == FREE { run + 1 } else { 0 };
        block += 1;
        if run == blocks_needed {
            heap.scan = block;
            return Some(block - blocks_needed);
        }
    }
    None
}

/// Mark from the roots, sweep the rest: free and zero unreachable objects.
fn collect() {
    heap().collections += 1;
    for root in roots().iter().filter(|root| root.address != 0) {
        set_state((root.address - heap().start) / BLOCK, MARK);
    }
    let blocks = heap().blocks;
    let mut block = 0;
    while block < blocks {
        match state(block) {
            MARK => set_state(block, HEAD),
            HEAD => {
                set_state(block, FREE);
                let mut end = block + 1;
                while end < blocks && state(end) == TAIL {
                    set_state(end, FREE);
                    end += 1;
                }
                let address = heap().start + block * BLOCK;
                unsafe { core::ptr::write_bytes(address as *mut u8, 0, (end - block) * BLOCK) };
                block = end;
                continue;
            }
            _ => {}
        }
        block += 1;
    }
}

fn alloc(bytes: usize) -> usize {
    let needed = bytes.div_ceil(BLOCK).max(1);
    let found = find_free(needed).or_else(|| {
        collect();
        find_free(needed)
    });
    let first = match found {
        Some(first) => first,
        None => loop {
            if !grow_heap() {
                Line::new().text("tinygo model: out of memory").write(2);
                unsafe { p1::proc_exit(71) }
            }
            if let Some(first) = find_free(needed) {
                break first;
            }
        },
    };
    set_state(first, HEAD);
    for block in first + 1..first + needed {
        set_state(block, TAIL);
    }
    heap().start + first * BLOCK
}

/// Keeps an object alive, in place of another (which becomes garbage).
fn keep(slot: usize, address: usize, id: u64, words: usize) {
    roots()[slot] = Root { address, id, words };
}

#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> usize {
    let address = alloc(size);
    let id = unsafe { NEXT_ID };
    unsafe { NEXT_ID += 1 };
    if let Some(slot) = roots().iter().position(|root| root.address == 0) {
        keep(slot, address, id, 0);
    }
    address
}

#[unsafe(no_mangle)]
pub extern "C" fn free(address: usize) {
    if let Some(root) = roots().iter_mut().find(|root| root.address == address) {
        root.address = 0;
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() {
    init_heap();
    // TinyGo seeds its hashes from random_get during runtime init.
    let mut seed = [0u8; 8];
    unsafe { p1::random_get(seed.as_mut_ptr(), 8) };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut allocated: u64 = 0;
    for round in 0..40u64 {
        for _ in 0..400 {
            let bound = if rng.below(10) == 0 { 4096 } else { 256 };
            let words = 2 + rng.below(bound) as usize;
            let address = alloc(words * 8);
            let id = unsafe { NEXT_ID };
            unsafe { NEXT_ID += 1 };
            unsafe { fill(address, id, words) };
            allocated += (words * 8) as u64;
            // Half the objects live on (replacing an older one), half are garbage.
            if rng.below(2) == 0 {
                keep(rng.below(MAX_ROOTS as u64) as usize, address, id, words);
            }
        }
        // p1 calls between allocations: the adapter wakes here.
        p1_traffic();
        for root in roots().iter().filter(|root| root.address != 0 && root.words != 0) {
            if !unsafe { intact(root.address, root.id, root.words) } {
                corrupted("tinygo model", root.id, root.address);
            }
        }
        if round % 10 == 9 {
            Line::new().text("tinygo model: round ").number(round + 1).text(" ok").write(1);
        }
    }
    let live = roots().iter().filter(|root| root.address != 0).count();
    let checksum =
        roots().iter().filter(|root| root.address != 0).fold(0u64, |sum, root| sum.wrapping_mul(31).wrapping_add(root.id ^ root.words as u64));
    let heap = heap();
    Line::new()
        .text("tinygo model: allocated ")
        .number(allocated >> 20)
        .text(" MiB, ")
        .number(live as u64)
        .text(" live objects intact, heap grew ")
        .number(u64::from(heap.grown))
        .text(" times to ")
        .number((heap.end / PAGE) as u64)
        .text(" pages, ")
        .number(u64::from(heap.collections))
        .text(" collections, checksum ")
        .hex(checksum)
        .write(1);
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    Line::new().text("tinygo model: panicked").write(2);
    unsafe { p1::proc_exit(72) }
}
