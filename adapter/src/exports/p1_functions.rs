//! The 46 `wasi_snapshot_preview1` exports, in one table.
//!
//! Each row names the export, its parameters (all i32 or i64 in wasm) and the
//! function implementing it. The macro writes the exported function around
//! it: `call::begin` (without a stack), then a non-inlined body that opens the
//! state, runs the implementation and closes it. Rows marked `[memoryless]`
//! are served by `p1::memoryless` alone, rows marked `[memoryless_first]` by it
//! when it can. Each
//! row refers to its function's number in `base::func_names`, which a
//! diagnosis uses to name the call in progress.

use crate::base::func_names::Func;

macro_rules! p1_exports {
    ($( $name:ident ( $($arg:ident : $ty:ty),* ) => $([$area:ident])? $imp:path; )*) => {
        // Every row is a p1 function of `func_names`, and (with `proc_exit`,
        // written out below) there are as many rows as functions.
        const _: () = assert!([$(stringify!($name)),*].len() + 1 == crate::base::func_names::COUNT);

        $( p1_exports!(@export [$($area)?] $name ($($arg: $ty),*) $imp); )*
    };
    // Rows marked `[memoryless]` are served by `p1::memoryless` alone.
    (@export [memoryless] $name:ident ($($arg:ident : $ty:ty),*) $imp:path) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i32 {
            $imp(Func::$name as u32, $($arg),*)
        }
    };
    // The others open the state around their implementation; rows marked
    // `[memoryless_first]` are offered to `p1::memoryless` first.
    (@export [$($area:ident)?] $name:ident ($($arg:ident : $ty:ty),*) $imp:path) => {
        #[unsafe(no_mangle)]
        // p1's signatures, path_open's nine arguments included.
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i32 {
            #[inline(never)]
            #[allow(clippy::too_many_arguments)]
            fn body($($arg: $ty),*) -> i32 {
                let cx = crate::memory::call::open();
                crate::memory::call::finish(cx, p1_exports!(@call $($area)? $imp, cx, $($arg),*))
            }
            p1_exports!(@offer [$($area)?] $name, $($arg),*);
            match p1_exports!(@begin [$($area)?] Func::$name as u32) {
                Some(refused) => refused.raw(),
                None => body($($arg),*),
            }
        }
    };
    (@offer [memoryless_first] $name:ident, $($arg:ident),*) => {
        let answer = crate::p1::memoryless::$name(Func::$name as u32, $($arg),*);
        if answer != crate::p1::memoryless::NEEDS_HOME {
            return answer;
        }
    };
    (@offer [$($area:ident)?] $name:ident, $($arg:ident),*) => {};
    // Rows marked `[table]`, `[memoryless_first]` or `[fs]` use the descriptor table:
    // they enter through `table::begin`, which builds it at the program's
    // first such call, and their implementation takes the table. (A
    // filesystem call in the proxy flavour answers without it.)
    (@begin [] $func:expr) => {
        crate::memory::call::begin($func)
    };
    (@begin [fs] $func:expr) => {{
        #[cfg(not(feature = "proxy"))]
        let refused = crate::descriptors::table::begin($func);
        #[cfg(feature = "proxy")]
        let refused = crate::memory::call::begin($func);
        refused
    }};
    (@begin [$area:ident] $func:expr) => {
        crate::descriptors::table::begin($func)
    };
    // Rows marked `[fs]` need a filesystem, which the proxy world lacks.
    (@call fs $imp:path, $cx:ident, $($arg:ident),*) => {{
        #[cfg(not(feature = "proxy"))]
        let result = $imp(crate::descriptors::table::entered($cx), $($arg),*);
        #[cfg(feature = "proxy")]
        let result = crate::exports::p1_functions::no_filesystem($cx);
        result
    }};
    (@call $imp:path, $cx:ident, $($arg:ident),*) => {
        $imp($cx, $($arg),*)
    };
    (@call $area:ident $imp:path, $cx:ident, $($arg:ident),*) => {
        $imp(crate::descriptors::table::entered($cx), $($arg),*)
    };
}

/// What the filesystem calls answer in the proxy flavour (as upstream's).
#[cfg(feature = "proxy")]
pub fn no_filesystem(_cx: crate::memory::state::Ctx) -> crate::base::p1_abi::P1Result {
    Err(crate::base::p1_abi::Errno::NOTSUP)
}

p1_exports! {
    args_get(argv: u32, argv_buf: u32) => crate::p1::args_environ::args_get;
    args_sizes_get(argc: u32, argv_buf_size: u32) => crate::p1::args_environ::args_sizes_get;
    environ_get(environ: u32, environ_buf: u32) => crate::p1::args_environ::environ_get;
    environ_sizes_get(count: u32, buf_size: u32) => crate::p1::args_environ::environ_sizes_get;
    clock_res_get(id: u32, resolution: u32) => [memoryless] crate::p1::memoryless::clock_res_get;
    clock_time_get(id: u32, precision: u64, time: u32) => [memoryless] crate::p1::memoryless::clock_time_get;
    fd_advise(fd: u32, offset: u64, len: u64, advice: u32) => [fs] crate::p1::file::fd_advise;
    fd_allocate(fd: u32, offset: u64, len: u64) => [fs] crate::p1::file::fd_allocate;
    fd_close(fd: u32) => [table] crate::p1::descriptor::fd_close;
    fd_datasync(fd: u32) => [fs] crate::p1::file::fd_datasync;
    fd_fdstat_get(fd: u32, stat: u32) => [memoryless_first] crate::p1::descriptor::fd_fdstat_get;
    fd_fdstat_set_flags(fd: u32, flags: u32) => [table] crate::p1::descriptor::fd_fdstat_set_flags;
    fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) => [fs] crate::p1::descriptor::fd_fdstat_set_rights;
    fd_filestat_get(fd: u32, stat: u32) => [fs] crate::p1::file::fd_filestat_get;
    fd_filestat_set_size(fd: u32, size: u64) => [fs] crate::p1::file::fd_filestat_set_size;
    fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) => [fs] crate::p1::file::fd_filestat_set_times;
    fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) => [fs] crate::p1::read_write::fd_pread;
    fd_prestat_get(fd: u32, prestat: u32) => [table] crate::p1::descriptor::fd_prestat_get;
    fd_prestat_dir_name(fd: u32, path: u32, path_len: u32) => [table] crate::p1::descriptor::fd_prestat_dir_name;
    fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) => [fs] crate::p1::read_write::fd_pwrite;
    fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32) => [memoryless_first] crate::p1::read_write::fd_read;
    fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, used: u32) => [fs] crate::p1::readdir::fd_readdir;
    fd_renumber(fd: u32, to: u32) => [table] crate::p1::descriptor::fd_renumber;
    fd_seek(fd: u32, offset: u64, whence: u32, new_offset: u32) => [fs] crate::p1::file::fd_seek;
    fd_sync(fd: u32) => [fs] crate::p1::file::fd_sync;
    fd_tell(fd: u32, offset: u32) => [fs] crate::p1::file::fd_tell;
    fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) => [memoryless_first] crate::p1::read_write::fd_write;
    path_create_directory(fd: u32, path: u32, path_len: u32) => [fs] crate::p1::path::path_create_directory;
    path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, stat: u32) => [fs] crate::p1::path::path_filestat_get;
    path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32) => [fs] crate::p1::path::path_filestat_set_times;
    path_link(old_fd: u32, old_flags: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32) => [fs] crate::p1::path::path_link;
    path_open(fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, base: u64, inheriting: u64, fdflags: u32, opened: u32) => [fs] crate::p1::path::path_open;
    path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, used: u32) => [fs] crate::p1::path::path_readlink;
    path_remove_directory(fd: u32, path: u32, path_len: u32) => [fs] crate::p1::path::path_remove_directory;
    path_rename(fd: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32) => [fs] crate::p1::path::path_rename;
    path_symlink(old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32) => [fs] crate::p1::path::path_symlink;
    path_unlink_file(fd: u32, path: u32, path_len: u32) => [fs] crate::p1::path::path_unlink_file;
    poll_oneoff(subscriptions: u32, events: u32, count: u32, nevents: u32) => crate::p1::poll::poll_oneoff;
    proc_raise(signal: u32) => crate::p1::process::proc_raise;
    sched_yield() => [memoryless] crate::p1::memoryless::sched_yield;
    random_get(buf: u32, buf_len: u32) => [memoryless] crate::p1::memoryless::random_get;
    sock_accept(fd: u32, flags: u32, accepted: u32) => [table] crate::p1::socket::sock_accept;
    sock_recv(fd: u32, iovs: u32, iovs_len: u32, flags: u32, nread: u32, oflags: u32) => [table] crate::p1::socket::sock_recv;
    sock_send(fd: u32, iovs: u32, iovs_len: u32, flags: u32, nwritten: u32) => [table] crate::p1::socket::sock_send;
    sock_shutdown(fd: u32, how: u32) => [table] crate::p1::socket::sock_shutdown;
}

/// Upstream's extensions (`extensions`) run as p1 calls do, but are no p1
/// functions: a diagnosis in one says "in the adapter", which keeps their
/// names out of every component's diagnostic text.
const EXTENSION: u32 = 0;

/// An extension export taking one `u32` and answering an errno, around its
/// implementation as the p1 rows marked `[table]` are.
macro_rules! extension {
    ($name:ident($arg:ident) => $imp:path) => {
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($arg: u32) -> i32 {
            #[inline(never)]
            fn body($arg: u32) -> i32 {
                let cx = crate::memory::call::open();
                crate::memory::call::finish(cx, $imp(crate::descriptors::table::entered(cx), $arg))
            }
            match crate::descriptors::table::begin(EXTENSION) {
                Some(refused) => refused.raw(),
                None => body($arg),
            }
        }
    };
}

extension!(adapter_open_badfd(fd) => crate::exports::extensions::adapter_open_badfd);
extension!(adapter_close_badfd(fd) => crate::exports::extensions::adapter_close_badfd);

/// `reset_adapter_state()` returns nothing; it opens the state only when
/// the adapter has a home block to reset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reset_adapter_state() {
    #[inline(never)]
    fn body() {
        let cx = crate::memory::call::open();
        crate::exports::extensions::reset_home(cx);
        crate::memory::call::finish(cx, Ok(()));
    }
    if crate::exports::extensions::forget_host_in_globals() && crate::memory::call::begin(EXTENSION).is_none() {
        body();
    }
}

/// `adapter_monotonic_clock_set_paused(paused: bool)`: a global, nothing
/// else.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn adapter_monotonic_clock_set_paused(paused: u32) {
    crate::exports::extensions::set_clocks_paused(paused)
}

/// `proc_exit` returns nothing, so it is written out by hand. Exiting needs
/// no memory, and a busy adapter (a callback re-entered it) still ends the
/// program, as the guest asked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn proc_exit(code: u32) {
    crate::base::globals::set_current(Func::proc_exit as u32);
    crate::p1::process::exit(code)
}

/// `cabi_import_realloc`: wit-component calls it while lowering the results
/// of the adapter's own imports.
#[unsafe(no_mangle)]
///
/// The one allocation of a read or `random_get` is placed without the
/// shadow stack, as memoryless calls have none; anything else needs a call
/// running on the adapter's stack, or is diagnosed.
pub unsafe extern "C" fn cabi_import_realloc(old_ptr: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    if let Some(address) = crate::memory::lowering::take_into(old_ptr, new_size) {
        return address;
    }
    if crate::base::globals::phase() != crate::base::phase::RUNNING {
        crate::base::diag::unexpected_allocation(new_size, align)
    }
    realloc_on_stack(old_ptr, old_size, align, new_size)
}

#[inline(never)]
fn realloc_on_stack(old_ptr: u32, old_size: u32, align: u32, new_size: u32) -> u32 {
    // SAFETY: a call is running on the adapter's stack (phase RUNNING).
    crate::memory::lowering::realloc(unsafe { crate::memory::state::Ctx::current() }, old_ptr, old_size, align, new_size)
}
