// Runs a WASI 0.2 command component under Node with jco's preview2-shim.
//
// Transpile first, in instantiation mode, so the output can live in any
// directory (its WASI imports come from this script, which resolves
// ./node_modules, instead of from bare specifiers in the output):
//   tests/hosts/jco/node_modules/.bin/jco transpile C.wasm -o OUT --name main -q --instantiation async
// then:
//   node tests/hosts/jco/run.mjs OUT/main.js [--dir HOST::GUEST]... [--env K=V]... [--cwd GUEST] [-- ARGV...]
//
// --dir   preopen HOST (relative to the node process cwd) as GUEST; order is kept,
//         so the first --dir is preview1 fd 3.
// --env   the guest sees only these variables (the host env is not inherited).
// --cwd   what wasi:cli/environment#initial-cwd returns (default: none).
// ARGV    the guest's whole argument list, argv[0] included (default: [basename of the .js]).
//
// Exit status: the guest's own status (wasi:cli/exit calls process.exit);
// 0 if run returns ok; 1 if run returns err; 134 if the guest traps or a host
// import throws a JS error (same number wasmtime uses for a trap);
// 125 for a usage or instantiation error.
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { _clearPreopens, _addPreopen } from '@bytecodealliance/preview2-shim/filesystem';
import { _setArgs, _setCwd, _setEnv } from '@bytecodealliance/preview2-shim/cli';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';

// Node writes to a full pipe asynchronously, and process.exit (which the
// shim's wasi:cli/exit calls) drops what is still queued: a slow reader
// would see the guest's output cut short. Blocking writes keep every byte.
for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);

function usage(msg) {
  process.stderr.write(`run.mjs: ${msg}\n`);
  process.exit(125);
}

const argv = process.argv.slice(2);
const entry = argv.shift() ?? usage('missing transpiled entry .js');
const env = {};
const dirs = [];
let cwd = null;
let guestArgs = [basename(entry, '.js')];
while (argv.length) {
  const opt = argv.shift();
  if (opt === '--') { guestArgs = argv.splice(0); break; }
  const val = argv.shift() ?? usage(`${opt} needs a value`);
  if (opt === '--dir') {
    const i = val.indexOf('::');
    if (i < 0) usage(`--dir wants HOST::GUEST, got ${val}`);
    dirs.push([resolve(val.slice(0, i)), val.slice(i + 2)]);
  } else if (opt === '--env') {
    const i = val.indexOf('=');
    if (i < 0) usage(`--env wants K=V, got ${val}`);
    env[val.slice(0, i)] = val.slice(i + 1);
  } else if (opt === '--cwd') {
    cwd = val;
  } else {
    usage(`unknown option ${opt}`);
  }
}

// The shim's defaults leak the host (whole process.env, node's argv, node's cwd).
// The setters mutate module state that the default WASIShim import object reads.
_clearPreopens();
for (const [host, guest] of dirs) _addPreopen(guest, host);
_setEnv(env);
_setArgs(guestArgs);
_setCwd(cwd);

let run;
try {
  const { instantiate } = await import(pathToFileURL(resolve(entry)).href);
  if (typeof instantiate !== 'function') usage(`${entry} exports no instantiate(); transpile with --instantiation async`);
  const shim = new WASIShim().getImportObject();
  // jco keys imports by unversioned interface name unless a component imports two
  // versions of one interface; fall back to the unversioned shim either way.
  const imports = new Proxy(shim, { get: (o, k) => o[k] ?? o[String(k).replace(/@[^@]*$/, '')] });
  ({ run } = (await instantiate(null, imports)).run ?? {});
  if (typeof run !== 'function') usage(`${entry} does not export wasi:cli/run`);
} catch (e) {
  process.stderr.write(`run.mjs: instantiation failed: ${e?.stack ?? e}\n`);
  process.exit(125);
}

try {
  run();
} catch (e) {
  // jco turns `run` returning err into a ComponentError; anything else unwound
  // out of the guest: a wasm trap, or a JS exception thrown by a shim import.
  if (e?.constructor?.name === 'ComponentError') process.exit(1);
  process.stderr.write(`run.mjs: guest trapped: ${e?.stack ?? e}\n`);
  process.exit(134);
}
// Explicit, so a shim worker or stray handle can never keep node alive.
process.exit(0);
