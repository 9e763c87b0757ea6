// The response cache and usage accounting end to end: a real gateway in front
// of a scripted upstream, curl-free (node's http and the openai SDK), the
// usage database read back through GET /v1/usage and `edgeai usage` while the
// server runs, and cached answers surviving a restart with cache.persist.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

import { CANNED, ScriptedUpstream, streamToken } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { request, usageUntil } from './lib/clients.mjs';
import { runEdgeai } from './lib/engine.mjs';

function chat(gw, body, headers = {}) {
  return request(gw.url('/v1/chat/completions'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const greedy = { model: 'gpt-test', temperature: 0, messages: [{ role: 'user', content: 'cache me' }] };

describe('response cache and usage accounting', () => {
  let up, gw;

  before(async () => {
    up = await new ScriptedUpstream().start();
    const config = writeConfig(`
[[backends]]
name = "priced"
kind = "openai"
base_url = "${up.baseUrl}"
models = ["gpt-test"]
price = { input_per_mtok = 1.0, output_per_mtok = 2.0 }
`);
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('a greedy request is answered by the upstream once, then from the cache', async () => {
    const before = up.posts.length;
    const first = await chat(gw, greedy);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers['x-edgeai-cache'], 'miss');
    const second = await chat(gw, { ...greedy, messages: [{ content: 'cache me', role: 'user' }] });
    assert.equal(second.status, 200);
    assert.equal(second.headers['x-edgeai-cache'], 'hit');
    assert.equal(second.headers['x-edgeai-backend'], 'cache');
    assert.deepEqual(second.json, first.json);
    assert.equal(up.posts.length, before + 1, 'the upstream was asked once');

    const skipped = await chat(gw, greedy, { 'x-edgeai-cache': 'skip' });
    assert.equal(skipped.headers['x-edgeai-cache'], undefined);
    assert.equal(up.posts.length, before + 2);

    const sampled = await chat(gw, { ...greedy, temperature: 0.7 });
    assert.equal(sampled.headers['x-edgeai-cache'], undefined, 'sampled answers are not cached');

    const metrics = await request(gw.url('/metrics'));
    assert.match(metrics.text, /edgeai_cache_requests_total\{result="hit"\} 1/);
    assert.match(metrics.text, /edgeai_cache_entries [1-9]/);
  });

  test('a streamed request with a seed is replayed as the same stream through the openai SDK', async () => {
    const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
    const ask = async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-test', seed: 7, stream: true, messages: [{ role: 'user', content: 'stream me' }],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    };
    const before = up.posts.length;
    const a = await ask();
    const b = await ask();
    assert.equal(a, [0, 1, 2].map(streamToken).join(''));
    assert.equal(b, a);
    assert.equal(up.posts.length, before + 1);
  });

  test('a failed upstream answer is not cached', async () => {
    up.enqueue({ type: 'error', status: 400 });
    const body = { ...greedy, messages: [{ role: 'user', content: 'fails once' }] };
    assert.equal((await chat(gw, body)).status, 400);
    const again = await chat(gw, body);
    assert.equal(again.status, 200);
    assert.equal(again.headers['x-edgeai-cache'], 'miss');
  });

  test('GET /v1/usage sums tokens and cost by backend and by model', async () => {
    const sum = await usageUntil(gw, '?by=backend', (j) => j.data.some((d) => d.group === 'priced' && d.requests >= 3));
    assert.equal(sum.object, 'usage.summary');
    assert.equal(sum.by, 'backend');
    const priced = sum.data.find((d) => d.group === 'priced');
    assert.ok(priced, JSON.stringify(sum));
    // Every plain answer of the scripted upstream reports 9 + 7 tokens.
    assert.ok(priced.prompt_tokens >= 9 * 2, JSON.stringify(priced));
    assert.equal(priced.total_tokens, priced.prompt_tokens + priced.completion_tokens);
    const expectedCost = (priced.prompt_tokens * 1.0 + priced.completion_tokens * 2.0) / 1e6;
    assert.ok(Math.abs(priced.cost - expectedCost) < 1e-9, `${priced.cost} vs ${expectedCost}`);
    const cached = sum.data.find((d) => d.group === 'cache');
    assert.ok(cached && cached.requests >= 2, 'cache hits are accounted too');
    assert.equal(cached.cost, 0);

    const byModel = await usageUntil(gw, '?by=model&since=1h', () => true);
    assert.ok(byModel.data.some((d) => d.group === 'gpt-test'), JSON.stringify(byModel));
    const future = await request(gw.url('/v1/usage?since=1s'));
    assert.equal(future.status, 200);
    const bad = await request(gw.url('/v1/usage?by=planet'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.param, 'by');
  });

  test('edgeai usage reads the same database while the server runs', async () => {
    await usageUntil(gw, '', (j) => j.total.requests >= 3);
    const r = await runEdgeai(['usage', '--data-dir', gw.dataDir, '--by', 'backend', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.data.some((d) => d.group === 'priced'), r.stdout);
    const table = await runEdgeai(['usage', '--data-dir', gw.dataDir, '--by', 'model']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /gpt-test/);
  });
});

describe('cache.persist keeps answers across a restart', () => {
  test('the second server answers from cache.db without asking the upstream', async () => {
    const up = await new ScriptedUpstream().start();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-cache-data-'));
    const config = writeConfig('[cache]\npersist = true\n');
    try {
      const gw1 = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
      const first = await chat(gw1, greedy);
      assert.equal(first.headers['x-edgeai-cache'], 'miss');
      await gw1.stop();
      const gw2 = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
      try {
        const second = await chat(gw2, greedy);
        assert.equal(second.headers['x-edgeai-cache'], 'hit', second.text);
        assert.equal(second.json.choices[0].message.content, CANNED.chatContent);
        assert.equal(up.posts.length, 1);
      } finally {
        await gw2.stop();
      }
    } finally {
      await up.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
