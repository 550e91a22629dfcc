//! A program pre-initialised the way component-init and componentize-py do
//! it: `wizer-initialize` runs its set-up (reads a configuration file from
//! a directory preopened then, talks on stdout and stderr), then asks the
//! adapter to forget that run's host (`reset_adapter_state`) and wasi-libc
//! to forget its preopens; a pre-initialiser snapshots memory and globals
//! after it. `main` then uses only what the run it is in gives it:
//! arguments, environment, stdin, its own preopen, and what set-up kept.
//! Run without pre-initialisation, `main` does the set-up itself first.
//!
//! `set-up-without-reset` is the same set-up without the two resets, to
//! show that without them the snapshot is wrong. (Set-up reads no
//! environment variable: wasi-libc would keep the set-up run's.)

use std::io::{Read, Write};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn reset_adapter_state();
}

unsafe extern "C" {
    fn __wasilibc_reset_preopens();
}

static mut SETTINGS: Option<String> = None;

#[unsafe(export_name = "wizer-initialize")]
pub extern "C" fn set_up() {
    read_settings();
    // SAFETY: plain calls without arguments.
    unsafe {
        reset_adapter_state();
        __wasilibc_reset_preopens();
    }
}

#[unsafe(export_name = "set-up-without-reset")]
pub extern "C" fn set_up_without_reset() {
    read_settings();
}

fn read_settings() {
    let settings = std::fs::read_to_string("/config/settings.txt").unwrap_or_else(|error| format!("no settings: {error}"));
    println!("set-up read {} bytes of settings", settings.len());
    eprintln!("set-up done");
    let _ = std::io::stdout().flush();
    // SAFETY: set-up runs once, before `main`, on the only thread.
    unsafe { SETTINGS = Some(settings) };
}

fn main() {
    // SAFETY: read on the only thread, after set-up.
    #[allow(static_mut_refs)]
    if unsafe { SETTINGS.is_none() } {
        set_up();
    }
    #[allow(static_mut_refs)]
    let settings = unsafe { SETTINGS.clone().unwrap_or_default() };
    println!("settings: {}", settings.trim_end());
    println!("arguments: {:?}", std::env::args().skip(1).collect::<Vec<_>>());
    println!("PREINIT_MODE={:?}", std::env::var("PREINIT_MODE").ok());
    let mut input = String::new();
    let _ = std::io::stdin().read_to_string(&mut input);
    println!("stdin: {:?}", input);
    let mut names: Vec<String> = match std::fs::read_dir("/data") {
        Ok(entries) => entries.filter_map(|entry| entry.ok()).map(|entry| entry.file_name().to_string_lossy().into_owned()).collect(),
        Err(error) => vec![format!("cannot list /data: {error}")],
    };
    names.sort();
    println!("/data: {}", names.join(" "));
    match std::fs::write("/data/written-by-main.txt", "main was here\n") {
        Ok(()) => println!("wrote /data/written-by-main.txt"),
        Err(error) => println!("cannot write: {error}"),
    }
    eprintln!("main done");
}
