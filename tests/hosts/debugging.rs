//! Components a developer can debug, on the real wasmtime 49 CLI: a C
//! program built with `-g` traps, and the backtrace names each frame's
//! source line (WASMTIME_BACKTRACE_DETAILS=1) exactly as its native p1 run
//! does, through `adapt` (which keeps the code section's layout, so the
//! DWARF stays true) and drop-in; the guest's function names and the
//! adapter's exported functions are named too. A module whose DWARF cannot
//! be kept true loses it, with a note.

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;
use verify::tools;

/// `wasmtime run FILE` with backtrace details; returns stderr.
fn backtrace_of(file: &Path) -> String {
    let output =
        Command::new(tools::wasmtime_cli(tools::WASMTIME).unwrap()).env("WASMTIME_BACKTRACE_DETAILS", "1").arg("run").arg(file).output().unwrap();
    assert!(!output.status.success(), "the program traps");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The frames that name a source line of the program: `function at file:line:column`.
fn source_frames(backtrace: &str) -> Vec<String> {
    let lines: Vec<&str> = backtrace.lines().collect();
    let mut frames = Vec::new();
    for pair in lines.windows(2) {
        let location = pair[1].trim();
        if let Some(at) = location.strip_prefix("at ").filter(|at| at.contains("trap_with_lines.c:")) {
            let function = pair[0].rsplit(" - ").next().unwrap_or("").trim();
            frames.push(format!("{function} at {}", at.rsplit('/').next().unwrap_or(at)));
        }
    }
    frames
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn source_lines_of_a_trap_are_native_ones_through_adapt() {
    let dir = tempfile::tempdir().unwrap();
    let module = c_guest("trap_with_lines");
    let core = write(dir.path(), "trap.wasm", &module);
    let native = source_frames(&backtrace_of(&core));
    assert_eq!(
        native,
        ["check at trap_with_lines.c:18:9", "run at trap_with_lines.c:30:5", "__main_argc_argv at trap_with_lines.c:35:5"],
        "native p1's backtrace"
    );

    let adapted = wasip1_adapter::adapt::adapt(&module, &Default::default()).unwrap();
    assert_eq!(adapted.debug_info, wasip1_adapter::prepare::DebugInfo::Kept);
    assert!(adapted.rewritten.is_some_and(|(sizes, grows)| sizes + grows > 0), "the pass changed code");
    let component = write(dir.path(), "trap.component.wasm", &adapted.component);
    let backtrace = backtrace_of(&component);
    assert_eq!(source_frames(&backtrace), native, "through adapt:\n{backtrace}");

    let adapter = write(dir.path(), "ours.command.wasm", wasip1_adapter::COMMAND_ADAPTER);
    let linked = dir.path().join("trap.drop-in.wasm");
    tools::link_with_cli(&core, &adapter, &linked).unwrap();
    assert_eq!(source_frames(&backtrace_of(&linked)), native, "drop-in");
}

/// A module whose calls are encoded as short as they go cannot keep its
/// layout once the pass's imports move its functions: function 127, called
/// in one byte, becomes 129, which takes two. Its DWARF (here a stand-in
/// section) is dropped, and the tool says so.
#[test]
fn dwarf_that_would_lie_is_dropped_with_a_note() {
    let mut text = String::from("(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32))) (memory (export \"memory\") 1)");
    for index in 1..=127 {
        text.push_str(&format!(" (func $f{index})"));
    }
    text.push_str(" (func (export \"_start\") call $f127 (drop (memory.grow (i32.const 1)))) (@custom \".debug_info\" \"stand-in\"))");
    let module = wat(&text);
    assert!(
        wasmparser::Parser::new(0).parse_all(&module).any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(s)) if s.name() == ".debug_info"))
    );
    let prepared = wasip1_adapter::prepare::prepare(&module).unwrap();
    assert_eq!(prepared.debug_info, wasip1_adapter::prepare::DebugInfo::Dropped);
    assert!(
        !wasmparser::Parser::new(0)
            .parse_all(&prepared.module)
            .any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(s)) if s.name().starts_with(".debug_")))
    );
    wasmparser::Validator::new().validate_all(&prepared.module).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "short.wasm", &module);
    let output = dir.path().join("short.component.wasm");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status =
        wasip1_adapter::cli::main(vec!["adapt".into(), input.display().to_string(), "-o".into(), output.display().to_string()], &mut out, &mut err);
    let err = String::from_utf8(err).unwrap();
    assert_eq!(status, 0, "{err}");
    assert!(err.starts_with("note: the module's DWARF was dropped"), "{err}");
}

/// Function names of a module's name section, by index.
fn function_names(module: &[u8]) -> std::collections::BTreeMap<u32, String> {
    let mut names = std::collections::BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let Ok(wasmparser::Payload::CustomSection(section)) = payload
            && let wasmparser::KnownCustom::Name(reader) = section.as_known()
        {
            for subsection in reader.into_iter().flatten() {
                if let wasmparser::Name::Function(map) = subsection {
                    for naming in map.into_iter().flatten() {
                        names.insert(naming.index, naming.name.to_string());
                    }
                }
            }
        }
    }
    names
}

/// Each artifact names the functions a guest imports by their export names
/// (the 46 p1 functions and upstream's extensions), so a backtrace through
/// the adapter says which call it was in; a component keeps the names of the
/// functions its program calls.
#[test]
fn the_adapter_names_the_calls_it_serves() {
    for (file, artifact) in wasip1_adapter::ARTIFACTS {
        let names = function_names(artifact);
        let mut exported = 0;
        for payload in wasmparser::Parser::new(0).parse_all(artifact) {
            if let Ok(wasmparser::Payload::ExportSection(reader)) = payload {
                for export in reader.into_iter().flatten() {
                    let guest_calls = !export.name.starts_with("adapter_memory_")
                        && !export.name.starts_with("adapter_callback_")
                        && !export.name.starts_with("wasi:cli/run")
                        && export.name != "cabi_import_realloc";
                    if export.kind == wasmparser::ExternalKind::Func && guest_calls {
                        assert_eq!(names.get(&export.index).map(String::as_str), Some(export.name), "{file}: {}", export.name);
                        exported += 1;
                    }
                }
            }
        }
        assert_eq!(exported, 46 + 4, "{file}: the 46 p1 functions and the four extensions");
    }
    let dir = tempfile::tempdir().unwrap();
    let module = guest("fd_table");
    let calls = wasip1_adapter::adapt::inspect(&module).unwrap().p1_imports;
    assert!(calls.len() >= 5, "{calls:?}");
    let core = write(dir.path(), "fd_table.wasm", &module);
    let adapter = write(dir.path(), "ours.command.wasm", wasip1_adapter::COMMAND_ADAPTER);
    let linked = dir.path().join("fd_table.component.wasm");
    tools::link_with_cli(&core, &adapter, &linked).unwrap();
    let component = std::fs::read(&linked).unwrap();
    let all: Vec<String> = function_names_in_component(&component);
    for call in &calls {
        assert!(all.iter().any(|name| name == call), "{call} unnamed in the component");
    }
}

/// The function names of every core module inside a component (`parse_all`
/// goes into nested modules).
fn function_names_in_component(component: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        if let Ok(wasmparser::Payload::CustomSection(section)) = payload
            && let wasmparser::KnownCustom::Name(reader) = section.as_known()
        {
            for subsection in reader.into_iter().flatten() {
                if let wasmparser::Name::Function(map) = subsection {
                    names.extend(map.into_iter().flatten().map(|naming| naming.name.to_string()));
                }
            }
        }
    }
    names
}
