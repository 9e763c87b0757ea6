// Start/stop helper for the edgeai gateway process under test.
//
//   const gw = await startGateway({ upstream: up.baseUrl, env: { EDGEAI_UPSTREAM_TIMEOUT_MS: '500' } });
//   ... gw.port, gw.url('/healthz'), gw.baseUrl ('http://127.0.0.1:PORT/v1') ...
//   await gw.stop();
//
// Every gateway gets a fresh temporary directory (data dir + captured stderr)
// which is removed on stop() unless EDGEAI_TEST_KEEP_TMP=1. Its stderr is
// kept in memory for diagnostics (gw.stderr, gw.logs, gw.describe()); set
// EDGEAI_TEST_VERBOSE=1 to also copy it to the test runner's stderr.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

export const EDGEAI_BIN = process.env.EDGEAI_BIN || path.join(repoRoot, 'build', 'release', 'apps', 'edgeai', 'edgeai');

// Not EDGEAI_-prefixed: the gateway warns about EDGEAI_* variables that are not its settings.
export const UPSTREAM_KEY_ENV = 'IT_EDGEAI_UPSTREAM_KEY';
export const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* ignore */ }
  }
});

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Hermetic: never inherit the gateway's own settings from the caller's shell.
    if (k.startsWith('EDGEAI_') && k !== 'EDGEAI_BIN') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** A config file holding `text`, in a fresh temp dir; returns its path. */
export function writeConfig(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-config-'));
  const file = path.join(dir, 'edgeai.toml');
  fs.writeFileSync(file, text);
  return file;
}

export class Gateway {
  constructor(child, tmpDir) {
    this.child = child;
    this.tmpDir = tmpDir;
    this.port = 0;
    this.stderr = '';
    this.stdout = '';
    /** parsed JSON log lines from stderr */
    this.logs = [];
    this.exit = null; // { code, signal } once exited
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(child);
        resolve(this.exit);
      });
    });
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      this.stderr += s;
      if (process.env.EDGEAI_TEST_VERBOSE === '1') process.stderr.write(s);
      partial += s;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).trim();
        partial = partial.slice(nl + 1);
        if (!line) continue;
        try { this.logs.push(JSON.parse(line)); } catch { /* not a JSON line; still in this.stderr */ }
        this._onLog?.();
      }
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => { this.stdout += s; });
  }

  get pid() { return this.child.pid; }
  get origin() { return `http://127.0.0.1:${this.port}`; }
  /** Base URL for the OpenAI SDK. */
  get baseUrl() { return `${this.origin}/v1`; }
  url(p) { return `${this.origin}${p}`; }

  /** stderr lines that are not JSON objects (the contract: one JSON object per line). */
  nonJsonLines() {
    return this.stderr.split('\n').filter((l) => l.trim()).filter((l) => {
      try { const o = JSON.parse(l); return !(o && typeof o === 'object' && !Array.isArray(o)); } catch { return true; }
    });
  }

  /** A short text for assertion messages: exit state and the tail of stderr. */
  describe(tailChars = 3000) {
    const state = this.exit ? `EXITED code=${this.exit.code} signal=${this.exit.signal}` : `running pid=${this.pid}`;
    return `[edgeai ${state} port=${this.port}]\n--- stderr tail ---\n${this.stderr.slice(-tailChars)}`;
  }

  async _waitListening(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find((l) => l && l.msg === 'listening' && typeof l.address === 'string');
      if (line) {
        const port = Number(line.address.slice(line.address.lastIndexOf(':') + 1));
        if (!Number.isInteger(port) || port <= 0) throw new Error(`bad listening address ${line.address}\n${this.describe()}`);
        this.port = port;
        return;
      }
      if (this.exit) throw new Error(`edgeai exited before listening\n${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`edgeai did not log "listening" within ${timeoutMs} ms\n${this.describe()}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this._onLog = () => { clearTimeout(t); resolve(); };
        this.exited.then(() => { clearTimeout(t); resolve(); });
      });
      this._onLog = null;
    }
  }

  /** Send a signal (default SIGTERM). */
  signal(sig = 'SIGTERM') {
    if (!this.exit) this.child.kill(sig);
  }

  /** Resolve with { code, signal } or reject after timeoutMs. */
  async waitExit(timeoutMs = 10000) {
    let t;
    const timeout = new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`edgeai did not exit within ${timeoutMs} ms\n${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  /** SIGTERM, then SIGKILL after graceMs; removes the temp dir. Returns the exit info. */
  async stop(graceMs = 5000) {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exit) this.child.kill('SIGKILL'); }, graceMs);
      await this.exited;
      clearTimeout(t);
    }
    if (process.env.EDGEAI_TEST_KEEP_TMP !== '1') {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
    } else {
      fs.writeFileSync(path.join(this.tmpDir, 'stderr.log'), this.stderr);
    }
    return this.exit;
  }
}

/**
 * Start `edgeai serve` against `upstream` and wait for its "listening" line.
 * options: upstream (base URL, required), env (extra env vars), args (extra CLI
 * args), keyEnv/key (upstream key env var name and value), startTimeoutMs,
 * listen (default 127.0.0.1:0), dataDir (reuse one).
 */
export async function startGateway(options) {
  const {
    upstream,
    env = {},
    args = [],
    keyEnv = UPSTREAM_KEY_ENV,
    key = UPSTREAM_KEY,
    startTimeoutMs = 15000,
    logLevel = 'info',
    // A data dir to reuse (a restart); by default a fresh one in the temp dir.
    dataDir: givenDataDir,
    listen = '127.0.0.1:0',
  } = options;
  if (!upstream) throw new Error('startGateway: upstream is required');
  if (!fs.existsSync(EDGEAI_BIN)) {
    throw new Error(`edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`);
  }
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-'));
  const dataDir = givenDataDir ?? path.join(tmpDir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const argv = [
    'serve',
    '--listen', listen,
    '--upstream', upstream,
    '--upstream-key-env', keyEnv,
    '--data-dir', dataDir,
    '--log-level', logLevel,
    ...args,
  ];
  const child = spawn(EDGEAI_BIN, argv, {
    env: cleanEnv({ [keyEnv]: key, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
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
