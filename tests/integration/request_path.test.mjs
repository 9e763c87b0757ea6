// The request path as a client meets it (issue 15): a request is judged on
// its head before its body is read (a wrong key is refused at once, even
// when the body never comes), each route bounds its own body, and a local
// model beside an upstream is listed with the upstream's models.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test request_path.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { curl, deadPort, request } from './lib/clients.mjs';
import {
  binaryMissing, convertStories, describeRun, makeTmpDir, missingData, removeTmpDir, runEdgeai,
  startLocalServe,
} from './lib/engine.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const T = { timeout: 60000 };

/**
 * Sends `head` on a raw connection (and nothing more) and collects what the
 * server answers until it closes the connection or `timeoutMs` passes.
 */
function sendHeadOnly(port, head, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (d) => { text += d.toString('latin1'); });
    socket.on('end', () => { clearTimeout(timer); socket.destroy(); resolve({ text, closed: true }); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

describe('a request is judged on its head', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let key;

  before(async () => {
    up = await startUpstream();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-path-'));
    const args = ['keys', 'create', '--name', 'path-test', '--scopes', 'chat,models,admin',
      '--data-dir', dataDir, '--json'];
    const made = await runEdgeai(args, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
    assert.equal(made.code, 0, describeRun(args, made));
    key = JSON.parse(made.stdout).key;
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });

  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a wrong key is refused before the body arrives, and the connection closes', T, async () => {
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: edgeai\r\n' +
      'Authorization: Bearer eai_wrongwrong_key\r\nContent-Type: application/json\r\n' +
      'Content-Length: 1000000\r\n\r\n';
    const r = await sendHeadOnly(gw.port, head);
    assert.match(r.text, /^HTTP\/1\.1 401 /, r.text);
    assert.match(r.text, /invalid_api_key/);
    assert.ok(r.closed, 'the unread body is not waited for: the connection closes');
    assert.equal(up.requestsTo('/v1/chat/completions', 'POST').length, 0);
  });

  it('Expect: 100-continue with a wrong key gets the refusal, never 100 Continue', T, async () => {
    const head = 'POST /v1/embeddings HTTP/1.1\r\nHost: edgeai\r\nContent-Type: application/json\r\n' +
      'Expect: 100-continue\r\nContent-Length: 50\r\n\r\n';
    const r = await sendHeadOnly(gw.port, head);
    assert.match(r.text, /^HTTP\/1\.1 401 /, r.text);
    assert.doesNotMatch(r.text, /100 Continue/);
  });

  it('a good key proceeds to the body, and the answer comes from upstream', T, async () => {
    const r = await request(gw.url('/v1/chat/completions'), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'chat.completion');
  });

  it('each route bounds its body: 64 KiB where no prompt travels', T, async () => {
    const big = 'x'.repeat(100 * 1024);
    const auth = ['-H', `Authorization: Bearer ${key}`, '-H', 'Expect:'];
    const models = await curl(['-X', 'GET', ...auth, '-H', 'Content-Type: text/plain',
      '--data-binary', '@-', gw.url('/v1/models')], { input: big });
    assert.equal(models.status, 413, models.text);
    assert.equal(models.json.error.code, 'request_too_large');
    const keys = await curl(['-X', 'POST', ...auth, '-H', 'Content-Type: application/json',
      '--data-binary', '@-', gw.url('/v1/keys')], { input: JSON.stringify({ name: big }) });
    assert.equal(keys.status, 413, keys.text);
    // A prompt of the same size is fine: inference routes take server.max_body_bytes.
    const chat = await request(gw.url('/v1/chat/completions'), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: { model: 'gpt-test', messages: [{ role: 'user', content: big }] },
    });
    assert.equal(chat.status, 200, chat.text);
  });
});

describe('-m FILE --upstream URL: one router, both listed',
  { skip: binaryMissing() || missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin') }, () => {
    let up;
    let gw;
    let tmp;

    before(async () => {
      tmp = makeTmpDir();
      const model = await convertStories(tmp);
      up = await startUpstream();
      gw = await startLocalServe({ models: [model], args: ['--upstream', up.baseUrl] });
    });

    after(async () => {
      await gw?.stop();
      await up?.close();
      removeTmpDir(tmp);
    });

    it('/v1/models lists the local model, then the upstream\'s', T, async () => {
      const r = await request(gw.url('/v1/models'));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.data.map((m) => `${m.id}@${m.owned_by}`),
        ['stories260K@edgeai-local', 'gpt-test@scripted', 'gpt-test-mini@scripted',
          'text-embedding-test@scripted']);
      const local = await request(gw.url('/v1/models/stories260K'));
      assert.equal(local.status, 200, local.text);
      assert.equal(local.json.owned_by, 'edgeai-local');
      const remote = await request(gw.url('/v1/models/gpt-test-mini'));
      assert.equal(remote.status, 200, remote.text);
      assert.equal(remote.json.owned_by, 'scripted');
      const none = await request(gw.url('/v1/models/nope'));
      assert.equal(none.status, 404, none.text);
      assert.equal(none.json.error.code, 'model_not_found');
    });

    it('each model is served by its backend', T, async () => {
      const local = await request(gw.url('/v1/completions'), {
        method: 'POST', body: { model: 'stories260K', prompt: 'Once upon a time', max_tokens: 4 },
      });
      assert.equal(local.status, 200, local.text);
      assert.equal(local.headers['x-edgeai-backend'], 'local');
      const remote = await request(gw.url('/v1/chat/completions'), {
        method: 'POST', body: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
      });
      assert.equal(remote.status, 200, remote.text);
      assert.equal(remote.headers['x-edgeai-backend'], 'upstream');
    });
  });

// Issue 21: llama.cpp's --host and --port beside --listen, and a listen
// address without a port named for what it lacks.
describe('--host and --port', { skip: binaryMissing() }, () => {
  it('--port keeps the address of --listen, --host keeps the port', async () => {
    const up = await startUpstream();
    try {
      const port = await deadPort();
      const a = await startGateway({ upstream: up.baseUrl, args: ['--port', String(port)] });
      try {
        assert.equal(a.port, port);
        assert.equal((await request(a.url('/healthz'))).status, 200);
      } finally {
        await a.stop();
      }
      const port2 = await deadPort();
      const b = await startGateway({ upstream: up.baseUrl, listen: `127.0.0.2:${port2}`, args: ['--host', '127.0.0.1'] });
      try {
        assert.equal(b.port, port2);
        assert.equal((await request(b.url('/healthz'))).status, 200);
      } finally {
        await b.stop();
      }
    } finally {
      await up.close();
    }
  });

  it('a listen address without a port (or with a bad one) is refused, naming what is missing', async () => {
    for (const [args, why] of [[['--listen', '19201'], /'19201': no port/],
      [['--port', 'http'], /the port is not a number/],
      [['--listen', '::1:80'], /IPv6 address goes in brackets/]]) {
      const r = await runEdgeai(['serve', ...args], { timeoutMs: 5000 });
      assert.equal(r.code, 2, describeRun(args, r));
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr, /non-loopback/);
    }
  });
});
