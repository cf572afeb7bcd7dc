import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffResults, formatDiff } from '../../reports/diff.ts';
import type { Results } from '../../reports/results.ts';

function run(rules: Results['coverage']['rules'], tests: Record<string, Results['tests'][number]['status']>, transitions: Record<string, number> = {}): Results {
  return {
    backend: 'ring',
    kernel: null,
    device: 'ring-core',
    tests: Object.entries(tests).map(([id, status]) => ({ id, title: id, rules: [], status })),
    coverage: { states: {}, transitions, rules },
  };
}

test('rules are added, removed, changed or unchanged; only PASS to anything else regresses', () => {
  const a = run({ 'r.a.ok': 'PASS', 'r.b.ok': 'PASS', 'r.c.ok': 'FAIL', 'r.d.ok': 'PASS', 'r.e.ok': 'UNCOVERED' }, {});
  const b = run({ 'r.a.ok': 'PASS', 'r.b.ok': 'FAIL', 'r.c.ok': 'PASS', 'r.e.ok': 'UNSUPPORTED', 'r.f.ok': 'FAIL' }, {});
  const d = diffResults(a, b);
  assert.deepEqual(
    d.rules.map((e) => [e.key, e.change, e.a, e.b, e.regression]),
    [
      ['r.a.ok', 'unchanged', 'PASS', 'PASS', false],
      ['r.b.ok', 'changed', 'PASS', 'FAIL', true],
      ['r.c.ok', 'changed', 'FAIL', 'PASS', false],
      ['r.d.ok', 'removed', 'PASS', null, false],
      ['r.e.ok', 'changed', 'UNCOVERED', 'UNSUPPORTED', false],
      ['r.f.ok', 'added', null, 'FAIL', false],
    ],
  );
  assert.deepEqual(d.counts.rules, { added: 1, removed: 1, changed: 3, unchanged: 1 });
  assert.equal(d.regressions, 1);
});

test('a test that passed and now is unsupported or errors is a regression', () => {
  const d = diffResults(run({}, { t1: 'PASS', t2: 'PASS', t3: 'ERROR' }), run({}, { t1: 'UNSUPPORTED', t2: 'ERROR', t3: 'PASS' }));
  assert.deepEqual(d.tests.map((e) => e.regression), [true, true, false]);
  assert.equal(d.regressions, 2);
});

test('transitions compare taken or not taken, not how often, and never regress', () => {
  const a = run({}, {}, { 'A --X--> B': 3, 'B --Y--> C': 1, 'C --Z--> A': 0 });
  const b = run({}, {}, { 'A --X--> B': 7, 'B --Y--> C': 0, 'D --W--> A': 1 });
  const d = diffResults(a, b);
  assert.deepEqual(
    d.transitions.map((e) => [e.key, e.change]),
    [
      ['A --X--> B', 'unchanged'],
      ['B --Y--> C', 'changed'],
      ['C --Z--> A', 'removed'],
      ['D --W--> A', 'added'],
    ],
  );
  assert.equal(d.regressions, 0);
});

test('per-machine coverage sections diff under the machine name', () => {
  const a = run({}, {});
  a.coverage.machines = { accel: { states: {}, transitions: { 'OPEN --SET_PARAMS--> SETUP': 1 } } };
  const d = diffResults(a, run({}, {}));
  assert.deepEqual(d.transitions.map((e) => [e.key, e.change]), [['accel: OPEN --SET_PARAMS--> SETUP', 'removed']]);
});

test('identical runs: everything unchanged, no regression', () => {
  const a = run({ 'r.a.ok': 'PASS' }, { t: 'PASS' }, { 'A --X--> B': 1 });
  const d = diffResults(a, structuredClone(a));
  assert.equal(d.regressions, 0);
  assert.deepEqual(d.counts.tests, { added: 0, removed: 0, changed: 0, unchanged: 1 });
  assert.match(formatDiff(d), /\nno regression\n$/);
  assert.doesNotMatch(formatDiff(d), /unchanged +r\.a\.ok/);
  assert.match(formatDiff(d, { verbose: true }), /\n  unchanged r\.a\.ok: PASS → PASS\n/);
});

test('the text diff lists changes with their regression mark and ends with the count', () => {
  const text = formatDiff(diffResults(run({ 'r.a.ok': 'PASS' }, {}), run({ 'r.a.ok': 'FAIL' }, {})));
  assert.match(text, /^A: ring \(ring-core\)\nB: ring \(ring-core\)\n/);
  assert.match(text, /\nrules: 0 added, 0 removed, 1 changed, 0 unchanged\n  changed   r\.a\.ok: PASS → FAIL  REGRESSION\n/);
  assert.match(text, /\n1 regression \(PASS in A, not in B\)\n$/);
});
