// edgeai in the browser: the gateway and the engine in a Web Worker, behind an
// API shaped like the OpenAI SDK's.
//
//   import { EdgeAI } from './edgeai.js';
//   const ai = await EdgeAI.load(urlOrFileOrArrayBuffer, { onProgress });
//   for await (const chunk of ai.chat.completions.create({ messages, stream: true })) ...
//   const reply = await ai.chat.completions.create({ messages });
//   await ai.completions.create({ prompt, max_tokens: 16 });
//   await ai.embeddings.create({ input: 'text' });
//
// Every call is a request to the portable Gateway (the JSON-lines protocol of
// docs/protocol.md), so bodies and stream chunks are those of the HTTP API.
// edgeai-worker.js, edgeai-web.js and edgeai-web.wasm sit beside this file.

export class APIError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.name = 'APIError';
    this.status = status;
    this.error = error; // OpenAI's error object: message, type, code
    this.code = error?.code;
    this.type = error?.type;
  }
}

// The model's id from where it came from: the file's name without .gguf.
function modelName(source) {
  let name = 'model';
  if (typeof source === 'string' || source instanceof URL) {
    name = new URL(String(source), location.href).pathname.split('/').pop() || name;
  } else if (typeof File !== 'undefined' && source instanceof File) {
    name = source.name;
  }
  return name.replace(/\.gguf$/i, '') || 'model';
}

export class EdgeAI {
  // A worker with `source` loaded; rejects (and ends the worker) when the
  // model cannot be loaded. options: onProgress(loaded, total), name (the
  // model id), chatTemplate (a format name such as 'chatml', or a Jinja
  // template's text; default the model's own), ctxSize, parallel, workerUrl.
  static async load(source, options = {}) {
    const ai = new EdgeAI(options);
    try {
      await ai.load(source, options);
    } catch (e) {
      ai.terminate();
      throw e;
    }
    return ai;
  }

  #worker;
  #nextId = 1;
  #calls = new Map(); // request id -> {onLine, seq}
  #requestsSent = 0;
  #loads = new Map(); // load id -> {resolve, reject, onProgress}
  #partial = '';

  constructor(options = {}) {
    const url = options.workerUrl ?? new URL('./edgeai-worker.js', import.meta.url);
    this.#worker = new Worker(url);
    this.#worker.onmessage = (event) => this.#onMessage(event.data);
    this.#worker.onerror = (event) => this.#failAll(new Error(event.message || 'the worker failed'));
    this.model = null;
    this.chat = { completions: { create: (params) => this.#create('/v1/chat/completions', params) } };
    this.completions = { create: (params) => this.#create('/v1/completions', params) };
    this.embeddings = { create: (params) => this.#create('/v1/embeddings', params) };
    this.models = { list: () => this.#request('GET', '/v1/models') };
  }

  // Loads another model into this worker. When it fails the model loaded
  // before goes on serving. An ArrayBuffer is transferred (not copied) to
  // the worker, so the page no longer holds it.
  load(source, options = {}) {
    const id = this.#nextId++;
    const name = options.name ?? modelName(source);
    if (source instanceof URL) source = source.href;
    if (typeof source === 'string') source = new URL(source, location.href).href;
    const transfer = source instanceof ArrayBuffer ? [source] : [];
    return new Promise((resolve, reject) => {
      this.#loads.set(id, { resolve, reject, onProgress: options.onProgress });
      this.#worker.postMessage({ type: 'load', id, source, name, chatTemplate: options.chatTemplate ?? '',
                                 ctxSize: options.ctxSize ?? 0, parallel: options.parallel ?? 1 }, transfer);
    }).then((loaded) => {
      this.model = loaded.model;
      return loaded;
    });
  }

  terminate() {
    this.#worker.terminate();
    this.#failAll(new Error('the worker was terminated'));
  }

  #onMessage(msg) {
    if (msg.type === 'lines') {
      const text = this.#partial + msg.text;
      const lines = text.split('\n');
      this.#partial = lines.pop();
      for (const line of lines) {
        if (!line) continue;
        const answer = JSON.parse(line);
        this.#calls.get(String(answer.id))?.onLine(answer);
      }
      return;
    }
    const load = this.#loads.get(msg.id);
    if (!load) return;
    if (msg.type === 'progress') {
      load.onProgress?.(msg.loaded, msg.total);
    } else if (msg.type === 'loaded') {
      this.#loads.delete(msg.id);
      // The requests the worker had before the swap ran on the old model and
      // were cancelled with it; they get no more lines.
      for (const call of [...this.#calls.values()]) {
        if (call.seq <= msg.requestsBefore) {
          call.onLine({ type: 'error', error: { code: 'model_replaced',
                                                message: 'another model was loaded while this request ran' } });
        }
      }
      load.resolve({ model: msg.model, bytes: msg.bytes });
    } else if (msg.type === 'failed') {
      this.#loads.delete(msg.id);
      load.reject(new Error(msg.error));
    }
  }

  #failAll(error) {
    for (const load of this.#loads.values()) load.reject(error);
    this.#loads.clear();
    for (const call of [...this.#calls.values()]) call.onLine({ type: 'error', error: { message: error.message } });
  }

  // Sends one request line; `onLine` gets each answer line until the last.
  #send(method, path, body, onLine) {
    const id = this.#nextId++;
    const seq = ++this.#requestsSent;
    this.#calls.set(String(id), {
      seq,
      onLine: (answer) => {
        if (answer.type === 'end' || answer.type === 'error') this.#calls.delete(String(id));
        onLine(answer);
      },
    });
    const request = { id, method, path, headers: { 'content-type': 'application/json' } };
    if (body !== undefined) request.body = body;
    this.#worker.postMessage({ type: 'request', line: JSON.stringify(request) });
    return id;
  }

  // A whole answer: resolves to the body, rejects with APIError.
  #request(method, path, body) {
    return new Promise((resolve, reject) => {
      let status = 0;
      let answerBody;
      this.#send(method, path, body, (answer) => {
        if (answer.type === 'head') status = answer.status;
        else if (answer.type === 'body') answerBody = answer.body;
        else if (answer.type === 'error') reject(new APIError(0, answer.error));
        else if (answer.type === 'end') {
          if (status >= 400) reject(new APIError(status, answerBody?.error));
          else resolve(answerBody);
        }
      });
    });
  }

  #create(path, params = {}) {
    const body = { ...params };
    if (body.model === undefined && this.model) body.model = this.model;
    if (!body.stream) return this.#request('POST', path, body);
    return new ChunkStream((onLine) => this.#send('POST', path, body, onLine),
                           (id) => this.#worker.postMessage({ type: 'cancel', requestId: id }));
  }
}

// A streamed answer: `for await` it directly, or await it first as with the
// OpenAI SDK. Leaving the loop early cancels the request in the worker.
class ChunkStream {
  #queue = [];
  #waiting = null;
  #done = false;
  #error = null;
  #status = 0;
  #body;
  #id;
  #cancel;

  constructor(start, cancel) {
    this.#cancel = cancel;
    this.#id = start((answer) => this.#onLine(answer));
    this.controller = { abort: () => this.#abort() };
  }

  #onLine(answer) {
    if (answer.type === 'head') {
      this.#status = answer.status;
    } else if (answer.type === 'event') {
      if (answer.data === '[DONE]') return;
      if (answer.data?.error) this.#error = new APIError(this.#status, answer.data.error);
      else this.#queue.push(answer.data);
    } else if (answer.type === 'body') {
      this.#body = answer.body;
    } else if (answer.type === 'error') {
      this.#error = new APIError(0, answer.error);
      this.#done = true;
    } else if (answer.type === 'end') {
      if (this.#status >= 400) this.#error = new APIError(this.#status, this.#body?.error);
      this.#done = true;
    }
    this.#wake();
  }

  #wake() {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.();
  }

  #abort() {
    if (this.#done) return;
    this.#done = true;
    this.#cancel(this.#id);
    this.#wake();
  }

  async *#chunks() {
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          yield this.#queue.shift();
        } else if (this.#error) {
          throw this.#error;
        } else if (this.#done) {
          return;
        } else {
          await new Promise((resolve) => { this.#waiting = resolve; });
        }
      }
    } finally {
      this.#abort();
    }
  }

  [Symbol.asyncIterator]() {
    return this.#chunks();
  }

  // `await create({stream: true})` gives an iterable, as the SDK's does.
  then(resolve, reject) {
    const iterable = { [Symbol.asyncIterator]: () => this.#chunks(), controller: this.controller };
    return Promise.resolve(iterable).then(resolve, reject);
  }
}
