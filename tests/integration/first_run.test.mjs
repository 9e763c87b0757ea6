// The first run (issue 18, item 5): `edgeai serve` with nothing configured
// answers chat and completions offline with the demo model shipped in
// models/demo, says plainly that it is a toy and how to get a real model, and
// steps aside as soon as anything else is there to serve.
//
// Each case runs a copy of the binary in a temp dir, with the demo converted
// beside it as scripts/setup.sh does for build/release.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { request } from './lib/clients.mjs';
import { EDGEAI_BIN, Gateway } from './lib/gateway.mjs';
import { describeRun, runEdgeai } from './lib/engine.mjs';

const T = { timeout: 60000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_DIR = path.resolve(here, '..', '..', 'models', 'demo');
const skip = !fs.existsSync(EDGEAI_BIN) ? `edgeai binary not found at ${EDGEAI_BIN}` : false;

/** `serve ARGS` from `bin`, in `dir` (no config file found), waiting for "listening". */
async function serveFrom(bin, dir, args = []) {
  const dataDir = path.join(dir, `data-${Math.random().toString(36).slice(2)}`);
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir };
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const gw = new Gateway(child, fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-first-')));
  await gw._waitListening(30000);
  return gw;
}

describe('edgeai serve with nothing configured', { skip }, () => {
  let dir, bin, bare;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-first-run-'));
    bin = path.join(dir, 'edgeai');
    fs.copyFileSync(EDGEAI_BIN, bin);
    fs.chmodSync(bin, 0o755);
    const args = ['model', 'convert-llama2c', path.join(DEMO_DIR, 'stories260K.bin'),
      path.join(DEMO_DIR, 'tok512.bin'), '-o', path.join(dir, 'demo-tinystories.gguf')];
    const r = await runEdgeai(args);
    assert.equal(r.code, 0, describeRun(args, r));
    // The same binary without the demo beside it.
    bare = path.join(dir, 'bare');
    fs.mkdirSync(bare);
    fs.copyFileSync(EDGEAI_BIN, path.join(bare, 'edgeai'));
    fs.chmodSync(path.join(bare, 'edgeai'), 0o755);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the demo, says it is a toy and how to get a real model, and answers chat and completions', T, async () => {
    const gw = await serveFrom(bin, dir);
    try {
      const warning = gw.logs.find((l) => l.msg?.startsWith('serving the demo model'));
      assert.ok(warning, gw.describe());
      assert.match(warning.how, /edgeai pull Qwen\/Qwen2\.5-0\.5B-Instruct-GGUF:Q4_K_M/);
      assert.equal(gw.logs.find((l) => l.msg === 'listening').models, 'demo-tinystories');
      const client = new OpenAI({ apiKey: 'unused', baseURL: gw.baseUrl, maxRetries: 0 });
      const models = await client.models.list();
      assert.deepEqual(models.data.map((m) => m.id), ['demo-tinystories']);
      assert.match(models.data[0].description, /toy that writes children's stories/);
      assert.match(models.data[0].description, /edgeai pull/);
      const chat = await client.chat.completions.create({
        model: 'demo-tinystories', messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 24,
      });
      assert.ok(chat.choices[0].message.content.length > 0);
      assert.equal(chat.usage.completion_tokens, 24);
      const text = await client.completions.create({ model: 'demo-tinystories', prompt: 'Once upon a time', max_tokens: 8 });
      assert.ok(text.choices[0].text.length > 0);
    } finally {
      await gw.stop();
    }
  });

  it('with -m, a model in models.dir, or without the demo file, the demo is not loaded', T, async () => {
    const model = path.join(dir, 'mine.gguf');
    fs.copyFileSync(path.join(dir, 'demo-tinystories.gguf'), model);
    const withModel = await serveFrom(bin, dir, ['-m', model, '--chat-template', 'chatml']);
    try {
      const ids = (await request(withModel.url('/v1/models'))).json.data.map((m) => m.id);
      assert.deepEqual(ids, ['mine']);
      assert.ok(!withModel.logs.some((l) => l.msg?.startsWith('serving the demo model')));
    } finally {
      await withModel.stop();
    }

    const modelsDir = path.join(dir, 'models');
    fs.mkdirSync(modelsDir);
    fs.copyFileSync(model, path.join(modelsDir, 'story.gguf'));
    const withDir = await serveFrom(bin, dir, ['--config', writeModelsDir(dir, modelsDir)]);
    try {
      // Served on demand: listed, loaded by its first request.
      const note = withDir.logs.find((l) => l.msg === 'models in models.dir load on their first request');
      assert.ok(note, withDir.describe());
      assert.equal(note.models, 1);
      assert.ok(!withDir.logs.some((l) => l.msg?.startsWith('serving the demo model')));
      const listed = (await request(withDir.url('/v1/models'))).json.data;
      assert.deepEqual(listed.map((m) => [m.id, m.loaded]), [['story', false]]);
    } finally {
      await withDir.stop();
    }

    const none = await serveFrom(path.join(bare, 'edgeai'), bare);
    try {
      const hint = none.logs.find((l) => l.msg?.startsWith('nothing to serve'));
      assert.ok(hint, none.describe());
      assert.match(hint.how, /-m FILE\.gguf/);
    } finally {
      await none.stop();
    }
  });
});

function writeModelsDir(dir, modelsDir) {
  const file = path.join(dir, 'models.toml');
  fs.writeFileSync(file, `[models]\ndir = "${modelsDir}"\n`);
  return file;
}
