// The terminal (issue 21, item 2): `--log-format human` prints a start banner
// (URL, console, models, backends, auth, data dir) and one readable line per
// request (method, path, status, model and backend, tokens, tok/s, ms);
// `auto` (the default) is human on a terminal and JSON lines otherwise. The
// terminal is a real pty made by util-linux's `script`.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { request } from './lib/clients.mjs';
import { EDGEAI_BIN } from './lib/gateway.mjs';
import { describeRun, runEdgeai } from './lib/engine.mjs';

const T = { timeout: 60000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_DIR = path.resolve(here, '..', '..', 'models', 'demo');
const skip = !fs.existsSync(EDGEAI_BIN) ? `edgeai binary not found at ${EDGEAI_BIN}` : false;
const hasScript = spawnSync('script', ['--version']).status === 0;

/** A running `edgeai serve`, its output (stdout and stderr together) as text. */
class Serve {
  constructor(command, args, env) {
    this.out = '';
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d) => { this.out += d; });
    this.child.stderr.on('data', (d) => { this.out += d; });
  }

  /** Waits until `pattern` matches the output; returns the match. */
  async until(pattern, ms = 30000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = this.out.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${pattern} in:\n${this.out}`);
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await gone;
  }
}

describe('the terminal', { skip }, () => {
  let dir, model, env;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-terminal-'));
    model = path.join(dir, 'storyteller.gguf');
    const args = ['model', 'convert-llama2c', path.join(DEMO_DIR, 'stories260K.bin'),
      path.join(DEMO_DIR, 'tok512.bin'), '-o', model];
    const r = await runEdgeai(args);
    assert.equal(r.code, 0, describeRun(args, r));
    env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, TERM: 'dumb' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const serveArgs = (extra) => ['serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, `data-${Math.random().toString(36).slice(2)}`),
    '-m', model, '--chat-template', 'chatml', '--threads', '1', ...extra];

  it('--log-format human: a banner, then one line per request with model, tokens and speed', T, async () => {
    const s = new Serve(EDGEAI_BIN, serveArgs(['--log-format', 'human']), env);
    try {
      const [, url] = await s.until(/is listening on (http:\/\/127\.0\.0\.1:\d+)/);
      await s.until(/data dir/);
      assert.match(s.out, new RegExp(`console\\s+${url}/ui/`));
      assert.match(s.out, /models\s+storyteller/);
      assert.match(s.out, /backends\s+local/);
      assert.match(s.out, /auth\s+off until the first key/);
      assert.doesNotMatch(s.out, /^\{/m, 'no JSON lines');

      const r = await request(`${url}/v1/chat/completions`, { method: 'POST', body: { model: 'storyteller', messages: [{ role: 'user', content: 'Once' }], max_tokens: 8, temperature: 0 } });
      assert.equal(r.status, 200);
      const { prompt_tokens: p, completion_tokens: c } = r.json.usage;
      const line = await s.until(/^\d\d:\d\d:\d\d POST \/v1\/chat\/completions 200 .*$/m);
      assert.match(line[0], new RegExp(`storyteller via local  ${p}\\+${c} tokens  [0-9.]+ tok/s  \\d+ ms$`));
      // A client's control characters are shown escaped, never written raw.
      await request(`${url}/v1/models/evil%1b%5b2Jname`, { method: 'GET' });
      const evil = await s.until(/^.*GET \/v1\/models\/evil.*$/m);
      assert.ok(!evil[0].includes('\x1b'), 'no raw escape byte in the log');
    } finally {
      await s.stop();
    }
  });

  it('auto: JSON lines when the output is not a terminal', T, async () => {
    const s = new Serve(EDGEAI_BIN, serveArgs([]), env);
    try {
      const m = await s.until(/^\{.*"msg":"listening".*\}$/m);
      const listening = JSON.parse(m[0]);
      assert.match(listening.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(listening.console, `${listening.url}/ui/`);
      assert.match(JSON.stringify(listening.models), /storyteller/);
    } finally {
      await s.stop();
    }
  });

  it('auto: the banner when the output is a terminal', { ...T, skip: !hasScript && 'needs script(1) from util-linux' }, async () => {
    const command = [EDGEAI_BIN, ...serveArgs([])].map((a) => `'${a}'`).join(' ');
    const s = new Serve('script', ['-qfec', command, '/dev/null'], env);
    try {
      await s.until(/is listening on http:\/\/127\.0\.0\.1:\d+/);
      await s.until(/console\s+http/);
      assert.doesNotMatch(s.out, /"msg":"listening"/);
    } finally {
      await s.stop();
    }
  });
});
