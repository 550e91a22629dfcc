//! Raw preview1 calls for the test guests, and a uniform way to report their
//! results, so outputs under the three implementations can be compared line
//! by line.
//!
//! The guests call p1 directly, not through std's filesystem layer, so that
//! every argument (including invalid ones) reaches the implementation as
//! written.

pub mod raw {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn args_get(argv: *mut *mut u8, argv_buf: *mut u8) -> i32;
        pub fn args_sizes_get(argc: *mut u32, argv_buf_size: *mut u32) -> i32;
        pub fn environ_get(environ: *mut *mut u8, environ_buf: *mut u8) -> i32;
        pub fn environ_sizes_get(count: *mut u32, buf_size: *mut u32) -> i32;
        pub fn clock_res_get(id: u32, resolution: *mut u64) -> i32;
        pub fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> i32;
        pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32;
        pub fn fd_allocate(fd: u32, offset: u64, len: u64) -> i32;
        pub fn fd_close(fd: u32) -> i32;
        pub fn fd_datasync(fd: u32) -> i32;
        pub fn fd_fdstat_get(fd: u32, stat: *mut u8) -> i32;
        pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32;
        pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32;
        pub fn fd_filestat_get(fd: u32, stat: *mut u8) -> i32;
        pub fn fd_filestat_set_size(fd: u32, size: u64) -> i32;
        pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> i32;
        pub fn fd_pread(fd: u32, iovs: *const Iovec, iovs_len: u32, offset: u64, nread: *mut u32) -> i32;
        pub fn fd_prestat_get(fd: u32, prestat: *mut u8) -> i32;
        pub fn fd_prestat_dir_name(fd: u32, path: *mut u8, path_len: u32) -> i32;
        pub fn fd_pwrite(fd: u32, iovs: *const Iovec, iovs_len: u32, offset: u64, nwritten: *mut u32) -> i32;
        pub fn fd_read(fd: u32, iovs: *const Iovec, iovs_len: u32, nread: *mut u32) -> i32;
        pub fn fd_readdir(fd: u32, buf: *mut u8, buf_len: u32, cookie: u64, used: *mut u32) -> i32;
        pub fn fd_renumber(fd: u32, to: u32) -> i32;
        pub fn fd_seek(fd: u32, offset: i64, whence: u32, new_offset: *mut u64) -> i32;
        pub fn fd_sync(fd: u32) -> i32;
        pub fn fd_tell(fd: u32, offset: *mut u64) -> i32;
        pub fn fd_write(fd: u32, iovs: *const Iovec, iovs_len: u32, nwritten: *mut u32) -> i32;
        pub fn path_create_directory(fd: u32, path: *const u8, path_len: u32) -> i32;
        pub fn path_filestat_get(fd: u32, flags: u32, path: *const u8, path_len: u32, stat: *mut u8) -> i32;
        pub fn path_filestat_set_times(fd: u32, flags: u32, path: *const u8, path_len: u32, atim: u64, mtim: u64, fst_flags: u32) -> i32;
        pub fn path_link(old_fd: u32, old_flags: u32, old_path: *const u8, old_len: u32, new_fd: u32, new_path: *const u8, new_len: u32) -> i32;
        pub fn path_open(
            fd: u32,
            dirflags: u32,
            path: *const u8,
            path_len: u32,
            oflags: u32,
            base: u64,
            inheriting: u64,
            fdflags: u32,
            opened: *mut u32,
        ) -> i32;
        pub fn path_readlink(fd: u32, path: *const u8, path_len: u32, buf: *mut u8, buf_len: u32, used: *mut u32) -> i32;
        pub fn path_remove_directory(fd: u32, path: *const u8, path_len: u32) -> i32;
        pub fn path_rename(fd: u32, old_path: *const u8, old_len: u32, new_fd: u32, new_path: *const u8, new_len: u32) -> i32;
        pub fn path_symlink(old_path: *const u8, old_len: u32, fd: u32, new_path: *const u8, new_len: u32) -> i32;
        pub fn path_unlink_file(fd: u32, path: *const u8, path_len: u32) -> i32;
        pub fn poll_oneoff(subscriptions: *const u8, events: *mut u8, count: u32, nevents: *mut u32) -> i32;
        pub fn proc_exit(code: u32) -> !;
        pub fn proc_raise(signal: u32) -> i32;
        pub fn sched_yield() -> i32;
        pub fn random_get(buf: *mut u8, buf_len: u32) -> i32;
        pub fn sock_accept(fd: u32, flags: u32, accepted: *mut u32) -> i32;
        pub fn sock_recv(fd: u32, iovs: *const Iovec, iovs_len: u32, flags: u32, nread: *mut u32, oflags: *mut u16) -> i32;
        pub fn sock_send(fd: u32, iovs: *const Iovec, iovs_len: u32, flags: u32, nwritten: *mut u32) -> i32;
        pub fn sock_shutdown(fd: u32, how: u32) -> i32;
    }

    /// `iovec` / `ciovec`.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct Iovec {
        pub buf: *const u8,
        pub len: u32,
    }
}

/// `args_sizes_get` or `environ_sizes_get`.
pub type SizesGet = unsafe extern "C" fn(*mut u32, *mut u32) -> i32;
/// `args_get` or `environ_get`.
pub type ListGet = unsafe extern "C" fn(*mut *mut u8, *mut u8) -> i32;

/// What `args_*` or `environ_*` returned: errnos, the count and size the
/// host gave, the pointer array and the buffer. Both have room to spare past
/// what the host asked for (one pointer, `slack` bytes), to show it is left
/// alone.
pub struct StringList {
    pub sizes_errno: i32,
    pub get_errno: i32,
    pub count: usize,
    pub size: usize,
    pub pointers: Vec<*mut u8>,
    pub buf: Vec<u8>,
}

impl StringList {
    /// Calls `sizes` then `get`, into a buffer filled with `fill`.
    pub fn fetch(sizes: SizesGet, get: ListGet, fill: u8, slack: usize) -> StringList {
        let (mut count, mut size) = (0u32, 0u32);
        let sizes_errno = unsafe { sizes(&mut count, &mut size) };
        let (count, size) = (count as usize, size as usize);
        let mut pointers = vec![std::ptr::null_mut::<u8>(); count + 1];
        let mut buf = vec![fill; size + slack];
        let get_errno = unsafe { get(pointers.as_mut_ptr(), buf.as_mut_ptr()) };
        StringList { sizes_errno, get_errno, count, size, pointers, buf }
    }

    /// Offset of entry `i` in the buffer, and its text up to the NUL.
    pub fn entry(&self, i: usize) -> (usize, String) {
        let offset = self.pointers[i] as usize - self.buf.as_ptr() as usize;
        let text: Vec<u8> = self.buf[offset..].iter().take_while(|b| **b != 0).copied().collect();
        (offset, String::from_utf8_lossy(&text).into_owned())
    }
}

/// The witx name of an errno, for readable, comparable output.
pub fn errno_name(errno: i32) -> String {
    const NAMES: [&str; 77] = [
        "SUCCESS",
        "2BIG",
        "ACCES",
        "ADDRINUSE",
        "ADDRNOTAVAIL",
        "AFNOSUPPORT",
        "AGAIN",
        "ALREADY",
        "BADF",
        "BADMSG",
        "BUSY",
        "CANCELED",
        "CHILD",
        "CONNABORTED",
        "CONNREFUSED",
        "CONNRESET",
        "DEADLK",
        "DESTADDRREQ",
        "DOM",
        "DQUOT",
        "EXIST",
        "FAULT",
        "FBIG",
        "HOSTUNREACH",
        "IDRM",
        "ILSEQ",
        "INPROGRESS",
        "INTR",
        "INVAL",
        "IO",
        "ISCONN",
        "ISDIR",
        "LOOP",
        "MFILE",
        "MLINK",
        "MSGSIZE",
        "MULTIHOP",
        "NAMETOOLONG",
        "NETDOWN",
        "NETRESET",
        "NETUNREACH",
        "NFILE",
        "NOBUFS",
        "NODEV",
        "NOENT",
        "NOEXEC",
        "NOLCK",
        "NOLINK",
        "NOMEM",
        "NOMSG",
        "NOPROTOOPT",
        "NOSPC",
        "NOSYS",
        "NOTCONN",
        "NOTDIR",
        "NOTEMPTY",
        "NOTRECOVERABLE",
        "NOTSOCK",
        "NOTSUP",
        "NOTTY",
        "NXIO",
        "OVERFLOW",
        "OWNERDEAD",
        "PERM",
        "PIPE",
        "PROTO",
        "PROTONOSUPPORT",
        "PROTOTYPE",
        "RANGE",
        "ROFS",
        "SPIPE",
        "SRCH",
        "STALE",
        "TIMEDOUT",
        "TXTBSY",
        "XDEV",
        "NOTCAPABLE",
    ];
    match usize::try_from(errno).ok().and_then(|i| NAMES.get(i)) {
        Some(name) => name.to_string(),
        None => format!("errno {errno}"),
    }
}

/// Prints `label: ERRNO` on stdout.
pub fn report(label: &str, errno: i32) {
    println!("{label}: {}", errno_name(errno));
}

/// The program's arguments after its name, read through std (for choosing
/// what a guest does, not for testing args_get itself).
pub fn options() -> Vec<String> {
    std::env::args().skip(1).collect()
}

/// Flags and rights for `path_open`.
pub mod open {
    pub const CREAT: u32 = 1;
    pub const DIRECTORY: u32 = 2;
    pub const EXCL: u32 = 4;
    pub const TRUNC: u32 = 8;
    pub const APPEND: u32 = 1;
    pub const DSYNC: u32 = 2;
    pub const NONBLOCK: u32 = 4;
    pub const SYNC: u32 = 16;
    pub const FOLLOW: u32 = 1;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 6;
    pub const READ_WRITE: u64 = READ | WRITE;
    /// Rights for a directory: everything but writing (which makes opening a
    /// directory fail with EISDIR).
    pub const DIRECTORY_RIGHTS: u64 = 0x0fff_ffff & !WRITE;
}

/// Opens `path` under `dir`; returns the errno and the new fd (or u32::MAX).
pub fn path_open(dir: u32, lookup: u32, path: &[u8], oflags: u32, rights: u64, fdflags: u32) -> (i32, u32) {
    let mut fd = u32::MAX;
    let errno = unsafe { raw::path_open(dir, lookup, path.as_ptr(), path.len() as u32, oflags, rights, rights, fdflags, &mut fd) };
    (errno, fd)
}

/// Writes `data` through fd_write; returns the errno and the count.
pub fn write(fd: u32, data: &[u8]) -> (i32, u32) {
    let iov = [raw::Iovec { buf: data.as_ptr(), len: data.len() as u32 }];
    let mut written = 0;
    let errno = unsafe { raw::fd_write(fd, iov.as_ptr(), 1, &mut written) };
    (errno, written)
}

/// Reads up to `len` bytes through fd_read; returns the errno and the bytes.
pub fn read(fd: u32, len: usize) -> (i32, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let iov = [raw::Iovec { buf: buf.as_mut_ptr(), len: len as u32 }];
    let mut nread = 0;
    let errno = unsafe { raw::fd_read(fd, iov.as_ptr(), 1, &mut nread) };
    buf.truncate(nread as usize);
    (errno, buf)
}

/// The fields of a `filestat` that are the same for the same tree in any
/// copy of it: type, link count, size. (Device, inode and times vary.)
pub fn stable_filestat(stat: &[u8; 64]) -> String {
    let field = |at: usize| u64::from_le_bytes(stat[at..at + 8].try_into().unwrap());
    format!("type={} nlink={} size={}", stat[16], field(24), field(32))
}

/// FNV-1a over bytes: prints large results compactly.
pub fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// An address just past the end of linear memory: any access there is out of
/// bounds for a host that checks.
pub fn out_of_bounds() -> usize {
    core::arch::wasm32::memory_size(0) * 65536 - 2
}
