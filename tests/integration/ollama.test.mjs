// Ollama's API (/api/*) with the official `ollama` client: against the local
// engine (stories260K; skipped with a message when the data is absent) and a
// scripted OpenAI-compatible upstream, so an Ollama client reaches any backend
// through edgeai. List, show, ps, version, chat and generate (streamed as
// NDJSON and not), embed and the older embeddings, format, options, errors in
// Ollama's shape, keys and scopes, and clients that leave mid-stream.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test ollama.test.mjs

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Ollama } from 'ollama';

import { collectAll, deadPort, expectError, request, usageUntil } from './lib/clients.mjs';
import {
  startKeyedGateway, startTinyChat, STORIES_SKIP,
} from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { CANNED, ScriptedUpstream, streamToken } from './lib/scripted_upstream.mjs';

function client(gw, apiKey) {
  return new Ollama({ host: gw.origin, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
}


/** The counts and durations of a final object, as Ollama reports them. */
function assertFinal(final) {
  assert.equal(final.done, true);
  assert.ok(['stop', 'length'].includes(final.done_reason), `done_reason ${final.done_reason}`);
  for (const k of ['total_duration', 'prompt_eval_duration', 'eval_duration', 'prompt_eval_count', 'eval_count'])
    assert.ok(Number.isInteger(final[k]) && final[k] >= 0, `${k} = ${final[k]}`);
  assert.ok(final.total_duration >= final.eval_duration);
  assert.ok(!Number.isNaN(Date.parse(final.created_at)), `created_at ${final.created_at}`);
}

/** A POST whose answer is read line by line; `onLine` may end it early. */
function ndjson(gw, path, body, { onLine } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(gw.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      let buffer = '';
      const lines = [];
      res.on('data', (d) => {
        buffer += d.toString('utf8');
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          lines.push(JSON.parse(line));
          if (onLine?.(lines.at(-1), req)) {
            req.destroy();
            resolve({ status: res.statusCode, headers: res.headers, lines, aborted: true });
            return;
          }
        }
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, lines, rest: buffer }));
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (!req.destroyed) reject(e); });
    req.end(JSON.stringify(body));
  });
}

describe('Ollama API through an upstream with only chat completions', () => {
  let up, gw, ollama;
  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({ upstream: up.baseUrl });
    ollama = client(gw);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('list, show, ps and version', async () => {
    const list = await ollama.list();
    assert.deepEqual(list.models.map((m) => m.name).sort(), CANNED.models.map((m) => `${m}:latest`).sort());
    assert.match(list.models[0].digest, /^[0-9a-f]{64}$/);
    const shown = await ollama.show({ model: 'gpt-test:latest' });
    assert.equal(shown.details.format, 'gguf');
    assert.ok(shown.capabilities.includes('completion'));
    const missing = await expectError(ollama.show({ model: 'no-such-model' }), 'show of an unknown model');
    assert.equal(missing.status_code, 404);
    assert.match(missing.error, /no-such-model/);
    const ps = await ollama.ps();
    assert.equal(ps.models.length, CANNED.models.length);
    const version = await ollama.version();
    assert.match(version.version, /^\d+\.\d+\.\d+$/);
  });

  test('chat, not streamed: options mapped, the answer and counts in Ollama\'s shape', async () => {
    const r = await ollama.chat({
      model: 'gpt-test:latest',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      options: { num_predict: 20, temperature: 0.5, top_k: 7, top_p: 0.9, min_p: 0.05, seed: 3, stop: ['\n'], repeat_penalty: 1.1, num_ctx: 2048, num_thread: 2 },
      format: 'json',
      keep_alive: '5m',
      stream: false,
    });
    assert.equal(r.model, 'gpt-test:latest');
    assert.equal(r.message.role, 'assistant');
    assert.equal(r.message.content, CANNED.chatContent);
    assertFinal(r);
    assert.equal(r.done_reason, 'stop');
    assert.deepEqual([r.prompt_eval_count, r.eval_count], [9, 7]);
    const sent = up.requests.at(-1);
    assert.equal(sent.path, '/v1/chat/completions');
    assert.deepEqual(sent.json, {
      model: 'gpt-test',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      max_tokens: 20, temperature: 0.5, top_k: 7, top_p: 0.9, min_p: 0.05, seed: 3, stop: ['\n'], repeat_penalty: 1.1,
      response_format: { type: 'json_object' },
    });
  });

  test('chat, streamed (the default): one NDJSON object per chunk, then the final one', async () => {
    const parts = await collectAll(await ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }));
    const final = parts.at(-1);
    assertFinal(final);
    assert.equal(parts.slice(0, -1).map((p) => p.message.content).join(''), [0, 1, 2].map(streamToken).join(''));
    for (const p of parts.slice(0, -1)) assert.equal(p.done, false);
    assert.deepEqual([final.prompt_eval_count, final.eval_count], [11, 3]);
    assert.equal(up.requests.at(-1).json.stream_options.include_usage, true);
    const raw = await ndjson(gw, '/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(raw.status, 200);
    assert.match(raw.headers['content-type'], /^application\/x-ndjson/);
    assert.equal(raw.lines.at(-1).done, true);
    assert.equal(raw.rest, '');
  });

  test('format as a JSON schema goes upstream as response_format json_schema', async () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
    await ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], format: schema, stream: false });
    assert.deepEqual(up.requests.at(-1).json.response_format, { type: 'json_schema', json_schema: { name: 'format', strict: true, schema } });
  });

  test('tools: OpenAI tool_calls come back as Ollama\'s (arguments as objects), plain and streamed', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const history = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }, { function: { name: 'get_weather', arguments: { city: 'Rome' } } }] },
      { role: 'tool', content: '3C', tool_name: 'get_weather' },
      { role: 'tool', content: '20C', tool_name: 'get_weather' },
    ];
    const calls = [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } }];
    const whole = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-test', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }));
    };
    const streamed = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      res.write(chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }));
      res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }));
      res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Bergen"}' } }] }));
      res.write(chunk({}, 'tool_calls'));
      res.end('data: [DONE]\n\n');
    };
    up.enqueue(whole, streamed);
    const r = await ollama.chat({ model: 'gpt-test', messages: history, tools, stream: false });
    assert.deepEqual(r.message.tool_calls, [{ function: { name: 'get_weather', arguments: { city: 'Bergen' } } }]);
    const sent = up.requests.at(-1).json;
    assert.deepEqual(sent.tools, tools);
    assert.deepEqual(sent.messages[1].tool_calls.map((c) => [c.id, c.type, c.function.name, JSON.parse(c.function.arguments).city]),
      [['call_1_0', 'function', 'get_weather', 'Oslo'], ['call_1_1', 'function', 'get_weather', 'Rome']]);
    assert.deepEqual(sent.messages.slice(2).map((m) => [m.role, m.tool_call_id, m.content]), [['tool', 'call_1_0', '3C'], ['tool', 'call_1_1', '20C']]);
    const parts = [];
    for await (const part of await ollama.chat({ model: 'gpt-test', messages: history, tools, stream: true })) parts.push(part);
    const withCalls = parts.filter((p) => p.message.tool_calls);
    assert.equal(withCalls.length, 1, 'the calls come whole, once');
    assert.deepEqual(withCalls[0].message.tool_calls, [{ function: { name: 'get_weather', arguments: { city: 'Bergen' } } }]);
    assert.equal(parts.at(-1).done, true);
  });

  test('generate: system and prompt become a chat; raw goes to completions', async () => {
    const r = await ollama.generate({ model: 'gpt-test', prompt: 'Why?', system: 'Answer.', stream: false });
    assert.equal(r.response, CANNED.chatContent);
    assertFinal(r);
    assert.deepEqual(up.requests.at(-1).json.messages, [{ role: 'system', content: 'Answer.' }, { role: 'user', content: 'Why?' }]);
    const raw = await ollama.generate({ model: 'gpt-test', prompt: 'Once', raw: true, stream: false });
    assert.equal(raw.response, CANNED.completionText);
    assert.equal(up.requests.at(-1).path, '/v1/completions');
    assert.equal(up.requests.at(-1).json.prompt, 'Once');
    const parts = await collectAll(await ollama.generate({ model: 'gpt-test', prompt: 'Once', raw: true, stream: true }));
    assert.equal(parts.slice(0, -1).map((p) => p.response).join(''), [0, 1, 2].map(streamToken).join(''));
    assertFinal(parts.at(-1));
    const load = await ollama.generate({ model: 'gpt-test', prompt: '', stream: false });
    assert.equal(load.done_reason, 'load');
  });

  test('embed and the older embeddings', async () => {
    const r = await ollama.embed({ model: 'text-embedding-test', input: ['a', 'b'] });
    assert.deepEqual(r.embeddings, [CANNED.embedding, CANNED.embedding]);
    assert.equal(r.prompt_eval_count, 5);
    assert.deepEqual(up.requests.at(-1).json, { model: 'text-embedding-test', input: ['a', 'b'], encoding_format: 'float' });
    const old = await ollama.embeddings({ model: 'text-embedding-test', prompt: 'a' });
    assert.deepEqual(old.embedding, CANNED.embedding);
  });

  test('usage rows count the backend\'s tokens, as for /v1', async () => {
    const model = 'usage-counted';
    await ollama.chat({ model, messages: [{ role: 'user', content: 'x' }], stream: false });
    await collectAll(await ollama.chat({ model, messages: [{ role: 'user', content: 'x' }], stream: true }));
    const sum = await usageUntil(gw, '?by=model', (j) => j.data.some((d) => d.group === model && d.requests >= 2));
    const row = sum.data.find((d) => d.group === model);
    assert.deepEqual([row?.requests, row?.prompt_tokens, row?.completion_tokens], [2, 9 + 11, 7 + 3], JSON.stringify(sum));
  });

  test('an upstream error keeps its status, in Ollama\'s shape', async () => {
    up.enqueue({ type: 'error', status: 500 });
    const e = await expectError(ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }), 'an upstream 500');
    assert.equal(e.status_code, 500);
    assert.match(e.error, /internal server error/);
  });

  test('a stream cut by the upstream ends with an error object, and the client raises it', async () => {
    up.enqueue({ type: 'normal', cutAfter: 1 });
    const it = await ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
    await expectError(collectAll(it), 'a cut stream');
    const r = await ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'again' }], stream: false });
    assert.equal(r.done, true);
  });

  test('bad input: a clear {"error"} naming the field, and the server keeps serving', async () => {
    const cases = [
      ['/api/chat', '{"model":', /JSON/],
      ['/api/chat', '[1,2]', /object/],
      ['/api/chat', { messages: [] }, /model/],
      ['/api/chat', { model: 42 }, /model/],
      ['/api/chat', { model: 'gpt-test', messages: 'hi' }, /messages/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'robot', content: 'x' }] }, /messages\[0\]\.role/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 7 }] }, /messages\[0\]\.content/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], options: { temperature: 'hot' } }, /options\.temperature/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], options: { mirostat: 2 } }, /options\.mirostat/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], format: 'yaml' }, /format/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], tools: 'f' }, /tools/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x', tool_calls: [] }] }, /messages\[0\]\.tool_calls/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] }] }, /messages\[0\]\.tool_calls\[0\]\.function\.arguments/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x', images: ['bm90IGFuIGltYWdl'] }] }, /images/],
      ['/api/chat', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, /stream/],
      ['/api/generate', { model: 'gpt-test', prompt: 5 }, /prompt/],
      ['/api/generate', { model: 'gpt-test', prompt: 'x', context: [1, 2] }, /context/],
      ['/api/generate', { model: 'gpt-test', prompt: 'x', suffix: 'y' }, /suffix/],
      ['/api/embed', { model: 'gpt-test' }, /input/],
      ['/api/embed', { model: 'gpt-test', input: [1] }, /input\[0\]/],
      ['/api/embeddings', { model: 'gpt-test', prompt: ['x'] }, /prompt/],
      ['/api/show', { }, /model/],
    ];
    for (const [path, body, pattern] of cases) {
      const r = await request(gw.url(path), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json), ['error'], r.text);
      assert.match(r.json.error, pattern, `${path} ${JSON.stringify(body)}`);
    }
    // A form body (curl -d) is read as JSON, as Ollama reads it.
    const form = await request(gw.url('/api/generate'), { method: 'POST', body: '{"model":"gpt-test","prompt":"x","stream":false}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 200, form.text);
    // Model management is not served yet: a 404 Ollama's clients can read.
    const pull = await request(gw.url('/api/pull'), { method: 'POST', body: { model: 'x' } });
    assert.equal(pull.status, 404);
    assert.ok(typeof pull.json.error === 'string', pull.text);
    const wrongMethod = await request(gw.url('/api/chat'));
    assert.equal(wrongMethod.status, 405);
    assert.ok(typeof wrongMethod.json.error === 'string');
    assert.equal((await ollama.version()).version.length > 0, true);
  });
});

describe('A second listener where Ollama\'s clients look ([ollama] listen)', () => {
  let up, gw, port;
  before(async () => {
    up = await new ScriptedUpstream().start();
    port = await deadPort();
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig(`[ollama]\nlisten = "127.0.0.1:${port}"\n`)] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('GET / answers "Ollama is running" there; the same routes are served on both', async () => {
    const origin = `http://127.0.0.1:${port}`;
    const probe = await request(`${origin}/`);
    assert.equal(probe.status, 200);
    assert.equal(probe.text, 'Ollama is running');
    const head = await request(`${origin}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    // The main port's / still names the gateway.
    assert.equal((await request(gw.url('/'))).json.name, 'edgeai');
    const ollama = new Ollama({ host: origin });
    assert.ok((await ollama.list()).models.length > 0);
    const r = await ollama.chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: false });
    assert.equal(r.message.content, CANNED.chatContent);
    const v1 = await request(`${origin}/v1/models`);
    assert.equal(v1.status, 200);
  });
});

describe('Ollama API with API keys', () => {
  let up, gw, chatKey, embedKey;
  before(async () => {
    up = await new ScriptedUpstream().start();
    let keys;
    ({ gw, keys } = await startKeyedGateway(up.baseUrl, { chatter: 'chat,models', embedder: 'embeddings' }));
    ({ chatter: chatKey, embedder: embedKey } = keys);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('keys and scopes apply as on /v1, refusals in Ollama\'s shape', async () => {
    const none = await expectError(client(gw).list(), 'no key');
    assert.equal(none.status_code, 401);
    const r = await client(gw, chatKey).chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: false });
    assert.equal(r.done, true);
    assert.ok((await client(gw, chatKey).list()).models.length > 0);
    const scope = await expectError(client(gw, embedKey).chat({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }), 'a key without the chat scope');
    assert.equal(scope.status_code, 403);
    assert.ok(typeof scope.error === 'string' && scope.error.length > 0);
    const e = await client(gw, embedKey).embed({ model: 'text-embedding-test', input: 'x' });
    assert.equal(e.embeddings.length, 1);
  });
});

describe('Ollama API on the local engine', { skip: STORIES_SKIP }, () => {
  let gw, ollama;
  before(async () => {
    gw = await startTinyChat();
    ollama = client(gw);
  });
  after(async () => {
    await gw?.stop();
  });

  test('list and show name the local model with and without :latest', async () => {
    const list = await ollama.list();
    assert.deepEqual(list.models.map((m) => m.name), ['tiny:latest']);
    for (const model of ['tiny', 'tiny:latest']) assert.ok((await ollama.show({ model })).details);
    for (const call of [
      () => ollama.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      () => ollama.generate({ model: 'nope', prompt: '' }),
      () => ollama.show({ model: 'nope' }),
    ]) {
      const e = await expectError(call(), 'an unknown model');
      assert.equal(e.status_code, 404);
      assert.match(e.error, /nope/);
    }
  });

  test('chat: plain and streamed greedy answers agree; counts and durations', async () => {
    const params = { model: 'tiny:latest', messages: [{ role: 'user', content: 'Once upon a time' }], options: { temperature: 0, num_predict: 12 } };
    const r = await ollama.chat({ ...params, stream: false });
    assertFinal(r);
    assert.equal(r.model, 'tiny:latest');
    assert.ok(r.message.content.length > 0);
    assert.ok(r.prompt_eval_count > 0 && r.eval_count > 0 && r.eval_count <= 12);
    const parts = await collectAll(await ollama.chat({ ...params, stream: true }));
    assertFinal(parts.at(-1));
    assert.equal(parts.map((p) => p.message.content).join(''), r.message.content, 'greedy: the stream says what the plain answer said');
    assert.equal(parts.at(-1).eval_count, r.eval_count);
  });

  test('options reach the sampler: top_k 1 is greedy at any temperature', async () => {
    const params = { model: 'tiny', prompt: 'Lily', raw: true, stream: false };
    const greedy = await ollama.generate({ ...params, options: { temperature: 0, num_predict: 10 } });
    const topk = await ollama.generate({ ...params, options: { temperature: 1.5, top_k: 1, num_predict: 10, seed: 7 } });
    assert.equal(topk.response, greedy.response);
    const bad = await expectError(ollama.generate({ ...params, options: { repeat_penalty: 0 } }), 'repeat_penalty 0');
    assert.equal(bad.status_code, 400);
    assert.match(bad.error, /repeat_penalty/);
  });

  test('generate with the template and raw; embed and embeddings', async () => {
    const r = await ollama.generate({ model: 'tiny', prompt: 'Tell a story.', options: { num_predict: 8 }, stream: false });
    assertFinal(r);
    assert.ok(r.response.length > 0);
    const e = await ollama.embed({ model: 'tiny', input: ['a cat', 'a dog'] });
    assert.equal(e.embeddings.length, 2);
    assert.ok(e.embeddings[0].length > 0 && e.embeddings[0].every(Number.isFinite));
    assert.ok(e.prompt_eval_count > 0);
    const old = await ollama.embeddings({ model: 'tiny', prompt: 'a cat' });
    assert.deepEqual(old.embedding, e.embeddings[0]);
  });

  test('format: a JSON schema is enforced by the grammar engine', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 8 } }, required: ['name'], additionalProperties: false };
    const r = await ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Who?' }], format: schema, options: { num_predict: 60 }, stream: false });
    if (r.done_reason === 'stop') {
      assert.deepEqual(Object.keys(JSON.parse(r.message.content)), ['name']);
    } else {
      assert.match(r.message.content, /^\{/);
    }
    const bad = await expectError(ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], format: { type: 'string', format: 'email' } }), 'an unsupported schema');
    assert.equal(bad.status_code, 400);
    assert.match(bad.error, /format/);
  });

  test('a client that leaves mid-stream cancels the work; the server keeps serving', async () => {
    const body = { model: 'tiny', messages: [{ role: 'user', content: 'Once upon a time' }], options: { num_predict: 200 } };
    const r = await ndjson(gw, '/api/chat', body, { onLine: (line) => line.done === false });
    assert.equal(r.aborted, true);
    assert.equal(r.lines[0].done, false);
    for (let i = 0; i < 3; ++i) {
      const again = await ollama.chat({ ...body, options: { num_predict: 4 }, stream: false });
      assert.equal(again.done, true);
    }
  });
});
