//! The preparation pass itself: only memory.size and memory.grow change;
//! every reference to a function is renumbered (calls, ref.func, exports,
//! element segments, the start function, names).

use support::*;

/// A guest with imports, a start function, a table filled by an element
/// segment, `ref.func`, indirect calls, and memory instructions in two
/// functions. It prints what it computed.
const GUEST: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
    (memory (export "memory") 1)
    (table 4 funcref)
    (global $started (mut i32) (i32.const 0))
    (elem (i32.const 0) $double $triple)
    (elem declare func $quadruple)
    (func $init (global.set $started (i32.const 7)))
    (start $init)
    (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
    (func $quadruple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 4)))
    (func $pages (result i32) (memory.size))
    (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
    (func $digit (param $at i32) (param $value i32)
        (i32.store8 (local.get $at) (i32.add (i32.const 48) (local.get $value))))
    (func (export "_start")
        (drop (call $yield))
        (table.set (i32.const 2) (ref.func $quadruple))
        (call $digit (i32.const 100) (global.get $started))
        (call $digit (i32.const 101) (call_indirect (param i32) (result i32) (i32.const 1) (i32.const 0)))
        (call $digit (i32.const 102) (call_indirect (param i32) (result i32) (i32.const 1) (i32.const 1)))
        (call $digit (i32.const 103) (call_indirect (param i32) (result i32) (i32.const 2) (i32.const 2)))
        (call $digit (i32.const 104) (call $pages))
        (call $digit (i32.const 105) (call $grow (i32.const 2)))
        (call $digit (i32.const 106) (memory.size))
        (i32.store8 (i32.const 107) (i32.const 10))
        (i32.store (i32.const 0) (i32.const 100))
        (i32.store (i32.const 4) (i32.const 8))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
    (export "quadruple" (func $quadruple)))"#;

#[test]
fn only_memory_instructions_change_and_references_follow() {
    let original = wat(GUEST);
    let prepared = wasip1_adapter::prepare::prepare(&original).unwrap();
    assert_eq!((prepared.memory_size_rewritten, prepared.memory_grow_rewritten), (2, 1));
    wasmparser::Validator::new().validate_all(&prepared.module).unwrap();
    let before = references(&original);
    let after = references(&prepared.module);
    assert_eq!(before, after, "every reference names the same function as before");
    assert!(after.iter().any(|r| r == "start -> init") && after.iter().any(|r| r == "export quadruple -> quadruple"), "{after:?}");
    assert!(after.iter().any(|r| r == "elem -> double") && after.iter().any(|r| r == "call -> grow"), "{after:?}");
}

/// The prepared guest runs as the original runs under native p1: memory.size
/// and memory.grow see only the guest's own pages.
#[test]
fn prepared_guest_behaves_as_the_original() {
    let case = Case::new("prepare pass guest", wat(GUEST), Invocation::new("guest")).preparation(verify::Preparation::Always);
    let comparison = compare(&case);
    assert_identical_to_native(&comparison);
    assert_eq!(stdout(comparison.ours()), "7238113\n");
}

/// Every function reference in a module, by the name of the function it
/// refers to: calls, ref.func, exports, element segments, the start.
fn references(module: &[u8]) -> Vec<String> {
    use wasmparser::{ElementItems, Name, Operator, Parser, Payload};
    let mut names = std::collections::HashMap::new();
    let mut found = Vec::new();
    let mut raw = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            Payload::StartSection { func, .. } => raw.push(("start".to_string(), func)),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.unwrap();
                    if export.kind == wasmparser::ExternalKind::Func {
                        raw.push((format!("export {}", export.name), export.index));
                    }
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    if let ElementItems::Functions(functions) = element.unwrap().items {
                        for function in functions {
                            raw.push(("elem".to_string(), function.unwrap()));
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut operators = body.get_operators_reader().unwrap();
                while !operators.eof() {
                    match operators.read().unwrap() {
                        Operator::Call { function_index } => raw.push(("call".to_string(), function_index)),
                        Operator::RefFunc { function_index } => raw.push(("ref.func".to_string(), function_index)),
                        _ => {}
                    }
                }
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name.unwrap() {
                            for naming in map {
                                let naming = naming.unwrap();
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (what, index) in raw {
        let name = names.get(&index).cloned().unwrap_or_else(|| format!("#{index}"));
        // The rewritten memory instructions call the new imports; leave them out.
        if name.starts_with('#') || name.starts_with("adapter_memory") {
            continue;
        }
        found.push(format!("{what} -> {name}"));
    }
    found.sort();
    found
}
