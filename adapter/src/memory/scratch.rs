//! Sixteen bytes where the host puts an import's results.
//!
//! The canonical ABI returns anything wider than one value through memory
//! the caller names: a timestamp, a `result` of a stream write. The calls
//! that need no other memory (`p1::memoryless`) must not write the adapter's pages,
//! which may not exist yet or may no longer be the adapter's. So the host's
//! answer goes into sixteen bytes of the guest's memory, borrowed for the
//! duration of one import: their contents are kept in wasm locals and put
//! back before the import's caller returns. The guest cannot run meanwhile,
//! so it never sees the difference.
//!
//! Everything here runs without the shadow stack.

use crate::memory::layout;

pub const SIZE: u32 = 16;

/// Runs `use_it` with the address of `SIZE` bytes of guest memory,
/// 8-aligned, clear of `[avoid, avoid + avoid_len)` (a guest buffer the host
/// fills during the same import). `None` when there are no such bytes (see
/// `available`). `use_it` makes one import: a later one could read guest
/// memory the first one's answer still covers.
#[inline(always)]
pub fn with<R>(avoid: u32, avoid_len: u32, use_it: impl FnOnce(u32) -> R) -> Option<R> {
    let at = pick(avoid, avoid_len)?;
    let place = at as usize as *mut u64;
    // SAFETY: `pick` returned sixteen in-bounds, 8-aligned bytes of linear
    // memory; nothing else runs until they are restored below.
    let saved = unsafe { (place.read(), place.add(1).read()) };
    let result = use_it(at);
    // SAFETY: as above.
    unsafe {
        place.write(saved.0);
        place.add(1).write(saved.1);
    }
    Some(result)
}

/// Whether `with` can run clear of `[avoid, avoid + avoid_len)`: not when
/// memory is nearly empty, nor when the buffer covers all of it but its
/// first 32 bytes.
#[inline(always)]
pub fn available(avoid: u32, avoid_len: u32) -> bool {
    pick(avoid, avoid_len).is_some()
}

/// Where borrowed scratch goes by preference: low memory, which C programs
/// leave unused, but not address 0 (a null pointer to the compiler).
const LOW: u64 = 16;

/// `LOW` if it is clear of `avoid`, else the 8-aligned bytes just past or
/// just before it; all within memory.
#[inline(always)]
fn pick(avoid: u32, avoid_len: u32) -> Option<u32> {
    let memory = layout::memory_bytes();
    let size = u64::from(SIZE);
    let start = u64::from(avoid);
    let end = start + u64::from(avoid_len);
    let fits = |at: u64| (at >= 8 && at + size <= memory).then_some(at as u32);
    if avoid_len == 0 || start >= LOW + size || end <= LOW {
        return fits(LOW);
    }
    fits((end + 7) & !7).or_else(|| fits(start.saturating_sub(size) & !7))
}

/// Reads a `u32` the host wrote at `at + offset`.
#[inline(always)]
pub fn u32_at(at: u32, offset: u32) -> u32 {
    // SAFETY: `at` is a scratch area from `with` and `offset + 4 <= SIZE`.
    unsafe { (at.wrapping_add(offset) as usize as *const u32).read() }
}

/// Reads a `u64` the host wrote at `at + offset`.
#[inline(always)]
pub fn u64_at(at: u32, offset: u32) -> u64 {
    // SAFETY: as `u32_at`, 8-aligned.
    unsafe { (at.wrapping_add(offset) as usize as *const u64).read() }
}

/// Reads the byte the host wrote at `at + offset`.
#[inline(always)]
pub fn u8_at(at: u32, offset: u32) -> u8 {
    // SAFETY: as `u32_at`.
    unsafe { (at.wrapping_add(offset) as usize as *const u8).read() }
}
