// The buffer suite against the ring core: it passes on every memory profile, exercises every
// buffer rule, and catches every deliberately broken allocator (MEMORY_FAULTS), with a path that
// fails on the mutant and passes on the real core.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { RULE_IDS } from '../../spec/rules.generated.ts';
import { MEMORY_PROFILES, ringProfile } from '../../conformance/backends.ts';
import { planBufferPaths, runBufferSequence, runBufferSuite } from '../../conformance/buffer/index.ts';
import { ruleStatus, type SuiteRun } from '../../conformance/suite.ts';
import { MEMORY_FAULTS, type RingFault } from '../../reference/ring-core/index.ts';

const PROFILES = Object.keys(MEMORY_PROFILES);
const opts = (profile: string, dir: 'PLAYBACK' | 'CAPTURE') => ({ profile: `${profile}/${dir}`, dir, seed: 3, randomRuns: 25, maxCommands: 20 });
const runs: SuiteRun[] = [];

before(async () => {
  for (const p of PROFILES) for (const dir of ['PLAYBACK', 'CAPTURE'] as const) runs.push(await runBufferSuite(ringProfile(p, undefined, { trace: true }), opts(p, dir)));
});

test('the ring core, the PCM machine and the buffer machine agree on every buffer path and random sequence of every memory profile', () => {
  const bad = runs.flatMap((r) => r.tests.filter((t) => t.status !== 'PASS' && !t.id.endsWith('/unreachable')));
  assert.deepEqual(bad.map((t) => `${t.id}: ${t.reason}`), []);
  assert.ok(runs.reduce((n, r) => n + r.tests.length, 0) > 600);
});

test("the buffer rules a profile's setup rules out are UNSUPPORTED with the setup named, and none of them was exercised", () => {
  for (const r of runs) {
    const t = r.tests.find((x) => x.id.endsWith('/unreachable'));
    if (!t) continue;
    assert.equal(t.status, 'UNSUPPORTED');
    assert.match(t.reason ?? '', /setup \((not )?managed [A-Z_]+, size \d+, max \d+; all \d+ states/);
    assert.deepEqual(t.rules.filter((x) => r.passedRules.has(x as never) || r.failedRules.has(x as never)), [], t.id);
  }
  // The fixed buffer (max 0) has no proc files and no fallback: those rules are ruled out there.
  const fixed = runs.find((r) => r.tests.some((t) => t.id === 'fixed/PLAYBACK/unreachable'))!;
  const ruledOut = fixed.tests.find((t) => t.id === 'fixed/PLAYBACK/unreachable')!.rules;
  for (const x of ['buffer.prealloc.fallback', 'buffer.proc.prealloc-write', 'buffer.prealloc.on-demand']) assert.ok(ruledOut.includes(x), x);
  assert.ok(!ruledOut.includes('buffer.prealloc.fixed'));
});

test('every buffer rule is exercised by a passing buffer test', () => {
  const status = ruleStatus(runs, RULE_IDS.filter((r) => r.startsWith('buffer.')));
  assert.deepEqual(Object.entries(status).filter(([, s]) => s !== 'PASS'), []);
});

test('a backend that shows no callbacks gets the order rules UNSUPPORTED, with the reason', async () => {
  const base = ringProfile('dummy'); // no trace: no recorder
  const run = await runBufferSuite(base, { ...opts('dummy', 'PLAYBACK'), randomRuns: 0 });
  const u = run.tests.filter((t) => t.status === 'UNSUPPORTED' && !t.id.endsWith('/unreachable'));
  assert.equal(u.length, 1);
  assert.match(u[0]!.reason ?? '', /does not show driver callbacks/);
  assert.ok(run.tests.filter((t) => t.status === 'PASS').length > 10, 'the outcomes are still compared');
});

for (const fault of Object.keys(MEMORY_FAULTS) as RingFault[]) {
  test(`the buffer suite catches the mutant "${fault}" (${MEMORY_FAULTS[fault as keyof typeof MEMORY_FAULTS]})`, async () => {
    for (const p of PROFILES) {
      const run = await runBufferSuite(ringProfile(p, fault, { trace: true }), { ...opts(p, 'PLAYBACK'), randomRuns: 10 });
      const failed = run.tests.find((t) => t.status === 'FAIL' && t.id.includes('/paths/'));
      if (!failed) continue;
      // The failing path fails on the mutant alone.
      const n = Number(/\/paths\/(\d+)$/.exec(failed.id)![1]) - 1;
      const clean = ringProfile(p, undefined, { trace: true });
      const info = clean.open().info;
      const path = planBufferPaths({ dir: 'PLAYBACK', caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}) }).paths[n]!;
      assert.equal((await runBufferSequence(ringProfile(p, fault, { trace: true }).open(), 'PLAYBACK', path)).status, 'FAIL');
      assert.equal((await runBufferSequence(clean.open(), 'PLAYBACK', path)).status, 'PASS');
      return;
    }
    assert.fail(`no buffer path failed with ${fault}`);
  });
}
