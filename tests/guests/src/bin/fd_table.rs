//! The descriptor table: which numbers open hands out after closes, 300
//! files open at once, fd_renumber (a renumbered preopen keeps its name),
//! and the socket calls on descriptors that are not sockets.

use p1::open::*;
use p1::raw;
use p1::{errno_name, path_open, report};

fn open() -> u32 {
    let (errno, fd) = path_open(3, 0, b"greeting.txt", 0, READ, 0);
    assert_eq!(errno, 0);
    fd
}

fn close(fd: u32) {
    report(&format!("fd_close({fd})"), unsafe { raw::fd_close(fd) });
}

fn prestat_name(fd: u32) -> String {
    let mut prestat = [0u8; 8];
    let errno = unsafe { raw::fd_prestat_get(fd, prestat.as_mut_ptr()) };
    if errno != 0 {
        return errno_name(errno);
    }
    let len = u32::from_le_bytes(prestat[4..8].try_into().unwrap());
    let mut name = vec![0u8; len as usize];
    unsafe { raw::fd_prestat_dir_name(fd, name.as_mut_ptr(), len) };
    String::from_utf8_lossy(&name).into_owned()
}

fn main() {
    // Numbers handed out after closes.
    let fds: Vec<u32> = (0..5).map(|_| open()).collect();
    println!("opened {fds:?}");
    close(fds[1]);
    close(fds[3]);
    let again: Vec<u32> = (0..3).map(|_| open()).collect();
    println!("then opened {again:?}");
    for fd in fds.iter().chain(&again) {
        unsafe { raw::fd_close(*fd) };
    }

    // Three hundred at once: beyond upstream's fixed table of 128.
    let many: Vec<u32> = (0..300).map(|_| open()).collect();
    println!("300 open: first {} last {}", many[0], many[299]);
    let mut buf = [0u8; 8];
    let iov = [raw::Iovec { buf: buf.as_mut_ptr(), len: 5 }];
    let mut n = 0;
    report("fd_read from the last", unsafe { raw::fd_read(many[299], iov.as_ptr(), 1, &mut n) });
    println!("  read {:?}", String::from_utf8_lossy(&buf[..n as usize]));
    for fd in &many {
        unsafe { raw::fd_close(*fd) };
    }
    println!("after closing them all, open gives {}", open());

    // fd_renumber.
    let a = open();
    let b = open();
    report(&format!("fd_renumber({a}, {b})"), unsafe { raw::fd_renumber(a, b) });
    report(&format!("fd_close({a}) after renumber"), unsafe { raw::fd_close(a) });
    let mut buf = [0u8; 5];
    let iov = [raw::Iovec { buf: buf.as_mut_ptr(), len: 5 }];
    report(&format!("fd_read({b})"), unsafe { raw::fd_read(b, iov.as_ptr(), 1, &mut n) });
    report("fd_renumber(99, 4)", unsafe { raw::fd_renumber(99, b) });
    report(&format!("fd_renumber({b}, 99)"), unsafe { raw::fd_renumber(b, 99) });
    report(&format!("fd_renumber({b}, {b})"), unsafe { raw::fd_renumber(b, b) });
    println!("preopens: 3={} 4={}", prestat_name(3), prestat_name(4));
    report("fd_renumber(4, 3)", unsafe { raw::fd_renumber(4, 3) });
    println!("preopens: 3={} 4={}", prestat_name(3), prestat_name(4));
    let (errno, fd) = path_open(3, 0, b"lines.txt", 0, READ, 0);
    println!("open lines.txt under the renumbered preopen: {} fd={fd}", errno_name(errno));
    // Sockets: nothing here is one.
    for fd in [2, 3, 99] {
        let mut accepted = 0;
        report(&format!("sock_accept({fd})"), unsafe { raw::sock_accept(fd, 0, &mut accepted) });
        let mut oflags = 0u16;
        report(&format!("sock_recv({fd})"), unsafe {
            raw::sock_recv(fd, [raw::Iovec { buf: buf.as_mut_ptr(), len: 5 }].as_ptr(), 1, 0, &mut n, &mut oflags)
        });
        report(&format!("sock_send({fd})"), unsafe { raw::sock_send(fd, [raw::Iovec { buf: buf.as_mut_ptr(), len: 5 }].as_ptr(), 1, 0, &mut n) });
        report(&format!("sock_shutdown({fd})"), unsafe { raw::sock_shutdown(fd, 3) });
    }
    let c = open_in(3);
    report(&format!("fd_renumber({c}, 1) (onto stdout)"), unsafe { raw::fd_renumber(c, 1) });
    let text = b"written to fd 1, now a read-only file\n";
    let iov = [raw::Iovec { buf: text.as_ptr(), len: text.len() as u32 }];
    let errno = unsafe { raw::fd_write(1, iov.as_ptr(), 1, &mut n) };
    let message = format!("fd_write(1) after renumbering a file onto it: {}\n", errno_name(errno));
    let iov = [raw::Iovec { buf: message.as_ptr(), len: message.len() as u32 }];
    unsafe { raw::fd_write(2, iov.as_ptr(), 1, &mut n) };
}

fn open_in(dir: u32) -> u32 {
    path_open(dir, 0, b"lines.txt", 0, READ, 0).1
}
