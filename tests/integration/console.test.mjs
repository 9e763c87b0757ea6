// The web console built into the binary, in headless chromium (Debian's
// `chromium`, driven by playwright-core): its files' headers (gzip, CSP,
// ETag, 406 for a client that refuses gzip) and the redirect of a browser
// from / to /ui/; the status page lists stories260K as loaded; a chat streams
// an answer from it with tokens/s shown; the stop button ends a stream that
// is still open (a scripted upstream that stalls); with API keys the console
// asks for one, refuses a wrong one, and a key without the chat scope sees
// the gateway's refusal. Screenshots go to build/test-artifacts/console/.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test console.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

import {
  binaryMissing, convertStories, createKey, makeTmpDir, missingData, removeTmpDir, startLocalServe,
} from './lib/engine.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = path.resolve(here, '..', '..', 'build', 'test-artifacts', 'console');
const CHROMIUM = process.env.EDGEAI_CHROMIUM || '/usr/bin/chromium';
const T = { timeout: 60000 };

const skip = binaryMissing() ||
  missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin') ||
  (!fs.existsSync(CHROMIUM) && `needs ${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`);

async function launch() {
  // --no-sandbox: the tests may run as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: true });
}

describe('the web console', { skip }, () => {
  let tmp;
  let gw;
  let browser;

  before(async () => {
    tmp = makeTmpDir();
    gw = await startLocalServe({
      models: [await convertStories(tmp)],
      args: ['--ctx-size', '512', '--threads', '1', '--chat-template', 'chatml'],
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await gw?.stop();
    removeTmpDir(tmp);
  });

  it('serves its files gzipped with the CSP, an ETag and Vary', T, async () => {
    const res = await fetch(gw.origin + '/ui/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('vary'), 'accept-encoding');
    assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(res.headers.get('etag'), /^"[0-9a-f]{32}"$/);
    // fetch decodes gzip itself: the page arrives whole and references no other host.
    const html = await res.text();
    assert.match(html, /<script type="module" src="console.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//);

    const again = await fetch(gw.origin + '/ui/', { headers: { 'if-none-match': res.headers.get('etag') } });
    assert.equal(again.status, 304);

    const refused = await fetch(gw.origin + '/ui/console.js', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(refused.status, 406);
    assert.equal((await refused.json()).error.code, 'not_acceptable');
  });

  it('sends the stored gzip bytes as they are to a client that asks for nothing', T, async () => {
    // node's http does not decode: the raw body must be a gzip stream of the script.
    const http = await import('node:http');
    const body = await new Promise((resolve, reject) => {
      http.get(gw.origin + '/ui/console.js', (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(parts) }));
      }).on('error', reject);
    });
    assert.equal(body.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(body.bytes).toString(), /sessionStorage|storedKey/);
  });

  it('redirects a browser from / to /ui/; API clients keep the JSON line', T, async () => {
    const html = await fetch(gw.origin + '/', { headers: { accept: 'text/html,*/*;q=0.8' }, redirect: 'manual' });
    assert.equal(html.status, 302);
    assert.equal(html.headers.get('location'), '/ui/');
    const json = await fetch(gw.origin + '/');
    assert.equal(json.status, 200);
    assert.equal((await json.json()).name, 'edgeai');
  });

  it('shows the served model as loaded on the status page', T, async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(gw.origin + '/');
    assert.equal(new URL(page.url()).pathname, '/ui/');
    const models = page.locator('#status-models');
    await models.getByRole('cell', { name: 'stories260K', exact: true }).waitFor();
    await models.getByRole('cell', { name: 'loaded' }).waitFor();
    await page.locator('#status-backends').getByRole('cell', { name: 'local', exact: true }).first().waitFor();
    assert.equal(await page.locator('#status-state').textContent(), 'ready');
    await screenshot(page, 'status');
    assert.deepEqual(problems, [], 'no script errors and no CSP violations');
    await page.close();
  });

  it("fits a phone's width", T, async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(gw.origin + '/ui/');
    await page.locator('#status-models').getByRole('cell', { name: 'stories260K', exact: true }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    await screenshot(page, 'status-phone');
    await page.goto(gw.origin + '/ui/#chat');
    await page.getByLabel('Message').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    await screenshot(page, 'chat-phone');
    await page.close();
  });

  it("is driven from the keyboard: Tab reaches the pages' links", T, async () => {
    const page = await browser.newPage();
    await page.goto(gw.origin + '/ui/');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'nav-chat');
    await page.keyboard.press('Enter');
    await page.getByLabel('Message').waitFor();
    assert.equal(await page.locator('#nav-chat').getAttribute('aria-current'), 'page');
    await page.close();
  });

  it('streams a chat answer from stories260K with tokens/s', T, async () => {
    const page = await browser.newPage();
    await page.goto(gw.origin + '/ui/#chat');
    // The model picker offers the served model first.
    await page.waitForFunction(() => document.getElementById('chat-model').value === 'stories260K');
    await page.getByText('Parameters').click();
    await page.getByLabel('Max tokens').fill('64');
    await page.getByLabel('Seed').fill('7');
    // The answer comes as a stream of events (how many reach the page in one
    // read depends on the machine's timing, so the wire is what is counted).
    const streamed = page.waitForResponse((r) => r.url().endsWith('/v1/chat/completions'));
    const message = page.getByLabel('Message');
    await message.fill('Once upon a time');
    await message.press('Enter');
    const answer = page.locator('.turn.assistant .text');
    await page.waitForFunction(() => {
      const t = document.querySelector('.turn.assistant .text');
      return t && t.textContent.length > 0 && !document.getElementById('chat-send').disabled;
    });
    assert.ok((await answer.textContent()).trim().length > 0);
    const response = await streamed;
    assert.match(response.headers()['content-type'], /^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter((e) => e.startsWith('data: {'));
    assert.ok(events.length > 3, `the answer arrived in pieces (${events.length} events)`);
    assert.match(await page.locator('#chat-stats').textContent(), /^\d+ tokens, [\d.]+ tokens\/s$/);
    assert.equal(await page.getByRole('button', { name: 'Stop' }).isDisabled(), true);
    await screenshot(page, 'chat');
    await page.close();
  });

  it("lists the durable jobs and charts today's usage", T, async () => {
    const submitted = await fetch(gw.origin + '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ model: 'stories260K', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(submitted.status, 202);
    const job = await submitted.json();
    const page = await browser.newPage();
    await page.goto(gw.origin + '/ui/#jobs');
    await page.locator('#jobs-list').getByRole('cell', { name: job.id, exact: true }).waitFor();
    await screenshot(page, 'jobs');
    // The chat above was counted: one bar for stories260K.
    await page.goto(gw.origin + '/ui/#status');
    const chart = page.getByRole('img', { name: /stories260K: \d+ tokens/ });
    await chart.waitFor();
    assert.ok(await chart.locator('rect').count() >= 1);
    await screenshot(page, 'status-usage');
    await page.close();
  });
});

describe('the web console with API keys', { skip }, () => {
  let upstream;
  let gw;
  let browser;
  let tmp;
  let keys;

  before(async () => {
    upstream = await startUpstream();
    tmp = makeTmpDir('edgeai-it-console-');
    const dataDir = path.join(tmp, 'data');
    keys = {
      chat: await createKey(dataDir, 'chatter', 'chat,models', { cwd: tmp }),
      viewer: await createKey(dataDir, 'viewer', 'models', { cwd: tmp }),
    };
    gw = await startGateway({ upstream: upstream.baseUrl, dataDir });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await gw?.stop();
    await upstream?.close();
    removeTmpDir(tmp);
  });

  async function signIn(page, key) {
    await page.goto(gw.origin + '/ui/#chat');
    await page.getByLabel('Key').fill(key);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator('#page-chat').waitFor();
  }

  it('asks for a key, refuses a wrong one, and keeps a right one in the tab', T, async () => {
    const page = await browser.newPage();
    await page.goto(gw.origin + '/ui/');
    await page.getByLabel('Key').waitFor();
    assert.equal(await page.locator('#page-status').isHidden(), true);
    await page.getByLabel('Key').fill('eai_wrong');
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator('#key-error').filter({ hasText: /./ }).waitFor();
    await screenshot(page, 'key-refused');
    await page.getByLabel('Key').fill(keys.viewer);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.locator('#status-models').getByRole('cell', { name: 'gpt-test', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('edgeai.key')), keys.viewer);
    // Usage needs the admin scope: the page shows the gateway's refusal.
    await page.locator('#status-usage .refusal').waitFor();
    await page.close();
  });

  it('shows a key without the chat scope the refusal', T, async () => {
    const page = await browser.newPage();
    await signIn(page, keys.viewer);
    await page.getByLabel('Model').fill('gpt-test');
    await page.getByLabel('Message').fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('#chat-error');
    await error.filter({ hasText: /scope/ }).waitFor();
    assert.equal(upstream.requestsTo('/v1/chat/completions', 'POST').length, 0);
    await screenshot(page, 'chat-refused');
    await page.close();
  });

  it('stops a stream that is still open', T, async () => {
    const page = await browser.newPage();
    await signIn(page, keys.chat);
    upstream.enqueue({ type: 'normal', chunks: 10, stallAfter: 2 });
    await page.getByLabel('Model').fill('gpt-test');
    await page.getByLabel('Message').fill('count');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.turn.assistant .text').filter({ hasText: 'tok1' }).waitFor();
    const stop = page.getByRole('button', { name: 'Stop' });
    assert.equal(await stop.isEnabled(), true);
    const request = await upstream.waitForRequest((r) => r.path === '/v1/chat/completions');
    await stop.click();
    await page.locator('#chat-stats').filter({ hasText: '(stopped)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);
    // The gateway let go of the upstream once the browser went away.
    assert.deepEqual(await request.ended, { early: true });
    await screenshot(page, 'chat-stopped');
    await page.close();
  });
});
