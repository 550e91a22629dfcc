//! The three stdio streams. Their handles and whether each is a terminal are
//! kept in globals, fetched on first use: stdio works before the adapter has
//! any memory (`light`), and survives the loss of that memory.

use crate::globals;

/// Which stream: the p1 fd it starts as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stdio {
    In = 0,
    Out = 1,
    Err = 2,
}

#[link(wasm_import_module = "wasi:cli/stdin@0.2.12")]
unsafe extern "C" {
    #[link_name = "get-stdin"]
    fn get_stdin() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stdout@0.2.12")]
unsafe extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:cli/stderr@0.2.12")]
unsafe extern "C" {
    #[link_name = "get-stderr"]
    fn get_stderr() -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.12")]
unsafe extern "C" {
    #[link_name = "[resource-drop]input-stream"]
    fn drop_input_stream(stream: u32);
    #[link_name = "[resource-drop]output-stream"]
    fn drop_output_stream(stream: u32);
}

/// The stream's handle, fetched on first use.
#[inline(always)]
pub fn handle(which: Stdio) -> u32 {
    let cached = match which {
        Stdio::In => globals::stdin(),
        Stdio::Out => globals::stdout(),
        Stdio::Err => globals::stderr(),
    };
    if cached != 0 {
        return cached;
    }
    fetch(which)
}

#[inline(never)]
fn fetch(which: Stdio) -> u32 {
    // SAFETY: the getters take nothing and return a new handle.
    match which {
        Stdio::In => {
            // SAFETY: the getter takes nothing and returns a new handle.
            let handle = unsafe { get_stdin() };
            // SAFETY: the new handle, which the global now owns.
            unsafe { globals::set_stdin(handle) };
            handle
        }
        Stdio::Out => {
            // SAFETY: as for stdin.
            let handle = unsafe { get_stdout() };
            // SAFETY: as for stdin.
            unsafe { globals::set_stdout(handle) };
            handle
        }
        Stdio::Err => {
            // SAFETY: as for stdin.
            let handle = unsafe { get_stderr() };
            // SAFETY: as for stdin.
            unsafe { globals::set_stderr(handle) };
            handle
        }
    }
}

/// Drops the stream when its descriptor is closed, if it was ever fetched.
pub fn close(which: Stdio) {
    let handle = match which {
        Stdio::In => globals::stdin(),
        Stdio::Out => globals::stdout(),
        Stdio::Err => globals::stderr(),
    };
    if handle == 0 {
        return;
    }
    // SAFETY: the handle is ours and forgotten right after.
    unsafe {
        match which {
            Stdio::In => drop_input_stream(handle),
            _ => drop_output_stream(handle),
        }
    }
    // SAFETY: 0 is "not fetched"; the handle was dropped just above.
    unsafe {
        match which {
            Stdio::In => globals::set_stdin(0),
            Stdio::Out => globals::set_stdout(0),
            Stdio::Err => globals::set_stderr(0),
        }
    }
}

/// Whether the stream is a terminal (asked once).
#[inline(always)]
pub fn is_terminal(which: Stdio) -> bool {
    let known = 1u32 << (which as u32);
    let yes = known << 3;
    let bits = globals::terminals();
    if bits & known == 0 {
        return ask_terminal(which);
    }
    bits & yes != 0
}

#[inline(never)]
fn ask_terminal(which: Stdio) -> bool {
    let answer = terminal::query(which);
    let known = 1u32 << (which as u32);
    let yes = if answer { known << 3 } else { 0 };
    globals::set_terminals(globals::terminals() | known | yes);
    answer
}

#[cfg(not(feature = "proxy"))]
mod terminal {
    use super::Stdio;
    use crate::scratch;

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
mod terminal {
    pub fn query(_which: super::Stdio) -> bool {
        false
    }
}
