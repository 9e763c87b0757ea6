// edgeai's tokenizer on the real vocabularies of Qwen 3, Gemma 3, Llama 3,
// Llama 3.1 and the -llama2 package's SentencePiece vocabulary, against two
// independent tokenizers:
//
// - llama.cpp (node-llama-cpp's libllama, loading the same vocabulary-only
//   GGUF): edgeai must give the same ids on every text, with and without
//   special tokens parsed, BOS/EOS added as llama.cpp adds them. GGUF files are
//   llama.cpp's format, so where the two references disagree, llama.cpp is
//   the one edgeai follows.
// - @lenml/tokenizers (a JavaScript port of Hugging Face's tokenizers,
//   reading the packages' tokenizer.json): edgeai must agree with it on every
//   text where llama.cpp does. Each text where llama.cpp and it disagree must
//   be one of the documented divergences (docs/engine.md, "Tokenizers"):
//   NFC normalization (Qwen's tokenizer.json normalizes, llama.cpp does not),
//   end-of-generation texts llama.cpp makes control tokens ("</s>" in Qwen 3's
//   and Gemma 3's vocabularies), and a U+2581 written in the text of a
//   SentencePiece vocabulary.
//
// The GGUF files are made from tokenizer.json/tokenizer_config.json as
// llama.cpp's converter makes them (lib/hf_vocab.mjs). The texts are a
// hand-written list plus seeded generated ones (lib/tokenizer_strings.mjs).
// Packages come from `npm ci` here and bench/llamacpp's install (both in
// scripts/setup.sh); without them the tests skip with a message, except in CI
// (CI set), where a missing reference fails.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { EDGEAI_BIN } from './lib/gateway.mjs';
import * as gguf from './lib/gguf_write.mjs';
import { FAMILIES, readHfTokenizer, writeVocabGguf } from './lib/hf_vocab.mjs';
import { tokenizerTestStrings } from './lib/tokenizer_strings.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const nodeModules = path.join(here, 'node_modules');
const lenmlEntry = path.join(nodeModules, '@lenml', 'tokenizers', 'dist', 'main.mjs');
const llamaEntry = path.join(repoRoot, 'bench', 'llamacpp', 'node_modules', 'node-llama-cpp', 'dist', 'index.js');

function missing() {
  if (!fs.existsSync(EDGEAI_BIN)) return `edgeai binary not found at ${EDGEAI_BIN} (build it, or set EDGEAI_BIN)`;
  if (!fs.existsSync(lenmlEntry)) return `@lenml/tokenizers not installed (run npm ci in ${here})`;
  if (!fs.existsSync(llamaEntry)) {
    return `node-llama-cpp not installed (run npm install --omit=optional --ignore-scripts in ${path.join(repoRoot, 'bench', 'llamacpp')})`;
  }
  return false;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`real_vocab.test.mjs must run in CI: ${skip}`);

const TEXTS = tokenizerTestStrings();

// Texts llama.cpp's vocabulary loader makes control tokens whatever their
// type (its end-of-generation list); only those in a vocabulary matter.
const EOG_TEXTS = ['</s>', '<|eot_id|>', '<|im_end|>', '<|end|>', '<end_of_turn>', '<|endoftext|>', '<|eom_id|>', '<EOT>', '<|end_of_text|>', '<eos>'];

/** ids of each text, by `edgeai tokenize --batch` on `file`. */
function edgeaiTokenize(file, texts, flags) {
  const input = Buffer.concat(texts.map((t) => Buffer.from(`${t}\0`, 'utf8')));
  const r = spawnSync(EDGEAI_BIN, ['tokenize', '-m', file, '--batch', ...flags], {
    input, maxBuffer: 256 * 1024 * 1024, timeout: 120000,
  });
  assert.equal(r.status, 0, `edgeai tokenize ${flags.join(' ')} failed: ${r.error ?? ''}\n${r.stderr}`);
  const lines = r.stdout.toString('utf8').split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  assert.equal(lines.length, texts.length, 'one line of ids per text');
  return lines.map((l) => (l === '' ? [] : l.split(' ').map(Number)));
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const show = (s) => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}...` : s);

/** Fails listing up to 8 texts whose ids differ. */
function assertSameIds(what, texts, got, want) {
  const bad = [];
  texts.forEach((t, i) => {
    if (!same(got[i], want[i])) bad.push(`  ${show(t)}\n    edgeai ${JSON.stringify(got[i])}\n    ${what} ${JSON.stringify(want[i])}`);
  });
  assert.equal(bad.length, 0, `${bad.length} of ${texts.length} texts differ from ${what}:\n${bad.slice(0, 8).join('\n')}`);
}

describe('real vocabularies: edgeai tokenize vs llama.cpp and @lenml/tokenizers', { skip }, () => {
  let tmp;
  let llama;
  let TokenizerLoader;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeai-it-vocab-'));
    ({ TokenizerLoader } = await import(pathToFileURL(lenmlEntry).href));
    const nlc = await import(pathToFileURL(llamaEntry).href);
    llama = await nlc.getLlama({ build: 'never', gpu: false, logLevel: nlc.LlamaLogLevel.disabled });
  });

  after(async () => {
    await llama?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  // llama.cpp's SentencePiece tokenizer merges pieces into any token their
  // text spells, control and unused ones too (real SentencePiece never does);
  // edgeai follows it. A small vocabulary where that matters, every string of
  // up to 6 of its characters checked.
  it('a SentencePiece vocabulary whose control and unused tokens pieces can spell', async () => {
    const tokens = ['<unk>', '<s>', '</s>'];
    const types = [2, 3, 3];
    const scores = [0, 0, 0];
    for (let b = 0; b < 256; b++) {
      tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      types.push(6);
      scores.push(0);
    }
    // [text, type, score]: control "ab", unused "▁c", user-defined "xa".
    for (const [text, type, score] of [['\u2581', 1, -1], ['a', 1, -2], ['b', 1, -3], ['ab', 3, -0.5],
      ['\u2581c', 5, -0.4], ['c', 1, -5], ['\u2581a', 1, -9], ['bc', 1, -0.7], ['xa', 4, 0]]) {
      tokens.push(text);
      types.push(type);
      scores.push(score);
    }
    const file = path.join(tmp, 'spm-types.gguf');
    gguf.writeGguf(file, [
      ['general.architecture', gguf.string('llama')],
      ['llama.context_length', gguf.u32(64)], ['llama.embedding_length', gguf.u32(64)],
      ['llama.block_count', gguf.u32(1)], ['llama.feed_forward_length', gguf.u32(64)],
      ['llama.attention.head_count', gguf.u32(2)], ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
      ['tokenizer.ggml.model', gguf.string('llama')],
      ['tokenizer.ggml.tokens', gguf.array(gguf.STRING, tokens)],
      ['tokenizer.ggml.scores', gguf.array(gguf.FLOAT32, scores)],
      ['tokenizer.ggml.token_type', gguf.array(gguf.INT32, types)],
      ['tokenizer.ggml.add_bos_token', gguf.bool(false)],
    ]);
    const texts = [''];
    for (let n = 1; n <= 6; n++) {
      const next = [];
      for (const t of texts.filter((x) => x.length === n - 1)) for (const c of ['a', 'b', 'c', ' ', 'x']) next.push(t + c);
      texts.push(...next);
    }
    const model = await llama.loadModel({ modelPath: file, vocabOnly: true });
    try {
      assertSameIds('llama.cpp', texts, edgeaiTokenize(file, texts, []),
        texts.map((s) => Array.from(model.tokenize(s, true))));
      assertSameIds('llama.cpp (special tokens as text)', texts, edgeaiTokenize(file, texts, ['--no-parse-special']),
        texts.map((s) => Array.from(model.tokenize(s, false))));
    } finally {
      await model.dispose();
    }
  });

  for (const [name, family] of Object.entries(FAMILIES)) {
    // Gemma 3's 262k-token vocabulary takes a while under the ASan binary.
    it(`${name} (${family.pkg}, tokenizer.ggml.model ${family.model})`, { timeout: 240000 }, async (t) => {
      const hf = readHfTokenizer(nodeModules, family.pkg);
      assert.ok(hf, `${family.pkg} is not installed under ${nodeModules}`);
      const file = path.join(tmp, `${name}.gguf`);
      writeVocabGguf(file, family, hf);

      const model = await llama.loadModel({ modelPath: file, vocabOnly: true });
      try {
        const bos = model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
        const eos = model.tokens.shouldAppendEosToken ? [model.tokens.eos] : [];
        const llamaSpecial = TEXTS.map((s) => Array.from(model.tokenize(s, true)));
        const llamaPlain = TEXTS.map((s) => Array.from(model.tokenize(s, false)));

        // Default: BOS/EOS as the vocabulary says, special tokens parsed.
        const edgeaiSpecial = edgeaiTokenize(file, TEXTS, []);
        assertSameIds('llama.cpp', TEXTS, edgeaiSpecial, llamaSpecial.map((ids) => [...bos, ...ids, ...eos]));
        const edgeaiPlain = edgeaiTokenize(file, TEXTS, ['--no-bos', '--no-parse-special']);
        assertSameIds('llama.cpp (special tokens as text)', TEXTS, edgeaiPlain, llamaPlain);

        // Hugging Face's tokenizers always parse added tokens in the text.
        const lenml = TokenizerLoader.fromPreTrained(hf);
        const hfSpecial = new Set(hf.tokenizerJSON.added_tokens.filter((a) => a.special).map((a) => a.content));
        const explained = { nfc: 0, eog: 0, u2581: 0 };
        const unexplained = [];
        TEXTS.forEach((s, i) => {
          const ref = lenml.encode(s, { add_special_tokens: false });
          if (same(ref, llamaSpecial[i])) {
            const ours = edgeaiSpecial[i].slice(bos.length, edgeaiSpecial[i].length - eos.length);
            assert.deepEqual(ours, ref, `edgeai differs from @lenml/tokenizers (which agrees with llama.cpp) on ${show(s)}`);
            return;
          }
          if (hf.tokenizerJSON.normalizer?.type === 'NFC' && s.normalize('NFC') !== s &&
              same(ref, Array.from(model.tokenize(s.normalize('NFC'), true)))) {
            explained.nfc++;
          } else if (EOG_TEXTS.some((e) => s.includes(e) && !hfSpecial.has(e) && model.tokenize(e, true).length === 1)) {
            explained.eog++;
          } else if (family.model === 'llama' && s.includes('\u2581')) {
            explained.u2581++;
          } else {
            unexplained.push(`  ${show(s)}\n    llama.cpp ${JSON.stringify(llamaSpecial[i])}\n    @lenml    ${JSON.stringify(ref)}`);
          }
        });
        t.diagnostic(`${name}: ${TEXTS.length} texts; llama.cpp and @lenml/tokenizers differ on ` +
          `${explained.nfc} by NFC, ${explained.eog} by end-of-generation texts, ${explained.u2581} by U+2581`);
        assert.equal(unexplained.length, 0,
          `llama.cpp and @lenml/tokenizers differ in an undocumented way on ${unexplained.length} texts:\n${unexplained.slice(0, 8).join('\n')}`);
      } finally {
        await model.dispose();
      }
    });
  }
});
