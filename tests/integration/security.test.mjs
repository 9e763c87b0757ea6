// The second security pass (issue 16), each attack run as an attacker would,
// over real sockets with real keys:
// - a batch runs as its key: the key must hold the lines' endpoint scope and
//   may only name its models (checked when the batch is made), and every line
//   is admitted when it runs (a rate refusal makes it wait without spending
//   an attempt, a budget refusal fails it with budget_exceeded).
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test security.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request, sleep } from './lib/clients.mjs';
import { binaryMissing, describeRun, runEdgeai } from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

function makeDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-security-'));
}

/** Makes a key with `edgeai keys create` and returns its JSON (secret in .key). */
async function createKey(dataDir, ...args) {
  const all = ['keys', 'create', ...args, '--json', '--data-dir', dataDir];
  const r = await runEdgeai(all, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
  assert.equal(r.code, 0, describeRun(all, r));
  return JSON.parse(r.stdout);
}

const bearer = (key) => ({ authorization: `Bearer ${key}` });
const completionLine = (i, model = 'gpt-test') =>
  JSON.stringify({ custom_id: `line-${i}`, method: 'POST', url: '/v1/completions', body: { model, prompt: `p${i}` } });

/** Uploads `lines` as a batch input file with `key`; returns the file id. */
async function upload(gw, key, lines) {
  const form = new FormData();
  form.append('purpose', 'batch');
  form.append('file', new Blob([lines.join('\n') + '\n']), 'lines.jsonl');
  const r = await fetch(gw.url('/v1/files'), { method: 'POST', body: form, headers: bearer(key) });
  const json = await r.json();
  assert.equal(r.status, 200, JSON.stringify(json));
  return json.id;
}

function createBatch(gw, key, fileId, endpoint = '/v1/completions') {
  return request(gw.url('/v1/batches'), {
    method: 'POST', headers: bearer(key),
    body: { input_file_id: fileId, endpoint, completion_window: '24h' },
  });
}

async function batchWhen(gw, key, id, done, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = (await request(gw.url(`/v1/batches/${id}`), { headers: bearer(key) })).json;
    if (done(b)) return b;
    if (Date.now() > deadline) assert.fail(`batch ${id}: ${JSON.stringify(b)}`);
    await sleep(50);
  }
}

const completionsSeen = (up) => up.requests.filter((r) => r.path.endsWith('/completions') && !r.path.includes('chat')).length;

describe('a batch runs as its key', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let keys;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    keys = {
      batchesOnly: await createKey(dataDir, '--name', 'batches-only', '--scopes', 'batches', '--models', 'nothing-*'),
      otherModels: await createKey(dataDir, '--name', 'other-models', '--scopes', 'completions,batches', '--models', 'only-this'),
      slow: await createKey(dataDir, '--name', 'slow', '--scopes', 'completions,batches,jobs', '--rpm', '1'),
      poor: await createKey(dataDir, '--name', 'poor', '--scopes', 'completions,batches', '--budget-tokens-day', '20'),
    };
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n')] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a batch whose key lacks the lines' endpoint scope, and runs nothing", async () => {
    const before = completionsSeen(up);
    const file = await upload(gw, keys.batchesOnly.key, [completionLine(1), completionLine(2)]);
    const r = await createBatch(gw, keys.batchesOnly.key, file);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'insufficient_scope');
    assert.match(r.json.error.message, /completions/);
    await sleep(300);
    assert.equal(completionsSeen(up), before, 'no line reached the upstream');
  });

  it("fails a batch naming each line whose model the key may not use", async () => {
    const before = completionsSeen(up);
    const file = await upload(gw, keys.otherModels.key,
      [completionLine(1, 'only-this'), completionLine(2, 'gpt-test'), completionLine(3, 'gpt-test-mini')]);
    const r = await createBatch(gw, keys.otherModels.key, file);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'failed');
    const lines = r.json.errors.data.map((e) => e.line);
    assert.deepEqual(lines, [2, 3]);
    assert.match(r.json.errors.data[0].message, /may not use the model 'gpt-test'/);
    await sleep(300);
    assert.equal(completionsSeen(up), before, 'no line reached the upstream');
  });

  it('makes lines over the key\'s rate wait, without spending their attempts', async () => {
    const before = completionsSeen(up);
    const file = await upload(gw, keys.slow.key, [completionLine(1), completionLine(2), completionLine(3)]);
    const r = await createBatch(gw, keys.slow.key, file);
    assert.equal(r.status, 200, r.text);
    const b = await batchWhen(gw, keys.slow.key, r.json.id, (x) => x.request_counts.completed >= 1);
    await sleep(1500); // many polls: the other lines stay queued
    assert.equal(completionsSeen(up) - before, 1, 'one request per minute reached the upstream');
    const now = (await request(gw.url(`/v1/batches/${b.id}`), { headers: bearer(keys.slow.key) })).json;
    assert.equal(now.status, 'in_progress');
    assert.deepEqual(now.request_counts, { total: 3, completed: 1, failed: 0 });
    const jobs = (await request(gw.url('/v1/jobs?limit=100'), { headers: bearer(keys.slow.key) })).json.data
      .filter((j) => j.status === 'queued'); // this key's only jobs are the batch's
    assert.equal(jobs.length, 2, JSON.stringify(jobs));
    for (const j of jobs) {
      assert.equal(j.attempts, 0, 'waiting for the key is not an attempt');
      assert.match(j.last_error, /^waiting: /);
    }
  });

  it('fails lines past the key\'s budget with budget_exceeded', async () => {
    const before = completionsSeen(up);
    const lines = Array.from({ length: 6 }, (_, i) => completionLine(i + 1));
    const file = await upload(gw, keys.poor.key, lines);
    const r = await createBatch(gw, keys.poor.key, file);
    assert.equal(r.status, 200, r.text);
    const done = await batchWhen(gw, keys.poor.key, r.json.id, (x) => x.status === 'completed' || x.status === 'failed');
    const ran = completionsSeen(up) - before;
    // Each line is estimated at 8 tokens (its JSON / 4) and reserved while it
    // runs: at most three fit under 20 before the first reports 12 used.
    assert.ok(ran >= 1 && ran <= 3, `12 tokens a line against 20 a day: ${ran} lines ran`);
    assert.equal(done.request_counts.completed, ran);
    assert.equal(done.request_counts.failed, 6 - ran);
    const errors = await (await fetch(gw.url(`/v1/files/${done.error_file_id}/content`), { headers: bearer(keys.poor.key) })).text();
    const failed = errors.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(failed.length, 6 - ran);
    for (const f of failed) assert.equal(f.response.body.error.code, 'budget_exceeded', JSON.stringify(f));
    const usage = (await request(gw.url('/v1/usage?by=key'), { headers: bearer(keys.poor.key) }));
    assert.ok(usage.status === 200 || usage.status === 403, usage.text);
  });
});
