//! Whether a stdio stream is a terminal: wasi:cli's terminal-* interfaces
//! (`descriptors::terminals` asks once and keeps the answer).

pub use query::query;

#[cfg(not(feature = "proxy"))]
mod query {
    use crate::base::stdio::Stdio;
    use crate::memory::scratch;

    #[link(wasm_import_module = "wasi:cli/terminal-stdin@0.2.12")]
    unsafe extern "C" {
        #[link_name = "get-terminal-stdin"]
        fn get_terminal_stdin(ret: u32);
    }

    #[link(wasm_import_module = "wasi:cli/terminal-stdout@0.2.12")]
    unsafe extern "C" {
        #[link_name = "get-terminal-stdout"]
        fn get_terminal_stdout(ret: u32);
    }

    #[link(wasm_import_module = "wasi:cli/terminal-stderr@0.2.12")]
    unsafe extern "C" {
        #[link_name = "get-terminal-stderr"]
        fn get_terminal_stderr(ret: u32);
    }

    #[link(wasm_import_module = "wasi:cli/terminal-input@0.2.12")]
    unsafe extern "C" {
        #[link_name = "[resource-drop]terminal-input"]
        fn drop_terminal_input(handle: u32);
    }

    #[link(wasm_import_module = "wasi:cli/terminal-output@0.2.12")]
    unsafe extern "C" {
        #[link_name = "[resource-drop]terminal-output"]
        fn drop_terminal_output(handle: u32);
    }

    /// Asks the host: `option<own<terminal-…>>`, tag at 0, handle at 4. The
    /// handle itself is of no use to p1 and dropped. Without scratch memory
    /// (a guest with none), a stream is taken not to be a terminal.
    pub fn query(which: Stdio) -> bool {
        // SAFETY: each getter writes its option to scratch; a handle it
        // returns is ours to drop.
        scratch::with(0, 0, |at| unsafe {
            match which {
                Stdio::In => get_terminal_stdin(at),
                Stdio::Out => get_terminal_stdout(at),
                Stdio::Err => get_terminal_stderr(at),
            }
            if scratch::u8_at(at, 0) == 0 {
                return false;
            }
            match which {
                Stdio::In => drop_terminal_input(scratch::u32_at(at, 4)),
                _ => drop_terminal_output(scratch::u32_at(at, 4)),
            }
            true
        })
        .unwrap_or(false)
    }
}

/// The proxy world has no terminal interfaces.
#[cfg(feature = "proxy")]
mod query {
    pub fn query(_which: crate::base::stdio::Stdio) -> bool {
        false
    }
}
