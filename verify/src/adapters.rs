//! The three implementations of preview1 under comparison, and turning a
//! preview1 module into a component with an adapter.

use anyhow::{Context, Result};
use wasip1_adapter::Flavour;
use wasip1_adapter::adapt::{Options, Preparation};

/// Who implements preview1 for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    /// wasmtime-wasi's own preview1, on the core module: the reference.
    Native,
    /// The adapter wasmtime ships (`wasi-preview1-component-adapter-provider`).
    Upstream,
    /// This project's adapter.
    Ours,
}

/// The upstream adapter release we compare against.
pub const UPSTREAM_VERSION: &str = "50.0.1";

impl Implementation {
    pub const ALL: [Implementation; 3] = [Implementation::Native, Implementation::Upstream, Implementation::Ours];

    pub fn label(self) -> &'static str {
        match self {
            Implementation::Native => "native p1",
            Implementation::Upstream => "upstream 50.0.1",
            Implementation::Ours => "ours",
        }
    }

    /// The adapter bytes of this implementation; `None` for native p1.
    pub fn adapter(self, flavour: Flavour) -> Option<&'static [u8]> {
        use wasi_preview1_component_adapter_provider as upstream;
        match (self, flavour) {
            (Implementation::Native, _) => None,
            (Implementation::Upstream, Flavour::Command) => Some(upstream::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER),
            (Implementation::Upstream, Flavour::Reactor) => Some(upstream::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER),
            (Implementation::Upstream, Flavour::Proxy) => Some(upstream::WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER),
            (Implementation::Ours, Flavour::Command) => Some(wasip1_adapter::COMMAND_ADAPTER),
            (Implementation::Ours, Flavour::Reactor) => Some(wasip1_adapter::REACTOR_ADAPTER),
            (Implementation::Ours, Flavour::Proxy) => Some(wasip1_adapter::PROXY_ADAPTER),
        }
    }
}

/// The component for a run of `module` under `implementation` (not native).
/// Ours goes through `wasip1_adapter::adapt`, preparing the module as
/// `preparation` says; upstream is linked as is (it cannot be prepared for).
pub fn component_for(implementation: Implementation, module: &[u8], flavour: Flavour, preparation: Preparation) -> Result<Vec<u8>> {
    let adapter = implementation.adapter(flavour).context("native p1 runs the core module")?;
    let options = match implementation {
        Implementation::Ours => Options { preparation, flavour: Some(flavour), ..Options::default() },
        // Linked as `wasm-tools component new` links it (but for making
        // its memory linkable).
        _ => {
            Options { preparation: Preparation::Never, flavour: Some(flavour), adapter: Some(adapter), arrange_entries: false, ..Options::default() }
        }
    };
    Ok(wasip1_adapter::adapt::adapt(module, &options)?.component)
}

/// The flavour a module needs, as `adapt` finds it: command if it has an
/// entry (`_start`, `""`) or is all start function, else reactor.
pub fn flavour_of(module: &[u8]) -> Result<Flavour> {
    Ok(if wasip1_adapter::entry::survey(module)?.is_command() { Flavour::Command } else { Flavour::Reactor })
}

/// The export through which the harness runs reactors: a reactor guest that
/// exports `wasi:cli/run#run` is run by calling `_initialize` and then it,
/// natively and as a component alike.
pub const RUN_EXPORT: &str = "wasi:cli/run@0.2.12#run";

/// Gives a core module that exports `wasi:cli/run@0.2.12#run` the component
/// metadata that says so, so wit-component lifts that export.
pub fn embed_run_world(module: &[u8]) -> Result<Vec<u8>> {
    embed_world(module, "")
}

/// Like `embed_run_world`, with more exports, given as WIT world items
/// (e.g. `export fib: func(n: s32) -> s32;`).
pub fn embed_world(module: &[u8], exports: &str) -> Result<Vec<u8>> {
    let mut resolve = wit_parser::Resolve::default();
    let wit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    resolve.push_dir(&wit).with_context(|| format!("read {}", wit.display()))?;
    let package = resolve.push_str("guest.wit", &format!("package verify:guest;\nworld runnable {{ export wasi:cli/run@0.2.12; {exports} }}\n"))?;
    let world = resolve.select_world(&[package], Some("runnable"))?;
    let mut module = module.to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false)?;
    Ok(module)
}
