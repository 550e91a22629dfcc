//! One call with a pointer past the end of linear memory; the option names
//! which. Native p1 and upstream's adapter trap; ours answers EFAULT and
//! does nothing else (no byte is written anywhere). Two more cases use
//! address 0, which is linear memory like any other: `path_at_address_0`
//! (a 4-byte path there) and `write_from_address_0` (8 bytes written from
//! there to a new file, which is then read back and printed in hex).

use p1::raw::{self, Iovec};
use p1::{open, options, out_of_bounds, report};

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
            "path_at_address_0" => raw::path_create_directory(3, core::ptr::null(), 4),
            "write_from_address_0" => write_from_address_0(),
            other => panic!("unknown case {other:?}"),
        }
    };
    let _ = (&mut wide, &buf);
    report(&which, errno);
}

/// Writes 8 bytes from address 0 to a new file `from_0`, then prints what
/// the file holds.
fn write_from_address_0() -> i32 {
    let (errno, fd) = p1::path_open(3, 0, b"from_0", open::CREAT | open::TRUNC, open::READ_WRITE, 0);
    if errno != 0 {
        return errno;
    }
    let mut written = 0u32;
    let iov = [Iovec { buf: core::ptr::null(), len: 8 }];
    let errno = unsafe { raw::fd_write(fd, iov.as_ptr(), 1, &mut written) };
    if errno != 0 {
        return errno;
    }
    let mut back = [0u8; 16];
    let mut read = 0u32;
    let iov = [Iovec { buf: back.as_mut_ptr(), len: back.len() as u32 }];
    let errno = unsafe { raw::fd_pread(fd, iov.as_ptr(), 1, 0, &mut read) };
    let hex: String = back[..read as usize].iter().map(|byte| format!("{byte:02x}")).collect();
    println!("wrote {written}, the file holds {read} bytes: {hex}");
    errno
}
