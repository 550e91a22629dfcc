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

use crate::base::diag;
use crate::base::globals;
use crate::memory::guest;
use crate::memory::layout::Rel;
use crate::memory::state::Ctx;

/// No allocation is expected. (The one-allocation plan of reads and
/// `random_get`, which must work before the adapter has memory, has globals
/// of its own: see `arm_into`.)
const NONE: u32 = 0;
/// Spine to the heap; strings into the guest buffer at `cursor`, each followed
/// by one spare byte, where the terminator p1 wants (NUL, or `=` after a
/// key) is written as the string is placed.
const STRINGS_INTO: u32 = 2;
/// Spine to the heap; strings only counted into `total` (and discarded).
const STRINGS_COUNT: u32 = 3;
/// Spine and strings to the heap; the strings are kept by the caller.
const ALL_TO_HEAP: u32 = 4;

// The plan of a list-returning import says where the host's data is
// written, so it lives in globals (`globals::plan_*`), out of the guest's
// reach, and `cabi_import_realloc` reads and updates only the fields it
// needs: the mode; STRINGS_INTO's cursor into the guest buffer, the guest's
// pointer array (checked when the spine's size tells the count, before any
// string is written) and spine bytes per byte of that array (2 for
// arguments, 4 for variables); whether a string or the array did not fit
// (the call then fails with EFAULT and strings go to the discard buffer);
// the spine, the discard buffer, the last allocation (which the host may
// shrink in place); the strings' total length (STRINGS_COUNT); and a count
// of the strings placed: in STRINGS_INTO it tells a variable's key (`=`)
// from its value, in ALL_TO_HEAP it goes with a sum over their (address,
// size), for the caller to check the host's answer against.

fn wide(low: u32, high: u32) -> u64 {
    u64::from(high) << 32 | u64::from(low)
}

fn total() -> u64 {
    wide(globals::plan_total_low(), globals::plan_total_high())
}

fn set_total(total: u64) {
    globals::set_plan_total_low(total as u32);
    globals::set_plan_total_high((total >> 32) as u32);
}

fn string_sum() -> u64 {
    wide(globals::plan_sum_low(), globals::plan_sum_high())
}

fn set_string_sum(sum: u64) {
    globals::set_plan_sum_low(sum as u32);
    globals::set_plan_sum_high((sum >> 32) as u32);
}

/// Makes a fresh plan in `mode` the plan of the import about to be called.
fn arm(mode: u32, cursor: u32, array: u32, spine_per_array_byte: u32) {
    // SAFETY: no heap block is recorded yet, and the guest addresses
    // (cursor, array) are checked as spans before anything is written there.
    unsafe {
        globals::set_plan_mode(mode);
        globals::set_plan_cursor(cursor);
        globals::set_plan_array(array);
        globals::set_plan_spine_per_array_byte(spine_per_array_byte);
        globals::set_plan_spine(Rel::NONE.0);
        globals::set_plan_spine_size(0);
        globals::set_plan_discard(Rel::NONE.0);
        globals::set_plan_discard_size(0);
        globals::set_plan_last(0);
    }
    globals::set_plan_fault(0);
    set_total(0);
    globals::set_plan_strings(0);
    set_string_sum(0);
}

/// Expects no allocation any more. The other fields only mean something in
/// the mode that set them.
pub fn clear() {
    // SAFETY: NONE expects no allocation at all.
    unsafe { globals::set_plan_mode(NONE) };
}

/// What a list-returning import left behind.
pub struct ListResult {
    /// Private: `release_spine` frees it, so only this module may say where
    /// it is.
    spine: Rel,
    spine_size: u32,
    total: u64,
    fault: bool,
    strings: u32,
    string_sum: u64,
}

impl ListResult {
    /// The list's element array: `count` elements of `element_size` bytes
    /// at `address`, which must be the spine this call placed (diagnosed
    /// otherwise: the adapter would read memory it never handed out). No
    /// elements: an empty span, wherever the host said they are.
    pub fn elements(&self, cx: Ctx, address: u32, count: u32, element_size: u32) -> guest::Span {
        if count == 0 {
            // SAFETY: an empty span reaches no memory.
            return unsafe { guest::Span::unchecked(address, 0) };
        }
        if address != self.spine.address(cx.home()) || u64::from(count) * u64::from(element_size) > u64::from(self.spine_size) {
            diag::unexpected_allocation(self.spine_size, 4);
        }
        // SAFETY: the heap block the lowering placed the list in, checked
        // just above to hold the elements; nothing else refers to it until
        // it is released.
        unsafe { guest::Span::unchecked(address, self.spine_size) }
    }

    /// STRINGS_COUNT: the strings' total length.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// STRINGS_INTO: a string or the pointer array did not fit in guest memory.
    pub fn fault(&self) -> bool {
        self.fault
    }

    /// Whether `strings` (address, length) are exactly the strings this
    /// call placed on the heap, in any order: a host that answered with a
    /// string somewhere else would have the adapter read, and later free,
    /// memory it never handed out.
    pub fn placed_exactly(&self, strings: impl Iterator<Item = (u32, u32)>) -> bool {
        let (count, sum) =
            strings.fold((0u32, 0u64), |(count, sum), (address, len)| (count.wrapping_add(1), sum.wrapping_add(string_mark(address, len))));
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
    // SAFETY: `dst` is a checked span of guest memory: the host may write
    // its `len` bytes.
    unsafe {
        globals::set_into_dst(dst.address());
        globals::set_into_cap(dst.len());
        globals::set_into_armed(1);
    }
}

#[inline(always)]
pub fn disarm_into() {
    // SAFETY: disarmed, the destination is not used.
    unsafe { globals::set_into_armed(0) };
}

/// The allocation `arm_into` prepared, or `None` if this is not it. Runs
/// without the shadow stack.
#[inline(always)]
pub fn take_into(old_ptr: u32, size: u32) -> Option<u32> {
    if globals::into_armed() == 0 || old_ptr != 0 || size > globals::into_cap() {
        return None;
    }
    // SAFETY: as in `disarm_into`.
    unsafe { globals::set_into_armed(0) };
    Some(globals::into_dst())
}

/// Runs `call`, placing strings into the guest buffer starting at `buf`.
/// The guest's pointer array at `array` must hold one 4-byte pointer per
/// `spine_per_array_byte * 4` spine bytes; if it cannot, nothing is written
/// and the result says `fault`.
pub fn strings_into(cx: Ctx, buf: u32, array: u32, spine_per_array_byte: u32, call: impl FnOnce()) -> ListResult {
    arm(STRINGS_INTO, buf, array, spine_per_array_byte);
    list_call(cx, call)
}

/// Runs `call`, only adding up the lengths of the strings it returns.
pub fn strings_count(cx: Ctx, call: impl FnOnce()) -> ListResult {
    arm(STRINGS_COUNT, 0, 0, 0);
    list_call(cx, call)
}

/// Runs `call`, placing everything on the adapter heap.
pub fn all_to_heap(cx: Ctx, call: impl FnOnce()) -> ListResult {
    arm(ALL_TO_HEAP, 0, 0, 0);
    list_call(cx, call)
}

/// Gives a spine back to the heap once its elements have been read. Takes
/// the result, so a spine is given back once.
pub fn release_spine(cx: Ctx, result: ListResult) {
    if result.spine_size != 0 {
        // SAFETY: the spine `place` allocated for this call's import; a
        // `ListResult` is made only by `list_call`, and consumed here.
        unsafe { cx.heap_free(result.spine, result.spine_size) };
    }
}

/// Runs `call` under the plan just armed and collects what it left.
fn list_call(cx: Ctx, call: impl FnOnce()) -> ListResult {
    call();
    clear();
    let (discard, discard_size) = (Rel(globals::plan_discard()), globals::plan_discard_size());
    if discard_size != 0 {
        // SAFETY: the discard buffer `discard` allocated during this call.
        unsafe { cx.heap_free(discard, discard_size) };
    }
    ListResult {
        spine: Rel(globals::plan_spine()),
        spine_size: globals::plan_spine_size(),
        total: total(),
        fault: globals::plan_fault() != 0,
        strings: globals::plan_strings(),
        string_sum: string_sum(),
    }
}

/// `cabi_import_realloc`: places one allocation according to the plan.
pub fn realloc(cx: Ctx, old_ptr: u32, old_size: u32, align: u32, size: u32) -> u32 {
    if globals::into_armed() != 0 {
        // A second allocation where one was expected.
        diag::unexpected_allocation(size, align);
    }
    let address = place(cx, old_ptr, old_size, align, size);
    // SAFETY: the allocation just placed, which the host may shrink.
    unsafe { globals::set_plan_last(address) };
    address
}

fn place(cx: Ctx, old_ptr: u32, old_size: u32, align: u32, size: u32) -> u32 {
    let mode = globals::plan_mode();
    if old_ptr != 0 {
        // The only reallocation the canonical ABI makes is shrinking a string
        // it over-allocated while transcoding; keep it where it is.
        if old_ptr == globals::plan_last() && size <= old_size && align == 1 {
            if mode == STRINGS_INTO {
                let spare = old_ptr.wrapping_add(size);
                if globals::plan_fault() == 0 {
                    // SAFETY: the shrunk string's new spare byte, inside the
                    // guest span checked when it was placed (`old_size + 1`
                    // bytes; without a fault it went there, not to the
                    // discard buffer).
                    unsafe { (spare as usize as *mut u8).write(terminator(globals::plan_strings().wrapping_sub(1))) };
                }
                // SAFETY: just past the shrunk string (and its spare byte),
                // inside the span checked when it was placed.
                unsafe { globals::set_plan_cursor(spare.wrapping_add(1)) };
            } else if mode == STRINGS_COUNT {
                set_total(total().wrapping_sub(u64::from(old_size - size)));
            } else if mode == ALL_TO_HEAP {
                set_string_sum(string_sum().wrapping_sub(string_mark(old_ptr, old_size)).wrapping_add(string_mark(old_ptr, size)));
            }
            return old_ptr;
        }
        diag::unexpected_allocation(size, align);
    }
    let is_string = align == 1;
    match mode {
        // An empty list: nothing is written, any aligned address will do.
        STRINGS_INTO | STRINGS_COUNT | ALL_TO_HEAP if !is_string && size == 0 => cx.home(),
        STRINGS_INTO | STRINGS_COUNT | ALL_TO_HEAP if !is_string => {
            if globals::plan_spine_size() != 0 {
                diag::unexpected_allocation(size, align);
            }
            let spine = heap_alloc(cx, size, align);
            // SAFETY: a heap block of `size` bytes, just allocated.
            unsafe {
                globals::set_plan_spine(spine.0);
                globals::set_plan_spine_size(size);
            }
            let array = globals::plan_array();
            if mode == STRINGS_INTO && guest::span(cx, array, size / globals::plan_spine_per_array_byte().max(1)).is_err() {
                // The pointers could not be written: write no string either.
                globals::set_plan_fault(1);
            }
            spine.address(cx.home())
        }
        STRINGS_INTO => match size.checked_add(1).and_then(|n| guest::span(cx, globals::plan_cursor(), n).ok()) {
            Some(span) if globals::plan_fault() == 0 => {
                // The spare byte gets p1's terminator now: the host writes
                // only the string before it.
                let placed = globals::plan_strings();
                globals::set_plan_strings(placed.wrapping_add(1));
                span.write_u8(size, terminator(placed));
                // SAFETY: the guest address right after a checked span;
                // checked again before the next string goes there.
                unsafe { globals::set_plan_cursor(span.address().wrapping_add(span.len())) };
                span.address()
            }
            _ => {
                globals::set_plan_fault(1);
                discard(cx, size)
            }
        },
        STRINGS_COUNT => {
            set_total(total().wrapping_add(u64::from(size)));
            discard(cx, size)
        }
        ALL_TO_HEAP => {
            let address = heap_alloc(cx, size, align).address(cx.home());
            globals::set_plan_strings(globals::plan_strings().wrapping_add(1));
            set_string_sum(string_sum().wrapping_add(string_mark(address, size)));
            address
        }
        _ => diag::unexpected_allocation(size, align),
    }
}

/// STRINGS_INTO's terminator after string number `placed` (from 0): NUL
/// after an argument or a variable's value, `=` after a variable's key. A
/// variable's strings come key then value (the canonical ABI lowers a
/// tuple's fields in order), and only variables have 4 spine bytes per
/// byte of the pointer array.
fn terminator(placed: u32) -> u8 {
    if globals::plan_spine_per_array_byte() == 4 && placed.is_multiple_of(2) { b'=' } else { 0 }
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
fn discard(cx: Ctx, size: u32) -> u32 {
    let (mut discard, mut discard_size) = (Rel(globals::plan_discard()), globals::plan_discard_size());
    if discard_size < size || discard_size == 0 {
        if discard_size != 0 {
            // SAFETY: the previous discard buffer, replaced just below.
            unsafe { cx.heap_free(discard, discard_size) };
        }
        discard_size = size.max(64);
        discard = heap_alloc(cx, discard_size, 1);
        // SAFETY: a heap block of `discard_size` bytes, just allocated.
        unsafe {
            globals::set_plan_discard(discard.0);
            globals::set_plan_discard_size(discard_size);
        }
    }
    discard.address(cx.home())
}
