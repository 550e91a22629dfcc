// A program that is all top-level code: AssemblyScript compiles it into the
// module's start function (or into `_start`, with --exportStart _start).
// Its allocator grows memory as it goes.
import { argumentsLine, exit, monotonicNanos, print } from "./wasi";

const started = monotonicNanos();
const words: string[] = [];
for (let i = 0; i < 2000; i++) words.push("word" + i.toString());
const numbers = new Array<i32>(1 << 20);
for (let i = 0; i < numbers.length; i++) numbers[i] = i * 7;
let sum: i64 = 0;
for (let i = 0; i < numbers.length; i++) sum += numbers[i];
print("words " + words.length.toString() + ", last " + words[words.length - 1] + "\n");
print("sum " + sum.toString() + "\n");
print("arguments: " + argumentsLine() + "\n");
print("clock moved forward: " + (monotonicNanos() >= started ? "yes" : "no") + "\n");
exit(3);
