// The frame protocol (docs/protocol.md) written again in JavaScript from the
// specification, independently of the gateway's C++: COBS by hand, CRC-32 from
// node's zlib, MessagePack from @msgpack/msgpack. Tests talk to the gateway's
// Unix socket and serial lines through it.
import { crc32 } from 'node:zlib';

import { decode, encode } from '@msgpack/msgpack';

export const TYPE = { request: 1, cancel: 2, ping: 3, pong: 4, head: 5, data: 6, end: 7, error: 8 };
export const MORE = 0x01;
const HEADER = 14;

export function cobsEncode(raw) {
  const out = [];
  let codeAt = 0;
  out.push(0);
  let code = 1;
  for (const b of raw) {
    if (b === 0) {
      out[codeAt] = code; codeAt = out.length; out.push(0); code = 1;
      continue;
    }
    out.push(b);
    if (++code === 0xff) { out[codeAt] = code; codeAt = out.length; out.push(0); code = 1; }
  }
  out[codeAt] = code;
  return Uint8Array.from(out);
}

export function cobsDecode(enc) {
  const out = [];
  let at = 0;
  while (at < enc.length) {
    const code = enc[at];
    if (code === 0 || at + code > enc.length) return null;
    for (let i = 1; i < code; ++i) out.push(enc[at + i]);
    at += code;
    if (code !== 0xff && at < enc.length) out.push(0);
  }
  return Uint8Array.from(out);
}

/** One frame as it goes on the wire: COBS, then a zero. */
export function encodeFrame(type, id, payload = new Uint8Array(0), flags = 0) {
  const raw = Buffer.alloc(HEADER + payload.length + 4);
  raw[0] = 0x45; raw[1] = 0x41; raw[2] = 1; raw[3] = type; raw[4] = flags; raw[5] = 0;
  raw.writeUInt32LE(id >>> 0, 6);
  raw.writeUInt32LE(payload.length, 10);
  raw.set(payload, HEADER);
  raw.writeUInt32LE(crc32(raw.subarray(0, HEADER + payload.length)) >>> 0, HEADER + payload.length);
  return Buffer.concat([cobsEncode(raw), Buffer.from([0])]);
}

/** A message over as many frames as `maxFrame` allows. */
export function encodeMessage(type, id, payload, maxFrame = 65536) {
  const room = maxFrame - HEADER - 4;
  const parts = [];
  let at = 0;
  do {
    const n = Math.min(room, payload.length - at);
    parts.push(encodeFrame(type, id, payload.subarray(at, at + n), at + n < payload.length ? MORE : 0));
    at += n;
  } while (at < payload.length);
  return Buffer.concat(parts);
}

export function requestMessage({ method = 'POST', path, headers = {}, body }) {
  const m = { method, path, headers };
  if (body !== undefined) m.body = body;
  return encode(m);
}

/** Splits bytes into frames; faults are counted, never thrown. */
export class FrameDecoder {
  constructor() { this.pending = []; this.faults = 0; }
  push(bytes) {
    const frames = [];
    for (const b of bytes) {
      if (b !== 0) { this.pending.push(b); continue; }
      const enc = Uint8Array.from(this.pending);
      this.pending = [];
      if (enc.length === 0) continue;
      const raw = cobsDecode(enc);
      if (!raw || raw.length < HEADER + 4 || raw[0] !== 0x45 || raw[1] !== 0x41) { this.faults++; continue; }
      const buf = Buffer.from(raw);
      const len = buf.readUInt32LE(10);
      if (len !== buf.length - HEADER - 4 || crc32(buf.subarray(0, HEADER + len)) >>> 0 !== buf.readUInt32LE(HEADER + len)) {
        this.faults++;
        continue;
      }
      frames.push({ type: buf[3], flags: buf[4], id: buf.readUInt32LE(6), payload: buf.subarray(HEADER, HEADER + len) });
    }
    return frames;
  }
}

/**
 * A client over any byte stream: `write(bytes)` sends, feed() takes what
 * arrives. request() resolves with { status, headers, events (each data
 * message decoded when it is MessagePack), body (data joined), error }.
 */
export class FrameClient {
  constructor(write, { maxFrame = 65536 } = {}) {
    this.write = write;
    this.maxFrame = maxFrame;
    this.decoder = new FrameDecoder();
    this.calls = new Map();
    this.nextId = 1;
    this.unknown = []; // frames for ids not in flight
    this.pongs = [];
  }

  feed(bytes) {
    for (const f of this.decoder.push(bytes)) {
      if (f.type === TYPE.pong) { this.pongs.push(f); continue; }
      const call = this.calls.get(f.id);
      if (!call) { this.unknown.push(f); continue; }
      call.parts.push(f.payload);
      if (f.flags & MORE) continue;
      const payload = Buffer.concat(call.parts);
      call.parts = [];
      if (f.type === TYPE.head) {
        const head = decode(payload);
        call.result.status = head.status;
        call.result.headers = head.headers;
        call.onHead?.(head);
      } else if (f.type === TYPE.data) {
        call.result.chunks.push(payload);
        const ct = call.result.headers?.['content-type'] ?? '';
        const event = ct.includes('msgpack') ? decode(payload) : payload.toString();
        call.result.events.push(event);
        call.onEvent?.(event);
      } else if (f.type === TYPE.end || f.type === TYPE.error) {
        if (f.type === TYPE.error) call.result.error = decode(payload);
        call.result.body = Buffer.concat(call.result.chunks);
        this.calls.delete(f.id);
        call.resolve(call.result);
      }
    }
  }

  /** Sends one request; `id` defaults to the next free number. */
  request(req, { id, onEvent, onHead, send = true } = {}) {
    const callId = id ?? this.nextId++;
    const bytes = encodeMessage(TYPE.request, callId, requestMessage(req), this.maxFrame);
    const promise = new Promise((resolve) => {
      this.calls.set(callId, { parts: [], onEvent, onHead, resolve, result: { id: callId, events: [], chunks: [] } });
    });
    if (send) this.write(bytes);
    return { id: callId, bytes, done: promise };
  }

  cancel(id) { this.write(encodeFrame(TYPE.cancel, id)); }
}
