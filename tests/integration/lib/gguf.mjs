// A minimal GGUF (v2/v3) reader for tests: metadata, tensor infos and each
// tensor's bytes, independent of the engine's own reader.
//
//   const g = readGguf(file);
//   g.kv['general.architecture'], g.tensors[i] = { name, dims, type, typeName, offset, bytes() }

import fs from 'node:fs';

export const GGML_TYPE_NAMES = {
  0: 'f32', 1: 'f16', 2: 'q4_0', 3: 'q4_1', 6: 'q5_0', 7: 'q5_1', 8: 'q8_0', 9: 'q8_1',
  10: 'q2_k', 11: 'q3_k', 12: 'q4_k', 13: 'q5_k', 14: 'q6_k', 15: 'q8_k', 30: 'bf16',
};

export function readGguf(file) {
  const b = fs.readFileSync(file);
  let o = 0;
  const u32 = () => { const v = b.readUInt32LE(o); o += 4; return v; };
  const u64 = () => { const v = b.readBigUInt64LE(o); o += 8; return Number(v); };
  const str = () => { const n = u64(); const s = b.toString('utf8', o, o + n); o += n; return s; };
  const scalar = {
    0: () => b.readUInt8(o++), 1: () => b.readInt8(o++),
    2: () => { const v = b.readUInt16LE(o); o += 2; return v; }, 3: () => { const v = b.readInt16LE(o); o += 2; return v; },
    4: u32, 5: () => { const v = b.readInt32LE(o); o += 4; return v; },
    6: () => { const v = b.readFloatLE(o); o += 4; return v; }, 7: () => b.readUInt8(o++) !== 0,
    10: u64, 11: () => { const v = b.readBigInt64LE(o); o += 8; return Number(v); },
    12: () => { const v = b.readDoubleLE(o); o += 8; return v; },
  };
  const value = (t) => {
    if (t === 8) return str();
    if (t === 9) {
      const et = u32();
      const n = u64();
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = value(et);
      return out;
    }
    const f = scalar[t];
    if (!f) throw new Error(`${file}: unknown GGUF value type ${t} at byte ${o}`);
    return f();
  };
  if (b.toString('latin1', 0, 4) !== 'GGUF') throw new Error(`${file}: not a GGUF file`);
  o = 4;
  const version = u32();
  const nTensors = u64();
  const nKv = u64();
  const kv = {};
  for (let i = 0; i < nKv; i++) {
    const k = str();
    kv[k] = value(u32());
  }
  const tensors = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nd = u32();
    const dims = [];
    for (let d = 0; d < nd; d++) dims.push(u64());
    const type = u32();
    const offset = u64();
    tensors.push({ name, dims, type, typeName: GGML_TYPE_NAMES[type] ?? `type${type}`, offset });
  }
  const align = kv['general.alignment'] ?? 32;
  const dataStart = Math.ceil(o / align) * align;
  const byOffset = [...tensors].sort((x, y) => x.offset - y.offset);
  byOffset.forEach((t, i) => {
    const end = i + 1 < byOffset.length ? byOffset[i + 1].offset : b.length - dataStart;
    t.bytes = () => b.subarray(dataStart + t.offset, dataStart + end);
  });
  return { version, kv, tensors, dataStart, size: b.length };
}
