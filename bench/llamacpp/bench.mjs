// llama.cpp's side of bench/engine.sh, through node-llama-cpp's prebuilt CPU
// binary (never built here: build "never", gpu false). Measures what
// `edgeai bench` measures, on the same GGUF file, with token ids in:
//
//   pp: one batch of --pp random token ids into an empty context, timed.
//   tg: --tg-prompt random ids (all but the last untimed), then --tg greedy
//       tokens: each is one single-token decode (the first decodes the
//       prompt's last id), timed from the first decode to the last.
//
//   --parallel N (instead of pp and tg): N sequences of one context, each
//       given --tg-prompt random ids and generating --tg greedy tokens, all
//       at once (llama.cpp batches them into shared decodes); the aggregate
//       rate is all sequences' tokens over the wall time, prompts included,
//       as a server's clients would see it.
//
// Every phase runs --reps times after one dropped warm-up round; medians are
// printed as one JSON line with the peak RSS (VmHWM) and the RSS node itself
// had before llama.cpp was loaded, so the runtime can be told apart.
//
//   node bench.mjs --model F --threads T --vocab N [--pp 128] [--tg 64]
//                  [--tg-prompt 8] [--reps 3] [--ctx 512] [--parallel 0]
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

function fail(msg) {
    process.stderr.write(`llamacpp/bench.mjs: ${msg}\n`);
    process.exit(2);
}

const opts = { pp: 128, tg: 64, 'tg-prompt': 8, reps: 3, ctx: 512, parallel: 0 };
const argv = process.argv.slice(2);
while (argv.length) {
    const flag = argv.shift();
    const value = argv.shift();
    if (!flag.startsWith('--') || value === undefined) fail(`bad argument ${flag}`);
    opts[flag.slice(2)] = flag === '--model' ? value : Number(value);
}
if (!opts.model || !opts.threads || !opts.vocab) fail('--model, --threads and --vocab are required');

function procStatus(key) {
    const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : 0;
}

// The same tiny PRNG every run, so both phases see the same ids each time.
let state = 1234;
function randomToken() {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % opts.vocab;
}
const randomTokens = (n) => Array.from({ length: n }, randomToken);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const nodeRss = procStatus('VmRSS');
const llama = await getLlama({
    build: 'never',
    gpu: false,
    maxThreads: opts.threads,
    logLevel: LlamaLogLevel.error,
});
const loadStart = performance.now();
const model = await llama.loadModel({ modelPath: opts.model, gpuLayers: 0 });
const loadMs = performance.now() - loadStart;
const parallel = Math.max(0, opts.parallel);
const context = await model.createContext({
    contextSize: opts.ctx * Math.max(1, parallel),
    batchSize: 512,
    threads: { ideal: opts.threads, min: opts.threads },
    sequences: Math.max(1, parallel),
});
const seq = context.getSequence();

// Greedy generation of `n` tokens after `prompt` on `sequence`: each yielded
// token is one decode (the first one decodes the prompt, or its last id when
// the rest is already in the cache). An end-of-generation token ends
// evaluate(), so generation starts again from it.
async function generate(sequence, prompt, n) {
    let input = prompt;
    let count = 0;
    while (count < n) {
        for await (const token of sequence.evaluate(input, { temperature: 0, yieldEogToken: true })) {
            input = [token];
            if (++count >= n) break;
        }
    }
    return count;
}

const ppRates = [];
const tgRates = [];
const aggRates = [];
let generated = 0;
if (parallel > 0) {
    const sequences = [seq];
    for (let i = 1; i < parallel; ++i) sequences.push(context.getSequence());
    for (let rep = 0; rep <= opts.reps; ++rep) {
        for (const s of sequences) await s.clearHistory();
        const prompts = sequences.map(() => randomTokens(opts['tg-prompt']));
        const t0 = performance.now();
        const counts = await Promise.all(sequences.map((s, i) => generate(s, prompts[i], opts.tg)));
        const dt = (performance.now() - t0) / 1000;
        generated = counts.reduce((a, b) => a + b, 0);
        if (rep > 0) aggRates.push(generated / dt);
    }
    opts.reps = -1; // the pp/tg loop below does nothing
}
for (let rep = 0; rep <= opts.reps; ++rep) {
    if (opts.pp > 0) {
        await seq.clearHistory();
        const prompt = randomTokens(opts.pp);
        const t0 = performance.now();
        await seq.evaluateWithoutGeneratingNewTokens(prompt);
        const dt = (performance.now() - t0) / 1000;
        if (rep > 0) ppRates.push(opts.pp / dt);
    }
    if (opts.tg > 0) {
        await seq.clearHistory();
        const prompt = randomTokens(opts['tg-prompt']);
        await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        const t0 = performance.now();
        const decodes = await generate(seq, prompt.slice(-1), opts.tg);
        const dt = (performance.now() - t0) / 1000;
        if (rep > 0) tgRates.push(decodes / dt);
        generated = decodes;
    }
}

const result = {
    engine: 'llama.cpp',
    model: opts.model,
    threads: opts.threads,
    pp_tokens: opts.pp,
    tg_tokens: generated,
    parallel,
    pp_tok_s: ppRates.length ? median(ppRates) : null,
    tg_tok_s: tgRates.length ? median(tgRates) : null,
    pp_runs: ppRates.map((r) => +r.toFixed(2)),
    tg_runs: tgRates.map((r) => +r.toFixed(2)),
    agg_tok_s: aggRates.length ? median(aggRates) : null,
    agg_runs: aggRates.map((r) => +r.toFixed(2)),
    load_ms: +loadMs.toFixed(1),
    flash_attention: context.flashAttention,
    peak_rss_bytes: procStatus('VmHWM'),
    node_rss_bytes: nodeRss,
    system_info: llama.systemInfo,
    llama_cpp_release: llama.llamaCppRelease?.release ?? null,
};
await context.dispose();
await model.dispose();
process.stdout.write(JSON.stringify(result) + '\n');
