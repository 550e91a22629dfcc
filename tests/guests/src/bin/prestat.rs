//! fd_prestat_get and fd_prestat_dir_name for stdio, preopens and
//! descriptors that do not exist, and after a preopen is closed.

use p1::{errno_name, raw, report};

fn main() {
    for fd in [0u32, 1, 2, 3, 4, 5, 99] {
        let mut prestat = [0xeeu8; 8];
        let errno = unsafe { raw::fd_prestat_get(fd, prestat.as_mut_ptr()) };
        report(&format!("fd_prestat_get({fd})"), errno);
        let name_len = u32::from_le_bytes(prestat[4..8].try_into().unwrap());
        if errno == 0 {
            println!("  tag={} padding={:?} name_len={name_len}", prestat[0], &prestat[1..4]);
            for len in [name_len, name_len.saturating_sub(1), name_len + 4] {
                let mut name = vec![b'.'; len as usize + 4];
                let errno = unsafe { raw::fd_prestat_dir_name(fd, name.as_mut_ptr(), len) };
                println!("  fd_prestat_dir_name({fd}, {len}): {} buffer={:?}", errno_name(errno), String::from_utf8_lossy(&name));
            }
        } else {
            let mut name = [b'.'; 8];
            let errno = unsafe { raw::fd_prestat_dir_name(fd, name.as_mut_ptr(), 8) };
            println!("  fd_prestat_dir_name({fd}, 8): {} buffer={:?}", errno_name(errno), String::from_utf8_lossy(&name));
        }
        let mut stat = [0u8; 24];
        let errno = unsafe { raw::fd_fdstat_get(fd, stat.as_mut_ptr()) };
        if errno == 0 {
            println!("  fdstat filetype={} rights_base={:#x}", stat[0], u64::from_le_bytes(stat[8..16].try_into().unwrap()));
        }
    }
    report("fd_close(3)", unsafe { raw::fd_close(3) });
    let mut prestat = [0u8; 8];
    report("fd_prestat_get(3) after close", unsafe { raw::fd_prestat_get(3, prestat.as_mut_ptr()) });
    let mut name = [0u8; 8];
    report("fd_prestat_dir_name(3) after close", unsafe { raw::fd_prestat_dir_name(3, name.as_mut_ptr(), 8) });
    report("fd_close(3) again", unsafe { raw::fd_close(3) });
    report("fd_prestat_get(4) still", unsafe { raw::fd_prestat_get(4, prestat.as_mut_ptr()) });
}
