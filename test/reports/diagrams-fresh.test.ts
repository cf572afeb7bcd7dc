// The checked-in diagram sets regenerate byte for byte: reports/diagrams/ for the project's
// machines (reports/machines.ts), and the fixture set the reports tests draw.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { AnyStateMachine } from 'xstate';
import { checkDiagrams, describeCheck } from '../../reports/diagrams.ts';
import { DIAGRAM_MACHINES, DIAGRAMS_DIR } from '../../reports/machines.ts';
import { FIXTURE_DIAGRAMS_DIR, FIXTURE_MACHINES } from './fixtures/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const SETS: Array<{ dir: string; machines: readonly AnyStateMachine[] }> = [
  { dir: DIAGRAMS_DIR, machines: DIAGRAM_MACHINES },
  { dir: FIXTURE_DIAGRAMS_DIR, machines: FIXTURE_MACHINES },
];

for (const { dir, machines } of SETS) {
  test(`the diagrams checked in under ${dir} are what the machines generate`, async () => {
    const c = await checkDiagrams(machines, `${root}${dir}`);
    assert.ok(c.ok, describeCheck(c, dir));
  });
}
