// The browser build (web/ and build/browser's edgeai-web.js + .wasm) in
// headless chromium (Debian's `chromium`, driven by playwright-core): the
// engine in a Web Worker behind the OpenAI-shaped API of web/edgeai.js and
// the demo page. The demo model is loaded from a URL (streamed, with
// progress) and from a File picked on the page; greedy text must equal the
// native binary's for the same request, streamed in more than one chunk; a
// file that is not GGUF is refused with a clear error and the worker goes on
// serving. A tiny static server on a free loopback port serves the page.
// Screenshots go to build/test-artifacts/browser/.
// Runs once, against the release build (skipped when EDGEAI_BIN is ASan's).
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test browser.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

import { EDGEAI_BIN } from './lib/gateway.mjs';
import { startLocalServe } from './lib/engine.mjs';
import { startWebServer } from './lib/web_static.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const WEB = path.join(repoRoot, 'web');
const WEB_BUILD = process.env.EDGEAI_WEB_BUILD ||
  path.join(repoRoot, 'build', 'browser', 'apps', 'edgeai-web');
const DEMO = process.env.EDGEAI_DEMO_MODEL ||
  path.join(path.dirname(EDGEAI_BIN), 'demo-tinystories.gguf');
const CHROMIUM = process.env.EDGEAI_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(repoRoot, 'build', 'test-artifacts', 'browser');
const T = { timeout: 60000 };

function skipReason() {
  if (/[\\/]build[\\/]asan[\\/]/.test(EDGEAI_BIN)) return 'runs once, against the release build';
  if (!fs.existsSync(EDGEAI_BIN)) return `edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`;
  if (!fs.existsSync(path.join(WEB_BUILD, 'edgeai-web.wasm'))) {
    return `edgeai-web.wasm not found in ${WEB_BUILD} (cmake --build --preset browser, or set EDGEAI_WEB_BUILD)`;
  }
  if (!fs.existsSync(DEMO)) return `${DEMO} not found (scripts/setup.sh converts it, or set EDGEAI_DEMO_MODEL)`;
  if (!fs.existsSync(CHROMIUM)) return `needs ${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`;
  return false;
}
const skip = skipReason();

async function postJson(base, route, body) {
  const res = await fetch(base + route, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${route}: ${await res.clone().text()}`);
  return res.json();
}

const CHAT = {
  messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
  temperature: 0,
  max_tokens: 24,
};
const COMPLETION = { prompt: 'Once upon a time', temperature: 0, max_tokens: 16 };

describe('the browser build in headless chromium', { skip }, () => {
  let server;
  let base;
  let browser;
  let page;
  const native = {};
  const consoleErrors = [];

  before(async () => {
    // The reference: the native binary on the same file, same requests.
    const gw = await startLocalServe({ models: [DEMO], args: ['--chat-template', 'chatml'] });
    try {
      const nativeBase = `http://127.0.0.1:${gw.port}`;
      const model = 'demo-tinystories';
      native.chat = (await postJson(nativeBase, '/v1/chat/completions', { model, ...CHAT }))
        .choices[0].message.content;
      native.completion = (await postJson(nativeBase, '/v1/completions', { model, ...COMPLETION }))
        .choices[0].text;
      native.embedding = (await postJson(nativeBase, '/v1/embeddings', { model, input: 'a cat' }))
        .data[0].embedding;
    } finally {
      await gw.stop();
    }
    assert.ok(native.chat.length > 0 && native.completion.length > 0);

    server = await startWebServer({
      webDir: WEB, buildDir: WEB_BUILD, models: { 'demo-tinystories.gguf': DEMO },
    });
    base = server.url;
    // --no-sandbox: the tests may run as root, where chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage();
    // The 404 of the missing model the test asks for is expected; nothing else.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) consoleErrors.push(msg.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(base + '/');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('answers a request made before any model is loaded with no_model', T, async () => {
    const got = await page.evaluate(async (chat) => {
      const { EdgeAI } = await import('/edgeai.js');
      const empty = new EdgeAI();
      try {
        await empty.chat.completions.create(chat);
        return null;
      } catch (e) {
        return { code: e.code, message: e.message };
      } finally {
        empty.terminate();
      }
    }, CHAT);
    assert.equal(got?.code, 'no_model');
    assert.match(got.message, /no model is loaded/);
  });

  it('loads the model from a URL, streamed into the worker with progress', T, async () => {
    const loaded = await page.evaluate(async () => {
      const { EdgeAI } = await import('/edgeai.js');
      const progress = [];
      window.ai = await EdgeAI.load('/models/demo-tinystories.gguf', {
        chatTemplate: 'chatml', onProgress: (done, total) => progress.push([done, total]),
      });
      return { model: window.ai.model, progress };
    });
    assert.equal(loaded.model, 'demo-tinystories');
    const size = fs.statSync(DEMO).size;
    assert.ok(loaded.progress.length >= 1);
    assert.deepEqual(loaded.progress.at(-1), [size, size]);
  });

  it('streams the same greedy chat text as the native binary, in several chunks', T, async () => {
    const got = await page.evaluate(async (params) => {
      const chunks = [];
      for await (const chunk of window.ai.chat.completions.create({ ...params, stream: true })) {
        chunks.push(chunk);
      }
      return chunks;
    }, CHAT);
    const text = got.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, native.chat);
    assert.ok(got.filter((c) => c.choices[0]?.delta?.content).length > 1, 'more than one content chunk');
    assert.equal(got[0].object, 'chat.completion.chunk');
    assert.equal(got.at(-1).choices[0].finish_reason, 'length');
  });

  it('answers non-streamed chat and completions as natively', T, async () => {
    const got = await page.evaluate(async ({ chat, completion }) => {
      const reply = await window.ai.chat.completions.create(chat);
      const text = await window.ai.completions.create(completion);
      // The SDK's shape: await first, then iterate.
      const stream = await window.ai.completions.create({ ...completion, stream: true });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.text ?? '';
      return { reply, text, streamed };
    }, { chat: CHAT, completion: COMPLETION });
    assert.equal(got.reply.object, 'chat.completion');
    assert.equal(got.reply.choices[0].message.content, native.chat);
    assert.equal(got.reply.usage.completion_tokens, CHAT.max_tokens);
    assert.equal(got.text.choices[0].text, native.completion);
    assert.equal(got.streamed, native.completion);
  });

  it('returns an embedding of the model width', T, async () => {
    const got = await page.evaluate(async () => {
      const res = await window.ai.embeddings.create({ input: 'a cat' });
      return { object: res.object, embedding: res.data[0].embedding };
    });
    assert.equal(got.object, 'list');
    assert.equal(got.embedding.length, native.embedding.length);
    for (let i = 0; i < got.embedding.length; i++) {
      assert.ok(Math.abs(got.embedding[i] - native.embedding[i]) < 1e-3, `component ${i}`);
    }
  });

  it('refuses a file that is not GGUF with a clear error, and goes on serving', T, async () => {
    const got = await page.evaluate(async (chat) => {
      const bad = new TextEncoder().encode('this is not a model, just some text\n'.repeat(8)).buffer;
      let error = null;
      try {
        await window.ai.load(bad, { name: 'bad' });
      } catch (e) {
        error = e.message;
      }
      let missing = null;
      try {
        await window.ai.load('/models/missing.gguf');
      } catch (e) {
        missing = e.message;
      }
      const reply = await window.ai.chat.completions.create(chat);
      return { error, missing, model: window.ai.model, text: reply.choices[0].message.content };
    }, CHAT);
    assert.match(got.error ?? '', /this is not a GGUF model file/);
    assert.match(got.missing ?? '', /HTTP 404/);
    assert.equal(got.model, 'demo-tinystories');
    assert.equal(got.text, native.chat);
  });

  it('loads another model from an ArrayBuffer mid-stream: the stream ends, the new one serves', T, async () => {
    const got = await page.evaluate(async (chat) => {
      const stream = window.ai.chat.completions.create({ ...chat, max_tokens: 400, stream: true });
      const chunks = stream[Symbol.asyncIterator]();
      const first = await chunks.next();
      const buffer = await (await fetch('/models/demo-tinystories.gguf')).arrayBuffer();
      await window.ai.load(buffer, { name: 'again', chatTemplate: 'chatml' });
      let ended = 'done';
      try {
        while (!(await chunks.next()).done);
      } catch (e) {
        ended = e.code;
      }
      const reply = await window.ai.chat.completions.create(chat);
      return {
        first: !first.done, ended, model: window.ai.model, transferred: buffer.byteLength,
        replyModel: reply.model, text: reply.choices[0].message.content,
      };
    }, CHAT);
    assert.ok(got.first);
    assert.ok(['done', 'model_replaced'].includes(got.ended), got.ended);
    assert.equal(got.model, 'again');
    assert.equal(got.replyModel, 'again');
    assert.equal(got.transferred, 0, 'the ArrayBuffer was transferred to the worker, not copied');
    assert.equal(got.text, native.chat);
  });

  it('the demo page loads a picked file, chats and reports tokens per second', T, async () => {
    await page.goto(base + '/');
    await page.selectOption('#template', 'chatml');
    await page.setInputFiles('#file', DEMO);
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('ready'),
                               null, { timeout: 30000 });
    await page.fill('#prompt', CHAT.messages[0].content);
    await page.fill('#max-tokens', String(CHAT.max_tokens));
    await page.fill('#temperature', '0');
    await page.click('#send');
    await page.waitForFunction(() => /tok\/s/.test(document.getElementById('stats').textContent),
                               null, { timeout: 30000 });
    const shown = await page.evaluate(() => ({
      reply: document.querySelector('#log .assistant').textContent,
      stats: document.getElementById('stats').textContent,
    }));
    assert.equal(shown.reply, native.chat);
    const m = /(\d+) tokens, ([\d.]+) tok\/s/.exec(shown.stats);
    assert.ok(m, shown.stats);
    assert.ok(Number(m[2]) > 0, shown.stats);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo.png'), fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });
});
