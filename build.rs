//! With the `from-source` feature (on in this workspace): builds the adapter
//! (`adapter/`, a no_std crate) for wasm32-unknown-unknown in its three
//! flavours, finishes each artifact and checks it. Without it, the library
//! takes the committed artifacts in src/artifacts/ and nothing is built.
//!
//! The nested cargo gets a target directory of its own under OUT_DIR, so it
//! never waits on the lock of the build that runs this script, and an
//! environment cleaned of what the outer build set for itself.

#[cfg(not(feature = "from-source"))]
fn main() {
    for flavour in ["command", "reactor", "proxy"] {
        println!("cargo:rerun-if-changed=src/artifacts/wasi_snapshot_preview1.{flavour}.wasm");
    }
}

#[cfg(feature = "from-source")]
fn main() {
    from_source::main();
}

#[cfg(feature = "from-source")]
#[path = "src/check.rs"]
mod check;
#[cfg(feature = "from-source")]
#[path = "src/flavour.rs"]
mod flavour;
#[cfg(feature = "from-source")]
#[path = "src/inline_globals.rs"]
mod inline_globals;

#[cfg(feature = "from-source")]
mod from_source {
    use std::env;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use crate::check::{self, Flavour, Rules};

    pub fn main() {
        let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
        for path in [
            "adapter/src",
            "adapter/Cargo.toml",
            "adapter/Cargo.lock",
            "adapter/build.rs",
            "adapter/text-literal",
            "wit",
            "src/check.rs",
            "src/flavour.rs",
            "src/inline_globals.rs",
        ] {
            println!("cargo:rerun-if-changed={path}");
        }

        let target_dir = out_dir.join("adapter-target");
        for flavour in Flavour::ALL {
            let built = build(&root, &target_dir, flavour);
            let built = match crate::inline_globals::inline_global_accessors(&built) {
                Ok((inlined, _replaced)) => inlined,
                Err(error) => fail(flavour, &[error]),
            };
            // Every check runs on the artifact with all its function names (the
            // allocator check reads them), then again on what ships.
            let mut shipped = Vec::new();
            for names in [Names::All, Names::Essential] {
                let finished = finish(&built, names).unwrap_or_else(|error| fail(flavour, &[error]));
                let report = check::check(&finished, Rules { flavour, ours: true });
                if !report.ok() {
                    fail(flavour, &report.problems);
                }
                shipped = finished;
            }
            std::fs::write(out_dir.join(flavour.file_name()), &shipped).expect("write the adapter artifact");
        }
    }

    /// Runs the nested cargo for one flavour; returns the raw artifact.
    fn build(root: &Path, target_dir: &Path, flavour: Flavour) -> Vec<u8> {
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(root.join("adapter"))
            .args(["build", "--release", "--locked", "--target", "wasm32-unknown-unknown"])
            .args(["--features", flavour.name()])
            .arg("--target-dir")
            .arg(target_dir);
        for variable in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_TARGET",
            "CARGO_BUILD_TARGET_DIR",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_PROFILE_RELEASE_DEBUG",
            "CARGO_PROFILE_RELEASE_LTO",
        ] {
            command.env_remove(variable);
        }
        let status = command.status().expect("run cargo for the adapter");
        if !status.success() {
            fail(flavour, &[format!("cargo build of adapter/ failed ({status})")]);
        }
        let artifact = target_dir.join("wasm32-unknown-unknown/release/wasi_snapshot_preview1.wasm");
        std::fs::read(&artifact).unwrap_or_else(|error| fail(flavour, &[format!("read {}: {error}", artifact.display())]))
    }

    /// Which function names the finished artifact keeps.
    #[derive(Clone, Copy, PartialEq)]
    enum Names {
        All,
        /// The names of the globals in `NAMED_GLOBALS` (`adapt` patches two by
        /// name, and wit-component looks for a stack pointer by name), and of the
        /// functions a guest imports (the p1 functions and upstream's
        /// extensions), so that a backtrace through the adapter names the call
        /// it is in. All function names were 15 KB, almost a quarter of the
        /// artifact; every byte is paid by each component built with it (these
        /// cost about 1 KB in the artifact, 10 to 20 bytes for each call a
        /// program makes in its component), and the adapter explains its own
        /// failures on stderr. The fully named build has passed every check first.
        Essential,
    }

    /// The globals the shipped artifact names: the stack pointer (renamed, see
    /// `finish`) and the two `adapt` patches (src/prepare/mod.rs).
    const NAMED_GLOBALS: [&str; 3] = [check::STACK_POINTER_NAME, "adapter_placement", "adapter_guest_max_pages"];

    /// Renames the linker's `__stack_pointer` in the name section. wit-component
    /// recognises that name and would then give the adapter a stack by growing
    /// memory in a start function, before the guest's `_start`; the adapter sets
    /// up its own stack lazily instead (see adapter/src/memory/call.rs). Drops the
    /// linker's `target_features` section, which nothing after linking reads.
    fn finish(raw: &[u8], keep: Names) -> Result<Vec<u8>, String> {
        use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

        let mut module = wasm_encoder::Module::new();
        let mut renamed = false;
        let exported = exported_functions(raw)?;
        for payload in wasmparser::Parser::new(0).parse_all(raw) {
            let payload = payload.map_err(|e| e.to_string())?;
            match &payload {
                wasmparser::Payload::CustomSection(section) if section.name() == "name" => {
                    let wasmparser::KnownCustom::Name(reader) = section.as_known() else {
                        return Err("unreadable name section".into());
                    };
                    let mut names = wasm_encoder::NameSection::new();
                    for subsection in reader {
                        let subsection = subsection.map_err(|e| e.to_string())?;
                        if let wasmparser::Name::Global(map) = &subsection {
                            let mut globals = wasm_encoder::NameMap::new();
                            for naming in map.clone() {
                                let naming = naming.map_err(|e| e.to_string())?;
                                let name = if naming.name == "__stack_pointer" {
                                    renamed = true;
                                    check::STACK_POINTER_NAME
                                } else {
                                    naming.name
                                };
                                if keep == Names::All || NAMED_GLOBALS.contains(&name) {
                                    globals.append(naming.index, name);
                                }
                            }
                            names.globals(&globals);
                        } else if let (wasmparser::Name::Function(_), Names::Essential) = (&subsection, keep) {
                            let mut functions = wasm_encoder::NameMap::new();
                            for (index, name) in &exported {
                                functions.append(*index, name);
                            }
                            names.functions(&functions);
                        } else if keep == Names::All {
                            RoundtripReencoder.parse_custom_name_subsection(&mut names, subsection).map_err(|e| e.to_string())?;
                        }
                    }
                    module.section(&names);
                }
                wasmparser::Payload::CustomSection(section) if section.name() == "target_features" => {}
                _ => {
                    if let Some((id, range)) = payload.as_section() {
                        module.section(&wasm_encoder::RawSection { id, data: &raw[range.start as usize..range.end as usize] });
                    }
                }
            }
        }
        if !renamed {
            return Err("no __stack_pointer global in the name section; the adapter's entry protocol assumes one".into());
        }
        Ok(module.finish())
    }

    /// Exports that are no call of the guest's: what wit-component, `adapt`'s
    /// wrappers and the command's `wasi:cli/run` call. They go unnamed.
    const INTERNAL_EXPORTS: [&str; 4] = ["cabi_import_realloc", "adapter_memory_", "adapter_callback_", "wasi:cli/run@"];

    /// The functions a guest imports, by index (ascending, as a name map must
    /// be), with their export names.
    fn exported_functions(raw: &[u8]) -> Result<Vec<(u32, String)>, String> {
        let mut exported = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(raw) {
            if let wasmparser::Payload::ExportSection(reader) = payload.map_err(|e| e.to_string())? {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    if export.kind == wasmparser::ExternalKind::Func && !INTERNAL_EXPORTS.iter().any(|prefix| export.name.starts_with(prefix)) {
                        exported.push((export.index, export.name.to_string()));
                    }
                }
            }
        }
        exported.sort();
        exported.dedup_by_key(|(index, _)| *index);
        Ok(exported)
    }

    fn fail(flavour: Flavour, problems: &[String]) -> ! {
        eprintln!("error: the {flavour} adapter artifact is not fit to ship:");
        for problem in problems {
            eprintln!("  - {problem}");
        }
        panic!("adapter build failed for the {flavour} flavour");
    }
}
