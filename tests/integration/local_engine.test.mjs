// `edgeai serve -m MODEL` end to end with the official openai SDK: a real
// model (stories260K, converted from its llama2.c checkpoint with
// `edgeai model convert-llama2c`) served locally, checked token for token
// against run.c's greedy output in ../shared/data. Skips with a message when
// the reference data is absent.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test local_engine.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { request, sleep, within } from './lib/clients.mjs';
import {
  binaryMissing, convertStories, dataPath, makeTmpDir, missingData, readF32, removeTmpDir, runEdgeai,
  startLocalServe, storiesReference,
} from './lib/engine.mjs';

const T = { timeout: 90000 };
const MODEL = 'stories260K';
const STORIES = ['stories260K.bin', 'tok512.bin', 'once_200.txt', 'once_200.ids', 'lily_200.txt', 'lily_200.ids']
  .map((f) => `stories260K/${f}`);
const skip = binaryMissing() || missingData(...STORIES);

// One engine thread: the tests are about the server and the scheduler; a
// worker pool on an oversubscribed CI machine makes every token slow.
const SERVE_ARGS = ['--parallel', '4', '--ctx-size', '2048', '--threads', '1'];

function makeClient(gw, extra = {}) {
  return new OpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl, maxRetries: 0, timeout: 60000, ...extra });
}

async function expectThrow(fn, what) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail(`${what}: expected an error, but the call succeeded`);
}

function errSummary(e) {
  return `${e?.constructor?.name} status=${e?.status} code=${e?.code} message=${JSON.stringify(e?.message)}`;
}

/** Read a streamed completion with the SDK; returns { text, chunks, times }. */
async function streamCompletion(client, params, options) {
  const stream = await client.completions.create({ ...params, stream: true }, options);
  const chunks = [];
  const times = [];
  for await (const c of stream) {
    chunks.push(c);
    times.push(performance.now());
  }
  return { text: chunks.map((c) => c.choices[0]?.text ?? '').join(''), chunks, times };
}

/**
 * POST a streamed request with node:http and return each SSE event's raw
 * bytes (to check that every event is valid UTF-8 on its own).
 */
function rawStreamEvents(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const all = Buffer.concat(parts);
        const events = [];
        let start = 0;
        for (;;) {
          const end = all.indexOf('\n\n', start);
          if (end < 0) break;
          events.push(all.subarray(start, end));
          start = end + 2;
        }
        resolve({ status: res.statusCode, events, rest: all.subarray(start) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('edgeai serve -m stories260K', { skip }, () => {
  let tmp;
  let modelPath;
  let gw;
  let client;
  let once;
  let lily;

  before(async () => {
    once = storiesReference('once_200');
    lily = storiesReference('lily_200');
    tmp = makeTmpDir();
    modelPath = await convertStories(tmp);
    gw = await startLocalServe({ models: [modelPath], args: SERVE_ARGS });
    client = makeClient(gw);
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(tmp);
  });

  const greedy = (prompt, max_tokens, extra = {}) => ({ model: MODEL, prompt, max_tokens, temperature: 0, ...extra });

  it('completion, greedy: run.c\'s continuation token for token, finish_reason length, usage', T, async () => {
    const r = await client.completions.create(greedy(once.prompt, 40));
    assert.equal(r.object, 'text_completion');
    assert.equal(r.model, MODEL);
    assert.equal(r.choices.length, 1);
    const text = r.choices[0].text;
    assert.equal(text, once.continuation(40), 'the 40 generated tokens decode to run.c\'s text');
    // And directly against what run.c printed after the prompt, over the same length.
    const printed = fs.readFileSync(dataPath('stories260K', 'once_200.txt'), 'utf8').slice(once.prompt.length);
    assert.ok(text.length > 40);
    assert.equal(text, printed.slice(0, text.length));
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 40, total_tokens: 45 });
  });

  it('streamed completion: same text, finish_reason on the last choice chunk, usage chunk, UTF-8 per event', T, async () => {
    const plain = (await client.completions.create(greedy(once.prompt, 40))).choices[0].text;
    const { text, chunks } = await streamCompletion(client, greedy(once.prompt, 40, { stream_options: { include_usage: true } }));
    assert.equal(text, plain, 'concatenated deltas equal the non-streamed text');
    assert.equal(text, once.continuation(40));
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    assert.ok(withChoices.length >= 10, `streamed token by token (${withChoices.length} chunks)`);
    assert.equal(withChoices.at(-1).choices[0].finish_reason, 'length', 'the last chunk with choices carries finish_reason');
    assert.ok(withChoices.slice(0, -1).every((c) => c.choices[0].finish_reason == null), 'no early finish_reason');
    const usage = chunks.filter((c) => c.usage);
    assert.equal(usage.length, 1, 'exactly one usage chunk');
    assert.deepEqual(usage[0].choices, []);
    assert.deepEqual(usage[0].usage, { prompt_tokens: 5, completion_tokens: 40, total_tokens: 45 });
    assert.equal(chunks.at(-1), usage[0], 'usage comes last');
    assert.ok(new Set(chunks.map((c) => c.id)).size === 1, 'one id for the whole stream');

    // The wire: every SSE event is valid UTF-8 and JSON on its own.
    const raw = await rawStreamEvents(`${gw.baseUrl}/completions`, greedy(once.prompt, 40, { stream: true }));
    assert.equal(raw.status, 200);
    const dec = new TextDecoder('utf-8', { fatal: true });
    const texts = [];
    for (const ev of raw.events) {
      const s = dec.decode(ev); // throws on invalid UTF-8
      assert.ok(s.startsWith('data: '), `event: ${s}`);
      if (s === 'data: [DONE]') continue;
      const t = JSON.parse(s.slice(6)).choices[0]?.text ?? '';
      assert.ok(t.isWellFormed(), 'no lone surrogates');
      texts.push(t);
    }
    assert.equal(raw.events.at(-1).toString(), 'data: [DONE]');
    assert.equal(texts.join(''), plain);

    // Without a usage chunk the engine's own count is still what is charged and
    // logged (not an estimate from the bytes), with the model and the speed.
    let line;
    for (let i = 0; i < 50 && !line; ++i) {
      line = gw.logs.filter((l) => l.msg === 'request' && l.path === '/v1/completions').at(-1);
      if (line?.completion_tokens !== 40) { line = undefined; await new Promise((r) => setTimeout(r, 20)); }
    }
    assert.ok(line, gw.describe());
    assert.equal(line.model, MODEL);
    assert.equal(line.backend, 'local');
    assert.equal(line.prompt_tokens, 5);
    assert.equal(line.completion_tokens, 40);
    assert.ok(line.tokens_per_second > 0);
  });

  it('short streams on fresh connections: every one is 200 with the whole text', {
    ...T,
  }, async () => {
    const bad = [];
    const N = 100;
    for (let i = 0; i < N; i++) {
      const n = [2, 4, 8][i % 3];
      const want = once.continuation(n);
      const raw = await rawStreamEvents(`${gw.baseUrl}/completions`, greedy(once.prompt, n, { stream: true }));
      if (raw.status !== 200) {
        bad.push(`#${i}: HTTP ${raw.status} ${Buffer.concat([...raw.events, raw.rest]).toString()}`);
        continue;
      }
      const text = raw.events.map((e) => e.toString()).filter((s) => s !== 'data: [DONE]')
        .map((s) => JSON.parse(s.slice(6)).choices[0]?.text ?? '').join('');
      if (text !== want) bad.push(`#${i}: text ${JSON.stringify(text)} instead of ${JSON.stringify(want)}`);
    }
    assert.deepEqual(bad, [], `${bad.length} of ${N} streams broken`);
  });

  // Issue 19: logprobs are the log-softmax of the logits, checked against run.c's
  // own logits for the same greedy continuation (an independent forward pass).
  it('logprobs: completions and chat, plain and streamed, equal log-softmax of run.c\'s logits', T, async () => {
    const VOCAB = 512;
    const ref = readF32(dataPath('stories260K', 'once_200.logits.f32'));
    const refLogprobs = (row) => {
      const l = ref.subarray(row * VOCAB, (row + 1) * VOCAB);
      const max = Math.max(...l);
      const z = max + Math.log(l.reduce((a, x) => a + Math.exp(x - max), 0));
      return Array.from(l, (x) => x - z);
    };
    const n = 8;
    const r = await client.completions.create(greedy(once.prompt, n, { logprobs: 3 }));
    const lp = r.choices[0].logprobs;
    assert.equal(lp.tokens.join(''), r.choices[0].text);
    assert.equal(lp.token_logprobs.length, n);
    let offset = 0;
    for (let j = 0; j < n; ++j) {
      const want = refLogprobs(once.promptTokens - 1 + j);
      const id = once.ids.all[once.promptTokens + j];
      assert.ok(Math.abs(lp.token_logprobs[j] - want[id]) < 2e-2, `token ${j}: ${lp.token_logprobs[j]} vs run.c ${want[id]}`);
      const top = Object.entries(lp.top_logprobs[j]);
      assert.equal(top.length, 3);
      const best = [...want.keys()].sort((a, b) => want[b] - want[a]).slice(0, 3);
      top.forEach(([, v], k) => assert.ok(Math.abs(v - want[best[k]]) < 2e-2, `top ${k} of token ${j}`));
      assert.equal(top[0][0], lp.tokens[j], 'greedy: the chosen token is the most likely');
      assert.equal(lp.text_offset[j], offset);
      offset += Buffer.byteLength(lp.tokens[j]);
    }
    // Streamed: the chunks' logprobs put together are the same.
    const { chunks } = await streamCompletion(client, greedy(once.prompt, n, { logprobs: 3 }));
    const streamed = chunks.flatMap((c) => c.choices).filter((c) => c.logprobs);
    assert.deepEqual(streamed.flatMap((c) => c.logprobs.token_logprobs), lp.token_logprobs);
    assert.deepEqual(streamed.flatMap((c) => c.logprobs.text_offset), lp.text_offset);
    // Without logprobs asked, none.
    const none = await client.completions.create(greedy(once.prompt, 2));
    assert.equal(none.choices[0].logprobs, null);

  });

  it('embeddings: the model\'s width; dimensions other than it is refused by name', T, async () => {
    const r = await client.embeddings.create({ model: MODEL, input: ['Once upon a time', 'Lily'] });
    assert.equal(r.data.length, 2);
    const width = r.data[0].embedding.length;
    assert.ok(width > 0);
    const same = await client.embeddings.create({ model: MODEL, input: 'Lily', dimensions: width });
    assert.deepEqual(same.data[0].embedding, r.data[1].embedding);
    const e = await client.embeddings.create({ model: MODEL, input: 'Lily', dimensions: 8 }).catch((x) => x);
    assert.equal(e.status, 400, e.message);
    assert.equal(e.param, 'dimensions');
  });

  it('completions: echo returns the prompt first; suffix, best_of and echo with logprobs are refused by name', T, async () => {
    const plain = await client.completions.create(greedy(once.prompt, 6));
    const echoed = await client.completions.create(greedy(once.prompt, 6, { echo: true }));
    assert.equal(echoed.choices[0].text, once.prompt + plain.choices[0].text);
    const { text } = await streamCompletion(client, greedy(once.prompt, 6, { echo: true }));
    assert.equal(text, once.prompt + plain.choices[0].text);
    for (const [extra, param] of [[{ suffix: 'The end.' }, 'suffix'], [{ best_of: 2 }, 'best_of'], [{ echo: true, logprobs: 1 }, 'echo']]) {
      const e = await client.completions.create(greedy(once.prompt, 4, extra)).catch((x) => x);
      assert.equal(e.status, 400, `${param}: ${e.message}`);
      assert.equal(e.param, param);
    }
  });

  it('streamed raw bytes (logit_bias on byte tokens): every event valid UTF-8, same text as non-streamed', T, async () => {
    // Byte-fallback tokens <0xXX> are ids 3 + XX in this vocabulary: bias the
    // bytes of é (C3 A9), € (E2 82 AC) and 😀 (F0 9F 98 80) so the model emits
    // multi-byte sequences, valid or not, split over tokens.
    const bytes = [0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80];
    const logit_bias = Object.fromEntries(bytes.map((b) => [String(3 + b), 30]));
    const params = { model: MODEL, prompt: once.prompt, max_tokens: 24, temperature: 1, seed: 7, logit_bias };
    const plain = (await client.completions.create(params)).choices[0].text;
    assert.ok(/[^\x00-\x7f]/.test(plain), `the bias made the model emit non-ASCII: ${JSON.stringify(plain)}`);
    assert.ok(plain.isWellFormed());
    const raw = await rawStreamEvents(`${gw.baseUrl}/completions`, { ...params, stream: true });
    assert.equal(raw.status, 200);
    const dec = new TextDecoder('utf-8', { fatal: true });
    let text = '';
    for (const ev of raw.events) {
      const s = dec.decode(ev);
      if (s === 'data: [DONE]') continue;
      const t = JSON.parse(s.slice(6)).choices[0]?.text ?? '';
      assert.ok(t.isWellFormed(), 'no lone surrogates');
      text += t;
    }
    assert.equal(text, plain, 'streaming assembles UTF-8 the same way as the non-streamed response');
  });

  it('four concurrent streams (two prompts twice) each equal the prompt served alone', T, async () => {
    const n = 200;
    const alone = {
      once: (await client.completions.create(greedy(once.prompt, n))).choices[0].text,
      lily: (await client.completions.create(greedy(lily.prompt, n))).choices[0].text,
    };
    assert.equal(alone.once.slice(0, once.continuation(40).length), once.continuation(40));
    assert.equal(alone.lily.slice(0, lily.continuation(40).length), lily.continuation(40));
    assert.notEqual(alone.once, alone.lily);

    // Four warm keep-alive connections, so the four requests leave together.
    await Promise.all([0, 1, 2, 3].map(() => client.models.list()));
    const jobs = [['once', once.prompt], ['lily', lily.prompt], ['once', once.prompt], ['lily', lily.prompt]];
    const results = await Promise.all(jobs.map(([, prompt]) => streamCompletion(client, greedy(prompt, n))));
    results.forEach((r, i) => {
      assert.equal(r.text, alone[jobs[i][0]], `stream ${i} (${jobs[i][0]}) equals the same prompt alone`);
    });
    // They really were decoded together: every stream's first token came before every other's last.
    const spans = results.map((r) => [r.times[0], r.times.at(-1)].map((t) => Math.round(t)));
    assert.ok(spans.every(([s]) => spans.every(([, e]) => s <= e)), `the four streams overlap in time: ${JSON.stringify(spans)}`);
  });

  it('chat without a template: 400 naming --chat-template (BadRequestError)', T, async () => {
    const e = await expectThrow(() => client.chat.completions.create({
      model: MODEL, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 8,
    }), 'chat without a template');
    assert.ok(e instanceof OpenAI.BadRequestError, errSummary(e));
    assert.equal(e.status, 400);
    assert.match(e.message, /--chat-template/);
  });

  it('errors: context_length_exceeded (400), model_not_found (404); models.list', T, async () => {
    let e = await expectThrow(() => client.completions.create(greedy(once.prompt, 600)), 'max_tokens beyond the context');
    assert.ok(e instanceof OpenAI.BadRequestError, errSummary(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'context_length_exceeded', errSummary(e));
    assert.match(e.message, /512/);

    // Exactly at the limit is fine: 5 prompt tokens + 507 = 512.
    const edge = await client.completions.create(greedy(once.prompt, 507));
    assert.equal(edge.usage.total_tokens, 512);

    e = await expectThrow(() => client.completions.create(greedy('Once upon a time '.repeat(200), 4)), 'prompt beyond the context');
    assert.equal(e.status, 400, errSummary(e));
    assert.equal(e.code, 'context_length_exceeded', errSummary(e));

    e = await expectThrow(() => client.completions.create({ ...greedy(once.prompt, 4), model: 'no-such-model' }), 'unknown model');
    assert.ok(e instanceof OpenAI.NotFoundError, errSummary(e));
    assert.equal(e.status, 404);
    assert.equal(e.code, 'model_not_found');

    e = await expectThrow(() => client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }), 'unknown chat model');
    assert.equal(e.status, 404, errSummary(e));
    assert.equal(e.code, 'model_not_found');

    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, [MODEL]);
  });

  it('a client aborting streams mid-way does not disturb the server or other sequences', T, async () => {
    const want = (await client.completions.create(greedy(once.prompt, 120))).choices[0].text;
    const aborted = async (prompt) => {
      const ac = new AbortController();
      const stream = await client.completions.create(greedy(prompt, 500, { stream: true }), { signal: ac.signal });
      let got = 0;
      let finished = false;
      try {
        for await (const c of stream) {
          if (c.choices[0]?.text) got++;
          if (c.choices[0]?.finish_reason) finished = true;
          if (got === 3) ac.abort();
        }
        // The SDK ends the iteration quietly on abort.
      } catch (err) {
        assert.ok(err instanceof OpenAI.APIUserAbortError || err?.name === 'AbortError', `abort surfaces as an abort: ${errSummary(err)}`);
      }
      assert.ok(ac.signal.aborted, 'aborted after 3 tokens');
      assert.ok(!finished && got < 500, `the client stopped reading mid-way (${got} tokens, finished=${finished})`);
      return got >= 3;
    };
    // A full stream runs alongside three that are cut after 3 tokens.
    const [full, ...cut] = await Promise.all([
      streamCompletion(client, greedy(once.prompt, 120)),
      aborted(once.prompt), aborted(lily.prompt), aborted(once.prompt),
    ]);
    assert.equal(full.text, want, 'the stream batched with aborted ones is unaffected');
    assert.deepEqual(cut, [true, true, true]);

    // The server lets go of the cancelled requests and keeps serving.
    await within((async () => {
      for (;;) {
        const m = await request(gw.url('/metrics'));
        const inFlight = Number(/^edgeai_http_requests_in_flight (\S+)$/m.exec(m.text)?.[1]);
        if (inFlight <= 1) return;
        await sleep(50);
      }
    })(), 10000, 'aborted requests leave the in-flight gauge');
    const again = await client.completions.create(greedy(once.prompt, 40));
    assert.equal(again.choices[0].text, once.continuation(40));
    const s = await streamCompletion(client, greedy(lily.prompt, 40));
    assert.equal(s.text, lily.continuation(40));
    assert.equal(gw.exit, null, gw.describe());
  });

  it('seed: same seed, same text; other seeds give other texts', T, async () => {
    const sample = async (seed) => (await client.completions.create({
      model: MODEL, prompt: once.prompt, max_tokens: 24, temperature: 1, seed,
    })).choices[0].text;
    const a = await sample(42);
    const b = await sample(42);
    assert.equal(a, b, 'seed 42 twice');
    assert.ok(a.length > 0);
    const streamed = await streamCompletion(client, { model: MODEL, prompt: once.prompt, max_tokens: 24, temperature: 1, seed: 42 });
    assert.equal(streamed.text, a, 'seed 42 streamed');
    const others = [];
    for (const seed of [1, 2, 3, 4, 5]) others.push(await sample(seed));
    assert.ok(others.some((t) => t !== a), `some other seed differs: ${JSON.stringify([a, ...others])}`);
    assert.ok(new Set(others).size > 1, 'the other seeds do not all agree with each other');
  });

  // Issue 21: without a seed every request used to get the same fixed seed,
  // so "regenerate" repeated itself. Now each gets a fresh one, reported in
  // x-edgeai-seed, and sending it back gives the same answer.
  it('/metrics: the engine\'s tokens, slots, time to first token and speed, per model', T, async () => {
    const scrape = async () => {
      const text = (await request(gw.url('/metrics'))).text;
      const value = (name) => {
        const m = text.match(new RegExp(`^${name}\\{model="${MODEL}"\\} (\\S+)$`, 'm'));
        return m ? Number(m[1]) : undefined;
      };
      return {
        prompt: value('edgeai_engine_prompt_tokens_total'),
        generated: value('edgeai_engine_generated_tokens_total'),
        busy: value('edgeai_engine_slots_busy'),
        idle: value('edgeai_engine_slots_idle'),
        ttft: value('edgeai_engine_time_to_first_token_seconds_count'),
        speed: value('edgeai_engine_tokens_per_second'),
        load: value('edgeai_engine_model_load_seconds'),
        kvTokens: value('edgeai_engine_kv_cache_tokens'),
        kvRatio: value('edgeai_engine_kv_cache_usage_ratio'),
      };
    };
    const before = await scrape();
    assert.ok(before.load > 0, 'the model load time is there');
    const r = await client.completions.create(greedy(once.prompt, 12));
    const after = await scrape();
    assert.equal(after.prompt - before.prompt, r.usage.prompt_tokens);
    assert.equal(after.generated - before.generated, r.usage.completion_tokens);
    assert.equal(after.ttft - before.ttft, 1);
    assert.ok(after.speed > 0);
    assert.equal(after.busy, 0);
    // The finished answer's positions stay cached for prefix reuse: the prompt and
    // what was fed back (the last sampled token never enters the cache).
    assert.ok(after.kvTokens >= r.usage.prompt_tokens + r.usage.completion_tokens - 1,
      `kv cache holds the answer: ${after.kvTokens}`);
    // 4 slots of 512 positions (--ctx-size 2048 split over --parallel 4).
    assert.ok(Math.abs(after.kvRatio - after.kvTokens / 2048) < 1e-6, `ratio ${after.kvRatio}`);
    // A stream in flight holds a slot until it ends, or until its client leaves.
    const stream = await client.completions.create({ ...greedy(once.prompt, 150), stream: true });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    const during = await scrape();
    assert.equal(during.busy, 1);
    assert.equal(during.idle + during.busy, after.idle + after.busy, 'busy and idle make the slots');
    stream.controller.abort();
    let gone;
    for (let i = 0; i < 50; ++i) {
      gone = await scrape();
      if (gone.busy === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(gone.busy, 0, 'a client that left frees its slot');
  });

  it('no seed: a fresh seed per request, reported in x-edgeai-seed, which reproduces the answer', T, async () => {
    const params = { model: MODEL, prompt: once.prompt, max_tokens: 24, temperature: 1 };
    const runs = [];
    for (let i = 0; i < 4; i++) {
      const { data, response } = await client.completions.create(params).withResponse();
      const seed = response.headers.get('x-edgeai-seed');
      assert.match(seed ?? '', /^\d+$/, 'x-edgeai-seed is a non-negative integer');
      runs.push({ seed, text: data.choices[0].text });
    }
    assert.equal(new Set(runs.map((r) => r.seed)).size, runs.length, `seeds differ: ${runs.map((r) => r.seed)}`);
    assert.ok(new Set(runs.map((r) => r.text)).size > 1, `texts differ: ${JSON.stringify(runs.map((r) => r.text))}`);
    // The seed goes back as written (it may pass 2^53, beyond a JavaScript
    // number), so the body is built as text.
    const body = `{"model":"${MODEL}","prompt":${JSON.stringify(once.prompt)},"max_tokens":24,"temperature":1,"seed":${runs[0].seed}}`;
    const again = await request(`${gw.baseUrl}/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.headers['x-edgeai-seed'], runs[0].seed);
    assert.equal(again.json.choices[0].text, runs[0].text, 'the reported seed gives the same answer');
    // A seed sent is the one reported, streamed too.
    const stream = await client.completions.create({ ...params, seed: 12345, stream: true }).withResponse();
    assert.equal(stream.response.headers.get('x-edgeai-seed'), '12345');
    for await (const chunk of stream.data) void chunk;
  });

  describe('--chat-template chatml --alias tiny-chat', () => {
    let chatGw;
    let chat;
    const messages = [
      { role: 'system', content: 'You tell short stories.' },
      { role: 'user', content: 'Tell me a story about a cat.' },
    ];

    before(async () => {
      chatGw = await startLocalServe({ models: [modelPath], args: [...SERVE_ARGS, '--chat-template', 'chatml', '--alias', 'tiny-chat'] });
      chat = makeClient(chatGw);
    });
    after(async () => { await chatGw?.stop(); });

    it('models.list shows the alias only', T, async () => {
      const ids = [];
      for await (const m of chat.models.list()) ids.push(m.id);
      assert.deepEqual(ids, ['tiny-chat']);
      const e = await expectThrow(() => chat.completions.create(greedy(once.prompt, 4)), 'file stem once aliased');
      assert.equal(e.status, 404, errSummary(e));
    });

    it('chat completion: a non-empty assistant message, finish_reason stop or length', T, async () => {
      const r = await chat.chat.completions.create({ model: 'tiny-chat', messages, max_tokens: 30, temperature: 0 });
      assert.equal(r.object, 'chat.completion');
      assert.equal(r.model, 'tiny-chat');
      const c = r.choices[0];
      assert.equal(c.message.role, 'assistant');
      assert.equal(typeof c.message.content, 'string');
      assert.ok(c.message.content.length > 0, 'non-empty content');
      assert.ok(['stop', 'length'].includes(c.finish_reason), c.finish_reason);
      assert.ok(!c.message.content.includes('<|im_end|>'), 'the end-of-turn marker is not in the content');
      assert.ok(r.usage.prompt_tokens > 10, 'the template wraps the messages');
      assert.ok(r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 30);
      assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
      if (c.finish_reason === 'length') assert.equal(r.usage.completion_tokens, 30);

      // Streamed: role in the first chunk, same content as the greedy plain answer.
      const stream = await chat.chat.completions.create({
        model: 'tiny-chat', messages, max_tokens: 30, temperature: 0, stream: true, stream_options: { include_usage: true },
      });
      const chunks = [];
      for await (const ch of stream) chunks.push(ch);
      assert.equal(chunks[0].choices[0].delta.role, 'assistant', 'role in the first chunk');
      assert.ok(chunks.every((ch) => ch.object === 'chat.completion.chunk'));
      const text = chunks.map((ch) => ch.choices[0]?.delta?.content ?? '').join('');
      assert.equal(text, c.message.content, 'streamed content equals the plain content');
      const withChoices = chunks.filter((ch) => ch.choices.length);
      assert.equal(withChoices.at(-1).choices[0].finish_reason, c.finish_reason);
      assert.deepEqual(chunks.at(-1).usage, r.usage);
    });

    it('the SDK stream helper works too', T, async () => {
      const runner = chat.chat.completions.stream({ model: 'tiny-chat', messages, max_tokens: 12, temperature: 0 });
      const final = await runner.finalChatCompletion();
      assert.equal(final.choices[0].message.role, 'assistant');
      assert.ok(final.choices[0].message.content.length > 0);
    });
  });

  describe('--chat-template FILE (a Jinja template) and chat_template_kwargs', () => {
    let jinjaGw;
    let client;
    before(async () => {
      // Qwen 3's way of switching thinking off, and a refusal, in a template of our own.
      const file = path.join(tmp, 'chat.jinja');
      fs.writeFileSync(file, [
        "{%- for m in messages %}{% if m.role == 'tool' %}{{ raise_exception('tool turns are not supported here') }}{% endif %}",
        "{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}",
        "{%- if add_generation_prompt %}<|im_start|>assistant\n{% if enable_thinking is defined and enable_thinking is false %}",
        "<think>\n\n</think>\n\n{% endif %}{% endif %}",
      ].join('\n'));
      jinjaGw = await startLocalServe({ models: [modelPath], args: [...SERVE_ARGS, '--chat-template', file] });
      client = makeClient(jinjaGw);
    });
    after(async () => { await jinjaGw?.stop(); });

    it('the template renders the prompt; enable_thinking=false lengthens it', T, async () => {
      const messages = [{ role: 'user', content: 'Tell me a story.' }];
      const base = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 2, temperature: 0 });
      const off = await client.chat.completions.create({
        model: MODEL, messages, max_tokens: 2, temperature: 0, chat_template_kwargs: { enable_thinking: false },
      });
      const on = await client.chat.completions.create({
        model: MODEL, messages, max_tokens: 2, temperature: 0, chat_template_kwargs: { enable_thinking: true },
      });
      assert.ok(off.usage.prompt_tokens > base.usage.prompt_tokens, `${off.usage.prompt_tokens} > ${base.usage.prompt_tokens}`);
      assert.equal(on.usage.prompt_tokens, base.usage.prompt_tokens);
    });

    it("raise_exception is a 400 with the template's message; bad kwargs a 400 naming them", T, async () => {
      const e = await expectThrow(() => client.chat.completions.create({
        model: MODEL, max_tokens: 2,
        messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'c', content: 'y' }],
      }), 'a tool turn');
      assert.equal(e.status, 400, errSummary(e));
      assert.match(e.message, /tool turns are not supported here/);
      const bad = await expectThrow(() => client.chat.completions.create({
        model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: 'x' }], chat_template_kwargs: 'thinking',
      }), 'kwargs not an object');
      assert.equal(bad.status, 400, errSummary(bad));
      assert.equal(bad.param, 'chat_template_kwargs');
      const reserved = await expectThrow(() => client.chat.completions.create({
        model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: 'x' }], chat_template_kwargs: { messages: [] },
      }), 'kwargs replacing messages');
      assert.equal(reserved.status, 400, errSummary(reserved));
      assert.equal(reserved.param, 'chat_template_kwargs.messages');
    });
  });

  it('--max-memory 1K: serve exits non-zero naming --max-memory', T, async () => {
    for (const [value, pattern] of [['1K', /--max-memory/], ['lots', /--max-memory takes a size/]]) {
      const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(tmp, 'data-mm'), '-m', modelPath, '--max-memory', value];
      const r = await runEdgeai(args, { timeoutMs: 30000 });
      assert.ok(r.code !== 0 && r.code !== null, `exit code ${r.code} signal ${r.signal}\n${r.stderr}`);
      assert.match(r.stderr, pattern, r.stderr);
      assert.ok(!/"msg":"listening"/.test(r.stderr), 'never listened');
    }
  });
});
