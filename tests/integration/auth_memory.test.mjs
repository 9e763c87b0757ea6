// Memory stays flat while the gateway refuses 100,000 requests (after a
// warm-up of 50,000): missing,
// wrong and malformed keys, forged signatures, out-of-scope routes, each
// answered 401/403 and written to the audit log. Resident memory is read from
// /proc after a warm-up and at the end; the growth must stay under 1.5 MB (what
// is kept per refusal: nothing; the brute-force table, the nonce cache and
// the audit queue are bounded). Skipped under ASan, whose quarantine keeps
// freed memory on purpose.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test auth_memory.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binaryMissing, describeRun, runEdgeai } from './lib/engine.mjs';
import { EDGEAI_BIN, startGateway } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

// After a warm-up (first-time paths, caches, buffers at their working size),
// 100,000 refusals more are measured.
const WARMUP = 50000;
const TOTAL = WARMUP + Number(process.env.EDGEAI_TEST_REFUSALS ?? 100000);
const CONNECTIONS = 32;

function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

const sanitized = /asan/.test(EDGEAI_BIN) ? 'ASan keeps freed memory in quarantine; RSS says nothing there' : false;

describe('memory across refused requests', { skip: binaryMissing() || sanitized }, () => {
  let up;
  let gw;
  let dataDir;
  let scopedKey;

  before(async () => {
    up = await startUpstream();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-authmem-'));
    const r = await runEdgeai(['keys', 'create', '--name', 'embed-only', '--scopes', 'embeddings', '--data-dir', dataDir],
      { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
    assert.equal(r.code, 0, describeRun(['keys', 'create'], r));
    scopedKey = r.stdout.trim();
    // Brute-force braking would turn the refusals into cheap 429s: let
    // every one go through authentication instead.
    gw = await startGateway({ upstream: up.baseUrl, dataDir, env: { EDGEAI_AUTH_MAX_FAILURES_PER_MINUTE: '1000000' } });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`stays within 1.5 MB over ${TOTAL - WARMUP} refusals after ${WARMUP}`, { timeout: 300000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const kinds = [
      {},
      { authorization: 'Bearer sk-not-an-edgeai-key' },
      { authorization: 'Bearer eai_aaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      { 'x-edgeai-signature': `key=aaaaaaaaaa, ts=${Math.floor(Date.now() / 1000)}, nonce=nonce-0001, sig=${'0'.repeat(64)}` },
      { authorization: `Bearer ${scopedKey}` }, // 403: chat is out of its scopes
    ];
    const statuses = new Map();
    let sent = 0;
    const one = (i) => new Promise((resolve, reject) => {
      const req = http.request(gw.url('/v1/chat/completions'), {
        method: 'POST', agent, headers: { 'content-type': 'application/json', ...kinds[i % kinds.length] },
      }, (res) => {
        res.resume();
        res.on('end', () => { statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1); resolve(); });
      });
      req.on('error', reject);
      req.end('{"model":"m","messages":[{"role":"user","content":"hi"}]}');
    });
    const run = async (count) => {
      const target = sent + count;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (sent < target) await one(sent++);
      }));
    };
    await run(WARMUP);
    const warm = rssKb(gw.pid);
    for (let done = WARMUP; done < TOTAL; done += 10000) {
      await run(Math.min(10000, TOTAL - done));
      if (process.env.EDGEAI_TEST_VERBOSE === '1') console.log(`# ${sent}: ${rssKb(gw.pid)} kB`);
    }
    const end = rssKb(gw.pid);
    agent.destroy();
    assert.equal(up.requests.length, 0, 'no refused request reached the upstream');
    assert.equal(statuses.get(401) + statuses.get(403), TOTAL, JSON.stringify([...statuses]));
    assert.ok(statuses.get(403) >= TOTAL / kinds.length - 1);
    const growthKb = end - warm;
    console.log(`# RSS after ${WARMUP} refusals: ${warm} kB; after ${TOTAL}: ${end} kB (growth ${growthKb} kB)`);
    assert.ok(growthKb < 1536, `RSS grew by ${growthKb} kB over ${TOTAL - WARMUP} refusals\n${gw.describe()}`);
    // The gateway still serves: health, and the refusals are in the audit log.
    const log = fs.readFileSync(path.join(dataDir, 'audit.log'), 'utf8');
    assert.ok(log.split('\n').length > TOTAL / 2, 'refusals are audited');
  });
});
