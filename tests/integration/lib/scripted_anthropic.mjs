// A scripted Anthropic Messages API upstream: the ScriptedUpstream (real
// sockets, recorded requests, one-shot modes) answering POST /v1/messages in
// Anthropic's shapes, plain and streamed, with tool use when the request
// offers tools.
//
// POST /v1/messages/count_tokens answers 1000 plus the number of
// whitespace-separated pieces of the JSON of `system` and `messages`.
//
// Modes besides ScriptedUpstream's: anthropicError(status, type, message)
// answers with Anthropic's error body; { type: 'normal', stopEarly: true } cuts
// a stream before message_stop, { type: 'normal', errorMidStream: true } sends
// an error event after the text.

import { ScriptedUpstream } from './scripted_upstream.mjs';

export const ANTHROPIC_CANNED = Object.freeze({
  text: 'Hello from the scripted Anthropic upstream.',
  pieces: ['Hello ', 'from ', 'Claude.'],
  usage: { input_tokens: 21, output_tokens: 6 },
  tool: { id: 'toolu_01scripted', input: { city: 'Paris', days: 2 } },
});

export class ScriptedAnthropic extends ScriptedUpstream {
  _normal(req, res, rec, mode) {
    const body = rec.json ?? {};
    if (rec.method === 'POST' && rec.path === '/v1/messages/count_tokens') {
      // Anthropic refuses max_tokens here; the count is one per word of the
      // messages' text, so a test can tell the body arrived whole.
      if ('max_tokens' in body) {
        return this._json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' } });
      }
      const text = JSON.stringify([body.system ?? '', body.messages ?? []]);
      return this._json(res, 200, { input_tokens: 1000 + text.split(/\s+/).length });
    }
    if (rec.method !== 'POST' || rec.path !== '/v1/messages') {
      return this._json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${rec.method} ${rec.path}` } });
    }
    const useTool = Array.isArray(body.tools) && body.tools.length > 0 && !mode.noTool;
    if (body.stream) return this._anthropicStream(res, body, mode, useTool);
    const content = useTool
      ? [{ type: 'text', text: 'Let me look.' },
         { type: 'tool_use', id: ANTHROPIC_CANNED.tool.id, name: body.tools[0].name, input: ANTHROPIC_CANNED.tool.input }]
      : [{ type: 'text', text: mode.content ?? ANTHROPIC_CANNED.text }];
    return this._json(res, 200, {
      id: 'msg_01scripted',
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: useTool ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: ANTHROPIC_CANNED.usage,
    });
  }

  async _anthropicStream(res, body, mode, useTool) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const send = (event, data) => new Promise((resolve) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, () => resolve()));
    await send('message_start', {
      type: 'message_start',
      message: { id: 'msg_01stream', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: ANTHROPIC_CANNED.usage.input_tokens, output_tokens: 1 } },
    });
    await send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    await send('ping', { type: 'ping' });
    for (const piece of ANTHROPIC_CANNED.pieces) {
      await send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    }
    await send('content_block_stop', { type: 'content_block_stop', index: 0 });
    if (mode.errorMidStream) {
      await send('error', { type: 'error', error: { type: 'overloaded_error', message: 'scripted anthropic: overloaded mid-stream' } });
      res.end();
      return;
    }
    if (useTool) {
      const json = JSON.stringify(ANTHROPIC_CANNED.tool.input);
      await send('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: ANTHROPIC_CANNED.tool.id, name: body.tools[0].name, input: {} } });
      for (const part of [json.slice(0, 5), json.slice(5)]) {
        await send('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: part } });
      }
      await send('content_block_stop', { type: 'content_block_stop', index: 1 });
    }
    if (mode.stopEarly) {
      res.end();
      return;
    }
    await send('message_delta', { type: 'message_delta', delta: { stop_reason: useTool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: ANTHROPIC_CANNED.usage.output_tokens } });
    await send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

// Enqueue-able mode: an Anthropic-shaped error.
export function anthropicError(status, errorType, message) {
  return async (_req, res) => {
    const text = JSON.stringify({ type: 'error', error: { type: errorType, message } });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}
