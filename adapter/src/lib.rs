//! A WASI preview1 adapter: a core wasm module that exports the 46
//! `wasi_snapshot_preview1` functions and implements them on WASI 0.2 imports,
//! for wit-component to link with a preview1 program into a component.
//!
//! Constraints of such a module (wit-component's rules for adapters, which
//! `src/check.rs` of the root crate enforces on every build): no data,
//! element or start section, the guest's memory imported, no tables
//! surviving wit-component's pruning. Hence `no_std`, no allocator, no panics
//! on guest-reachable paths, and text kept in immediates (`text!`).

#![no_std]
// The proxy world has no filesystem: code and arguments for files go unused
// there.
#![cfg_attr(feature = "proxy", allow(dead_code, unused_variables, unused_imports))]

#[cfg(not(any(feature = "command", feature = "reactor", feature = "proxy")))]
compile_error!("select one flavour: `command`, `reactor` or `proxy`");
#[cfg(any(all(feature = "command", feature = "reactor"), all(feature = "command", feature = "proxy"), all(feature = "reactor", feature = "proxy"),))]
compile_error!("select only one flavour");

// The layers, top to bottom: exports, p1, descriptors, host, memory, base.
// Each uses only those below it (tests/static_checks.rs reads every
// `use crate::` path); docs/architecture.md draws the map.
mod base;
mod descriptors;
mod exports;
mod host;
mod memory;
mod p1;

/// The command flavour's entry point: `wasi:cli/run` runs the guest's `_start`.
#[cfg(feature = "command")]
#[unsafe(export_name = "wasi:cli/run@0.2.12#run")]
pub extern "C" fn run() -> u32 {
    #[link(wasm_import_module = "__main_module__")]
    unsafe extern "C" {
        fn _start();
    }
    // SAFETY: the guest's own entry point, which `run` calls once.
    unsafe { _start() };
    0
}

/// Generated bindings link `alloc` for types the adapter never builds; this
/// allocator satisfies the linker. It can never be called: the root crate's
/// build checks that no allocator code is left in the artifact.
struct NoAllocator;

// SAFETY: no block is ever handed out (both methods end in the diagnosis), so
// no contract of `GlobalAlloc` about blocks can be broken.
unsafe impl core::alloc::GlobalAlloc for NoAllocator {
    unsafe fn alloc(&self, _layout: core::alloc::Layout) -> *mut u8 {
        base::diag::internal_error()
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: core::alloc::Layout) {
        base::diag::internal_error()
    }
}

#[global_allocator]
static ALLOCATOR: NoAllocator = NoAllocator;

/// Panics cannot happen on guest-reachable paths (the build rejects any panic
/// site, whose location record would need a data section); should one happen
/// all the same, it is diagnosed, not a bare trap.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    base::diag::internal_error()
}
