//! One step of the driver: an opcode byte chooses the call, the bytes after it
//! its arguments. Each arm prints the call as made, then what it returned.

// Every arm is one raw call; the module is the unsafe boundary.
#![allow(unsafe_op_in_unsafe_fn)]

use super::*;

/// The value a successful call left at `ptr`, for the trace.
fn shown_u32(errno: i32, ptr: Ptr) -> String {
    match (errno, read_u32(ptr)) {
        (0, Some(value)) => format!(" ={value}"),
        _ => String::new(),
    }
}

fn shown_u64(errno: i32, ptr: Ptr) -> String {
    match (errno, read_u64(ptr)) {
        (0, Some(value)) => format!(" ={value}"),
        _ => String::new(),
    }
}

const CLOCKS: [u32; 6] = [0, 1, 0, 1, 2, 3];

/// Where `Adjust::Apart` puts poll_oneoff's events or args_get's strings:
/// no other buffer of these calls reaches it (`OFFSETS` jumps from 32768 to
/// 65000, and their other buffers are at most 144 bytes long).
const APART: u32 = 40960;

fn clock_id(d: &mut Driver) -> u32 {
    if d.input.byte() == 0xFF { d.input.u32() } else { d.input.pick(&CLOCKS) }
}

/// A small enum value: mostly defined, rarely anything.
fn enum_value(d: &mut Driver, defined: u8) -> u32 {
    let byte = d.input.byte();
    if byte == 0xFF { d.input.u32() } else { u32::from(byte % defined) }
}

/// The opcode of path_open.
pub const OPEN_OP: u8 = 31;

/// Runs the call `op` chooses.
///
/// # Safety
/// Only the driver's arena and wild pointers are passed to the host.
pub unsafe fn step(d: &mut Driver, op: u8) {
    let p = |ptr: Ptr| ptr.addr as *mut u8;
    match op % 46 {
        0 | 2 => {
            let (count, size) = (d.ptr(4), d.ptr(4));
            let which = if op % 46 == 0 { "args_sizes_get" } else { "environ_sizes_get" };
            d.begin(format_args!("{which}({count}, {size})"));
            let errno = if op % 46 == 0 {
                raw::args_sizes_get(p(count).cast(), p(size).cast())
            } else {
                raw::environ_sizes_get(p(count).cast(), p(size).cast())
            };
            d.end(errno, format_args!("{}{}", shown_u32(errno, count), shown_u32(errno, size)));
        }
        1 | 3 => {
            let (array, mut buf) = (d.ptr(64), d.byte_ptr(256));
            if d.adjusting(Adjust::Apart) && buf.offset.is_some() {
                buf = Ptr { addr: arena_base() + APART, offset: Some(APART) };
            }
            let which = if op % 46 == 1 { "args_get" } else { "environ_get" };
            d.begin(format_args!("{which}({array}, {buf})"));
            let errno = if op % 46 == 1 { raw::args_get(p(array).cast(), p(buf)) } else { raw::environ_get(p(array).cast(), p(buf)) };
            d.end(errno, format_args!(""));
        }
        4 => {
            let (id, out) = (clock_id(d), d.ptr(8));
            d.begin(format_args!("clock_res_get({id}, {out})"));
            let errno = raw::clock_res_get(id, p(out).cast());
            d.end(errno, format_args!("{}", shown_u64(errno, out)));
        }
        5 => {
            let (id, precision, out) = (clock_id(d), d.input.pick(&SIZES), d.ptr(8));
            d.begin(format_args!("clock_time_get({id}, {precision}, {out})"));
            let errno = raw::clock_time_get(id, precision, p(out).cast());
            if let (0, Some(offset)) = (errno, out.offset) {
                mask(offset as usize, 8);
            }
            d.end(errno, format_args!(""));
        }
        6 => {
            let (fd, offset, len, advice) = (d.fd(), d.input.pick(&SIZES), d.input.pick(&SIZES), enum_value(d, 6));
            d.begin(format_args!("fd_advise({fd}, {offset}, {len}, {advice})"));
            let errno = raw::fd_advise(fd, offset, len, advice);
            d.end(errno, format_args!(""));
        }
        7 => {
            let (fd, offset, len) = (d.fd(), d.input.pick(&SIZES), d.input.pick(&SIZES));
            d.begin(format_args!("fd_allocate({fd}, {offset}, {len})"));
            let errno = raw::fd_allocate(fd, offset, len);
            d.end(errno, format_args!(""));
        }
        8 => {
            let fd = d.closable_fd();
            d.begin(format_args!("fd_close({fd})"));
            let errno = raw::fd_close(fd);
            d.end(errno, format_args!(""));
        }
        9 | 24 => {
            let fd = d.fd();
            let which = if op % 46 == 9 { "fd_datasync" } else { "fd_sync" };
            d.begin(format_args!("{which}({fd})"));
            let errno = if op % 46 == 9 { raw::fd_datasync(fd) } else { raw::fd_sync(fd) };
            d.end(errno, format_args!(""));
        }
        10 => {
            let (fd, out) = (d.fd(), d.ptr(24));
            d.begin(format_args!("fd_fdstat_get({fd}, {out})"));
            let errno = raw::fd_fdstat_get(fd, p(out));
            d.end(errno, format_args!(""));
        }
        11 => {
            let (fd, flags) = (d.fd(), d.flags(0x1F));
            d.begin(format_args!("fd_fdstat_set_flags({fd}, {flags:#x})"));
            let errno = raw::fd_fdstat_set_flags(fd, flags);
            d.end(errno, format_args!(""));
        }
        12 => {
            let (fd, base, inheriting) = (d.fd(), d.rights(), d.rights());
            d.begin(format_args!("fd_fdstat_set_rights({fd}, {base:#x}, {inheriting:#x})"));
            let errno = raw::fd_fdstat_set_rights(fd, base, inheriting);
            d.end(errno, format_args!(""));
        }
        13 => {
            let (fd, out) = (d.fd(), d.ptr(64));
            d.begin(format_args!("fd_filestat_get({fd}, {out})"));
            let errno = raw::fd_filestat_get(fd, p(out));
            if errno == 0 {
                mask_filestat(out);
            }
            d.end(errno, format_args!(""));
        }
        14 => {
            let (fd, size) = (d.fd(), d.input.pick(&SIZES));
            d.begin(format_args!("fd_filestat_set_size({fd}, {size})"));
            let errno = raw::fd_filestat_set_size(fd, size);
            d.end(errno, format_args!(""));
        }
        15 => {
            let (fd, atim, mtim, flags) = (d.fd(), d.input.pick(&TIMES), d.input.pick(&TIMES), d.flags(0xF));
            d.begin(format_args!("fd_filestat_set_times({fd}, {atim}, {mtim}, {flags:#x})"));
            let errno = raw::fd_filestat_set_times(fd, atim, mtim, flags);
            d.end(errno, format_args!(""));
        }
        16 | 19 => {
            let (fd, (iovs, count, shown), offset, out) = (d.fd(), d.iovecs(), d.input.pick(&SIZES), d.ptr(4));
            let which = if op % 46 == 16 { "fd_pread" } else { "fd_pwrite" };
            d.begin(format_args!("{which}({fd}, {shown}, {count}, {offset}, {out})"));
            let errno = if op % 46 == 16 {
                raw::fd_pread(fd, p(iovs).cast(), count, offset, p(out).cast())
            } else {
                raw::fd_pwrite(fd, p(iovs).cast(), count, offset, p(out).cast())
            };
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        17 => {
            let (fd, out) = (d.fd(), d.ptr(8));
            d.begin(format_args!("fd_prestat_get({fd}, {out})"));
            let errno = raw::fd_prestat_get(fd, p(out));
            d.end(errno, format_args!(""));
        }
        18 => {
            let (fd, (buf, len)) = (d.fd(), d.buffer());
            d.begin(format_args!("fd_prestat_dir_name({fd}, {buf}, {len})"));
            let errno = raw::fd_prestat_dir_name(fd, p(buf), len);
            d.end(errno, format_args!(""));
        }
        20 | 26 => {
            let (fd, (iovs, count, shown), out) = (d.fd(), d.iovecs(), d.ptr(4));
            let which = if op % 46 == 20 { "fd_read" } else { "fd_write" };
            d.begin(format_args!("{which}({fd}, {shown}, {count}, {out})"));
            let errno = if op % 46 == 20 {
                raw::fd_read(fd, p(iovs).cast(), count, p(out).cast())
            } else {
                raw::fd_write(fd, p(iovs).cast(), count, p(out).cast())
            };
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        21 => {
            let (fd, (buf, len), cookie, out) = (d.fd(), d.buffer(), d.input.pick(&[0u64, 1, 2, 3, 5, 1000, u64::MAX]), d.ptr(4));
            d.begin(format_args!("fd_readdir({fd}, {buf}, {len}, {cookie}, {out})"));
            let errno = raw::fd_readdir(fd, p(buf), len, cookie, p(out).cast());
            let used = read_u32(out);
            if let (0, Some(used)) = (errno, used) {
                match (buf.offset, out.offset) {
                    // `used` overwrote part of the entries: no telling where
                    // their inode numbers are, so none of them is compared.
                    (Some(b), Some(o)) if u64::from(o) < u64::from(b) + u64::from(len) && b < o + 4 => mask(b as usize, used.min(len) as usize),
                    _ => mask_dirents(buf, used.min(len)),
                }
            }
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        22 => {
            let (from, to) = (d.closable_fd(), d.closable_fd());
            d.begin(format_args!("fd_renumber({from}, {to})"));
            let errno = raw::fd_renumber(from, to);
            d.end(errno, format_args!(""));
        }
        23 => {
            let (fd, offset, whence, out) = (d.fd(), d.input.pick(&SEEK_OFFSETS), enum_value(d, 3), d.ptr(8));
            d.begin(format_args!("fd_seek({fd}, {offset}, {whence}, {out})"));
            let errno = raw::fd_seek(fd, offset, whence, p(out).cast());
            d.end(errno, format_args!("{}", shown_u64(errno, out)));
        }
        25 => {
            let (fd, out) = (d.fd(), d.ptr(8));
            d.begin(format_args!("fd_tell({fd}, {out})"));
            let errno = raw::fd_tell(fd, p(out).cast());
            d.end(errno, format_args!("{}", shown_u64(errno, out)));
        }
        27 | 33 | 36 => {
            let (fd, (path, len, shown)) = (d.dir_fd(), d.path());
            let which = match op % 46 {
                27 => "path_create_directory",
                33 => "path_remove_directory",
                _ => "path_unlink_file",
            };
            d.begin(format_args!("{which}({fd}, {path} \"{shown}\", {len})"));
            let errno = match op % 46 {
                27 => raw::path_create_directory(fd, p(path), len),
                33 => raw::path_remove_directory(fd, p(path), len),
                _ => raw::path_unlink_file(fd, p(path), len),
            };
            d.end(errno, format_args!(""));
        }
        28 => {
            let (fd, flags, (path, len, shown), out) = (d.dir_fd(), d.flags(1), d.path(), d.ptr(64));
            d.begin(format_args!("path_filestat_get({fd}, {flags:#x}, {path} \"{shown}\", {len}, {out})"));
            let errno = raw::path_filestat_get(fd, flags, p(path), len, p(out));
            if errno == 0 {
                mask_filestat(out);
            }
            d.end(errno, format_args!(""));
        }
        29 => {
            let (fd, flags, (path, len, shown)) = (d.dir_fd(), d.flags(1), d.path());
            let (atim, mtim, fst) = (d.input.pick(&TIMES), d.input.pick(&TIMES), d.flags(0xF));
            d.begin(format_args!("path_filestat_set_times({fd}, {flags:#x}, {path} \"{shown}\", {len}, {atim}, {mtim}, {fst:#x})"));
            let errno = raw::path_filestat_set_times(fd, flags, p(path), len, atim, mtim, fst);
            d.end(errno, format_args!(""));
        }
        30 => {
            let (old_fd, flags, (old, old_len, old_shown)) = (d.dir_fd(), d.flags(1), d.path());
            let (new_fd, (new, new_len, new_shown)) = (d.dir_fd(), d.path());
            d.begin(format_args!("path_link({old_fd}, {flags:#x}, {old} \"{old_shown}\", {old_len}, {new_fd}, {new} \"{new_shown}\", {new_len})"));
            let errno = raw::path_link(old_fd, flags, p(old), old_len, new_fd, p(new), new_len);
            d.end(errno, format_args!(""));
        }
        31 => {
            let (fd, dirflags, (path, len, shown)) = (d.dir_fd(), d.flags(1), d.path());
            let (oflags, base, inheriting, fdflags, out) = (d.flags(0xF), d.rights(), d.rights(), d.flags(0x1F), d.ptr(4));
            d.begin(format_args!(
                "path_open({fd}, {dirflags:#x}, {path} \"{shown}\", {len}, {oflags:#x}, {base:#x}, {inheriting:#x}, {fdflags:#x}, {out})"
            ));
            let errno = raw::path_open(fd, dirflags, p(path), len, oflags, base, inheriting, fdflags, p(out).cast());
            if let (0, Some(opened)) = (errno, read_u32(out)) {
                d.fds.push(opened);
            }
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        32 => {
            let (fd, (path, len, shown), (buf, buf_len), out) = (d.dir_fd(), d.path(), d.buffer(), d.ptr(4));
            d.begin(format_args!("path_readlink({fd}, {path} \"{shown}\", {len}, {buf}, {buf_len}, {out})"));
            let errno = raw::path_readlink(fd, p(path), len, p(buf), buf_len, p(out).cast());
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        34 => {
            let (old_fd, (old, old_len, old_shown)) = (d.dir_fd(), d.path());
            let (new_fd, (new, new_len, new_shown)) = (d.dir_fd(), d.path());
            d.begin(format_args!("path_rename({old_fd}, {old} \"{old_shown}\", {old_len}, {new_fd}, {new} \"{new_shown}\", {new_len})"));
            let errno = raw::path_rename(old_fd, p(old), old_len, new_fd, p(new), new_len);
            d.end(errno, format_args!(""));
        }
        35 => {
            let (old, old_len, old_shown) = d.path();
            let (fd, (new, new_len, new_shown)) = (d.dir_fd(), d.path());
            d.begin(format_args!("path_symlink({old} \"{old_shown}\", {old_len}, {fd}, {new} \"{new_shown}\", {new_len})"));
            let errno = raw::path_symlink(p(old), old_len, fd, p(new), new_len);
            d.end(errno, format_args!(""));
        }
        37 => poll(d),
        38 => {
            // Rare, so that most inputs run to their end.
            if d.input.one_in(16) {
                let code = d.input.pick(&[0u32, 1, 2, 125, 126, 255]);
                d.begin(format_args!("proc_exit({code})"));
                let _ = writeln!(d.line);
                emit(d.line.as_bytes());
                raw::proc_exit(code);
            }
        }
        39 => {
            let signal = u32::from(d.input.byte() % 32);
            d.begin(format_args!("proc_raise({signal})"));
            let errno = raw::proc_raise(signal);
            d.end(errno, format_args!(""));
        }
        40 => {
            d.begin(format_args!("sched_yield()"));
            let errno = raw::sched_yield();
            d.end(errno, format_args!(""));
        }
        41 => {
            let (buf, len) = d.buffer();
            d.begin(format_args!("random_get({buf}, {len})"));
            let errno = raw::random_get(p(buf), len);
            if let (0, Some(offset)) = (errno, buf.offset) {
                mask(offset as usize, len as usize);
            }
            d.end(errno, format_args!(""));
        }
        42 => {
            let (fd, flags, out) = (d.fd(), d.flags(0x4), d.ptr(4));
            d.begin(format_args!("sock_accept({fd}, {flags:#x}, {out})"));
            let errno = raw::sock_accept(fd, flags, p(out).cast());
            d.end(errno, format_args!("{}", shown_u32(errno, out)));
        }
        43 => {
            let (fd, (iovs, count, shown), flags, out, oflags) = (d.fd(), d.iovecs(), d.flags(0x3), d.ptr(4), d.ptr(2));
            d.begin(format_args!("sock_recv({fd}, {shown}, {count}, {flags:#x}, {out}, {oflags})"));
            let errno = raw::sock_recv(fd, p(iovs).cast(), count, flags, p(out).cast(), p(oflags).cast());
            d.end(errno, format_args!(""));
        }
        44 => {
            let (fd, (iovs, count, shown), flags, out) = (d.fd(), d.iovecs(), d.flags(0), d.ptr(4));
            d.begin(format_args!("sock_send({fd}, {shown}, {count}, {flags:#x}, {out})"));
            let errno = raw::sock_send(fd, p(iovs).cast(), count, flags, p(out).cast());
            d.end(errno, format_args!(""));
        }
        _ => {
            let (fd, how) = (d.fd(), enum_value(d, 4));
            d.begin(format_args!("sock_shutdown({fd}, {how})"));
            let errno = raw::sock_shutdown(fd, how);
            d.end(errno, format_args!(""));
        }
    }
}

/// `poll_oneoff` with subscriptions whose outcome does not depend on timing:
/// clocks that all share one timeout, or a single fd, or none, or (rarely)
/// undefined tags and values.
unsafe fn poll(d: &mut Driver) {
    let kind = d.input.byte() % 8;
    let count = match kind {
        0..=3 => 1 + u32::from(d.input.byte() % 3),
        4 | 5 => 1,
        6 => 0,
        _ => 1 + u32::from(d.input.byte() % 2),
    };
    let timeout = d.input.pick(&[0u64, 0, 1_000_000]);
    // Clocks that wait are alone: two deadlines computed a moment apart
    // could fire together or not.
    let count = if kind <= 3 && timeout != 0 { 1 } else { count };
    let subs = d.ptr(count * 48);
    let mut events = d.ptr(count * 32);
    let out = d.ptr(4);
    if d.adjusting(Adjust::Apart) && events.offset.is_some() {
        // No offset the driver picks reaches this far with a poll's
        // subscriptions or count.
        events = Ptr { addr: arena_base() + APART, offset: Some(APART) };
    }
    let mut description = Vec::new();
    for index in 0..count {
        let mut sub = [0u8; 48];
        // Userdata tells subscriptions and calls apart by the call's first
        // five input bytes (every poll call has at least six), which a
        // judge's rerun without another call keeps; the step number and
        // the input offset it does not.
        let own = &d.input.bytes[d.op_at.min(d.input.bytes.len())..];
        let tag = own.iter().take(5).fold(0u64, |tag, byte| tag << 8 | u64::from(*byte));
        sub[..8].copy_from_slice(&(tag << 8 | u64::from(index)).to_le_bytes());
        match kind {
            0..=3 => {
                let (id, precision, flags) = (clock_id(d), d.input.pick(&SIZES), d.flags(1));
                sub[16..20].copy_from_slice(&id.to_le_bytes());
                sub[24..32].copy_from_slice(&timeout.to_le_bytes());
                sub[32..40].copy_from_slice(&precision.to_le_bytes());
                sub[40..42].copy_from_slice(&(flags as u16).to_le_bytes());
                description.push(format!("clock({id}, {timeout}, {precision}, {flags:#x})"));
            }
            4 | 5 => {
                let fd = d.fd();
                sub[8] = kind - 3;
                sub[16..20].copy_from_slice(&fd.to_le_bytes());
                description.push(format!("{}({fd})", if kind == 4 { "read" } else { "write" }));
            }
            _ => {
                let (tag, word, flags) = (d.input.byte(), d.input.u32(), d.input.u32());
                sub[8] = tag;
                sub[16..20].copy_from_slice(&word.to_le_bytes());
                sub[40..44].copy_from_slice(&flags.to_le_bytes());
                description.push(format!("raw({tag}, {word:#x}, {flags:#x})"));
            }
        }
        if let Some(offset) = subs.offset {
            let at = offset as usize + index as usize * 48;
            arena()[at..at + 48].copy_from_slice(&sub);
        }
    }
    d.begin(format_args!("poll_oneoff({subs} [{}], {events}, {count}, {out})", description.join(", ")));
    let errno = raw::poll_oneoff(p1_ptr(subs), p1_ptr(events), count, p1_ptr(out).cast());
    d.end(errno, format_args!("{}", shown_u32(errno, out)));
}

fn p1_ptr(ptr: Ptr) -> *mut u8 {
    ptr.addr as *mut u8
}
