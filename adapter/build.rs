//! Writes the relocatable object that gives the adapter its wasm globals.
//!
//! Stable Rust cannot declare a wasm global, and a `static` would need a data
//! segment, which adapters may not have. So this script emits a tiny wasm object
//! file (the format wasm-ld links, see WebAssembly/tool-conventions Linking.md)
//! that defines one mutable i32 global per global `src/base/globals.rs` declares, plus a getter and
//! a setter function for each. It also gives accessors for the linker's
//! `__stack_pointer`, which the adapter sets itself on entry (it has no stack
//! until its first call). The object is handed to wasm-ld as a plain input.

use std::env;
use std::path::PathBuf;

use wasm_encoder::{
    ConstExpr, CustomSection, Encode, EntityType, FunctionSection, GlobalSection, GlobalType, ImportSection, LinkingSection, Module, RawSection,
    SectionId, SymbolTable, TypeSection, ValType,
};

/// The globals the adapter owns, in order: read from their one declaration,
/// the `globals!` invocation of `src/base/globals.rs` (`NAME, SETTER => SYMBOL_get,
/// SYMBOL_set;`), which also documents each and makes its accessors.
fn declared_globals() -> Vec<String> {
    let source = std::fs::read_to_string("src/base/globals.rs").expect("read src/base/globals.rs");
    let mut globals = Vec::new();
    for line in source.lines() {
        let Some((_, symbols)) = line.split_once("=> ") else { continue };
        let mut parts = symbols.trim_end_matches(';').split(", ");
        let (Some(get), Some(set)) = (parts.next(), parts.next()) else { continue };
        let (Some(global), Some(same)) = (get.strip_suffix("_get"), set.strip_suffix("_set")) else { continue };
        if !global.starts_with("adapter_") {
            continue;
        }
        assert_eq!(global, same, "src/base/globals.rs: {line}: the getter and setter name different globals");
        globals.push(global.to_string());
    }
    assert!(!globals.is_empty(), "src/base/globals.rs declares no global");
    globals
}

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
    println!("cargo:rerun-if-changed=src/base/globals.rs");
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
    let declared = declared_globals();
    for (symbol, global) in std::iter::once("adapter_sp").chain(declared.iter().map(String::as_str)).enumerate() {
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
    for _ in &declared {
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
    for (index, name) in declared.iter().enumerate() {
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
