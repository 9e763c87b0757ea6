// OpenAI's Responses API (POST /v1/responses) with the official openai SDK:
// against a scripted OpenAI-compatible upstream that has only chat
// completions, a scripted Anthropic upstream, and the local engine
// (stories260K; skipped with a message when the data is absent). Plain and
// streamed answers, input items, instructions, stored responses (retrieve,
// input items, delete, previous_response_id), keys that cannot see each
// other's responses, and validation errors that name the field.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test responses.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import OpenAI from 'openai';

import { collectAll, expectError, request, sleep, usageUntil } from './lib/clients.mjs';
import {
  startKeyedGateway, startTinyChat, STORIES_SKIP,
} from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { ANTHROPIC_CANNED, ScriptedAnthropic } from './lib/scripted_anthropic.mjs';
import { CANNED, ScriptedUpstream, streamToken } from './lib/scripted_upstream.mjs';
import { NATIVE_CANNED, ScriptedResponses } from './lib/scripted_responses.mjs';

const ANTHROPIC_KEY_ENV = 'IT_RESPONSES_ANTHROPIC_KEY';

function client(gw, apiKey = 'unused') {
  return new OpenAI({ baseURL: gw.baseUrl, apiKey, maxRetries: 0, timeout: 60000 });
}

/** Every event of a streamed response, and the text its deltas make. */
async function collect(stream) {
  const events = await collectAll(stream);
  const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  return { events, text, types: events.map((e) => e.type) };
}

/** The event sequence of a streamed text answer, as OpenAI sends it. */
function assertTextStream({ events, text, types }, { finalType = 'response.completed' } = {}) {
  assert.equal(types[0], 'response.created');
  assert.equal(types[1], 'response.in_progress');
  assert.equal(types[2], 'response.output_item.added');
  assert.equal(types[3], 'response.content_part.added');
  assert.equal(types.at(-1), finalType);
  assert.deepEqual(types.slice(-4, -1), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done']);
  for (const t of types.slice(4, -4)) assert.equal(t, 'response.output_text.delta');
  events.forEach((e, i) => assert.equal(e.sequence_number, i, `sequence_number of event ${i} (${e.type})`));
  const done = events.find((e) => e.type === 'response.output_text.done');
  assert.equal(done.text, text, 'the deltas make the done text');
  const final = events.at(-1).response;
  assert.equal(final.output[0].content[0].text, text, 'the final response holds the same text');
  assert.equal(final.id, events[0].response.id, 'one id through the stream');
  assert.match(final.id, /^resp_/);
  return final;
}

describe('Responses API through an upstream with only chat completions', () => {
  let up, gw, openai;
  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({ upstream: up.baseUrl });
    openai = client(gw);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('plain: a string input becomes a chat completion, the answer a response', async () => {
    const r = await openai.responses.create({
      model: 'gpt-test', input: 'Say hello', instructions: 'Be brief.', max_output_tokens: 50,
      temperature: 0.5, top_p: 0.9, metadata: { run: 'one' },
    });
    const sent = up.requests.at(-1);
    assert.equal(sent.path, '/v1/chat/completions');
    assert.deepEqual(sent.json.messages, [
      { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }]);
    assert.equal(sent.json.max_tokens, 50);
    assert.equal(sent.json.temperature, 0.5);
    assert.equal(sent.json.top_p, 0.9);
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.match(r.id, /^resp_[0-9a-f]{32}$/);
    assert.equal(r.output_text, CANNED.chatContent);
    assert.equal(r.output[0].type, 'message');
    assert.equal(r.output[0].role, 'assistant');
    assert.deepEqual(r.usage && [r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens], [9, 7, 16]);
    assert.equal(r.instructions, 'Be brief.');
    assert.deepEqual(r.metadata, { run: 'one' });
    assert.equal(r.max_output_tokens, 50);
    assert.equal(r.store, true);
  });

  test('input items: messages with parts, function_call and function_call_output', async () => {
    const r = await openai.responses.create({
      model: 'gpt-test',
      input: [
        { role: 'developer', content: 'Use tools.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in ' }, { type: 'input_text', text: 'Paris?' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
      ],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
      tool_choice: 'auto',
      store: false,
    });
    const sent = up.requests.at(-1).json;
    assert.deepEqual(sent.messages, [
      { role: 'developer', content: 'Use tools.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ]);
    assert.deepEqual(sent.tools, [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false } }]);
    assert.equal(sent.tool_choice, 'auto');
    assert.equal(r.store, false);
    const lost = await expectError(openai.responses.retrieve(r.id), 'a response with store: false');
    assert.equal(lost.status, 404);
  });

  test('text.format json_schema goes upstream as response_format', async () => {
    await openai.responses.create({
      model: 'gpt-test', input: 'JSON please', store: false,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    assert.deepEqual(up.requests.at(-1).json.response_format,
      { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } });
  });

  test('a tool call comes back as a function_call item, plain and streamed', async () => {
    const call = { id: 'call_up', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } };
    up.enqueue((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-test',
        choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }));
    });
    const r = await openai.responses.create({ model: 'gpt-test', input: 'Weather?', store: false,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] });
    assert.equal(r.output.length, 1);
    assert.deepEqual({ type: r.output[0].type, call_id: r.output[0].call_id, name: r.output[0].name, arguments: r.output[0].arguments },
      { type: 'function_call', call_id: 'call_up', name: 'get_weather', arguments: '{"city":"Oslo"}' });

    up.enqueue((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-test' };
      const send = (delta, finish = null) => res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      send({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_s', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
      send({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] });
      send({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] });
      send({}, 'tool_calls');
      res.end('data: [DONE]\n\n');
    });
    const s = await collect(await openai.responses.create({ model: 'gpt-test', input: 'Weather?', store: false, stream: true,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] }));
    assert.deepEqual(s.types, ['response.created', 'response.in_progress', 'response.output_item.added',
      'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
      'response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    const args = s.events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
    assert.equal(args, '{"city":"Oslo"}');
    assert.equal(s.events.at(-1).response.output[0].arguments, '{"city":"Oslo"}');
    assert.equal(s.events.at(-1).response.output[0].call_id, 'call_s');
  });

  test('streamed: the full event sequence, deltas that make the final text, usage', async () => {
    const s = await collect(await openai.responses.create({ model: 'gpt-test', input: 'Stream it', stream: true }));
    const final = assertTextStream(s);
    assert.equal(s.text, [0, 1, 2].map(streamToken).join(''));
    assert.equal(up.requests.at(-1).json.stream_options.include_usage, true);
    assert.deepEqual([final.usage.input_tokens, final.usage.output_tokens], [11, 3]);
    // A streamed response is stored too.
    const kept = await openai.responses.retrieve(final.id);
    assert.equal(kept.output_text, s.text);
  });

  test('a stream cut by the upstream ends with an error event, not response.completed', async () => {
    up.enqueue({ type: 'normal', cutAfter: 1 });
    // The openai SDK (7) raises the error event from the stream's iterator.
    const types = [];
    let raised = null;
    try {
      for await (const e of await openai.responses.create({ model: 'gpt-test', input: 'cut', stream: true, store: false })) types.push(e.type);
    } catch (e) {
      raised = e;
    }
    assert.equal(raised?.code, 'upstream_stream_interrupted', `an error event: ${types.join(', ')}`);
    assert.ok(!types.includes('response.completed'));
  });

  test('max_output_tokens reached: status incomplete with incomplete_details', async () => {
    up.enqueue((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-test',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Once upon' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
    });
    const r = await openai.responses.create({ model: 'gpt-test', input: 'Tell a story', max_output_tokens: 2, store: false });
    assert.equal(r.status, 'incomplete');
    assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
  });

  test('stored: retrieve, input items, previous_response_id chain, delete', async () => {
    const first = await openai.responses.create({ model: 'gpt-test', input: 'My name is Ada.' });
    const got = await openai.responses.retrieve(first.id);
    assert.equal(got.id, first.id);
    assert.equal(got.output_text, first.output_text);

    const items = await openai.responses.inputItems.list(first.id);
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0].role, 'user');
    assert.equal(items.data[0].content[0].text, 'My name is Ada.');

    up.enqueue({ type: 'normal', content: 'You are Ada.' });
    const second = await openai.responses.create({ model: 'gpt-test', input: 'What is my name?', previous_response_id: first.id, instructions: 'Answer.' });
    assert.equal(second.previous_response_id, first.id);
    assert.deepEqual(up.requests.at(-1).json.messages, [
      { role: 'system', content: 'Answer.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: CANNED.chatContent },
      { role: 'user', content: 'What is my name?' },
    ]);
    const third = await openai.responses.create({ model: 'gpt-test', input: 'And again?', previous_response_id: second.id });
    assert.equal(third.status, 'completed');
    assert.deepEqual(up.requests.at(-1).json.messages.map((m) => m.content), [
      'My name is Ada.', CANNED.chatContent, 'What is my name?', 'You are Ada.', 'And again?']);
    // Only the third request's own input is its input_items.
    const thirdItems = await openai.responses.inputItems.list(third.id);
    assert.deepEqual(thirdItems.data.map((i) => i.content[0].text), ['And again?']);

    const deleted = await openai.responses.delete(first.id);
    assert.ok(deleted === undefined || deleted?.deleted === true || deleted?.id === first.id);
    const gone = await expectError(openai.responses.retrieve(first.id), 'a deleted response');
    assert.equal(gone.status, 404);
    const cont = await expectError(openai.responses.create({ model: 'gpt-test', input: 'x', previous_response_id: first.id }),
      'a continuation of a deleted response');
    assert.equal(cont.status, 400);
    assert.equal(cont.param, 'previous_response_id');
  });

  test('validation errors name the Responses field', async () => {
    const cases = [
      [{ model: 'gpt-test' }, 'input'],
      [{ model: 'gpt-test', input: 42 }, 'input'],
      [{ model: 'gpt-test', input: [{ type: 'mystery' }] }, 'input[0].type'],
      [{ model: 'gpt-test', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
      [{ model: 'gpt-test', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'input[0].content[0].type'],
      [{ model: 'gpt-test', input: 'x', temperature: 3 }, 'temperature'],
      [{ model: 'gpt-test', input: 'x', max_output_tokens: 0 }, 'max_output_tokens'],
      [{ model: 'gpt-test', input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ model: 'gpt-test', input: 'x', text: { format: { type: 'yaml' } } }, 'text.format.type'],
      [{ model: 'gpt-test', input: 'x', previous_response_id: 'resp_unknown' }, 'previous_response_id'],
      [{ model: 'gpt-test', input: 'x', background: true }, 'background'],
      [{ input: 'x' }, 'model'],
    ];
    for (const [body, param] of cases) {
      const e = await expectError(openai.responses.create(body), JSON.stringify(body));
      assert.equal(e.status, 400, JSON.stringify(body));
      assert.equal(e.param, param, `${JSON.stringify(body)}: ${e.message}`);
    }
    const bad = await request(`${gw.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.type, 'invalid_request_error');
    // The server keeps serving.
    const ok = await openai.responses.create({ model: 'gpt-test', input: 'still there?', store: false });
    assert.equal(ok.status, 'completed');
  });

  test('Prefer: respond-async makes a durable job that holds the response', async () => {
    const r = await request(`${gw.baseUrl}/responses`, {
      method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ model: 'gpt-test', input: 'later' }),
    });
    assert.equal(r.status, 202, r.text);
    let job;
    for (let i = 0; i < 200; i++) {
      job = (await request(`${gw.baseUrl}/jobs/${r.json.id}`)).json;
      if (job.status === 'succeeded' || job.status === 'failed') break;
      await sleep(30);
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.response.object, 'response');
    assert.equal(job.response.output[0].content[0].text, CANNED.chatContent);
    // Stored like a synchronous one.
    assert.equal((await openai.responses.retrieve(job.response.id)).id, job.response.id);
  });

  test('MessagePack in and out', async () => {
    const res = await fetch(`${gw.baseUrl}/responses`, {
      method: 'POST', headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
      body: encode({ model: 'gpt-test', input: 'packed', store: false }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/msgpack');
    const answer = decode(new Uint8Array(await res.arrayBuffer()));
    assert.equal(answer.object, 'response');
    assert.equal(answer.output[0].content[0].text, CANNED.chatContent);
  });

  test('the cache: a deterministic unstored request is answered again, a stored one never', async () => {
    const body = { model: 'gpt-test', input: 'cache me', temperature: 0, store: false };
    const before = up.requests.length;
    await openai.responses.create(body);
    const again = await openai.responses.create(body).withResponse();
    assert.equal(again.response.headers.get('x-edgeai-cache'), 'hit');
    assert.equal(up.requests.length, before + 1, 'the second came from the cache');
    await openai.responses.create({ ...body, store: true });
    const stored = await openai.responses.create({ ...body, store: true });
    assert.equal(up.requests.length, before + 3, 'stored responses each go to a backend');
    assert.equal((await openai.responses.retrieve(stored.id)).id, stored.id);
  });

  test('usage rows count the backend\'s tokens, as for chat completions', async () => {
    const model = 'usage-counted';
    await openai.responses.create({ model, input: 'x', store: false });
    const sum = await usageUntil(gw, '?by=model', (j) => j.data.some((d) => d.group === model));
    const row = sum.data.find((d) => d.group === model);
    assert.deepEqual([row?.requests, row?.prompt_tokens, row?.completion_tokens], [1, 9, 7]);
  });

  test('logprobs from an upstream: passed through on chat completions, moved to output_text.logprobs here, plain and streamed', async () => {
    const tokens = ['Hel', 'lo'].map((token, i) => ({
      token, logprob: -0.25 * (i + 1), bytes: [...Buffer.from(token)],
      top_logprobs: [{ token, logprob: -0.25 * (i + 1), bytes: [...Buffer.from(token)] }, { token: 'X', logprob: -3.5, bytes: [88] }],
    }));
    const plain = (req, res, rec) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: 'chatcmpl-lp', object: 'chat.completion', created: 1, model: rec.json.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, logprobs: { content: tokens, refusal: null }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      }));
    };
    const streamed = (req, res, rec) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta, logprobs, finish = null) => `data: ${JSON.stringify({ id: 'chatcmpl-lp', object: 'chat.completion.chunk', created: 1, model: rec.json.model, choices: [{ index: 0, delta, logprobs, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      tokens.forEach((t) => res.write(chunk({ content: t.token }, { content: [t], refusal: null })));
      res.write(chunk({}, null, 'stop'));
      res.end('data: [DONE]\n\n');
    };

    up.enqueue(plain);
    const chat = await openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2 });
    assert.deepEqual(chat.choices[0].logprobs.content, tokens, 'chat completions: the upstream\'s own bytes');
    assert.equal(up.requests.at(-1).json.top_logprobs, 2);

    up.enqueue(plain);
    const r = await openai.responses.create({ model: 'gpt-test', input: 'hi', include: ['message.output_text.logprobs'], top_logprobs: 2 });
    const sent = up.requests.at(-1).json;
    assert.equal(sent.logprobs, true);
    assert.equal(sent.top_logprobs, 2);
    assert.deepEqual(r.output[0].content[0].logprobs, tokens);

    up.enqueue(streamed);
    const s = await collect(await openai.responses.create({ model: 'gpt-test', input: 'hi', include: ['message.output_text.logprobs'], stream: true }));
    const deltas = s.events.filter((e) => e.type === 'response.output_text.delta');
    assert.deepEqual(deltas.flatMap((d) => d.logprobs), tokens, 'each delta carries its tokens');
    assert.deepEqual(s.events.at(-1).response.output[0].content[0].logprobs, tokens);
  });

  test('an upstream error keeps its status and OpenAI shape', async () => {
    up.enqueue({ type: 'error', status: 400, body: { error: { message: 'response_format: not supported here', type: 'invalid_request_error', param: 'response_format', code: null } } });
    const e = await expectError(openai.responses.create({ model: 'gpt-test', input: 'x', store: false, text: { format: { type: 'json_object' } } }), 'upstream 400');
    assert.equal(e.status, 400);
    assert.equal(e.param, 'text.format');
    assert.match(e.message, /text\.format: not supported here/);
  });
});

describe('Responses API through an Anthropic upstream', () => {
  let claude, backup, gw, openai;
  before(async () => {
    claude = await new ScriptedAnthropic().start();
    backup = await new ScriptedUpstream().start();
    const config = writeConfig(`
[[backends]]
name = "claude"
kind = "anthropic"
base_url = "${claude.baseUrl}"
api_key_env = "${ANTHROPIC_KEY_ENV}"
models = ["claude-test"]
`);
    gw = await startGateway({ upstream: backup.baseUrl, args: ['--config', config], env: { [ANTHROPIC_KEY_ENV]: 'sk-ant-test' } });
    openai = client(gw);
  });
  after(async () => {
    await gw?.stop();
    await claude?.close();
    await backup?.close();
  });

  test('plain and streamed answers come back as responses', async () => {
    const r = await openai.responses.create({ model: 'claude-test', input: 'Hi', instructions: 'Be kind.', max_output_tokens: 64 });
    const sent = claude.requests.at(-1).json;
    assert.equal(sent.system, 'Be kind.');
    assert.equal(sent.max_tokens, 64);
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'Hi' }]);
    assert.equal(r.output_text, ANTHROPIC_CANNED.text);
    assert.equal(r.usage.output_tokens, ANTHROPIC_CANNED.usage.output_tokens);

    const s = await collect(await openai.responses.create({ model: 'claude-test', input: 'Hi', stream: true, previous_response_id: r.id }));
    assertTextStream(s);
    assert.equal(s.text, ANTHROPIC_CANNED.pieces.join(''));
    assert.deepEqual(claude.requests.at(-1).json.messages.map((m) => m.role), ['user', 'assistant', 'user']);
  });
});

describe('Responses API to an upstream that has it (responses = "native")', () => {
  let native, chat, gw, openai;
  before(async () => {
    native = await new ScriptedResponses().start();
    chat = await new ScriptedUpstream().start();
    const config = writeConfig(`
[[backends]]
name = "native"
kind = "openai"
base_url = "${native.baseUrl}"
models = ["gpt-native"]
responses = "native"

[[backends]]
name = "chat"
kind = "openai"
base_url = "${chat.baseUrl}"
models = ["gpt-test"]

[[routes]]
model = "smart"
targets = ["native:gpt-native", "chat:gpt-test"]
`);
    gw = await startGateway({ upstream: chat.baseUrl, args: ['--config', config] });
    openai = client(gw);
  });
  after(async () => {
    await gw?.stop();
    await native?.close();
    await chat?.close();
  });

  test('forwarded as it is, store false; kept here under the upstream\'s id and continued with the history expanded', async () => {
    const { data: r, response } = await openai.responses.create({
      model: 'smart', input: 'Say hello', instructions: 'Be brief.', metadata: { run: 'n1' }, reasoning: { effort: 'low' },
    }).withResponse();
    assert.equal(response.headers.get('x-edgeai-backend'), 'native');
    let sent = native.requests.at(-1);
    assert.equal(sent.path, '/v1/responses');
    assert.equal(sent.json.model, 'gpt-native', 'the route\'s model name');
    assert.equal(sent.json.store, false, 'edgeai keeps the responses');
    assert.equal(sent.json.instructions, 'Be brief.');
    assert.deepEqual(sent.json.reasoning, { effort: 'low' }, 'fields edgeai does not translate still go');
    assert.deepEqual(sent.json.input.map((i) => [i.type, i.role]), [['message', 'user']]);
    assert.equal(r.id, 'resp_upstream_1');
    assert.equal(r.output_text, NATIVE_CANNED.pieces.join(''));
    assert.equal(r.usage.output_tokens, NATIVE_CANNED.usage.output_tokens);

    const kept = await openai.responses.retrieve(r.id);
    assert.equal(kept.output_text, r.output_text);
    const r2 = await openai.responses.create({ model: 'smart', input: 'And again', previous_response_id: r.id });
    sent = native.requests.at(-1).json;
    assert.equal(sent.previous_response_id, undefined, 'expanded here, not sent');
    assert.deepEqual(sent.input.map((i) => i.role), ['user', 'assistant', 'user']);
    assert.equal(sent.input[1].content[0].text, r.output_text);
    assert.ok(sent.input.every((i) => i.id === undefined), 'no item ids the upstream never stored');
    assert.equal(r2.id, 'resp_upstream_2');
  });

  test('a stream comes through event by event and its final response is kept', async () => {
    const s = await collect(await openai.responses.create({ model: 'smart', input: 'Stream it', stream: true }));
    assertTextStream(s);
    assert.equal(s.text, NATIVE_CANNED.pieces.join(''));
    assert.equal(native.requests.at(-1).json.stream, true);
    const kept = await openai.responses.retrieve(s.events.at(-1).response.id);
    assert.equal(kept.output_text, s.text);
    const items = await openai.responses.inputItems.list(kept.id);
    assert.equal(items.data[0].content[0].text, 'Stream it');
  });

  test('when it fails the route falls back to chat completions, and the continuation goes on there', async () => {
    const first = await openai.responses.create({ model: 'smart', input: 'First' });
    native.enqueue({ type: 'error', status: 503 });
    const { data: r, response } = await openai.responses.create({ model: 'smart', input: 'Second', previous_response_id: first.id }).withResponse();
    assert.equal(response.headers.get('x-edgeai-backend'), 'chat');
    assert.match(response.headers.get('x-edgeai-attempts'), /native.*503.*chat.*200/);
    assert.equal(r.output_text, CANNED.chatContent);
    const sent = chat.requests.at(-1).json;
    assert.deepEqual(sent.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(sent.messages[1].content, NATIVE_CANNED.pieces.join(''));
  });

  test('responses = "native" on an anthropic backend is a configuration error', async () => {
    const config = writeConfig(`
[[backends]]
name = "claude"
kind = "anthropic"
base_url = "http://127.0.0.1:9/v1"
models = ["claude-test"]
responses = "native"
`);
    const { execFileSync } = await import('node:child_process');
    let out = '';
    try {
      execFileSync(process.env.EDGEAI_BIN, ['config', 'check', config], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = `${e.stdout}${e.stderr}`;
      assert.equal(e.status, 2);
    }
    assert.match(out, /responses = "native" is for openai and edgeai backends/);
  });
});

describe('Responses API with API keys', () => {
  let up, gw, alice, bob, admin;
  before(async () => {
    up = await new ScriptedUpstream().start();
    let keys;
    ({ gw, keys } = await startKeyedGateway(up.baseUrl, { alice: 'chat', bob: 'chat', embedder: 'embeddings' },
      { env: { EDGEAI_RESPONSES_MAX_BYTES_PER_KEY: '4000' } }));
    ({ alice, bob, embedder: admin } = keys);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test("a key sees only its own responses; another key's id is not found", async () => {
    const mine = await client(gw, alice).responses.create({ model: 'gpt-test', input: 'secret plan' });
    assert.equal((await client(gw, alice).responses.retrieve(mine.id)).id, mine.id);
    for (const call of [
      (c) => c.responses.retrieve(mine.id),
      (c) => c.responses.inputItems.list(mine.id),
      (c) => c.responses.delete(mine.id),
      (c) => c.responses.create({ model: 'gpt-test', input: 'x', previous_response_id: mine.id }),
    ]) {
      const e = await expectError(call(client(gw, bob)), "bob on alice's response");
      assert.ok([400, 404].includes(e.status), `status ${e.status}`);
      assert.ok(!JSON.stringify(e.error ?? {}).includes('secret plan'));
    }
    // Still there for its owner.
    assert.equal((await client(gw, alice).responses.retrieve(mine.id)).id, mine.id);
    const scope = await expectError(client(gw, admin).responses.create({ model: 'gpt-test', input: 'x' }), 'a key without the chat scope');
    assert.equal(scope.status, 403);
  });

  test('responses.max_bytes_per_key: a key past it stores no more, store: false still answers, deleting frees room, other keys go on', async () => {
    const raw = (key, body) => request(gw.url('/v1/responses'), { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
    const kept = [];
    let refused;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await raw(alice, { model: 'gpt-test', input: `story number ${i} `.repeat(20) });
      if (r.status === 200) kept.push(r.json.id);
      else refused = r;
    }
    assert.ok(refused, 'the quota was reached');
    assert.ok(kept.length >= 1, 'responses were stored until then');
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, 'storage_quota_exceeded');
    assert.equal(refused.json.error.param, 'store');
    assert.match(refused.json.error.message, /responses\.max_bytes_per_key is 4000/);
    const unstored = await raw(alice, { model: 'gpt-test', input: 'just answer', store: false });
    assert.equal(unstored.status, 200);
    assert.equal((await raw(bob, { model: 'gpt-test', input: 'my own room' })).status, 200);
    // Every kept response is still whole.
    for (const id of kept) assert.equal((await client(gw, alice).responses.retrieve(id)).id, id);
    for (const id of kept) await client(gw, alice).responses.delete(id);
    assert.equal((await raw(alice, { model: 'gpt-test', input: 'room again' })).status, 200);
  });
});

describe('Responses API on the local engine', { skip: STORIES_SKIP }, () => {
  let gw, openai;
  before(async () => {
    gw = await startTinyChat();
    openai = client(gw);
  });
  after(async () => {
    await gw?.stop();
  });

  test('plain and streamed greedy answers agree; usage is counted', async () => {
    const params = { model: 'tiny', input: 'Once upon a time', temperature: 0, max_output_tokens: 12, store: false };
    const r = await openai.responses.create(params);
    assert.ok(['completed', 'incomplete'].includes(r.status));
    assert.ok(r.output_text.length > 0, 'some text');
    assert.ok(r.usage.input_tokens > 0 && r.usage.output_tokens > 0 && r.usage.output_tokens <= 12);
    if (r.status === 'incomplete') assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
    const s = await collect(await openai.responses.create({ ...params, stream: true }));
    assertTextStream(s, { finalType: r.status === 'completed' ? 'response.completed' : 'response.incomplete' });
    assert.equal(s.text, r.output_text, 'greedy: the stream says what the plain answer said');
  });

  // Issue 19: include: ["message.output_text.logprobs"] from the local engine,
  // plain and streamed (each delta carries its tokens' logprobs).
  test('logprobs: output_text.logprobs, plain and in the stream\'s deltas, agree', async () => {
    const params = { model: 'tiny', input: 'Once upon a time', temperature: 0, max_output_tokens: 8, store: false,
      include: ['message.output_text.logprobs'], top_logprobs: 2 };
    const r = await openai.responses.create(params);
    const part = r.output.find((o) => o.type === 'message').content[0];
    assert.ok(part.logprobs.length > 0, JSON.stringify(part));
    assert.equal(part.logprobs.map((t) => t.token).join(''), part.text);
    for (const t of part.logprobs) {
      assert.ok(t.logprob <= 0 && Array.isArray(t.bytes));
      assert.equal(t.top_logprobs.length, 2);
      assert.equal(t.top_logprobs[0].logprob, t.logprob, 'greedy picks the most likely');
    }
    const s = await collect(await openai.responses.create({ ...params, stream: true }));
    const deltas = s.events.filter((e) => e.type === 'response.output_text.delta');
    // The deltas carry their tokens' logprobs; a token whose text never came
    // out (a held-back stop string) is only in the done event.
    const streamed = deltas.flatMap((e) => e.logprobs);
    assert.ok(streamed.length > 0);
    assert.deepEqual(streamed, part.logprobs.slice(0, streamed.length));
    const done = s.events.find((e) => e.type === 'response.output_text.done');
    assert.deepEqual(done.logprobs, part.logprobs);
    const plain = await openai.responses.create({ ...params, include: undefined, top_logprobs: undefined });
    assert.deepEqual(plain.output.find((o) => o.type === 'message').content[0].logprobs, []);
  });

  test('a continuation sends the whole history to the model', async () => {
    const first = await openai.responses.create({ model: 'tiny', input: 'Lily had a cat.', temperature: 0, max_output_tokens: 8 });
    const second = await openai.responses.create({ model: 'tiny', input: 'What did she have?', temperature: 0, max_output_tokens: 8, previous_response_id: first.id });
    assert.ok(second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens,
      `the second prompt (${second.usage.input_tokens} tokens) holds the first turn (${first.usage.input_tokens} + ${first.usage.output_tokens})`);
  });

  test('tool_choice none answers as text (tool calls are tool_calls.test.mjs\'s)', async () => {
    const tools = [{ type: 'function', name: 'f', parameters: { type: 'object' } }];
    const none = await openai.responses.create({ model: 'tiny', input: 'x', tools, tool_choice: 'none', max_output_tokens: 4, store: false });
    assert.ok(['completed', 'incomplete'].includes(none.status));
    assert.equal(none.output.filter((o) => o.type === 'function_call').length, 0);
    assert.ok(none.output_text.length > 0);
  });

  test('text.format is enforced by the grammar engine; an unsupported schema is a 400 naming text.format', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 99 } }, required: ['name', 'age'], additionalProperties: false };
    const r = await openai.responses.create({ model: 'tiny', input: 'Tell me about Lily.', max_output_tokens: 200, store: false,
      text: { format: { type: 'json_schema', name: 'person', schema, strict: true } } });
    if (r.status === 'completed') {
      const v = JSON.parse(r.output_text);
      assert.deepEqual(Object.keys(v).sort(), ['age', 'name']);
      assert.equal(typeof v.name, 'string');
      assert.ok(Number.isInteger(v.age) && v.age >= 0 && v.age <= 99, `age ${v.age}`);
    } else {
      assert.deepEqual(r.incomplete_details, { reason: 'max_output_tokens' });
      assert.throws(() => JSON.parse(r.output_text), 'a cut answer is incomplete JSON');
    }
    const obj = await openai.responses.create({ model: 'tiny', input: 'x', max_output_tokens: 200, store: false, text: { format: { type: 'json_object' } } });
    if (obj.status === 'completed') {
      const v = JSON.parse(obj.output_text);
      assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), obj.output_text);
    }
    const e = await expectError(openai.responses.create({ model: 'tiny', input: 'x',
      text: { format: { type: 'json_schema', name: 'm', schema: { type: 'object', properties: { mail: { type: 'string', format: 'email' } } } } } }), 'an unsupported schema');
    assert.equal(e.status, 400);
    assert.match(e.param, /^text\.format/);
    assert.match(e.message, /#\/properties\/mail\/format/);
  });
});
