//! The 46 `wasi_snapshot_preview1` exports, in one table.
//!
//! Each row names the export, its parameters (all i32 or i64 in wasm) and the
//! function implementing it. The macro writes the exported function around
//! it: `entry::begin` (without a stack), then a non-inlined body that opens the
//! state, runs the implementation and closes it. Rows marked `[memoryless]`
//! are served by `light` alone, rows marked `[light]` by it when it can. The
//! macro also numbers the functions so a diagnostic can name the one in
//! progress.

use text_literal::{names, text};

use crate::diag::{Line, NamePicker};

macro_rules! p1_exports {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) => $([$area:ident])? $imp:path; )*) => {
        /// The p1 functions, numbered for `globals::current`.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        #[repr(u32)]
        pub enum Func {
            proc_exit = 1,
            $($name,)*
        }

        /// Writes the name of p1 function number `func`.
        pub fn write_name(line: &mut Line, func: u32) {
            let mut picker = NamePicker::new(line, func);
            names!(picker, proc_exit $(, $name)*);
            if !picker.found() {
                text!(line, "the adapter (outside any p1 call)");
            }
        }

        $( p1_exports!(@export [$($area)?] $name ($($arg: $ty),*) $imp); )*
    };
    // Rows marked `[memoryless]` are served by `light` alone.
    (@export [memoryless] $name:ident ($($arg:ident : $ty:ty),*) $imp:path) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i32 {
            $imp(Func::$name as u32, $($arg),*)
        }
    };
    // The others open the state around their implementation; rows marked
    // `[light]` are offered to `light` first.
    (@export [$($area:ident)?] $name:ident ($($arg:ident : $ty:ty),*) $imp:path) => {
        #[unsafe(no_mangle)]
        // p1's signatures, path_open's nine arguments included.
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i32 {
            #[inline(never)]
            #[allow(clippy::too_many_arguments)]
            fn body($($arg: $ty),*) -> i32 {
                let cx = crate::entry::open();
                crate::entry::finish(cx, p1_exports!(@call $($area)? $imp, cx, $($arg),*))
            }
            p1_exports!(@offer [$($area)?] $name, $($arg),*);
            match crate::entry::begin(Func::$name as u32) {
                Some(refused) => refused.raw(),
                None => body($($arg),*),
            }
        }
    };
    (@offer [light] $name:ident, $($arg:ident),*) => {
        let answer = crate::light::$name(Func::$name as u32, $($arg),*);
        if answer != crate::light::NEEDS_HOME {
            return answer;
        }
    };
    (@offer [$($area:ident)?] $name:ident, $($arg:ident),*) => {};
    // Rows marked `[fs]` need a filesystem, which the proxy world lacks.
    (@call fs $imp:path, $cx:ident, $($arg:ident),*) => {{
        #[cfg(not(feature = "proxy"))]
        let result = $imp($cx, $($arg),*);
        #[cfg(feature = "proxy")]
        let result = crate::exports::no_filesystem($cx);
        result
    }};
    (@call light $imp:path, $cx:ident, $($arg:ident),*) => {
        $imp($cx, $($arg),*)
    };
    (@call $imp:path, $cx:ident, $($arg:ident),*) => {
        $imp($cx, $($arg),*)
    };
}

/// What the filesystem calls answer in the proxy flavour (as upstream's).
#[cfg(feature = "proxy")]
pub fn no_filesystem(_cx: crate::state::Ctx) -> crate::p1::P1Result {
    Err(crate::p1::Errno::NOTSUP)
}

p1_exports! {
    args_get(argv: u32, argv_buf: u32) => crate::args_env::args_get;
    args_sizes_get(argc: u32, argv_buf_size: u32) => crate::args_env::args_sizes_get;
    environ_get(environ: u32, environ_buf: u32) => crate::args_env::environ_get;
    environ_sizes_get(count: u32, buf_size: u32) => crate::args_env::environ_sizes_get;
    clock_res_get(id: u32, resolution: u32) => [memoryless] crate::light::clock_res_get;
    clock_time_get(id: u32, precision: u64, time: u32) => [memoryless] crate::light::clock_time_get;
    fd_advise(fd: u32, offset: u64, len: u64, advice: u32) => [fs] crate::files::fd_advise;
    fd_allocate(fd: u32, offset: u64, len: u64) => [fs] crate::files::fd_allocate;
    fd_close(fd: u32) => crate::fd::fd_close;
    fd_datasync(fd: u32) => [fs] crate::files::fd_datasync;
    fd_fdstat_get(fd: u32, stat: u32) => [light] crate::fd::fd_fdstat_get;
    fd_fdstat_set_flags(fd: u32, flags: u32) => crate::fd::fd_fdstat_set_flags;
    fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) => [fs] crate::fd::fd_fdstat_set_rights;
    fd_filestat_get(fd: u32, stat: u32) => [fs] crate::files::fd_filestat_get;
    fd_filestat_set_size(fd: u32, size: u64) => [fs] crate::files::fd_filestat_set_size;
    fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) => [fs] crate::files::fd_filestat_set_times;
    fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) => [fs] crate::io::fd_pread;
    fd_prestat_get(fd: u32, prestat: u32) => crate::fd::fd_prestat_get;
    fd_prestat_dir_name(fd: u32, path: u32, path_len: u32) => crate::fd::fd_prestat_dir_name;
    fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) => [fs] crate::io::fd_pwrite;
    fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32) => [light] crate::io::fd_read;
    fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, used: u32) => [fs] crate::readdir::fd_readdir;
    fd_renumber(fd: u32, to: u32) => crate::fd::fd_renumber;
    fd_seek(fd: u32, offset: u64, whence: u32, new_offset: u32) => [fs] crate::files::fd_seek;
    fd_sync(fd: u32) => [fs] crate::files::fd_sync;
    fd_tell(fd: u32, offset: u32) => [fs] crate::files::fd_tell;
    fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) => [light] crate::io::fd_write;
    path_create_directory(fd: u32, path: u32, path_len: u32) => [fs] crate::paths::path_create_directory;
    path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, stat: u32) => [fs] crate::paths::path_filestat_get;
    path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32) => [fs] crate::paths::path_filestat_set_times;
    path_link(old_fd: u32, old_flags: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32) => [fs] crate::paths::path_link;
    path_open(fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, base: u64, inheriting: u64, fdflags: u32, opened: u32) => [fs] crate::paths::path_open;
    path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, used: u32) => [fs] crate::paths::path_readlink;
    path_remove_directory(fd: u32, path: u32, path_len: u32) => [fs] crate::paths::path_remove_directory;
    path_rename(fd: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32) => [fs] crate::paths::path_rename;
    path_symlink(old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32) => [fs] crate::paths::path_symlink;
    path_unlink_file(fd: u32, path: u32, path_len: u32) => [fs] crate::paths::path_unlink_file;
    poll_oneoff(subscriptions: u32, events: u32, count: u32, nevents: u32) => crate::poll::poll_oneoff;
    proc_raise(signal: u32) => crate::process::proc_raise;
    sched_yield() => [memoryless] crate::light::sched_yield;
    random_get(buf: u32, buf_len: u32) => [memoryless] crate::light::random_get;
    sock_accept(fd: u32, flags: u32, accepted: u32) => crate::sockets::sock_accept;
    sock_recv(fd: u32, iovs: u32, iovs_len: u32, flags: u32, nread: u32, oflags: u32) => crate::sockets::sock_recv;
    sock_send(fd: u32, iovs: u32, iovs_len: u32, flags: u32, nwritten: u32) => crate::sockets::sock_send;
    sock_shutdown(fd: u32, how: u32) => crate::sockets::sock_shutdown;
}

/// Upstream's extensions (`extensions`) run as p1 calls do, but are no p1
/// functions: a diagnosis in one says "in the adapter", which keeps their
/// names out of every component's diagnostic text.
const EXTENSION: u32 = 0;

/// An extension export taking one `u32` and answering an errno, around its
/// implementation as the p1 rows are.
macro_rules! extension {
    ($name:ident($arg:ident) => $imp:path) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($arg: u32) -> i32 {
            #[inline(never)]
            fn body($arg: u32) -> i32 {
                let cx = crate::entry::open();
                crate::entry::finish(cx, $imp(cx, $arg))
            }
            match crate::entry::begin(EXTENSION) {
                Some(refused) => refused.raw(),
                None => body($arg),
            }
        }
    };
}

extension!(adapter_open_badfd(fd) => crate::extensions::adapter_open_badfd);
extension!(adapter_close_badfd(fd) => crate::extensions::adapter_close_badfd);

/// `reset_adapter_state()` returns nothing; it opens the state only when
/// the adapter has a home block to reset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reset_adapter_state() {
    #[inline(never)]
    fn body() {
        let cx = crate::entry::open();
        crate::extensions::reset_home(cx);
        crate::entry::finish(cx, Ok(()));
    }
    if crate::extensions::forget_host_in_globals() && crate::entry::begin(EXTENSION).is_none() {
        body();
    }
}

/// `adapter_monotonic_clock_set_paused(paused: bool)`: a global, nothing
/// else.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn adapter_monotonic_clock_set_paused(paused: u32) {
    crate::extensions::set_clocks_paused(paused)
}

/// `proc_exit` returns nothing, so it is written out by hand. Exiting needs
/// no memory, and a busy adapter (a callback re-entered it) still ends the
/// program, as the guest asked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn proc_exit(code: u32) {
    crate::globals::set_current(Func::proc_exit as u32);
    crate::process::exit(code)
}

/// `cabi_import_realloc`: wit-component calls it while lowering the results
/// of the adapter's own imports.
#[unsafe(no_mangle)]
///
/// The one allocation of a read or `random_get` is placed without the
/// shadow stack, as `light` calls have none; anything else needs a call
/// running on the adapter's stack, or is diagnosed.
pub unsafe extern "C" fn cabi_import_realloc(old_ptr: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    if let Some(address) = crate::lowering::take_into(old_ptr, new_size) {
        return address;
    }
    if crate::globals::phase() != crate::entry::RUNNING {
        crate::diag::unexpected_allocation(new_size, align)
    }
    realloc_on_stack(old_ptr, old_size, align, new_size)
}

#[inline(never)]
fn realloc_on_stack(old_ptr: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    // SAFETY: a call is running on the adapter's stack (phase RUNNING).
    crate::lowering::realloc(unsafe { crate::state::Ctx::current() }, old_ptr, old_size, align, new_size)
}
