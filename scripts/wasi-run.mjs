#!/usr/bin/env node
// Runs a wasm32-wasi program under node's built-in WASI (preview1), the way CTest
// runs a native test: arguments passed through, exit code returned.
//   wasi-run.mjs [--dir HOST::GUEST]... PROGRAM.wasm [ARGS...]
// Each --dir preopens HOST as GUEST (wasmtime's spelling); without one, the
// whole file system is preopened as '/' (what the unit tests need).
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

// Node 20 can crash (SIGSEGV) at exit while V8 is still tiering a large
// module up in the background: engine_test did in 1 run of 3. Compiled
// optimized before it runs, nothing is in flight at exit, at about the same
// speed (6 runs: 57 s against 49 s, none crashing). The flag must be on
// node's command line, so without it this script runs itself again with it,
// on the same stdin, stdout and stderr.
const kFlag = '--no-wasm-dynamic-tiering';
if (!process.execArgv.includes(kFlag)) {
  const r = spawnSync(process.execPath, [...process.execArgv, kFlag, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (r.error) {
    console.error(`wasi-run.mjs: ${r.error.message}`);
    process.exit(2);
  }
  if (r.signal) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const preopens = {};
while (argv[0] === '--dir') {
  const [host, guest] = (argv[1] || '').split('::');
  if (!host) {
    console.error('wasi-run.mjs: --dir needs HOST::GUEST (or HOST, seen as itself)');
    process.exit(2);
  }
  preopens[guest || host] = host;
  argv.splice(0, 2);
}
const [file, ...args] = argv;
if (!file) {
  console.error('usage: wasi-run.mjs [--dir HOST::GUEST]... PROGRAM.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: process.env,
  preopens: Object.keys(preopens).length > 0 ? preopens : { '/': '/' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
