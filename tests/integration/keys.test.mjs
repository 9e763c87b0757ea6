// API keys end to end, on real sockets with the official SDKs: keys made by
// `edgeai keys` (and the admin API) before and while the server runs; every
// rejection (missing, wrong, revoked, expired, out of scope, model not
// allowed, over requests, tokens, concurrency and budget; brute force); the
// x-ratelimit-* headers; loopback-only without keys and --insecure-no-auth;
// signed requests (good, replayed, stale, forged, body changed).
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test keys.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';

import { request, sleep } from './lib/clients.mjs';
import { sign } from './lib/signing.mjs';
import { binaryMissing, describeRun, runEdgeai } from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const chatBody = (model = 'qwen-small') => ({ model, messages: [{ role: 'user', content: 'hi' }] });

function makeDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-keys-'));
}

/** `edgeai keys ...` on `dataDir`; hermetic (no config from the caller's home). */
async function keys(dataDir, ...args) {
  const all = ['keys', ...args, '--data-dir', dataDir];
  const r = await runEdgeai(all, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
  return { ...r, describe: describeRun(all, r) };
}

/** Makes a key and returns its JSON (with the secret in .key). */
async function createKey(dataDir, ...args) {
  const r = await keys(dataDir, 'create', ...args, '--json');
  assert.equal(r.code, 0, r.describe);
  const made = JSON.parse(r.stdout);
  assert.match(made.key, /^eai_[a-z2-7]{10}_[a-z2-7]{52}$/);
  return made;
}

function openai(gw, apiKey) {
  return new OpenAI({ apiKey, baseURL: gw.baseUrl, maxRetries: 0, timeout: 10000 });
}

const bearer = (key) => ({ authorization: `Bearer ${key}` });

describe('API keys', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let kiosk;
  let admin;
  let lister;
  let jobsOnly;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    kiosk = await createKey(dataDir, '--name', 'kiosk', '--scopes', 'chat', '--models', 'qwen*',
      '--rpm', '600');
    admin = await createKey(dataDir, '--name', 'ops', '--scopes', 'admin');
    lister = await createKey(dataDir, '--name', 'lister', '--scopes', 'models', '--models', 'gpt-test*');
    jobsOnly = await createKey(dataDir, '--name', 'poller', '--scopes', 'jobs');
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores only a hash: the secret appears nowhere in the data directory', () => {
    const secret = kiosk.key.split('_')[2];
    for (const name of fs.readdirSync(dataDir)) {
      const bytes = fs.readFileSync(path.join(dataDir, name));
      assert.equal(bytes.includes(secret), false, `${name} holds the key's secret`);
    }
    assert.equal(fs.statSync(path.join(dataDir, 'keys.db')).mode & 0o077, 0, 'keys.db is 0600');
  });

  it('serves a key within its scope and models, with x-ratelimit-* headers', async () => {
    const client = openai(gw, kiosk.key);
    const { data, response } = await client.chat.completions.create(chatBody()).withResponse();
    assert.equal(data.choices[0].message.content, 'Hello from the scripted upstream.');
    assert.equal(response.headers.get('x-ratelimit-limit-requests'), '600');
    assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '599');
    assert.match(response.headers.get('x-ratelimit-reset-requests'), /^\d+(\.\d)?m?s$|^\d+m\d+(\.\d)?s$|^\d+ms$/);
  });

  it("replaces an upstream's own x-ratelimit-* headers with the key's", async () => {
    up.enqueue(async (req, res) => {
      const body = JSON.stringify({
        id: 'chatcmpl-limits', object: 'chat.completion', created: 1, model: 'qwen-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-ratelimit-limit-requests': '10000',
        'X-RateLimit-Remaining-Requests': '9999',
        'x-ratelimit-remaining-tokens': '149990',
        'openai-processing-ms': '12',
      });
      res.end(body);
    });
    const { data, response } = await openai(gw, kiosk.key).chat.completions
      .create(chatBody()).withResponse();
    assert.equal(data.id, 'chatcmpl-limits');
    assert.equal(response.headers.get('x-ratelimit-limit-requests'), '600');
    assert.match(response.headers.get('x-ratelimit-remaining-requests'), /^59\d$/);
    assert.equal(response.headers.get('x-ratelimit-remaining-tokens'), null,
      'the key has no token limit, so the upstream\'s token figure is not passed off as its');
    assert.equal(response.headers.get('openai-processing-ms'), '12', 'other upstream headers pass');
  });

  it("lists only the models a key may use, from the upstream's list", async () => {
    const limited = await openai(gw, lister.key).models.list();
    assert.deepEqual(limited.data.map((m) => m.id), ['gpt-test', 'gpt-test-mini']);
    assert.equal(limited.data[0].owned_by, 'scripted', 'the entries pass unchanged');
    await assert.rejects(openai(gw, lister.key).models.retrieve('text-embedding-test'),
      (e) => e.status === 403 && e.code === 'model_not_allowed');
    const all = await openai(gw, admin.key).models.list();
    assert.deepEqual(all.data.map((m) => m.id), ['gpt-test', 'gpt-test-mini', 'text-embedding-test']);
  });

  it('refuses a missing, malformed or wrong key with 401 invalid_api_key before calling upstream', async () => {
    const before = up.requests.length;
    let r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody() });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'invalid_api_key');
    assert.equal(r.json.error.type, 'authentication_error');
    assert.match(r.json.error.message, /Authorization: Bearer/);
    for (const key of ['sk-not-ours', 'eai_short', kiosk.key.slice(0, -1) + (kiosk.key.endsWith('a') ? 'b' : 'a')]) {
      r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody(), headers: bearer(key) });
      assert.equal(r.status, 401, key);
      assert.equal(r.json.error.code, 'invalid_api_key');
      assert.equal(r.text.includes(key), false, 'the presented key is not echoed');
    }
    await assert.rejects(openai(gw, 'wrong').models.list(), (e) => e.status === 401);
    assert.equal(up.requests.length, before, 'nothing reached the upstream');
  });

  it('refuses a route outside the key\'s scopes, and a model outside its list, with 403', async () => {
    const client = openai(gw, kiosk.key);
    await assert.rejects(client.embeddings.create({ model: 'qwen-e', input: 'x' }), (e) => {
      assert.equal(e.status, 403);
      assert.equal(e.code, 'insufficient_scope');
      assert.match(e.message, /embeddings/);
      return true;
    });
    // Issue 21: a key that may use models may list them, and sees only its own
    // (the kiosk's qwen* matches none of the upstream's); a key that may use
    // none needs the models scope.
    const listed = await client.models.list();
    assert.deepEqual(listed.data.map((m) => m.id), []);
    await assert.rejects(openai(gw, jobsOnly.key).models.list(),
      (e) => e.status === 403 && e.code === 'insufficient_scope');
    await assert.rejects(client.chat.completions.create(chatBody('gpt-4o')), (e) => {
      assert.equal(e.status, 403);
      assert.equal(e.code, 'model_not_allowed');
      assert.equal(e.param, 'model');
      assert.match(e.message, /qwen\*/);
      return true;
    });
    // Admin and metrics need the admin scope.
    let r = await request(gw.url('/metrics'), { headers: bearer(kiosk.key) });
    assert.equal(r.status, 403);
    r = await request(gw.url('/v1/keys'), { headers: bearer(kiosk.key) });
    assert.equal(r.status, 403);
    // Health stays open for load balancers.
    r = await request(gw.url('/healthz'));
    assert.equal(r.status, 200);
  });

  it('takes x-api-key on the Anthropic route (the Anthropic SDK)', async () => {
    const client = new Anthropic({ apiKey: kiosk.key, baseURL: gw.origin, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'qwen-small', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(msg.content[0].text, 'Hello from the scripted upstream.');
    const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: gw.origin, maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: 'qwen-small', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e.status === 401 && e.error?.type === 'error' && e.error?.error?.type === 'authentication_error');
  });

  it('applies a key revoked with the CLI within a second, saying it was revoked', async () => {
    const temp = await createKey(dataDir, '--name', 'temp', '--scopes', 'chat');
    await sleep(1100);
    let r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody(), headers: bearer(temp.key) });
    assert.equal(r.status, 200, 'a key made while the server runs works within a second');
    const revoked = await keys(dataDir, 'revoke', 'temp');
    assert.equal(revoked.code, 0, revoked.describe);
    await sleep(1100);
    r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody(), headers: bearer(temp.key) });
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /revoked/);
  });

  it('refuses an expired key, saying it expired', async () => {
    const short = await createKey(dataDir, '--name', 'short', '--expires', '1s');
    await sleep(1200);
    const r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody(), headers: bearer(short.key) });
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /expired/);
  });

  it('lists, shows and refuses unknown keys in the CLI without printing secrets', async () => {
    let r = await keys(dataDir, 'list');
    assert.equal(r.code, 0, r.describe);
    assert.match(r.stdout, /kiosk/);
    assert.equal(r.stdout.includes(kiosk.key), false);
    r = await keys(dataDir, 'show', 'kiosk', '--json');
    assert.equal(r.code, 0, r.describe);
    const shown = JSON.parse(r.stdout);
    assert.deepEqual(shown.scopes, ['chat']);
    assert.deepEqual(shown.models, ['qwen*']);
    assert.equal(shown.limits.requests_per_minute, 600);
    assert.equal(shown.state, 'active');
    assert.equal('key' in shown || 'hash' in shown, false);
    r = await keys(dataDir, 'show', 'nobody');
    assert.equal(r.code, 2, r.describe);
    r = await keys(dataDir, 'create', '--name', 'kiosk');
    assert.equal(r.code, 2, 'a name is unique');
    r = await keys(dataDir, 'create', '--name', 'x', '--scopes', 'root');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown scope 'root'/);
  });

  it('manages keys through the admin API: create, list, show, rotate with grace, revoke', async () => {
    const h = { ...bearer(admin.key) };
    let r = await request(gw.url('/v1/keys'), { method: 'POST', headers: h,
      body: { name: 'device-7', scopes: ['chat', 'models'], limits: { requests_per_minute: 5 } } });
    assert.equal(r.status, 201, r.text);
    const made = r.json;
    assert.match(made.key, /^eai_/);
    r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody('any'), headers: bearer(made.key) });
    assert.equal(r.status, 200, 'usable at once');
    r = await request(gw.url('/v1/keys'), { headers: h });
    assert.equal(r.status, 200);
    assert.ok(r.json.data.some((k) => k.name === 'device-7' && !('key' in k)));
    r = await request(gw.url('/v1/keys/device-7'), { headers: h });
    assert.equal(r.json.id, made.id);
    r = await request(gw.url('/v1/keys/device-7/rotate'), { method: 'POST', headers: h, body: { grace: '1h' } });
    assert.equal(r.status, 201, r.text);
    const rotated = r.json;
    assert.notEqual(rotated.key, made.key);
    for (const key of [made.key, rotated.key]) {
      r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody('any'), headers: bearer(key) });
      assert.equal(r.status, 200, 'both work during the grace period');
    }
    r = await request(gw.url(`/v1/keys/${made.id}`), { method: 'DELETE', headers: h });
    assert.equal(r.status, 200);
    assert.equal(r.json.state, 'revoked');
    r = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: chatBody('any'), headers: bearer(made.key) });
    assert.equal(r.status, 401);
    r = await request(gw.url('/v1/keys'), { method: 'POST', headers: h, body: { name: 'bad', limits: { rpm: 1 } } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.param, 'limits.rpm');
  });
});

describe('jobs, files and batches belong to their key', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let a;
  let b;
  let admin;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    a = await createKey(dataDir, '--name', 'a', '--scopes', 'chat,jobs,batches');
    b = await createKey(dataDir, '--name', 'b', '--scopes', 'chat,jobs,batches');
    admin = await createKey(dataDir, '--name', 'root', '--scopes', 'admin');
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const asyncChat = (key, idem) => request(gw.url('/v1/chat/completions'), {
    method: 'POST', body: chatBody(), headers: { ...bearer(key), prefer: 'respond-async', 'idempotency-key': idem } });

  it('another key neither sees, lists, cancels nor shares idempotency keys with a job', async () => {
    const ja = await asyncChat(a.key, 'same-key');
    assert.equal(ja.status, 202, ja.text);
    const jb = await asyncChat(b.key, 'same-key');
    assert.equal(jb.status, 202, jb.text);
    assert.notEqual(jb.json.id, ja.json.id, 'an Idempotency-Key is per key');
    let r = await request(gw.url(`/v1/jobs/${ja.json.id}`), { headers: bearer(b.key) });
    assert.equal(r.status, 404);
    r = await request(gw.url(`/v1/jobs/${ja.json.id}`), { method: 'DELETE', headers: bearer(b.key) });
    assert.equal(r.status, 404);
    r = await request(gw.url('/v1/jobs'), { headers: bearer(b.key) });
    assert.deepEqual(r.json.data.map((j) => j.id), [jb.json.id]);
    r = await request(gw.url(`/v1/jobs/${ja.json.id}`), { headers: bearer(admin.key) });
    assert.equal(r.status, 200, 'an admin key sees every job');
    // Delivered as its key: it succeeds, and its usage is that key's.
    let job;
    for (let i = 0; i < 100; ++i) {
      job = (await request(gw.url(`/v1/jobs/${ja.json.id}`), { headers: bearer(a.key) })).json;
      if (job.status === 'succeeded') break;
      await sleep(50);
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    await sleep(300);
    r = await request(gw.url('/v1/usage?by=key'), { headers: bearer(admin.key) });
    assert.equal(r.status, 200, r.text);
    const row = r.json.data.find((d) => d.group === a.id);
    assert.ok(row && row.prompt_tokens > 0, `usage of key a: ${r.text}`);
  });

  it("never answers one key from another key's cached answer", async () => {
    const cached = (key) => request(gw.url('/v1/chat/completions'), {
      method: 'POST',
      body: { ...chatBody(), messages: [{ role: 'user', content: 'cache me' }], temperature: 0 },
      headers: bearer(key),
    });
    const before = up.requests.length;
    const first = await cached(a.key);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers['x-edgeai-cache'], 'miss');
    const again = await cached(a.key);
    assert.equal(again.headers['x-edgeai-cache'], 'hit', 'the same key is answered from its cache');
    const other = await cached(b.key);
    assert.equal(other.status, 200, other.text);
    assert.equal(other.headers['x-edgeai-cache'], 'miss', "b does not learn that a asked the same");
    assert.equal(up.requests.length, before + 2, 'a once, b once: the upstream answered both');
    assert.equal((await cached(b.key)).headers['x-edgeai-cache'], 'hit');
  });

  it('another key cannot read an uploaded file or the batch made from it', async () => {
    const clientA = openai(gw, a.key);
    const clientB = openai(gw, b.key);
    const line = JSON.stringify({ custom_id: 'r1', method: 'POST', url: '/v1/chat/completions', body: chatBody() });
    const file = await clientA.files.create({ file: await toFile(Buffer.from(line + '\n'), 'in.jsonl'), purpose: 'batch' });
    await assert.rejects(clientB.files.retrieve(file.id), (e) => e.status === 404);
    await assert.rejects(clientB.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
      (e) => e.status === 404);
    const batch = await clientA.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await assert.rejects(clientB.batches.retrieve(batch.id), (e) => e.status === 404);
    await assert.rejects(clientB.batches.cancel(batch.id), (e) => e.status === 404);
    const listed = await clientB.batches.list();
    assert.equal(listed.data.length, 0);
    assert.equal((await clientA.batches.retrieve(batch.id)).id, batch.id);
  });
});

describe('limits and budgets', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  const made = {};

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    made.rpm = await createKey(dataDir, '--name', 'rpm', '--rpm', '2');
    made.tpm = await createKey(dataDir, '--name', 'tpm', '--tpm', '20');
    made.conc = await createKey(dataDir, '--name', 'conc', '--concurrency', '1');
    made.budget = await createKey(dataDir, '--name', 'budget', '--budget-tokens-day', '20');
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const chat = (key, body = chatBody()) =>
    request(gw.url('/v1/chat/completions'), { method: 'POST', body, headers: bearer(key) });

  it('over requests per minute: 429 with Retry-After and the OpenAI headers', async () => {
    assert.equal((await chat(made.rpm.key)).status, 200);
    const second = await chat(made.rpm.key);
    assert.equal(second.status, 200);
    assert.equal(second.headers['x-ratelimit-remaining-requests'], '0');
    const before = up.requests.length;
    const r = await chat(made.rpm.key);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'rate_limit_exceeded');
    assert.equal(r.json.error.type, 'rate_limit_error');
    assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 30, r.headers['retry-after']);
    assert.equal(r.headers['x-ratelimit-limit-requests'], '2');
    assert.equal(up.requests.length, before, 'refused before the upstream');
    await assert.rejects(openai(gw, made.rpm.key).chat.completions.create(chatBody()), (e) => e.status === 429);
  });

  it('over tokens per minute: the real usage is charged after the answer', async () => {
    // 16 tokens used (the upstream's usage) against an estimate of ~15.
    assert.equal((await chat(made.tpm.key)).status, 200);
    const r = await chat(made.tpm.key);
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error.code, 'tokens_exceeded');
    assert.equal(r.headers['x-ratelimit-limit-tokens'], '20');
    assert.ok(Number(r.headers['retry-after']) >= 1);
  });

  it('over concurrency: a second request while one runs gets 429', async () => {
    up.enqueue({ type: 'normal', delayMs: 800 });
    const slow = chat(made.conc.key);
    await up.waitForRequest(() => true);
    const r = await chat(made.conc.key);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'concurrency_limit_exceeded');
    assert.equal((await slow).status, 200);
    assert.equal((await chat(made.conc.key)).status, 200, 'the slot came back');
  });

  it('over the daily token budget: 429 budget_exceeded until midnight UTC', async () => {
    assert.equal((await chat(made.budget.key)).status, 200); // 16 tokens
    assert.equal((await chat(made.budget.key)).status, 200); // 32 >= 20 now
    const r = await chat(made.budget.key);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'budget_exceeded');
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const expected = Math.ceil((midnight - Date.now()) / 1000);
    assert.ok(Math.abs(Number(r.headers['retry-after']) - expected) <= 5, `${r.headers['retry-after']} vs ${expected}`);
  });

  it('keeps budgets across a restart (from the usage records)', async () => {
    await gw.stop();
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
    const r = await chat(made.budget.key);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'budget_exceeded');
  });
});

describe('brute force, loopback-only and auth.required', { skip: binaryMissing() }, () => {
  let up;
  before(async () => { up = await startUpstream(); });
  after(async () => { await up?.close(); });

  it('brakes an address after too many failed keys, but never a right key', async () => {
    const dataDir = makeDataDir();
    const good = await createKey(dataDir, '--name', 'good');
    const gw = await startGateway({ upstream: up.baseUrl, dataDir, env: { EDGEAI_AUTH_MAX_FAILURES_PER_MINUTE: '5' } });
    try {
      for (let i = 0; i < 5; ++i) {
        const r = await request(gw.url('/v1/models'), { headers: bearer(`wrong-${i}`) });
        assert.equal(r.status, 401);
      }
      let r = await request(gw.url('/v1/models'), { headers: bearer('wrong-again') });
      assert.equal(r.status, 429);
      assert.equal(r.json.error.code, 'too_many_failed_attempts');
      assert.ok(Number(r.headers['retry-after']) > 0);
      r = await request(gw.url('/v1/models'), { headers: bearer(good.key) });
      assert.equal(r.status, 200, 'a right key from a braked address passes: failures cannot lock it out');
      r = await request(gw.url('/v1/models'), { headers: bearer('wrong-again') });
      assert.equal(r.status, 429, 'wrong keys stay braked');
      r = await request(gw.url('/metrics'));
      assert.equal(r.status, 429);
    } finally {
      await gw.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('without keys refuses to listen beyond loopback unless --insecure-no-auth, which it logs', async () => {
    const dataDir = makeDataDir();
    try {
      const r = await runEdgeai(['serve', '--listen', '0.0.0.0:0', '--data-dir', dataDir],
        { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir }, timeoutMs: 10000 });
      assert.equal(r.code, 1, describeRun(['serve'], r));
      assert.match(r.stderr, /refusing to listen on a non-loopback address without API keys/);
      assert.match(r.stderr, /--insecure-no-auth/);
      const gw = await startGateway({ upstream: up.baseUrl, dataDir, listen: '0.0.0.0:0', args: ['--insecure-no-auth'] });
      try {
        assert.ok(gw.logs.some((l) => l.level === 'warn' && /insecure-no-auth/.test(l.msg)), gw.describe());
        const ok = await request(`http://127.0.0.1:${gw.port}/v1/models`);
        assert.equal(ok.status, 200);
      } finally {
        await gw.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('auth.required refuses every API call until a key exists', async () => {
    const dataDir = makeDataDir();
    const config = writeConfig('[auth]\nrequired = true\n');
    const gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', config] });
    try {
      const r = await request(gw.url('/v1/models'));
      assert.equal(r.status, 401);
      assert.equal((await request(gw.url('/healthz'))).status, 200);
    } finally {
      await gw.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(path.dirname(config), { recursive: true, force: true });
    }
  });
});

describe('signed requests', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;
  let device;
  let bearerOnly;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    device = await createKey(dataDir, '--name', 'sensor', '--scopes', 'chat', '--signing');
    bearerOnly = await createKey(dataDir, '--name', 'plain', '--scopes', 'chat');
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body, signature) => request(gw.url('/v1/chat/completions'), {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-edgeai-signature': signature } });

  it('serves a signed request once; a replay, a stale or forged one, a changed body are 401', async () => {
    const body = JSON.stringify(chatBody());
    const ts = Math.floor(Date.now() / 1000);
    const nonce = crypto.randomBytes(12).toString('hex');
    const signature = sign(device.key, { method: 'POST', target: '/v1/chat/completions', body, ts, nonce });
    let r = await post(body, signature);
    assert.equal(r.status, 200, r.text);

    r = await post(body, signature);
    assert.equal(r.status, 401, 'replayed');
    assert.match(r.json.error.message, /already received/);

    const staleTs = ts - 3600;
    r = await post(body, sign(device.key, { method: 'POST', target: '/v1/chat/completions', body, ts: staleTs, nonce: 'stale-nonce-1' }));
    assert.equal(r.status, 401, 'stale');
    assert.match(r.json.error.message, /clock/);

    const forged = sign(device.key.slice(0, -2) + 'zz', { method: 'POST', target: '/v1/chat/completions', body, ts, nonce: 'forged-nonce-1' });
    r = await post(body, forged);
    assert.equal(r.status, 401, 'forged');
    assert.match(r.json.error.message, /signature does not match/);

    const good = sign(device.key, { method: 'POST', target: '/v1/chat/completions', body, ts, nonce: 'changed-body-1' });
    r = await post(body.replace('hi', 'ho'), good);
    assert.equal(r.status, 401, 'body changed after signing');

    r = await post(body, sign(bearerOnly.key, { method: 'POST', target: '/v1/chat/completions', body, ts, nonce: 'plain-nonce-1' }));
    assert.equal(r.status, 401, 'a key made without --signing cannot sign');

    r = await post(body, 'key=x, ts=1');
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /malformed x-edgeai-signature/);
  });
});

// The first key turns authentication on for everyone; deleting keys never
// turns it off again (the lock in keys.db); `keys unlock` does, explicitly.
describe('keys without traps: the first key, delete, purge and unlock', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let dataDir;

  before(async () => {
    up = await startUpstream();
    dataDir = makeDataDir();
    gw = await startGateway({ upstream: up.baseUrl, dataDir });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const plain = () => request(gw.url('/v1/chat/completions'), { method: 'POST', body: JSON.stringify(chatBody()), headers: { 'content-type': 'application/json' } });
  const settle = async (want) => {
    for (let i = 0; i < 40; ++i) {
      const r = await plain();
      if (r.status === want) return r;
      await sleep(100);
    }
    return plain();
  };

  it('the first key says that every client now needs one; the second does not', async () => {
    assert.equal((await plain()).status, 200, 'no keys: loopback is served');
    const first = await keys(dataDir, 'create', '--name', 'first', '--scopes', 'admin');
    assert.equal(first.code, 0, first.describe);
    assert.match(first.stderr, /first key: from now on every client needs a key, loopback ones included/);
    assert.match(first.stderr, /keys unlock/);
    const second = await keys(dataDir, 'create', '--name', 'second', '--scopes', 'chat');
    assert.equal(second.code, 0, second.describe);
    assert.doesNotMatch(second.stderr, /first key/);
    assert.equal((await settle(401)).status, 401, 'a key exists: loopback needs one too');
  });

  it('deleting every key leaves authentication on; unlock needs no keys left, then opens loopback', async () => {
    const refused = await keys(dataDir, 'unlock');
    assert.notEqual(refused.code, 0, 'unlock with keys left is refused');
    assert.match(refused.stderr, /still in keys\.db/);
    const gone = await keys(dataDir, 'delete', 'second');
    assert.equal(gone.code, 0, gone.describe);
    assert.match(gone.stdout, /^deleted \S+ \('second'\)/);
    const revoked = await keys(dataDir, 'revoke', 'first');
    assert.equal(revoked.code, 0, revoked.describe);
    const last = await keys(dataDir, 'delete', 'first');
    assert.equal(last.code, 0, last.describe);
    assert.match(last.stderr, /no keys are left, and authentication stays on/);
    const list = await keys(dataDir, 'list');
    assert.match(list.stdout, /no keys, and authentication is on/);
    await sleep(1200); // the server re-reads keys.db within a second
    assert.equal((await plain()).status, 401, 'no keys left, still locked');
    const missing = await keys(dataDir, 'delete', 'first');
    assert.notEqual(missing.code, 0, 'deleting an unknown key fails');
    const open = await keys(dataDir, 'unlock');
    assert.equal(open.code, 0, open.describe);
    assert.equal((await settle(200)).status, 200, 'unlocked: loopback is served again');
  });

  it('DELETE /v1/keys/{id} revokes; ?purge=true removes it; a wrong purge value is 400', async () => {
    const admin = await createKey(dataDir, '--name', 'ops', '--scopes', 'admin');
    const made = await createKey(dataDir, '--name', 'victim', '--scopes', 'chat');
    await sleep(1200);
    const call = (method, target) => request(gw.url(target), { method, headers: bearer(admin.key) });
    const revoked = await call('DELETE', `/v1/keys/${made.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.json.state, 'revoked');
    assert.equal((await call('GET', `/v1/keys/${made.id}`)).status, 200, 'a revoked key stays on record');
    const bad = await call('DELETE', `/v1/keys/${made.id}?purge=maybe`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.param, 'purge');
    const purged = await call('DELETE', `/v1/keys/${made.id}?purge=true`);
    assert.equal(purged.status, 200, purged.text);
    assert.equal(purged.json.deleted, true);
    assert.equal((await call('GET', `/v1/keys/${made.id}`)).status, 404);
  });
});

// A Prometheus scraper needs neither an admin key nor an open door: a key
// with the metrics scope reads /metrics and nothing else, and
// auth.public_metrics opens it to loopback clients or to everyone.
describe('the metrics scope and auth.public_metrics', { skip: binaryMissing() }, () => {
  it('a metrics key scrapes and may do nothing else; loopback and all open /metrics without a key', async () => {
    const up = await startUpstream();
    const dataDir = makeDataDir();
    const scraper = await createKey(dataDir, '--name', 'prometheus', '--scopes', 'metrics');
    const chatter = await createKey(dataDir, '--name', 'chatter', '--scopes', 'chat');
    const dirs = [];
    try {
      const modes = {};
      for (const mode of ['off', 'loopback', 'all']) {
        const config = writeConfig(`[auth]\npublic_metrics = "${mode}"\n`);
        dirs.push(path.dirname(config));
        const gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', config] });
        try {
          const anon = await request(gw.url('/metrics'));
          const byScraper = await request(gw.url('/metrics'), { headers: bearer(scraper.key) });
          const byChatter = await request(gw.url('/metrics'), { headers: bearer(chatter.key) });
          const scraperChats = await request(gw.url('/v1/chat/completions'), { method: 'POST', body: JSON.stringify(chatBody()), headers: { ...bearer(scraper.key), 'content-type': 'application/json' } });
          modes[mode] = [anon.status, byScraper.status, byChatter.status, scraperChats.status];
          assert.match(byScraper.text, /edgeai_http_requests_total/);
        } finally {
          await gw.stop();
        }
      }
      // The tests' clients are on loopback: loopback and all both open it.
      assert.deepEqual(modes, { off: [401, 200, 403, 403], loopback: [200, 200, 200, 403], all: [200, 200, 200, 403] });
      const shown = await keys(dataDir, 'show', 'prometheus');
      assert.match(shown.stdout, /metrics/);
    } finally {
      await up.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
