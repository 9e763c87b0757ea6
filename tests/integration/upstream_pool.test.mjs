// edgeai keeps upstream connections alive and reuses them. An upstream may close
// an idle one at any time (its keep-alive timeout); the next request must then
// go through on a fresh connection, not fail, and reuse must really happen.
import assert from 'node:assert/strict';
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
});
