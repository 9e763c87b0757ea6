// edgeai keeps upstream connections alive and reuses them. An upstream may close
// an idle one at any time (its keep-alive timeout); the next request must then
// go through on a fresh connection, not fail, and reuse must really happen.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { request, sleep } from './lib/clients.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startUpstream } from './lib/scripted_upstream.mjs';

const CHAT = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });

describe('upstream connection reuse', () => {
  let up;
  let gw;
  const connections = new Set();

  before(async () => {
    up = await startUpstream();
    up.server.on('connection', (socket) => connections.add(socket));
    gw = await startGateway({ upstream: up.baseUrl });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  const chat = () => request(gw.url('/v1/chat/completions'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: CHAT,
  });

  it('sequential requests share one upstream connection', async () => {
    const before = connections.size;
    for (let i = 0; i < 5; i++) assert.equal((await chat()).status, 200);
    assert.equal(connections.size - before, 1, 'five requests, one connection');
  });

  it('a connection the upstream closed while idle is replaced without an error', async () => {
    up.server.keepAliveTimeout = 100;
    assert.equal((await chat()).status, 200);
    await sleep(400); // the upstream closes the idle connection meanwhile
    for (let i = 0; i < 3; i++) {
      const r = await chat();
      assert.equal(r.status, 200, `request ${i} after the upstream closed the idle connection: ${r.text}`);
    }
    up.server.keepAliveTimeout = 5000;
  });

  // Issue 16: sockets the upstream closed must leave the idle pool within a
  // sweep, not linger half-closed (CLOSE-WAIT) until a request trips over them.
  it('connections the upstream closed while idle leave the pool (no CLOSE-WAIT pile-up)', async () => {
    // edgeai's sockets in CLOSE-WAIT: its fds' inodes looked up in /proc/net/tcp (state 08).
    const closeWait = () => {
      const inodes = new Set();
      for (const fd of fs.readdirSync(`/proc/${gw.pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${gw.pid}/fd/${fd}`));
          if (m) inodes.add(m[1]);
        } catch { /* closed meanwhile */ }
      }
      let n = 0;
      for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
        for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
          const cols = line.trim().split(/\s+/);
          if (cols.length > 9 && cols[3] === '08' && inodes.has(cols[9])) n++;
        }
      }
      return n;
    };
    // Twenty at once: twenty upstream connections, then twenty idle ones.
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat()));
    for (const r of answers) assert.equal(r.status, 200, r.text);
    await sleep(100);
    assert.equal(closeWait(), 0);
    for (const socket of up.sockets) socket.end(); // the upstream closes its side of each
    // The pool is swept once a second (http1_client.cpp, kIdleSweepInterval).
    let left = -1;
    for (let waited = 0; waited < 3000 && left !== 0; waited += 100) {
      await sleep(100);
      left = closeWait();
    }
    assert.equal(left, 0, 'no half-closed upstream socket is kept past a sweep');
    assert.equal((await chat()).status, 200, 'and the next request goes through');
  });
});
