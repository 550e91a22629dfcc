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
            (func $_ZN22wasi_snapshot_preview15entry5enter17h0000000000000000E
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
    assert!(problem.contains("5entry5enter17h0000000000000000E -> uses_stack"), "{problem}");
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
    for entry in std::fs::read_dir(&dir).expect("read adapter/src") {
        let path = entry.expect("an entry").path();
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
    let state = std::fs::read_to_string(dir.join("state.rs")).expect("read state.rs");
    assert!(state.contains("    unsafe fn state(self) -> &'static mut State"), "Ctx::state must stay private and unsafe");
}
