// A scripted OpenAI-compatible upstream for the edgeai integration tests.
//
// It is a real HTTP server on 127.0.0.1:<ephemeral port>. By default it answers
// like a tiny OpenAI API (chat completions, streaming with optional usage chunk,
// completions, embeddings in float or base64, models list/get). Each test can
// queue one-shot behaviours ("modes") for the next request(s), e.g. answer with a
// given status and OpenAI error body, answer 200 with garbage, hang, cut a
// stream mid-way or reply with raw non-HTTP bytes.
//
// Every request is recorded (method, path, headers, raw body bytes) together
// with how the exchange ended, so tests can assert exactly what the gateway
// forwarded and whether the gateway closed the upstream connection early.

import http from 'node:http';

export const CANNED = Object.freeze({
  model: 'gpt-test',
  chatContent: 'Hello from the scripted upstream.',
  completionText: ' and that is the scripted completion.',
  embedding: [0.5, -0.25, 0.125, 1.0],
  models: ['gpt-test', 'gpt-test-mini', 'text-embedding-test'],
  created: 1700000000,
});

/** The content of the i-th streamed chunk (0-based). */
export function streamToken(i) {
  return `tok${i} `;
}

function float32Base64(values) {
  const arr = new Float32Array(values);
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).toString('base64');
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function openaiError(status, message, type, code = null, param = null) {
  return { error: { message, type, param, code } };
}

/** Default error body used for `{ type: 'error', status }` when none is given. */
export function defaultErrorBody(status) {
  const table = {
    400: ['upstream says: bad request', 'invalid_request_error', 'bad_request'],
    401: ['upstream says: incorrect API key provided', 'invalid_request_error', 'invalid_api_key'],
    403: ['upstream says: permission denied', 'invalid_request_error', 'permission_denied'],
    404: ['upstream says: the model does not exist', 'invalid_request_error', 'model_not_found'],
    409: ['upstream says: conflict', 'invalid_request_error', 'conflict'],
    422: ['upstream says: unprocessable', 'invalid_request_error', 'unprocessable'],
    429: ['upstream says: rate limit reached', 'requests', 'rate_limit_exceeded'],
    500: ['upstream says: internal server error', 'server_error', 'internal_error'],
    502: ['upstream says: bad gateway', 'server_error', 'bad_gateway'],
    503: ['upstream says: overloaded', 'server_error', 'overloaded'],
    504: ['upstream says: timeout', 'server_error', 'timeout'],
  };
  const [message, type, code] = table[status] ?? [`upstream says: status ${status}`, 'server_error', null];
  return openaiError(status, message, type, code);
}

export class ScriptedUpstream {
  constructor() {
    /** @type {Array<object>} every request received, in arrival order */
    this.requests = [];
    /** one-shot modes consumed by the next requests (FIFO) */
    this.queue = [];
    /** mode used when the queue is empty */
    this.defaultMode = { type: 'normal' };
    this.port = 0;
    this.server = null;
    this.sockets = new Set();
    this.timers = new Set();
    this._waiters = [];
    this._seq = 0;
  }

  /** Base URL to hand to the gateway's --upstream (ends with /v1). */
  get baseUrl() {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start() {
    await this._listen(0);
    return this;
  }

  _listen(port) {
    const server = http.createServer({ noDelay: true, keepAliveTimeout: 5000 }, (req, res) => {
      this._onRequest(req, res).catch((err) => {
        // Never let a scripted behaviour crash the test process.
        try { res.destroy(err); } catch { /* ignore */ }
      });
    });
    server.on('connection', (sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    // A gateway that sends something unparsable must not crash us.
    server.on('clientError', (_err, sock) => {
      try { sock.destroy(); } catch { /* ignore */ }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.port = server.address().port;
        resolve();
      });
    });
  }

  /** Stop listening and drop every connection (the port then refuses connections). */
  async pause() {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Listen again on the same port after pause(). */
  async resume() {
    if (this.server) return;
    await this._listen(this.port);
  }

  async close() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.pause();
  }

  /** Queue one-shot behaviours for the next requests, in order. */
  enqueue(...modes) {
    this.queue.push(...modes);
    return this;
  }

  /** Forget the recorded requests and any queued behaviours. */
  reset() {
    this.requests = [];
    this.queue = [];
    this.defaultMode = { type: 'normal' };
  }

  /** Recorded requests whose path (without query) equals `path`. */
  requestsTo(path, method) {
    return this.requests.filter((r) => r.path === path && (!method || r.method === method));
  }

  /** Recorded POST requests (the API calls, as opposed to possible health probes). */
  get posts() {
    return this.requests.filter((r) => r.method === 'POST');
  }

  /** Resolve with the first recorded request matching `pred` (waiting up to timeoutMs). */
  waitForRequest(pred = () => true, timeoutMs = 5000) {
    const found = this.requests.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve };
      const timer = setTimeout(() => {
        this._waiters = this._waiters.filter((w) => w !== waiter);
        reject(new Error(`scripted upstream: no matching request within ${timeoutMs} ms ` +
          `(received: ${this.requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none'})`));
      }, timeoutMs);
      waiter.resolve = (r) => { clearTimeout(timer); resolve(r); };
      this._waiters.push(waiter);
    });
  }

  _delay(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.timers.delete(t); resolve(); }, ms);
      this.timers.add(t);
    });
  }

  async _onRequest(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://upstream.invalid');
    let json;
    try { json = body.length ? JSON.parse(body.toString('utf8')) : undefined; } catch { json = undefined; }

    const mode = this.queue.length ? this.queue.shift() : this.defaultMode;
    let resolveEnded;
    const rec = {
      seq: ++this._seq,
      method: req.method,
      url: req.url,
      path: url.pathname,
      query: url.search,
      headers: { ...req.headers },
      rawHeaders: [...req.rawHeaders],
      httpVersion: req.httpVersion,
      body,
      text: body.toString('utf8'),
      json,
      mode,
      /** true once the response was completely written by us */
      finished: false,
      /** true if the connection closed before we finished our response */
      closedEarly: false,
      /** resolves with { early } when the exchange ends either way */
      ended: null,
    };
    rec.ended = new Promise((resolve) => { resolveEnded = resolve; });
    res.on('finish', () => { rec.finished = true; });
    res.on('close', () => {
      if (!rec.finished) rec.closedEarly = true;
      resolveEnded({ early: rec.closedEarly });
    });
    this.requests.push(rec);
    for (const w of [...this._waiters]) {
      if (w.pred(rec)) {
        this._waiters = this._waiters.filter((x) => x !== w);
        w.resolve(rec);
      }
    }

    if (typeof mode === 'function') {
      await mode(req, res, rec);
      return;
    }
    if (mode.delayMs) await this._delay(mode.delayMs);
    switch (mode.type) {
      case 'normal':
        return this._normal(req, res, rec, mode);
      case 'error': {
        const status = mode.status ?? 500;
        const payload = mode.body === undefined ? defaultErrorBody(status) : mode.body;
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, {
          'content-type': mode.contentType ?? (typeof payload === 'string' ? 'text/plain' : 'application/json'),
          'content-length': Buffer.byteLength(text),
          ...(mode.headers ?? {}),
        });
        res.end(text);
        return;
      }
      case 'garbage': {
        const text = mode.body ?? '<html><body>this is { definitely not JSON';
        res.writeHead(200, {
          'content-type': mode.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      case 'hang':
        // Never answer; the connection is dropped at close()/pause() or by the gateway.
        return;
      case 'raw': {
        // Not HTTP at all: write bytes straight to the socket and close it.
        const sock = req.socket;
        sock.write(mode.bytes ?? 'SSH-2.0-OpenSSH_9.6 definitely not http\r\n\r\n\x00\x01\x02', () => sock.end());
        return;
      }
      default:
        throw new Error(`scripted upstream: unknown mode ${JSON.stringify(mode)}`);
    }
  }

  _normal(req, res, rec, mode) {
    const { method, path } = rec;
    const body = rec.json ?? {};
    if (method === 'GET' && path === '/v1/models') {
      return this._json(res, 200, {
        object: 'list',
        data: CANNED.models.map((id) => ({ id, object: 'model', created: CANNED.created, owned_by: 'scripted' })),
      });
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!CANNED.models.includes(id)) {
        return this._json(res, 404, openaiError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
      }
      return this._json(res, 200, { id, object: 'model', created: CANNED.created, owned_by: 'scripted' });
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      if (body.stream) return this._stream(res, rec, mode, 'chat');
      return this._json(res, 200, {
        id: 'chatcmpl-scripted',
        object: 'chat.completion',
        created: CANNED.created,
        model: body.model ?? CANNED.model,
        choices: [{
          index: 0,
          message: { role: 'assistant', content: mode.content ?? CANNED.chatContent, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        }],
        usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
        system_fingerprint: 'fp_scripted',
      });
    }
    if (method === 'POST' && path === '/v1/completions') {
      if (body.stream) return this._stream(res, rec, mode, 'text');
      return this._json(res, 200, {
        id: 'cmpl-scripted',
        object: 'text_completion',
        created: CANNED.created,
        model: body.model ?? CANNED.model,
        choices: [{ index: 0, text: CANNED.completionText, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 },
      });
    }
    if (method === 'POST' && path === '/v1/embeddings') {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const b64 = body.encoding_format === 'base64';
      return this._json(res, 200, {
        object: 'list',
        model: body.model ?? 'text-embedding-test',
        data: inputs.map((_, index) => ({
          object: 'embedding',
          index,
          embedding: b64 ? float32Base64(CANNED.embedding) : CANNED.embedding,
        })),
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
    }
    return this._json(res, 404, openaiError(404, `scripted upstream: no route ${method} ${path}`, 'invalid_request_error', 'unknown_url'));
  }

  _json(res, status, obj) {
    const text = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /**
   * SSE stream of `mode.chunks` (default 3) content chunks, an optional usage
   * chunk (when the request asks stream_options.include_usage) and [DONE].
   * mode.intervalMs spaces the events; mode.cutAfter closes the connection
   * after that many content chunks without ever sending [DONE]; mode.stallAfter
   * stops writing after that many chunks but keeps the connection open;
   * mode.splitEvents writes every event in two TCP writes; mode.tokenFn(i, rec)
   * overrides the i-th chunk's content.
   */
  async _stream(res, rec, mode, kind) {
    const body = rec.json ?? {};
    const n = mode.chunks ?? 3;
    const interval = mode.intervalMs ?? 0;
    const includeUsage = !!body.stream_options?.include_usage;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    let closed = false;
    res.on('close', () => { closed = true; });
    const write = async (obj) => {
      const text = typeof obj === 'string' ? obj : `data: ${JSON.stringify(obj)}\n\n`;
      if (mode.splitEvents && text.length > 1 && !closed) {
        // Each event in two TCP writes, split mid-event, with a pause between.
        const cut = Math.max(1, Math.floor(text.length / 2));
        await new Promise((resolve) => res.write(text.slice(0, cut), () => resolve()));
        await this._delay(15);
        if (closed) return;
        await new Promise((resolve) => res.write(text.slice(cut), () => resolve()));
        return;
      }
      await new Promise((resolve) => res.write(text, () => resolve()));
    };
    const base = kind === 'chat'
      ? { id: 'chatcmpl-scripted-stream', object: 'chat.completion.chunk', created: CANNED.created, model: body.model ?? CANNED.model, system_fingerprint: 'fp_scripted' }
      : { id: 'cmpl-scripted-stream', object: 'text_completion', created: CANNED.created, model: body.model ?? CANNED.model };
    for (let i = 0; i < n; i++) {
      if (closed) return;
      if (mode.cutAfter !== undefined && i === mode.cutAfter) {
        await this._cut(res);
        return;
      }
      if (mode.stallAfter !== undefined && i === mode.stallAfter) {
        return; // keep the connection open and never write again
      }
      const piece = mode.tokenFn ? mode.tokenFn(i, rec) : streamToken(i);
      const choice = kind === 'chat'
        ? { index: 0, delta: i === 0 ? { role: 'assistant', content: piece } : { content: piece }, logprobs: null, finish_reason: null }
        : { index: 0, text: piece, logprobs: null, finish_reason: null };
      const chunk = { ...base, choices: [choice] };
      if (includeUsage) chunk.usage = null;
      await write(chunk);
      if (interval) await this._delay(interval);
    }
    if (closed) return;
    if (mode.cutAfter !== undefined && mode.cutAfter >= n) {
      await this._cut(res);
      return;
    }
    const last = kind === 'chat'
      ? { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }
      : { ...base, choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }] };
    if (includeUsage) last.usage = null;
    await write(last);
    if (includeUsage) {
      await write({ ...base, choices: [], usage: { prompt_tokens: 11, completion_tokens: n, total_tokens: 11 + n } });
    }
    if (closed) return;
    await write('data: [DONE]\n\n');
    res.end();
  }

  async _cut(res) {
    // Close the TCP connection without the chunked terminator and without [DONE].
    await sleep(20);
    const sock = res.socket;
    if (sock) {
      sock.end();
      const t = setTimeout(() => { this.timers.delete(t); sock.destroy(); }, 200);
      this.timers.add(t);
    } else {
      res.destroy();
    }
  }
}

export async function startUpstream() {
  return new ScriptedUpstream().start();
}
