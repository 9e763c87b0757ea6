// Preloaded into the Portkey gateway by bench/proxy.sh (node --require).
//
// Portkey's build/start-server.js calls @hono/node-server's serve() with a port
// but no hostname, so Node would listen on every interface. The benchmark must
// stay on loopback, so any listen() that names a port but no host is given
// BENCH_LISTEN_HOST (default 127.0.0.1) here.
'use strict';

const net = require('node:net');

const host = process.env.BENCH_LISTEN_HOST || '127.0.0.1';
const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
    const first = args[0];
    if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
        // listen({ port, host?, ... }, cb?) -- a handle or a path is left alone.
        if (first.port !== undefined && first.host === undefined && first.path === undefined) {
            args[0] = { ...first, host };
        }
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
        // listen(port, host?, backlog?, cb?)
        if (args.length === 1 || args[1] === undefined || args[1] === null) {
            args[1] = host;
        } else if (typeof args[1] === 'function') {
            args.splice(1, 0, host);
        }
    }
    return originalListen.apply(this, args);
};
