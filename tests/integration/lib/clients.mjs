// Small HTTP clients for the integration tests: the real curl binary, raw TCP
// sockets (for what curl cannot do), a node:http SSE reader, and assertions
// for the OpenAI error shape.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

// ---------------------------------------------------------------- curl

function splitHead(buf) {
  const idx = buf.indexOf('\r\n\r\n');
  if (idx < 0) return null;
  const head = buf.subarray(0, idx).toString('latin1');
  const rest = buf.subarray(idx + 4);
  const lines = head.split('\r\n');
  const m = /^HTTP\/(\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) return null;
  const headers = {};
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return { httpVersion: m[1], status: Number(m[2]), reason: m[3] ?? '', headers, rest };
}

function dechunk(buf) {
  const out = [];
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) return { body: Buffer.concat(out), complete: false };
    const size = parseInt(buf.subarray(pos, nl).toString('latin1').split(';')[0], 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(out), complete: false };
    if (size === 0) return { body: Buffer.concat(out), complete: true };
    const start = nl + 2;
    if (start + size > buf.length) {
      out.push(buf.subarray(start));
      return { body: Buffer.concat(out), complete: false };
    }
    out.push(buf.subarray(start, start + size));
    pos = start + size + 2;
  }
}

/**
 * Parse one HTTP/1.x response (skipping any 1xx interim responses) from raw bytes.
 * Returns null if there is no complete head.
 */
export function parseHttpResponse(buf, { bodyDecoded = false } = {}) {
  let parsed = splitHead(buf);
  while (parsed && parsed.status >= 100 && parsed.status < 200) {
    parsed = splitHead(parsed.rest);
  }
  if (!parsed) return null;
  let body = parsed.rest;
  let complete = true;
  if (bodyDecoded) {
    // curl -i prints the response head as received but the body already de-chunked.
  } else if (/chunked/i.test(parsed.headers['transfer-encoding'] ?? '')) {
    ({ body, complete } = dechunk(parsed.rest));
  } else if (parsed.headers['content-length'] !== undefined) {
    const n = Number(parsed.headers['content-length']);
    complete = body.length >= n;
    body = body.subarray(0, n);
  }
  const text = body.toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: parsed.status, headers: parsed.headers, body, text, json, complete };
}

/**
 * Run the real curl binary. `args` are extra curl arguments (URL included).
 * Resolves with { status, headers, text, json, exitCode, stderr }.
 */
export function curl(args, { input, timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-i', '--http1.1', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = [];
    let stderr = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => { stderr += d; });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 2000);
    child.on('error', (e) => { clearTimeout(killer); reject(e); });
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      const raw = Buffer.concat(out);
      const parsed = parseHttpResponse(raw, { bodyDecoded: true });
      resolve({
        exitCode,
        stderr,
        raw,
        status: parsed?.status ?? 0,
        headers: parsed?.headers ?? {},
        text: parsed?.text ?? '',
        json: parsed?.json,
      });
    });
    if (input !== undefined) {
      child.stdin.on('error', () => { /* server may close early (413) */ });
      child.stdin.end(input);
    }
  });
}

/** curl POST of a JSON body (string or object) with content-type application/json. */
export function curlPostJson(url, body, { headers = [], ...opts } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const hdrs = headers.flatMap((h) => ['-H', h]);
  return curl(['-X', 'POST', '-H', 'Content-Type: application/json', ...hdrs, '--data-binary', '@-', url], { input: text, ...opts });
}

// ---------------------------------------------------------------- raw sockets

/**
 * Open a TCP connection, write `data` (string/Buffer, or an array written in
 * order, `gapMs` apart), then read until the server closes or timeoutMs passes.
 * Resolves with { data, parsed, closedByServer, elapsedMs, error }.
 */
export function rawExchange(port, data, { timeoutMs = 5000, endAfterWrite = false, gapMs = 0 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let settled = false;
    const sock = net.connect({ port, host: '127.0.0.1' });
    const finish = (closedByServer, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      resolve({ data: buf, parsed: parseHttpResponse(buf), closedByServer, elapsedMs: Date.now() - started, error });
    };
    const timer = setTimeout(() => finish(false, null), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => finish(true, null));
    sock.on('close', () => finish(true, null));
    sock.on('error', (e) => finish(true, e));
    sock.on('connect', async () => {
      const parts = Array.isArray(data) ? data : [data];
      for (let i = 0; i < parts.length; i++) {
        if (settled) return;
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        sock.write(parts[i]);
      }
      if (endAfterWrite && !settled) sock.end();
    });
  });
}

/**
 * Slowloris: connect, send `prefix` at once, then `text` one byte every `intervalMs`, while
 * watching for the server closing the connection. Gives up after timeoutMs.
 * Resolves with { closedByServer, elapsedMs, bytesSent, data, parsed }.
 */
export function slowloris(port, text, { prefix = '', intervalMs = 100, timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let sent = 0;
    let settled = false;
    let ticker = null;
    const sock = net.connect({ port, host: '127.0.0.1' });
    const finish = (closedByServer) => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      resolve({ closedByServer, elapsedMs: Date.now() - started, bytesSent: sent, data: buf, parsed: parseHttpResponse(buf) });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    sock.on('connect', () => {
      if (prefix) sock.write(prefix);
      ticker = setInterval(() => {
        if (sent >= text.length) return; // keep the connection open, sending nothing more
        sock.write(text[sent++]);
      }, intervalMs);
    });
  });
}

/** Resolve true if a TCP connect to the port is refused/reset, false if it is accepted and kept. */
export function probeConnect(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const t = setTimeout(() => { sock.destroy(); resolve({ refused: false, accepted: false }); }, timeoutMs);
    sock.on('connect', () => { clearTimeout(t); sock.destroy(); resolve({ refused: false, accepted: true }); });
    sock.on('error', (e) => { clearTimeout(t); resolve({ refused: true, accepted: false, code: e.code }); });
  });
}

/** A loopback port with nothing listening on it (bound then released). */
export function deadPort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- node:http

/**
 * Plain request with node:http. Resolves with { status, headers, text, json }.
 * `body` may be a string, Buffer or object (sent as JSON).
 */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    let payload = body;
    const hdrs = { ...headers };
    if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
      payload = JSON.stringify(body);
      hdrs['content-type'] ??= 'application/json';
    }
    const req = http.request(url, { method, headers: hdrs, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        clearTimeout(t);
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', (e) => { clearTimeout(t); reject(e); });
    });
    const t = setTimeout(() => req.destroy(new Error(`request ${method} ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => { clearTimeout(t); reject(e); });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Parse SSE text into the list of `data:` payloads (one per event). */
export function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
    if (data.length) events.push(data.join('\n'));
  }
  return events;
}

/**
 * POST a streaming request and read the SSE response to its end.
 * opts.onData(textSoFar, req) is called on every received chunk (it may
 * destroy the request to simulate a client going away).
 * Resolves with { status, headers, text, events, aborted, error }.
 */
export function streamRequest(url, body, { headers = {}, timeoutMs = 15000, onData } = {}) {
  return new Promise((resolve) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    let text = '';
    let settled = false;
    let status = 0;
    let resHeaders = {};
    const done = (extra) => {
      if (settled) return;
      settled = true;
      clearTimeout(t);
      resolve({ status, headers: resHeaders, text, events: parseSse(text), ...extra });
    };
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    }, (res) => {
      status = res.statusCode;
      resHeaders = res.headers;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
        onData?.(text, req);
      });
      res.on('end', () => done({ aborted: false, error: null }));
      res.on('aborted', () => done({ aborted: true, error: null }));
      res.on('error', (e) => done({ aborted: true, error: e }));
      res.on('close', () => done({ aborted: !res.complete, error: null }));
    });
    const t = setTimeout(() => { req.destroy(); done({ aborted: true, error: new Error(`stream timed out after ${timeoutMs} ms`) }); }, timeoutMs);
    req.on('error', (e) => done({ aborted: true, error: e }));
    req.end(payload);
  });
}

// ---------------------------------------------------------------- assertions

/** Assert `json` is an OpenAI-shaped error: {"error":{"message","type","param","code"}}. */
export function assertOpenAIError(json, { param, context = '' } = {}) {
  const where = context ? ` (${context})` : '';
  assert.ok(json && typeof json === 'object', `error body is not JSON${where}: ${JSON.stringify(json)}`);
  const e = json.error;
  assert.ok(e && typeof e === 'object', `missing "error" object${where}: ${JSON.stringify(json)}`);
  assert.equal(typeof e.message, 'string', `error.message must be a string${where}: ${JSON.stringify(json)}`);
  assert.ok(e.message.length > 0, `error.message must not be empty${where}`);
  assert.equal(typeof e.type, 'string', `error.type must be a string${where}: ${JSON.stringify(json)}`);
  assert.ok('param' in e, `error.param must be present${where}: ${JSON.stringify(json)}`);
  assert.ok(e.param === null || typeof e.param === 'string', `error.param must be string|null${where}: ${JSON.stringify(json)}`);
  assert.ok('code' in e, `error.code must be present${where}: ${JSON.stringify(json)}`);
  assert.ok(e.code === null || typeof e.code === 'string', `error.code must be string|null${where}: ${JSON.stringify(json)}`);
  if (param !== undefined) assert.equal(e.param, param, `error.param${where}: ${JSON.stringify(json)}`);
  return e;
}

/** Promise that rejects after ms with `what`, for racing against hangs. */
export function within(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GET /v1/usage + `query` until `pred` holds (usage rows are written a moment after the request). */
export async function usageUntil(gw, query, pred, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(gw.url(`/v1/usage${query}`));
    if (r.status !== 200) throw new Error(`GET /v1/usage${query}: ${r.status} ${r.text}`);
    if (pred(r.json) || Date.now() > deadline) return r.json;
    await sleep(100);
  }
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function expectError(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail(`${what}: expected an error, but the call succeeded`);
}

/** Every item an async iterator yields (a client's stream). */
export async function collectAll(iterator) {
  const items = [];
  for await (const item of iterator) items.push(item);
  return items;
}
