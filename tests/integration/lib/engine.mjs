// Helpers for the local-engine tests: the shared reference data (../shared/data
// from the repo root, never copied into the repo), running one-shot CLI
// commands, starting `edgeai serve -m ...` without an upstream, and a small
// llama2.c tokenizer decoder so expected texts come from run.c's reference ids.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EDGEAI_BIN, Gateway, startGateway } from './gateway.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

/** The shared reference data folder (see its README.md); EDGEAI_TEST_DATA_DIR overrides it. */
export const DATA_DIR = process.env.EDGEAI_TEST_DATA_DIR || path.resolve(repoRoot, '..', 'shared', 'data');

export function dataPath(...parts) {
  return path.join(DATA_DIR, ...parts);
}

/**
 * A skip message when any of the given data files (relative to DATA_DIR) is
 * missing, else false: use as `{ skip: missingData('ktiny/ktiny-f32.gguf') }`.
 */
export function missingData(...rel) {
  const missing = rel.filter((r) => !fs.existsSync(dataPath(r)));
  if (missing.length === 0) return false;
  return `reference data not found: ${missing.map((r) => dataPath(r)).join(', ')} (see ${path.join(DATA_DIR, 'README.md')})`;
}

export function binaryMissing() {
  return fs.existsSync(EDGEAI_BIN) ? false : `edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`;
}

function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('EDGEAI_') && k !== 'EDGEAI_BIN') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Run `edgeai ARGS...` to completion. Resolves with
 * { code, signal, stdout, stderr, stdoutBytes, elapsedMs }.
 */
export function runEdgeai(args, { timeoutMs = 60000, env = {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(EDGEAI_BIN, args, { env: cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(killer); reject(new Error(`spawn ${EDGEAI_BIN}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdoutBytes,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        elapsedMs: Date.now() - started,
      });
    });
  });
}

/** A one-line description of a finished command for assertion messages. */
/** `edgeai keys create` in `dataDir`: the new key's secret. */
export async function createKey(dataDir, name, scopes, { cwd } = {}) {
  const args = ['keys', 'create', '--name', name, '--scopes', scopes, '--data-dir', dataDir];
  const r = await runEdgeai(args, { cwd, env: cwd ? { XDG_CONFIG_HOME: cwd } : {} });
  if (r.code !== 0) throw new Error(`key creation failed\n${describeRun(args, r)}`);
  return r.stdout.trim();
}

export function describeRun(args, r) {
  return `edgeai ${args.join(' ')} -> code=${r.code} signal=${r.signal}\n--- stdout ---\n${r.stdout.slice(0, 2000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
}

export function makeTmpDir(prefix = 'edgeai-it-engine-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTmpDir(dir) {
  if (!dir) return;
  if (process.env.EDGEAI_TEST_KEEP_TMP === '1') return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Convert the stories260K checkpoint to `<dir>/stories260K.gguf`; returns its path. */
export async function convertStories(dir) {
  const out = path.join(dir, 'stories260K.gguf');
  const args = ['model', 'convert-llama2c', dataPath('stories260K', 'stories260K.bin'),
    dataPath('stories260K', 'tok512.bin'), '-o', out];
  const r = await runEdgeai(args);
  if (r.code !== 0 || !fs.existsSync(out)) throw new Error(`conversion failed\n${describeRun(args, r)}`);
  return out;
}

/**
 * Start `edgeai serve -m MODEL...` (no upstream) and wait for "listening".
 * options: models (paths), args (extra CLI args), env, startTimeoutMs.
 */
export async function startLocalServe({ models, args = [], env = {}, startTimeoutMs = 30000, logLevel = 'info' }) {
  if (!fs.existsSync(EDGEAI_BIN)) throw new Error(`edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-'));
  const dataDir = path.join(tmpDir, 'data');
  fs.mkdirSync(dataDir);
  const argv = [
    'serve',
    '--listen', '127.0.0.1:0',
    '--data-dir', dataDir,
    '--log-level', logLevel,
    ...models.flatMap((m) => ['-m', m]),
    ...args,
  ];
  const child = spawn(EDGEAI_BIN, argv, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const gw = new Gateway(child, tmpDir);
  gw.dataDir = dataDir;
  gw.argv = argv;
  const spawnError = new Promise((_, reject) => child.once('error', (e) => reject(new Error(`spawn ${EDGEAI_BIN}: ${e.message}`))));
  try {
    await Promise.race([gw._waitListening(startTimeoutMs), spawnError]);
  } catch (e) {
    await gw.stop(1000).catch(() => {});
    throw e;
  }
  return gw;
}

/**
 * A gateway in front of `upstream` with API keys made first: `keys` maps a
 * name to its scopes; answers { gw, keys: { name: secret } }. `gw.stop()`
 * also removes its temp dir.
 */
export async function startKeyedGateway(upstream, keys, { env } = {}) {
  const tmp = makeTmpDir('edgeai-it-keys-');
  try {
    const dataDir = path.join(tmp, 'data');
    const secrets = {};
    for (const [name, scopes] of Object.entries(keys)) secrets[name] = await createKey(dataDir, name, scopes, { cwd: tmp });
    const gw = await startGateway({ upstream, dataDir, env });
    const stop = gw.stop.bind(gw);
    gw.stop = async (...args) => { try { return await stop(...args); } finally { removeTmpDir(tmp); } };
    return { gw, keys: secrets };
  } catch (e) {
    removeTmpDir(tmp);
    throw e;
  }
}

/** What a test of an API's shapes on the local engine needs, or why it is skipped. */
export const STORIES_SKIP = (binaryMissing() || missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin')) &&
  `needs ${EDGEAI_BIN} and ../shared/data/stories260K`;

/**
 * stories260K converted in a fresh temp dir and served as `tiny` with the
 * chatml template; `stop()` also removes the temp dir.
 */
export async function startTinyChat() {
  const tmp = makeTmpDir();
  try {
    const gw = await startLocalServe({ models: [await convertStories(tmp)], args: ['--ctx-size', '1024', '--threads', '1', '--chat-template', 'chatml', '--alias', 'tiny'] });
    const stop = gw.stop.bind(gw);
    gw.stop = async (...args) => { try { return await stop(...args); } finally { removeTmpDir(tmp); } };
    return gw;
  } catch (e) {
    removeTmpDir(tmp);
    throw e;
  }
}

// ---------------------------------------------------------------- reference data

/** Parse a run.c `.ids` file: { prompt: number[], all: number[] }. */
export function readIds(file) {
  const text = fs.readFileSync(file, 'utf8');
  const line = (key) => {
    const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text);
    if (!m) throw new Error(`${file}: no "${key}:" line`);
    return m[1].trim().split(/\s+/).map(Number);
  };
  return { prompt: line('prompt_ids'), all: line('all_ids') };
}

/** float32 little-endian file -> Float32Array. */
export function readF32(file) {
  const buf = fs.readFileSync(file);
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  return new Float32Array(copy.buffer, 0, buf.length / 4);
}

/** Largest |a[i] - b[i]| and where, over the common length. */
export function maxAbsDiff(a, b) {
  let max = 0;
  let at = -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) { max = d; at = i; } // NaN counts as the worst
  }
  return { max, at };
}

/**
 * A llama2.c tokenizer (tok512.bin): int32 max_token_length, then per token a
 * float32 score, an int32 length and the bytes. Returns the pieces as Buffers.
 */
export function readLlama2cVocab(file, vocabSize = 512) {
  const buf = fs.readFileSync(file);
  const pieces = [];
  let off = 4;
  for (let i = 0; i < vocabSize; i++) {
    off += 4; // score
    const len = buf.readInt32LE(off);
    off += 4;
    pieces.push(buf.subarray(off, off + len));
    off += len;
  }
  return pieces;
}

/**
 * Decode ids the way run.c prints them: "<0xXX>" pieces are raw bytes, and a
 * piece right after BOS (1) loses its leading space. `prev` is the id before
 * ids[0]. Returns the UTF-8 string.
 */
export function decodeIds(pieces, ids, prev = -1) {
  const out = [];
  for (const id of ids) {
    let piece = pieces[id];
    if (prev === 1 && piece[0] === 0x20) piece = piece.subarray(1);
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece.toString('latin1'));
    out.push(m ? Buffer.from([parseInt(m[1], 16)]) : piece);
    prev = id;
  }
  return Buffer.concat(out).toString('utf8');
}

/**
 * run.c's greedy reference for one of the stories260K `NAME_200` files:
 * { prompt, promptTokens, continuation(n) } where continuation(n) is the text
 * of the first n generated tokens, checked against what run.c printed (.txt).
 */
export function storiesReference(name) {
  const dir = dataPath('stories260K');
  const pieces = readLlama2cVocab(path.join(dir, 'tok512.bin'));
  const ids = readIds(path.join(dir, `${name}.ids`));
  const printed = fs.readFileSync(path.join(dir, `${name}.txt`), 'utf8');
  const prompt = decodeIds(pieces, ids.prompt.slice(1), 1);
  if (!printed.split('\n')[0].startsWith(prompt)) {
    throw new Error(`${name}: decoded prompt ${JSON.stringify(prompt)} does not start ${name}.txt`);
  }
  const generated = ids.all.slice(ids.prompt.length);
  return {
    prompt,
    promptTokens: ids.prompt.length,
    ids,
    continuation(n) {
      if (n > generated.length) throw new Error(`${name}: only ${generated.length} reference tokens`);
      const text = decodeIds(pieces, generated.slice(0, n), ids.prompt.at(-1));
      // The decoder must agree with what run.c printed: the prompt, then this text.
      if (!printed.startsWith(prompt + text)) {
        throw new Error(`${name}: decoded continuation disagrees with ${name}.txt: ${JSON.stringify(text)}`);
      }
      return text;
    },
  };
}
