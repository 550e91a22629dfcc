//! What the adapter is doing, kept in the `phase` global, and why clock
//! reads may stand still, kept in the `clock_frozen` global. Every layer
//! reads them: the call discipline (`memory::call`) sets the phase, a
//! diagnosis checks it before it uses a stack.

#![deny(unsafe_code)]

/// No adapter call is running.
pub const IDLE: u32 = 0;
/// A call is running on the adapter's own stack (the guest cannot run
/// meanwhile, so a second entry means a host or guest callback re-entered
/// the adapter).
pub const RUNNING: u32 = 1;
/// A call is running without the adapter's memory (`p1::memoryless`): there
/// is no stack to use.
pub const MEMORYLESS: u32 = 2;
/// The home block is being checked or replaced: its stack is not to be used.
pub const CHECKING: u32 = 3;
/// The canonical ABI is running one of the guest's callbacks
/// (`exports::callbacks`): no call may reach the host.
pub const CALLBACK: u32 = 4;

/// `clock_frozen` bits: a callback is running...
pub const IN_CALLBACK: u32 = 1;
/// ...or the guest paused the clocks (`exports::extensions`, upstream's
/// `adapter_monotonic_clock_set_paused`).
pub const PAUSED_BY_GUEST: u32 = 2;
