// A minimal GGUF v3 writer for tests: metadata only (no tensors), which is all
// a vocabulary-only file needs. Independent of the engine's own writer, so a
// file both engines read is evidence about both readers.
//
//   writeGguf(file, [['general.architecture', gguf.string('llama')],
//                    ['tokenizer.ggml.tokens', gguf.array(gguf.STRING, tokens)], ...]);

import fs from 'node:fs';

export const UINT32 = 4;
export const INT32 = 5;
export const FLOAT32 = 6;
export const BOOL = 7;
export const STRING = 8;
export const ARRAY = 9;

export const u32 = (v) => ({ type: UINT32, value: v });
export const f32 = (v) => ({ type: FLOAT32, value: v });
export const bool = (v) => ({ type: BOOL, value: v });
export const string = (v) => ({ type: STRING, value: v });
export const array = (elementType, values) => ({ type: ARRAY, elementType, value: values });

// One growing buffer: vocabularies have hundreds of thousands of strings,
// and a Buffer per value made writing them take seconds.
class Out {
  constructor() { this.buf = Buffer.alloc(1 << 20); this.at = 0; }
  room(n) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
  u32(v) { this.room(4); this.at = this.buf.writeUInt32LE(v, this.at); }
  i32(v) { this.room(4); this.at = this.buf.writeInt32LE(v, this.at); }
  u64(v) { this.room(8); this.at = this.buf.writeBigUInt64LE(BigInt(v), this.at); }
  f32(v) { this.room(4); this.at = this.buf.writeFloatLE(v, this.at); }
  bool(v) { this.room(1); this.at = this.buf.writeUInt8(v ? 1 : 0, this.at); }
  str(s) {
    const n = Buffer.byteLength(s, 'utf8');
    this.u64(n);
    this.room(n);
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  scalar(type, v) {
    switch (type) {
      case UINT32: return this.u32(v);
      case INT32: return this.i32(v);
      case FLOAT32: return this.f32(v);
      case BOOL: return this.bool(v);
      case STRING: return this.str(v);
      default: throw new Error(`gguf_write: unsupported value type ${type}`);
    }
  }
}

/** Writes `entries` ([key, typed value] pairs, in order) as a GGUF v3 file with no tensors. */
export function writeGguf(file, entries) {
  const out = new Out();
  out.u32(0x46554747); // 'GGUF'
  out.u32(3);
  out.u64(0); // tensors
  out.u64(entries.length);
  for (const [key, v] of entries) {
    out.str(key);
    out.u32(v.type);
    if (v.type === ARRAY) {
      out.u32(v.elementType);
      out.u64(v.value.length);
      for (const e of v.value) out.scalar(v.elementType, e);
    } else {
      out.scalar(v.type, v.value);
    }
  }
  fs.writeFileSync(file, out.buf.subarray(0, out.at));
}
