// The frame protocol (issue 23, item 3) on a real Unix socket and on a
// pseudo-terminal standing in for a UART, spoken by lib/frames.mjs (written
// from docs/protocol.md, not from the gateway's code) and by the C client.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { encode } from '@msgpack/msgpack';

import { runEdgeai } from './lib/engine.mjs';
import { encodeFrame, FrameClient, TYPE, cobsEncode } from './lib/frames.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { sign } from './lib/signing.mjs';
import { CANNED, startUpstream, streamToken } from './lib/scripted_upstream.mjs';

const T = { timeout: 30000 };
const here = path.dirname(new URL(import.meta.url).pathname);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const chat = (extra = {}) => ({ model: CANNED.model, messages: [{ role: 'user', content: 'Say hello.' }], ...extra });

async function createKey(dataDir, ...args) {
  const all = ['keys', 'create', ...args, '--json', '--data-dir', dataDir];
  const r = await runEdgeai(all, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function connect(socketPath) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const client = new FrameClient((b) => sock.write(b));
    sock.on('data', (d) => client.feed(d));
    sock.once('connect', () => resolve({ sock, client }));
    sock.once('error', reject);
  });
}

/** A frame whose CRC is wrong, COBS-encoded properly: noise the CRC catches. */
function corruptFrame(type, id, payload) {
  const good = encodeFrame(type, id, payload);
  // Decode-free corruption: rebuild the raw frame and flip a payload bit.
  const raw = Buffer.alloc(14 + payload.length + 4);
  raw[0] = 0x45; raw[1] = 0x41; raw[2] = 1; raw[3] = type;
  raw.writeUInt32LE(id, 6); raw.writeUInt32LE(payload.length, 10);
  Buffer.from(payload).copy(raw, 14);
  raw.writeUInt32LE(0xdeadbeef, 14 + payload.length);
  assert.ok(good.length > 0);
  return Buffer.concat([cobsEncode(raw), Buffer.from([0])]);
}

async function metric(gw, pattern) {
  const text = await (await fetch(gw.url('/metrics'))).text();
  const m = text.match(pattern);
  return m ? Number(m[1]) : 0;
}

describe('frames on a Unix socket', () => {
  let up;
  let gw;
  let socketPath;
  before(async () => {
    up = await startUpstream();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-unix-'));
    socketPath = path.join(dir, 'edgeai.sock');
    // A socket file left by a gateway that is gone is replaced.
    const stale = net.createServer().listen(socketPath);
    await new Promise((r) => stale.once('listening', r));
    stale.close();
    fs.writeFileSync(path.join(dir, 'placeholder'), '');
    const config = writeConfig(`[server]\nunix_socket = "${socketPath}"\n`);
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('the socket file is a socket with mode 0660, removed at exit', T, async () => {
    const st = fs.statSync(socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o660);
  });

  it('answers chat plain and streamed, several requests in flight at once', T, async () => {
    const { sock, client } = await connect(socketPath);
    up.enqueue({ type: 'normal', chunks: 4, intervalMs: 20 });
    const streamed = client.request({ path: '/v1/chat/completions', body: chat({ stream: true }) });
    const plain = client.request({ path: '/v1/chat/completions', body: chat() });
    const models = client.request({ method: 'GET', path: '/v1/models' });
    const [s, p, m] = await Promise.all([streamed.done, plain.done, models.done]);
    assert.equal(p.status, 200);
    assert.equal(p.headers['content-type'], 'application/msgpack');
    assert.equal(p.events[0].choices[0].message.content, CANNED.chatContent);
    assert.equal(m.status, 200);
    assert.deepEqual(m.events[0].data.map((x) => x.id).sort(), [...CANNED.models].sort());
    assert.equal(s.status, 200);
    // One event per data message, in order, nothing lost.
    const text = s.events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('');
    assert.equal(text, [0, 1, 2, 3].map(streamToken).join(''));
    // The upstream got JSON, as from any HTTP client.
    const call = up.requestsTo('/v1/chat/completions', 'POST')[0];
    assert.match(call.headers['content-type'], /^application\/json/);
    sock.destroy();
  });

  it('noise, broken frames and bad messages are dropped; the link keeps serving', T, async () => {
    const { sock, client } = await connect(socketPath);
    const before = await metric(gw, /edgeai_link_frames_dropped_total\{link="unix",reason="checksum"\} (\d+)/);
    sock.write(Buffer.from('garbage \x01\x02\x03 more garbage'));
    sock.write(Buffer.from([0]));
    const broken = client.request({ path: '/v1/chat/completions', body: chat() }, { id: 40, send: false });
    sock.write(corruptFrame(TYPE.request, 40, encode({ method: 'POST', path: '/v1/chat/completions' })));
    const bad = client.request({ path: '/v1/chat/completions' }, { id: 41, send: false });
    sock.write(encodeFrame(TYPE.request, 41, encode([1, 2, 3])));
    const [b1, b2] = await Promise.all([broken.done, bad.done]);
    assert.equal(b1.error.code, 'bad_frame');
    assert.equal(b2.error.code, 'bad_request');
    const ok = await client.request({ path: '/v1/chat/completions', body: chat() }).done;
    assert.equal(ok.status, 200);
    assert.equal(await metric(gw, /edgeai_link_frames_dropped_total\{link="unix",reason="checksum"\} (\d+)/), before + 1);
    // An API error is an answer like any other, in MessagePack.
    const invalid = await client.request({ path: '/v1/chat/completions', body: { model: 'x', messages: 'no' } }).done;
    assert.equal(invalid.status, 400);
    assert.equal(invalid.events[0].error.param, 'messages');
    sock.destroy();
  });

  it('a request larger than a frame is sent in pieces and answered', T, async () => {
    const { sock, client } = await connect(socketPath);
    const long = 'x'.repeat(200_000);
    const r = await client.request({ path: '/v1/chat/completions', body: chat({ messages: [{ role: 'user', content: long }] }) }).done;
    assert.equal(r.status, 200);
    const call = up.requestsTo('/v1/chat/completions', 'POST').at(-1);
    assert.equal(call.json.messages[0].content, long);
    sock.destroy();
  });

  it('cancel stops a stream; a client that stops reading for a while loses nothing', T, async () => {
    const { sock, client } = await connect(socketPath);
    up.enqueue({ type: 'normal', chunks: 200, intervalMs: 20 });
    const seen = [];
    const streamed = client.request({ path: '/v1/chat/completions', body: chat({ stream: true }) }, { onEvent: (e) => seen.push(e) });
    while (seen.length < 3) await sleep(10);
    client.cancel(streamed.id);
    const r = await streamed.done;
    assert.equal(r.error.code, 'cancelled');
    await up.waitForRequest(() => true);
    up.enqueue({ type: 'normal', chunks: 30, intervalMs: 5 });
    const second = client.request({ path: '/v1/chat/completions', body: chat({ stream: true }) });
    sock.pause();
    await sleep(1500);
    sock.resume();
    const s = await second.done;
    assert.equal(s.status, 200);
    assert.equal(s.events.map((e) => e.choices?.[0]?.delta?.content ?? '').join(''),
      Array.from({ length: 30 }, (_, i) => streamToken(i)).join(''));
    sock.destroy();
  });

  it('keys apply on the socket as over HTTP', T, async () => {
    const key = await createKey(gw.dataDir, '--name', 'unix-dev', '--scopes', 'chat');
    await sleep(1500); // the gateway re-reads keys every second
    const { sock, client } = await connect(socketPath);
    const anon = await client.request({ path: '/v1/chat/completions', body: chat() }).done;
    assert.equal(anon.status, 401);
    const auth = { authorization: `Bearer ${key.key}` };
    const ok = await client.request({ path: '/v1/chat/completions', headers: auth, body: chat() }).done;
    assert.equal(ok.status, 200);
    const scoped = await client.request({ path: '/v1/embeddings', headers: auth, body: { model: 'm', input: 'x' } }).done;
    assert.equal(scoped.status, 403);
    sock.destroy();
  });

  it('limits and the audit log apply on the socket as over HTTP', T, async () => {
    const key = await createKey(gw.dataDir, '--name', 'unix-rpm', '--scopes', 'chat', '--rpm', '2');
    await sleep(1500);
    const { sock, client } = await connect(socketPath);
    const auth = { authorization: `Bearer ${key.key}` };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client.request({ path: '/v1/chat/completions', headers: auth, body: chat() }).done).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    sock.destroy();
    // Each request is a line of the audit log, naming the key and the socket.
    let mine = [];
    for (let i = 0; i < 50 && mine.length < 3; i++) {
      await sleep(100);
      const log = fs.readFileSync(path.join(gw.dataDir, 'audit.log'), 'utf8');
      mine = log.split('\n').filter(Boolean).map((l) => JSON.parse(l.slice(0, l.lastIndexOf('}') + 1))).filter((r) => r.key_id === key.id);
    }
    assert.deepEqual(mine.map((r) => r.status), [200, 200, 429]);
    for (const r of mine) {
      assert.equal(r.client, `unix:${socketPath}`);
      assert.equal(r.path, '/v1/chat/completions');
    }
  });
});

// A pty standing in for a UART: the gateway opens its slave side as
// [[serial]] device (a symlink, as udev makes one); the test speaks through
// the relay's stdin and stdout, paced to a 9600-baud line.
function startLine(link, rate) {
  const child = spawn('/usr/bin/python3', [path.join(here, 'lib', 'pty_line.py'), link, String(rate)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let first = Buffer.alloc(0);
    const onData = (d) => {
      first = Buffer.concat([first, d]);
      const nl = first.indexOf(10);
      if (nl < 0) return;
      child.stdout.off('data', onData);
      const client = new FrameClient((b) => child.stdin.write(b));
      const rest = first.subarray(nl + 1);
      child.stdout.on('data', (x) => client.feed(x));
      if (rest.length) client.feed(rest);
      resolve({ child, client });
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
  });
}

async function waitLog(gw, pred, ms = 10000) {
  const until = Date.now() + ms;
  const start = gw.logs.length;
  while (Date.now() < until) {
    if (gw.logs.slice(start).some(pred)) return;
    await sleep(50);
  }
  throw new Error(`no matching log line\n${gw.describe()}`);
}

describe('frames on a serial line (a pty)', () => {
  let up;
  let gw;
  let dir;
  let device;
  let key;
  let signer;
  before(async () => {
    up = await startUpstream();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-serial-'));
    device = path.join(dir, 'ttyEDGE0');
    const config = writeConfig(`[[serial]]\ndevice = "${device}"\nbaud = 9600\n`);
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config] });
    key = await createKey(gw.dataDir, '--name', 'uart-dev', '--scopes', 'chat,models');
    signer = await createKey(gw.dataDir, '--name', 'uart-signer', '--scopes', 'models', '--signing');
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('a streamed answer crosses a 9600-baud line with noise, and the line comes back after unplugging', { timeout: 90000 }, async () => {
    // The device is not there yet: the gateway keeps trying.
    let line = await startLine(device, 960);
    await waitLog(gw, (l) => l.msg === 'serial line open');
    await sleep(1200); // the key store is re-read every second
    const { client } = line;
    const auth = { authorization: `Bearer ${key.key}` };
    // No key: the serial line is never trusted as local.
    const anon = await client.request({ method: 'GET', path: '/v1/models' }).done;
    assert.equal(anon.status, 401);
    // Line noise before and between frames.
    line.child.stdin.write(Buffer.from('\x13\x37noise\xff\xfe'));
    line.child.stdin.write(Buffer.from([0]));
    up.enqueue({ type: 'normal', chunks: 5, intervalMs: 10 });
    const t0 = Date.now();
    const streamed = await client.request({ path: '/v1/chat/completions', headers: auth, body: chat({ stream: true }) }).done;
    assert.equal(streamed.status, 200);
    assert.equal(streamed.events.map((e) => e.choices?.[0]?.delta?.content ?? '').join(''),
      [0, 1, 2, 3, 4].map(streamToken).join(''));
    // The pace was a slow line's: the answer's frames alone took a while.
    const bytes = streamed.chunks.reduce((n, c) => n + c.length, 0);
    assert.ok(Date.now() - t0 >= (bytes / 960) * 1000 * 0.8, `${bytes} bytes in ${Date.now() - t0} ms`);
    // A truncated frame (the device reset mid-frame), then a good request.
    const truncated = encodeFrame(TYPE.request, 90, encode({ method: 'GET', path: '/v1/models' }));
    line.child.stdin.write(truncated.subarray(0, truncated.length - 6));
    line.child.stdin.write(Buffer.from([0]));
    const models = await client.request({ method: 'GET', path: '/v1/models', headers: auth }).done;
    assert.equal(models.status, 200);
    // A device that signs its requests (no bearer key on the wire).
    const ts = Math.floor(Date.now() / 1000);
    const signature = sign(signer.key, { method: 'GET', target: '/v1/models', body: '', ts, nonce: 'uart-nonce-1' });
    const signedModels = await client.request({ method: 'GET', path: '/v1/models', headers: { 'x-edgeai-signature': signature } }).done;
    assert.equal(signedModels.status, 200);
    const replayed = await client.request({ method: 'GET', path: '/v1/models', headers: { 'x-edgeai-signature': signature } }).done;
    assert.equal(replayed.status, 401, 'a replayed signature');

    // Unplugged: the relay ends and the pty goes away; then a new one appears
    // under the same name, and the gateway opens it again.
    line.child.stdin.end();
    await waitLog(gw, (l) => l.msg?.startsWith('serial line lost'));
    line = await startLine(device, 0);
    await waitLog(gw, (l) => l.msg === 'serial line open');
    const again = await line.client.request({ path: '/v1/chat/completions', headers: auth, body: chat() }).done;
    assert.equal(again.status, 200);
    assert.equal(again.events[0].choices[0].message.content, CANNED.chatContent);
    line.child.stdin.end();
  });
});

describe('the C client', () => {
  it('builds with -std=c99 -Wall -Wextra -Werror and talks to the Unix socket', T, async (t) => {
    const cc = spawnSync('cc', ['--version']);
    if (cc.status !== 0) return t.skip('no C compiler');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-c-'));
    const root = path.resolve(here, '..', '..');
    const exe = path.join(out, 'edgeai_frame_example');
    const build = spawnSync('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2',
      '-I', path.join(root, 'clients', 'c'),
      path.join(root, 'clients', 'c', 'edgeai_frame.c'), path.join(root, 'clients', 'c', 'example', 'unix_chat.c'),
      '-o', exe], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);

    const up = await startUpstream();
    const socketPath = path.join(out, 's.sock');
    const config = writeConfig(`[server]\nunix_socket = "${socketPath}"\n`);
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config] });
    try {
      up.enqueue({ type: 'normal', chunks: 6 });
      // Not spawnSync: the scripted upstream answers from this process's loop.
      const run = await new Promise((resolve) => {
        execFile(exe, [socketPath, CANNED.model, 'Say hello.'], { encoding: 'utf8', timeout: 20000 },
          (error, stdout, stderr) => resolve({ status: error ? error.code ?? 1 : 0, stdout, stderr }));
      });
      assert.equal(run.status, 0, run.stderr + run.stdout);
      // It printed the status and the streamed text, decoded by its own MessagePack reader.
      assert.match(run.stdout, /^status 200$/m);
      assert.ok(run.stdout.includes([0, 1, 2, 3, 4, 5].map(streamToken).join('')), run.stdout);
      assert.match(run.stdout, /^end$/m);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
