// The data tests pass on the ring core's loopback, and fail when the data path is broken.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command, Outcome, PcmBackend } from '../../spec/device.ts';
import { runDataTests } from '../../conformance/data.ts';
import { ringCoreBackend } from '../../reference/ring-core/index.ts';

/** The loopback ring core, with `alter` applied to each command or outcome. */
function broken(alter: (cmd: Command, run: (c: Command) => Outcome) => Outcome): PcmBackend {
  const inner = ringCoreBackend({ loopback: true });
  return {
    name: 'broken',
    open() {
      const dev = inner.open();
      return { info: dev.info, exec: (cmd: Command) => alter(cmd, (c) => dev.exec(c)), dispose: () => dev.dispose() };
    },
    shutdown: () => inner.shutdown(),
  };
}

async function statuses(b: PcmBackend) {
  const info = (await b.open()).info;
  return Object.fromEntries((await runDataTests(b, info, 'x')).map((t) => [t.result.id, t.result]));
}

test('on the loopback ring core every data test passes', async () => {
  const r = await statuses(ringCoreBackend({ loopback: true }));
  for (const t of Object.values(r)) assert.equal(t.status, 'PASS', `${t.id}: ${t.reason}`);
});

test('one corrupted byte in what capture reads fails the loopback test with a count of corrupted frames', async () => {
  let reads = 0;
  const r = await statuses(
    broken((cmd, run) => {
      const o = run(cmd);
      if (cmd.type === 'READI' && o.ok && o.data && o.data.length > 0 && ++reads === 5) o.data[0]! ^= 0x40;
      return o;
    }),
  );
  assert.equal(r['data/loopback-intact']!.status, 'FAIL');
  assert.match(r['data/loopback-intact']!.reason!, /1 corrupted|corrupted/);
});

test('stores through the mapping that never land fail the mmap test', async () => {
  let n = 0;
  const r = await statuses(broken((cmd, run) => (cmd.type === 'MAP_WRITE' && ++n % 3 === 0 ? { ok: true } : run(cmd))));
  assert.equal(r['data/mmap-playback-intact']!.status, 'FAIL');
});

test('a device that ignores the silence settings plays stale data after the end, and the silence test says so', async () => {
  const r = await statuses(
    broken((cmd, run) =>
      run(cmd.type === 'SW_PARAMS' ? { ...cmd, params: { ...cmd.params, silence_size: 0n, silence_threshold: 0n } } : cmd),
    ),
  );
  assert.equal(r['data/silence-fill']!.status, 'FAIL');
  assert.match(r['data/silence-fill']!.reason!, /stale frame/);
});
