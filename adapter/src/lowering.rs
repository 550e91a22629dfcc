//! Where the host puts the lists and strings WASI 0.2 imports return.
//!
//! The canonical ABI asks the callee's `realloc` for every list or string it
//! returns; for the adapter's imports that is `cabi_import_realloc`. Before an
//! import that returns such data, the adapter records a plan here saying where
//! each allocation goes, so results land where they are needed without a copy:
//! bytes read go straight into the guest's buffer, argument strings straight into
//! `argv_buf`. Element arrays ("spines") and preopen names go to the adapter
//! heap. Anything the plan did not foresee is a host/adapter disagreement and is
//! diagnosed. Strings are told from spines by alignment: strings are 1-aligned,
//! every spine of the lists the adapter asks for is 4-aligned.

use crate::diag;
use crate::globals;
use crate::guest;
use crate::layout::Rel;
use crate::state::Ctx;

/// No allocation is expected. (The one-allocation plan of reads and
/// `random_get`, which must work before the adapter has memory, is kept in
/// globals instead: see `arm_into`.)
const NONE: u32 = 0;
/// Spine to the heap; strings into the guest buffer at `cursor`, each followed
/// by one spare byte for the terminator p1 wants (NUL, or `=` after a key).
const STRINGS_INTO: u32 = 2;
/// Spine to the heap; strings only counted into `total` (and discarded).
const STRINGS_COUNT: u32 = 3;
/// Spine and strings to the heap; the strings are kept by the caller.
const ALL_TO_HEAP: u32 = 4;

#[derive(Default)]
#[repr(C)]
pub struct Lowering {
    mode: u32,
    dst: u32,
    cap: u32,
    cursor: u32,
    /// Set when a string could not go into guest memory, or the pointer
    /// array that goes with them could not; the call fails with
    /// `ERRNO_FAULT` and the strings go to the discard buffer instead.
    fault: u32,
    /// STRINGS_INTO: the guest's pointer array, checked when the spine's
    /// size tells the count, before any string is written.
    array: u32,
    /// STRINGS_INTO: spine bytes per byte of the pointer array (2 for
    /// arguments, 4 for variables: 8 or 16 spine bytes per 4-byte pointer).
    spine_per_array_byte: u32,
    total: u64,
    spine: Rel,
    spine_size: u32,
    discard: Rel,
    discard_size: u32,
    /// The last allocation, which the host may shrink in place.
    last: u32,
    /// ALL_TO_HEAP: the strings placed, and a sum over their (address,
    /// size), for the caller to check the host's answer against.
    strings: u32,
    string_sum: u64,
}

impl Lowering {
    /// Expects no allocation. The other fields only mean something in the
    /// mode that set them.
    pub fn clear(&mut self) {
        self.mode = NONE;
    }
}

/// What a list-returning import left behind.
pub struct ListResult {
    pub spine: Rel,
    pub spine_size: u32,
    pub total: u64,
    pub fault: bool,
    strings: u32,
    string_sum: u64,
}

impl ListResult {
    /// Whether `strings` (address, length) are exactly the strings this
    /// call placed on the heap, in any order: a host that answered with a
    /// string somewhere else would have the adapter read, and later free,
    /// memory it never handed out.
    pub fn placed_exactly(&self, strings: impl Iterator<Item = (u32, u32)>) -> bool {
        let (count, sum) = strings.fold((0u32, 0u64), |(count, sum), (address, len)| {
            (count.wrapping_add(1), sum.wrapping_add(string_mark(address, len)))
        });
        count == self.strings && sum == self.string_sum
    }
}

/// One string's part of `string_sum`: its address and size, mixed so that
/// different strings do not add up to the same sum by accident.
fn string_mark(address: u32, size: u32) -> u64 {
    (u64::from(address) << 32 | u64::from(size)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
}

/// Runs `call` with one allocation expected, of at most `dst.len` bytes, placed
/// at `dst`.
#[inline(always)]
pub fn into(dst: guest::Span, call: impl FnOnce()) {
    arm_into(dst);
    call();
    disarm_into();
}

/// Expects one allocation of at most `dst.len` bytes, to be placed at `dst`.
/// Kept in globals: it must work without the adapter's memory.
#[inline(always)]
pub fn arm_into(dst: guest::Span) {
    globals::set_into_dst(dst.address());
    globals::set_into_cap(dst.len());
    globals::set_into_armed(1);
}

#[inline(always)]
pub fn disarm_into() {
    globals::set_into_armed(0);
}

/// The allocation `arm_into` prepared, or `None` if this is not it. Runs
/// without the shadow stack.
#[inline(always)]
pub fn take_into(old_ptr: u32, size: u32) -> Option<u32> {
    if globals::into_armed() == 0 || old_ptr != 0 || size > globals::into_cap() {
        return None;
    }
    globals::set_into_armed(0);
    Some(globals::into_dst())
}

/// Runs `call`, placing strings into the guest buffer starting at `buf`.
/// The guest's pointer array at `array` must hold one 4-byte pointer per
/// `spine_per_array_byte * 4` spine bytes; if it cannot, nothing is written
/// and the result says `fault`.
pub fn strings_into(cx: Ctx, buf: u32, array: u32, spine_per_array_byte: u32, call: impl FnOnce()) -> ListResult {
    let plan = Lowering { mode: STRINGS_INTO, cursor: buf, array, spine_per_array_byte, ..Lowering::default() };
    list_call(cx, plan, call)
}

/// Runs `call`, only adding up the lengths of the strings it returns.
pub fn strings_count(cx: Ctx, call: impl FnOnce()) -> ListResult {
    list_call(cx, Lowering { mode: STRINGS_COUNT, ..Lowering::default() }, call)
}

/// Runs `call`, placing everything on the adapter heap.
pub fn all_to_heap(cx: Ctx, call: impl FnOnce()) -> ListResult {
    list_call(cx, Lowering { mode: ALL_TO_HEAP, ..Lowering::default() }, call)
}

/// Gives a spine back to the heap once its elements have been read.
pub fn release_spine(cx: Ctx, result: &ListResult) {
    if result.spine_size != 0 {
        cx.heap_free(result.spine, result.spine_size);
    }
}

fn list_call(cx: Ctx, plan: Lowering, call: impl FnOnce()) -> ListResult {
    cx.set_lowering(plan);
    call();
    let done = cx.take_lowering();
    if done.discard_size != 0 {
        cx.heap_free(done.discard, done.discard_size);
    }
    ListResult {
        spine: done.spine,
        spine_size: done.spine_size,
        total: done.total,
        fault: done.fault != 0,
        strings: done.strings,
        string_sum: done.string_sum,
    }
}

/// `cabi_import_realloc`: places one allocation according to the plan.
///
/// Works on a copy of the plan, so no reference into the state is held while
/// the heap (also in the state) is used; the copy is put back at the end.
pub fn realloc(cx: Ctx, old_ptr: u32, old_size: u32, align: u32, size: u32) -> u32 {
    if globals::into_armed() != 0 {
        // A second allocation where one was expected.
        diag::unexpected_allocation(size, align);
    }
    let mut plan = cx.take_lowering();
    let address = place(cx, &mut plan, old_ptr, old_size, align, size);
    plan.last = address;
    cx.set_lowering(plan);
    address
}

fn place(cx: Ctx, plan: &mut Lowering, old_ptr: u32, old_size: u32, align: u32, size: u32) -> u32 {
    if old_ptr != 0 {
        // The only reallocation the canonical ABI makes is shrinking a string
        // it over-allocated while transcoding; keep it where it is.
        if old_ptr == plan.last && size <= old_size && align == 1 {
            if plan.mode == STRINGS_INTO {
                plan.cursor = old_ptr.wrapping_add(size).wrapping_add(1);
            } else if plan.mode == STRINGS_COUNT {
                plan.total = plan.total.wrapping_sub(u64::from(old_size - size));
            } else if plan.mode == ALL_TO_HEAP {
                plan.string_sum = plan.string_sum.wrapping_sub(string_mark(old_ptr, old_size)).wrapping_add(string_mark(old_ptr, size));
            }
            return old_ptr;
        }
        diag::unexpected_allocation(size, align);
    }
    let is_string = align == 1;
    match plan.mode {
        // An empty list: nothing is written, any aligned address will do.
        STRINGS_INTO | STRINGS_COUNT | ALL_TO_HEAP if !is_string && size == 0 => cx.home(),
        STRINGS_INTO | STRINGS_COUNT | ALL_TO_HEAP if !is_string => {
            if plan.spine_size != 0 {
                diag::unexpected_allocation(size, align);
            }
            plan.spine = heap_alloc(cx, size, align);
            plan.spine_size = size;
            if plan.mode == STRINGS_INTO && guest::span(cx, plan.array, size / plan.spine_per_array_byte.max(1)).is_err() {
                // The pointers could not be written: write no string either.
                plan.fault = 1;
            }
            plan.spine.address(cx.home())
        }
        STRINGS_INTO => match size.checked_add(1).and_then(|n| guest::span(cx, plan.cursor, n).ok()) {
            Some(span) if plan.fault == 0 => {
                plan.cursor = plan.cursor.wrapping_add(span.len());
                span.address()
            }
            _ => {
                plan.fault = 1;
                discard(cx, plan, size)
            }
        },
        STRINGS_COUNT => {
            plan.total += u64::from(size);
            discard(cx, plan, size)
        }
        ALL_TO_HEAP => {
            let address = heap_alloc(cx, size, align).address(cx.home());
            plan.strings = plan.strings.wrapping_add(1);
            plan.string_sum = plan.string_sum.wrapping_add(string_mark(address, size));
            address
        }
        _ => diag::unexpected_allocation(size, align),
    }
}

fn heap_alloc(cx: Ctx, size: u32, align: u32) -> Rel {
    if align > 16 || !align.is_power_of_two() {
        diag::unexpected_allocation(size, align);
    }
    match cx.heap_alloc(size) {
        Ok(block) => block,
        Err(_) => diag::out_of_memory(size),
    }
}

/// A scratch buffer of at least `size` bytes for data the adapter drops.
fn discard(cx: Ctx, plan: &mut Lowering, size: u32) -> u32 {
    if plan.discard_size < size || plan.discard_size == 0 {
        if plan.discard_size != 0 {
            cx.heap_free(plan.discard, plan.discard_size);
        }
        plan.discard_size = size.max(64);
        plan.discard = heap_alloc(cx, plan.discard_size, 1);
    }
    plan.discard.address(cx.home())
}
