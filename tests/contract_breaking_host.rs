//! A host that breaks the WIT's contract. A conforming host cannot send an
//! `error-code` or a `descriptor-type` the WIT does not define (the
//! canonical ABI checks on the way), so the adapter's core module is run
//! here with its imports implemented by hand, where nothing checks: an
//! unknown error code must come out as `EIO` and an unknown descriptor type
//! as p1's `unknown` file type, never as undefined behaviour. (Lifted by
//! wit-bindgen's transmute, as before, type 99 came out as a directory; the
//! error codes happened to come out as EIO, through undefined behaviour.)

use wasmtime::{Caller, Extern, Linker, Memory, MemoryType, Module, Store};

const PREOPEN: i32 = 7;
const EIO: i32 = 29;
const ENOENT: i32 = 44;

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
    let engine = verify::host::engine();
    let module = Module::new(engine, wasip1_adapter::COMMAND_ADAPTER).expect("compile the adapter");
    let mut store = Store::new(engine, answer);
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).expect("a memory");
    let mut linker = Linker::new(engine);
    linker.define_unknown_imports_as_traps(&module).expect("stub the imports");
    linker.allow_shadowing(true);
    linker.define(&store, "env", "memory", memory).expect("define the memory");
    let types = "wasi:filesystem/types@0.2.12";
    linker.func_wrap(types, "[resource-drop]descriptor", |_: i32| {}).expect("define");
    // list<tuple<descriptor, string>>: one preopen, "/", through the adapter's realloc.
    linker
        .func_wrap("wasi:filesystem/preopens@0.2.12", "get-directories", move |mut caller: Caller<'_, Stat>, ret: i32| {
            let realloc = caller.get_export("cabi_import_realloc").and_then(Extern::into_func).expect("the adapter's realloc");
            let realloc = realloc.typed::<(i32, i32, i32, i32), i32>(&caller).expect("its type");
            let list = realloc.call(&mut caller, (0, 0, 4, 12)).expect("allocate the list");
            let name = realloc.call(&mut caller, (0, 0, 1, 1)).expect("allocate the name");
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
        .func_wrap(types, "[method]descriptor.stat", move |mut caller: Caller<'_, Stat>, _handle: i32, ret: i32| {
            let mut area = [0u8; 104];
            match *caller.data() {
                Stat::Error(code) => (area[0], area[8]) = (1, code),
                Stat::Type(ty) => area[8] = ty,
            }
            memory.write(&mut caller, ret as usize, &area).expect("write the result");
        })
        .expect("define");
    // result<metadata-hash-value, error-code>: ok, any hash.
    for name in ["[method]descriptor.metadata-hash"] {
        linker
            .func_wrap(types, name, move |mut caller: Caller<'_, Stat>, _handle: i32, ret: i32| {
                    memory.write(&mut caller, ret as usize, &[0u8; 24]).expect("write the result");
            })
            .expect("define");
    }
    let instance = linker.instantiate(&mut store, &module).expect("instantiate the adapter");
    let filestat_get = instance.get_typed_func::<(i32, i32), i32>(&mut store, "fd_filestat_get").expect("fd_filestat_get");
    let errno = filestat_get.call(&mut store, (3, 1024)).unwrap_or_else(|error| panic!("the adapter trapped: {error:?}"));
    let mut filetype = [0u8];
    memory.read(&store, 1024 + 16, &mut filetype).expect("read the file type");
    (errno, filetype[0])
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
