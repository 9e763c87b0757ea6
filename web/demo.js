// The demo page: pick a model file, chat with it, see its speed. It uses the
// page API (edgeai.js) as any application would.
import { EdgeAI } from './edgeai.js';

const $ = (id) => document.getElementById(id);
let ai = null;
const history = [];

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function append(cls, text) {
  const p = document.createElement('p');
  p.className = cls;
  p.textContent = text;
  $('log').append(p);
  return p;
}

// Loads into the worker already running, so a bad file leaves the model
// loaded before (and the worker) in service.
export async function loadModel(source, name, chatTemplate = $('template').value) {
  const progress = $('progress');
  progress.hidden = false;
  progress.value = 0;
  setStatus('Loading…');
  const onProgress = (loaded, total) => {
    progress.value = total ? loaded / total : 0;
    setStatus(`Loading… ${(loaded / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB`);
  };
  const started = performance.now();
  try {
    if (!ai) ai = new EdgeAI();
    const loaded = await ai.load(source, { onProgress, name, chatTemplate });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(`Model ${loaded.model} ready (${(loaded.bytes / 1048576).toFixed(1)} MiB in ${seconds} s).`);
    $('prompt').disabled = false;
    $('send').disabled = false;
    return loaded;
  } catch (e) {
    setStatus(`Cannot load the model: ${e.message}`, true);
    throw e;
  } finally {
    progress.hidden = true;
  }
}

export async function chat(text, maxTokens, temperature) {
  history.push({ role: 'user', content: text });
  append('user', text);
  const out = append('assistant', '');
  const started = performance.now();
  let first = 0;
  let chunks = 0;
  let usage = null;
  let reply = '';
  try {
    const stream = ai.chat.completions.create({
      messages: history, stream: true, max_tokens: maxTokens, temperature,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const delta = chunk.choices?.[0]?.delta?.content;
      if (!delta) continue;
      if (!first) first = performance.now();
      chunks += 1;
      reply += delta;
      out.textContent = reply;
    }
  } catch (e) {
    out.className = 'error';
    out.textContent = e.message;
    history.pop();
    return { error: e.message };
  }
  history.push({ role: 'assistant', content: reply });
  const end = performance.now();
  const tokens = usage?.completion_tokens ?? chunks;
  // Decode speed: tokens after the first over the time after the first, so
  // the prompt's processing is not counted as generation.
  const decodeSeconds = first ? (end - first) / 1000 : 0;
  const tokensPerSecond = tokens > 1 && decodeSeconds > 0 ? (tokens - 1) / decodeSeconds : 0;
  const ttft = first ? first - started : 0;
  $('stats').textContent = `${tokens} tokens, ${tokensPerSecond.toFixed(1)} tok/s, ` +
    `first token after ${ttft.toFixed(0)} ms`;
  return { text: reply, tokens, chunks, tokensPerSecond };
}

$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (file) loadModel(file).catch(() => {});
});

$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('prompt').value.trim();
  if (!text || !ai) return;
  $('prompt').value = '';
  $('send').disabled = true;
  await chat(text, Number($('max-tokens').value) || 64, Number($('temperature').value));
  $('send').disabled = false;
});

// For tests and the console: the page's own calls.
window.edgeaiDemo = { loadModel, chat, get ai() { return ai; } };
