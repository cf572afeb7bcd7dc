// The sync suite against the ring core: it passes on the two-view profiles and snd-aloop's single
// view, exercises every sync rule, and catches every deliberately misplaced sync (SYNC_FAULTS).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { RULE_IDS } from '../../spec/rules.generated.ts';
import { ringProfile } from '../../conformance/backends.ts';
import { runSyncSuite, type DataExpectation } from '../../conformance/sync/index.ts';
import { ruleStatus, type SuiteRun } from '../../conformance/suite.ts';
import { SYNC_FAULTS, type RingFault } from '../../reference/ring-core/index.ts';

const PROFILES: [string, DataExpectation][] = [['noncoherent', 'intact'], ['noncoherent-on-demand', 'lost'], ['aloop', 'intact']];
const runs: SuiteRun[] = [];
const opts = (profile: string, data: DataExpectation) => ({ profile, data, seed: 5, randomRuns: 25, maxCommands: 30 });

before(async () => {
  for (const [p, d] of PROFILES) runs.push(await runSyncSuite(ringProfile(p, undefined, { trace: true }), opts(p, d)));
});

test('probes, named and random sequences and loopback data agree with the sync and PCM machines on every two-view and one-view profile', () => {
  const bad = runs.flatMap((r) => r.tests.filter((t) => t.status !== 'PASS'));
  assert.deepEqual(bad.map((t) => `${t.id}: ${t.reason}`), []);
});

test('every sync rule is exercised by a passing sync test', () => {
  const status = ruleStatus(runs, RULE_IDS.filter((r) => r.startsWith('sync.')));
  assert.deepEqual(Object.entries(status).filter(([, s]) => s !== 'PASS'), []);
});

test('a backend that does not show its views gets the sync rules UNSUPPORTED, with the reason', async () => {
  const run = await runSyncSuite(ringProfile('noncoherent'), opts('noncoherent', 'intact')); // no trace
  assert.equal(run.tests.length, 1);
  assert.equal(run.tests[0]!.status, 'UNSUPPORTED');
  assert.match(run.tests[0]!.reason ?? '', /does not show its buffers' views/);
});

for (const fault of Object.keys(SYNC_FAULTS) as RingFault[]) {
  test(`the sync suite catches the mutant "${fault}" (${SYNC_FAULTS[fault as keyof typeof SYNC_FAULTS]})`, async () => {
    const caught: string[] = [];
    for (const [p, d] of PROFILES) {
      const run = await runSyncSuite(ringProfile(p, fault, { trace: true }), { ...opts(p, d), randomRuns: 10 });
      caught.push(...run.tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR').map((t) => t.id));
    }
    assert.ok(caught.length > 0, `nothing failed with ${fault}`);
  });
}
