// Texts for comparing tokenizers: a hand-written list of the cases that break
// tokenizers (whitespace runs, digits, contractions, scripts, emoji, special
// tokens spelled in the text) and strings drawn from the same kinds of
// pieces with a seeded generator, so every run and machine sees the same
// texts. No text holds a NUL (the CLI's batch separator) or a lone surrogate
// (not UTF-8).

export const HAND_WRITTEN = [
  '',
  ' ',
  '  ',
  '   ',
  '\t',
  '\n',
  '\n\n',
  '\n\n\n',
  ' \n',
  '\n ',
  ' \n \n',
  '\t\t\tx',
  'a\r\nb',
  '\r\n\r\n',
  'Hello world',
  ' Hello world',
  'Hello  world',
  'Hello   world ',
  'hello\tworld\n',
  'The quick brown fox jumps over the lazy dog.',
  "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL",
  "don't can't won't shouldn't y'all o'clock rock'n'roll",
  "'s 't 're 've 'm 'll 'd",
  "ABC'S DON'T",
  '3 33 333 3333 33333 333333 3333333 33333333',
  '3.3 3..3 3...3 1,000,000 0.000001 -42 +7 1e10',
  '2024-01-15T10:30:00Z',
  '٣٤٥ ४५६ ௧௨௩ ½ ⅔ ²³',
  'café naïve résumé Ångström Ærøskøbing Straße señor',
  'cafe\u0301 nai\u0308ve e\u0301le\u0300ve',
  'Ελληνικά Русский текст нещо на Български',
  'שלום עולם مرحبا بالعالم',
  'مرحبا 123 world',
  '我想在apple工作1314151天～',
  '日本語のテキストです。カタカナとひらがな。',
  '한국어 텍스트입니다',
  'ภาษาไทย ไม่มีช่องว่าง',
  'कान्तैपिसेस हिन्दी',
  'កាន់តែពិសេសអាច😁',
  '🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙',
  '👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷🇯🇵',
  '\u200b\u200c\u200d\ufeff zero width',
  '\u00a0nbsp\u00a0\u2003em space\u3000ideographic',
  '------======= ******** ########',
  '\'\'\'\'\'\'```````""""......!!!!!!??????',
  'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
  'int main(void) {\n\tprintf("%d\\n", 42);\n\treturn 0;\n}\n',
  'const x = {a: [1, 2, 3], b: "str", c: null};',
  '<html><body class="x">Hi</body></html>',
  'SELECT * FROM users WHERE id = 1;',
  'https://example.com/path?query=1&x=y#frag',
  'user@example.com',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  'x'.repeat(300),
  'supercalifragilisticexpialidocious'.repeat(8),
  'pneumonoultramicroscopicsilicovolcanoconiosis',
  'a'.repeat(64) + ' ' + 'b'.repeat(64),
  '1234567890'.repeat(12),
  ' '.repeat(40) + 'indented',
  '\t \t \t\n \n\t',
  '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
  '<|im_start|><|im_end|>',
  'text<|endoftext|>more',
  '<think>\nreasoning\n</think>\n\nanswer',
  '<tool_call>{"name": "f"}</tool_call>',
  '<start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n',
  '<bos><start_of_turn>user',
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>',
  '<|begin_of_text|>Hello',
  '<s>[INST] Hello [/INST] Hi</s>',
  '<s> <s>  </s>',
  'a<s>b</s>c',
  ' <s>x',
  '<unk> <pad> <mask>',
  '<|im_start',
  '<|reserved_special_token_5|>',
  '<start_of_turn',
  '<0x41> <0x0A>',
  '[multimodal] <start_of_image>',
  '\u2581 ▁▁ already escaped',
  'mixed\t\n \r\n\t spaces   \n\n\n   end',
  'trailing spaces    ',
  '    leading spaces',
  'UPPER lower MiXeD CamelCase snake_case kebab-case',
  '$100 €50 £30 ¥1000 ₹500',
  '∀x∈ℝ: x² ≥ 0 ∑ ∫ √ ∞ ≈ ≠',
  '©®™ §¶ †‡ •…',
  '\u0001\u0002\u0007\u001b[31mred\u001b[0m',
  '\u007f\u0080\u009f',
  '\ud83d\ude00\ud83d\ude01 surrogates joined',
  '\u{10ffff} \u{e000} private use',
];

// mulberry32: small, good enough to spread choices, and the same everywhere.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = {
  word: ['the', 'The', 'hello', 'World', 'tokenizer', 'naïve', 'Ünïcödé', 'straße', 'año', 'über', 'x', 'I', 'a'],
  space: [' ', '  ', '   ', '\t', '\n', '\n\n', ' \n', '\r\n', '\t\t', ' \t ', '\u00a0', '\u3000'],
  digits: ['0', '7', '42', '123', '2024', '31415926', '1000000', '٣', '४२'],
  punct: ['.', ',', '!', '?', '...', '-', '--', '_', '(', ')', '[', ']', '{', '}', '"', "'", '`', '/', '\\', ':', ';', '@', '#', '%', '&', '*', '=>', '->', '::', '!=', '<', '>'],
  contraction: ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "n't"],
  cjk: ['中文', '日本語', '한국어', '漢字', 'ひらがな', 'カタカナ', '，', '。', '「', '」'],
  emoji: ['😀', '🚀', '🦙', '👍🏽', '❤️', '🇯🇵', '👨‍💻', '✅', '🤖'],
  rtl: ['שלום', 'مرحبا', 'العربية', 'עברית'],
  accented: ['é', 'è', 'ê', 'ñ', 'ø', 'å', 'ç', 'ž', 'ő', 'e\u0301', 'a\u030a'],
  code: ['fn', 'def', 'return', '{', '}', ';', '()', '=>', '0x1F', 'i++', '==', '&&', '||', '#include', '<stdio.h>', 'self.x'],
  special: ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<start_of_turn>', '<end_of_turn>', '<|begin_of_text|>', '<|eot_id|>', '<s>', '</s>', '<bos>', '<eos>', '<think>'],
};
const KINDS = Object.keys(PIECES);

/** `count` texts of 1 to 24 pieces drawn with `seed`. */
export function generatedStrings(count, seed) {
  const next = rng(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(next() * 24);
    let s = '';
    for (let j = 0; j < n; j++) {
      const kind = pick(KINDS);
      // Rare kinds are rarer, so most texts read like text.
      if (kind === 'special' && next() < 0.6) continue;
      s += pick(PIECES[kind]);
      if (next() < 0.4) s += ' ';
    }
    out.push(s);
  }
  return out;
}

/** The hand-written texts, then `generated` seeded ones. */
export function tokenizerTestStrings(generated = 220, seed = 17) {
  return [...HAND_WRITTEN, ...generatedStrings(generated, seed)];
}
