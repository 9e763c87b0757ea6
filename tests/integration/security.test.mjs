// The second security pass (issue 16), each attack run as an attacker would,
// over real sockets with real keys:
// - a batch runs as its key: the key must hold the lines' endpoint scope and
//   may only name its models (checked when the batch is made), and every line
//   is admitted when it runs (a rate refusal makes it wait without spending
//   an attempt, a budget refusal fails it with budget_exceeded);
// - a full disk (a small tmpfs under the data directory) loses no job and
//   delivers none twice: an answer the store cannot write keeps its job
//   running, uncounted, until it can be written; a clean shutdown puts jobs
//   under way back in the queue.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test security.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';

import { rawExchange, request, sleep } from './lib/clients.mjs';
import {
  binaryMissing, convertStories, describeRun, makeTmpDir, missingData, removeTmpDir, runEdgeai, startLocalServe,
} from './lib/engine.mjs';
import { EDGEAI_BIN, startGateway, writeConfig } from './lib/gateway.mjs';
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

/** Mounts a tmpfs of `size` at a new directory; null when this machine does not let us. */
function mountTmpfs(size) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function unmount(dir) {
  try { execFileSync('umount', [dir], { stdio: 'pipe' }); } catch { /* already gone */ }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes into `file` until the file system is full. */
function fillDisk(file) {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
}

async function metric(gw, name, labels) {
  const text = (await request(gw.url('/metrics'))).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (!labels && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
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
      // Three requests a minute: the upload, the batch, and one line.
      slow: await createKey(dataDir, '--name', 'slow', '--scopes', 'completions,batches,jobs,models', '--rpm', '3'),
      // Watches the others' batches without spending their rate.
      admin: await createKey(dataDir, '--name', 'admin', '--scopes', 'admin'),
      poor: await createKey(dataDir, '--name', 'poor', '--scopes', 'completions,batches', '--budget-tokens-day', '20'),
    };
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\nmax_batch_lines = 6\n')] });
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
    const b = await batchWhen(gw, keys.admin.key, r.json.id, (x) => x.request_counts.completed >= 1);
    await sleep(1500); // many polls: the other lines stay queued
    assert.equal(completionsSeen(up) - before, 1, 'one line fits in what is left of the minute');
    const now = (await request(gw.url(`/v1/batches/${b.id}`), { headers: bearer(keys.admin.key) })).json;
    assert.equal(now.status, 'in_progress');
    assert.deepEqual(now.request_counts, { total: 3, completed: 1, failed: 0 });
    const jobs = (await request(gw.url('/v1/jobs?limit=100'), { headers: bearer(keys.admin.key) })).json.data
      .filter((j) => j.status === 'queued'); // the only queued jobs are this batch's
    assert.equal(jobs.length, 2, JSON.stringify(jobs));
    for (const j of jobs) {
      assert.equal(j.attempts, 0, 'waiting for the key is not an attempt');
      assert.match(j.last_error, /^waiting: /);
    }
  });

  it("spends the key's rate on every route, not only on inference", async () => {
    // The slow key's minute is spent by now: files, jobs, batches and models refuse it too.
    for (const p of ['/v1/models', '/v1/jobs', '/v1/batches', '/v1/files/file-none']) {
      const r = await request(gw.url(p), { headers: bearer(keys.slow.key) });
      assert.equal(r.status, 429, `${p}: ${r.text}`);
      assert.equal(r.json.error.code, 'rate_limit_exceeded');
      assert.ok(Number(r.headers['retry-after']) > 0);
    }
  });

  it('fails a batch larger than queue.max_batch_lines, running none of it', async () => {
    const before = completionsSeen(up);
    const lines = Array.from({ length: 7 }, (_, i) => completionLine(i));
    const file = await upload(gw, keys.poor.key, lines);
    const r = await createBatch(gw, keys.poor.key, file);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'failed');
    assert.match(r.json.errors.data[0].message, /more than 6 requests.*queue\.max_batch_lines/);
    await sleep(300);
    assert.equal(completionsSeen(up), before, 'no line reached the upstream');
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


// Item 7: one key cannot fill the queue for the others. Paused, so every job
// stays queued and counts.
describe("one key's share of the queue", { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let keys;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    keys = {
      hoarder: await createKey(dataDir, '--name', 'hoarder', '--scopes', 'completions,batches,jobs'),
      other: await createKey(dataDir, '--name', 'other', '--scopes', 'completions,jobs'),
    };
    gw = await startGateway({
      upstream: up.baseUrl, dataDir,
      args: ['--config', writeConfig('[queue]\npaused = true\nmax_jobs_per_key = 8\nmax_bytes_per_key = 65536\n')],
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const submit = (key, prompt = 'p') => request(gw.url('/v1/completions'), {
    method: 'POST', headers: { ...bearer(key), prefer: 'respond-async' },
    body: { model: 'gpt-test', prompt },
  });

  it("stops one key at its share of jobs while another key's jobs go in", async () => {
    const file = await upload(gw, keys.hoarder.key, Array.from({ length: 6 }, (_, i) => completionLine(i)));
    const batch = await createBatch(gw, keys.hoarder.key, file);
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.json.status, 'in_progress');
    assert.equal((await submit(keys.hoarder.key)).status, 202);
    assert.equal((await submit(keys.hoarder.key)).status, 202);
    const over = await submit(keys.hoarder.key);
    assert.equal(over.status, 429, over.text);
    assert.equal(over.json.error.code, 'queue_full');
    assert.match(over.json.error.message, /queue\.max_jobs_per_key/);
    const again = await createBatch(gw, keys.hoarder.key, file);
    assert.equal(again.status, 429, again.text);
    const other = await submit(keys.other.key);
    assert.equal(other.status, 202, `another key still gets in: ${other.text}`);
  });

  it('stops one key at its share of stored bytes', async () => {
    const big = 'x'.repeat(40 * 1024);
    assert.equal((await submit(keys.other.key, big)).status, 202);
    const over = await submit(keys.other.key, big);
    assert.equal(over.status, 429, over.text);
    assert.match(over.json.error.message, /queue\.max_bytes_per_key/);
  });
});

const tmpfsProbe = (() => {
  const dir = mountTmpfs('1m');
  if (dir === null) return 'mounting a tmpfs is not allowed here (needs root and CAP_SYS_ADMIN)';
  unmount(dir);
  return false;
})();

describe('a full disk loses no job and delivers none twice', { skip: binaryMissing() || tmpfsProbe }, () => {
  let up;
  let gw;
  let disk;

  before(async () => {
    up = await startUpstream();
    disk = mountTmpfs('4m');
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    if (disk) unmount(disk);
  });

  it('keeps an answer it cannot store until it can, counting it only then', async () => {
    const dataDir = path.join(disk, 'data');
    fs.mkdirSync(dataDir);
    gw = await startGateway({
      upstream: up.baseUrl, dataDir,
      // The audit log (tested below) would refuse requests on this full disk.
      args: ['--config', writeConfig('[queue]\npoll_ms = 50\nbackoff_base_ms = 300\nmax_attempts = 6\n[audit]\nenabled = false\n')],
    });
    let open;
    const gate = new Promise((resolve) => { open = resolve; });
    const big = 'x'.repeat(300 * 1024); // four answers need more than the disk has left
    up.defaultMode = async (req, res, rec) => {
      await gate;
      up._normal(req, res, rec, { content: big });
    };
    const ids = [];
    for (let i = 0; i < 4; ++i) {
      const r = await request(gw.url('/v1/chat/completions'), {
        method: 'POST', headers: { prefer: 'respond-async' },
        body: { model: 'gpt-test', messages: [{ role: 'user', content: `job ${i}` }] },
      });
      assert.equal(r.status, 202, r.text);
      ids.push(r.json.id);
    }
    for (let i = 0; i < 200 && up.requests.length < 4; ++i) await sleep(25);
    assert.equal(up.requests.length, 4, 'all four are being delivered');
    const filler = path.join(disk, 'filler');
    fillDisk(filler);
    open();
    await sleep(1200);
    assert.equal((await request(gw.url('/healthz'))).status, 200, 'still serving');
    for (const id of ids) {
      const job = (await request(gw.url(`/v1/jobs/${id}`))).json;
      assert.equal(job.status, 'running', `not stored, so not ended: ${JSON.stringify(job).slice(0, 300)}`);
    }
    assert.equal(await metric(gw, 'edgeai_job_deliveries_total', 'outcome="succeeded"'), 0, 'nothing counted before it is stored');
    assert.ok(await metric(gw, 'edgeai_job_store_refusals_total') > 0, 'the refusals are counted');
    assert.match(gw.stderr, /job store refused/);

    fs.rmSync(filler); // space returns
    for (const id of ids) {
      let job;
      for (let i = 0; i < 200; ++i) {
        job = (await request(gw.url(`/v1/jobs/${id}`))).json;
        if (job.status !== 'running' && job.status !== 'queued') break;
        await sleep(50);
      }
      assert.equal(job.status, 'succeeded', JSON.stringify(job).slice(0, 300));
      assert.equal(job.response.choices[0].message.content.length, big.length);
    }
    assert.equal(await metric(gw, 'edgeai_job_deliveries_total', 'outcome="succeeded"'), 4);
    assert.equal(up.requests.length, 4, 'each job reached the upstream once');
    await gw.stop();
    gw = null;
  });

  // Item 13: with the disk full, requests are refused (by default) or held in
  // memory, and every record accepted before or during reaches the log.
  for (const policy of ['refuse', 'buffer']) {
    it(`audit.on_write_failure = "${policy}": no accepted record is lost to a full disk`, { timeout: 60000 }, async () => {
      const dataDir = path.join(disk, `audit-${policy}`);
      fs.mkdirSync(dataDir);
      gw = await startGateway({
        upstream: up.baseUrl, dataDir,
        args: ['--config', writeConfig(`[audit]\nenabled = true\non_write_failure = "${policy}"\n`)],
      });
      up.defaultMode = { type: 'normal' };
      const served = [];
      const refused = [];
      const ask = async () => {
        const r = await request(gw.url('/v1/chat/completions'), {
          method: 'POST', body: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
        });
        if (r.status === 200) served.push(r.headers['x-request-id']);
        else refused.push(r);
        return r;
      };
      for (let i = 0; i < 5; ++i) await ask();
      await sleep(400); // written
      const filler = path.join(disk, 'filler');
      fillDisk(filler);
      try {
        for (let i = 0; i < 60 && refused.length === 0; ++i) { await ask(); await sleep(50); }
        if (policy === 'refuse') {
          assert.ok(refused.length > 0, 'requests are refused once a write failed');
          const r = refused[0];
          assert.equal(r.status, 503, r.text);
          assert.equal(r.json.error.code, 'audit_unavailable');
          assert.ok(Number(r.headers['retry-after']) > 0);
          const ready = await request(gw.url('/readyz'));
          assert.equal(ready.status, 503);
          assert.equal(ready.json.status, 'audit_failing');
          assert.match(ready.json.audit_error, /No space left/);
          assert.equal((await request(gw.url('/healthz'))).status, 200, 'health stays up');
        } else {
          assert.deepEqual(refused.map((r) => r.status), [], 'buffer keeps serving');
          assert.match((await request(gw.url('/readyz'))).json.audit_error ?? '', /No space left/);
        }
      } catch (e) {
        await gw.stop();
        gw = null;
        throw e;
      } finally {
        fs.rmSync(filler); // space returns
      }
      // Writing resumes within the retry's backoff (at most 5 s).
      let back = false;
      try {
        for (let i = 0; i < 100 && !back; ++i) { back = (await ask()).status === 200 && (await request(gw.url('/readyz'))).status === 200; await sleep(100); }
      } finally {
        await gw.stop();
        gw = null;
      }
      assert.ok(back, 'served again once the disk has room');
      const verify = await runEdgeai(['audit', 'verify', '--data-dir', dataDir], { cwd: dataDir });
      assert.equal(verify.code, 0, describeRun(['audit', 'verify'], verify));
      const lines = fs.readFileSync(path.join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const logged = new Set(lines.map((l) => l.request_id));
      const missing = served.filter((id) => !logged.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${served.length} served requests have no audit record`);
      assert.ok(lines.every((l) => !l.dropped_before), 'nothing was dropped');
    });
  }

  it('answers 507 when the disk fills mid-load, and every job it accepted stays whole', { timeout: 60000 }, async () => {
    const dataDir = path.join(disk, 'enqueue');
    fs.mkdirSync(dataDir);
    gw = await startGateway({
      upstream: up.baseUrl, dataDir,
      args: ['--config', writeConfig('[queue]\npaused = true\n[audit]\nenabled = false\n')],
    });
    const filler = path.join(disk, 'filler');
    // Leave about 600 KiB: a dozen 48 KiB jobs fit, the rest do not.
    fillDisk(filler);
    fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - 600 * 1024));
    const accepted = [];
    let full = null;
    try {
      for (let i = 0; i < 200 && !full; ++i) {
        const content = `${i} `.padEnd(48 * 1024, 'x');
        const r = await request(gw.url('/v1/chat/completions'), {
          method: 'POST', headers: { prefer: 'respond-async' },
          body: { model: 'gpt-test', messages: [{ role: 'user', content }] },
        });
        if (r.status === 202) accepted.push({ id: r.json.id, content });
        else full = r;
      }
      assert.ok(full, 'the disk filled');
      assert.equal(full.status, 507, full.text);
      assert.equal(full.json.error.code, 'insufficient_storage');
      assert.ok(accepted.length >= 3, `${accepted.length} accepted before the disk filled`);
      assert.equal((await request(gw.url('/healthz'))).status, 200, 'still serving');
      for (const { id } of accepted) {
        const job = await request(gw.url(`/v1/jobs/${id}`));
        assert.equal(job.status, 200, job.text);
        assert.equal(job.json.status, 'queued');
      }
    } finally {
      fs.rmSync(filler);
    }
    const after = await request(gw.url('/v1/chat/completions'), {
      method: 'POST', headers: { prefer: 'respond-async' },
      body: { model: 'gpt-test', messages: [{ role: 'user', content: 'room again' }] },
    });
    assert.equal(after.status, 202, after.text);
    await gw.stop();
    gw = null;
    // The database itself, read again after the server is gone: every job it
    // accepted is there.
    const q = await runEdgeai(['queue', 'ls', '--json', '--status', 'queued', '--limit', '1000', '--data-dir', dataDir], { cwd: dataDir });
    assert.equal(q.code, 0, describeRun(['queue', 'ls'], q));
    const stored = new Set(q.stdout.trim().split('\n').map((l) => JSON.parse(l).id));
    assert.deepEqual(accepted.map((a) => a.id).filter((id) => !stored.has(id)), []);
  });

  it('puts jobs under way back in the queue at a clean shutdown, and delivers them once after', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-requeue-'));
    up.requests.length = 0;
    up.defaultMode = { type: 'hang' };
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n')] });
    const r = await request(gw.url('/v1/chat/completions'), {
      method: 'POST', headers: { prefer: 'respond-async' },
      body: { model: 'gpt-test', messages: [{ role: 'user', content: 'interrupted' }] },
    });
    assert.equal(r.status, 202, r.text);
    for (let i = 0; i < 200 && up.requests.length < 1; ++i) await sleep(25);
    assert.equal(up.requests.length, 1);
    await gw.stop();
    // Stored as queued before the process exited, not left "running".
    const shown = await runEdgeai(['queue', 'show', r.json.id, '--data-dir', dataDir], { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
    assert.equal(shown.code, 0, describeRun(['queue', 'show'], shown));
    assert.match(shown.stdout, /"status":\s*"queued"/, shown.stdout);
    assert.match(shown.stdout, /interrupted by a shutdown/);
    up.defaultMode = { type: 'normal' };
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n')] });
    let job;
    for (let i = 0; i < 200; ++i) {
      job = (await request(gw.url(`/v1/jobs/${r.json.id}`))).json;
      if (job.status === 'succeeded') break;
      await sleep(50);
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(up.requests.length, 2, 'the interrupted delivery, then one more');
    await gw.stop();
    gw = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('strict HTTP/1.1 framing (RFC 9112)', { skip: binaryMissing() }, () => {
  let up;
  let gw;

  before(async () => {
    up = await startUpstream();
    gw = await startGateway({ upstream: up.baseUrl });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('answers 400 and closes for every head a front proxy could read differently', async () => {
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    const smuggled = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const post = (headers) => `POST /v1/chat/completions HTTP/1.1\r\n${headers}Content-Type: application/json\r\n\r\n${body}${smuggled}`;
    const cases = [
      ['Transfer-Encoding: chunked, identity', post('Host: 127.0.0.1\r\nTransfer-Encoding: chunked, identity\r\n')],
      ['Transfer-Encoding: identity', post('Host: 127.0.0.1\r\nTransfer-Encoding: identity\r\n')],
      ['Transfer-Encoding: xchunked', post('Host: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n')],
      ['Transfer-Encoding: chunked, chunked', post('Host: 127.0.0.1\r\nTransfer-Encoding: chunked, chunked\r\n')],
      ['two Transfer-Encoding fields', post('Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n')],
      ['HTTP/1.1 without Host', post(`Content-Length: ${body.length}\r\n`)],
      ['two Host fields', post(`Host: 127.0.0.1\r\nHost: evil.example\r\nContent-Length: ${body.length}\r\n`)],
      ['bare LF line ends', `POST /v1/chat/completions HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: ${body.length}\n\n${body}${smuggled}`],
      ['bare LF after a CRLF line', post(`Host: 127.0.0.1\nContent-Length: ${body.length}\r\n`)],
      ['obs-fold (a header continued on the next line)', post(`Host: 127.0.0.1\r\nX-Note: one\r\n two\r\nContent-Length: ${body.length}\r\n`)],
      ['obs-fold with a tab', post(`Host: 127.0.0.1\r\nContent-Length: ${body.length}\r\nX-Note: one\r\n\ttwo\r\n`)],
      ['two Authorization fields', post(`Host: 127.0.0.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nContent-Length: ${body.length}\r\n`)],
    ];
    const before = up.requests.length;
    const wrong = [];
    for (const [what, req] of cases) {
      const r = await rawExchange(gw.port, req, { timeoutMs: 3000 });
      const text = r.data.toString('utf8');
      const answers = (text.match(/^HTTP\/1\.1 \d{3} /gm) ?? []).length;
      if (r.parsed?.status !== 400 || answers !== 1 || !r.closedByServer) {
        wrong.push(`${what} → ${r.parsed ? r.parsed.status : 'no response'}, ${answers} answers, closed=${r.closedByServer}`);
      } else if (!/malformed HTTP request/.test(r.parsed.body?.toString?.() ?? text)) {
        wrong.push(`${what}: the error does not say why: ${text.slice(0, 300)}`);
      }
    }
    assert.deepEqual(wrong, [], wrong.join('\n'));
    assert.equal(up.requests.length, before, 'none was forwarded');
    // HTTP/1.0 needs no Host.
    const old = await rawExchange(gw.port, 'GET /healthz HTTP/1.0\r\n\r\n', { timeoutMs: 3000 });
    assert.equal(old.parsed?.status, 200);
  });
});

describe('a web page cannot drive a keyless gateway', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  const chat = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  const raw = (head, body = '') =>
    rawExchange(gw.port, `${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, { timeoutMs: 3000 });

  before(async () => {
    up = await startUpstream();
    gw = await startGateway({
      upstream: up.baseUrl,
      args: ['--config', writeConfig('[server.cors]\nallow_origins = ["https://console.example"]\n')],
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('refuses key management over HTTP until a key exists, however it is asked', async () => {
    // The attack as found: a text/plain POST with a foreign Host and Origin.
    let r = await raw(`POST /v1/keys HTTP/1.1\r\nHost: rebound.example:${gw.port}\r\nOrigin: http://rebound.example:${gw.port}\r\nContent-Type: text/plain\r\n`, '{"name":"pwn","scopes":["admin"]}');
    assert.equal(r.parsed?.status, 403, r.data.toString());
    assert.doesNotMatch(r.data.toString(), /eai_/, 'no key was made');
    // Even from loopback itself, with JSON and no Origin.
    const plain = await request(gw.url('/v1/keys'), { method: 'POST', body: { name: 'x', scopes: ['admin'] } });
    assert.equal(plain.status, 403, plain.text);
    assert.equal(plain.json.error.code, 'keys_need_a_key');
    assert.match(plain.json.error.message, /edgeai keys create/);
  });

  it('answers only to Host names that cannot be rebound', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${gw.port}`, `localhost:${gw.port}`, 'app.localhost', `[::1]:${gw.port}`]) {
      const r = await raw(`GET /v1/models HTTP/1.1\r\nHost: ${host}\r\n`);
      assert.equal(r.parsed?.status, 200, `${host}: ${r.data.toString().slice(0, 200)}`);
    }
    const r = await raw(`GET /v1/models HTTP/1.1\r\nHost: rebound.example:${gw.port}\r\n`);
    assert.equal(r.parsed?.status, 403);
    assert.match(r.data.toString(), /host_not_allowed/);
  });

  it("refuses state changes from a foreign Origin, allows the gateway's own and the CORS list", async () => {
    const before = up.requests.length;
    const post = (origin, type = 'application/json') =>
      raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nOrigin: ${origin}\r\nContent-Type: ${type}\r\n`, chat);
    let r = await post('https://evil.example');
    assert.equal(r.parsed?.status, 403);
    assert.match(r.data.toString(), /cross_origin_refused/);
    r = await post('null');
    assert.equal(r.parsed?.status, 403, 'a sandboxed page (Origin: null) too');
    assert.equal(up.requests.length, before, 'nothing reached the upstream');
    r = await post(`http://127.0.0.1:${gw.port}`);
    assert.equal(r.parsed?.status, 200, r.data.toString().slice(0, 300));
    r = await post('https://console.example');
    assert.equal(r.parsed?.status, 200);
    // A page's GET reads nothing it could not read anyway (CORS hides it), so GETs pass.
    r = await raw(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n`);
    assert.equal(r.parsed?.status, 200);
  });

  it('takes a body only in the content type the route declares', async () => {
    let r = await raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n`, chat);
    assert.equal(r.parsed?.status, 415);
    r = await raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n`, chat);
    assert.equal(r.parsed?.status, 415, 'an untyped body (a fetch() of a Blob) is not JSON');
    assert.match(r.data.toString(), /no Content-Type/);
  });
});

describe("the data directory is the service user's alone", { skip: binaryMissing() }, () => {
  let up;

  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up?.close();
  });

  it('creates every file 0600 and warns about a directory others can read', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-perm-'));
    fs.chmodSync(dataDir, 0o755);
    const key = await createKey(dataDir, '--name', 'owner', '--scopes', 'admin');
    const gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n[audit]\nenabled = true\n')] });
    try {
      const r = await request(gw.url('/v1/chat/completions'), {
        method: 'POST', headers: { ...bearer(key.key), prefer: 'respond-async' },
        body: { model: 'gpt-test', messages: [{ role: 'user', content: 'secret prompt' }] },
      });
      assert.equal(r.status, 202, r.text);
      await sleep(500);
      assert.match(gw.stderr, /open to other users/);
      assert.match(gw.stderr, /chmod 700/);
      const files = fs.readdirSync(dataDir);
      for (const name of ['jobs.db', 'jobs.db-wal', 'usage.db', 'keys.db']) assert.ok(files.includes(name), `${name} in ${files}`);
      for (const name of files) {
        const st = fs.statSync(path.join(dataDir, name));
        if (st.isDirectory()) continue;
        assert.equal((st.mode & 0o777).toString(8), '600', `${name} is ${(st.mode & 0o777).toString(8)}`);
      }
    } finally {
      await gw.stop();
    }
    // With server.strict_permissions the same directory is refused.
    const strict = await runEdgeai(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
      '--upstream', up.baseUrl, '--config', writeConfig('[server]\nstrict_permissions = true\n')], { timeoutMs: 10000 });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /open to other users/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('a signature is good once, restarts included', { skip: binaryMissing() }, () => {
  it('refuses after a restart a signed request the server before it served', async () => {
    const up = await startUpstream();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-replay-'));
    const device = await createKey(dataDir, '--name', 'sensor', '--scopes', 'chat', '--signing');
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    let gw = await startGateway({ upstream: up.baseUrl, dataDir });
    // Signed once the first server runs (a slow start may cross a second).
    const ts = Math.floor(Date.now() / 1000);
    const nonce = crypto.randomBytes(12).toString('hex');
    const signingKey = crypto.createHmac('sha256', device.key).update('edgeai-request-signing-v1').digest();
    const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
    const sig = crypto.createHmac('sha256', signingKey)
      .update(`EDGEAI-HMAC-SHA256\nPOST\n/v1/chat/completions\n${ts}\n${nonce}\n${bodyHash}`).digest('hex');
    const headers = { 'content-type': 'application/json', 'x-edgeai-signature': `key=${device.id}, ts=${ts}, nonce=${nonce}, sig=${sig}` };
    try {
      const first = await request(gw.url('/v1/chat/completions'), { method: 'POST', body, headers });
      assert.equal(first.status, 200, first.text);
      await gw.stop();
      await sleep(1100); // the next process starts in a later second than the signature
      gw = await startGateway({ upstream: up.baseUrl, dataDir });
      const replayed = await request(gw.url('/v1/chat/completions'), { method: 'POST', body, headers });
      assert.equal(replayed.status, 401, replayed.text);
      assert.match(replayed.json.error.message, /signed before this server started/);
      assert.equal(up.requests.length, 1, 'the replay never reached the upstream');
    } finally {
      await gw.stop();
      await up.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('configuration shown and logged without credentials', { skip: binaryMissing() }, () => {
  it('redacts a password in a URL and names the file read from the working directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-cwdconf-'));
    fs.writeFileSync(path.join(dir, 'edgeai.toml'), '[upstream]\nurl = "https://bob:s3cret-pass@api.example/v1"\n');
    try {
      const shown = await runEdgeai(['config', 'show'], { cwd: dir, env: { XDG_CONFIG_HOME: dir } });
      assert.equal(shown.code, 0, describeRun(['config', 'show'], shown));
      assert.doesNotMatch(shown.stdout, /s3cret-pass/);
      assert.match(shown.stdout, /https:\/\/bob:<redacted>@api\.example\/v1/);
      const up = await startUpstream();
      const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', path.join(dir, 'edgeai.toml')] });
      await gw.stop();
      await up.close();
      assert.match(gw.stderr, /"msg":"configuration read","file":"[^"]*edgeai\.toml"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Item 4: bodies are buffered before a keyless (or signed) request is
// authenticated, so their sum has a cap. 60 clients each start a 4 MiB body
// and stop one byte short: past server.max_pending_body_bytes the rest get 503
// with Retry-After before a byte of their body is read, and memory grows by
// the cap at most, not by 60 x 4 MiB.
describe('bodies being received share one cap', { skip: binaryMissing() }, () => {
  const CLIENTS = 60;
  const BODY = 4 << 20;
  const CAP = 16 << 20;

  it(`answers 503 past server.max_pending_body_bytes and holds at most the cap`, { timeout: 60000 }, async () => {
    const up = await startUpstream();
    const gw = await startGateway({
      upstream: up.baseUrl,
      args: ['--config', writeConfig(`[server]\nmax_pending_body_bytes = ${CAP}\nread_timeout_ms = 30000\n`)],
    });
    const sockets = [];
    try {
      const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${gw.pid}/status`, 'utf8'))[1]);
      const startKb = rssKb();
      const chunk = Buffer.alloc(BODY - 1, 'a');
      const answers = await Promise.all(Array.from({ length: CLIENTS }, () => new Promise((resolve) => {
        const s = net.connect(gw.port, '127.0.0.1');
        sockets.push(s);
        let data = '';
        let settled = false;
        const done = (v) => { if (!settled) { settled = true; resolve(v); } };
        s.on('data', (d) => {
          data += d.toString('latin1');
          if (/\r\n\r\n/.test(data)) done(data);
        });
        s.on('error', () => done(data || 'error'));
        s.on('close', () => done(data || 'closed'));
        // The head alone: the budget is taken (or refused) before the body.
        s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`);
        setTimeout(() => done(data || 'held'), 1000);
      })));
      // The held ones send their body but for its last byte.
      await Promise.all(sockets.filter((_, i) => answers[i] === 'held').map((s) => new Promise((resolve) => s.write(chunk, resolve))));
      await sleep(300);
      const refused = answers.filter((a) => /^HTTP\/1\.1 503 /.test(a));
      const held = answers.filter((a) => a === 'held');
      assert.equal(held.length, CAP / BODY, `held ${held.length}, refused ${refused.length}: ${answers.filter((a) => a !== 'held' && !/^HTTP\/1\.1 503 /.test(a)).slice(0, 2)}`);
      assert.equal(refused.length, CLIENTS - CAP / BODY);
      assert.match(refused[0], /\r\nretry-after: 1\r\n/i);
      assert.match(refused[0], /max_pending_body_bytes/);
      if (!/asan/.test(EDGEAI_BIN)) {
        // ASan keeps freed memory in quarantine, so RSS is judged on release only.
        const grownKb = rssKb() - startKb;
        assert.ok(grownKb < (CAP >> 10) + 12 * 1024, `grew ${grownKb} kB for a ${CAP >> 10} kB cap`);
      }
      assert.equal(await metric(gw, 'edgeai_http_pending_body_bytes'), CAP);
      // A chunked body counts as it arrives: with the budget spent, its first
      // chunk gets 503.
      const chunked = await new Promise((resolve) => {
        const s = net.connect(gw.port, '127.0.0.1');
        sockets.push(s);
        let data = '';
        s.on('data', (d) => { data += d.toString('latin1'); });
        s.on('close', () => resolve(data));
        s.on('error', () => {});
        s.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n' + '{'.padEnd(1024, ' ') + '\r\n');
      });
      assert.match(chunked, /^HTTP\/1\.1 503 /, chunked.slice(0, 200));
      // The held clients finish their bodies: served, and the budget returns.
      for (const s of sockets) if (!s.destroyed) s.write('}');
      await sleep(500);
      assert.equal(await metric(gw, 'edgeai_http_pending_body_bytes'), 0);
      assert.equal((await request(gw.url('/healthz'))).status, 200, 'the server keeps serving');
      // Many small chunked bodies at once all pass.
      const small = await Promise.all(Array.from({ length: 40 }, () => request(gw.url('/v1/chat/completions'), {
        method: 'POST', headers: { 'transfer-encoding': 'chunked' },
        body: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
      })));
      assert.deepEqual(small.map((r) => r.status).filter((st) => st !== 200), []);
    } finally {
      for (const s of sockets) s.destroy();
      await gw.stop();
      await up.close();
    }
  });
});

// Item 11: a signature covers every header that changes what a request does.
describe('a signature covers the headers that change what a request does', { skip: binaryMissing() }, () => {
  const SIGNED = ['prefer', 'x-edgeai-callback-url', 'x-edgeai-priority', 'idempotency-key', 'cache-control', 'x-edgeai-cache'];
  const body = JSON.stringify({ model: 'gpt-test', prompt: 'hi', max_tokens: 4 });
  let up;
  let gw;
  let dataDir;
  let device;

  function signed(version, extra) {
    const ts = Math.floor(Date.now() / 1000);
    const nonce = crypto.randomBytes(12).toString('hex');
    const signingKey = crypto.createHmac('sha256', device.key).update('edgeai-request-signing-v1').digest();
    const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
    const lower = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = version === 2
      ? `EDGEAI-HMAC-SHA256-V2\nPOST\n/v1/completions\n${ts}\n${nonce}\n${SIGNED.map((n) => `${n}:${lower[n] ?? ''}\n`).join('')}${bodyHash}`
      : `EDGEAI-HMAC-SHA256\nPOST\n/v1/completions\n${ts}\n${nonce}\n${bodyHash}`;
    const sig = crypto.createHmac('sha256', signingKey).update(canonical).digest('hex');
    const v = version === 2 ? 'v=2, ' : '';
    return { 'content-type': 'application/json', ...extra, 'x-edgeai-signature': `${v}key=${device.id}, ts=${ts}, nonce=${nonce}, sig=${sig}` };
  }
  const post = (headers) => request(gw.url('/v1/completions'), { method: 'POST', body, headers });

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    device = await createKey(dataDir, '--name', 'sensor', '--scopes', 'completions,jobs', '--signing');
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n')] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a version 1 signature on a request carrying a covered header, naming it', async () => {
    const plain = await post(signed(1, {}));
    assert.equal(plain.status, 200, plain.text);
    for (const [name, value] of [['Prefer', 'respond-async'], ['x-edgeai-priority', '10'], ['x-edgeai-callback-url', 'https://example.com/h']]) {
      const r = await post(signed(1, { [name]: value }));
      assert.equal(r.status, 401, `${name}: ${r.text}`);
      assert.match(r.json.error.message, new RegExp(`${name.toLowerCase()}.*v=2`));
    }
  });

  it('serves a version 2 signature and refuses it when a covered header is added or changed', async () => {
    const asyncHeaders = signed(2, { Prefer: 'respond-async', 'x-edgeai-priority': '-5' });
    const accepted = await post(asyncHeaders);
    assert.equal(accepted.status, 202, accepted.text);
    // A man in the middle turns the job urgent, or adds a callback: refused.
    const raised = signed(2, { Prefer: 'respond-async', 'x-edgeai-priority': '-5' });
    raised['x-edgeai-priority'] = '100';
    assert.equal((await post(raised)).status, 401);
    const hooked = signed(2, { Prefer: 'respond-async' });
    hooked['x-edgeai-callback-url'] = 'https://attacker.example/h';
    assert.equal((await post(hooked)).status, 401);
    // Made async by someone else: the signer asked for an answer now.
    const made = signed(2, {});
    made.prefer = 'respond-async';
    assert.equal((await post(made)).status, 401);
    // Headers outside the list do not matter.
    const tagged = signed(2, {});
    tagged['x-request-id'] = 'added-later';
    assert.equal((await post(tagged)).status, 200);
  });
});

// Item 14: a shutdown hands back what it did not start (503 with Retry-After)
// and ends what it cuts in the API's shape, and the log says the server did it.

/** POSTs `body` and reads the whole answer: { status, headers, text, error }. */
function readAll(port, pathName, body, onData = () => {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; onData(); });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', (e) => resolve({ status: res.statusCode, headers: res.headers, text, error: e.code ?? e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode, headers: res.headers, text, error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.end(JSON.stringify(body));
  });
}

const closedByClient = (gw) => gw.logs.filter((l) => l.msg === 'request' && l.status === 499);

describe('a shutdown ends what it does not finish, in the API\'s shape', { skip: binaryMissing() }, () => {
  it('answers 503 with Retry-After to requests still waiting for an engine slot', { skip: missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin'), timeout: 60000 }, async () => {
    const dir = makeTmpDir();
    const model = await convertStories(dir);
    const gw = await startLocalServe({ models: [model], args: ['--parallel', '1', '--threads', '1', '--ctx-size', '512'] });
    try {
      const body = { model: 'stories260K', prompt: 'Once upon a time', max_tokens: 450, temperature: 0, stream: true };
      const started = [];
      const answers = [];
      let streaming = false;
      answers.push(readAll(gw.port, '/v1/completions', body, () => { streaming = true; }));
      for (let i = 0; i < 500 && !streaming; ++i) await sleep(5);
      // The first request is generating (its stream has begun); the rest wait.
      for (let i = 0; i < 7; ++i) answers.push(readAll(gw.port, '/v1/completions', body));
      await sleep(100);
      gw.child.kill('SIGTERM');
      const results = await Promise.all(answers);
      started.push(...results.filter((r) => r.status === 200));
      const refused = results.filter((r) => r.status === 503);
      const broken = results.filter((r) => r.error || (r.status !== 200 && r.status !== 503));
      assert.deepEqual(broken.map((r) => `${r.status} ${r.error}`), [], 'no connection is cut without an answer');
      assert.ok(refused.length >= 1, `some requests were still waiting: ${results.map((r) => r.status)}`);
      for (const r of refused) {
        assert.equal(JSON.parse(r.text).error.code, 'shutting_down', r.text);
        assert.ok(Number(r.headers['retry-after']) >= 1);
      }
      for (const r of started) assert.match(r.text, /data: \[DONE\]/, 'a stream already generating finishes in the grace period');
      await gw.exited;
      assert.deepEqual(closedByClient(gw), [], 'none is logged as closed by its client');
    } finally {
      await gw.stop();
      removeTmpDir(dir);
    }
  });

  it('ends streams cut at the end of the grace period with an error event, and the rest with 503', { timeout: 30000 }, async () => {
    const up = await startUpstream();
    // A stream that never ends, and a request the upstream never answers.
    up.defaultMode = async (req, res, rec) => {
      if (!rec.json?.stream) return; // hang
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; !res.destroyed && i < 10000; ++i) {
        res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [{ index: 0, delta: { content: `t${i} ` }, finish_reason: null }] })}\n\n`);
        await sleep(50);
      }
    };
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig('[server]\nshutdown_grace_ms = 800\n')] });
    try {
      const msg = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };
      const streams = [0, 1, 2].map(() => readAll(gw.port, '/v1/chat/completions', { ...msg, stream: true }));
      const plain = readAll(gw.port, '/v1/chat/completions', msg);
      for (let i = 0; i < 200 && up.requests.length < 4; ++i) await sleep(10);
      await sleep(200);
      gw.child.kill('SIGTERM');
      for (const r of await Promise.all(streams)) {
        assert.equal(r.status, 200);
        assert.equal(r.error, undefined, `the stream ended cleanly: ${r.error}`);
        assert.match(r.text, /"code":"server_shutting_down"/, r.text.slice(-300));
        assert.doesNotMatch(r.text, /\[DONE\]/);
      }
      const p = await plain;
      assert.equal(p.status, 503, p.text);
      assert.equal(JSON.parse(p.text).error.code, 'shutting_down');
      assert.ok(Number(p.headers['retry-after']) >= 1);
      await gw.exited;
      assert.equal(gw.logs.filter((l) => l.msg === 'request ended by the server at shutdown').length, 4, gw.describe());
      assert.deepEqual(closedByClient(gw), []);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
