// A scripted OpenAI upstream that has the Responses API itself (what a
// `responses = "native"` backend forwards to): POST /v1/responses answers a
// Response object, or its stream of events as OpenAI sends them, with an id
// of its own (resp_upstream_N) and text that says which request it answers.
// Everything else is the ScriptedUpstream's (chat completions, modes, records).

import { ScriptedUpstream } from './scripted_upstream.mjs';

export const NATIVE_CANNED = Object.freeze({
  pieces: ['Native ', 'answer ', 'here.'],
  usage: { input_tokens: 11, output_tokens: 5, total_tokens: 16 },
});

export class ScriptedResponses extends ScriptedUpstream {
  constructor() {
    super();
    this.answered = 0;
  }

  _normal(req, res, rec, mode) {
    if (rec.method !== 'POST' || rec.path !== '/v1/responses') return super._normal(req, res, rec, mode);
    const body = rec.json ?? {};
    const n = ++this.answered;
    const text = NATIVE_CANNED.pieces.join('');
    const message = {
      type: 'message', id: `msg_upstream_${n}`, status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
    const response = (status, output) => ({
      id: `resp_upstream_${n}`, object: 'response', created_at: 1700000000 + n, status,
      model: body.model, output, usage: status === 'completed' ? NATIVE_CANNED.usage : null,
      store: body.store ?? true, metadata: body.metadata ?? {},
    });
    if (!body.stream) return this._json(res, 200, response('completed', [message]));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    let seq = 0;
    const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
    send('response.created', { response: response('in_progress', []) });
    send('response.in_progress', { response: response('in_progress', []) });
    send('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } });
    send('response.content_part.added', { item_id: message.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of NATIVE_CANNED.pieces) send('response.output_text.delta', { item_id: message.id, output_index: 0, content_index: 0, delta });
    send('response.output_text.done', { item_id: message.id, output_index: 0, content_index: 0, text });
    send('response.content_part.done', { item_id: message.id, output_index: 0, content_index: 0, part: message.content[0] });
    send('response.output_item.done', { output_index: 0, item: message });
    send('response.completed', { response: response('completed', [message]) });
    res.end();
  }
}
