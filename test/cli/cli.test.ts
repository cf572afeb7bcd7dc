import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateResults } from '../../reports/results.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/alsa-spec.js', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

test('an unknown command prints the usage and exits 2', () => {
  const r = cli('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
  assert.match(r.stderr, /Usage: alsa-spec/);
});

test('an unknown option or a bad value exits 2 with a message', () => {
  assert.equal(cli('check', '--bogus').status, 2);
  const seed = cli('check', '--seed', 'x');
  assert.equal(seed.status, 2);
  assert.match(seed.stderr, /--seed must be a non-negative integer/);
  const profile = cli('check', '--profile', 'nope', '--no-report', '--no-progress');
  assert.equal(profile.status, 2);
  assert.match(profile.stderr, /unknown ring-core profile 'nope' \(profiles: full, 6\.1, basic, dummy, .*, wall\)/);
});

test('table pcm --json prints one row per edge with the errno by name', () => {
  const r = cli('table', 'pcm', '--json');
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { from: string; event: string; capabilities: string[]; to: string; errno: string | null; rules: string[] }[];
  assert.ok(rows.length > 500);
  for (const row of rows) assert.deepEqual(Object.keys(row), ['from', 'event', 'capabilities', 'to', 'errno', 'rules']);
  const startInSetup = rows.find((x) => x.from === 'SETUP' && x.event === 'START');
  assert.deepEqual(startInSetup, { from: 'SETUP', event: 'START', capabilities: [], to: 'SETUP', errno: 'EBADFD', rules: ['pcm.start.not-prepared'] });
  assert.ok(rows.some((x) => x.from === 'PREPARED' && x.event === 'START' && x.to === 'RUNNING' && x.errno === null));
  assert.equal(cli('table', 'nope').status, 2);
});

test('check writes a results.json that the reports layer accepts, the machine in DOT and its table', () => {
  const out = mkdtempSync(join(tmpdir(), 'alsa-spec-check-'));
  try {
    const r = cli('check', '--profile', 'basic', '--only', 'basic/scenario', '--no-report', '--no-progress', '--out', out);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /tests: \d+ passed, 0 failed/);
    const results = validateResults(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    assert.equal(results.backend, 'ring-core');
    assert.equal(results.kernel, null);
    assert.ok(results.tests.some((t) => t.id === 'scenario/read-on-playback' && t.status === 'PASS'));
    assert.match(readFileSync(join(out, 'pcm.dot'), 'utf8'), /^digraph/);
    assert.match(readFileSync(join(out, 'pcm-transitions.md'), 'utf8'), /\| SETUP \| START \|/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('replay runs a command line on the model and the ring core, and refuses what is not JSON with exit 2', () => {
  const ok = cli('replay', '--backend', 'ring-core', '[{"type":"OPEN","fd":0,"stream":"PLAYBACK","nonblock":true},{"type":"START","fd":0}]');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /✓ 2\. START\(fd=0\)/);
  assert.match(ok.stdout, /EBADFD/);
  assert.equal(cli('replay', '--backend', 'ring-core', '[not json').status, 2);
});
