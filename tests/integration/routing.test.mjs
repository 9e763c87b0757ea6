// Routing over several backends ([[backends]] and [[routes]] in a config file)
// against scripted upstreams on real sockets: the fallback order, which
// failures move on and which are passed back, Retry-After, the target's model
// name upstream, the answering backend in x-edgeai-backend, circuit breakers,
// and the official openai SDK through a fallback route.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { ScriptedUpstream } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { deadPort, request, streamRequest } from './lib/clients.mjs';
import { convertStories, makeTmpDir, missingData, removeTmpDir, startLocalServe } from './lib/engine.mjs';

// Two scripted upstreams and a gateway whose config `configFor(a, b)` writes.
async function startRouted(configFor) {
  const a = new ScriptedUpstream();
  const b = new ScriptedUpstream();
  await a.start();
  await b.start();
  const gw = await startGateway({ upstream: a.baseUrl, args: ['--config', writeConfig(await configFor(a, b))] });
  return {
    a, b, gw,
    async close() {
      await gw.stop();
      await a.close();
      await b.close();
    },
  };
}

function chat(gw, model, headers = {}) {
  return request(gw.url('/v1/chat/completions'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('routing over several backends', () => {
  let a, b, gw, routed;

  before(async () => {
    const dead = await deadPort();
    routed = await startRouted((a, b) => `
[[backends]]
name = "a"
kind = "openai"
base_url = "${a.baseUrl}"
models = ["gpt-a"]

[[backends]]
name = "b"
kind = "openai"
base_url = "${b.baseUrl}"
models = ["gpt-b"]

[[backends]]
name = "gone"
kind = "openai"
base_url = "http://127.0.0.1:${dead}/v1"
models = ["*"]

[[routes]]
model = "chat"
targets = ["a:gpt-a", "b:gpt-b"]

[[routes]]
model = "via-gone"
targets = ["gone:x", "b:gpt-b"]

[[routes]]
model = "only-a"
targets = ["a:gpt-a"]
`);
    ({ a, b, gw } = routed);
  });

  after(async () => {
    await routed?.close();
  });

  test('a healthy first target answers, asked for its own model name', async () => {
    const before = a.requests.length;
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'a');
    assert.equal(a.requests.length, before + 1);
    assert.equal(a.requests.at(-1).json.model, 'gpt-a');
    // Everything else in the body goes as the client sent it.
    assert.deepEqual(a.requests.at(-1).json.messages, [{ role: 'user', content: 'hi' }]);
  });

  test('a 503 from the first target falls back to the second; the client gets one answer', async () => {
    const aBefore = a.requests.length;
    const bBefore = b.requests.length;
    a.enqueue({ type: 'error', status: 503 });
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'b');
    assert.equal(a.requests.length, aBefore + 1);
    assert.equal(b.requests.length, bBefore + 1);
    assert.equal(b.requests.at(-1).json.model, 'gpt-b');
    assert.equal(JSON.parse(r.text).object, 'chat.completion');
    // Both attempts are visible to the client, and the failed one in the log.
    assert.match(r.headers['x-edgeai-attempts'], /^a;status=503;ms=\d+, b;status=200;ms=\d+$/);
    const rid = r.headers['x-request-id'];
    let line;
    for (let i = 0; i < 50 && !line; i++) {
      line = gw.logs.find((l) => l.msg === 'attempt failed' && l.request_id === rid);
      if (!line) await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(line, 'a log line for the failed attempt');
    assert.equal(line.backend, 'a');
    assert.equal(line.status, 503);
  });

  test('a target that refuses connections is skipped at once', async () => {
    const started = Date.now();
    const r = await chat(gw, 'via-gone');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'b');
    assert.match(r.headers['x-edgeai-attempts'], /^[^;]+;error=unavailable;ms=\d+, b;status=200;ms=\d+$/);
    assert.ok(Date.now() - started < 2000, 'no backoff before a different target');
  });

  test('a 400 is the caller\'s mistake: passed back, not retried elsewhere', async () => {
    const bBefore = b.requests.length;
    a.enqueue({ type: 'error', status: 400 });
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 400, r.text);
    assert.equal(JSON.parse(r.text).error.code, 'bad_request');
    assert.equal(b.requests.length, bBefore);
  });

  test('429 with Retry-After on a single target is retried after the wait', async () => {
    const aBefore = a.requests.length;
    a.enqueue({ type: 'error', status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const r = await chat(gw, 'only-a');
    const elapsed = Date.now() - started;
    assert.equal(r.status, 200, r.text);
    assert.equal(a.requests.length, aBefore + 2);
    assert.ok(elapsed >= 1000, `waited ${elapsed} ms, Retry-After asked for 1000`);
    assert.ok(elapsed < 5000, `waited ${elapsed} ms`);
  });

  test('a target failing every attempt ends in one 502 naming each failure', async () => {
    a.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 502 }, { type: 'error', status: 503 });
    const r = await chat(gw, 'only-a');
    // The last attempt's own answer is passed on: nobody else could be asked.
    assert.equal(r.status, 503, r.text);
    assert.match(r.headers['x-edgeai-attempts'], /^a;status=500;ms=\d+, a;status=502;ms=\d+, a;status=503;ms=\d+$/);
    assert.equal(JSON.parse(r.text).error.message, 'upstream says: overloaded');
  });

  test('the official openai SDK works through a fallback route', async () => {
    a.enqueue({ type: 'error', status: 500 });
    const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.ok(completion.choices[0].message.content.length > 0);
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0);
  });

  test('GET /v1/models lists the routes and what each backend serves', async () => {
    const r = await request(gw.url('/v1/models'));
    assert.equal(r.status, 200, r.text);
    const ids = r.json.data.map((m) => `${m.id}@${m.owned_by}`);
    assert.deepEqual(ids, [
      'chat@edgeai-route', 'via-gone@edgeai-route', 'only-a@edgeai-route', 'gpt-a@a', 'gpt-b@b',
    ]);
    const one = await request(gw.url('/v1/models/gpt-b'));
    assert.equal(one.status, 200);
    assert.equal(one.json.owned_by, 'b');
    const none = await request(gw.url('/v1/models/nope'));
    assert.equal(none.status, 404);
    assert.equal(none.json.error.code, 'model_not_found');
  });

  // Last: it leaves backend a's breaker open.
  test('five failures in a row open the breaker: the target is skipped until the cool-down', async () => {
    for (let i = 0; i < 5; ++i) a.enqueue({ type: 'error', status: 500 });
    for (let i = 0; i < 5; ++i) {
      const r = await chat(gw, 'chat');
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-edgeai-backend'], 'b');
    }
    const aBefore = a.requests.length;
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-edgeai-backend'], 'b');
    assert.equal(a.requests.length, aBefore, 'an open breaker sends nothing');
    const only = await chat(gw, 'only-a');
    assert.equal(only.status, 503);
    assert.match(JSON.parse(only.text).error.message, /circuit breaker open/);
    // Visible to operators: /readyz and /metrics name the open breaker.
    const ready = await request(gw.url('/readyz'));
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json.backends.map((x) => `${x.name}:${x.circuit}`),
                     ['a:open', 'b:closed', 'gone:closed']);
    const metrics = await request(gw.url('/metrics'));
    assert.match(metrics.text, /edgeai_backend_circuit_state\{backend="a"\} 2/);
    assert.match(metrics.text, /edgeai_backend_circuit_state\{backend="b"\} 0/);
  });
});

describe('routing deadline', () => {
  let a, b, gw, routed;

  before(async () => {
    routed = await startRouted((a, b) => `
[routing]
deadline_ms = 300

[[backends]]
name = "a"
kind = "openai"
base_url = "${a.baseUrl}"
models = ["gpt-a"]

[[backends]]
name = "b"
kind = "openai"
base_url = "${b.baseUrl}"
models = ["gpt-b"]

[[routes]]
model = "chat"
targets = ["a:gpt-a", "b:gpt-b"]
`);
    ({ a, b, gw } = routed);
  });

  after(async () => {
    await routed?.close();
  });

  test('no new attempt starts after routing.deadline_ms', async () => {
    a.enqueue({ type: 'error', status: 503, delayMs: 500 });
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 502, r.text);
    assert.match(r.json.error.message, /deadline of 300 ms reached/);
    assert.equal(b.requests.length, 0);
  });
});

describe('routing with max_concurrency', () => {
  let a, b, gw, routed;

  before(async () => {
    routed = await startRouted((a, b) => `
[[backends]]
name = "a"
kind = "openai"
base_url = "${a.baseUrl}"
models = ["gpt-a"]
max_concurrency = 1

[[backends]]
name = "b"
kind = "openai"
base_url = "${b.baseUrl}"
models = ["gpt-b"]

[[routes]]
model = "chat"
targets = ["a:gpt-a", "b:gpt-b"]
`);
    ({ a, b, gw } = routed);
  });

  after(async () => {
    await routed?.close();
  });

  test('a backend at its max_concurrency is passed over for the next target', async () => {
    a.enqueue({ type: 'normal', delayMs: 600 });
    const slow = chat(gw, 'chat');
    await a.waitForRequest(() => true, 2000); // the slow one holds a's only slot
    const fast = await chat(gw, 'chat');
    assert.equal(fast.status, 200, fast.text);
    assert.equal(fast.headers['x-edgeai-backend'], 'b');
    const first = await slow;
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers['x-edgeai-backend'], 'a');
    // With a free again, it takes the next request.
    const again = await chat(gw, 'chat');
    assert.equal(again.headers['x-edgeai-backend'], 'a');
  });
});

const noStories = missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');

describe('routing while the uplink is down', { skip: noStories }, () => {
  let gw, tmp;

  before(async () => {
    tmp = makeTmpDir();
    const model = await convertStories(tmp);
    const dead = await deadPort();
    const config = writeConfig(`
[routing]
uplink_probe_interval_ms = 100
uplink_probe_timeout_ms = 200

[[backends]]
name = "cloud"
kind = "openai"
base_url = "http://127.0.0.1:${dead}/v1"
models = ["gpt-x"]

[[backends]]
name = "edge"
kind = "local"
models = { stories = "${model}" }
chat_template = "chatml"
ctx_size = 1024
parallel = 2

[[routes]]
model = "chat"
targets = ["cloud:gpt-x"]
when_offline = "edge:stories"
`);
    gw = await startLocalServe({ models: [], args: ['--config', config] });
  });

  after(async () => {
    await gw?.stop();
    if (tmp) removeTmpDir(tmp);
  });

  // Issue 21: a local backend in TOML sets its models' template, context and slots.
  test('the local backend\'s chat_template, ctx_size and parallel apply to its model', () => {
    const ready = gw.logs.find((l) => l.msg === 'local model ready' && l.model === 'stories');
    assert.ok(ready, gw.describe());
    assert.equal(ready.chat_template, 'chatml');
    assert.equal(ready.parallel, 2);
    assert.equal(ready.context, 512, 'ctx_size is split over the two slots');
    const listening = gw.logs.find((l) => l.msg === 'listening');
    assert.equal(listening.models, 'gpt-x, stories');
    assert.match(listening.backends, /^cloud \(openai, http:\/\/127\.0\.0\.1:\d+\/v1\), edge \(local\)$/);
    assert.match(listening.upstream, /^http:\/\/127\.0\.0\.1:\d+\/v1$/, 'not "none" with [[backends]]');
  });

  test('the monitor marks the uplink offline and the route uses its when_offline target', async () => {
    let ready;
    for (let i = 0; i < 50; ++i) {
      ready = await request(gw.url('/readyz'));
      if (ready.json?.uplink === 'offline') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ready.json.uplink, 'offline', JSON.stringify(ready.json));
    const metrics = await request(gw.url('/metrics'));
    assert.match(metrics.text, /edgeai_uplink_online 0/);
    const r = await request(gw.url('/v1/completions'), {
      method: 'POST',
      body: { model: 'chat', prompt: 'Once upon a time', max_tokens: 8, temperature: 0 },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'edge');
    assert.ok(r.json.choices[0].text.length > 0);
  });
});

// One scripted fault per test on the first target of a two-target route:
// which faults move on to the second target, within what time, and that the
// client gets exactly one answer.
describe('routing around upstream faults', () => {
  let a, b, gw, routed;

  before(async () => {
    // Every fault below counts against a's breaker: it must stay closed
    // through all of them for each test to see a answer first.
    routed = await startRouted((a, b) => `
[routing]
breaker_failures = 50

[[backends]]
name = "a"
kind = "openai"
base_url = "${a.baseUrl}"
models = ["gpt-a"]
timeout_ms = 400
stream_idle_timeout_ms = 400

[[backends]]
name = "b"
kind = "openai"
base_url = "${b.baseUrl}"
models = ["gpt-b"]

[[routes]]
model = "chat"
targets = ["a:gpt-a", "b:gpt-b"]
`);
    ({ a, b, gw } = routed);
  });

  after(async () => {
    await routed?.close();
  });

  async function fallsBackToB(mode, maxMs) {
    const bBefore = b.requests.length;
    a.enqueue(mode);
    const started = Date.now();
    const r = await chat(gw, 'chat');
    const elapsed = Date.now() - started;
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'b');
    assert.equal(r.json.object, 'chat.completion', 'one whole answer');
    assert.equal(b.requests.length, bBefore + 1);
    assert.ok(elapsed < maxMs, `took ${elapsed} ms`);
    return elapsed;
  }

  test('an upstream that hangs: moved on after its timeout_ms, not waited on again', async () => {
    const aBefore = a.requests.length;
    const elapsed = await fallsBackToB({ type: 'hang' }, 2000);
    assert.ok(elapsed >= 350, `gave up after ${elapsed} ms, timeout_ms is 400`);
    assert.equal(a.requests.length, aBefore + 1);
  });

  test('a slow first byte inside timeout_ms is waited for', async () => {
    a.enqueue({ type: 'normal', delayMs: 200 });
    const r = await chat(gw, 'chat');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'a');
  });

  test('200 with a body that is not JSON: the next target answers', async () => {
    await fallsBackToB({ type: 'garbage' }, 2000);
  });

  test('200 with the wrong content type and an HTML body: the next target answers', async () => {
    await fallsBackToB({ type: 'garbage', contentType: 'text/html', body: '<html>maintenance</html>' }, 2000);
  });

  test('bytes that are not HTTP: the next target answers', async () => {
    await fallsBackToB({ type: 'raw', bytes: 'SSH-2.0-OpenSSH_9.2\r\n' }, 2000);
  });

  // Issue 16: a 200 head and then nothing is no answer yet.
  const headThenStall = (contentType) => async (req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.flushHeaders();
  };

  test('200 headers then nothing: the next target answers (nothing had reached the client)', async () => {
    await fallsBackToB(headThenStall('application/json'), 3000);
  });

  test('a stream whose head came but no event: the next target streams it', async () => {
    const bBefore = b.requests.length;
    a.enqueue(headThenStall('text/event-stream'));
    const r = await streamRequest(gw.url('/v1/chat/completions'), {
      model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-edgeai-backend'], 'b');
    assert.equal(r.events.at(-1), '[DONE]', r.text);
    assert.equal(b.requests.length, bBefore + 1);
  });

  test('a stream that stalls after its first chunk ends with an error event, never a silent retry', async () => {
    const bBefore = b.requests.length;
    a.enqueue({ type: 'normal', stallAfter: 1 });
    const r = await streamRequest(gw.url('/v1/chat/completions'), {
      model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-edgeai-backend'], 'a');
    const last = r.events.at(-1);
    assert.match(last, /upstream_stream_interrupted/, r.text);
    assert.equal(b.requests.length, bBefore, 'the stream had started: no second backend');
  });
});
