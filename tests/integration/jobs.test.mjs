// Durable jobs end to end: `Prefer: respond-async` answers 202 once the job is
// on disk, delivery goes through the same path as a synchronous call (with the
// job id as Idempotency-Key upstream), failures that may pass are retried with
// backoff, others end the job; Idempotency-Key, cancel, listing and a full
// queue; jobs survive a restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { CANNED, ScriptedUpstream } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { request, sleep } from './lib/clients.mjs';
import { runEdgeai } from './lib/engine.mjs';

const FAST_RETRIES = `
[queue]
backoff_base_ms = 50
backoff_max_ms = 200
poll_ms = 50
max_attempts = 4
`;

function submit(gw, body, headers = {}, route = '/v1/chat/completions') {
  return request(gw.url(route), {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'respond-async', ...headers },
    body: JSON.stringify(body),
  });
}

const chatBody = (content = 'hi') => ({ model: 'gpt-test', messages: [{ role: 'user', content }] });

async function waitForJob(gw, id, pred = (j) => ['succeeded', 'failed', 'cancelled', 'expired'].includes(j.status), timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(gw.url(`/v1/jobs/${id}`));
    assert.equal(r.status, 200, r.text);
    if (pred(r.json)) return r.json;
    if (Date.now() > deadline) assert.fail(`job ${id} still ${r.json.status}: ${r.text}`);
    await sleep(30);
  }
}

describe('durable jobs', () => {
  let up, gw;

  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig(FAST_RETRIES)] });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('respond-async answers 202 with Location, then the job holds the synchronous answer', async () => {
    const r = await submit(gw, chatBody());
    assert.equal(r.status, 202, r.text);
    assert.match(r.json.id, /^job_[0-9a-f]{24}$/);
    assert.equal(r.json.object, 'job');
    assert.equal(r.headers.location, `/v1/jobs/${r.json.id}`);
    const job = await waitForJob(gw, r.json.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.response_status, 200);
    assert.equal(job.response.object, 'chat.completion');
    assert.equal(job.response.choices[0].message.content, CANNED.chatContent);
    assert.equal(job.attempts, 1);
    const delivered = up.posts.at(-1);
    assert.equal(delivered.headers['idempotency-key'], r.json.id, 'the job id goes upstream as Idempotency-Key');
    assert.deepEqual(delivered.json, chatBody());
  });

  test('a retried submission with the same Idempotency-Key gets the first job', async () => {
    const before = up.posts.length;
    const a = await submit(gw, chatBody('once'), { 'idempotency-key': 'sensor-42-reading-7' });
    const b = await submit(gw, chatBody('once'), { 'idempotency-key': 'sensor-42-reading-7' });
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.equal(b.json.id, a.json.id);
    await waitForJob(gw, a.json.id);
    await sleep(200);
    assert.equal(up.posts.length, before + 1, 'delivered once');
  });

  test('failures that may pass are retried with backoff; the job then succeeds', async () => {
    up.enqueue({ type: 'error', status: 503 }, { type: 'error', status: 429 });
    const r = await submit(gw, chatBody('retry me'));
    const job = await waitForJob(gw, r.json.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    assert.equal(job.attempts, 3);
  });

  test('a request the backend refuses ends the job with its answer and the reason', async () => {
    up.enqueue({ type: 'error', status: 400 });
    const r = await submit(gw, chatBody('bad'));
    const job = await waitForJob(gw, r.json.id);
    assert.equal(job.status, 'failed');
    assert.equal(job.response_status, 400);
    assert.equal(job.response.error.code, 'bad_request');
    assert.match(job.last_error, /HTTP 400: upstream says: bad request/);
  });

  test('a job that keeps failing stops after max_attempts', async () => {
    for (let i = 0; i < 4; ++i) up.enqueue({ type: 'error', status: 500 });
    const r = await submit(gw, chatBody('doomed'));
    const job = await waitForJob(gw, r.json.id);
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 4);
    assert.match(job.last_error, /after 4 attempts/);
  });

  test('a bad request is refused at once, not queued', async () => {
    const r = await submit(gw, { model: 'gpt-test' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.param, 'messages');
    const p = await submit(gw, chatBody(), { 'x-edgeai-priority': 'urgent' });
    assert.equal(p.status, 400);
    assert.equal(p.json.error.param, 'x-edgeai-priority');
  });

  test('GET /v1/jobs lists newest first, by status, a page at a time', async () => {
    const all = await request(gw.url('/v1/jobs?limit=2'));
    assert.equal(all.status, 200, all.text);
    assert.equal(all.json.object, 'list');
    assert.equal(all.json.data.length, 2);
    assert.equal(all.json.has_more, true);
    const next = await request(gw.url(`/v1/jobs?limit=2&after=${all.json.last_id}`));
    assert.notEqual(next.json.data[0].id, all.json.data[0].id);
    const failed = await request(gw.url('/v1/jobs?status=failed'));
    assert.ok(failed.json.data.length >= 2);
    assert.ok(failed.json.data.every((j) => j.status === 'failed'));
    const bad = await request(gw.url('/v1/jobs?status=lost'));
    assert.equal(bad.status, 400);
    const none = await request(gw.url('/v1/jobs/job_000000000000000000000000'));
    assert.equal(none.status, 404);
    assert.equal(none.json.error.code, 'job_not_found');
  });

  test('an Anthropic-shaped request can be a job too', async () => {
    const r = await submit(gw, { model: 'gpt-test', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, {}, '/v1/messages');
    assert.equal(r.status, 202, r.text);
    const job = await waitForJob(gw, r.json.id);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.response.type, 'message');
    assert.equal(job.response.content[0].text, CANNED.chatContent);
  });

  test('edgeai queue reads and changes the same jobs while the server runs', async () => {
    const ls = await runEdgeai(['queue', 'ls', '--status', 'failed', '--json', '--data-dir', gw.dataDir]);
    assert.equal(ls.code, 0, ls.stderr);
    const failed = ls.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(failed.length >= 2);
    assert.ok(failed.every((j) => j.status === 'failed'));
    const table = await runEdgeai(['queue', 'ls', '--data-dir', gw.dataDir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /succeeded/);
    const show = await runEdgeai(['queue', 'show', failed[0].id, '--data-dir', gw.dataDir]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).id, failed[0].id);
    // A failed job put back is delivered again by the running server.
    const retry = await runEdgeai(['queue', 'retry', failed[0].id, '--data-dir', gw.dataDir]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(JSON.parse(retry.stdout).status, 'queued');
    const job = await waitForJob(gw, failed[0].id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    const again = await runEdgeai(['queue', 'retry', failed[0].id, '--data-dir', gw.dataDir]);
    assert.equal(again.code, 2, 'a succeeded job does not go back');
    const missing = await runEdgeai(['queue', 'show', 'job_nope', '--data-dir', gw.dataDir]);
    assert.equal(missing.code, 2);
    const bad = await runEdgeai(['queue', 'ls', '--status', 'lost', '--data-dir', gw.dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status/);
  });

  test('/metrics counts deliveries', async () => {
    const m = await request(gw.url('/metrics'));
    assert.match(m.text, /edgeai_job_deliveries_total\{outcome="succeeded"\} [1-9]/);
    assert.match(m.text, /edgeai_job_deliveries_total\{outcome="retried"\} [1-9]/);
    assert.match(m.text, /edgeai_jobs\{status="succeeded"\} [1-9]/);
  });
});

describe('durable jobs with one delivery at a time and a small queue', () => {
  let up, gw;

  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({
      upstream: up.baseUrl,
      args: ['--config', writeConfig(`${FAST_RETRIES}concurrency = 1\nmax_jobs = 2\n`)],
      env: { EDGEAI_UPSTREAM_TIMEOUT_MS: '60000' },
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('queued jobs can be cancelled; a full queue answers 429', async () => {
    up.enqueue({ type: 'hang' });
    const first = await submit(gw, chatBody('hangs'));
    await waitForJob(gw, first.json.id, (j) => j.status === 'running');
    const second = await submit(gw, chatBody('waits'));
    assert.equal(second.status, 202);
    const third = await submit(gw, chatBody('no room'));
    assert.equal(third.status, 429, third.text);
    assert.equal(third.json.error.code, 'queue_full');
    assert.ok(third.headers['retry-after']);

    const cancelled = await request(gw.url(`/v1/jobs/${second.json.id}`), { method: 'DELETE' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.status, 'cancelled');
    const again = await request(gw.url(`/v1/jobs/${second.json.id}`), { method: 'DELETE' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'job_already_ended');

    // Finished jobs leave with `edgeai queue purge`.
    await sleep(1100);
    const purge = await runEdgeai(['queue', 'purge', '--status', 'cancelled', '--older-than', '1s', '--data-dir', gw.dataDir]);
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, /purged 1 cancelled/);
    const gone = await request(gw.url(`/v1/jobs/${second.json.id}`));
    assert.equal(gone.status, 404);
    const running = await runEdgeai(['queue', 'purge', '--status', 'running', '--older-than', '1s', '--data-dir', gw.dataDir]);
    assert.equal(running.code, 2);
  });
});

describe('jobs survive a restart', () => {
  test('a job accepted and tried before a stop is still there, with its state, after a restart', async () => {
    const up = await new ScriptedUpstream().start();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-jobs-data-'));
    const config = writeConfig(`[queue]\nbackoff_base_ms = 60000\npoll_ms = 50\n`);
    try {
      up.enqueue({ type: 'error', status: 503 });
      const gw1 = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
      const r = await submit(gw1, chatBody('later'));
      assert.equal(r.status, 202);
      await waitForJob(gw1, r.json.id, (j) => j.attempts === 1 && j.status === 'queued');
      await gw1.stop();
      // The next process finds it queued, waiting out its backoff.
      const gw2 = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
      try {
        const listed = await request(gw2.url(`/v1/jobs/${r.json.id}`));
        assert.equal(listed.status, 200);
        assert.equal(listed.json.status, 'queued');
        assert.equal(listed.json.attempts, 1);
        assert.equal(listed.json.last_error, 'HTTP 503: upstream says: overloaded');
      } finally {
        await gw2.stop();
      }
    } finally {
      await up.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('jobs wait out a lost uplink without spending attempts', () => {
  test('queued while the only backend is unreachable, delivered once it is back', async () => {
    const up = await new ScriptedUpstream().start();
    const config = writeConfig(`
[[backends]]
name = "cloud"
kind = "openai"
base_url = "${up.baseUrl}"
models = ["gpt-test"]

[routing]
uplink_probe_interval_ms = 100
uplink_probe_timeout_ms = 100

[queue]
poll_ms = 50
backoff_base_ms = 50
max_attempts = 2
`);
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config] });
    try {
      await up.pause(); // the port now refuses connections: the uplink is down
      const deadline = Date.now() + 5000;
      for (;;) {
        const ready = await request(gw.url('/readyz'));
        if (ready.json.uplink === 'offline') break;
        if (Date.now() > deadline) assert.fail(`uplink never went offline: ${ready.text}`);
        await sleep(50);
      }
      const r = await submit(gw, chatBody('offline'));
      assert.equal(r.status, 202);
      // Far longer than max_attempts x backoff: it waits, untried.
      await sleep(1500);
      const waiting = await request(gw.url(`/v1/jobs/${r.json.id}`));
      assert.equal(waiting.json.status, 'queued', waiting.text);
      assert.equal(waiting.json.attempts, 0);
      assert.match(waiting.json.last_error, /waiting: no backend for 'gpt-test'/);
      await up.resume();
      const job = await waitForJob(gw, r.json.id);
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      assert.equal(job.attempts, 1);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});

describe('webhooks', () => {
  test('a finished job is POSTed to its callback URL, signed, and retried until the receiver takes it', async () => {
    const secret = 'whsec-test-0123456789';
    const received = [];
    let failFirst = 1;
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failFirst-- > 0) {
          res.writeHead(500);
          res.end('not now');
          return;
        }
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
    const up = await new ScriptedUpstream().start();
    const gw = await startGateway({
      upstream: up.baseUrl,
      args: ['--config', writeConfig(`${FAST_RETRIES}webhook_secret = "${secret}"\nwebhook_allow = ["127.0.0.1/32"]\n`)],
    });
    try {
      const r = await submit(gw, chatBody('call me back'), { 'x-edgeai-callback-url': hookUrl });
      assert.equal(r.status, 202, r.text);
      const deadline = Date.now() + 10000;
      let job;
      for (;;) {
        job = (await request(gw.url(`/v1/jobs/${r.json.id}`))).json;
        if (job.webhook_status === 'delivered') break;
        if (Date.now() > deadline) assert.fail(`webhook not delivered: ${JSON.stringify(job)}`);
        await sleep(50);
      }
      assert.equal(job.webhook_attempts, 2, 'the 500 was retried');
      assert.equal(received.length, 2);
      const last = received.at(-1);
      const sent = JSON.parse(last.body);
      assert.equal(sent.id, r.json.id);
      assert.equal(sent.status, 'succeeded');
      assert.equal(sent.response.choices[0].message.content, CANNED.chatContent);
      assert.equal(last.headers['x-edgeai-job-id'], r.json.id);
      // The signature a receiver checks: HMAC-SHA256 over "t.body".
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(last.headers['x-edgeai-signature']);
      assert.ok(m, last.headers['x-edgeai-signature']);
      const expected = crypto.createHmac('sha256', secret).update(`${m[1]}.${last.body}`).digest('hex');
      assert.equal(m[2], expected);
      assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 60);
      const bad = await submit(gw, chatBody(), { 'x-edgeai-callback-url': 'ftp://nope' });
      assert.equal(bad.status, 400);
    } finally {
      await gw.stop();
      await up.close();
      receiver.close();
    }
  });
});
