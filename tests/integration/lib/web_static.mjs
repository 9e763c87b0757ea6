// A static server for the browser build, on a free loopback port: web/ at
// the root, edgeai-web.js and .wasm from the build beside it, and the given
// model files under /models/NAME. Every file carries a Content-Length, as a
// static host sends, so the worker streams models into wasm memory.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.gguf': 'application/octet-stream',
};

// webDir: web/; buildDir: where edgeai-web.js/.wasm are; models: {name: file}.
export function startWebServer({ webDir, buildDir, models = {} }) {
  const fileFor = (urlPath) => {
    if (urlPath === '/') return path.join(webDir, 'index.html');
    const name = path.basename(urlPath);
    if (urlPath === `/models/${name}`) return models[name] ?? null;
    if (urlPath !== `/${name}`) return null;
    return path.join(name.startsWith('edgeai-web.') ? buildDir : webDir, name);
  };
  const server = http.createServer((req, res) => {
    const file = fileFor(new URL(req.url, 'http://x').pathname);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}
