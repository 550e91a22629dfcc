//! The adapter's flavours.

use std::fmt;

/// The adapter flavours, each built from `adapter/` with a cargo feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Exports `wasi:cli/run`, which runs the guest's `_start`.
    Command,
    /// Exports only what the guest's own world says; the host calls them.
    Reactor,
    /// For `wasi:http/proxy` components: no filesystem, environment or exit.
    Proxy,
}

impl Flavour {
    /// Every flavour, in the order the artifacts are listed.
    pub const ALL: [Flavour; 3] = [Flavour::Command, Flavour::Reactor, Flavour::Proxy];

    /// `command`, `reactor` or `proxy`.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Command => "command",
            Flavour::Reactor => "reactor",
            Flavour::Proxy => "proxy",
        }
    }

    /// `wasi_snapshot_preview1.<flavour>.wasm`
    pub fn file_name(self) -> String {
        format!("wasi_snapshot_preview1.{}.wasm", self.name())
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
