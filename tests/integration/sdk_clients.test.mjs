// The clients people build on, against the local engine (stories260K, a
// model that knows nothing of JSON or tools, so every object and call below
// holds because the engine's grammar makes it hold): Vercel's AI SDK with
// @ai-sdk/openai (its default model speaks the Responses API, `.chat()` chat
// completions): generateText, streamText, generateObject and tools; the
// OpenAI Agents SDK (Responses API): a plain agent and one with a structured
// output type; LangChain's ChatOpenAI: invoke, stream, withStructuredOutput
// and bindTools; and the openai SDK itself.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test sdk_clients.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';

import {
  binaryMissing, convertStories, makeTmpDir, missingData, removeTmpDir, startLocalServe,
} from './lib/engine.mjs';

const T = { timeout: 120000 };
const MODEL = 'stories260K';
const skip = binaryMissing() || missingData('stories260K/stories260K.bin', 'stories260K/tok512.bin');

// Bounded, so every path of the grammar ends well within the token budget.
const Person = z.object({
  name: z.string().max(12),
  color: z.enum(['red', 'green', 'blue']),
  age: z.number().int().min(0).max(120),
});
const City = z.object({ city: z.string().max(10), unit: z.enum(['c', 'f']) });

describe('client SDKs against the local engine (stories260K)', { skip }, () => {
  let tmp;
  let gw;
  let openai;
  let provider;

  before(async () => {
    tmp = makeTmpDir();
    const modelPath = await convertStories(tmp);
    gw = await startLocalServe({ models: [modelPath], args: ['--parallel', '2', '--ctx-size', '8192', '--threads', '1', '--chat-template', 'chatml'] });
    openai = new OpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl, maxRetries: 0, timeout: 100000 });
    provider = createOpenAI({ apiKey: 'sk-local-unused', baseURL: gw.baseUrl });
    setDefaultOpenAIClient(openai);
    setTracingDisabled(true);
  });

  after(async () => {
    await gw?.stop();
    removeTmpDir(tmp);
  });

  it('AI SDK: generateText and streamText, on chat completions and on the Responses API', T, async () => {
    for (const model of [provider.chat(MODEL), provider(MODEL)]) {
      const r = await generateText({ model, prompt: 'Once upon a time', maxOutputTokens: 16, temperature: 0, maxRetries: 0 });
      assert.ok(r.text.length > 0, `${model.modelId}: text`);
      assert.ok(['stop', 'length'].includes(r.finishReason), r.finishReason);
      assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0, JSON.stringify(r.usage));
      const s = streamText({ model, prompt: 'Once upon a time', maxOutputTokens: 16, temperature: 0, maxRetries: 0 });
      let text = '';
      for await (const part of s.textStream) text += part;
      assert.equal(text, r.text, 'greedy: the stream says what the plain answer said');
    }
  });

  it('AI SDK: generateObject gives an object of the schema, on both APIs', T, async () => {
    for (const model of [provider.chat(MODEL), provider(MODEL)]) {
      for (const seed of [1, 2]) {
        const r = await generateObject({ model, schema: Person, prompt: 'Describe a person.', seed, maxOutputTokens: 400, maxRetries: 0 });
        assert.deepEqual(Person.parse(r.object), r.object);
        assert.equal(r.finishReason, 'stop');
      }
    }
  });

  it('AI SDK: a required tool call is made with conforming input and executed', T, async () => {
    const seen = [];
    const r = await generateText({
      model: provider.chat(MODEL),
      prompt: 'What is the weather in Oslo?',
      tools: { get_weather: tool({ description: 'The weather', inputSchema: City, execute: async (input) => { seen.push(input); return { temp: 3 }; } }) },
      toolChoice: 'required',
      providerOptions: { openai: { parallelToolCalls: false } },
      seed: 1,
      maxOutputTokens: 400,
      maxRetries: 0,
    });
    assert.equal(r.toolCalls.length, 1);
    assert.equal(r.toolCalls[0].toolName, 'get_weather');
    assert.deepEqual(City.parse(r.toolCalls[0].input), r.toolCalls[0].input);
    assert.deepEqual(seen, [r.toolCalls[0].input]);
    assert.deepEqual(r.toolResults[0].output, { temp: 3 });
  });

  // stories260K never ends a chat turn by itself, so a plain agent's answer
  // is cut at maxTokens: the SDK reads the Responses API's incomplete state
  // (and refuses it, as it does OpenAI's). The typed agent's grammar ends.
  it('Agents SDK: a cut answer is seen as incomplete; an output type gets a conforming object', T, async () => {
    const plain = new Agent({ name: 'teller', instructions: 'Tell a short story.', model: MODEL, modelSettings: { maxTokens: 16, temperature: 0 } });
    await assert.rejects(run(plain, 'Once upon a time'), /response\.incomplete/);
    const typed = new Agent({ name: 'describer', instructions: 'Describe a person.', model: MODEL, outputType: Person, modelSettings: { maxTokens: 400 } });
    const t = await run(typed, 'Who is Lily?');
    assert.deepEqual(Person.parse(t.finalOutput), t.finalOutput);
  });

  it('LangChain ChatOpenAI: invoke, stream, withStructuredOutput and bindTools', T, async () => {
    const llm = new ChatOpenAI({ model: MODEL, apiKey: 'sk-local-unused', configuration: { baseURL: gw.baseUrl }, maxTokens: 16, temperature: 0, maxRetries: 0 });
    const m = await llm.invoke('Once upon a time');
    assert.ok(typeof m.content === 'string' && m.content.length > 0);
    let streamed = '';
    for await (const chunk of await llm.stream('Once upon a time')) streamed += chunk.content;
    assert.equal(streamed, m.content);
    const wide = new ChatOpenAI({ model: MODEL, apiKey: 'sk-local-unused', configuration: { baseURL: gw.baseUrl }, maxTokens: 400, maxRetries: 0 });
    const person = await wide.withStructuredOutput(Person, { method: 'jsonSchema' }).invoke('Describe a person.');
    assert.deepEqual(Person.parse(person), person);
    const called = await wide.bindTools([{ type: 'function', function: { name: 'get_weather', description: 'The weather', parameters: z.toJSONSchema(City) } }], { tool_choice: 'required', parallel_tool_calls: false }).invoke('Weather in Oslo?');
    assert.equal(called.tool_calls.length, 1);
    assert.equal(called.tool_calls[0].name, 'get_weather');
    assert.deepEqual(City.parse(called.tool_calls[0].args), called.tool_calls[0].args);
  });

  it('openai SDK: chat, a streamed Responses answer and embeddings', T, async () => {
    const c = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8, temperature: 0 });
    assert.ok(c.choices[0].message.content.length > 0);
    const events = [];
    for await (const e of await openai.responses.create({ model: MODEL, input: 'Hi', max_output_tokens: 8, temperature: 0, store: false, stream: true })) events.push(e.type);
    assert.equal(events[0], 'response.created');
    assert.ok(['response.completed', 'response.incomplete'].includes(events.at(-1)), events.at(-1));
    const e = await openai.embeddings.create({ model: MODEL, input: ['a cat', 'a dog'] });
    assert.equal(e.data.length, 2);
    assert.ok(e.data[0].embedding.length > 0);
  });
});
