//! Every p1 function the adapter does not implement yet, called once with
//! harmless arguments (fd 3 is a preopened directory).

use p1::raw::{self, Iovec};
use p1::report;

fn main() {
    let mut word = 0u32;
    let mut wide = 0u64;
    let mut buf = [0u8; 128];
    let path = b"file.txt";
    let p = path.as_ptr();
    let n = path.len() as u32;
    let iov = [Iovec { buf: buf.as_mut_ptr(), len: 8 }];
    unsafe {
        report("fd_advise", raw::fd_advise(3, 0, 0, 0));
        report("fd_allocate", raw::fd_allocate(3, 0, 1));
        report("fd_datasync", raw::fd_datasync(3));
        report("fd_fdstat_set_rights", raw::fd_fdstat_set_rights(3, 0, 0));
        report("fd_filestat_get", raw::fd_filestat_get(3, buf.as_mut_ptr()));
        report("fd_filestat_set_size", raw::fd_filestat_set_size(3, 0));
        report("fd_filestat_set_times", raw::fd_filestat_set_times(3, 0, 0, 0));
        report("fd_pread", raw::fd_pread(3, iov.as_ptr(), 1, 0, &mut word));
        report("fd_pwrite", raw::fd_pwrite(3, iov.as_ptr(), 1, 0, &mut word));
        report("fd_readdir", raw::fd_readdir(3, buf.as_mut_ptr(), 128, 0, &mut word));
        report("fd_renumber", raw::fd_renumber(3, 3));
        report("fd_seek", raw::fd_seek(3, 0, 0, &mut wide));
        report("fd_sync", raw::fd_sync(3));
        report("fd_tell", raw::fd_tell(3, &mut wide));
        report("path_create_directory", raw::path_create_directory(3, p, n));
        report("path_filestat_get", raw::path_filestat_get(3, 0, p, n, buf.as_mut_ptr()));
        report("path_filestat_set_times", raw::path_filestat_set_times(3, 0, p, n, 0, 0, 0));
        report("path_link", raw::path_link(3, 0, p, n, 3, p, n));
        report("path_open", raw::path_open(3, 0, p, n, 0, 0, 0, 0, &mut word));
        report("path_readlink", raw::path_readlink(3, p, n, buf.as_mut_ptr(), 128, &mut word));
        report("path_remove_directory", raw::path_remove_directory(3, p, n));
        report("path_rename", raw::path_rename(3, p, n, 3, p, n));
        report("path_symlink", raw::path_symlink(p, n, 3, p, n));
        report("path_unlink_file", raw::path_unlink_file(3, p, n));
        report("poll_oneoff", raw::poll_oneoff(buf.as_ptr(), buf.as_mut_ptr(), 0, &mut word));
        report("sock_accept", raw::sock_accept(3, 0, &mut word));
        report("sock_recv", raw::sock_recv(3, iov.as_ptr(), 1, 0, &mut word, std::ptr::null_mut()));
        report("sock_send", raw::sock_send(3, iov.as_ptr(), 1, 0, &mut word));
        report("sock_shutdown", raw::sock_shutdown(3, 0));
    }
}
