//! A model of Go's heap on wasip1 (GOOS=wasip1, Go 1.21 to 1.27), faithful
//! where it matters to an adapter:
//!
//! * `osinit` puts the break at the first 64 KiB boundary after the binary
//!   and caches `blocMax = memory.size`.
//! * `sbrk` grows memory by what it lacks beyond `blocMax`, then sets
//!   `blocMax` from its own arithmetic: pages someone else grew are silently
//!   overlapped.
//! * The runtime's first calls: `clock_time_get` twice, `random_get`, then the
//!   heap (`mallocinit`), then arguments and environment, `fd_fdstat_get` and
//!   `fd_fdstat_set_flags(NONBLOCK)` on fds 0-2 (errors ignored), the preopen
//!   scan.
//! * Then an allocation-heavy workload: arenas from `sbrk`, objects bumped
//!   into them, most dropped, 48 MiB in all (or as many MiB as the first
//!   argument says).
//!
//! Live objects carry patterns checked after each round; a mismatch is
//! reported and ends the program with status 70.

#![no_std]
#![no_main]

use model::{Line, PAGE, Rng, corrupted, fill, heap_base, intact, memory_grow, memory_pages, number_argument, p1, p1_traffic};

const ARENA: usize = 1 << 20;
const MAX_LIVE: usize = 1024;
const NONBLOCK: u32 = 4;

static mut BREAK: usize = 0;
static mut BLOC_MAX: usize = 0;
static mut LIVE: [(usize, u64, usize); MAX_LIVE] = [(0, 0, 0); MAX_LIVE];

fn osinit() {
    unsafe {
        BREAK = (heap_base() + PAGE - 1) & !(PAGE - 1);
        BLOC_MAX = memory_pages() * PAGE;
    }
}

/// Go's `sbrk`: only a failed `memory.grow` is noticed, never where the new
/// pages actually are.
fn sbrk(bytes: usize) -> usize {
    unsafe {
        let old = BREAK;
        if old + bytes > BLOC_MAX {
            let grow = (old + bytes - BLOC_MAX).div_ceil(PAGE);
            if memory_grow(grow) == usize::MAX {
                return 0;
            }
            BLOC_MAX = old + bytes;
        }
        BREAK = old + bytes;
        old
    }
}

#[allow(static_mut_refs)]
fn live() -> &'static mut [(usize, u64, usize); MAX_LIVE] {
    unsafe { &mut LIVE }
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() {
    osinit();
    let mut time = 0u64;
    let mut seed = [0u8; 8];
    unsafe {
        p1::clock_time_get(1, 1, &mut time);
        p1::clock_time_get(0, 1, &mut time);
        p1::random_get(seed.as_mut_ptr(), 8);
    }
    // mallocinit: the first arena.
    let mut arena = sbrk(ARENA);
    let mut used = 0;
    let (mut count, mut size) = (0u32, 0u32);
    let mut stat = [0u8; 24];
    let mut prestat = [0u8; 8];
    unsafe {
        p1::args_sizes_get(&mut count, &mut size);
        p1::environ_sizes_get(&mut count, &mut size);
        for fd in 0..3 {
            p1::fd_fdstat_get(fd, stat.as_mut_ptr());
            p1::fd_fdstat_set_flags(fd, NONBLOCK);
        }
        let mut fd = 3;
        while p1::fd_prestat_get(fd, prestat.as_mut_ptr()) == 0 {
            fd += 1;
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut id = 0u64;
    let mut allocated = 0usize;
    let mut arenas = 1;
    let rounds = number_argument().unwrap_or(48);
    for round in 0..rounds {
        while allocated < (round as usize + 1) << 20 {
            let bound = if rng.below(16) == 0 { 8192 } else { 512 };
            let words = 2 + rng.below(bound) as usize;
            let bytes = words * 8;
            if used + bytes > ARENA {
                arena = sbrk(ARENA);
                if arena == 0 {
                    Line::new().text("go model: out of memory").write(2);
                    unsafe { p1::proc_exit(71) }
                }
                arenas += 1;
                used = 0;
            }
            let address = arena + used;
            used += bytes;
            allocated += bytes;
            id += 1;
            unsafe { fill(address, id, words) };
            if rng.below(4) == 0 {
                live()[rng.below(MAX_LIVE as u64) as usize] = (address, id, words);
            }
        }
        // p1 calls between allocations: the adapter wakes here.
        p1_traffic();
        for &(address, object, words) in live().iter().filter(|entry| entry.0 != 0) {
            if !unsafe { intact(address, object, words) } {
                corrupted("go model", object, address);
            }
        }
        if round % 12 == 11 || round + 1 == rounds {
            Line::new().text("go model: round ").number(round + 1).text(" ok").write(1);
        }
    }
    let live_count = live().iter().filter(|entry| entry.0 != 0).count();
    let checksum = live().iter().filter(|entry| entry.0 != 0).fold(0u64, |sum, entry| sum.wrapping_mul(31).wrapping_add(entry.1 ^ entry.2 as u64));
    Line::new()
        .text("go model: allocated ")
        .number((allocated >> 20) as u64)
        .text(" MiB in ")
        .number(arenas)
        .text(" arenas, ")
        .number(live_count as u64)
        .text(" live objects intact, memory ")
        .number(unsafe { BLOC_MAX / PAGE } as u64)
        .text(" pages as Go sees it, checksum ")
        .hex(checksum)
        .write(1);
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    Line::new().text("go model: panicked").write(2);
    unsafe { p1::proc_exit(72) }
}
