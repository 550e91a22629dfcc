//! The adapter's wasm globals, defined by the object `build.rs` writes.
//!
//! They hold what must be known before the adapter has any memory: where its
//! home block is, what it is doing, and its shadow stack pointer.

unsafe extern "C" {
    fn adapter_home_get() -> u32;
    fn adapter_home_set(value: u32);
    fn adapter_phase_get() -> u32;
    fn adapter_phase_set(value: u32);
    fn adapter_current_get() -> u32;
    fn adapter_current_set(value: u32);
    fn adapter_sp_set(value: u32);
    fn adapter_placement_get() -> u32;
    fn adapter_guest_pages_get() -> u32;
    fn adapter_guest_pages_set(value: u32);
}

/// Address of the home block (state, first heap chunk, stack); 0 until the
/// first call that needs it.
pub fn home() -> u32 {
    unsafe { adapter_home_get() }
}

pub fn set_home(address: u32) {
    unsafe { adapter_home_set(address) }
}

/// What the adapter is doing; see `entry::Phase`.
pub fn phase() -> u32 {
    unsafe { adapter_phase_get() }
}

pub fn set_phase(phase: u32) {
    unsafe { adapter_phase_set(phase) }
}

/// The p1 function in progress (an `exports::Func`), for diagnostics.
pub fn current() -> u32 {
    unsafe { adapter_current_get() }
}

pub fn set_current(func: u32) {
    unsafe { adapter_current_set(func) }
}

/// Points the shadow stack at the top of the adapter's stack. Only valid when
/// no adapter frame is live, i.e. on entry from the guest.
pub fn set_stack_pointer(address: u32) {
    unsafe { adapter_sp_set(address) }
}

/// Where adapter memory comes from (`placement::DROP_IN` or
/// `placement::FLOATING_TAIL`). 0 in the artifact; the preparation pass
/// patches the initial value of a copy it links with prepared guests.
pub fn placement() -> u32 {
    unsafe { adapter_placement_get() }
}

/// In the floating-tail placement: how many pages the guest believes memory
/// has (the adapter's pages are above them).
pub fn guest_pages() -> u32 {
    unsafe { adapter_guest_pages_get() }
}

pub fn set_guest_pages(pages: u32) {
    unsafe { adapter_guest_pages_set(pages) }
}
