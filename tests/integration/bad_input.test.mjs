// Hostile and broken input against edgeai, with the real curl binary and raw
// sockets, plus upstream faults, request ids and graceful shutdown.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test --test-concurrency=1 bad_input.test.mjs

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';

import {
  assertOpenAIError, curl, curlPostJson, probeConnect, rawExchange, request, sleep, slowloris, streamRequest, within,
} from './lib/clients.mjs';
import { startGateway, UPSTREAM_KEY } from './lib/gateway.mjs';
import { CANNED, defaultErrorBody, startUpstream, streamToken } from './lib/scripted_upstream.mjs';

const T = { timeout: 20000 };
const MAX_BODY = 8192;

let up;
let gw;

const chat = (extra = {}) => ({
  model: CANNED.model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

async function assertHealthy(g = gw, context = '') {
  let r;
  try {
    r = await request(g.url('/healthz'), { timeoutMs: 3000 });
  } catch (e) {
    assert.fail(`/healthz failed${context ? ` after ${context}` : ''}: ${e.message}\n${g.describe()}`);
  }
  assert.equal(r.status, 200, `/healthz status${context ? ` after ${context}` : ''}\n${g.describe()}`);
  assert.ok(r.json && typeof r.json === 'object', `/healthz body is JSON: ${r.text}`);
}

function show(r) {
  return `status=${r.status} headers=${JSON.stringify(r.headers)} body=${JSON.stringify(r.text ?? '').slice(0, 500)}`;
}

before(async () => {
  up = await startUpstream();
  gw = await startGateway({
    upstream: up.baseUrl,
    env: {
      EDGEAI_SERVER_MAX_BODY_BYTES: String(MAX_BODY),
      EDGEAI_UPSTREAM_TIMEOUT_MS: '1000',
      EDGEAI_UPSTREAM_STREAM_IDLE_TIMEOUT_MS: '1000',
    },
  });
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

beforeEach(() => up.reset());

describe('routes', () => {
  it('GET /healthz and /readyz answer 200 JSON', T, async () => {
    for (const p of ['/healthz', '/readyz']) {
      const r = await curl([gw.url(p)]);
      assert.equal(r.status, 200, `${p}: ${show(r)}`);
      assert.match(r.headers['content-type'] ?? '', /application\/json/, `${p} content-type`);
      assert.ok(r.json && typeof r.json === 'object', `${p} body is JSON: ${r.text}`);
    }
  });

  it('GET /metrics is Prometheus text with edgeai_http_requests_total, which counts requests', T, async () => {
    const total = (text) => text.split('\n')
      .filter((l) => /^edgeai_http_requests_total(\{[^}]*\})? /.test(l))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    await curlPostJson(gw.url('/v1/chat/completions'), chat());
    const r = await curl([gw.url('/metrics')]);
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'] ?? '', /^text\/plain/, 'metrics content-type');
    assert.match(r.text, /^edgeai_http_requests_total(\{[^}]*\})? \d/m, 'a sample line for edgeai_http_requests_total');
    const before = total(r.text);
    assert.ok(before >= 1, 'the chat request was counted');
    for (let i = 0; i < 3; i++) await curlPostJson(gw.url('/v1/chat/completions'), chat());
    const after3 = total((await curl([gw.url('/metrics')])).text);
    assert.ok(after3 >= before + 3, `edgeai_http_requests_total went from ${before} to ${after3} after 3 more requests`);
  });

  it('unknown paths → 404 OpenAI error JSON', T, async () => {
    for (const [method, p] of [['GET', '/v1/nope'], ['GET', '/nope'], ['POST', '/v1/chat/complete'], ['GET', '/v1'], ['GET', '/v1/chat/completions/extra']]) {
      const r = await curl(['-X', method, '-H', 'Content-Type: application/json', ...(method === 'POST' ? ['--data-binary', '{}'] : []), gw.url(p)]);
      assert.equal(r.status, 404, `${method} ${p}: ${show(r)}`);
      assert.match(r.headers['content-type'] ?? '', /application\/json/, `${method} ${p} content-type`);
      assertOpenAIError(r.json, { context: `${method} ${p}` });
    }
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');
    await assertHealthy();
  });

  it('wrong method on a known path → 405 with Allow', T, async () => {
    const cases = [
      ['GET', '/v1/chat/completions', 'POST'],
      ['PUT', '/v1/completions', 'POST'],
      ['DELETE', '/v1/embeddings', 'POST'],
      ['POST', '/v1/models', 'GET'],
      ['DELETE', '/healthz', 'GET'],
      ['POST', '/metrics', 'GET'],
    ];
    for (const [method, p, allowed] of cases) {
      const r = await curl(['-X', method, gw.url(p)]);
      assert.equal(r.status, 405, `${method} ${p}: ${show(r)}`);
      assert.ok(r.headers.allow !== undefined, `${method} ${p}: Allow header missing: ${show(r)}`);
      const allow = r.headers.allow.split(',').map((s) => s.trim().toUpperCase());
      assert.ok(allow.includes(allowed), `${method} ${p}: Allow "${r.headers.allow}" should include ${allowed}`);
      assert.ok(!allow.includes(method), `${method} ${p}: Allow "${r.headers.allow}" must not include ${method}`);
      assertOpenAIError(r.json, { context: `${method} ${p}` });
    }
    assert.equal(up.requests.filter((r) => r.path !== '/v1/models' || r.method !== 'GET').length, 0, 'nothing forwarded upstream');
    await assertHealthy();
  });

  it('x-request-id is echoed, and generated (unique) when absent', T, async () => {
    const echoed = await curl(['-H', 'x-request-id: curl-req-0123456789abcdef', gw.url('/healthz')]);
    assert.equal(echoed.headers['x-request-id'], 'curl-req-0123456789abcdef', show(echoed));

    const a = await curl([gw.url('/healthz')]);
    const b = await curl([gw.url('/healthz')]);
    assert.ok(a.headers['x-request-id'], `generated id missing: ${show(a)}`);
    assert.ok(b.headers['x-request-id'], `generated id missing: ${show(b)}`);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id'], 'generated ids are unique');

    // Also on proxied calls and on errors.
    const ok = await curlPostJson(gw.url('/v1/chat/completions'), chat(), { headers: ['x-request-id: proxied-req-1'] });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.headers['x-request-id'], 'proxied-req-1');
    const nf = await curl(['-H', 'x-request-id: notfound-req-1', gw.url('/v1/does-not-exist')]);
    assert.equal(nf.status, 404);
    assert.equal(nf.headers['x-request-id'], 'notfound-req-1');
    const gen404 = await curl([gw.url('/v1/does-not-exist')]);
    assert.ok(gen404.headers['x-request-id'], 'generated id on a 404 too');
  });
});

describe('malformed requests (never forwarded upstream)', () => {
  it('malformed JSON → 400', T, async () => {
    const bodies = [
      '{"model":',
      'this is not json',
      '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],}',
      '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]} trailing',
      '{"model":"gpt-test","messages":[{"role":"user","content":"unterminated}]}',
      '',
    ];
    for (const body of bodies) {
      const r = await curlPostJson(gw.url('/v1/chat/completions'), body);
      assert.equal(r.status, 400, `body ${JSON.stringify(body)}: ${show(r)}`);
      assert.match(r.headers['content-type'] ?? '', /application\/json/);
      assertOpenAIError(r.json, { context: `body ${JSON.stringify(body)}` });
    }
    // Invalid UTF-8 inside a JSON string.
    const bad = Buffer.concat([Buffer.from('{"model":"gpt-test","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]);
    // Exact bytes, so a raw socket rather than curl.
    const raw = await rawExchange(gw.port, [
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\nConnection: close\r\n\r\n`,
      bad,
    ]);
    assert.equal(raw.parsed?.status, 400, `invalid UTF-8: ${raw.data.toString('latin1').slice(0, 400)}`);
    assertOpenAIError(raw.parsed.json, { context: 'invalid UTF-8' });
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');
    await assertHealthy(gw, 'malformed JSON');
  });

  it('non-JSON content types on POST → 415', T, async () => {
    const body = JSON.stringify(chat());
    const plain = await curl(['-X', 'POST', '-H', 'Content-Type: text/plain', '--data-binary', body, gw.url('/v1/chat/completions')]);
    assert.equal(plain.status, 415, `text/plain: ${show(plain)}`);
    assertOpenAIError(plain.json, { context: 'text/plain' });
    // curl -d defaults to application/x-www-form-urlencoded.
    const form = await curl(['-d', body, gw.url('/v1/embeddings')]);
    assert.equal(form.status, 415, `form-urlencoded: ${show(form)}`);
    assertOpenAIError(form.json, { context: 'form-urlencoded' });
    const xml = await curl(['-X', 'POST', '-H', 'Content-Type: application/xml', '--data-binary', '<a/>', gw.url('/v1/completions')]);
    assert.equal(xml.status, 415, `application/xml: ${show(xml)}`);
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');

    // JSON with parameters is fine.
    const ok = await curl(['-X', 'POST', '-H', 'Content-Type: application/json; charset=utf-8', '--data-binary', body, gw.url('/v1/chat/completions')]);
    assert.equal(ok.status, 200, `application/json; charset=utf-8: ${show(ok)}`);
    await assertHealthy(gw, 'wrong content type');
  });

  it(`body over EDGEAI_SERVER_MAX_BODY_BYTES=${MAX_BODY} → 413 (Content-Length and chunked)`, T, async () => {
    const big = JSON.stringify(chat({ messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY + 1000) }] }));
    const r1 = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '-H', 'Expect:', '--data-binary', '@-', gw.url('/v1/chat/completions')], { input: big });
    assert.equal(r1.status, 413, `content-length body: ${show(r1)}`);
    assertOpenAIError(r1.json, { context: '413 content-length' });

    const r2 = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked', '--data-binary', '@-', gw.url('/v1/chat/completions')], { input: big });
    assert.equal(r2.status, 413, `chunked body: ${show(r2)}`);

    const r3 = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', '@-', gw.url('/v1/embeddings')], { input: big });
    assert.equal(r3.status, 413, `with Expect: 100-continue: ${show(r3)}`);
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');

    // Just under the limit is accepted and forwarded byte for byte.
    const fits = JSON.stringify(chat({ messages: [{ role: 'user', content: 'y'.repeat(MAX_BODY - 200) }] }));
    assert.ok(fits.length <= MAX_BODY);
    const ok = await curlPostJson(gw.url('/v1/chat/completions'), fits);
    assert.equal(ok.status, 200, `body of ${fits.length} bytes: ${show(ok)}`);
    assert.equal(up.posts[0]?.text, fits);
    await assertHealthy(gw, '413');
  });

});

describe('HTTP/1.1 framing', () => {
  it('pipelined requests (sent in one write) are all answered, in order', T, async () => {
    const pipelined = await rawExchange(gw.port,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: pipe-1\r\n\r\n' +
      'GET /v1/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: pipe-2\r\n\r\n' +
      'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: pipe-3\r\nConnection: close\r\n\r\n', { timeoutMs: 3000 });
    const text = pipelined.data.toString('latin1');
    // Not anchored: a response head follows the previous body directly.
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const ids = [...text.matchAll(/^x-request-id: *(\S+)/gim)].map((m) => m[1]);
    assert.deepEqual(statuses, [200, 404, 200], `pipelined responses:\n${text.slice(0, 1500)}`);
    assert.deepEqual(ids, ['pipe-1', 'pipe-2', 'pipe-3']);

    assert.ok(pipelined.closedByServer, 'connection closed after the Connection: close request');
    await assertHealthy(gw, 'pipelining');
  });

  it('chunked request body accepted; a request split over writes is served; bad framing → 400', T, async () => {
    const body = JSON.stringify(chat({ note: 'chunked' }));
    const ok = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked', '--data-binary', '@-', gw.url('/v1/chat/completions')], { input: body });
    assert.equal(ok.status, 200, `chunked request body: ${show(ok)}`);
    assert.equal(up.posts.at(-1)?.text, body, 'de-chunked body forwarded byte for byte');

    // One request split across several TCP writes (mid-line, mid-body) is served normally.
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const parts = [head.slice(0, 17), head.slice(17, head.length - 1), head.slice(-1) + body.slice(0, 9), body.slice(9)];
    const split = (await rawExchange(gw.port, parts, { gapMs: 40, timeoutMs: 3000 })).data.toString('utf8');
    assert.match(split, /^HTTP\/1\.1 200 /, `request split over 4 writes: ${split.slice(0, 300)}`);

    const framing = [
      ['Content-Length and Transfer-Encoding together',
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${(body.length).toString(16)}\r\n${body}\r\n0\r\n\r\n`],
      ['two different Content-Length headers',
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}`],
      ['non-numeric Content-Length',
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n${body}`],
      ['negative Content-Length',
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${body}`],
      ['bad chunk size',
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`],
      ['not HTTP at all', 'HELLO THERE\r\n\r\n'],
    ];
    const postsBefore = up.posts.length;
    const wrong = [];
    for (const [what, req] of framing) {
      const r = await rawExchange(gw.port, req, { timeoutMs: 3000 });
      if (r.parsed?.status !== 400) wrong.push(`${what} → ${r.parsed ? r.parsed.status : `no response (closed=${r.closedByServer})`}`);
    }
    assert.deepEqual(wrong, [], `bad framing not answered 400:\n${wrong.join('\n')}`);
    assert.equal(up.posts.length, postsBefore, 'badly framed requests never forwarded');
    await assertHealthy(gw, 'framing');
  });

});

describe('limits and validation (never forwarded upstream)', () => {
  it('headers over 16384 bytes → 431 (one huge field, or many fields adding up)', T, async () => {
    const one = await curl(['-H', `X-Big: ${'a'.repeat(20000)}`, gw.url('/healthz')]);
    assert.equal(one.status, 431, `one huge header: ${show(one)}`);
    const post = await curlPostJson(gw.url('/v1/chat/completions'), chat(), { headers: [`X-Big: ${'c'.repeat(20000)}`] });
    assert.equal(post.status, 431, `huge header on POST: ${show(post)}`);
    assertOpenAIError(post.json, { context: '431' });

    // The limit is on the whole header block, not on one field.
    const wrong = [];
    for (const [n, len] of [[10, 1700], [300, 80], [1000, 80]]) {
      const many = [];
      for (let i = 0; i < n; i++) many.push('-H', `X-Filler-${i}: ${'b'.repeat(len)}`);
      const total = many.filter((_, i) => i % 2 === 1).reduce((a, h) => a + h.length + 2, 0);
      const r = await curl([...many, gw.url('/healthz')]);
      if (r.status !== 431) wrong.push(`${n} fields of ${len} bytes (~${total} header bytes) → ${r.status}`);
    }
    assert.deepEqual(wrong, [], `header blocks over 16384 bytes not rejected with 431:\n${wrong.join('\n')}`);
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');
    await assertHealthy(gw, '431');
  });

  it('invalid fields → 400 with param naming the field', T, async () => {
    const cases = [
      ['/v1/chat/completions', chat({ messages: [{ role: 'wizard', content: 'hi' }] }), 'messages[0].role'],
      ['/v1/chat/completions', chat({ messages: [{ role: 'user', content: 'hi' }, { role: 'robot', content: 'x' }] }), 'messages[1].role'],
      ['/v1/chat/completions', chat({ temperature: 'hot' }), 'temperature'],
      ['/v1/chat/completions', chat({ stream: 'yes' }), 'stream'],
      ['/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }, 'model'],
      ['/v1/chat/completions', { model: CANNED.model }, 'messages'],
      ['/v1/chat/completions', chat({ messages: 'hi' }), 'messages'],
      ['/v1/completions', { prompt: 'hi' }, 'model'],
      ['/v1/embeddings', { input: 'hi' }, 'model'],
      ['/v1/embeddings', { model: 'text-embedding-test' }, 'input'],
    ];
    for (const [p, body, param] of cases) {
      const r = await curlPostJson(gw.url(p), body);
      assert.equal(r.status, 400, `${p} ${JSON.stringify(body)}: ${show(r)}`);
      assertOpenAIError(r.json, { param, context: `${p} ${JSON.stringify(body)}` });
    }
    for (const body of ['[]', '"a string"', '42', 'null']) {
      const r = await curlPostJson(gw.url('/v1/chat/completions'), body);
      assert.equal(r.status, 400, `top-level ${body}: ${show(r)}`);
      assertOpenAIError(r.json, { context: `top-level ${body}` });
    }
    assert.equal(up.posts.length, 0, 'nothing forwarded upstream');
    await assertHealthy(gw, 'validation errors');
  });
});

describe('slow clients', () => {
  let slowGw;
  before(async () => {
    slowGw = await startGateway({
      upstream: up.baseUrl,
      env: { EDGEAI_SERVER_READ_TIMEOUT_MS: '500', EDGEAI_SERVER_IDLE_TIMEOUT_MS: '1000' },
    });
  });
  after(async () => { await slowGw?.stop(); });

  it('slowloris headers (1 byte / 100 ms) are cut off with EDGEAI_SERVER_READ_TIMEOUT_MS=500', T, async () => {
    const text = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'z'.repeat(300)}\r\n\r\n`;
    const loris = slowloris(slowGw.port, text, { intervalMs: 100, timeoutMs: 8000 });
    // Others are served meanwhile.
    await sleep(150);
    const t0 = Date.now();
    await assertHealthy(slowGw, 'during slowloris');
    assert.ok(Date.now() - t0 < 1000, 'a concurrent request is not held up by the slow client');
    const r = await loris;
    assert.ok(r.closedByServer, `gateway kept a slowloris connection open for ${r.elapsedMs} ms (${r.bytesSent} bytes sent)`);
    assert.ok(r.elapsedMs < 4000, `closed after ${r.elapsedMs} ms; expected within a few seconds of 500 ms`);
    assert.ok(r.bytesSent < text.length, 'closed before the request was complete');
    if (r.parsed) assert.equal(r.parsed.status, 408, `if it answers, it answers 408: ${r.data.toString('latin1').slice(0, 200)}`);
    await assertHealthy(slowGw, 'slowloris');
  });

  it('slow body (complete headers, body dribbled) is cut off too', T, async () => {
    const body = JSON.stringify(chat());
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await slowloris(slowGw.port, body, { prefix: head, intervalMs: 100, timeoutMs: 8000 });
    assert.ok(r.closedByServer, `gateway kept a slow-body connection open for ${r.elapsedMs} ms`);
    assert.ok(r.elapsedMs < 4000, `closed after ${r.elapsedMs} ms`);
    assert.ok(r.bytesSent < body.length, 'closed before the body was complete');
    assert.equal(up.posts.length, 0, 'incomplete body never forwarded');
    await assertHealthy(slowGw, 'slow body');
  });

  it('an idle keep-alive connection is closed after EDGEAI_SERVER_IDLE_TIMEOUT_MS=1000', T, async () => {
    const r = await rawExchange(slowGw.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', { timeoutMs: 6000 });
    assert.equal(r.parsed?.status, 200, `first request on the connection: ${r.data.toString('latin1').slice(0, 300)}`);
    assert.ok(r.closedByServer, `idle keep-alive connection still open after ${r.elapsedMs} ms`);
    assert.ok(r.elapsedMs >= 700 && r.elapsedMs < 4000, `closed after ${r.elapsedMs} ms (idle timeout 1000 ms)`);
  });
});

describe('connection limit', () => {
  it('past EDGEAI_SERVER_MAX_CONNECTIONS=2 a new connection gets 503 + Retry-After and is closed; freed slots serve again', T, async () => {
    const g = await startGateway({ upstream: up.baseUrl, env: { EDGEAI_SERVER_MAX_CONNECTIONS: '2' } });
    const held = [];
    try {
      for (let i = 0; i < 2; i++) {
        const sock = net.connect({ port: g.port, host: '127.0.0.1' });
        await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
        held.push(sock);
      }
      await sleep(100); // let the server accept both
      const r = await rawExchange(g.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 3000 });
      assert.equal(r.parsed?.status, 503, r.data.toString('latin1').slice(0, 300));
      assert.equal(r.parsed.headers['retry-after'], '1');
      assertOpenAIError(r.parsed.json);
      assert.ok(r.closedByServer, 'the refused connection is closed');
      for (const s of held) s.destroy();
      await sleep(200);
      await assertHealthy(g, 'the held connections closed');
      const metrics = await request(g.url('/metrics'));
      assert.match(metrics.text, /edgeai_http_connections_rejected_total 1\n/);
    } finally {
      for (const s of held) s.destroy();
      await g.stop();
    }
  });
});

describe('streaming and upstream faults', () => {
  it('client gone mid-stream → the gateway cancels the upstream transfer', T, async () => {
    up.enqueue({ type: 'normal', chunks: 200, intervalMs: 50 });
    let destroyedAt = 0;
    const res = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), {
      onData: (text, req) => {
        if (!destroyedAt && text.includes('data:')) {
          destroyedAt = Date.now();
          req.destroy();
        }
      },
    });
    assert.equal(res.status, 200);
    assert.ok(destroyedAt > 0, 'received a first event before disconnecting');
    const rec = await up.waitForRequest((r) => r.path === '/v1/chat/completions', 2000);
    const { early } = await within(rec.ended, 3000, 'upstream connection closed after client disconnect');
    assert.equal(early, true, 'upstream saw its connection closed before the stream finished');
    assert.ok(Date.now() - destroyedAt < 3000);
    await assertHealthy(gw, 'client disconnect');
  });

  it('stream relays events in order and ends with [DONE]', T, async () => {
    up.enqueue({ type: 'normal', chunks: 5, intervalMs: 10 });
    const res = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true, stream_options: { include_usage: true } }));
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(res.aborted, false);
    assert.equal(res.events.at(-1), '[DONE]');
    const parsed = res.events.slice(0, -1).map((e) => JSON.parse(e));
    const tokens = parsed.filter((p) => p.choices?.[0]?.delta?.content).map((p) => p.choices[0].delta.content);
    assert.deepEqual(tokens, [0, 1, 2, 3, 4].map(streamToken));
    assert.ok(parsed.at(-1).usage, 'usage chunk relayed');
  });

  it('upstream stream cut mid-way → final error event, then the stream ends', T, async () => {
    up.enqueue({ type: 'normal', chunks: 10, cutAfter: 3 });
    const res = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), { timeoutMs: 8000 });
    assert.equal(res.status, 200, show(res));
    assert.ok(!res.error || !/timed out/.test(res.error.message), `client stream did not end: ${res.error?.message}\n${res.text}`);
    assert.ok(!res.events.includes('[DONE]'), 'no [DONE] for a broken stream');
    const last = res.events.at(-1);
    let lastJson;
    try { lastJson = JSON.parse(last); } catch { /* fallthrough */ }
    assert.ok(lastJson?.error, `last event must be an error object, got ${JSON.stringify(last)}\nfull stream:\n${res.text}`);
    assertOpenAIError(lastJson, { context: 'stream cut error event' });
    const tokens = res.events.slice(0, -1).map((e) => JSON.parse(e).choices[0].delta.content);
    assert.deepEqual(tokens, [0, 1, 2].map(streamToken), 'chunks before the cut were relayed');
    await assertHealthy(gw, 'stream cut');
  });

  it('upstream stream stalls (EDGEAI_UPSTREAM_STREAM_IDLE_TIMEOUT_MS=1000) → error event, stream ends, upstream closed', T, async () => {
    up.enqueue({ type: 'normal', chunks: 10, stallAfter: 2 });
    const t0 = Date.now();
    const res = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), { timeoutMs: 8000 });
    const elapsed = Date.now() - t0;
    assert.equal(res.status, 200, show(res));
    assert.ok(!res.error || !/timed out/.test(res.error.message), `client stream did not end after the upstream stalled: ${res.error?.message}\n${res.text}`);
    assert.ok(elapsed >= 800 && elapsed < 5000, `stream ended after ${elapsed} ms (idle timeout 1000 ms)`);
    assert.ok(!res.events.includes('[DONE]'), 'no [DONE] for a stalled stream');
    let lastJson;
    try { lastJson = JSON.parse(res.events.at(-1)); } catch { /* fallthrough */ }
    assert.ok(lastJson?.error, `last event must be an error object, got ${JSON.stringify(res.events.at(-1))}\nfull stream:\n${res.text}`);
    assertOpenAIError(lastJson, { context: 'stream idle timeout error event' });
    const rec = up.requestsTo('/v1/chat/completions')[0];
    const { early } = await within(rec.ended, 3000, 'gateway closes the stalled upstream connection');
    assert.equal(early, true);
    await assertHealthy(gw, 'stalled stream');
  });

  it('refused upstream → 502', T, async () => {
    await up.pause();
    try {
      const r = await curlPostJson(gw.url('/v1/chat/completions'), chat());
      assert.equal(r.status, 502, show(r));
      assertOpenAIError(r.json, { context: 'refused' });
      const s = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), { timeoutMs: 5000 });
      assert.equal(s.status, 502, `streaming request to refused upstream: ${show(s)}`);
      const m = await curl([gw.url('/v1/models')]);
      assert.equal(m.status, 502, `models: ${show(m)}`);
    } finally {
      await up.resume();
    }
    await assertHealthy(gw, 'refused upstream');
    const ok = await curlPostJson(gw.url('/v1/chat/completions'), chat());
    assert.equal(ok.status, 200, `after upstream came back: ${show(ok)}`);
  });

  it('hanging upstream (EDGEAI_UPSTREAM_TIMEOUT_MS=1000) → 504 in time', T, async () => {
    up.enqueue({ type: 'hang' });
    const t0 = Date.now();
    const r = await curlPostJson(gw.url('/v1/chat/completions'), chat(), { timeoutMs: 8000 });
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 504, show(r));
    assertOpenAIError(r.json, { context: 'hang' });
    assert.ok(elapsed >= 800 && elapsed < 4000, `504 after ${elapsed} ms`);
    const rec = up.requestsTo('/v1/chat/completions')[0];
    assert.ok(rec, 'the request did reach upstream');
    const { early } = await within(rec.ended, 3000, 'gateway closes the hung upstream connection');
    assert.equal(early, true);

    up.enqueue({ type: 'hang' });
    const s = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), { timeoutMs: 8000 });
    assert.equal(s.status, 504, `streaming request to hanging upstream: ${show(s)}`);
    await assertHealthy(gw, 'hang');
  });

  it('upstream 200 with garbage body → 502', T, async () => {
    up.enqueue({ type: 'garbage' });
    const r = await curlPostJson(gw.url('/v1/chat/completions'), chat());
    assert.equal(r.status, 502, show(r));
    assertOpenAIError(r.json, { context: 'garbage' });
    up.enqueue({ type: 'garbage', contentType: 'text/html' });
    const r2 = await curlPostJson(gw.url('/v1/embeddings'), { model: 'text-embedding-test', input: 'x' });
    assert.equal(r2.status, 502, `text/html garbage: ${show(r2)}`);
    await assertHealthy(gw, 'garbage');
  });

  it('upstream speaking non-HTTP → 502', T, async () => {
    up.enqueue({ type: 'raw' });
    const r = await curlPostJson(gw.url('/v1/chat/completions'), chat());
    assert.equal(r.status, 502, show(r));
    assertOpenAIError(r.json, { context: 'non-HTTP' });
    up.enqueue({ type: 'raw', bytes: '\x00\x01\x02\x03 binary junk\r\n\r\n' });
    const s = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }), { timeoutMs: 5000 });
    assert.equal(s.status, 502, `streaming: ${show(s)}`);
    await assertHealthy(gw, 'non-HTTP upstream');
  });

  it('upstream 4xx/5xx pass through with status and OpenAI body', T, async () => {
    for (const status of [400, 401, 404, 429, 500, 503]) {
      const body = defaultErrorBody(status);
      up.enqueue({ type: 'error', status, body });
      const r = await curlPostJson(gw.url('/v1/chat/completions'), chat());
      assert.equal(r.status, status, show(r));
      assert.deepEqual(r.json, body, `upstream ${status} body passed on`);
    }
    up.enqueue({ type: 'error', status: 500, body: 'Internal Server Error (plain text)' });
    const r = await curlPostJson(gw.url('/v1/chat/completions'), chat());
    assert.equal(r.status, 500, show(r));
    assertOpenAIError(r.json, { context: 'plain-text upstream 500 wrapped' });
    up.enqueue({ type: 'error', status: 400 });
    const s = await streamRequest(gw.url('/v1/chat/completions'), chat({ stream: true }));
    assert.equal(s.status, 400, `streaming request, upstream 400: ${show(s)}`);
    assertOpenAIError(JSON.parse(s.text), { context: 'streaming upstream 400' });
    await assertHealthy(gw, 'upstream errors');
  });
});

describe('logs', () => {
  it('every stderr line is a JSON object and no secret is logged', T, async () => {
    // Send a request carrying a client key and check it never shows up in the logs.
    await curlPostJson(gw.url('/v1/chat/completions'), chat(), { headers: ['Authorization: Bearer sk-client-bad-input-secret'] });
    await sleep(100);
    assert.deepEqual(gw.nonJsonLines(), [], 'non-JSON stderr lines');
    assert.ok(!gw.stderr.includes(UPSTREAM_KEY), 'upstream key appears in the logs');
    assert.ok(!gw.stderr.includes('sk-client-bad-input-secret'), 'client key appears in the logs');
    assert.ok(gw.logs.some((l) => l.msg === 'listening'));
  });
});

describe('SIGTERM', () => {
  it('with a stream in flight: the stream completes and the process exits 0', { timeout: 30000 }, async () => {
    const g = await startGateway({ upstream: up.baseUrl, env: { EDGEAI_SERVER_SHUTDOWN_GRACE_MS: '10000' } });
    try {
      const N = 10;
      up.enqueue({ type: 'normal', chunks: N, intervalMs: 150 });
      let signalled = 0;
      let probe = null;
      const res = await streamRequest(g.url('/v1/chat/completions'), chat({ stream: true }), {
        timeoutMs: 15000,
        onData: (text) => {
          if (!signalled && text.includes('data:')) {
            signalled = Date.now();
            g.signal('SIGTERM');
            // While draining, new requests must not be served.
            probe = sleep(300).then(() => request(g.url('/healthz'), { timeoutMs: 1000 }).then(
              (r) => ({ status: r.status }),
              (e) => ({ error: e.message }),
            ));
          }
        },
      });
      assert.ok(signalled, 'SIGTERM was sent mid-stream');
      assert.equal(res.status, 200);
      assert.equal(res.aborted, false, `stream was cut by shutdown: ${res.error?.message}\n${res.text}`);
      assert.equal(res.events.at(-1), '[DONE]', `stream finished with [DONE]:\n${res.text}`);
      const tokens = res.events.slice(0, -1).map((e) => JSON.parse(e)).filter((p) => p.choices?.[0]?.delta?.content).map((p) => p.choices[0].delta.content);
      assert.deepEqual(tokens, Array.from({ length: N }, (_, i) => streamToken(i)), 'all chunks relayed during drain');
      const exit = await g.waitExit(12000);
      assert.deepEqual(exit, { code: 0, signal: null }, g.describe());
      const p = await probe;
      assert.ok(p.status !== 200, `a new request 300 ms after SIGTERM was still served: ${JSON.stringify(p)}`);
    } finally {
      await g.stop(1000);
    }
  });

  it('a stream longer than EDGEAI_SERVER_SHUTDOWN_GRACE_MS does not keep the process alive', T, async () => {
    const g = await startGateway({ upstream: up.baseUrl, env: { EDGEAI_SERVER_SHUTDOWN_GRACE_MS: '500' } });
    try {
      up.enqueue({ type: 'normal', chunks: 200, intervalMs: 50 });
      let signalled = 0;
      const res = await streamRequest(g.url('/v1/chat/completions'), chat({ stream: true }), {
        timeoutMs: 8000,
        onData: (text) => {
          if (!signalled && text.includes('data:')) { signalled = Date.now(); g.signal('SIGTERM'); }
        },
      });
      assert.ok(signalled, 'SIGTERM was sent mid-stream');
      const exit = await g.waitExit(5000);
      const took = Date.now() - signalled;
      assert.ok(took < 3500, `exit ${took} ms after SIGTERM with a 500 ms grace`);
      assert.deepEqual(exit, { code: 0, signal: null }, g.describe());
      assert.ok(!res.events.includes('[DONE]'), 'the 10 s stream could not have finished');
      const rec = up.requestsTo('/v1/chat/completions').at(-1);
      const { early } = await within(rec.ended, 3000, 'upstream transfer cancelled at shutdown');
      assert.equal(early, true);
    } finally {
      await g.stop(1000);
    }
  });

  it('idle gateway exits 0 promptly on SIGTERM and stops listening', T, async () => {
    const g = await startGateway({ upstream: up.baseUrl });
    try {
      await assertHealthy(g);
      const t0 = Date.now();
      g.signal('SIGTERM');
      const exit = await g.waitExit(5000);
      assert.deepEqual(exit, { code: 0, signal: null }, g.describe());
      assert.ok(Date.now() - t0 < 3000, `exit took ${Date.now() - t0} ms`);
      const p = await probeConnect(g.port);
      assert.ok(p.refused, 'port no longer accepts connections');
    } finally {
      await g.stop(1000);
    }
  });
});
