// The suite reads the model's pages by running PEEK's effect on the model's context
// (conformance/session.ts modelPeek); that must be what a PEEK through the machine's decision answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../machines/pcm/decide.ts';
import { commandArbitrary } from '../../conformance/generators.ts';
import { Model } from '../../conformance/model.ts';
import { modelPeek } from '../../conformance/session.ts';
import { DEFAULT_CAPS } from '../../reference/ring-core/index.ts';

test("the model's pages as the suite reads them are what PEEK answers, in every state a random walk reaches", () => {
  const caps = { PLAYBACK: DEFAULT_CAPS, CAPTURE: DEFAULT_CAPS };
  for (const files of [1, 2] as const) {
    fc.assert(
      fc.property(fc.array(commandArbitrary(caps, files), { maxLength: 40 }), (cmds) => {
        const model = new Model({ caps, kernel: '7.2', files });
        for (const cmd of cmds) {
          try {
            model.send(cmd);
          } catch {
            return;
          }
          for (let fd = 0; fd < files; fd++) {
            const { next } = decide(model.context, { type: 'PEEK', fd });
            assert.deepStrictEqual(modelPeek(model, fd), next.last.ok ? next.last.peek : undefined);
          }
        }
      }),
      { numRuns: 150 },
    );
  }
});
