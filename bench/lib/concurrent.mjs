// Aggregate generation throughput of an OpenAI-compatible server under N
// concurrent requests, used by bench/engine.sh against `edgeai serve -m`.
//
//   node concurrent.mjs --url http://127.0.0.1:PORT/v1/completions --model ID
//        --vocab V [--requests 4] [--max-tokens 64] [--prompt-len 8]
//        [--ban TOKEN_ID] [--rounds 3]
//
// Each round sends --requests POSTs at once, each with its own --prompt-len
// random token ids, greedy, --max-tokens long (--ban gets logit_bias -100, so
// a random model does not stop at its end-of-text token); the round's rate is
// the completion tokens of all requests over the time from the first send to
// the last response. One warm-up round is dropped. Prints one JSON line.
import { performance } from 'node:perf_hooks';

function fail(msg) {
    process.stderr.write(`concurrent.mjs: ${msg}\n`);
    process.exit(2);
}

const opts = { requests: 4, 'max-tokens': 64, 'prompt-len': 8, rounds: 3 };
const argv = process.argv.slice(2);
while (argv.length) {
    const flag = argv.shift();
    const value = argv.shift();
    if (!flag.startsWith('--') || value === undefined) fail(`bad argument ${flag}`);
    const key = flag.slice(2);
    opts[key] = key === 'url' || key === 'model' ? value : Number(value);
}
if (!opts.url || !opts.model || !opts.vocab) fail('--url, --model and --vocab are required');

let state = 99;
function randomToken() {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % opts.vocab;
}

async function one() {
    const body = {
        model: opts.model,
        prompt: Array.from({ length: opts['prompt-len'] }, randomToken),
        max_tokens: opts['max-tokens'],
        temperature: 0,
    };
    if (opts.ban !== undefined) body.logit_bias = { [String(opts.ban)]: -100 };
    const res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) fail(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text).usage?.completion_tokens ?? 0;
}

const rates = [];
let tokens = 0;
for (let round = 0; round <= opts.rounds; ++round) {
    const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: opts.requests }, one));
    const dt = (performance.now() - t0) / 1000;
    tokens = counts.reduce((a, b) => a + b, 0);
    if (round > 0) rates.push(tokens / dt);
}
rates.sort((a, b) => a - b);
process.stdout.write(
    JSON.stringify({
        requests: opts.requests,
        completion_tokens: tokens,
        agg_tok_s: rates[Math.floor(rates.length / 2)],
        runs: rates.map((r) => +r.toFixed(2)),
    }) + '\n',
);
