// Webhooks (x-edgeai-callback-url) end to end, on real sockets: where they may
// go (issue 16 item 2: loopback, link-local, private and the gateway itself
// are refused at submission when the URL names an address in any spelling,
// and at delivery when a name resolves to one, with the receiver never
// contacted and no oracle in the job's webhook_status), what
// queue.webhook_allow admits, and how long one may take (item 3: a receiver
// that drips a byte at a time is cut at queue.webhook_timeout_ms, and one
// key's slow receivers leave a slot for another key's webhook).
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test webhooks.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { ScriptedUpstream } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { request, sleep } from './lib/clients.mjs';
import { describeRun, runEdgeai } from './lib/engine.mjs';

const QUEUE = `
[queue]
backoff_base_ms = 50
backoff_max_ms = 100
poll_ms = 50
max_attempts = 2
`;

const chatBody = () => ({ model: 'gpt-test', messages: [{ role: 'user', content: 'call me' }] });

function submit(gw, callbackUrl, headers = {}) {
  return request(gw.url('/v1/chat/completions'), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      prefer: 'respond-async',
      'x-edgeai-callback-url': callbackUrl,
      ...headers,
    },
    body: JSON.stringify(chatBody()),
  });
}

/** Polls a job until `pred` holds; returns it. */
async function waitForJob(gw, id, pred, { headers = {}, timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(gw.url(`/v1/jobs/${id}`), { headers });
    assert.equal(r.status, 200, r.text);
    if (pred(r.json)) return r.json;
    if (Date.now() > deadline) assert.fail(`job ${id} never got there: ${r.text}`);
    await sleep(30);
  }
}

const webhookEnded = (j) => j.webhook_status === 'delivered' || j.webhook_status === 'failed';

/** A receiver on 127.0.0.1 that records each call and answers with `handler` (default 204). */
async function startReceiver(handler = (req, res) => { res.writeHead(204); res.end(); }) {
  const calls = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      calls.push({ at: Date.now(), url: req.url, headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    calls,
    port: server.address().port,
    url(p = '/hook') { return `http://127.0.0.1:${this.port}${p}`; },
    close() { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
  };
}

describe('webhook destinations (no allow-list)', () => {
  let up, gw, receiver;

  before(async () => {
    up = await new ScriptedUpstream().start();
    receiver = await startReceiver();
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig(QUEUE)] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await receiver?.close();
  });

  test('every spelling of a non-public address is refused at submission with 400', async () => {
    const p = receiver.port;
    const refused = [
      `http://127.0.0.1:${p}/hook`,
      `http://0x7f000001:${p}/hook`,
      `http://127.1:${p}/hook`,
      `http://017700000001:${p}/hook`,
      `http://2130706433:${p}/hook`,
      `http://[::1]:${p}/hook`,
      `http://[::ffff:127.0.0.1]:${p}/hook`,
      `http://[64:ff9b::7f00:1]:${p}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/hook',
      'http://10.0.0.1/hook',
      'http://0.0.0.0/hook',
      `http://127.0.0.1:${gw.port}/v1/jobs`, // the gateway itself
    ];
    for (const url of refused) {
      const r = await submit(gw, url);
      assert.equal(r.status, 400, `${url}: ${r.text}`);
      assert.equal(r.json.error.type, 'invalid_request_error');
      assert.equal(r.json.error.param, 'x-edgeai-callback-url');
      assert.match(r.json.error.message, /destination refused by policy/);
    }
    assert.equal(receiver.calls.length, 0);
  });

  test('malformed callback URLs are refused at submission, naming the header', async () => {
    for (const url of ['ftp://example.com/', 'http://user:pw@example.com/', 'http://example.com@127.0.0.1/',
      'http://example.com/a b', 'http://256.1.1.1/', 'http://[fe80::1%25eth0]/', `http://example.com/${'a'.repeat(2100)}`]) {
      const r = await submit(gw, url);
      assert.equal(r.status, 400, `${url}: ${r.text}`);
      assert.equal(r.json.error.param, 'x-edgeai-callback-url');
      assert.doesNotMatch(r.json.error.message, /pw@/, 'credentials are never echoed');
    }
  });

  test('a name that resolves to the loopback is refused at delivery; the receiver is never contacted', async () => {
    const r = await submit(gw, `http://localhost:${receiver.port}/hook`);
    assert.equal(r.status, 202, r.text);
    const job = await waitForJob(gw, r.json.id, webhookEnded);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.webhook_status, 'failed');
    assert.equal(job.webhook_attempts, 2);
    assert.equal(receiver.calls.length, 0, 'nothing reached the receiver');
    const refusal = gw.logs.find((l) => /refused by policy/.test(l.msg ?? l.message ?? ''));
    assert.ok(refusal, `the operator's log says why: ${gw.describe?.() ?? ''}`);
  });

  test('a refused destination and an unreachable one look the same to the caller', async () => {
    const refused = await submit(gw, `http://localhost:${receiver.port}/hook`);
    const unreachable = await submit(gw, 'http://nonexistent.invalid/hook');
    assert.equal(refused.status, 202);
    assert.equal(unreachable.status, 202);
    const a = await waitForJob(gw, refused.json.id, webhookEnded);
    const b = await waitForJob(gw, unreachable.json.id, webhookEnded);
    const shape = (j) => ({ status: j.status, webhook_status: j.webhook_status,
      webhook_attempts: j.webhook_attempts, last_error: j.last_error, keys: Object.keys(j).sort() });
    assert.deepEqual(shape(a), shape(b));
  });
});

describe('webhook destinations (queue.webhook_allow)', () => {
  let up, gw, receiver;

  before(async () => {
    up = await new ScriptedUpstream().start();
    receiver = await startReceiver();
    gw = await startGateway({
      upstream: up.baseUrl,
      args: ['--config', writeConfig(`${QUEUE}webhook_allow = ["127.0.0.1/32"]\n`)],
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await receiver?.close();
  });

  test('an allowed local receiver gets the webhook, under any spelling of its address', async () => {
    for (const host of ['127.0.0.1', '127.1', '0x7f000001']) {
      const before = receiver.calls.length;
      const r = await submit(gw, `http://${host}:${receiver.port}/hook?n=1`);
      assert.equal(r.status, 202, r.text);
      assert.equal(r.json.callback_url, `http://127.0.0.1:${receiver.port}/hook?n=1`, 'kept normalised');
      const job = await waitForJob(gw, r.json.id, webhookEnded);
      assert.equal(job.webhook_status, 'delivered', JSON.stringify(job));
      assert.equal(receiver.calls.length, before + 1);
      const call = receiver.calls.at(-1);
      assert.equal(call.url, '/hook?n=1');
      assert.equal(call.headers.host, `127.0.0.1:${receiver.port}`);
      assert.equal(JSON.parse(call.body).id, r.json.id);
    }
  });

  test('the allow-list does not open the gateway itself, nor other loopback addresses', async () => {
    for (const url of [`http://127.0.0.1:${gw.port}/v1/jobs`, `http://127.0.0.2:${receiver.port}/hook`,
      `http://[::1]:${receiver.port}/hook`]) {
      const r = await submit(gw, url);
      assert.equal(r.status, 400, `${url}: ${r.text}`);
    }
  });

  test('a bad allow-list entry stops the gateway at start, naming the entry', async () => {
    const upstream = up.baseUrl;
    await assert.rejects(
      startGateway({ upstream, args: ['--config', writeConfig(`${QUEUE}webhook_allow = ["10.0.0.0/33"]\n`)], startTimeoutMs: 5000 }),
      /10\.0\.0\.0\/33/);
  });
});

/** A forward proxy that records the absolute URLs it is asked for and passes them on. */
async function startProxy() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url);
    const out = http.request(req.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    out.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(out);
  });
  server.on('connect', (req, socket) => { seen.push(`CONNECT ${req.url}`); socket.destroy(); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    seen,
    url: `http://127.0.0.1:${server.address().port}`,
    close() { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
  };
}

/** A CA and a certificate for 127.0.0.1, made with the openssl tool. */
function makeCertificates(dir) {
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=webhook test CA',
      '-keyout', 'ca.key', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
}

describe('webhooks use no proxy and follow no redirect', () => {
  let up, gw, proxy, receiver, target, tls, dir;
  const tlsConnections = [];

  before(async () => {
    up = await new ScriptedUpstream().start();
    proxy = await startProxy();
    target = await startReceiver();
    // Answers every webhook with a redirect to `target`.
    receiver = await startReceiver((req, res) => {
      res.writeHead(307, { location: target.url('/redirected') });
      res.end();
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-webhook-tls-'));
    makeCertificates(dir);
    tls = https.createServer({
      key: fs.readFileSync(path.join(dir, 'server.key')),
      cert: fs.readFileSync(path.join(dir, 'server.pem')),
    }, (req, res) => { res.writeHead(204); res.end(); });
    tls.on('connection', () => tlsConnections.push(Date.now()));
    await new Promise((r) => tls.listen(0, '127.0.0.1', r));
    // Upstream calls honour the proxy (they go through it); webhooks must not.
    const env = { http_proxy: proxy.url, HTTP_PROXY: proxy.url, https_proxy: proxy.url,
      HTTPS_PROXY: proxy.url, all_proxy: proxy.url, ALL_PROXY: proxy.url, no_proxy: '', NO_PROXY: '' };
    gw = await startGateway({
      upstream: up.baseUrl,
      env,
      args: ['--config', writeConfig(`${QUEUE}webhook_allow = ["127.0.0.1/32"]\n`)],
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await proxy?.close();
    await receiver?.close();
    await target?.close();
    tls?.closeAllConnections?.();
    await new Promise((r) => (tls ? tls.close(r) : r()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an http webhook goes straight to its receiver, not through the proxy', async () => {
    const ok = await startReceiver();
    try {
      const r = await submit(gw, ok.url('/direct'));
      assert.equal(r.status, 202, r.text);
      const job = await waitForJob(gw, r.json.id, webhookEnded);
      assert.equal(job.webhook_status, 'delivered', JSON.stringify(job));
      assert.equal(ok.calls.length, 1);
      assert.ok(proxy.seen.some((u) => u.includes('/v1/chat/completions')), 'the upstream call did use the proxy');
      assert.ok(!proxy.seen.some((u) => u.includes('/direct')), `proxy saw ${proxy.seen}`);
    } finally {
      await ok.close();
    }
  });

  test('a redirect is an answer, not followed', async () => {
    const r = await submit(gw, receiver.url('/moved'));
    assert.equal(r.status, 202, r.text);
    const job = await waitForJob(gw, r.json.id, webhookEnded);
    assert.equal(job.webhook_status, 'failed', JSON.stringify(job));
    assert.equal(receiver.calls.length, 2, 'tried max_attempts times');
    assert.equal(target.calls.length, 0, 'the Location was never called');
  });

  test('an https webhook connects to the judged address itself (libcurl pinned, no proxy)', async () => {
    const r = await submit(gw, `https://127.0.0.1:${tls.address().port}/hook`);
    assert.equal(r.status, 202, r.text);
    const job = await waitForJob(gw, r.json.id, webhookEnded);
    // The test CA is not trusted for webhooks: the handshake fails, but it
    // reached the receiver directly.
    assert.equal(job.webhook_status, 'failed', JSON.stringify(job));
    assert.ok(tlsConnections.length >= 1, 'the TLS receiver was contacted');
    assert.ok(!proxy.seen.some((u) => u.startsWith('CONNECT')), `proxy saw ${proxy.seen}`);
  });
});

describe('https webhooks to a refused name', () => {
  test('are refused before any connection', async () => {
    const up = await new ScriptedUpstream().start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-webhook-tls-'));
    makeCertificates(dir);
    let connections = 0;
    const tls = https.createServer({
      key: fs.readFileSync(path.join(dir, 'server.key')),
      cert: fs.readFileSync(path.join(dir, 'server.pem')),
    }, (req, res) => { res.writeHead(204); res.end(); });
    tls.on('connection', () => { connections += 1; });
    await new Promise((r) => tls.listen(0, '127.0.0.1', r));
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig(QUEUE)] });
    try {
      const r = await submit(gw, `https://localhost:${tls.address().port}/hook`);
      assert.equal(r.status, 202, r.text);
      const job = await waitForJob(gw, r.json.id, webhookEnded);
      assert.equal(job.webhook_status, 'failed');
      assert.equal(connections, 0);
    } finally {
      await gw.stop();
      await up.close();
      tls.closeAllConnections?.();
      await new Promise((r) => tls.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `edgeai keys create` in `dataDir`; the key's JSON (secret in .key). */
async function createKey(dataDir, name) {
  const args = ['keys', 'create', '--name', name, '--scopes', 'chat,jobs', '--json', '--data-dir', dataDir];
  const r = await runEdgeai(args, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
  assert.equal(r.code, 0, describeRun(args, r));
  return JSON.parse(r.stdout);
}

describe('webhook deadline and fair share', () => {
  const TIMEOUT_MS = 2500;
  let up, gw, dataDir, a, b, drip, quick;
  const drips = { open: 0, most: 0, spans: [] };

  before(async () => {
    up = await new ScriptedUpstream().start();
    // Answers at once, then sends a byte every 200 ms and never ends: only a
    // deadline on the whole call stops it.
    drip = await startReceiver((req, res) => {
      const start = Date.now();
      drips.open += 1;
      drips.most = Math.max(drips.most, drips.open);
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 200);
      res.on('close', () => {
        clearInterval(timer);
        drips.open -= 1;
        drips.spans.push({ start, end: Date.now() });
      });
    });
    quick = await startReceiver();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-webhooks-'));
    a = await createKey(dataDir, 'slow-receivers');
    b = await createKey(dataDir, 'quick-receiver');
    gw = await startGateway({
      upstream: up.baseUrl,
      dataDir,
      args: ['--config', writeConfig(`${QUEUE}concurrency = 2\nwebhook_timeout_ms = ${TIMEOUT_MS}\n` +
        'webhook_allow = ["127.0.0.1/32"]\n')],
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await drip?.close();
    await quick?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a dripping receiver is cut at the deadline while another key is served', async () => {
    const asA = { authorization: `Bearer ${a.key}` };
    const asB = { authorization: `Bearer ${b.key}` };
    const slow = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await submit(gw, drip.url(`/drip/${i}`), asA);
      assert.equal(r.status, 202, r.text);
      slow.push(r.json.id);
    }
    // A's first webhook is dripping: its key holds one slot of two.
    const t0 = Date.now();
    while (drip.calls.length === 0) {
      if (Date.now() - t0 > 5000) assert.fail('the dripping receiver was never called');
      await sleep(20);
    }
    const r = await submit(gw, quick.url('/quick'), asB);
    assert.equal(r.status, 202, r.text);
    const job = await waitForJob(gw, r.json.id, webhookEnded, { headers: asB });
    assert.equal(job.webhook_status, 'delivered', JSON.stringify(job));
    const deliveredAt = quick.calls.at(-1).at;
    const firstDrip = drip.calls[0].at;
    assert.ok(deliveredAt < firstDrip + TIMEOUT_MS,
      `B's webhook waited for A's slot: ${deliveredAt - firstDrip} ms after the drip began`);

    // Every slow webhook ends (cut, then tried again and cut: max_attempts 2).
    for (const id of slow) {
      const j = await waitForJob(gw, id, webhookEnded, { headers: asA, timeoutMs: 30000 });
      assert.equal(j.webhook_status, 'failed', JSON.stringify(j));
    }
    assert.equal(drips.most, 1, 'one key alone never holds every slot');
    for (const span of drips.spans) {
      const held = span.end - span.start;
      assert.ok(held >= TIMEOUT_MS - 200 && held < TIMEOUT_MS + 1500, `a drip held its slot ${held} ms`);
    }
  });
});
