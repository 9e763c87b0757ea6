// An HTTPS upstream: edgeai verifies the upstream's certificate against the
// system store, refuses one it cannot verify (502, not a silent downgrade), and
// trusts an extra CA given with --upstream-ca. The CA and certificate are made
// fresh for each run with the openssl command line tool.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request, streamRequest } from './lib/clients.mjs';
import { startGateway, UPSTREAM_KEY } from './lib/gateway.mjs';

function makeCertificates(dir) {
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=edgeai test CA',
      '-keyout', 'ca.key', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
      '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
}

const CHAT = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };

describe('HTTPS upstream', () => {
  let dir;
  let server;
  let base;
  const seen = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-tls-'));
    makeCertificates(dir);
    server = https.createServer({
      key: fs.readFileSync(path.join(dir, 'server.key')),
      cert: fs.readFileSync(path.join(dir, 'server.pem')),
    }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        seen.push({ path: req.url, authorization: req.headers.authorization });
        const parsed = JSON.parse(body || '{}');
        if (parsed.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: {"choices":[{"index":0,"delta":{"content":"se"}}]}\n\n');
          res.write('data: {"choices":[{"index":0,"delta":{"content":"cure"}}]}\n\n');
          res.end('data: [DONE]\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'tls-1', object: 'chat.completion', choices: [] }));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${server.address().port}/v1`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an upstream whose certificate it cannot verify with 502', async () => {
    const gw = await startGateway({ upstream: base });
    try {
      const before = seen.length;
      const res = await request(gw.url('/v1/chat/completions'), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT),
      });
      assert.equal(res.status, 502, res.text);
      assert.match(JSON.parse(res.text).error.message, /certificate|SSL|verif/i);
      assert.equal(seen.length, before, 'no request may reach an unverified upstream');
      const health = await request(gw.url('/healthz'));
      assert.equal(health.status, 200);
    } finally {
      await gw.stop();
    }
  });

  it('trusts an extra CA given with --upstream-ca, plain and streamed', async () => {
    const gw = await startGateway({ upstream: base, args: ['--upstream-ca', path.join(dir, 'ca.pem')] });
    try {
      const res = await request(gw.url('/v1/chat/completions'), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT),
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).id, 'tls-1');
      assert.equal(seen.at(-1).authorization, `Bearer ${UPSTREAM_KEY}`);

      const streamed = await streamRequest(gw.url('/v1/chat/completions'), { ...CHAT, stream: true });
      assert.equal(streamed.status, 200);
      const events = streamed.events;
      assert.deepEqual(events.at(-1), '[DONE]');
      const text = events.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content).join('');
      assert.equal(text, 'secure');
    } finally {
      await gw.stop();
    }
  });

  it('refuses to start with an --upstream-ca file that does not exist', async () => {
    await assert.rejects(
      startGateway({ upstream: base, args: ['--upstream-ca', path.join(dir, 'missing.pem')], startTimeoutMs: 3000 }),
    );
  });
});
