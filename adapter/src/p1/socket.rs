//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`.
//!
//! A p1 program cannot create sockets; it can only be handed one. WASI 0.2
//! has no way for a host to hand a component a socket at start (no
//! preopened sockets), so no p1 descriptor is ever a socket here. These calls
//! answer as native p1 does: `EBADF` for a descriptor that is not open,
//! `ENOTSOCK` for any other. Upstream's adapter traps. Flag bits p1 does not
//! define are `EINVAL` (native p1 traps on those).

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, fdflags};
use crate::descriptors::table::Table;

/// `riflags`: RECV_PEEK, RECV_WAITALL. `sdflags`: RD, WR.
const TWO_FLAGS: u32 = 0b11;

pub fn sock_accept(fds: Table, fd: u32, flags: u32, _accepted: u32) -> P1Result {
    not_a_socket(fds, fd, flags & !fdflags::ALL)
}

pub fn sock_recv(fds: Table, fd: u32, _iovs: u32, _iovs_len: u32, flags: u32, _nread: u32, _oflags: u32) -> P1Result {
    not_a_socket(fds, fd, flags & !TWO_FLAGS)
}

/// `siflags` defines no bits; native p1 does not look at them either.
pub fn sock_send(fds: Table, fd: u32, _iovs: u32, _iovs_len: u32, _flags: u32, _nwritten: u32) -> P1Result {
    not_a_socket(fds, fd, 0)
}

pub fn sock_shutdown(fds: Table, fd: u32, how: u32) -> P1Result {
    not_a_socket(fds, fd, how & !TWO_FLAGS)
}

fn not_a_socket(fds: Table, fd: u32, undefined_flags: u32) -> P1Result {
    if undefined_flags != 0 {
        return Err(Errno::INVAL);
    }
    fds.get(fd)?;
    Err(Errno::NOTSOCK)
}
