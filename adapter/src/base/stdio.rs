//! The handles of the three stdio streams, kept in globals and fetched on
//! first use: stdio works before the adapter has any memory (`p1::memoryless`)
//! and survives the loss of that memory, and a diagnosis can write to stderr
//! whatever state the rest of the adapter is in.

use crate::base::globals;

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
