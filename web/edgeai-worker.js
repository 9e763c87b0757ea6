// The Web Worker that runs edgeai-web.wasm: the gateway and the engine, off
// the page's thread. It speaks to web/edgeai.js in messages:
//   in:  {type:'load', id, source: File|Blob|ArrayBuffer|URL string, name, chatTemplate,
//         ctxSize, parallel}
//        {type:'request', line}      one JSON request line (docs/protocol.md)
//        {type:'cancel', requestId}
//   out: {type:'ready'} | {type:'progress', id, loaded, total}
//        {type:'loaded', id, model, bytes, requestsBefore} | {type:'failed', id, error}
//        {type:'lines', text}        answer lines, as many as one turn produced
// requestsBefore counts the request messages received before the new model
// took over: those still running were cancelled with the old model.
// A model's bytes go straight into the module's memory as they arrive, so a
// model is held once: not in a JS buffer and again in wasm.
'use strict';

importScripts(new URL('edgeai-web.js', self.location.href).href);

// Compute per turn before the worker looks at its messages again (a cancel,
// a new request): short enough to feel immediate, long enough that the
// turns cost nothing next to the forward passes.
const PUMP_BUDGET_MS = 20;

let M = null;
let requestsReceived = 0;
const modulePromise = createEdgeAIModule().then((m) => {
  M = m;
  self.postMessage({ type: 'ready' });
});

// Turns are queued through a MessageChannel rather than setTimeout(0), which
// browsers clamp to 4 ms once nested: one token per turn would crawl.
const channel = new MessageChannel();
let turnQueued = false;
let timer = null;
channel.port1.onmessage = () => {
  turnQueued = false;
  pump();
};

function schedule(delayMs) {
  if (delayMs === 0) {
    if (!turnQueued) {
      turnQueued = true;
      channel.port2.postMessage(0);
    }
  } else if (delayMs > 0) {
    clearTimeout(timer);
    timer = setTimeout(() => schedule(0), delayMs);
  }
}

function flush() {
  const size = M._edgeai_output_size();
  if (size === 0) return;
  const ptr = M._edgeai_output_data();
  const text = new TextDecoder().decode(M.HEAPU8.subarray(ptr, ptr + size));
  M._edgeai_output_clear();
  self.postMessage({ type: 'lines', text });
}

function pump() {
  const next = M._edgeai_pump(PUMP_BUDGET_MS);
  flush();
  schedule(next);
}

function send(line) {
  const ptr = cString(line);
  M._edgeai_receive(ptr, M.lengthBytesUTF8(line));
  M._free(ptr);
  flush();
  schedule(0);
}

const MiB = 1024 * 1024;

// The buffer the model's bytes are written into, or an error a user can act on.
function modelBuffer(size) {
  const ptr = M._edgeai_model_buffer(size);
  if (ptr === 0) {
    throw new Error(`the model (${Math.ceil(size / MiB)} MiB) does not fit in this tab's ` +
                    'WebAssembly memory (4 GiB at most, less on some devices)');
  }
  return ptr;
}

// Streams a reader of `size` bytes into the module's memory.
async function streamInto(reader, size, onProgress) {
  const ptr = modelBuffer(size);
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length > size) throw new Error(`the model is longer than its ${size} bytes`);
    // HEAPU8 is read each time: the memory may have grown (a new view).
    M.HEAPU8.set(value, ptr + offset);
    offset += value.length;
    onProgress(offset, size);
  }
  if (offset !== size) throw new Error(`the model ended after ${offset} of its ${size} bytes`);
}

async function writeModel(source, onProgress) {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    const ptr = modelBuffer(bytes.length);
    M.HEAPU8.set(bytes, ptr);
    onProgress(bytes.length, bytes.length);
    return bytes.length;
  }
  if (source instanceof Blob) {
    await streamInto(source.stream().getReader(), source.size, onProgress);
    return source.size;
  }
  const response = await fetch(source);
  if (!response.ok) throw new Error(`cannot fetch ${source}: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length'));
  // A compressed response's length is not the model's: read it whole first
  // (the one case where the bytes are held twice, briefly).
  if (length > 0 && !response.headers.get('content-encoding')) {
    await streamInto(response.body.getReader(), length, onProgress);
    return length;
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return writeModel(bytes, onProgress);
}

// A copy of `text` in the module's memory, NUL-terminated; the caller frees it.
function cString(text) {
  const size = M.lengthBytesUTF8(text) + 1;
  const ptr = M._malloc(size);
  M.stringToUTF8(text, ptr, size);
  return ptr;
}

async function load(msg) {
  await modulePromise;
  let lastReport = 0;
  const onProgress = (loaded, total) => {
    const now = performance.now();
    if (loaded === total || now - lastReport > 50) {
      lastReport = now;
      self.postMessage({ type: 'progress', id: msg.id, loaded, total });
    }
  };
  try {
    const bytes = await writeModel(msg.source, onProgress);
    const idPtr = cString(msg.name);
    const templatePtr = cString(msg.chatTemplate ?? '');
    const failed = M._edgeai_load_model(idPtr, templatePtr, msg.ctxSize | 0, msg.parallel | 0 || 1);
    M._free(idPtr);
    M._free(templatePtr);
    if (failed) throw new Error(M.UTF8ToString(M._edgeai_error()));
    self.postMessage({ type: 'loaded', id: msg.id, model: msg.name, bytes,
                       requestsBefore: requestsReceived });
  } catch (e) {
    self.postMessage({ type: 'failed', id: msg.id, error: String(e && e.message || e) });
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'load') {
    await load(msg);
  } else if (msg.type === 'request') {
    requestsReceived += 1;
    await modulePromise;
    send(msg.line + '\n');
  } else if (msg.type === 'cancel') {
    await modulePromise;
    send(JSON.stringify({ id: msg.requestId, cancel: true }) + '\n');
  }
};
