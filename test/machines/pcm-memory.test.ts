// What the PCM machine learnt about buffers: allocation outcomes of HW_PARAMS, EXPLICIT_SYNC at
// open, the proc files in both machines, and the sync calls it predicts — values worked out from
// pcm_native.c, pcm_lib.c and pcm_memory.c.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActor } from 'xstate';
import type { Command, MemoryInfo, Outcome } from '../../spec/device.ts';
import { createPcmMachine, regionsOf } from '../../machines/pcm/machine.ts';
import { DUMMY_CAPS, MEMORY_PROFILES } from '../../conformance/backends.ts';

function pcm(memory: MemoryInfo, files: 1 | 2 = 1) {
  const actor = createActor(createPcmMachine(files), { input: { caps: { PLAYBACK: DUMMY_CAPS, CAPTURE: DUMMY_CAPS }, memory } }).start();
  const send = (cmd: Command): Outcome => {
    actor.send(cmd);
    const s = actor.getSnapshot();
    if (s.status === 'error') throw s.error;
    return s.context.last;
  };
  return { send, ctx: () => actor.getSnapshot().context, regions: () => regionsOf(actor.getSnapshot()) };
}
const errno = (o: Outcome) => (o.ok ? 'ok' : o.errno);
const hw = (period: number, access: 'RW_INTERLEAVED' | 'MMAP_INTERLEAVED' = 'RW_INTERLEAVED') =>
  ({ type: 'HW_PARAMS', fd: 0, params: { access, format: 'S16_LE', channels: 2, rate: 48000, period_size: period, periods: 4 } }) as const;
const open: Command = { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true };

test('HW_PARAMS that cannot get its buffer under max_alloc_per_card is ENOMEM and drops a SETUP stream to OPEN', () => {
  const m = pcm(MEMORY_PROFILES.dummy.memory);
  m.send(open);
  assert.equal(errno(m.send(hw(1024))), 'ok');
  assert.equal(m.ctx().memory.total, 16384);
  assert.equal(errno(m.send(hw(4096))), 'ENOMEM');
  assert.deepEqual(m.regions(), ['OPEN']);
  assert.equal(m.ctx().memory.total, 0, 'the old buffer went before the attempt');
  assert.ok(m.ctx().lastRules.includes('buffer.hw-params.enomem'));
});

test('a managed substream whose preallocated buffer needs syncing refuses the status and control pages; on demand it does not', () => {
  const pre = pcm(MEMORY_PROFILES.noncoherent.memory);
  pre.send(open);
  assert.equal(errno(pre.send({ type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' })), 'ENXIO');
  assert.ok(pre.ctx().lastRules.includes('sync.explicit.sync-ptr'));
  assert.equal(errno(pre.send({ type: 'MMAP', fd: 0, area: 'CONTROL' })), 'ENXIO');
  const lazy = pcm(MEMORY_PROFILES['noncoherent-on-demand'].memory);
  lazy.send(open);
  assert.equal(errno(lazy.send({ type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' })), 'ok');
});

test('the proc files answer alike in the one-file and the two-file machine, open files or not', () => {
  // 32 KiB preallocated under a 45000-byte limit: a new 16 KiB buffer would be charged while the
  // old one still is, 49152 bytes: ENOMEM, swallowed.
  const tight = pcm(MEMORY_PROFILES.prealloc.memory);
  tight.send({ type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '16' });
  assert.deepEqual(tight.send({ type: 'PROC_READ', stream: 'PLAYBACK', file: 'prealloc' }), { ok: true, text: '32\n' });
  for (const files of [1, 2] as const) {
    const m = pcm(MEMORY_PROFILES.dummy.memory, files);
    const read = () => m.send({ type: 'PROC_READ', stream: 'PLAYBACK', file: 'prealloc' });
    assert.deepEqual(read(), { ok: true, text: '0\n' });
    assert.deepEqual(m.send({ type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '16' }), { ok: true, value: 2n });
    assert.deepEqual(read(), { ok: true, text: '16\n' });
    m.send(open);
    m.send({ type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc', text: '32' });
    assert.deepEqual(read(), { ok: true, text: '16\n' }, 'EBUSY, swallowed');
    assert.equal(errno(m.send({ type: 'PROC_WRITE', stream: 'PLAYBACK', file: 'prealloc_max', text: '1' })), 'EIO');
    m.send({ type: 'DISCONNECT' });
    assert.equal(errno(read()), 'ENOENT');
  }
});

test('the machine predicts the sync calls: CPU for HWSYNC even when refused, DEVICE per written chunk, none for SYNC_PTR with APPL', () => {
  const m = pcm({});
  const syncs = () => m.ctx().lastSyncs.map((s) => `${s.mode}@${s.site}`);
  m.send(open);
  m.send({ type: 'HWSYNC', fd: 0 });
  assert.deepEqual(syncs(), ['CPU@hwsync']);
  m.send(hw(256));
  m.send({ type: 'PREPARE', fd: 0 });
  m.send({ type: 'WRITEI', fd: 0, frames: 1024 });
  assert.deepEqual(syncs(), ['DEVICE@xfer-write']);
  m.send({ type: 'SYNC_PTR', fd: 0, flags: 3, appl_ptr: 0n, avail_min: 0n, compat32: false });
  assert.deepEqual(syncs(), ['CPU@sync-ptr-hwsync']);
  m.send({ type: 'REWIND', fd: 0, frames: 0n });
  assert.deepEqual(syncs(), []);
  m.send({ type: 'REWIND', fd: 0, frames: 100n });
  assert.deepEqual(syncs(), ['DEVICE@rewind']);
});
