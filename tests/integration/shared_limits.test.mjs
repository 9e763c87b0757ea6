// Limits shared across replicas through Redis (limits.backend = "redis"): a
// real redis-server on a free loopback port, with a password, and three
// edgeai replicas with the same keys. Checks that a key's requests per
// minute hold across the three under concurrent load, that a daily token
// budget in the "closed" fail mode is never exceeded, that the concurrency
// leases of a SIGKILLed replica expire, and what happens when Redis is
// killed (SIGKILL) or frozen (SIGSTOP): no request waits past the timeout,
// the fail mode applies, /readyz says so, and shared counting resumes when
// Redis is back. Every success is in exactly one replica's usage.db.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test shared_limits.test.mjs

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { deadPort, probeConnect, request, sleep } from './lib/clients.mjs';
import { binaryMissing, describeRun, runEdgeai } from './lib/engine.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const REDIS_PASSWORD = 'redis-pw-0123456789';
// Generous bounds on waits that must end (a request held by a frozen Redis
// would wait forever); limits.timeout_ms is 50.
const MAX_WAIT_MS = 3000;
const LEASE_TTL_MS = 1500;

function redisMissing() {
  const r = spawnSync('redis-server', ['--version']);
  return r.error ? 'redis-server is not installed (scripts/setup.sh installs it)' : false;
}

class Redis {
  static async start() {
    return Redis.startOn(await deadPort());
  }

  static async startOn(port) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-redis-'));
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--requirepass', REDIS_PASSWORD, '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    const redis = new Redis(child, port, dir);
    for (let i = 0; i < 100 && !(await probeConnect(port, 200)).accepted; i++) await sleep(50);
    return redis;
  }

  constructor(child, port, dir) {
    this.child = child;
    this.port = port;
    this.dir = dir;
    this.url = `redis://:${REDIS_PASSWORD}@127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => child.on('exit', resolve));
  }

  cli(...args) {
    return execFileSync('redis-cli', ['-p', String(this.port), '--no-auth-warning', '-a',
      REDIS_PASSWORD, ...args], { encoding: 'utf8' }).trim();
  }

  async kill() {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGKILL');
      await this.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const chatBody = { model: 'gpt-test', messages: [{ role: 'user', content: 'x'.repeat(200) }] };

// Tokens of the successes per data dir, to hold against each replica's usage.db.
const served = new Map();

async function chat(gw, key) {
  const started = Date.now();
  const r = await request(gw.url('/v1/chat/completions'), {
    method: 'POST', headers: { authorization: `Bearer ${key}` }, body: chatBody, timeoutMs: 20000,
  });
  if (r.status === 200) {
    served.set(gw.dataDir, (served.get(gw.dataDir) ?? 0) + r.json.usage.total_tokens);
  }
  return { ...r, ms: Date.now() - started };
}

async function readyz(gw) {
  return (await request(gw.url('/readyz'))).json;
}

async function until(what, pred, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Tokens recorded in one replica's usage.db. */
async function ledgerTokens(dataDir) {
  const args = ['usage', '--json', '--data-dir', dataDir];
  const r = await runEdgeai(args, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
  assert.equal(r.code, 0, describeRun(args, r));
  const json = JSON.parse(r.stdout);
  return json.data.reduce((n, row) => n + row.total_tokens, 0);
}

/** Makes keys in one data dir, then gives the same keys.db to every replica. */
async function makeKeys(dataDirs, specs) {
  const secrets = {};
  for (const [name, flags] of Object.entries(specs)) {
    const args = ['keys', 'create', '--name', name, '--scopes', 'chat', ...flags, '--json',
      '--data-dir', dataDirs[0]];
    const r = await runEdgeai(args, { cwd: dataDirs[0], env: { XDG_CONFIG_HOME: dataDirs[0] } });
    assert.equal(r.code, 0, describeRun(args, r));
    secrets[name] = JSON.parse(r.stdout).key;
  }
  for (const dir of dataDirs.slice(1)) {
    for (const f of fs.readdirSync(dataDirs[0]).filter((f) => f.startsWith('keys.db'))) {
      fs.copyFileSync(path.join(dataDirs[0], f), path.join(dir, f));
    }
  }
  return secrets;
}

describe('limits shared through Redis', { skip: binaryMissing() || redisMissing() }, () => {
  let up;
  let redis;
  let root;
  let dataDirs;
  let keys;
  const replicas = [];

  async function startReplica(i, failMode) {
    const gw = await startGateway({
      upstream: up.baseUrl,
      dataDir: dataDirs[i],
      env: {
        EDGEAI_LIMITS_BACKEND: 'redis',
        EDGEAI_LIMITS_REDIS_URL: redis.url,
        EDGEAI_LIMITS_KEY_PREFIX: 'it:',
        EDGEAI_LIMITS_FAIL_MODE: failMode,
        EDGEAI_LIMITS_REPLICAS: '3',
        EDGEAI_LIMITS_LEASE_TTL_MS: String(LEASE_TTL_MS),
        EDGEAI_AUTH_PUBLIC_METRICS: 'loopback',
      },
    });
    await until('the replica to reach Redis', async () => (await readyz(gw)).shared_limits === 'up');
    return gw;
  }

  before(async () => {
    up = await startUpstream();
    redis = await Redis.start();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-shared-'));
    dataDirs = [0, 1, 2].map((i) => {
      const d = path.join(root, `replica${i}`);
      fs.mkdirSync(d);
      return d;
    });
    keys = await makeKeys(dataDirs, {
      rpm: ['--rpm', '12'],
      budget: ['--budget-tokens-day', '200'],
      slots: ['--concurrency', '2'],
      faults: ['--rpm', '6'],
      closed: ['--rpm', '600'],
    });
    for (let i = 0; i < 3; i++) replicas.push(await startReplica(i, 'local'));
  });

  after(async () => {
    for (const gw of replicas) await gw?.stop();
    await up?.close();
    await redis?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('holds a key to N requests per minute across three replicas under concurrent load', async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 60 },
      (_, i) => chat(replicas[i % 3], keys.rpm)));
    const elapsedMs = Date.now() - started;
    const ok = results.filter((r) => r.status === 200).length;
    // The bucket starts full (12) and refills 12 per minute while the load runs.
    const slack = Math.ceil((elapsedMs * 12) / 60000);
    assert.ok(ok >= 12, `only ${ok} of 60 passed; the first 12 should`);
    assert.ok(ok <= 12 + slack, `${ok} passed across the replicas; the limit is 12 (+${slack})`);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 429, r.text);
      assert.equal(r.json.error.code, 'rate_limit_exceeded');
      assert.match(r.json.error.message, /across all replicas/);
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    // Every replica served some: the counting was shared, not one replica's.
    const perReplica = [0, 1, 2].map((i) => results.filter((r, j) => j % 3 === i && r.status === 200).length);
    assert.ok(perReplica.filter((n) => n > 0).length >= 2, `successes per replica: ${perReplica}`);
    assert.ok(redis.cli('GET', `it:{${keys.rpm.split('_')[1]}}:rpm`) !== '');
  });

  it('never exceeds a daily token budget in the closed fail mode', async () => {
    // One replica in "closed" mode: with Redis up it counts there like the others.
    await replicas[2].stop();
    replicas[2] = await startReplica(2, 'closed');
    const results = await Promise.all(Array.from({ length: 30 },
      (_, i) => chat(replicas[i % 3], keys.budget)));
    const ok = results.filter((r) => r.status === 200);
    const used = ok.reduce((n, r) => n + r.json.usage.total_tokens, 0);
    assert.ok(ok.length >= 1, 'nothing passed');
    assert.ok(used <= 200, `${used} tokens used of a budget of 200`);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 429, r.text);
      assert.equal(r.json.error.code, 'budget_exceeded');
    }
    const day = redis.cli('HGET', `it:{${keys.budget.split('_')[1]}}:day`, 'tokens');
    assert.equal(Number(day), used, 'Redis holds the true count after settling');
  });

  it('frees the concurrency leases of a SIGKILLed replica once they expire', async () => {
    // Two requests held upstream on replica 0 take both slots.
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    up.reset();
    up.defaultMode = async (req, res) => {
      await gate;
      res.writeHead(500).end();
    };
    // They end when replica 0 is killed (the socket hangs up).
    const held = [chat(replicas[0], keys.slots), chat(replicas[0], keys.slots)]
      .map((p) => p.catch((e) => e));
    await until('both requests upstream', async () => up.posts.length >= 2 && up.posts);
    const refused = await chat(replicas[1], keys.slots);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.error.code, 'concurrency_limit_exceeded');
    // usage.db is written in batches by a second thread, and a SIGKILL loses
    // a batch not yet written: wait until replica 0's successes are on disk,
    // so the ledger check at the end is about Redis's faults alone.
    const want = served.get(dataDirs[0]) ?? 0;
    await until('replica 0\'s ledger', async () => (await ledgerTokens(dataDirs[0])) >= want);
    replicas[0].signal('SIGKILL');
    await replicas[0].waitExit();
    await Promise.all(held);
    release();
    up.reset();
    // No replica gives the slots back: Redis does, when the leases expire.
    const freed = await until('a slot freed by expiry', async () => {
      const r = await chat(replicas[1], keys.slots);
      return r.status === 200 && r;
    }, LEASE_TTL_MS * 4);
    assert.equal(freed.status, 200);
    await replicas[0].stop();
    replicas[0] = await startReplica(0, 'local');
  });

  it('falls back to each replica\'s share when Redis is killed, and counts in Redis again once it is back', async () => {
    const results = [];
    const load = (async () => {
      for (let i = 0; i < 12; i++) results.push(await chat(replicas[i % 2], keys.faults));
    })();
    await sleep(20);
    await redis.kill();
    await load;
    for (const r of results) assert.ok(r.ms < MAX_WAIT_MS, `a request waited ${r.ms} ms`);
    assert.ok(results.every((r) => r.status === 200 || r.status === 429), results.map((r) => r.status).join());
    // Redis away: replica 0 ("local") keeps its share of 6/min (2).
    await until('replica 0 to notice', async () => (await readyz(replicas[0])).shared_limits !== 'up');
    const r0 = await readyz(replicas[0]);
    assert.equal(r0.status, 'ready', 'the local fail mode still serves');
    const local = [];
    for (let i = 0; i < 4; i++) local.push(await chat(replicas[0], keys.closed));
    assert.ok(local.every((r) => r.status === 200), local.map((r) => r.status).join());
    // Replica 2 ("closed") refuses limited keys with 503 and is not ready.
    const closed = await chat(replicas[2], keys.closed);
    assert.equal(closed.status, 503, closed.text);
    assert.equal(closed.json.error.code, 'limits_unavailable');
    const r2 = await request(replicas[2].url('/readyz'));
    assert.equal(r2.status, 503);
    assert.equal(r2.json.status, 'limits_unavailable');
    const metrics = await request(replicas[0].url('/metrics'));
    assert.match(metrics.text, /edgeai_shared_limits_up 0/);
    assert.match(metrics.text, /edgeai_shared_limits_fallbacks_total\{mode="local"\} [1-9]/);
    // Redis again on the same port (empty: its counters start over).
    const port = redis.port;
    await redis.stop();
    redis = await Redis.startOn(port);
    for (const gw of replicas)
      await until('the replica back on Redis', async () => (await readyz(gw)).shared_limits === 'up');
    const back = await chat(replicas[2], keys.closed);
    assert.equal(back.status, 200, back.text);
    assert.ok(redis.cli('GET', `it:{${keys.closed.split('_')[1]}}:rpm`) !== '', 'counted in Redis again');
  });

  it('does not wait on a frozen Redis (SIGSTOP): the fail mode applies within the timeout', async () => {
    redis.child.kill('SIGSTOP');
    try {
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await chat(replicas[i % 3], keys.closed));
      for (const r of results) assert.ok(r.ms < MAX_WAIT_MS, `a request waited ${r.ms} ms`);
      // Replicas 0 and 1 serve from their share; 2 refuses (closed).
      assert.deepEqual(results.map((r) => r.status), [200, 200, 503, 200, 200, 503]);
      const r2 = await readyz(replicas[2]);
      assert.notEqual(r2.shared_limits, 'up');
    } finally {
      redis.child.kill('SIGCONT');
    }
    for (const gw of replicas)
      await until('the replica back on Redis', async () => (await readyz(gw)).shared_limits === 'up');
    const back = await chat(replicas[2], keys.closed);
    assert.equal(back.status, 200, back.text);
  });

  it('runs the scripts again from their text when Redis forgot them (NOSCRIPT)', async () => {
    const key = `it:{${keys.closed.split('_')[1]}}:rpm`;
    const before = redis.cli('GET', key);
    redis.cli('SCRIPT', 'FLUSH');
    const r = await chat(replicas[1], keys.closed);
    assert.equal(r.status, 200, r.text);
    assert.notEqual(redis.cli('GET', key), before, 'the request was counted in Redis');
    assert.equal((await readyz(replicas[1])).shared_limits, 'up');
  });

  it('records every success once in the ledgers and never shows the Redis password', async () => {
    // Each 200's tokens are recorded by the replica that served it: none
    // lost, none counted twice, whatever Redis did meanwhile.
    // (usage.db is written in batches by a second thread: wait for the last.)
    for (const dir of dataDirs) {
      const want = served.get(dir) ?? 0;
      let got = -1;
      await until(`the ledger of ${path.basename(dir)}`, async () => (got = await ledgerTokens(dir)) >= want)
        .catch(() => {});
      assert.equal(got, want, `the ledger of ${path.basename(dir)}`);
    }
    for (const gw of replicas) {
      assert.ok(!gw.stderr.includes(REDIS_PASSWORD), 'the password is in the log');
      assert.ok(gw.logs.some((l) => l.msg === 'redis connected' && l.url.includes('<redacted>')));
    }
    const args = ['config', 'show'];
    const r = await runEdgeai(args, {
      cwd: root,
      env: { XDG_CONFIG_HOME: root, EDGEAI_LIMITS_BACKEND: 'redis', EDGEAI_LIMITS_REDIS_URL: redis.url },
    });
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /redis:\/\/:<redacted>@127\.0\.0\.1/);
    assert.ok(!r.stdout.includes(REDIS_PASSWORD));
  });
});
