//! Wrapping the guest's canonical-ABI callbacks.
//!
//! When the host passes a string or list to a component export, the
//! canonical ABI calls the guest's `cabi_realloc` for the memory; after an
//! export returns, it may call `cabi_post_<name>`. In both, the component
//! model lets no call leave the component: an import called there traps
//! ("cannot leave component instance"). A Go guest's allocator may start a
//! garbage collection inside `cabi_realloc`, and the collector reads the
//! clock through p1. So each such export is replaced by a wrapper that tells
//! the adapter a callback is running, calls the original, and tells it the
//! callback is over; meanwhile the adapter answers clock reads from the last
//! reading and refuses what needs the host with an errno instead of
//! trapping (adapter/src/exports/callbacks.rs).

use wasm_encoder::{Function, Instruction, ValType};

/// The adapter exports the wrappers call before and after the original.
pub const CALLBACK_BEGIN_EXPORT: &str = "adapter_callback_begin";
/// What a wrapper calls after the callback returned.
pub const CALLBACK_END_EXPORT: &str = "adapter_callback_end";

/// One export to wrap.
pub struct Wrapped {
    pub export: String,
    /// The original function (index in the original module).
    pub function: u32,
    pub type_index: u32,
    pub params: u32,
}

/// The exports to wrap, in the order their wrappers are appended.
#[derive(Default)]
pub struct Plan {
    pub wrapped: Vec<Wrapped>,
}

/// Is `name` the name of an export the canonical ABI calls back?
pub fn is_callback(name: &str) -> bool {
    name == "cabi_realloc" || name.starts_with("cabi_post_")
}

impl Plan {
    /// Plans a wrapper for each callback export of a defined function.
    /// `function_types` are the type indices of the defined functions,
    /// `params` the parameter count of each type.
    pub fn new(exports: &[(String, u32)], imported_functions: u32, function_types: &[u32], params: &[u32]) -> Plan {
        let mut wrapped = Vec::new();
        for (name, function) in exports {
            if !is_callback(name) {
                continue;
            }
            // An imported function re-exported is not the guest's code.
            let Some(defined) = function.checked_sub(imported_functions) else { continue };
            let Some(&type_index) = function_types.get(defined as usize) else { continue };
            let params = params.get(type_index as usize).copied().unwrap_or(0);
            wrapped.push(Wrapped { export: name.clone(), function: *function, type_index, params });
        }
        Plan { wrapped }
    }

    /// The position of the wrapper that replaces export `name`.
    pub fn position(&self, name: &str, kind: wasmparser::ExternalKind) -> Option<u32> {
        if kind != wasmparser::ExternalKind::Func {
            return None;
        }
        self.wrapped.iter().position(|wrapped| wrapped.export == name).map(|at| at as u32)
    }
}

/// `begin(); original(params...); end()`, leaving the original's results.
pub fn wrapper(params: u32, original: u32, begin: u32, end: u32) -> Function {
    let mut function = Function::new(Vec::<(u32, ValType)>::new());
    function.instruction(&Instruction::Call(begin));
    for param in 0..params {
        function.instruction(&Instruction::LocalGet(param));
    }
    function.instruction(&Instruction::Call(original));
    function.instruction(&Instruction::Call(end));
    function.instruction(&Instruction::End);
    function
}
