//! `verify check` on our artifacts, and proof that each rule can fail.

use wasip1_adapter::check::{self, Flavour, Rules};

fn ours(flavour: Flavour) -> &'static [u8] {
    verify::Implementation::Ours.adapter(flavour).unwrap()
}

#[test]
fn our_three_artifacts_pass_every_check() {
    for flavour in Flavour::ALL {
        let report = check::check(ours(flavour), Rules { flavour, ours: true });
        assert!(report.ok(), "{flavour}: {:#?}", report.problems);
        assert!(report.passed.iter().any(|p| p.starts_with("componentizes")), "{flavour}: {:#?}", report.passed);
        assert_eq!(report.passed.len(), 12, "{flavour}: every check ran: {:#?}", report.passed);
    }
}

#[test]
fn upstream_passes_wit_component_rules_but_not_ours() {
    for flavour in Flavour::ALL {
        let upstream = verify::Implementation::Upstream.adapter(flavour).unwrap();
        let report = check::check(upstream, Rules { flavour, ours: false });
        assert!(report.ok(), "upstream {flavour}: {:#?}", report.problems);
        // Upstream names its stack pointer `__stack_pointer`, so wit-component
        // gives it a stack page before the guest's `_start`.
        let strict = check::check(upstream, Rules { flavour, ours: true });
        assert!(strict.problems.iter().any(|p| p.contains("__stack_pointer")), "{:#?}", strict.problems);
    }
}

#[test]
fn a_data_section_is_rejected() {
    let with_data = add_data_section(ours(Flavour::Command));
    let report = check::check(&with_data, Rules { flavour: Flavour::Command, ours: true });
    assert!(report.problems.iter().any(|p| p.contains("data")), "{:#?}", report.problems);
}

#[test]
fn an_export_using_the_stack_before_setting_it_up_is_rejected() {
    let module = wat::parse_str(
        r#"(module
            (global $adapter_stack_pointer (mut i32) (i32.const 0))
            (func (export "fd_close") (param i32) (result i32)
                global.get $adapter_stack_pointer
                i32.const 16
                i32.sub
                global.set $adapter_stack_pointer
                i32.const 0))"#,
    )
    .unwrap();
    let report = check::check(&module, Rules { flavour: Flavour::Reactor, ours: true });
    assert!(report.problems.iter().any(|p| p.contains("use the stack pointer") && p.contains("fd_close")), "{:#?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("missing export fd_write")), "{:#?}", report.problems);
}

/// The check follows calls: a helper of an entry point that uses the stack
/// pointer counts, unless the entry point calls it only after pointing the
/// stack pointer at a stack (a `body`). So does a helper of a function that
/// runs without a stack.
#[test]
fn a_helper_using_the_stack_before_it_is_set_up_is_rejected() {
    let module = wat::parse_str(
        r#"(module
            (global $adapter_stack_pointer (mut i32) (i32.const 0))
            (func $uses_stack
                global.get $adapter_stack_pointer
                global.set $adapter_stack_pointer)
            (func $_ZN3abc4body17h0000000000000000E
                call $uses_stack)
            (func $_ZN22wasi_snapshot_preview16memory4call5enter17h0000000000000000E
                call $uses_stack)
            (func (export "fd_close") (param i32) (result i32)
                call $_ZN3abc4body17h0000000000000000E
                i32.const 0)
            (func (export "fd_sync") (param i32) (result i32)
                call $uses_stack
                i32.const 0))"#,
    )
    .unwrap();
    let report = check::check(&module, Rules { flavour: Flavour::Reactor, ours: true });
    let problem = report.problems.iter().find(|p| p.contains("use the stack pointer")).expect("a stack problem");
    assert!(problem.contains("fd_sync -> uses_stack"), "{problem}");
    assert!(problem.contains("4call5enter17h0000000000000000E -> uses_stack"), "{problem}");
    assert!(!problem.contains("fd_close"), "{problem}");
}

/// Ours takes its memory with memory.grow, never from the guest's allocator.
#[test]
fn importing_the_guests_allocator_is_rejected() {
    let module = wat::parse_str(r#"(module (import "__main_module__" "cabi_realloc" (func (param i32 i32 i32 i32) (result i32))))"#).unwrap();
    let report = check::check(&module, Rules { flavour: Flavour::Reactor, ours: true });
    assert!(report.problems.iter().any(|p| p.contains("imports from the guest: cabi_realloc")), "{:#?}", report.problems);
    let upstream_rules = check::check(&module, Rules { flavour: Flavour::Reactor, ours: false });
    assert!(!upstream_rules.problems.iter().any(|p| p.contains("imports from the guest")), "{:#?}", upstream_rules.problems);
}

#[test]
fn a_wrong_signature_and_a_forbidden_import_are_rejected() {
    let module = wat::parse_str(
        r#"(module
            (import "env" "abort" (func))
            (func (export "fd_write") (param i32 i32 i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    let report = check::check(&module, Rules { flavour: Flavour::Reactor, ours: false });
    assert!(report.problems.iter().any(|p| p.contains("env::abort")), "{:#?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("fd_write has signature")), "{:#?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("wit-component rejects it")), "{:#?}", report.problems);
}

/// Copies a module, adding a one-byte active data segment after its code.
fn add_data_section(module: &[u8]) -> Vec<u8> {
    let mut out = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.unwrap();
        let Some((id, range)) = payload.as_section() else { continue };
        out.section(&wasm_encoder::RawSection { id, data: &module[range.start as usize..range.end as usize] });
        if id == wasm_encoder::SectionId::Code as u8 {
            let mut data = wasm_encoder::DataSection::new();
            data.active(0, &wasm_encoder::ConstExpr::i32_const(0), [1u8]);
            out.section(&data);
        }
    }
    out.finish()
}

/// Every `unsafe` block in the adapter says why it holds: a `// SAFETY:`
/// comment on the line, or in the comment lines just above it (or above
/// the statement it continues). And the state is reached only through
/// `Ctx`'s copying methods: `state()` stays private and unsafe.
#[test]
fn every_unsafe_block_in_the_adapter_says_why_it_holds() {
    let dir = support::tests_dir().join("../adapter/src");
    let mut missing = Vec::new();
    let mut blocks = 0;
    for path in adapter_sources() {
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let unsafe_blocks = code.match_indices("unsafe").filter(|(at, _)| {
                let before = code[..*at].chars().next_back();
                let after = code[at + "unsafe".len()..].trim_start();
                before.is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '(') && ["{", "impl"].iter().any(|next| after.starts_with(next))
            });
            for _ in unsafe_blocks {
                blocks += 1;
                let mut above = index;
                let mut said = line.contains("SAFETY:");
                while !said && above > 0 {
                    above -= 1;
                    let text = lines[above].trim();
                    if text.starts_with("//") {
                        said = text.contains("SAFETY:");
                        continue;
                    }
                    // The statement this line continues.
                    if !text.is_empty() && !text.ends_with([';', '{', '}', ',']) {
                        continue;
                    }
                    break;
                }
                if !said {
                    missing.push(format!("{}:{}: {}", path.display(), index + 1, line.trim()));
                }
            }
        }
    }
    assert!(blocks > 50, "found only {blocks} unsafe blocks: is the scan broken?");
    assert!(missing.is_empty(), "unsafe blocks without a SAFETY comment:\n{}", missing.join("\n"));
    let state = std::fs::read_to_string(dir.join("memory/state.rs")).expect("read state.rs");
    assert!(state.contains("    unsafe fn state(self) -> &'static mut State"), "Ctx::state must stay private and unsafe");
}

/// Every Rust source file of the adapter, in its layer folders.
fn adapter_sources() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read an adapter source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&support::tests_dir().join("../adapter/src"), &mut out);
    out.sort();
    assert!(out.len() > 30, "found only {} adapter sources: is the walk broken?", out.len());
    out
}

/// The adapter's layers, top to bottom, as `adapter/src/lib.rs` declares
/// them in its comment "The layers, top to bottom: ...".
fn declared_layers() -> Vec<String> {
    let lib = std::fs::read_to_string(support::tests_dir().join("../adapter/src/lib.rs")).expect("read adapter/src/lib.rs");
    let marker = "// The layers, top to bottom: ";
    let line = lib.lines().find_map(|line| line.strip_prefix(marker)).expect("lib.rs declares its layers");
    line.trim_end_matches('.').split(", ").map(str::to_owned).collect()
}

/// The layer a file under `adapter/src` belongs to: its first folder.
/// `lib.rs` is the crate root, above every layer.
fn layer_of(relative: &std::path::Path) -> Option<String> {
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_str()?.to_owned();
    parts.next().map(|_| first)
}

/// Every `crate::` path in `source` (comments stripped), as its first
/// segment and line number; `use crate::{a::x, b}` yields `a` and `b`.
fn crate_paths(source: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut code = String::new();
    for line in source.lines() {
        code.push_str(line.split("//").next().unwrap_or(""));
        code.push('\n');
    }
    let line_at = |offset: usize| code[..offset].matches('\n').count() + 1;
    let ident = |text: &str| text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside braces.
            let mut depth = 0;
            let mut item_start = true;
            for (offset, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        found.push((ident(&group[offset..]), line_at(at)));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((ident(rest), line_at(at)));
        }
    }
    found
}

/// Each `crate::` path of the file at `relative`, checked against the
/// layer order: a file may use its own layer and those below it only, and
/// every path names a layer. Returns the violations.
fn layering_violations(relative: &std::path::Path, source: &str, layers: &[String]) -> Vec<String> {
    let Some(own) = layer_of(relative) else { return Vec::new() };
    let Some(own_rank) = layers.iter().position(|layer| *layer == own) else {
        return vec![format!("{}: folder `{own}` is not a declared layer", relative.display())];
    };
    let mut violations = Vec::new();
    for (first, line) in crate_paths(source) {
        match layers.iter().position(|layer| *layer == first) {
            Some(rank) if rank >= own_rank => {}
            Some(_) => violations.push(format!("{}:{line}: `{own}` uses `{first}`, a layer above it", relative.display())),
            None => violations.push(format!("{}:{line}: `crate::{first}` is not in a layer", relative.display())),
        }
    }
    violations
}

/// No module of the adapter imports one of a layer above its own, and
/// every layer says in its module doc what it may use.
#[test]
fn no_adapter_module_uses_a_layer_above_its_own() {
    let layers = declared_layers();
    assert_eq!(
        layers,
        ["exports", "p1", "descriptors", "host", "memory", "base"],
        "the declared order changed: update this test and docs/architecture.md"
    );
    let src = support::tests_dir().join("../adapter/src");
    let mut violations = Vec::new();
    let mut paths = 0;
    for path in adapter_sources() {
        let relative = path.strip_prefix(&src).expect("under adapter/src").to_path_buf();
        let source = std::fs::read_to_string(&path).expect("read a source file");
        paths += crate_paths(&source).len();
        violations.extend(layering_violations(&relative, &source, &layers));
    }
    assert!(paths > 100, "found only {paths} crate:: paths: is the scan broken?");
    assert!(violations.is_empty(), "imports against the layer order:\n{}", violations.join("\n"));
    for layer in &layers {
        let doc = std::fs::read_to_string(src.join(layer).join("mod.rs")).expect("every layer has a mod.rs");
        assert!(doc.starts_with("//! ") && doc.contains("May use") || layer == "base", "{layer}/mod.rs: its doc must say what the layer may use");
    }
}

/// The check fails on an upward import, in a plain path and in a `use`
/// group, and on a path that names no layer; it accepts its own layer and
/// those below.
#[test]
fn an_upward_import_is_rejected() {
    let layers: Vec<String> = ["exports", "p1", "host", "base"].map(String::from).to_vec();
    let file = std::path::Path::new("host/streams.rs");
    let fine = "use crate::base::diag;\nuse crate::host::errno; // crate::p1 in a comment\n";
    assert_eq!(layering_violations(file, fine, &layers), Vec::<String>::new());
    let upward = "use crate::{base::globals, p1::descriptor::{self, x}};\nfn f() { crate::exports::run() }\nuse crate::flat;\n";
    let found = layering_violations(file, upward, &layers);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains(":1: `host` uses `p1`"), "{found:#?}");
    assert!(found[1].contains(":2: `host` uses `exports`"), "{found:#?}");
    assert!(found[2].contains("`crate::flat` is not in a layer"), "{found:#?}");
    assert!(layering_violations(std::path::Path::new("lib.rs"), upward, &layers).is_empty(), "the crate root is above every layer");
}

/// A module of the adapter that needs no unsafe code says so, so that none
/// creeps in unnoticed: `#![deny(unsafe_code)]` in every file without any
/// (a layer's `mod.rs` excepted, as it would deny its whole layer, and
/// `host/bindings.rs`, whose code wit-bindgen generates with unsafe blocks).
#[test]
fn adapter_modules_without_unsafe_code_deny_it() {
    let attribute = "#![deny(unsafe_code)]";
    let mut missing = Vec::new();
    let mut denying = 0;
    for path in adapter_sources() {
        if path.file_name().is_some_and(|name| ["mod.rs", "lib.rs", "bindings.rs"].contains(&name.to_str().unwrap_or(""))) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a source file");
        if text.contains(attribute) {
            denying += 1;
        } else if !text.contains("unsafe") {
            missing.push(path.display().to_string());
        }
    }
    assert!(denying >= 10, "only {denying} modules deny unsafe code: is the scan broken?");
    assert!(missing.is_empty(), "modules without unsafe code that do not deny it:\n{}", missing.join("\n"));
}
