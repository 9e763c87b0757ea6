// The audit log end to end: a real gateway in front of a scripted upstream
// writes audit.log (one signed, chained line per request, no prompt text),
// `edgeai audit verify` accepts it, and every kind of tampering with a copy
// of the data directory (edit, insert, delete, reorder, truncate, a line cut
// short) exits 1 naming the first bad file:line. `edgeai audit tail` prints
// the last lines, and with -f follows new ones across a rotation.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test audit_cli.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request } from './lib/clients.mjs';
import { binaryMissing, describeRun, makeTmpDir, removeTmpDir, runEdgeai } from './lib/engine.mjs';
import { EDGEAI_BIN, startGateway } from './lib/gateway.mjs';
import { ScriptedUpstream } from './lib/scripted_upstream.mjs';

const PROMPT = 'tell nobody: the audit log must not hold this prompt';
const CHAT_REQUESTS = 5;

let tmp;
let dataDir;
let lines;

// Hermetic: no config file from the caller's home or working directory.
function audit(dir, ...args) {
  const all = ['audit', ...args, '--data-dir', dir];
  return runEdgeai(all, { cwd: tmp, env: { XDG_CONFIG_HOME: tmp } }).then((r) => ({ ...r, args: all }));
}

// A copy of the data directory whose audit.log holds `tampered` instead.
function tamperedCopy(name, tampered) {
  const dir = path.join(tmp, name);
  fs.cpSync(dataDir, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'audit.log'), tampered);
  return dir;
}

const joined = (ls) => ls.map((l) => `${l}\n`).join('');

async function expectBad(dir, line, reason) {
  const r = await audit(dir, 'verify');
  assert.equal(r.code, 1, describeRun(r.args, r));
  const file = path.join(dir, 'audit.log');
  const first = r.stdout.split('\n')[0];
  assert.equal(first.slice(0, `bad: ${file}:${line}: `.length), `bad: ${file}:${line}: `, describeRun(r.args, r));
  assert.match(first, reason);
}

describe('edgeai audit', { skip: binaryMissing() }, () => {
  before(async () => {
    tmp = makeTmpDir('edgeai-it-audit-');
    dataDir = path.join(tmp, 'data');
    fs.mkdirSync(dataDir);
    const up = await new ScriptedUpstream().start();
    const gw = await startGateway({ upstream: up.baseUrl, dataDir });
    try {
      for (let i = 0; i < CHAT_REQUESTS; ++i) {
        const r = await request(gw.url('/v1/chat/completions'), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': `audit-it-${i}` },
          body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: PROMPT }] }),
        });
        assert.equal(r.status, 200, r.text);
      }
    } finally {
      // SIGTERM: the server drains the audit queue before it exits.
      await gw.stop();
      await up.close();
    }
    const text = fs.readFileSync(path.join(dataDir, 'audit.log'), 'utf8');
    assert.ok(text.endsWith('\n'));
    lines = text.slice(0, -1).split('\n');
  });
  after(() => removeTmpDir(tmp));

  it('wrote one signed, chained line per request, without the prompt', () => {
    const records = lines.map((l) => JSON.parse(l));
    const chats = records.filter((r) => r.path === '/v1/chat/completions');
    assert.equal(chats.length, CHAT_REQUESTS, lines.join('\n'));
    records.forEach((r, i) => {
      assert.equal(r.seq, i + 1);
      assert.match(r.prev, /^[0-9a-f]{64}$/);
      assert.match(r.mac, /^[0-9a-f]{64}$/);
      assert.deepEqual(Object.keys(r).slice(-2), ['prev', 'mac']);
    });
    assert.equal(records[0].prev, '0'.repeat(64));
    for (const [i, r] of chats.entries()) {
      assert.equal(r.request_id, `audit-it-${i}`);
      assert.equal(r.method, 'POST');
      assert.equal(r.model, 'gpt-test');
      assert.equal(r.status, 200);
      assert.match(r.client, /^127\.0\.0\.1:\d+$/);
      for (const k of ['unix_ms', 'prompt_tokens', 'completion_tokens', 'cost', 'latency_ms']) {
        assert.equal(typeof r[k], 'number', `${k} in ${JSON.stringify(r)}`);
      }
    }
    assert.ok(!lines.join('\n').includes('tell nobody'), 'no prompt text unless audit.include_bodies');
    const key = fs.statSync(path.join(dataDir, 'audit.key'));
    assert.equal(key.mode & 0o777, 0o600);
  });

  it('verify accepts the untouched log', async () => {
    const r = await audit(dataDir, 'verify');
    assert.equal(r.code, 0, describeRun(r.args, r));
    assert.match(r.stdout, new RegExp(`^ok: ${lines.length} lines in 1 files, head [0-9a-f]{64}\\n`));
    assert.match(r.stdout, /\ncheckpoint: seq \d+ at /);
  });

  it('names an edited line', async () => {
    const edited = [...lines];
    edited[2] = edited[2].replace('"status":200', '"status":500');
    assert.notEqual(edited[2], lines[2]);
    await expectBad(tamperedCopy('edited', joined(edited)), 3, /mac does not match/);
  });

  it('names an inserted line', async () => {
    const inserted = [...lines.slice(0, 3), lines[0], ...lines.slice(3)];
    await expectBad(tamperedCopy('inserted', joined(inserted)), 4, /seq 1 follows seq 3/);
  });

  it('names where a line was deleted', async () => {
    const deleted = [...lines.slice(0, 2), ...lines.slice(3)];
    await expectBad(tamperedCopy('deleted', joined(deleted)), 3, /seq 3 is missing/);
  });

  it('names reordered lines', async () => {
    const swapped = [...lines];
    [swapped[1], swapped[2]] = [swapped[2], swapped[1]];
    await expectBad(tamperedCopy('reordered', joined(swapped)), 2, /seq 3 follows seq 1/);
  });

  it('names a truncated tail against the checkpoint in keys.db', async () => {
    await expectBad(tamperedCopy('truncated', joined(lines.slice(0, 3))), 4, /tail was truncated/);
    const cut = joined(lines);
    await expectBad(tamperedCopy('cut-short', cut.slice(0, cut.length - 10)), lines.length, /cut short/);
  });

  it('exits 2 with a clear message without the key or without a log', async () => {
    const noKey = tamperedCopy('no-key', joined(lines));
    fs.rmSync(path.join(noKey, 'audit.key'));
    let r = await audit(noKey, 'verify');
    assert.equal(r.code, 2, describeRun(r.args, r));
    assert.match(r.stderr, /audit key .*audit\.key does not exist/);

    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    fs.copyFileSync(path.join(dataDir, 'audit.key'), path.join(empty, 'audit.key'));
    r = await audit(empty, 'verify');
    assert.equal(r.code, 2, describeRun(r.args, r));
    assert.match(r.stderr, /no audit log in/);
  });

  it('tail prints the last lines, raw with --json', async () => {
    let r = await audit(dataDir, 'tail', '-n', '2', '--json');
    assert.equal(r.code, 0, describeRun(r.args, r));
    assert.equal(r.stdout, joined(lines.slice(-2)));
    r = await audit(dataDir, 'tail');
    assert.equal(r.code, 0, describeRun(r.args, r));
    const shown = r.stdout.trimEnd().split('\n');
    assert.equal(shown.length, Math.min(10, lines.length));
    assert.match(shown.at(-1), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} #\d+ 200 POST \/v1\/chat\/completions model=gpt-test /);
  });

  it('tail -f follows new lines across a rotation', async () => {
    const dir = tamperedCopy('follow', joined(lines));
    const child = spawn(EDGEAI_BIN, ['audit', 'tail', '-f', '-n', '1', '--json', '--data-dir', dir], {
      cwd: tmp, env: { ...process.env, XDG_CONFIG_HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const waitFor = async (text) => {
      const deadline = Date.now() + 5000;
      while (!out.includes(text)) {
        if (Date.now() > deadline) throw new Error(`tail -f did not print ${text}; got:\n${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await waitFor(lines.at(-1));
      const live = path.join(dir, 'audit.log');
      fs.appendFileSync(live, '{"seq":"appended"}\n');
      await waitFor('{"seq":"appended"}\n');
      // What the writer does when audit.log is full.
      fs.appendFileSync(live, '{"seq":"before rotation"}\n');
      fs.renameSync(live, path.join(dir, `audit-1.log`));
      fs.writeFileSync(live, '{"seq":"after rotation"}\n');
      await waitFor('{"seq":"after rotation"}\n');
      assert.equal(out, joined([lines.at(-1), '{"seq":"appended"}', '{"seq":"before rotation"}', '{"seq":"after rotation"}']));
    } finally {
      child.kill('SIGINT');
    }
  });
});
