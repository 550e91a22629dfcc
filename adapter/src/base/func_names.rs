//! The p1 functions, numbered: the number of the one in progress is kept in
//! the `current` global, and a diagnosis names it. `proc_exit` comes first
//! (it is written out by hand); the others follow the order of the table in
//! `exports::p1_functions`, which refers to each by its `Func` and checks at
//! compile time that the two lists have the same length.

#![deny(unsafe_code)]

use text_literal::{names, text};

use crate::base::diag::{Line, NamePicker};

macro_rules! numbered {
    ($first:ident $(, $name:ident)*) => {
        /// The p1 functions, numbered from 1 (0 is "no p1 function": an
        /// extension, or outside any call).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        #[repr(u32)]
        pub enum Func {
            $first = 1,
            $($name,)*
        }

        /// How many p1 functions there are.
        pub const COUNT: usize = [stringify!($first) $(, stringify!($name))*].len();

        /// Writes the name of p1 function number `func`.
        pub fn write_name(line: &mut Line, func: u32) {
            let mut picker = NamePicker::new(line, func);
            names!(picker, $first $(, $name)*);
            if !picker.found() {
                text!(line, "the adapter (outside any p1 call)");
            }
        }
    };
}

numbered!(
    proc_exit,
    args_get,
    args_sizes_get,
    environ_get,
    environ_sizes_get,
    clock_res_get,
    clock_time_get,
    fd_advise,
    fd_allocate,
    fd_close,
    fd_datasync,
    fd_fdstat_get,
    fd_fdstat_set_flags,
    fd_fdstat_set_rights,
    fd_filestat_get,
    fd_filestat_set_size,
    fd_filestat_set_times,
    fd_pread,
    fd_prestat_get,
    fd_prestat_dir_name,
    fd_pwrite,
    fd_read,
    fd_readdir,
    fd_renumber,
    fd_seek,
    fd_sync,
    fd_tell,
    fd_write,
    path_create_directory,
    path_filestat_get,
    path_filestat_set_times,
    path_link,
    path_open,
    path_readlink,
    path_remove_directory,
    path_rename,
    path_symlink,
    path_unlink_file,
    poll_oneoff,
    proc_raise,
    sched_yield,
    random_get,
    sock_accept,
    sock_recv,
    sock_send,
    sock_shutdown
);
