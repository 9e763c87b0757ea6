// edgeai.wasm under node's WASI: the gateway and the engine in one WASI
// command, driven by JSON lines on stdin (docs/protocol.md). The model is
// stories260K converted by the native binary and preopened as /models; the
// answers are compared with the native gateway's for the same request.
// Runs once, against the release build (skipped when EDGEAI_BIN is ASan's).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EDGEAI_BIN } from './lib/gateway.mjs';
import { convertStories, makeTmpDir, missingData, removeTmpDir, startLocalServe } from './lib/engine.mjs';
import { request } from './lib/clients.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const WASM = process.env.EDGEAI_WASM || path.join(repoRoot, 'build', 'wasi', 'apps', 'edgeai-wasm', 'edgeai.wasm');
const RUNNER = path.join(repoRoot, 'scripts', 'wasi-run.mjs');

function skipReason() {
  if (/[\\/]build[\\/]asan[\\/]/.test(EDGEAI_BIN)) return 'runs once, against the release build';
  if (!fs.existsSync(WASM)) return `edgeai.wasm not found at ${WASM} (cmake --build --preset wasi, or set EDGEAI_WASM)`;
  if (!fs.existsSync(EDGEAI_BIN)) return `edgeai binary not found at ${EDGEAI_BIN} (it converts the model)`;
  return missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');
}
const SKIP = skipReason();

const SERVE_ARGS = ['--ctx-size', '1024', '--chat-template', 'chatml'];
const CHAT = {
  model: 'stories260K',
  messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
  temperature: 0,
  max_tokens: 24,
};

/** `edgeai.wasm serve-stdio` in node's WASI, with a line reader on its stdout. */
class WasmShell {
  constructor(modelDir) {
    this.child = spawn(process.execPath, [RUNNER, '--dir', `${modelDir}::/models`, WASM,
      'serve-stdio', '-m', '/models/stories260K.gguf', ...SERVE_ARGS, '--log-level', 'warn'],
    { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = [];
    this.waiters = [];
    this.stderr = '';
    let pending = '';
    this.child.stdout.on('data', (d) => {
      pending += d.toString('utf8');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.lines.push(JSON.parse(text)); // every output line must be JSON
        this.wake();
      }
    });
    this.child.stderr.on('data', (d) => { this.stderr += d.toString('utf8'); });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => { this.code = code; this.wake(); resolve(code); }));
  }

  wake() { for (const w of this.waiters.splice(0)) w(); }

  send(obj) { this.child.stdin.write(`${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n`); }

  /** Resolves once pred(lines) is true; fails after timeoutMs with what came. */
  async until(pred, what, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.lines)) {
      if (this.code !== undefined) throw new Error(`edgeai.wasm exited (${this.code}) waiting for ${what}\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; lines: ${JSON.stringify(this.lines.slice(-5))}\n${this.stderr}`);
      await new Promise((resolve) => { const t = setTimeout(resolve, left); this.waiters.push(() => { clearTimeout(t); resolve(); }); });
    }
  }

  /** The lines of request `id` once its end (or error) line came. */
  async answer(id, timeoutMs) {
    const done = (ls) => ls.some((l) => l.id === id && (l.type === 'end' || l.type === 'error'));
    await this.until(done, `the answer to ${JSON.stringify(id)}`, timeoutMs);
    return this.lines.filter((l) => l.id === id);
  }

  async close() {
    this.child.stdin.end();
    return this.exited;
  }
}

function streamText(lines) {
  return lines.filter((l) => l.type === 'event' && typeof l.data === 'object')
    .map((l) => l.data.choices?.[0]?.delta?.content ?? '').join('');
}

describe('edgeai.wasm serve-stdio', { skip: SKIP }, () => {
  let dir;
  let shell;
  let nonStreamed;

  before(async () => {
    dir = makeTmpDir('edgeai-it-wasi-');
    await convertStories(dir);
    shell = new WasmShell(dir);
  });

  after(async () => {
    if (shell && shell.code === undefined) { shell.child.kill('SIGKILL'); await shell.exited; }
    if (dir) removeTmpDir(dir);
  });

  test('lists the model it serves', async () => {
    shell.send({ id: 'models', method: 'GET', path: '/v1/models' });
    const [head, body, end] = await shell.answer('models');
    assert.equal(head.type, 'head');
    assert.equal(head.status, 200);
    assert.equal(body.type, 'body');
    assert.deepEqual(body.body.data.map((m) => m.id), ['stories260K']);
    assert.equal(end.type, 'end');
  });

  test('answers a chat completion', async () => {
    shell.send({ id: 1, method: 'POST', path: '/v1/chat/completions', body: CHAT });
    const [head, body] = await shell.answer(1);
    assert.equal(head.status, 200, JSON.stringify(body));
    assert.match(head.headers['content-type'], /json/);
    nonStreamed = body.body.choices[0].message.content;
    assert.ok(nonStreamed.length > 0);
    assert.equal(body.body.usage.completion_tokens, 24);
  });

  test('streams the same text, event by event, in order', async () => {
    shell.send({ id: 2, path: '/v1/chat/completions', body: { ...CHAT, stream: true } });
    const lines = await shell.answer(2);
    assert.equal(lines[0].type, 'head');
    assert.match(lines[0].headers['content-type'], /text\/event-stream/);
    assert.equal(lines.at(-1).type, 'end');
    assert.equal(lines.at(-2).data, '[DONE]');
    assert.ok(lines.slice(1, -1).every((l) => l.type === 'event'));
    assert.ok(lines.length > 5, 'one line per event');
    assert.equal(streamText(lines), nonStreamed);
  });

  test('gives the same text as the native gateway for the same request', async () => {
    const gw = await startLocalServe({ models: [path.join(dir, 'stories260K.gguf')], args: [...SERVE_ARGS, '--threads', '1'] });
    try {
      const r = await request(`${gw.baseUrl}/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT),
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, nonStreamed);
    } finally {
      await gw.stop();
    }
  });

  test('answers embeddings', async () => {
    shell.send({ id: 'e', path: '/v1/embeddings', body: { model: 'stories260K', input: ['a cat', 'a dog'] } });
    const [head, body] = await shell.answer('e');
    assert.equal(head.status, 200, JSON.stringify(body));
    assert.equal(body.body.data.length, 2);
    for (const item of body.body.data) {
      assert.equal(item.embedding.length, 64);
      assert.ok(item.embedding.every(Number.isFinite));
    }
  });

  test('serves the Ollama, Responses and MessagePack forms of chat', async () => {
    shell.send({ id: 'o', path: '/api/chat', body: { model: 'stories260K', messages: CHAT.messages, stream: true, options: { temperature: 0, num_predict: 24 } } });
    const o = await shell.answer('o');
    assert.equal(o[0].status, 200);
    assert.match(o[0].headers['content-type'], /ndjson/);
    const events = o.filter((l) => l.type === 'event');
    assert.equal(events.at(-1).data.done, true);
    assert.equal(events.map((l) => l.data.message?.content ?? '').join(''), nonStreamed);

    shell.send({ id: 'r', path: '/v1/responses', body: { model: 'stories260K', input: CHAT.messages, temperature: 0, max_output_tokens: 24 } });
    const [rHead, rBody] = await shell.answer('r');
    assert.equal(rHead.status, 200, JSON.stringify(rBody));
    assert.equal(rBody.body.store, false);
    assert.equal(rBody.body.output_text ?? rBody.body.output[0].content[0].text, nonStreamed);

    shell.send({ id: 'm', path: '/v1/models', headers: { accept: 'application/msgpack' } });
    const [mHead, mBody] = await shell.answer('m');
    assert.match(mHead.headers['content-type'], /msgpack/);
    assert.ok(Buffer.from(mBody.body_base64, 'base64').includes(Buffer.from('stories260K')));
  });

  test('answers two streams in flight interleaved, each by its id', async () => {
    const from = shell.lines.length;
    shell.send({ id: 'a', path: '/v1/chat/completions', body: { ...CHAT, max_tokens: 40, stream: true } });
    shell.send({ id: 'b', path: '/v1/chat/completions', body: { ...CHAT, max_tokens: 40, stream: true } });
    const a = await shell.answer('a');
    const b = await shell.answer('b');
    const order = shell.lines.slice(from).filter((l) => l.type === 'event').map((l) => l.id);
    const firstB = order.indexOf('b');
    assert.ok(firstB >= 0 && firstB < order.lastIndexOf('a'), `b's events come while a streams: ${order.join('')}`);
    assert.equal(streamText(a), streamText(b), 'the same request gives the same text');
    assert.ok(streamText(a).startsWith(nonStreamed));
  });

  test('answers bad input with error lines and keeps serving', async () => {
    shell.send('this is not json');
    shell.send({ method: 'GET', path: '/v1/models' });
    shell.send({ id: 'nf', path: '/v1/no/such/route' });
    shell.send({ id: 'q', path: '/v1/usage' });
    shell.send({ id: 'k', path: '/v1/keys' });
    await shell.until((ls) => ls.some((l) => l.id === 'q' && l.type === 'end'), 'the usage answer');
    const errors = shell.lines.filter((l) => l.type === 'error' && l.id === null);
    assert.ok(errors.some((l) => l.error.code === 'bad_line'), JSON.stringify(errors));
    assert.ok(errors.some((l) => l.error.code === 'missing_id'), JSON.stringify(errors));
    const [nf] = await shell.answer('nf');
    assert.equal(nf.status, 404);
    for (const id of ['q', 'k']) {
      const [head, body] = await shell.answer(id);
      assert.equal(head.status, 400);
      assert.equal(body.body.error.code, 'unsupported');
      assert.match(body.body.error.message, /not available in this build/);
    }
  });

  test('skips a line of 100 MB with an error carrying its id', async () => {
    const chunk = 'x'.repeat(1 << 20);
    shell.child.stdin.write('{"id":"huge","path":"/v1/chat/completions","body":"');
    for (let i = 0; i < 100; i++) {
      if (!shell.child.stdin.write(chunk)) await new Promise((r) => shell.child.stdin.once('drain', r));
    }
    shell.child.stdin.write('"}\n');
    const [err] = await shell.answer('huge', 60000);
    assert.equal(err.type, 'error');
    assert.equal(err.error.code, 'line_too_long');
    shell.send({ id: 'after', path: '/healthz' });
    const [head] = await shell.answer('after');
    assert.equal(head.status, 200);
  });

  test('finishes the answers in flight when stdin closes mid-stream, then exits', async () => {
    shell.send({ id: 'last', path: '/v1/chat/completions', body: { ...CHAT, stream: true } });
    shell.child.stdin.write('{"id":"cut","path":"/v1/mod');
    const code = await shell.close();
    assert.equal(code, 0, shell.stderr);
    const last = shell.lines.filter((l) => l.id === 'last');
    assert.equal(last.at(-1).type, 'end');
    assert.equal(streamText(last), nonStreamed);
    const cut = shell.lines.find((l) => l.id === 'cut');
    assert.equal(cut.error.code, 'incomplete_line');
  });
});

describe('edgeai.wasm run and bench', { skip: SKIP }, () => {
  let dir;
  before(async () => { dir = makeTmpDir('edgeai-it-wasi-run-'); await convertStories(dir); });
  after(() => { if (dir) removeTmpDir(dir); });

  const wasm = (...args) => spawnSync(process.execPath, [RUNNER, '--dir', `${dir}::/models`, WASM, ...args],
    { encoding: 'utf8', timeout: 60000 });

  test('run generates what the native run generates', () => {
    const args = ['-p', 'Once upon a time', '-n', '30', '--temperature', '0'];
    const w = wasm('run', '-m', '/models/stories260K.gguf', ...args);
    assert.equal(w.status, 0, w.stderr);
    const n = spawnSync(EDGEAI_BIN, ['run', '-m', path.join(dir, 'stories260K.gguf'), '-t', '1', ...args], { encoding: 'utf8' });
    assert.equal(n.status, 0, n.stderr);
    assert.ok(w.stdout.length > 20);
    assert.equal(w.stdout, n.stdout);
  });

  test('bench reports prompt and generation speed', () => {
    const w = wasm('bench', '-m', '/models/stories260K.gguf', '-p', '16', '-n', '8', '-r', '1', '--json');
    assert.equal(w.status, 0, w.stderr);
    const r = JSON.parse(w.stdout);
    assert.equal(r.threads, 1);
    assert.equal(r.kernels, 'simd128');
    assert.ok(r.pp_tok_s > 0 && r.tg_tok_s > 0);
  });

  test('a model outside the preopened directories is refused with a hint', () => {
    const w = wasm('run', '-m', '/elsewhere/x.gguf', '-p', 'hi');
    assert.equal(w.status, 1);
    assert.match(w.stderr, /preopen/);
  });
});
