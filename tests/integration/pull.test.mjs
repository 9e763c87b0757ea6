// `edgeai pull`, `ls`, `rm` and `serve -m hf:...` against a local imitation of
// the Hugging Face hub (lib/fake_hub.mjs), never the network: the file list,
// the redirect to a file host with another name (the token must not follow),
// Range resumes after a cut, checksums, sizes, a full disk, locks, split files.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test pull.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  binaryMissing, convertStories, describeRun, makeTmpDir, missingData, removeTmpDir, runEdgeai,
  startLocalServe,
} from './lib/engine.mjs';
import { EDGEAI_BIN } from './lib/gateway.mjs';
import { sha256, startFakeHub } from './lib/fake_hub.mjs';
import * as gguf from './lib/gguf_write.mjs';

const TOKEN = 'hf_test_token_0123456789';
const FILE = 'tiny-model-Q4_K_M.gguf';
const haveStories = !missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');

let tmp;
let payload; // a real GGUF file's bytes
let hub;
let caseNo = 0;

/** A fresh data dir per test; answers its path. */
function freshDataDir() {
  const dir = path.join(tmp, `data-${++caseNo}`);
  fs.mkdirSync(dir);
  return dir;
}

function pull(dataDir, name, env = {}) {
  return runEdgeai(['pull', name, '--data-dir', dataDir], { env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN, HOME: tmp, ...env } });
}

function repoDir(dataDir, repo) {
  return path.join(dataDir, 'models', ...repo.split('/'));
}

/** Nothing under the final name and, unless kept, no .part either. */
function assertNothingInstalled(dataDir, repo, file, { partKept = false } = {}) {
  const final = path.join(repoDir(dataDir, repo), file);
  assert.equal(fs.existsSync(final), false, `${final} must not exist`);
  if (!partKept) assert.equal(fs.existsSync(`${final}.part`), false, `${final}.part must be gone`);
}

function model(extra = {}) {
  return { files: [{ path: FILE, data: payload, ...extra }], token: TOKEN };
}

before(async () => {
  tmp = makeTmpDir('edgeai-it-pull-');
  if (haveStories) {
    payload = fs.readFileSync(await convertStories(tmp));
  } else {
    // A vocabulary-only GGUF of about 1 MB: still a file the reader accepts.
    const file = path.join(tmp, 'vocab.gguf');
    gguf.writeGguf(file, [['general.architecture', gguf.string('llama')],
      ['tokenizer.ggml.tokens', gguf.array(gguf.STRING, Array.from({ length: 60000 }, (_, i) => `token-${i}`))]]);
    payload = fs.readFileSync(file);
  }
  const third = Math.floor(payload.length / 3);
  hub = await startFakeHub({
    repos: {
      'org/tiny-GGUF': {
        token: TOKEN,
        files: [
          { path: FILE, data: payload },
          { path: 'tiny-model-Q8_0.gguf', data: payload },
          { path: 'mmproj-tiny-f16.gguf', data: Buffer.from('not a model') },
        ],
      },
      'org/cut-GGUF': model({ cuts: [200000, 100000] }),
      'org/resume-GGUF': model(),
      'org/badsum-GGUF': model({ sha256: 'c'.repeat(64) }),
      'org/big-GGUF': model({ extra: 5000 }),
      'org/loop-GGUF': model({ loop: true }),
      'org/garbage-GGUF': { files: [], tree: '{"this is": not json' },
      'org/huge-GGUF': model({ size: 1e15 }),
      'org/disk-GGUF': model(),
      'org/slow-GGUF': model({ chunkDelayMs: 30 }),
      'org/serve-GGUF': model(),
      'org/split-GGUF': {
        token: TOKEN,
        files: [1, 2, 3].map((i) => ({
          path: `Q4_K_M/split-Q4_K_M-0000${i}-of-00003.gguf`,
          data: payload.subarray((i - 1) * third, i === 3 ? payload.length : i * third),
        })),
      },
    },
  });
});

after(async () => {
  await hub?.stop();
  removeTmpDir(tmp);
});

describe('edgeai pull', { skip: binaryMissing() }, () => {
  it('fetches the quant asked for (any case) and the token never reaches the file host', async () => {
    const dataDir = freshDataDir();
    const r = await pull(dataDir, 'org/tiny-GGUF:q4_k_m');
    assert.equal(r.code, 0, describeRun(['pull'], r));
    const got = fs.readFileSync(path.join(repoDir(dataDir, 'org/tiny-GGUF'), FILE));
    assert.equal(sha256(got), sha256(payload));
    assert.deepEqual(fs.readdirSync(repoDir(dataDir, 'org/tiny-GGUF')).filter((f) => !f.startsWith('.')), [FILE]);
    assert.match(r.stdout, /org\/tiny-GGUF:q4_k_m/);
    const list = hub.hubRequests().find((q) => q.url.startsWith('/api/models/org/tiny-GGUF/tree/main'));
    assert.equal(list.headers.authorization, `Bearer ${TOKEN}`, 'the hub gets the token');
    const cdn = hub.cdnRequests();
    assert.ok(cdn.length > 0, 'the file came from the file host');
    for (const q of cdn) assert.equal(q.headers.authorization, undefined, `token sent to ${hub.cdnOrigin}${q.url}`);
    // Pulled again: nothing is downloaded.
    const before = hub.cdnRequests().length;
    const again = await pull(dataDir, 'hf.co/org/tiny-GGUF:Q4_K_M');
    assert.equal(again.code, 0, describeRun(['pull'], again));
    assert.match(again.stdout, /up to date/);
    assert.equal(hub.cdnRequests().length, before);
  });

  it('resumes with Range after the connection is cut, twice', async () => {
    const dataDir = freshDataDir();
    const r = await pull(dataDir, 'org/cut-GGUF:Q4_K_M');
    assert.equal(r.code, 0, describeRun(['pull'], r));
    assert.equal(sha256(fs.readFileSync(path.join(repoDir(dataDir, 'org/cut-GGUF'), FILE))), sha256(payload));
    const ranges = hub.cdnRequests().filter((q) => q.url.includes('cut-GGUF')).map((q) => q.headers.range);
    assert.deepEqual(ranges, [undefined, 'bytes=200000-', 'bytes=300000-']);
    assert.match(r.stderr, /resuming/);
  });

  it('resumes a .part an earlier run left behind', async () => {
    const dataDir = freshDataDir();
    const dir = repoDir(dataDir, 'org/resume-GGUF');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${FILE}.part`), payload.subarray(0, 123456));
    const r = await pull(dataDir, 'org/resume-GGUF:Q4_K_M');
    assert.equal(r.code, 0, describeRun(['pull'], r));
    assert.equal(sha256(fs.readFileSync(path.join(dir, FILE))), sha256(payload));
    const q = hub.cdnRequests().filter((x) => x.url.includes('resume-GGUF'));
    assert.deepEqual(q.map((x) => x.headers.range), ['bytes=123456-']);
  });

  it('refuses a file whose SHA-256 is not the hub\'s, installing nothing', async () => {
    const dataDir = freshDataDir();
    const r = await pull(dataDir, 'org/badsum-GGUF:Q4_K_M');
    assert.equal(r.code, 1, describeRun(['pull'], r));
    assert.match(r.stderr, /SHA-256 of tiny-model-Q4_K_M\.gguf is [0-9a-f]{64}, but the hub says c{64}/);
    assertNothingInstalled(dataDir, 'org/badsum-GGUF', FILE);
  });

  it('refuses a file larger than the list announced', async () => {
    const dataDir = freshDataDir();
    const r = await pull(dataDir, 'org/big-GGUF:Q4_K_M');
    assert.equal(r.code, 1, describeRun(['pull'], r));
    assert.match(r.stderr, /larger than the \d+ bytes the hub's file list announced/);
    assertNothingInstalled(dataDir, 'org/big-GGUF', FILE);
  });

  it('says 401 needs HF_TOKEN, 404 names the repository, and a missing quant lists the others', async () => {
    const dataDir = freshDataDir();
    const noToken = await pull(dataDir, 'org/tiny-GGUF:Q4_K_M', { HF_TOKEN: '' });
    assert.equal(noToken.code, 1, describeRun(['pull'], noToken));
    assert.match(noToken.stderr, /refused access to the repository org\/tiny-GGUF \(HTTP 401\).*HF_TOKEN/);
    const missing = await pull(dataDir, 'org/nothing-here:Q4_K_M');
    assert.equal(missing.code, 1, describeRun(['pull'], missing));
    assert.match(missing.stderr, /the repository org\/nothing-here is not on the hub \(HTTP 404\)/);
    const quant = await pull(dataDir, 'org/tiny-GGUF:Q5_K_S');
    assert.equal(quant.code, 1, describeRun(['pull'], quant));
    assert.match(quant.stderr, /no GGUF file for 'Q5_K_S'; it has: Q4_K_M, Q8_0/);
    const name = await pull(dataDir, 'not-a-hub-name');
    assert.equal(name.code, 2, describeRun(['pull'], name));
    assert.equal(fs.existsSync(path.join(dataDir, 'models', 'org')), false, 'nothing was created');
  });

  it('reports garbage JSON, a redirect loop and too little disk space clearly', async () => {
    const dataDir = freshDataDir();
    const garbage = await pull(dataDir, 'org/garbage-GGUF:Q4_K_M');
    assert.equal(garbage.code, 1, describeRun(['pull'], garbage));
    assert.match(garbage.stderr, /file list is not JSON/);
    const loop = await pull(dataDir, 'org/loop-GGUF:Q4_K_M');
    assert.equal(loop.code, 1, describeRun(['pull'], loop));
    assert.match(loop.stderr, /redirects loop back/);
    assertNothingInstalled(dataDir, 'org/loop-GGUF', FILE);
    const huge = await pull(dataDir, 'org/huge-GGUF:Q4_K_M');
    assert.equal(huge.code, 1, describeRun(['pull'], huge));
    assert.match(huge.stderr, /not enough disk space/);
    assert.equal(hub.cdnRequests().filter((q) => q.url.includes('huge-GGUF')).length, 0, 'checked before downloading');
  });

  it('stops with a clear error when the disk fills mid-download, and resumes later', async () => {
    const dataDir = freshDataDir();
    // RLIMIT_FSIZE of 256 KiB: writes past it fail (EFBIG), as on a full disk.
    const args = ['pull', 'org/disk-GGUF:Q4_K_M', '--data-dir', dataDir];
    const r = await new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', 'ulimit -f 512; exec "$0" "$@"', EDGEAI_BIN, ...args], {
        env: { ...process.env, HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN, HOME: tmp },
      });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('exit', (code, signal) => resolve({ code, signal, stderr, stdout: '' }));
    });
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stderr, /cannot write .*\.part: File too large/);
    assertNothingInstalled(dataDir, 'org/disk-GGUF', FILE, { partKept: true });
    const again = await pull(dataDir, 'org/disk-GGUF:Q4_K_M');
    assert.equal(again.code, 0, describeRun(['pull'], again));
    assert.equal(sha256(fs.readFileSync(path.join(repoDir(dataDir, 'org/disk-GGUF'), FILE))), sha256(payload));
  });

  it('lets one of two concurrent pulls of a file download it; the other waits', async () => {
    const dataDir = freshDataDir();
    const [a, b] = await Promise.all([pull(dataDir, 'org/slow-GGUF:Q4_K_M'), pull(dataDir, 'org/slow-GGUF:Q4_K_M')]);
    assert.equal(a.code, 0, describeRun(['pull'], a));
    assert.equal(b.code, 0, describeRun(['pull'], b));
    assert.equal(hub.fileGets('org/slow-GGUF', FILE), 1, 'one download');
    assert.match(a.stderr + b.stderr, /waiting for another edgeai pull/);
    assert.equal(sha256(fs.readFileSync(path.join(repoDir(dataDir, 'org/slow-GGUF'), FILE))), sha256(payload));
  });

  it('fetches every part of a split model', async () => {
    const dataDir = freshDataDir();
    const r = await pull(dataDir, 'org/split-GGUF:Q4_K_M');
    assert.equal(r.code, 0, describeRun(['pull'], r));
    const dir = repoDir(dataDir, 'org/split-GGUF');
    const parts = [1, 2, 3].map((i) => fs.readFileSync(path.join(dir, `split-Q4_K_M-0000${i}-of-00003.gguf`)));
    assert.equal(sha256(Buffer.concat(parts)), sha256(payload));
  });
});

describe('edgeai ls and rm', { skip: binaryMissing() }, () => {
  it('lists pulled and hand-placed models, and deletes them by name', async () => {
    const dataDir = freshDataDir();
    assert.equal((await pull(dataDir, 'org/tiny-GGUF:Q8_0')).code, 0);
    assert.equal((await pull(dataDir, 'org/split-GGUF')).code, 0, 'the default quant');
    fs.writeFileSync(path.join(dataDir, 'models', 'mine.gguf'), payload);
    const ls = await runEdgeai(['ls', '--data-dir', dataDir]);
    assert.equal(ls.code, 0, describeRun(['ls'], ls));
    const lines = ls.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+SIZE\s+QUANT\s+MODIFIED$/);
    assert.match(lines[1], /^mine\s+[\d.]+ (KiB|MiB)\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(lines[2], /^org\/split-GGUF:Q4_K_M\s+[\d.]+ (KiB|MiB)\s+Q4_K_M\s/);
    assert.match(lines[3], /^org\/tiny-GGUF:Q8_0\s+[\d.]+ (KiB|MiB)\s+Q8_0\s/);
    assert.equal(lines.length, 4);

    const rm = await runEdgeai(['rm', 'org/split-GGUF:Q4_K_M', 'mine', '--data-dir', dataDir]);
    assert.equal(rm.code, 0, describeRun(['rm'], rm));
    assert.equal(fs.existsSync(repoDir(dataDir, 'org/split-GGUF')), false, 'the empty repository dir is gone');
    const after = await runEdgeai(['ls', '--data-dir', dataDir]);
    assert.deepEqual(after.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['org/tiny-GGUF:Q8_0']);
    const unknown = await runEdgeai(['rm', 'nothing', '--data-dir', dataDir]);
    assert.equal(unknown.code, 2, describeRun(['rm'], unknown));
    assert.match(unknown.stderr, /no model 'nothing' in models.dir/);
  });

  it('honours models.dir from the configuration file', async () => {
    const dataDir = freshDataDir();
    const modelsDir = path.join(tmp, `elsewhere-${caseNo}`);
    const config = path.join(tmp, `models-${caseNo}.toml`);
    fs.writeFileSync(config, `[models]\ndir = "${modelsDir}"\n`);
    const r = await runEdgeai(['pull', 'org/tiny-GGUF:Q8_0', '--config', config, '--data-dir', dataDir],
      { env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN, HOME: tmp } });
    assert.equal(r.code, 0, describeRun(['pull'], r));
    assert.ok(fs.existsSync(path.join(modelsDir, 'org', 'tiny-GGUF', 'tiny-model-Q8_0.gguf')));
    const ls = await runEdgeai(['ls', '--config', config]);
    assert.match(ls.stdout, /org\/tiny-GGUF:Q8_0/);
  });
});

describe('edgeai serve -m hf:... and -m NAME', { skip: binaryMissing() || (!haveStories && 'needs ../shared/data/stories260K') }, () => {
  it('pulls first, then serves the model under the name asked for', async () => {
    const gw = await startLocalServe({
      models: ['hf:org/serve-GGUF:Q4_K_M'],
      args: ['--ctx-size', '512', '--threads', '1', '--chat-template', 'chatml'],
      env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN, HOME: tmp },
    });
    try {
      const pulled = path.join(gw.dataDir, 'models', 'org', 'serve-GGUF', FILE);
      assert.equal(sha256(fs.readFileSync(pulled)), sha256(payload));
      const models = await (await fetch(gw.url('/v1/models'))).json();
      assert.deepEqual(models.data.map((m) => m.id), ['org/serve-GGUF:Q4_K_M']);
      const res = await fetch(gw.url('/v1/completions'), {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'org/serve-GGUF:Q4_K_M', prompt: 'Once upon a time', max_tokens: 5, temperature: 0 }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(gw.nonJsonLines().length, 0, `serve's stderr stays JSON lines: ${gw.nonJsonLines().join('\n')}`);
    } finally {
      await gw.stop();
    }
  });

  it('finds NAME.gguf in models.dir, and names what is missing', async () => {
    const dataDir = freshDataDir();
    fs.mkdirSync(path.join(dataDir, 'models'));
    fs.writeFileSync(path.join(dataDir, 'models', 'tiny.gguf'), payload);
    const modelsDir = path.join(dataDir, 'models');
    const gw = await startLocalServe({ models: ['tiny'], args: ['--ctx-size', '512', '--threads', '1'], env: { EDGEAI_MODELS_DIR: modelsDir } });
    try {
      const models = await (await fetch(gw.url('/v1/models'))).json();
      assert.deepEqual(models.data.map((m) => m.id), ['tiny']);
    } finally {
      await gw.stop();
    }
    const r = await runEdgeai(['serve', '-m', 'absent', '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2, describeRun(['serve'], r));
    assert.match(r.stderr, /-m absent: no such file, and no model 'absent' in models.dir/);
    // A path is a file or nothing: no hub name is looked for in it.
    for (const missing of [path.join(dataDir, 'nowhere', 'x.gguf'), './gone.gguf', 'gone.gguf']) {
      const p = await runEdgeai(['serve', '-m', missing, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
      assert.notEqual(p.code, 0, describeRun(['serve', '-m', missing], p));
      assert.match(p.stderr, new RegExp(`-m ${missing.replace(/[.]/g, '\\.')}: no such file`));
      assert.doesNotMatch(p.stderr, /hub model name|organisation/);
    }
  });
});
