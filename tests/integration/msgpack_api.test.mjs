// MessagePack on the /v1 API (issue 23, item 2), with @msgpack/msgpack as the
// client: requests in MessagePack, answers and errors in MessagePack when
// asked, streams as concatenated MessagePack maps (decodeMultiStream), and
// embeddings as float32 arrays; the upstream still gets JSON.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { decode, decodeMultiStream, encode } from '@msgpack/msgpack';

import { startGateway } from './lib/gateway.mjs';
import { CANNED, startUpstream, streamToken } from './lib/scripted_upstream.mjs';

const T = { timeout: 20000 };
let up;
let gw;

before(async () => {
  up = await startUpstream();
  gw = await startGateway({ upstream: up.baseUrl });
});
after(async () => {
  await gw?.stop();
  await up?.close();
});
beforeEach(() => up.reset());

const chat = (extra = {}) => ({
  model: CANNED.model,
  messages: [{ role: 'user', content: 'Say hello.' }],
  ...extra,
});

async function post(path, body, { contentType = 'application/msgpack', accept = 'application/msgpack' } = {}) {
  const headers = { 'content-type': contentType };
  if (accept) headers.accept = accept;
  return fetch(`${gw.baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: contentType.includes('json') ? JSON.stringify(body) : encode(body),
  });
}

describe('MessagePack on the /v1 API', () => {
  it('a chat completion: MessagePack in and out, JSON to the upstream', T, async () => {
    const res = await post('/chat/completions', chat({ temperature: 0.5 }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/msgpack');
    const answer = decode(new Uint8Array(await res.arrayBuffer()));
    assert.equal(answer.choices[0].message.content, CANNED.chatContent);
    assert.equal(answer.object, 'chat.completion');
    const call = up.requestsTo('/v1/chat/completions', 'POST')[0];
    assert.match(call.headers['content-type'], /^application\/json/);
    assert.deepEqual(call.json, chat({ temperature: 0.5 }));
  });

  it('each spelling, and MessagePack one way only', T, async () => {
    for (const type of ['application/vnd.msgpack', 'application/x-msgpack']) {
      const res = await post('/chat/completions', chat(), { contentType: type, accept: type });
      assert.equal(res.status, 200, type);
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(decode(new Uint8Array(await res.arrayBuffer())).choices[0].message.content, CANNED.chatContent);
    }
    // JSON in, MessagePack out.
    const a = await post('/chat/completions', chat(), { contentType: 'application/json' });
    assert.equal(decode(new Uint8Array(await a.arrayBuffer())).object, 'chat.completion');
    // MessagePack in, JSON out (no Accept).
    const b = await post('/chat/completions', chat(), { accept: null });
    assert.match(b.headers.get('content-type'), /^application\/json/);
    assert.equal((await b.json()).object, 'chat.completion');
    // A list of types with MessagePack preferred, and one that refuses it.
    const c = await post('/chat/completions', chat(), { contentType: 'application/json', accept: 'application/msgpack, application/json;q=0.5' });
    assert.equal(c.headers.get('content-type'), 'application/msgpack');
    const d = await post('/chat/completions', chat(), { contentType: 'application/json', accept: 'application/msgpack;q=0, application/json' });
    assert.match(d.headers.get('content-type'), /^application\/json/);
  });

  it('a stream: one MessagePack map per event, no [DONE], read with decodeMultiStream', T, async () => {
    up.enqueue({ type: 'normal', chunks: 5 });
    const res = await post('/chat/completions', chat({ stream: true, stream_options: { include_usage: true } }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/msgpack');
    const events = [];
    for await (const event of decodeMultiStream(res.body)) events.push(event);
    const text = events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('');
    assert.equal(text, Array.from({ length: 5 }, (_, i) => streamToken(i)).join(''));
    assert.ok(events.every((e) => e.object === 'chat.completion.chunk'));
    assert.deepEqual(events.at(-1).usage, { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
  });

  it('embeddings: vectors as float32 arrays', T, async () => {
    const res = await post('/embeddings', { model: 'text-embedding-test', input: ['alpha', 'beta'], encoding_format: 'float' });
    assert.equal(res.status, 200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const answer = decode(bytes);
    for (const d of answer.data) assert.deepEqual(d.embedding, CANNED.embedding);
    // 0.5 as float32 is ca 3f000000; as float64 it would be cb 3fe0...
    assert.ok(Buffer.from(bytes).toString('hex').includes('ca3f000000'), 'float32 values');
    assert.ok(!Buffer.from(bytes).toString('hex').includes('cb3fe0000000000000'), 'no float64 values');
  });

  it('errors: in MessagePack when asked, naming what was wrong', T, async () => {
    // A field the API checks.
    const bad = await post('/chat/completions', chat({ temperature: 7 }));
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), 'application/msgpack');
    const err = decode(new Uint8Array(await bad.arrayBuffer()));
    assert.equal(err.error.param, 'temperature');
    // A value JSON cannot hold.
    const bin = await post('/chat/completions', { ...chat(), user: new Uint8Array([1, 2]) });
    assert.equal(bin.status, 400);
    const binErr = decode(new Uint8Array(await bin.arrayBuffer()));
    assert.match(binErr.error.message, /bin at \$\.user has no JSON form/);
    // Broken MessagePack.
    const cut = await fetch(`${gw.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
      body: encode(chat()).subarray(0, 10),
    });
    assert.equal(cut.status, 400);
    assert.match(decode(new Uint8Array(await cut.arrayBuffer())).error.message, /MessagePack/);
    // An unknown model from the upstream: its JSON error, in MessagePack.
    up.enqueue({ type: 'error', status: 404 });
    const missing = await post('/chat/completions', chat());
    assert.equal(missing.status, 404);
    assert.equal(typeof decode(new Uint8Array(await missing.arrayBuffer())).error.message, 'string');
    // The gateway keeps serving.
    const ok = await post('/chat/completions', chat());
    assert.equal(ok.status, 200);
  });

  it('models in MessagePack; other routes keep their own types', T, async () => {
    const res = await fetch(`${gw.baseUrl}/models`, { headers: { accept: 'application/msgpack' } });
    assert.equal(res.status, 200);
    const list = decode(new Uint8Array(await res.arrayBuffer()));
    assert.equal(list.object, 'list');
    const health = await fetch(`${gw.baseUrl.replace(/\/v1$/, '')}/healthz`, { headers: { accept: 'application/msgpack' } });
    assert.match(health.headers.get('content-type') ?? '', /json|text/);
  });
});
