// Constrained decoding end to end on stories260K, a model that knows nothing
// of JSON: with response_format json_schema (a bounded schema, so every path
// ends well within max_tokens) every answer, plain and streamed, at several
// seeds and temperatures, parses and conforms; json_object mode; a GBNF
// `grammar`; unsupported schemas get a 400 naming the schema path; and
// max_tokens mid-JSON reports finish_reason length.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test grammar.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { violation } from './lib/schema_check.mjs';
import {
  binaryMissing, convertStories, makeTmpDir, missingData, removeTmpDir, startLocalServe,
} from './lib/engine.mjs';

const T = { timeout: 120000 };
const MODEL = 'stories260K';
const skip = binaryMissing() || missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');
const SERVE_ARGS = ['--parallel', '4', '--ctx-size', '4096', '--threads', '1', '--chat-template', 'chatml'];

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 12 },
    color: { enum: ['red', 'green', 'blue'] },
    age: { type: 'integer', minimum: 0, maximum: 120 },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 3 },
    pet: { anyOf: [{ type: 'null' }, { type: 'object', properties: { legs: { type: 'integer', minimum: 0, maximum: 8 } }, required: ['legs'], additionalProperties: false }] },
    ok: { type: 'boolean' },
  },
  required: ['name', 'color', 'age', 'tags', 'pet', 'ok'],
  additionalProperties: false,
};

function conforms(text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    assert.fail(`${what}: not JSON (${e.message}): ${JSON.stringify(text)}`);
  }
  assert.equal(violation(SCHEMA, value), null, `${what}: ${text}`);
}

const jsonSchemaFormat = (schema) => ({ type: 'json_schema', json_schema: { name: 'answer', strict: true, schema } });

describe('constrained decoding on stories260K', { skip }, () => {
  let tmp;
  let gw;
  let client;

  before(async () => {
    tmp = makeTmpDir();
    const modelPath = await convertStories(tmp);
    gw = await startLocalServe({ models: [modelPath], args: SERVE_ARGS });
    client = new OpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl, maxRetries: 0, timeout: 100000 });
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(tmp);
  });

  const messages = [{ role: 'user', content: 'Describe a person as JSON.' }];

  // Issue 19: chat logprobs in OpenAI's shape; they are of the logits the sampler
  // saw, so under a grammar the alternatives are only tokens it allows.
  it('chat logprobs: content list with bytes and top alternatives; only allowed tokens under a grammar', T, async () => {
    const params = { model: MODEL, messages, max_tokens: 12, temperature: 0, logprobs: true, top_logprobs: 5 };
    const free = await client.chat.completions.create(params);
    const content = free.choices[0].logprobs.content;
    assert.equal(content.map((t) => t.token).join(''), free.choices[0].message.content);
    for (const t of content) {
      assert.equal(Buffer.from(t.bytes).toString('latin1'), Buffer.from(t.token, 'utf8').toString('latin1'));
      assert.equal(t.top_logprobs.length, 5);
      assert.equal(t.top_logprobs[0].logprob, t.logprob, 'greedy picks the most likely');
      assert.ok(t.top_logprobs.every((a, k) => k === 0 || a.logprob <= t.top_logprobs[k - 1].logprob), 'most likely first');
    }
    // Streamed: the same tokens and values, spread over the chunks.
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const streamed = [];
    for await (const c of stream) streamed.push(...(c.choices[0]?.logprobs?.content ?? []));
    assert.deepEqual(streamed, content);
    // A JSON object must start with '{' (after optional spaces): every alternative
    // reported for the first token is one the grammar allows.
    const json = await client.chat.completions.create({ ...params, response_format: { type: 'json_object' } });
    const first = json.choices[0].logprobs.content[0];
    assert.ok(first.top_logprobs.length >= 1);
    for (const a of first.top_logprobs) assert.match(a.token, /^\s*\{?\s*$/, `allowed first token: ${JSON.stringify(a.token)}`);
    const sum = first.top_logprobs.reduce((acc, a) => acc + Math.exp(a.logprob), 0);
    assert.ok(sum <= 1.000001, `probabilities over the allowed tokens sum to at most 1: ${sum}`);
  });

  // Issue 21: what a text model cannot honour is a 400 naming the field, never dropped.
  it('image parts, audio output and web search are refused by name on a text model', T, async () => {
    const cases = [
      [{ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] }, 'messages[0].content[1].type'],
      [{ messages, modalities: ['text', 'audio'] }, 'modalities'],
      [{ messages, audio: { voice: 'alloy', format: 'wav' } }, 'audio'],
      [{ messages, web_search_options: {} }, 'web_search_options'],
    ];
    for (const [extra, param] of cases) {
      const e = await client.chat.completions.create({ model: MODEL, max_tokens: 4, ...extra }).catch((x) => x);
      assert.equal(e.status, 400, `${param}: ${e.message}`);
      assert.equal(e.param, param);
    }
    // Text parts alone are fine.
    const ok = await client.chat.completions.create({ model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    assert.equal(ok.choices.length, 1);
  });

  it('json_schema, chat: every answer at several seeds and temperatures parses and conforms (plain and streamed)', T, async () => {
    for (const temperature of [0, 0.8, 1.5]) {
      for (const seed of [1, 2, 3]) {
        const params = { model: MODEL, messages, temperature, seed, max_tokens: 600, response_format: jsonSchemaFormat(SCHEMA) };
        const r = await client.chat.completions.create(params);
        const what = `t=${temperature} seed=${seed}`;
        conforms(r.choices[0].message.content, what);
        assert.equal(r.choices[0].finish_reason, 'stop', what);
        const stream = await client.chat.completions.create({ ...params, stream: true });
        let text = '';
        let finish = null;
        for await (const c of stream) {
          text += c.choices[0]?.delta?.content ?? '';
          finish = c.choices[0]?.finish_reason ?? finish;
        }
        conforms(text, `${what} streamed`);
        assert.equal(text, r.choices[0].message.content, `${what}: streamed equals plain for the same seed`);
        assert.equal(finish, 'stop');
      }
    }
  });

  it('json_schema, completions with n=3: each choice conforms (the batched scheduler, one grammar state each)', T, async () => {
    const r = await client.completions.create({
      model: MODEL, prompt: 'Once upon a time', max_tokens: 600, temperature: 1.2, seed: 7, n: 3,
      response_format: jsonSchemaFormat(SCHEMA),
    });
    assert.equal(r.choices.length, 3);
    for (const c of r.choices) {
      conforms(c.text, `choice ${c.index}`);
      assert.equal(c.finish_reason, 'stop');
    }
  });

  it('json_object: an answer that stops is a JSON object; one cut by max_tokens says length', T, async () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = await client.chat.completions.create({ model: MODEL, messages, temperature: 1, seed, max_tokens: 60, response_format: { type: 'json_object' } });
      const { content } = r.choices[0].message;
      assert.match(content, /^ ?\{/, `seed ${seed}: starts an object`);
      if (r.choices[0].finish_reason === 'stop') {
        const v = JSON.parse(content);
        assert.ok(v && typeof v === 'object' && !Array.isArray(v), `seed ${seed}: ${content}`);
      } else {
        assert.equal(r.choices[0].finish_reason, 'length');
        assert.throws(() => JSON.parse(content), `seed ${seed}: a cut answer is incomplete JSON`);
      }
    }
  });

  it('a GBNF grammar field on completions and chat', T, async () => {
    const grammar = 'root ::= ("yes" | "no") ", " [0-9]{1,3} " " animal\nanimal ::= "cat" | "dog"';
    for (const seed of [1, 2, 3]) {
      const r = await client.completions.create({ model: MODEL, prompt: 'Lily said', max_tokens: 40, temperature: 1, seed, grammar });
      assert.match(r.choices[0].text, /^(yes|no), [0-9]{1,3} (cat|dog)$/);
      assert.equal(r.choices[0].finish_reason, 'stop');
      const c = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 40, temperature: 1, seed, grammar });
      assert.match(c.choices[0].message.content, /^(yes|no), [0-9]{1,3} (cat|dog)$/);
    }
  });

  it('max_tokens mid-JSON: finish_reason length, plain and streamed', T, async () => {
    const schema = { type: 'object', properties: { story: { type: 'string', minLength: 40, maxLength: 60 } }, required: ['story'], additionalProperties: false };
    const params = { model: MODEL, messages, temperature: 0.5, seed: 3, max_tokens: 6, response_format: jsonSchemaFormat(schema) };
    const r = await client.chat.completions.create(params);
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.equal(r.usage.completion_tokens, 6);
    assert.throws(() => JSON.parse(r.choices[0].message.content));
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let finish = null;
    for await (const c of stream) finish = c.choices[0]?.finish_reason ?? finish;
    assert.equal(finish, 'length');
  });

  async function expect400(params, pattern) {
    let err;
    try {
      await client.chat.completions.create({ model: MODEL, messages, max_tokens: 10, ...params });
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'expected a 400');
    assert.equal(err.status, 400, String(err));
    assert.match(err.message, pattern);
    return err;
  }

  it('unsupported schemas, bad grammars: 400 naming the schema path or line, and the server keeps serving', T, async () => {
    const schema = { type: 'object', properties: { mail: { type: 'string', format: 'email' } } };
    let e = await expect400({ response_format: jsonSchemaFormat(schema) }, /#\/properties\/mail\/format/);
    assert.equal(e.param, 'response_format.json_schema.schema');
    await expect400({ response_format: jsonSchemaFormat({ type: 'object', not: {} }) }, /#\/not.*not supported/);
    await expect400({ response_format: jsonSchemaFormat({ type: 'number', minimum: 0.5 }) }, /#\/minimum/);
    e = await expect400({ grammar: 'root ::= "a" | bogus' }, /bogus is used but never defined/);
    assert.equal(e.param, 'grammar');
    await expect400({ grammar: 'root ::= "a"\nroot ::= (' }, /line 2/);
    await expect400({ response_format: { type: 'yaml' } }, /json_object or json_schema/);
    const ok = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 600, seed: 5, response_format: jsonSchemaFormat(SCHEMA) });
    conforms(ok.choices[0].message.content, 'after the refusals');
  });
});
