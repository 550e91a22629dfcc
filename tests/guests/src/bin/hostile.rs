//! One hostile call, named by the option: flag bits or enum values p1 does
//! not define, pointers past the end of memory. Native p1 traps on each;
//! ours answers an errno. fd 3 is a preopened directory.

use p1::open::*;
use p1::raw::{self, Iovec};
use p1::{options, out_of_bounds, path_open, report};

fn main() {
    let bad = out_of_bounds();
    let (_, file) = path_open(3, 0, b"greeting.txt", 0, READ_WRITE, 0);
    let name = b"greeting.txt";
    let (p, n) = (name.as_ptr(), name.len() as u32);
    let mut word = 0u32;
    let mut wide = 0u64;
    let mut buf = [0u8; 64];
    let iov = [Iovec { buf: buf.as_mut_ptr(), len: 8 }];
    let mut sub = [0u8; 48];
    let mut event = [0u8; 32];
    let which = options().first().cloned().unwrap_or_default();
    let errno = unsafe {
        match which.as_str() {
            "path_open rights" => raw::path_open(3, 0, p, n, 0, u64::MAX, u64::MAX, 0, &mut word),
            "path_open oflags" => raw::path_open(3, 0, p, n, 0x10, READ, READ, 0, &mut word),
            "path_open fdflags" => raw::path_open(3, 0, p, n, 0, READ, READ, 0x20, &mut word),
            "path_open lookupflags" => raw::path_open(3, 2, p, n, 0, READ, READ, 0, &mut word),
            "path_filestat_get lookupflags" => raw::path_filestat_get(3, 0x80, p, n, buf.as_mut_ptr()),
            "fd_seek whence" => raw::fd_seek(file, 0, 3, &mut wide),
            "fd_advise advice" => raw::fd_advise(file, 0, 0, 6),
            "fd_filestat_set_times fstflags" => raw::fd_filestat_set_times(file, 0, 0, 0x10),
            "path_filestat_set_times fstflags" => raw::path_filestat_set_times(3, 0, p, n, 0, 0, 0x20),
            "poll_oneoff tag" => {
                sub[8] = 3;
                raw::poll_oneoff(sub.as_ptr(), event.as_mut_ptr(), 1, &mut word)
            }
            "poll_oneoff clock id" => {
                sub[16] = 9;
                raw::poll_oneoff(sub.as_ptr(), event.as_mut_ptr(), 1, &mut word)
            }
            "poll_oneoff clock flags" => {
                sub[16] = 1;
                sub[40] = 2;
                raw::poll_oneoff(sub.as_ptr(), event.as_mut_ptr(), 1, &mut word)
            }
            "sock_recv riflags" => raw::sock_recv(3, iov.as_ptr(), 1, 4, &mut word, std::ptr::null_mut()),
            "sock_send siflags" => raw::sock_send(3, iov.as_ptr(), 1, 1, &mut word),
            "sock_shutdown sdflags" => raw::sock_shutdown(3, 4),
            "path_open path pointer" => raw::path_open(3, 0, bad as *const u8, 16, 0, READ, READ, 0, &mut word),
            "path_open fd pointer" => raw::path_open(3, 0, p, n, 0, READ, READ, 0, bad as *mut u32),
            "fd_readdir buffer" => raw::fd_readdir(3, bad as *mut u8, 64, 0, &mut word),
            "fd_filestat_get buffer" => raw::fd_filestat_get(file, bad as *mut u8),
            "path_readlink buffer" => {
                let link = b"link";
                raw::path_symlink(p, n, 3, link.as_ptr(), 4);
                raw::path_readlink(3, link.as_ptr(), 4, bad as *mut u8, 64, &mut word)
            }
            "fd_seek result" => raw::fd_seek(file, 0, 0, bad as *mut u64),
            "fd_pwrite data" => {
                let iov = [Iovec { buf: bad as *const u8, len: 16 }];
                raw::fd_pwrite(file, iov.as_ptr(), 1, 0, &mut word)
            }
            "poll_oneoff subscriptions" => raw::poll_oneoff(bad as *const u8, event.as_mut_ptr(), 1, &mut word),
            "poll_oneoff events" => {
                sub[16] = 1;
                raw::poll_oneoff(sub.as_ptr(), bad as *mut u8, 1, &mut word)
            }
            other => panic!("unknown case {other:?}"),
        }
    };
    report(&which, errno);
}
