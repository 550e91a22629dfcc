//! The adapter's wasm globals, defined by the object `build.rs` writes.
//!
//! They hold what must be known before the adapter has any memory, and what
//! must survive the loss of that memory: where its home block is, what it is
//! doing, the stdio streams, and the placement of its pages; and, because a
//! guest cannot write a global of another module, what decides where the
//! adapter writes: the roots of its heap and of the descriptor table. Nothing
//! here needs a guard, and reading it costs no check.

macro_rules! globals {
    ($( $(#[$doc:meta])* $name:ident, $set:ident => $get_sym:ident, $set_sym:ident $(, $trusted:ident)?; )*) => {
        unsafe extern "C" {
            $( fn $get_sym() -> u32; fn $set_sym(value: u32); )*
        }
        $(
            $(#[$doc])*
            #[inline(always)]
            pub fn $name() -> u32 {
                // SAFETY: the accessor only reads a global the object defines.
                unsafe { $get_sym() }
            }

            globals!(@setter [$($trusted)?] $set, $set_sym);
        )*
    };
    // A global that unsafe code relies on (an address, a bound, a handle):
    // its setter is `unsafe`, with what the value must be in its
    // documentation above.
    (@setter [trusted] $set:ident, $set_sym:ident) => {
        /// # Safety
        /// The value must be what the global's documentation says it holds.
        #[inline(always)]
        #[allow(dead_code)]
        pub unsafe fn $set(value: u32) {
            // SAFETY: the accessor only writes a global the object defines.
            unsafe { $set_sym(value) }
        }
    };
    (@setter [] $set:ident, $set_sym:ident) => {
        #[inline(always)]
        #[allow(dead_code)]
        pub fn $set(value: u32) {
            // SAFETY: the accessor only writes a global the object defines.
            unsafe { $set_sym(value) }
        }
    };
}

globals! {
    /// Address of the home block (state, first heap chunk, stack); 0 until a
    /// call needs memory.
    home, set_home => adapter_home_get, adapter_home_set, trusted;
    /// What the adapter is doing (`phase`); see `memory::call`.
    phase, set_phase => adapter_phase_get, adapter_phase_set;
    /// The p1 function in progress (an `p1_functions::Func`), for diagnostics.
    current, set_current => adapter_current_get, adapter_current_set;
    /// Where adapter memory comes from (`placement::DROP_IN` or
    /// `placement::FLOATING_TAIL`). 0 in the artifact; `adapt` patches the
    /// initial value of the copy it links with prepared guests.
    placement, set_placement => adapter_placement_get, adapter_placement_set, trusted;
    /// Floating tail: how many pages the guest believes memory has.
    guest_pages, set_guest_pages => adapter_guest_pages_get, adapter_guest_pages_set, trusted;
    /// Floating tail: the most pages the guest's memory type allows it (0:
    /// no maximum). `adapt` patches it when it lifts the module's maximum.
    guest_max_pages, set_guest_max_pages => adapter_guest_max_pages_get, adapter_guest_max_pages_set, trusted;
    /// Floating tail: zeroed pages between the guest's view and the adapter's
    /// pages, handed to the guest as it grows without moving anything.
    slack_pages, set_slack_pages => adapter_slack_pages_get, adapter_slack_pages_set, trusted;
    /// Offset from the home block of the guard zone at the end of the newest
    /// block the adapter grew (see `guard`); 0 when there is none.
    guard, set_guard => adapter_guard_get, adapter_guard_set, trusted;
    /// 1 while adapter memory holds nothing the host cannot hand over again
    /// (no descriptor was opened, closed or renumbered), so that losing it to
    /// a guest heap costs nothing but a fresh home block.
    rebuildable, set_rebuildable => adapter_rebuildable_get, adapter_rebuildable_set;
    /// The stdio stream handles, 0 until first used.
    stdin, set_stdin => adapter_stdin_get, adapter_stdin_set, trusted;
    stdout, set_stdout => adapter_stdout_get, adapter_stdout_set, trusted;
    stderr, set_stderr => adapter_stderr_get, adapter_stderr_set, trusted;
    /// Which stdio streams are terminals, as `stdio::terminal_bits` reads it.
    terminals, set_terminals => adapter_terminals_get, adapter_terminals_set;
    /// The one-allocation plan of reads and `random_get` (see `lowering`):
    /// armed, destination and capacity.
    into_armed, set_into_armed => adapter_into_armed_get, adapter_into_armed_set, trusted;
    into_dst, set_into_dst => adapter_into_dst_get, adapter_into_dst_set, trusted;
    into_cap, set_into_cap => adapter_into_cap_get, adapter_into_cap_set, trusted;
    /// The first p1 function refused during a guest callback (see
    /// `callback`), 0 for none: named in a note at the next call.
    refused_in_callback, set_refused_in_callback => adapter_refused_in_callback_get, adapter_refused_in_callback_set;
    /// Why clock reads answer the clocks' last readings instead of asking
    /// the host: `phase::IN_CALLBACK` and `phase::PAUSED_BY_GUEST`
    /// bits, 0 for neither.
    clock_frozen, set_clock_frozen => adapter_clock_frozen_get, adapter_clock_frozen_set;
    /// The last readings of the monotonic and wall clocks (nanoseconds,
    /// low and high halves), which callbacks answer clock reads with.
    last_monotonic_low, set_last_monotonic_low => adapter_last_monotonic_low_get, adapter_last_monotonic_low_set;
    last_monotonic_high, set_last_monotonic_high => adapter_last_monotonic_high_get, adapter_last_monotonic_high_set;
    last_realtime_low, set_last_realtime_low => adapter_last_realtime_low_get, adapter_last_realtime_low_set;
    last_realtime_high, set_last_realtime_high => adapter_last_realtime_high_get, adapter_last_realtime_high_set;
    /// The adapter heap's bump area (offsets from the home block, `heap`):
    /// where the next new small block starts and where the area ends.
    heap_bump, set_heap_bump => adapter_heap_bump_get, adapter_heap_bump_set, trusted;
    heap_bump_end, set_heap_bump_end => adapter_heap_bump_end_get, adapter_heap_bump_end_set, trusted;
    /// The first free run of whole pages (offset from the home block), 0
    /// for none.
    heap_spare, set_heap_spare => adapter_heap_spare_get, adapter_heap_spare_set, trusted;
    /// The descriptor table (`descriptors::table`): where it is (offset from the home
    /// block), how many entries it has room for, whether it was set up.
    fd_table, set_fd_table => adapter_fd_table_get, adapter_fd_table_set, trusted;
    fd_capacity, set_fd_capacity => adapter_fd_capacity_get, adapter_fd_capacity_set, trusted;
    fd_ready, set_fd_ready => adapter_fd_ready_get, adapter_fd_ready_set, trusted;
    /// How the table hands out numbers: entries closed, and one past the
    /// highest ever used.
    fd_closed, set_fd_closed => adapter_fd_closed_get, adapter_fd_closed_set;
    fd_high, set_fd_high => adapter_fd_high_get, adapter_fd_high_set;
    /// The directory listing `fd_readdir` keeps open (`descriptors::listing`,
    /// field by field; 64-bit fields in two halves): the fd it reads plus
    /// one (0: none), its handle, the next position, the last entry read.
    readdir_fd, set_readdir_fd => adapter_readdir_fd_get, adapter_readdir_fd_set, trusted;
    readdir_stream, set_readdir_stream => adapter_readdir_stream_get, adapter_readdir_stream_set, trusted;
    readdir_next_low, set_readdir_next_low => adapter_readdir_next_low_get, adapter_readdir_next_low_set;
    readdir_next_high, set_readdir_next_high => adapter_readdir_next_high_get, adapter_readdir_next_high_set;
    readdir_last_position_low, set_readdir_last_position_low => adapter_readdir_last_position_low_get, adapter_readdir_last_position_low_set;
    readdir_last_position_high, set_readdir_last_position_high => adapter_readdir_last_position_high_get, adapter_readdir_last_position_high_set;
    readdir_last_inode_low, set_readdir_last_inode_low => adapter_readdir_last_inode_low_get, adapter_readdir_last_inode_low_set;
    readdir_last_inode_high, set_readdir_last_inode_high => adapter_readdir_last_inode_high_get, adapter_readdir_last_inode_high_set;
    readdir_last_name, set_readdir_last_name => adapter_readdir_last_name_get, adapter_readdir_last_name_set, trusted;
    readdir_last_name_len, set_readdir_last_name_len => adapter_readdir_last_name_len_get, adapter_readdir_last_name_len_set, trusted;
    readdir_last_type, set_readdir_last_type => adapter_readdir_last_type_get, adapter_readdir_last_type_set;
    /// The plan of the list-returning import being called (`lowering`),
    /// field by field; 64-bit fields in two halves.
    plan_mode, set_plan_mode => adapter_plan_mode_get, adapter_plan_mode_set, trusted;
    plan_cursor, set_plan_cursor => adapter_plan_cursor_get, adapter_plan_cursor_set, trusted;
    plan_fault, set_plan_fault => adapter_plan_fault_get, adapter_plan_fault_set;
    plan_array, set_plan_array => adapter_plan_array_get, adapter_plan_array_set, trusted;
    plan_spine_per_array_byte, set_plan_spine_per_array_byte => adapter_plan_spine_per_array_byte_get, adapter_plan_spine_per_array_byte_set, trusted;
    plan_total_low, set_plan_total_low => adapter_plan_total_low_get, adapter_plan_total_low_set;
    plan_total_high, set_plan_total_high => adapter_plan_total_high_get, adapter_plan_total_high_set;
    plan_spine, set_plan_spine => adapter_plan_spine_get, adapter_plan_spine_set, trusted;
    plan_spine_size, set_plan_spine_size => adapter_plan_spine_size_get, adapter_plan_spine_size_set, trusted;
    plan_discard, set_plan_discard => adapter_plan_discard_get, adapter_plan_discard_set, trusted;
    plan_discard_size, set_plan_discard_size => adapter_plan_discard_size_get, adapter_plan_discard_size_set, trusted;
    plan_last, set_plan_last => adapter_plan_last_get, adapter_plan_last_set, trusted;
    plan_strings, set_plan_strings => adapter_plan_strings_get, adapter_plan_strings_set;
    plan_sum_low, set_plan_sum_low => adapter_plan_sum_low_get, adapter_plan_sum_low_set;
    plan_sum_high, set_plan_sum_high => adapter_plan_sum_high_get, adapter_plan_sum_high_set;
}

unsafe extern "C" {
    fn adapter_sp_set(value: u32);
}

/// Points the shadow stack at `address` (its top).
///
/// # Safety
/// No adapter frame may be live (on entry from the guest, or when abandoning
/// the stack for a fatal diagnosis), and `address` must be the top of memory
/// the adapter may use as a stack.
#[inline(always)]
pub unsafe fn set_stack_pointer(address: u32) {
    // SAFETY: writes the linker's stack pointer global; the caller's contract.
    unsafe { adapter_sp_set(address) }
}

/// Forgets what pointed into the home block, when a fresh one replaces it:
/// the descriptor table (built again at its next use) and the directory
/// stream `fd_readdir` kept open.
pub fn forget_home_contents() {
    // SAFETY: 0 is "no table, room for nothing" and "no stream".
    unsafe {
        set_fd_table(0);
        set_fd_capacity(0);
        set_fd_ready(0);
        set_readdir_fd(0);
    }
    set_fd_closed(0);
    set_fd_high(0);
}
