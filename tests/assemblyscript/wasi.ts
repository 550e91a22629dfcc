// The few preview1 functions the AssemblyScript guests use, declared by
// hand as a program without @assemblyscript/wasi-shim declares them.

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovs_len: u32, written: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(count: usize, size: usize): u16;
@external("wasi_snapshot_preview1", "args_get")
declare function args_get(argv: usize, buffer: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_get")
export declare function fd_prestat_get(fd: u32, prestat: usize): u16;
@external("wasi_snapshot_preview1", "path_open")
export declare function path_open(fd: u32, dirflags: u32, path: usize, path_len: u32, oflags: u32, base: u64, inheriting: u64, fdflags: u32, opened: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
export declare function fd_read(fd: u32, iovs: usize, iovs_len: u32, read: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(clock: u32, precision: u64, time: usize): u16;

function write(fd: u32, text: string): void {
  const bytes = String.UTF8.encode(text);
  const iov = new ArrayBuffer(8);
  store<u32>(changetype<usize>(iov), changetype<usize>(bytes));
  store<u32>(changetype<usize>(iov), <u32>bytes.byteLength, 4);
  const written = new ArrayBuffer(4);
  fd_write(fd, changetype<usize>(iov), 1, changetype<usize>(written));
}

export function print(text: string): void {
  write(1, text);
}

export function exit(code: u32): void {
  proc_exit(code);
}

// The program's arguments after its name, joined by spaces.
export function argumentsLine(): string {
  const sizes = new ArrayBuffer(8);
  args_sizes_get(changetype<usize>(sizes), changetype<usize>(sizes) + 4);
  const count = load<u32>(changetype<usize>(sizes));
  const argv = new ArrayBuffer(<i32>count * 4);
  const buffer = new ArrayBuffer(<i32>load<u32>(changetype<usize>(sizes), 4));
  args_get(changetype<usize>(argv), changetype<usize>(buffer));
  let line = "";
  for (let i: u32 = 1; i < count; i++) {
    const pointer = load<u32>(changetype<usize>(argv) + i * 4);
    let end = pointer;
    while (load<u8>(end) != 0) end++;
    line += (i > 1 ? " " : "") + String.UTF8.decodeUnsafe(pointer, end - pointer);
  }
  return line;
}

// Monotonic time in nanoseconds, through a static buffer (no allocation).
export function monotonicNanos(): u64 {
  const time = memory.data(8);
  clock_time_get(1, 1, time);
  return load<u64>(time);
}

// What AssemblyScript calls on a failed assertion or bounds check: a line on
// stderr and exit status 134, instead of an import no p1 host provides.
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  write(2, "abort: " + (message !== null ? message : "") + " at " + (file !== null ? file : "") + ":" + line.toString() + "\n");
  proc_exit(134);
}
