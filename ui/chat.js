// The chat playground: a conversation with any model the gateway serves,
// streamed through POST /v1/chat/completions as server-sent events, with
// tokens per second measured from the first token and a stop button that
// aborts the request (the gateway then cancels the generation).

import { api, authHeaders, el, readAnswer } from './lib.js';

const $ = (id) => document.getElementById(id);

const history = []; // {role, content} of the turns so far
let controller = null;

// The picker suggests the models the key may list; a key that may chat but
// not list models can still type a name.
export async function loadModels() {
  const answer = await api('/v1/models');
  if (!answer.ok) return;
  const ids = answer.data.data.map((m) => m.id);
  $('chat-models').replaceChildren(...ids.map((id) => el('option', { value: id })));
  if (!$('chat-model').value && ids.length) $('chat-model').value = ids[0];
}

function addTurn(role, text) {
  const body = el('div', { class: 'text' }, text);
  $('chat-log').append(el('div', { class: 'turn ' + role }, el('strong', {}, role), body));
  return body;
}

function numberOrUndefined(id) {
  const v = $(id).value;
  return v === '' ? undefined : Number(v);
}

function request(messages) {
  const body = {
    model: $('chat-model').value,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: numberOrUndefined('chat-temperature'),
    top_p: numberOrUndefined('chat-top-p'),
    max_tokens: numberOrUndefined('chat-max-tokens'),
    seed: numberOrUndefined('chat-seed'),
  };
  return JSON.stringify(body);
}

async function send(event) {
  event.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text || controller) return;
  $('chat-error').textContent = '';
  $('chat-input').value = '';
  addTurn('user', text);
  history.push({ role: 'user', content: text });
  const system = $('chat-system').value.trim();
  const messages = system ? [{ role: 'system', content: system }, ...history] : [...history];

  controller = new AbortController();
  $('chat-send').disabled = true;
  $('chat-stop').disabled = false;
  $('chat-stats').textContent = 'waiting…';
  const output = addTurn('assistant', '');
  const stats = { tokens: 0, first: 0, usage: null };
  try {
    const res = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: authHeaders({ 'content-type': 'application/json' }),
      body: request(messages),
      signal: controller.signal,
    });
    if (!res.ok) {
      const answer = await readAnswer(res);
      throw new Error(answer.message);
    }
    await readStream(res, output, stats);
    finish(output, stats, '');
  } catch (e) {
    finish(output, stats, e.name === 'AbortError' ? 'stopped' : '');
    if (e.name !== 'AbortError') {
      $('chat-error').textContent = e.message;
      if (!stats.tokens) $('chat-stats').textContent = '';
      if (!output.textContent) output.parentElement.remove();
    }
  }
}

function finish(output, stats, note) {
  if (output.textContent) history.push({ role: 'assistant', content: output.textContent });
  else if (history.length && history[history.length - 1].role === 'user' && !note) history.pop();
  controller = null;
  $('chat-send').disabled = false;
  $('chat-stop').disabled = true;
  showStats(stats, note);
}

// Server-sent events: "data: {json}" lines, events apart by a blank line.
async function readStream(res, output, stats) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        onChunk(JSON.parse(data), output, stats);
      }
    }
  }
}

function onChunk(chunk, output, stats) {
  if (chunk.error) throw new Error(chunk.error.message);
  if (chunk.usage) stats.usage = chunk.usage;
  const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
  if (delta && delta.content) {
    if (!stats.first) stats.first = performance.now();
    stats.tokens += 1;
    output.textContent += delta.content;
    showStats(stats, '');
  }
}

function showStats(stats, note) {
  const tokens = stats.usage ? stats.usage.completion_tokens : stats.tokens;
  const seconds = stats.first ? (performance.now() - stats.first) / 1000 : 0;
  // The first token ends the prompt's processing: the rate counts those after it.
  const rate = seconds > 0 && tokens > 1 ? ((tokens - 1) / seconds).toFixed(1) : '–';
  $('chat-stats').textContent = `${tokens} tokens, ${rate} tokens/s` + (note ? ' (' + note + ')' : '');
}

$('chat-form').addEventListener('submit', send);
$('chat-stop').addEventListener('click', () => controller && controller.abort());
$('chat-clear').addEventListener('click', () => {
  history.length = 0;
  $('chat-log').replaceChildren();
  $('chat-stats').textContent = '';
  $('chat-error').textContent = '';
});
$('chat-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $('chat-form').requestSubmit();
  }
});
