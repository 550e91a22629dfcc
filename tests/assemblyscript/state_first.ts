// Top-level code whose first preview1 calls need adapter state (the preopen
// table, then a file it opens) before its first allocation: AssemblyScript's
// allocator then takes every page up to memory.size as its heap, as
// wasi-libc's did before 2023. It reads the file after allocating.
import { exit, fd_prestat_get, fd_read, path_open, print } from "./wasi";

const prestat = memory.data(8);
const prestatErrno = fd_prestat_get(3, prestat);
const name = memory.data<u8>([103, 114, 101, 101, 116, 105, 110, 103, 46, 116, 120, 116]); // "greeting.txt"
const opened = memory.data(4);
const openErrno = path_open(3, 0, name, 12, 0, 2 /* fd_read */, 0, 0, opened);

const blocks: Array<Array<i32>> = [];
for (let i = 0; i < 64; i++) blocks.push(new Array<i32>(65536).fill(i));
let sum: i64 = 0;
for (let i = 0; i < blocks.length; i++) sum += blocks[i][65535];

const contents = new ArrayBuffer(64);
const iov = new ArrayBuffer(8);
store<u32>(changetype<usize>(iov), changetype<usize>(contents));
store<u32>(changetype<usize>(iov), 64, 4);
const read = new ArrayBuffer(4);
const readErrno = fd_read(load<u32>(opened), changetype<usize>(iov), 1, changetype<usize>(read));
const text = String.UTF8.decodeUnsafe(changetype<usize>(contents), load<u32>(changetype<usize>(read)));

print("fd_prestat_get(3): errno " + prestatErrno.toString() + ", name length " + load<u32>(prestat, 4).toString() + "\n");
print("path_open: errno " + openErrno.toString() + ", fd " + load<u32>(opened).toString() + "\n");
print("sum " + sum.toString() + "\n");
print("fd_read: errno " + readErrno.toString() + ": " + text);
print("memory pages " + memory.size().toString() + "\n");
exit(0);
