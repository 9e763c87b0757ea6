// The docs name only commands that exist: every `edgeai SUBCOMMAND ...` in
// README.md and docs/*.md (inline code and code blocks) must name a
// subcommand the binary has, a sub-subcommand it lists, and flags its --help
// shows, so a renamed flag cannot leave a doc that sends people astray.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test docs_cli.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { binaryMissing, runEdgeai } from './lib/engine.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Each `edgeai ...` invocation written in the docs, with where it is.
function invocations() {
  const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = text.split('\n');
    let inBlock = false;
    lines.forEach((line, i) => {
      if (/^\s*```/.test(line)) {
        inBlock = !inBlock;
        return;
      }
      const found = [];
      if (inBlock) {
        const m = line.match(/(?:^|[\s;&|(]|\$ )edgeai ([^#|;&]*)/);
        if (m) found.push(m[1]);
      } else {
        // A table cell may list alternatives: `edgeai queue ls \| show ID`.
        for (const m of line.matchAll(/`edgeai ([^`]*)`/g)) {
          const [first, ...more] = m[1].split('\\|');
          found.push(first);
          const sub = first.trim().split(/\s+/)[0];
          for (const alt of more) found.push(`${sub} ${alt.trim()}`);
        }
      }
      for (const rest of found) out.push({ where: `${file}:${i + 1}`, words: rest.trim().split(/\s+/) });
    });
  }
  return out;
}

const helpCache = new Map();
async function help(words) {
  const key = words.join(' ');
  if (!helpCache.has(key)) {
    const r = await runEdgeai([...words, '--help']);
    helpCache.set(key, r.code === 0 ? r.stdout : null);
  }
  return helpCache.get(key);
}

// The names under "Commands:" in a help text.
function commandsOf(text) {
  const at = text.indexOf('\nCommands:');
  if (at < 0) return [];
  return [...text.slice(at).matchAll(/^ {2}([a-z][a-z0-9-]*)\s/gm)].map((m) => m[1]);
}

describe('the docs name only commands and flags that exist', { skip: binaryMissing() }, () => {
  it('every edgeai subcommand, sub-subcommand and --flag in README.md and docs/', async () => {
    const top = commandsOf(await help([]));
    assert.ok(top.includes('serve'), 'the top-level help lists the commands');
    const wrong = [];
    const seen = invocations();
    assert.ok(seen.length > 30, `the docs name edgeai commands (${seen.length} found)`);
    for (const { where, words } of seen) {
      const sub = words[0];
      // Placeholders and prose ("edgeai's", "edgeai serve ... and"): only real command words.
      if (!/^[a-z][a-z0-9-]*$/.test(sub)) continue;
      if (!top.includes(sub)) {
        wrong.push(`${where}: 'edgeai ${sub}' is not a subcommand`);
        continue;
      }
      const path = [sub];
      const subs = commandsOf(await help(path));
      if (subs.length > 0 && /^[a-z][a-z0-9-]*$/.test(words[1] ?? '')) {
        if (!subs.includes(words[1])) {
          wrong.push(`${where}: 'edgeai ${sub} ${words[1]}' is not a subcommand of ${sub} (${subs.join(', ')})`);
          continue;
        }
        path.push(words[1]);
      }
      const text = await help(path);
      for (const w of words) {
        const flag = w.match(/^(--[a-z][a-z0-9-]*)/)?.[1];
        if (flag && !text.includes(flag)) wrong.push(`${where}: 'edgeai ${path.join(' ')}' has no ${flag}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
