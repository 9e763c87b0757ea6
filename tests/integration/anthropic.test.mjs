// Anthropic's Messages API both ways, with the official SDKs on real sockets:
// - inbound: @anthropic-ai/sdk against POST /v1/messages, answered by an
//   OpenAI-compatible backend (the request and every answer translated);
// - outbound: a `kind = "anthropic"` backend serving the openai SDK's chat
//   completions (x-api-key, anthropic-version, tools, streams, errors);
// - both at once, and through a fallback route.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { CANNED, ScriptedUpstream, streamToken } from './lib/scripted_upstream.mjs';
import { ANTHROPIC_CANNED, ScriptedAnthropic, anthropicError } from './lib/scripted_anthropic.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { deadPort, request, streamRequest } from './lib/clients.mjs';
import { STORIES_SKIP, startTinyChat } from './lib/engine.mjs';

const ANTHROPIC_KEY_ENV = 'IT_ANTHROPIC_KEY';
const ANTHROPIC_KEY = 'sk-ant-scripted-0123456789';

// Server-sent events with their names (clients.mjs's parseSse keeps data only).
function sseEvents(text) {
  const out = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    const lines = block.split('\n');
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
    const named = lines.find((l) => l.startsWith('event:'));
    if (data.length) out.push({ event: named ? named.slice(6).trim() : 'message', data: data.join('\n') });
  }
  return out;
}

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

describe('inbound: the Anthropic SDK against /v1/messages, an OpenAI backend answering', () => {
  let up, gw, client;

  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({ upstream: up.baseUrl });
    client = new Anthropic({ baseURL: gw.url(''), apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('a plain message: the backend gets a chat completion, the SDK a message', async () => {
    const msg = await client.messages.create({
      model: 'gpt-test',
      max_tokens: 64,
      system: 'Be brief.',
      stop_sequences: ['END'],
      temperature: 0.2,
      messages: [{ role: 'user', content: 'Say hi' }],
    });
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.deepEqual(msg.content, [{ type: 'text', text: CANNED.chatContent }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.input_tokens, 9);
    assert.equal(msg.usage.output_tokens, 7);
    const sent = up.posts.at(-1);
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.json.model, 'gpt-test');
    assert.equal(sent.json.max_tokens, 64);
    assert.deepEqual(sent.json.stop, ['END']);
    assert.equal(sent.json.temperature, 0.2);
    assert.deepEqual(sent.json.messages[0], { role: 'system', content: 'Be brief.' });
    assert.equal(sent.json.messages[1].role, 'user');
  });

  test('a streamed message arrives as Anthropic events, text in order', async () => {
    up.enqueue({ type: 'normal', chunks: 4 });
    const stream = client.messages.stream({
      model: 'gpt-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Count' }],
    });
    const types = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const final = await stream.finalMessage();
    const expected = [0, 1, 2, 3].map(streamToken).join('');
    assert.equal(final.content[0].text, expected);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.ok(types.includes('content_block_start') && types.includes('content_block_stop'));
    // The backend was asked for usage so the final event can carry it.
    assert.equal(up.posts.at(-1).json.stream, true);
    assert.equal(up.posts.at(-1).json.stream_options.include_usage, true);
    assert.ok(final.usage.output_tokens > 0, JSON.stringify(final.usage));
  });

  test('tool calls from the backend become tool_use blocks, tool results go back as tool messages', async () => {
    up.enqueue(async (_req, res, rec) => {
      const text = JSON.stringify({
        id: 'chatcmpl-tools', object: 'chat.completion', created: 1, model: rec.json.model,
        choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null, message: {
          role: 'assistant', content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        } }],
        usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    const msg = await client.messages.create({
      model: 'gpt-test', max_tokens: 100, tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    assert.equal(msg.stop_reason, 'tool_use');
    const use = msg.content.find((b) => b.type === 'tool_use');
    assert.deepEqual({ id: use.id, name: use.name, input: use.input }, { id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } });
    const sentTools = up.posts.at(-1).json.tools;
    assert.deepEqual(sentTools, [{ type: 'function', function: { name: 'get_weather', description: weatherTool.description, parameters: weatherTool.input_schema } }]);

    await client.messages.create({
      model: 'gpt-test', max_tokens: 100, tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny, 21 C' }] },
      ],
    });
    const messages = up.posts.at(-1).json.messages;
    assert.equal(messages[1].role, 'assistant');
    assert.equal(messages[1].tool_calls[0].id, 'call_1');
    assert.deepEqual(JSON.parse(messages[1].tool_calls[0].function.arguments), { city: 'Oslo' });
    assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 C' });
  });

  test('errors reach the SDK in Anthropic\'s shape with the matching class', async () => {
    await assert.rejects(
      client.messages.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof Anthropic.BadRequestError && e.error?.type === 'error' &&
        e.error.error.type === 'invalid_request_error' && /max_tokens/.test(e.error.error.message),
    );
    up.enqueue({ type: 'error', status: 429 });
    await assert.rejects(
      client.messages.create({ model: 'gpt-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof Anthropic.RateLimitError && e.error.error.type === 'rate_limit_error' &&
        e.error.error.message === 'upstream says: rate limit reached',
    );
    const bad = await request(gw.url('/v1/messages'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "x", "max_tokens": ',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.type, 'error');
    assert.equal(bad.json.error.type, 'invalid_request_error');
  });

  test('a stream the backend cuts ends with an Anthropic error event, and the gateway keeps serving', async () => {
    up.enqueue({ type: 'normal', chunks: 5, cutAfter: 2 });
    const r = await streamRequest(gw.url('/v1/messages'), {
      model: 'gpt-test', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(r.status, 200);
    const last = sseEvents(r.text).at(-1);
    assert.equal(last.event, 'error', r.text);
    assert.equal(JSON.parse(last.data).error.type, 'api_error');
    const again = await client.messages.create({ model: 'gpt-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(again.content[0].text, CANNED.chatContent);
  });
});

describe('outbound: a kind = "anthropic" backend serving OpenAI chat completions', () => {
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
price = { input_per_mtok = 3.0, output_per_mtok = 15.0 }

[[backends]]
name = "backup"
kind = "openai"
base_url = "${backup.baseUrl}"
models = ["gpt-test"]

[[routes]]
model = "smart"
targets = ["claude:claude-test", "backup:gpt-test"]
`);
    gw = await startGateway({ upstream: backup.baseUrl, args: ['--config', config], env: { [ANTHROPIC_KEY_ENV]: ANTHROPIC_KEY } });
    openai = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await claude?.close();
    await backup?.close();
  });

  test('a chat completion goes out as a Messages request and comes back as a chat completion', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude-test',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hi' }],
      max_tokens: 50,
      stop: ['END'],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0].message.content, ANTHROPIC_CANNED.text);
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.deepEqual(completion.usage, { prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 });
    const sent = claude.posts.at(-1);
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], ANTHROPIC_KEY);
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers.authorization, undefined);
    assert.equal(sent.json.system, 'Be brief.');
    assert.equal(sent.json.max_tokens, 50);
    assert.deepEqual(sent.json.stop_sequences, ['END']);
    assert.deepEqual(sent.json.messages, [{ role: 'user', content: 'Say hi' }]);
  });

  test('a streamed chat completion is translated event by event, usage included', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-test', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Say hi' }],
    });
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, ANTHROPIC_CANNED.pieces.join(''));
    assert.equal(finish, 'stop');
    assert.deepEqual(usage, { prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 });
    assert.equal(claude.posts.at(-1).json.stream, true);
    assert.equal(claude.posts.at(-1).json.max_tokens, 4096, 'the default max_tokens');
  });

  test('tools: OpenAI tools become Anthropic tools, tool_use comes back as tool_calls (plain and streamed)', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weatherTool.input_schema } }];
    const completion = await openai.chat.completions.create({
      model: 'claude-test', tools, tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const call = completion.choices[0].message.tool_calls[0];
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.id, ANTHROPIC_CANNED.tool.id);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), ANTHROPIC_CANNED.tool.input);
    const sent = claude.posts.at(-1).json;
    assert.deepEqual(sent.tools, [{ name: 'get_weather', description: 'Weather', input_schema: weatherTool.input_schema }]);
    assert.deepEqual(sent.tool_choice, { type: 'any' });

    const stream = await openai.chat.completions.create({
      model: 'claude-test', tools, stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const args = [];
    let id = null;
    let finish = null;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
        id = tc.id ?? id;
        if (tc.function?.arguments) args.push(tc.function.arguments);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(id, ANTHROPIC_CANNED.tool.id);
    assert.deepEqual(JSON.parse(args.join('')), ANTHROPIC_CANNED.tool.input);
    assert.equal(finish, 'tool_calls');

    // The tool's result goes back as a tool_result block.
    await openai.chat.completions.create({
      model: 'claude-test', tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'Rain' },
      ],
    });
    const turns = claude.posts.at(-1).json.messages;
    assert.deepEqual(turns[1].content, [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }]);
    assert.equal(turns[2].role, 'user');
    assert.equal(turns[2].content[0].type, 'tool_result');
    assert.equal(turns[2].content[0].tool_use_id, 'toolu_1');
  });

  test('Anthropic errors reach OpenAI clients in OpenAI\'s shape', async () => {
    claude.enqueue(anthropicError(400, 'invalid_request_error', 'scripted: messages: bad turn order'));
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-test', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.BadRequestError && e.error?.message === 'scripted: messages: bad turn order' &&
        e.error?.type === 'invalid_request_error',
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-test', n: 2, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.status >= 400 && /\bn\b/.test(e.message),
    );
  });

  test('overloaded (529) on the Anthropic target falls back to the next one', async () => {
    claude.enqueue(anthropicError(529, 'overloaded_error', 'scripted anthropic says: overloaded'));
    const r = await request(gw.url('/v1/chat/completions'), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-edgeai-backend'], 'backup');
    assert.equal(backup.posts.at(-1).json.model, 'gpt-test');
  });

  test('an error event mid-stream and a stream cut before message_stop end with an OpenAI error event', async () => {
    for (const mode of [{ type: 'normal', errorMidStream: true }, { type: 'normal', stopEarly: true }]) {
      claude.enqueue(mode);
      const r = await streamRequest(gw.url('/v1/chat/completions'), {
        model: 'claude-test', stream: true, messages: [{ role: 'user', content: 'x' }],
      });
      assert.equal(r.status, 200);
      const last = JSON.parse(sseEvents(r.text).at(-1).data);
      assert.ok(last.error?.message, r.text);
      assert.ok(!r.text.includes('[DONE]'), 'no [DONE] after a broken stream');
    }
  });

  test('the Anthropic SDK through edgeai to the Anthropic backend (both translations)', async () => {
    const client = new Anthropic({ baseURL: gw.url(''), apiKey: 'unused', maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-test', max_tokens: 30, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(msg.content[0].text, ANTHROPIC_CANNED.text);
    assert.equal(msg.usage.input_tokens, 21);
    const final = await client.messages.stream({ model: 'claude-test', max_tokens: 30, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.equal(final.content[0].text, ANTHROPIC_CANNED.pieces.join(''));
    assert.equal(final.stop_reason, 'end_turn');
  });

  test('the Anthropic SDK through a fallback route whose first target is down', async () => {
    const dead = await deadPort();
    const config = writeConfig(`
[[backends]]
name = "gone"
kind = "anthropic"
base_url = "http://127.0.0.1:${dead}/v1"
models = ["claude-test"]

[[backends]]
name = "backup"
kind = "openai"
base_url = "${backup.baseUrl}"
models = ["gpt-test"]

[[routes]]
model = "claude-any"
targets = ["gone:claude-test", "backup:gpt-test"]
`);
    const gw2 = await startGateway({ upstream: backup.baseUrl, args: ['--config', config] });
    try {
      const client = new Anthropic({ baseURL: gw2.url(''), apiKey: 'unused', maxRetries: 0 });
      const msg = await client.messages.create({ model: 'claude-any', max_tokens: 30, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(msg.content[0].text, CANNED.chatContent);
      const final = await client.messages.stream({ model: 'claude-any', max_tokens: 30, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
      assert.ok(final.content[0].text.length > 0);
    } finally {
      await gw2.stop();
    }
  });
});

// Issue 19: POST /v1/messages/count_tokens, as the SDK's messages.countTokens calls it.
describe('count_tokens', () => {
  test('an OpenAI-compatible backend: an estimate, said so in x-edgeai-token-count; errors in Anthropic\'s shape', async () => {
    const up = await new ScriptedUpstream().start();
    const gw = await startGateway({ upstream: up.baseUrl });
    try {
      const client = new Anthropic({ baseURL: gw.url(''), apiKey: 'unused', maxRetries: 0 });
      const body = { model: 'gpt-test', system: 'Be brief.', messages: [{ role: 'user', content: 'Say hi' }] };
      const { data, response } = await client.messages.countTokens(body).withResponse();
      assert.ok(Number.isInteger(data.input_tokens) && data.input_tokens > 0, JSON.stringify(data));
      assert.equal(response.headers.get('x-edgeai-token-count'), 'estimate');
      assert.equal(up.posts.filter((p) => p.path.includes('count')).length, 0, 'nothing asked upstream');
      const bad = await request(gw.url('/v1/messages/count_tokens'), { method: 'POST', body: { model: 'gpt-test', messages: 'no' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.type, 'error');
      assert.equal(bad.json.error.type, 'invalid_request_error');
      assert.match(bad.json.error.message, /messages/);
    } finally {
      await gw.stop();
      await up.close();
    }
  });

  test('an Anthropic upstream is asked, with the client\'s body and its own model name; its errors come back', async () => {
    const claude = await new ScriptedAnthropic().start();
    const up = await new ScriptedUpstream().start();
    const config = writeConfig(`
[[backends]]
name = "claude"
kind = "anthropic"
base_url = "${claude.baseUrl}"
api_key_env = "${ANTHROPIC_KEY_ENV}"
models = ["claude-test"]

[[routes]]
model = "sonnet"
targets = ["claude:claude-test"]
`);
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config], env: { [ANTHROPIC_KEY_ENV]: ANTHROPIC_KEY } });
    try {
      const client = new Anthropic({ baseURL: gw.url(''), apiKey: 'unused', maxRetries: 0 });
      const body = { model: 'sonnet', system: 'Be brief.', messages: [{ role: 'user', content: 'Say hi to the cat' }] };
      const { data, response } = await client.messages.countTokens(body).withResponse();
      assert.equal(response.headers.get('x-edgeai-token-count'), null, 'counted, not estimated');
      assert.equal(response.headers.get('x-edgeai-backend'), 'claude');
      const asked = claude.posts.filter((p) => p.path === '/v1/messages/count_tokens');
      assert.equal(asked.length, 1);
      assert.equal(asked[0].json.model, 'claude-test', 'the backend\'s own name for the model');
      assert.deepEqual(asked[0].json.messages, body.messages);
      assert.equal(asked[0].headers['x-api-key'], ANTHROPIC_KEY);
      assert.ok(asked[0].headers['anthropic-version']);
      const expected = 1000 + JSON.stringify([body.system, body.messages]).split(/\s+/).length;
      assert.equal(data.input_tokens, expected);
      // The upstream's 400 reaches the client in Anthropic's shape.
      const refused = await request(gw.url('/v1/messages/count_tokens'), { method: 'POST', body: { ...body, max_tokens: 5 } });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.type, 'error');
      assert.match(refused.json.error.message, /max_tokens/);
      assert.equal(up.posts.length, 0, 'the other backend was not asked');
    } finally {
      await gw.stop();
      await claude.close();
      await up.close();
    }
  });

  test('the local engine: exact, the tokens a message with the same body is charged', { skip: STORIES_SKIP }, async () => {
    const gw = await startTinyChat();
    try {
      const client = new Anthropic({ baseURL: gw.url(''), apiKey: 'unused', maxRetries: 0 });
      const body = { model: 'tiny', system: 'You tell stories.', messages: [{ role: 'user', content: 'Once upon a time' }, { role: 'assistant', content: 'there was' }, { role: 'user', content: 'a cat' }] };
      const { data, response } = await client.messages.countTokens(body).withResponse();
      assert.equal(response.headers.get('x-edgeai-token-count'), null, 'exact, not an estimate');
      const msg = await client.messages.create({ ...body, max_tokens: 2, temperature: 0 });
      assert.equal(data.input_tokens, msg.usage.input_tokens);
      const missing = await client.messages.countTokens({ ...body, model: 'nope' }).catch((e) => e);
      assert.equal(missing.status, 404);
    } finally {
      await gw.stop();
    }
  });
});
