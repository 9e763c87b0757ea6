// The MessagePack codec against @msgpack/msgpack, an independent
// implementation, on generated values both ways, through `edgeai msgpack
// decode|encode` (the gateway's own codec, src/codec/msgpack).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';

import { binaryMissing } from './lib/engine.mjs';
import { EDGEAI_BIN } from './lib/gateway.mjs';
import { rng } from './lib/tokenizer_strings.mjs'; // seeded, so a failure names a value that comes back

function edgeai(args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(EDGEAI_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input);
  });
}

const STRINGS = ['', 'a', 'héllo', '✓ ok', '😀 emoji', 'tab\there', 'quote " and \\', 'line\nbreak', '中文字符', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(300), '\u0000nul', '\u2028'];

// JSON-representable values in every MessagePack size class: ints at each
// boundary (within 2^53, where JavaScript numbers are exact), floats, strings
// of each length class, arrays and maps of 0, 15, 16 and more entries.
function value(r, depth) {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: {
      const edges = [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2 ** 53 - 1, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -(2 ** 53 - 1)];
      return r() < 0.5 ? edges[Math.floor(r() * edges.length)] : Math.floor((r() - 0.5) * 2 ** (Math.floor(r() * 53)));
    }
    case 3: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 4: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5: return String.fromCodePoint(...Array.from({ length: Math.floor(r() * 8) }, () => 0x20 + Math.floor(r() * 0x2fff)));
    case 6: {
      const n = [0, 1, 15, 16, 17][Math.floor(r() * 5)];
      return Array.from({ length: n }, () => value(r, depth + 1));
    }
    default: {
      const n = [0, 1, 15, 16, 17][Math.floor(r() * 5)];
      const o = {};
      for (let i = 0; i < n; i++) o[`k${i}_${Math.floor(r() * 1000)}`] = value(r, depth + 1);
      return o;
    }
  }
}

function hasUnsafeWholeNumber(v) {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v);
  if (Array.isArray(v)) return v.some(hasUnsafeWholeNumber);
  if (v && typeof v === 'object') return Object.values(v).some(hasUnsafeWholeNumber);
  return false;
}

describe('MessagePack codec against @msgpack/msgpack', { skip: binaryMissing() }, () => {
  const r = rng(20261207);
  const values = Array.from({ length: 300 }, () => value(r, 0));
  values.push('w'.repeat(70000), { str32: 'v'.repeat(65536) }); // str 32 once, not in every map

  // All 302 in one array per direction (one process each), and the first 8
  // alone too, so top-level scalars are read and written as well.
  it('decodes what @msgpack/msgpack encodes (302 generated values)', async () => {
    const res = await edgeai(['msgpack', 'decode', '--strict'], encode(values));
    assert.equal(res.code, 0, res.stderr);
    const ours = JSON.parse(res.stdout.toString());
    assert.equal(ours.length, values.length);
    for (const [i, v] of values.entries()) assert.deepEqual(ours[i], v, `value ${i}`);
    for (const [i, v] of values.slice(0, 8).entries()) {
      const one = await edgeai(['msgpack', 'decode', '--strict'], encode(v));
      assert.deepEqual(JSON.parse(one.stdout.toString()), v, `value ${i} alone: ${one.stderr}`);
    }
  });

  it('encodes JSON to the bytes @msgpack/msgpack writes for the same value', async () => {
    // Whole numbers past 2^53 that JSON writes as integers (1.8e16 is
    // "18000000000000000") stay exact int64 in edgeai, where JavaScript, which
    // cannot hold them exactly, writes a float64: same value, other bytes.
    // Every other value must match byte for byte.
    const safe = values.filter((v) => !hasUnsafeWholeNumber(v));
    assert.ok(safe.length >= 150, `${safe.length} values to compare byte for byte`);
    const res = await edgeai(['msgpack', 'encode'], JSON.stringify(safe));
    assert.equal(res.code, 0, res.stderr);
    const ours = res.stdout.toString('hex');
    const theirs = Buffer.from(encode(safe)).toString('hex');
    if (ours !== theirs) {
      let at = 0;
      while (ours[at] === theirs[at]) at++;
      assert.fail(`bytes differ at hex offset ${at}: ours ...${ours.slice(at, at + 40)}, @msgpack/msgpack ...${theirs.slice(at, at + 40)}`);
    }
    const all = await edgeai(['msgpack', 'encode'], JSON.stringify(values));
    assert.deepEqual(decode(all.stdout), values);
    for (const [i, v] of safe.slice(0, 8).entries()) {
      const one = await edgeai(['msgpack', 'encode'], JSON.stringify(v));
      assert.equal(one.stdout.toString('hex'), Buffer.from(encode(v)).toString('hex'), `value ${i} alone`);
    }
  });

  it('reads the types JSON has not: bin, float32, timestamps and other extensions', async () => {
    const ext = new ExtensionCodec();
    class Tagged { constructor(data) { this.data = data; } }
    ext.register({ type: 9, encode: (o) => (o instanceof Tagged ? o.data : null), decode: (d) => new Tagged(d) });
    const input = {
      bin: new Uint8Array([0, 1, 2, 255]),
      when: new Date(Date.UTC(2026, 11, 7, 5, 30, 0, 123)),
      before1970: new Date(-1000),
      ext: new Tagged(new Uint8Array([7, 8, 9])),
    };
    const res = await edgeai(['msgpack', 'decode'], encode(input, { extensionCodec: ext }));
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout.toString()), {
      bin: { $bin: Buffer.from([0, 1, 2, 255]).toString('base64') },
      when: { $timestamp: { seconds: Math.floor(Date.UTC(2026, 11, 7, 5, 30, 0) / 1000), nanoseconds: 123000000 } },
      before1970: { $timestamp: { seconds: -1, nanoseconds: 0 } },
      ext: { $ext: 9, data: Buffer.from([7, 8, 9]).toString('base64') },
    });
    // float32, as a device writes it to save bytes.
    const f32 = await edgeai(['msgpack', 'decode'], encode([0.5, 1.1, -3.25e10], { forceFloat32: true }));
    assert.deepEqual(JSON.parse(f32.stdout.toString()), decode(encode([0.5, 1.1, -3.25e10], { forceFloat32: true })));
    // The API's strict form refuses what JSON cannot hold, and says where.
    const strict = await edgeai(['msgpack', 'decode', '--strict'], encode({ a: [1, new Uint8Array([1])] }));
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /bin at \$\.a\[1\] has no JSON form/);
  });

  it('refuses broken input with a clear error, never a crash', async () => {
    const good = Buffer.from(encode({ messages: [{ role: 'user', content: 'hello there' }] }));
    for (let cut = 0; cut < good.length; cut++) {
      const res = await edgeai(['msgpack', 'decode'], good.subarray(0, cut));
      assert.equal(res.code, 1, `a cut at ${cut}`);
      assert.match(res.stderr, /MessagePack/, `a cut at ${cut}: ${res.stderr}`);
    }
    const huge = await edgeai(['msgpack', 'decode'], Buffer.from('dd7fffffff00', 'hex'));
    assert.match(huge.stderr, /2147483647 elements with 1 bytes left/);
    const bad = await edgeai(['msgpack', 'encode'], '{"a": [1, 2');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid JSON/);
  });
});
