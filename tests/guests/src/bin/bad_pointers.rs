//! One call with a pointer past the end of linear memory; the option names
//! which. Native p1 and upstream's adapter trap; ours answers EFAULT and
//! does nothing else (no byte is written anywhere).

use p1::raw::{self, Iovec};
use p1::{options, out_of_bounds, report};

fn main() {
    let bad = out_of_bounds();
    let mut word = 0u32;
    let mut wide = 0u64;
    let mut buf = [0u8; 64];
    let data = b"must not appear\n";
    let good_iov = [Iovec { buf: data.as_ptr(), len: data.len() as u32 }];
    let which = options().first().cloned().unwrap_or_default();
    let errno = unsafe {
        match which.as_str() {
            "clock_time_get" => raw::clock_time_get(1, 0, bad as *mut u64),
            "clock_res_get" => raw::clock_res_get(0, bad as *mut u64),
            "random_get" => raw::random_get(bad as *mut u8, 16),
            "args_sizes_get" => raw::args_sizes_get(&mut word, bad as *mut u32),
            "args_get" => raw::args_get(bad as *mut *mut u8, buf.as_mut_ptr()),
            "environ_get" => raw::environ_get(buf.as_mut_ptr().cast(), bad as *mut u8),
            "fd_write_iovs" => raw::fd_write(1, bad as *const Iovec, 1, &mut word),
            "fd_write_data" => {
                let iov = [Iovec { buf: bad as *const u8, len: 16 }];
                raw::fd_write(1, iov.as_ptr(), 1, &mut word)
            }
            "fd_write_nwritten" => raw::fd_write(1, good_iov.as_ptr(), 1, bad as *mut u32),
            "fd_read_buffer" => {
                let iov = [Iovec { buf: bad as *const u8, len: 16 }];
                raw::fd_read(0, iov.as_ptr(), 1, &mut word)
            }
            "fd_fdstat_get" => raw::fd_fdstat_get(1, bad as *mut u8),
            "fd_prestat_get" => raw::fd_prestat_get(3, bad as *mut u8),
            "fd_prestat_dir_name" => raw::fd_prestat_dir_name(3, bad as *mut u8, 64),
            other => panic!("unknown case {other:?}"),
        }
    };
    let _ = (&mut wide, &buf);
    report(&which, errno);
}
