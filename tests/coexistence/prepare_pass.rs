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
    // The start function runs from `_initialize` once prepared (the
    // adapter cannot be called at instantiation; see `entry`).
    let mut before: Vec<String> = references(&original)
        .into_iter()
        .map(|r| r.strip_prefix("start -> ").map_or(r.clone(), |function| format!("export _initialize -> {function}")))
        .collect();
    let mut after = references(&prepared.module);
    before.sort();
    after.sort();
    assert_eq!(before, after, "every reference names the same function as before");
    assert!(prepared.start_function_moved);
    assert!(after.iter().any(|r| r == "export _initialize -> init") && after.iter().any(|r| r == "export quadruple -> quadruple"), "{after:?}");
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

/// A guest with canonical-ABI callbacks (and a function that merely shares
/// a prefix with them, and a callback name on a global, both left alone).
const WITH_CALLBACKS: &str = r#"(module
    (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
    (memory (export "memory") 1)
    (global (export "cabi_post_global") i32 (i32.const 0))
    (func $realloc (param i32 i32 i32 i32) (result i32) (i32.add (local.get 3) (memory.size)))
    (func $post (param i32) (drop (call $yield)))
    (func $reallocate_more (result i32) (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (export "cabi_realloc" (func $realloc))
    (export "cabi_post_greet" (func $post))
    (export "cabi_reallocate_more" (func $reallocate_more))
    (export "_initialize" (func $post_free)) (func $post_free))"#;

/// Each callback export calls the adapter's begin marker, the original with
/// all its parameters, and the end marker; the guest's own calls still reach
/// the original, and nothing else is wrapped.
#[test]
fn callback_exports_are_wrapped_between_the_adapter_markers() {
    use wasmparser::{Operator, Parser, Payload, TypeRef};
    let prepared = wasip1_adapter::prepare::prepare(&wat(WITH_CALLBACKS)).unwrap();
    wasmparser::Validator::new().validate_all(&prepared.module).unwrap();
    assert_eq!(prepared.callbacks_wrapped, ["cabi_realloc", "cabi_post_greet"]);

    let (mut imports, mut exports, mut bodies, mut imported) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for payload in Parser::new(0).parse_all(&prepared.module) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.unwrap();
                    if matches!(import.ty, TypeRef::Func(_)) {
                        imports.push(format!("{}.{}", import.module, import.name));
                        imported += 1;
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.unwrap();
                    exports.push((export.name.to_string(), export.kind, export.index));
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut operators = body.get_operators_reader().unwrap();
                let mut listed = Vec::new();
                while !operators.eof() {
                    listed.push(match operators.read().unwrap() {
                        Operator::Call { function_index } => format!("call {function_index}"),
                        Operator::LocalGet { local_index } => format!("local.get {local_index}"),
                        other => format!("{other:?}"),
                    });
                }
                bodies.push(listed);
            }
            _ => {}
        }
    }
    assert_eq!(
        imports,
        [
            "wasi_snapshot_preview1.sched_yield",
            "wasi_snapshot_preview1.adapter_memory_size",
            "wasi_snapshot_preview1.adapter_memory_grow",
            "wasi_snapshot_preview1.adapter_callback_begin",
            "wasi_snapshot_preview1.adapter_callback_end",
        ]
    );
    let export = |name: &str| exports.iter().find(|(n, ..)| n == name).map(|(_, kind, index)| (*kind, *index)).unwrap();
    let body = |function: u32| bodies[(function - imported) as usize].join("; ");
    // Defined functions: realloc 5, post 6, reallocate_more 7, post_free 8.
    assert_eq!(body(export("cabi_realloc").1), "call 3; local.get 0; local.get 1; local.get 2; local.get 3; call 5; call 4; End");
    assert_eq!(body(export("cabi_post_greet").1), "call 3; local.get 0; call 6; call 4; End");
    assert_eq!(export("cabi_reallocate_more").1, 7);
    assert!(body(7).contains("call 5"), "the guest's own call reaches the original: {}", body(7));
    assert_eq!(export("cabi_post_global").0, wasmparser::ExternalKind::Global);
}
