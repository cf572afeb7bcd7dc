// The suite against the ring core: it passes, every rule is exercised, and every deliberately
// broken core (reference/ring-core/faults.ts) is caught, with a replay line that reproduces it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { RULE_IDS } from '../../spec/rules.generated.ts';
import { pcmProfile, ringProfile } from '../../conformance/backends.ts';
import { parse } from '../../conformance/codec.ts';
import { Model, modelInput } from '../../conformance/model.ts';
import { runSequence } from '../../conformance/session.ts';
import { ruleStatus, runPcmSuite, type SuiteRun } from '../../conformance/suite.ts';
import { unreachableRules } from '../../machines/pcm/reach.ts';
import { RING_FAULTS, type RingFault } from '../../reference/ring-core/index.ts';
import type { Command } from '../../spec/device.ts';

const opts = { replayTarget: 'ring-core --profile full', seed: 7, randomRuns: 60, maxCommands: 30 };
const runs: Record<string, SuiteRun> = {};

before(async () => {
  for (const p of ['full', 'basic', 'wall']) runs[p] = await runPcmSuite(pcmProfile(p), { ...opts, replayTarget: `ring-core --profile ${p}` });
});

test('the ring core agrees with the model on every generated path, scenario, random sequence and data test', () => {
  for (const [p, run] of Object.entries(runs)) {
    const bad = run.tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR');
    assert.deepEqual(bad.map((t) => `${p}/${t.id}: ${t.reason}`), []);
    assert.ok(run.tests.length > 300, `${p}: ${run.tests.length} tests`);
  }
});

test('every PCM rule is exercised by a passing test on the ring core (buffer and sync rules: their own suites)', () => {
  const status = ruleStatus(Object.values(runs), RULE_IDS.filter((r) => !/^(accel|buffer|sync)\./.test(r)));
  assert.deepEqual(Object.entries(status).filter(([, s]) => s !== 'PASS'), []);
});

test('the UNSUPPORTED tests are the ones a device without loopback or pause cannot run, each with its reason', () => {
  const unsupported = Object.values(runs).flatMap((r) => r.tests.filter((t) => t.status === 'UNSUPPORTED'));
  assert.ok(unsupported.length > 0);
  for (const t of unsupported) assert.match(t.reason ?? '', /no loopback|has no PAUSE|has no|needs a capability the device lacks/);
});

test("the rules a device's capabilities rule out are never exercised on it, and are reported UNSUPPORTED", async () => {
  for (const [p, run] of Object.entries(runs)) {
    const d = await pcmProfile(p).open();
    const both = d.info.streams.PLAYBACK !== undefined && d.info.streams.CAPTURE !== undefined;
    const ruledOut = unreachableRules({ caps: d.info.streams, ...(d.info.memory ? { memory: d.info.memory } : {}) }, both ? [1, 2] : [1]);
    await d.dispose();
    assert.ok(ruledOut.length > 0, p);
    // Soundness: a rule the analysis rules out that a passing step reached would be a wrong answer.
    assert.deepEqual(ruledOut.filter((r) => run.passedRules.has(r) || run.failedRules.has(r)), [], p);
    const t = run.tests.find((x) => x.id === 'paths/unreachable');
    assert.deepEqual(t?.rules, ruledOut, p);
    assert.equal(t?.status, 'UNSUPPORTED');
  }
  // The profile without PAUSE, RESUME or capture: exactly what the kernel's checks rule out.
  const d = await pcmProfile('basic').open();
  const basic = unreachableRules({ caps: d.info.streams });
  await d.dispose();
  for (const r of ['pcm.pause.push', 'pcm.pause.release', 'pcm.pause.bad-state', 'harness.wait.signal', 'pcm.resume.ok'] as const) assert.ok(basic.includes(r), r);
  for (const r of ['pcm.pause.no-support', 'pcm.resume.no-support', 'pcm.open.no-device', 'pcm.mmap-data.no-mmap'] as const) assert.ok(!basic.includes(r), r);
});

for (const fault of Object.keys(RING_FAULTS) as (keyof typeof RING_FAULTS)[]) {
  test(`the suite catches the mutant "${fault}" (${RING_FAULTS[fault]})`, async () => {
    const run = await runPcmSuite(pcmProfile('full', fault), { ...opts, randomRuns: 30 });
    const caught = run.tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR');
    assert.ok(caught.length > 0, `no test failed with ${fault}`);
    // The first failure's replay line reproduces it on the mutant and passes on the real core.
    const t = caught.find((x) => x.id.startsWith('paths/') || x.id.startsWith('scenario/')) ?? caught[0]!;
    const json = /'(\[.*\])'$/.exec(t.replay ?? '')?.[1];
    if (!json) return; // data tests replay through `check --only`
    const commands = parse<Command[]>(json.replace(/'\\''/g, "'"));
    const files = Number(/--files (\d)/.exec(t.replay!)![1]) as 1 | 2;
    const replayOn = async (f?: RingFault) => {
      const backend = ringProfile('full', f);
      const dev = backend.open() as Awaited<ReturnType<typeof backend.open>>;
      return runSequence(new Model(modelInput(dev.info, files)), dev, commands);
    };
    assert.notEqual((await replayOn(fault)).status, 'PASS', `${t.id} does not reproduce`);
    assert.equal((await replayOn()).status, 'PASS');
  });
}

// On a clock that is not the test's, the runner explains each step by the device progress it
// observed (conformance/observe.ts). That must not explain mutants away. Two cannot be told from
// a real device by observation at all: a STATUS that reports the state after its own update
// (status-state-after-update) looks like an interrupt that found the xrun just before it, and a
// capture that stays readable while DRAINING (capture-draining-readable) like a period that ended
// just before the read; both are caught on the virtual clock above.
const INDISTINGUISHABLE_IN_REAL_TIME: readonly RingFault[] = ['status-state-after-update', 'capture-draining-readable'];

test('on the wall-clock ring core the suite still catches every mutant an observer can tell apart', async () => {
  const missed: string[] = [];
  for (const fault of Object.keys(RING_FAULTS) as RingFault[]) {
    if (INDISTINGUISHABLE_IN_REAL_TIME.includes(fault)) continue;
    const run = await runPcmSuite(pcmProfile('wall', fault), { ...opts, randomRuns: 20, replayTarget: 'ring-core --profile wall' });
    if (!run.tests.some((t) => t.status === 'FAIL' || t.status === 'ERROR')) missed.push(fault);
  }
  assert.deepEqual(missed, []);
});
