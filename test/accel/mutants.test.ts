// The suite proves itself: each deliberately broken accelerator fails it, and the failure's
// one-line replay reproduces on the mutant and passes on the reference.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACCEL_MUTANTS, decodeReplay, replayAccel, runAccelSuite } from '../../conformance/accel/index.ts';
import { referenceAccelBackend } from '../../reference/accel/index.ts';

describe('mutants of the reference accelerator', () => {
  test('there are at least four', () => {
    assert.ok(ACCEL_MUTANTS.length >= 4);
  });

  for (const m of ACCEL_MUTANTS) {
    test(`the suite catches "${m.fault}" (${m.description}) and its replay reproduces the failure`, async (t) => {
      const r = await runAccelSuite(m.backend(), { seed: 1, runs: 300 });
      const failed = r.results.filter((x) => x.status === 'FAIL');
      assert.ok(failed.length > 0, `mutant ${m.fault} passed the suite`);
      assert.ok(Object.values(r.coverage.rules).includes('FAIL'));
      const f = failed[0]!;
      assert.ok(f.replay && !f.replay.includes('\n'), 'a one-line replay');
      t.diagnostic(`${f.id}: ${f.message}`);
      t.diagnostic(f.replay);
      assert.equal(decodeReplay(f.replay).backend, m.backend().name);
      const again = await replayAccel(m.backend(), f.replay);
      assert.equal(again.ok, false, 'the replay fails on the mutant');
      assert.equal(again.message, f.message?.replace(/ \(fast-check.*$/, ''));
      const ref = await replayAccel(referenceAccelBackend(), f.replay);
      assert.equal(ref.ok, true, `the replay passes on the reference: ${ref.message}`);
    });
  }
});
