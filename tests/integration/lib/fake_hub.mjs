// A local imitation of the Hugging Face hub for `edgeai pull` tests: the tree
// API (GET /api/models/ORG/REPO/tree/main), the resolve URL that redirects to
// a file host, and the file host itself, which answers Range requests. The
// file host is a second listener reached by another host name (`localhost`
// where the hub is `127.0.0.1`), so a test sees whether the token crossed.
//
//   const hub = await startFakeHub({ repos: { 'org/repo': { files: [{ path, data }] } } });
//   env HF_ENDPOINT=hub.endpoint ... hub.requests ... await hub.stop();
//
// Per repository: token (required as Bearer when set), tree (raw body
// instead of the generated list). Per file: data (Buffer), sha256 (override
// the announced checksum), size (override the announced size), cuts (byte
// counts: the n-th GET of the file is cut after cuts[n] bytes), extra (bytes
// sent beyond the file), loop (the resolve URL redirects in a circle),
// chunkDelayMs (a slow file host).

import crypto from 'node:crypto';
import http from 'node:http';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

export function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

export async function startFakeHub({ repos }) {
  const requests = [];
  const fileGets = new Map(); // "org/repo/path" -> number of GETs so far
  let cdnPort = 0;

  const findFile = (repoId, path) => repos[repoId]?.files.find((f) => f.path === path);
  const authorized = (repo, req) => !repo.token || req.headers.authorization === `Bearer ${repo.token}`;

  const hub = http.createServer((req, res) => {
    requests.push({ host: 'hub', method: req.method, url: req.url, headers: req.headers });
    const url = new URL(req.url, 'http://x');
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(url.pathname);
    if (m) {
      const repo = repos[m[1]];
      if (!repo) { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"error":"Repository not found"}'); return; }
      if (!authorized(repo, req)) { res.writeHead(401, { 'content-type': 'application/json' }); res.end('{"error":"Invalid credentials"}'); return; }
      const body = repo.tree ?? JSON.stringify([
        { type: 'directory', oid: 'd'.repeat(40), size: 0, path: 'docs' },
        { type: 'file', oid: 'a'.repeat(40), size: 12, path: 'README.md' },
        ...repo.files.map((f) => ({
          type: 'file', oid: 'b'.repeat(40), size: 134, path: f.path,
          lfs: { oid: f.sha256 ?? sha256(f.data), size: f.size ?? f.data.length, pointerSize: 134 },
        })),
      ]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url.pathname);
    if (m) {
      const repo = repos[m[1]];
      const path = decodeURIComponent(m[2]);
      const file = repo && findFile(m[1], path);
      if (repo && !authorized(repo, req)) { res.writeHead(401); res.end('unauthorized'); return; }
      if (!file) { res.writeHead(404, { 'x-error-code': 'EntryNotFound' }); res.end('Entry not found'); return; }
      if (file.loop) {
        // A circle through the file host and back.
        const back = `http://127.0.0.1:${hub.address().port}${url.pathname}`;
        res.writeHead(302, { location: `http://localhost:${cdnPort}/loop?to=${encodeURIComponent(back)}` });
        res.end();
        return;
      }
      res.writeHead(302, {
        location: `http://localhost:${cdnPort}/files/${m[1]}/${encodeURIComponent(path)}?sig=x`,
        'x-linked-etag': `"${file.sha256 ?? sha256(file.data)}"`,
        'x-linked-size': String(file.size ?? file.data.length),
      });
      res.end();
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });

  const cdn = http.createServer((req, res) => {
    requests.push({ host: 'cdn', method: req.method, url: req.url, headers: req.headers });
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/loop') {
      res.writeHead(307, { location: url.searchParams.get('to') });
      res.end();
      return;
    }
    const m = /^\/files\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    const file = m && findFile(m[1], decodeURIComponent(m[2]));
    if (!file) { res.writeHead(404); res.end(); return; }
    const key = `${m[1]}/${m[2]}`;
    const n = fileGets.get(key) ?? 0;
    fileGets.set(key, n + 1);
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const body = file.extra ? Buffer.concat([file.data, Buffer.alloc(file.extra, 7)]) : file.data;
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const cut = file.cuts?.[n];
    const end = cut !== undefined ? Math.min(body.length, start + cut) : body.length;
    const chunk = 64 * 1024;
    let at = start;
    const pump = () => {
      if (at >= end) {
        if (cut !== undefined) { res.flushHeaders(); setTimeout(() => req.socket.destroy(), 20); } else res.end();
        return;
      }
      const next = Math.min(end, at + chunk);
      res.write(body.subarray(at, next));
      at = next;
      if (file.chunkDelayMs) setTimeout(pump, file.chunkDelayMs); else setImmediate(pump);
    };
    pump();
  });

  const hubPort = await listen(hub);
  cdnPort = await listen(cdn);
  return {
    endpoint: `http://127.0.0.1:${hubPort}`,
    cdnOrigin: `http://localhost:${cdnPort}`,
    requests,
    cdnRequests: () => requests.filter((r) => r.host === 'cdn'),
    hubRequests: () => requests.filter((r) => r.host === 'hub'),
    fileGets: (repoId, path) => fileGets.get(`${repoId}/${encodeURIComponent(path)}`) ?? 0,
    async stop() {
      hub.closeAllConnections?.();
      cdn.closeAllConnections?.();
      await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => cdn.close(r))]);
    },
  };
}
