// The official openai SDK against edgeai, which proxies to a scripted upstream.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test --test-concurrency=1 openai_sdk.test.mjs

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';

import { assertOpenAIError, request, within } from './lib/clients.mjs';
import { startGateway, UPSTREAM_KEY } from './lib/gateway.mjs';
import { CANNED, defaultErrorBody, startUpstream, streamToken } from './lib/scripted_upstream.mjs';

const CLIENT_KEY = 'sk-client-should-never-reach-upstream-42';
const T = { timeout: 20000 };

let up;
let gw;
let client;
/** Every request the SDK sent, as handed to fetch (url, method, body string, headers). */
const sent = [];

function capturingFetch(url, init = {}) {
  sent.push({ url: String(url), method: init.method, body: init.body, headers: init.headers });
  return fetch(url, init);
}

function makeClient(extra = {}) {
  return new OpenAI({
    apiKey: CLIENT_KEY,
    baseURL: gw.baseUrl,
    maxRetries: 0,
    timeout: 10000,
    fetch: capturingFetch,
    ...extra,
  });
}

const chatParams = (extra = {}) => ({
  model: CANNED.model,
  messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }],
  ...extra,
});

/** After a fault, a normal request must still succeed (the gateway keeps serving). */
async function assertStillServing(context) {
  let r;
  try {
    r = await client.chat.completions.create(chatParams());
  } catch (e) {
    assert.fail(`gateway stopped serving after ${context}: ${e?.constructor?.name} ${e?.status ?? ''} ${e?.message}\n${gw.describe()}`);
  }
  assert.equal(r.choices[0].message.content, CANNED.chatContent, `normal request after ${context}`);
}

/** Run fn, expect it to throw; return the error. */
async function expectThrow(fn, what) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail(`${what}: expected an error, but the call succeeded`);
}

function errSummary(e) {
  return `${e?.constructor?.name} status=${e?.status} message=${JSON.stringify(e?.message)} error=${JSON.stringify(e?.error)}`;
}

before(async () => {
  up = await startUpstream();
  gw = await startGateway({
    upstream: up.baseUrl,
    env: { EDGEAI_UPSTREAM_TIMEOUT_MS: '1000' },
  });
  client = makeClient();
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

beforeEach(() => {
  up.reset();
  sent.length = 0;
});

describe('openai SDK: happy paths', () => {
  it('chat completion round-trips', T, async () => {
    const r = await client.chat.completions.create(chatParams({ temperature: 0.2, max_tokens: 16 }));
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.id, 'chatcmpl-scripted');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, CANNED.chatContent);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.deepEqual(r.usage, { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 });

    const calls = up.requestsTo('/v1/chat/completions', 'POST');
    assert.equal(calls.length, 1, 'exactly one upstream call');
    assert.deepEqual(calls[0].json, chatParams({ temperature: 0.2, max_tokens: 16 }));
    assert.match(calls[0].headers['content-type'] ?? '', /^application\/json/);
  });

  it('streaming chat with include_usage relays chunks in order plus the usage chunk', T, async () => {
    const N = 6;
    up.enqueue({ type: 'normal', chunks: N });
    const stream = await client.chat.completions.create(chatParams({
      stream: true,
      stream_options: { include_usage: true },
    }));
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const contentChunks = chunks.filter((c) => c.choices.length && c.choices[0].delta?.content);
    assert.deepEqual(contentChunks.map((c) => c.choices[0].delta.content), Array.from({ length: N }, (_, i) => streamToken(i)),
      'content chunks arrive complete and in order');
    assert.equal(contentChunks[0].choices[0].delta.role, 'assistant');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0].finish_reason, 'stop');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, [], 'usage chunk has no choices');
    assert.deepEqual(last.usage, { prompt_tokens: 11, completion_tokens: N, total_tokens: 11 + N });
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));

    const call = up.requestsTo('/v1/chat/completions', 'POST')[0];
    assert.equal(call.json.stream, true);
    assert.deepEqual(call.json.stream_options, { include_usage: true });
  });

  it('streaming chat without include_usage has no usage chunk', T, async () => {
    up.enqueue({ type: 'normal', chunks: 3 });
    const stream = await client.chat.completions.create(chatParams({ stream: true }));
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, [0, 1, 2].map(streamToken).join(''));
    assert.ok(chunks.every((c) => !c.usage), 'no usage when not asked');
  });

  it('completions (plain and streamed)', T, async () => {
    const r = await client.completions.create({ model: CANNED.model, prompt: 'Once upon a time', max_tokens: 8 });
    assert.equal(r.object, 'text_completion');
    assert.equal(r.choices[0].text, CANNED.completionText);
    const call = up.requestsTo('/v1/completions', 'POST')[0];
    assert.ok(call, 'upstream got POST /v1/completions');
    assert.deepEqual(call.json, { model: CANNED.model, prompt: 'Once upon a time', max_tokens: 8 });

    up.enqueue({ type: 'normal', chunks: 4 });
    const stream = await client.completions.create({ model: CANNED.model, prompt: 'Count', stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.text ?? '';
    assert.equal(text, [0, 1, 2, 3].map(streamToken).join(''));
  });

  it('embeddings with encoding_format float', T, async () => {
    const r = await client.embeddings.create({ model: 'text-embedding-test', input: ['alpha', 'beta'], encoding_format: 'float' });
    assert.equal(r.object, 'list');
    assert.equal(r.data.length, 2);
    for (const d of r.data) assert.deepEqual(d.embedding, CANNED.embedding);
    const call = up.requestsTo('/v1/embeddings', 'POST')[0];
    assert.equal(call.json.encoding_format, 'float');
    assert.deepEqual(call.json.input, ['alpha', 'beta']);
  });

  it('embeddings with the SDK default (base64, decoded by the SDK)', T, async () => {
    const r = await client.embeddings.create({ model: 'text-embedding-test', input: 'gamma' });
    assert.equal(r.data.length, 1);
    assert.deepEqual(Array.from(r.data[0].embedding), CANNED.embedding);
    const call = up.requestsTo('/v1/embeddings', 'POST')[0];
    assert.equal(call.json.encoding_format, 'base64', 'SDK asked upstream for base64');
  });

  it('models.list and models.retrieve', T, async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, CANNED.models);
    assert.equal(up.requestsTo('/v1/models', 'GET').length, 1);

    const m = await client.models.retrieve('gpt-test-mini');
    assert.equal(m.id, 'gpt-test-mini');
    assert.equal(m.object, 'model');
    assert.equal(up.requestsTo('/v1/models/gpt-test-mini', 'GET').length, 1);

    const e = await expectThrow(() => client.models.retrieve('no-such-model'), 'retrieve unknown model');
    assert.ok(e instanceof OpenAI.NotFoundError, errSummary(e));
    assert.equal(e.status, 404);
    assert.equal(e.code, 'model_not_found');
  });

  it('unknown fields reach upstream untouched (raw body bytes identical)', T, async () => {
    const params = chatParams({
      x_vendor_extension: { nested: [1, 2.5, 'three', null, true], 'weird key ✓': { deep: { deeper: [] } } },
      top_k: 40,
      repetition_penalty: 1.05,
      metadata: { trace: 'abc' },
      unicode_field: 'héllo wörld — 你好 🙂',
    });
    const r = await client.chat.completions.create(params);
    assert.equal(r.choices[0].message.content, CANNED.chatContent);

    const sdkReq = sent.find((s) => s.url.endsWith('/chat/completions'));
    assert.ok(sdkReq && typeof sdkReq.body === 'string', 'captured SDK body');
    const call = up.requestsTo('/v1/chat/completions', 'POST')[0];
    assert.equal(call.text, sdkReq.body, 'upstream body bytes equal the client body bytes');
    assert.ok(call.body.equals(Buffer.from(sdkReq.body, 'utf8')));
  });

  it('upstream key is sent upstream; the client key is not', T, async () => {
    await client.chat.completions.create(chatParams());
    const call = up.requestsTo('/v1/chat/completions', 'POST')[0];
    assert.equal(call.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    const all = JSON.stringify(call.rawHeaders);
    assert.ok(!all.includes(CLIENT_KEY), `client key leaked upstream in headers: ${all}`);
    assert.ok(!call.text.includes(CLIENT_KEY), 'client key leaked upstream in body');
    const authCount = call.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length;
    assert.equal(authCount, 1, 'exactly one Authorization header upstream');

    for await (const _ of client.models.list()) { /* drain */ }
    const m = up.requestsTo('/v1/models', 'GET')[0];
    assert.equal(m.headers.authorization, `Bearer ${UPSTREAM_KEY}`, 'models calls carry the upstream key too');
  });

  it('SSE events split across TCP writes are relayed intact', T, async () => {
    up.enqueue({ type: 'normal', chunks: 5, splitEvents: true });
    const stream = await client.chat.completions.create(chatParams({ stream: true, stream_options: { include_usage: true } }));
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const tokens = chunks.filter((c) => c.choices[0]?.delta?.content).map((c) => c.choices[0].delta.content);
    assert.deepEqual(tokens, [0, 1, 2, 3, 4].map(streamToken));
    assert.equal(chunks.at(-1).usage?.completion_tokens, 5);
  });

  it('large payloads pass intact (1 MiB response, 64 KiB stream events, 1 MiB request)', T, async () => {
    const big = 'Lorem ipsum ✓ '.repeat(80000).slice(0, 1 << 20);
    up.enqueue({ type: 'normal', content: big });
    const r = await client.chat.completions.create(chatParams());
    assert.equal(r.choices[0].message.content.length, big.length);
    assert.ok(r.choices[0].message.content === big, '1 MiB response body relayed byte for byte');

    const piece = (i) => `${i}:` + String.fromCharCode(97 + (i % 26)).repeat(65536);
    up.enqueue({ type: 'normal', chunks: 4, tokenFn: piece });
    const stream = await client.chat.completions.create(chatParams({ stream: true }));
    const got = [];
    for await (const c of stream) if (c.choices[0]?.delta?.content) got.push(c.choices[0].delta.content);
    assert.equal(got.length, 4);
    for (let i = 0; i < 4; i++) assert.ok(got[i] === piece(i), `64 KiB stream chunk ${i} intact`);

    const prompt = 'x'.repeat(1 << 20);
    await client.chat.completions.create(chatParams({ messages: [{ role: 'user', content: prompt }] }));
    const call = up.requestsTo('/v1/chat/completions', 'POST').at(-1);
    assert.equal(call.json.messages[0].content.length, prompt.length, '1 MiB request body forwarded intact');
  });

  it('concurrent streams are not mixed up', T, async () => {
    const K = 6;
    up.defaultMode = { type: 'normal', chunks: 8, intervalMs: 15, tokenFn: (i, rec) => `${rec.json.model}#${i} ` };
    const runs = Array.from({ length: K }, async (_, k) => {
      const stream = await client.chat.completions.create(chatParams({ model: `m${k}`, stream: true }));
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      return text;
    });
    const texts = await Promise.all(runs);
    for (let k = 0; k < K; k++) {
      assert.equal(texts[k], Array.from({ length: 8 }, (_, i) => `m${k}#${i} `).join(''), `stream ${k}`);
    }
    assert.equal(up.requestsTo('/v1/chat/completions', 'POST').length, K);
  });

  it('x-request-id is echoed, or generated when absent (SDK _request_id)', T, async () => {
    const r1 = await client.chat.completions.create(chatParams(), { headers: { 'x-request-id': 'sdk-req-7f3a' } });
    assert.equal(r1._request_id, 'sdk-req-7f3a');
    const r2 = await client.chat.completions.create(chatParams());
    const r3 = await client.chat.completions.create(chatParams());
    assert.ok(typeof r2._request_id === 'string' && r2._request_id.length > 0, 'generated x-request-id');
    assert.notEqual(r2._request_id, r3._request_id, 'generated ids differ');
  });
});

describe('openai SDK: upstream errors surface as the matching SDK error class', () => {
  const cases = [
    [400, OpenAI.BadRequestError],
    [401, OpenAI.AuthenticationError],
    [403, OpenAI.PermissionDeniedError],
    [404, OpenAI.NotFoundError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [502, OpenAI.InternalServerError],
    [503, OpenAI.InternalServerError],
    [504, OpenAI.InternalServerError],
  ];
  for (const [status, Cls] of cases) {
    it(`upstream ${status} → ${Cls.name} with status ${status} and upstream's error body`, T, async () => {
      const body = defaultErrorBody(status);
      up.enqueue({ type: 'error', status, body });
      const e = await expectThrow(() => client.chat.completions.create(chatParams()), `upstream ${status}`);
      assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${errSummary(e)}`);
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, status, errSummary(e));
      assert.deepEqual(e.error, body.error, 'upstream OpenAI-shaped error body passed on as-is');
      assert.equal(e.code, body.error.code);
      assert.equal(e.type, body.error.type);
      await assertStillServing(`upstream ${status}`);
    });
  }

  it('upstream 429 on a streaming request → RateLimitError before any chunk', T, async () => {
    up.enqueue({ type: 'error', status: 429 });
    const e = await expectThrow(async () => {
      const s = await client.chat.completions.create(chatParams({ stream: true }));
      for await (const _ of s) { /* drain */ }
    }, 'stream 429');
    assert.ok(e instanceof OpenAI.RateLimitError, errSummary(e));
    assert.equal(e.status, 429);
    await assertStillServing('stream 429');
  });

  it('upstream error with a non-OpenAI body is wrapped into the OpenAI shape', T, async () => {
    up.enqueue({ type: 'error', status: 503, body: '<html>Service Unavailable</html>', contentType: 'text/html' });
    const e = await expectThrow(() => client.chat.completions.create(chatParams()), 'upstream 503 html');
    assert.ok(e instanceof OpenAI.InternalServerError, errSummary(e));
    assert.equal(e.status, 503);
    assertOpenAIError({ error: e.error }, { context: 'wrapped upstream 503' });
    await assertStillServing('upstream 503 html');
  });
});

describe('openai SDK: transport faults', () => {
  it('refused upstream → APIError status 502', T, async () => {
    await up.pause();
    try {
      const e = await expectThrow(() => client.chat.completions.create(chatParams()), 'refused upstream');
      assert.ok(e instanceof OpenAI.APIError, errSummary(e));
      assert.ok(!(e instanceof OpenAI.APIConnectionError), `gateway must answer, not drop the client: ${errSummary(e)}`);
      assert.equal(e.status, 502, errSummary(e));
      assertOpenAIError({ error: e.error }, { context: 'refused upstream' });
    } finally {
      await up.resume();
    }
    await assertStillServing('refused upstream');
  });

  it('hanging upstream with EDGEAI_UPSTREAM_TIMEOUT_MS=1000 → APIError status 504', T, async () => {
    up.enqueue({ type: 'hang' });
    const t0 = Date.now();
    const e = await expectThrow(() => client.chat.completions.create(chatParams()), 'hanging upstream');
    const elapsed = Date.now() - t0;
    assert.ok(e instanceof OpenAI.APIError && !(e instanceof OpenAI.APIConnectionError), errSummary(e));
    assert.equal(e.status, 504, errSummary(e));
    assertOpenAIError({ error: e.error }, { context: 'upstream timeout' });
    assert.ok(elapsed >= 800 && elapsed < 5000, `504 after ${elapsed} ms (timeout is 1000 ms)`);
    await assertStillServing('hanging upstream');
  });

  it('upstream 200 with a non-JSON body → APIError status 502', T, async () => {
    up.enqueue({ type: 'garbage' });
    const e = await expectThrow(() => client.chat.completions.create(chatParams()), 'garbage upstream');
    assert.ok(e instanceof OpenAI.APIError && !(e instanceof OpenAI.APIConnectionError), errSummary(e));
    assert.equal(e.status, 502, errSummary(e));
    await assertStillServing('garbage upstream');
  });

  it('upstream answering non-HTTP bytes → APIError status 502', T, async () => {
    up.enqueue({ type: 'raw' });
    const e = await expectThrow(() => client.chat.completions.create(chatParams()), 'non-HTTP upstream');
    assert.ok(e instanceof OpenAI.APIError && !(e instanceof OpenAI.APIConnectionError), errSummary(e));
    assert.equal(e.status, 502, errSummary(e));
    await assertStillServing('non-HTTP upstream');
  });

  it('upstream stream cut mid-way → the SDK iteration throws after the relayed chunks', T, async () => {
    up.enqueue({ type: 'normal', chunks: 10, cutAfter: 3 });
    const stream = await client.chat.completions.create(chatParams({ stream: true }));
    const got = [];
    const e = await expectThrow(() => within((async () => {
      for await (const c of stream) got.push(c.choices[0]?.delta?.content ?? '');
    })(), 10000, 'stream iteration'), 'cut stream');
    assert.ok(!/not within/.test(e.message), `stream did not end after the upstream cut: ${e.message}`);
    assert.deepEqual(got, [0, 1, 2].map(streamToken), 'chunks before the cut were relayed in order');
    assert.ok(e instanceof OpenAI.APIError, `expected the gateway's error event (APIError), got ${errSummary(e)}`);
    assert.ok(typeof e.error?.message === 'string' && e.error.message.length > 0, `error event carries a message: ${errSummary(e)}`);
    await assertStillServing('cut stream');
  });

  it('the gateway is healthy after all faults', T, async () => {
    const h = await request(gw.url('/healthz'));
    assert.equal(h.status, 200, gw.describe());
    assert.equal(gw.exit, null, gw.describe());
  });

  it('logs are JSON lines and never contain the upstream or client key', T, async () => {
    assert.deepEqual(gw.nonJsonLines(), [], 'non-JSON stderr lines');
    assert.ok(!gw.stderr.includes(UPSTREAM_KEY), 'upstream key appears in the logs');
    assert.ok(!gw.stderr.includes(CLIENT_KEY), 'client key appears in the logs');
  });
});
