// The OpenAI Batch API through the official openai SDK, unchanged: a JSONL
// file uploaded with files.create, batches.create, batches.retrieve until the
// batch completes, files.content for its output and error files; a batch whose
// input is malformed fails with the lines' errors; a batch is cancelled.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

import { CANNED, ScriptedUpstream } from './lib/scripted_upstream.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { request, sleep } from './lib/clients.mjs';

const line = (custom_id, body, url = '/v1/chat/completions') =>
  JSON.stringify({ custom_id, method: 'POST', url, body });
const chat = (content) => ({ model: 'gpt-test', messages: [{ role: 'user', content }] });

async function waitForBatch(client, id, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await client.batches.retrieve(id);
    if (['completed', 'failed', 'cancelled', 'expired'].includes(b.status)) return b;
    if (Date.now() > deadline) assert.fail(`batch ${id} still ${b.status}`);
    await sleep(50);
  }
}

describe('the Batch API with the openai SDK', () => {
  let up, gw, client;

  before(async () => {
    up = await new ScriptedUpstream().start();
    gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig('[queue]\npoll_ms = 50\n')] });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  test('upload, create, wait, read the output and error files', async () => {
    const jsonl = [
      line('first', chat('one')),
      line('second', chat('two')),
      line('broken', { model: 'gpt-test' }), // no messages: refused by the gateway, 400
      line('third', chat('three')),
    ].join('\n') + '\n';
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'requests.jsonl'), purpose: 'batch' });
    assert.match(file.id, /^file-[0-9a-f]{24}$/);
    assert.equal(file.bytes, Buffer.byteLength(jsonl));
    assert.equal(file.filename, 'requests.jsonl');
    assert.equal(file.purpose, 'batch');
    const back = await client.files.retrieve(file.id);
    assert.equal(back.id, file.id);
    assert.equal(await (await client.files.content(file.id)).text(), jsonl);

    const batch = await client.batches.create({
      input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'it' },
    });
    assert.match(batch.id, /^batch_[0-9a-f]{24}$/);
    assert.equal(batch.status, 'in_progress');
    assert.equal(batch.request_counts.total, 4);
    assert.deepEqual(batch.metadata, { run: 'it' });

    const done = await waitForBatch(client, batch.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(done.request_counts, { total: 4, completed: 3, failed: 1 });
    assert.ok(done.completed_at >= done.created_at);

    const output = (await (await client.files.content(done.output_file_id)).text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(output.map((o) => o.custom_id), ['first', 'second', 'third']);
    for (const o of output) {
      assert.equal(o.response.status_code, 200);
      assert.equal(o.response.body.object, 'chat.completion');
      assert.equal(o.response.body.choices[0].message.content, CANNED.chatContent);
      assert.equal(o.error, null);
      assert.match(o.id, /^batch_req_/);
    }
    const errors = (await (await client.files.content(done.error_file_id)).text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].custom_id, 'broken');
    assert.equal(errors[0].response.status_code, 400);
    assert.equal(errors[0].response.body.error.param, 'messages');
    assert.equal(errors[0].error.code, 'failed');

    const list = await client.batches.list({ limit: 10 });
    assert.ok(list.data.some((b) => b.id === batch.id));
  });

  test('a malformed input file fails the batch with each bad line named', async () => {
    const jsonl = [
      line('ok', chat('fine')),
      'not json at all',
      line('ok', chat('again')), // a custom_id used twice
      line('elsewhere', chat('x'), '/v1/embeddings'),
    ].join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'bad.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal(batch.status, 'failed');
    assert.deepEqual(batch.errors.data.map((e) => e.line), [2, 3, 4]);
    assert.match(batch.errors.data[1].message, /custom_id 'ok' appears more than once/);
    assert.equal(batch.request_counts.total, 0);
  });

  test('bad requests to the Batch API get clear errors', async () => {
    await assert.rejects(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' }),
      (e) => e.status === 404 && e.error?.code === 'file_not_found');
    await assert.rejects(client.batches.create({ input_file_id: 'file-nope', endpoint: '/v1/moderations', completion_window: '24h' }),
      (e) => e.status === 400 && e.error?.param === 'endpoint');
    await assert.rejects(client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'fine-tune' }),
      (e) => e.status === 400 && e.error?.param === 'purpose');
    const notMultipart = await request(gw.url('/v1/files'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(notMultipart.status, 415);
    const missing = await request(gw.url('/v1/batches/batch_nope'));
    assert.equal(missing.status, 404);
  });
});

describe('cancelling a batch', () => {
  test('queued requests are cancelled at once; a second cancel is refused', async () => {
    const up = await new ScriptedUpstream().start();
    const gw = await startGateway({ upstream: up.baseUrl, args: ['--config', writeConfig('[queue]\npaused = true\n')] });
    try {
      const client = new OpenAI({ baseURL: gw.baseUrl, apiKey: 'unused', maxRetries: 0 });
      const jsonl = [line('a', chat('a')), line('b', chat('b'))].join('\n');
      const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'c.jsonl'), purpose: 'batch' });
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const cancelled = await client.batches.cancel(batch.id);
      assert.equal(cancelled.status, 'cancelling');
      assert.deepEqual(cancelled.request_counts, { total: 2, completed: 0, failed: 2 });
      await assert.rejects(client.batches.cancel(batch.id), (e) => e.status === 409);
      assert.equal(up.posts.length, 0, 'nothing was delivered');
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
