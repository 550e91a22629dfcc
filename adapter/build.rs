//! Writes the relocatable object that gives the adapter its wasm globals.
//!
//! Stable Rust cannot declare a wasm global, and a `static` would need a data
//! segment, which adapters may not have. So this script emits a tiny wasm object
//! file (the format wasm-ld links, see WebAssembly/tool-conventions Linking.md)
//! that defines one mutable i32 global per entry of `GLOBALS`, plus a getter and
//! a setter function for each. It also gives accessors for the linker's
//! `__stack_pointer`, which the adapter sets itself on entry (it has no stack
//! until its first call). The object is handed to wasm-ld as a plain input.

use std::env;
use std::path::PathBuf;

use wasm_encoder::{
    ConstExpr, CustomSection, Encode, EntityType, FunctionSection, GlobalSection, GlobalType, ImportSection, LinkingSection, Module, RawSection,
    SectionId, SymbolTable, TypeSection, ValType,
};

/// Globals the adapter owns. Their meaning is documented in `src/globals.rs`.
const GLOBALS: &[&str] = &[
    "adapter_home",
    "adapter_phase",
    "adapter_current",
    "adapter_placement",
    "adapter_guest_pages",
    "adapter_guest_max_pages",
    "adapter_slack_pages",
    "adapter_guard",
    "adapter_rebuildable",
    "adapter_stdin",
    "adapter_stdout",
    "adapter_stderr",
    "adapter_terminals",
    "adapter_into_armed",
    "adapter_into_dst",
    "adapter_into_cap",
    "adapter_refused_in_callback",
    "adapter_clock_frozen",
    "adapter_last_monotonic_low",
    "adapter_last_monotonic_high",
    "adapter_last_realtime_low",
    "adapter_last_realtime_high",
    "adapter_heap_bump",
    "adapter_heap_bump_end",
    "adapter_heap_spare",
    "adapter_fd_table",
    "adapter_fd_capacity",
    "adapter_fd_ready",
    "adapter_fd_closed",
    "adapter_fd_high",
    "adapter_readdir_fd",
    "adapter_readdir_stream",
    "adapter_readdir_next_low",
    "adapter_readdir_next_high",
    "adapter_readdir_last_position_low",
    "adapter_readdir_last_position_high",
    "adapter_readdir_last_inode_low",
    "adapter_readdir_last_inode_high",
    "adapter_readdir_last_name",
    "adapter_readdir_last_name_len",
    "adapter_readdir_last_type",
    "adapter_plan_mode",
    "adapter_plan_cursor",
    "adapter_plan_fault",
    "adapter_plan_array",
    "adapter_plan_spine_per_array_byte",
    "adapter_plan_total_low",
    "adapter_plan_total_high",
    "adapter_plan_spine",
    "adapter_plan_spine_size",
    "adapter_plan_discard",
    "adapter_plan_discard_size",
    "adapter_plan_last",
    "adapter_plan_strings",
    "adapter_plan_sum_low",
    "adapter_plan_sum_high",
];

/// The linker-synthesised shadow stack pointer, imported by name.
const STACK_POINTER: &str = "__stack_pointer";

const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const LOCAL_GET: u8 = 0x20;
const END: u8 = 0x0b;
/// `R_WASM_GLOBAL_INDEX_LEB`: a 5-byte padded LEB naming a global symbol.
const R_WASM_GLOBAL_INDEX_LEB: u8 = 7;

fn main() {
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let object = out_dir.join("adapter_globals.o");
    std::fs::write(&object, globals_object()).expect("write the globals object");

    // Only meaningful when linking the wasm artifact; harmless for `cargo check`.
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg={}", object.display());
        // The memory is the guest's; the adapter gets no stack from the linker.
        println!("cargo:rustc-link-arg=--import-memory");
        println!("cargo:rustc-link-arg=-zstack-size=0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// One accessor: which global symbol it touches and whether it reads or writes.
struct Accessor {
    name: String,
    symbol: u32,
    set: bool,
}

fn globals_object() -> Vec<u8> {
    // Symbol indices: 0 is `__stack_pointer`, then one per owned global.
    let mut accessors = Vec::new();
    for (symbol, global) in std::iter::once(&"adapter_sp").chain(GLOBALS).enumerate() {
        for set in [false, true] {
            let verb = if set { "set" } else { "get" };
            accessors.push(Accessor { name: format!("{global}_{verb}"), symbol: symbol as u32, set });
        }
    }

    let mut module = Module::new();

    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]); // getter
    types.ty().function([ValType::I32], []); // setter
    module.section(&types);

    let mut imports = ImportSection::new();
    let i32_mut = GlobalType { val_type: ValType::I32, mutable: true, shared: false };
    imports.import("env", STACK_POINTER, EntityType::Global(i32_mut));
    module.section(&imports);

    let mut functions = FunctionSection::new();
    for accessor in &accessors {
        functions.function(u32::from(accessor.set));
    }
    module.section(&functions);

    let mut globals = GlobalSection::new();
    for _ in GLOBALS {
        globals.global(i32_mut, &ConstExpr::i32_const(0));
    }
    module.section(&globals);

    // The code section is written by hand: each global index must be a 5-byte
    // LEB at a known offset so the linker can patch it.
    let mut code = Vec::new();
    (accessors.len() as u32).encode(&mut code);
    let mut relocations = Vec::new();
    for accessor in &accessors {
        let mut body = vec![0u8]; // no locals
        if accessor.set {
            body.extend([LOCAL_GET, 0]);
        }
        body.push(if accessor.set { GLOBAL_SET } else { GLOBAL_GET });
        let index_at = body.len();
        body.extend(padded_leb(accessor.symbol));
        body.push(END);
        (body.len() as u32).encode(&mut code);
        relocations.push((code.len() + index_at, accessor.symbol));
        code.extend(body);
    }
    module.section(&RawSection { id: SectionId::Code as u8, data: &code });

    let mut symbols = SymbolTable::new();
    symbols.global(SymbolTable::WASM_SYM_UNDEFINED, 0, None);
    for (index, name) in GLOBALS.iter().enumerate() {
        symbols.global(SymbolTable::WASM_SYM_BINDING_LOCAL, index as u32 + 1, Some(name));
    }
    for (index, accessor) in accessors.iter().enumerate() {
        symbols.function(SymbolTable::WASM_SYM_VISIBILITY_HIDDEN, index as u32, Some(&accessor.name));
    }
    let mut linking = LinkingSection::new();
    linking.symbol_table(&symbols);
    module.section(&linking);

    // reloc.CODE: target section index (the code section is the 5th: types,
    // imports, functions, globals, code), then the relocation entries.
    let mut reloc = Vec::new();
    4u32.encode(&mut reloc);
    (relocations.len() as u32).encode(&mut reloc);
    for (offset, symbol) in relocations {
        reloc.push(R_WASM_GLOBAL_INDEX_LEB);
        (offset as u32).encode(&mut reloc);
        symbol.encode(&mut reloc);
    }
    module.section(&CustomSection { name: "reloc.CODE".into(), data: reloc.into() });

    module.finish()
}

/// A u32 as a LEB128 always five bytes long, as relocations require.
fn padded_leb(mut value: u32) -> [u8; 5] {
    let mut out = [0u8; 5];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (value & 0x7f) as u8;
        value >>= 7;
        if i < 4 {
            *byte |= 0x80;
        }
    }
    out
}
