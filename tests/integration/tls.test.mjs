// TLS on the listener and to upstreams, on real sockets with certificates made
// fresh by the openssl command line tool: HTTPS with a trusted CA (node's
// https and the official openai SDK), an untrusted CA, old protocol versions,
// a private key others may read, certificate reload on SIGHUP (new
// connections get the new certificate, open ones carry on; a broken file keeps
// the old one), mTLS (no certificate, one from a foreign CA, the right one),
// and HTTPS upstreams verified against a per-backend or [upstream] CA.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { describeRun, runEdgeai } from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { ScriptedUpstream } from './lib/scripted_upstream.mjs';

// The directory the certificate helpers below write to (each describe sets its own).
let dir;
const file = (name) => path.join(dir, name);
const read = (name) => fs.readFileSync(file(name));

// A CA, or a leaf signed by one (EC P-256 keys: quick to make).
function makeCa(name, cn) {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '2', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  fs.chmodSync(file(`${name}.key`), 0o600);
}

function makeLeaf(name, cn, ca, serial, ext) {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  fs.writeFileSync(file(`${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`,
    '-set_serial', String(serial), '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  fs.chmodSync(file(`${name}.key`), 0o600);
}

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const SERVER_EXT = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
const CLIENT_EXT = 'extendedKeyUsage=clientAuth\n';
const CHAT = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };

// A copy of the listener's certificate and key at paths a test may rewrite.
function listenerFiles(tag, leaf = 'server') {
  const cert = file(`${tag}-cert.pem`);
  const key = file(`${tag}-key.pem`);
  fs.copyFileSync(file(`${leaf}.pem`), cert);
  fs.copyFileSync(file(`${leaf}.key`), key);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

async function startTls(upstream, tlsToml, { logLevel = 'info', extra = '', dataDir } = {}) {
  const config = writeConfig(`[tls]\n${tlsToml}\n${extra}`);
  const gw = await startGateway({ upstream: upstream.baseUrl, args: ['--config', config], logLevel, dataDir });
  gw.https = (p) => `https://127.0.0.1:${gw.port}${p}`;
  return gw;
}

// One HTTPS exchange. Resolves with status, body, and the certificate the
// server showed; rejects with the TLS or socket error.
function httpsRequest(url, { method = 'GET', body, agent = false, timeoutMs = 5000, ...tlsOptions } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      agent,
      servername: 'localhost',
      headers: body ? { 'content-type': 'application/json' } : {},
      ...tlsOptions,
    }, (res) => {
      const peer = res.socket.getPeerCertificate();
      const reused = req.reusedSocket;
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString(), peer, reused }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

// A handshake alone; resolves with the protocol and the server's certificate.
function handshake(port, options) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), peer: socket.getPeerCertificate() };
      // TLS 1.3 reports a refused client certificate after the handshake:
      // wait for the server's first word (an alert) or its silence.
      const timer = setTimeout(() => { socket.destroy(); resolve(result); }, 300);
      socket.on('error', (e) => { clearTimeout(timer); reject(e); });
      socket.on('end', () => { clearTimeout(timer); reject(new Error('closed by the server')); });
    });
    socket.on('error', reject);
  });
}

// fetch over node's https, so the openai SDK can trust a private CA.
function fetchWithCa(ca) {
  return (url, init = {}) => new Promise((resolve, reject) => {
    const req = https.request(String(url), {
      method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers)), ca, agent: false,
    }, (res) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      resolve(new Response(Readable.toWeb(res), { status: res.statusCode, headers }));
    });
    req.on('error', reject);
    init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
    req.end(init.body ?? undefined);
  });
}

// A counter from /metrics; `options` carries the CA (and a client certificate under mTLS).
async function metric(gw, name, options) {
  const res = await httpsRequest(gw.https('/metrics'), options);
  const line = res.text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

// An assert.rejects validator: the error's code or message matches `re`
// (node names TLS alerts both ways: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION, "alert protocol version").
const failsWith = (re) => (e) => {
  assert.match(`${e.code} ${e.message}`, re);
  return true;
};

function waitForLog(gw, pred, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const line = gw.logs.find(pred);
      if (line) return resolve(line);
      if (Date.now() > deadline) return reject(new Error(`no such log line\n${gw.describe()}`));
      setTimeout(poll, 25);
    };
    poll();
  });
}

describe('TLS on the listener', () => {
  let upstream;
  let ca;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-tls-listener-'));
    makeCa('ca', 'edgeai test CA');
    makeLeaf('server', 'localhost', 'ca', 1001, SERVER_EXT);
    makeLeaf('server2', 'reloaded.localhost', 'ca', 1002, SERVER_EXT);
    makeCa('client-ca', 'edgeai client CA');
    makeLeaf('device', 'device-1', 'client-ca', 2001, CLIENT_EXT);
    makeCa('rogue-ca', 'edgeai client CA'); // same name, other key
    makeLeaf('rogue-device', 'device-1', 'rogue-ca', 2002, CLIENT_EXT);
    ca = read('ca.pem');
    upstream = await new ScriptedUpstream().start();
  });

  after(async () => {
    await upstream?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS to clients that trust the CA: node https and the openai SDK', async () => {
    const { cert, key } = listenerFiles('basic');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"`);
    try {
      const listening = gw.logs.find((l) => l.msg === 'listening');
      assert.equal(listening.tls, 'TLS 1.2+');
      const health = await httpsRequest(gw.https('/healthz'), { ca });
      assert.equal(health.status, 200);
      assert.equal(health.peer.subject.CN, 'localhost');

      const chat = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: CHAT, ca });
      assert.equal(chat.status, 200, chat.text);
      assert.equal(JSON.parse(chat.text).object, 'chat.completion');

      const client = new OpenAI({ apiKey: 'unused', baseURL: gw.https('/v1'), fetch: fetchWithCa(ca), maxRetries: 0 });
      const completion = await client.chat.completions.create(CHAT);
      assert.equal(completion.choices[0].message.role, 'assistant');
      const stream = await client.chat.completions.create({ ...CHAT, stream: true });
      let chunks = 0;
      for await (const chunk of stream) if (chunk.choices?.length) chunks += 1;
      assert.ok(chunks > 1, `${chunks} chunks`);

      // Plain HTTP on the TLS port gets a plain answer saying so, and counts as a failed handshake.
      const plain = await new Promise((resolve, reject) => {
        http.get(`http://127.0.0.1:${gw.port}/healthz`, { agent: false }, (res) => {
          let text = '';
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve({ status: res.statusCode, text }));
        }).on('error', reject);
      });
      assert.equal(plain.status, 400);
      assert.match(JSON.parse(plain.text).error.message, /https:\/\//);
      const failures = await metric(gw, 'edgeai_tls_handshake_failures_total', { ca });
      assert.equal(failures, 1);
      // A TCP connect that says nothing (a reachability probe) is not a failed handshake.
      await new Promise((resolve, reject) => {
        const probe = net.connect(gw.port, '127.0.0.1', () => probe.end());
        probe.on('close', resolve).on('error', reject);
      });
      assert.equal((await httpsRequest(gw.https('/healthz'), { ca })).status, 200);
      assert.equal(await metric(gw, 'edgeai_tls_handshake_failures_total', { ca }), failures);
    } finally {
      await gw.stop();
    }
  });

  it('fails for a client that does not trust the CA, and refuses TLS 1.1 and 1.0', async () => {
    const { cert, key } = listenerFiles('floor');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"`);
    try {
      await assert.rejects(httpsRequest(gw.https('/healthz')), failsWith(/UNABLE_TO_VERIFY|SELF_SIGNED|unable to verify/i));
      for (const version of ['TLSv1.1', 'TLSv1']) {
        await assert.rejects(handshake(gw.port, {
          ca, minVersion: 'TLSv1', maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0',
        }), failsWith(/PROTOCOL[_ ]VERSION/i), version); // the server's alert, not the client declining
      }
      const tls12 = await handshake(gw.port, { ca, maxVersion: 'TLSv1.2' });
      assert.equal(tls12.protocol, 'TLSv1.2');
      const tls13 = await handshake(gw.port, { ca });
      assert.equal(tls13.protocol, 'TLSv1.3');
    } finally {
      await gw.stop();
    }
  });

  it('with min_version = "1.3" refuses TLS 1.2', async () => {
    const { cert, key } = listenerFiles('tls13');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"\nmin_version = "1.3"`);
    try {
      assert.equal(gw.logs.find((l) => l.msg === 'listening').tls, 'TLS 1.3');
      await assert.rejects(handshake(gw.port, { ca, maxVersion: 'TLSv1.2' }), failsWith(/PROTOCOL[_ ]VERSION/i));
      assert.equal((await handshake(gw.port, { ca })).protocol, 'TLSv1.3');
    } finally {
      await gw.stop();
    }
  });

  it('refuses to start with a key file others may read, naming the fix', async () => {
    const { cert, key } = listenerFiles('loose');
    fs.chmodSync(key, 0o644);
    await assert.rejects(startTls(upstream, `cert = "${cert}"\nkey = "${key}"`), (e) => {
      assert.match(e.message, /tls\.key/);
      assert.match(e.message, /chmod 600/);
      assert.match(e.message, /exited before listening/);
      return true;
    });
  });

  it('refuses to start with a key that does not match the certificate', async () => {
    const { cert } = listenerFiles('mismatch');
    const { key } = listenerFiles('mismatch2', 'server2');
    await assert.rejects(startTls(upstream, `cert = "${cert}"\nkey = "${key}"`), /does not match/);
  });

  it('reloads the certificate on SIGHUP: new connections get it, open ones carry on', async () => {
    const { cert, key } = listenerFiles('reload');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"`);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    let release;
    const released = new Promise((resolve) => { release = resolve; });
    try {
      // A kept-alive connection and a stream that is under way during the reload.
      const first = await httpsRequest(gw.https('/healthz'), { agent });
      assert.equal(first.peer.serialNumber, '03E9'); // 1001

      upstream.enqueue(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"before "}}]}\n\n');
        await released;
        res.write('data: {"choices":[{"index":0,"delta":{"content":"after"}}]}\n\n');
        res.end('data: [DONE]\n\n');
      });
      let streamed = '';
      let firstEvent;
      const gotFirst = new Promise((resolve) => { firstEvent = resolve; });
      const stream = new Promise((resolve, reject) => {
        const req = https.request(gw.https('/v1/chat/completions'), {
          method: 'POST', ca, agent: false, servername: 'localhost', headers: { 'content-type': 'application/json' },
        }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (d) => { streamed += d; firstEvent(); });
          res.on('end', () => resolve(res.socket?.getPeerCertificate?.() ?? null));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ ...CHAT, stream: true }));
      });
      await gotFirst;

      fs.writeFileSync(cert, read('server2.pem'));
      fs.writeFileSync(key, read('server2.key'));
      gw.signal('SIGHUP');
      const reloaded = await waitForLog(gw, (l) => l.msg === 'tls certificate reloaded');
      assert.equal(reloaded.subject, 'CN=reloaded.localhost');

      const fresh = await httpsRequest(gw.https('/healthz'), { ca });
      assert.equal(fresh.peer.subject.CN, 'reloaded.localhost');
      assert.equal(fresh.peer.serialNumber, '03EA'); // 1002

      const again = await httpsRequest(gw.https('/healthz'), { agent });
      assert.equal(again.status, 200);
      assert.equal(again.reused, true, 'the kept-alive connection was not dropped');
      assert.equal(again.peer.serialNumber, '03E9');

      release();
      await stream;
      assert.match(streamed, /before /);
      assert.match(streamed, /after/);
      assert.match(streamed, /\[DONE\]/);

      // A broken file: the error is logged and the current certificate stays.
      fs.writeFileSync(cert, 'not a certificate\n');
      gw.signal('SIGHUP');
      const failed = await waitForLog(gw, (l) => l.msg?.startsWith('tls reload failed'));
      assert.equal(failed.level, 'error');
      assert.match(failed.error, /tls\.cert/);
      const still = await httpsRequest(gw.https('/healthz'), { ca });
      assert.equal(still.status, 200);
      assert.equal(still.peer.subject.CN, 'reloaded.localhost');
    } finally {
      release();
      agent.destroy();
      await gw.stop();
    }
  });

  it('mTLS with client_cert_required: no certificate or a foreign one fails, the right one is served', async () => {
    const { cert, key } = listenerFiles('mtls');
    const gw = await startTls(upstream,
      `cert = "${cert}"\nkey = "${key}"\nclient_ca = "${file('client-ca.pem')}"\nclient_cert_required = true`,
      { logLevel: 'debug' });
    const device = { cert: read('device.pem'), key: read('device.key') };
    const rogue = { cert: read('rogue-device.pem'), key: read('rogue-device.key') };
    try {
      assert.equal(gw.logs.find((l) => l.msg === 'listening').tls, 'TLS 1.2+, client certificate required');
      // TLS 1.3: the server's alert arrives after the client's side of the handshake.
      await assert.rejects(httpsRequest(gw.https('/healthz'), { ca }), failsWith(/CERTIFICATE[_ ]REQUIRED/i));
      await assert.rejects(httpsRequest(gw.https('/healthz'), { ca, ...rogue }), failsWith(/UNKNOWN[_ ]CA/i));
      await assert.rejects(handshake(gw.port, { ca, maxVersion: 'TLSv1.2' }), failsWith(/HANDSHAKE[_ ]FAILURE/i));
      await assert.rejects(handshake(gw.port, { ca, maxVersion: 'TLSv1.2', ...rogue }), failsWith(/UNKNOWN[_ ]CA/i));

      const ok = await httpsRequest(gw.https('/healthz'), { ca, ...device });
      assert.equal(ok.status, 200);
      const chat = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: CHAT, ca, ...device });
      assert.equal(chat.status, 200, chat.text);
      const seen = await waitForLog(gw, (l) => l.msg === 'tls handshake' && l.client_cert_cn === 'device-1');
      assert.match(seen.tls, /^TLSv1\.[23] /);
      const failures = gw.logs.filter((l) => l.msg === 'tls handshake failed');
      assert.ok(failures.length >= 4, gw.describe());
      assert.ok(await metric(gw, 'edgeai_tls_handshake_failures_total', { ...device, ca }) >= 4);
    } finally {
      await gw.stop();
    }
  });

  it('mTLS without client_cert_required: a client without a certificate connects normally', async () => {
    const { cert, key } = listenerFiles('mtls-optional');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"\nclient_ca = "${file('client-ca.pem')}"`,
      { logLevel: 'debug' });
    try {
      assert.equal((await httpsRequest(gw.https('/healthz'), { ca })).status, 200);
      const withCert = await httpsRequest(gw.https('/healthz'), { ca, cert: read('device.pem'), key: read('device.key') });
      assert.equal(withCert.status, 200);
      await waitForLog(gw, (l) => l.msg === 'tls handshake' && l.client_cert_cn === 'device-1');
      await assert.rejects(httpsRequest(gw.https('/healthz'),
        { ca, cert: read('rogue-device.pem'), key: read('rogue-device.key') }), failsWith(/UNKNOWN[_ ]CA/i));
    } finally {
      await gw.stop();
    }
  });
});

describe('mTLS identities are API keys', () => {
  let upstream;
  let keysDir;
  let ca;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-tls-keys-'));
    makeCa('ca', 'edgeai test CA');
    makeLeaf('server', 'localhost', 'ca', 3001, SERVER_EXT);
    makeCa('client-ca', 'edgeai client CA');
    makeLeaf('device', 'device-1', 'client-ca', 3002, CLIENT_EXT);
    makeLeaf('stranger', 'no-such-key', 'client-ca', 3003, CLIENT_EXT);
    ca = read('ca.pem');
    keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-tls-keysdir-'));
    upstream = await new ScriptedUpstream().start();
  });

  after(async () => {
    await upstream?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (keysDir) fs.rmSync(keysDir, { recursive: true, force: true });
  });

  const keys = async (...args) => {
    const all = ['keys', ...args, '--data-dir', keysDir];
    const r = await runEdgeai(all, { cwd: keysDir, env: { XDG_CONFIG_HOME: keysDir } });
    assert.equal(r.code, 0, describeRun(all, r));
    return r.stdout.trim();
  };

  it('a verified certificate acts as the key its CN names; without one a request needs a key', async () => {
    await keys('create', '--name', 'device-1', '--scopes', 'chat', '--models', 'gpt-test');
    const other = await keys('create', '--name', 'other', '--scopes', 'chat');
    const { cert, key } = listenerFiles('mtls-keys');
    const gw = await startTls(upstream, `cert = "${cert}"\nkey = "${key}"\nclient_ca = "${file('client-ca.pem')}"`,
      { dataDir: keysDir });
    const device = { cert: read('device.pem'), key: read('device.key') };
    try {
      let r = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: CHAT, ca, ...device });
      assert.equal(r.status, 200, r.text);
      // The key of the CN applies: its model list filters the models it may
      // list (a chat key may list its own), and its scopes hold.
      r = await httpsRequest(gw.https('/v1/models'), { ca, ...device });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(JSON.parse(r.text).data.map((m) => m.id), ['gpt-test']);
      r = await httpsRequest(gw.https('/v1/embeddings'), { method: 'POST', body: { model: 'gpt-test', input: 'x' }, ca, ...device });
      assert.equal(r.status, 403, 'the key of the CN applies: no embeddings scope');
      r = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: { ...CHAT, model: 'gpt-4o' }, ca, ...device });
      assert.equal(r.status, 403, 'and its model list');
      r = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: CHAT, ca });
      assert.equal(r.status, 401, 'no certificate, no key');
      r = await httpsRequest(gw.https('/v1/chat/completions'),
        { method: 'POST', body: CHAT, ca, cert: read('stranger.pem'), key: read('stranger.key') });
      assert.equal(r.status, 401, 'a CN that names no key');
      assert.match(JSON.parse(r.text).error.message, /no-such-key/);
      const bearer = await new Promise((resolve, reject) => {
        const req = https.request(gw.https('/v1/chat/completions'), { method: 'POST', agent: false, ca, servername: 'localhost',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${other}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end(JSON.stringify(CHAT));
      });
      assert.equal(bearer, 200, 'a bearer key works over TLS without a certificate');
      await keys('revoke', 'device-1');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      r = await httpsRequest(gw.https('/v1/chat/completions'), { method: 'POST', body: CHAT, ca, ...device });
      assert.equal(r.status, 401, 'revoking the key stops the certificate');
      assert.match(JSON.parse(r.text).error.message, /revoked/);
    } finally {
      await gw.stop();
    }
  });
});

describe('HTTPS upstreams are verified', () => {
  let upstreamDir;
  let server;
  let base;
  const seen = [];

  before(async () => {
    upstreamDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-tls-upstream-'));
    dir = upstreamDir;
    makeCa('up-ca', 'edgeai upstream CA');
    makeLeaf('up', '127.0.0.1', 'up-ca', 3001, SERVER_EXT);
    server = https.createServer({ key: read('up.key'), cert: read('up.pem') }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        seen.push(req.url);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'from-https', object: 'chat.completion', model: 'gpt-test', choices: [] }));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${server.address().port}/v1`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(upstreamDir, { recursive: true, force: true });
  });

  const backendConfig = (caLine) => writeConfig(`
[[backends]]
name = "secure"
kind = "openai"
base_url = "${base}"
models = ["*"]
${caLine}
`);

  async function chatThrough(args) {
    const gw = await startGateway({ upstream: base, args });
    try {
      return await new Promise((resolve, reject) => {
        const req = http.request(gw.url('/v1/chat/completions'), {
          method: 'POST', agent: false, headers: { 'content-type': 'application/json' },
        }, (res) => {
          let text = '';
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve({ status: res.statusCode, text }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(CHAT));
      });
    } finally {
      await gw.stop();
    }
  }

  it('a backend without ca_file refuses the untrusted upstream: 502, nothing relayed', async () => {
    const before = seen.length;
    const res = await chatThrough(['--config', backendConfig('')]);
    assert.equal(res.status, 502, res.text);
    const error = JSON.parse(res.text).error;
    assert.match(error.message, /certificate|SSL|verif/i);
    assert.doesNotMatch(res.text, /from-https/);
    assert.equal(seen.length, before, 'no request may reach an unverified upstream');
  });

  it('a backend with ca_file trusts it', async () => {
    const res = await chatThrough(['--config', backendConfig(`ca_file = "${path.join(upstreamDir, 'up-ca.pem')}"`)]);
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).id, 'from-https');
  });

  it('upstream.ca_file and --upstream-ca trust it for the [upstream]', async () => {
    const caFile = path.join(upstreamDir, 'up-ca.pem');
    const viaConfig = await chatThrough(['--config', writeConfig(`[upstream]\nca_file = "${caFile}"\n`)]);
    assert.equal(viaConfig.status, 200, viaConfig.text);
    const viaFlag = await chatThrough(['--upstream-ca', caFile]);
    assert.equal(viaFlag.status, 200, viaFlag.text);
  });

  it('a TLS listener in front of a verified HTTPS backend', async () => {
    dir = upstreamDir;
    makeCa('edge-ca', 'edgeai listener CA');
    makeLeaf('edge', 'localhost', 'edge-ca', 4001, SERVER_EXT);
    const config = writeConfig(`
[tls]
cert = "${file('edge.pem')}"
key = "${file('edge.key')}"

[[backends]]
name = "secure"
kind = "openai"
base_url = "${base}"
models = ["*"]
ca_file = "${file('up-ca.pem')}"
`);
    const gw = await startGateway({ upstream: base, args: ['--config', config] });
    try {
      const res = await httpsRequest(`https://127.0.0.1:${gw.port}/v1/chat/completions`,
        { method: 'POST', body: CHAT, ca: read('edge-ca.pem') });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).id, 'from-https');
    } finally {
      await gw.stop();
    }
  });
});
