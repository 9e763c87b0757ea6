// `edgeai config check` judges the machine as well as the file (issue 21,
// item 8): missing model files, files that are not GGUF, unset key
// variables, a model id loaded twice, a listen address this machine does not
// have; all of them in one run, and a clean file passes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binaryMissing, runEdgeai } from './lib/engine.mjs';

describe('config check', { skip: binaryMissing() }, () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-config-check-'));
    // A file that starts like GGUF is enough for the check (serve reads the rest).
    fs.writeFileSync(path.join(dir, 'good.gguf'), Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(60)]));
    fs.writeFileSync(path.join(dir, 'weights.bin'), 'not a gguf file at all');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = (text, env = {}) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
    fs.writeFileSync(file, text);
    return runEdgeai(['config', 'check', file], { env });
  };

  it('a clean file passes', async () => {
    const r = await check(`[server]\nlisten = "127.0.0.1:0"\n\n[[backends]]\nname = "cloud"\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = "IT_CHECK_KEY"\nmodels = ["gpt-x"]\n\n[[backends]]\nname = "here"\nkind = "local"\nmodels = { tiny = "${path.join(dir, 'good.gguf')}" }\n`,
      { IT_CHECK_KEY: 'sk-test' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: ok$/m);
  });

  it('edgeai.example.toml, every section commented, passes (its keys set)', async () => {
    const example = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'edgeai.example.toml');
    const r = await runEdgeai(['config', 'check', '--config', example], { env: { OPENAI_API_KEY: 'sk-a', ANTHROPIC_API_KEY: 'sk-b' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /edgeai\.example\.toml: ok$/m);
    const shown = await runEdgeai(['config', 'show', '--config', example], { env: { OPENAI_API_KEY: 'sk-a', ANTHROPIC_API_KEY: 'sk-b' } });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /name = "claude"/);
  });

  it('every problem serve would stop on, at once', async () => {
    const r = await check(`[server]\nlisten = "192.0.2.77:8080"\n\n[tls]\ncert = "${path.join(dir, 'missing-cert.pem')}"\nkey = "${path.join(dir, 'missing-key.pem')}"\n\n[[backends]]\nname = "cloud"\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = "IT_CHECK_UNSET_KEY"\nmodels = ["gpt-x"]\n\n[[backends]]\nname = "here"\nkind = "local"\nmodels = { tiny = "${path.join(dir, 'good.gguf')}", gone = "${path.join(dir, 'gone.gguf')}", bin = "${path.join(dir, 'weights.bin')}" }\n\n[[backends]]\nname = "again"\nkind = "local"\nmodels = { tiny = "${path.join(dir, 'good.gguf')}" }\n`);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const has = (re) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${r.stderr}`);
    has(/server\.listen '192\.0\.2\.77:8080': this machine cannot listen there/);
    has(/tls\.cert '.*missing-cert\.pem' cannot be read/);
    has(/tls\.key '.*missing-key\.pem' cannot be read/);
    has(/backend 'cloud' \(line \d+\): the environment variable IT_CHECK_UNSET_KEY \(api_key_env\) is not set/);
    has(/backend 'here' \(line \d+\): model 'gone': '.*gone\.gguf' cannot be read/);
    has(/backend 'here' \(line \d+\): model 'bin': '.*weights\.bin' is not a GGUF file/);
    has(/backend 'again' \(line \d+\): model id 'tiny' is already loaded by backend 'here'/);
    has(/: 7 problems$/);
  });

  it('a port in use is a warning, not an error', async () => {
    const server = net.createServer();
    await new Promise((res) => server.listen(0, '127.0.0.1', res));
    try {
      const r = await check(`[server]\nlisten = "127.0.0.1:${server.address().port}"\n`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: server\.listen .* the port is in use now/);
    } finally {
      server.close();
    }
  });
});

describe('read-only commands create nothing', { skip: binaryMissing() }, () => {
  it('keys list, keys show, usage and config show on a data directory that is not there', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-readonly-'));
    const dataDir = path.join(parent, 'never-made');
    try {
      let r = await runEdgeai(['keys', 'list', '--data-dir', dataDir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /no keys/);
      r = await runEdgeai(['keys', 'show', 'kiosk', '--data-dir', dataDir]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no key with id or name 'kiosk'/);
      r = await runEdgeai(['usage', '--data-dir', dataDir]);
      assert.equal(r.code, 0, r.stderr);
      r = await runEdgeai(['config', 'show', '--data-dir', dataDir]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fs.existsSync(dataDir), false, 'nothing was created');
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
