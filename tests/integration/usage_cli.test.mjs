// `edgeai usage` end to end: an empty data directory (a message, exit 0, and
// no file created), the --json shape, exit code 2 for a bad --by or --since,
// and, when the sqlite3 shell is installed, the table and JSON over a usage.db
// filled with rows in the store's schema.
//
// Run: EDGEAI_BIN=/path/to/edgeai node --test usage_cli.test.mjs

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binaryMissing, describeRun, makeTmpDir, removeTmpDir, runEdgeai } from './lib/engine.mjs';

const hasSqliteShell = spawnSync('sqlite3', ['-version']).status === 0;

let tmp;
before(() => { tmp = makeTmpDir('edgeai-it-usage-'); });
after(() => removeTmpDir(tmp));

// Hermetic: no config file from the caller's home or working directory.
function usage(dataDir, ...args) {
  const all = ['usage', '--data-dir', dataDir, ...args];
  return runEdgeai(all, { cwd: tmp, env: { XDG_CONFIG_HOME: tmp } }).then((r) => ({ ...r, args: all }));
}

function assertSummaryShape(summary) {
  assert.equal(summary.object, 'usage.summary');
  assert.ok(Array.isArray(summary.data));
  for (const row of [...summary.data, summary.total]) {
    for (const k of ['requests', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost']) {
      assert.equal(typeof row[k], 'number', `${k} is a number in ${JSON.stringify(row)}`);
    }
    assert.equal(row.total_tokens, row.prompt_tokens + row.completion_tokens);
  }
  assert.ok(!('group' in summary.total));
}

describe('edgeai usage', { skip: binaryMissing() }, () => {
  it('says nothing was recorded in a data directory without usage.db, and creates nothing', async () => {
    const missing = path.join(tmp, 'never-created');
    let r = await usage(missing);
    assert.equal(r.code, 0, describeRun(r.args, r));
    assert.match(r.stdout, /no usage recorded yet/);
    assert.equal(fs.existsSync(missing), false, 'a read-only command creates no data directory');

    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    r = await usage(empty, '--by', 'model', '--since', '7d');
    assert.equal(r.code, 0, describeRun(r.args, r));
    assert.match(r.stdout, /no usage recorded yet/);
    assert.deepEqual(fs.readdirSync(empty), [], 'no usage.db (or -wal, -shm) appears');
  });

  it('--json prints the usage.summary object, empty but well-formed', async () => {
    const empty = path.join(tmp, 'empty-json');
    let r = await usage(empty, '--json');
    assert.equal(r.code, 0, describeRun(r.args, r));
    const all = JSON.parse(r.stdout);
    assertSummaryShape(all);
    assert.deepEqual(all, {
      object: 'usage.summary', by: null, since: null, data: [],
      total: { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: 0 },
    });

    const before = Math.floor(Date.now() / 1000);
    r = await usage(empty, '--json', '--by', 'backend', '--since', '24h');
    assert.equal(r.code, 0, describeRun(r.args, r));
    const recent = JSON.parse(r.stdout);
    assertSummaryShape(recent);
    assert.equal(recent.by, 'backend');
    assert.ok(Math.abs(recent.since - (before - 86400)) <= 5, `since ${recent.since} is 24h ago`);
  });

  it('exits 2 with a clear message for a bad --by or --since', async () => {
    let r = await usage(tmp, '--by', 'nonsense');
    assert.equal(r.code, 2, describeRun(r.args, r));
    assert.match(r.stderr, /--by: .*key, backend or model.*'nonsense'/);
    assert.equal(r.stdout, '');

    r = await usage(tmp, '--since', '5x');
    assert.equal(r.code, 2, describeRun(r.args, r));
    assert.match(r.stderr, /--since: '5x' is not a duration.*24h/);
    assert.equal(r.stdout, '');
  });

  it('exits 1 naming the file when usage.db is not a database', async () => {
    const dir = path.join(tmp, 'corrupt');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'usage.db'), 'not a database\n'.repeat(512));
    const r = await usage(dir);
    assert.equal(r.code, 1, describeRun(r.args, r));
    assert.match(r.stderr, /usage\.db is not a SQLite database/);
  });

  describe('over recorded rows', { skip: hasSqliteShell ? false : 'the sqlite3 shell is not installed' }, () => {
    let dir;
    before(() => {
      dir = path.join(tmp, 'filled');
      fs.mkdirSync(dir);
      const now = Date.now();
      const old = now - 3 * 86400 * 1000;
      // The schema SqliteUsageStore creates (version 1).
      const sql = `
PRAGMA journal_mode=WAL;
CREATE TABLE usage (id INTEGER PRIMARY KEY, unix_ms INTEGER NOT NULL, request_id TEXT NOT NULL,
  key_id TEXT NOT NULL, endpoint TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cost REAL NOT NULL,
  status INTEGER NOT NULL, estimated INTEGER NOT NULL);
CREATE INDEX usage_unix_ms ON usage (unix_ms);
PRAGMA user_version=1;
INSERT INTO usage VALUES (NULL, ${old}, 'r1', 'alice', 'chat_completions', 'cloud', 'gpt-4o', 100, 50, 0.5, 200, 0);
INSERT INTO usage VALUES (NULL, ${now}, 'r2', 'bob', 'chat_completions', 'cloud', 'gpt-4o-mini', 1000, 500, 0.05, 200, 0);
INSERT INTO usage VALUES (NULL, ${now}, 'r3', '', 'chat_completions', 'local', 'qwen', 300, 300, 0, 200, 1);
INSERT INTO usage VALUES (NULL, ${old}, 'r4', 'alice', 'chat_completions', 'cloud', 'tiny', 10, 5, 0.00000855, 200, 0);
`;
      const made = spawnSync('sqlite3', [path.join(dir, 'usage.db')], { input: sql });
      assert.equal(made.status, 0, made.stderr.toString());
    });

    it('prints a table per group with a total line, costs to 4 decimals', async () => {
      const r = await usage(dir, '--by', 'model');
      assert.equal(r.code, 0, describeRun(r.args, r));
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^usage by model, all time$/);
      assert.match(lines[1], /^model\s+requests\s+prompt tokens\s+completion tokens\s+total tokens\s+cost$/);
      assert.match(lines[2], /^gpt-4o\s+1\s+100\s+50\s+150\s+0\.5000$/);
      assert.match(lines[3], /^gpt-4o-mini\s+1\s+1000\s+500\s+1500\s+0\.0500$/);
      // A cost too small for four decimals keeps three significant digits
      // (groups in order of cost).
      assert.match(lines[4], /^tiny\s+1\s+10\s+5\s+15\s+0\.00000855$/);
      assert.match(lines[5], /^qwen\s+1\s+300\s+300\s+600\s+0\.0000$/);
      assert.match(lines[6], /^total\s+4\s+1410\s+855\s+2265\s+0\.5500$/);
      assert.equal(lines.length, 7);

      const byKey = await usage(dir, '--by', 'key', '--since', '1d');
      assert.equal(byKey.code, 0, describeRun(byKey.args, byKey));
      assert.match(byKey.stdout, /^usage by key, last 1d \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n/);
      assert.match(byKey.stdout, /\nbob\s+1\s+1000/);
      assert.match(byKey.stdout, /\n\(none\)\s+1\s+300/, 'requests without a key');
      assert.doesNotMatch(byKey.stdout, /alice/, 'three days ago is outside --since 1d');
      assert.match(byKey.stdout, /\ntotal\s+2\s+1300\s+800\s+2100\s+0\.0500\n$/);
    });

    it('--json gives the same sums', async () => {
      const r = await usage(dir, '--by', 'backend', '--json');
      assert.equal(r.code, 0, describeRun(r.args, r));
      const s = JSON.parse(r.stdout);
      assertSummaryShape(s);
      assert.equal(s.by, 'backend');
      assert.equal(s.since, null);
      assert.deepEqual(s.data.map((d) => [d.group, d.requests, d.total_tokens]),
        [['cloud', 3, 1665], ['local', 1, 600]]);
      assert.ok(Math.abs(s.data[0].cost - 0.55000855) < 1e-12, String(s.data[0].cost));
      assert.equal(s.data[1].cost, 0);
      const { cost, ...counts } = s.total;
      assert.deepEqual(counts, { requests: 4, prompt_tokens: 1410, completion_tokens: 855, total_tokens: 2265 });
      assert.ok(Math.abs(cost - 0.55000855) < 1e-12, String(cost));
    });
  });
});
