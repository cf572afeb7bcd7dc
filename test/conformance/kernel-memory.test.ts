// The kernel-facing checks of managed buffers through a backend that answers like a kernel
// (DeviceInfo.kernel set, no inspection API): the buffer paths compared by their outcomes alone and the sync rules
// UNSUPPORTED because no stock virtual driver sets EXPLICIT_SYNC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PcmBackend, PcmDevice } from '../../spec/device.ts';
import { ringProfile } from '../../conformance/backends.ts';
import { runKernelMemoryChecks } from '../../conformance/kernel-memory.ts';

/** snd-dummy with fake_buffer=0 as a kernel backend would describe it: only the seam. */
function kernelLike(): PcmBackend {
  const inner = ringProfile('dummy');
  return {
    name: 'kernel',
    open(): PcmDevice {
      const d = inner.open();
      return { info: { ...d.info, backend: 'kernel', device: 'dummy', kernel: '7.2' }, exec: (c) => d.exec(c), dispose: () => d.dispose() };
    },
    shutdown: () => inner.shutdown(),
  };
}

test('through a kernel-like backend the buffer paths pass on outcomes, callbacks and syncs are UNSUPPORTED with their reasons', async () => {
  const runs = await runKernelMemoryChecks(kernelLike(), { seed: 1, randomRuns: 5, maxCommands: 15 });
  const tests = runs.flatMap((r) => r.tests);
  assert.deepEqual(tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR').map((t) => `${t.id}: ${t.reason}`), []);
  assert.ok(tests.filter((t) => t.status === 'PASS').length > 50);
  const unsupported = tests.filter((t) => t.status === 'UNSUPPORTED');
  assert.ok(unsupported.some((t) => /callbacks/.test(t.reason ?? '')));
  assert.ok(unsupported.some((t) => /no stock virtual driver \(snd-dummy, snd-aloop\) sets EXPLICIT_SYNC/.test(t.reason ?? '')));
  assert.ok(runs.some((r) => r.passedRules.has('buffer.hw-params.enomem')), 'ENOMEM at the card limit is checked by outcome');
  assert.ok(runs.some((r) => r.passedRules.has('buffer.proc.prealloc-max-read')));
});
