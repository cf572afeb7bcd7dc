// The diagrams / report / diff subcommands as a person runs them: exit codes and messages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'alsa-spec-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('diff exits 1 on a regression and 0 without one', () => {
  const bad = cli('diff', fixture('results-ring.json'), fixture('results-kernel.json'));
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.out, /changed   pcm\.start\.ok: PASS → FAIL  REGRESSION/);
  const good = cli('diff', fixture('results-kernel.json'), fixture('results-ring.json'), '--json');
  assert.equal(good.code, 0, good.err);
  assert.equal(JSON.parse(good.out).regressions, 0);
});

test('report and diff reject a malformed results file with exit 2 and say what is wrong', () => {
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ backend: 'ring', kernel: null, device: 'x', tests: [{ id: 't', title: 't', rules: [], status: 'SKIP' }], coverage: { states: {}, transitions: {}, rules: {} } }));
  for (const args of [['report', bad, '--out', join(tmp, 'r')], ['diff', fixture('results-ring.json'), bad]]) {
    const r = cli(...args);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.json is not a valid results file:\n  - tests\[0\] \(t\)\.status is "SKIP"; expected one of PASS, FAIL, UNSUPPORTED, ERROR/);
  }
  const missing = cli('diff', join(tmp, 'none.json'), fixture('results-ring.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /none\.json is not a valid results file:\n  - no such file/);
});

test('unknown options and wrong argument counts print the usage and exit 2', () => {
  for (const args of [['diff', '--bogus', 'a', 'b'], ['diff', 'a'], ['diff', 'a', 'b', 'c'], ['report'], ['diagrams', '--nope'], ['diagrams', 'extra']]) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /Usage: alsa-spec (diff|report|diagrams) \[options\]/);
  }
  assert.equal(cli('diff', '--help').code, 0);
});

test('report writes the HTML report and says where; diagrams writes and checks a diagram set', () => {
  const out = join(tmp, 'report');
  const r = cli('report', fixture('results-ring.json'), fixture('results-kernel.json'), '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^report: .*index\.html \(2 runs, 2 with failures; \d+ files\) \(\d+ ms\)\n$/);
  assert.ok(existsSync(join(out, 'diagrams', 'mini-pcm.html')));

  const d = join(tmp, 'diagrams');
  const w = cli('diagrams', '--out', d);
  assert.equal(w.code, 0, w.err);
  assert.match(w.out, /^diagrams: 4 machines, 30 files in .* \(\d+ ms\)\n$/);
  assert.equal(cli('diagrams', '--out', d, '--check').code, 0);
  writeFileSync(join(d, 'nested', 'nested.mmd'), 'stale');
  const c = cli('diagrams', '--out', d, '--check');
  assert.equal(c.code, 1);
  assert.match(c.err, /stale: nested\/nested\.mmd\)\. Regenerate with `alsa-spec diagrams --out /);
});
