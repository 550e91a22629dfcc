//! Upstream's extension exports, imported from `wasi_snapshot_preview1` as
//! wasi-libc (2024-2025) and componentize-go import them. Native p1 has
//! none of them, so this guest runs only as a component.
//!
//! `badfd reserved|unopened [sockets] [renumber]`: reserves descriptor
//! numbers with `adapter_open_badfd` (or takes numbers never opened, which
//! native p1 can run), gives one to every p1 call that takes a descriptor
//! (each line: the call and its errno), then releases it with
//! `adapter_close_badfd` and shows the number handed out next. Upstream's
//! adapter traps on the socket calls, and lets `fd_renumber` move its bad
//! descriptor over stdio, so those run only when asked, last.

use p1::raw::{self, Iovec};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn adapter_open_badfd(fd: *mut u32) -> i32;
    fn adapter_close_badfd(fd: u32) -> i32;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("badfd") => {
            let has = |word: &str| args.iter().skip(2).any(|arg| arg == word);
            badfd(args.get(1).is_some_and(|arg| arg == "reserved"), has("sockets"), has("renumber"))
        }
        _ => {
            eprintln!("usage: extensions badfd reserved|unopened [sockets] [renumber]");
            std::process::exit(2);
        }
    }
}

fn open_badfd() -> u32 {
    let mut fd = u32::MAX;
    let errno = unsafe { adapter_open_badfd(&mut fd) };
    println!("adapter_open_badfd: {errno}, fd {fd}");
    fd
}

fn badfd(reserved: bool, sockets: bool, renumber: bool) {
    let (bad, second) = if reserved { (open_badfd(), open_badfd()) } else { (99, 98) };
    let mut buf = [0u8; 64];
    let mut out64 = 0u64;
    let mut out32 = 0u32;
    let mut oflags = 0u16;
    let iov = [Iovec { buf: buf.as_ptr(), len: buf.len() as u32 }];
    let empty = [Iovec { buf: buf.as_ptr(), len: 0 }];
    let name = b"x";
    let (p, n) = (name.as_ptr(), name.len() as u32);
    let mut sub = [0u8; 48];
    sub[8] = 1; // fd_read
    sub[16..20].copy_from_slice(&bad.to_le_bytes());
    let mut events = [0u8; 32];
    // SAFETY: every pointer is to a live local buffer of the size given.
    let calls: Vec<(&str, i32)> = unsafe {
        vec![
            ("fd_advise", raw::fd_advise(bad, 0, 1, 0)),
            ("fd_allocate", raw::fd_allocate(bad, 0, 1)),
            ("fd_datasync", raw::fd_datasync(bad)),
            ("fd_fdstat_get", raw::fd_fdstat_get(bad, buf.as_mut_ptr())),
            ("fd_fdstat_set_flags", raw::fd_fdstat_set_flags(bad, 0)),
            ("fd_fdstat_set_rights", raw::fd_fdstat_set_rights(bad, 0, 0)),
            ("fd_filestat_get", raw::fd_filestat_get(bad, buf.as_mut_ptr())),
            ("fd_filestat_set_size", raw::fd_filestat_set_size(bad, 0)),
            ("fd_filestat_set_times", raw::fd_filestat_set_times(bad, 0, 0, 0)),
            ("fd_pread", raw::fd_pread(bad, iov.as_ptr(), 1, 0, &mut out32)),
            ("fd_prestat_get", raw::fd_prestat_get(bad, buf.as_mut_ptr())),
            ("fd_prestat_dir_name", raw::fd_prestat_dir_name(bad, buf.as_mut_ptr(), 8)),
            ("fd_pwrite", raw::fd_pwrite(bad, iov.as_ptr(), 1, 0, &mut out32)),
            ("fd_read", raw::fd_read(bad, iov.as_ptr(), 1, &mut out32)),
            ("fd_read of nothing", raw::fd_read(bad, empty.as_ptr(), 1, &mut out32)),
            ("fd_readdir", raw::fd_readdir(bad, buf.as_mut_ptr(), 64, 0, &mut out32)),
            ("fd_seek", raw::fd_seek(bad, 0, 0, &mut out64)),
            ("fd_sync", raw::fd_sync(bad)),
            ("fd_tell", raw::fd_tell(bad, &mut out64)),
            ("fd_write", raw::fd_write(bad, iov.as_ptr(), 1, &mut out32)),
            ("fd_write of nothing", raw::fd_write(bad, empty.as_ptr(), 1, &mut out32)),
            ("path_create_directory", raw::path_create_directory(bad, p, n)),
            ("path_filestat_get", raw::path_filestat_get(bad, 0, p, n, buf.as_mut_ptr())),
            ("path_filestat_set_times", raw::path_filestat_set_times(bad, 0, p, n, 0, 0, 0)),
            ("path_link from it", raw::path_link(bad, 0, p, n, 3, p, n)),
            ("path_link into it", raw::path_link(3, 0, p, n, bad, p, n)),
            ("path_open", raw::path_open(bad, 0, p, n, 0, 0, 0, 0, &mut out32)),
            ("path_readlink", raw::path_readlink(bad, p, n, buf.as_mut_ptr(), 64, &mut out32)),
            ("path_remove_directory", raw::path_remove_directory(bad, p, n)),
            ("path_rename from it", raw::path_rename(bad, p, n, 3, p, n)),
            ("path_rename into it", raw::path_rename(3, p, n, bad, p, n)),
            ("path_symlink", raw::path_symlink(p, n, bad, p, n)),
            ("path_unlink_file", raw::path_unlink_file(bad, p, n)),
            ("sock_shutdown", raw::sock_shutdown(bad, 1)),
            ("fd_close", raw::fd_close(bad)),
        ]
    };
    for (call, errno) in calls {
        println!("{call}: {errno}");
    }
    // SAFETY: one subscription in, room for one event out.
    let errno = unsafe { raw::poll_oneoff(sub.as_ptr(), events.as_mut_ptr(), 1, &mut out32) };
    println!("poll_oneoff on it: {errno}, {out32} events, event error {}", u16::from_le_bytes([events[8], events[9]]));
    if sockets {
        // SAFETY: as above.
        unsafe {
            println!("sock_accept: {}", raw::sock_accept(bad, 0, &mut out32));
            println!("sock_recv: {}", raw::sock_recv(bad, iov.as_ptr(), 1, 0, &mut out32, &mut oflags));
            println!("sock_send: {}", raw::sock_send(bad, iov.as_ptr(), 1, 0, &mut out32));
        }
    }
    if renumber {
        // SAFETY: plain numbers.
        unsafe {
            println!("fd_renumber to another: {}", raw::fd_renumber(bad, second));
            println!("fd_renumber onto it: {}", raw::fd_renumber(2, bad));
            println!("fd_renumber from it: {}", raw::fd_renumber(bad, 1));
        }
    }
    if !reserved {
        return;
    }
    // Still reserved after all that, then released once.
    println!("adapter_close_badfd: {}", unsafe { adapter_close_badfd(bad) });
    println!("adapter_close_badfd again: {}", unsafe { adapter_close_badfd(bad) });
    println!("fd_close of a released number: {}", unsafe { raw::fd_close(bad) });
    // A number released is handed out again.
    let name = b"greeting.txt";
    let errno = unsafe { raw::path_open(3, 0, name.as_ptr(), name.len() as u32, 0, 2, 0, 0, &mut out32) };
    println!("path_open after the release: {errno}, fd {out32}");
    println!("adapter_close_badfd of the second: {}", unsafe { adapter_close_badfd(second) });
}
