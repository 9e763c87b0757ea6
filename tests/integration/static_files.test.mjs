// The web page's files under /ui/ on real sockets: served from
// server.static_dir with their content types, security headers and ETag (304
// on a match), without an API key even when auth is on; and every traversal
// sent byte for byte (raw sockets and curl --path-as-is, so no client
// normalises it first) gets the same 404 as a missing file, with nothing of
// the target in it. Without static_dir, /ui/ is the console built into the
// binary: gzipped, 406 for a client that refuses gzip, 404 outside it.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test static_files.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertOpenAIError, curl, rawExchange, request } from './lib/clients.mjs';
import { binaryMissing, describeRun, runEdgeai } from './lib/engine.mjs';
import { startGateway, writeConfig } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const T = { timeout: 20000 };

// Markers that must never appear in an answer to an attack.
const CONFIG_MARKER = 'config-marker-7f3a';
const SECRET_MARKER = 'secret-marker-91c2';
const ENV_MARKER = 'env-marker-55d0';

const INDEX_HTML = '<!doctype html><title>edgeai</title><script src="app.js"></script>';
const APP_JS = 'console.log("edgeai page");';

/** GET `target` exactly as written, over a raw socket. */
async function rawGet(port, target, extraHeaders = '') {
  const r = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}Connection: close\r\n\r\n`);
  assert.ok(r.parsed, `no HTTP response to ${target}: ${r.data.toString('latin1')}`);
  return r.parsed;
}

function assertLeaksNothing(text, target) {
  for (const marker of [CONFIG_MARKER, SECRET_MARKER, ENV_MARKER, 'root:x:0:0']) {
    assert.ok(!text.includes(marker), `${target} leaked ${marker}: ${text.slice(0, 300)}`);
  }
}

describe('static files under /ui/', { skip: binaryMissing() }, () => {
  let up;
  let gw;
  let top; // holds the config, a secret, and the static dir `www`
  let notFoundMessage;

  before(async () => {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-static-'));
    const www = path.join(top, 'www');
    fs.mkdirSync(path.join(www, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(www, 'index.html'), INDEX_HTML);
    fs.writeFileSync(path.join(www, 'app.js'), APP_JS);
    fs.writeFileSync(path.join(www, 'style.css'), 'body{margin:0}');
    fs.writeFileSync(path.join(www, 'engine.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    fs.writeFileSync(path.join(www, 'notes'), 'no extension');
    fs.writeFileSync(path.join(www, '.env'), `TOKEN=${ENV_MARKER}\n`);
    fs.writeFileSync(path.join(www, 'sub', 'index.html'), '<p>sub</p>');
    fs.symlinkSync('/etc/passwd', path.join(www, 'link-to-passwd'));
    fs.writeFileSync(path.join(top, 'secret'), SECRET_MARKER);
    fs.writeFileSync(path.join(top, 'x'), SECRET_MARKER);
    // The config sits one level above the served directory, where
    // /ui/../edgeai.toml would find it.
    const config = path.join(top, 'edgeai.toml');
    fs.writeFileSync(config, `# ${CONFIG_MARKER}\n[server]\nstatic_dir = "${www}"\n`);

    // A key exists, so auth is on: the page must still load without one.
    const dataDir = path.join(top, 'data');
    fs.mkdirSync(dataDir);
    const keyArgs = ['keys', 'create', '--name', 'page', '--data-dir', dataDir, '--json'];
    const made = await runEdgeai(keyArgs, { cwd: dataDir, env: { XDG_CONFIG_HOME: dataDir } });
    assert.equal(made.code, 0, describeRun(keyArgs, made));

    up = await startUpstream();
    gw = await startGateway({ upstream: up.baseUrl, dataDir, args: ['--config', config] });
  });

  after(async () => {
    await gw?.stop();
    await up?.close();
    if (top) fs.rmSync(top, { recursive: true, force: true });
  });

  it('serves index.html at /ui/ without an API key, with its headers', T, async () => {
    const api = await request(gw.url('/v1/models'));
    assert.equal(api.status, 401, `auth is on for the API: ${api.text}`);

    const r = await request(gw.url('/ui/'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, INDEX_HTML);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(r.headers['content-security-policy'], /default-src 'self'/);
    assert.match(r.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.match(r.headers.etag, /^"[0-9a-f]{32}"$/);
    assert.ok(r.headers['x-request-id'], 'every response carries a request id');
    // The operator's directory replaces the built-in console: its files as they are.
    assert.equal(r.headers['content-encoding'], undefined);

    const same = await request(gw.url('/ui/index.html'));
    assert.equal(same.text, INDEX_HTML);
    assert.equal(same.headers.etag, r.headers.etag);
  });

  it('redirects /ui to /ui/', T, async () => {
    const r = await request(gw.url('/ui'));
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/ui/');
  });

  it('gives each file the content type of its extension', T, async () => {
    for (const [p, type] of [
      ['/ui/app.js', 'text/javascript; charset=utf-8'],
      ['/ui/style.css', 'text/css; charset=utf-8'],
      ['/ui/engine.wasm', 'application/wasm'],
      ['/ui/notes', 'application/octet-stream'],
      ['/ui/sub/', 'text/html; charset=utf-8'],
    ]) {
      const r = await request(gw.url(p));
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.equal(r.headers['content-type'], type, p);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
    }
    const js = await request(gw.url('/ui/app.js'));
    assert.equal(js.text, APP_JS);
    assert.equal(js.headers['content-security-policy'], undefined, 'the policy is for documents');
  });

  it('answers 304 to a matching If-None-Match, 200 to another', T, async () => {
    const first = await request(gw.url('/ui/app.js'));
    const etag = first.headers.etag;
    const cached = await request(gw.url('/ui/app.js'), { headers: { 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.text, '');
    assert.equal(cached.headers.etag, etag);
    const weak = await request(gw.url('/ui/app.js'), { headers: { 'if-none-match': `"x", W/${etag}` } });
    assert.equal(weak.status, 304);
    const other = await request(gw.url('/ui/app.js'), { headers: { 'if-none-match': '"0123"' } });
    assert.equal(other.status, 200);
    assert.equal(other.text, APP_JS);
  });

  it('answers HEAD with the headers and no body; other methods get 405', T, async () => {
    const head = await rawExchange(gw.port, 'HEAD /ui/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(head.parsed.status, 200);
    assert.equal(head.parsed.headers['content-length'], String(Buffer.byteLength(APP_JS)));
    assert.equal(head.parsed.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.ok(!head.data.toString('latin1').includes(APP_JS), 'HEAD sent a body');
    const post = await request(gw.url('/ui/app.js'), { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
  });

  it('answers a missing file with a 404 in the OpenAI error shape', T, async () => {
    const r = await rawGet(gw.port, '/ui/missing.js');
    assert.equal(r.status, 404);
    notFoundMessage = assertOpenAIError(r.json).message;
    assert.equal(r.json.error.code, 'not_found');
  });

  const attacks = [
    '/ui/../edgeai.toml',
    '/ui/../secret',
    '/ui/%2e%2e/%2e%2e/etc/passwd',
    '/ui/%2e%2e/edgeai.toml',
    '/ui/%2E%2E/secret',
    '/ui/..%2fsecret',
    '/ui/..%2Fedgeai.toml',
    '/ui/%2e%2e%5c..',
    '/ui/%2e%2e%5csecret',
    '/ui/.env',
    '/ui/%2eenv',
    '/ui/link-to-passwd',
    '/ui/sub/../../x',
    '/ui/sub/%2e%2e/%2e%2e/secret',
    '/ui/a%00b',
    '/ui/index.html%00.js',
    '/ui/%252e%252e/edgeai.toml',
    '/ui/%252e%252e%252fsecret',
    '/ui//etc/passwd',
    '/ui/%2fetc%2fpasswd',
    '/ui/sub',
    '/ui/%',
    '/ui/%zz',
  ];

  for (const target of attacks) {
    it(`refuses ${target} with the 404 of a missing file`, T, async () => {
      const r = await rawGet(gw.port, target);
      assert.equal(r.status, 404, `${target}: ${r.text.slice(0, 300)}`);
      const e = assertOpenAIError(r.json, { context: target });
      if (notFoundMessage) assert.equal(e.message, notFoundMessage, `${target} is told apart from a missing file`);
      assertLeaksNothing(r.text, target);
    });
  }

  it('refuses traversal sent by curl --path-as-is', T, async () => {
    for (const target of ['/ui/../edgeai.toml', '/ui/sub/../../secret', '/ui/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await curl(['--path-as-is', gw.url(target)]);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.status, 404, `${target}: ${r.text.slice(0, 300)}`);
      assertLeaksNothing(r.text, target);
    }
  });

  it('keeps serving after every refusal', T, async () => {
    const r = await request(gw.url('/ui/app.js'));
    assert.equal(r.status, 200);
    assert.equal(r.text, APP_JS);
  });
});

describe('static files not configured: the built-in console', { skip: binaryMissing() }, () => {
  let up;
  let gw;

  before(async () => {
    up = await startUpstream();
    gw = await startGateway({ upstream: up.baseUrl });
  });

  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  it('serves the console gzipped at /ui/ and redirects /ui there', T, async () => {
    const r = await rawGet(gw.port, '/ui/', 'Accept-Encoding: gzip\r\n');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers.vary, 'accept-encoding');
    assert.match(r.headers['content-security-policy'], /default-src 'self'/);
    const bare = await rawGet(gw.port, '/ui');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/ui/');
  });

  it('answers 406 to a client that refuses gzip', T, async () => {
    const r = await rawGet(gw.port, '/ui/index.html', 'Accept-Encoding: identity\r\n');
    assert.equal(r.status, 406, r.text);
    assertOpenAIError(r.json, { context: '406' });
  });

  it('answers paths outside the console with 404', T, async () => {
    for (const p of ['/ui/missing.js', '/ui/../edgeai.toml', '/ui/%2e%2e/x', '/ui/.env']) {
      const r = await rawGet(gw.port, p);
      assert.equal(r.status, 404, `${p}: ${r.text}`);
      assertOpenAIError(r.json, { context: p });
    }
  });
});
