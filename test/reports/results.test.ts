import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseResults, parseTransitionKey, readResults, ResultsError, transitionKey, validateResults } from '../../reports/results.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const good = () => JSON.parse(readFileSync(fixture('results-kernel.json'), 'utf8')) as Record<string, unknown>;

function problems(value: unknown): string[] {
  try {
    validateResults(value, 'x.json');
  } catch (e) {
    assert.ok(e instanceof ResultsError);
    assert.match(e.message, /^x\.json is not a valid results file:/);
    return e.problems;
  }
  assert.fail('validateResults accepted invalid input');
}

test('the fixture results files validate, extra fields included', () => {
  const r = readResults(fixture('results-kernel.json'));
  assert.equal(r.backend, 'kernel');
  assert.equal(r.startedAt, '2026-11-21T08:00:00Z');
  assert.equal(readResults(fixture('results-ring.json')).kernel, null);
});

test('a bad status is named with its test and the statuses allowed', () => {
  const v = good();
  (v.tests as Array<Record<string, unknown>>)[1]!.status = 'SKIP';
  assert.deepEqual(problems(v), ['tests[1] (path/start).status is "SKIP"; expected one of PASS, FAIL, UNSUPPORTED, ERROR']);
});

test('every problem is listed, each with its path', () => {
  const v = good();
  delete v.backend;
  v.kernel = 7.2;
  (v.coverage as Record<string, unknown>).transitions = { 'RUNNING -> XRUN': 1, 'A --E--> B': -1 };
  (v.coverage as { rules: Record<string, unknown> }).rules['pcm.start.ok'] = 'OK';
  const p = problems(v);
  assert.equal(p.length, 5);
  assert.ok(p.some((s) => s.startsWith('backend must be a non-empty string')));
  assert.ok(p.some((s) => s.startsWith('kernel must be a string')));
  assert.ok(p.some((s) => s.includes('"RUNNING -> XRUN" is not "FROM --EVENT--> TO"')));
  assert.ok(p.some((s) => s.startsWith('coverage.transitions["A --E--> B"] must be a count')));
  assert.ok(p.some((s) => s === 'coverage.rules["pcm.start.ok"] is "OK"; expected one of PASS, FAIL, UNCOVERED, UNSUPPORTED'));
});

test('repeated test ids are refused, since reports and diffs key tests by id', () => {
  const v = good();
  const tests = v.tests as Array<Record<string, unknown>>;
  tests.push({ ...tests[0]! });
  assert.deepEqual(problems(v), ['tests[8].id "path/open-setup" repeats tests[0].id; test ids must be unique']);
});

test('per-machine coverage sections are checked like the top-level one', () => {
  const v = good();
  (v.coverage as Record<string, unknown>).machines = { accel: { states: {}, transitions: { bad: 1 } } };
  assert.match(problems(v)[0]!, /^coverage\.machines\["accel"\]\.transitions: key "bad"/);
});

test('input that is not JSON, not an object or not there says so', () => {
  assert.throws(() => parseResults('{', 'a.json'), /a\.json is not a valid results file:\n  - it is not JSON/);
  assert.throws(() => parseResults('[]', 'a.json'), /the top level must be an object, got an array/);
  assert.throws(() => readResults('/nonexistent/r.json'), /r\.json is not a valid results file:\n  - no such file/);
});

test('transition keys round-trip, and state names may not be blank', () => {
  assert.deepEqual(parseTransitionKey(transitionKey('PREPARED', 'START', 'RUNNING')), { from: 'PREPARED', event: 'START', to: 'RUNNING' });
  assert.deepEqual(parseTransitionKey('tasks.IDLE --START_TASK--> tasks.ACTIVE'), { from: 'tasks.IDLE', event: 'START_TASK', to: 'tasks.ACTIVE' });
  assert.equal(parseTransitionKey(' --START--> RUNNING'), null);
  assert.equal(parseTransitionKey('PREPARED --START-->RUNNING'), null);
});
