// Crash safety of the job queue, proved the hard way: 20 cycles of starting
// `edgeai serve`, enqueueing jobs from concurrent clients while earlier ones are
// being delivered, and killing the process with SIGKILL at a random moment.
// At the end, with one more server left to finish, every job that got a 202
// has succeeded exactly once as /v1/jobs/{id} shows, its body reached the
// upstream under its own Idempotency-Key, and every job the queue holds was
// either acknowledged or cut off by a kill before its answer: none that was
// refused with an error is there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ScriptedUpstream } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { request, sleep } from './lib/clients.mjs';

const CYCLES = 20;
const CLIENTS = 4;

// A deterministic generator, so a failing run can be repeated.
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test(`jobs survive ${CYCLES} SIGKILLs at random moments`, { timeout: 300000 }, async () => {
  const up = await new ScriptedUpstream().start();
  // Deliveries take a little while, so kills land in the middle of some.
  up.defaultMode = { type: 'normal', delayMs: 5 };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-crash-data-'));
  const config = writeConfig('[queue]\nconcurrency = 8\npoll_ms = 20\nbackoff_base_ms = 20\nbackoff_max_ms = 100\nmax_attempts = 1000\n');
  const rand = random(20261202);
  // marker -> { state: 'acked' | 'cut' | 'refused', id }
  const submissions = new Map();
  let seq = 0;
  try {
    for (let cycle = 0; cycle < CYCLES; ++cycle) {
      const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
      let killed = false;
      const client = async () => {
        while (!killed) {
          const marker = `m${++seq}`;
          try {
            const r = await request(gw.url('/v1/chat/completions'), {
              method: 'POST',
              headers: { 'content-type': 'application/json', prefer: 'respond-async' },
              body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: marker }] }),
              timeoutMs: 5000,
            });
            if (r.status === 202) submissions.set(marker, { state: 'acked', id: r.json.id });
            else submissions.set(marker, { state: 'refused', status: r.status });
          } catch {
            submissions.set(marker, { state: 'cut' }); // the kill came before an answer
          }
          await sleep(10); // a few hundred jobs a cycle, so the final drain stays short
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      await sleep(50 + Math.floor(rand() * 350));
      killed = true;
      gw.signal('SIGKILL');
      await gw.waitExit();
      await Promise.all(clients);
      await gw.stop(); // removes its temp dir; the data dir is ours
    }

    const acked = [...submissions.entries()].filter(([, s]) => s.state === 'acked');
    assert.ok(acked.length >= CYCLES, `only ${acked.length} jobs were acknowledged`);
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', config], dataDir });
    try {
      // Everything acknowledged finishes.
      const deadline = Date.now() + 120000;
      const jobs = new Map();
      for (const [marker, s] of acked) {
        for (;;) {
          const r = await request(gw.url(`/v1/jobs/${s.id}`));
          assert.equal(r.status, 200, `acknowledged job ${s.id} (${marker}) is gone: ${r.text}`);
          if (r.json.status === 'succeeded') {
            jobs.set(s.id, r.json);
            break;
          }
          assert.ok(['queued', 'running'].includes(r.json.status), `job ${s.id} ended ${r.json.status}: ${r.text}`);
          if (Date.now() > deadline) assert.fail(`job ${s.id} still ${r.json.status}`);
          await sleep(50);
        }
      }
      // Each was delivered with its own body and its id as Idempotency-Key.
      for (const [marker, s] of acked) {
        const sent = up.posts.filter((p) => p.headers['idempotency-key'] === s.id);
        assert.ok(sent.length >= 1, `job ${s.id} never reached the upstream`);
        for (const p of sent) assert.equal(p.json.messages[0].content, marker);
        assert.equal(jobs.get(s.id).response.object, 'chat.completion');
      }
      // The queue holds nothing that was refused, and nothing twice.
      const listed = [];
      let after = '';
      for (;;) {
        const r = await request(gw.url(`/v1/jobs?limit=100${after ? `&after=${after}` : ''}`));
        listed.push(...r.json.data);
        if (!r.json.has_more) break;
        after = r.json.last_id;
      }
      const ids = new Set(listed.map((j) => j.id));
      assert.equal(ids.size, listed.length, 'a job listed twice');
      const ackedIds = new Set(acked.map(([, s]) => s.id));
      const byId = new Map();
      for (const p of up.posts) byId.set(p.headers['idempotency-key'], p.json.messages[0].content);
      for (const j of listed) {
        if (ackedIds.has(j.id)) continue;
        // Stored but never acknowledged: its submission must have been cut by a kill.
        const marker = byId.get(j.id);
        if (marker) assert.equal(submissions.get(marker)?.state, 'cut', `job ${j.id} (${marker}) was not acknowledged but was not cut either`);
      }
      const refused = [...submissions.values()].filter((s) => s.state === 'refused');
      assert.deepEqual(refused, [], 'no submission was refused');
      const duplicates = up.posts.length - new Set(up.posts.map((p) => p.headers['idempotency-key'])).size;
      console.log(`# crash test: ${CYCLES} cycles, ${acked.length} jobs acknowledged, ${listed.length - acked.length} stored while cut off, 0 lost, ${duplicates} deliveries repeated after a kill (same Idempotency-Key)`);
    } finally {
      await gw.stop();
    }
  } finally {
    await up.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
