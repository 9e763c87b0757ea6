// One bench/wasm.sh row's chromium figures: the browser build (web/ and
// build/browser's edgeai-web.*) in headless chromium, 1 thread, the model
// loaded from a URL, then completions through the page API timed in the
// page: prompt speed = prompt tokens / time to the first token, generation
// speed = tokens after the first / time after it. Greedy, the prompt as token
// ids, the end-of-generation token banned (logit_bias) so every run
// generates TG tokens as `edgeai bench` does, medians of the runs after a
// dropped warm-up. Prints one JSON line: {"pp_tok_s":..,"tg_tok_s":..}.
//
//   node bench/lib/browser_bench.mjs MODEL.gguf PP TG REPS [EOS_ID]
//
// Environment: EDGEAI_WEB_BUILD (default build/browser/apps/edgeai-web),
// EDGEAI_CHROMIUM (default /usr/bin/chromium). playwright-core comes from
// tests/integration/node_modules.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'tests', 'integration', 'package.json'));
const { chromium } = require('playwright-core');
const { startWebServer } = await import(path.join(root, 'tests', 'integration', 'lib', 'web_static.mjs'));

const [model, pp, tg, reps, eos] = process.argv.slice(2);
if (!model) {
  console.error('usage: node bench/lib/browser_bench.mjs MODEL.gguf PP TG REPS');
  process.exit(2);
}
const server = await startWebServer({
  webDir: path.join(root, 'web'),
  buildDir: process.env.EDGEAI_WEB_BUILD || path.join(root, 'build', 'browser', 'apps', 'edgeai-web'),
  models: { 'bench.gguf': path.resolve(model) },
});
const browser = await chromium.launch({
  executablePath: process.env.EDGEAI_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  const result = await page.evaluate(async ({ ppTokens, tgTokens, runs, eosId }) => {
    const { EdgeAI } = await import('/edgeai.js');
    const ai = await EdgeAI.load('/models/bench.gguf');
    // Token ids past the control tokens, within any vocabulary.
    const prompt = Array.from({ length: ppTokens }, (_, i) => 10 + (i * 7) % 200);
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ppRates = [];
    const tgRates = [];
    for (let r = 0; r <= runs; r++) {
      const started = performance.now();
      let first = 0;
      let usage = null;
      const stream = ai.completions.create({
        prompt, max_tokens: tgTokens, temperature: 0, stream: true, stream_options: { include_usage: true },
        ...(eosId === null ? {} : { logit_bias: { [eosId]: -100 } }),
      });
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        else if (!first) first = performance.now();
      }
      const end = performance.now();
      if (r === 0) continue; // warm-up
      ppRates.push(usage.prompt_tokens / ((first - started) / 1000));
      tgRates.push((usage.completion_tokens - 1) / ((end - first) / 1000));
    }
    ai.terminate();
    return { pp_tok_s: median(ppRates), tg_tok_s: median(tgRates) };
  }, { ppTokens: Number(pp || 128), tgTokens: Number(tg || 64), runs: Number(reps || 3),
       eosId: eos === undefined || eos === '' ? null : Number(eos) });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.close();
}
