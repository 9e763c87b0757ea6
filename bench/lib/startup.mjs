// Start-to-ready timer used by bench/proxy.sh.
//
//   node startup.mjs --runs N --line REGEX -- CMD ARGS...   ready = REGEX seen on stderr
//   node startup.mjs --runs N --port PORT  -- CMD ARGS...   ready = 127.0.0.1:PORT accepts
//
// Each run spawns CMD, measures the time from just before spawn() to ready
// with a monotonic clock, then stops the process (SIGTERM, SIGKILL after 5 s)
// and waits for it to exit before the next run. "{run}" in an argument is
// replaced by the run number (for a fresh data directory per start).
// Prints one line: "STARTUP median_ms=.. min_ms=.. max_ms=.. runs=.. samples=a,b,..".
import { spawn } from 'node:child_process';
import net from 'node:net';

function usage(msg) {
    process.stderr.write(`startup.mjs: ${msg}\n`);
    process.exit(2);
}

const argv = process.argv.slice(2);
let runs = 10;
let lineRe = null;
let port = 0;
let timeoutMs = 15000;
while (argv.length && argv[0] !== '--') {
    const flag = argv.shift();
    const value = argv.shift();
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--runs') runs = Number(value);
    else if (flag === '--line') lineRe = new RegExp(value);
    else if (flag === '--port') port = Number(value);
    else if (flag === '--timeout-ms') timeoutMs = Number(value);
    else usage(`unknown flag ${flag}`);
}
argv.shift();
if (!argv.length) usage('no command');
if (!lineRe && !port) usage('need --line or --port');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tryConnect(p) {
    return new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: p });
        s.once('connect', () => {
            s.destroy();
            resolve(true);
        });
        s.once('error', () => resolve(false));
    });
}

async function oneRun(run) {
    const args = argv.slice(1).map((a) => a.replaceAll('{run}', String(run)));
    let ready = null;
    let exited = null;
    let stderrText = '';
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const exitPromise = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
            exited = { code, signal };
            resolve();
        });
        child.once('error', (err) => {
            exited = { error: err.message };
            resolve();
        });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
        if (stderrText.length < 65536) stderrText += chunk;
        if (lineRe && ready === null) {
            // Scan only whole lines, as a reader of the log would.
            const lines = stderrText.split('\n');
            lines.pop();
            if (lines.some((l) => lineRe.test(l))) ready = process.hrtime.bigint();
        }
    });

    const deadline = Date.now() + timeoutMs;
    while (ready === null && exited === null && Date.now() < deadline) {
        if (port) {
            if (await tryConnect(port)) ready = process.hrtime.bigint();
            else await sleep(1);
        } else {
            await sleep(1);
        }
    }

    if (exited === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(killer);
    }
    if (ready === null) {
        const why = exited ? JSON.stringify(exited) : `no ready signal in ${timeoutMs} ms`;
        throw new Error(`run ${run}: ${why}; stderr: ${stderrText.slice(-500)}`);
    }
    return Number(ready - t0) / 1e6;
}

const samples = [];
try {
    for (let i = 1; i <= runs; i++) samples.push(await oneRun(i));
} catch (err) {
    process.stdout.write(`STARTUP error=${JSON.stringify(err.message)}\n`);
    process.exit(1);
}
const sorted = [...samples].sort((a, b) => a - b);
const mid = Math.floor(sorted.length / 2);
const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
process.stdout.write(
    `STARTUP median_ms=${median.toFixed(2)} min_ms=${sorted[0].toFixed(2)} ` +
        `max_ms=${sorted[sorted.length - 1].toFixed(2)} runs=${samples.length} ` +
        `samples=${samples.map((s) => s.toFixed(2)).join(',')}\n`,
);
