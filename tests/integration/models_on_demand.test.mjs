// Models on demand (issue 18, item 2): every GGUF file in models.dir is a
// model, listed loaded or not; a model loads on its first request (one load
// for concurrent first requests), unloads after its keep-alive (the default,
// or a request's own: Ollama's keep_alive, the x-edgeai-keep-alive header),
// and makes room in the memory budget by unloading the least recently used
// idle model. A model that can never fit, or a file that is not a model,
// gets a clear error for that model only. `edgeai ps` asks the server.
//
// Two copies of the demo model (converted from models/demo as setup does)
// under a budget of 4 MiB: each takes about 3 MiB loaded, so one fits.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { request, sleep } from './lib/clients.mjs';
import { EDGEAI_BIN, writeConfig } from './lib/gateway.mjs';
import { binaryMissing, describeRun, makeTmpDir, removeTmpDir, runEdgeai, startLocalServe } from './lib/engine.mjs';

const T = { timeout: 60000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_DIR = path.resolve(here, '..', '..', 'models', 'demo');
const BUDGET = 4 * 1024 * 1024;
const skip = binaryMissing() ? `edgeai binary not found at ${EDGEAI_BIN}` : false;

function chat(gw, model, headers = {}) {
  return request(gw.url('/v1/chat/completions'), {
    method: 'POST',
    headers,
    body: { model, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 4 },
    timeoutMs: 30000,
  });
}

function generate(gw, body) {
  return request(gw.url('/api/generate'), { method: 'POST', body: { stream: false, ...body }, timeoutMs: 30000 });
}

async function loadedIds(gw) {
  const ps = await request(gw.url('/api/ps'));
  assert.equal(ps.status, 200, ps.text);
  return ps.json.models.map((m) => m.model);
}

async function loads(gw, model) {
  const text = (await request(gw.url('/metrics'))).text;
  const line = text.split('\n').find((l) => l.startsWith(`edgeai_engine_model_loads_total{model="${model}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function until(what, pred, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('models loaded on demand from models.dir', { skip }, () => {
  let dir, gw;

  before(async () => {
    dir = makeTmpDir('edgeai-it-on-demand-');
    const models = path.join(dir, 'models');
    fs.mkdirSync(models);
    const demo = path.join(dir, 'demo.gguf');
    const args = ['model', 'convert-llama2c', path.join(DEMO_DIR, 'stories260K.bin'),
      path.join(DEMO_DIR, 'tok512.bin'), '-o', demo];
    const r = await runEdgeai(args);
    assert.equal(r.code, 0, describeRun(args, r));
    fs.copyFileSync(demo, path.join(models, 'alpha.gguf'));
    fs.copyFileSync(demo, path.join(models, 'beta.gguf'));
    // Larger than the whole budget: refused before any load.
    fs.writeFileSync(path.join(models, 'huge.gguf'), Buffer.concat([fs.readFileSync(demo), Buffer.alloc(BUDGET)]));
    fs.writeFileSync(path.join(models, 'broken.gguf'), 'this is not a GGUF file\n');
    const config = writeConfig(`[models]\ndir = "${models}"\nkeep_alive = "-1"\n`);
    gw = await startLocalServe({
      models: [],
      args: ['--config', config, '--chat-template', 'chatml', '--memory-budget', String(BUDGET)],
    });
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(dir);
  });

  it('lists every model with whether it is loaded, in /v1/models and /api/tags', T, async () => {
    const list = await request(gw.url('/v1/models'));
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.data.map((m) => [m.id, m.loaded]),
      [['alpha', false], ['beta', false], ['broken', false], ['huge', false]]);
    const tags = await request(gw.url('/api/tags'));
    assert.deepEqual(tags.json.models.map((m) => m.model), ['alpha:latest', 'beta:latest', 'broken:latest', 'huge:latest']);
    assert.deepEqual(await loadedIds(gw), []);
    assert.ok(!gw.logs.some((l) => l.msg?.startsWith('serving the demo model')), 'models.dir replaces the demo');
  });

  it('loads a model on its first request, and unloads the least recently used one to fit the next', T, async () => {
    const a = await chat(gw, 'alpha');
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(await loadedIds(gw), ['alpha:latest']);
    const ps = (await request(gw.url('/api/ps'))).json.models[0];
    assert.ok(ps.size > BUDGET / 2 && ps.size <= BUDGET, `one model takes ${ps.size} bytes: one fits, two do not`);
    assert.equal(ps.expires_at, '9999-12-31T23:59:59Z', 'keep_alive -1: never expires');

    const b = await chat(gw, 'beta');
    assert.equal(b.status, 200, b.text);
    assert.deepEqual(await loadedIds(gw), ['beta:latest']);
    const models = (await request(gw.url('/v1/models'))).json.data;
    assert.deepEqual(models.filter((m) => m.loaded).map((m) => m.id), ['beta']);
    assert.ok(gw.logs.some((l) => l.msg === 'model unloaded' && l.model === 'alpha' && l.why === 'making room'), gw.describe());
  });

  it('unloads at once with keep_alive 0, per request (Ollama field or OpenAI header)', T, async () => {
    const r = await generate(gw, { model: 'alpha', prompt: 'Once', keep_alive: 0, options: { num_predict: 3 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.done, true);
    await until('alpha unloaded after its request', async () => (await loadedIds(gw)).length === 0);

    const h = await chat(gw, 'beta', { 'x-edgeai-keep-alive': '0' });
    assert.equal(h.status, 200, h.text);
    await until('beta unloaded after its request', async () => (await loadedIds(gw)).length === 0);

    // Ollama's empty generate loads, and with keep_alive 0 unloads.
    const load = await generate(gw, { model: 'alpha', prompt: '' });
    assert.equal(load.json.done_reason, 'load');
    assert.deepEqual(await loadedIds(gw), ['alpha:latest']);
    const unload = await generate(gw, { model: 'alpha', prompt: '', keep_alive: 0 });
    assert.equal(unload.status, 200, unload.text);
    assert.equal(unload.json.done_reason, 'unload', 'as Ollama answers an unload');
    await until('alpha unloaded by keep_alive 0', async () => (await loadedIds(gw)).length === 0);

    const bad = await chat(gw, 'alpha', { 'x-edgeai-keep-alive': 'soon' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.param, 'keep_alive');
  });

  it('expires a model after a keep_alive of 1s', T, async () => {
    const r = await generate(gw, { model: 'beta', prompt: 'Once', keep_alive: '1s', options: { num_predict: 2 } });
    assert.equal(r.status, 200, r.text);
    const ps = (await request(gw.url('/api/ps'))).json.models;
    assert.deepEqual(ps.map((m) => m.model), ['beta:latest']);
    const expires = Date.parse(ps[0].expires_at);
    assert.ok(expires > Date.now() - 1000 && expires < Date.now() + 3000, `expires_at ${ps[0].expires_at}`);
    await until('beta expired', async () => (await loadedIds(gw)).length === 0, 4000);
    assert.ok(gw.logs.some((l) => l.msg === 'model unloaded' && l.model === 'beta' && l.why === 'keep_alive expired'));
  });

  it('serves concurrent first requests to a loading model with one load', T, async () => {
    const before = await loads(gw, 'alpha');
    const answers = await Promise.all([1, 2, 3, 4].map(() => chat(gw, 'alpha')));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    assert.equal(await loads(gw, 'alpha'), before + 1);
    const loaded = await request(gw.url('/metrics'));
    assert.match(loaded.text, /edgeai_engine_model_loaded\{model="alpha"\} 1/);
    assert.match(loaded.text, /edgeai_engine_model_loaded\{model="beta"\} 0/);
  });

  it('refuses a model larger than the budget with a clear error, and keeps serving others', T, async () => {
    const r = await chat(gw, 'huge');
    assert.equal(r.status, 507, r.text);
    assert.equal(r.json.error.code, 'insufficient_memory');
    assert.match(r.json.error.message, /'huge' needs 5\.0 MiB and the memory budget is 4\.0 MiB/);
    assert.match(r.json.error.message, /models\.memory_budget/);
    const ok = await chat(gw, 'alpha');
    assert.equal(ok.status, 200, ok.text);
  });

  it('answers a broken file with an error for that model only, and tries it again next time', T, async () => {
    for (let i = 0; i < 2; ++i) {
      const r = await chat(gw, 'broken');
      assert.equal(r.status, 500, r.text);
      assert.equal(r.json.error.code, 'model_load_failed');
      assert.match(r.json.error.message, /'broken' could not be loaded: .*not a GGUF/);
    }
    await until('two load attempts logged',
      () => gw.logs.filter((l) => l.msg === 'cannot load model' && l.model === 'broken').length === 2);
    const ok = await chat(gw, 'beta');
    assert.equal(ok.status, 200, ok.text);
  });

  it('edgeai ps lists what the server has loaded', T, async () => {
    await chat(gw, 'alpha', { 'x-edgeai-keep-alive': '10m' });
    const r = await runEdgeai(['ps', '--port', String(gw.port)]);
    assert.equal(r.code, 0, describeRun(['ps'], r));
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+SIZE\s+UNTIL/);
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[1], /^alpha:latest\s+2\.\d MiB\s+/);
  });
});
