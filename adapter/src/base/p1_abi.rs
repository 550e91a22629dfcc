//! The preview1 ABI: errno values, flags and the layout of the records guests
//! pass by pointer, as `wasi_snapshot_preview1.witx` defines them.

#![deny(unsafe_code)]

/// A preview1 error number. Exports return it widened to `i32`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub struct Errno(pub u16);

// The full list as witx defines it: the host error mapping and the calls use
// only some of them.
#[allow(dead_code)]
impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const ADDRINUSE: Errno = Errno(3);
    pub const ADDRNOTAVAIL: Errno = Errno(4);
    pub const AFNOSUPPORT: Errno = Errno(5);
    pub const AGAIN: Errno = Errno(6);
    pub const ALREADY: Errno = Errno(7);
    pub const BADF: Errno = Errno(8);
    pub const BADMSG: Errno = Errno(9);
    pub const BUSY: Errno = Errno(10);
    pub const CANCELED: Errno = Errno(11);
    pub const CHILD: Errno = Errno(12);
    pub const CONNABORTED: Errno = Errno(13);
    pub const CONNREFUSED: Errno = Errno(14);
    pub const CONNRESET: Errno = Errno(15);
    pub const DEADLK: Errno = Errno(16);
    pub const DESTADDRREQ: Errno = Errno(17);
    pub const DOM: Errno = Errno(18);
    pub const DQUOT: Errno = Errno(19);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const HOSTUNREACH: Errno = Errno(23);
    pub const IDRM: Errno = Errno(24);
    pub const ILSEQ: Errno = Errno(25);
    pub const INPROGRESS: Errno = Errno(26);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISCONN: Errno = Errno(30);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const MLINK: Errno = Errno(34);
    pub const MSGSIZE: Errno = Errno(35);
    pub const MULTIHOP: Errno = Errno(36);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NETDOWN: Errno = Errno(38);
    pub const NETRESET: Errno = Errno(39);
    pub const NETUNREACH: Errno = Errno(40);
    pub const NFILE: Errno = Errno(41);
    pub const NOBUFS: Errno = Errno(42);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOEXEC: Errno = Errno(45);
    pub const NOLCK: Errno = Errno(46);
    pub const NOLINK: Errno = Errno(47);
    pub const NOMEM: Errno = Errno(48);
    pub const NOMSG: Errno = Errno(49);
    pub const NOPROTOOPT: Errno = Errno(50);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTCONN: Errno = Errno(53);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTRECOVERABLE: Errno = Errno(56);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const NXIO: Errno = Errno(60);
    pub const OVERFLOW: Errno = Errno(61);
    pub const OWNERDEAD: Errno = Errno(62);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const PROTO: Errno = Errno(65);
    pub const PROTONOSUPPORT: Errno = Errno(66);
    pub const PROTOTYPE: Errno = Errno(67);
    pub const RANGE: Errno = Errno(68);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const SRCH: Errno = Errno(71);
    pub const STALE: Errno = Errno(72);
    pub const TIMEDOUT: Errno = Errno(73);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The value an export returns.
    pub fn raw(self) -> i32 {
        i32::from(self.0)
    }
}

/// What most adapter functions return: `Ok` becomes `ERRNO_SUCCESS`.
pub type P1Result = Result<(), Errno>;

/// A `Result<u32, Errno>` as one scalar, for functions that run without the
/// shadow stack: a pair would be returned through it. The errno sits above
/// bit 32; zero there is `Ok`.
pub fn pack(result: Result<u32, Errno>) -> u64 {
    match result {
        Ok(value) => u64::from(value),
        Err(errno) => u64::from(errno.0) << 32,
    }
}

pub fn unpack(packed: u64) -> Result<u32, Errno> {
    match (packed >> 32) as u16 {
        0 => Ok(packed as u32),
        errno => Err(Errno(errno)),
    }
}

pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME: u32 = 2;
    pub const THREAD_CPUTIME: u32 = 3;
}

pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

pub mod whence {
    pub const SET: u32 = 0;
    pub const CUR: u32 = 1;
    pub const END: u32 = 2;
}

pub mod advice {
    pub const NORMAL: u32 = 0;
    pub const SEQUENTIAL: u32 = 1;
    pub const RANDOM: u32 = 2;
    pub const WILLNEED: u32 = 3;
    pub const DONTNEED: u32 = 4;
    pub const NOREUSE: u32 = 5;
}

/// `lookupflags`
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

pub mod oflags {
    pub const CREAT: u32 = 1 << 0;
    pub const DIRECTORY: u32 = 1 << 1;
    pub const EXCL: u32 = 1 << 2;
    pub const TRUNC: u32 = 1 << 3;
    pub const ALL: u32 = CREAT | DIRECTORY | EXCL | TRUNC;
}

/// `fstflags`, for the `*_set_times` calls.
pub mod fstflags {
    pub const ATIM: u32 = 1 << 0;
    pub const ATIM_NOW: u32 = 1 << 1;
    pub const MTIM: u32 = 1 << 2;
    pub const MTIM_NOW: u32 = 1 << 3;
    pub const ALL: u32 = ATIM | ATIM_NOW | MTIM | MTIM_NOW;
}

pub mod fdflags {
    pub const APPEND: u32 = 1 << 0;
    pub const DSYNC: u32 = 1 << 1;
    pub const NONBLOCK: u32 = 1 << 2;
    pub const RSYNC: u32 = 1 << 3;
    pub const SYNC: u32 = 1 << 4;
    /// Every bit preview1 defines.
    pub const ALL: u32 = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC;
}

#[allow(dead_code)]
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right p1 defines.
    pub const ALL: u64 = (1 << 30) - 1;

    /// What native p1 reports for a preopened directory's own operations.
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;

    /// What native p1 lets files opened under a preopen inherit.
    pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE
        | FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
}

/// `fdstat` is 24 bytes, 8-aligned. Fields are written one by one at these
/// offsets, leaving padding bytes as the guest had them (as native p1 does).
pub mod fdstat {
    pub const SIZE: u32 = 24;
    pub const FILETYPE: u32 = 0;
    pub const FLAGS: u32 = 2;
    pub const RIGHTS_BASE: u32 = 8;
    pub const RIGHTS_INHERITING: u32 = 16;
}

/// `prestat` is 8 bytes: a tag byte, then (for a directory) the name length.
pub mod prestat {
    pub const SIZE: u32 = 8;
    pub const TAG: u32 = 0;
    pub const NAME_LEN: u32 = 4;
    pub const TAG_DIR: u8 = 0;
}

/// `filestat` is 64 bytes, 8-aligned.
pub mod filestat {
    pub const SIZE: u32 = 64;
    pub const DEV: u32 = 0;
    pub const INO: u32 = 8;
    pub const FILETYPE: u32 = 16;
    pub const NLINK: u32 = 24;
    pub const FILE_SIZE: u32 = 32;
    pub const ATIM: u32 = 40;
    pub const MTIM: u32 = 48;
    pub const CTIM: u32 = 56;
}

/// `dirent` is 24 bytes, followed by the name.
pub mod dirent {
    pub const SIZE: u32 = 24;
    pub const NEXT: usize = 0;
    pub const INO: usize = 8;
    pub const NAMLEN: usize = 16;
    pub const TYPE: usize = 20;
}

/// `subscription` is 48 bytes: userdata, a tag, then the clock or fd part.
pub mod subscription {
    pub const SIZE: u32 = 48;
    pub const USERDATA: u32 = 0;
    pub const TAG: u32 = 8;
    pub const CLOCK_ID: u32 = 16;
    pub const CLOCK_TIMEOUT: u32 = 24;
    pub const CLOCK_FLAGS: u32 = 40;
    pub const FD: u32 = 16;
    pub const TAG_CLOCK: u8 = 0;
    pub const TAG_FD_READ: u8 = 1;
    pub const TAG_FD_WRITE: u8 = 2;
    /// `subclockflags::subscription_clock_abstime`
    pub const ABSTIME: u16 = 1;
}

/// `event` is 32 bytes.
pub mod event {
    pub const SIZE: u32 = 32;
    pub const USERDATA: u32 = 0;
    pub const ERROR: u32 = 8;
    pub const TYPE: u32 = 10;
    pub const NBYTES: u32 = 16;
    pub const FLAGS: u32 = 24;
    /// `eventrwflags::fd_readwrite_hangup`
    pub const HANGUP: u16 = 1;
}
