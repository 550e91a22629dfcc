//! A host that breaks the WIT's contract. A conforming host cannot send an
//! `error-code` or a `descriptor-type` the WIT does not define (the
//! canonical ABI checks on the way), so the adapter's core module is run
//! here with its imports implemented by hand, where nothing checks: an
//! unknown error code must come out as `EIO` and an unknown descriptor type
//! as p1's `unknown` file type, never as undefined behaviour; a string the
//! host says is somewhere the adapter did not place it ends in the
//! diagnosis, never in the adapter reading (and later freeing) memory it
//! never handed out. (Lifted by
//! wit-bindgen's transmute, as before, type 99 came out as a directory; the
//! error codes happened to come out as EIO, through undefined behaviour.)

use wasmtime::{Caller, Extern, Linker, Memory, MemoryType, Module, Store};

const PREOPEN: i32 = 7;
const EIO: i32 = 29;
const ENOENT: i32 = 44;

/// What the fake host does, and what it saw.
struct Host {
    stat: Stat,
    /// Answer `get-directories` with a name in guest memory instead of the
    /// one the adapter's realloc placed.
    misplaced_name: bool,
    stderr: Vec<u8>,
    exit: Option<u32>,
}

/// What the fake `[method]descriptor.stat` answers.
#[derive(Clone, Copy)]
enum Stat {
    /// `err(code)`, with any byte as the code.
    Error(u8),
    /// `ok`, with any byte as the descriptor type.
    Type(u8),
}

/// `fd_filestat_get` on the preopen through the command adapter, with
/// `stat` answered as `answer` says: the errno and the file type written.
fn filestat_with(answer: Stat) -> (i32, u8) {
    let mut host = Host { stat: answer, misplaced_name: false, stderr: Vec::new(), exit: None };
    let (errno, filetype) = run(&mut host).unwrap_or_else(|error| panic!("the adapter trapped: {error:?}"));
    assert!(host.stderr.is_empty(), "{}", String::from_utf8_lossy(&host.stderr));
    (errno, filetype)
}

/// `fd_filestat_get(3, …)` through the command adapter under the fake host.
fn run(host: &mut Host) -> wasmtime::Result<(i32, u8)> {
    let engine = verify::hosts::in_process::engine();
    let module = Module::new(engine, wasip1_adapter::COMMAND_ADAPTER).expect("compile the adapter");
    let mut store = Store::new(engine, Host { stat: host.stat, misplaced_name: host.misplaced_name, stderr: Vec::new(), exit: None });
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).expect("a memory");
    let mut linker = Linker::new(engine);
    linker.define_unknown_imports_as_traps(&module).expect("stub the imports");
    linker.allow_shadowing(true);
    linker.define(&store, "env", "memory", memory).expect("define the memory");
    let types = "wasi:filesystem/types@0.2.12";
    linker.func_wrap(types, "[resource-drop]descriptor", |_: i32| {}).expect("define");
    // list<tuple<descriptor, string>>: one preopen, "/", through the adapter's realloc.
    linker
        .func_wrap("wasi:filesystem/preopens@0.2.12", "get-directories", move |mut caller: Caller<'_, Host>, ret: i32| {
            let realloc = caller.get_export("cabi_import_realloc").and_then(Extern::into_func).expect("the adapter's realloc");
            let realloc = realloc.typed::<(i32, i32, i32, i32), i32>(&caller).expect("its type");
            let list = realloc.call(&mut caller, (0, 0, 4, 12)).expect("allocate the list");
            let placed = realloc.call(&mut caller, (0, 0, 1, 1)).expect("allocate the name");
            let name = if caller.data().misplaced_name { 4096 } else { placed };
            let words = [PREOPEN, name, 1];
            for (i, word) in words.iter().enumerate() {
                memory.write(&mut caller, list as usize + 4 * i, &word.to_le_bytes()).expect("write the list");
            }
            memory.write(&mut caller, name as usize, b"/").expect("write the name");
            memory.write(&mut caller, ret as usize, &list.to_le_bytes()).expect("write the result");
            memory.write(&mut caller, ret as usize + 4, &1i32.to_le_bytes()).expect("write the result");
        })
        .expect("define");
    // result<descriptor-stat, error-code>: the payload is 8-aligned.
    linker
        .func_wrap(types, "[method]descriptor.stat", move |mut caller: Caller<'_, Host>, _handle: i32, ret: i32| {
            let mut area = [0u8; 104];
            match caller.data().stat {
                Stat::Error(code) => (area[0], area[8]) = (1, code),
                Stat::Type(ty) => area[8] = ty,
            }
            memory.write(&mut caller, ret as usize, &area).expect("write the result");
        })
        .expect("define");
    // result<metadata-hash-value, error-code>: ok, any hash.
    {
        let name = "[method]descriptor.metadata-hash";
        linker
            .func_wrap(types, name, move |mut caller: Caller<'_, Host>, _handle: i32, ret: i32| {
                memory.write(&mut caller, ret as usize, &[0u8; 24]).expect("write the result");
            })
            .expect("define");
    }
    // The diagnosis: a line on stderr, then exit-with-code.
    linker.func_wrap("wasi:cli/stderr@0.2.12", "get-stderr", || 2i32).expect("define");
    linker
        .func_wrap(
            "wasi:io/streams@0.2.12",
            "[method]output-stream.blocking-write-and-flush",
            move |mut caller: Caller<'_, Host>, _stream: i32, at: i32, len: i32, ret: i32| {
                let mut bytes = vec![0u8; len as usize];
                memory.read(&caller, at as usize, &mut bytes).expect("read what is written");
                caller.data_mut().stderr.extend_from_slice(&bytes);
                memory.write(&mut caller, ret as usize, &[0u8; 12]).expect("write the result");
            },
        )
        .expect("define");
    linker
        .func_wrap("wasi:cli/exit@0.2.12", "exit-with-code", |mut caller: Caller<'_, Host>, code: i32| -> wasmtime::Result<()> {
            caller.data_mut().exit = Some(code as u8 as u32);
            wasmtime::bail!("exit")
        })
        .expect("define");
    let outcome = (|| {
        let instance = linker.instantiate(&mut store, &module)?;
        let filestat_get = instance.get_typed_func::<(i32, i32), i32>(&mut store, "fd_filestat_get")?;
        let errno = filestat_get.call(&mut store, (3, 1024))?;
        let mut filetype = [0u8];
        memory.read(&store, 1024 + 16, &mut filetype)?;
        Ok((errno, filetype[0]))
    })();
    host.stderr = std::mem::take(&mut store.data_mut().stderr);
    host.exit = store.data().exit;
    outcome
}

#[test]
fn an_error_code_the_wit_does_not_define_is_eio() {
    // Controls: a defined code maps as native p1 maps it.
    assert_eq!(filestat_with(Stat::Error(20)).0, ENOENT, "no-entry");
    assert_eq!(filestat_with(Stat::Error(13)).0, EIO, "io");
    // The WIT defines 37 codes, 0 to 36.
    for code in [37, 100, 255] {
        assert_eq!(filestat_with(Stat::Error(code)).0, EIO, "code {code}");
    }
}

#[test]
fn a_descriptor_type_the_wit_does_not_define_is_unknown() {
    // Control: regular-file (6) is p1's regular file (4).
    assert_eq!(filestat_with(Stat::Type(6)), (0, 4));
    for ty in [8, 99, 255] {
        assert_eq!(filestat_with(Stat::Type(ty)), (0, 0), "type {ty}");
    }
}

#[test]
fn a_name_the_host_placed_elsewhere_is_diagnosed() {
    let mut host = Host { stat: Stat::Type(6), misplaced_name: true, stderr: Vec::new(), exit: None };
    let outcome = run(&mut host);
    let stderr = String::from_utf8_lossy(&host.stderr);
    assert!(outcome.is_err(), "the call went on: {outcome:?}");
    assert_eq!(host.exit, Some(wasip1_adapter::DIAGNOSED_EXIT as u32), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one diagnosed line: {stderr}");
    assert!(stderr.contains("fd_filestat_get") && stderr.contains("an address the adapter never gave it"), "{stderr}");
}
